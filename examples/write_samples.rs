//! Writes the generated sample PDFs into DIR (the repository keeps them in `samples/`).
//!
//! Usage: `cargo run --example write_samples -- samples`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write_samples DIR");
        return ExitCode::from(2);
    };
    for (name, bytes) in yujuesuan::fixture::sample_pdfs() {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("write_samples: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
