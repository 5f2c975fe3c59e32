//! Pattern sets: the data in `patterns/` (fact patterns, unit words, the key vocabulary) loaded,
//! compiled and verified.
//!
//! In: the embedded default files or a `--patterns DIR` (every `*.toml` under it, which then replaces
//! the defaults entirely). Out: a compiled [`PatternSet`] with a fingerprint, or a [`PatternError`]
//! naming `file:line` (TOML) or `file:id:field`. Each file may hold `[[key]]` entries (the key
//! vocabulary, mirroring metrics.tsv), a `[units]` table with `[fragments]` (named regex pieces such as
//! `{money}`), `[[pattern]]` entries, and one `[metadata]` table (the document metadata rules, compiled
//! and verified by [`crate::metadata::MetadataRules`]). See `patterns/README.md` for the format.
//!
//! [`FactPattern::apply`] turns a regex match into a value in the key's unit; the examples of
//! [`PatternSet::check`] and the extractor both go through it, so an example that passes is what the
//! extractor will produce. Not here: choosing sections (see [`crate::extract::facts`]).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use regex::Regex;
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::amount::{parse_number, Amount, UnitWords};
use crate::checks::identities::{Identities, IdentityDef, IDENTITIES_FILE};
use crate::error::PatternError;
use crate::extract::tables::catalog::{Catalog, CATALOG_FILE};
use crate::extract::tables::figures::{FigureGroup, Figures, NameWords, PartSets};
use crate::extract::tables::labels::{ColumnWords, ColumnsEntry};
use crate::extract::tables::rows::{default_row_words, RowWords};
use crate::metadata::{MetadataEntry, MetadataRules};
use crate::normalize::normalize_line;
use crate::vocabulary::{Outline, Performance, Sections, TableLayout, Vocabulary};

/// The default pattern files, embedded in the binary: (name relative to `patterns/`, contents).
const DEFAULT_FILES: &[(&str, &str)] = &[
    ("keys.toml", include_str!("../patterns/keys.toml")),
    ("units.toml", include_str!("../patterns/units.toml")),
    ("metadata.toml", include_str!("../patterns/metadata.toml")),
    (
        "column_ids.toml",
        include_str!("../patterns/column_ids.toml"),
    ),
    (
        "facts/totals.toml",
        include_str!("../patterns/facts/totals.toml"),
    ),
    (
        "facts/income.toml",
        include_str!("../patterns/facts/income.toml"),
    ),
    (
        "facts/expenditure.toml",
        include_str!("../patterns/facts/expenditure.toml"),
    ),
    (
        "facts/fiscal.toml",
        include_str!("../patterns/facts/fiscal.toml"),
    ),
    ("facts/gpb.toml", include_str!("../patterns/facts/gpb.toml")),
    (
        "facts/sangong.toml",
        include_str!("../patterns/facts/sangong.toml"),
    ),
    (
        "facts/operations.toml",
        include_str!("../patterns/facts/operations.toml"),
    ),
    (
        "facts/budget_statement.toml",
        include_str!("../patterns/facts/budget_statement.toml"),
    ),
    (
        "facts/table_statements.toml",
        include_str!("../patterns/facts/table_statements.toml"),
    ),
    (
        "facts/budget_overview.toml",
        include_str!("../patterns/facts/budget_overview.toml"),
    ),
    (
        "facts/staff.toml",
        include_str!("../patterns/facts/staff.toml"),
    ),
    (
        CATALOG_FILE,
        include_str!("../patterns/tables/catalog.toml"),
    ),
    (
        "tables/columns.toml",
        include_str!("../patterns/tables/columns.toml"),
    ),
    (
        "tables/rows.toml",
        include_str!("../patterns/tables/rows.toml"),
    ),
    (
        "tables/figures.toml",
        include_str!("../patterns/tables/figures.toml"),
    ),
    (
        "identities.toml",
        include_str!("../patterns/identities.toml"),
    ),
    (
        crate::vocabulary::OUTLINE_FILE,
        include_str!("../patterns/outline.toml"),
    ),
    (
        crate::vocabulary::TABLE_LAYOUT_FILE,
        include_str!("../patterns/tables/layout.toml"),
    ),
    (
        crate::vocabulary::PERFORMANCE_FILE,
        include_str!("../patterns/tables/performance.toml"),
    ),
];

static FRAGMENT_REF: LazyLock<Regex> =
    LazyLock::new(|| bounded_regex(r"\{([a-z_]+)\}").expect("fragment reference regex"));

/// How the value of a key is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Converted to 万元 through the unit words.
    Money,
    /// A percent: the number before `%`.
    Percent,
    /// A whole count (人, 批次, 辆, ...).
    Count,
}

/// One key of the vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDef {
    pub key: String,
    pub unit: String,
    pub kind: ValueKind,
    /// What the key means, in the reports' words (`收入总计`).
    pub label: String,
    /// Why a key that is not in metrics.tsv exists; empty for the others.
    pub note: String,
    /// A headline figure: one column of the export's `panel` (one row per document).
    pub headline: bool,
}

/// One entry of the column-id vocabulary (`patterns/column_ids.toml`).
#[derive(Debug, Clone)]
pub struct ColumnDef {
    /// The standard id (`total`, `basic`, ...).
    pub id: String,
    /// The usual header word (documentation).
    pub label: String,
    pub file: String,
    /// Matched against one segment of a column label (spaces removed).
    pub regex: Regex,
    /// (label, id it must yield as the only money column of a table).
    pub examples: Vec<(String, String)>,
    /// Labels that must not yield this id.
    pub counter_examples: Vec<String>,
}

/// The column-id vocabulary: header labels → standard column ids (see `patterns/column_ids.toml`).
#[derive(Debug, Clone, Default)]
pub struct ColumnVocabulary {
    pub entries: Vec<ColumnDef>,
}

impl ColumnVocabulary {
    /// The id of one header segment: the first entry whose regex matches it.
    pub fn segment_id(&self, segment: &str) -> Option<&str> {
        let s: String = segment.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.regex.is_match(&s))
            .map(|e| e.id.as_str())
    }

    /// The measure of a label (the id of its last matching segment) and its qualifiers (the ids of
    /// the earlier matching segments, in order, without repeats).
    pub fn label_ids(&self, label: &str) -> Option<(String, Vec<String>)> {
        let ids: Vec<&str> = label
            .split('/')
            .filter_map(|seg| self.segment_id(seg))
            .collect();
        let (measure, before) = ids.split_last()?;
        let mut qualifiers: Vec<String> = Vec::new();
        for q in before {
            if q != measure && !qualifiers.iter().any(|x| x == q) {
                qualifiers.push((*q).to_string());
            }
        }
        Some((measure.to_string(), qualifiers))
    }

    /// The id of each column of a table: the measure, with its qualifiers prepended (`gpb.total`)
    /// when another value column of the table has the same measure. Columns that are not value
    /// columns (`is_value` false) and labels that match nothing get `None`.
    pub fn table_ids(&self, columns: &[String], is_value: &[bool]) -> Vec<Option<String>> {
        let parsed: Vec<Option<(String, Vec<String>)>> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if is_value.get(i).copied().unwrap_or(false) {
                    self.label_ids(c)
                } else {
                    None
                }
            })
            .collect();
        parsed
            .iter()
            .map(|p| {
                let (measure, qualifiers) = p.as_ref()?;
                let shared = parsed
                    .iter()
                    .flatten()
                    .filter(|(m, _)| m == measure)
                    .count()
                    > 1;
                if shared && !qualifiers.is_empty() {
                    Some(format!("{}.{measure}", qualifiers.join(".")))
                } else {
                    Some(measure.clone())
                }
            })
            .collect()
    }

    /// Verifies every entry's examples and counter-examples (`file:id:field: message`).
    fn check(&self, problems: &mut Vec<String>) {
        for e in &self.entries {
            for (i, (label, want)) in e.examples.iter().enumerate() {
                let got = self.table_ids(std::slice::from_ref(label), &[true]);
                let got = got.first().cloned().flatten();
                if got.as_deref() != Some(want.as_str()) {
                    problems.push(format!(
                        "{}:{}:examples[{i}]: {label:?} should yield {want} but yields {}",
                        e.file,
                        e.id,
                        got.as_deref().unwrap_or("nothing")
                    ));
                }
            }
            for (i, label) in e.counter_examples.iter().enumerate() {
                let got = self.label_ids(label).map(|(m, _)| m);
                if got.as_deref() == Some(e.id.as_str()) {
                    problems.push(format!(
                        "{}:{}:counter_examples[{i}]: {label:?} must not yield {}",
                        e.file, e.id, e.id
                    ));
                }
            }
        }
    }
}

/// An example a pattern must match, with what it must yield.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub value: String,
    pub item: Option<String>,
}

/// One compiled fact pattern.
#[derive(Debug, Clone)]
pub struct FactPattern {
    pub id: String,
    /// The file it came from, relative to the pattern folder.
    pub file: String,
    /// The key it yields, then any further keys the same statement gives (`收入支出总计` → both totals).
    pub keys: Vec<KeyDef>,
    /// Matched against [`crate::segment::Outline::trail`]; `None` = every section.
    pub scope: Option<Regex>,
    pub regex: Regex,
    /// Where the named groups of `regex` are (looked up once, not by name for every match).
    groups: Groups,
    /// The value when the statement holds no number (`无因公出国(境)费用支出` → 0).
    pub fixed_value: Option<Decimal>,
    /// The item when the pattern names it instead of capturing it.
    pub fixed_item: Option<String>,
    /// Captured items that are not items of this key (`基本支出` in a list of classes).
    pub exclude_items: Vec<String>,
    /// The unit of a money value written without one (`支出决算为0`).
    pub assume_unit: Option<String>,
    /// The pattern's own remark (why a statement is filed under its key).
    pub note: String,
    pub examples: Vec<Example>,
    pub counter_examples: Vec<String>,
}

/// One value read by a pattern from a text.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternMatch {
    pub value: Decimal,
    pub approximate: bool,
    pub item: Option<String>,
    /// The text the value was read from (`4193.92万元`, `4800余万`, `12%`, or the whole statement for a
    /// fixed value).
    pub raw: String,
    /// Byte offset of the match in the text.
    pub start: usize,
    /// Byte offset of the value (of the whole match for a fixed value): where its page is read.
    pub value_start: usize,
}

/// The indices of the named groups a fact pattern may have (None: the regex has no such group).
#[derive(Debug, Clone, Copy, Default)]
struct Groups {
    value: Option<usize>,
    approx_pre: Option<usize>,
    approx: Option<usize>,
    unit: Option<usize>,
    item: Option<usize>,
    sign: Option<usize>,
}

impl Groups {
    fn of(regex: &Regex) -> Groups {
        let at = |name: &str| regex.capture_names().position(|n| n == Some(name));
        Groups {
            value: at("value"),
            approx_pre: at("approx_pre"),
            approx: at("approx"),
            unit: at("unit"),
            item: at("item"),
            sign: at("sign"),
        }
    }
}

/// Group `index` of a match (None for no such group or one that did not take part).
fn group<'h>(caps: &regex::Captures<'h>, index: Option<usize>) -> Option<regex::Match<'h>> {
    index.and_then(|i| caps.get(i))
}

impl FactPattern {
    /// Every value this pattern reads from `text` (already normalised).
    pub fn apply(&self, text: &str, units: &UnitWords) -> Vec<PatternMatch> {
        self.apply_with(&self.regex, text, units)
    }

    /// [`FactPattern::apply`] through `regex`, a copy of this pattern's regex (same source, its own
    /// search cache).
    pub fn apply_with(&self, regex: &Regex, text: &str, units: &UnitWords) -> Vec<PatternMatch> {
        let Some(key) = self.keys.first() else {
            return Vec::new();
        };
        let g = &self.groups;
        let mut out = Vec::new();
        for caps in regex.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let item = match (&self.fixed_item, group(&caps, g.item)) {
                (Some(i), _) => Some(i.clone()),
                // The level mark a report may put inside a class name (`一般公共服务(类)支出`) is
                // not part of the name: the item is written as the classification names it.
                (None, Some(m)) => Some(m.as_str().replace("(类)", "")),
                (None, None) => None,
            };
            if let Some(i) = &item {
                if self.exclude_items.iter().any(|x| x == i) {
                    continue;
                }
            }
            let sign = group(&caps, g.sign)
                .and_then(|m| units.sign(m.as_str()))
                .unwrap_or(1);
            let read = match self.fixed_value {
                Some(v) => Some((
                    Amount {
                        value: v,
                        approximate: false,
                    },
                    whole.as_str().to_string(),
                )),
                None => read_value(&caps, g, key.kind, self.assume_unit.as_deref(), text, units),
            };
            let Some((amount, raw)) = read else { continue };
            let value = if sign < 0 {
                -amount.value
            } else {
                amount.value
            };
            out.push(PatternMatch {
                value,
                approximate: amount.approximate,
                item,
                raw,
                start: whole.start(),
                value_start: group(&caps, g.value).unwrap_or(whole).start(),
            });
        }
        out
    }
}

/// Reads the `value` group (with `approx_pre`, `approx`, `unit`) as the key's kind of value.
fn read_value(
    caps: &regex::Captures<'_>,
    g: &Groups,
    kind: ValueKind,
    assume_unit: Option<&str>,
    text: &str,
    units: &UnitWords,
) -> Option<(Amount, String)> {
    let value = group(caps, g.value)?;
    let first = group(caps, g.approx_pre).unwrap_or(value);
    let last = [g.unit, g.approx, g.value]
        .into_iter()
        .find_map(|i| group(caps, i))
        .unwrap_or(value);
    let raw = text.get(first.start()..last.end())?.to_string();
    match kind {
        ValueKind::Money => {
            let following = text.get(last.end()..).unwrap_or("");
            if group(caps, g.unit).is_some() && units.spoils_money(following) {
                return None;
            }
            let expr = if group(caps, g.unit).is_some() {
                raw.clone()
            } else {
                format!("{raw}{}", assume_unit?)
            };
            let amount = units.parse_money(&expr).ok()?;
            Some((amount, raw))
        }
        ValueKind::Percent => {
            let v = parse_number(value.as_str()).ok()?;
            let raw = if text.get(last.end()..).is_some_and(|t| t.starts_with('%')) {
                format!("{raw}%")
            } else {
                raw
            };
            Some((
                Amount {
                    value: v,
                    approximate: group(caps, g.approx_pre).is_some()
                        || group(caps, g.approx).is_some(),
                },
                raw,
            ))
        }
        ValueKind::Count => {
            let v = parse_number(value.as_str()).ok()?;
            if !v.fract().is_zero() {
                return None;
            }
            Some((
                Amount {
                    value: v,
                    approximate: group(caps, g.approx_pre).is_some()
                        || group(caps, g.approx).is_some(),
                },
                raw,
            ))
        }
    }
}

/// All compiled patterns of a run.
#[derive(Debug, Default)]
pub struct PatternSet {
    /// sha256 over the pattern files' names and contents, in file-name order.
    pub fingerprint: String,
    pub units: UnitWords,
    pub keys: Vec<KeyDef>,
    pub patterns: Vec<FactPattern>,
    /// The document metadata rules (`[metadata]`, see [`crate::metadata`]); empty when no file has
    /// that table.
    pub metadata: MetadataRules,
    /// The table catalog (`tables/catalog.toml`).
    pub catalog: Catalog,
    /// The column-label vocabulary (`[columns]`, see [`crate::extract::tables::labels`]) and the
    /// file it came from.
    pub columns: Arc<ColumnWords>,
    pub columns_file: String,
    /// The row words (`patterns/tables/rows.toml`: 合计, 小计, 其中…) and the file they came from.
    pub rows: Arc<RowWords>,
    pub rows_file: String,
    /// Header labels → standard column ids (`patterns/column_ids.toml`).
    pub column_ids: ColumnVocabulary,
    /// The identities (`[[identity]]`, `patterns/identities.toml`) and the text of their file.
    pub identities: Arc<Identities>,
    pub identities_text: String,
    /// The table → fact figures (`[names]`, `[[figures]]`, `patterns/tables/figures.toml`) and the
    /// text of their file.
    pub figures: Arc<Figures>,
    pub figures_text: String,
    /// The layout words (`outline.toml`, `tables/layout.toml`, `tables/performance.toml`; see
    /// [`crate::vocabulary`]); a section no file holds is the embedded default.
    pub vocabulary: Arc<Vocabulary>,
}

// ---- the file format -------------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileDef {
    /// The row words of `tables/rows.toml` (see [`RowWords`]).
    #[serde(default)]
    total: Option<Vec<String>>,
    #[serde(default)]
    subtotal: Option<Vec<String>>,
    #[serde(default)]
    part_of: Option<Vec<String>>,
    #[serde(default)]
    examples: Option<Vec<[String; 2]>>,
    #[serde(default)]
    key: Vec<KeyEntry>,
    #[serde(default)]
    units: Option<UnitsEntry>,
    #[serde(default)]
    fragments: BTreeMap<String, String>,
    #[serde(default)]
    pattern: Vec<PatternEntry>,
    #[serde(default)]
    metadata: Option<MetadataEntry>,
    #[serde(default)]
    columns: Option<ColumnsEntry>,
    #[serde(default)]
    column: Vec<ColumnEntry>,
    #[serde(default)]
    identity: Vec<IdentityDef>,
    #[serde(default)]
    names: Option<NameWords>,
    #[serde(default)]
    part_sets: PartSets,
    #[serde(default)]
    figures: Vec<FigureGroup>,
    #[serde(default)]
    outline: Option<Outline>,
    #[serde(default)]
    table_layout: Option<TableLayout>,
    #[serde(default)]
    performance: Option<Performance>,
}

impl FileDef {
    /// The row words, when the file holds any of their fields.
    fn row_words(&self) -> Option<RowWords> {
        if self.total.is_none()
            && self.subtotal.is_none()
            && self.part_of.is_none()
            && self.examples.is_none()
        {
            return None;
        }
        Some(RowWords {
            total: self.total.clone().unwrap_or_default(),
            subtotal: self.subtotal.clone().unwrap_or_default(),
            part_of: self.part_of.clone().unwrap_or_default(),
            examples: self.examples.clone().unwrap_or_default(),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnEntry {
    id: String,
    regex: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    examples: Vec<ColumnExampleEntry>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnExampleEntry {
    label: String,
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    key: String,
    unit: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    headline: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsEntry {
    money: BTreeMap<String, String>,
    approximate_before: Vec<String>,
    approximate_after: Vec<String>,
    negative: Vec<String>,
    positive: Vec<String>,
    not_money_after: Vec<String>,
    #[serde(default)]
    table: Vec<String>,
    #[serde(default)]
    large_whole: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternEntry {
    id: String,
    key: String,
    #[serde(default)]
    also_keys: Vec<String>,
    #[serde(default)]
    scope: Option<String>,
    regex: String,
    #[serde(default)]
    fixed_value: Option<String>,
    #[serde(default)]
    item: Option<String>,
    #[serde(default)]
    exclude_items: Vec<String>,
    #[serde(default)]
    assume_unit: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    examples: Vec<ExampleEntry>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleEntry {
    text: String,
    value: String,
    #[serde(default)]
    item: Option<String>,
}

fn invalid(file: &str, id: &str, field: &str, message: impl Into<String>) -> PatternError {
    PatternError::Invalid {
        location: format!("{file}:{id}:{field}"),
        message: message.into(),
    }
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> PatternError {
    let line = e
        .span()
        .map(|s| text.get(..s.start).unwrap_or(text).matches('\n').count() + 1);
    let path = match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    };
    PatternError::Toml {
        path,
        message: e.message().to_string(),
    }
}

impl PatternSet {
    /// Loads the embedded defaults, or the `*.toml` files of `dir` instead when given.
    pub fn load(dir: Option<&Path>) -> Result<PatternSet, PatternError> {
        PatternSet::from_files(source_files(dir)?)
    }

    /// Loads like [`PatternSet::load`] and refuses a set with any problem, its examples included
    /// ([`PatternError::Problems`], every problem located as by [`PatternSet::load_and_check`]):
    /// what `extract --patterns DIR` runs with.
    pub fn load_verified(dir: Option<&Path>) -> Result<PatternSet, PatternError> {
        match PatternSet::load_and_check(dir)? {
            (Some(set), problems) if problems.is_empty() => Ok(set),
            (_, problems) => Err(PatternError::Problems(problems)),
        }
    }

    /// Compiles a set from (name, contents) pairs. Every problem of the patterns and the catalog is
    /// reported (one error, or [`PatternError::Several`]).
    pub fn from_files(files: Vec<(String, String)>) -> Result<PatternSet, PatternError> {
        let (set, mut errors) = PatternSet::build(files)?;
        match errors.len() {
            0 => Ok(set),
            1 => Err(errors.remove(0)),
            _ => Err(PatternError::Several(errors)),
        }
    }

    /// Loads like [`PatternSet::load`] and verifies every example: the problems of loading (TOML
    /// syntax: that file is left out; a bad regex, an unknown key: that entry is left out) and of the
    /// examples of everything that loaded, all at once, each as `file:line:id:field: message`. The set
    /// is `None` when it cannot be built at all (no units, keys or catalog). `Err` only when a file
    /// cannot be read.
    pub fn load_and_check(
        dir: Option<&Path>,
    ) -> Result<(Option<PatternSet>, Vec<String>), PatternError> {
        PatternSet::check_files(source_files(dir)?)
    }

    /// [`PatternSet::load_and_check`] over (name, contents) pairs.
    pub fn check_files(
        files: Vec<(String, String)>,
    ) -> Result<(Option<PatternSet>, Vec<String>), PatternError> {
        let (set, errors) = match PatternSet::build(files.clone()) {
            Ok((set, errors)) => (Some(set), errors),
            Err(PatternError::Several(errors)) => (None, errors),
            Err(e) => return Err(e),
        };
        let mut problems: Vec<String> = errors.iter().flat_map(flat_messages).collect();
        if let Some(set) = &set {
            problems.extend(set.check());
        }
        let problems = problems.iter().map(|p| locate(&files, p)).collect();
        Ok((set, problems))
    }

    /// Compiles what can be compiled; returns the set and the problems of the entries left out.
    fn build(
        mut files: Vec<(String, String)>,
    ) -> Result<(PatternSet, Vec<PatternError>), PatternError> {
        files.sort();
        let fingerprint = fingerprint(&files);
        let mut errors = Vec::new();
        let (catalog, parsed) = parse_files(&files, &mut errors);
        let s = sections(&parsed, &mut errors);
        if !parsed.iter().any(|(_, d)| d.units.is_some()) {
            errors.push(invalid("units.toml", "units", "units", "no [units] table"));
        }
        if s.keys.is_empty() {
            errors.push(invalid("keys.toml", "key", "key", "no [[key]] entries"));
        }
        if !files.iter().any(|(n, _)| n == CATALOG_FILE) {
            errors.push(invalid(
                CATALOG_FILE,
                "table",
                "table",
                "no table catalog (tables/catalog.toml)",
            ));
        }
        let column_ids = column_vocabulary(&parsed, &mut errors);
        let patterns = compile_patterns(&parsed, &s.keys, &s.fragments, &mut errors);
        let (mut identities, identities_text, figures, figures_text) =
            table_rules(&parsed, &files)?;
        identities.add_part_sets(&figures.part_sets);
        required_files(&files, &parsed, &identities, &figures, &mut errors);
        let (columns_file, columns) = match s.columns {
            Some((f, c)) => (f, Arc::new(ColumnWords::new(c))),
            None => (
                String::new(),
                crate::extract::tables::labels::default_words(),
            ),
        };
        let (rows_file, rows) = match s.rows {
            Some((f, r)) => (f, Arc::new(r)),
            None => (String::new(), default_row_words()),
        };
        let (Some(units), Some(catalog), false) = (s.units, catalog, s.keys.is_empty()) else {
            return Err(PatternError::Several(errors));
        };
        Ok((
            PatternSet {
                fingerprint,
                units,
                keys: s.keys,
                patterns,
                metadata: s.metadata.unwrap_or_default(),
                catalog,
                columns,
                columns_file,
                rows,
                rows_file,
                column_ids,
                identities: Arc::new(identities),
                identities_text,
                figures: Arc::new(figures),
                figures_text,
                vocabulary: Arc::new(s.vocabulary),
            },
            errors,
        ))
    }

    /// Verifies every pattern's examples and counter-examples. Returns the problems found, each as
    /// `file:id:field: message`; empty when all is well.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for p in &self.patterns {
            if !seen.insert(p.id.as_str()) {
                problems.push(format!("{}:{}:id: duplicate pattern id", p.file, p.id));
            }
            example_problems(p, &self.units, &mut problems);
        }
        problems.extend(self.metadata.check());
        problems.extend(self.vocabulary.check());
        // The catalog's examples are identified with this set's table layout words.
        let layout = crate::vocabulary::install(self.vocabulary.clone());
        problems.extend(self.catalog.check());
        drop(layout);
        if !self.columns_file.is_empty() {
            problems.extend(self.columns.check(&self.columns_file));
        }
        if !self.rows_file.is_empty() {
            problems.extend(self.rows.check(&self.rows_file));
        }
        self.column_ids.check(&mut problems);
        let keys: Vec<&str> = self.keys.iter().map(|k| k.key.as_str()).collect();
        let mut tables: Vec<&str> = self
            .catalog
            .entries()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        tables.push("X");
        problems.extend(crate::extract::tables::figures::scoped(
            self.figures.clone(),
            || self.identities.check(&self.identities_text, &keys, &tables),
        ));
        problems.extend(self.figures.check(&self.figures_text, &keys, &tables));
        problems
    }

    /// The keys marked `headline = true`, in vocabulary order (the columns of the export's panel).
    pub fn headline_keys(&self) -> impl Iterator<Item = &KeyDef> {
        self.keys.iter().filter(|k| k.headline)
    }

    /// The definition of `key`, if it is in the vocabulary.
    pub fn key(&self, key: &str) -> Option<&KeyDef> {
        self.keys.iter().find(|k| k.key == key)
    }

    /// How many patterns the set holds.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The pattern files: the embedded defaults, or every `*.toml` under `dir`.
fn source_files(dir: Option<&Path>) -> Result<Vec<(String, String)>, PatternError> {
    match dir {
        None => Ok(DEFAULT_FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()),
        Some(d) => read_dir_files(d),
    }
}

/// One message per problem of an error (a [`PatternError::Several`] holds many).
fn flat_messages(e: &PatternError) -> Vec<String> {
    match e {
        PatternError::Several(v) => v.iter().flat_map(flat_messages).collect(),
        PatternError::Problems(v) => v.clone(),
        other => vec![other.to_string()],
    }
}

/// A problem `file:id:field: message` as `file:line:id:field: message`, the line found in the
/// file's text: the line of the example the message quotes, else of the field inside the entry, else
/// of the entry (`id = '…'`, `key = '…'`, `[id]`, `id = …`). Problems that already carry a line, or
/// name no pattern file, are left as they are.
pub fn locate(files: &[(String, String)], problem: &str) -> String {
    // One problem, one line (a regex error spans several).
    let problem = problem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let problem = problem.as_str();
    let Some((file, rest)) = problem.split_once(':') else {
        return problem.to_string();
    };
    let Some((_, text)) = files.iter().find(|(n, _)| n == file) else {
        return problem.to_string();
    };
    if rest
        .split(':')
        .next()
        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    {
        return problem.to_string();
    }
    let (Some((id, rest2)), true) = (rest.split_once(':'), rest.contains(": ")) else {
        return problem.to_string();
    };
    let (field, message) = rest2.split_once(": ").unwrap_or((rest2, ""));
    let line = line_of(text, id, field, message);
    format!("{file}:{line}:{id}:{field}: {message}")
}

/// The 1-based line of `id`'s `field` in a pattern file (see [`locate`]); 1 when nothing matches.
fn line_of(text: &str, id: &str, field: &str, message: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let quoted = |s: &str| {
        [format!("'{id}'"), format!("\"{id}\"")]
            .iter()
            .any(|q| s.ends_with(q.as_str()))
    };
    let starts_entry = |l: &str| {
        let t = l.trim();
        let Some((k, v)) = t.split_once('=') else {
            return t == format!("[{id}]") || t.starts_with(&format!("[{id}."));
        };
        let (k, v) = (k.trim(), v.trim());
        ((k == "id" || k == "key") && quoted(v)) || k.trim_matches(|c| c == '"' || c == '\'') == id
    };
    // An entry's lines run to the next table header; top-level words (rows.toml) are the whole file.
    let (start, end) = match lines.iter().position(|l| starts_entry(l)) {
        Some(start) => (
            start,
            lines
                .iter()
                .enumerate()
                .skip(start + 1)
                .find(|(_, l)| l.starts_with('['))
                .map_or(lines.len(), |(i, _)| i),
        ),
        None => (0, lines.len()),
    };
    let base = field.split('[').next().unwrap_or(field);
    let field_line = (start..end).find(|&i| {
        lines[i]
            .trim_start()
            .strip_prefix(base)
            .is_some_and(|r| r.trim_start().starts_with('='))
    });
    let from = field_line.unwrap_or(start);
    // The example a message quotes (`"…" should yield …`): its own line when the list spans lines.
    let example = message
        .strip_prefix('"')
        .and_then(|m| m.split_once('"'))
        .map(|(q, _)| q)
        .filter(|q| !q.is_empty());
    if let Some(q) = example {
        if let Some(i) = (from..end).find(|&i| lines[i].contains(q)) {
            return i + 1;
        }
    }
    from + 1
}

/// A problem for each part a set needs besides units, keys and the catalog (the identities, the
/// table figures, the metadata rules, the column and row words) that no file holds, naming the file
/// expected: such a folder is refused rather than run with that part empty, which would silently
/// run no identity, read no figure or no metadata. A file of that name that is not valid TOML is
/// its own problem, not also a missing one.
fn required_files(
    files: &[(String, String)],
    parsed: &[(String, FileDef)],
    identities: &Identities,
    figures: &Figures,
    errors: &mut Vec<PatternError>,
) {
    let holds = |f: fn(&FileDef) -> bool| parsed.iter().any(|(_, d)| f(d));
    let parts = [
        (
            IDENTITIES_FILE,
            "identity",
            "[[identity]] entries",
            !identities.file.is_empty(),
        ),
        (
            "tables/figures.toml",
            "figures",
            "table figures ([[figures]])",
            !figures.file.is_empty(),
        ),
        (
            "metadata.toml",
            "metadata",
            "a [metadata] table",
            holds(|d| d.metadata.is_some()),
        ),
        (
            "tables/columns.toml",
            "columns",
            "a [columns] table",
            holds(|d| d.columns.is_some()),
        ),
        (
            "tables/rows.toml",
            "rows",
            "row words (total, subtotal, part_of)",
            holds(|d| d.row_words().is_some()),
        ),
    ];
    for (file, field, what, present) in parts {
        let unreadable =
            files.iter().any(|(n, _)| n == file) && !parsed.iter().any(|(n, _)| n == file);
        if !present && !unreadable {
            errors.push(invalid(
                file,
                field,
                field,
                format!("missing: no file of the set holds {what} ({file} is required)"),
            ));
        }
    }
}

fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, PatternError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| PatternError::Read {
            path: d.display().to_string(),
            source: e,
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| PatternError::Read {
                path: d.display().to_string(),
                source: e,
            })?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).map_err(|e| PatternError::Read {
                    path: path.display().to_string(),
                    source: e,
                })?;
                let name = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, text));
            }
        }
    }
    Ok(out)
}

fn compile_units(file: &str, u: &UnitsEntry) -> Result<UnitWords, PatternError> {
    let mut money = Vec::new();
    for (word, wan) in &u.money {
        let v = Decimal::from_str(wan)
            .map_err(|_| invalid(file, word, "money", format!("{wan:?} is not a decimal")))?;
        money.push((word.clone(), v));
    }
    money.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    if let Some(w) = u.table.iter().find(|w| !money.iter().any(|(m, _)| m == *w)) {
        return Err(invalid(
            file,
            "units",
            "table",
            format!("{w:?} is not a money unit of [units.money]"),
        ));
    }
    if let Some(w) = u.large_whole.as_ref().filter(|w| !u.table.contains(w)) {
        return Err(invalid(
            file,
            "units",
            "large_whole",
            format!("{w:?} is not a table unit of [units] table"),
        ));
    }
    Ok(UnitWords {
        money,
        approximate_before: u.approximate_before.clone(),
        approximate_after: u.approximate_after.clone(),
        negative: u.negative.clone(),
        positive: u.positive.clone(),
        not_money_after: u.not_money_after.clone(),
        table: u.table.clone(),
        large_whole: u.large_whole.clone(),
    })
}

/// The unit words of the embedded `units.toml` (empty when it does not load: a build defect the
/// tests catch).
pub(crate) fn embedded_units() -> UnitWords {
    DEFAULT_FILES
        .iter()
        .filter(|(n, _)| *n == "units.toml")
        .find_map(|(n, t)| {
            let def = toml::from_str::<FileDef>(t).ok()?;
            compile_units(n, def.units.as_ref()?).ok()
        })
        .unwrap_or_default()
}

fn expand(
    file: &str,
    id: &str,
    field: &str,
    text: &str,
    fragments: &BTreeMap<String, String>,
) -> Result<String, PatternError> {
    let mut missing = None;
    let out =
        FRAGMENT_REF.replace_all(text, |c: &regex::Captures<'_>| match fragments.get(&c[1]) {
            Some(f) => f.clone(),
            None => {
                missing = Some(c[1].to_string());
                String::new()
            }
        });
    match missing {
        Some(m) => Err(invalid(
            file,
            id,
            field,
            format!("unknown fragment {{{m}}}"),
        )),
        None => Ok(out.into_owned()),
    }
}

/// The bound on every regex's search cache (lazy DFA states), in bytes, for each thread that uses it.
/// A regex's cache grows with the text it reads up to this bound, then is cleared and rebuilt. The
/// regex crate's default, 2 MiB, is far more than the states a line or a section of a report needs:
/// kept by the run's shared regexes (titles, outline, metadata, table rules) for the whole batch, such
/// caches grow with the variety of text read, so peak RSS grew with batch size; bounded, they stay
/// small. It costs no CPU: measured with an instruction count over 22 reports, the fact regexes took
/// 4 % fewer instructions with 16 KiB than with the default, for the same output.
pub const REGEX_CACHE_BYTES: usize = 16 * 1024;

/// A regex of the run (a pattern's, or one of the program's own), its search cache bounded by
/// [`REGEX_CACHE_BYTES`].
pub fn bounded_regex(source: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(source)
        .dfa_size_limit(REGEX_CACHE_BYTES)
        .build()
}

fn compile_pattern(
    file: &str,
    p: &PatternEntry,
    keys: &[KeyDef],
    fragments: &BTreeMap<String, String>,
) -> Result<FactPattern, PatternError> {
    let (defs, kind) = pattern_keys(file, p, keys)?;
    let source = expand(file, &p.id, "regex", &p.regex, fragments)?;
    let regex = bounded_regex(&source).map_err(|e| invalid(file, &p.id, "regex", e.to_string()))?;
    let scope = match &p.scope {
        Some(s) => {
            let s = expand(file, &p.id, "scope", s, fragments)?;
            Some(bounded_regex(&s).map_err(|e| invalid(file, &p.id, "scope", e.to_string()))?)
        }
        None => None,
    };
    let fixed_value = match &p.fixed_value {
        Some(v) => Some(Decimal::from_str(v).map_err(|_| {
            invalid(
                file,
                &p.id,
                "fixed_value",
                format!("{v:?} is not a decimal"),
            )
        })?),
        None => None,
    };
    check_groups(file, p, &regex, fixed_value.is_some(), kind)?;
    Ok(FactPattern {
        id: p.id.clone(),
        file: file.to_string(),
        keys: defs,
        scope,
        groups: Groups::of(&regex),
        regex,
        fixed_value,
        fixed_item: p.item.clone(),
        exclude_items: p.exclude_items.clone(),
        assume_unit: p.assume_unit.clone(),
        note: p.note.clone(),
        examples: p
            .examples
            .iter()
            .map(|e| Example {
                text: e.text.clone(),
                value: e.value.clone(),
                item: e.item.clone(),
            })
            .collect(),
        counter_examples: p.counter_examples.clone(),
    })
}

/// The definitions of a pattern's key and `also_keys` (each in keys.toml) and the kind of value
/// they share.
fn pattern_keys(
    file: &str,
    p: &PatternEntry,
    keys: &[KeyDef],
) -> Result<(Vec<KeyDef>, ValueKind), PatternError> {
    let mut defs = Vec::new();
    for (field, k) in
        std::iter::once(("key", &p.key)).chain(p.also_keys.iter().map(|k| ("also_keys", k)))
    {
        let def = keys.iter().find(|d| &d.key == k).ok_or_else(|| {
            invalid(
                file,
                &p.id,
                field,
                format!("unknown key {k:?} (not in keys.toml)"),
            )
        })?;
        defs.push(def.clone());
    }
    let kind = defs.first().map_or(ValueKind::Money, |d| d.kind);
    if defs.iter().any(|d| d.kind != kind) {
        return Err(invalid(
            file,
            &p.id,
            "also_keys",
            "all keys of a pattern must share one unit",
        ));
    }
    Ok((defs, kind))
}

/// The capture groups a pattern needs: a value (unless it has a fixed one), a unit for money
/// (unless it assumes one), and not both a fixed item and an item group.
fn check_groups(
    file: &str,
    p: &PatternEntry,
    regex: &Regex,
    fixed: bool,
    kind: ValueKind,
) -> Result<(), PatternError> {
    let names: HashSet<&str> = regex.capture_names().flatten().collect();
    if !fixed && !names.contains("value") {
        return Err(invalid(
            file,
            &p.id,
            "regex",
            "no (?P<value>…) group and no fixed_value",
        ));
    }
    if !fixed && kind == ValueKind::Money && !names.contains("unit") && p.assume_unit.is_none() {
        return Err(invalid(
            file,
            &p.id,
            "regex",
            "a money pattern needs a (?P<unit>…) group or assume_unit",
        ));
    }
    if p.item.is_some() && names.contains("item") {
        return Err(invalid(
            file,
            &p.id,
            "item",
            "both a fixed item and an (?P<item>…) group",
        ));
    }
    Ok(())
}

/// The fingerprint of a pattern set: SHA-256 over every file's name and text, in name order.
fn fingerprint(files: &[(String, String)]) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in files {
        hasher.update(name.as_bytes());
        hasher.update([0u8]);
        hasher.update(text.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The table catalog (its own format) and every other file parsed; problems go to `errors`.
fn parse_files(
    files: &[(String, String)],
    errors: &mut Vec<PatternError>,
) -> (Option<Catalog>, Vec<(String, FileDef)>) {
    let mut catalog = None;
    let mut parsed = Vec::new();
    for (name, text) in files {
        if name == CATALOG_FILE {
            match Catalog::from_toml(name, text) {
                Ok((c, errs)) => {
                    errors.extend(errs);
                    catalog = Some(c);
                }
                Err(e) => errors.push(e),
            }
            continue;
        }
        match toml::from_str::<FileDef>(text) {
            Ok(def) => parsed.push((name.clone(), def)),
            Err(e) => errors.push(toml_error(name, text, &e)),
        }
    }
    (catalog, parsed)
}

/// What the pattern files define once (units, metadata, column and row words) or add up to (keys,
/// fragments), with the file of the column and row words.
struct FileSections {
    keys: Vec<KeyDef>,
    units: Option<UnitWords>,
    fragments: BTreeMap<String, String>,
    metadata: Option<MetadataRules>,
    columns: Option<(String, ColumnsEntry)>,
    rows: Option<(String, RowWords)>,
    /// The layout words (`[outline]`, `[table_layout]`, `[performance]`), each section the
    /// embedded default when no file holds it.
    vocabulary: Vocabulary,
}

/// The [`FileSections`] of the parsed files, in file order; a second table of a kind defined once
/// and a key or fragment defined twice are problems.
fn sections(parsed: &[(String, FileDef)], errors: &mut Vec<PatternError>) -> FileSections {
    let mut s = FileSections {
        keys: Vec::new(),
        units: None,
        fragments: BTreeMap::new(),
        metadata: None,
        columns: None,
        rows: None,
        vocabulary: Vocabulary::embedded(),
    };
    let mut sections_seen: Vec<&'static str> = Vec::new();
    for (name, def) in parsed {
        s.take_layout(name, def, &mut sections_seen, errors);
        s.take_once(name, def, errors);
        add_keys(name, &def.key, &mut s.keys, errors);
        set_once(
            &mut s.units,
            errors,
            || invalid(name, "units", "units", "a second [units] table"),
            || def.units.as_ref().map(|u| compile_units(name, u)),
        );
        for (k, v) in &def.fragments {
            if s.fragments.insert(k.clone(), v.clone()).is_some() {
                errors.push(invalid(name, k, "fragments", "fragment defined twice"));
            }
        }
    }
    if let Some(u) = &s.units {
        s.vocabulary.use_units(u);
    }
    s
}

impl FileSections {
    /// Takes the layout words of one file (`[outline]`, `[table_layout]`, `[performance]`); a
    /// section already seen in an earlier file is a problem.
    fn take_layout(
        &mut self,
        name: &str,
        def: &FileDef,
        seen: &mut Vec<&'static str>,
        errors: &mut Vec<PatternError>,
    ) {
        let layout_sections = [
            ("outline", def.outline.is_some()),
            ("table_layout", def.table_layout.is_some()),
            ("performance", def.performance.is_some()),
        ];
        for (section, present) in layout_sections {
            if present && seen.contains(&section) {
                errors.push(invalid(
                    name,
                    section,
                    section,
                    format!("a second [{section}] table"),
                ));
            } else if present {
                seen.push(section);
            }
        }
        self.vocabulary.take(
            name,
            Sections {
                outline: def.outline.clone(),
                table_layout: def.table_layout.clone(),
                performance: def.performance.clone(),
            },
        );
    }

    /// Takes the metadata rules, column words and row words of one file: each is defined once.
    fn take_once(&mut self, name: &str, def: &FileDef, errors: &mut Vec<PatternError>) {
        set_once(
            &mut self.metadata,
            errors,
            || invalid(name, "metadata", "metadata", "a second [metadata] table"),
            || {
                def.metadata
                    .as_ref()
                    .map(|m| MetadataRules::compile(name, m))
            },
        );
        set_once(
            &mut self.columns,
            errors,
            || invalid(name, "columns", "columns", "a second [columns] table"),
            || {
                def.columns
                    .as_ref()
                    .map(|c| Ok((name.to_string(), c.clone())))
            },
        );
        set_once(
            &mut self.rows,
            errors,
            || invalid(name, "rows", "total", "a second set of row words"),
            || def.row_words().map(|r| Ok((name.to_string(), r))),
        );
    }
}

/// Fills a section defined once with what a file defines (`value`: `None` when it defines none, or
/// its compiled form): a second definition is the problem `second`, a failed compilation its error.
fn set_once<T>(
    slot: &mut Option<T>,
    errors: &mut Vec<PatternError>,
    second: impl FnOnce() -> PatternError,
    value: impl FnOnce() -> Option<Result<T, PatternError>>,
) {
    let Some(value) = value() else {
        return;
    };
    if slot.is_some() {
        errors.push(second());
        return;
    }
    match value {
        Ok(v) => *slot = Some(v),
        Err(e) => errors.push(e),
    }
}

/// Adds the `[[key]]` entries of file `name` to `keys`; a key defined twice is a problem.
fn add_keys(
    name: &str,
    entries: &[KeyEntry],
    keys: &mut Vec<KeyDef>,
    errors: &mut Vec<PatternError>,
) {
    for k in entries {
        if keys.iter().any(|x| x.key == k.key) {
            errors.push(invalid(name, &k.key, "key", "key defined twice"));
            continue;
        }
        let kind = match k.unit.as_str() {
            "万元" => ValueKind::Money,
            "%" => ValueKind::Percent,
            _ => ValueKind::Count,
        };
        keys.push(KeyDef {
            key: k.key.clone(),
            unit: k.unit.clone(),
            kind,
            label: k.label.clone(),
            note: k.note.clone(),
            headline: k.headline,
        });
    }
}

/// The standard column ids (`[[column]]`) of the parsed files; an id defined twice or a bad regex
/// is a problem.
fn column_vocabulary(
    parsed: &[(String, FileDef)],
    errors: &mut Vec<PatternError>,
) -> ColumnVocabulary {
    let mut column_ids = ColumnVocabulary::default();
    for (name, def) in parsed {
        for c in &def.column {
            if column_ids.entries.iter().any(|x| x.id == c.id) {
                errors.push(invalid(name, &c.id, "id", "column id defined twice"));
                continue;
            }
            let regex = match crate::patterns::bounded_regex(&c.regex) {
                Ok(r) => r,
                Err(e) => {
                    errors.push(invalid(name, &c.id, "regex", e.to_string()));
                    continue;
                }
            };
            column_ids.entries.push(ColumnDef {
                id: c.id.clone(),
                label: c.label.clone(),
                file: name.clone(),
                regex,
                examples: c
                    .examples
                    .iter()
                    .map(|x| (x.label.clone(), x.id.clone()))
                    .collect(),
                counter_examples: c.counter_examples.clone(),
            });
        }
    }
    column_ids
}

/// The fact patterns of the parsed files, compiled; a duplicate id or a pattern that does not
/// compile is a problem.
fn compile_patterns(
    parsed: &[(String, FileDef)],
    keys: &[KeyDef],
    fragments: &BTreeMap<String, String>,
    errors: &mut Vec<PatternError>,
) -> Vec<FactPattern> {
    let mut patterns = Vec::new();
    let mut seen = HashSet::new();
    for (name, def) in parsed {
        for p in &def.pattern {
            if !seen.insert(p.id.clone()) {
                errors.push(invalid(name, &p.id, "id", "duplicate pattern id"));
                continue;
            }
            match compile_pattern(name, p, keys, fragments) {
                Ok(c) => patterns.push(c),
                Err(e) => errors.push(e),
            }
        }
    }
    patterns
}

/// The identities and the table→fact figures, each with the text of the one file that holds
/// them (the catalog aside, `parsed` is `files` in order); a second file of either is fatal.
fn table_rules(
    parsed: &[(String, FileDef)],
    files: &[(String, String)],
) -> Result<(Identities, String, Figures, String), PatternError> {
    let mut identities = Identities::default();
    let mut identities_text = String::new();
    let mut figures = Figures::default();
    let mut figures_text = String::new();
    for ((name, def), (_, text)) in parsed
        .iter()
        .zip(files.iter().filter(|(n, _)| n != CATALOG_FILE))
    {
        if !def.identity.is_empty() {
            if !identities.file.is_empty() {
                return Err(invalid(
                    name,
                    "identity",
                    "identity",
                    "identities in a second file",
                ));
            }
            identities = Identities {
                file: name.clone(),
                defs: def.identity.clone(),
                ..Identities::default()
            };
            identities_text = text.clone();
        }
        if def.names.is_some() || !def.figures.is_empty() || !def.part_sets.is_empty() {
            if !figures.file.is_empty() {
                return Err(invalid(
                    name,
                    "figures",
                    "figures",
                    "figures in a second file",
                ));
            }
            figures = Figures::new(
                name,
                def.names.clone().unwrap_or_default(),
                def.part_sets.clone(),
                def.figures.clone(),
            );
            figures_text = text.clone();
        }
    }
    Ok((identities, identities_text, figures, figures_text))
}

/// The problems of a fact pattern's examples (each must yield its value, and item if given; one
/// at least) and counter-examples (none may match), pushed to `problems`.
fn example_problems(p: &FactPattern, units: &UnitWords, problems: &mut Vec<String>) {
    let at = |field: &str| format!("{}:{}:{field}", p.file, p.id);
    if p.examples.is_empty() {
        problems.push(format!(
            "{}: a pattern needs at least one example",
            at("examples")
        ));
    }
    for (i, ex) in p.examples.iter().enumerate() {
        let text = normalize_line(&ex.text);
        let got = p.apply(&text, units);
        let Ok(want) = Decimal::from_str(&ex.value) else {
            problems.push(format!(
                "{}: value {:?} is not a decimal",
                at(&format!("examples[{i}]")),
                ex.value
            ));
            continue;
        };
        let ok = got.iter().any(|m| {
            m.value == want
                && ex
                    .item
                    .as_ref()
                    .is_none_or(|it| m.item.as_ref() == Some(it))
        });
        if !ok {
            let seen: Vec<String> = got
                .iter()
                .map(|m| match &m.item {
                    Some(it) => format!("{it}={}", m.value),
                    None => m.value.to_string(),
                })
                .collect();
            problems.push(format!(
                "{}: {:?} should yield {}{} but yields [{}]",
                at(&format!("examples[{i}]")),
                ex.text,
                ex.item
                    .as_ref()
                    .map(|i| format!("{i}="))
                    .unwrap_or_default(),
                ex.value,
                seen.join(", ")
            ));
        }
    }
    for (i, ce) in p.counter_examples.iter().enumerate() {
        let text = normalize_line(ce);
        let got = p.apply(&text, units);
        if let Some(m) = got.first() {
            problems.push(format!(
                "{}: {:?} must not match but yields {}",
                at(&format!("counter_examples[{i}]")),
                ce,
                m.value
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_patterns_load_and_all_examples_pass() {
        let set = PatternSet::load(None).expect("default patterns load");
        assert!(set.len() > 20, "only {} patterns", set.len());
        let problems = set.check();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert_eq!(set.fingerprint.len(), 64);
    }

    fn base_files() -> Vec<(String, String)> {
        DEFAULT_FILES
            .iter()
            .filter(|(n, _)| !n.starts_with("facts/"))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn problems_name_file_id_and_field() {
        let mut files = base_files();
        files.push((
            "facts/bad.toml".into(),
            r#"
[[pattern]]
id = 'bad.example'
key = 'income.grand_total'
regex = '收入总计{money}'
examples = [{ text = '收入总计5万元', value = '6' }]
counter_examples = ['收入总计7万元']
"#
            .into(),
        ));
        let set = PatternSet::from_files(files).expect("loads");
        let problems = set.check();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("facts/bad.toml:bad.example:examples[0]:"));
        assert!(problems[1].starts_with("facts/bad.toml:bad.example:counter_examples[0]:"));
    }

    #[test]
    fn problems_get_the_line_of_their_entry_field_or_example() {
        let text = "# c\n[[pattern]]\nid = 'a'\nkey = 'k'\nregex = 'x'\nexamples = [\n  { text = '甲', value = '1' },\n  { text = '乙', value = '2' },\n]\n\n[[pattern]]\nid = 'b'\nregex = 'y'\n";
        let files = vec![("f.toml".to_string(), text.to_string())];
        let at = |p: &str| locate(&files, p);
        assert_eq!(
            at("f.toml:a:examples[1]: \"乙\" should yield 3"),
            "f.toml:8:a:examples[1]: \"乙\" should yield 3"
        );
        assert_eq!(
            at("f.toml:a:key: unknown key"),
            "f.toml:4:a:key: unknown key"
        );
        assert_eq!(
            at("f.toml:b:regex: regex parse error:\n  y(\n  ^"),
            "f.toml:13:b:regex: regex parse error: y( ^"
        );
        assert_eq!(
            at("f.toml:b:scope: no such field"),
            "f.toml:12:b:scope: no such field"
        );
        // Already located, or not a pattern file: unchanged.
        assert_eq!(at("f.toml:3:a:id: x"), "f.toml:3:a:id: x");
        assert_eq!(at("g.toml:a:id: x"), "g.toml:a:id: x");
    }

    #[test]
    fn every_problem_of_a_set_is_listed_at_once() {
        let mut files = base_files();
        files.push((
            "facts/x.toml".into(),
            "[[pattern]]\nid = 'a'\nkey = 'no.such'\nregex = 'x{money}'\n\n[[pattern]]\nid = 'b'\nkey = 'income.grand_total'\nregex = 'x('\n\n[[pattern]]\nid = 'c'\nkey = 'income.grand_total'\nregex = '收入总计{money}'\nexamples = [{ text = '收入总计5万元', value = '6' }]\n".into(),
        ));
        files.push(("facts/y.toml".into(), "[[pattern]\n".into()));
        let (set, problems) = PatternSet::check_files(files).expect("readable");
        assert!(set.is_some());
        let heads: Vec<&str> = problems
            .iter()
            .map(|p| p.split(": ").next().unwrap_or(""))
            .collect();
        assert_eq!(
            heads,
            [
                "facts/y.toml:1",
                "facts/x.toml:3:a:key",
                "facts/x.toml:9:b:regex",
                "facts/x.toml:15:c:examples[0]"
            ],
            "{problems:#?}"
        );
    }

    #[test]
    fn a_broken_identity_is_reported_with_file_and_line() {
        let mut files: Vec<(String, String)> = base_files()
            .into_iter()
            .filter(|(n, _)| n != "identities.toml")
            .collect();
        files.push((
            "identities.toml".into(),
            r#"# two identities, both broken
[[identity]]
id = '{table}.balance'
tables = ['F01', 'F99']
mode = 'cells_equal'
expected = [{ rows = ['收入总计'] }]
total = [{ rows = ['支出总计'] }]

[[identity.example]]
want = 'pass'
tables = [{ id = 'F01', columns = ['金额'], rows = [['收入总计', '10'], ['支出总计', '12']] }]

[[identity]]
id = 'text_vs_table.{key}[{item}]'
mode = 'text_vs_rows'
items = [{ key = 'no.such.key', tables = ['F05'] }]
leaf_in = ['合计']
"#
            .into(),
        ));
        let (set, problems) = {
            let (set, errors) = PatternSet::build(files).expect("builds");
            assert!(errors.is_empty(), "{errors:?}");
            let p = set.check();
            (set, p)
        };
        assert_eq!(set.identities.defs.len(), 2);
        assert_eq!(
            problems,
            [
                "identities.toml:2:identity[0]:tables: {table}.balance: unknown table id \"F99\"",
                "identities.toml:2:identity[0]:example[0]: {table}.balance should give pass but \
                 gives [F01.balance fail]",
                "identities.toml:13:identity[1]:items: text_vs_table.{key}[{item}]: unknown key \
                 \"no.such.key\"",
                "identities.toml:13:identity[1]:example: text_vs_table.{key}[{item}]: an identity \
                 needs at least one example",
            ]
        );
    }

    #[test]
    fn load_errors_name_file_id_and_field() {
        let cases = [
            ("[[pattern]]\nid = 'a'\nkey = 'no.such'\nregex = 'x{money}'\n", "facts/x.toml:a:key"),
            ("[[pattern]]\nid = 'a'\nkey = 'income.grand_total'\nregex = 'x('\n", "facts/x.toml:a:regex"),
            ("[[pattern]]\nid = 'a'\nkey = 'income.grand_total'\nregex = '收入{num}'\n", "facts/x.toml:a:regex"),
            ("[[pattern]]\nid = 'a'\nkey = 'income.grand_total'\nregex = '{nosuch}'\n", "facts/x.toml:a:regex"),
            ("[[pattern]]\nid = 'a'\nkey = 'income.grand_total'\nregex = 'a{money}'\n[[pattern]]\nid = 'a'\nkey = 'income.grand_total'\nregex = 'b{money}'\n", "facts/x.toml:a:id"),
            ("\n\n[[pattern]\nid = 'a'\n", "facts/x.toml:3"),
        ];
        for (text, want) in cases {
            let mut files = base_files();
            files.push(("facts/x.toml".into(), text.into()));
            match PatternSet::from_files(files) {
                Ok(_) => panic!("{want}: loaded"),
                Err(e) => assert!(e.to_string().starts_with(want), "{want}: {e}"),
            }
        }
    }
}

/// What the auditor's review reads of the pattern set: the headline keys (vocabulary order, as
/// [`PatternSet::headline_keys`]) and the table catalog. Read from the same files as
/// [`PatternSet::load`] (so `--patterns DIR` applies) without compiling fact patterns, units or
/// column words, which the review does not use.
#[derive(Debug, Clone)]
pub struct ReviewVocabulary {
    pub headline: Vec<String>,
    pub catalog: Catalog,
}

/// The `[[key]]` entries of a pattern file, every other table of the file skipped.
#[derive(Debug, Deserialize)]
struct KeysOnly {
    #[serde(default)]
    key: Vec<HeadlineEntry>,
}

#[derive(Debug, Deserialize)]
struct HeadlineEntry {
    key: String,
    #[serde(default)]
    headline: bool,
}

impl ReviewVocabulary {
    /// Loads the embedded defaults, or the `*.toml` files of `dir` instead when given. A file that
    /// is not TOML, or a catalog with a problem, is an error as it is for [`PatternSet::load`].
    pub fn load(dir: Option<&Path>) -> Result<ReviewVocabulary, PatternError> {
        ReviewVocabulary::from_files(source_files(dir)?)
    }

    /// [`ReviewVocabulary::load`] over (name, contents) pairs.
    pub fn from_files(mut files: Vec<(String, String)>) -> Result<ReviewVocabulary, PatternError> {
        files.sort();
        let mut catalog = None;
        let mut keys: Vec<HeadlineEntry> = Vec::new();
        for (name, text) in &files {
            if name == CATALOG_FILE {
                let (c, mut errors) = Catalog::from_toml(name, text)?;
                if !errors.is_empty() {
                    return Err(errors.remove(0));
                }
                catalog = Some(c);
                continue;
            }
            let def: KeysOnly = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
            for k in def.key {
                if !keys.iter().any(|x| x.key == k.key) {
                    keys.push(k);
                }
            }
        }
        let catalog = catalog.ok_or_else(|| {
            invalid(
                CATALOG_FILE,
                "table",
                "table",
                "no table catalog (tables/catalog.toml)",
            )
        })?;
        Ok(ReviewVocabulary {
            headline: keys
                .into_iter()
                .filter(|k| k.headline)
                .map(|k| k.key)
                .collect(),
            catalog,
        })
    }
}

impl PatternSet {
    /// The part of the set the review reads (for a set already loaded).
    pub fn review_vocabulary(&self) -> ReviewVocabulary {
        ReviewVocabulary {
            headline: self.headline_keys().map(|k| k.key.clone()).collect(),
            catalog: self.catalog.clone(),
        }
    }
}

#[cfg(test)]
mod review_vocabulary_tests {
    use super::*;

    #[test]
    fn the_review_vocabulary_is_the_full_sets() {
        let full = PatternSet::load(None).expect("the default set");
        let light = ReviewVocabulary::load(None).expect("the review's part");
        let headline: Vec<String> = full.headline_keys().map(|k| k.key.clone()).collect();
        assert!(!headline.is_empty());
        assert_eq!(light.headline, headline);
        let ids = |c: &Catalog| c.entries().iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&light.catalog), ids(&full.catalog));
        assert!(ReviewVocabulary::from_files(vec![("a.toml".into(), "key = [".into())]).is_err());
    }
}
