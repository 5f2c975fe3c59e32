//! Headers: the top rows of a [`CellGrid`] → one flattened label per column, and each column's role.
//!
//! In: a grid (ruled or from x-positions). Out: how many rows are header, the labels (multi-level
//! headers joined with `/` from the top down, e.g. `本年支出/基本支出`, `财政拨款“三公”经费/合计/预算数`)
//! and a [`Role`] per column, decided by the label's words and the body's contents, never by position
//! (三公 tables print their columns in several orders).
//!
//! The header ends at the first row that holds a number (column numbering `1 2 3…` and `栏次` rows
//! excepted) or begins with a body label (`一、`, `其中：`, a classification code). `合计` alone does
//! not end the header: 三公 tables print 合计 as a column heading. Rows that
//! only repeat the title or the unit line are dropped from the labels.
//!
//! Not here: the meaning of a label for checks (see [`crate::checks::tables`]). Limits: a header
//! without any body below it (a table whose every row is blank) is taken whole as header.

use crate::amount::{cell_number, cell_percent, WAN_YUAN};

use super::grid::CellGrid;
use super::labels;
use super::unit::{declared_in, is_blank};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Row labels (项目, 科目名称).
    Label,
    /// Classification code, whole (`2080505`) or one part (类, 款, 项).
    Code,
    /// Money, converted to 万元.
    Money,
    /// Percentages (占比, 执行率).
    Percent,
    /// Other text (栏次, notes).
    Text,
}

impl Role {
    /// The unit of the column's cells as written in `tables.jsonl` (`column_units`).
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Role::Money => WAN_YUAN,
            Role::Percent => "%",
            _ => "",
        }
    }
}

/// The flattened header of a grid.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    /// Number of grid rows that are header.
    pub(crate) rows: usize,
    pub(crate) labels: Vec<String>,
}

/// True for a row that numbers the columns (`栏次`, `1 2 3 …`).
fn is_numbering_row(grid: &CellGrid, r: usize) -> bool {
    let texts: Vec<&str> = (0..grid.n_cols())
        .map(|c| grid.own_text(r, c))
        .filter(|t| !t.is_empty())
        .collect();
    // `栏次 1 2 3`: a numbering word and only numbers besides (a 行次 heading among other
    // headings is a label row).
    let w = labels::words();
    if texts.iter().any(|t| w.is_numbering(t))
        && texts
            .iter()
            .all(|t| w.is_numbering(t) || cell_number(t).is_some())
    {
        return true;
    }
    let ints: Vec<i64> = texts
        .iter()
        .filter_map(|t| cell_number(t))
        .filter_map(|d| i64::try_from(d).ok())
        .collect();
    ints.len() >= 2
        && ints.len() == texts.len()
        && ints.windows(2).all(|w| w[1] == w[0] + 1)
        && ints.first().is_some_and(|f| *f <= 1)
}

/// True for a row that starts the body.
fn is_body_row(grid: &CellGrid, r: usize) -> bool {
    if is_numbering_row(grid, r) {
        return false;
    }
    let texts: Vec<&str> = (0..grid.n_cols())
        .map(|c| grid.own_text(r, c))
        .filter(|t| !t.is_empty())
        .collect();
    if texts
        .iter()
        .any(|t| cell_number(t).is_some() || cell_percent(t).is_some())
    {
        return true;
    }
    texts
        .first()
        .is_some_and(|t| crate::vocabulary::current().tables.body_label.is_match(t))
}

/// The number of header rows and the flattened labels. `title` is the table's title: rows that only
/// repeat it, or only declare the unit, do not contribute labels.
pub(crate) fn flatten(grid: &CellGrid, title: &str) -> Header {
    let n = grid.n_rows();
    let rows = (0..n).position(|r| is_body_row(grid, r)).unwrap_or(n);
    let mut labels = vec![String::new(); grid.n_cols()];
    for (c, label) in labels.iter_mut().enumerate() {
        let mut parts: Vec<&str> = Vec::new();
        for r in 0..rows {
            if is_numbering_row(grid, r) {
                continue;
            }
            let Some(cell) = grid.cell_at(r, c) else {
                continue;
            };
            let t = cell.text.as_str();
            if t.is_empty() || (!title.is_empty() && t.contains(title)) || declared_in(t).is_some()
            {
                continue;
            }
            if parts.last() != Some(&t) {
                parts.push(t);
            }
        }
        *label = parts.join("/");
    }
    Header { rows, labels }
}

/// The role of each column, from its label and the body rows' cells.
pub(crate) fn roles(grid: &CellGrid, header: &Header) -> Vec<Role> {
    (0..grid.n_cols())
        .map(|c| {
            let label = header.labels.get(c).map(String::as_str).unwrap_or("");
            let leaf = label.rsplit('/').next().unwrap_or("");
            let texts: Vec<&str> = (header.rows..grid.n_rows())
                .map(|r| grid.own_text(r, c))
                .filter(|t| !is_blank(t))
                .collect();
            let numbers = texts.iter().filter(|t| cell_number(t).is_some()).count();
            let percents = texts.iter().filter(|t| cell_percent(t).is_some()).count();
            let words = texts.len() - numbers - percents;
            let vocabulary = crate::vocabulary::current();
            let layout = &vocabulary.tables;
            if layout.code_label.is_match(leaf) {
                return Role::Code;
            }
            // 行次, 栏次, 序号 number the rows: never money, whatever the cells hold.
            if labels::words().is_numbering(leaf) {
                return Role::Text;
            }
            if percents > 0 && percents >= numbers {
                return Role::Percent;
            }
            if words > 0 && words >= numbers + percents {
                // Codes printed in their own column without a header word.
                let codes = texts
                    .iter()
                    .filter(|t| t.chars().all(|ch| ch.is_ascii_digit()) && t.len() >= 2)
                    .count();
                if codes * 2 > texts.len() {
                    return Role::Code;
                }
                return Role::Label;
            }
            if numbers > 0 {
                let all_codes = texts.iter().all(|t| {
                    t.chars().all(|ch| ch.is_ascii_digit()) && matches!(t.len(), 3 | 5 | 7)
                });
                // Codes under a label word, or under no label at all (a code column whose
                // heading spans the code parts).
                if all_codes
                    && !texts.is_empty()
                    && (layout.label_words.is_match(leaf) || label.is_empty())
                {
                    return Role::Code;
                }
                if layout.percent_label.is_match(leaf) {
                    return Role::Percent;
                }
                return Role::Money;
            }
            // An empty column: by its label.
            if layout.label_words.is_match(leaf) {
                Role::Label
            } else if layout.percent_label.is_match(leaf) {
                Role::Percent
            } else if leaf.is_empty() && label.is_empty() {
                Role::Text
            } else {
                Role::Money
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tables::grid::Cell;

    fn cell(row: usize, col: usize, col_span: usize, text: &str) -> Cell {
        Cell {
            row,
            col,
            row_span: 1,
            col_span,
            text: text.to_string(),
        }
    }

    #[test]
    fn column_number_row() {
        // 项目 | 行次 | 决算数, then a numbering row 栏次 1 2, then the body: the 行次 column is text
        // and the numbering row is header, not a body row of money.
        let cells = vec![
            cell(0, 0, 1, "项目"),
            cell(0, 1, 1, "行次"),
            cell(0, 2, 1, "决算数"),
            cell(1, 0, 1, "栏次"),
            cell(1, 1, 1, ""),
            cell(1, 2, 1, "1"),
            cell(2, 0, 1, "一、一般公共预算财政拨款收入"),
            cell(2, 1, 1, "1"),
            cell(2, 2, 1, "2,940.05"),
            cell(3, 0, 1, "二、政府性基金预算财政拨款收入"),
            cell(3, 1, 1, "2"),
            cell(3, 2, 1, "0.00"),
        ];
        let g = CellGrid::new(
            6,
            vec![0.0, 1.0, 2.0, 3.0],
            vec![0.0, 1.0, 2.0, 3.0, 4.0],
            cells,
            true,
        );
        let h = flatten(&g, "");
        assert_eq!(h.rows, 2);
        assert_eq!(h.labels, vec!["项目", "行次", "决算数"]);
        assert_eq!(roles(&g, &h), vec![Role::Label, Role::Text, Role::Money]);
    }

    #[test]
    fn two_level_header_flattens() {
        // 收入 | 支出 over 项目 决算数 | 项目 决算数.
        let cells = vec![
            cell(0, 0, 2, "收入"),
            cell(0, 2, 2, "支出"),
            cell(1, 0, 1, "项目"),
            cell(1, 1, 1, "决算数"),
            cell(1, 2, 1, "项目"),
            cell(1, 3, 1, "决算数"),
            cell(2, 0, 1, "一、一般公共预算财政拨款收入"),
            cell(2, 1, 1, "2,940.05"),
            cell(2, 2, 1, "一、一般公共服务支出"),
            cell(2, 3, 1, "2,106.66"),
        ];
        let g = CellGrid::new(
            6,
            vec![0.0, 1.0, 2.0, 3.0, 4.0],
            vec![0.0, 1.0, 2.0, 3.0],
            cells,
            true,
        );
        let h = flatten(&g, "收入支出决算总表");
        assert_eq!(h.rows, 2);
        assert_eq!(
            h.labels,
            vec!["收入/项目", "收入/决算数", "支出/项目", "支出/决算数"]
        );
        assert_eq!(
            roles(&g, &h),
            vec![Role::Label, Role::Money, Role::Label, Role::Money]
        );
    }
}
