//! One report through every stage: bytes → document → outline → facts and tables → checks → records.
//!
//! In: the input's path (as given), its bytes and the per-document configuration. Out: the rendered
//! records of the document ([`Rendered`]) and a small summary for the run manifest. A document that
//! cannot be read becomes a `failed` record with its error code; nothing here panics on purpose, and
//! the batch engine catches what does.
//!
//! Not here: files, threads, time limits, progress (see `pipeline.rs`).

use std::path::Path;

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::checks::{self, Check, Status};
use crate::config::DocConfig;
use crate::document::{Document, Format};
use crate::error::IngestError;
use crate::extract::facts::{self, Fact};
use crate::extract::tables::{self, Table};
use crate::identity;
use crate::ingest::{self, Cancel};
use crate::metadata;
use crate::output::{
    DocStatus, DocumentRecord, ErrorRecord, PrintedPage, Rendered, SectionRecord, PROGRAM_VERSION,
};
use crate::positions;
use crate::segment;

/// How many warnings a document record lists (all are counted).
const WARNINGS_LISTED: usize = 50;

/// What one document contributed, for the run manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub status: DocStatus,
    pub error_code: Option<String>,
    /// The error's message, for the line a failed document gets on stderr.
    pub error_message: Option<String>,
    pub pages: u64,
    pub facts: usize,
    pub tables: usize,
    pub checks: usize,
    /// Time spent in each stage, for the run manifest's `stage_seconds`.
    pub stages: StageTimes,
}

/// Wall time of each stage on one document (excluded from equality: it differs run to run).
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub ingest: Duration,
    pub outline_and_facts: Duration,
    pub tables: Duration,
    pub checks: Duration,
}

impl PartialEq for StageTimes {
    fn eq(&self, _: &StageTimes) -> bool {
        true
    }
}

impl Eq for StageTimes {}

/// The result of analysing one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub doc_id: String,
    /// The input's `source` and size (for the writer's duplicate detection and stderr lines).
    pub source: String,
    pub bytes: u64,
    pub rendered: Rendered,
    pub summary: Summary,
}

/// Lowercase hex sha256 of the bytes: the document id.
pub fn doc_id(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A record for a document that could not be processed at all.
pub fn failed_record(
    doc_id: &str,
    source: &str,
    bytes: u64,
    error: &IngestError,
    config: &DocConfig,
) -> DocumentRecord {
    DocumentRecord {
        doc_id: doc_id.to_string(),
        source: source.to_string(),
        status: DocStatus::Failed,
        error: Some(ErrorRecord {
            code: error.code().to_string(),
            message: error.to_string(),
        }),
        format: None,
        encoding: None,
        kind: None,
        year: None,
        department: None,
        department_normalized: None,
        metadata_source: Default::default(),
        pages: None,
        page_boxes: Vec::new(),
        printed_pages: Vec::new(),
        sections: Vec::new(),
        tables: Vec::new(),
        table_part: None,
        text_quality: None,
        warnings: Vec::new(),
        warnings_total: 0,
        facts: 0,
        checks_failed: 0,
        program_version: PROGRAM_VERSION.to_string(),
        patterns: config.patterns.fingerprint.clone(),
        bytes,
        duplicate_of: None,
    }
}

/// A failed analysis, rendered.
pub fn failed(
    doc_id: &str,
    source: &str,
    bytes: u64,
    error: &IngestError,
    config: &DocConfig,
) -> Analysis {
    let record = failed_record(doc_id, source, bytes, error, config);
    Analysis {
        doc_id: doc_id.to_string(),
        source: source.to_string(),
        bytes,
        rendered: Rendered::new(&record, &[], &[], &[]),
        summary: Summary {
            status: DocStatus::Failed,
            error_code: Some(error.code().to_string()),
            error_message: Some(error.to_string()),
            ..Summary::default()
        },
    }
}

/// The record of an input whose bytes equal those of an earlier input (`duplicate_of`, its source;
/// `None` when that input is not known): a `documents.jsonl` line with status `duplicate` and no
/// facts, tables or checks, so that `doc_id` stays a unique key of those files.
pub fn duplicate(
    doc_id: &str,
    source: &str,
    bytes: u64,
    duplicate_of: Option<&str>,
    config: &DocConfig,
) -> Analysis {
    let mut record = failed_record(doc_id, source, bytes, &IngestError::Empty, config);
    record.status = DocStatus::Duplicate;
    record.error = None;
    record.duplicate_of = duplicate_of.map(str::to_string);
    Analysis {
        doc_id: doc_id.to_string(),
        source: source.to_string(),
        bytes,
        rendered: Rendered::new(&record, &[], &[], &[]),
        summary: Summary {
            status: DocStatus::Duplicate,
            ..Summary::default()
        },
    }
}

/// Runs every stage on one input whose bytes are already read.
pub fn analyze(path: &Path, source: &str, bytes: &[u8], config: &DocConfig) -> Analysis {
    analyze_with(path, source, bytes, config, &Cancel::never())
}

/// [`analyze`], stopping at the next page, stream or stage once `cancel` fires (the result is then a
/// `timeout` record).
pub fn analyze_with(
    path: &Path,
    source: &str,
    bytes: &[u8],
    config: &DocConfig,
    cancel: &Cancel,
) -> Analysis {
    let id = doc_id(bytes);
    analyze_identified(&id, path, source, bytes, config, cancel)
}

/// [`analyze_with`] for bytes whose id (sha256) is already known.
pub fn analyze_identified(
    id: &str,
    path: &Path,
    source: &str,
    bytes: &[u8],
    config: &DocConfig,
    cancel: &Cancel,
) -> Analysis {
    let started = Instant::now();
    let read = ingest::ingest_with(path, bytes, &config.limits, cancel);
    analyze_read(
        id,
        source,
        bytes.len() as u64,
        read,
        started,
        config,
        cancel,
    )
}

/// [`analyze_identified`] taking the bytes: they are dropped once the document is read (the
/// document holds its own text), so a large input is not kept through the stages.
pub fn analyze_owned(
    id: &str,
    path: &Path,
    source: &str,
    bytes: Vec<u8>,
    config: &DocConfig,
    cancel: &Cancel,
) -> Analysis {
    let started = Instant::now();
    let read = ingest::ingest_with(path, &bytes, &config.limits, cancel);
    let len = bytes.len() as u64;
    drop(bytes);
    analyze_read(id, source, len, read, started, config, cancel)
}

/// The stages after a read that started at `started` (its time is the ingest stage's).
fn analyze_read(
    id: &str,
    source: &str,
    len: u64,
    read: Result<Document, IngestError>,
    started: Instant,
    config: &DocConfig,
    cancel: &Cancel,
) -> Analysis {
    let doc = match read {
        Ok(doc) => doc,
        Err(e) => return failed(id, source, len, &e, config),
    };
    let ingest_time = started.elapsed();
    match stages(id, source, len, &doc, config, cancel) {
        Ok(mut analysis) => {
            analysis.summary.stages.ingest = ingest_time;
            analysis
        }
        Err(e) => failed(id, source, len, &e, config),
    }
}

/// The stages after ingestion.
pub fn analyze_document(
    id: &str,
    source: &str,
    bytes: u64,
    doc: &Document,
    config: &DocConfig,
) -> Analysis {
    match stages(id, source, bytes, doc, config, &Cancel::never()) {
        Ok(a) => a,
        Err(e) => failed(id, source, bytes, &e, config),
    }
}

/// What the stages after ingestion found in one document.
struct Found {
    outline: segment::Outline,
    meta: metadata::Metadata,
    facts: Vec<Fact>,
    tables: Vec<Table>,
    checks: Vec<Check>,
}

/// The stages after ingestion, checking `cancel` between stages.
fn stages(
    id: &str,
    source: &str,
    bytes: u64,
    doc: &Document,
    config: &DocConfig,
    cancel: &Cancel,
) -> Result<Analysis, IngestError> {
    let mut stages = StageTimes::default();
    let _scope = cancel.enter();
    // Headings, table titles and P01 lines are read with the run's layout words.
    let _layout = crate::vocabulary::install(config.patterns.vocabulary.clone());
    let found = read(doc, source, config, cancel, &mut stages)?;
    let record = document_record(id, source, bytes, doc, &found, config);
    let rendered = Rendered::new(&record, &found.facts, &found.tables, &found.checks);
    Ok(Analysis {
        doc_id: id.to_string(),
        source: source.to_string(),
        bytes,
        summary: Summary {
            status: record.status,
            error_code: record.error.as_ref().map(|e| e.code.clone()),
            error_message: record.error.as_ref().map(|e| e.message.clone()),
            pages: doc.pages.len() as u64,
            facts: found.facts.len(),
            tables: found.tables.len(),
            checks: found.checks.len(),
            stages,
        },
        rendered,
    })
}

/// Outline, metadata, facts, tables and checks of `doc`, timing each stage into `stages`.
fn read(
    doc: &Document,
    source: &str,
    config: &DocConfig,
    cancel: &Cancel,
    stages: &mut StageTimes,
) -> Result<Found, IngestError> {
    let t = Instant::now();
    cancel.check()?;
    let outline = segment::outline(doc);
    cancel.check()?;
    let meta = metadata::identify(doc, &outline, &config.patterns.metadata, source);
    let mut found_facts = facts::extract(&outline, &config.patterns);
    positions::place_facts(&mut found_facts, &outline, doc);
    // The sections' text has been read: only their headings go on (to the record).
    let outline = outline.into_headings();
    stages.outline_and_facts = t.elapsed();
    cancel.check()?;
    let ident = tables::identifier(doc, &config.patterns.catalog, meta.kind.as_deref());
    // Tables and checks read column labels and row names with the run's vocabulary
    // (patterns/tables/columns.toml and rows.toml).
    let (found_tables, found_checks) = tables::labels::scoped(
        config.patterns.columns.clone(),
        config.patterns.rows.clone(),
        || {
            let t = Instant::now();
            let mut found_tables = tables::extract(doc, &outline, ident);
            positions::place_tables(&mut found_tables, doc);
            tables::reconcile_units(&mut found_tables, &found_facts);
            let figures = config.patterns.figures.clone();
            let fs = tables::figures::scoped(figures.clone(), || {
                tables::table_facts(&found_tables, &found_facts)
            });
            found_facts.extend(fs);
            stages.tables = t.elapsed();
            let t = Instant::now();
            let contents = tables::contents::listed(doc, ident);
            let conflicts = identity::dedup_facts(&mut found_facts);
            let mut found_checks = tables::figures::scoped(figures, || {
                checks::evaluate_document(
                    &config.patterns.identities,
                    &contents,
                    &found_facts,
                    &found_tables,
                )
            });
            found_checks.extend(conflicts);
            stages.checks = t.elapsed();
            (found_tables, found_checks)
        },
    );
    cancel.check()?;
    Ok(Found {
        outline,
        meta,
        facts: found_facts,
        tables: found_tables,
        checks: found_checks,
    })
}

/// The `documents.jsonl` record of a document read to the end.
fn document_record(
    id: &str,
    source: &str,
    bytes: u64,
    doc: &Document,
    found: &Found,
    config: &DocConfig,
) -> DocumentRecord {
    let (status, error) = match ingest::loss(doc) {
        Some((code, message)) => (
            DocStatus::Partial,
            Some(ErrorRecord {
                code: code.to_string(),
                message,
            }),
        ),
        None => (DocStatus::Ok, None),
    };
    let (format, encoding, pages) = match &doc.format {
        Format::Pdf => ("pdf", None, Some(doc.pages.len() as u32)),
        Format::Text { encoding } => ("text", Some(encoding.clone()), None),
    };
    let meta = &found.meta;
    DocumentRecord {
        doc_id: id.to_string(),
        source: source.to_string(),
        status,
        error,
        format: Some(format.to_string()),
        encoding,
        kind: meta.kind.clone(),
        year: meta.year,
        department: meta.department.clone(),
        department_normalized: meta.department_normalized.clone(),
        metadata_source: meta.source,
        pages,
        page_boxes: positions::page_boxes(doc),
        printed_pages: printed_pages(doc),
        sections: section_records(&found.outline),
        tables: found.tables.iter().map(|t| t.table.clone()).collect(),
        table_part: Some(tables::contents::table_part(&found.tables).to_string()),
        text_quality: Some(doc.text_quality.clone()),
        warnings: doc.warnings.iter().take(WARNINGS_LISTED).cloned().collect(),
        warnings_total: doc.warnings.len(),
        facts: found.facts.len(),
        checks_failed: found
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count(),
        program_version: PROGRAM_VERSION.to_string(),
        patterns: config.patterns.fingerprint.clone(),
        bytes,
        duplicate_of: None,
    }
}

/// The page numbers printed in running headers or footers.
fn printed_pages(doc: &Document) -> Vec<PrintedPage> {
    doc.pages
        .iter()
        .filter_map(|p| {
            p.printed_number.clone().map(|printed| PrintedPage {
                page: p.number,
                printed,
            })
        })
        .collect()
}

/// The outline's sections below the document root.
fn section_records(outline: &segment::Outline) -> Vec<SectionRecord> {
    outline
        .sections
        .iter()
        .filter(|s| s.level > 0)
        .map(|s| SectionRecord {
            level: s.level,
            number: s.number.clone(),
            title: s.title.clone(),
            page: s.page,
            page_end: s.page_end,
            path: s.path.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_is_sha256_hex() {
        assert_eq!(
            doc_id(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
