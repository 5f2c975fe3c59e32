//! The words of a report's layout, as data: how headings are numbered and how the table of contents
//! is titled (`patterns/outline.toml`), the words around and inside tables (`patterns/tables/layout.toml`)
//! and the lines of a 项目支出绩效自评表 (`patterns/tables/performance.toml`).
//!
//! In: the `[outline]`, `[table_layout]` and `[performance]` tables of the pattern files (the
//! embedded defaults, or the ones `--patterns DIR` gives, installed for the current thread by
//! [`install`]). Out: a [`Vocabulary`] of named [`Rule`]s (a regex with the examples it must match and
//! the counter-examples it must not) and a few words (numerals, the P01 columns), asked by
//! [`crate::segment`], the table catalog, the table regions and the P01 reader; [`Vocabulary::check`]
//! verifies every example (problems as `file:section.rule:field: message`).
//!
//! Not here: what the readers do with a match (see the modules named above).

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use regex::{Captures, Regex};
use serde::Deserialize;

use crate::amount::UnitWords;

/// Written in a rule's regex, stands for the units a table declares (`[units] table` of
/// `units.toml`, e.g. `(?:亿元|万元|千元|元)`): the rule is compiled once the units are known.
pub const TABLE_UNIT: &str = "{table_unit}";
const NEVER: &str = r"[^\s\S]";

/// The embedded defaults of the three files.
pub const OUTLINE_FILE: &str = "outline.toml";
pub const TABLE_LAYOUT_FILE: &str = "tables/layout.toml";
pub const PERFORMANCE_FILE: &str = "tables/performance.toml";

const DEFAULT_TEXTS: [(&str, &str); 3] = [
    (OUTLINE_FILE, include_str!("../patterns/outline.toml")),
    (
        TABLE_LAYOUT_FILE,
        include_str!("../patterns/tables/layout.toml"),
    ),
    (
        PERFORMANCE_FILE,
        include_str!("../patterns/tables/performance.toml"),
    ),
];

/// A rule as written: a regex, the texts it must match and the texts it must not.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    regex: String,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counter_examples: Vec<String>,
    /// Why the rule reads as it does (for readers of the file).
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

/// A compiled rule (a bad regex is a TOML error of its file, located at the rule).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RuleDef")]
pub struct Rule {
    regex: Regex,
    /// The regex as written (with [`TABLE_UNIT`] unexpanded).
    source: String,
    examples: Vec<String>,
    counter_examples: Vec<String>,
}

impl TryFrom<RuleDef> for Rule {
    type Error = regex::Error;

    fn try_from(d: RuleDef) -> Result<Rule, regex::Error> {
        // Until the units are known, the table units match nothing.
        Ok(Rule {
            regex: crate::patterns::bounded_regex(
                &d.regex.replace(TABLE_UNIT, &format!("(?:{NEVER})")),
            )?,
            source: d.regex,
            examples: d.examples,
            counter_examples: d.counter_examples,
        })
    }
}

impl Default for Rule {
    /// A rule that matches nothing (a section missing from a broken embedded file).
    fn default() -> Rule {
        Rule {
            regex: crate::patterns::bounded_regex(NEVER).expect("the empty class is a valid regex"),
            source: NEVER.to_string(),
            examples: Vec::new(),
            counter_examples: Vec::new(),
        }
    }
}

impl Rule {
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    pub fn captures<'h>(&self, text: &'h str) -> Option<Captures<'h>> {
        self.regex.captures(text)
    }

    /// Compiles the rule again with the table units for [`TABLE_UNIT`] (`units`: the alternation,
    /// escaped); a rule without it is left as it is, one that no longer compiles too (its examples
    /// then say so).
    fn expand_units(&mut self, units: &str) {
        if self.source.contains(TABLE_UNIT) {
            if let Ok(r) = crate::patterns::bounded_regex(&self.source.replace(TABLE_UNIT, units)) {
                self.regex = r;
            }
        }
    }

    /// `text` with the rule's first match removed.
    pub fn remove<'h>(&self, text: &'h str) -> std::borrow::Cow<'h, str> {
        self.regex.replace(text, "")
    }

    /// Problems of the rule's examples, each `{at}:field: message`; `groups` are the named groups
    /// the reader takes from a match.
    fn check(&self, at: &str, groups: &[&str], out: &mut Vec<String>) {
        if self.examples.is_empty() {
            out.push(format!("{at}:examples: a rule needs at least one example"));
        }
        for g in groups {
            if !self.regex.capture_names().any(|n| n == Some(*g)) {
                out.push(format!("{at}:regex: the regex needs a group (?P<{g}>…)"));
            }
        }
        for (i, ex) in self.examples.iter().enumerate() {
            if !self.is_match(ex) {
                out.push(format!(
                    "{at}:examples[{i}]: {ex:?} should match {} but does not",
                    self.regex.as_str()
                ));
            }
        }
        for (i, ce) in self.counter_examples.iter().enumerate() {
            if self.is_match(ce) {
                out.push(format!(
                    "{at}:counter_examples[{i}]: {ce:?} must not match {}",
                    self.regex.as_str()
                ));
            }
        }
    }
}

/// The text of a named group of a match, if the group took part.
pub fn group<'h>(c: &Captures<'h>, name: &str) -> Option<&'h str> {
    c.name(name).map(|m| m.as_str())
}

/// The Chinese numerals of section numbers (一 … 九, 十): `十三` → 13, `二十一` → 21.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numerals {
    /// The digits one to nine, in order.
    pub digits: String,
    /// The word for ten.
    pub ten: String,
    /// `[numeral, value]` pairs the numerals must read as.
    #[serde(default)]
    pub examples: Vec<(String, u32)>,
}

impl Numerals {
    /// 一 → 1, 十 → 10, 十三 → 13, 二十一 → 21; `None` for anything else.
    pub fn ordinal(&self, s: &str) -> Option<u32> {
        let digit = |c: char| {
            self.digits
                .chars()
                .position(|d| d == c)
                .map(|i| i as u32 + 1)
        };
        let is_ten = |c: char| self.ten.chars().eq(std::iter::once(c));
        let chars: Vec<char> = s.chars().collect();
        match chars.as_slice() {
            [c] if is_ten(*c) => Some(10),
            [c] => digit(*c),
            [t, u] if is_ten(*t) => Some(10 + digit(*u)?),
            [t, x] if is_ten(*x) => Some(digit(*t)? * 10),
            [t, x, u] if is_ten(*x) => Some(digit(*t)? * 10 + digit(*u)?),
            _ => None,
        }
    }

    fn check(&self, at: &str, out: &mut Vec<String>) {
        if self.digits.chars().count() != 9 || self.ten.chars().count() != 1 {
            out.push(format!(
                "{at}:digits: nine digits (one to nine, in order) and one word for ten are needed"
            ));
        }
        if self.examples.is_empty() {
            out.push(format!(
                "{at}:examples: the numerals need at least one example"
            ));
        }
        for (i, (text, want)) in self.examples.iter().enumerate() {
            let got = self.ordinal(text);
            if got != Some(*want) {
                out.push(format!(
                    "{at}:examples[{i}]: {text:?} should read as {want} but reads as {got:?}"
                ));
            }
        }
    }
}

/// `[outline]`: the numbering of headings and the title of the table of contents (read by
/// [`crate::segment`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outline {
    /// Level 1 `第三部分 …`: groups `number` (as printed), `n` (the numeral), `title`.
    pub part: Rule,
    /// Level 2 `五、…`: groups `n`, `title`.
    pub chinese: Rule,
    /// Level 3 `(三)…`: groups `number`, `n`, `title`.
    pub paren_chinese: Rule,
    /// Unnumbered part titles (`其他相关情况说明`): level 1, the title is the number.
    pub unnumbered_title: Rule,
    /// The numeral of a section's number (`第三部分` → `三`, `(三)` → `(三)`): group `n`.
    pub number_core: Rule,
    /// A numbered table row label (`三、住房保障支出`), not a heading.
    pub row_label: Rule,
    /// The mark of a row that lists parts of the row above (`其中：`), removed before `row_label`.
    pub part_of_mark: Rule,
    /// The title line of the table of contents (`目录`).
    pub contents_title: Rule,
    /// The title of the table of contents printed over two lines, the lines joined with a space.
    pub contents_split: Rule,
    pub numerals: Numerals,
}

impl Outline {
    fn check(&self, file: &str, out: &mut Vec<String>) {
        let at = |name: &str| format!("{file}:outline.{name}");
        self.part.check(&at("part"), &["number", "n", "title"], out);
        self.chinese.check(&at("chinese"), &["n", "title"], out);
        self.paren_chinese
            .check(&at("paren_chinese"), &["number", "n", "title"], out);
        self.unnumbered_title
            .check(&at("unnumbered_title"), &[], out);
        self.number_core.check(&at("number_core"), &["n"], out);
        self.row_label.check(&at("row_label"), &[], out);
        self.part_of_mark.check(&at("part_of_mark"), &[], out);
        self.contents_title.check(&at("contents_title"), &[], out);
        self.contents_split.check(&at("contents_split"), &[], out);
        self.numerals.check(&at("numerals"), out);
    }
}

/// `[table_layout]`: the words around and inside tables (read by the catalog, the table regions and
/// the header reader).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableLayout {
    /// A title ends so (`…总表`).
    pub title_end: Rule,
    /// Words ending a sentence that end like a title (发表, 代表).
    pub title_end_verb: Rule,
    /// A table label printed with a title (`公开01表` after the title, a line `公开…` below it).
    pub table_label: Rule,
    /// A table number alone (`公开01表`, `表1`): not a title.
    pub table_number: Rule,
    /// A part heading (`第二部分 …预算表`): the tables follow, it is not one.
    pub part_heading: Rule,
    /// A line of text between parts (`第三部分 …`): narrative, not a table line.
    pub part_line: Rule,
    /// The continuation mark after a title (`（续表）`).
    pub continued: Rule,
    /// A statement that a table is empty (`本表无数据`).
    pub empty_statement: Rule,
    /// A note below a table (`注：`, `说明：`).
    pub note_start: Rule,
    /// The title of a contents page (`目录`).
    pub contents_page: Rule,
    /// A row label that opens a table's body (`一、`, a code, `其中：`, `收入总计`).
    pub body_label: Rule,
    /// A column label of classification codes (`科目编码`, `类`).
    pub code_label: Rule,
    /// A column label of row labels (`项目`, `科目名称`).
    pub label_words: Rule,
    /// A column label of percents (`占比`, `执行率`).
    pub percent_label: Rule,
    /// The statement that the tables are published separately (`公开表附后`).
    pub separate_tables: Rule,
    /// The unit a table declares (`单位：万元`): group `unit`, one of the table units.
    pub unit_line: Rule,
    /// A unit printed at the end of a title line (`…总表（单位：万元）`): removed from the title.
    pub unit_tail: Rule,
}

impl TableLayout {
    fn check(&self, file: &str, out: &mut Vec<String>) {
        let at = |name: &str| format!("{file}:table_layout.{name}");
        self.title_end.check(&at("title_end"), &[], out);
        self.title_end_verb.check(&at("title_end_verb"), &[], out);
        self.table_label.check(&at("table_label"), &[], out);
        self.table_number.check(&at("table_number"), &[], out);
        self.part_heading.check(&at("part_heading"), &[], out);
        self.part_line.check(&at("part_line"), &[], out);
        self.continued.check(&at("continued"), &[], out);
        self.empty_statement.check(&at("empty_statement"), &[], out);
        self.note_start.check(&at("note_start"), &[], out);
        self.contents_page.check(&at("contents_page"), &[], out);
        self.body_label.check(&at("body_label"), &[], out);
        self.code_label.check(&at("code_label"), &[], out);
        self.label_words.check(&at("label_words"), &[], out);
        self.percent_label.check(&at("percent_label"), &[], out);
        self.separate_tables.check(&at("separate_tables"), &[], out);
        self.unit_line.check(&at("unit_line"), &["unit"], out);
        self.unit_tail.check(&at("unit_tail"), &[], out);
    }

    fn expand_units(&mut self, units: &str) {
        for r in [
            &mut self.title_end,
            &mut self.title_end_verb,
            &mut self.table_label,
            &mut self.table_number,
            &mut self.part_heading,
            &mut self.part_line,
            &mut self.continued,
            &mut self.empty_statement,
            &mut self.note_start,
            &mut self.contents_page,
            &mut self.body_label,
            &mut self.code_label,
            &mut self.label_words,
            &mut self.percent_label,
            &mut self.separate_tables,
            &mut self.unit_line,
            &mut self.unit_tail,
        ] {
            r.expand_units(units);
        }
    }
}

/// One column of the P01 table: its label and the unit of its cell.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerformanceColumn {
    pub label: String,
    pub unit: String,
}

/// `[performance]`: the lines of a 项目支出绩效自评表 and the P01 table made of them (read by
/// `extract/tables/performance.rs`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Performance {
    /// A heading that opens a block (`（3）税务征收经费自评结果`): group `name`.
    pub heading: Rule,
    /// The 项目名称 line: group `name` (the rest of the line).
    pub name_line: Rule,
    /// The line after the project name (`主管部门 …`): the name ends.
    pub name_end: Rule,
    /// The label before the budget figures (`年度资金总额`).
    pub amount_label: Rule,
    /// The header of the indicator rows (`一级指标 …`).
    pub indicators: Rule,
    /// A token that is no indicator score (a percent, a weight `（40分）`).
    pub not_a_score: Rule,
    /// The total score (`总分 88.4`, spaces removed): group `score`.
    pub total_line: Rule,
    /// The P01 table's title, `{name}` = the project name.
    pub title: String,
    /// The six columns: 预算数, 执行数, 执行率, 得分, 总分, 指标得分 (in this order).
    pub columns: Vec<PerformanceColumn>,
}

impl Performance {
    fn check(&self, file: &str, out: &mut Vec<String>) {
        let at = |name: &str| format!("{file}:performance.{name}");
        self.heading.check(&at("heading"), &["name"], out);
        self.name_line.check(&at("name_line"), &["name"], out);
        self.name_end.check(&at("name_end"), &[], out);
        self.amount_label.check(&at("amount_label"), &[], out);
        self.indicators.check(&at("indicators"), &[], out);
        self.not_a_score.check(&at("not_a_score"), &[], out);
        self.total_line.check(&at("total_line"), &["score"], out);
        if !self.title.contains("{name}") {
            out.push(format!(
                "{}:title: the title needs {{name}} (the project name)",
                at("title")
            ));
        }
        if self.columns.len() != 6 {
            out.push(format!(
                "{}:columns: six columns are needed (budget, executed, rate, score, total, indicator scores), not {}",
                at("columns"),
                self.columns.len()
            ));
        }
    }
}

/// The sections of the three files, as one pattern file may hold them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Sections {
    #[serde(default)]
    pub outline: Option<Outline>,
    #[serde(default)]
    pub table_layout: Option<TableLayout>,
    #[serde(default)]
    pub performance: Option<Performance>,
}

/// The layout words of a run, with the file each section came from.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub outline: Outline,
    pub outline_file: String,
    pub tables: TableLayout,
    pub tables_file: String,
    pub performance: Performance,
    pub performance_file: String,
    /// The unit words (`units.toml`): the table units of the rules and of table cells.
    pub units: UnitWords,
}

impl Vocabulary {
    /// Takes the sections `file` holds (a second copy of a section replaces the first; the loader
    /// reports it).
    pub fn take(&mut self, file: &str, s: Sections) {
        if let Some(o) = s.outline {
            self.outline = o;
            self.outline_file = file.to_string();
        }
        if let Some(t) = s.table_layout {
            self.tables = t;
            self.tables_file = file.to_string();
        }
        if let Some(p) = s.performance {
            self.performance = p;
            self.performance_file = file.to_string();
        }
    }

    /// The embedded defaults (a broken embedded file is a build defect caught by the tests; its
    /// sections then match nothing).
    pub fn embedded() -> Vocabulary {
        let mut v = Vocabulary::default();
        for (file, text) in DEFAULT_TEXTS {
            if let Ok(s) = toml::from_str::<Sections>(text) {
                v.take(file, s);
            }
        }
        v.use_units(&crate::patterns::embedded_units());
        v
    }

    /// Takes the unit words and compiles the rules that name the table units with them (call it
    /// after the last [`Vocabulary::take`]).
    pub fn use_units(&mut self, units: &UnitWords) {
        self.units = units.clone();
        let words: Vec<String> = units.table.iter().map(|w| regex::escape(w)).collect();
        let alternation = if words.is_empty() {
            format!("(?:{NEVER})")
        } else {
            format!("(?:{})", words.join("|"))
        };
        self.tables.expand_units(&alternation);
    }

    /// Verifies every rule's examples; problems are `file:section.rule:field: message`.
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.outline.check(&self.outline_file, &mut out);
        self.tables.check(&self.tables_file, &mut out);
        self.performance.check(&self.performance_file, &mut out);
        out
    }
}

static DEFAULT: LazyLock<Arc<Vocabulary>> = LazyLock::new(|| Arc::new(Vocabulary::embedded()));

thread_local! {
    static CURRENT: RefCell<Option<Arc<Vocabulary>>> = const { RefCell::new(None) };
}

/// The vocabulary in force on this thread: the one [`install`] set, or the embedded default.
pub fn current() -> Arc<Vocabulary> {
    CURRENT
        .with(|c| c.borrow().clone())
        .unwrap_or_else(|| DEFAULT.clone())
}

/// The embedded default vocabulary.
pub fn embedded() -> Arc<Vocabulary> {
    DEFAULT.clone()
}

/// Restores the vocabulary in force before [`install`] when dropped.
pub struct Installed {
    before: Option<Arc<Vocabulary>>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let before = self.before.take();
        CURRENT.with(|c| *c.borrow_mut() = before);
    }
}

/// Makes `v` the vocabulary of this thread until the guard is dropped (a document is read on one
/// thread).
#[must_use = "the vocabulary is in force only while the guard lives"]
pub fn install(v: Arc<Vocabulary>) -> Installed {
    let before = CURRENT.with(|c| c.borrow_mut().replace(v));
    Installed { before }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse_and_their_examples_hold() {
        for (file, text) in DEFAULT_TEXTS {
            assert!(toml::from_str::<Sections>(text).is_ok(), "{file}");
        }
        let v = Vocabulary::embedded();
        assert_eq!(v.check(), Vec::<String>::new());
        assert_eq!(v.outline_file, OUTLINE_FILE);
        assert_eq!(v.tables_file, TABLE_LAYOUT_FILE);
        assert_eq!(v.performance_file, PERFORMANCE_FILE);
    }

    #[test]
    fn numerals_read_section_numbers() {
        let n = &Vocabulary::embedded().outline.numerals;
        let cases = [
            ("一", Some(1)),
            ("十", Some(10)),
            ("十三", Some(13)),
            ("二十", Some(20)),
            ("二十一", Some(21)),
            ("十十", None),
            ("三", Some(3)),
            ("1", None),
            ("一二", None),
        ];
        for (text, want) in cases {
            assert_eq!(n.ordinal(text), want, "{text}");
        }
    }

    #[test]
    fn heading_rules_give_their_groups() {
        let o = &Vocabulary::embedded().outline;
        let c = o
            .part
            .captures("第三部分 名词解释")
            .expect("a part heading");
        assert_eq!(group(&c, "number"), Some("第三部分"));
        assert_eq!(group(&c, "n"), Some("三"));
        assert_eq!(group(&c, "title"), Some(" 名词解释"));
        let c = o
            .paren_chinese
            .captures("(十二)其他")
            .expect("a level-3 heading");
        assert_eq!(group(&c, "number"), Some("(十二)"));
        assert_eq!(group(&c, "n"), Some("十二"));
        let core = |s: &str| {
            o.number_core
                .captures(s)
                .and_then(|c| group(&c, "n").map(str::to_string))
        };
        assert_eq!(core("第三部分").as_deref(), Some("三"));
        assert_eq!(core("(三)").as_deref(), Some("(三)"));
        assert_eq!(core("12").as_deref(), Some("12"));
        assert_eq!(o.part_of_mark.remove("其中：基本支出"), "基本支出");
        assert_eq!(o.part_of_mark.remove("基本支出"), "基本支出");
    }

    #[test]
    fn a_bad_example_is_a_problem_of_its_rule() {
        let text = DEFAULT_TEXTS[1]
            .1
            .replacen("examples = [", "examples = ['不是任何东西', ", 1);
        let s: Sections = toml::from_str(&text).expect("still valid TOML");
        let mut v = Vocabulary::default();
        v.take(TABLE_LAYOUT_FILE, s);
        v.use_units(&crate::patterns::embedded_units());
        let problems: Vec<String> = v
            .check()
            .into_iter()
            .filter(|p| p.starts_with(TABLE_LAYOUT_FILE))
            .collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("tables/layout.toml:table_layout.title_end:examples[0]: \"不是任何东西\" should match"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn table_units_come_from_the_unit_words() {
        let v = Vocabulary::embedded();
        let unit = |s: &str| {
            v.tables
                .unit_line
                .captures(s)
                .and_then(|c| group(&c, "unit").map(str::to_string))
        };
        assert_eq!(unit("单位：万元").as_deref(), Some("万元"));
        assert_eq!(unit("金额单位: 人民币元").as_deref(), Some("元"));
        assert_eq!(unit("单位：个"), None);
        // Without table units the rule matches nothing.
        let mut none = v.clone();
        none.use_units(&UnitWords::default());
        assert!(!none.tables.unit_line.is_match("单位：万元"));
        assert!(none.tables.unit_tail.is_match("收支总表（单位：万元）"));
        assert!(!none.tables.unit_tail.is_match("收支总表（单位万元）"));
        assert!(v.tables.unit_tail.is_match("收支总表（单位万元）"));
    }

    #[test]
    fn an_installed_vocabulary_is_in_force_until_its_guard_drops() {
        let mut v = Vocabulary::embedded();
        v.tables.title_end = Rule::default();
        assert!(current().tables.title_end.is_match("收支总表"));
        {
            let _g = install(Arc::new(v));
            assert!(!current().tables.title_end.is_match("收支总表"));
        }
        assert!(current().tables.title_end.is_match("收支总表"));
    }
}
