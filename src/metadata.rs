//! Document metadata: kind (部门决算 / 部门预算 / 单位决算 / 单位预算), fiscal year, department name,
//! the name normalised, and where each came from.
//!
//! In: the document, its outline, the metadata rules of the pattern set (`patterns/metadata.toml`,
//! see [`MetadataRules`]) and the input's file name. Out: [`Metadata`]. Each field is taken from the
//! first place that gives it, in this order of trust ([`Source`]):
//! 1. a label line on the first pages (`预算单位：…`, `部门：… 单位：万元`): `cover` on the cover,
//!    `table_unit_line` on the next pages;
//! 2. the cover: the first page's lines up to the contents, a part heading or a sentence, joined (long
//!    names and titles wrap); a first page of many lines without contents is no cover;
//! 3. a running header repeated at the top of the pages (`running_header`); title lines of the first
//!    pages, alone or two joined (`title`), year-and-kind phrases in them (`contents` on a contents
//!    page, else `title`), table numbers and titles there (`table_title`: `预算01表`, `收支预算总表`);
//! 4. part headings and contents entries (`heading`: `第一部分 某局概况`, `第二部分 2026年度部门预算表`);
//! 5. a title line anywhere (`title`: `附件：某局2026年度部门预算报表`);
//! 6. a label line anywhere (`table_unit_line`: `部门名称 某局` in a table) and the year line under a
//!    table title (`table_title`: `（2026年度）`);
//! 7. the narrative (`narrative`): the name most sentences give as their subject (`某局主要职责…`), the
//!    kind most lines name;
//! 8. the file name (`file_name`).
//!
//! Front matter of another genre (a government-wide 预算执行情况与预算草案的报告) gets a kind only from
//! its cover, never from the body or the tables, whatever they mention.
//!
//! The department is the name as the report prints it (whitespace removed, parentheses full-width),
//! without a scope qualifier (`（本级）`, `（汇总）`) or a generic word after it (`…部门`).
//! `department_normalized` joins the variants of one name: the `[[metadata.normalize]]` rewrites in
//! order (`中国共产党北京市委员会宣传部` → `北京市委宣传部`, `中共江苏省委办公厅` → `江苏省委办公厅`,
//! `中国人民政治协商会议某省委员会…` → `某省政协…`, `某省人民代表大会常务委员会…` → `某省人大常委会…`),
//! then a name that begins with a level alone (`市人力资源和社会保障局`) gets the region read from
//! another name or a front-page line of the same document in front (`北京市人力资源和社会保障局`).
//!
//! Not here: anything the tables' figures say. Known limits: a document whose text never names its
//! department (a scanned report without a text layer) gets none; the file name is used as it is.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::document::{Document, Line};
use crate::error::PatternError;
use crate::normalize::{normalize_line, MatchForm};
use crate::segment::Outline;

/// What a report says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Metadata {
    pub kind: Option<String>,
    pub year: Option<i32>,
    /// The name as the report prints it.
    pub department: Option<String>,
    /// The name with its variants joined (see the module documentation).
    pub department_normalized: Option<String>,
    pub source: MetadataSource,
}

/// Where each field of [`Metadata`] was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MetadataSource {
    pub department: Option<Source>,
    pub year: Option<Source>,
    pub kind: Option<Source>,
}

/// A place in the document a field was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Cover,
    Title,
    Contents,
    Heading,
    RunningHeader,
    TableUnitLine,
    TableTitle,
    Narrative,
    FileName,
}

/// How many leading pages with text are the front pages.
const FRONT_PAGES: usize = 3;
/// How many lines of the cover are joined at most.
const COVER_LINES: usize = 6;
/// A first page without contents is a cover only when it has at most this many lines.
const COVER_MAX_LINES: usize = 12;
/// A header line is a running header when it tops at least this many pages.
const RUNNING_HEADER_PAGES: usize = 3;

/// Dot leaders and what follows them in a contents entry.
static LEADERS: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"(?:\.{3,}|…{2,}|·{3,}|-{4,}).*$").expect("leader regex")
});
/// Separators of a file name that are no part of a title.
static FILE_NAME_NOISE: LazyLock<Regex> =
    LazyLock::new(|| crate::patterns::bounded_regex(r"[_\-\s]+").expect("file name regex"));

// ---- the data --------------------------------------------------------------------------------------

/// Where a rule is applied (see `patterns/metadata.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Title,
    YearKind,
    UnitLine,
    Heading,
    TableTitle,
    Narrative,
    KindWord,
}

/// The `[metadata]` table of a pattern file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetadataEntry {
    default_scope: String,
    contents: Vec<String>,
    cover_end: Vec<String>,
    cover_skip: Vec<String>,
    other_genre: Vec<String>,
    reject: Vec<String>,
    not_department: Vec<String>,
    qualifiers: Vec<String>,
    strip_suffixes: Vec<String>,
    name_shape: String,
    region: String,
    local_name: String,
    #[serde(default)]
    numeral_year: Option<String>,
    #[serde(default)]
    numeral_digits: Vec<String>,
    #[serde(default)]
    rule: Vec<RuleEntry>,
    #[serde(default)]
    normalize: Vec<NormalizeEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    id: String,
    role: Role,
    regex: String,
    #[serde(default)]
    shape: bool,
    #[serde(default)]
    dept_optional: bool,
    #[serde(default)]
    examples: Vec<RuleExample>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleExample {
    text: String,
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NormalizeEntry {
    id: String,
    regex: String,
    replace: String,
    #[serde(default)]
    examples: Vec<NormalizeExample>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NormalizeExample {
    text: String,
    want: String,
}

/// One compiled metadata rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub role: Role,
    pub regex: Regex,
    /// The name read must match `name_shape`.
    pub shape: bool,
    /// The rule gives year and kind when its name is empty or not a department's (a region alone).
    pub dept_optional: bool,
    examples: Vec<RuleExample>,
    counter_examples: Vec<String>,
}

/// One compiled rewrite of a name.
#[derive(Debug, Clone)]
pub struct NormalizeRule {
    pub id: String,
    pub regex: Regex,
    pub replace: String,
    examples: Vec<NormalizeExample>,
    counter_examples: Vec<String>,
}

/// The compiled `[metadata]` of a pattern set. Empty (nothing is ever read) when no file has one.
#[derive(Debug, Clone, Default)]
pub struct MetadataRules {
    /// The file it came from, relative to the pattern folder.
    pub file: String,
    pub default_scope: String,
    pub contents: Vec<Regex>,
    pub cover_end: Vec<Regex>,
    pub cover_skip: Vec<Regex>,
    pub other_genre: Vec<Regex>,
    pub reject: Vec<Regex>,
    pub not_department: Vec<Regex>,
    pub qualifiers: Vec<Regex>,
    pub strip_suffixes: Vec<String>,
    pub name_shape: Option<Regex>,
    pub region: Option<Regex>,
    pub local_name: Option<Regex>,
    /// A year printed in numerals (its `year` group), read as digits before any rule runs.
    pub numeral_year: Option<Regex>,
    /// The characters of each digit, 0 first (`numeral_digits[d]` holds the numerals of `d`).
    pub numeral_digits: Vec<String>,
    pub rules: Vec<Rule>,
    pub normalize: Vec<NormalizeRule>,
}

/// A captured name judged.
enum Name {
    Valid(String),
    Empty,
    /// No name at all (a unit word, a sentence, a part heading): the text is not what the rule reads.
    Rejected,
    /// A name, but not a department's (a region alone): a title may still give year and kind.
    NotADepartment,
}

/// What one rule read from one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    pub dept: Option<String>,
    pub year: Option<i32>,
    pub kind: Option<String>,
}

fn invalid(file: &str, id: &str, field: &str, message: impl Into<String>) -> PatternError {
    PatternError::Invalid {
        location: format!("{file}:{id}:{field}"),
        message: message.into(),
    }
}

fn compile(file: &str, id: &str, field: &str, re: &str) -> Result<Regex, PatternError> {
    crate::patterns::bounded_regex(re).map_err(|e| invalid(file, id, field, e.to_string()))
}

fn compile_all(file: &str, field: &str, res: &[String]) -> Result<Vec<Regex>, PatternError> {
    res.iter()
        .enumerate()
        .map(|(i, r)| compile(file, "metadata", &format!("{field}[{i}]"), r))
        .collect()
}

fn need_groups(
    file: &str,
    id: &str,
    field: &str,
    re: &Regex,
    groups: &[&str],
) -> Result<(), PatternError> {
    let names: Vec<&str> = re.capture_names().flatten().collect();
    match groups.iter().find(|g| !names.contains(g)) {
        Some(g) => Err(invalid(file, id, field, format!("no (?P<{g}>…) group"))),
        None => Ok(()),
    }
}

/// The numeral-year regex of a `[metadata]` table (a `year` group, ten numeral digits beside it).
fn compile_numeral_year(file: &str, e: &MetadataEntry) -> Result<Option<Regex>, PatternError> {
    let Some(re) = &e.numeral_year else {
        return Ok(None);
    };
    let re = compile(file, "metadata", "numeral_year", re)?;
    need_groups(file, "metadata", "numeral_year", &re, &["year"])?;
    if e.numeral_digits.len() != 10 {
        return Err(invalid(
            file,
            "metadata",
            "numeral_digits",
            "ten entries (the numerals of 0 to 9) are needed",
        ));
    }
    Ok(Some(re))
}

/// The reading rules of a `[metadata]` table: ids unique, each regex with a `dept`, `year` or
/// `stage` group.
fn compile_rules(file: &str, entries: &[RuleEntry]) -> Result<Vec<Rule>, PatternError> {
    let mut rules = Vec::new();
    for r in entries {
        if rules.iter().any(|x: &Rule| x.id == r.id) {
            return Err(invalid(file, &r.id, "id", "duplicate rule id"));
        }
        let regex = compile(file, &r.id, "regex", &r.regex)?;
        let names: Vec<&str> = regex.capture_names().flatten().collect();
        if !["dept", "year", "stage"].iter().any(|g| names.contains(g)) {
            return Err(invalid(
                file,
                &r.id,
                "regex",
                "no (?P<dept>…), (?P<year>…) or (?P<stage>…) group",
            ));
        }
        rules.push(Rule {
            id: r.id.clone(),
            role: r.role,
            regex,
            shape: r.shape,
            dept_optional: r.dept_optional,
            examples: r.examples.clone(),
            counter_examples: r.counter_examples.clone(),
        });
    }
    Ok(rules)
}

impl MetadataRules {
    /// Compiles the `[metadata]` table of `file`.
    pub(crate) fn compile(file: &str, e: &MetadataEntry) -> Result<MetadataRules, PatternError> {
        let region = compile(file, "metadata", "region", &e.region)?;
        need_groups(file, "metadata", "region", &region, &["region"])?;
        let local_name = compile(file, "metadata", "local_name", &e.local_name)?;
        need_groups(
            file,
            "metadata",
            "local_name",
            &local_name,
            &["level", "rest"],
        )?;
        let numeral_year = compile_numeral_year(file, e)?;
        let rules = compile_rules(file, &e.rule)?;
        let mut normalize = Vec::new();
        for n in &e.normalize {
            normalize.push(NormalizeRule {
                id: n.id.clone(),
                regex: compile(file, &n.id, "regex", &n.regex)?,
                replace: n.replace.clone(),
                examples: n.examples.clone(),
                counter_examples: n.counter_examples.clone(),
            });
        }
        Ok(MetadataRules {
            file: file.to_string(),
            default_scope: e.default_scope.clone(),
            contents: compile_all(file, "contents", &e.contents)?,
            cover_end: compile_all(file, "cover_end", &e.cover_end)?,
            cover_skip: compile_all(file, "cover_skip", &e.cover_skip)?,
            other_genre: compile_all(file, "other_genre", &e.other_genre)?,
            reject: compile_all(file, "reject", &e.reject)?,
            not_department: compile_all(file, "not_department", &e.not_department)?,
            qualifiers: compile_all(file, "qualifiers", &e.qualifiers)?,
            strip_suffixes: e.strip_suffixes.clone(),
            name_shape: Some(compile(file, "metadata", "name_shape", &e.name_shape)?),
            region: Some(region),
            local_name: Some(local_name),
            numeral_year,
            numeral_digits: e.numeral_digits.clone(),
            rules,
            normalize,
        })
    }

    /// Verifies every rule's examples and counter-examples; problems as `file:id:field: message`.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for r in &self.rules {
            let at = |field: String| format!("{}:{}:{field}", self.file, r.id);
            if r.examples.is_empty() {
                problems.push(format!(
                    "{}: a rule needs at least one example",
                    at("examples".into())
                ));
            }
            for (i, ex) in r.examples.iter().enumerate() {
                let got = self.read(r, &normalize_line(&ex.text)).unwrap_or_default();
                let want = Reading {
                    dept: ex.department.clone(),
                    year: ex.year,
                    kind: ex.kind.clone(),
                };
                if got != want {
                    problems.push(format!(
                        "{}: {:?} should yield {want:?} but yields {got:?}",
                        at(format!("examples[{i}]")),
                        ex.text
                    ));
                }
            }
            for (i, ce) in r.counter_examples.iter().enumerate() {
                if let Some(got) = self.read(r, &normalize_line(ce)) {
                    problems.push(format!(
                        "{}: {ce:?} must not match but yields {got:?}",
                        at(format!("counter_examples[{i}]"))
                    ));
                }
            }
        }
        for n in &self.normalize {
            let at = |field: String| format!("{}:{}:{field}", self.file, n.id);
            if n.examples.is_empty() {
                problems.push(format!(
                    "{}: a rewrite needs at least one example",
                    at("examples".into())
                ));
            }
            for (i, ex) in n.examples.iter().enumerate() {
                let got = n.apply(&ex.text);
                if got != ex.want {
                    problems.push(format!(
                        "{}: {:?} should become {:?} but becomes {got:?}",
                        at(format!("examples[{i}]")),
                        ex.text,
                        ex.want
                    ));
                }
            }
            for (i, ce) in n.counter_examples.iter().enumerate() {
                let got = n.apply(ce);
                if &got != ce {
                    problems.push(format!(
                        "{}: {ce:?} must stay as it is but becomes {got:?}",
                        at(format!("counter_examples[{i}]"))
                    ));
                }
            }
        }
        problems
    }

    /// What `rule` reads from `text` (normalised), or `None` when it does not match or reads nothing
    /// usable (a rule with a name group gives nothing without a valid name unless `dept_optional`).
    pub fn read(&self, rule: &Rule, text: &str) -> Option<Reading> {
        let text = self.fold_numeral_years(text);
        let caps = rule.regex.captures(&text)?;
        let dept = match caps.name("dept") {
            None => None,
            Some(m) => match self.judge(m.as_str()) {
                Name::Valid(d) if !rule.shape || self.has_shape(&d) => Some(d),
                Name::Empty | Name::NotADepartment if rule.dept_optional => None,
                _ => return None,
            },
        };
        let year = caps.name("year").and_then(|m| m.as_str().parse().ok());
        let kind = caps.name("stage").map(|s| {
            let scope = caps
                .name("scope")
                .map_or(self.default_scope.as_str(), |m| m.as_str());
            format!("{scope}{}", s.as_str())
        });
        let r = Reading { dept, year, kind };
        (r != Reading::default()).then_some(r)
    }

    /// `text` with each year printed in numerals (`numeral_year`, 二〇二六年) written in digits
    /// (2026年); a year holding a character that is no digit's numeral stays as it is.
    fn fold_numeral_years<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let Some(re) = self.numeral_year.as_ref().filter(|re| re.is_match(text)) else {
            return std::borrow::Cow::Borrowed(text);
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for caps in re.captures_iter(text) {
            let Some(m) = caps.name("year") else { continue };
            let digits: Option<String> = m
                .as_str()
                .chars()
                .map(|c| {
                    let d = self.numeral_digits.iter().position(|n| n.contains(c))?;
                    char::from_digit(u32::try_from(d).ok()?, 10)
                })
                .collect();
            let Some(digits) = digits else { continue };
            out.push_str(&text[last..m.start()]);
            out.push_str(&digits);
            last = m.end();
        }
        out.push_str(&text[last..]);
        std::borrow::Cow::Owned(out)
    }

    /// The first reading of a rule of `role` on `text`.
    pub fn read_role(&self, role: Role, text: &str) -> Option<Reading> {
        self.rules
            .iter()
            .filter(|r| r.role == role)
            .find_map(|r| self.read(r, text))
    }

    fn has_shape(&self, name: &str) -> bool {
        self.name_shape.as_ref().is_some_and(|s| s.is_match(name))
    }

    /// A captured name as the department: trimmed, scope qualifiers and generic words after it
    /// dropped, parentheses full-width; `None` when it is no name (too short, or rejected).
    pub fn clean_name(&self, raw: &str) -> Option<String> {
        match self.judge(raw) {
            Name::Valid(d) => Some(d),
            _ => None,
        }
    }

    fn judge(&self, raw: &str) -> Name {
        let mut s = raw
            .trim_matches(|c: char| c.is_whitespace() || c == '：' || c == ':')
            .to_string();
        if s.is_empty() {
            return Name::Empty;
        }
        loop {
            let before = s.clone();
            for q in &self.qualifiers {
                s = q.replace(&s, "").into_owned();
            }
            for suffix in &self.strip_suffixes {
                if let Some(rest) = s.strip_suffix(suffix.as_str()) {
                    if rest.chars().count() >= 2 {
                        s = rest.to_string();
                    }
                }
            }
            if s == before {
                break;
            }
        }
        if s.chars().count() < 2 || self.reject.iter().any(|r| r.is_match(&s)) {
            return Name::Rejected;
        }
        if self.not_department.iter().any(|r| r.is_match(&s)) {
            return Name::NotADepartment;
        }
        Name::Valid(s.replace('(', "（").replace(')', "）"))
    }

    /// The region a name begins with (`上海市普陀区司法局` → `上海市普陀区`), if any.
    pub fn region_of(&self, name: &str) -> Option<String> {
        if self.local_name.as_ref().is_some_and(|l| l.is_match(name)) {
            return None;
        }
        let caps = self.region.as_ref()?.captures(name)?;
        let r = caps.name("region")?.as_str();
        (!r.is_empty()).then(|| r.to_string())
    }

    /// The name with its variants joined: the rewrites in order, then the region in front of a name
    /// that begins with a level alone, cut after that level (`区人社局` with `上海市普陀区` →
    /// `上海市普陀区人社局`; `市财政局` with `上海市普陀区` → `上海市财政局`).
    pub fn normalize_name(&self, name: &str, region: Option<&str>) -> String {
        let mut s = name.replace('（', "(").replace('）', ")");
        for n in &self.normalize {
            s = n.apply(&s);
        }
        if let (Some(local), Some(region)) = (&self.local_name, region) {
            if let Some(c) = local.captures(&s) {
                let (Some(level), Some(rest)) = (c.name("level"), c.name("rest")) else {
                    return s;
                };
                if let Some(end) = region.rfind(level.as_str()) {
                    let prefix = &region[..end + level.as_str().len()];
                    s = format!("{prefix}{}", rest.as_str());
                }
            }
        }
        s.replace('(', "（").replace(')', "）")
    }

    fn is_contents(&self, line: &str) -> bool {
        self.contents.iter().any(|r| r.is_match(line))
    }

    fn is_cover_end(&self, line: &str) -> bool {
        self.is_contents(line) || self.cover_end.iter().any(|r| r.is_match(line))
    }
}

impl NormalizeRule {
    /// The name rewritten by this rule (unchanged when it does not match).
    pub fn apply(&self, name: &str) -> String {
        self.regex.replace(name, self.replace.as_str()).into_owned()
    }
}

// ---- reading a document ----------------------------------------------------------------------------

/// The fields found so far, each with its source.
#[derive(Default)]
struct Found {
    dept: Option<(String, Source)>,
    year: Option<(i32, Source)>,
    kind: Option<(String, Source)>,
    /// Every name read, in order of trust (for the region of a local name).
    names: Vec<String>,
}

impl Found {
    fn take(&mut self, r: Option<Reading>, source: Source) {
        let Some(r) = r else { return };
        if let Some(d) = r.dept {
            self.names.push(d.clone());
            self.dept.get_or_insert((d, source));
        }
        if let Some(y) = r.year {
            self.year.get_or_insert((y, source));
        }
        if let Some(k) = r.kind {
            self.kind.get_or_insert((k, source));
        }
    }

    fn take_kind(&mut self, r: Option<Reading>, source: Source) {
        if let Some(k) = r.and_then(|r| r.kind) {
            self.kind.get_or_insert((k, source));
        }
    }

    fn take_year(&mut self, r: Option<Reading>, source: Source) {
        if let Some(y) = r.and_then(|r| r.year) {
            self.year.get_or_insert((y, source));
        }
    }

    fn done(&self) -> bool {
        self.dept.is_some() && self.year.is_some() && self.kind.is_some()
    }
}

/// A line as the rules read it: normalised, without a contents entry's dot leaders and page number.
fn clean_line(raw: &(impl MatchForm + ?Sized)) -> String {
    LEADERS.replace(&raw.match_form(), "").into_owned()
}

/// [`clean_line`] for a document line: borrowed from the line's matching form unless leaders are cut.
fn clean_doc_line(line: &Line) -> Cow<'_, str> {
    LEADERS.replace(line.normalized(), "")
}

/// The document's pages with text, each as its cleaned non-empty lines, cleaned one page at a time
/// when iterated (a large text is never held twice, cleaned and raw).
#[derive(Clone, Copy)]
struct CleanPages<'a> {
    doc: &'a Document,
}

impl<'a> CleanPages<'a> {
    fn iter(self) -> impl Iterator<Item = Vec<Cow<'a, str>>> + Clone {
        self.doc
            .pages
            .iter()
            .map(|p| {
                p.lines
                    .iter()
                    .map(clean_doc_line)
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
    }

    /// The lines of every page after the front pages, in order.
    fn rest_lines(self) -> impl Iterator<Item = Cow<'a, str>> + Clone {
        self.iter().skip(FRONT_PAGES).flatten()
    }
}

/// Reads kind, year and department with their sources. `source` is the input's path as given (its
/// file name is the last resort).
pub fn identify(
    doc: &Document,
    outline: &Outline,
    rules: &MetadataRules,
    source: &str,
) -> Metadata {
    let pages = CleanPages { doc };
    let front_pages: Vec<Vec<Cow<str>>> = pages.iter().take(FRONT_PAGES).collect();
    let front: Vec<&Vec<Cow<str>>> = front_pages.iter().collect();
    let headings: Vec<String> = outline
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .map(|s| clean_line(&format!("{}{}", s.number, s.title)))
        .collect();
    let other_genre = front
        .iter()
        .flat_map(|p| p.iter())
        .take(12)
        .any(|t| rules.other_genre.iter().any(|r| r.is_match(t)));

    let mut f = Found::default();
    let cover_len = cover_len(rules, &front_pages);
    read_label_lines(&mut f, rules, &front, cover_len);
    read_cover(&mut f, rules, &front_pages, cover_len);
    read_front_titles(&mut f, rules, pages, &front);
    // 4. Part headings and contents entries.
    let front_lines = front.iter().flat_map(|p| p.iter().map(|l| l.as_ref()));
    for line in headings.iter().map(String::as_str).chain(front_lines) {
        f.take(rules.read_role(Role::Heading, line), Source::Heading);
    }
    for line in &headings {
        f.take(rules.read_role(Role::YearKind, line), Source::Heading);
    }
    // 5. and 6. Title lines, label lines and table year lines anywhere.
    if !f.done() {
        let all = pages.rest_lines();
        for line in all.clone() {
            f.take(rules.read_role(Role::Title, &line), Source::Title);
        }
        for line in all.clone() {
            f.take(
                rules.read_role(Role::UnitLine, &line),
                Source::TableUnitLine,
            );
        }
        for line in all {
            f.take_year(rules.read_role(Role::TableTitle, &line), Source::TableTitle);
        }
    }
    read_narrative(&mut f, rules, pages);
    // 8. The file name.
    if !f.done() {
        let stem = Path::new(source)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = FILE_NAME_NOISE
            .replace_all(&normalize_line(&stem), "")
            .into_owned();
        f.take(rules.read_role(Role::Title, &stem), Source::FileName);
    }

    if other_genre && f.kind.as_ref().is_some_and(|(_, s)| *s != Source::Cover) {
        f.kind = None;
    }
    metadata_of(&f, rules, &front)
}

/// How many lines of the first page are its cover: the lines up to the contents; a first page of
/// many lines and no contents is a table or text page, not a cover (0).
fn cover_len(rules: &MetadataRules, pages: &[Vec<Cow<str>>]) -> usize {
    pages.first().map_or(0, |p| {
        let end = p.iter().position(|l| rules.is_cover_end(l));
        let contents = p.iter().any(|l| rules.is_contents(l));
        match end {
            Some(e) if contents || p.len() <= COVER_MAX_LINES => e,
            None if p.len() <= COVER_MAX_LINES => p.len(),
            _ => 0,
        }
    })
}

/// Step 1: label lines of the first pages (on the cover, or as a table's unit line).
fn read_label_lines(
    f: &mut Found,
    rules: &MetadataRules,
    front: &[&Vec<Cow<str>>],
    cover_len: usize,
) {
    for (pi, page) in front.iter().enumerate() {
        for (li, line) in page.iter().enumerate() {
            let source = if pi == 0 && li < cover_len {
                Source::Cover
            } else {
                Source::TableUnitLine
            };
            if let Some(r) = rules.read_role(Role::UnitLine, line) {
                f.take(Some(r), source);
            }
        }
    }
}

/// Step 2: the cover, joined: the first reading with a name; else the first without one
/// (`2026年度部门预算` alone).
fn read_cover(f: &mut Found, rules: &MetadataRules, pages: &[Vec<Cow<str>>], cover_len: usize) {
    let Some(first) = pages.first() else {
        return;
    };
    let lines: Vec<&Cow<str>> = first[..cover_len]
        .iter()
        .filter(|l| !rules.cover_skip.iter().any(|r| r.is_match(l)))
        .filter(|l| rules.read_role(Role::UnitLine, l).is_none())
        .take(COVER_LINES)
        .collect();
    let mut joined = String::new();
    let mut partial = None;
    for l in lines {
        joined.push_str(l);
        match rules.read_role(Role::Title, &joined) {
            Some(r) if r.dept.is_some() => {
                partial = Some(r);
                break;
            }
            Some(r) => {
                partial.get_or_insert(r);
            }
            None => {}
        }
    }
    f.take(partial, Source::Cover);
}

/// Step 3: a running header, then title lines, year-and-kind phrases and table titles of the first
/// pages.
fn read_front_titles(
    f: &mut Found,
    rules: &MetadataRules,
    pages: CleanPages,
    front: &[&Vec<Cow<str>>],
) {
    let header = running_header(pages);
    if let Some(h) = &header {
        f.take(rules.read_role(Role::Title, h), Source::RunningHeader);
        f.take(rules.read_role(Role::YearKind, h), Source::RunningHeader);
    }
    for page in front {
        let contents = page.iter().any(|l| rules.is_contents(l));
        for (i, line) in page.iter().enumerate() {
            if Some(line) == header.as_ref() {
                continue;
            }
            f.take(rules.read_role(Role::Title, line), Source::Title);
            if let Some(next) = page.get(i + 1) {
                f.take(
                    rules.read_role(Role::Title, &format!("{line}{next}")),
                    Source::Title,
                );
            }
        }
        let source = if contents {
            Source::Contents
        } else {
            Source::Title
        };
        for line in page.iter() {
            f.take(rules.read_role(Role::YearKind, line), source);
        }
        for line in page.iter() {
            let r = rules.read_role(Role::TableTitle, line);
            f.take_kind(r.clone(), Source::TableTitle);
            f.take_year(r, Source::TableTitle);
        }
    }
}

/// Step 7: the narrative: the most frequent subject and kind, where they are still missing.
fn read_narrative(f: &mut Found, rules: &MetadataRules, pages: CleanPages) {
    let lines = || pages.iter().flatten();
    if f.dept.is_none() {
        let names = most_frequent(
            lines().filter_map(|l| rules.read_role(Role::Narrative, &l).and_then(|r| r.dept)),
        );
        f.take(
            names.map(|d| Reading {
                dept: Some(d),
                ..Reading::default()
            }),
            Source::Narrative,
        );
    }
    if f.kind.is_none() {
        let kinds = most_frequent(
            lines().filter_map(|l| rules.read_role(Role::KindWord, &l).and_then(|r| r.kind)),
        );
        f.take_kind(
            kinds.map(|k| Reading {
                kind: Some(k),
                ..Reading::default()
            }),
            Source::Narrative,
        );
    }
}

/// The metadata of what was found; the department's normalised name in its region: the region
/// another name read says, else a front-page title line (`某市2026年市级部门预算`).
fn metadata_of(f: &Found, rules: &MetadataRules, front: &[&Vec<Cow<str>>]) -> Metadata {
    let region = f.names.iter().find_map(|n| rules.region_of(n)).or_else(|| {
        front
            .iter()
            .flat_map(|p| p.iter())
            .filter(|l| {
                rules.read_role(Role::Title, l).is_some()
                    || rules.read_role(Role::YearKind, l).is_some()
            })
            .find_map(|l| rules.region_of(l))
    });
    let department_normalized = f
        .dept
        .as_ref()
        .map(|(d, _)| rules.normalize_name(d, region.as_deref()));
    Metadata {
        kind: f.kind.as_ref().map(|(k, _)| k.clone()),
        year: f.year.map(|(y, _)| y),
        department: f.dept.as_ref().map(|(d, _)| d.clone()),
        department_normalized,
        source: MetadataSource {
            department: f.dept.as_ref().map(|(_, s)| *s),
            year: f.year.map(|(_, s)| s),
            kind: f.kind.as_ref().map(|(_, s)| *s),
        },
    }
}

/// The line that tops at least [`RUNNING_HEADER_PAGES`] pages (after the first), the most often.
fn running_header(pages: CleanPages<'_>) -> Option<Cow<'_, str>> {
    let mut counts: HashMap<Cow<str>, usize> = HashMap::new();
    for p in pages.iter().skip(1) {
        if let Some(first) = p.into_iter().next() {
            *counts.entry(first).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= RUNNING_HEADER_PAGES)
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(l, _)| l)
}

/// The value seen most often; the first seen among equals.
fn most_frequent(values: impl Iterator<Item = String>) -> Option<String> {
    let mut order: Vec<(String, usize)> = Vec::new();
    for v in values {
        match order.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => order.push((v, 1)),
        }
    }
    let best = order.iter().map(|(_, n)| *n).max()?;
    order.into_iter().find(|(_, n)| *n == best).map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::PatternSet;
    use crate::segment::outline;

    fn rules() -> MetadataRules {
        PatternSet::load(None)
            .expect("default patterns load")
            .metadata
    }

    fn meta_of(pages: &[&[&str]], source: &str) -> Metadata {
        let d = Document::from_text_pages(pages);
        identify(&d, &outline(&d), &rules(), source)
    }

    fn meta(pages: &[&[&str]]) -> Metadata {
        meta_of(pages, "in.pdf")
    }

    /// (department, year, kind) of a reading.
    fn dyk(m: &Metadata) -> (Option<&str>, Option<i32>, Option<&str>) {
        (m.department.as_deref(), m.year, m.kind.as_deref())
    }

    fn filler(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("第{i}行正文内容。")).collect()
    }

    #[test]
    fn the_default_rules_pass_their_examples() {
        let r = rules();
        assert!(r.rules.len() >= 10, "{} rules", r.rules.len());
        let problems = r.check();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn a_year_in_numerals_is_read_as_digits() {
        let m = meta(&[&["北京市某局", "二〇二六年度部门预算", "目 录"]]);
        assert_eq!(dyk(&m), (Some("北京市某局"), Some(2026), Some("部门预算")));
        let r = rules();
        assert_eq!(r.fold_numeral_years("二零二五年部门决算"), "2025年部门决算");
        // Not four numerals before 年, or not a year: left as it is.
        assert_eq!(r.fold_numeral_years("十二月"), "十二月");
        assert_eq!(r.fold_numeral_years("二〇二六"), "二〇二六");
        assert_eq!(r.fold_numeral_years("第一二三年"), "第一二三年");
    }

    #[test]
    fn a_government_budget_report_is_no_department_report() {
        let m = meta(&[&[
            "关于某省2023年全省和省本级预算执行",
            "情况与2024年全省和省本级预算草案的报告",
            "各部门预算公开工作有序推进。",
            "附件：某省2024年部门预算报表",
        ]]);
        assert_eq!(m.kind, None);
    }

    #[test]
    fn a_cover_wrapped_over_lines_is_joined() {
        // (cover lines, department, year, kind)
        let cases: [(&[&str], &str, i32, &str); 5] = [
            (
                &[
                    "2026 年度",
                    "某市交通运输局（本级）",
                    "单位预算公开",
                    "目 录",
                ],
                "某市交通运输局",
                2026,
                "单位预算",
            ),
            (
                &["2026 年某市规划和自然资源局某", "管理局部门预算", "目 录"],
                "某市规划和自然资源局某管理局",
                2026,
                "部门预算",
            ),
            (
                &["2026 年某市某局（本级）部", "门预算"],
                "某市某局",
                2026,
                "部门预算",
            ),
            (
                &["某市某委员会 2026 年度", "部门预算信息公开", "目 录"],
                "某市某委员会",
                2026,
                "部门预算",
            ),
            (
                &["某市某局（汇总）", "2026年部门综合预算公开说明", "目录"],
                "某市某局",
                2026,
                "部门预算",
            ),
        ];
        for (lines, dept, year, kind) in cases {
            let m = meta(&[lines, &["第一部分 部门概况"]]);
            assert_eq!(dyk(&m), (Some(dept), Some(year), Some(kind)), "{lines:?}");
            assert_eq!(m.source.department, Some(Source::Cover), "{lines:?}");
            assert_eq!(m.source.year, Some(Source::Cover), "{lines:?}");
        }
    }

    #[test]
    fn a_cover_may_name_the_department_after_the_kind() {
        let m = meta(&[&["2026年度部门预算", "某市某局", "目 录"]]);
        assert_eq!(dyk(&m), (Some("某市某局"), Some(2026), Some("部门预算")));
        assert_eq!(m.source.department, Some(Source::Cover));
        let m = meta(&[&["2026年度部门预算", "目 录"], &["第一部分 某市某局概况"]]);
        assert_eq!(dyk(&m), (Some("某市某局"), Some(2026), Some("部门预算")));
        assert_eq!(m.source.department, Some(Source::Heading));
        assert_eq!(m.source.year, Some(Source::Cover));
    }

    #[test]
    fn a_title_without_the_scope_word_is_a_department_report() {
        let m = meta(&[&[
            "2018 年度某省高级",
            "人民法院预算公开",
            "2018 年 2 月 24 日",
            "目 录",
        ]]);
        assert_eq!(
            dyk(&m),
            (Some("某省高级人民法院"), Some(2018), Some("部门预算"))
        );
    }

    #[test]
    fn a_year_without_nian_before_the_kind_is_read() {
        let mut page = vec![
            "某市某监督管理委员会".to_string(),
            "2026 部门预算情况的说明".to_string(),
        ];
        page.extend(filler(20));
        let lines: Vec<&str> = page.iter().map(String::as_str).collect();
        let m = meta(&[&lines]);
        assert_eq!(
            dyk(&m),
            (Some("某市某监督管理委员会"), Some(2026), Some("部门预算"))
        );
        // A first page of body text is no cover: the two lines are a title.
        assert_eq!(m.source.department, Some(Source::Title));
    }

    #[test]
    fn a_label_on_the_cover_names_the_unit_before_the_title() {
        let m = meta(&[&[
            "某市2026年市级单位预算",
            "预算单位：某市某职业技术学院",
            "目 录",
        ]]);
        assert_eq!(
            dyk(&m),
            (Some("某市某职业技术学院"), Some(2026), Some("单位预算"))
        );
        assert_eq!(m.source.department, Some(Source::Cover));
        // A region alone is not the department.
        let m = meta(&[&["某市2026年市级单位预算", "目 录"]]);
        assert_eq!(m.department, None);
    }

    #[test]
    fn a_table_page_first_gives_its_unit_line_and_table_title() {
        let mut page: Vec<String> = vec![
            "公开01表".into(),
            "收支预算总表".into(),
            "部门：中共某省委办公厅 单位：万元".into(),
        ];
        page.extend(filler(20));
        let lines: Vec<&str> = page.iter().map(String::as_str).collect();
        let m = meta(&[&lines]);
        assert_eq!(dyk(&m), (Some("中共某省委办公厅"), None, Some("部门预算")));
        assert_eq!(m.source.department, Some(Source::TableUnitLine));
        assert_eq!(m.source.kind, Some(Source::TableTitle));
        assert_eq!(m.department_normalized.as_deref(), Some("某省委办公厅"));
    }

    #[test]
    fn a_unit_of_measure_is_no_unit() {
        let m = meta(&[&["某某情况表", "单位：万元/人", "单位：辆、套", "项目 金额"]]);
        assert_eq!(m.department, None);
        let m = meta(&[&["某某情况表", "单位：某市某中心 金额单位：万元", "项目 金额"]]);
        assert_eq!(m.department.as_deref(), Some("某市某中心"));
        assert_eq!(m.source.department, Some(Source::Cover));
    }

    #[test]
    fn a_file_of_tables_only_reads_its_last_table() {
        let m = meta(&[
            &["预算01表收支总表", "金额单位：万元", "收 入 支 出"],
            &["预算02表收入总表", "金额单位：万元"],
            &["预算03表支出总表", "金额单位：万元"],
            &[
                "预算13表部门整体支出绩效目标表",
                "（2026年度）",
                "部门名称 某市某事务局",
                "财政拨款 其他资金",
            ],
        ]);
        assert_eq!(
            dyk(&m),
            (Some("某市某事务局"), Some(2026), Some("部门预算"))
        );
        assert_eq!(
            m.source,
            MetadataSource {
                department: Some(Source::TableUnitLine),
                year: Some(Source::TableTitle),
                kind: Some(Source::TableTitle),
            }
        );
    }

    #[test]
    fn a_report_without_cover_reads_its_attachment_title_or_narrative() {
        let contents: &[&str] = &[
            "目 录",
            "第一部分 2026 年度部门预算情况说明",
            "一、部门情况说明",
            "第二部分 2026 年度部门预算报表",
        ];
        let body: &[&str] = &[
            "一、部门情况说明",
            "（一）本部门职责情况",
            "某市某办公厅主要职责包括：",
            "1.协助处理日常工作。",
        ];
        let m = meta(&[
            contents,
            body,
            &["其他内容。"],
            &["附件：某市某办公厅 2026 年度部门预算报表"],
        ]);
        assert_eq!(
            dyk(&m),
            (Some("某市某办公厅"), Some(2026), Some("部门预算"))
        );
        assert_eq!(m.source.department, Some(Source::Title));
        assert_eq!(m.source.year, Some(Source::Contents));
        let m = meta(&[contents, body]);
        assert_eq!(m.department.as_deref(), Some("某市某办公厅"));
        assert_eq!(m.source.department, Some(Source::Narrative));
    }

    #[test]
    fn the_narrative_subject_read_most_often_wins() {
        let m = meta(&[&[
            "目 录",
            "某省某办公厅 2019 年度收入、支出预算总计 100.00 万元",
            "某省某办公厅本年收入预算合计 100.00 万元",
            "某省某联谊会本年支出预算合计 5.00 万元",
        ]]);
        assert_eq!(m.department.as_deref(), Some("某省某办公厅"));
        assert_eq!(m.source.department, Some(Source::Narrative));
    }

    #[test]
    fn a_part_heading_names_the_department() {
        let cases: [(&[&str], &str, i32, &str); 2] = [
            (
                &[
                    "第一部分  某区某局概况",
                    "一、主要职能",
                    "第二部分  某区某局 2020 年度部门决算表",
                ],
                "某区某局",
                2020,
                "部门决算",
            ),
            (
                &[
                    "目录",
                    "第一部分某市某局概况......... 1",
                    "第二部分 2026年部门预算表...... 9",
                ],
                "某市某局",
                2026,
                "部门预算",
            ),
        ];
        for (lines, dept, year, kind) in cases {
            let m = meta(&[lines]);
            assert_eq!(dyk(&m), (Some(dept), Some(year), Some(kind)), "{lines:?}");
            assert_eq!(m.source.department, Some(Source::Heading), "{lines:?}");
        }
    }

    #[test]
    fn a_running_header_names_the_report() {
        let header = "某市某局2026年度单位预算公开";
        let m = meta(&[
            &["目录", "一、单位概况"],
            &[header, "正文一。"],
            &[header, "正文二。"],
            &[header, "正文三。"],
        ]);
        assert_eq!(dyk(&m), (Some("某市某局"), Some(2026), Some("单位预算")));
        assert_eq!(m.source.department, Some(Source::RunningHeader));
    }

    #[test]
    fn the_file_name_is_the_last_resort() {
        let m = meta_of(&[&["正文。"]], "/data/某市某局_2024年度部门决算.pdf");
        assert_eq!(dyk(&m), (Some("某市某局"), Some(2024), Some("部门决算")));
        assert_eq!(
            m.source,
            MetadataSource {
                department: Some(Source::FileName),
                year: Some(Source::FileName),
                kind: Some(Source::FileName),
            }
        );
        let m = meta_of(&[&["正文。"]], "/data/w001.pdf");
        assert_eq!(dyk(&m), (None, None, None));
    }

    #[test]
    fn the_kind_most_lines_name_wins() {
        let m = meta(&[&[
            "目录",
            "本表反映部门预算收支。",
            "下属单位预算另行公开。",
            "部门预算按规定编制。",
        ]]);
        assert_eq!(m.kind.as_deref(), Some("部门预算"));
        assert_eq!(m.source.kind, Some(Source::Narrative));
    }

    #[test]
    fn names_are_cleaned_as_printed() {
        let r = rules();
        assert_eq!(
            r.clean_name("某市信访办公室部门").as_deref(),
            Some("某市信访办公室")
        );
        assert_eq!(r.clean_name("某市某局(本级)").as_deref(), Some("某市某局"));
        assert_eq!(
            r.clean_name("某市某研究院(某市某中心)").as_deref(),
            Some("某市某研究院（某市某中心）")
        );
        assert_eq!(r.clean_name("万元"), None);
        assert_eq!(r.clean_name("第二部分某局"), None);
        assert_eq!(r.clean_name("某市某区"), None);
    }

    #[test]
    fn normalisation_joins_the_variants_of_a_name() {
        let r = rules();
        let n = |s: &str, region: Option<&str>| r.normalize_name(s, region);
        assert_eq!(n("中国共产党某市委员会宣传部", None), "某市委宣传部");
        assert_eq!(n("中共某市委宣传部", None), "某市委宣传部");
        assert_eq!(n("中共某省委办公厅", None), "某省委办公厅");
        assert_eq!(n("某省委办公厅", None), "某省委办公厅");
        assert_eq!(n("某市发展和改革委员会", None), "某市发展和改革委员会");
        assert_eq!(
            n("中国人民政治协商会议某省委员会办公厅", None),
            "某省政协办公厅"
        );
        assert_eq!(
            n("某省人民代表大会常务委员会办公厅", None),
            "某省人大常委会办公厅"
        );
        assert_eq!(
            n("市人力资源和社会保障局", Some("某某市")),
            "某某市人力资源和社会保障局"
        );
        assert_eq!(n("区人社局", Some("某某市某某区")), "某某市某某区人社局");
        assert_eq!(n("市财政局", Some("某某市某某区")), "某某市财政局");
        assert_eq!(n("区人社局", None), "区人社局");
        assert_eq!(
            r.region_of("某某市某某区司法局").as_deref(),
            Some("某某市某某区")
        );
        assert_eq!(r.region_of("某某大学"), None);
        assert_eq!(r.region_of("市财政局"), None);
    }

    #[test]
    fn a_local_name_takes_the_region_of_the_document() {
        let m = meta(&[&[
            "第一部分 市人力资源和社会保障局概况",
            "某某市2026年市级部门预算",
        ]]);
        assert_eq!(m.department.as_deref(), Some("市人力资源和社会保障局"));
        assert_eq!(
            m.department_normalized.as_deref(),
            Some("某某市人力资源和社会保障局")
        );
    }

    #[test]
    fn the_rules_come_from_the_pattern_files() {
        // A pattern folder whose metadata says a stage alone is a unit's report.
        let files: Vec<(String, String)> = [
            "keys.toml",
            "units.toml",
            "metadata.toml",
            "tables/catalog.toml",
            "tables/columns.toml",
            "tables/rows.toml",
            "tables/figures.toml",
            "identities.toml",
        ]
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(format!("patterns/{n}")).expect("readable");
            let text = if *n == "metadata.toml" {
                text.replacen("default_scope = '部门'", "default_scope = '单位'", 1)
            } else {
                text
            };
            (n.to_string(), text)
        })
        .collect();
        let set = PatternSet::from_files(files).expect("loads");
        let d = Document::from_text_pages(&[&["预算01表收支总表", "金额单位：万元"]]);
        let m = identify(&d, &outline(&d), &set.metadata, "in.pdf");
        assert_eq!(m.kind.as_deref(), Some("单位预算"));
        // Without a [metadata] table nothing is read.
        let m = identify(&d, &outline(&d), &MetadataRules::default(), "in.pdf");
        assert_eq!(dyk(&m), (None, None, None));
    }

    #[test]
    fn a_wrong_example_is_reported_with_file_id_and_field() {
        let text = std::fs::read_to_string("patterns/metadata.toml").expect("readable");
        let text = text.replacen(
            "department = '上海交通职业技术学院'",
            "department = '上海交通'",
            1,
        );
        let mut files = vec![
            (
                "keys.toml".to_string(),
                std::fs::read_to_string("patterns/keys.toml").expect("readable"),
            ),
            (
                "units.toml".to_string(),
                std::fs::read_to_string("patterns/units.toml").expect("readable"),
            ),
            ("metadata.toml".to_string(), text),
            (
                "tables/catalog.toml".to_string(),
                std::fs::read_to_string("patterns/tables/catalog.toml").expect("readable"),
            ),
        ];
        for n in [
            "tables/columns.toml",
            "tables/rows.toml",
            "tables/figures.toml",
            "identities.toml",
        ] {
            let text = std::fs::read_to_string(format!("patterns/{n}")).expect("readable");
            files.push((n.to_string(), text));
        }
        let set = PatternSet::from_files(files).expect("loads");
        let problems = set.metadata.check();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("metadata.toml:unit_line.colon:examples[0]:"),
            "{problems:?}"
        );
    }
}
