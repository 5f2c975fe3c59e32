//! Narrative facts: section bodies + patterns → [`Fact`]s with provenance.
//!
//! In: the outline and the pattern set. Out: facts with key, item, exact value, unit, raw text,
//! approximate flag, page, section path and pattern id. Not here: tables.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::patterns::PatternSet;
use crate::segment::Outline;

/// One extracted figure (the body of a `facts.jsonl` line without `doc_id`/`source`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub value: Decimal,
    pub unit: String,
    pub raw: String,
    pub approximate: bool,
    pub page: Option<u32>,
    pub section: String,
    pub pattern: String,
}

/// Applies the fact patterns to every section.
pub fn extract(_outline: &Outline, _patterns: &PatternSet) -> Vec<Fact> {
    Vec::new()
}
