//! The auditor's review of a run: an annotated copy of each PDF and one HTML report.
//!
//! In: an `extract` output folder (`documents.jsonl`, `facts.jsonl`, `tables.jsonl`,
//! `checks.jsonl`), the original files its `source` fields name, and the pattern set (headline keys,
//! table catalog). Out, in the review folder: `<name>.annotated.pdf` per PDF (see [`pdf`]) — one
//! highlight per value that has a `bbox`, coloured by the checks that read it (red: in a failing
//! check; green: only in passing ones; blue: in no decided check), its popup giving key or cell, value
//! and unit, raw text, pattern and every check with its terms, and outline entries "failing checks" —
//! and `report.html` (see [`html`]).
//!
//! A check reads a value when one of its `terms` has the value's page and box (or names its fact or
//! cell), or when one of its `refs` is the value's reference string (`fact:KEY[item]@pN`,
//! `table:ID[row,column]@pN`). A value without a box gets no highlight but is still counted and
//! listed; a term with a box that matches no value gets a highlight of its own.
//!
//! Two ways in, one result: `yujuesuan review` reads the folder back and the originals from disk
//! (refused when their sha256 is not the doc_id); `extract --review` reviews each document in the
//! worker that read it ([`review_in_run`]: the bytes already in memory and hashed), writes its copy
//! under a provisional name, and the run's writer names the copies in input order ([`settle`]); only
//! `report.html` is left for the end ([`write_report`]). Both name, mark and write the same way, so
//! the files are the same.
//!
//! Not here: reading reports or deciding checks (the extract run did that); the file formats.

pub mod html;
pub mod pdf;
pub mod records;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::patterns::ReviewVocabulary;
pub use pdf::Mark;
pub use records::{CheckRecord, DocRecord, FactRecord, TableRecord, TermRecord};

/// A problem that stops the review (exit code 2); a document that cannot be annotated is not one (its
/// reason is in the report).
#[derive(Debug, Error)]
pub enum ReviewError {
    #[error(transparent)]
    Jsonl(#[from] crate::output::JsonlError),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

/// Where to find the originals and where to write.
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// The output folder of an extract run.
    pub out_dir: PathBuf,
    /// The review folder (annotated copies and report.html).
    pub dest: PathBuf,
    /// Relative `source` paths are taken from here (default: the current folder).
    pub root: Option<PathBuf>,
}

/// One document of the run, its records and what the review made of it.
#[derive(Debug, Clone)]
pub struct DocReview {
    pub record: DocRecord,
    pub checks: Vec<CheckRecord>,
    pub facts: Vec<FactRecord>,
    pub tables: Vec<TableRecord>,
    /// The values (facts and cells, merged when they share a box), with the checks that read them.
    pub values: Vec<ReviewValue>,
    /// File name of the annotated copy in the review folder, when one was written.
    pub annotated: Option<String>,
    /// Why no annotated copy was written (PDF input only).
    pub not_annotated: Option<String>,
    pub highlights: usize,
    /// Per check (index into `checks`): the page an auditor should look at.
    pub check_pages: Vec<Option<u32>>,
    /// The number of values and of values with a box, kept when the values were dropped (see
    /// [`DocReview::keep_for_report`]).
    pub counted: Option<(usize, usize)>,
}

impl DocReview {
    /// A document as read, before the review looked at it.
    pub fn new(
        record: DocRecord,
        facts: Vec<FactRecord>,
        tables: Vec<TableRecord>,
        checks: Vec<CheckRecord>,
    ) -> DocReview {
        DocReview {
            record,
            checks,
            facts,
            tables,
            values: Vec::new(),
            annotated: None,
            not_annotated: None,
            highlights: 0,
            check_pages: Vec::new(),
            counted: None,
        }
    }
    pub fn source(&self) -> &str {
        &self.record.source
    }
    pub fn status(&self) -> &str {
        &self.record.status
    }
    /// The number of failing checks.
    pub fn failing(&self) -> usize {
        self.checks.iter().filter(|c| c.status == "fail").count()
    }
    /// The number of values and of values with a box.
    pub fn value_counts(&self) -> (usize, usize) {
        self.counted.unwrap_or_else(|| {
            let boxed = self.values.iter().filter(|v| v.bbox.is_some()).count();
            (self.values.len(), boxed)
        })
    }
    /// Drops what `report.html` does not read once the copy is written, so the documents a run
    /// keeps for it stay small: the tables (their cells were values), the values (counted first)
    /// and the terms and refs of the checks that do not fail (the page lists failing checks only).
    pub fn keep_for_report(&mut self) {
        self.counted = Some(self.value_counts());
        self.values = Vec::new();
        self.tables = Vec::new();
        for c in self.checks.iter_mut().filter(|c| c.status != "fail") {
            c.terms = Vec::new();
            c.refs = Vec::new();
        }
    }
}

/// One value as the auditor sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewValue {
    /// `key[item]` of a fact or `ID[row,column]` of a cell (several when merged).
    pub labels: Vec<String>,
    pub value: String,
    pub unit: String,
    pub raw: String,
    pub pattern: String,
    pub page: Option<u32>,
    pub bbox: Option<[f64; 4]>,
    /// Reference strings that name this value.
    pub refs: Vec<String>,
    /// Indices of the checks that read it.
    pub checks: Vec<usize>,
}

/// What a review wrote.
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub documents: Vec<DocReview>,
    pub annotated: usize,
    pub highlights: usize,
    pub report: PathBuf,
}

/// The status class of a check: fail, pass (pass and rounding), or none (not decided).
pub fn check_mark(status: &str) -> Option<Mark> {
    match status {
        "fail" => Some(Mark::Fail),
        "pass" | "rounding" => Some(Mark::Pass),
        _ => None,
    }
}

/// The family of a check id: the id without its bracketed item (`B02.total_eq_sum_rows[20502]` →
/// `B02.total_eq_sum_rows`).
pub fn check_family(id: &str) -> &str {
    id.split_once('[').map_or(id, |(f, _)| f)
}

/// A number of the output as printed (exact: the JSON text of the number).
pub fn num(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A box `[x0, y0, x1, y1]` of the output, normalised (x0 <= x1, y0 <= y1), or None.
pub fn bbox_of(v: Option<&[f64]>) -> Option<[f64; 4]> {
    let b: [f64; 4] = v?.try_into().ok()?;
    if !b.iter().all(|x| x.is_finite()) {
        return None;
    }
    Some([
        b[0].min(b[2]),
        b[1].min(b[3]),
        b[0].max(b[2]),
        b[1].max(b[3]),
    ])
}

/// A page and a box in hundredths of a point (the output rounds boxes to 0.01): equal keys, one place.
type BoxKey = (u32, [i64; 4]);

fn box_key(page: Option<u32>, bbox: Option<[f64; 4]>) -> Option<BoxKey> {
    Some((page?, bbox?.map(|x| (x * 100.0).round() as i64)))
}

fn with_page(body: String, page: Option<u32>) -> String {
    match page {
        Some(p) => format!("{body}@p{p}"),
        None => body,
    }
}

fn fact_label(key: &str, item: Option<&str>) -> String {
    match item {
        Some(i) => format!("{key}[{i}]"),
        None => key.to_string(),
    }
}

/// `ID[row,column]`: the label of a cell.
fn cell_label(table: &str, row: &str, column: &str) -> String {
    format!("{table}[{row},{column}]")
}

/// The values of a document as they are collected: one per page and box (a value with the box of
/// one already there is merged into it).
#[derive(Default)]
struct Values {
    out: Vec<ReviewValue>,
    index: HashMap<BoxKey, usize>,
}

impl Values {
    fn push(&mut self, v: ReviewValue) {
        let key = box_key(v.page, v.bbox);
        let Some(i) = key.and_then(|k| self.index.get(&k).copied()) else {
            if let Some(k) = key {
                self.index.insert(k, self.out.len());
            }
            self.out.push(v);
            return;
        };
        let o = &mut self.out[i];
        for l in v.labels {
            if !o.labels.contains(&l) {
                o.labels.push(l);
            }
        }
        o.refs.extend(v.refs);
        if o.pattern.is_empty() {
            o.pattern = v.pattern;
        }
    }
}

/// A fact as a value: its label `key[item]`, its reference and, when read from a cell, the cell's.
fn fact_value(f: &FactRecord) -> ReviewValue {
    let label = fact_label(&f.key, f.item.as_deref());
    let page = f.page;
    let mut refs = vec![with_page(format!("fact:{label}"), page)];
    if let Some(cell) = &f.cell {
        let cell = cell_label(&cell.table, &cell.row, &cell.column);
        refs.push(with_page(format!("table:{cell}"), page));
    }
    ReviewValue {
        labels: vec![label],
        value: num(&f.value),
        unit: f.unit.clone(),
        raw: f.raw.clone(),
        pattern: f.pattern.clone(),
        page,
        bbox: bbox_of(f.bbox.as_deref()),
        refs,
        checks: Vec::new(),
    }
}

/// The non-blank cells of a table as values, row by row, with the unit of their column (the table's
/// when the column has none).
fn cell_values(t: &TableRecord) -> impl Iterator<Item = ReviewValue> + '_ {
    t.rows.iter().flat_map(move |r| {
        r.cells
            .iter()
            .enumerate()
            .filter(|(_, cell)| !cell.is_null())
            .map(move |(ci, cell)| {
                let column = t.columns.get(ci).cloned().flatten().unwrap_or_default();
                let label = cell_label(&t.table, &r.name, &column);
                let unit = t
                    .column_units
                    .get(ci)
                    .and_then(Option::as_deref)
                    .filter(|u| !u.is_empty())
                    .unwrap_or(&t.unit);
                let bbox = r
                    .bboxes
                    .as_ref()
                    .and_then(|b| b.get(ci))
                    .and_then(|b| bbox_of(b.as_deref()));
                ReviewValue {
                    refs: vec![with_page(format!("table:{label}"), r.page)],
                    labels: vec![label],
                    value: num(cell),
                    unit: unit.to_string(),
                    raw: r.raw.get(ci).cloned().flatten().unwrap_or_default(),
                    pattern: String::new(),
                    page: r.page,
                    bbox,
                    checks: Vec::new(),
                }
            })
    })
}

/// The values of one document: facts, then table cells; a fact read from a cell and the cell, or any
/// two values with the same page and box, are one.
fn collect_values(facts: &[FactRecord], tables: &[TableRecord]) -> Vec<ReviewValue> {
    let mut values = Values::default();
    for f in facts {
        values.push(fact_value(f));
    }
    for v in tables.iter().flat_map(cell_values) {
        values.push(v);
    }
    values.out
}

/// The label of a check term: `ID[row,column]` of a cell, the key of anything else.
fn term_label(t: &TermRecord) -> String {
    match t.source.as_str() {
        "cell" => cell_label(&t.table, &t.row, &t.column),
        _ => t.key.clone(),
    }
}

/// The reference string of a check term (`fact:KEY@pN`, `table:ID[row,column]@pN`).
fn term_ref(t: &TermRecord) -> Option<String> {
    match t.source.as_str() {
        "fact" => Some(with_page(format!("fact:{}", t.key), t.page)),
        "cell" => Some(with_page(format!("table:{}", term_label(t)), t.page)),
        _ => None,
    }
}

/// The page of a reference string (`…@pN`).
fn ref_page(r: &str) -> Option<u32> {
    r.rsplit_once("@p").and_then(|(_, p)| p.parse::<u32>().ok())
}

/// Links each check to the values it reads (terms first, refs second); a term with a box that matches
/// no value becomes a value of its own.
fn link_checks(values: &mut Vec<ReviewValue>, checks: &[CheckRecord]) -> Vec<Option<u32>> {
    let mut by_ref: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_box: HashMap<BoxKey, usize> = HashMap::new();
    for (i, v) in values.iter().enumerate() {
        for r in &v.refs {
            by_ref.entry(r.clone()).or_default().push(i);
        }
        if let Some(k) = box_key(v.page, v.bbox) {
            by_box.entry(k).or_insert(i);
        }
    }
    let mut pages = Vec::with_capacity(checks.len());
    for (ci, c) in checks.iter().enumerate() {
        let mut page: Option<u32> = None;
        let link = |vi: usize, values: &mut Vec<ReviewValue>| {
            if !values[vi].checks.contains(&ci) {
                values[vi].checks.push(ci);
            }
        };
        for t in &c.terms {
            let tbox = bbox_of(t.bbox.as_deref());
            page = page.or(t.page);
            let found: Vec<usize> = match box_key(t.page, tbox).and_then(|k| by_box.get(&k)) {
                Some(&i) => vec![i],
                None => term_ref(t)
                    .and_then(|r| by_ref.get(&r).cloned())
                    .unwrap_or_default(),
            };
            if found.is_empty() {
                if let Some(k) = box_key(t.page, tbox) {
                    by_box.insert(k, values.len());
                    values.push(ReviewValue {
                        labels: vec![term_label(t)],
                        value: num(&t.value),
                        unit: String::new(),
                        raw: t.raw.clone().unwrap_or_default(),
                        pattern: String::new(),
                        page: t.page,
                        bbox: tbox,
                        refs: Vec::new(),
                        checks: vec![ci],
                    });
                }
            }
            for vi in found {
                link(vi, values);
            }
        }
        for r in &c.refs {
            page = page.or_else(|| ref_page(r));
            for vi in by_ref.get(r).cloned().unwrap_or_default() {
                link(vi, values);
            }
        }
        pages.push(page);
    }
    pages
}

/// The colour of a value: red when a failing check reads it, green when only passing ones do.
pub fn value_mark(v: &ReviewValue, checks: &[CheckRecord]) -> Mark {
    let mut mark = Mark::Unchecked;
    let marks = v.checks.iter().filter_map(|&i| checks.get(i));
    for m in marks.filter_map(|c| check_mark(&c.status)) {
        if m == Mark::Fail {
            return Mark::Fail;
        }
        mark = Mark::Pass;
    }
    mark
}

/// One term of a check in words: `total 1236.58 (fact income.grand_total, p. 1, raw "…")`.
pub fn term_words(t: &TermRecord) -> String {
    let what = match t.source.as_str() {
        "cell" => format!("cell {}", term_label(t)),
        "fact" => format!("fact {}", t.key),
        other => other.to_string(),
    };
    let mut s = format!("{} {} ({what}", t.role, num(&t.value));
    if let Some(p) = t.page {
        let _ = write!(s, ", p. {p}");
    }
    if let Some(r) = t.raw.as_deref().filter(|r| !r.is_empty()) {
        let _ = write!(s, ", raw \"{r}\"");
    }
    s.push(')');
    s
}

/// The popup lines of one check that reads a value: status, figures, formula and, for a failing
/// check, its terms (its refs when it has none) and message.
fn popup_check(s: &mut String, c: &CheckRecord) {
    let _ = write!(s, "\n\n{} {}", c.check, c.status);
    if !c.expected.is_null() || !c.actual.is_null() {
        let _ = write!(
            s,
            ": expected {}, actual {}, diff {}",
            num(&c.expected),
            num(&c.actual),
            num(&c.diff)
        );
    }
    if let Some(f) = &c.formula {
        let _ = write!(s, "\n{f}");
    }
    if c.status != "fail" {
        return;
    }
    if c.terms.is_empty() {
        for r in &c.refs {
            let _ = write!(s, "\n  {r}");
        }
    }
    for t in &c.terms {
        let _ = write!(s, "\n  {}", term_words(t));
    }
    if let Some(m) = &c.message {
        let _ = write!(s, "\n{m}");
    }
}

/// The popup text of a value.
pub fn popup(v: &ReviewValue, checks: &[CheckRecord]) -> String {
    popup_with(v, &mut CheckTexts::new(checks))
}

/// The popup lines of each check of a document, each written once however many values it reads.
struct CheckTexts<'a> {
    checks: &'a [CheckRecord],
    texts: Vec<Option<String>>,
}

impl<'a> CheckTexts<'a> {
    fn new(checks: &'a [CheckRecord]) -> CheckTexts<'a> {
        CheckTexts {
            checks,
            texts: vec![None; checks.len()],
        }
    }

    /// The popup lines of check `ci` (see [`popup_check`]).
    fn text(&mut self, ci: usize) -> Option<&str> {
        let c = self.checks.get(ci)?;
        let text = self.texts.get_mut(ci)?.get_or_insert_with(|| {
            let mut s = String::new();
            popup_check(&mut s, c);
            s
        });
        Some(text.as_str())
    }
}

/// [`popup`] with the check lines taken from `texts`.
fn popup_with(v: &ReviewValue, texts: &mut CheckTexts<'_>) -> String {
    let mut s = String::with_capacity(128);
    for (i, l) in v.labels.iter().enumerate() {
        if i > 0 {
            s.push_str(" = ");
        }
        s.push_str(l);
    }
    let _ = write!(s, " = {} {}\nraw: \"{}\"", v.value, v.unit, v.raw);
    if !v.pattern.is_empty() {
        let _ = write!(s, "\npattern: {}", v.pattern);
    }
    if v.checks.is_empty() {
        s.push_str("\nread by no check");
    }
    for &ci in &v.checks {
        if let Some(t) = texts.text(ci) {
            s.push_str(t);
        }
    }
    s
}

/// Groups records by their document.
fn by_doc<T>(records: Vec<T>, id: impl Fn(&T) -> &str) -> HashMap<String, Vec<T>> {
    let mut map: HashMap<String, Vec<T>> = HashMap::new();
    for r in records {
        match map.get_mut(id(&r)) {
            Some(v) => v.push(r),
            None => {
                map.insert(id(&r).to_string(), vec![r]);
            }
        }
    }
    map
}

/// Groups the records of a run by document, in `documents.jsonl` order (a duplicate has none).
pub fn group(
    docs: Vec<DocRecord>,
    facts: Vec<FactRecord>,
    tables: Vec<TableRecord>,
    checks: Vec<CheckRecord>,
) -> Vec<DocReview> {
    let mut facts = by_doc(facts, |f| &f.doc_id);
    let mut tables = by_doc(tables, |t| &t.doc_id);
    let mut checks = by_doc(checks, |c| &c.doc_id);
    docs.into_iter()
        .map(|d| {
            let id = (d.status != "duplicate").then_some(d.doc_id.as_str());
            let (f, t, c) = (
                take(&mut facts, id),
                take(&mut tables, id),
                take(&mut checks, id),
            );
            DocReview::new(d, f, t, c)
        })
        .collect()
}

/// The records of document `id` (none for no id).
fn take<T>(map: &mut HashMap<String, Vec<T>>, id: Option<&str>) -> Vec<T> {
    id.and_then(|id| map.remove(id)).unwrap_or_default()
}

/// Reads the four files of an output folder (at the same time, each once, only the fields the review
/// uses) and groups them by document.
fn documents(dir: &Path) -> Result<Vec<DocReview>, ReviewError> {
    let ((docs, facts), (tables, checks)) = rayon::join(
        || {
            rayon::join(
                || records::read::<DocRecord>(&dir.join("documents.jsonl")),
                || records::read::<FactRecord>(&dir.join("facts.jsonl")),
            )
        },
        || {
            rayon::join(
                || records::read::<TableRecord>(&dir.join("tables.jsonl")),
                || records::read::<CheckRecord>(&dir.join("checks.jsonl")),
            )
        },
    );
    Ok(group(docs?, facts?, tables?, checks?))
}

/// File names of the annotated copies, given in `documents.jsonl` order: the source's stem, made
/// unique with the start of the doc_id.
#[derive(Debug, Default)]
pub struct Namer {
    used: BTreeMap<String, usize>,
}

impl Namer {
    /// The name of the next document's annotated copy (None: it gets none).
    pub fn name(&mut self, d: &DocReview) -> Option<String> {
        if !annotatable(d) {
            return None;
        }
        let stem = Path::new(d.source())
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "document".to_string());
        let n = self.used.entry(stem.clone()).or_insert(0);
        *n += 1;
        Some(if *n == 1 {
            format!("{stem}.annotated.pdf")
        } else {
            let id = &d.record.doc_id;
            format!("{stem}-{}.annotated.pdf", id.get(..8).unwrap_or(id))
        })
    }
}

/// File names of the annotated copies of a run's documents (see [`Namer`]).
fn annotated_names(docs: &[DocReview]) -> Vec<Option<String>> {
    let mut namer = Namer::default();
    docs.iter().map(|d| namer.name(d)).collect()
}

/// The original bytes of a document, refused when they are not the file the run read (its sha256 is
/// the doc_id).
fn original_bytes(doc: &DocReview, options: &ReviewOptions) -> Result<Vec<u8>, String> {
    let source = Path::new(doc.source());
    let path = match (&options.root, source.is_relative()) {
        (Some(root), true) => root.join(source),
        _ => source.to_path_buf(),
    };
    let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    if hex != doc.record.doc_id {
        return Err(format!(
            "{} has changed since the run (its sha256 is not the doc_id)",
            path.display()
        ));
    }
    Ok(bytes)
}

/// The highlights of a document: one per value with a page and a box.
fn highlights(doc: &DocReview) -> Vec<pdf::Highlight> {
    let mut texts = CheckTexts::new(&doc.checks);
    doc.values
        .iter()
        .filter_map(|v| {
            Some(pdf::Highlight {
                page: v.page?,
                rect: v.bbox?,
                mark: value_mark(v, &doc.checks),
                contents: popup_with(v, &mut texts),
            })
        })
        .collect()
}

/// The outline entries of a document: one per failing check with a page, jumping a little above the
/// highest value it reads on that page.
fn outline(doc: &DocReview) -> Vec<pdf::OutlineEntry> {
    let tops = check_tops(doc);
    let mut out = Vec::new();
    for (ci, c) in doc.checks.iter().enumerate() {
        if c.status != "fail" {
            continue;
        }
        let Some(page) = doc.check_pages.get(ci).copied().flatten() else {
            continue;
        };
        out.push(pdf::OutlineEntry {
            title: format!(
                "{}: expected {}, actual {}, diff {} (p. {page})",
                c.check,
                num(&c.expected),
                num(&c.actual),
                num(&c.diff)
            ),
            page,
            top: tops.get(ci).copied().flatten().map(|y| y + 24.0),
        });
    }
    out
}

/// Per failing check (index into `checks`): the top of the highest box it reads on its page, in
/// one pass over the values.
fn check_tops(doc: &DocReview) -> Vec<Option<f64>> {
    let mut tops: Vec<Option<f64>> = vec![None; doc.checks.len()];
    for v in &doc.values {
        let Some(b) = v.bbox else { continue };
        for &ci in &v.checks {
            let failing = doc.checks.get(ci).is_some_and(|c| c.status == "fail");
            let on_page = doc.check_pages.get(ci).copied().flatten();
            if let Some(top) = tops.get_mut(ci).filter(|_| failing && on_page.is_some()) {
                if v.page == on_page {
                    *top = Some(top.map_or(b[3], |m: f64| m.max(b[3])));
                }
            }
        }
    }
    tops
}

/// The highlights and outline of one document, and its annotated copy (the original read again
/// from disk).
fn annotate_doc(doc: &mut DocReview, name: &str, options: &ReviewOptions) -> Result<(), String> {
    let bytes = original_bytes(doc, options)?;
    annotate_bytes(doc, &bytes, &options.dest.join(name))
}

/// The annotated copy of `bytes` (the document's original) written to `dest`: the original, then
/// the update, in one file.
fn annotate_bytes(doc: &mut DocReview, bytes: &[u8], dest: &Path) -> Result<(), String> {
    let outline = outline(doc);
    let title = format!("failing checks ({})", outline.len());
    let update =
        pdf::append(bytes, &highlights(doc), &title, &outline).map_err(|e| e.to_string())?;
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(dest)?;
        file.write_all(bytes)?;
        file.write_all(&update.tail)
    };
    write().map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    doc.highlights = update.highlights;
    Ok(())
}

/// The values of a document and the checks that read them, the pages of its checks.
fn prepare(doc: &mut DocReview) {
    doc.values = collect_values(&doc.facts, &doc.tables);
    doc.check_pages = link_checks(&mut doc.values, &doc.checks);
}

/// True for a document that gets an annotated copy: a PDF that was read (`ok`, `partial`).
fn annotatable(doc: &DocReview) -> bool {
    doc.record.format == "pdf" && matches!(doc.status(), "ok" | "partial")
}

/// One document reviewed by the run that read it (`extract --review`), before its copy has its
/// final name.
#[derive(Debug)]
pub struct InRun {
    /// What `report.html` reads of it (see [`DocReview::keep_for_report`]).
    pub doc: DocReview,
    /// Where its annotated copy was written (see [`provisional`]), when one was.
    pub written: Option<PathBuf>,
}

/// Where the run writes the annotated copy of input `index` until the copies before it are named
/// (a copy's name depends on the documents before it: see [`Namer`]).
pub fn provisional(dest: &Path, index: usize) -> PathBuf {
    dest.join(format!(".{index}.annotated.pdf.part"))
}

/// A document's records, parsed from its rendered lines (the lines of its output files).
pub fn doc_of_rendered(
    r: &crate::output::Rendered,
) -> Result<DocReview, crate::output::JsonlError> {
    use records::parse;
    let docs = group(
        parse(&r.documents, "documents.jsonl")?,
        parse(&r.facts, "facts.jsonl")?,
        parse(&r.tables, "tables.jsonl")?,
        parse(&r.checks, "checks.jsonl")?,
    );
    let mut docs = docs.into_iter();
    match (docs.next(), docs.next()) {
        (Some(doc), None) => Ok(doc),
        _ => Err(crate::output::JsonlError::Json {
            path: "documents.jsonl".to_string(),
            line: 1,
            message: "not one document line".to_string(),
        }),
    }
}

/// Reviews input `index` in the run that read it, while its bytes (whose sha256 is its doc_id) are
/// in memory: its records parsed from its rendered lines, its values linked to its checks and, for
/// a PDF that was read, its annotated copy written to its [`provisional`] place in `dest`; then
/// only what `report.html` reads is kept.
pub fn review_in_run(
    rendered: &crate::output::Rendered,
    bytes: &[u8],
    dest: &Path,
    index: usize,
) -> Result<InRun, crate::output::JsonlError> {
    let mut doc = doc_of_rendered(rendered)?;
    prepare(&mut doc);
    let mut written = None;
    if annotatable(&doc) {
        let path = provisional(dest, index);
        match annotate_bytes(&mut doc, bytes, &path) {
            Ok(()) => written = Some(path),
            Err(e) => {
                // A write that failed half way leaves no provisional copy behind.
                let _ = fs::remove_file(&path);
                doc.not_annotated = Some(e);
            }
        }
    }
    doc.keep_for_report();
    Ok(InRun { doc, written })
}

/// A document of the run reviewed without its bytes (a duplicate, a failure: no copy to write).
pub fn without_bytes(
    rendered: &crate::output::Rendered,
) -> Result<InRun, crate::output::JsonlError> {
    let mut doc = doc_of_rendered(rendered)?;
    prepare(&mut doc);
    doc.keep_for_report();
    Ok(InRun { doc, written: None })
}

/// A document reviewed in the run, given its name in input order: its copy moved from its
/// provisional place to its name in `dest`.
pub fn settle(namer: &mut Namer, run: InRun, dest: &Path) -> DocReview {
    let InRun { mut doc, written } = run;
    match (namer.name(&doc), written) {
        (Some(name), Some(path)) => {
            let target = dest.join(&name);
            match fs::rename(&path, &target) {
                Ok(()) => doc.annotated = Some(name),
                Err(e) => {
                    let _ = fs::remove_file(&path);
                    doc.highlights = 0;
                    doc.not_annotated = Some(format!("cannot write {}: {e}", target.display()));
                }
            }
        }
        (None, Some(path)) => {
            let _ = fs::remove_file(path);
        }
        _ => {}
    }
    doc
}

/// Runs the review of `options.out_dir` into `options.dest`.
pub fn review(
    options: &ReviewOptions,
    vocabulary: &ReviewVocabulary,
) -> Result<Reviewed, ReviewError> {
    let docs = documents(&options.out_dir)?;
    review_documents(docs, options, vocabulary)
}

/// Reviews documents already in memory (`extract --review` hands over its own records) into
/// `options.dest`; `options.out_dir` is not read.
pub fn review_documents(
    mut docs: Vec<DocReview>,
    options: &ReviewOptions,
    vocabulary: &ReviewVocabulary,
) -> Result<Reviewed, ReviewError> {
    fs::create_dir_all(&options.dest).map_err(|e| ReviewError::Write {
        path: options.dest.display().to_string(),
        message: e.to_string(),
    })?;
    let names = annotated_names(&docs);
    docs.par_iter_mut().zip(names).for_each(|(doc, name)| {
        prepare(doc);
        if let Some(name) = name {
            match annotate_doc(doc, &name, options) {
                Ok(()) => doc.annotated = Some(name),
                Err(e) => doc.not_annotated = Some(e),
            }
        }
    });
    write_report(docs, &options.dest, vocabulary)
}

/// Writes `report.html` of documents already reviewed (their copies written) into `dest`.
pub fn write_report(
    docs: Vec<DocReview>,
    dest: &Path,
    vocabulary: &ReviewVocabulary,
) -> Result<Reviewed, ReviewError> {
    let report = dest.join("report.html");
    let page = html::report(&docs, vocabulary);
    fs::write(&report, page).map_err(|e| ReviewError::Write {
        path: report.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(Reviewed {
        annotated: docs.iter().filter(|d| d.annotated.is_some()).count(),
        highlights: docs.iter().map(|d| d.highlights).sum(),
        documents: docs,
        report,
    })
}

#[cfg(test)]
mod tests;
