//! The records of a run as the review reads them: typed, with only the fields the review uses.
//!
//! In: the lines of `documents.jsonl`, `facts.jsonl`, `tables.jsonl` and `checks.jsonl` (the output
//! contract, `spec/OUTPUT.md`). Out: [`DocRecord`], [`FactRecord`], [`TableRecord`] and
//! [`CheckRecord`] values; every other field of a line is skipped while parsing (never built), which
//! is most of the cost of reading a run back. Numbers that are printed (`value`, `expected`, …) stay
//! JSON numbers, so they print with the digits of the file. A field that is null or missing is its
//! empty value.
//!
//! Not here: deciding anything; writing the files (see `output`).

use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::output::JsonlError;

/// A null or missing field as the type's default (an empty string, an empty list).
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// `error` of a document record.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ErrorInfo {
    #[serde(default, deserialize_with = "nullable")]
    pub code: String,
    #[serde(default, deserialize_with = "nullable")]
    pub message: String,
}

/// One line of `documents.jsonl`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct DocRecord {
    #[serde(default, deserialize_with = "nullable")]
    pub doc_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub source: String,
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    #[serde(default, deserialize_with = "nullable")]
    pub format: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub department: String,
    #[serde(default, deserialize_with = "nullable")]
    pub tables: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub table_part: String,
    #[serde(default)]
    pub error: Option<ErrorInfo>,
}

/// `cell` of a fact read from a table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CellRef {
    #[serde(default, deserialize_with = "nullable")]
    pub table: String,
    #[serde(default, deserialize_with = "nullable")]
    pub row: String,
    #[serde(default, deserialize_with = "nullable")]
    pub column: String,
}

/// One line of `facts.jsonl`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct FactRecord {
    #[serde(default, deserialize_with = "nullable")]
    pub doc_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub key: String,
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub value: Value,
    #[serde(default, deserialize_with = "nullable")]
    pub unit: String,
    #[serde(default, deserialize_with = "nullable")]
    pub raw: String,
    #[serde(default, deserialize_with = "nullable")]
    pub pattern: String,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub cell: Option<CellRef>,
    #[serde(default)]
    pub bbox: Option<Vec<f64>>,
}

/// One row of a table record.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RowRecord {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "nullable")]
    pub cells: Vec<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub raw: Vec<Option<String>>,
    #[serde(default)]
    pub bboxes: Option<Vec<Option<Vec<f64>>>>,
}

/// One line of `tables.jsonl`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct TableRecord {
    #[serde(default, deserialize_with = "nullable")]
    pub doc_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub table: String,
    #[serde(default, deserialize_with = "nullable")]
    pub unit: String,
    #[serde(default, deserialize_with = "nullable")]
    pub columns: Vec<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub column_units: Vec<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub rows: Vec<RowRecord>,
}

/// One term of a check record.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct TermRecord {
    #[serde(default, deserialize_with = "nullable")]
    pub role: String,
    #[serde(default)]
    pub value: Value,
    #[serde(default, deserialize_with = "nullable")]
    pub source: String,
    #[serde(default, deserialize_with = "nullable")]
    pub key: String,
    #[serde(default, deserialize_with = "nullable")]
    pub table: String,
    #[serde(default, deserialize_with = "nullable")]
    pub row: String,
    #[serde(default, deserialize_with = "nullable")]
    pub column: String,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub bbox: Option<Vec<f64>>,
    #[serde(default)]
    pub raw: Option<String>,
}

/// One line of `checks.jsonl`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CheckRecord {
    #[serde(default, deserialize_with = "nullable")]
    pub doc_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub check: String,
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    #[serde(default)]
    pub expected: Value,
    #[serde(default)]
    pub actual: Value,
    #[serde(default)]
    pub diff: Value,
    #[serde(default, deserialize_with = "nullable")]
    pub refs: Vec<String>,
    #[serde(default)]
    pub formula: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub terms: Vec<TermRecord>,
}

/// The records of one JSON Lines file, its lines parsed in parallel (blank lines skipped); the
/// first bad line (by line number) is the error.
pub fn read<T>(path: &Path) -> Result<Vec<T>, JsonlError>
where
    T: for<'de> Deserialize<'de> + Send,
{
    let text = std::fs::read_to_string(path).map_err(|e| JsonlError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let name = path.display().to_string();
    lines_of(&text)
        .par_iter()
        .map(|&(i, line)| parse_line(i, line, &name))
        .collect()
}

/// The records of JSON Lines text (`name` says where it comes from in an error), parsed in the
/// calling thread: one document's lines as the run writes them (a parallel parse of a few lines
/// costs more in waking threads than it saves).
pub fn parse<T>(text: &str, name: &str) -> Result<Vec<T>, JsonlError>
where
    T: for<'de> Deserialize<'de>,
{
    lines_of(text)
        .into_iter()
        .map(|(i, line)| parse_line(i, line, name))
        .collect()
}

/// The non-blank lines of a text with their 0-based numbers.
fn lines_of(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect()
}

fn parse_line<T>(i: usize, line: &str, name: &str) -> Result<T, JsonlError>
where
    T: for<'de> Deserialize<'de>,
{
    serde_json::from_str(line).map_err(|e| JsonlError::Json {
        path: name.to_string(),
        line: i + 1,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_and_missing_fields_are_empty_and_numbers_keep_their_digits() {
        let f: FactRecord = serde_json::from_str(
            r#"{"doc_id":"d","key":"k","item":null,"value":1230.00,"unit":null,"page":3,
                "cell":{"table":"F01","row":"r","column":null},"bbox":[1,2,3,4],"extra":{"a":[1]}}"#,
        )
        .expect("a fact");
        assert_eq!(f.key, "k");
        assert_eq!(f.item, None);
        assert_eq!(f.value.to_string(), "1230.00");
        assert_eq!(f.unit, "");
        assert_eq!(f.raw, "");
        assert_eq!(f.page, Some(3));
        assert_eq!(f.cell.as_ref().map(|c| c.column.as_str()), Some(""));
        assert_eq!(f.bbox, Some(vec![1.0, 2.0, 3.0, 4.0]));
        let c: CheckRecord =
            serde_json::from_str(r#"{"check":"x","status":"fail","refs":null,"terms":null}"#)
                .expect("a check");
        assert!(c.refs.is_empty() && c.terms.is_empty());
        assert!(c.expected.is_null());
    }

    #[test]
    fn a_bad_line_is_located() {
        let dir = std::env::temp_dir().join(format!("yjs-records-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("facts.jsonl");
        std::fs::write(&path, "{\"key\":\"a\"}\n\n{\"key\":\"b\"}\n{\"key\":\n").expect("write");
        match read::<FactRecord>(&path) {
            Err(JsonlError::Json { line, .. }) => assert_eq!(line, 4),
            other => panic!("expected a located error, got {other:?}"),
        }
        std::fs::write(&path, "{\"key\":\"a\"}\n\n{\"key\":\"b\"}\n").expect("write");
        let keys: Vec<String> = read::<FactRecord>(&path)
            .expect("read")
            .into_iter()
            .map(|f| f.key)
            .collect();
        assert_eq!(keys, ["a", "b"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
