//! Tables: pages (lines with segments, ruling edges) or plain text lines → identified [`Table`]s with
//! cells in 万元.
//!
//! In: the document (its outline is not needed: titles are found on the pages). Out: tables with id
//! from the catalog (tables.tsv, `patterns/tables/catalog.toml`), title, declared unit, page range,
//! flattened column labels and rows, plus the project tables of 绩效自评表 (P01).
//!
//! The stages, one file each:
//! - [`catalog`]: a line → a table id (`F01`…, `B01`…, `X`);
//! - [`contents`]: the contents list (目录) → the standard tables the report promises;
//! - [`regions`]: a PDF page → fragments (title, unit, cells, empty statement), using
//!   [`grid`] (ruling edges → cells with spans) or [`columns`] (x-positions of segments);
//! - [`header`]: multi-level headers → `/`-joined labels and column roles;
//! - [`rows`]: body rows → codes (类/款/项), names, values in 万元;
//! - [`continuation`]: fragments of consecutive pages → one table;
//! - [`text`]: tables in plain text input (no coordinates): layout text (columns aligned with runs of
//!   spaces, as `pdftotext -layout` writes) is given positions and read like an unruled page; other
//!   text is read by tokens;
//! - [`performance`]: 项目支出绩效自评表 → one P01 table per project;
//! - [`unit`]: declared and inferred units, exact conversion;
//! - [`figures`]: table cells → facts for key figures (`table_facts`).
//!
//! Not here: checks (see [`crate::checks`]). Limits: see each stage.

pub mod catalog;
pub(crate) mod columns;
pub mod contents;
pub(crate) mod continuation;
pub mod figures;
pub(crate) mod grid;
pub(crate) mod header;
pub mod labels;
pub(crate) mod performance;
pub(crate) mod regions;
pub mod rows;
pub(crate) mod text;
pub(crate) mod unit;

use rust_decimal::Decimal;
use serde::Serialize;

pub use catalog::{Catalog, Identifier};

use crate::document::{BBox, Document, Rect};
use crate::extract::facts::Fact;
use crate::segment::Outline;

pub use figures::table_facts;

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Classification code (`2080505`), joined from 类/款/项 columns when split; null otherwise.
    pub code: Option<String>,
    pub name: String,
    /// One cell per column: money in 万元 (exact), percents as numbers (58.7 for 58.7%), null for
    /// empty cells; text columns are null here and keep their text in `raw`. Written as JSON numbers
    /// (exact decimals), never strings.
    #[serde(serialize_with = "cells_as_numbers")]
    pub cells: Vec<Option<Decimal>>,
    /// The cell texts as printed.
    pub raw: Vec<String>,
    /// Page the row is printed on.
    pub page: u32,
    /// Level in the table's hierarchy: of the code (1 类, 2 款, 3 项), or, for rows without codes, of
    /// the indentation or numbering (1 = the rows the total sums); null for total, subtotal and
    /// unclassified rows.
    pub level: Option<u8>,
    /// Code of the row this one is part of (`20106` for `2010601`); for rows without codes (levels
    /// shown by indentation or numbering) the name of that row.
    pub parent: Option<String>,
    /// Left edge of the printed name (points), where the page gives positions: the indentation that
    /// shows the level of rows printed without codes. Not written out.
    #[serde(skip)]
    pub indent: Option<f32>,
    /// The row's box on `page` (the union of its cells' boxes), in the page's default user space;
    /// null for text input. Set by [`crate::positions::place_tables`].
    pub bbox: Option<BBox>,
    /// One box per cell, in the order of `cells` (null for a blank cell and for text input).
    pub bboxes: Vec<Option<BBox>>,
    /// The cells' boxes in display coordinates of `page` as read (same order as `raw`), before
    /// they are turned into `bboxes`. Not written out.
    #[serde(skip)]
    pub cell_rects: Vec<Option<Rect>>,
}

/// The part of a table on one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    pub page: u32,
    /// The box of the table's grid (header included) on that page, in default user space.
    pub bbox: Option<BBox>,
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
    /// The statement that the table is empty, as printed; also kept when the table holds values
    /// anyway (a contradiction the checks report).
    pub empty_statement: Option<String>,
    /// The unit the money cells were read in (`元`, `万元`): the declared one, or the inferred one.
    pub unit: String,
    /// True when no unit was printed and `unit` was inferred.
    pub unit_inferred: bool,
    /// Unit of each column's cells: `万元` for money, `%` for percents, `分` for scores, empty for text.
    pub column_units: Vec<String>,
    /// How the cells were found: `ruled` (ruling edges), `positions` (x-positions of text, no
    /// vertical rules), `text` (plain text tokens), `none` (a title without cells: an empty table).
    pub layout: String,
    /// One region per page the table spans, in page order (text input: boxes null).
    pub regions: Vec<Region>,
    /// The grids' extents as read: (page, display box), one per fragment. Not written out.
    #[serde(skip)]
    pub grid_rects: Vec<(u32, Rect)>,
}

/// One cell written as an exact JSON number.
struct NumberCell<'a>(&'a Option<Decimal>);

impl Serialize for NumberCell<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::arbitrary_precision_option::serialize(self.0, s)
    }
}

fn cells_as_numbers<S: serde::Serializer>(
    cells: &[Option<Decimal>],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(cells.iter().map(NumberCell))
}

impl Table {
    /// Index of the first column whose label satisfies `pred`.
    pub fn column(&self, pred: impl Fn(&str) -> bool) -> Option<usize> {
        self.columns.iter().position(|c| pred(c))
    }
}

/// What identifies the tables of `doc`, a report of kind `kind` (metadata): the catalog and the
/// document's family.
pub fn identifier<'a>(doc: &Document, catalog: &'a Catalog, kind: Option<&str>) -> Identifier<'a> {
    Identifier::new(catalog, kind, doc.pages.iter().flat_map(|p| p.lines.iter()))
}

/// Finds and reads the tables of a document.
pub fn extract(doc: &Document, _outline: &Outline, ident: Identifier<'_>) -> Vec<Table> {
    let positioned = doc
        .pages
        .iter()
        .any(|p| p.lines.iter().any(|l| !l.segments().is_empty()));
    let mut tables = if positioned {
        from_positions(doc, ident)
    } else if let Some(laid_out) = text::with_layout_positions(doc) {
        // Layout text (columns aligned with runs of spaces): read like a page without rules; the
        // token reading is kept for the tables that gives and the positions do not.
        let mut ts = from_positions(&laid_out, ident);
        for t in text::extract(doc, ident) {
            if !ts.iter().any(|k| k.table == t.table && k.title == t.title) {
                ts.push(t);
            }
        }
        ts
    } else {
        text::extract(doc, ident)
    };
    tables.extend(performance::extract(doc));
    tables
}

/// Tables of a document whose lines carry positioned segments.
fn from_positions(doc: &Document, ident: Identifier<'_>) -> Vec<Table> {
    let mut frags = Vec::new();
    let mut open: Option<(Vec<f32>, bool)> = None;
    for page in &doc.pages {
        if crate::ingest::stop_requested() {
            break;
        }
        let columns = open.as_ref().map(|(edges, ruled)| regions::OpenColumns {
            edges,
            by_positions: !ruled,
        });
        let fs = regions::fragments(page, columns, ident);
        if let Some(last) = fs.last() {
            open = last.grid.as_ref().map(|g| (g.col_edges.clone(), g.ruled));
        }
        frags.extend(fs);
    }
    continuation::stitch(frags, ident)
}

/// Re-reads tables that print no unit when the narrative contradicts the inferred one: a table read
/// in 万元 whose cells are 10,000 × the narrative's figures is re-read in 元, and the reverse. Called
/// once narrative facts exist. A 10,000× unit error is the most damaging mistake a table can carry.
pub fn reconcile_units(tables: &mut [Table], facts: &[Fact]) {
    let money: Vec<Decimal> = facts
        .iter()
        .filter(|f| f.unit == crate::amount::WAN_YUAN && !f.value.is_zero())
        .map(|f| f.value)
        .collect();
    if money.is_empty() {
        return;
    }
    let near = |a: Decimal, b: Decimal| (a - b).abs() <= Decimal::new(1, 2);
    for t in tables.iter_mut().filter(|t| t.unit_declared.is_none()) {
        let Some(current) = unit::Unit::from_name(&t.unit) else {
            continue;
        };
        let Some(large_whole) = unit::Unit::large_whole() else {
            continue;
        };
        let alt = if current == unit::Unit::WAN {
            large_whole
        } else if current == large_whole {
            unit::Unit::WAN
        } else {
            continue;
        };
        let (mut as_is, mut as_alt) = (0, 0);
        for row in &t.rows {
            for (i, raw) in row.raw.iter().enumerate() {
                if t.column_units.get(i).map(String::as_str) != Some(crate::amount::WAN_YUAN) {
                    continue;
                }
                let Some(v) = crate::amount::cell_number(raw) else {
                    continue;
                };
                if v.is_zero() {
                    continue;
                }
                let (a, b) = (current.to_wan(v), alt.to_wan(v));
                as_is += money.iter().filter(|m| near(**m, a)).count();
                as_alt += money.iter().filter(|m| near(**m, b)).count();
            }
        }
        if as_alt > as_is {
            for row in &mut t.rows {
                for (i, raw) in row.raw.iter().enumerate() {
                    if t.column_units.get(i).map(String::as_str) == Some(crate::amount::WAN_YUAN) {
                        if let Some(cell) = row.cells.get_mut(i) {
                            *cell = crate::amount::cell_number(raw).map(|v| alt.to_wan(v));
                        }
                    }
                }
            }
            t.unit = alt.name().to_string();
        }
    }
}

#[cfg(test)]
mod tests;
