//! Fuzz target: arbitrary bytes as a text report through every stage (decoding, pagination,
//! outline, facts, tables, checks). Must never panic.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use yujuesuan::config::DocConfig;
use yujuesuan::ingest::Limits;
use yujuesuan::patterns::PatternSet;

static CONFIG: LazyLock<DocConfig> = LazyLock::new(|| DocConfig {
    patterns: PatternSet::load(None).expect("built-in patterns load"),
    limits: Limits::default(),
});

fuzz_target!(|data: &[u8]| {
    let _ = yujuesuan::report::analyze(Path::new("fuzz.txt"), "fuzz.txt", data, &CONFIG);
});
