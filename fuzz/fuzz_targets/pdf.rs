//! Fuzz target: arbitrary bytes into the PDF reader; it must return Ok or Err, never panic.
//! Run with `cargo fuzz run pdf` from the repository root (seed it with small PDFs in fuzz/corpus/pdf).
#![no_main]

use libfuzzer_sys::fuzz_target;
use yujuesuan::ingest::{pdf, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_size: 16 * 1024 * 1024,
        max_stream_bytes: 16 * 1024 * 1024,
    };
    let _ = pdf::read(data, &limits);
});
