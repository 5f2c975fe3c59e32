//! The table catalog (`patterns/tables/catalog.toml`, from tables.tsv): loading, verification and
//! identification of a title line.
//!
//! In: the catalog file's text (through [`crate::patterns::PatternSet`]), then printed lines and the
//! document's family (`预算` / `决算`, the `kind` values of the catalog's entries). Out: a compiled
//! [`Catalog`] whose names are searched with one automaton built at load time, and for a line
//! `Some(TitleMatch)` when it is a table title: the catalog id (`F01`…, `B01`…, `P01`) or `X` for
//! any other line that reads as a table title (ends with `表`, short, no sentence punctuation).
//!
//! How a title is identified (all words are catalog data):
//! - a name (`title`, `aliases`, `neutral`) appears in the line; a table label, year, department or
//!   `部门` prefix may come before it. `neutral` names do not say 预算 or 决算 (`支出总表`): they
//!   identify the entry of the document's family only. The longest name wins;
//! - a name of six characters or fewer is generic: it does not match after a word that makes another
//!   table's name (`generic_prefix_stops`: 基本支出总表 is not 支出总表);
//! - `not_with` words anywhere in the title rule the entry out (`（按经济分类）` is not B05);
//! - `match_all` word sets (any set whose words are all present) identify titles that vary too much
//!   to list (the 三公 tables); `neutral_match_all` likewise within the document's family.
//!
//! [`Catalog::by_header`] identifies a table from its column labels (`header` word sets).
//!
//! Not here: deciding that a table actually follows the title (see [`super`]). Limits: a title wrapped
//! over two lines is joined by the caller; titles that differ from every listed name are `X`.

use std::collections::HashSet;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use serde::Deserialize;

use crate::error::PatternError;
use crate::normalize::{normalize_line, MatchForm};
use crate::table_id::TableId;

/// The catalog's path inside a pattern folder.
pub const CATALOG_FILE: &str = "tables/catalog.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    generic_prefix_stops: Vec<String>,
    table: Vec<toml::Spanned<EntryDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDef {
    id: String,
    kind: String,
    title: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    neutral: Vec<String>,
    #[serde(default)]
    match_all: Vec<Vec<String>>,
    #[serde(default)]
    neutral_match_all: Vec<Vec<String>>,
    #[serde(default)]
    not_with: Vec<String>,
    #[serde(default)]
    header: Vec<Vec<String>>,
    /// Why the entry reads as it does (for readers of the file).
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counter_examples: Vec<String>,
    #[serde(default)]
    header_examples: Vec<Vec<String>>,
}

/// One catalog entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    /// `决算`, `预算` (a family) or `either`.
    pub kind: String,
    pub title: String,
    /// Line of the entry in the catalog file.
    pub line: usize,
    match_all: Vec<Vec<String>>,
    neutral_match_all: Vec<Vec<String>>,
    not_with: Vec<String>,
    header: Vec<Vec<String>>,
    examples: Vec<String>,
    counter_examples: Vec<String>,
    header_examples: Vec<Vec<String>>,
}

/// One searchable name: its key (see [`key`]), the entry it names, whether it is neutral.
#[derive(Debug, Clone)]
struct Name {
    entry: usize,
    chars: usize,
    neutral: bool,
}

/// The compiled catalog.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The file it was read from, relative to the pattern folder.
    pub file: String,
    entries: Vec<Entry>,
    generic_prefix_stops: Vec<String>,
    names: Vec<Name>,
    searcher: Option<AhoCorasick>,
    families: Vec<String>,
}

/// A line identified as a table title.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TitleMatch {
    pub(crate) id: String,
    /// The title as printed (whitespace removed), without a trailing unit.
    pub(crate) title: String,
}

static TOC_LINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"(?:\.{3,}|…{2,}|·{3,}|-{4,})\s*\d*\s*$")
        .expect("toc regex is valid")
});

/// A parenthetical after a title (`（功能科目）`, `（经济科目）`), a classification and a scope note
/// together included (`（按支出经济分类科目-不含上年结转）`); a longer one is a sentence, not a qualifier.
static PAREN_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"[(（][^()（）]{1,24}[)）]$")
        .expect("paren tail regex is valid")
});

/// Removes quotes and whitespace: titles are compared in this form.
fn key(s: &str) -> String {
    key_of_normalized(&normalize_line(s))
}

/// [`key`] of a text already normalised, or cut out of a normalised text (normalisation only drops
/// whitespace there, which the key drops anyway).
fn key_of_normalized(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '\'' | '‘' | '’' | '《' | '》' | ' '))
        .collect()
}

/// Whether two printed titles are the same title (a 续 / 续表 mark, spaces and quotes aside): a
/// title printed again at the top of each page of its table.
pub(crate) fn same_title(a: &str, b: &str) -> bool {
    let vocabulary = crate::vocabulary::current();
    let continued = &vocabulary.tables.continued;
    let bare = |t: &str| key_of_normalized(&continued.remove(&normalize_line(t)));
    bare(a) == bare(b)
}

/// Reads the catalog file; a TOML error names `file:line`.
fn parse_catalog_file(file: &str, text: &str) -> Result<CatalogFile, PatternError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text.get(..s.start).unwrap_or(text).matches('\n').count() + 1);
        PatternError::Toml {
            path: match line {
                Some(l) => format!("{file}:{l}"),
                None => file.to_string(),
            },
            message: e.message().to_string(),
        }
    })
}

/// A problem of an entry at `location` (`file:line:id:field`).
fn invalid(location: String, message: &str) -> PatternError {
    PatternError::Invalid {
        location,
        message: message.to_string(),
    }
}

/// The problems of one entry's fields (id form, empty title, no example, neutral names without a
/// family, empty word sets).
fn validate_entry(
    e: &EntryDef,
    location: &dyn Fn(&str) -> String,
    problems: &mut Vec<PatternError>,
) {
    if TableId::parse(&e.id).is_none_or(|t| t.family().is_none()) {
        problems.push(invalid(
            location("id"),
            "not a table id (F01…F09, B01…B09, P01: a letter F, B or P and two digits)",
        ));
    }
    if e.title.trim().is_empty() {
        problems.push(invalid(location("title"), "empty title"));
    }
    if e.examples.is_empty() {
        problems.push(invalid(
            location("examples"),
            "an entry needs at least one example",
        ));
    }
    if (!e.neutral.is_empty() || !e.neutral_match_all.is_empty()) && e.kind == "either" {
        problems.push(invalid(
            location("neutral"),
            "neutral names need a family (kind)",
        ));
    }
    if e.header.iter().any(Vec::is_empty) || e.match_all.iter().any(Vec::is_empty) {
        problems.push(invalid(
            location("match_all"),
            "an empty word set matches everything",
        ));
    }
}

/// The searchable names of entry number `idx` (title, aliases, then neutral names), each with its
/// key; an empty key is a problem of the caller's to report.
fn entry_names(e: &EntryDef, idx: usize) -> Vec<(String, Name)> {
    std::iter::once(&e.title)
        .chain(e.aliases.iter())
        .map(|n| (n, false))
        .chain(e.neutral.iter().map(|n| (n, true)))
        .map(|(name, neutral)| {
            let k = key(name);
            let chars = k.chars().count();
            (
                k,
                Name {
                    entry: idx,
                    chars,
                    neutral,
                },
            )
        })
        .collect()
}

/// The compiled form of one entry read at `line`.
fn compile_entry(e: &EntryDef, line: usize) -> Entry {
    Entry {
        id: e.id.clone(),
        kind: e.kind.clone(),
        title: e.title.clone(),
        line,
        match_all: keyed_sets(&e.match_all),
        neutral_match_all: keyed_sets(&e.neutral_match_all),
        not_with: e.not_with.iter().map(|w| key(w)).collect(),
        header: e.header.clone(),
        examples: e.examples.clone(),
        counter_examples: e.counter_examples.clone(),
        header_examples: e.header_examples.clone(),
    }
}

/// One automaton over all name keys; a build error is a problem and leaves no searcher.
fn build_searcher(
    file: &str,
    keys: &[String],
    problems: &mut Vec<PatternError>,
) -> Option<AhoCorasick> {
    match AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(keys)
    {
        Ok(s) => Some(s),
        Err(err) => {
            problems.push(invalid(format!("{file}:1:table:aliases"), &err.to_string()));
            None
        }
    }
}

/// The families (`kind` other than `either`) of the entries, in order of first appearance.
fn families_of(entries: &[Entry]) -> Vec<String> {
    let mut families: Vec<String> = Vec::new();
    for e in entries {
        if e.kind != "either" && !families.contains(&e.kind) {
            families.push(e.kind.clone());
        }
    }
    families
}

impl Catalog {
    /// Compiles the catalog file `file` (its text `text`). A TOML error is fatal (`file:line`);
    /// problems of entries are returned with the catalog, each as `file:line:id:field: message`.
    pub fn from_toml(file: &str, text: &str) -> Result<(Catalog, Vec<PatternError>), PatternError> {
        let def = parse_catalog_file(file, text)?;
        let line_of = |pos: usize| text.get(..pos).unwrap_or(text).matches('\n').count() + 1;
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        let mut names = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for spanned in &def.table {
            let line = line_of(spanned.span().start);
            let e = spanned.get_ref();
            let location = |field: &str| format!("{file}:{line}:{}:{field}", e.id);
            if !seen.insert(e.id.clone()) {
                problems.push(invalid(location("id"), "entry defined twice"));
            }
            validate_entry(e, &location, &mut problems);
            for (k, name) in entry_names(e, entries.len()) {
                if k.is_empty() {
                    problems.push(invalid(location("aliases"), "empty name"));
                    continue;
                }
                names.push(name);
                keys.push(k);
            }
            entries.push(compile_entry(e, line));
        }
        let searcher = build_searcher(file, &keys, &mut problems);
        let families = families_of(&entries);
        let catalog = Catalog {
            file: file.to_string(),
            entries,
            generic_prefix_stops: def.generic_prefix_stops.iter().map(|w| key(w)).collect(),
            names,
            searcher,
            families,
        };
        Ok((catalog, problems))
    }

    /// Verifies every entry's examples (identified as the entry, in the entry's family),
    /// counter-examples (not identified as the entry) and header examples. Problems are
    /// `file:line:id:field: message`.
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.entries {
            let family = (e.kind != "either").then_some(e.kind.as_str());
            let at = |field: String| format!("{}:{}:{}:{field}", self.file, e.line, e.id);
            for (i, ex) in e.examples.iter().enumerate() {
                let got = self.identify(ex, family).map(|m| m.id);
                if got.as_deref() != Some(e.id.as_str()) {
                    out.push(format!(
                        "{}: {ex:?} should identify as {} but gives {}",
                        at(format!("examples[{i}]")),
                        e.id,
                        got.as_deref().unwrap_or("nothing")
                    ));
                }
            }
            for (i, ce) in e.counter_examples.iter().enumerate() {
                let got = self.identify(ce, family).map(|m| m.id);
                if got.as_deref() == Some(e.id.as_str()) {
                    out.push(format!(
                        "{}: {ce:?} must not identify as {}",
                        at(format!("counter_examples[{i}]")),
                        e.id
                    ));
                }
            }
            for (i, labels) in e.header_examples.iter().enumerate() {
                let got = self.by_header(labels, family);
                if got != Some(e.id.as_str()) {
                    out.push(format!(
                        "{}: {labels:?} should identify as {} but gives {}",
                        at(format!("header_examples[{i}]")),
                        e.id,
                        got.unwrap_or("nothing")
                    ));
                }
            }
        }
        out
    }

    /// The family (`kind` of entries) a document kind (`部门决算`) belongs to.
    pub fn family_of_kind(&self, kind: &str) -> Option<&str> {
        self.families
            .iter()
            .find(|f| kind.contains(f.as_str()))
            .map(String::as_str)
    }

    /// The family of a document whose kind is not known: the family most of its explicitly named
    /// catalog titles belong to, else the family word its table titles print most (`预算01表…`).
    pub fn family_of_lines<'a, L>(&self, lines: impl Iterator<Item = &'a L>) -> Option<&str>
    where
        L: MatchForm + ?Sized + 'a,
    {
        let mut named = vec![0usize; self.families.len()];
        let mut printed = vec![0usize; self.families.len()];
        let vocabulary = crate::vocabulary::current();
        let layout = &vocabulary.tables;
        for line in lines {
            let Some((k, full)) = self.title_key(&line.match_form()) else {
                continue;
            };
            if let Some((e, false, _)) = self.best_name(&k, &full, None) {
                if let Some(i) = self
                    .families
                    .iter()
                    .position(|f| *f == self.entries[e].kind)
                {
                    named[i] += 1;
                }
            }
            if layout.title_end.is_match(&k) {
                for (i, f) in self.families.iter().enumerate() {
                    printed[i] += full.matches(f.as_str()).count();
                }
            }
        }
        let pick = |counts: &[usize]| {
            let max = counts.iter().copied().max().unwrap_or(0);
            (max > 0 && counts.iter().filter(|c| **c == max).count() == 1)
                .then(|| counts.iter().position(|c| *c == max))
                .flatten()
        };
        pick(&named)
            .or_else(|| pick(&printed))
            .map(|i| self.families[i].as_str())
    }

    /// The title of a line (`norm`, in matching form): (key without a parenthetical tail, key with
    /// it), or `None` when the line cannot be a title.
    fn title_key(&self, norm: &str) -> Option<(String, String)> {
        let vocabulary = crate::vocabulary::current();
        let layout = &vocabulary.tables;
        if norm.is_empty() || norm.chars().count() > 60 || TOC_LINE.is_match(norm) {
            return None;
        }
        // 《…》 quotes a table's name inside a sentence (应与《部门收支预算总表》一致).
        if norm.contains(['。', '，', '；', '《'])
            || layout.table_number.is_match(norm)
            || layout.part_heading.is_match(norm)
        {
            return None;
        }
        let title = layout.unit_tail.remove(norm);
        let title = title.trim_end_matches(['(', '（']);
        let bare = layout.continued.remove(title);
        let full = key_of_normalized(&bare);
        let bare = PAREN_TAIL.replace(&bare, "");
        Some((key_of_normalized(&bare), full))
    }

    /// Identifies a title line, or `None` when the line is not a table title. `family` is the
    /// document's family (see [`Catalog::family_of_kind`]); neutral names need it.
    pub(crate) fn identify(
        &self,
        line: &(impl MatchForm + ?Sized),
        family: Option<&str>,
    ) -> Option<TitleMatch> {
        let norm = line.match_form();
        let (k, full) = self.title_key(&norm)?;
        let vocabulary = crate::vocabulary::current();
        let layout = &vocabulary.tables;
        let title = layout.unit_tail.remove(&norm);
        let title = title.trim_end_matches(['(', '（']).to_string();
        if let Some(id) = self.by_title(&k, &full, family) {
            return Some(TitleMatch { id, title });
        }
        // 发表 (publish) and 代表 (deputy) end sentences, not titles.
        let verb = layout.title_end_verb.is_match(&k);
        if layout.title_end.is_match(&k)
            && !verb
            && k.chars().count() >= 4
            && k.chars().count() <= 40
        {
            return Some(TitleMatch {
                id: "X".to_string(),
                title,
            });
        }
        None
    }

    /// The best name found in `k`: (entry, neutral, characters). Neutral names count only in `family` (any
    /// family when `None`).
    fn best_name(&self, k: &str, full: &str, family: Option<&str>) -> Option<(usize, bool, usize)> {
        let searcher = self.searcher.as_ref()?;
        let vocabulary = crate::vocabulary::current();
        let layout = &vocabulary.tables;
        let mut best: Option<(usize, usize, bool)> = None;
        for m in searcher.find_overlapping_iter(k) {
            let name = &self.names[m.pattern().as_usize()];
            let e = &self.entries[name.entry];
            if name.neutral && family.is_some_and(|f| f != e.kind) {
                continue;
            }
            if !self.prefix_allowed(&k[..m.start()], name.chars) {
                continue;
            }
            // Text after the title may only be a table number such as 公开01表 or nothing.
            let rest = &k[m.end()..];
            if !rest.is_empty() && !layout.table_label.is_match(rest) {
                continue;
            }
            if e.not_with.iter().any(|w| full.contains(w.as_str())) {
                continue;
            }
            let better = match best {
                None => true,
                Some((l, i, _)) => name.chars > l || (name.chars == l && name.entry < i),
            };
            if better {
                best = Some((name.chars, name.entry, name.neutral));
            }
        }
        best.map(|(len, e, n)| (e, n, len))
    }

    /// The id whose name appears in `k` (the longest wins), then the `match_all` entries in file
    /// order, then the `neutral_match_all` entries of the family.
    fn by_title(&self, k: &str, full: &str, family: Option<&str>) -> Option<String> {
        let best = self.best_name(k, full, family);
        // A generic short title loses to an entry whose `match_all` words are all present.
        if let Some((e, _, len)) = best {
            if len > 6 {
                return Some(self.entries[e].id.clone());
            }
        }
        // Word sets identify title lines only (a wrapped sentence of a 说明 may hold the words).
        let titled = crate::vocabulary::current().tables.title_end.is_match(k);
        let all = |sets: &[Vec<String>]| {
            titled
                && sets
                    .iter()
                    .any(|s| s.iter().all(|w| k.contains(w.as_str())))
        };
        let allowed = |e: &Entry| !e.not_with.iter().any(|w| full.contains(w.as_str()));
        self.entries
            .iter()
            .find(|e| all(&e.match_all) && allowed(e))
            .or_else(|| {
                self.entries.iter().find(|e| {
                    family.is_none_or(|f| f == e.kind) && all(&e.neutral_match_all) && allowed(e)
                })
            })
            .map(|e| e.id.clone())
            .or_else(|| best.map(|(e, _, _)| self.entries[e].id.clone()))
    }

    /// Generic short titles (支出总表) do not match after a word that makes another table's name.
    fn prefix_allowed(&self, prefix: &str, title_len: usize) -> bool {
        if title_len > 6 {
            return true;
        }
        !self
            .generic_prefix_stops
            .iter()
            .any(|w| prefix.ends_with(w.as_str()))
    }

    /// The id a table's column labels (`收入/项目`, `支出/预算数`, …) identify: the first entry of
    /// the family one of whose `header` word sets all appear in the labels (each word in some
    /// label).
    pub(crate) fn by_header<S: AsRef<str>>(
        &self,
        labels: &[S],
        family: Option<&str>,
    ) -> Option<&str> {
        let keys: Vec<String> = labels.iter().map(|l| key(l.as_ref())).collect();
        self.entries
            .iter()
            .filter(|e| family.is_none_or(|f| f == e.kind) || e.kind == "either")
            .find(|e| {
                e.header.iter().any(|set| {
                    set.iter()
                        .all(|w| keys.iter().any(|l| l.contains(key(w).as_str())))
                })
            })
            .map(|e| e.id.as_str())
    }

    /// Every entry.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// The catalog with the family of the document being read: what identifies its titles.
#[derive(Debug, Clone, Copy)]
pub struct Identifier<'a> {
    pub catalog: &'a Catalog,
    /// `预算` / `决算` (see [`Catalog::family_of_kind`]), `None` when unknown.
    pub family: Option<&'a str>,
}

impl<'a> Identifier<'a> {
    /// The identifier of a document of kind `kind` (metadata), whose lines are `lines`: the
    /// family is the kind's, else the one its titles say (see [`Catalog::family_of_lines`]).
    pub fn new<'l, L>(
        catalog: &'a Catalog,
        kind: Option<&str>,
        lines: impl Iterator<Item = &'l L>,
    ) -> Identifier<'a>
    where
        L: MatchForm + ?Sized + 'l,
    {
        let family = kind
            .and_then(|k| catalog.family_of_kind(k))
            .or_else(|| catalog.family_of_lines(lines));
        Identifier { catalog, family }
    }

    pub(crate) fn identify(&self, line: &(impl MatchForm + ?Sized)) -> Option<TitleMatch> {
        self.catalog.identify(line, self.family)
    }

    /// The catalog id column labels identify in this document's family.
    pub(crate) fn by_header<S: AsRef<str>>(&self, labels: &[S]) -> Option<&'a str> {
        self.catalog.by_header(labels, self.family)
    }
}

fn keyed_sets(sets: &[Vec<String>]) -> Vec<Vec<String>> {
    sets.iter()
        .map(|s| s.iter().map(|w| key(w)).collect())
        .collect()
}

/// The default catalog with a family, for tests.
#[cfg(test)]
pub(crate) fn test_identifier(family: Option<&'static str>) -> Identifier<'static> {
    Identifier {
        catalog: default_catalog(),
        family,
    }
}

#[cfg(test)]
pub(crate) fn default_catalog() -> &'static Catalog {
    static DEFAULT: LazyLock<Catalog> = LazyLock::new(|| {
        crate::patterns::PatternSet::load(None)
            .map(|p| p.catalog)
            .unwrap_or_default()
    });
    &DEFAULT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(line: &str, family: Option<&str>) -> Option<String> {
        default_catalog().identify(line, family).map(|m| m.id)
    }

    #[test]
    fn catalog_loads_and_examples_identify() {
        let cat = default_catalog();
        assert_eq!(cat.entries().len(), 19);
        let problems = cat.check();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn titles_by_id() {
        let cases = [
            ("收入支出决算总表", "F01"),
            ("财政拨款收入支出决算总表", "F04"),
            ("一般公共预算财政拨款基本支出决算表", "F06"),
            ("财政拨款“三公”经费支出决算表", "F07"),
            ("财政拨款支出预算表", "X"),
            ("财政拨款基本支出预算表", "X"),
            ("一般公共预算机关运行经费支出预算表", "X"),
            ("2017年政府采购预算表", "X"),
            ("财政拨款收入结构表（单位：万元）", "X"),
            ("西南大学财政拨款支出预算表", "X"),
            ("财政拨款政府性基金支出预算表", "B08"),
            ("收支预算总表", "B01"),
            ("收入支出决算总表（续）", "F01"),
            ("2026年预算单位财务收支预算总表", "B01"),
            ("一般公共预算支出预算表（功能科目）", "B05"),
            ("2026年预算单位收入预算总表", "B02"),
            ("2025年单位“三公”经费和机关运行经费预算表", "B07"),
        ];
        for (line, want) in cases {
            assert_eq!(id(line, None).as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn neutral_titles_take_the_document_family() {
        // A title that says neither 预算 nor 决算 is the table of the report's kind.
        assert_eq!(id("支出总表", Some("预算")).as_deref(), Some("B03"));
        assert_eq!(id("支出总表", Some("决算")).as_deref(), Some("F03"));
        assert_eq!(
            id("预算03表 支出总表", Some("预算")).as_deref(),
            Some("B03")
        );
        assert_eq!(
            id("表 1 收支总体情况表", Some("预算")).as_deref(),
            Some("B01")
        );
        // Word sets identify title lines, not a sentence cut at the line's end.
        assert_eq!(
            id(
                "本表反映部门年度一般公共预算资金安排的“三公”经",
                Some("预算")
            ),
            None
        );
        // A title that names its family keeps it whatever the document's kind.
        assert_eq!(id("支出决算表", Some("预算")).as_deref(), Some("F03"));
        // Generic names inside another table's name.
        assert_eq!(id("基本支出总表", Some("预算")).as_deref(), Some("X"));
        assert_eq!(id("项目支出总表", Some("预算")).as_deref(), Some("X"));
        assert_eq!(id("财政拨款收支总表", Some("预算")).as_deref(), Some("B04"));
        assert_eq!(id("财政拨款收支总表", Some("决算")).as_deref(), Some("F04"));
    }

    #[test]
    fn classification_qualifier_decides_between_b05_and_b06() {
        let f = Some("预算");
        assert_eq!(
            id("一般公共预算支出表（按功能分类）", f).as_deref(),
            Some("B05")
        );
        assert_eq!(
            id("一般公共预算支出表（按经济分类）", f).as_deref(),
            Some("X")
        );
        assert_eq!(
            id(
                "部门综合预算一般公共预算基本支出明细表（按支出经济分类科目）",
                f
            )
            .as_deref(),
            Some("B06")
        );
        assert_eq!(
            id(
                "部门综合预算一般公共预算基本支出明细表（按支出功能分类科目）",
                f
            )
            .as_deref(),
            Some("X")
        );
    }

    #[test]
    fn family_of_a_document_without_kind() {
        let cat = default_catalog();
        let lines = [
            "预算01表 收支总表",
            "预算02表 收入总表",
            "一般公共预算支出预算表",
        ];
        assert_eq!(cat.family_of_lines(lines.into_iter()), Some("预算"));
        let lines = ["收入支出决算总表", "支出总表"];
        assert_eq!(cat.family_of_lines(lines.into_iter()), Some("决算"));
        assert_eq!(cat.family_of_lines(["支出总表"].into_iter()), None);
        assert_eq!(cat.family_of_kind("部门决算"), Some("决算"));
        assert_eq!(cat.family_of_kind("单位预算"), Some("预算"));
    }

    #[test]
    fn narrative_and_toc_lines_are_not_titles() {
        let cases = [
            "详见附表1收入支出决算总表。",
            "一、收入支出决算总表……………………5",
            "公开01表",
            "第二部分 2019年度部门预算表",
            "公开 05 表",
            "指教师在国内外重要期刊发表",
            "2020年度收入总计4193.92万元，支出总计4207.52万元",
            "",
        ];
        for line in cases {
            assert_eq!(default_catalog().identify(line, None), None, "{line}");
        }
    }

    #[test]
    fn jiangsu_narrative_citing_a_table_in_book_title_marks() {
        // A wrapped sentence of a 情况说明 that names a table is no title.
        let line = "款收入数、支出安排数应与《省委办公厅部门收支预算总表》";
        assert_eq!(default_catalog().identify(line, None), None);
    }

    #[test]
    fn a_line_is_identified_from_the_form_it_carries() {
        // Full-width brackets, spaces and quotes: the line's own matching form gives the same
        // title as the raw text normalised on the spot.
        let raw = "“三公”经费 支出预算表（续）";
        let line = crate::document::Line::plain(raw);
        let by_line = default_catalog().identify(&line, Some("预算"));
        let by_text = default_catalog().identify(raw, Some("预算"));
        assert!(by_line.is_some());
        assert_eq!(by_line, by_text);
        assert_eq!(
            by_line.map(|m| m.title).as_deref(),
            Some("“三公”经费支出预算表(续)")
        );
    }

    #[test]
    fn a_long_qualifier_in_parentheses_does_not_hide_the_title() {
        // The classification and a scope note in one parenthetical (按…分类科目-不含上年结转):
        // the name before it identifies the table, and the qualifier still decides B05 / B06.
        let f = Some("预算");
        let basic_economic =
            "2022年部门综合预算一般公共预算基本支出明细表（按支出经济分类科目-不含上年结转）";
        let general_function =
            "2022年部门综合预算一般公共预算支出明细表（按支出功能分类科目-不含上年结转）";
        let general_economic =
            "2022年部门综合预算一般公共预算支出明细表（按支出经济分类科目-不含上年结转）";
        assert_eq!(id(basic_economic, f).as_deref(), Some("B06"));
        assert_eq!(id(general_function, f).as_deref(), Some("B05"));
        assert_eq!(id(general_economic, f).as_deref(), Some("X"));
        // A parenthetical of a sentence's length is not a qualifier.
        let sentence = "一般公共预算支出明细表（本表反映部门全部一般公共预算拨款按支出功能分类科目列示的支出情况）";
        assert_eq!(id(sentence, f), None);
    }

    #[test]
    fn unit_tail_is_not_part_of_the_title() {
        let m = default_catalog().identify("财政拨款收入结构表（单位：万元）", None);
        assert_eq!(m.map(|m| m.title).as_deref(), Some("财政拨款收入结构表"));
    }

    #[test]
    fn problems_name_file_line_id_and_field() {
        let text = "generic_prefix_stops = []\n\n[[table]]\nid = \"B03\"\nkind = \"预算\"\ntitle = \"支出预算表\"\nexamples = [\"收入预算表\"]\ncounter_examples = [\"支出预算表\"]\n";
        let (cat, errors) = Catalog::from_toml("tables/catalog.toml", text).expect("loads");
        assert!(errors.is_empty(), "{errors:?}");
        let problems = cat.check();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("tables/catalog.toml:3:B03:examples[0]:"));
        assert!(problems[1].starts_with("tables/catalog.toml:3:B03:counter_examples[0]:"));
        let err = Catalog::from_toml(
            "tables/catalog.toml",
            "generic_prefix_stops = []\nnosuch = 1\n",
        )
        .expect_err("unknown field");
        assert!(
            err.to_string().starts_with("tables/catalog.toml:2"),
            "{err}"
        );
    }
}
