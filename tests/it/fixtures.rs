//! The text layer against the generated fixtures: every font path, fake bold, q/Q, Form XObjects,
//! /Rotate, footers, TJ offsets, invisible text, ruled tables, and the error paths. Each fixture
//! carries the lines a correct reader must produce.

use yujuesuan::fixture::{text_layer_fixtures, ExpectedError};
use yujuesuan::ingest::{pdf, Limits};

#[test]
fn every_fixture_reads_as_expected() {
    let mut failures = Vec::new();
    let fixtures = text_layer_fixtures();
    assert!(fixtures.len() >= 14, "fixture set is complete");
    for f in &fixtures {
        match (pdf::read(&f.bytes, &Limits::default()), &f.error) {
            (Ok(doc), None) => {
                let got: Vec<Vec<String>> = doc
                    .pages
                    .iter()
                    .map(|p| p.lines.iter().map(|l| l.text().to_string()).collect())
                    .collect();
                if got != f.pages {
                    failures.push(format!(
                        "{}: lines\n  want {:?}\n  got  {:?}",
                        f.name, f.pages, got
                    ));
                }
                let printed: Vec<Option<String>> =
                    doc.pages.iter().map(|p| p.printed_number.clone()).collect();
                if !f.printed_numbers.is_empty() && printed != f.printed_numbers {
                    failures.push(format!(
                        "{}: printed page numbers want {:?} got {:?}",
                        f.name, f.printed_numbers, printed
                    ));
                }
            }
            (Err(e), Some(want)) => {
                let code = match want {
                    ExpectedError::Encrypted => "encrypted",
                    ExpectedError::Truncated => "truncated",
                };
                if e.code() != code {
                    failures.push(format!("{}: error {} want {code}", f.name, e.code()));
                }
            }
            (Ok(_), Some(want)) => {
                failures.push(format!("{}: read Ok, want error {want:?}", f.name))
            }
            (Err(e), None) => failures.push(format!("{}: failed with {} ({e})", f.name, e.code())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
