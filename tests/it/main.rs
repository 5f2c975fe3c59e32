//! The integration tests, one binary: CLI runs of the real binary, the text layer against the
//! generated fixtures, the golden files and the real corpus (read through `YUJUESUAN_SHARED` and
//! `YUJUESUAN_CORPUS`; unset, those tests say `skipped`; set to a missing folder, they fail).

mod cli;
mod corpus_facts;
mod corpus_tables;
mod engine;
mod export;
mod fixtures;
mod golden_facts;
mod metamorphic;
mod patterns_dir;
mod pdf_corpus;
mod positions;
mod review;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The real binary with a cleared environment (PATH kept).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yujuesuan"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

/// A fresh, empty temporary folder for one test (`name` is unique across the tests).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yujuesuan-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Every line of a JSON Lines output file; fails when the file is missing or a line is not JSON.
pub fn read_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("read output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect()
}

/// The corpus `pdf/` folder from `YUJUESUAN_CORPUS`: unset → `None` with a `skipped` line; set to a
/// folder without `pdf/` → the test fails.
pub fn corpus_pdf_dir() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("YUJUESUAN_CORPUS") else {
        println!("skipped: YUJUESUAN_CORPUS not set");
        return None;
    };
    let pdf_dir = Path::new(&dir).join("pdf");
    assert!(
        pdf_dir.is_dir(),
        "YUJUESUAN_CORPUS={} has no pdf/ folder",
        Path::new(&dir).display()
    );
    Some(pdf_dir)
}

/// The corpus PDFs in `dir`, sorted; fails when fewer than 20 are there.
pub fn corpus_pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(
        files.len() >= 20,
        "expected the corpus PDFs in {}",
        dir.display()
    );
    files
}
