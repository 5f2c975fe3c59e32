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
mod patterns_dir;
mod pdf_corpus;

use std::path::{Path, PathBuf};

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
