//! Plain renderings of a read document for people: the page text, and a per-line dump of positions.
//!
//! In: a [`Document`]. Out: `page_text` (lines joined by `\n`, pages separated by form feed, like
//! pdftotext) and `inspect` (for each line: y, x-range, font and size, then each segment with its
//! x-range and text), or the same as JSON (`inspect_json`). Not here: command-line handling.

use std::fmt::Write;

use crate::document::Document;

/// The text of every page: lines separated by `\n`, each page followed by `\u{c}`.
pub fn page_text(doc: &Document) -> String {
    let mut out = String::new();
    for page in &doc.pages {
        for line in &page.lines {
            out.push_str(line.text());
            out.push('\n');
        }
        out.push('\u{c}');
    }
    out
}

/// The text of one page (`Some(n)`, 1-based) or of every page, as [`page_text`] writes it.
pub fn page_text_of(doc: &Document, page: Option<u32>) -> String {
    let mut out = String::new();
    for p in doc
        .pages
        .iter()
        .filter(|p| page.is_none_or(|n| n == p.number))
    {
        for line in &p.lines {
            out.push_str(line.text());
            out.push('\n');
        }
        out.push('\u{c}');
    }
    out
}

/// The pages (one, or all) as JSON: `{"pages": [...]}` with each page's lines, boxes, segments and
/// fonts as the document holds them, one JSON document with a final newline.
pub fn inspect_json(doc: &Document, page: Option<u32>) -> String {
    let pages: Vec<&crate::document::Page> = doc
        .pages
        .iter()
        .filter(|p| page.is_none_or(|n| n == p.number))
        .collect();
    let value = serde_json::json!({ "pages": pages });
    serde_json::to_string(&value).unwrap_or_default() + "\n"
}

/// A positional dump of one page (`Some(n)`, 1-based) or of all pages.
pub fn inspect(doc: &Document, page: Option<u32>) -> String {
    let mut out = String::new();
    for p in doc
        .pages
        .iter()
        .filter(|p| page.is_none_or(|n| n == p.number))
    {
        let _ = writeln!(
            out,
            "=== page {} ({:.0} x {:.0}) printed {} rules {} text_layer {}",
            p.number,
            p.width,
            p.height,
            p.printed_number.as_deref().unwrap_or("-"),
            p.rules.len(),
            p.has_text_layer
        );
        for line in &p.lines {
            let (y, x0, x1) = line
                .bbox()
                .map(|b| ((b.y0 + b.y1) / 2.0, b.x0, b.x1))
                .unwrap_or_default();
            let first = line.segments().first();
            let _ = writeln!(
                out,
                "y={y:7.1} x={x0:6.1}..{x1:6.1} font={} size={:.1}",
                first.and_then(|s| s.font.as_deref()).unwrap_or("-"),
                first.map(|s| s.size).unwrap_or(0.0)
            );
            let line_font = first.and_then(|s| s.font.as_deref());
            for s in line.segments() {
                let font = s.font.as_deref();
                if font != line_font {
                    let _ = writeln!(
                        out,
                        "    [{:6.1}..{:6.1}] {{{} {:.1}}} {}",
                        s.bbox.x0,
                        s.bbox.x1,
                        font.unwrap_or("-"),
                        s.size,
                        s.text
                    );
                } else {
                    let _ = writeln!(out, "    [{:6.1}..{:6.1}] {}", s.bbox.x0, s.bbox.x1, s.text);
                }
            }
        }
    }
    out
}
