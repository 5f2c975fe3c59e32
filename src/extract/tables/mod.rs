//! Tables: pages (lines with segments, ruling edges) → identified [`Table`]s with cells in 万元.
//!
//! In: the document, its outline. Out: tables with id from the catalog (tables.tsv), title, declared
//! unit, page range, flattened column labels and rows. Not here: checks (see [`crate::checks`]).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::document::Document;
use crate::segment::Outline;

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Classification code (`2080505`), joined from 类/款/项 columns when split; null otherwise.
    pub code: Option<String>,
    pub name: String,
    /// One cell per column: money in 万元 (exact), null for empty cells; text columns are null here
    /// and keep their text in `raw`.
    pub cells: Vec<Option<Decimal>>,
    /// The cell texts as printed.
    pub raw: Vec<String>,
    /// Page the row is printed on.
    pub page: u32,
}

/// One table (continuations across pages are one table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Id from tables.tsv (`F01`…`F09`, `B01`…`B09`, `P01`) or `X`.
    pub table: String,
    pub title: String,
    pub unit_declared: Option<String>,
    pub pages: [u32; 2],
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub empty: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_statement: Option<String>,
}

/// Finds and reads the tables of a document.
pub fn extract(_doc: &Document, _outline: &Outline) -> Vec<Table> {
    Vec::new()
}

/// Facts read from table cells (key figures a narrative may omit), with the table rule as pattern.
pub fn table_facts(
    _tables: &[Table],
    _narrative: &[crate::extract::facts::Fact],
) -> Vec<crate::extract::facts::Fact> {
    Vec::new()
}
