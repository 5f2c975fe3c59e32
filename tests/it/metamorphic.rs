//! Metamorphic tests over the real reports of `YUJUESUAN_CORPUS` (`pdf/`): the same report
//! rewritten by another PDF writer must give the same facts and tables as the original.
//!
//! - qpdf (`--object-streams=generate`, `--linearize`, `--stream-data=uncompress`, `--qdf`) changes
//!   only the file's structure: every report must come out identical.
//! - `pdftocairo -pdf` draws every page again (fonts re-encoded as subsets with their own ToUnicode,
//!   positions from the new widths, fake bold as stroked outlines). Where poppler's own reading of the
//!   rewrite (`pdftotext -layout`) keeps the same Han characters on each page as the original (as a
//!   multiset: its reading order is its own), the rewrite carries the same text and must give the
//!   same facts and tables; a rewrite that lost characters is reported and not compared.
//!
//! Facts and tables are compared as their JSON lines without `doc_id` and `source` (the bytes and
//! the path differ by construction). qpdf, pdftocairo and pdftotext are needed (`.ci/run` installs
//! them); without `YUJUESUAN_CORPUS` the test says it is skipped.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use yujuesuan::config::DocConfig;
use yujuesuan::ingest::Limits;
use yujuesuan::patterns::PatternSet;

use crate::{corpus_pdf_dir, corpus_pdfs, temp_dir};

const QPDF_MODES: [&[&str]; 4] = [
    &["--object-streams=generate"],
    &["--linearize"],
    &["--stream-data=uncompress"],
    &["--qdf"],
];

fn config() -> DocConfig {
    DocConfig {
        patterns: PatternSet::load(None).expect("built-in patterns"),
        limits: Limits::default(),
    }
}

/// What one report reads as: its status, its facts and tables (each line without the fields that
/// name the input, and with its boxes blanked) and, apart, every box coordinate in output order.
#[derive(PartialEq)]
struct Reading {
    status: String,
    facts: Vec<String>,
    tables: Vec<String>,
    boxes: Vec<f64>,
}

/// The fields that hold positions (`bbox` of facts and rows, `bboxes` of rows, `regions` of tables).
const BOX_FIELDS: [&str; 3] = ["bbox", "bboxes", "regions"];

/// Moves every number under a box field of `v` into `out`, leaving null in its place.
fn take_boxes(v: &mut serde_json::Value, inside: bool, out: &mut Vec<f64>) {
    match v {
        serde_json::Value::Number(n) if inside => {
            out.push(n.as_f64().unwrap_or(f64::NAN));
            *v = serde_json::Value::Null;
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| take_boxes(x, inside, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                let boxed = inside || BOX_FIELDS.contains(&k.as_str());
                // `page` inside a region is not a coordinate.
                if inside && k == "page" {
                    continue;
                }
                take_boxes(x, boxed, out);
            }
        }
        _ => {}
    }
}

fn facts_and_tables(path: &Path, config: &DocConfig) -> Reading {
    let bytes = std::fs::read(path).unwrap_or_default();
    let a = yujuesuan::report::analyze(path, "report.pdf", &bytes, config);
    let mut boxes = Vec::new();
    let mut strip = |jsonl: &str| -> Vec<String> {
        jsonl
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
                if let Some(o) = v.as_object_mut() {
                    o.remove("doc_id");
                    o.remove("source");
                }
                take_boxes(&mut v, false, &mut boxes);
                v.to_string()
            })
            .collect()
    };
    let facts = strip(&a.rendered.facts);
    let tables = strip(&a.rendered.tables);
    Reading {
        status: a.summary.status.to_string(),
        facts,
        tables,
        boxes,
    }
}

/// The largest distance between two readings' box coordinates (infinite when they differ in number).
fn box_shift(a: &Reading, b: &Reading) -> f64 {
    if a.boxes.len() != b.boxes.len() {
        return f64::INFINITY;
    }
    a.boxes
        .iter()
        .zip(&b.boxes)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// A cairo rewrite re-encodes the fonts and places each run by its own widths: glyphs move by
/// fractions of a point, so boxes may move that much (and no more).
const CAIRO_BOX_SHIFT: f64 = 2.0;

fn run(cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(o) => o.status.success(),
        Err(e) => panic!("cannot run {cmd:?}: {e} (qpdf and poppler-utils are needed)"),
    }
}

/// The Han characters `pdftotext -layout` reads on each page, counted.
fn han_by_page(path: &Path) -> Vec<BTreeMap<char, usize>> {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("cannot run pdftotext: {e}"));
    String::from_utf8_lossy(&out.stdout)
        .split('\u{c}')
        .map(|page| {
            let mut m = BTreeMap::new();
            for c in page
                .chars()
                .filter(|c| ('\u{3400}'..='\u{9fff}').contains(c))
            {
                *m.entry(c).or_insert(0) += 1;
            }
            m
        })
        .collect()
}

/// The first difference between two lists of lines, for the failure message.
fn first_difference(a: &[String], b: &[String]) -> String {
    if a.len() != b.len() {
        return format!("{} lines against {}", a.len(), b.len());
    }
    a.iter()
        .zip(b)
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("{x}\n  became\n{y}"))
        .unwrap_or_default()
}

#[test]
fn corpus_rewritten_by_qpdf_and_cairo_gives_the_same_facts_and_tables() {
    let Some(dir) = corpus_pdf_dir() else { return };
    let config = config();
    let work = temp_dir("metamorphic");
    let mut failures = Vec::new();
    let mut cairo_compared = 0;
    let mut cairo_lossy = Vec::new();
    let files = corpus_pdfs(&dir);
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let original = facts_and_tables(file, &config);
        for (i, mode) in QPDF_MODES.iter().enumerate() {
            let out = work.join(format!("q{i}-{name}"));
            // qpdf exits 3 for warnings (the file is still written).
            let _ = run(Command::new("qpdf").args(*mode).arg(file).arg(&out));
            assert!(out.is_file(), "qpdf {mode:?} wrote no {name}");
            let rewritten = facts_and_tables(&out, &config);
            if rewritten != original {
                failures.push(format!(
                    "{name} qpdf {mode:?}: status {} → {}; facts {}; tables {}; boxes moved by {}",
                    original.status,
                    rewritten.status,
                    first_difference(&original.facts, &rewritten.facts),
                    first_difference(&original.tables, &rewritten.tables),
                    box_shift(&original, &rewritten)
                ));
            }
            let _ = std::fs::remove_file(&out);
        }
        let out = work.join(format!("cairo-{name}"));
        assert!(
            run(Command::new("pdftocairo").arg("-pdf").arg(file).arg(&out)),
            "pdftocairo failed on {name}"
        );
        if han_by_page(file) != han_by_page(&out) {
            cairo_lossy.push(name.clone());
        } else {
            cairo_compared += 1;
            let rewritten = facts_and_tables(&out, &config);
            let shift = box_shift(&original, &rewritten);
            if (&rewritten.status, &rewritten.facts, &rewritten.tables)
                != (&original.status, &original.facts, &original.tables)
                || shift > CAIRO_BOX_SHIFT
            {
                failures.push(format!(
                    "{name} pdftocairo: status {} → {}; facts {}; tables {}; boxes moved by {shift}",
                    original.status,
                    rewritten.status,
                    first_difference(&original.facts, &rewritten.facts),
                    first_difference(&original.tables, &rewritten.tables)
                ));
            }
        }
        let _ = std::fs::remove_file(&out);
    }
    let _ = std::fs::remove_dir_all(&work);
    println!(
        "pdftocairo rewrites compared: {cairo_compared} of {}; not compared (pdftotext reads other \
         Han characters in the rewrite): {cairo_lossy:?}",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The condition must leave most of the corpus compared, or the test says nothing.
    assert!(
        cairo_compared * 5 >= files.len() * 4,
        "only {cairo_compared} of {} cairo rewrites kept their text: {cairo_lossy:?}",
        files.len()
    );
}
