//! Consistency checks: facts and tables → [`Check`]s (identities with a rounding envelope).
//!
//! In: the facts and tables of one document. Out: one check per identity evaluated, status `pass`,
//! `rounding` (|diff| ≤ (n+1)×0.005 万元 for n summed items), `fail`, `not_applicable` or
//! `insufficient_data`. Not here: extraction.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::extract::facts::Fact;
use crate::extract::tables::Table;

/// The outcome of one check (the body of a `checks.jsonl` line without `doc_id`/`source`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub check: String,
    pub status: String,
    pub expected: Option<Decimal>,
    pub actual: Option<Decimal>,
    pub diff: Option<Decimal>,
    /// Where the figures came from: `fact:KEY@page` / `table:F01[row,col]@page`.
    pub refs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Evaluates every identity that applies.
pub fn evaluate(_facts: &[Fact], _tables: &[Table]) -> Vec<Check> {
    Vec::new()
}
