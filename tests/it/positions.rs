//! Positions over the real dev corpus: every fact and cell box of a PDF lies inside its page's
//! MediaBox, and the glyphs inside the box, re-read with the project's own layout, give the value's
//! raw text (whitespace ignored) or cover it: every glyph of the raw text is inside the box (a value
//! merged from several lines, or from cells printed over each other, reads back in another order),
//! or the glyphs missing from the box are printed on the pages before or after (a row continued
//! over page breaks).
//!
//! Reads the corpus folder (holding `pdf/`) from `YUJUESUAN_CORPUS`: unset → skipped with a message.
//! The share of boxes that read back their raw text is printed; the test fails below the floors.

use serde_json::Value;

use yujuesuan::config::DocConfig;
use yujuesuan::document::{BBox, Document};
use yujuesuan::ingest::{ingest, Limits};
use yujuesuan::normalize::normalize_line;
use yujuesuan::patterns::PatternSet;
use yujuesuan::positions::text_in_box;
use yujuesuan::report::{analyze_document, doc_id};

use super::{corpus_pdf_dir, corpus_pdfs};

fn as_box(v: &Value) -> Option<BBox> {
    let a = v.as_array()?;
    let n: Vec<f64> = a.iter().filter_map(Value::as_f64).collect();
    match n.as_slice() {
        [x0, y0, x1, y1] => Some(BBox([*x0, *y0, *x1, *y1])),
        _ => None,
    }
}

/// Whether every character of `want` is in `got`, as many times (in any order).
fn holds_all(got: &str, want: &str) -> bool {
    missing(got, want).is_empty()
}

/// The characters of `want` that `got` does not hold (counted with their multiplicity).
fn missing(got: &str, want: &str) -> String {
    let mut have: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for c in got.chars() {
        *have.entry(c).or_default() += 1;
    }
    want.chars()
        .filter(|c| match have.get_mut(c) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

/// How many pages before or after a value's page its rest may be printed on (a cell of a long
/// row continued over more than one page break).
const PAGES_AROUND: u64 = 3;

/// The glyphs of a whole page, squeezed.
fn page_text(doc: &Document, media: &[BBox], page: u64) -> String {
    let Some(m) = usize::try_from(page)
        .ok()
        .and_then(|p| p.checked_sub(1))
        .and_then(|i| media.get(i))
    else {
        return String::new();
    };
    squeeze(&text_in_box(doc, page as u32, m, 1.0))
}

fn squeeze(s: &str) -> String {
    normalize_line(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// How the boxes of one kind of value read back.
#[derive(Default)]
struct Tally {
    boxes: usize,
    missing: usize,
    /// The glyphs in the box are exactly the raw text.
    read_back: usize,
    /// The box holds the raw text and more: a value wrapped over two lines has one box over both
    /// parts, which takes in the rest of those lines.
    covers: usize,
    /// The box holds every glyph of the raw text, in another reading order (parts merged from
    /// lines or cells that overlap others).
    unordered: usize,
    /// The box holds only a part of the raw text: the rest is printed on the pages before or after
    /// (a value cut by a page break; a table row finished on the next page).
    part: usize,
    mismatches: Vec<String>,
}

impl Tally {
    /// Whether the glyphs of `want` missing from the box (`got`) are printed on the pages just before
    /// or just after `page` (at most [`PAGES_AROUND`] of them).
    fn rest_beside(
        &self,
        doc: &Document,
        media: &[BBox],
        page: u64,
        got: &str,
        want: &str,
    ) -> bool {
        let rest = missing(got, want);
        let before: String = (page.saturating_sub(PAGES_AROUND)..page)
            .filter(|p| *p >= 1)
            .map(|p| page_text(doc, media, p))
            .collect();
        let after: String = (page + 1..=page + PAGES_AROUND)
            .map(|p| page_text(doc, media, p))
            .collect();
        holds_all(&before, &rest) || holds_all(&after, &rest)
    }

    fn check(&mut self, doc: &Document, media: &[BBox], what: &str, page: u64, b: BBox, raw: &str) {
        self.boxes += 1;
        let m = usize::try_from(page)
            .ok()
            .and_then(|p| p.checked_sub(1))
            .and_then(|i| media.get(i))
            .copied()
            .unwrap_or_default();
        assert!(
            m.contains(&b, 0.01),
            "{what} on page {page}: box {:?} outside the MediaBox {:?}",
            b.0,
            m.0
        );
        let got = squeeze(&text_in_box(doc, page as u32, &b, 0.5));
        let want = squeeze(raw);
        if got == want {
            self.read_back += 1;
        } else if got.contains(&want) {
            self.covers += 1;
        } else if holds_all(&got, &want) {
            self.unordered += 1;
        } else if !got.is_empty()
            && (want.starts_with(&got) || want.ends_with(&got))
            && self.rest_beside(doc, media, page, &got, &want)
        {
            self.part += 1;
        } else {
            self.mismatches.push(format!(
                "{what} p{page} {:?}: raw {raw:?}, box reads {got:?}",
                b.0
            ));
        }
    }
}

#[test]
fn corpus_boxes_lie_on_their_page_and_read_back_their_raw_text() {
    let Some(dir) = corpus_pdf_dir() else { return };
    let config = DocConfig {
        patterns: PatternSet::load(None).expect("default patterns"),
        limits: Limits::default(),
    };
    let mut facts = Tally::default();
    let mut cells = Tally::default();
    for path in corpus_pdfs(&dir) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let bytes = std::fs::read(&path).expect("read a corpus PDF");
        // A file without a text layer has no positions to check (its record says why).
        let Ok(doc) = ingest(&path, &bytes, &Limits::default()) else {
            continue;
        };
        let a = analyze_document(&doc_id(&bytes), name, bytes.len() as u64, &doc, &config);
        let record: Value = serde_json::from_str(a.rendered.documents.trim()).expect("JSON");
        let media: Vec<BBox> = record["page_boxes"]
            .as_array()
            .expect("page_boxes")
            .iter()
            .map(|p| as_box(&p["media_box"]).expect("a media box"))
            .collect();
        assert_eq!(media.len(), doc.pages.len(), "{name}: one entry per page");
        for line in a.rendered.facts.lines() {
            let f: Value = serde_json::from_str(line).expect("JSON");
            let raw = f["raw"].as_str().unwrap_or_default();
            let what = format!("{name} fact {}", f["key"]);
            match (as_box(&f["bbox"]), f["page"].as_u64()) {
                (Some(b), Some(page)) => facts.check(&doc, &media, &what, page, b, raw),
                _ if f["origin"] == "derived" => {}
                _ => facts.missing += 1,
            }
        }
        for line in a.rendered.tables.lines() {
            let t: Value = serde_json::from_str(line).expect("JSON");
            for row in t["rows"].as_array().into_iter().flatten() {
                let page = row["page"].as_u64().unwrap_or_default();
                let raws = row["raw"].as_array().cloned().unwrap_or_default();
                let bboxes = row["bboxes"].as_array().cloned().unwrap_or_default();
                assert_eq!(
                    bboxes.len(),
                    row["cells"].as_array().map_or(0, Vec::len),
                    "{name}: one box per cell"
                );
                for (raw, b) in raws.iter().zip(&bboxes) {
                    let raw = raw.as_str().unwrap_or_default();
                    if raw.trim().is_empty() {
                        continue;
                    }
                    let what = format!("{name} {} cell", t["table"]);
                    match as_box(b) {
                        Some(b) => cells.check(&doc, &media, &what, page, b, raw),
                        None => cells.missing += 1,
                    }
                }
            }
        }
    }
    let share = |t: &Tally| t.read_back as f64 / t.boxes.max(1) as f64;
    for (name, t) in [("facts", &facts), ("cells", &cells)] {
        println!(
            "positions: {name}: {} boxes, {} read back exactly ({:.3}), {} hold the raw text and \
             more (wrapped over two lines), {} hold its glyphs in another order, {} hold a part \
             (the rest on the pages before or after), {} read otherwise; {} values without a box",
            t.boxes,
            t.read_back,
            share(t),
            t.covers,
            t.unordered,
            t.part,
            t.mismatches.len(),
            t.missing
        );
        for m in &t.mismatches {
            println!("  {m}");
        }
    }
    assert!(
        facts.boxes > 200 && cells.boxes > 2000,
        "the corpus has boxes"
    );
    assert_eq!(facts.missing, 0, "every fact of a PDF has a box");
    assert_eq!(cells.missing, 0, "every printed cell of a PDF has a box");
    assert!(
        share(&facts) >= FACT_FLOOR,
        "facts read back below the floor"
    );
    assert!(
        share(&cells) >= CELL_FLOOR,
        "cells read back below the floor"
    );
    assert!(
        facts.mismatches.is_empty() && cells.mismatches.is_empty(),
        "every box covers its raw text (the rest, if any, on the pages before or after)"
    );
}

/// The shares reached on the dev corpus (boxes whose glyphs re-read exactly as their raw text).
const FACT_FLOOR: f64 = 0.92;
const CELL_FLOOR: f64 = 0.99;
