//! Consistency checks: facts and tables → [`Check`]s (identities with a rounding envelope).
//!
//! In: the facts and tables of one document. Out: one check per identity evaluated, status `pass`,
//! `rounding` (|diff| ≤ (n+1)×0.005 万元 for n summed items), `fail`, `not_applicable` or
//! `insufficient_data`, each with its `terms` (the figures read and where), a `formula` in words and
//! the `envelope` used. Every identity — over narrative facts, over tables, text vs table — is data
//! (`patterns/identities.toml`, [`identities`]) run by the one evaluator of [`tables`] (its fact
//! modes in [`facts`]). Tables are read through the cell selectors of
//! [`crate::extract::tables::figures`] (extraction → figures → checks, one way). Not here:
//! extraction.

pub mod facts;
pub mod identities;
pub mod tables;

use rust_decimal::Decimal;
use serde::Serialize;

pub use crate::amount::rounding_envelope;
use crate::extract::facts::Fact;
use crate::extract::tables::figures::leaf;
use crate::extract::tables::{Row, Table};

/// Status of a check, as written in `checks.jsonl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Rounding,
    Fail,
    NotApplicable,
    InsufficientData,
}

/// What a term is to its check: the stated `total` (the `actual` side), a `part` of the computed
/// side (`expected`), or, in a text-vs-table comparison, the narrative's `text` figure and the
/// `table` cell it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Total,
    Part,
    Text,
    Table,
}

/// Where a term was read: a fact (`key`, `item`) or a table cell (`table`, `row`, `column`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Fact,
    Cell,
}

/// A box `[x0, y0, x1, y1]` in the page's PDF user space (pt, y up; see [`BBox`]).
pub use crate::document::BBox as Bbox;

/// One figure a check read, with where it was printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub role: Role,
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub value: Option<Decimal>,
    pub source: Source,
    /// The fact's key and item (null for a cell).
    pub key: Option<String>,
    pub item: Option<String>,
    /// The cell's table, row name (`-` for an unlabelled row) and column label (null for a fact).
    pub table: Option<String>,
    pub row: Option<String>,
    /// The cell's row's classification code (`2080505`), when it has one.
    pub code: Option<String>,
    pub column: Option<String>,
    pub page: Option<u32>,
    pub bbox: Option<Bbox>,
    /// The text as printed.
    pub raw: Option<String>,
}

/// The box of a table cell (the row's `bboxes`; null for a blank cell and text input).
pub fn cell_bbox(_t: &Table, row: &Row, col: usize) -> Option<Bbox> {
    row.bboxes.get(col).copied().flatten()
}

/// The box of a fact's raw text (null for a derived fact and text input).
pub fn fact_bbox(f: &Fact) -> Option<Bbox> {
    f.bbox
}

impl Term {
    /// The cell of `row` at column `col` of `t`.
    pub fn cell(role: Role, t: &Table, row: &Row, col: usize) -> Term {
        Term {
            role,
            value: row.cells.get(col).copied().flatten(),
            source: Source::Cell,
            key: None,
            item: None,
            table: Some(t.table.clone()),
            row: Some(if row.name.is_empty() {
                "-".to_string()
            } else {
                row.name.clone()
            }),
            code: row.code.clone(),
            column: Some(t.columns.get(col).cloned().unwrap_or_default()),
            page: Some(row.page),
            bbox: cell_bbox(t, row, col),
            raw: row.raw.get(col).cloned(),
        }
    }

    /// A fact.
    pub fn fact(role: Role, f: &Fact) -> Term {
        Term {
            role,
            value: Some(f.value),
            source: Source::Fact,
            key: Some(f.key.clone()),
            item: f.item.clone(),
            table: None,
            row: None,
            code: None,
            column: None,
            page: f.page,
            bbox: fact_bbox(f),
            raw: Some(f.raw.clone()),
        }
    }

    fn label(&self) -> String {
        match &self.item {
            Some(i) => format!("{}[{i}]", self.key.as_deref().unwrap_or("")),
            None => self.key.clone().unwrap_or_default(),
        }
    }
}

/// The formula of a check in words from its terms: `total = part + part` (`Σ first…last (n)` for
/// more than three parts). A fact is named by its key (`key[item]`); a cell by its row's code (else
/// its name) when every cell is of one column (given after `@`), by its column when every cell is of one row (the row and
/// the label parts all columns share after `@`), else by `row[column leaf]`, with the table's id in
/// front when the terms come from several tables or include facts.
pub fn formula(terms: &[Term]) -> Option<String> {
    let names = FormulaNames::of(terms);
    let side = |roles: &[Role]| -> Vec<String> {
        terms
            .iter()
            .filter(|t| roles.contains(&t.role))
            .map(|t| names.name(t))
            .collect()
    };
    let left = side(&[Role::Total, Role::Text]);
    let right = side(&[Role::Part, Role::Table]);
    if left.is_empty() || right.is_empty() {
        return None;
    }
    let right = if right.len() > 3 {
        format!(
            "Σ {}…{} ({})",
            right[0],
            right[right.len() - 1],
            right.len()
        )
    } else {
        right.join(" + ")
    };
    let mut f = format!("{} = {right}", left.join(" + "));
    if let Some(at) = names.at() {
        f.push_str(&format!(" @ {at}"));
    }
    Some(f)
}

fn term_column(t: &Term) -> String {
    t.column.clone().unwrap_or_default()
}

fn term_row(t: &Term) -> String {
    t.row.clone().unwrap_or_default()
}

/// How the terms of one formula are named (see [`formula`]).
struct FormulaNames {
    /// The table's id goes in front of a cell's name.
    with_table: bool,
    /// Every cell is of one column (named after `@`); its label.
    one_column: Option<String>,
    /// Every cell is of one row (and not of one column); that row's name.
    one_row: Option<String>,
    /// The label parts every column shares before (`pre`) and after (`post`) the one each keeps,
    /// and the first cell's label parts.
    pre: usize,
    post: usize,
    first_parts: Vec<String>,
}

impl FormulaNames {
    fn of(terms: &[Term]) -> FormulaNames {
        let cells: Vec<&Term> = terms.iter().filter(|t| t.source == Source::Cell).collect();
        let with_facts = terms.iter().any(|t| t.source == Source::Fact);
        let mut tables: Vec<&str> = cells.iter().filter_map(|t| t.table.as_deref()).collect();
        tables.sort_unstable();
        tables.dedup();
        let with_table = with_facts || tables.len() > 1;
        let one_column = !cells.is_empty()
            && !with_table
            && cells
                .iter()
                .all(|t| term_column(t) == term_column(cells[0]));
        let one_row = !cells.is_empty()
            && !with_table
            && !one_column
            && cells.iter().all(|t| term_row(t) == term_row(cells[0]));
        let parts: Vec<Vec<String>> = cells
            .iter()
            .map(|t| term_column(t).split('/').map(str::to_string).collect())
            .collect();
        let (pre, post) = if one_row {
            shared_label_parts(&parts)
        } else {
            (0, 0)
        };
        FormulaNames {
            with_table,
            one_column: one_column.then(|| term_column(cells[0])),
            one_row: one_row.then(|| term_row(cells[0])),
            pre,
            post,
            first_parts: parts.into_iter().next().unwrap_or_default(),
        }
    }

    /// A term's name in the formula.
    fn name(&self, t: &Term) -> String {
        match t.source {
            Source::Fact => t.label(),
            Source::Cell if self.one_column.is_some() => {
                t.code.clone().unwrap_or_else(|| term_row(t))
            }
            Source::Cell if self.one_row.is_some() => {
                let p: Vec<String> = term_column(t).split('/').map(str::to_string).collect();
                p[self.pre..p.len() - self.post].join("/")
            }
            Source::Cell => {
                let cell = if term_row(t) == "-" {
                    term_column(t)
                } else {
                    format!("{}[{}]", term_row(t), leaf(&term_column(t)))
                };
                match (&t.table, self.with_table) {
                    (Some(id), true) => format!("{id} {cell}"),
                    _ => cell,
                }
            }
        }
    }

    /// What follows `@`: the one column, or the one row and the label parts all columns share
    /// after theirs.
    fn at(&self) -> Option<String> {
        if let Some(c) = &self.one_column {
            return (!c.is_empty()).then(|| c.clone());
        }
        let row = self.one_row.as_ref()?;
        let mut at: Vec<String> = Vec::new();
        if row != "-" {
            at.push(row.clone());
        }
        if self.post > 0 {
            let p = &self.first_parts;
            at.push(p[p.len() - self.post..].join("/"));
        }
        (!at.is_empty()).then(|| at.join(" / "))
    }
}

/// How many label parts all `parts` share at the start and at the end, each label keeping one.
fn shared_label_parts(parts: &[Vec<String>]) -> (usize, usize) {
    let shortest = parts.iter().map(Vec::len).min().unwrap_or(0);
    let mut pre = 0;
    while pre + 1 < shortest && parts.iter().all(|p| p[pre] == parts[0][pre]) {
        pre += 1;
    }
    let mut post = 0;
    while pre + post + 1 < shortest
        && parts
            .iter()
            .all(|p| p[p.len() - 1 - post] == parts[0][parts[0].len() - 1 - post])
    {
        post += 1;
    }
    (pre, post)
}

/// The outcome of one check (the body of a `checks.jsonl` line without `doc_id`/`source`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable id, e.g. `F01.balance`, `facts.basic_plus_project`.
    pub check: String,
    pub status: Status,
    /// The value the identity computes from its parts (Σ of the part terms), or the figure the
    /// stated one is compared with (the table cell of a text-vs-table check).
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub expected: Option<Decimal>,
    /// The stated figure: the printed total, or the narrative's figure.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub actual: Option<Decimal>,
    /// `actual − expected`.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub diff: Option<Decimal>,
    /// Where the figures came from: `fact:KEY@p12` / `table:F01[总计,收入/决算数]@p7`.
    pub refs: Vec<String>,
    pub message: Option<String>,
    /// The figures read, with their sources (see [`Term`]).
    pub terms: Vec<Term>,
    /// The identity in words (`合计 = Σ 201…229 (22) @ 决算数`).
    pub formula: Option<String>,
    /// The tolerance a `rounding` status allows, in 万元 (or the unit compared); null when no
    /// comparison was made.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub envelope: Option<Decimal>,
}

impl Check {
    /// The same check with `terms` and the formula they give.
    pub fn with_terms(mut self, terms: Vec<Term>) -> Check {
        self.formula = formula(&terms);
        self.terms = terms;
        self
    }

    /// True when two records say the same: every field but the explanation (terms, formula,
    /// envelope).
    pub fn same(&self, o: &Check) -> bool {
        self.same_key() == o.same_key()
    }

    /// The fields [`Check::same`] compares, as one hashable value (a `Decimal` hashes as it
    /// compares: `1.0` and `1.00` alike).
    pub fn same_key(&self) -> SameKey<'_> {
        (
            &self.check,
            self.status,
            self.expected,
            self.actual,
            self.diff,
            &self.refs,
            &self.message,
        )
    }
}

/// What two records that say the same share (see [`Check::same_key`]).
pub type SameKey<'a> = (
    &'a str,
    Status,
    Option<Decimal>,
    Option<Decimal>,
    Option<Decimal>,
    &'a [String],
    &'a Option<String>,
);

/// Compares `expected` (a sum of `n` items) with `actual`: pass when equal, rounding when within the
/// envelope, fail otherwise.
pub fn compare(
    check: &str,
    expected: Decimal,
    actual: Decimal,
    n: usize,
    refs: Vec<String>,
) -> Check {
    compare_within(check, expected, actual, rounding_envelope(n), refs)
}

/// Compares `expected` with `actual` under an explicit envelope: pass when equal, rounding when the
/// difference is within `envelope`, fail otherwise.
pub fn compare_within(
    check: &str,
    expected: Decimal,
    actual: Decimal,
    envelope: Decimal,
    refs: Vec<String>,
) -> Check {
    let diff = actual - expected;
    let status = if diff.is_zero() {
        Status::Pass
    } else if diff.abs() <= envelope {
        Status::Rounding
    } else {
        Status::Fail
    };
    Check {
        check: check.to_string(),
        status,
        expected: Some(expected),
        actual: Some(actual),
        diff: Some(diff),
        refs,
        message: None,
        terms: Vec::new(),
        formula: None,
        envelope: Some(envelope),
    }
}

/// A check without figures compared (`status`, `message`): not applicable, a table said empty but
/// holding values, a listed table not found.
pub fn record(check: &str, status: Status, refs: Vec<String>, message: Option<String>) -> Check {
    Check {
        check: check.to_string(),
        status,
        expected: None,
        actual: None,
        diff: None,
        refs,
        message,
        terms: Vec::new(),
        formula: None,
        envelope: None,
    }
}

/// A check that could not be evaluated because figures are missing.
pub fn insufficient(check: &str, refs: Vec<String>, message: impl Into<String>) -> Check {
    record(check, Status::InsufficientData, refs, Some(message.into()))
}

/// Every check of one document: the identities (`identities`: the pattern set's), the tables its
/// contents list names, with duplicate records collapsed (see [`tables::dedup`]).
pub fn evaluate_document(
    identities: &identities::Identities,
    contents: &crate::extract::tables::contents::Listed,
    facts: &[Fact],
    found: &[Table],
) -> Vec<Check> {
    let mut out = self::tables::evaluate_with(identities, facts, found);
    out.extend(self::tables::listed(contents, found));
    self::tables::dedup(&mut out);
    out
}

/// Evaluates every identity that applies (the embedded default identities).
pub fn evaluate(facts: &[Fact], tables: &[Table]) -> Vec<Check> {
    self::tables::evaluate(facts, tables)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    #[test]
    fn statuses_follow_the_envelope() {
        // 13.13 + 8.28 = 21.41 vs 21.4: within (2+1)×0.005 = 0.015.
        assert_eq!(
            compare("x", d("21.41"), d("21.4"), 2, vec![]).status,
            Status::Rounding
        );
        assert_eq!(
            compare("x", d("4193.92"), d("4207.52"), 1, vec![]).status,
            Status::Fail
        );
        assert_eq!(
            compare("x", d("4207.52"), d("4207.52"), 2, vec![]).status,
            Status::Pass
        );
        assert_eq!(rounding_envelope(2), d("0.015"));
    }
}
