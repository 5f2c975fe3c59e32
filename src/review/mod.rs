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
//! Not here: reading reports or deciding checks (the extract run did that); the file formats.

pub mod html;
pub mod pdf;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::patterns::PatternSet;
pub use pdf::Mark;

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
    pub record: Value,
    pub checks: Vec<Value>,
    pub facts: Vec<Value>,
    pub tables: Vec<Value>,
    /// The values (facts and cells, merged when they share a box), with the checks that read them.
    pub values: Vec<ReviewValue>,
    /// File name of the annotated copy in the review folder, when one was written.
    pub annotated: Option<String>,
    /// Why no annotated copy was written (PDF input only).
    pub not_annotated: Option<String>,
    pub highlights: usize,
    /// Per check (index into `checks`): the page an auditor should look at.
    pub check_pages: Vec<Option<u32>>,
}

impl DocReview {
    pub fn source(&self) -> &str {
        self.record["source"].as_str().unwrap_or_default()
    }
    pub fn status(&self) -> &str {
        self.record["status"].as_str().unwrap_or_default()
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

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn page_of(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|p| u32::try_from(p).ok())
}

/// A box `[x0, y0, x1, y1]` of the output, normalised (x0 <= x1, y0 <= y1), or None.
pub fn bbox_of(v: &Value) -> Option<[f64; 4]> {
    let a = v.as_array()?;
    if a.len() != 4 {
        return None;
    }
    let mut b = [0.0; 4];
    for (i, x) in a.iter().enumerate() {
        b[i] = x.as_f64().filter(|f| f.is_finite())?;
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

fn fact_label(key: &str, item: &Value) -> String {
    match item.as_str() {
        Some(i) => format!("{key}[{i}]"),
        None => key.to_string(),
    }
}

/// The values of one document: facts, then table cells; a fact read from a cell and the cell, or any
/// two values with the same page and box, are one.
fn collect_values(facts: &[Value], tables: &[Value]) -> Vec<ReviewValue> {
    let mut out: Vec<ReviewValue> = Vec::new();
    let mut index: HashMap<BoxKey, usize> = HashMap::new();
    let mut push = |v: ReviewValue, out: &mut Vec<ReviewValue>| {
        let key = box_key(v.page, v.bbox);
        match key.and_then(|k| index.get(&k).copied()) {
            Some(i) => {
                let o = &mut out[i];
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
            None => {
                if let Some(k) = key {
                    index.insert(k, out.len());
                }
                out.push(v);
            }
        }
    };
    for f in facts {
        let key = text(&f["key"]);
        let label = fact_label(key, &f["item"]);
        let page = page_of(&f["page"]);
        let mut refs = vec![with_page(format!("fact:{label}"), page)];
        if let Some(cell) = f["cell"].as_object() {
            refs.push(with_page(
                format!(
                    "table:{}[{},{}]",
                    text(&cell["table"]),
                    text(&cell["row"]),
                    text(&cell["column"])
                ),
                page,
            ));
        }
        push(
            ReviewValue {
                labels: vec![label],
                value: num(&f["value"]),
                unit: text(&f["unit"]).to_string(),
                raw: text(&f["raw"]).to_string(),
                pattern: text(&f["pattern"]).to_string(),
                page,
                bbox: bbox_of(&f["bbox"]),
                refs,
                checks: Vec::new(),
            },
            &mut out,
        );
    }
    for t in tables {
        let id = text(&t["table"]);
        let columns: Vec<&str> = t["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let units: Vec<&str> = t["column_units"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        for r in t["rows"].as_array().into_iter().flatten() {
            let name = text(&r["name"]);
            let page = page_of(&r["page"]);
            let boxes = r["bboxes"].as_array();
            for (ci, cell) in r["cells"].as_array().into_iter().flatten().enumerate() {
                if cell.is_null() {
                    continue;
                }
                let column = columns.get(ci).copied().unwrap_or_default();
                let label = format!("{id}[{name},{column}]");
                let unit = units
                    .get(ci)
                    .copied()
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| text(&t["unit"]));
                push(
                    ReviewValue {
                        labels: vec![label.clone()],
                        value: num(cell),
                        unit: unit.to_string(),
                        raw: r["raw"].get(ci).map(text).unwrap_or_default().to_string(),
                        pattern: String::new(),
                        page,
                        bbox: boxes.and_then(|b| b.get(ci)).and_then(bbox_of),
                        refs: vec![with_page(format!("table:{label}"), page)],
                        checks: Vec::new(),
                    },
                    &mut out,
                );
            }
        }
    }
    out
}

/// The reference string of a check term (`fact:KEY@pN`, `table:ID[row,column]@pN`).
fn term_ref(t: &Value) -> Option<String> {
    let page = page_of(&t["page"]);
    match text(&t["source"]) {
        "fact" => Some(with_page(format!("fact:{}", text(&t["key"])), page)),
        "cell" => Some(with_page(
            format!(
                "table:{}[{},{}]",
                text(&t["table"]),
                text(&t["row"]),
                text(&t["column"])
            ),
            page,
        )),
        _ => None,
    }
}

/// Links each check to the values it reads (terms first, refs second); a term with a box that matches
/// no value becomes a value of its own.
fn link_checks(values: &mut Vec<ReviewValue>, checks: &[Value]) -> Vec<Option<u32>> {
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
        for t in c["terms"].as_array().into_iter().flatten() {
            let tpage = page_of(&t["page"]);
            let tbox = bbox_of(&t["bbox"]);
            page = page.or(tpage);
            let found: Vec<usize> = match box_key(tpage, tbox).and_then(|k| by_box.get(&k)) {
                Some(&i) => vec![i],
                None => term_ref(t)
                    .and_then(|r| by_ref.get(&r).cloned())
                    .unwrap_or_default(),
            };
            if found.is_empty() {
                if let Some(k) = box_key(tpage, tbox) {
                    by_box.insert(k, values.len());
                    let label = match text(&t["source"]) {
                        "cell" => format!(
                            "{}[{},{}]",
                            text(&t["table"]),
                            text(&t["row"]),
                            text(&t["column"])
                        ),
                        _ => text(&t["key"]).to_string(),
                    };
                    values.push(ReviewValue {
                        labels: vec![label],
                        value: num(&t["value"]),
                        unit: String::new(),
                        raw: text(&t["raw"]).to_string(),
                        pattern: String::new(),
                        page: tpage,
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
        for r in c["refs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if page.is_none() {
                page = r.rsplit_once("@p").and_then(|(_, p)| p.parse::<u32>().ok());
            }
            for vi in by_ref.get(r).cloned().unwrap_or_default() {
                link(vi, values);
            }
        }
        pages.push(page);
    }
    pages
}

/// The colour of a value: red when a failing check reads it, green when only passing ones do.
pub fn value_mark(v: &ReviewValue, checks: &[Value]) -> Mark {
    let marks: Vec<Mark> = v
        .checks
        .iter()
        .filter_map(|&i| checks.get(i))
        .filter_map(|c| check_mark(text(&c["status"])))
        .collect();
    if marks.contains(&Mark::Fail) {
        Mark::Fail
    } else if marks.contains(&Mark::Pass) {
        Mark::Pass
    } else {
        Mark::Unchecked
    }
}

/// One term of a check in words: `total 1236.58 (fact income.grand_total, p. 1, raw "…")`.
pub fn term_words(t: &Value) -> String {
    let what = match text(&t["source"]) {
        "cell" => format!(
            "cell {}[{},{}]",
            text(&t["table"]),
            text(&t["row"]),
            text(&t["column"])
        ),
        "fact" => format!("fact {}", text(&t["key"])),
        other => other.to_string(),
    };
    let mut s = format!("{} {} ({what}", text(&t["role"]), num(&t["value"]));
    if let Some(p) = page_of(&t["page"]) {
        let _ = write!(s, ", p. {p}");
    }
    if let Some(r) = t["raw"].as_str().filter(|r| !r.is_empty()) {
        let _ = write!(s, ", raw \"{r}\"");
    }
    s.push(')');
    s
}

/// The popup text of a value.
pub fn popup(v: &ReviewValue, checks: &[Value]) -> String {
    let mut s = format!("{} = {} {}", v.labels.join(" = "), v.value, v.unit);
    let _ = write!(s, "\nraw: \"{}\"", v.raw);
    if !v.pattern.is_empty() {
        let _ = write!(s, "\npattern: {}", v.pattern);
    }
    if v.checks.is_empty() {
        s.push_str("\nread by no check");
    }
    for &ci in &v.checks {
        let Some(c) = checks.get(ci) else { continue };
        let status = text(&c["status"]);
        let _ = write!(s, "\n\n{} {status}", text(&c["check"]));
        if !c["expected"].is_null() || !c["actual"].is_null() {
            let _ = write!(
                s,
                ": expected {}, actual {}, diff {}",
                num(&c["expected"]),
                num(&c["actual"]),
                num(&c["diff"])
            );
        }
        if let Some(f) = c["formula"].as_str() {
            let _ = write!(s, "\n{f}");
        }
        if status == "fail" {
            let terms = c["terms"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            if terms.is_empty() {
                for r in c["refs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let _ = write!(s, "\n  {r}");
                }
            }
            for t in terms {
                let _ = write!(s, "\n  {}", term_words(t));
            }
            if let Some(m) = c["message"].as_str() {
                let _ = write!(s, "\n{m}");
            }
        }
    }
    s
}

/// Groups the records of the run by document, in `documents.jsonl` order.
fn documents(dir: &Path) -> Result<Vec<DocReview>, ReviewError> {
    // The four files are read (and grouped) at the same time, each once.
    let files = [
        "documents.jsonl",
        "facts.jsonl",
        "tables.jsonl",
        "checks.jsonl",
    ];
    let mut read: Vec<Result<Vec<Value>, ReviewError>> = files
        .par_iter()
        .map(|file| crate::output::read_jsonl(&dir.join(file)).map_err(ReviewError::from))
        .collect();
    let mut next = || read.remove(0);
    let docs = next()?;
    let group = |records: Vec<Value>| {
        let mut map: HashMap<String, Vec<Value>> = HashMap::new();
        for v in records {
            let id = text(&v["doc_id"]).to_string();
            map.entry(id).or_default().push(v);
        }
        map
    };
    let mut facts = group(next()?);
    let mut tables = group(next()?);
    let mut checks = group(next()?);
    let mut out = Vec::new();
    for d in docs {
        let id = text(&d["doc_id"]).to_string();
        let duplicate = text(&d["status"]) == "duplicate";
        let take = |m: &mut HashMap<String, Vec<Value>>| {
            if duplicate {
                Vec::new()
            } else {
                m.remove(&id).unwrap_or_default()
            }
        };
        out.push(DocReview {
            checks: take(&mut checks),
            facts: take(&mut facts),
            tables: take(&mut tables),
            record: d,
            values: Vec::new(),
            annotated: None,
            not_annotated: None,
            highlights: 0,
            check_pages: Vec::new(),
        });
    }
    Ok(out)
}

/// File names of the annotated copies: the source's stem, made unique with the start of the doc_id.
fn annotated_names(docs: &[DocReview]) -> Vec<Option<String>> {
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    docs.iter()
        .map(|d| {
            let pdf = text(&d.record["format"]) == "pdf" && matches!(d.status(), "ok" | "partial");
            if !pdf {
                return None;
            }
            let stem = Path::new(d.source())
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "document".to_string());
            let n = used.entry(stem.clone()).or_insert(0);
            *n += 1;
            Some(if *n == 1 {
                format!("{stem}.annotated.pdf")
            } else {
                let id = text(&d.record["doc_id"]);
                format!("{stem}-{}.annotated.pdf", id.get(..8).unwrap_or(id))
            })
        })
        .collect()
}

/// The highlights and outline of one document, and its annotated copy.
fn annotate_doc(doc: &mut DocReview, name: &str, options: &ReviewOptions) -> Result<(), String> {
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
    if hex != text(&doc.record["doc_id"]) {
        return Err(format!(
            "{} has changed since the run (its sha256 is not the doc_id)",
            path.display()
        ));
    }
    let highlights: Vec<pdf::Highlight> = doc
        .values
        .iter()
        .filter_map(|v| {
            Some(pdf::Highlight {
                page: v.page?,
                rect: v.bbox?,
                mark: value_mark(v, &doc.checks),
                contents: popup(v, &doc.checks),
            })
        })
        .collect();
    let mut outline = Vec::new();
    for (ci, c) in doc.checks.iter().enumerate() {
        if text(&c["status"]) != "fail" {
            continue;
        }
        let Some(page) = doc.check_pages.get(ci).copied().flatten() else {
            continue;
        };
        let top = doc
            .values
            .iter()
            .filter(|v| v.page == Some(page) && v.checks.contains(&ci))
            .filter_map(|v| v.bbox.map(|b| b[3]))
            .fold(None, |m: Option<f64>, y| Some(m.map_or(y, |m| m.max(y))))
            .map(|y| y + 24.0);
        outline.push(pdf::OutlineEntry {
            title: format!(
                "{}: expected {}, actual {}, diff {} (p. {page})",
                text(&c["check"]),
                num(&c["expected"]),
                num(&c["actual"]),
                num(&c["diff"])
            ),
            page,
            top,
        });
    }
    let title = format!("failing checks ({})", outline.len());
    let annotated =
        pdf::annotate(&bytes, &highlights, &title, &outline).map_err(|e| e.to_string())?;
    let dest = options.dest.join(name);
    fs::write(&dest, &annotated.bytes)
        .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    doc.highlights = annotated.highlights;
    Ok(())
}

/// Runs the review of `options.out_dir` into `options.dest`.
pub fn review(options: &ReviewOptions, patterns: &PatternSet) -> Result<Reviewed, ReviewError> {
    let mut docs = documents(&options.out_dir)?;
    fs::create_dir_all(&options.dest).map_err(|e| ReviewError::Write {
        path: options.dest.display().to_string(),
        message: e.to_string(),
    })?;
    let names = annotated_names(&docs);
    docs.par_iter_mut().zip(names).for_each(|(doc, name)| {
        doc.values = collect_values(&doc.facts, &doc.tables);
        doc.check_pages = link_checks(&mut doc.values, &doc.checks);
        if let Some(name) = name {
            match annotate_doc(doc, &name, options) {
                Ok(()) => doc.annotated = Some(name),
                Err(e) => doc.not_annotated = Some(e),
            }
        }
    });
    let report = options.dest.join("report.html");
    let page = html::report(&docs, patterns);
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
