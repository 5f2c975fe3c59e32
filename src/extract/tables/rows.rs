//! Rows: the body of a [`CellGrid`] → [`Row`]s with code, name, values in 万元 and raw texts.
//!
//! In: a grid, its header (row count and labels), the column roles and the money unit. Out: rows
//! with one cell per column (money in 万元, percents as numbers, text columns null), the raw texts,
//! the page, and for classified rows the code, its level (类 1, 款 2, 项 3) and its parent code.
//!
//! Side-by-side tables (收入 | 支出 in one grid) are split into blocks, each starting at a label
//! column (code columns before a label column belong to its block); every block of a printed row
//! with a name or a value becomes its own row, whose cells outside the block are null. A table with no
//! label column gives rows with an empty name (三公 tables print one unlabelled data row). Two label
//! columns side by side under one header cell (the second unlabelled, or labelled alike: Jiangsu's
//! 收入预算总表 prints 类别 | 项目 under `项目名称`, sometimes with an empty spacer column between)
//! are one block with a two-level name: the item,
//! `<category>小计` for a 小计 item, or the category when its cell spans both columns.
//!
//! Codes split over 类/款/项 columns are joined (`201 | 06 | 01` → `2010601`); a 款 or 项 printed
//! without its 类 digits takes them from the row above. A code printed at the start of the name
//! (`2010101 行政运行`) is split off. In grids built from x-positions, a line holding only a name
//! fragment, set closer to the line above than rows are to each other and not starting a numbered
//! item, continues the row above (wrapped names); a row of values whose name fragment does not start
//! an item fills the name-only row just above it. A name whose line ends at the column's right edge
//! continues on the next line when that line starts at the column's left edge (a hanging wrap under
//! an indented first line), however far apart rows are set by paragraphs beside them; so does an
//! indented name-only line broken early (before a bracket or a word that does not fit). A name's
//! head alone at the foot of a page whose values come on the next page with its tail hanging left of
//! it is one row, on the page of its values. A name centred on its values prints as many lines
//! below the values line as above it: a line hanging at the column's edge at the name's own line
//! distance below the values continues it while it has fewer, and once it has as many the next
//! name line starts the next row, however the rows are set. A word column
//! after the last values with none of its own (绩效目标) is text of the row, not a block.
//!
//! Not here: header detection, unit decisions. Limits: wrapped-name joining in unruled grids is
//! geometric and can join two short rows set unusually close.

use std::sync::{Arc, LazyLock};

use regex::Regex;
use serde::Deserialize;

use super::grid::CellGrid;
use super::header::{Header, Role};
use super::unit::Unit;
use super::Row;
use crate::amount::{cell_number, cell_percent};
use crate::document::Rect;
use crate::normalize::normalize_line;

static ITEM_START: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|其中|合计|总计|小计|本年|上年|年初|年末|使用|结余|结转|收入|支出)")
        .expect("item start regex is valid")
});

/// A code printed at the start of the name, bare or in brackets (`2010101 行政运行`, `[205]教育支出`,
/// `【30101】基本工资`); the name must not go on with a digit (`2024年…` is no code).
static LEADING_CODE: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^(?:\[(\d{3}(?:\d{2}){0,2})\]|【(\d{3}(?:\d{2}){0,2})】|(\d{3}(?:\d{2}){0,2}))\s*([^\d\s].*)$")
        .expect("leading code regex is valid")
});

/// A block of columns: label column (if any) and the columns it owns.
#[derive(Debug, Clone)]
struct Block {
    label: Option<usize>,
    /// Further label columns under the same header cell (`项目名称` over 类别 | 项目): the item
    /// inside the category of `label`.
    sub_labels: Vec<usize>,
    codes: Vec<usize>,
    values: Vec<usize>,
}

fn blocks(roles: &[Role], labels: &[String]) -> Vec<Block> {
    let (mut out, pending_codes) = column_blocks(roles, labels);
    merge_two_classifications(&mut out);
    absorb_trailing_words(&mut out, pending_codes.is_empty());
    attach_pending_codes(&mut out, pending_codes);
    out
}

/// Whether label column `c` sits under the same header cell as the label column before it: no
/// label of its own, the same label, or only the banner the column before prints over the table.
fn under_previous_label(c: usize, labels: &[String]) -> bool {
    // A label column headed only by a banner over the whole table (`部门预算`) beside one headed
    // by that banner and a word of its own (`部门预算/单位名称`) is one header cell too: the names
    // printed left of a 合计 set apart from them.
    let banner_only = c > 0
        && labels.get(c - 1).zip(labels.get(c)).is_some_and(|(a, b)| {
            !a.is_empty()
                && b.len() > a.len() + 1
                && b.starts_with(a.as_str())
                && b[a.len()..].starts_with('/')
        });
    labels.get(c).is_none_or(|l| l.is_empty())
        || (c > 0 && labels.get(c) == labels.get(c - 1))
        || banner_only
}

/// The blocks column by column, and the code columns after the last label column not yet given
/// to a block.
fn column_blocks(roles: &[Role], labels: &[String]) -> (Vec<Block>, Vec<usize>) {
    let mut out: Vec<Block> = Vec::new();
    let mut pending_codes: Vec<usize> = Vec::new();
    for (c, role) in roles.iter().enumerate() {
        match role {
            Role::Code => pending_codes.push(c),
            Role::Label => {
                // A label column without a label of its own (or with the same one), right after a
                // label column: both sit under one header cell and make a two-level name.
                let unlabelled = under_previous_label(c, labels);
                if let Some(b) = out.last_mut().filter(|b| {
                    let last = b.sub_labels.last().copied().or(b.label);
                    unlabelled
                        && c > 0
                        && last == Some(c - 1)
                        && b.values.is_empty()
                        && pending_codes.is_empty()
                }) {
                    b.sub_labels.push(c);
                    continue;
                }
                out.push(Block {
                    label: Some(c),
                    sub_labels: Vec::new(),
                    codes: std::mem::take(&mut pending_codes),
                    values: Vec::new(),
                })
            }
            Role::Money | Role::Percent | Role::Text => {
                // An empty, unlabelled column between two label columns (a spacer) joins the chain.
                let spacer = *role == Role::Text && labels.get(c).is_none_or(|l| l.is_empty());
                if let Some(b) = out.last_mut().filter(|b| {
                    let last = b.sub_labels.last().copied().or(b.label);
                    spacer && c > 0 && last == Some(c - 1) && b.values.is_empty()
                }) {
                    b.sub_labels.push(c);
                    continue;
                }
                if out.is_empty() {
                    out.push(Block {
                        label: None,
                        sub_labels: Vec::new(),
                        codes: std::mem::take(&mut pending_codes),
                        values: Vec::new(),
                    });
                }
                if let Some(b) = out.last_mut() {
                    b.codes.append(&mut pending_codes);
                    b.values.push(c);
                }
            }
        }
    }
    (out, pending_codes)
}

/// Two classifications of one printed row (部门经济科目 code | name, then 政府经济科目 code | name,
/// then the values): the first block holds no values of its own, so the row is the first block's,
/// with the values and the second classification's columns (kept raw) of the next.
fn merge_two_classifications(out: &mut Vec<Block>) {
    let mut k = 0;
    while k + 1 < out.len() {
        if out[k].label.is_some() && out[k].values.is_empty() && !out[k + 1].codes.is_empty() {
            let next = out.remove(k + 1);
            let b = &mut out[k];
            b.values.extend(next.codes);
            b.values.extend(next.label);
            b.values.extend(next.sub_labels);
            b.values.extend(next.values);
            b.values.sort_unstable();
        } else {
            k += 1;
        }
    }
}

/// A word column after the last values, with none of its own (绩效目标, 备注: paragraphs set beside
/// each row's amounts) is text of the row, not the label of a block: its lines alone on a printed
/// line make no rows.
fn absorb_trailing_words(out: &mut Vec<Block>, no_pending_codes: bool) {
    if out.len() < 2 {
        return;
    }
    let n = out.len();
    let trailing = out[n - 1].values.is_empty()
        && out[n - 1].codes.is_empty()
        && no_pending_codes
        && !out[n - 2].values.is_empty();
    if trailing {
        if let Some(last) = out.pop() {
            if let Some(b) = out.last_mut() {
                b.values.extend(last.label);
                b.values.extend(last.sub_labels);
            }
        }
    }
}

/// Code columns after every label and value column belong to the last block.
fn attach_pending_codes(out: &mut Vec<Block>, mut pending_codes: Vec<usize>) {
    if pending_codes.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(b) => b.codes.append(&mut pending_codes),
        None => out.push(Block {
            label: None,
            sub_labels: Vec::new(),
            codes: pending_codes,
            values: Vec::new(),
        }),
    }
}

/// The level of a code by its length (类 3, 款 5, 项 7 digits).
pub(crate) fn code_level(code: &str) -> Option<u8> {
    match code.len() {
        3 => Some(1),
        5 => Some(2),
        7 => Some(3),
        _ => None,
    }
}

/// Joins the parts of a split code; a part printed without the higher parts takes them from `prev`.
fn join_code(parts: &[&str], prev: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = parts.iter().map(|p| p.trim()).collect();
    if parts.iter().all(|p| p.is_empty()) {
        return None;
    }
    if parts.len() == 1 {
        return Some(parts[0].to_string());
    }
    // 类 (3 digits) + 款 (2) + 项 (2).
    let mut code = String::new();
    for (i, p) in parts.iter().enumerate() {
        // A lower column printing more than a two-digit suffix prints the whole code (a unit code
        // `114001` indented under its department's `114`, or `20101` under `201`).
        if i > 0 && p.len() > 2 {
            code = p.to_string();
            continue;
        }
        if p.is_empty() {
            if code.is_empty() && i == 0 {
                // 类 missing: inherit from the previous code when a lower part is printed.
                if let Some(pv) = prev {
                    code.push_str(&pv[..pv.len().min(3)]);
                }
                continue;
            }
            if code.len() < 3 + 2 * i {
                if let Some(pv) = prev {
                    if pv.len() >= 3 + 2 * i && parts[i + 1..].iter().any(|q| !q.is_empty()) {
                        code.push_str(&pv[3 + 2 * (i - 1)..3 + 2 * i]);
                    }
                }
            }
            continue;
        }
        code.push_str(p);
    }
    (!code.is_empty()).then_some(code)
}

/// One printed grid row's block, before wrapped names are joined.
struct Draft {
    row: Row,
    has_value: bool,
    y: f32,
    explicit_code: bool,
    /// Right edge and height of the name's last line, where the grid gives positions.
    end: Option<(f32, f32)>,
    /// The name's lines above the line of its values, and below it (a name centred on its values
    /// prints as many of each).
    above: u8,
    below: u8,
    /// Centre of this line's name text (of the row's last name line once lines are joined), and
    /// the smallest distance between two of the name's lines.
    name_y: f32,
    line_gap: Option<f32>,
}

impl Draft {
    /// Joins `d`, the next line of this row's name (and its values, `take_values`), to this row.
    fn absorb(&mut self, d: Draft, take_values: bool) {
        self.row.name.push_str(&d.row.name);
        if take_values {
            self.row.cells = d.row.cells;
        }
        append_raw(&mut self.row, d.row.raw, &d.row.cell_rects);
        if !d.row.name.is_empty() {
            if !take_values {
                if self.has_value {
                    self.below += 1;
                } else {
                    self.above += 1;
                }
            }
            let gap = d.name_y - self.name_y;
            if gap > 0.0 {
                self.line_gap = Some(self.line_gap.map_or(gap, |g| g.min(gap)));
            }
            self.name_y = d.name_y;
        }
        self.has_value |= take_values;
        self.y = d.y;
        if d.end.is_some() || !take_values {
            self.end = d.end;
        }
    }

    /// True when this row's name is centred on its values and already complete: it has lines above
    /// the values line and as many below it, so a further name line starts the next row.
    fn centred_complete(&self) -> bool {
        self.has_value && self.above > 0 && self.below >= self.above
    }

    /// True when `d` is the next line of a name centred on this row's values, however far apart rows
    /// are set: the name has more lines above its values than below, and `d`, a name fragment
    /// hanging at the column's left edge (`left`), follows its last line at its own line distance.
    fn centred_tail(&self, d: &Draft, left: Option<f32>) -> bool {
        let (Some(gap), Some(left), Some(x)) = (self.line_gap, left, d.row.indent) else {
            return false;
        };
        let at_line = (d.name_y - self.name_y - gap).abs() <= (0.1 * gap).max(0.5);
        self.has_value
            && self.below < self.above
            && !d.has_value
            && !d.row.name.is_empty()
            && at_line
            && x <= left + 1.0
    }
}

/// Reads the body rows of a grid.
/// `last_code` is the code of the table's last row on the pages before (a continuation's first rows
/// may print their 款/项 without the 类).
pub(crate) fn read_rows(
    grid: &CellGrid,
    header: &Header,
    roles: &[Role],
    unit: Unit,
    last_code: Option<&str>,
) -> Vec<Row> {
    let n_cols = grid.n_cols();
    let blocks = blocks(roles, &header.labels);
    let mut out_by_block: Vec<Vec<Draft>> = Vec::new();
    out_by_block.resize_with(blocks.len(), Vec::new);
    let pitch = median_pitch(grid, header.rows);
    for r in header.rows..grid.n_rows() {
        let raw_all: Vec<String> = (0..n_cols)
            .map(|c| grid.own_text(r, c).to_string())
            .collect();
        for (bi, b) in blocks.iter().enumerate() {
            let prev_code = out_by_block[bi]
                .iter()
                .rev()
                .find_map(|d| d.row.code.clone())
                .or_else(|| last_code.map(str::to_string));
            let cx = RowCx {
                grid,
                r,
                roles,
                unit,
                raw_all: &raw_all,
            };
            if let Some(d) = block_draft(&cx, b, prev_code.as_deref()) {
                out_by_block[bi].push(d);
            }
        }
    }
    let mut rows = Vec::new();
    for drafts in out_by_block {
        let joined = if grid.ruled {
            drafts
        } else {
            join_wrapped_names(drafts, pitch)
        };
        rows.extend(joined.into_iter().map(|d| d.row));
    }
    set_hierarchy(&mut rows);
    rows
}

/// One printed grid row being read: the grid, the row's index, the column roles, the money unit
/// and the row's own text in every column.
struct RowCx<'a> {
    grid: &'a CellGrid,
    r: usize,
    roles: &'a [Role],
    unit: Unit,
    raw_all: &'a [String],
}

/// The draft row of block `b` in the printed row, or None when the block is empty there.
fn block_draft(cx: &RowCx, b: &Block, prev_code: Option<&str>) -> Option<Draft> {
    let (grid, r) = (cx.grid, cx.r);
    let n_cols = grid.n_cols();
    let mut raw = vec![String::new(); n_cols];
    let (cells, has_value) = block_values(cx, b, &mut raw);
    let mut name = block_name(cx, b, &mut raw);
    for &c in &b.codes {
        raw[c] = cx.raw_all[c].clone();
    }
    let code = block_code(cx, b, prev_code, &mut name);
    if name.is_empty() && code.is_none() && !has_value {
        return None;
    }
    let explicit_code = code.is_some();
    let above = u8::from(!has_value && !name.is_empty());
    let level = code.as_deref().and_then(code_level);
    let cell_rects = raw
        .iter()
        .enumerate()
        .map(|(c, t)| (!t.is_empty()).then(|| grid.own_box(r, c)).flatten())
        .collect();
    Some(Draft {
        row: Row {
            code,
            name,
            cells,
            raw,
            page: grid.page,
            level,
            parent: None,
            indent: b.label.and_then(|c| {
                grid.text_x_at(r, c)
                    .or_else(|| grid.own_box(r, c).map(|b| b.x0))
            }),
            bbox: None,
            bboxes: Vec::new(),
            cell_rects,
        },
        has_value,
        y: grid.row_center(r),
        explicit_code,
        end: b.label.and_then(|c| grid.text_end_at(r, c)),
        above,
        below: 0,
        name_y: b
            .label
            .and_then(|c| grid.own_box(r, c))
            .map_or(grid.row_center(r), |t| (t.y0 + t.y1) / 2.0),
        line_gap: None,
    })
}

/// The block's value cells (money in 万元, percents as numbers), their raw texts put in `raw`, and
/// whether any holds a value.
fn block_values(
    cx: &RowCx,
    b: &Block,
    raw: &mut [String],
) -> (Vec<Option<rust_decimal::Decimal>>, bool) {
    let mut cells = vec![None; cx.grid.n_cols()];
    let mut has_value = false;
    for &c in &b.values {
        let text = &cx.raw_all[c];
        raw[c] = text.clone();
        cells[c] = match cx.roles[c] {
            Role::Money => cell_number(text).map(|v| cx.unit.to_wan(v)),
            Role::Percent => cell_percent(text).or_else(|| cell_number(text)),
            _ => None,
        };
        has_value |= cells[c].is_some();
    }
    (cells, has_value)
}

/// The block's name: the text of the cell covering the label column (a 合计 cell merged over the
/// code columns starts in the first code column); in two-level names the item, or the category when
/// the item cell is the category's (merged across both columns), a 小计 with its category's name in
/// front; without a label column, a word in a code column (合计 in the 类 column).
fn block_name(cx: &RowCx, b: &Block, raw: &mut [String]) -> String {
    let (grid, r) = (cx.grid, cx.r);
    let mut name = b
        .label
        .and_then(|c| grid.cell_at(r, c))
        .map(|cell| cell.text.clone())
        .unwrap_or_default();
    if let Some(main) = b.label {
        raw[main] = cx.raw_all[main].clone();
        let main_cell = grid.cell_at(r, main);
        let mut item = String::new();
        for &sub in &b.sub_labels {
            raw[sub] = cx.raw_all[sub].clone();
            let cell = grid.cell_at(r, sub);
            let same = matches!((main_cell, cell), (Some(a), Some(b)) if std::ptr::eq(a, b));
            if let Some(t) = cell
                .map(|x| x.text.as_str())
                .filter(|t| !same && !t.is_empty())
            {
                item = t.to_string();
            }
        }
        if !item.is_empty() {
            name = if matches!(item.as_str(), "小计" | "合计") {
                format!("{name}{item}")
            } else {
                item
            };
        }
    }
    if name.is_empty() {
        if let Some(w) = b
            .codes
            .iter()
            .map(|&c| cx.raw_all[c].as_str())
            .find(|t| !t.is_empty() && !t.chars().all(|ch| ch.is_ascii_digit()))
        {
            name = w.to_string();
        }
    }
    name
}

/// The block's code: its code columns joined (a part printed without the higher parts takes them
/// from `prev_code`), else a code printed at the start of the name, split off `name`.
fn block_code(cx: &RowCx, b: &Block, prev_code: Option<&str>, name: &mut String) -> Option<String> {
    let parts: Vec<&str> = b
        .codes
        .iter()
        .map(|&c| cx.raw_all[c].as_str())
        .map(|t| {
            if t.chars().all(|ch| ch.is_ascii_digit()) {
                t
            } else {
                ""
            }
        })
        .collect();
    let code = join_code(&parts, prev_code).filter(|k| k.chars().all(|ch| ch.is_ascii_digit()));
    if code.is_some() {
        return code;
    }
    let caps = LEADING_CODE.captures(name)?;
    let k = caps.get(1).or(caps.get(2)).or(caps.get(3))?;
    let rest = caps.get(4)?;
    let (k, rest) = (k.as_str().to_string(), rest.as_str().to_string());
    *name = rest;
    Some(k)
}

/// The distance between rows: the upper quartile of the distances between consecutive body lines'
/// centres (a table whose names often wrap over two or three lines has as many short line gaps as
/// row gaps; the median would take the line gap for the row pitch).
fn median_pitch(grid: &CellGrid, from: usize) -> f32 {
    let mut d: Vec<f32> = (from + 1..grid.n_rows())
        .map(|r| grid.row_center(r) - grid.row_center(r - 1))
        .filter(|d| *d > 0.0)
        .collect();
    d.sort_by(f32::total_cmp);
    d.get(d.len() * 3 / 4).copied().unwrap_or(0.0)
}

fn join_wrapped_names(drafts: Vec<Draft>, pitch: f32) -> Vec<Draft> {
    // The name column's left and right edges: where wrapped lines start and where full lines end.
    let left = drafts
        .iter()
        .filter(|d| !d.row.name.is_empty())
        .filter_map(|d| d.row.indent)
        .min_by(f32::total_cmp);
    let right = drafts
        .iter()
        .filter_map(|d| d.end.map(|e| e.0))
        .max_by(f32::total_cmp);
    let mut out: Vec<Draft> = Vec::new();
    for d in drafts {
        let starts_item = ITEM_START.is_match(&d.row.name) || d.explicit_code;
        if let Some(prev) = out.last_mut() {
            let close = pitch > 0.0 && (d.y - prev.y) < pitch * 0.8 || hangs(prev, &d, left, right);
            // A name fragment continuing the row above (not once a name centred on its values
            // is complete), or the next line of a name centred on its values.
            let continues = close && !prev.centred_complete() || prev.centred_tail(&d, left);
            if !d.has_value && !starts_item && continues {
                prev.absorb(d, false);
                continue;
            }
            // Values whose name fragment finishes a name-only row just above.
            if d.has_value && !prev.has_value && !starts_item && close {
                prev.absorb(d, true);
                continue;
            }
        }
        out.push(d);
    }
    out
}

/// The raw texts of a line joined to the row above: a text goes on the cell's text (a wrapped
/// name or paragraph), a number fills its cell.
fn append_raw(row: &mut Row, more: Vec<String>, more_rects: &[Option<Rect>]) {
    for (i, t) in more.into_iter().enumerate() {
        if t.is_empty() {
            continue;
        }
        let Some(slot) = row.raw.get_mut(i) else {
            continue;
        };
        let replace = slot.is_empty() || cell_number(&t).is_some();
        if replace {
            *slot = t;
        } else {
            slot.push_str(&t);
        }
        // The cell's box follows its text: replaced with it, or grown by the appended piece.
        if let (Some(rect), Some(Some(r))) = (row.cell_rects.get_mut(i), more_rects.get(i)) {
            *rect = match (*rect, replace) {
                (Some(old), false) => Some(old.union(r)),
                _ => Some(*r),
            };
        }
    }
}

/// True when `d` is the next line of a name wrapped in its cell, whatever the row pitch (rows set
/// apart by paragraphs beside them): the name above ends at the column's right edge (within a
/// character and a half: a bracket is not left at a line's end), and `d`, on the next line (within
/// two line heights), starts at the column's left edge (a wrapped line hangs left of an indented
/// first line) — or, holding no name, is the values of the name-only row just above.
fn hangs(prev: &Draft, d: &Draft, left: Option<f32>, right: Option<f32>) -> bool {
    let Some((end, h)) = prev.end else {
        return false;
    };
    let h = h.max(1.0);
    let next_line = d.y > prev.y && d.y - prev.y <= 2.0 * h;
    if d.row.name.is_empty() {
        return next_line && !prev.has_value;
    }
    let (Some(left), Some(right), Some(x)) = (left, right, d.row.indent) else {
        return false;
    };
    let full = end >= right - 1.5 * h - 0.5;
    // A name-only line set in from the column's edge (an indented name broken early, before a
    // word or a bracket that does not fit) is continued by a line hanging at the edge.
    let indented_head = !prev.has_value && prev.row.indent.is_some_and(|p| p > left + 2.0);
    next_line && (full || indented_head) && x <= left + 1.0
}

/// A row cut by a page break: the continuation's first rows of a block that hold only a name fragment
/// (no value, no code, not starting an item) finish the name of the table's last row of that block,
/// in a label column whose rows carry values (see [`valued_label_cols`]), when they are printed on
/// the continuation's first lines (above every row of it kept as a row of its own). Returns the
/// rows left after merging.
pub(crate) fn merge_split_rows(existing: &mut Vec<Row>, new: Vec<Row>, roles: &[Role]) -> Vec<Row> {
    let label_col = |r: &Row| {
        (0..r.raw.len()).find(|&c| roles.get(c) == Some(&Role::Label) && !r.raw[c].is_empty())
    };
    let mut out = Vec::new();
    // Label columns (blocks) whose first new row has been seen.
    let mut started: Vec<Option<usize>> = Vec::new();
    // Rows holding only a name whose next row carries the values under a tail hanging left of it:
    // the head of a wrapped name, not the end of the name above.
    let heads: Vec<bool> = (0..new.len())
        .map(|k| {
            let (row, next) = (&new[k], new.get(k + 1));
            next.is_some_and(|n| {
                n.code.is_none()
                    && n.cells.iter().any(Option::is_some)
                    && matches!((row.indent, n.indent), (Some(h), Some(x)) if x + 2.0 < h)
            })
        })
        .collect();
    // The label column of each existing row, computed once (appending a name's tail to a label
    // cell that holds text leaves it unchanged).
    let mut existing_cols: Vec<Option<usize>> = existing.iter().map(label_col).collect();
    let valued = valued_label_cols(existing, &existing_cols, &new, &label_col);
    // Where the first line of the continuation's rows kept as rows of their own ends (the least
    // bottom of their text).
    let mut kept_bottom: Option<f32> = None;
    for (k, mut row) in new.into_iter().enumerate() {
        let col = label_col(&row);
        // The head of a name left alone at the foot of the page (no value, no code), its values on
        // the next page with the name's wrapped tail hanging left of the head: one row, on the
        // page of its values.
        if !started.contains(&col) && hangs_under(existing.last(), &row, col, &label_col) {
            if let (Some(head), Some(c)) = (existing.pop(), col) {
                existing_cols.pop();
                row.name = format!("{}{}", head.name, row.name);
                if let (Some(slot), Some(h)) = (row.raw.get_mut(c), head.raw.get(c)) {
                    *slot = format!("{h}{slot}");
                }
                row.indent = head.indent;
                started.push(col);
                kept_bottom = lower_bound(kept_bottom, &row);
                out.push(row);
                continue;
            }
        }
        let bare =
            row.code.is_none() && row.cells.iter().all(Option::is_none) && !row.name.is_empty();
        // A tail is printed on the continuation's first lines: above every row kept of its own.
        let on_top = kept_bottom
            .zip(text_span(&row))
            .is_none_or(|(bottom, (top, _))| top < bottom);
        if !started.contains(&col)
            && bare
            && !heads[k]
            && on_top
            && valued.contains(&col)
            && finish_name(existing, &existing_cols, &row, col)
        {
            continue;
        }
        started.push(col);
        kept_bottom = lower_bound(kept_bottom, &row);
        out.push(row);
    }
    out
}

/// The top and bottom of a row's text (display coordinates: y grows down), where positions are known.
fn text_span(row: &Row) -> Option<(f32, f32)> {
    row.cell_rects
        .iter()
        .flatten()
        .map(|r| (r.y0, r.y1))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

/// The bottom of the highest row kept so far (`bottom`), `row` kept too.
fn lower_bound(bottom: Option<f32>, row: &Row) -> Option<f32> {
    match (bottom, text_span(row)) {
        (Some(b), Some((_, y1))) => Some(b.min(y1)),
        (b, s) => b.or(s.map(|(_, y1)| y1)),
    }
}

/// Appends `row`, a name's tail alone on the continuation (in label column `col`), to the last row
/// above in that column (none for a row without one); false when there is none, or when the tail
/// starts an item (a 小计 / 合计 alone still finishes a name cut just before it: 当年收入 | 小计).
fn finish_name(
    existing: &mut [Row],
    existing_cols: &[Option<usize>],
    row: &Row,
    col: Option<usize>,
) -> bool {
    let tail_word = matches!(row.name.as_str(), "小计" | "合计");
    let above = col
        .and_then(|_| existing_cols.iter().rposition(|c| *c == col))
        .and_then(|i| existing.get_mut(i));
    let Some(prev) = above.filter(|p| {
        !ITEM_START.is_match(&row.name)
            || (tail_word && !p.name.ends_with('计') && !p.name.is_empty())
    }) else {
        return false;
    };
    prev.name.push_str(&row.name);
    if let (Some(c), Some(slot)) = (col, col.and_then(|c| prev.raw.get_mut(c))) {
        slot.push_str(&row.raw[c]);
        // The tail printed on the same page widens the cell's box; one on the next page has no
        // place in a box of the row's page.
        if row.page == prev.page {
            if let (Some(slot), Some(Some(tail))) =
                (prev.cell_rects.get_mut(c), row.cell_rects.get(c))
            {
                *slot = Some(slot.map_or(*tail, |s| s.union(tail)));
            }
        }
    }
    true
}

/// The label columns some of whose rows, on the pages read so far or on the continuation, carry a
/// value or a code. Only there does a row holding a name and nothing else stand out as the tail of a
/// name cut by the page break: in a column of words whose rows never carry one (the 一级指标 or
/// 三级指标 of a 绩效目标表, the units printed over their years' rows) every row holds a name
/// alone, and each is a row of its own.
fn valued_label_cols(
    existing: &[Row],
    existing_cols: &[Option<usize>],
    new: &[Row],
    label_col: &impl Fn(&Row) -> Option<usize>,
) -> Vec<Option<usize>> {
    let valued = |r: &Row| r.code.is_some() || r.cells.iter().any(Option::is_some);
    let mut cols: Vec<Option<usize>> = existing
        .iter()
        .zip(existing_cols)
        .filter(|(r, _)| valued(r))
        .map(|(_, c)| *c)
        .chain(new.iter().filter(|r| valued(r)).map(label_col))
        .collect();
    cols.sort_unstable();
    cols.dedup();
    cols
}

/// True when `row`, the first row of its label column on a new page, finishes the name of `head`,
/// the table's last row on an earlier page: `head` holds a name and nothing else, `row` holds values
/// under no code, and its name, not starting an item, hangs left of `head`'s first line (the wrapped
/// tail of an indented name).
fn hangs_under(
    head: Option<&Row>,
    row: &Row,
    col: Option<usize>,
    label_col: &impl Fn(&Row) -> Option<usize>,
) -> bool {
    let Some(head) = head else { return false };
    let head_bare = head.code.is_none()
        && head.cells.iter().all(Option::is_none)
        && !head.name.is_empty()
        && head.page < row.page;
    let row_valued = row.code.is_none()
        && row.cells.iter().any(Option::is_some)
        && !row.name.is_empty()
        && !ITEM_START.is_match(&row.name);
    let hanging = matches!((head.indent, row.indent), (Some(h), Some(x)) if x + 2.0 < h);
    col.is_some() && label_col(head) == col && head_bare && row_valued && hanging
}

/// The row words of `patterns/tables/rows.toml` (top-level `total`, `subtotal`, `part_of`,
/// `examples`), loaded with the pattern set ([`crate::patterns::PatternSet::rows`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowWords {
    pub total: Vec<String>,
    pub subtotal: Vec<String>,
    pub part_of: Vec<String>,
    /// `[name, role]` pairs that `check-patterns` verifies.
    #[serde(default)]
    pub examples: Vec<[String; 2]>,
}

impl RowWords {
    /// The role of a row by its name.
    pub(crate) fn role(&self, name: &str) -> RowRole {
        let n = squeeze(name);
        if self.total.contains(&n) {
            RowRole::Total
        } else if self.subtotal.iter().any(|t| n.ends_with(t.as_str())) {
            RowRole::Subtotal
        } else if self.part_of.iter().any(|t| n.starts_with(t.as_str())) {
            RowRole::PartOf
        } else {
            RowRole::Item
        }
    }

    /// Problems with the words and their examples, each as `file:rows:field: message`.
    pub fn check(&self, file: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (field, list) in [
            ("total", &self.total),
            ("subtotal", &self.subtotal),
            ("part_of", &self.part_of),
        ] {
            if list.is_empty() || list.iter().any(|w| squeeze(w).is_empty()) {
                out.push(format!(
                    "{file}:rows:{field}: the list needs words, none empty"
                ));
            }
        }
        if self.examples.is_empty() {
            out.push(format!("{file}:rows:examples: the row words need examples"));
        }
        for (i, [name, role]) in self.examples.iter().enumerate() {
            let want = match role.as_str() {
                "total" => RowRole::Total,
                "subtotal" => RowRole::Subtotal,
                "part_of" => RowRole::PartOf,
                "item" => RowRole::Item,
                other => {
                    out.push(format!(
                        "{file}:rows:examples[{i}]: {other:?} is not a role (total, subtotal, part_of, item)"
                    ));
                    continue;
                }
            };
            let got = self.role(name);
            if got != want {
                out.push(format!(
                    "{file}:rows:examples[{i}]: {name:?} should be {role} but is {got:?}"
                ));
            }
        }
        out
    }
}

/// The embedded `patterns/tables/rows.toml` (a broken file is a build defect caught by the tests;
/// it degrades to no words).
pub fn default_row_words() -> Arc<RowWords> {
    static DEFAULT: LazyLock<Arc<RowWords>> = LazyLock::new(|| {
        Arc::new(
            toml::from_str::<RowWords>(include_str!("../../../patterns/tables/rows.toml"))
                .unwrap_or_default(),
        )
    });
    DEFAULT.clone()
}

/// What a row's label makes it, whatever its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowRole {
    /// The table's total (合计, 总计).
    Total,
    /// A group's subtotal (小计, `当年收入小计`).
    Subtotal,
    /// Some parts of the row above (`其中：…`).
    PartOf,
    /// Anything else.
    Item,
}

fn squeeze(name: &str) -> String {
    normalize_line(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The role of a row by its name, with the row words in force (see [`super::labels::scoped`]).
pub(crate) fn row_role(name: &str) -> RowRole {
    super::labels::row_words().role(name)
}

/// Codes printed as two-digit suffixes in a single code column (`208`, then `05` for 20805): the
/// suffix takes the digits of the code above it. After a 类 it is a 款; after a 款 or 项 it is a 款 when
/// the table prints its 项 codes whole (`208`, `05`, `2080505`), otherwise a 项 of the 款 above.
fn complete_suffix_codes(rows: &mut [Row]) {
    let whole_items = rows
        .iter()
        .any(|r| r.code.as_deref().is_some_and(|c| c.len() == 7));
    let mut prev: Option<String> = None;
    for r in rows.iter_mut() {
        let Some(code) = r.code.clone() else {
            continue;
        };
        if code.len() == 2 {
            if let Some(p) = prev.as_deref() {
                let stem = match p.len() {
                    3 => Some(p),
                    5 | 7 if whole_items => Some(&p[..3]),
                    5 => Some(p),
                    7 => Some(&p[..5]),
                    _ => None,
                };
                if let Some(stem) = stem {
                    let full = format!("{stem}{code}");
                    r.code = Some(full.clone());
                    prev = Some(full);
                    continue;
                }
            }
        }
        if code_level(&code).is_some() {
            prev = Some(code);
        }
    }
}

/// Levels of rows without codes from the indentation of their names: distinct left edges (within
/// 2 points) ranked left to right, when there are two to four of them and the rows read as a tree in
/// print order (no row more than one level below the row above it). A row whose left edge is not
/// known (no position) takes the level of the row above it. When the edges do not read as a tree, an
/// edge held by a single row between others (a name set off by a space of its own, `CC(市本级)`
/// between units and their projects) is no level: its row is one of the next level right of it.
fn indent_levels(rows: &[Row], members: &[usize]) -> Option<Vec<(usize, u8)>> {
    // One name column: names printed in several label columns (side by side, or a category column
    // then an item column) are not indented. A name the raw texts do not start (normalised
    // differently) tells nothing.
    let name_col = |r: &Row| {
        r.raw
            .iter()
            .position(|t| !t.is_empty() && r.name.starts_with(t.as_str()))
    };
    let cols: Vec<usize> = members.iter().filter_map(|&i| name_col(&rows[i])).collect();
    if cols.windows(2).any(|w| w[0] != w[1]) {
        return None;
    }
    let xs: Vec<(usize, f32)> = members
        .iter()
        .filter_map(|&i| rows[i].indent.map(|x| (i, x)))
        .collect();
    if xs.len() * 2 < members.len() {
        return None;
    }

    // Stops come from rows with values (a stray fragment of a wrapped name sets none), from the
    // first such row rightwards: the first row listed is a top-level one, and a wrapped line set
    // left of it (a hanging continuation) is no level of its own.
    let valued = |i: usize| rows[i].cells.iter().any(Option::is_some);
    let base = xs.iter().find(|(i, _)| valued(*i)).map(|(_, x)| *x)?;
    let mut sorted: Vec<f32> = xs
        .iter()
        .filter(|(i, x)| valued(*i) && *x >= base - 2.0)
        .map(|(_, x)| *x)
        .collect();
    sorted.sort_by(f32::total_cmp);
    // Each stop with the number of valued rows at it.
    let mut stops: Vec<(f32, usize)> = Vec::new();
    for x in sorted {
        match stops.last_mut() {
            Some((l, n)) if x - *l <= 2.0 => *n += 1,
            _ => stops.push((x, 1)),
        }
    }
    if !(2..=4).contains(&stops.len()) {
        return None;
    }
    // Centred names of two or three lengths also start at a few x positions: at each indentation
    // stop, left-aligned names of one level differ in length.
    let centred = stops.iter().any(|(s, _)| {
        let mut lens: Vec<usize> = xs
            .iter()
            .filter(|(_, x)| (x - s).abs() <= 2.0)
            .map(|(i, _)| rows[*i].name.chars().count())
            .collect();
        lens.sort_unstable();
        lens.dedup();
        lens.len() == 1 && xs.iter().filter(|(_, x)| (x - s).abs() <= 2.0).count() >= 3
    });
    if centred {
        return None;
    }
    let all: Vec<f32> = stops.iter().map(|(s, _)| *s).collect();
    tree_levels(rows, members, &all).or_else(|| {
        let kept: Vec<f32> = stops
            .iter()
            .enumerate()
            .filter(|(k, (_, n))| *k == 0 || *k == stops.len() - 1 || *n > 1)
            .map(|(_, (s, _))| *s)
            .collect();
        (kept.len() >= 2 && kept.len() < all.len())
            .then(|| tree_levels(rows, members, &kept))
            .flatten()
    })
}

/// Levels of `members` by the indentation `stops` (see [`indent_levels`]): a row at a stop takes its
/// rank (a line hanging left of the first stop the top level, a fragment without values between
/// stops the stop left of it, a row with values between stops the stop right of it: it is set in
/// from the level left of it); a row with no position the level of the row above it. None unless
/// the valued rows read as a tree.
fn tree_levels(rows: &[Row], members: &[usize], stops: &[f32]) -> Option<Vec<(usize, u8)>> {
    let valued = |i: usize| rows[i].cells.iter().any(Option::is_some);
    let first = stops.first().copied()?;
    let mut out: Vec<(usize, u8)> = Vec::new();
    for &i in members {
        let at = rows[i].indent.and_then(|x| {
            if x + 2.0 < first {
                // A hanging line left of every level: the top level.
                return Some(0);
            }
            stops.iter().position(|s| (x - s).abs() <= 2.0).or_else(|| {
                // A fragment without values between stops: the stop at or left of it.
                (!valued(i))
                    .then(|| stops.iter().rposition(|s| x + 2.0 >= *s))
                    .flatten()
            })
        });
        let level = match (at, rows[i].indent) {
            (Some(k), _) => (k + 1) as u8,
            // Valued, between stops: set in from a level, so below it.
            (None, Some(x)) => {
                (stops.iter().position(|s| *s > x).unwrap_or(stops.len() - 1) + 1) as u8
            }
            (None, None) => out.last().map_or(1, |(_, l)| *l),
        };
        out.push((i, level));
    }
    let levels: Vec<u8> = out
        .iter()
        .filter(|(i, _)| valued(*i))
        .map(|(_, l)| *l)
        .collect();
    let tree = levels.first() == Some(&1) && levels.windows(2).all(|w| w[1] <= w[0] + 1);
    tree.then_some(out)
}

/// The numbering mark a name starts with: `一、` 1, `(一)` 2, `1.` / `1、` 3, `(1)` 4.
fn mark_kind(name: &str) -> Option<u8> {
    static MARKS: LazyLock<[Regex; 4]> = LazyLock::new(|| {
        [
            r"^[一二三四五六七八九十]+、",
            r"^[(（][一二三四五六七八九十]+[)）]",
            r"^\d+[.、．]\D",
            r"^[(（]\d+[)）]",
        ]
        .map(|p| crate::patterns::bounded_regex(p).expect("numbering regex is valid"))
    });
    let n = squeeze(name);
    MARKS
        .iter()
        .position(|re| re.is_match(&n))
        .map(|k| k as u8 + 1)
}

/// Levels from numbering: kinds of marks ranked in order of first appearance; an unnumbered row
/// right after numbered ones is one level below the last numbered row. Used when there are numbered
/// rows and either two kinds of marks or unnumbered rows under numbered ones.
fn numbering_levels(rows: &[Row], members: &[usize]) -> Option<Vec<(usize, u8)>> {
    let kinds: Vec<Option<u8>> = members.iter().map(|&i| mark_kind(&rows[i].name)).collect();
    let mut order: Vec<u8> = Vec::new();
    for k in kinds.iter().flatten() {
        if !order.contains(k) {
            order.push(*k);
        }
    }
    if order.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut last_marked: Option<u8> = None;
    let mut nested = order.len() > 1;
    for (&i, k) in members.iter().zip(&kinds) {
        let level = match k {
            Some(k) => {
                let l = order.iter().position(|o| o == k).map_or(1, |p| p as u8 + 1);
                last_marked = Some(l);
                l
            }
            None => match last_marked {
                Some(l) => {
                    nested = true;
                    l + 1
                }
                None => 1,
            },
        };
        out.push((i, level));
    }
    let tree = out.windows(2).all(|w| w[1].1 <= w[0].1 + 1);
    (nested && tree).then_some(out)
}

/// Level and parent of every row of a table (called on each page's rows and on the whole table).
///
/// Classified tables (function or 经济分类 codes): the level of the code (类 1, 款 2, 项 3) and the
/// nearest shorter code that prefixes it; two-digit suffix codes are completed first. Other codes
/// (six-digit 单位编码) take a parent by prefix but no level. Tables without codes: rows other than
/// totals, subtotals and `其中` rows get levels from the indentation of their names, else from their
/// numbering (一、 / (一) / 1.), else all 1 (units or items listed side by side under one total); a
/// `其中` row is one level below the row above it. The parent of an uncoded row is the name of the
/// nearest row above it one level up.
pub(crate) fn set_hierarchy(rows: &mut [Row]) {
    complete_suffix_codes(rows);
    let departments = department_codes(rows);
    let class_level = |code: Option<&str>| {
        code.filter(|c| !departments.iter().any(|d| d == c))
            .and_then(code_level)
    };
    if rows
        .iter()
        .any(|r| class_level(r.code.as_deref()).is_some())
    {
        for r in rows.iter_mut() {
            r.level = class_level(r.code.as_deref());
        }
        set_classified_parents(rows);
    } else if rows.iter().any(|r| r.code.is_some()) {
        set_unit_code_hierarchy(rows);
    } else {
        set_uncoded_hierarchy(rows);
    }
}

/// Parents of a classified table's rows (levels set): the nearest shorter code that prefixes the
/// code; a row printing the code, name and values of the row just above is that row's single
/// sub-item printed under the same code (`21999 其他支出` as 款 and again as its 项): one level below
/// it. (Rows repeating a code with other values are siblings: several 部门经济科目 mapped to one
/// 政府经济科目.)
fn set_classified_parents(rows: &mut [Row]) {
    set_parents(rows);
    for i in 1..rows.len() {
        let (a, b) = (&rows[i - 1], &rows[i]);
        let same = b.code.is_some()
            && b.code == a.code
            && b.name == a.name
            && b.cells == a.cells
            && b.cells.iter().any(Option::is_some);
        if same {
            rows[i].parent = rows[i - 1].code.clone();
            rows[i].level = rows[i - 1].level.map(|l| l.saturating_add(1));
        }
    }
}

/// Only unit codes (单位编码 such as 253001): the units are the rows the total sums (a unit within a
/// unit, by prefix, one level down); what is listed under a unit without a code has no printed
/// level. A one- or two-digit number in the unit-code column heads a group of units (1 全额, 2 差额):
/// the groups are then the top level and their units one level down.
fn set_unit_code_hierarchy(rows: &mut [Row]) {
    set_parents(rows);
    let grouped = rows
        .iter()
        .any(|r| r.code.as_deref().is_some_and(|c| c.len() <= 2));
    let mut group: Option<String> = None;
    for r in rows.iter_mut() {
        let Some(code) = r.code.clone() else {
            r.level = None;
            continue;
        };
        let depth = u8::from(r.parent.is_some());
        if grouped && code.len() <= 2 {
            r.level = Some(1);
            r.parent = None;
            group = Some(code);
        } else if grouped {
            r.level = Some(2 + depth);
            if r.parent.is_none() {
                r.parent = group.clone();
            }
        } else {
            r.level = Some(1 + depth);
        }
    }
}

/// Tables without codes: rows other than totals, subtotals and `其中` rows get levels from the
/// indentation of their names, else from their numbering, else all 1; a `其中` row is one level
/// below the row above it; the parent is the name of the nearest row above one level up.
fn set_uncoded_hierarchy(rows: &mut [Row]) {
    let roles: Vec<RowRole> = rows.iter().map(|r| row_role(&r.name)).collect();
    let members: Vec<usize> = (0..rows.len())
        .filter(|&i| roles[i] == RowRole::Item && !rows[i].name.trim().is_empty())
        .collect();
    let levels = indent_levels(rows, &members)
        .or_else(|| numbering_levels(rows, &members))
        .unwrap_or_else(|| members.iter().map(|&i| (i, 1)).collect());
    for r in rows.iter_mut() {
        r.level = None;
        r.parent = None;
    }
    for (i, l) in levels {
        rows[i].level = Some(l);
    }
    for i in 0..rows.len() {
        if roles[i] == RowRole::PartOf {
            if let Some(above) = rows[..i].iter().rev().find_map(|r| r.level) {
                rows[i].level = Some(above.saturating_add(1));
            }
        }
        let Some(l) = rows[i].level.filter(|l| *l > 1) else {
            continue;
        };
        let parent = rows[..i]
            .iter()
            .rev()
            .find(|r| r.level.is_some_and(|k| k < l))
            .filter(|r| r.level == Some(l - 1))
            .map(|r| r.name.clone());
        rows[i].parent = parent;
    }
}

/// Department codes: three-digit codes that the six-digit unit codes (单位编码) of the table extend
/// (`114` over `114001`, `114002`). No classification code has six digits, so such a `114` heads
/// units, not a 类 of the functional classification.
fn department_codes(rows: &[Row]) -> Vec<String> {
    let units: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.code.as_deref())
        .filter(|c| c.len() == 6)
        .collect();
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if let Some(c) = r.code.as_deref().filter(|c| c.len() == 3) {
            if units.iter().any(|u| u.starts_with(c)) && !out.iter().any(|d| d == c) {
                out.push(c.to_string());
            }
        }
    }
    out
}

/// Parent code of each classified row: the nearest shorter code that prefixes it.
pub(crate) fn set_parents(rows: &mut [Row]) {
    let codes: Vec<Option<String>> = rows.iter().map(|r| r.code.clone()).collect();
    for (i, row) in rows.iter_mut().enumerate() {
        let Some(code) = row.code.as_deref() else {
            continue;
        };
        row.parent = codes[..i]
            .iter()
            .rev()
            .flatten()
            .find(|p| p.len() < code.len() && code.starts_with(p.as_str()))
            .cloned();
    }
}

/// For each row, the rows directly under it (by parent code in classified tables, by level in print
/// order otherwise); a parent with a `其中` row under it is given no children (其中 lists only some).
pub(crate) fn children(rows: &[Row]) -> Vec<Vec<usize>> {
    let coded = rows
        .iter()
        .any(|r| r.code.as_deref().and_then(code_level).is_some());
    let mut out = vec![Vec::new(); rows.len()];
    for (i, r) in rows.iter().enumerate() {
        let Some(l) = r.level else { continue };
        let mut kids = Vec::new();
        if coded {
            let Some(code) = r.code.as_deref() else {
                continue;
            };
            // The rows printed under it, up to the next code outside it (a table listing several
            // units repeats their 类 codes).
            for (j, k) in rows.iter().enumerate().skip(i + 1) {
                match k.code.as_deref() {
                    Some(kc) if k.parent.as_deref() == Some(code) && kc == code => kids.push(j),
                    Some(kc) if kc == code || !kc.starts_with(code) => break,
                    Some(_) if k.parent.as_deref() == Some(code) => kids.push(j),
                    _ => {}
                }
            }
        } else {
            for (j, k) in rows.iter().enumerate().skip(i + 1) {
                match k.level {
                    Some(kl) if kl <= l => break,
                    Some(kl) if kl == l + 1 => kids.push(j),
                    _ => {}
                }
            }
        }
        if kids
            .iter()
            .any(|&j| row_role(&rows[j].name) == RowRole::PartOf)
        {
            continue;
        }
        out[i] = kids;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tables::grid::Cell;
    use crate::extract::tables::header::{flatten, roles};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    fn grid_of(rows: &[&[&str]]) -> CellGrid {
        let n_cols = rows[0].len();
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, t) in row.iter().enumerate() {
                cells.push(Cell {
                    row: r,
                    col: c,
                    row_span: 1,
                    col_span: 1,
                    text: t.to_string(),
                });
            }
        }
        let col_edges = (0..=n_cols).map(|i| i as f32 * 50.0).collect();
        let row_edges = (0..=rows.len()).map(|i| i as f32 * 20.0).collect();
        CellGrid::new(10, col_edges, row_edges, cells, true)
    }

    #[test]
    fn split_codes_join_with_levels_and_parents() {
        let g = grid_of(&[
            &["类", "款", "项", "科目名称", "合计", "基本支出", "项目支出"],
            &["", "", "", "合计", "2,940.05", "2,336.91", "603.14"],
            &[
                "201",
                "",
                "",
                "一般公共服务支出",
                "2,106.66",
                "1,900.00",
                "206.66",
            ],
            &[
                "201",
                "06",
                "",
                "财政事务",
                "2,106.66",
                "1,900.00",
                "206.66",
            ],
            &["", "06", "01", "行政运行", "1,900.00", "1,900.00", "—"],
            &[
                "201",
                "06",
                "99",
                "其他财政事务支出",
                "206.66",
                "",
                "206.66",
            ],
        ]);
        let h = flatten(&g, "支出决算表");
        assert_eq!(h.rows, 1);
        let roles = roles(&g, &h);
        assert_eq!(
            &roles[..4],
            &[Role::Code, Role::Code, Role::Code, Role::Label]
        );
        let rows = read_rows(&g, &h, &roles, Unit::WAN, None);
        let codes: Vec<Option<&str>> = rows.iter().map(|r| r.code.as_deref()).collect();
        assert_eq!(
            codes,
            vec![
                None,
                Some("201"),
                Some("20106"),
                Some("2010601"),
                Some("2010699")
            ]
        );
        assert_eq!(rows[3].level, Some(3));
        assert_eq!(rows[3].parent.as_deref(), Some("20106"));
        assert_eq!(rows[0].cells[4], Some(d("2940.05")));
        assert_eq!(rows[3].cells[6], None);
        assert_eq!(rows[3].raw[6], "—");
        assert_eq!(rows[4].cells[5], None);
    }

    #[test]
    fn trailing_word_column_is_text_of_the_row() {
        // 项目 | 金额 | 其他资金 | 绩效目标 (paragraphs): one block, the paragraphs its text.
        let roles = [Role::Label, Role::Money, Role::Money, Role::Label];
        let labels: Vec<String> = ["项目", "金额", "其他资金", "绩效目标"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let bs = blocks(&roles, &labels);
        assert_eq!(bs.len(), 1);
        assert_eq!(bs[0].values, vec![1, 2, 3]);
        // Side by side (收入 | 金额 | 支出 | 金额): two blocks still.
        let roles = [Role::Label, Role::Money, Role::Label, Role::Money];
        assert_eq!(blocks(&roles, &labels).len(), 2);
    }

    #[test]
    fn jiangsu_income_table_with_spacer_column_between_label_columns() {
        let labels: Vec<String> = ["项目名称", "", "", "金额"].map(String::from).to_vec();
        let roles = [Role::Label, Role::Text, Role::Label, Role::Money];
        let bs = blocks(&roles, &labels);
        assert_eq!(bs.len(), 1);
        assert_eq!(
            (bs[0].label, bs[0].sub_labels.clone()),
            (Some(0), vec![1, 2])
        );
        assert_eq!(bs[0].values, vec![3]);
        // Side-by-side 收入 | 支出 label columns keep their own blocks.
        let labels: Vec<String> = ["收入/项目", "收入/金额", "支出/项目", "支出/金额"]
            .map(String::from)
            .to_vec();
        let roles = [Role::Label, Role::Money, Role::Label, Role::Money];
        assert_eq!(blocks(&roles, &labels).len(), 2);
    }

    #[test]
    fn two_classifications_of_one_row() {
        // 部门经济科目 code | name, 政府经济科目 code | name, values: one block, the first
        // classification's.
        let labels: Vec<String> = [
            "部门经济科目编码",
            "部门经济科目名称",
            "政府经济科目编码",
            "政府经济科目名称",
            "合计",
        ]
        .map(String::from)
        .to_vec();
        let roles = [
            Role::Code,
            Role::Label,
            Role::Code,
            Role::Label,
            Role::Money,
        ];
        let bs = blocks(&roles, &labels);
        assert_eq!(bs.len(), 1);
        assert_eq!((bs[0].codes.clone(), bs[0].label), (vec![0], Some(1)));
        assert_eq!(bs[0].values, vec![2, 3, 4]);
    }

    #[test]
    fn side_by_side_blocks_become_rows() {
        let g = grid_of(&[
            &["项目", "决算数", "项目", "决算数"],
            &[
                "一、一般公共预算财政拨款收入",
                "2,940.05",
                "一、一般公共服务支出",
                "2,106.66",
            ],
            &["二、政府性基金预算财政拨款收入", "", "二、外交支出", ""],
            &["", "", "八、社会保障和就业支出", "0.00"],
        ]);
        let h = flatten(&g, "");
        let roles = roles(&g, &h);
        let rows = read_rows(&g, &h, &roles, Unit::WAN, None);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "一、一般公共预算财政拨款收入",
                "二、政府性基金预算财政拨款收入",
                "一、一般公共服务支出",
                "二、外交支出",
                "八、社会保障和就业支出"
            ]
        );
        assert_eq!(rows[0].cells, vec![None, Some(d("2940.05")), None, None]);
        assert_eq!(rows[4].cells[3], Some(Decimal::ZERO));
        assert_eq!(rows[1].cells[1], None);
    }

    #[test]
    fn subtotal_word_alone_finishes_a_cut_name() {
        let roles = [Role::Label, Role::Money];
        let prev = |name: &str| Row {
            code: None,
            name: name.to_string(),
            cells: vec![None, Some(d("13649.07"))],
            raw: vec![name.to_string(), "13,649.07".to_string()],
            page: 8,
            level: None,
            parent: None,
            indent: None,
            bbox: None,
            bboxes: Vec::new(),
            cell_rects: Vec::new(),
        };
        let next = |name: &str, v: Option<&str>| Row {
            code: None,
            name: name.to_string(),
            cells: vec![None, v.map(d)],
            raw: vec![name.to_string(), v.unwrap_or("").to_string()],
            page: 9,
            level: None,
            parent: None,
            indent: None,
            bbox: None,
            bboxes: Vec::new(),
            cell_rects: Vec::new(),
        };
        let mut existing = vec![prev("当年收入")];
        let left = merge_split_rows(
            &mut existing,
            vec![next("小计", None), next("上年结转资金", None)],
            &roles,
        );
        assert_eq!(existing[0].name, "当年收入小计");
        assert_eq!(left.len(), 1);
        // A finished name keeps a following 合计 row of its own.
        let mut existing = vec![prev("本年收入合计")];
        let left = merge_split_rows(&mut existing, vec![next("合计", None)], &roles);
        assert_eq!((existing[0].name.as_str(), left.len()), ("本年收入合计", 1));
    }

    #[test]
    fn a_column_of_names_without_values_has_no_names_cut_by_the_page_break() {
        // 预算单位 | 年度 | 合计: each unit printed on a line of its own above its years' rows.
        let roles = [Role::Label, Role::Label, Role::Money];
        let row = |unit: &str, year: &str, v: Option<&str>, page: u32| Row {
            code: None,
            name: if unit.is_empty() { year } else { unit }.to_string(),
            cells: vec![None, None, v.map(d)],
            raw: vec![
                unit.to_string(),
                year.to_string(),
                v.unwrap_or("").to_string(),
            ],
            page,
            level: None,
            parent: None,
            indent: None,
            bbox: None,
            bboxes: Vec::new(),
            cell_rects: Vec::new(),
        };
        let mut existing = vec![
            row("某某技师学院", "", None, 5),
            row("", "2025年", Some("179.23"), 5),
            row("", "2026年", Some("153.60"), 5),
        ];
        let left = merge_split_rows(
            &mut existing,
            vec![
                row("某某仲裁院", "", None, 6),
                row("", "2025年", Some("24.23"), 6),
            ],
            &roles,
        );
        // The next page's first unit is a unit of its own, not the tail of the one above.
        assert_eq!(existing[0].raw[0], "某某技师学院");
        let units: Vec<&str> = left.iter().map(|r| r.raw[0].as_str()).collect();
        assert_eq!(units, vec!["某某仲裁院", ""]);
        // In a column whose rows carry values, a name alone at the top still finishes the last.
        let mut existing = vec![row("", "八、社会保障和就", Some("1608.51"), 7)];
        let left = merge_split_rows(&mut existing, vec![row("", "业支出", None, 8)], &roles);
        assert_eq!(
            (existing[0].raw[1].as_str(), left.len()),
            ("八、社会保障和就业支出", 0)
        );
    }

    #[test]
    fn a_name_tail_is_printed_on_the_first_lines_of_the_continuation() {
        // 收入 | 金额 | 支出 | 金额 side by side; the 支出 block's rows are read after the 收入 block's.
        let roles = [Role::Label, Role::Money, Role::Label, Role::Money];
        let row = |left: bool, name: &str, v: Option<&str>, page: u32, y: f32| {
            let (c, mut raw) = (if left { 0 } else { 2 }, vec![String::new(); 4]);
            raw[c] = name.to_string();
            raw[c + 1] = v.unwrap_or("").to_string();
            let mut cells = vec![None; 4];
            cells[c + 1] = v.map(d);
            let text = Rect {
                x0: 10.0,
                y0: y,
                x1: 60.0,
                y1: y + 10.0,
            };
            let mut cell_rects = vec![None; 4];
            cell_rects[c] = Some(text);
            Row {
                code: None,
                name: name.to_string(),
                cells,
                raw,
                page,
                level: None,
                parent: None,
                indent: None,
                bbox: None,
                bboxes: Vec::new(),
                cell_rects,
            }
        };
        let existing = || {
            vec![
                row(true, "一、财政拨款收入", Some("100"), 7, 700.0),
                row(false, "一、一般公共服务支", Some("100"), 7, 700.0),
            ]
        };
        // The 支出 block's name alone on the continuation's first line finishes the one above.
        let mut rows = existing();
        let left = merge_split_rows(
            &mut rows,
            vec![
                row(true, "二、其他收入", Some("5"), 8, 40.0),
                row(false, "出", None, 8, 40.0),
            ],
            &roles,
        );
        assert_eq!(rows[1].name, "一、一般公共服务支出");
        assert_eq!(left.len(), 1);
        // Below the first line it is a row of its own, whatever was read before it.
        let mut rows = existing();
        let left = merge_split_rows(
            &mut rows,
            vec![
                row(true, "二、其他收入", Some("5"), 8, 40.0),
                row(false, "某某支出", None, 8, 80.0),
            ],
            &roles,
        );
        assert_eq!(rows[1].name, "一、一般公共服务支");
        assert_eq!(left.len(), 2);
    }

    #[test]
    fn yuan_cells_become_wan() {
        let g = grid_of(&[&["项目", "预算数"], &["一、财政拨款收入", "156,211,123"]]);
        let h = flatten(&g, "");
        let yuan = Unit::from_name("元").expect("元 is a table unit");
        let rows = read_rows(&g, &h, &roles(&g, &h), yuan, None);
        assert_eq!(rows[0].cells[1], Some(d("15621.1123")));
        assert_eq!(rows[0].raw[1], "156,211,123");
    }

    fn plain(code: Option<&str>, name: &str, v: Option<&str>, indent: Option<f32>) -> Row {
        Row {
            code: code.map(str::to_string),
            name: name.to_string(),
            cells: vec![None, v.map(d)],
            raw: vec![name.to_string(), v.unwrap_or("").to_string()],
            page: 3,
            level: None,
            parent: None,
            indent,
            bbox: None,
            bboxes: Vec::new(),
            cell_rects: Vec::new(),
        }
    }

    fn levels(rows: &[Row]) -> Vec<Option<u8>> {
        rows.iter().map(|r| r.level).collect()
    }

    #[test]
    fn row_words_examples() {
        let w = super::super::labels::row_words();
        assert!(!w.total.is_empty(), "rows.toml parses");
        assert!(w.examples.len() > 5);
        assert_eq!(w.check("tables/rows.toml"), Vec::<String>::new());
        assert_eq!(row_role("总 计"), RowRole::Total);
        assert_eq!(row_role("其中：基本支出"), RowRole::PartOf);
        let mut bad = (*w).clone();
        bad.examples.push(["小计".into(), "total".into()]);
        bad.examples.push(["合计".into(), "whole".into()]);
        let problems = bad.check("tables/rows.toml");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("tables/rows.toml:rows:examples[9]: \"小计\" should be total")
        );
        assert!(problems[1].contains("is not a role"));
    }

    #[test]
    fn bracketed_codes() {
        let g = grid_of(&[
            &["功能科目名称", "小计"],
            &["合计", "324,314.91"],
            &["[205]教育支出", "101,504.97"],
            &["[20502]普通教育", "101,504.97"],
            &["【2050205】高等教育", "33,273.59"],
            &["2024年结转", "1.00"],
        ]);
        let h = flatten(&g, "");
        let rows = read_rows(&g, &h, &roles(&g, &h), Unit::WAN, None);
        let got: Vec<(Option<&str>, &str)> = rows
            .iter()
            .map(|r| (r.code.as_deref(), r.name.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (None, "合计"),
                (Some("205"), "教育支出"),
                (Some("20502"), "普通教育"),
                (Some("2050205"), "高等教育"),
                (None, "2024年结转"),
            ]
        );
        assert_eq!(rows[3].parent.as_deref(), Some("20502"));
    }

    #[test]
    fn suffix_codes() {
        // 类 printed whole, 款 as a two-digit suffix, 项 whole (one code column).
        let mut rows = vec![
            plain(None, "合计", Some("183.60"), None),
            plain(Some("208"), "社会保障和就业支出", Some("115.11"), None),
            plain(Some("05"), "行政事业单位养老支出", Some("113.28"), None),
            plain(
                Some("2080505"),
                "机关事业单位基本养老保险缴费支出",
                Some("81.23"),
                None,
            ),
            plain(Some("99"), "其他社会保障和就业支出", Some("1.83"), None),
            plain(
                Some("2089901"),
                "其他社会保障和就业支出",
                Some("1.83"),
                None,
            ),
        ];
        set_hierarchy(&mut rows);
        let codes: Vec<Option<&str>> = rows.iter().map(|r| r.code.as_deref()).collect();
        assert_eq!(
            codes,
            vec![
                None,
                Some("208"),
                Some("20805"),
                Some("2080505"),
                Some("20899"),
                Some("2089901")
            ]
        );
        assert_eq!(
            levels(&rows),
            vec![None, Some(1), Some(2), Some(3), Some(2), Some(3)]
        );
        assert_eq!(rows[5].parent.as_deref(), Some("20899"));
        // 类 once, then 款 and 项 as suffixes: after a 款 a suffix is its 项.
        let mut rows = vec![
            plain(Some("201"), "一般公共服务支出", Some("10"), None),
            plain(Some("03"), "政府办公厅(室)及相关机构事务", Some("10"), None),
            plain(Some("01"), "行政运行", Some("10"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(rows[2].code.as_deref(), Some("2010301"));
        assert_eq!(rows[2].parent.as_deref(), Some("20103"));
    }

    #[test]
    fn indented_names() {
        // Units at the left, their economic classes indented; the total centred above them; a
        // hanging line of a wrapped unit name set left of the units carries that unit's values.
        let mut rows = vec![
            plain(None, "合计", Some("14913.65"), Some(90.3)),
            plain(None, "广州市某某局(本级)", Some("13192.65"), Some(47.8)),
            plain(None, "工资福利支出", Some("9099.10"), Some(57.8)),
            plain(None, "商品和服务支出", Some("4093.55"), Some(57.8)),
            plain(None, "某某交换站(广", None, Some(47.8)),
            plain(None, "州市某某编辑部)", Some("1721.00"), Some(42.8)),
            plain(None, "工资福利支出", Some("1721.00"), Some(57.8)),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(
            levels(&rows),
            vec![None, Some(1), Some(2), Some(2), Some(1), Some(1), Some(2)]
        );
        assert_eq!(rows[2].parent.as_deref(), Some("广州市某某局(本级)"));
        let kids = children(&rows);
        assert_eq!(kids[1], vec![2, 3]);
        assert_eq!(kids[5], vec![6]);
        // Centred names (one length per x position) are no indentation.
        let mut rows = vec![
            plain(None, "集中采购", Some("1"), Some(60.0)),
            plain(None, "分散采购", Some("1"), Some(60.0)),
            plain(None, "集中采购机构采购", Some("1"), Some(50.0)),
            plain(None, "集中采购机构采购", Some("1"), Some(50.0)),
            plain(None, "集中采购机构采购", Some("1"), Some(50.0)),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![Some(1); 5]);
    }

    #[test]
    fn lone_indent_between_levels_and_rows_without_position() {
        // Units at 47.8, their projects at 67.8; one project set at 57.8 (a name with a space of
        // its own) is a project, not a level between them; a row with no known position is one of
        // the row above it.
        let mut rows = vec![
            plain(None, "合计", Some("100"), Some(94.0)),
            plain(None, "某某局", Some("70"), Some(47.8)),
            plain(None, "CC(市本级)", Some("40"), Some(57.8)),
            plain(None, "工作经费", Some("20"), Some(67.8)),
            plain(None, "购置经费", Some("10"), None),
            plain(None, "某某中心", Some("30"), Some(47.8)),
            plain(None, "运行经费", Some("30"), Some(67.8)),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(
            levels(&rows),
            vec![None, Some(1), Some(2), Some(2), Some(2), Some(1), Some(2)]
        );
        let kids = children(&rows);
        assert_eq!(kids[1], vec![2, 3, 4]);
        assert_eq!(kids[5], vec![6]);
        // Two stops that read as a tree keep a lone unit: one unit over its projects.
        let mut rows = vec![
            plain(None, "合计", Some("30"), Some(94.0)),
            plain(None, "某某局", Some("30"), Some(47.8)),
            plain(None, "工作经费", Some("20"), Some(67.8)),
            plain(None, "购置经费", Some("10"), Some(67.8)),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![None, Some(1), Some(2), Some(2)]);
    }

    #[test]
    fn name_head_at_page_foot_takes_its_values_from_the_next_page() {
        let roles = [Role::Label, Role::Money];
        let row = |name: &str, v: Option<&str>, page: u32, x: f32| Row {
            code: None,
            name: name.to_string(),
            cells: vec![None, v.map(d)],
            raw: vec![name.to_string(), v.unwrap_or("").to_string()],
            page,
            level: None,
            parent: None,
            indent: Some(x),
            bbox: None,
            bboxes: Vec::new(),
            cell_rects: Vec::new(),
        };
        // The head alone at the foot of page 30, the values with the tail hanging left of it on 31.
        let mut existing = vec![
            row("办公楼管理经费", Some("42"), 30, 67.8),
            row("某某中心2025-2026年信息化", None, 30, 67.8),
        ];
        let left = merge_split_rows(
            &mut existing,
            vec![
                row("运维项目", Some("3.24"), 31, 42.8),
                row("业务经费", Some("5"), 31, 67.8),
            ],
            &roles,
        );
        assert_eq!(existing.len(), 1);
        let names: Vec<(&str, u32, Option<f32>)> = left
            .iter()
            .map(|r| (r.name.as_str(), r.page, r.indent))
            .collect();
        assert_eq!(
            names,
            vec![
                ("某某中心2025-2026年信息化运维项目", 31, Some(67.8)),
                ("业务经费", 31, Some(67.8))
            ]
        );
        assert_eq!(left[0].cells[1], Some(d("3.24")));
        // A name alone at the top of the next page whose values come with a tail hanging left of
        // it heads a row of its own: it does not finish the row above.
        let mut existing = vec![row("某某中心2025年运维项目", Some("3.24"), 30, 67.8)];
        let left = merge_split_rows(
            &mut existing,
            vec![
                row("某某中心2026年信息化", None, 31, 67.8),
                row("运维项目", Some("1.76"), 31, 42.8),
            ],
            &roles,
        );
        assert_eq!(existing[0].name, "某某中心2025年运维项目");
        assert_eq!(left.len(), 2);
        // A tail at the same indentation with values is a row of its own.
        let mut existing = vec![row("某某中心", None, 30, 47.8)];
        let left = merge_split_rows(
            &mut existing,
            vec![row("工作经费", Some("2"), 31, 67.8)],
            &roles,
        );
        assert_eq!((existing.len(), left.len()), (1, 1));
    }

    #[test]
    fn numbered_names() {
        let mut rows = vec![
            plain(None, "总计", Some("30"), None),
            plain(None, "一、工资福利支出", Some("20"), None),
            plain(None, "基本工资", Some("12"), None),
            plain(None, "津贴补贴", Some("8"), None),
            plain(None, "二、商品和服务支出", Some("10"), None),
            plain(None, "(一)办公费", Some("10"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(
            levels(&rows),
            vec![None, Some(1), Some(2), Some(2), Some(1), Some(2)]
        );
        assert_eq!(rows[5].parent.as_deref(), Some("二、商品和服务支出"));
    }

    #[test]
    fn total_row_first_and_subtotal_rows() {
        // Items listed flat under a total printed first; 小计 and 其中 rows are no items.
        let mut rows = vec![
            plain(None, "合计", Some("30"), None),
            plain(None, "基本支出", Some("20"), None),
            plain(None, "其中：人员经费", Some("15"), None),
            plain(None, "项目支出", Some("10"), None),
            plain(None, "小计", Some("30"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![None, Some(1), Some(2), Some(1), None]);
        assert_eq!(rows[2].parent.as_deref(), Some("基本支出"));
        // A parent whose rows below are 其中 rows has no complete split.
        assert!(children(&rows)[1].is_empty());
    }

    #[test]
    fn repeated_code_is_the_single_sub_item() {
        let mut rows = vec![
            plain(Some("219"), "援助其他地区支出", Some("502.00"), None),
            plain(Some("21999"), "其他支出", Some("502.00"), None),
            plain(Some("21999"), "其他支出", Some("502.00"), None),
            plain(Some("221"), "住房保障支出", Some("1348.62"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![Some(1), Some(2), Some(3), Some(1)]);
        let kids = children(&rows);
        assert_eq!((kids[0].clone(), kids[1].clone()), (vec![1], vec![2]));
    }

    #[test]
    fn department_code_heads_the_unit_codes_that_extend_it() {
        // 单位编码 printed indented: the department's `114` in the first code column, its units'
        // `114001` in a second one; the unit code is whole, not a suffix of the department's.
        assert_eq!(
            join_code(&["", "114001"], Some("114")).as_deref(),
            Some("114001")
        );
        assert_eq!(join_code(&["114", ""], None).as_deref(), Some("114"));
        assert_eq!(
            join_code(&["", "20101"], Some("201")).as_deref(),
            Some("20101")
        );
        assert_eq!(
            join_code(&["", "01"], Some("20101")).as_deref(),
            Some("20101")
        );
        let mut rows = vec![
            plain(None, "合计", Some("9"), None),
            plain(Some("114"), "某某厅", Some("9"), None),
            plain(Some("114001"), "某某厅本级", Some("5"), None),
            plain(Some("114002"), "某某中心", Some("4"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![None, Some(1), Some(2), Some(2)]);
        assert_eq!(rows[2].parent.as_deref(), Some("114"));
        assert_eq!(children(&rows)[1], vec![2, 3]);
        // A 类 code that no unit code extends stays a 类.
        let mut rows = vec![
            plain(Some("125001"), "某某局", Some("3"), None),
            plain(Some("208"), "社会保障和就业支出", Some("3"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![None, Some(1)]);
    }

    #[test]
    fn banner_only_label_column_shares_the_name_cell() {
        // Names printed left of the 合计 of the total row, so that they make a column headed only
        // by the table's banner: one block, the 合计 an item of the name.
        let roles = [Role::Code, Role::Label, Role::Label, Role::Money];
        let labels: Vec<String> = [
            "部门预算/单位编码",
            "部门预算",
            "部门预算/单位名称",
            "部门预算/合计",
        ]
        .map(String::from)
        .to_vec();
        let b = blocks(&roles, &labels);
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].label, b[0].sub_labels.clone()), (Some(1), vec![2]));
        assert_eq!(b[0].values, vec![3]);
        // Two label columns of their own words are two blocks.
        let labels: Vec<String> = ["单位编码", "收入/项目", "支出/项目", "支出/合计"]
            .map(String::from)
            .to_vec();
        assert_eq!(blocks(&roles, &labels).len(), 2);
    }

    #[test]
    fn unit_rows() {
        // A department's units with their 单位编码; their projects below them carry no code.
        let mut rows = vec![
            plain(None, "合计", Some("37.46"), None),
            plain(Some("253001"), "某某局", Some("31.59"), None),
            plain(None, "通用项目", Some("0.52"), None),
            plain(None, "办公设备购置经费", Some("0.52"), None),
            plain(Some("253002"), "某某中心", Some("5.87"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![None, Some(1), None, None, Some(1)]);
        // Units repeating the same 类 codes: each 类 sums only the rows printed under it.
        let mut rows = vec![
            plain(Some("125001"), "某某局", Some("3"), None),
            plain(Some("208"), "社会保障和就业支出", Some("3"), None),
            plain(
                Some("2080505"),
                "机关事业单位基本养老保险缴费支出",
                Some("3"),
                None,
            ),
            plain(Some("125002"), "某某中心", Some("4"), None),
            plain(Some("208"), "社会保障和就业支出", Some("4"), None),
            plain(
                Some("2080505"),
                "机关事业单位基本养老保险缴费支出",
                Some("4"),
                None,
            ),
        ];
        set_hierarchy(&mut rows);
        let kids = children(&rows);
        assert_eq!((kids[1].clone(), kids[4].clone()), (vec![2], vec![5]));
        // Units grouped under a numbered category (1 全额 …) in the unit-code column.
        let mut rows = vec![
            plain(None, "合计", Some("9"), None),
            plain(Some("1"), "全额", Some("9"), None),
            plain(Some("262001"), "某某局", Some("5"), None),
            plain(Some("262003"), "某某支队", Some("4"), None),
        ];
        set_hierarchy(&mut rows);
        assert_eq!(levels(&rows), vec![None, Some(1), Some(2), Some(2)]);
        assert_eq!(rows[3].parent.as_deref(), Some("1"));
    }
}
