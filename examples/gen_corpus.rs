//! Writes a synthetic benchmark corpus of N reports into DIR and prints what it wrote.
//!
//! Usage: `cargo run --release --example gen_corpus -- DIR N [SEED]`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: gen_corpus DIR N [SEED]");
        return ExitCode::from(2);
    };
    let seed = args
        .get(2)
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(2025);
    let start = Instant::now();
    match yujuesuan::fixture::write_synthetic_corpus(&PathBuf::from(dir), n, seed) {
        Ok(s) => {
            eprintln!(
                "{} files ({} pdf, {} text, {} broken), {} pages in {:.2?}",
                s.files,
                s.pdf,
                s.text,
                s.broken,
                s.pages,
                start.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: {dir}: {e}");
            ExitCode::from(2)
        }
    }
}
