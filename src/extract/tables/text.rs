//! Tables in plain text input (no coordinates): title, header line, rows of `name number…`.
//!
//! In: a text document's pages of lines. Out: one [`Table`] per title line (see [`super::catalog`])
//! that is followed, within three non-blank lines, by a header line (2–10 words, no number) and at
//! least one row. E.g. the seed's `财政拨款收入结构表（单位：万元）` / `项目 金额 占比` / rows such as
//! `社会保障和就业支出 2460.96 58.7%` (id `X`, columns 项目/金额/占比).
//!
//! Rows: the trailing number tokens of a line are its values, the words before them its name (a
//! leading 3/5/7-digit token is its code). Values fill the value columns from the left (`合计 4193.92`
//! leaves 占比 null). Percent columns (by label word or `%` values) keep the percent number; the others
//! are money in the declared unit (万元 when none is printed and the magnitudes do not say 元). Blank
//! lines inside the table are skipped; the table ends at the first other line.
//!
//! Not here: 绩效自评表 (see [`super::performance`]). Limits: without positions a row with a blank
//! cell before a printed one is misplaced (values shift left); tables in text input are trusted only
//! as far as their token counts go.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::{Document, Line, Page, Rect, Segment};
use crate::normalize::{is_cjk, normalize_line};

use super::catalog::{Identifier, TitleMatch};
use super::regions::empty_statement;
use super::unit::{declared_in, infer_from_values, is_numeric, Unit};
use super::{Row, Table};
use crate::amount::{cell_number, cell_percent};

static CODE: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^\d{3}(?:\d{2}){0,2}$").expect("code regex is valid")
});

static LAYOUT_GAP: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"\S {2,}\S").expect("layout gap regex is valid")
});

/// Points per character and per line of synthetic positions. Every character is one column wide, CJK
/// included: layout text from PDF converters aligns columns by character count.
const CELL: f32 = 5.0;
const LINE: f32 = 12.0;

/// Layout text (at least a fifth of its non-blank lines hold a run of two or more spaces between
/// words) as a document with synthetic positions: one segment per word, words one space apart
/// joined unless one is a number, letter-spaced characters (`收   入`) joined, x from the
/// character's column, one line every 12 points. `None` for
/// text without layout.
pub(crate) fn with_layout_positions(doc: &Document) -> Option<Document> {
    let lines: Vec<&Line> = doc
        .pages
        .iter()
        .flat_map(|p| p.lines.iter())
        .filter(|l| !l.text().trim().is_empty())
        .collect();
    let gapped = lines
        .iter()
        .filter(|l| LAYOUT_GAP.is_match(l.text()))
        .count();
    if lines.is_empty() || gapped * 5 < lines.len() {
        return None;
    }
    let pages = doc
        .pages
        .iter()
        .map(|p| {
            let mut page = Page::new(p.number);
            page.printed_number = p.printed_number.clone();
            page.lines = p
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| positioned_line(l.text(), i as f32 * LINE))
                .collect();
            page
        })
        .collect();
    Some(Document {
        format: doc.format.clone(),
        pages,
        text_quality: doc.text_quality.clone(),
        warnings: Vec::new(),
    })
}

fn positioned_line(text: &str, y: f32) -> Line {
    // Words with their first and last character columns.
    let mut words: Vec<(String, usize, usize)> = Vec::new();
    for (col, c) in text.chars().enumerate() {
        if c == ' ' || c == '\u{3000}' {
            continue;
        }
        match words.last_mut() {
            Some((w, _, end)) if *end + 1 == col => {
                w.push(c);
                *end = col;
            }
            _ => words.push((c.to_string(), col, col)),
        }
    }
    // Words one space apart stay one segment unless one of them is a number (`三、事业 单位` is one
    // label; `合计 2,940.05` is a label and a value).
    let mut merged: Vec<(String, usize, usize)> = Vec::new();
    for (w, a, b) in words {
        let single_cjk = |t: &str| t.chars().count() == 1 && t.chars().all(is_cjk);
        match merged.last_mut() {
            Some((m, _, end)) if a == *end + 2 && !is_numeric(m) && !is_numeric(&w) => {
                m.push(' ');
                m.push_str(&w);
                *end = b;
            }
            // Letter-spaced words (`收   入`): single characters a few columns apart.
            Some((m, _, end))
                if a <= *end + 5
                    && single_cjk(&w)
                    && m.chars().all(is_cjk)
                    && m.chars().count() <= 3 =>
            {
                m.push_str(&w);
                *end = b;
            }
            _ => merged.push((w, a, b)),
        }
    }
    let segments: Vec<Segment> = merged
        .into_iter()
        .map(|(w, a, b)| Segment {
            text: w,
            bbox: Rect {
                x0: a as f32 * CELL,
                y0: y,
                x1: (b + 1) as f32 * CELL,
                y1: y + LINE * 0.8,
            },
            font: None,
            size: LINE * 0.8,
            chars: Vec::new(),
        })
        .collect();
    let bbox = segments.iter().map(|s| s.bbox).reduce(|a, b| a.union(&b));
    Line::new(text, bbox, segments)
}

/// A line split into whitespace tokens (after character folding, spaces kept between tokens).
fn tokens(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(normalize_line)
        .filter(|t| !t.is_empty())
        .collect()
}

/// A data row: (code, name, values).
fn data_row(text: &str) -> Option<(Option<String>, String, Vec<String>)> {
    let toks = tokens(text);
    let split = toks
        .iter()
        .rposition(|t| !is_numeric(t))
        .map(|i| i + 1)
        .unwrap_or(0);
    let (words, values) = toks.split_at(split);
    if values.is_empty() || words.is_empty() {
        return None;
    }
    let (code, words) = match words.first() {
        Some(w) if CODE.is_match(w) && words.len() > 1 => (Some(w.clone()), &words[1..]),
        _ => (None, words),
    };
    let name = words.concat();
    if name.contains(['。', '，']) || name.chars().count() > 40 {
        return None;
    }
    Some((code, name, values.to_vec()))
}

fn header_line(text: &str) -> Option<Vec<String>> {
    let toks = tokens(text);
    let ok = (2..=10).contains(&toks.len())
        && toks
            .iter()
            .all(|t| !is_numeric(t) && t.chars().count() <= 12)
        && !text.contains(['。', '，']);
    ok.then_some(toks)
}

/// A body line of a text table as tokens: (page, code, name, values).
type RawRow = (u32, Option<String>, String, Vec<String>);

/// Reads the tables of a text document.
pub(crate) fn extract(doc: &Document, ident: Identifier<'_>) -> Vec<Table> {
    let lines: Vec<(u32, &Line)> = doc
        .pages
        .iter()
        .flat_map(|p| p.lines.iter().map(move |l| (p.number, l)))
        .collect();
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].1.text().trim().is_empty())
        .collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < nonblank.len() {
        if k.is_multiple_of(4096) && crate::ingest::stop_requested() {
            break;
        }
        let (page, line) = lines[nonblank[k]];
        let Some(m) = ident.identify(line) else {
            k += 1;
            continue;
        };
        if m.id == "P01" {
            k += 1;
            continue;
        }
        let head = head(&lines, &nonblank, k);
        let Some(labels) = head.labels else {
            if let Some(s) = head.statement {
                out.push(empty_table(m.id, m.title, head.unit, page, s));
            }
            k += 1;
            continue;
        };
        let (raw_rows, next) = body(&lines, &nonblank, head.at + 1, labels.len());
        if raw_rows.is_empty() {
            k += 1;
            continue;
        }
        out.push(text_table(
            m,
            head.unit,
            head.statement,
            page,
            labels,
            raw_rows,
        ));
        k = next;
    }
    out
}

/// What follows a title line: the unit declared (on the title or the lines after it), the header
/// labels within the next three non-blank lines, an empty-table statement, and where the search
/// stopped (the header's index in `nonblank` when there is one).
struct Head {
    unit: Option<Unit>,
    labels: Option<Vec<String>>,
    statement: Option<String>,
    at: usize,
}

/// The [`Head`] of the title at `nonblank[k]`.
fn head(lines: &[(u32, &Line)], nonblank: &[usize], k: usize) -> Head {
    let mut unit = declared_in(lines[nonblank[k]].1);
    // Header within the next three non-blank lines (unit lines may come first).
    let mut h = k + 1;
    let mut header = None;
    let mut statement = None;
    while h < nonblank.len() && h <= k + 3 {
        let l = lines[nonblank[h]].1;
        if unit.is_none() {
            unit = declared_in(l);
        }
        if statement.is_none() {
            statement = empty_statement(l);
        }
        if let Some(hd) = header_line(l.text()) {
            if declared_in(l).is_none() {
                header = Some(hd);
                break;
            }
        }
        h += 1;
    }
    Head {
        unit,
        labels: header,
        statement,
        at: h,
    }
}

/// The data rows from `nonblank[from]` on (fewer values than `columns`), and the index after them.
fn body(
    lines: &[(u32, &Line)],
    nonblank: &[usize],
    from: usize,
    columns: usize,
) -> (Vec<RawRow>, usize) {
    let mut raw_rows: Vec<RawRow> = Vec::new();
    let mut r = from;
    while r < nonblank.len() {
        let (p, l) = lines[nonblank[r]];
        match data_row(l.text()) {
            Some((code, name, values)) if values.len() < columns => {
                raw_rows.push((p, code, name, values));
                r += 1;
            }
            _ => break,
        }
    }
    (raw_rows, r)
}

/// The table of title `m` with header `labels` and body `raw_rows`: percent columns by their label
/// or their values, money in the unit declared (else the one the values suggest) turned into 万元.
fn text_table(
    m: TitleMatch,
    unit: Option<Unit>,
    statement: Option<String>,
    page: u32,
    labels: Vec<String>,
    raw_rows: Vec<RawRow>,
) -> Table {
    let vocabulary = crate::vocabulary::current();
    let percent_col: Vec<bool> = (0..labels.len())
        .map(|c| {
            vocabulary.tables.percent_label.is_match(&labels[c])
                || raw_rows.iter().any(|(_, _, _, v)| {
                    v.get(c.wrapping_sub(1))
                        .is_some_and(|t| cell_percent(t).is_some())
                })
        })
        .collect();
    let money_values: Vec<_> = raw_rows
        .iter()
        .flat_map(|(_, _, _, v)| v.iter())
        .filter_map(|t| cell_number(t))
        .collect();
    let inferred = infer_from_values(&money_values).unwrap_or(Unit::WAN);
    let used = unit.unwrap_or(inferred);
    let rows = table_rows(raw_rows, labels.len(), &percent_col, used);
    let last_page = rows.last().map(|r| r.page).unwrap_or(page);
    let column_units = (0..labels.len())
        .map(|c| match c {
            0 => String::new(),
            _ if percent_col[c] => "%".to_string(),
            _ => crate::amount::WAN_YUAN.to_string(),
        })
        .collect();
    Table {
        table: m.id,
        title: m.title,
        unit_declared: unit.map(|u| u.name().to_string()),
        pages: [page, last_page],
        columns: labels,
        rows,
        empty: false,
        empty_statement: statement,
        unit: used.name().to_string(),
        unit_inferred: unit.is_none(),
        column_units,
        layout: "text".to_string(),
        regions: Vec::new(),
        grid_rects: Vec::new(),
    }
}

/// The rows of a text table (`columns` wide), values parsed (money in `used`, turned into 万元),
/// with their hierarchy set.
fn table_rows(raw_rows: Vec<RawRow>, columns: usize, percent_col: &[bool], used: Unit) -> Vec<Row> {
    let mut rows = raw_rows
        .into_iter()
        .map(|(p, code, name, values)| {
            let mut cells = vec![None; columns];
            let mut raw = vec![String::new(); columns];
            raw[0] = name.clone();
            for (i, v) in values.iter().enumerate() {
                let c = i + 1;
                raw[c] = v.clone();
                cells[c] = if percent_col[c] {
                    cell_percent(v).or_else(|| cell_number(v))
                } else {
                    cell_number(v).map(|d| used.to_wan(d))
                };
            }
            Row {
                level: code.as_deref().and_then(super::rows::code_level),
                code,
                name,
                cells,
                raw,
                page: p,
                parent: None,
                indent: None,
                bbox: None,
                bboxes: Vec::new(),
                cell_rects: Vec::new(),
            }
        })
        .collect::<Vec<_>>();
    super::rows::set_hierarchy(&mut rows);
    rows
}

fn empty_table(id: String, title: String, unit: Option<Unit>, page: u32, s: String) -> Table {
    Table {
        table: id,
        title,
        unit_declared: unit.map(|u| u.name().to_string()),
        pages: [page, page],
        columns: Vec::new(),
        rows: Vec::new(),
        empty: true,
        empty_statement: Some(s),
        unit: unit.unwrap_or(Unit::WAN).name().to_string(),
        unit_inferred: unit.is_none(),
        column_units: Vec::new(),
        layout: "text".to_string(),
        regions: Vec::new(),
        grid_rects: Vec::new(),
    }
}
