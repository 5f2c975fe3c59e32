//! Positions: where on the page each value was read, in the page's default user space.
//!
//! In: the document (lines with per-character display boxes, each page's [`PageGeometry`]), the
//! outline (which line each stretch of a section body came from) and the facts and tables read from
//! them. Out: `bbox` on every narrative fact (the box of the glyphs of its `raw` text on its page),
//! `bbox` / `bboxes` on every table row (the row's box, one box per cell in the order of `cells`),
//! `regions` on every table (one per page it spans), and the `page_boxes` of `documents.jsonl`.
//!
//! A value printed over two lines (`…合计1,234.56` / `万元…`) has one box: the union of the boxes of
//! its parts on the two lines (the rectangle from the first part's top to the second part's bottom,
//! which also covers the text beside the parts). A part on another page than the value's is not in
//! its box.
//!
//! Boxes are `[x0, y0, x1, y1]` in PDF default user space (points, origin at the user-space origin,
//! normally the bottom-left of the MediaBox, y up): the space of the page's content after the CTM,
//! before /Rotate and the CropBox are applied for display. A reader that shows the page rotated or
//! cropped applies them itself from `page_boxes`. Text input has no positions: every box is null.
//!
//! Not here: reading positions (the PDF reader and layout keep them), deciding anything about
//! values. Table facts copy their cell's box where they are made (`tables::figures`); derived facts
//! have none.

use serde::Serialize;

use crate::document::{BBox, Document, Page, Rect};
use crate::extract::facts::{Fact, Origin};
use crate::extract::tables::{Region, Table};
use crate::normalize::normalized_sources;
use crate::segment::Outline;

/// One page's boxes as written in `documents.jsonl` (`page_boxes`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageBoxRecord {
    /// 1-based page.
    pub page: u32,
    pub media_box: BBox,
    pub crop_box: BBox,
    /// Degrees clockwise the page is turned for display (0, 90, 180, 270).
    pub rotate: u16,
}

/// The boxes of every PDF page (empty for text input).
pub fn page_boxes(doc: &Document) -> Vec<PageBoxRecord> {
    doc.pages
        .iter()
        .filter_map(|p| {
            p.geometry.map(|g| PageBoxRecord {
                page: p.number,
                media_box: g.media(),
                crop_box: g.crop(),
                rotate: g.rotate,
            })
        })
        .collect()
}

fn page_of(doc: &Document, number: u32) -> Option<&Page> {
    let i = usize::try_from(number).ok()?.checked_sub(1)?;
    match doc.pages.get(i) {
        Some(p) if p.number == number => Some(p),
        _ => doc.pages.iter().find(|p| p.number == number),
    }
}

/// The display box of the normalised bytes `from..to` of a line's text (as `normalize_line` writes
/// it), mapped back to the characters of the line as drawn.
pub(crate) fn line_sub_box(line: &crate::document::Line, from: usize, to: usize) -> Option<Rect> {
    let (normal, sources) = normalized_sources(line.text());
    let mut first: Option<usize> = None;
    let mut last: Option<usize> = None;
    for (k, (byte, _)) in normal.char_indices().enumerate() {
        if byte < from || byte >= to {
            continue;
        }
        if let Some(Some(src)) = sources.get(k) {
            first = Some(first.map_or(*src, |f| f.min(*src)));
            last = Some(last.map_or(*src, |l| l.max(*src)));
        }
    }
    line.chars_box(first?, last? + 1)
}

/// The box, on page `page`, of the bytes `start..end` of section `section`'s body.
fn span_box(
    doc: &Document,
    outline: &Outline,
    section: usize,
    start: usize,
    end: usize,
    page: u32,
) -> Option<BBox> {
    let s = outline.sections.get(section)?;
    let marks = &s.line_marks;
    // The last line starting at or before `start`, then every line starting before `end`.
    let first = marks
        .partition_point(|m| m.offset <= start)
        .checked_sub(1)?;
    let mut out: Option<BBox> = None;
    for m in marks.get(first..)?.iter().take_while(|m| m.offset < end) {
        let Some(p) = doc.pages.get(m.page_index).filter(|p| p.number == page) else {
            continue;
        };
        let Some(line) = p.lines.get(m.line) else {
            continue;
        };
        let from = start.saturating_sub(m.offset);
        let to = end - m.offset;
        if let Some(b) = line_sub_box(line, from, to).and_then(|r| p.user_box(&r)) {
            out = Some(out.map_or(b, |o| o.union(&b)));
        }
    }
    out
}

/// Sets `bbox` of every narrative fact from the glyphs of its `raw` text on its page.
pub fn place_facts(facts: &mut [Fact], outline: &Outline, doc: &Document) {
    for f in facts.iter_mut().filter(|f| f.origin == Origin::Narrative) {
        if let (Some(span), Some(page)) = (f.span, f.page) {
            f.bbox = span_box(doc, outline, span.section, span.start, span.end, page);
        }
    }
}

/// Sets `bbox` and `bboxes` of every row and `regions` of every table from the display boxes the
/// table stage kept.
pub fn place_tables(tables: &mut [Table], doc: &Document) {
    for t in tables.iter_mut() {
        for row in &mut t.rows {
            let page = page_of(doc, row.page);
            row.bboxes = (0..row.cells.len())
                .map(|c| {
                    let r = row.cell_rects.get(c).copied().flatten()?;
                    page?.user_box(&r)
                })
                .collect();
            row.bbox = row
                .bboxes
                .iter()
                .flatten()
                .copied()
                .reduce(|a, b| a.union(&b));
        }
        let mut regions: Vec<Region> = Vec::new();
        for n in t.pages[0]..=t.pages[1].max(t.pages[0]) {
            let page = page_of(doc, n);
            let grids = t
                .grid_rects
                .iter()
                .filter(|(p, _)| *p == n)
                .filter_map(|(_, r)| page?.user_box(r));
            let rows = t.rows.iter().filter(|r| r.page == n).filter_map(|r| r.bbox);
            let bbox = grids.chain(rows).reduce(|a, b| a.union(&b));
            regions.push(Region { page: n, bbox });
        }
        t.regions = regions;
    }
}

/// The text of the glyphs of page `page` whose centre lies inside `bbox` (a user-space box, with
/// `tol` points of slack), in reading order, normalised like a section body (`normalize_line`):
/// what a box says when it is read back with the layout's own lines. Empty for text input.
pub fn text_in_box(doc: &Document, page: u32, bbox: &BBox, tol: f64) -> String {
    let Some(p) = page_of(doc, page) else {
        return String::new();
    };
    let Some(geometry) = p.geometry else {
        return String::new();
    };
    let [x0, y0, x1, y1] = bbox.0;
    let inside = |r: &Rect| {
        let [a, b, c, d] = geometry.to_user(r).0;
        let (cx, cy) = ((a + c) / 2.0, (b + d) / 2.0);
        cx >= x0 - tol && cx <= x1 + tol && cy >= y0 - tol && cy <= y1 + tol
    };
    let mut out = String::new();
    for line in &p.lines {
        let mut text = String::new();
        for seg in line.segments() {
            let mut part = String::new();
            if seg.chars.is_empty() {
                if inside(&seg.bbox) {
                    part.push_str(&seg.text);
                }
            } else {
                for (c, r) in seg.text.chars().zip(&seg.chars) {
                    if !c.is_whitespace() && inside(r) {
                        part.push(c);
                    }
                }
            }
            if !part.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&part);
            }
        }
        crate::normalize::join_wrapped(&mut out, &crate::normalize::normalize_line(&text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Line, PageGeometry, Segment};

    fn seg(text: &str, x0: f32, y0: f32, per: f32) -> Segment {
        let chars: Vec<Rect> = (0..text.chars().count())
            .map(|i| Rect {
                x0: x0 + per * i as f32,
                y0,
                x1: x0 + per * (i + 1) as f32,
                y1: y0 + 10.0,
            })
            .collect();
        Segment {
            text: text.to_string(),
            bbox: chars
                .iter()
                .copied()
                .reduce(|a, b| a.union(&b))
                .unwrap_or_default(),
            font: None,
            size: 10.0,
            chars,
        }
    }

    #[test]
    fn a_sub_range_of_a_line_maps_through_normalisation() {
        // "收入 １２万元": the space goes, the full-width digits fold; "12万元" is chars 3..7.
        let s1 = seg("收入", 100.0, 50.0, 10.0);
        let s2 = seg("１２万元", 130.0, 50.0, 10.0);
        let line = Line::new("收入 １２万元", Some(s1.bbox.union(&s2.bbox)), vec![s1, s2]);
        let normal = crate::normalize::normalize_line(line.text());
        assert_eq!(normal, "收入12万元");
        let from = normal.find("12").expect("in the line");
        let r = line_sub_box(&line, from, normal.len()).expect("a box");
        assert_eq!((r.x0, r.x1, r.y0, r.y1), (130.0, 170.0, 50.0, 60.0));
    }

    /// A value wrapped over two lines (`…1,234.56` | `万元。`) gets one box: the union of its two
    /// parts' glyph boxes, in user space.
    #[test]
    fn a_value_wrapped_over_two_lines_gets_the_union_of_its_parts() {
        let mut page = crate::document::Page::new(1);
        page.geometry = Some(PageGeometry {
            media_box: [0.0, 0.0, 600.0, 800.0],
            crop_box: [0.0, 0.0, 600.0, 800.0],
            rotate: 0,
        });
        for (text, y) in [("本年收入合计1,234.56", 50.0), ("万元。", 62.0)] {
            let s = seg(text, 100.0, y, 10.0);
            page.lines.push(Line::new(text, Some(s.bbox), vec![s]));
        }
        let doc = Document {
            format: crate::document::Format::Pdf,
            pages: vec![page],
            text_quality: Default::default(),
            warnings: Vec::new(),
        };
        let outline = crate::segment::outline(&doc);
        let value = "1,234.56万元";
        let (section, start) = outline
            .sections
            .iter()
            .enumerate()
            .find_map(|(i, s)| s.body.find(value).map(|at| (i, at)))
            .expect("the value in a section body");
        let b = span_box(&doc, &outline, section, start, start + value.len(), 1).expect("a box");
        // Line 1: `1,234.56` is x 160..240, display y 50..60; line 2: `万元` is x 100..120, y 62..72.
        assert_eq!(b.0, [100.0, 728.0, 240.0, 750.0]);
        // The first part alone: the box of `1,234.56` on line 1.
        let first =
            span_box(&doc, &outline, section, start, start + "1,234.56".len(), 1).expect("a box");
        assert_eq!(first.0, [160.0, 740.0, 240.0, 750.0]);
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 0.011)
    }

    fn as_box(v: &serde_json::Value) -> Option<Vec<f64>> {
        v.as_array()?.iter().map(|x| x.as_f64()).collect()
    }

    /// The generated report through the whole pipeline: every narrative figure and every body cell
    /// has exactly the box its glyphs were drawn in, on a cropped page and on a /Rotate 90 page.
    #[test]
    fn fixture_boxes_of_facts_and_cells_are_exact() {
        let fx = crate::fixture::positions_report();
        let config = crate::config::DocConfig {
            patterns: crate::patterns::PatternSet::load(None).expect("default patterns"),
            limits: crate::ingest::Limits::default(),
        };
        let a = crate::report::analyze(
            std::path::Path::new("positions.pdf"),
            "positions.pdf",
            &fx.bytes,
            &config,
        );
        let lines = |s: &str| -> Vec<serde_json::Value> {
            s.lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect()
        };
        let doc = &lines(&a.rendered.documents)[0];
        let boxes = doc["page_boxes"].as_array().expect("page_boxes");
        assert_eq!(boxes.len(), fx.pages.len());
        for (b, (media, crop, rotate)) in boxes.iter().zip(&fx.pages) {
            assert_eq!(as_box(&b["media_box"]).as_deref(), Some(&media[..]));
            assert_eq!(as_box(&b["crop_box"]).as_deref(), Some(&crop[..]));
            assert_eq!(b["rotate"].as_u64(), Some(u64::from(*rotate)));
        }

        let facts = lines(&a.rendered.facts);
        let narrative: Vec<&serde_json::Value> = facts
            .iter()
            .filter(|f| f["origin"] == "narrative")
            .collect();
        // Every expected figure is read with its box, and no narrative figure has another box.
        for e in &fx.facts {
            assert!(
                narrative.iter().any(|f| f["raw"] == e.text.as_str()
                    && f["page"] == e.page
                    && as_box(&f["bbox"]).is_some_and(|b| close(&b, &e.bbox))),
                "no fact {} with box {:?} in {narrative:#?}",
                e.text,
                e.bbox
            );
        }
        for f in &narrative {
            let b = as_box(&f["bbox"]).unwrap_or_default();
            assert!(
                fx.facts
                    .iter()
                    .any(|e| f["raw"] == e.text.as_str() && close(&b, &e.bbox)),
                "unexpected box of {f}"
            );
        }

        let tables = lines(&a.rendered.tables);
        let t = tables
            .iter()
            .find(|t| t["pages"][0] == 2)
            .expect("the table on page 2");
        let mut seen = 0;
        for row in t["rows"].as_array().expect("rows") {
            let raw = row["raw"].as_array().expect("raw");
            let bboxes = row["bboxes"].as_array().expect("bboxes");
            assert_eq!(bboxes.len(), row["cells"].as_array().map_or(0, Vec::len));
            let mut row_box: Option<Vec<f64>> = None;
            for (text, b) in raw.iter().zip(bboxes) {
                let text = text.as_str().unwrap_or_default();
                if text.is_empty() {
                    assert!(b.is_null(), "a blank cell has no box");
                    continue;
                }
                let b = as_box(b).expect("a cell box");
                assert!(
                    fx.cells
                        .iter()
                        .any(|e| e.text == text && close(&b, &e.bbox)),
                    "cell {text} has box {b:?}; expected one of {:?}",
                    fx.cells
                        .iter()
                        .filter(|e| e.text == text)
                        .collect::<Vec<_>>()
                );
                row_box = Some(match row_box {
                    None => b,
                    Some(r) => vec![
                        r[0].min(b[0]),
                        r[1].min(b[1]),
                        r[2].max(b[2]),
                        r[3].max(b[3]),
                    ],
                });
                seen += 1;
            }
            assert_eq!(
                as_box(&row["bbox"]),
                row_box,
                "row box = union of its cells"
            );
        }
        assert_eq!(seen, fx.cells.len(), "every body cell is read");
        let regions = t["regions"].as_array().expect("regions");
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0]["page"], 2);
        let region = BBox::new(0.0, 0.0, 0.0, 0.0);
        let region =
            as_box(&regions[0]["bbox"]).map_or(region, |v| BBox::new(v[0], v[1], v[2], v[3]));
        for e in &fx.cells {
            let [a, b, c, d] = e.bbox;
            assert!(
                region.contains(&BBox::new(a, b, c, d), 0.01),
                "{e:?} outside the region"
            );
        }

        // A table figure has its cell's box.
        let table_facts: Vec<&serde_json::Value> =
            facts.iter().filter(|f| f["origin"] == "table").collect();
        assert!(!table_facts.is_empty());
        for f in table_facts {
            let b = as_box(&f["bbox"]).expect("a table fact's box");
            assert!(
                fx.cells
                    .iter()
                    .any(|e| f["raw"] == e.text.as_str() && close(&b, &e.bbox)),
                "{f}"
            );
        }
    }

    /// A 绩效目标表 continued under its repeated title and header, its indicator columns holding
    /// words only: every printed line stays a row of its own, on its page, each cell with the box of
    /// its own glyphs (none takes the text of the rows after it).
    #[test]
    fn continued_word_rows_keep_their_own_text_and_boxes() {
        let fx = crate::fixture::continued_targets_report();
        let config = crate::config::DocConfig {
            patterns: crate::patterns::PatternSet::load(None).expect("default patterns"),
            limits: crate::ingest::Limits::default(),
        };
        let a = crate::report::analyze(
            std::path::Path::new("continued.pdf"),
            "continued.pdf",
            &fx.bytes,
            &config,
        );
        let tables: Vec<serde_json::Value> = a
            .rendered
            .tables
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        let [t] = tables.as_slice() else {
            panic!("one table over both pages: {tables:#?}")
        };
        assert!(t["title"].as_str().is_some_and(|x| x.ends_with(fx.title)));
        assert_eq!(t["pages"], serde_json::json!([1, 2]));
        assert_eq!(t["columns"], serde_json::json!(fx.columns));
        // Every printed text is one cell's raw text, on its page and in its column: a page's first
        // line takes in nothing of the lines after it (the rows of each column block are read on
        // their own, in block order).
        let rows = t["rows"].as_array().expect("rows");
        let mut got: Vec<(u64, usize, &str)> = rows
            .iter()
            .flat_map(|r| {
                let page = r["page"].as_u64().unwrap_or_default();
                let raw = r["raw"].as_array().map(Vec::as_slice).unwrap_or_default();
                raw.iter()
                    .enumerate()
                    .map(move |(c, x)| (page, c, x.as_str().unwrap_or_default()))
            })
            .filter(|(_, _, x)| !x.is_empty())
            .collect();
        let mut want: Vec<(u64, usize, &str)> = fx
            .rows
            .iter()
            .flat_map(|(p, texts)| {
                texts
                    .iter()
                    .enumerate()
                    .map(move |(c, x)| (u64::from(*p), c, *x))
            })
            .filter(|(_, _, x)| !x.is_empty())
            .collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
        let mut seen = 0;
        for row in rows {
            let page = row["page"].as_u64().unwrap_or_default();
            let raw = row["raw"].as_array().expect("raw");
            let bboxes = row["bboxes"].as_array().expect("bboxes");
            for (text, b) in raw.iter().zip(bboxes) {
                let text = text.as_str().unwrap_or_default();
                if text.is_empty() {
                    continue;
                }
                let b = as_box(b).expect("a cell box");
                assert!(
                    fx.cells
                        .iter()
                        .any(|e| e.text == text && u64::from(e.page) == page && close(&b, &e.bbox)),
                    "cell {text} on page {page} has box {b:?}"
                );
                seen += 1;
            }
        }
        assert_eq!(seen, fx.cells.len(), "every body cell is read");
    }

    #[test]
    fn display_boxes_return_to_user_space_under_each_rotation() {
        let r = Rect {
            x0: 10.0,
            y0: 20.0,
            x1: 30.0,
            y1: 25.0,
        };
        let g = |rotate| PageGeometry {
            media_box: [0.0, 0.0, 600.0, 800.0],
            crop_box: [50.0, 40.0, 550.0, 780.0],
            rotate,
        };
        // Unrotated: x from the crop box's left, y down from its top.
        assert_eq!(g(0).to_user(&r).0, [60.0, 755.0, 80.0, 760.0]);
        // 90: display x runs up user y from the crop bottom, display y along user x.
        assert_eq!(g(90).to_user(&r).0, [70.0, 50.0, 75.0, 70.0]);
        assert_eq!(g(180).to_user(&r).0, [520.0, 60.0, 540.0, 65.0]);
        assert_eq!(g(270).to_user(&r).0, [525.0, 750.0, 530.0, 770.0]);
        // A glyph running over the right edge of the visible page is boxed up to that edge.
        let over = Rect {
            x0: 490.0,
            y0: 20.0,
            x1: 510.0,
            y1: 25.0,
        };
        assert_eq!(g(0).to_user(&over).0, [540.0, 755.0, 550.0, 760.0]);
    }
}
