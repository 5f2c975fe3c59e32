//! Consistency checks: facts and tables → [`Check`]s (identities with a rounding envelope).
//!
//! In: the facts and tables of one document. Out: one check per identity evaluated, status `pass`,
//! `rounding` (|diff| ≤ (n+1)×0.005 万元 for n summed items), `fail`, `not_applicable` or
//! `insufficient_data`. Identities over narrative facts live in [`facts`], those over tables (and
//! text vs table) in [`tables`]. Not here: extraction.

pub mod facts;
pub mod tables;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::extract::facts::Fact;
use crate::extract::tables::Table;

/// Status of a check, as written in `checks.jsonl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Rounding,
    Fail,
    NotApplicable,
    InsufficientData,
}

/// The outcome of one check (the body of a `checks.jsonl` line without `doc_id`/`source`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable id, e.g. `F01.balance`, `facts.basic_plus_project`.
    pub check: String,
    pub status: Status,
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub expected: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub actual: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub diff: Option<Decimal>,
    /// Where the figures came from: `fact:KEY@p12` / `table:F01[总计,收入/决算数]@p7`.
    pub refs: Vec<String>,
    pub message: Option<String>,
}

/// The rounding envelope for a comparison whose `expected` side sums `n` printed items, each rounded
/// to 0.01 万元: (n+1) × 0.005 万元.
pub fn rounding_envelope(n: usize) -> Decimal {
    Decimal::new(5, 3) * Decimal::from(n as u64 + 1)
}

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
    }
}

/// A check that could not be evaluated because figures are missing.
pub fn insufficient(check: &str, refs: Vec<String>, message: impl Into<String>) -> Check {
    Check {
        check: check.to_string(),
        status: Status::InsufficientData,
        expected: None,
        actual: None,
        diff: None,
        refs,
        message: Some(message.into()),
    }
}

/// Every check of one document: the identities, the tables its contents list names, with duplicate
/// records collapsed (see [`tables::dedup`]).
pub fn evaluate_document(
    contents: &crate::extract::tables::contents::Listed,
    facts: &[Fact],
    found: &[Table],
) -> Vec<Check> {
    let mut out = evaluate(facts, found);
    out.extend(self::tables::listed(contents, found));
    self::tables::dedup(&mut out);
    out
}

/// Evaluates every identity that applies.
pub fn evaluate(facts: &[Fact], tables: &[Table]) -> Vec<Check> {
    let mut out = self::facts::evaluate(facts, tables);
    out.extend(self::tables::evaluate(facts, tables));
    out
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
