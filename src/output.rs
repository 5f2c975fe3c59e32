//! Output records: the wire format of `documents.jsonl`, `facts.jsonl`, `tables.jsonl`,
//! `checks.jsonl` and `run.json` (contract: OUTPUT.md of the spec; field names are stable).
//!
//! In: the results of processing one document. Out: serialisable records that carry `doc_id` and
//! `source` first. Every record of a document is rendered into one [`Rendered`] batch of complete lines
//! so the writer can append each file with a single write, and `documents.jsonl` last (its line is the
//! commit marker of the document: a document is done when its line is there).
//!
//! A `facts.jsonl` line is a [`Fact`]: besides the fields of the contract it carries `origin`
//! (`narrative`: read by a pattern; `table`: read from a table cell, with `cell` = `{table, row,
//! column}`; `derived`: computed from other facts of the document, `pattern` = `derived:<key>`).
//!
//! Positions (see [`crate::positions`]): a fact's `bbox`, a row's `bbox` and `bboxes` (one per cell),
//! a table's `regions` and a document's `page_boxes` are `[x0, y0, x1, y1]` boxes in the PDF default
//! user space of their page (points, y up, /Rotate and CropBox not applied), null for text input.
//!
//! Not here: deciding anything. Values are `Decimal`s and print exactly (no float artefacts).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checks::Check;
use crate::document::{TextQuality, Warning};
use crate::extract::facts::Fact;
use crate::extract::tables::Table;
use crate::metadata::MetadataSource;
use crate::positions::PageBoxRecord;

/// The JSON Schema (draft 2020-12) of each output file, as shipped in `schema/`: (file stem, schema).
pub const SCHEMAS: [(&str, &str); 5] = [
    ("documents", include_str!("../schema/documents.schema.json")),
    ("facts", include_str!("../schema/facts.schema.json")),
    ("tables", include_str!("../schema/tables.schema.json")),
    ("checks", include_str!("../schema/checks.schema.json")),
    ("run", include_str!("../schema/run.schema.json")),
];

/// The schema of an output file named `documents`, `facts.jsonl`, `run.json`, ….
pub fn schema(file: &str) -> Option<&'static str> {
    let stem = file
        .strip_suffix(".jsonl")
        .or_else(|| file.strip_suffix(".json"))
        .unwrap_or(file);
    SCHEMAS.iter().find(|(n, _)| *n == stem).map(|(_, s)| *s)
}

/// The program version written into records and `run.json`.
pub const PROGRAM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `{ "code", "message" }` of a failed or partial document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRecord {
    pub code: String,
    pub message: String,
}

/// One outline entry as written in `documents.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRecord {
    pub level: u8,
    pub number: String,
    pub title: String,
    pub page: u32,
    pub page_end: u32,
    pub path: String,
}

/// A document's status (`status` in `documents.jsonl`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocStatus {
    /// Read whole.
    #[default]
    Ok,
    /// Read with losses (`error` names the loss).
    Partial,
    /// Not read at all (`error` says why).
    Failed,
    /// The same bytes as an earlier input (`duplicate_of`).
    Duplicate,
}

impl DocStatus {
    /// The status as written (`ok`, `partial`, `failed`, `duplicate`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Ok => "ok",
            DocStatus::Partial => "partial",
            DocStatus::Failed => "failed",
            DocStatus::Duplicate => "duplicate",
        }
    }
}

impl std::fmt::Display for DocStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for DocStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A `documents.jsonl` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentRecord {
    pub doc_id: String,
    pub source: String,
    /// `ok`, `partial`, `failed`, or `duplicate` (the same bytes as an earlier input of the run or the
    /// output folder: see `duplicate_of`; such a line has no facts, tables or checks).
    pub status: DocStatus,
    pub error: Option<ErrorRecord>,
    /// `pdf` or `text`.
    pub format: Option<String>,
    /// Detected text encoding (text input only; null for PDF).
    pub encoding: Option<String>,
    pub kind: Option<String>,
    pub year: Option<i32>,
    /// The department (for a 单位预算 / 单位决算: the unit) as the report prints it.
    pub department: Option<String>,
    /// `department` with the variants of one name joined, so that one department's reports group
    /// together: (1) the `[[metadata.normalize]]` rewrites of `patterns/metadata.toml`, in order (the
    /// defaults: `中国共产党X委员会…` → `X委…`, and a leading `中共`/`中国共产党` dropped before
    /// `X省委…` / `X市委…` / `X区委…` / `X县委…`, so `中国共产党北京市委员会宣传部` and `中共北京市委宣传部`
    /// both become `北京市委宣传部`; `中国人民政治协商会议X委员会…` → `X政协…`;
    /// `X人民代表大会常务委员会…` → `X人大常委会…`); (2) a name that begins with a level alone (`市…`, `区…`, `省…`,
    /// `县…`) gets the region the document names elsewhere (another name read, or a front-page title
    /// line), cut after that level, in front: `市人力资源和社会保障局` → `北京市人力资源和社会保障局`.
    /// Nothing else changes; without a region a local name stays as it is (`区人社局`).
    pub department_normalized: Option<String>,
    /// Where `department`, `year` and `kind` were read: `cover`, `title`, `contents`, `heading`,
    /// `running_header`, `table_unit_line`, `table_title`, `narrative` or `file_name` (null when not
    /// found).
    pub metadata_source: MetadataSource,
    pub pages: Option<u32>,
    /// For each PDF page: its MediaBox, CropBox (clipped to the MediaBox; the MediaBox when the page
    /// has none) and /Rotate, `{page, media_box, crop_box, rotate}`. Every `bbox` of the document is
    /// in the default user space of its page; a viewer applies CropBox and /Rotate itself. Empty for
    /// text input and failed documents.
    pub page_boxes: Vec<PageBoxRecord>,
    /// Printed page numbers found in footers (PDF and paginated text), one entry per page that has
    /// one, in page order; empty when none.
    pub printed_pages: Vec<PrintedPage>,
    pub sections: Vec<SectionRecord>,
    pub tables: Vec<String>,
    /// Whether this file holds the report's tables: `present` when a standard table (F01…F09,
    /// B01…B09) was found, `absent` when none was (a narrative-only file: some regions publish the
    /// tables as a separate file; its contents list still names them). Null for a failed document.
    pub table_part: Option<String>,
    pub text_quality: Option<TextQuality>,
    /// Non-fatal problems (typed warnings of the reader), at most 50; `warnings_total` counts all.
    pub warnings: Vec<Warning>,
    pub warnings_total: usize,
    pub facts: usize,
    pub checks_failed: usize,
    /// Program version and pattern fingerprint that produced this record (`--incremental` keys).
    pub program_version: String,
    pub patterns: String,
    /// Bytes of the input file.
    pub bytes: u64,
    /// For status `duplicate`: the `source` of the earlier input with the same bytes (the one whose
    /// records carry this `doc_id`); null otherwise.
    pub duplicate_of: Option<String>,
}

/// One printed page number: `{ "page": 3, "printed": "19" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintedPage {
    pub page: u32,
    pub printed: String,
}

/// A record of another file, wrapped with the document's identity.
#[derive(Debug, Clone, Serialize)]
pub struct Keyed<'a, T: Serialize> {
    pub doc_id: &'a str,
    pub source: &'a str,
    #[serde(flatten)]
    pub record: &'a T,
}

/// Everything one document contributes to the output, as complete JSON lines per file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub documents: String,
    pub facts: String,
    pub tables: String,
    pub checks: String,
}

impl Rendered {
    /// Renders one document's records.
    pub fn new(
        doc: &DocumentRecord,
        facts: &[Fact],
        tables: &[Table],
        checks: &[Check],
    ) -> Rendered {
        let mut out = Rendered {
            documents: line(doc),
            ..Rendered::default()
        };
        for f in facts {
            out.facts.push_str(&keyed(doc, f));
        }
        for t in tables {
            out.tables.push_str(&keyed(doc, t));
        }
        for c in checks {
            out.checks.push_str(&keyed(doc, c));
        }
        out
    }
}

fn keyed<T: Serialize>(doc: &DocumentRecord, record: &T) -> String {
    line(&Keyed {
        doc_id: &doc.doc_id,
        source: &doc.source,
        record,
    })
}

/// One JSON line with its `\n`. Our records always serialise (no maps with non-string keys).
fn line<T: Serialize>(value: &T) -> String {
    match serde_json::to_string(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"serialization_error\":{:?}}}\n", e.to_string()),
    }
}

/// `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunManifest {
    pub program_version: String,
    pub patterns: String,
    pub patterns_count: usize,
    pub inputs: Vec<String>,
    pub documents_seen: usize,
    pub documents_processed: usize,
    /// Skipped because already in the output (`--incremental`) or outside this shard.
    pub skipped_incremental: usize,
    pub skipped_other_shard: usize,
    pub counts_by_status: BTreeMap<String, usize>,
    pub failure_codes: BTreeMap<String, usize>,
    pub pages: u64,
    pub facts: usize,
    pub tables: usize,
    pub checks: usize,
    pub wall_seconds: f64,
    /// Time summed over documents per stage (ingest, outline_and_facts, tables, checks), in seconds:
    /// with `-j 1` these add up to nearly the wall time and give each stage's share.
    pub stage_seconds: BTreeMap<String, f64>,
    pub documents_per_second: f64,
    pub pages_per_second: f64,
    pub jobs: usize,
    /// Peak resident memory of the process in MiB (Linux; null elsewhere).
    pub peak_rss_mib: Option<u64>,
    pub shard: Option<String>,
    pub incremental: bool,
}

/// A JSON Lines file of an output folder that could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum JsonlError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}: not a JSON line: {message}")]
    Json {
        path: String,
        line: usize,
        message: String,
    },
}

/// Reads back one JSON Lines file written by the run: one value per non-blank line.
pub fn read_jsonl(path: &std::path::Path) -> Result<Vec<serde_json::Value>, JsonlError> {
    use std::io::BufRead;
    let read = |e: std::io::Error| JsonlError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(read)?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(read)?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(&line).map_err(|e| JsonlError::Json {
            path: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?);
    }
    Ok(out)
}
