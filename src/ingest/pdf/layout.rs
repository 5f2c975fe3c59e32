//! Layout: positioned glyphs → lines and segments of a page, with glyph clean-up and running
//! page-number footers/headers removed.
//!
//! In: the page's visible [`Glyph`]s, its ruling edges and its display size. Out: [`Line`]s in reading
//! order (top to bottom, left to right), each split into [`Segment`]s at wide gaps or vertical rules,
//! the printed page number if a footer/header held one, and the number of fake-bold duplicates removed.
//! Clean-up: fake bold (the same character drawn again at nearly the same place) keeps one glyph;
//! Kangxi and CJK-radical code points are folded to ideographs; a private-use character drawn between
//! two digits anywhere in the document is its decimal point and becomes `.` wherever it occurs; other
//! private-use characters mean nothing standard and are dropped (counted as unmapped glyphs).
//! Not here: decoding (`font.rs`), tables (the table stage reads segments and rules).
//! Glyphs rotated a quarter turn (baseline running up or down the page) are read as one line per
//! column, in their reading direction, one segment each.
//! Known limits: one column of reading order (two-column pages interleave by line); text at other
//! angles is grouped as if horizontal.

use foldhash::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::document::{is_private_use, Line, Rect, Rule, Segment};
use crate::normalize::{fold_char, is_cjk};

use super::content::Glyph;

/// Fake bold: a duplicate lies within this fraction of the font size.
const FAKE_BOLD_EM: f32 = 0.3;
/// A horizontal gap wider than this fraction of the font size starts a new segment.
const SEGMENT_GAP_EM: f32 = 0.8;
/// Inside a segment, a gap wider than this fraction of the font size is written as a space
/// (never between two CJK characters).
const SPACE_GAP_EM: f32 = 0.15;
/// Running headers and footers live in this fraction of the page height at the top and bottom.
const MARGIN_BAND: f32 = 0.08;

static PAGE_NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    crate::patterns::bounded_regex(
        r"^(?:[-—–－―‒一~\s]*([0-9０-９]{1,4})[-—–－―‒一~\s]*|第\s*([0-9０-９]{1,4})\s*页(?:\s*[,，]?\s*共\s*[0-9０-９]{1,4}\s*页)?|([0-9０-９]{1,4})\s*/\s*[0-9０-９]{1,4})$",
    )
    .ok()
});

/// The result of laying out one page.
#[derive(Debug, Default)]
pub(crate) struct PageLayout {
    pub lines: Vec<Line>,
    pub printed_number: Option<String>,
    /// Set by the one-step test helper only (documents count it after the first step).
    #[cfg(test)]
    pub fake_bold_removed: u64,
    /// Private-use glyphs dropped (not decimal points).
    pub unmapped: u64,
}

/// Folds Kangxi radicals, CJK radicals and compatibility ideographs; other characters stay as drawn.
fn clean_char(c: char) -> char {
    match c as u32 {
        0x2E80..=0x2FDF | 0xF900..=0xFAFF => fold_char(c),
        _ => c,
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// FNV-1a of a glyph's text, so grid keys need no string copies.
fn text_key(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Removes fake-bold duplicates in place; returns how many were removed.
pub(crate) fn remove_fake_bold(glyphs: &mut Vec<Glyph>) -> u64 {
    // Buckets by (text, cell of x, cell of y) with cells of about one em; the first drawing is kept.
    // Each bucket is a chain through `next`: the map holds its latest glyph, `next[i]` the one kept
    // before `i` in the same bucket (`usize::MAX` ends it), so no bucket allocates.
    let mut seen: HashMap<(u64, i32, i32), usize> = HashMap::default();
    seen.reserve(glyphs.len());
    let mut next = vec![usize::MAX; glyphs.len()];
    let mut keep = vec![true; glyphs.len()];
    let mut removed = 0;
    for (i, g) in glyphs.iter().enumerate() {
        let cell = g.size.max(1.0);
        let (cx, cy) = ((g.x0 / cell).floor() as i32, (g.y0 / cell).floor() as i32);
        let text = text_key(&g.text);
        // Within 0.3 em, and within half the glyph's own width (dot leaders are drawn a width apart).
        let tol = g.size.max(1.0) * FAKE_BOLD_EM;
        let tol_x = tol
            .min((g.x1 - g.x0).abs() * 0.5)
            .max(g.size.max(1.0) * 0.02);
        let mut dup = false;
        'search: for dx in -1..=1 {
            for dy in -1..=1 {
                let key = (text, cx.saturating_add(dx), cy.saturating_add(dy));
                let mut at = seen.get(&key).copied().unwrap_or(usize::MAX);
                while let Some(h) = glyphs.get(at) {
                    if (h.x0 - g.x0).abs() < tol_x && (h.y0 - g.y0).abs() < tol && h.text == g.text
                    {
                        dup = true;
                        break 'search;
                    }
                    at = next.get(at).copied().unwrap_or(usize::MAX);
                }
            }
        }
        if dup {
            if let Some(k) = keep.get_mut(i) {
                *k = false;
            }
            removed += 1;
        } else {
            if let Some(prev) = seen.insert((text, cx, cy), i) {
                if let Some(n) = next.get_mut(i) {
                    *n = prev;
                }
            }
        }
    }
    let mut it = keep.iter();
    glyphs.retain(|_| it.next().copied().unwrap_or(true));
    removed
}

/// Glyphs of one line before segmentation.
pub(crate) struct RawLine {
    y0: f32,
    y1: f32,
    glyphs: Vec<Glyph>,
}

/// Groups glyphs into lines: a glyph whose vertical centre lies in a line's band joins it.
pub(crate) fn group_lines(mut glyphs: Vec<Glyph>) -> Vec<RawLine> {
    glyphs.sort_by(|a, b| a.cy().total_cmp(&b.cy()).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<RawLine> = Vec::new();
    for g in glyphs {
        let cy = g.cy();
        // Look back a few lines: a tall glyph can leave an earlier band still open.
        let found = lines.iter_mut().rev().take(3).find(|l| {
            l.y0 <= cy && cy <= l.y1 && {
                let lc = (l.y0 + l.y1) / 2.0;
                g.y0 <= lc && lc <= g.y1
            }
        });
        match found {
            Some(line) => {
                // The band is that of the tallest glyph so far; it never grows into a union, which
                // would pull in a neighbouring row (a cell centred between two rows stays apart).
                if g.y1 - g.y0 > line.y1 - line.y0 {
                    line.y0 = g.y0;
                    line.y1 = g.y1;
                }
                line.glyphs.push(g);
            }
            None => lines.push(RawLine {
                y0: g.y0,
                y1: g.y1,
                glyphs: vec![g],
            }),
        }
    }
    for l in &mut lines {
        l.glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    lines.sort_by(|a, b| ((a.y0 + a.y1) / 2.0).total_cmp(&((b.y0 + b.y1) / 2.0)));
    lines
}

fn single_private_use(g: &Glyph) -> Option<char> {
    let mut cs = g.text.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) if is_private_use(c) => Some(c),
        _ => None,
    }
}

/// Private-use characters that some line draws between two digits: the document uses them as its
/// decimal point (Founder fonts map their `．` there), so they mean `.` wherever they occur.
pub(crate) fn collect_decimal_marks(lines: &[RawLine], marks: &mut HashSet<char>) {
    for line in lines {
        for w in line.glyphs.windows(3) {
            if let [prev, cur, next] = w {
                if let Some(c) = single_private_use(cur) {
                    if prev.text.chars().next_back().is_some_and(is_digit)
                        && next.text.chars().next().is_some_and(is_digit)
                    {
                        marks.insert(c);
                    }
                }
            }
        }
    }
}

/// Decimal-point marks become `.`; other private-use characters (codes a font maps to its own
/// private area, meaning nothing standard) are dropped and counted as unmapped.
fn resolve_private_use(glyphs: &mut Vec<Glyph>, marks: &HashSet<char>) -> u64 {
    let mut dropped = 0;
    glyphs.retain_mut(|g| {
        if !g.text.chars().any(is_private_use) {
            return true;
        }
        if single_private_use(g).is_some_and(|c| marks.contains(&c)) {
            g.text = ".".to_string();
            return true;
        }
        let kept: String = g.text.chars().filter(|c| !is_private_use(*c)).collect();
        dropped += 1;
        if kept.is_empty() {
            false
        } else {
            g.text = kept;
            true
        }
    });
    dropped
}

/// True when a vertical rule separates x-positions `a` < `b` at height `y`.
fn rule_between(rules: &[Rule], a: f32, b: f32, y: f32) -> bool {
    rules
        .iter()
        .any(|r| !r.is_horizontal() && r.x0 > a && r.x0 < b && r.y0 <= y && y <= r.y1)
}

fn build_segment(glyphs: &[Glyph]) -> Option<Segment> {
    let first = glyphs.first()?;
    let mut text = String::new();
    let mut bbox = Rect {
        x0: first.x0,
        y0: first.y0,
        x1: first.x1,
        y1: first.y1,
    };
    let mut prev: Option<&Glyph> = None;
    let mut size = 0.0f32;
    let mut chars: Vec<Rect> = Vec::with_capacity(glyphs.len());
    for g in glyphs {
        if let Some(p) = prev {
            let gap = g.x0 - p.x1;
            let em = p.size.max(g.size).max(1.0);
            let cjk_pair = p.text.chars().next_back().is_some_and(is_cjk)
                && g.text.chars().next().is_some_and(is_cjk);
            if gap > SPACE_GAP_EM * em && !cjk_pair {
                text.push(' ');
                chars.push(Rect {
                    x0: p.x1,
                    y0: p.y0.min(g.y0),
                    x1: g.x0,
                    y1: p.y1.max(g.y1),
                });
            }
        }
        text.extend(g.text.chars().map(clean_char));
        push_char_boxes(&mut chars, g);
        bbox = bbox.union(&Rect {
            x0: g.x0,
            y0: g.y0,
            x1: g.x1,
            y1: g.y1,
        });
        size = size.max(g.size);
        prev = Some(g);
    }
    // The font of the segment: the one most of its glyphs use.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for g in glyphs {
        if let Some(f) = g.font.as_deref() {
            match counts.iter_mut().find(|(n, _)| *n == f) {
                Some(e) => e.1 += 1,
                None => counts.push((f, 1)),
            }
        }
    }
    let font = counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(f, _)| f.to_string());
    Some(Segment {
        text,
        bbox,
        font,
        size,
        chars,
    })
}

/// The boxes of the characters of one glyph: its own box, shared out evenly along the baseline
/// when the glyph stands for several characters (a ligature, a multi-character ToUnicode entry).
fn push_char_boxes(chars: &mut Vec<Rect>, g: &Glyph) {
    let n = g.text.chars().count();
    let whole = Rect {
        x0: g.x0,
        y0: g.y0,
        x1: g.x1,
        y1: g.y1,
    };
    if n <= 1 {
        chars.extend(std::iter::repeat_n(whole, n));
        return;
    }
    let [ox, oy, ex, ey] = g.baseline;
    let horizontal = (ex - ox).abs() >= (ey - oy).abs();
    for i in 0..n {
        let (a, b) = (i as f32 / n as f32, (i + 1) as f32 / n as f32);
        chars.push(if horizontal {
            let w = g.x1 - g.x0;
            Rect {
                x0: g.x0 + w * a,
                x1: g.x0 + w * b,
                ..whole
            }
        } else {
            let h = g.y1 - g.y0;
            Rect {
                y0: g.y0 + h * a,
                y1: g.y0 + h * b,
                ..whole
            }
        });
    }
}

/// The page number a line stands for, when the whole line is one.
fn page_number_of(text: &str) -> Option<String> {
    let re = PAGE_NUMBER.as_ref()?;
    let caps = re.captures(text.trim())?;
    let digits = caps
        .get(1)
        .or_else(|| caps.get(2))
        .or_else(|| caps.get(3))?
        .as_str();
    Some(
        digits
            .chars()
            .map(|c| {
                if ('０'..='９').contains(&c) {
                    fold_char(c)
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// First step of a page: fake bold removed, glyphs grouped into lines.
pub(crate) fn page_lines(mut glyphs: Vec<Glyph>) -> (Vec<RawLine>, u64) {
    let removed = remove_fake_bold(&mut glyphs);
    let (vertical, horizontal): (Vec<Glyph>, Vec<Glyph>) =
        glyphs.into_iter().partition(runs_vertically);
    let mut lines = group_lines(horizontal);
    if !vertical.is_empty() {
        lines.extend(group_columns(vertical));
        lines.sort_by(|a, b| ((a.y0 + a.y1) / 2.0).total_cmp(&((b.y0 + b.y1) / 2.0)));
    }
    (lines, removed)
}

/// True for a glyph drawn rotated by about a quarter turn (its baseline runs up or down the page).
fn runs_vertically(g: &Glyph) -> bool {
    let [ox, oy, ex, ey] = g.baseline;
    (ey - oy).abs() > 2.0 * (ex - ox).abs()
}

/// Groups rotated glyphs into columns (a glyph whose horizontal centre lies in the column's band
/// joins it), each read along its baseline direction: one line per column.
fn group_columns(mut glyphs: Vec<Glyph>) -> Vec<RawLine> {
    glyphs.sort_by(|a, b| a.cx().total_cmp(&b.cx()).then(a.y0.total_cmp(&b.y0)));
    let mut columns: Vec<(f32, f32, Vec<Glyph>)> = Vec::new();
    for g in glyphs {
        let cx = g.cx();
        match columns
            .iter_mut()
            .rev()
            .take(4)
            .find(|(x0, x1, _)| *x0 <= cx && cx <= *x1)
        {
            Some(col) => col.2.push(g),
            None => columns.push((g.x0, g.x1, vec![g])),
        }
    }
    columns
        .into_iter()
        .map(|(_, _, mut gs)| {
            // Downward text reads top to bottom, upward text bottom to top.
            let downward = gs.first().is_some_and(|g| g.baseline[3] > g.baseline[1]);
            gs.sort_by(|a, b| {
                let o = a.cy().total_cmp(&b.cy());
                if downward {
                    o
                } else {
                    o.reverse()
                }
            });
            let y0 = gs.iter().map(|g| g.y0).fold(f32::INFINITY, f32::min);
            let y1 = gs.iter().map(|g| g.y1).fold(f32::NEG_INFINITY, f32::max);
            RawLine { y0, y1, glyphs: gs }
        })
        .collect()
}

/// Lays out one page in one go (no document-wide decimal marks).
#[cfg(test)]
pub(crate) fn layout_page(glyphs: Vec<Glyph>, rules: &[Rule], height: f32) -> PageLayout {
    let (lines, removed) = page_lines(glyphs);
    let mut marks = HashSet::default();
    collect_decimal_marks(&lines, &mut marks);
    let mut out = finish_page(lines, rules, height, &marks);
    out.fake_bold_removed = removed;
    out
}

/// Second step: private-use glyphs resolved, lines split into segments, running page numbers removed.
pub(crate) fn finish_page(
    lines: Vec<RawLine>,
    rules: &[Rule],
    height: f32,
    marks: &HashSet<char>,
) -> PageLayout {
    let mut out = PageLayout::default();
    let verticals: Vec<Rule> = rules
        .iter()
        .filter(|r| !r.is_horizontal())
        .copied()
        .collect();
    for mut raw in lines {
        out.unmapped += resolve_private_use(&mut raw.glyphs, marks);
        if let Some(line) = segmented_line(&raw, &verticals) {
            out.lines.push(line);
        }
    }
    remove_running_number(&mut out, height);
    out
}

/// One line's glyphs split into segments at wide gaps and vertical rules; `None` when it has none.
fn segmented_line(raw: &RawLine, verticals: &[Rule]) -> Option<Line> {
    let y = (raw.y0 + raw.y1) / 2.0;
    let mut segments = Vec::new();
    let mut start = 0;
    for i in 1..=raw.glyphs.len() {
        let split = match (raw.glyphs.get(i - 1), raw.glyphs.get(i)) {
            (Some(p), Some(g)) => {
                let em = p.size.max(g.size).max(1.0);
                g.x0 - p.x1 > SEGMENT_GAP_EM * em || rule_between(verticals, p.cx(), g.cx(), y)
            }
            _ => true,
        };
        if split {
            if let Some(seg) = raw.glyphs.get(start..i).and_then(build_segment) {
                segments.push(seg);
            }
            start = i;
        }
    }
    let first = segments.first()?;
    let bbox = segments
        .iter()
        .skip(1)
        .fold(first.bbox, |b, s| b.union(&s.bbox));
    let text = segments
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Some(Line::new(text, Some(bbox), segments))
}

/// Running page numbers: a line in the top or bottom band of a page `height` high that is only a
/// page number is removed and becomes the page's printed number (the bottom-most footer first,
/// then the top-most header).
fn remove_running_number(out: &mut PageLayout, height: f32) {
    if height <= 0.0 {
        return;
    }
    let band = height * MARGIN_BAND;
    let centre = |line: &Line| line.bbox().map(|b| (b.y0 + b.y1) / 2.0);
    let footer = out.lines.iter().rposition(|line| {
        centre(line).is_some_and(|cy| cy >= height - band) && page_number_of(line.text()).is_some()
    });
    let found = footer.or_else(|| {
        out.lines.iter().position(|line| {
            centre(line).is_some_and(|cy| cy <= band) && page_number_of(line.text()).is_some()
        })
    });
    if let Some(i) = found {
        if i < out.lines.len() {
            let line = out.lines.remove(i);
            out.printed_number = page_number_of(line.text());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, x: f32, y: f32, size: f32) -> Glyph {
        Glyph {
            text: text.to_string(),
            x0: x,
            y0: y,
            x1: x + size,
            y1: y + size,
            size,
            font: None,
            baseline: [x, y + size * 0.8, x + size, y + size * 0.8],
        }
    }

    #[test]
    fn fake_bold_duplicates_are_removed() {
        let gs = vec![
            glyph("合", 100.0, 100.0, 10.0),
            glyph("合", 100.3, 100.0, 10.0),
            glyph("计", 110.0, 100.0, 10.0),
            glyph("计", 110.3, 100.1, 10.0),
        ];
        let page = layout_page(gs, &[], 800.0);
        assert_eq!(page.fake_bold_removed, 2);
        assert_eq!(page.lines[0].text(), "合计");
    }

    #[test]
    fn fake_bold_is_found_behind_other_glyphs_of_its_cell() {
        // Three 合 in one em cell: the second stands 4 pt right of the first (beyond the 3 pt
        // tolerance: kept), the third 0.4 pt right of the first, found behind the second.
        let mut gs = vec![
            glyph("合", 100.0, 100.0, 10.0),
            glyph("合", 104.0, 100.0, 10.0),
            glyph("合", 100.4, 100.0, 10.0),
            glyph("计", 100.2, 100.0, 10.0),
        ];
        assert_eq!(remove_fake_bold(&mut gs), 1);
        let kept: Vec<(&str, f32)> = gs.iter().map(|g| (g.text.as_str(), g.x0)).collect();
        assert_eq!(kept, vec![("合", 100.0), ("合", 104.0), ("计", 100.2)]);
    }

    #[test]
    fn dot_leaders_are_not_fake_bold() {
        let gs: Vec<Glyph> = (0..10)
            .map(|i| {
                let mut g = glyph(".", 100.0 + 2.7 * i as f32, 100.0, 10.0);
                g.x1 = g.x0 + 2.7;
                g
            })
            .collect();
        let page = layout_page(gs, &[], 800.0);
        assert_eq!(page.fake_bold_removed, 0);
        assert_eq!(page.lines[0].text(), "..........");
    }

    #[test]
    fn repeated_characters_one_em_apart_stay() {
        let gs = vec![
            glyph("常", 100.0, 100.0, 10.0),
            glyph("常", 110.0, 100.0, 10.0),
        ];
        let page = layout_page(gs, &[], 800.0);
        assert_eq!(page.lines[0].text(), "常常");
    }

    #[test]
    fn lines_segments_and_baseline_jitter() {
        let mut gs = vec![
            glyph("收", 50.0, 100.0, 10.0),
            glyph("入", 60.0, 100.0, 10.0),
            // Digits in another font sit 1.5 pt lower, still on the line.
            glyph("1", 100.0, 101.5, 5.0),
            glyph("2", 105.0, 101.5, 5.0),
            glyph("下", 50.0, 130.0, 10.0),
        ];
        gs[2].y1 = 109.0;
        gs[3].y1 = 109.0;
        let page = layout_page(gs, &[], 800.0);
        assert_eq!(page.lines.len(), 2);
        assert_eq!(page.lines[0].segments().len(), 2);
        assert_eq!(page.lines[0].text(), "收入 12");
        assert_eq!(page.lines[1].text(), "下");
    }

    #[test]
    fn vertical_rule_splits_cells() {
        let gs = vec![
            glyph("1", 100.0, 100.0, 10.0),
            glyph("2", 112.0, 100.0, 10.0),
        ];
        let rule = Rule {
            x0: 111.0,
            y0: 90.0,
            x1: 111.0,
            y1: 120.0,
        };
        let page = layout_page(gs.clone(), &[rule], 800.0);
        assert_eq!(page.lines[0].segments().len(), 2);
        let page = layout_page(gs, &[], 800.0);
        assert_eq!(page.lines[0].segments().len(), 1);
        assert_eq!(page.lines[0].text(), "1 2");
    }

    #[test]
    fn a_cell_centred_between_two_rows_is_its_own_line() {
        let gs = vec![
            glyph("支", 100.0, 182.0, 12.0),
            glyph("本", 300.0, 189.5, 12.0),
            glyph("科", 100.0, 197.0, 12.0),
        ];
        let page = layout_page(gs, &[], 800.0);
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text()).collect();
        assert_eq!(texts, vec!["支", "本", "科"]);
    }

    #[test]
    fn rotated_glyphs_read_as_a_column() {
        // 合计 drawn upwards (rotated a quarter turn counter-clockwise) at x = 50.
        let up = |t: &str, y: f32| Glyph {
            text: t.to_string(),
            x0: 45.0,
            y0: y - 10.0,
            x1: 55.0,
            y1: y,
            size: 10.0,
            font: None,
            baseline: [53.0, y, 53.0, y - 10.0],
        };
        let gs = vec![
            up("计", 90.0),
            up("合", 100.0),
            glyph("项", 100.0, 120.0, 10.0),
        ];
        let page = layout_page(gs, &[], 800.0);
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text()).collect();
        assert_eq!(texts, vec!["合计", "项"]);
    }

    #[test]
    fn footer_page_numbers() {
        assert_eq!(page_number_of("— 6 —").as_deref(), Some("6"));
        assert_eq!(page_number_of("- 12 -").as_deref(), Some("12"));
        assert_eq!(page_number_of("12").as_deref(), Some("12"));
        assert_eq!(page_number_of("第 3 页").as_deref(), Some("3"));
        assert_eq!(page_number_of("3/40").as_deref(), Some("3"));
        assert_eq!(page_number_of("2024年"), None);
        let gs = vec![
            glyph("正", 50.0, 100.0, 10.0),
            glyph("—", 280.0, 780.0, 10.0),
            glyph("6", 295.0, 780.0, 5.0),
            glyph("—", 305.0, 780.0, 10.0),
        ];
        let page = layout_page(gs, &[], 842.0);
        assert_eq!(page.printed_number.as_deref(), Some("6"));
        assert_eq!(page.lines.len(), 1);
    }

    #[test]
    fn kangxi_folded_and_pua_decimal_point() {
        let gs = vec![
            glyph("\u{2F00}", 10.0, 100.0, 10.0),
            glyph("７", 30.0, 200.0, 10.0),
            glyph("\u{1001B0}", 40.0, 200.0, 5.0),
            glyph("０", 45.0, 200.0, 10.0),
            // The same mark after a list number, and an unknown private-use glyph.
            glyph("２", 30.0, 300.0, 10.0),
            glyph("\u{1001B0}", 40.0, 300.0, 5.0),
            glyph("\u{100170}", 45.0, 300.0, 5.0),
            glyph("总", 50.0, 300.0, 10.0),
        ];
        let page = layout_page(gs, &[], 800.0);
        assert_eq!(page.lines[0].text(), "一");
        assert_eq!(page.lines[1].text(), "７.０");
        assert_eq!(page.lines[2].text(), "２. 总");
        assert_eq!(page.unmapped, 1);
    }
}
