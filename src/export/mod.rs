//! Analysis-ready tables from an output folder: `values`, `documents`, `checks`, `check_refs` and
//! `panel`, as Parquet or CSV.
//!
//! In: the JSON Lines of an `extract` run (`documents.jsonl`, `facts.jsonl`, `tables.jsonl`,
//! `checks.jsonl`) and the pattern set (column-id vocabulary, headline keys). Out: one file per frame
//! in the export folder. Every frame has the same columns in every run (null when absent); money is a
//! decimal (Parquet `DECIMAL(38, 10)`), never a float.
//!
//! - `values`: one row per value, facts and non-null table cells alike, with the document's identity
//!   (department, year, kind, region) on every row, the value's origin (`narrative`, `derived` from a
//!   table by a rule, or a `table` cell), table/row/column coordinates and a standard column id
//!   (`patterns/column_ids.toml`), unit, page, raw text, pattern id, the ids of the checks that read it and its box
//!   (`bbox_x0`…`bbox_y1`, page user space; null without one).
//! - `documents`: one row per `documents.jsonl` line (duplicates too).
//! - `checks`: one row per check, both sides' values; `check_refs`: one row per reference of a check,
//!   parsed (`fact`/`table`, key or table id, item or row, column, page).
//! - `panel`: one row per processed document, one column per headline key (`headline = true` in
//!   `patterns/keys.toml`): the first fact of that key without an item.
//!
//! Not here: reading reports (see `pipeline.rs`); the file formats (see [`write`]).

pub mod write;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde_json::Value;
use thiserror::Error;

use crate::patterns::PatternSet;

/// The type of a frame column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Str,
    Int32,
    Int64,
    Bool,
    /// Exact decimal, `DECIMAL(38, 10)`.
    Dec,
}

/// One cell of a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Str(String),
    Int(i64),
    Bool(bool),
    Dec(Decimal),
}

/// A named table of typed columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub name: &'static str,
    pub columns: Vec<(String, ColType)>,
    pub rows: Vec<Vec<Cell>>,
}

/// File format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }
}

/// A problem of an export (fatal: exit code 2).
#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Jsonl(#[from] crate::output::JsonlError),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    #[error("column {column}: {value} has more than 10 decimal places")]
    Scale { column: String, value: String },
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub values: usize,
    pub documents: usize,
}

fn s(v: &Value) -> Cell {
    match v {
        Value::String(x) => Cell::Str(x.clone()),
        Value::Null => Cell::Null,
        other => Cell::Str(other.to_string()),
    }
}

fn int(v: &Value) -> Cell {
    v.as_i64().map_or(Cell::Null, Cell::Int)
}

fn boolean(v: &Value) -> Cell {
    v.as_bool().map_or(Cell::Null, Cell::Bool)
}

/// A JSON number as an exact decimal (the output prints every digit; no float on the way).
pub fn dec(v: &Value) -> Option<Decimal> {
    let Value::Number(n) = v else { return None };
    let text = n.to_string();
    Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

fn dcell(v: &Value) -> Cell {
    dec(v).map_or(Cell::Null, Cell::Dec)
}

/// The identity columns every per-document frame starts with.
const IDENTITY: [(&str, ColType); 7] = [
    ("doc_id", ColType::Str),
    ("source", ColType::Str),
    ("department", ColType::Str),
    ("department_normalized", ColType::Str),
    ("year", ColType::Int32),
    ("kind", ColType::Str),
    ("region", ColType::Str),
];

/// A document's identity cells, from its `documents.jsonl` line.
#[derive(Debug, Clone)]
struct Identity {
    cells: Vec<Cell>,
}

impl Identity {
    fn of(doc: &Value) -> Identity {
        Identity {
            cells: vec![
                s(&doc["doc_id"]),
                s(&doc["source"]),
                s(&doc["department"]),
                s(&doc["department_normalized"]),
                int(&doc["year"]),
                s(&doc["kind"]),
                s(&doc["region"]),
            ],
        }
    }

    fn unknown(doc_id: &Value, source: &Value) -> Identity {
        let mut cells = vec![Cell::Null; IDENTITY.len()];
        cells[0] = s(doc_id);
        cells[1] = s(source);
        Identity { cells }
    }
}

/// The reference string a check uses for a table cell or a fact (see `checks`).
fn cell_ref(table: &str, row: &str, column: &str, page: &Value) -> String {
    match page.as_u64() {
        Some(p) => format!("table:{table}[{row},{column}]@p{p}"),
        None => format!("table:{table}[{row},{column}]"),
    }
}

fn fact_ref(f: &Value) -> String {
    let key = f["key"].as_str().unwrap_or_default();
    let item = f["item"]
        .as_str()
        .map(|i| format!("[{i}]"))
        .unwrap_or_default();
    match f["page"].as_u64() {
        Some(p) => format!("fact:{key}{item}@p{p}"),
        None => format!("fact:{key}{item}"),
    }
}

/// A parsed check reference: `fact:KEY[item]@pN`, `table:ID[row,column]@pN`, `contents@pN`, ….
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRef {
    pub kind: String,
    pub id: Option<String>,
    pub item: Option<String>,
    pub column: Option<String>,
    pub page: Option<i64>,
}

/// Parses one reference string of `checks.jsonl` `refs`.
pub fn parse_ref(r: &str) -> ParsedRef {
    let (body, page) = match r.rsplit_once("@p") {
        Some((b, p)) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => {
            (b, p.parse::<i64>().ok())
        }
        _ => (r, None),
    };
    let (kind, rest) = body.split_once(':').unwrap_or((body, ""));
    let (id, inner) = match (rest.find('['), rest.ends_with(']')) {
        (Some(i), true) => (&rest[..i], Some(&rest[i + 1..rest.len() - 1])),
        _ => (rest, None),
    };
    let (item, column) = match (kind, inner) {
        ("table", Some(inner)) => match inner.rsplit_once(',') {
            Some((row, col)) => (Some(row.to_string()), Some(col.to_string())),
            None => (Some(inner.to_string()), None),
        },
        (_, Some(inner)) => (Some(inner.to_string()), None),
        (_, None) => (None, None),
    };
    ParsedRef {
        kind: kind.to_string(),
        id: (!id.is_empty()).then(|| id.to_string()),
        item,
        column,
        page,
    }
}

/// Every frame of an export, built from the JSON Lines of `dir`.
pub fn frames(dir: &Path, patterns: &PatternSet) -> Result<Vec<Frame>, ExportError> {
    let docs = crate::output::read_jsonl(&dir.join("documents.jsonl"))?;
    let facts = crate::output::read_jsonl(&dir.join("facts.jsonl"))?;
    let tables = crate::output::read_jsonl(&dir.join("tables.jsonl"))?;
    let checks = crate::output::read_jsonl(&dir.join("checks.jsonl"))?;
    let ids = Identities::of(&docs);
    let readers = CheckReaders::of(&checks);
    let mut values = frame("values", &VALUE_COLUMNS);
    fact_values(&facts, &ids, &readers, &mut values);
    cell_values(&tables, patterns, &ids, &readers, &mut values);
    let (check_frame, refs_frame) = check_frames(&checks, &ids);
    Ok(vec![
        values,
        documents_frame(&docs),
        check_frame,
        refs_frame,
        panel_frame(&docs, &facts, patterns),
    ])
}

/// A per-document frame named `name`: the identity columns, then `columns`; no rows yet.
fn frame(name: &'static str, columns: &[(&str, ColType)]) -> Frame {
    Frame {
        name,
        columns: IDENTITY
            .iter()
            .chain(columns)
            .map(|(n, t)| (n.to_string(), *t))
            .collect(),
        rows: Vec::new(),
    }
}

/// The identity of each doc_id: the first `documents.jsonl` line that is not a duplicate.
struct Identities(HashMap<String, Identity>);

impl Identities {
    fn of(docs: &[Value]) -> Identities {
        let mut identity: HashMap<String, Identity> = HashMap::new();
        for d in docs {
            if d["status"].as_str() == Some("duplicate") {
                continue;
            }
            if let Some(id) = d["doc_id"].as_str() {
                identity
                    .entry(id.to_string())
                    .or_insert_with(|| Identity::of(d));
            }
        }
        Identities(identity)
    }

    /// The identity cells of the document a record (`doc_id`, `source`) belongs to.
    fn cells(&self, v: &Value) -> Vec<Cell> {
        v["doc_id"]
            .as_str()
            .and_then(|id| self.0.get(id))
            .cloned()
            .unwrap_or_else(|| Identity::unknown(&v["doc_id"], &v["source"]))
            .cells
    }
}

/// Which checks read which reference, per document.
struct CheckReaders(HashMap<(String, String), Vec<String>>);

impl CheckReaders {
    fn of(checks: &[Value]) -> CheckReaders {
        let mut check_ids: HashMap<(String, String), Vec<String>> = HashMap::new();
        for c in checks {
            let doc = c["doc_id"].as_str().unwrap_or_default();
            let id = c["check"].as_str().unwrap_or_default();
            for r in c["refs"].as_array().into_iter().flatten() {
                if let Some(r) = r.as_str() {
                    let ids = check_ids
                        .entry((doc.to_string(), r.to_string()))
                        .or_default();
                    if !ids.iter().any(|x| x == id) {
                        ids.push(id.to_string());
                    }
                }
            }
        }
        CheckReaders(check_ids)
    }

    /// The ids of the checks of document `doc` that read reference `r` (`;`-joined), or null.
    fn cell(&self, doc: &Value, r: &str) -> Cell {
        let doc = doc.as_str().unwrap_or_default();
        match self.0.get(&(doc.to_string(), r.to_string())) {
            Some(ids) => Cell::Str(ids.join(";")),
            None => Cell::Null,
        }
    }
}

/// The columns of `values` after the identity.
const VALUE_COLUMNS: [(&str, ColType); 26] = [
    ("origin", ColType::Str),
    ("key", ColType::Str),
    ("item", ColType::Str),
    ("table", ColType::Str),
    ("table_title", ColType::Str),
    ("table_index", ColType::Int32),
    ("row_index", ColType::Int32),
    ("row_code", ColType::Str),
    ("row_name", ColType::Str),
    ("level", ColType::Int32),
    ("parent", ColType::Str),
    ("column_index", ColType::Int32),
    ("column", ColType::Str),
    ("column_id", ColType::Str),
    ("value", ColType::Dec),
    ("unit", ColType::Str),
    ("approximate", ColType::Bool),
    ("page", ColType::Int32),
    ("section", ColType::Str),
    ("raw", ColType::Str),
    ("pattern", ColType::Str),
    ("checks", ColType::Str),
    ("bbox_x0", ColType::Dec),
    ("bbox_y0", ColType::Dec),
    ("bbox_x1", ColType::Dec),
    ("bbox_y1", ColType::Dec),
];

/// The four numbers of a box (`[x0, y0, x1, y1]`, page user space), nulls without one.
fn box_cells(b: Option<&Value>) -> [Cell; 4] {
    let at = |i: usize| b.and_then(|b| b.get(i)).map_or(Cell::Null, dcell);
    [at(0), at(1), at(2), at(3)]
}

/// One `values` row per fact.
fn fact_values(facts: &[Value], ids: &Identities, readers: &CheckReaders, values: &mut Frame) {
    for f in facts {
        let pattern = f["pattern"].as_str().unwrap_or_default();
        let origin = match f["origin"].as_str() {
            Some(o) => o.to_string(),
            None if pattern.starts_with("table:") => "derived".to_string(),
            None => "narrative".to_string(),
        };
        let mut row = ids.cells(f);
        row.extend([
            Cell::Str(origin),
            s(&f["key"]),
            s(&f["item"]),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            dcell(&f["value"]),
            s(&f["unit"]),
            boolean(&f["approximate"]),
            int(&f["page"]),
            s(&f["section"]),
            s(&f["raw"]),
            s(&f["pattern"]),
            readers.cell(&f["doc_id"], &fact_ref(f)),
        ]);
        row.extend(box_cells(f.get("bbox").filter(|b| !b.is_null())));
        values.rows.push(row);
    }
}

/// The strings of a table record's array field (`columns`, `column_units`).
fn strings(t: &Value, field: &str) -> Vec<String> {
    t[field]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c.as_str().unwrap_or_default().to_string())
        .collect()
}

/// One `values` row per non-null table cell.
fn cell_values(
    tables: &[Value],
    patterns: &PatternSet,
    ids: &Identities,
    readers: &CheckReaders,
    values: &mut Frame,
) {
    let mut table_index: HashMap<String, i64> = HashMap::new();
    for t in tables {
        let doc = t["doc_id"].as_str().unwrap_or_default().to_string();
        let ti = table_index.entry(doc).or_insert(0);
        *ti += 1;
        let id = t["table"].as_str().unwrap_or_default();
        let columns = strings(t, "columns");
        let units = strings(t, "column_units");
        let is_value: Vec<bool> = (0..columns.len())
            .map(|i| units.get(i).is_some_and(|u| !u.is_empty()))
            .collect();
        let column_ids = patterns.column_ids.table_ids(&columns, &is_value);
        let base = ids.cells(t);
        for (ri, r) in t["rows"].as_array().into_iter().flatten().enumerate() {
            let name = r["name"].as_str().unwrap_or_default();
            for (ci, cell) in r["cells"].as_array().into_iter().flatten().enumerate() {
                let Some(value) = dec(cell) else { continue };
                let column = columns.get(ci).cloned().unwrap_or_default();
                let mut row = base.clone();
                row.extend([
                    Cell::Str("table".to_string()),
                    Cell::Null,
                    Cell::Null,
                    Cell::Str(id.to_string()),
                    s(&t["title"]),
                    Cell::Int(*ti),
                    Cell::Int(ri as i64 + 1),
                    s(&r["code"]),
                    s(&r["name"]),
                    int(&r["level"]),
                    s(&r["parent"]),
                    Cell::Int(ci as i64 + 1),
                    Cell::Str(column.clone()),
                    column_ids
                        .get(ci)
                        .cloned()
                        .flatten()
                        .map_or(Cell::Null, Cell::Str),
                    Cell::Dec(value),
                    units
                        .get(ci)
                        .cloned()
                        .map_or(Cell::Null, |u| Cell::Str(u.to_string())),
                    Cell::Null,
                    int(&r["page"]),
                    Cell::Null,
                    r["raw"].get(ci).map_or(Cell::Null, s),
                    Cell::Null,
                    readers.cell(&t["doc_id"], &cell_ref(id, name, &column, &r["page"])),
                ]);
                row.extend(box_cells(
                    r.get("bboxes")
                        .and_then(|b| b.get(ci))
                        .filter(|b| !b.is_null()),
                ));
                values.rows.push(row);
            }
        }
    }
}

/// `documents`: one row per `documents.jsonl` line (duplicates too).
fn documents_frame(docs: &[Value]) -> Frame {
    let mut documents = frame(
        "documents",
        &[
            ("status", ColType::Str),
            ("error_code", ColType::Str),
            ("error_message", ColType::Str),
            ("duplicate_of", ColType::Str),
            ("format", ColType::Str),
            ("encoding", ColType::Str),
            ("pages", ColType::Int32),
            ("tables", ColType::Str),
            ("facts", ColType::Int64),
            ("checks_failed", ColType::Int64),
            ("warnings_total", ColType::Int64),
            ("characters", ColType::Int64),
            ("unmapped_glyphs", ColType::Int64),
            ("bytes", ColType::Int64),
            ("program_version", ColType::Str),
            ("patterns", ColType::Str),
        ],
    );
    for d in docs {
        let mut row = Identity::of(d).cells;
        let tables: Vec<&str> = d["tables"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        row.extend([
            s(&d["status"]),
            s(&d["error"]["code"]),
            s(&d["error"]["message"]),
            s(&d["duplicate_of"]),
            s(&d["format"]),
            s(&d["encoding"]),
            int(&d["pages"]),
            Cell::Str(tables.join(",")),
            int(&d["facts"]),
            int(&d["checks_failed"]),
            int(&d["warnings_total"]),
            int(&d["text_quality"]["characters"]),
            int(&d["text_quality"]["unmapped_glyphs"]),
            int(&d["bytes"]),
            s(&d["program_version"]),
            s(&d["patterns"]),
        ]);
        documents.rows.push(row);
    }
    documents
}

/// `checks` (one row per check) and `check_refs` (one row per reference of a check, parsed).
fn check_frames(checks: &[Value], ids: &Identities) -> (Frame, Frame) {
    let mut check_frame = frame(
        "checks",
        &[
            ("check_index", ColType::Int32),
            ("check", ColType::Str),
            ("status", ColType::Str),
            ("expected", ColType::Dec),
            ("actual", ColType::Dec),
            ("diff", ColType::Dec),
            ("message", ColType::Str),
            ("refs", ColType::Str),
        ],
    );
    let mut refs_frame = Frame {
        name: "check_refs",
        columns: [
            ("doc_id", ColType::Str),
            ("check_index", ColType::Int32),
            ("check", ColType::Str),
            ("ref_index", ColType::Int32),
            ("ref", ColType::Str),
            ("kind", ColType::Str),
            ("id", ColType::Str),
            ("item", ColType::Str),
            ("column", ColType::Str),
            ("page", ColType::Int32),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), *t))
        .collect(),
        rows: Vec::new(),
    };
    let mut check_index: HashMap<String, i64> = HashMap::new();
    for c in checks {
        let doc = c["doc_id"].as_str().unwrap_or_default().to_string();
        let ci = check_index.entry(doc).or_insert(0);
        *ci += 1;
        let refs: Vec<&str> = c["refs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut row = ids.cells(c);
        row.extend([
            Cell::Int(*ci),
            s(&c["check"]),
            s(&c["status"]),
            dcell(&c["expected"]),
            dcell(&c["actual"]),
            dcell(&c["diff"]),
            s(&c["message"]),
            Cell::Str(refs.join(" ")),
        ]);
        check_frame.rows.push(row);
        for (ri, r) in refs.iter().enumerate() {
            let p = parse_ref(r);
            let opt = |x: Option<String>| x.map_or(Cell::Null, Cell::Str);
            refs_frame.rows.push(vec![
                s(&c["doc_id"]),
                Cell::Int(*ci),
                s(&c["check"]),
                Cell::Int(ri as i64 + 1),
                Cell::Str((*r).to_string()),
                Cell::Str(p.kind),
                opt(p.id),
                opt(p.item),
                opt(p.column),
                p.page.map_or(Cell::Null, Cell::Int),
            ]);
        }
    }
    (check_frame, refs_frame)
}

/// `panel`: one row per processed document, one column per headline key (the first fact of that
/// key without an item).
fn panel_frame(docs: &[Value], facts: &[Value], patterns: &PatternSet) -> Frame {
    let headline: Vec<&str> = patterns.headline_keys().map(|k| k.key.as_str()).collect();
    let mut panel = frame("panel", &[("status", ColType::Str)]);
    for k in &headline {
        panel.columns.push((k.to_string(), ColType::Dec));
    }
    let mut first: HashMap<(String, String), Decimal> = HashMap::new();
    for f in facts {
        if !f["item"].is_null() {
            continue;
        }
        let (Some(doc), Some(key), Some(v)) =
            (f["doc_id"].as_str(), f["key"].as_str(), dec(&f["value"]))
        else {
            continue;
        };
        first.entry((doc.to_string(), key.to_string())).or_insert(v);
    }
    for d in docs {
        if matches!(d["status"].as_str(), Some("duplicate" | "failed")) {
            continue;
        }
        let doc = d["doc_id"].as_str().unwrap_or_default();
        let mut row = Identity::of(d).cells;
        row.push(s(&d["status"]));
        for k in &headline {
            row.push(
                first
                    .get(&(doc.to_string(), (*k).to_string()))
                    .map_or(Cell::Null, |v| Cell::Dec(*v)),
            );
        }
        panel.rows.push(row);
    }
    panel
}

/// Writes every frame of `dir`'s JSON Lines into `out` in `format`; `panel.csv` is always written.
pub fn export(
    dir: &Path,
    out: &Path,
    format: Format,
    patterns: &PatternSet,
) -> Result<Written, ExportError> {
    let all = frames(dir, patterns)?;
    fs::create_dir_all(out).map_err(|e| ExportError::Write {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    let mut written = Written {
        files: Vec::new(),
        values: all.first().map_or(0, |f| f.rows.len()),
        documents: all.get(1).map_or(0, |f| f.rows.len()),
    };
    for frame in &all {
        let path = out.join(format!("{}.{}", frame.name, format.extension()));
        match format {
            Format::Parquet => write::parquet(frame, &path)?,
            Format::Csv => write::csv(frame, &path)?,
        }
        written.files.push(path);
        if frame.name == "panel" && format != Format::Csv {
            let path = out.join("panel.csv");
            write::csv(frame, &path)?;
            written.files.push(path);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_parse_into_their_parts() {
        assert_eq!(
            parse_ref("table:F01[收入总计,收入/决算数]@p7"),
            ParsedRef {
                kind: "table".into(),
                id: Some("F01".into()),
                item: Some("收入总计".into()),
                column: Some("收入/决算数".into()),
                page: Some(7),
            }
        );
        assert_eq!(
            parse_ref("fact:expenditure.class[其他支出]@p13"),
            ParsedRef {
                kind: "fact".into(),
                id: Some("expenditure.class".into()),
                item: Some("其他支出".into()),
                column: None,
                page: Some(13),
            }
        );
        let p = parse_ref("table:B03@p2");
        assert_eq!(
            (p.id.as_deref(), p.item, p.page),
            (Some("B03"), None, Some(2))
        );
    }

    #[test]
    fn standard_column_ids_are_qualified_only_when_a_measure_repeats() {
        let set = PatternSet::load(None).expect("built-in patterns");
        let cols = |labels: &[&str]| -> Vec<Option<String>> {
            let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
            set.column_ids.table_ids(&labels, &vec![true; labels.len()])
        };
        let ids = |v: Vec<Option<String>>| -> Vec<String> {
            v.into_iter().map(|x| x.unwrap_or_default()).collect()
        };
        assert_eq!(
            ids(cols(&[
                "一般公共预算支出/合计",
                "一般公共预算支出/基本支出",
                "一般公共预算支出/项目支出"
            ])),
            ["total", "basic", "project"]
        );
        assert_eq!(
            ids(cols(&["合计", "基本支出", "项目支出"])),
            ["total", "basic", "project"]
        );
        assert_eq!(
            ids(cols(&["一般公共预算支出/合计", "政府性基金预算支出/合计"])),
            ["gpb.total", "gov_fund.total"]
        );
        assert_eq!(
            ids(cols(&["收入/决算数", "支出/决算数"])),
            ["income.final", "expenditure.final"]
        );
        // A text column never gets an id.
        let labels = vec!["项目".to_string(), "金额".to_string()];
        assert_eq!(
            set.column_ids.table_ids(&labels, &[false, true]),
            [None, Some("total".to_string())]
        );
    }
}
