//! The identities as data: `patterns/identities.toml` loaded, verified and its examples run.
//!
//! In: the text of the identities file (embedded default, or the file of a `--patterns DIR`), the key
//! vocabulary and the catalog's table ids (for verification). Out: [`Identities`], the `[[identity]]`
//! entries in file order, each an id template, the tables it applies to, a [`Mode`] (how the total and
//! the parts are found and compared) and the words naming rows, columns and keys; and, from
//! [`Identities::check`], every problem as `file:line:identity[i]:field: message` (unknown table id,
//! unknown key, an unknown part name, an example whose check does not give the status it says).
//!
//! The evaluator is [`super::tables::evaluate_with`]; the meaning of each field is in the file's own
//! comments. Not here: reading tables (see [`crate::extract::tables`]).

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use rust_decimal::Decimal;
use serde::Deserialize;

use super::Status;
use crate::amount::WAN_YUAN;
use crate::extract::facts::{Fact, Origin};
use crate::extract::tables::figures::{
    default_figures, CellSel, ColumnParts, LineFinder, PartSets,
};
use crate::extract::tables::{Row, Table};

/// The identities file, relative to the pattern folder.
pub const IDENTITIES_FILE: &str = "identities.toml";

const DEFAULT_TOML: &str = include_str!("../../patterns/identities.toml");

/// How an identity finds its total and parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Two cells are equal: the first `expected` selector that finds a cell vs the first `total`
    /// one; `insufficient_data` (`missing`) when either is missing.
    CellsEqual,
    /// `total` (first selector found) = Σ the rows whose names start with a `part_rows` word, in the
    /// total's column (rows absent are skipped, blank cells are zero).
    RowParts,
    /// `total` = Σ the numbered rows (`numerals` + `number_mark`) printed before it, whose `side`
    /// label columns hold text.
    NumberedRows,
    /// The total row = Σ the rows of level 1 in every money column (`id`, `{column}`), and each row
    /// with rows under it = Σ those rows in the first money column (`child_id`, `{code}`).
    SumRows,
    /// On the total row, each column group's total = Σ its part columns (the column roles of
    /// `tables/columns.toml`); `personnel_id` when the parts are 人员经费 / 公用经费.
    ColumnGroups,
    /// The total row = Σ the rows named by `part_rows` (all present), first money column with a total.
    NamedRowsSum,
    /// Per column group (`column_parts.group_words`, when a leaf holds `grouped_when_leaf_has`):
    /// each of `sums`, its total and parts named by the `column_parts.parts` column rules.
    ColumnParts,
    /// `columns` = [budget, done, rate] (by position): rate = done / budget × 100 at the printed
    /// precision.
    Rate,
    /// `columns` = [part, part, total] (by label): total = Σ parts.
    ScoreSum,
    /// A table that says it is empty prints no value but zeros (pass), else fail.
    EmptyStatement,
    /// Across the tables of each `pairs` entry [A, B]: a cell of A (`expected`) = a cell of B
    /// (`total`).
    CrossTable,
    /// Every narrative fact whose key a table figure gives (`patterns/tables/figures.toml`) = it.
    TextVsFigures,
    /// Per-item narrative facts (`items`: key → tables) = the row of the item in those tables.
    TextVsRows,
    /// Narrative facts: Σ `part_keys` = the first stated of `total_keys`; every part stated, or, with
    /// `min_parts`, at least that many (the others count as 0); `extra_part` added when stated; a
    /// part not stated but stated by its pieces (`part_split`) is replaced by them.
    FactParts,
    /// Narrative facts: the items of `item_key` (first reading of each) sum to the first stated of
    /// `total_keys`; with `only_excess_fails`, items short of the total are `not_applicable`.
    FactItems,
    /// Narrative facts: each `yoy` entry's stated percent follows from its stated change and value.
    FactYoy,
}

/// When an identity runs: over the narrative's facts, on each table, across tables, or over the
/// narrative and the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Facts,
    Table,
    Cross,
    Text,
}

impl Mode {
    pub fn scope(self) -> Scope {
        match self {
            Mode::CrossTable => Scope::Cross,
            Mode::TextVsFigures | Mode::TextVsRows => Scope::Text,
            Mode::FactParts | Mode::FactItems | Mode::FactYoy => Scope::Facts,
            _ => Scope::Table,
        }
    }
}

/// A sum of named column parts (`column_parts`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSum {
    pub name: String,
    /// A name of `parts`, or `$total` (the table's total part).
    pub total: String,
    pub parts: Vec<String>,
}

/// The tables a per-item fact key is compared with (`text_vs_rows`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRows {
    pub key: String,
    pub tables: Vec<String>,
}

/// A part a `fact_parts` total may hold besides its `part_keys` (单位预留机动经费 beside 基本 and
/// 项目): added when the narrative states `key`, else when a table names it (`label`: the first money
/// cell of a column whose leaf contains it, else of a row whose name contains it); `message` then
/// says so.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraPart {
    pub key: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub message: String,
}

/// A figure whose change on the previous year is stated both as an amount and as a percent
/// (`fact_yoy`): `pct` = `change` / (`value` − `change`) × 100.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YoyKeys {
    pub value: String,
    pub change: String,
    pub pct: String,
}

/// A tiny table of an example.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleTable {
    pub id: String,
    pub columns: Vec<String>,
    /// The unit of each column (a column with a unit holds numbers: money in 万元, `%`, `分`);
    /// default: 万元 for a column where some row holds a number.
    #[serde(default)]
    pub units: Option<Vec<String>>,
    /// Each row: its name (`CODE NAME` for a classified row), then one text per column.
    pub rows: Vec<Vec<String>>,
    #[serde(default)]
    pub empty_statement: Option<String>,
}

/// A narrative fact of an example.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFact {
    pub key: String,
    #[serde(default)]
    pub item: Option<String>,
    pub value: String,
    #[serde(default)]
    pub approximate: bool,
}

/// An example: the tables and facts, and the status every check of the identity (or the one named
/// by `check`) must get.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub want: String,
    #[serde(default)]
    pub check: Option<String>,
    #[serde(default)]
    pub tables: Vec<ExampleTable>,
    #[serde(default)]
    pub facts: Vec<ExampleFact>,
}

/// One `[[identity]]` entry. Which fields a mode reads is said at [`Mode`] and in the file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityDef {
    /// The check id; `{table}` is the table's id, and by mode `{column}`, `{code}`, `{row}`,
    /// `{name}`, `{group}`, `{a}`, `{b}`, `{key}`, `{item}`.
    pub id: String,
    /// Catalog ids the identity applies to; `*` = every table.
    #[serde(default)]
    pub tables: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
    pub mode: Mode,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub expected: Vec<CellSel>,
    #[serde(default)]
    pub total: Vec<CellSel>,
    #[serde(default)]
    pub part_rows: Vec<String>,
    #[serde(default)]
    pub side: String,
    #[serde(default)]
    pub numerals: String,
    #[serde(default)]
    pub number_mark: String,
    #[serde(default)]
    pub child_id: String,
    #[serde(default)]
    pub personnel_id: String,
    #[serde(default)]
    pub columns: Vec<String>,
    /// The message of an `insufficient_data` record (`{family}`, `{a}`, `{b}` filled in).
    #[serde(default)]
    pub missing: String,
    /// `column_parts`: the column group is a leaf of `column_parts.group_words` only when a leaf
    /// holds this word.
    #[serde(default)]
    pub grouped_when_leaf_has: String,
    /// `column_parts`: the part columns (`[identity.column_parts]`, as the 三公 figures of
    /// `tables/figures.toml` read them; its `part_set` names a `[part_sets.NAME]` of that file).
    #[serde(default)]
    pub column_parts: ColumnParts,
    #[serde(default)]
    pub sums: Vec<PartSum>,
    #[serde(default)]
    pub pairs: Vec<[String; 2]>,
    /// `cross_table`: when no `expected` cell is found, the 一般公共预算 income rows of A (the
    /// `gpb_income_rows` of `tables/columns.toml`).
    #[serde(default)]
    pub expected_gpb_income: bool,
    /// `cross_table`: when no `total` cell is found, the sum of these cells of B (each the first
    /// selector found), all present.
    #[serde(default)]
    pub total_fallback_sum: Vec<Vec<CellSel>>,
    /// `cross_table`: A must have a column of this leaf, else the check is `not_applicable`
    /// (`not_applicable` is its message).
    #[serde(default)]
    pub requires_leaf: String,
    #[serde(default)]
    pub not_applicable: String,
    #[serde(default)]
    pub items: Vec<ItemRows>,
    #[serde(default)]
    pub leaf_in: Vec<String>,
    #[serde(default)]
    pub max_level: Option<u8>,
    /// `fact_parts`: the keys of the parts.
    #[serde(default)]
    pub part_keys: Vec<String>,
    /// `fact_parts`, `fact_items`: the keys of the total, in preference order (the first stated).
    #[serde(default)]
    pub total_keys: Vec<String>,
    /// `fact_parts`: parts may go unmentioned (counted as 0) when at least this many are stated.
    #[serde(default)]
    pub min_parts: Option<usize>,
    #[serde(default)]
    pub extra_part: Option<ExtraPart>,
    /// `fact_parts`: a part that may be stated only by its own parts (`sangong.vehicle` by
    /// `sangong.vehicle.purchase` and `.operation`): when the part is not stated but one of these
    /// is, they stand in its place.
    #[serde(default)]
    pub part_split: BTreeMap<String, Vec<String>>,
    /// `fact_items`: the per-item key whose items are summed.
    #[serde(default)]
    pub item_key: String,
    /// `fact_items`: a list may name only its main items, so only an excess is a `fail`.
    #[serde(default)]
    pub only_excess_fails: bool,
    #[serde(default)]
    pub yoy: Vec<YoyKeys>,
    #[serde(default)]
    pub example: Vec<Example>,
}

impl IdentityDef {
    /// True when the identity applies to a table of id `id`.
    pub fn applies(&self, id: &str) -> bool {
        (self.tables.iter().any(|t| t == "*" || t == id)) && !self.except.iter().any(|t| t == id)
    }
}

/// The `[[identity]]` entries of a file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdentitiesEntry {
    #[serde(default)]
    pub identity: Vec<IdentityDef>,
}

/// The compiled identities of a pattern set, with the file they came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identities {
    pub file: String,
    pub defs: Vec<IdentityDef>,
    /// The indexes of the identities whose `part_set` names no set (see [`Identities::check`]).
    pub unknown_part_sets: Vec<usize>,
}

impl Identities {
    /// Adds to each identity the parts of its `part_set` (the figures' named sets).
    pub fn add_part_sets(&mut self, sets: &PartSets) {
        self.unknown_part_sets.clear();
        for (i, d) in self.defs.iter_mut().enumerate() {
            if !d.column_parts.add_part_set(sets) {
                self.unknown_part_sets.push(i);
            }
        }
    }
}

static DEFAULT: LazyLock<Arc<Identities>> = LazyLock::new(|| {
    let mut ids = Identities {
        file: IDENTITIES_FILE.to_string(),
        defs: toml::from_str::<IdentitiesEntry>(DEFAULT_TOML)
            .map(|f| f.identity)
            .unwrap_or_default(),
        unknown_part_sets: Vec::new(),
    };
    ids.add_part_sets(&default_figures().part_sets);
    Arc::new(ids)
});

/// The embedded default identities.
pub fn default_identities() -> Arc<Identities> {
    DEFAULT.clone()
}

/// A table built from an example.
pub fn example_table(e: &ExampleTable) -> Table {
    let number = |s: &str| Decimal::from_str(s.trim()).ok();
    let units: Vec<String> = e.units.clone().unwrap_or_else(|| {
        (0..e.columns.len())
            .map(|i| {
                let money = e
                    .rows
                    .iter()
                    .any(|r| r.get(i + 1).is_some_and(|c| number(c).is_some()));
                if money { WAN_YUAN } else { "" }.to_string()
            })
            .collect()
    });
    let mut rows: Vec<Row> = e
        .rows
        .iter()
        .map(|r| {
            let first = r.first().cloned().unwrap_or_default();
            let (code, name) = match first.split_once(' ') {
                Some((c, n)) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()) => {
                    (Some(c.to_string()), n.to_string())
                }
                _ => (None, first),
            };
            let raw: Vec<String> = (0..e.columns.len())
                .map(|i| r.get(i + 1).cloned().unwrap_or_default())
                .collect();
            let cells = raw
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    units
                        .get(i)
                        .is_some_and(|u| !u.is_empty())
                        .then(|| number(c))
                        .flatten()
                })
                .collect();
            Row {
                code,
                name,
                cells,
                raw,
                page: 1,
                level: None,
                parent: None,
                indent: None,
                bbox: None,
                bboxes: Vec::new(),
                cell_rects: Vec::new(),
            }
        })
        .collect();
    crate::extract::tables::rows::set_hierarchy(&mut rows);
    Table {
        table: e.id.clone(),
        title: String::new(),
        unit_declared: Some(WAN_YUAN.to_string()),
        pages: [1, 1],
        columns: e.columns.clone(),
        rows,
        empty: false,
        empty_statement: e.empty_statement.clone(),
        unit: WAN_YUAN.to_string(),
        unit_inferred: false,
        column_units: units,
        layout: "ruled".to_string(),
        regions: Vec::new(),
        grid_rects: Vec::new(),
    }
}

fn example_fact(f: &ExampleFact) -> Option<Fact> {
    Some(Fact {
        key: f.key.clone(),
        item: f.item.clone(),
        value: Decimal::from_str(&f.value).ok()?,
        unit: WAN_YUAN.to_string(),
        raw: f.value.clone(),
        approximate: f.approximate,
        page: Some(1),
        section: String::new(),
        pattern: "example".to_string(),
        origin: Origin::Narrative,
        cell: None,
        bbox: None,
        span: None,
    })
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Rounding => "rounding",
        Status::Fail => "fail",
        Status::NotApplicable => "not_applicable",
        Status::InsufficientData => "insufficient_data",
    }
}

impl Identities {
    /// Every problem of the identities: unknown table ids and keys, unknown part names, fields a
    /// mode needs left empty, identities without examples, examples that do not give their status;
    /// as `file:line:identity[i]:field: message`, the line being the entry's `[[identity]]`.
    pub fn check(&self, text: &str, keys: &[&str], tables: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut lines = LineFinder::new(text);
        for (i, d) in self.defs.iter().enumerate() {
            let line = lines.next_line("[[identity]]");
            let at = |field: &str| format!("{}:{line}:identity[{i}]:{field}", self.file);
            check_tables(d, tables, &at, &mut out);
            if self.unknown_part_sets.contains(&i) {
                out.push(format!(
                    "{}: {}: unknown part set {:?} (tables/figures.toml `[part_sets]`)",
                    at("column_parts.part_set"),
                    d.id,
                    d.column_parts.part_set
                ));
            }
            check_keys(d, keys, &at, &mut out);
            check_parts(d, &at, &mut out);
            self.check_examples(d, &at, &mut out);
        }
        out
    }

    /// Runs every example of `d` alone through the evaluator.
    fn check_examples(&self, d: &IdentityDef, at: &dyn Fn(&str) -> String, out: &mut Vec<String>) {
        if d.example.is_empty() {
            out.push(format!(
                "{}: {}: an identity needs at least one example",
                at("example"),
                d.id
            ));
        }
        let one = Identities {
            file: self.file.clone(),
            defs: vec![d.clone()],
            unknown_part_sets: Vec::new(),
        };
        for (j, ex) in d.example.iter().enumerate() {
            let ts: Vec<Table> = ex.tables.iter().map(example_table).collect();
            let facts: Vec<Fact> = ex.facts.iter().filter_map(example_fact).collect();
            if facts.len() != ex.facts.len() {
                out.push(format!(
                    "{}: a fact value is not a decimal",
                    at(&format!("example[{j}]"))
                ));
                continue;
            }
            let got = super::tables::evaluate_with(&one, &facts, &ts);
            let got: Vec<&super::Check> = got
                .iter()
                .filter(|c| ex.check.as_deref().is_none_or(|want| c.check == want))
                .collect();
            let ok = !got.is_empty() && got.iter().all(|c| status_name(c.status) == ex.want);
            if !ok {
                let seen: Vec<String> = got
                    .iter()
                    .map(|c| format!("{} {}", c.check, status_name(c.status)))
                    .collect();
                out.push(format!(
                    "{}: {} should give {} but gives [{}]",
                    at(&format!("example[{j}]")),
                    ex.check.as_deref().unwrap_or(&d.id),
                    ex.want,
                    seen.join(", ")
                ));
            }
        }
    }
}

/// The table ids an identity names are in the catalog; a table identity names some.
fn check_tables(
    d: &IdentityDef,
    tables: &[&str],
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<String>,
) {
    let known = |id: &str| id == "*" || tables.contains(&id);
    if d.tables.is_empty() && d.pairs.is_empty() && d.mode.scope() == Scope::Table {
        out.push(format!("{}: {} names no table", at("tables"), d.id));
    }
    for id in d
        .tables
        .iter()
        .chain(&d.except)
        .chain(d.pairs.iter().flatten())
    {
        if !known(id) {
            out.push(format!(
                "{}: {}: unknown table id {id:?}",
                at("tables"),
                d.id
            ));
        }
    }
    for it in &d.items {
        for id in it.tables.iter().filter(|id| !known(id)) {
            out.push(format!(
                "{}: {}: unknown table id {id:?}",
                at("items"),
                d.id
            ));
        }
    }
}

/// The fact keys an identity names, by field.
fn named_keys(d: &IdentityDef) -> Vec<(&'static str, &str)> {
    let mut keys: Vec<(&'static str, &str)> = Vec::new();
    keys.extend(d.items.iter().map(|it| ("items", it.key.as_str())));
    keys.extend(d.part_keys.iter().map(|k| ("part_keys", k.as_str())));
    keys.extend(d.total_keys.iter().map(|k| ("total_keys", k.as_str())));
    keys.extend(d.extra_part.iter().map(|e| ("extra_part", e.key.as_str())));
    for (part, pieces) in &d.part_split {
        keys.push(("part_split", part.as_str()));
        keys.extend(pieces.iter().map(|k| ("part_split", k.as_str())));
    }
    if !d.item_key.is_empty() {
        keys.push(("item_key", d.item_key.as_str()));
    }
    for y in &d.yoy {
        keys.extend([
            ("yoy", y.value.as_str()),
            ("yoy", y.change.as_str()),
            ("yoy", y.pct.as_str()),
        ]);
    }
    keys
}

/// Every key an identity names is in keys.toml; a fact identity names the keys its mode reads.
fn check_keys(d: &IdentityDef, keys: &[&str], at: &dyn Fn(&str) -> String, out: &mut Vec<String>) {
    for (field, k) in named_keys(d) {
        if !keys.contains(&k) {
            out.push(format!("{}: {}: unknown key {k:?}", at(field), d.id));
        }
    }
    let empty = match d.mode {
        Mode::FactParts if d.part_keys.is_empty() => Some("part_keys"),
        Mode::FactParts | Mode::FactItems if d.total_keys.is_empty() => Some("total_keys"),
        Mode::FactItems if d.item_key.is_empty() => Some("item_key"),
        Mode::FactYoy if d.yoy.is_empty() => Some("yoy"),
        _ => None,
    };
    if let Some(field) = empty {
        out.push(format!("{}: {}: its mode needs `{field}`", at(field), d.id));
    }
}

/// The part names of `sums` are parts of the identity.
fn check_parts(d: &IdentityDef, at: &dyn Fn(&str) -> String, out: &mut Vec<String>) {
    for s in &d.sums {
        for p in std::iter::once(&s.total).chain(&s.parts) {
            if !d.column_parts.has_part(p) {
                out.push(format!("{}: {}: unknown part {p:?}", at("sums"), d.id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::PatternSet;

    #[test]
    fn every_default_identity_example_gives_its_status() {
        let set = PatternSet::load(None).expect("default patterns");
        let keys: Vec<&str> = set.keys.iter().map(|k| k.key.as_str()).collect();
        let mut tables: Vec<&str> = set
            .catalog
            .entries()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        tables.push("X");
        assert_eq!(set.identities.defs, default_identities().defs);
        assert_eq!(
            set.identities.check(&set.identities_text, &keys, &tables),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_mode_has_a_passing_and_a_failing_example() {
        let defs = &default_identities().defs;
        let modes = [
            Mode::CellsEqual,
            Mode::RowParts,
            Mode::NumberedRows,
            Mode::SumRows,
            Mode::ColumnGroups,
            Mode::NamedRowsSum,
            Mode::ColumnParts,
            Mode::Rate,
            Mode::ScoreSum,
            Mode::EmptyStatement,
            Mode::CrossTable,
            Mode::TextVsFigures,
            Mode::TextVsRows,
            Mode::FactParts,
            Mode::FactItems,
            Mode::FactYoy,
        ];
        for m in modes {
            let wants: Vec<&str> = defs
                .iter()
                .filter(|d| d.mode == m)
                .flat_map(|d| d.example.iter().map(|e| e.want.as_str()))
                .collect();
            assert!(wants.contains(&"pass"), "{m:?}: {wants:?}");
            assert!(
                wants.contains(&"fail") || wants.contains(&"not_applicable"),
                "{m:?}: {wants:?}"
            );
        }
    }

    #[test]
    fn an_example_that_does_not_hold_is_a_problem() {
        let mut ids = (*default_identities()).clone();
        ids.defs.retain(|d| d.mode == Mode::RowParts);
        for d in &mut ids.defs {
            for e in &mut d.example {
                e.want = "rounding".to_string();
            }
        }
        let problems = ids.check("", &[], &["F01"]);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("identities.toml:0:identity[0]:example[0]: "));
        assert!(problems[0]
            .ends_with("should give rounding but gives [F01.income_total_eq_parts pass]"));
    }

    #[test]
    fn an_identity_added_as_data_needs_no_code() {
        // 政府性基金预算支出表 (F08) printed with its own 本年支出合计 and 结转 rows.
        let text = r#"
[[identity]]
id = '{table}.fund_total_eq_parts'
tables = ['F08']
mode = 'row_parts'
total = [{ rows = ['支出总计'] }]
part_rows = ['本年支出合计', '年末结转和结余']

[[identity.example]]
want = 'pass'
tables = [{ id = 'F08', columns = ['金额'], rows = [['本年支出合计', '8'], ['年末结转和结余', '2'], ['支出总计', '10']] }]
"#;
        let defs = toml::from_str::<IdentitiesEntry>(text)
            .expect("identities toml")
            .identity;
        let ids = Identities {
            file: "mine.toml".to_string(),
            defs,
            unknown_part_sets: Vec::new(),
        };
        assert_eq!(ids.check(text, &[], &["F08"]), Vec::<String>::new());
        let t = example_table(&ExampleTable {
            id: "F08".to_string(),
            columns: vec!["金额".to_string()],
            units: None,
            rows: vec![
                vec!["本年支出合计".to_string(), "8".to_string()],
                vec!["年末结转和结余".to_string(), "2.5".to_string()],
                vec!["支出总计".to_string(), "10".to_string()],
            ],
            empty_statement: None,
        });
        let checks = super::super::tables::evaluate_with(&ids, &[], &[t]);
        assert_eq!(checks.len(), 1);
        let c = &checks[0];
        assert_eq!(c.check, "F08.fund_total_eq_parts");
        assert_eq!(c.status, Status::Fail);
        assert_eq!(
            (c.expected, c.actual, c.envelope),
            (
                Some(Decimal::new(105, 1)),
                Some(Decimal::from(10)),
                Some(Decimal::new(15, 3))
            )
        );
        assert_eq!(
            c.formula.as_deref(),
            Some("支出总计 = 本年支出合计 + 年末结转和结余 @ 金额")
        );
        let roles: Vec<(super::super::Role, Option<&str>)> =
            c.terms.iter().map(|t| (t.role, t.raw.as_deref())).collect();
        assert_eq!(
            roles,
            [
                (super::super::Role::Total, Some("10")),
                (super::super::Role::Part, Some("8")),
                (super::super::Role::Part, Some("2.5")),
            ]
        );
    }

    #[test]
    fn example_rows_read_codes_and_units() {
        let t = example_table(&ExampleTable {
            id: "F05".to_string(),
            columns: vec!["科目名称".to_string(), "合计".to_string()],
            units: None,
            rows: vec![
                vec!["合计".to_string(), String::new(), "30".to_string()],
                vec![
                    "208 社会保障和就业支出".to_string(),
                    "社会保障和就业支出".to_string(),
                    "30".to_string(),
                ],
            ],
            empty_statement: None,
        });
        assert_eq!(t.column_units, ["", WAN_YUAN]);
        assert_eq!(t.rows[1].code.as_deref(), Some("208"));
        assert_eq!(t.rows[1].name, "社会保障和就业支出");
        assert_eq!(t.rows[1].level, Some(1));
        assert_eq!(t.rows[1].cells, [None, Some(Decimal::from(30))]);
    }

    #[test]
    fn the_sangong_columns_are_written_once_for_the_figures_and_the_identity() {
        let sets = &default_figures().part_sets;
        let sangong = sets.get("sangong").expect("the sangong part set");
        let ids = default_identities();
        let d = ids
            .defs
            .iter()
            .find(|d| d.mode == Mode::ColumnParts)
            .expect("the column_parts identity");
        assert_eq!(d.column_parts.part_set, "sangong");
        assert_eq!(&d.column_parts.parts, sangong);
        let groups: Vec<_> = default_figures()
            .groups
            .iter()
            .filter(|g| g.column_parts.part_set == "sangong")
            .cloned()
            .collect();
        assert_eq!(groups.len(), 2, "the F07 and B07 groups");
        for g in &groups {
            for (part, rules) in sangong {
                let got = g.column_parts.parts.get(part);
                assert_eq!(got, Some(rules), "{:?} {part}", g.tables);
            }
            // The identity and the figures read the same group, meeting and total words.
            assert_eq!(g.column_parts.meetings, d.column_parts.meetings);
            assert_eq!(g.column_parts.total_part, d.column_parts.total_part);
            let (mut a, mut b) = (
                g.column_parts.group_words.clone(),
                d.column_parts.group_words.clone(),
            );
            a.sort();
            b.sort();
            assert_eq!(a, b, "{:?}", g.tables);
        }
        assert_eq!(
            sangong.get("overseas").map(Vec::len),
            Some(1),
            "one rule for 出国"
        );
    }

    #[test]
    fn an_unknown_part_set_is_a_problem() {
        let text = "[[identity]]\nid = '{table}.{name}{group}'\ntables = ['B07']\nmode = 'column_parts'\n[identity.column_parts]\npart_set = 'nosuch'\n";
        let mut ids = Identities {
            file: "mine.toml".to_string(),
            defs: toml::from_str::<IdentitiesEntry>(text)
                .expect("identities toml")
                .identity,
            unknown_part_sets: Vec::new(),
        };
        ids.add_part_sets(&default_figures().part_sets);
        assert_eq!(ids.unknown_part_sets, [0]);
        let problems = ids.check(text, &[], &["B07"]);
        assert_eq!(
            problems[0],
            "mine.toml:1:identity[0]:column_parts.part_set: {table}.{name}{group}: unknown part set \"nosuch\" \
             (tables/figures.toml `[part_sets]`)"
        );
    }
}
