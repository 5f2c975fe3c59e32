//! Key figures read from table cells, and the [`Fact`]s they yield when the narrative omits them.
//!
//! In: the tables of a document (and its narrative facts) and the figure rules of
//! `patterns/tables/figures.toml` ([`Figures`]). Out: [`KeyFigure`]s — a metrics key, the value in
//! 万元, the cell's raw text, page and a reference `table:F01[总计,收入/决算数]@p7`. Which cell gives
//! which key is data: each `[[figures]]` group names its tables, a `mode` (`cells`: the first
//! [`CellSel`] that finds a cell; `gated`: the same, kept only when the total of the row equals the sum
//! of its parts; `column_parts`: the 三公 layout, parts named by [`ColMatch`] word rules, per column
//! group) and its `[[figures.figure]]` keys; see the file's own comments.
//!
//! Blank cells yield nothing (a blank is not a zero). A table that disagrees with itself yields no
//! figure of the identity it breaks (三公 合计 ≠ parts, 公务用车 ≠ 购置 + 运行, 合计 ≠ 基本 + 项目 + …):
//! such a disagreement more often means misread columns than a misprint. [`table_facts`] turns the
//! figures into facts with values at the narrative's precision (a table in 元 gives 156,211,123 元 =
//! 15621.1123 万元, stated as 15621.11; `raw` keeps the printed cell), and `pattern` = the rule id
//! (`table:F01.income.grand_total`) for keys the narrative does not state: the narrative's own
//! (possibly rounded) figure is what a reader quotes, and a disagreement is a check
//! (`text_vs_table.<key>`), not a second fact.
//!
//! The cell selectors ([`CellSel`], [`select`]) and the column word rules ([`ColMatch`]) are shared
//! with the identities of [`crate::checks`], which read tables through them (extraction → figures →
//! checks, one way). Not here: comparisons. Limits: the three-part 收支预算总表 layout (收入 | 功能分类
//! | 支出用途) is read by column labels, as every other.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

use crate::document::BBox;
use crate::extract::facts::{CellSource, Fact, Origin};
use crate::normalize::normalize_line;

use super::labels;
use super::{Row, Table};

/// The figure rules file, relative to the pattern folder.
pub const FIGURES_FILE: &str = "tables/figures.toml";

/// The embedded default figure rules.
const DEFAULT_TOML: &str = include_str!("../../../patterns/tables/figures.toml");

/// A figure read from one table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigure {
    pub key: String,
    pub value: Decimal,
    pub raw: String,
    pub page: u32,
    /// Rule id, e.g. `table:F01.income.grand_total`.
    pub rule: String,
    /// Cell reference, e.g. `table:F01[总计,收入/决算数]@p7`.
    pub cell_ref: String,
    /// The table, row and column of the cell.
    pub cell: CellSource,
    /// The row and column index of the cell in its table (for the checks' terms).
    pub at: (usize, usize),
    /// The cell's box (user space of its page), when the table was read from a PDF.
    pub bbox: Option<BBox>,
}

// ---- cell selectors and column word rules (data) ---------------------------------------------

/// Which cell of a table: a row (by normalised name, or the table's 合计 row when `rows` is empty)
/// and the first money column (万元) holding a value whose label passes every column condition.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellSel {
    /// Row names after [`norm_name`], tried in this order; empty = the 合计 row ([`total_row`]).
    #[serde(default)]
    pub rows: Vec<String>,
    /// Take the first row of the table whose name is any of `rows` (table order, not list order),
    /// and in it the first money column holding a value whatever its label.
    #[serde(default)]
    pub table_order: bool,
    /// The label contains one of these words (empty: any label).
    #[serde(default)]
    pub column_has: Vec<String>,
    /// … or the label is empty (a one-column side printed without a label).
    #[serde(default)]
    pub or_blank: bool,
    /// The label's leaf (last `/` part) is one of these (empty: any).
    #[serde(default)]
    pub leaf_in: Vec<String>,
    /// The label's leaf contains none of these.
    #[serde(default)]
    pub leaf_not_has: Vec<String>,
    /// The label is of the report's own year ([`current_year`]).
    #[serde(default)]
    pub current_year: bool,
    /// When no column passes and the table has a single money column, that column.
    #[serde(default)]
    pub or_only_money_column: bool,
}

impl CellSel {
    /// True when the column label `l` of `t` passes the selector's column conditions.
    pub fn accepts(&self, t: &Table, l: &str) -> bool {
        let lf = leaf(l);
        (!self.current_year || current_year(t, l))
            && (self.column_has.is_empty()
                || self.column_has.iter().any(|w| l.contains(w.as_str()))
                || (self.or_blank && l.is_empty()))
            && (self.leaf_in.is_empty() || self.leaf_in.iter().any(|w| lf == w))
            && !self.leaf_not_has.iter().any(|w| lf.contains(w.as_str()))
    }

    /// The row names and column conditions in words, for a rule's description.
    pub fn describe(&self) -> String {
        let row = if self.rows.is_empty() {
            "total row".to_string()
        } else {
            self.rows.join("|")
        };
        let mut cond = Vec::new();
        if !self.column_has.is_empty() {
            cond.push(format!("~{}", self.column_has.join("|")));
        }
        if !self.leaf_in.is_empty() {
            cond.push(self.leaf_in.join("|"));
        }
        format!("{row}[{}]", cond.join(","))
    }
}

/// The first cell `sel` names: (value, row, column).
pub fn select<'t>(t: &'t Table, sel: &CellSel) -> Option<(Decimal, &'t Row, usize)> {
    let money =
        |i: usize| t.column_units.get(i).map(String::as_str) == Some(crate::amount::WAN_YUAN);
    let label = |i: usize| t.columns.get(i).map(String::as_str).unwrap_or("");
    if sel.table_order {
        let row = t
            .rows
            .iter()
            .filter(|r| {
                let n = norm_name(&r.name);
                sel.rows.contains(&n)
            })
            .find_map(|r| {
                (0..t.columns.len()).find_map(|i| {
                    let v = r.cells.get(i).copied().flatten()?;
                    money(i).then_some((v, r, i))
                })
            });
        return row;
    }
    if sel.rows.is_empty() {
        let row = total_row(t)?;
        let in_row = |pred: &dyn Fn(usize) -> bool| {
            (0..t.columns.len()).find_map(|i| {
                if !money(i) || !pred(i) {
                    return None;
                }
                row.cells.get(i).copied().flatten().map(|v| (v, row, i))
            })
        };
        let single = t
            .column_units
            .iter()
            .filter(|u| *u == crate::amount::WAN_YUAN)
            .count()
            == 1;
        return in_row(&|i| sel.accepts(t, label(i)))
            .or_else(|| (sel.or_only_money_column && single).then(|| in_row(&|_| true))?);
    }
    let names: Vec<&str> = sel.rows.iter().map(String::as_str).collect();
    find(t, &names, |l| sel.accepts(t, l))
}

/// The first cell of the first selector that finds one.
pub fn select_any<'t>(t: &'t Table, sels: &[CellSel]) -> Option<(Decimal, &'t Row, usize)> {
    sels.iter().find_map(|s| select(t, s))
}

/// A word rule over the parts of a column label (`/`-separated), the last part being the leaf.
/// Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColMatch {
    /// The leaf is this word.
    #[serde(default)]
    pub leaf: Option<String>,
    /// The leaf contains every one of these words.
    #[serde(default)]
    pub leaf_has: Vec<String>,
    /// The leaf contains none of these words.
    #[serde(default)]
    pub leaf_not_has: Vec<String>,
    /// The leaf starts with this word.
    #[serde(default)]
    pub leaf_starts: Option<String>,
    /// The part above the leaf contains this word.
    #[serde(default)]
    pub parent_has: Option<String>,
    /// No part of the label is this word.
    #[serde(default)]
    pub no_part: Option<String>,
}

impl ColMatch {
    /// True when the label parts `p` pass.
    pub fn matches(&self, p: &[&str]) -> bool {
        let last = p.last().copied().unwrap_or("");
        let parent = if p.len() >= 2 { p[p.len() - 2] } else { "" };
        self.leaf.as_deref().is_none_or(|w| last == w)
            && self.leaf_has.iter().all(|w| last.contains(w.as_str()))
            && !self.leaf_not_has.iter().any(|w| last.contains(w.as_str()))
            && self
                .leaf_starts
                .as_deref()
                .is_none_or(|w| last.starts_with(w))
            && self
                .parent_has
                .as_deref()
                .is_none_or(|w| p.len() >= 2 && parent.contains(w))
            && self.no_part.as_deref().is_none_or(|w| !p.contains(&w))
    }
}

/// True when any of `rules` passes (none given: false).
pub fn any_match(rules: &[ColMatch], p: &[&str]) -> bool {
    rules.iter().any(|r| r.matches(p))
}

// ---- shared table helpers ---------------------------------------------------------------------

/// A row name in comparable form: whitespace, numbering (`一、`, `1.`, `(一)`) and the detail mark
/// (`其中：`) removed, quotes dropped; the words are the `[names]` of the figure rules in force.
pub fn norm_name(s: &str) -> String {
    let rules = current();
    let w = &rules.names;
    let mut t: String = normalize_line(s)
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"'))
        .collect();
    for p in &w.detail_marks {
        if let Some(rest) = t.strip_prefix(p.as_str()) {
            t = rest.to_string();
        }
    }
    let bare = t.trim_start_matches(['(', '（']);
    let cut = bare
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || w.is_numeral(*c)));
    match cut {
        Some((i, c)) if i > 0 && matches!(c, '、' | '.' | ')' | '）' | '．') => {
            bare[i + c.len_utf8()..].to_string()
        }
        _ => t.to_string(),
    }
}

/// The leaf (last part) of a column label.
pub fn leaf(label: &str) -> &str {
    label.rsplit('/').next().unwrap_or(label)
}

/// A cell reference `table:F01[总计,收入/决算数]@p7`.
pub fn cell_ref(t: &Table, row: &Row, col: usize) -> String {
    format!(
        "table:{}[{},{}]@p{}",
        t.table,
        if row.name.is_empty() {
            "-"
        } else {
            row.name.as_str()
        },
        t.columns.get(col).map(String::as_str).unwrap_or(""),
        row.page
    )
}

/// The first row (by normalised name in `names`, in preference order) with a value in a column whose
/// label satisfies `col`; returns (value, raw, row, column).
pub fn find<'t>(
    t: &'t Table,
    names: &[&str],
    col: impl Fn(&str) -> bool,
) -> Option<(Decimal, &'t Row, usize)> {
    for name in names {
        for row in t.rows.iter().filter(|r| norm_name(&r.name) == *name) {
            for (i, c) in row.cells.iter().enumerate() {
                let label = t.columns.get(i).map(String::as_str).unwrap_or("");
                if let Some(v) = c {
                    if t.column_units.get(i).map(String::as_str) == Some(crate::amount::WAN_YUAN)
                        && col(label)
                    {
                        return Some((*v, row, i));
                    }
                }
            }
        }
    }
    None
}

/// The 合计 row of a table (a row the row words call a total: `patterns/tables/rows.toml`), or its
/// only row when that row has no name.
pub fn total_row(t: &Table) -> Option<&Row> {
    t.rows
        .iter()
        .find(|r| {
            let n = norm_name(&r.name);
            current().names.total_rows.contains(&n)
        })
        .or(match t.rows.as_slice() {
            [only] if only.name.is_empty() => Some(only),
            _ => None,
        })
}

/// The first row holding any value (三公 tables print one unlabelled data row).
pub fn data_row(t: &Table) -> Option<&Row> {
    t.rows.iter().find(|r| r.cells.iter().any(Option::is_some))
}

/// The money columns (万元) of a table.
pub fn money_cols(t: &Table) -> impl Iterator<Item = usize> + '_ {
    (0..t.columns.len())
        .filter(|&i| t.column_units.get(i).map(String::as_str) == Some(crate::amount::WAN_YUAN))
}

/// True for a column label an identity of the report's own year may read: not a year-on-year change
/// (增减变化金额), not the previous year's figure (上年预算数), and not dated with an earlier year than
/// the latest year among the table's labels (`2025年预算数` beside `2026年预算数`).
pub fn current_year(t: &Table, label: &str) -> bool {
    let w = labels::words();
    if w.is_change(label) || w.is_previous_year(label) {
        return false;
    }
    let latest = t.columns.iter().filter_map(|l| w.year(l)).max();
    match (w.year(label), latest) {
        (Some(y), Some(l)) => y == l,
        _ => true,
    }
}

/// Gate: `total` equals the sum of `parts` within the rounding envelope (blank parts count as zero;
/// no total: true). A table whose columns were misread rarely passes; a wrong fact is worse than none.
fn consistent(total: Option<Decimal>, parts: &[Option<Decimal>]) -> bool {
    let Some(total) = total else { return true };
    let sum: Decimal = parts.iter().map(|p| p.unwrap_or_default()).sum();
    let envelope = crate::amount::rounding_envelope(parts.len());
    (total - sum).abs() <= envelope
}

// ---- the figure rules (data) ------------------------------------------------------------------

/// How a group of figures is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureMode {
    /// Each figure: the first of its `cells` that finds a cell.
    Cells,
    /// As `cells`, kept only when `gate_total` = Σ `gate_parts` on the table (blank parts zero).
    Gated,
    /// The 三公 layout: parts named by [`ColMatch`] rules, per 预算数 / 决算数 column group.
    ColumnParts,
}

/// One figure of a group.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureDef {
    pub key: String,
    /// `cells` / `gated`: the selectors, in preference order.
    #[serde(default)]
    pub cells: Vec<CellSel>,
    /// `column_parts`: the part (a name of the group's `parts`, or `$total`: the group's total part).
    #[serde(default)]
    pub part: String,
    /// `column_parts`: the column group read: `main` (the group's `main_group` when the table is
    /// grouped), `none` (any label), or a group word.
    #[serde(default)]
    pub group: String,
    /// `column_parts`: read only when the table's columns are grouped.
    #[serde(default)]
    pub grouped_only: bool,
}

/// A `column_parts` gate: the figure `total` = Σ the figures `parts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureGate {
    pub total: String,
    pub parts: Vec<String>,
}

/// A group of figures read from the same tables the same way (`[[figures]]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureGroup {
    pub tables: Vec<String>,
    pub mode: FigureMode,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub figure: Vec<FigureDef>,
    /// `gated`: the total and the parts of the gate.
    #[serde(default)]
    pub gate_total: Vec<CellSel>,
    #[serde(default)]
    pub gate_parts: Vec<CellSel>,
    /// `column_parts`: the group read by `group = 'main'` figures when the table is grouped.
    #[serde(default)]
    pub main_group: String,
    /// `column_parts`: the columns read (`[figures.column_parts]`).
    #[serde(default)]
    pub column_parts: ColumnParts,
    /// `column_parts`: the figures kept only when every gate holds and the `anchors` columns exist.
    #[serde(default)]
    pub gates: Vec<FigureGate>,
    #[serde(default)]
    pub anchors: Vec<String>,
    /// `column_parts`: figures kept whatever the gates say (outside the identities).
    #[serde(default)]
    pub ungated: Vec<String>,
}

/// The named part columns of a `column_parts` table (the 三公 layout), as the figure groups of
/// `tables/figures.toml` and the `column_parts` identities of `identities.toml` both read them (a
/// `column_parts` table of the entry).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnParts {
    /// The group words (预算数 / 决算数): the column group is the label's leaf.
    #[serde(default)]
    pub group_words: Vec<String>,
    /// Words of columns that make the table's total part `meetings_total_part` (会议费 / 培训费
    /// beside 三公: the 三公 小计) instead of `total_part`.
    #[serde(default)]
    pub meetings: Vec<String>,
    #[serde(default)]
    pub total_part: String,
    #[serde(default)]
    pub meetings_total_part: String,
    /// The named parts, each a list of alternative rules.
    #[serde(default)]
    pub parts: BTreeMap<String, Vec<ColMatch>>,
    /// A named set of parts (`[part_sets.NAME]`) added to `parts` (a part of `parts` of the same
    /// name wins).
    #[serde(default)]
    pub part_set: String,
}

impl ColumnParts {
    /// The name of the total part of table `t`: `meetings_total_part` when a column holds one of
    /// `meetings`, else `total_part`.
    pub fn total_part(&self, t: &Table) -> &str {
        if any_column_has(t, &self.meetings) {
            &self.meetings_total_part
        } else {
            &self.total_part
        }
    }

    /// The rules of part `part`, `$total` being the part `total` (see [`ColumnParts::total_part`]);
    /// none for an unknown part.
    pub fn rules(&self, part: &str, total: &str) -> &[ColMatch] {
        let name = if part == "$total" { total } else { part };
        self.parts.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// True when `part` names a part (`$total`: the plain `total_part`).
    pub fn has_part(&self, part: &str) -> bool {
        let name = if part == "$total" {
            self.total_part.as_str()
        } else {
            part
        };
        self.parts.contains_key(name)
    }

    /// Adds the parts of `part_set` from `sets` (see [`add_part_set`]); false when it names no set.
    pub fn add_part_set(&mut self, sets: &PartSets) -> bool {
        add_part_set(&mut self.parts, &self.part_set, sets)
    }
}

/// How row names are compared (`[names]`): the marks of a detail row (`其中：`), the numerals of
/// a numbering (`一、`) and the names of a table's total row.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameWords {
    #[serde(default)]
    pub detail_marks: Vec<String>,
    #[serde(default)]
    pub numerals: String,
    #[serde(default)]
    pub total_rows: Vec<String>,
    /// `[name, normalised]` pairs that `check-patterns` verifies.
    #[serde(default)]
    pub examples: Vec<[String; 2]>,
}

impl NameWords {
    /// True for a numeral of a numbering (`一` of `一、`).
    pub fn is_numeral(&self, c: char) -> bool {
        self.numerals.contains(c)
    }
}

/// Named sets of column word rules (`[part_sets.NAME]`, part name → alternative rules): the
/// columns that `column_parts` figure groups and the `column_parts` identities of
/// `patterns/identities.toml` share (the 三公 columns), written once.
pub type PartSets = BTreeMap<String, BTreeMap<String, Vec<ColMatch>>>;

/// Adds the parts of the set `name` to `parts` (a part already there wins). False when `name` names
/// no set of `sets` (nothing added); true for an empty name.
pub fn add_part_set(
    parts: &mut BTreeMap<String, Vec<ColMatch>>,
    name: &str,
    sets: &PartSets,
) -> bool {
    if name.is_empty() {
        return true;
    }
    let Some(set) = sets.get(name) else {
        return false;
    };
    for (part, rules) in set {
        parts.entry(part.clone()).or_insert_with(|| rules.clone());
    }
    true
}

/// The compiled figure rules of a pattern set, with the file they came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub file: String,
    pub names: NameWords,
    pub groups: Vec<FigureGroup>,
    pub part_sets: PartSets,
}

/// The `[names]` table, the `[part_sets.NAME]` tables and the `[[figures]]` groups of a file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FiguresEntry {
    #[serde(default)]
    pub names: Option<NameWords>,
    #[serde(default)]
    pub part_sets: PartSets,
    #[serde(default)]
    pub figures: Vec<FigureGroup>,
}

impl Figures {
    /// The rules of a file, each group's `part_set` added to its parts (an unknown set is left for
    /// [`Figures::check`] to report).
    pub fn new(
        file: &str,
        names: NameWords,
        part_sets: PartSets,
        mut groups: Vec<FigureGroup>,
    ) -> Figures {
        for g in &mut groups {
            g.column_parts.add_part_set(&part_sets);
        }
        Figures {
            file: file.to_string(),
            names,
            groups,
            part_sets,
        }
    }
}

static DEFAULT: LazyLock<Arc<Figures>> = LazyLock::new(|| {
    let f = toml::from_str::<FiguresEntry>(DEFAULT_TOML).unwrap_or_default();
    Arc::new(Figures::new(
        FIGURES_FILE,
        f.names.unwrap_or_default(),
        f.part_sets,
        f.figures,
    ))
});

thread_local! {
    static CURRENT: RefCell<Option<Arc<Figures>>> = const { RefCell::new(None) };
}

/// The embedded default figure rules.
pub fn default_figures() -> Arc<Figures> {
    DEFAULT.clone()
}

/// The figure rules in force on this thread: the ones [`scoped`] installed, or the defaults.
pub fn current() -> Arc<Figures> {
    CURRENT
        .with(|c| c.borrow().clone())
        .unwrap_or_else(|| DEFAULT.clone())
}

/// Runs `f` with `rules` as this thread's figure rules (a document is read on one thread).
pub fn scoped<T>(rules: Arc<Figures>, f: impl FnOnce() -> T) -> T {
    let before = CURRENT.with(|c| c.borrow_mut().replace(rules));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = before);
    out
}

impl Figures {
    /// The problems of the rules against the key vocabulary and the table catalog, as
    /// `file:line:figures[i]:field: message`.
    pub fn check(&self, text: &str, keys: &[&str], tables: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for (i, [name, want]) in self.names.examples.iter().enumerate() {
            let got = scoped(Arc::new(self.clone()), || norm_name(name));
            if got != *want {
                out.push(format!(
                    "{}:names:examples[{i}]: {name:?} should read {want:?} but reads {got:?}",
                    self.file
                ));
            }
        }
        let mut lines = LineFinder::new(text);
        for (i, g) in self.groups.iter().enumerate() {
            let line = lines.next_line("[[figures]]");
            let at = |field: &str| format!("{}:{line}:figures[{i}]:{field}", self.file);
            for id in &g.tables {
                if !tables.contains(&id.as_str()) {
                    out.push(format!("{}: unknown table id {id:?}", at("tables")));
                }
            }
            let cp = &g.column_parts;
            if !cp.part_set.is_empty() && !self.part_sets.contains_key(&cp.part_set) {
                out.push(format!(
                    "{}: unknown part set {:?}",
                    at("column_parts.part_set"),
                    cp.part_set
                ));
            }
            for f in &g.figure {
                if !keys.contains(&f.key.as_str()) {
                    out.push(format!("{}: unknown key {:?}", at("figure.key"), f.key));
                }
                match g.mode {
                    FigureMode::Cells | FigureMode::Gated if f.cells.is_empty() => out.push(
                        format!("{}: figure {:?} has no cells", at("figure.cells"), f.key),
                    ),
                    FigureMode::ColumnParts
                        if f.part != "$total" && !g.column_parts.parts.contains_key(&f.part) =>
                    {
                        out.push(format!(
                            "{}: figure {:?} names unknown part {:?}",
                            at("figure.part"),
                            f.key,
                            f.part
                        ))
                    }
                    _ => {}
                }
            }
            for gate in &g.gates {
                for k in std::iter::once(&gate.total).chain(&gate.parts) {
                    if !g.figure.iter().any(|f| f.key == *k) {
                        out.push(format!("{}: gate names no figure {k:?}", at("gates")));
                    }
                }
            }
        }
        out
    }
}

/// Finds the line numbers of successive occurrences of a marker in a file's text.
pub struct LineFinder<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> LineFinder<'a> {
    pub fn new(text: &'a str) -> LineFinder<'a> {
        LineFinder { text, pos: 0 }
    }

    /// The 1-based line of the next line starting with `marker` (0 when there is none).
    pub fn next_line(&mut self, marker: &str) -> usize {
        let mut at = self.pos;
        loop {
            let Some(rel) = self.text.get(at..).and_then(|s| s.find(marker)) else {
                return 0;
            };
            let p = at + rel;
            let line_start = self.text[..p].rfind('\n').map(|i| i + 1).unwrap_or(0);
            if self.text[line_start..p].trim().is_empty() {
                self.pos = p + marker.len();
                return self.text[..p].matches('\n').count() + 1;
            }
            at = p + marker.len();
        }
    }
}

fn figure(t: &Table, key: &str, row: &Row, col: usize, value: Decimal) -> KeyFigure {
    KeyFigure {
        key: key.to_string(),
        value,
        raw: row.raw.get(col).cloned().unwrap_or_default(),
        page: row.page,
        rule: format!("table:{}.{}", t.table, key),
        cell_ref: cell_ref(t, row, col),
        cell: CellSource {
            table: t.table.clone(),
            row: row.name.clone(),
            column: t.columns.get(col).cloned().unwrap_or_default(),
        },
        at: (row_index(t, row), col),
        bbox: row.bboxes.get(col).copied().flatten(),
    }
}

/// The index of `row` in its table.
pub fn row_index(t: &Table, row: &Row) -> usize {
    t.rows
        .iter()
        .position(|r| std::ptr::eq(r, row))
        .unwrap_or(0)
}

fn cells(t: &Table, g: &FigureGroup, out: &mut Vec<KeyFigure>) {
    if g.mode == FigureMode::Gated {
        let total = select_any(t, &g.gate_total).map(|(v, _, _)| v);
        let parts: Vec<Option<Decimal>> = g
            .gate_parts
            .iter()
            .map(|s| select(t, s).map(|(v, _, _)| v))
            .collect();
        if total_row(t).is_none() || !consistent(total, &parts) {
            return;
        }
    }
    for f in &g.figure {
        if let Some((v, row, col)) = select_any(t, &f.cells) {
            out.push(figure(t, &f.key, row, col, v));
        }
    }
}

/// True for a label of the part `rules` in the column group `group` (`` for any): the group word is
/// the leaf, the part the level above it.
fn part_col(label: &str, rules: &[ColMatch], group: &str) -> bool {
    let parts: Vec<&str> = label.split('/').map(|p| p.trim()).collect();
    let in_group = group.is_empty() || parts.last().is_some_and(|l| *l == group);
    if !in_group {
        return false;
    }
    let target: Vec<&str> = if group.is_empty() || parts.len() < 2 {
        parts.clone()
    } else {
        parts[..parts.len() - 1].to_vec()
    };
    !target.is_empty() && any_match(rules, &target)
}

/// The first label level of the latest year when the columns are grouped by two or more years
/// (labels opening with a four-digit year: `2022年/…`); `None` otherwise.
fn latest_year_group(columns: &[String]) -> Option<String> {
    let years: std::collections::BTreeSet<&str> = columns
        .iter()
        .filter_map(|c| {
            let top = c.split('/').next()?;
            (c.contains('/') && top.len() > 4 && top.as_bytes()[..4].iter().all(u8::is_ascii_digit))
                .then_some(top)
        })
        .collect();
    (years.len() >= 2)
        .then(|| years.iter().next_back().map(|y| format!("{y}/")))
        .flatten()
}

/// True when the table's columns are grouped by the group words (two or more leaves are one).
pub fn grouped(t: &Table, words: &[String]) -> bool {
    t.columns
        .iter()
        .filter(|c| words.iter().any(|w| leaf(c) == w))
        .count()
        >= 2
}

/// True when a column label holds one of `words`.
pub fn any_column_has(t: &Table, words: &[String]) -> bool {
    t.columns
        .iter()
        .any(|c| words.iter().any(|w| c.contains(w.as_str())))
}

fn column_parts(t: &Table, g: &FigureGroup, out: &mut Vec<KeyFigure>) {
    let Some(row) = data_row(t) else { return };
    let cp = &g.column_parts;
    let is_grouped = grouped(t, &cp.group_words);
    let main = if is_grouped {
        g.main_group.as_str()
    } else {
        ""
    };
    let total_part = cp.total_part(t);
    let rules = |part: &str| -> &[ColMatch] { cp.rules(part, total_part) };
    // Budget tables that print the previous year beside this one (2021年 | 2022年 | 增减变化情况)
    // give this year's figures: the latest year's group only.
    // The same for groups named as the previous year's or the change (上年 | 当年 | 增减变化情况:
    // column words of patterns/tables/columns.toml).
    let latest = latest_year_group(&t.columns);
    let words = super::labels::words();
    let this_year = |l: &str| {
        latest.as_deref().is_none_or(|y| l.starts_with(y))
            && !words.is_previous_year(l)
            && !words.is_change(l)
    };
    let mut found: Vec<KeyFigure> = Vec::new();
    for f in &g.figure {
        if f.grouped_only && !is_grouped {
            continue;
        }
        let group = match f.group.as_str() {
            "main" => main,
            "none" | "" => "",
            w => w,
        };
        let r = rules(&f.part);
        if let Some(c) = money_cols(t).find(|&c| {
            let l = t.columns[c].as_str();
            this_year(l) && part_col(l, r, group) && row.cells.get(c).copied().flatten().is_some()
        }) {
            if let Some(v) = row.cells.get(c).copied().flatten() {
                found.push(figure(t, &f.key, row, c, v));
            }
        }
    }
    let get = |k: &str| found.iter().find(|f| f.key == k).map(|f| f.value);
    let gates_ok = g.gates.iter().all(|gate| {
        let parts: Vec<Option<Decimal>> = gate.parts.iter().map(|p| get(p)).collect();
        consistent(get(&gate.total), &parts)
    });
    let anchored = g.anchors.iter().all(|part| {
        let r = rules(part);
        t.columns
            .iter()
            .any(|l| this_year(l) && part_col(l, r, main))
    });
    if gates_ok && anchored {
        out.extend(found);
    } else {
        out.extend(found.into_iter().filter(|f| g.ungated.contains(&f.key)));
    }
}

/// Every key figure the tables give, by the rules in force ([`current`]).
pub fn key_figures(tables: &[Table]) -> Vec<KeyFigure> {
    key_figures_with(&current(), tables)
}

/// Every key figure the tables give, by `rules`: the groups of each table in file order; one figure
/// per key (the first table that gives it).
pub fn key_figures_with(rules: &Figures, tables: &[Table]) -> Vec<KeyFigure> {
    let mut out = Vec::new();
    for t in tables.iter().filter(|t| !t.empty) {
        for g in rules.groups.iter().filter(|g| g.tables.contains(&t.table)) {
            match g.mode {
                FigureMode::Cells | FigureMode::Gated => cells(t, g, &mut out),
                FigureMode::ColumnParts => column_parts(t, g, &mut out),
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.key.clone()));
    out
}

/// Facts from table cells for key figures the narrative does not state.
pub fn table_facts(tables: &[Table], narrative: &[Fact]) -> Vec<Fact> {
    key_figures(tables)
        .into_iter()
        .filter(|f| !narrative.iter().any(|n| n.key == f.key && n.item.is_none()))
        .map(|f| Fact {
            key: f.key,
            item: None,
            value: if f.value.scale() > 2 {
                f.value
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            } else {
                f.value
            },
            unit: crate::amount::WAN_YUAN.to_string(),
            raw: f.raw,
            approximate: false,
            page: Some(f.page),
            section: f.cell_ref,
            pattern: f.rule,
            origin: Origin::Table,
            cell: Some(f.cell),
            bbox: f.bbox,
            span: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(g: &FigureGroup, part: &str) -> Vec<ColMatch> {
        g.column_parts.parts.get(part).cloned().unwrap_or_default()
    }

    fn group(id: &str) -> FigureGroup {
        default_figures()
            .groups
            .iter()
            .find(|g| g.tables.iter().any(|t| t == id))
            .cloned()
            .expect("a figure group")
    }

    #[test]
    fn names_normalise_like_the_scorer() {
        assert_eq!(
            norm_name("一、一般公共预算财政拨款收入"),
            "一般公共预算财政拨款收入"
        );
        assert_eq!(norm_name("1. 一般公共预算资金"), "一般公共预算资金");
        assert_eq!(norm_name("其中：捐赠收入"), "捐赠收入");
        assert_eq!(norm_name("总 计"), "总计");
        assert_eq!(norm_name("十九、住房保障支出"), "住房保障支出");
    }

    #[test]
    fn the_default_rules_load_and_verify() {
        let f = default_figures();
        assert!(f.groups.len() >= 7, "figures.toml parses");
        let keys = [
            "income.grand_total",
            "expenditure.grand_total",
            "income.current_year",
            "expenditure.current_year",
            "expenditure.basic",
            "expenditure.project",
            "gpb.expenditure",
            "basic.total",
            "basic.personnel",
            "basic.public",
            "sangong.final",
            "sangong.overseas",
            "sangong.vehicle",
            "sangong.vehicle.purchase",
            "sangong.vehicle.operation",
            "sangong.reception",
            "sangong.budget",
            "admin_cost.total",
            "fiscal.income_total",
            "fiscal.expenditure_total",
        ];
        let tables = [
            "F01", "B01", "F03", "B03", "F04", "B04", "F05", "B05", "F06", "B06", "F07", "B07",
        ];
        let text = DEFAULT_TOML;
        assert_eq!(f.check(text, &keys, &tables), Vec::<String>::new());
        // An unknown key and an unknown table are reported with the group's line.
        let problems = f.check(text, &keys[1..], &tables[1..]);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("unknown key \"income.grand_total\"")),
            "{problems:?}"
        );
        let line = text
            .lines()
            .position(|l| l.starts_with("[[figures]]"))
            .map(|i| i + 1)
            .unwrap_or(0);
        assert!(
            problems.iter().any(|p| p
                == &format!(
                    "tables/figures.toml:{line}:figures[0]:tables: unknown table id \"F01\""
                )),
            "{problems:?}"
        );
    }

    /// The figures the default rules give for one example table (TOML, as in identities.toml).
    fn figures_of(table_toml: &str) -> Vec<(String, Decimal)> {
        let e: crate::checks::identities::ExampleTable =
            toml::from_str(table_toml).expect("example table");
        let t = crate::checks::identities::example_table(&e);
        key_figures(&[t])
            .into_iter()
            .map(|f| (f.key, f.value))
            .collect()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal literal")
    }

    #[test]
    fn fiscal_totals_come_from_the_fiscal_summary_table() {
        let figs = figures_of(
            "id = 'B04'\ncolumns = ['收入/预算数', '支出/合计', '支出/一般公共预算']\nrows = [\
             ['一、一般公共预算拨款', '120.5', '', ''], ['收入总计', '130.5', '', ''], \
             ['支出总计', '', '130.5', '120.5']]",
        );
        assert!(
            figs.contains(&("fiscal.income_total".into(), dec("130.5"))),
            "{figs:?}"
        );
        assert!(
            figs.contains(&("fiscal.expenditure_total".into(), dec("130.5"))),
            "{figs:?}"
        );
    }

    #[test]
    fn sangong_printed_as_rows_or_under_a_total_label() {
        // Rows: 项目 | 预算数, the parts numbered, the vehicle parts marked 其中.
        let figs = figures_of(
            "id = 'B07'\ncolumns = ['预算数']\nrows = [['合计', '46'], ['1、因公出国(境)费用', '0'], \
             ['2、公务接待费', '14'], ['3、公务用车购置及运行费', '32'], \
             ['其中：(1)公务用车购置费', '0'], ['(2)公务用车运行费', '32']]",
        );
        for (k, v) in [
            ("sangong.final", "46"),
            ("sangong.overseas", "0"),
            ("sangong.reception", "14"),
            ("sangong.vehicle", "32"),
            ("sangong.vehicle.purchase", "0"),
            ("sangong.vehicle.operation", "32"),
        ] {
            assert!(figs.contains(&(k.to_string(), dec(v))), "{k}: {figs:?}");
        }
        // Columns, the total named “三公”经费…预算总额 instead of 合计.
        let figs = figures_of(
            "id = 'B07'\ncolumns = ['“三公”经费财政拨款预算总额', '因公出国(境)费用', '公务接待费', \
             '公务用车购置及运行维护费/小计', '公务用车购置及运行维护费/公务用车购置费', \
             '公务用车购置及运行维护费/公务用车运行维护费']\nrows = [['', '17.7', '14.85', '2.85', '', '', '']]",
        );
        assert!(
            figs.contains(&("sangong.final".into(), dec("17.7"))),
            "{figs:?}"
        );
        assert!(
            figs.contains(&("sangong.overseas".into(), dec("14.85"))),
            "{figs:?}"
        );
    }

    #[test]
    fn personnel_and_public_from_the_general_budget_columns() {
        let figs = figures_of(
            "id = 'B05'\ncolumns = ['合计', '人员经费支出', '公用经费支出', '专项业务经费支出']\n\
             rows = [['合计', '100', '60', '30', '10'], ['201 一般公共服务支出', '100', '60', '30', '10']]",
        );
        assert!(
            figs.contains(&("gpb.expenditure".into(), dec("100"))),
            "{figs:?}"
        );
        assert!(
            figs.contains(&("basic.personnel".into(), dec("60"))),
            "{figs:?}"
        );
        assert!(
            figs.contains(&("basic.public".into(), dec("30"))),
            "{figs:?}"
        );
    }

    #[test]
    fn sangong_labels() {
        let f07 = group("F07");
        let b07 = group("B07");
        let l = "财政拨款“三公”经费/公务用车购置及运行费/公务用车运行费/决算数";
        assert!(part_col(l, &rules(&f07, "operation"), "决算数"));
        assert!(!part_col(l, &rules(&f07, "operation"), "预算数"));
        assert!(!part_col(l, &rules(&f07, "purchase"), "决算数"));
        assert!(part_col(
            "财政拨款“三公”经费/合计/预算数",
            &rules(&f07, "total"),
            "预算数"
        ));
        assert!(part_col(
            "“三公”经费预算数/公务用车购置及运行费/小计",
            &rules(&f07, "vehicle"),
            ""
        ));
        assert!(part_col(
            "“三公”经费/小计",
            &rules(&f07, "sangong_subtotal"),
            ""
        ));
        assert!(!part_col(
            "“三公”经费/公务用车购置及运行维护费/小计",
            &rules(&f07, "sangong_subtotal"),
            ""
        ));
        assert!(part_col("机关运行经费预算数", &rules(&b07, "admin"), ""));
        assert!(!part_col(
            "机关运行经费预算数",
            &rules(&b07, "operation"),
            ""
        ));
    }

    #[test]
    fn sangong_figures_skip_the_previous_year_and_change_groups() {
        // 上年 | 当年 | 增减变化情况, each with 合计 and the “三公” 小计 (会议费 beside them).
        let groups = ["上年", "当年", "增减变化情况"];
        let mut columns = vec!["单位名称".to_string()];
        for g in groups {
            for leaf in [
                "合计",
                "“三公”经费预算/小计",
                "“三公”经费预算/公务用车购置及运行维护费/小计",
                "“三公”经费预算/公务用车购置及运行维护费/公务用车运行维护费",
                "会议费",
            ] {
                columns.push(format!("{g}/{leaf}"));
            }
        }
        let d = |s: &str| s.parse::<Decimal>().ok();
        let cells = vec![
            None,
            d("24.2"),
            d("12"),
            d("12"),
            d("12"),
            None,
            d("32.08"),
            d("10.1"),
            d("10.1"),
            d("10.1"),
            None,
            d("7.88"),
            d("-1.9"),
            d("-1.9"),
            d("-1.9"),
            None,
        ];
        let t = Table {
            table: "B07".to_string(),
            title: String::new(),
            unit_declared: Some("万元".to_string()),
            pages: [9, 9],
            column_units: columns
                .iter()
                .map(|c| if c == "单位名称" { "" } else { "万元" }.to_string())
                .collect(),
            columns,
            rows: vec![Row {
                code: None,
                name: "合计".to_string(),
                raw: cells.iter().map(|_| String::new()).collect(),
                cells,
                page: 9,
                level: None,
                parent: None,
                indent: None,
                bbox: None,
                bboxes: Vec::new(),
                cell_rects: Vec::new(),
            }],
            empty: false,
            empty_statement: None,
            unit: "万元".to_string(),
            unit_inferred: false,
            layout: "positions".to_string(),
            regions: Vec::new(),
            grid_rects: Vec::new(),
        };
        let figs = key_figures(&[t]);
        let fin = figs.iter().find(|f| f.key == "sangong.final");
        assert_eq!(fin.map(|f| f.value), d("10.1"));
        assert!(fin.is_some_and(|f| f.cell.column.starts_with("当年/")));
    }

    #[test]
    fn the_latest_year_group_of_a_two_year_table() {
        let cols: Vec<String> = [
            "单位名称",
            "2021年/合计",
            "2021年/“三公”经费/小计",
            "2022年/合计",
            "2022年/“三公”经费/小计",
            "增减变化情况/合计",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(latest_year_group(&cols).as_deref(), Some("2022年/"));
        // One year only (or none): no group to choose.
        assert_eq!(latest_year_group(&cols[..3]), None);
        assert_eq!(latest_year_group(&["合计".to_string()]), None);
    }

    fn table(id: &str, columns: &[&str], rows: Vec<(&str, Vec<Option<&str>>)>) -> Table {
        let d = |s: &str| s.parse::<Decimal>().ok();
        Table {
            table: id.to_string(),
            title: String::new(),
            unit_declared: None,
            pages: [3, 3],
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|(name, cells)| Row {
                    code: None,
                    name: name.to_string(),
                    cells: cells.iter().map(|c| c.and_then(d)).collect(),
                    raw: cells.iter().map(|c| c.unwrap_or("").to_string()).collect(),
                    page: 3,
                    level: None,
                    parent: None,
                    indent: None,
                    bbox: None,
                    bboxes: Vec::new(),
                    cell_rects: Vec::new(),
                })
                .collect(),
            empty: false,
            empty_statement: None,
            unit: crate::amount::WAN_YUAN.to_string(),
            unit_inferred: false,
            column_units: vec![crate::amount::WAN_YUAN.to_string(); columns.len()],
            layout: "ruled".to_string(),
            regions: Vec::new(),
            grid_rects: Vec::new(),
        }
    }

    #[test]
    fn a_gated_group_gives_nothing_from_a_table_that_disagrees_with_itself() {
        let good = table(
            "F03",
            &["合计", "基本支出", "项目支出"],
            vec![("合计", vec![Some("100"), Some("60"), Some("40")])],
        );
        let got: Vec<(String, String)> = key_figures(&[good])
            .into_iter()
            .map(|f| (f.key, f.value.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("expenditure.basic".to_string(), "60".to_string()),
                ("expenditure.project".to_string(), "40".to_string())
            ]
        );
        let bad = table(
            "F03",
            &["合计", "基本支出", "项目支出"],
            vec![("合计", vec![Some("100"), Some("60"), Some("30")])],
        );
        assert!(key_figures(&[bad]).is_empty());
    }

    #[test]
    fn a_figure_added_as_data_needs_no_code() {
        // A new group for a table the defaults do not read (F08, 政府性基金预算支出表).
        let text = r#"
[[figures]]
tables = ['F08']
mode = 'cells'
[[figures.figure]]
key = 'gov_fund.expenditure'
cells = [{ leaf_in = ['合计'] }]
"#;
        let entry: FiguresEntry = toml::from_str(text).expect("figures toml");
        let rules = Figures::new(
            "mine.toml",
            default_figures().names.clone(),
            entry.part_sets,
            entry.figures,
        );
        let t = table(
            "F08",
            &["合计", "基本支出"],
            vec![("合计", vec![Some("12.5"), None])],
        );
        let got = key_figures_with(&rules, &[t]);
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].key.as_str(), got[0].value.to_string()),
            ("gov_fund.expenditure", "12.5".to_string())
        );
        assert_eq!(got[0].cell_ref, "table:F08[合计,合计]@p3");
        assert_eq!(got[0].rule, "table:F08.gov_fund.expenditure");
    }
}
