//! Fuzz target: arbitrary bytes as a PDF through every stage (reader, outline, facts, tables,
//! checks); it must return a record, never panic.
//! Run with `scripts/fuzz.sh` (seeds fuzz/corpus/pdf with the generated fixtures and samples).
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use yujuesuan::config::DocConfig;
use yujuesuan::ingest::Limits;
use yujuesuan::patterns::PatternSet;

static CONFIG: LazyLock<DocConfig> = LazyLock::new(|| DocConfig {
    patterns: PatternSet::load(None).expect("built-in patterns load"),
    limits: Limits {
        max_file_size: 16 * 1024 * 1024,
        max_stream_bytes: 16 * 1024 * 1024,
    },
});

fuzz_target!(|data: &[u8]| {
    let _ = yujuesuan::report::analyze(Path::new("fuzz.pdf"), "fuzz.pdf", data, &CONFIG);
});
