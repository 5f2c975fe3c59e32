//! Views of a document for people tuning patterns: the page text, and lines with coordinates.
//!
//! In: a [`Document`]. Out: text. Not here: anything that changes the document.

use crate::document::Document;

/// Each page's lines joined by `\n`, pages separated by a form feed (like `pdftotext`).
pub fn page_text(doc: &Document) -> String {
    let mut out = String::new();
    for (i, page) in doc.pages.iter().enumerate() {
        if i > 0 {
            out.push('\u{c}');
        }
        for line in &page.lines {
            out.push_str(&line.text);
            out.push('\n');
        }
    }
    out
}

/// Lines with their coordinates and segments.
pub fn inspect(doc: &Document, page: Option<u32>) -> String {
    let mut out = String::new();
    for p in doc
        .pages
        .iter()
        .filter(|p| page.is_none_or(|n| n == p.number))
    {
        out.push_str(&format!("== page {} ({} lines)\n", p.number, p.lines.len()));
        for line in &p.lines {
            out.push_str(&format!("{}\n", line.text));
        }
    }
    out
}
