//! Prints the page text of PDF files (pages separated by form feed), or with `--inspect [N]` the
//! positional dump of page N (all pages without N). With several files and `--quiet`, prints only
//! the time taken, for speed measurements.

use std::time::Instant;

use yujuesuan::ingest::{pdf, Limits};
use yujuesuan::inspect::{inspect, page_text};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quiet = args.iter().any(|a| a == "--quiet");
    let inspect_at = args.iter().position(|a| a == "--inspect");
    let page: Option<u32> = inspect_at
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok());
    let files: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with("--") && a.parse::<u32>().is_err())
        .collect();
    let start = Instant::now();
    let mut failed = false;
    for path in files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
                continue;
            }
        };
        match pdf::read(&bytes, &Limits::default()) {
            Ok(doc) => {
                if quiet {
                    continue;
                }
                if inspect_at.is_some() {
                    print!("{}", inspect(&doc, page));
                } else {
                    print!("{}", page_text(&doc));
                }
                eprintln!("{path}: {:?}", doc.text_quality);
                for w in &doc.warnings {
                    eprintln!(
                        "  warning p{}: {} {}",
                        w.page.unwrap_or(0),
                        w.code,
                        w.message
                    );
                }
            }
            Err(e) => {
                eprintln!("{path}: {} ({e})", e.code());
                failed = true;
            }
        }
    }
    if quiet {
        eprintln!("elapsed {:.3} s", start.elapsed().as_secs_f64());
    }
    if failed {
        std::process::exit(1);
    }
}
