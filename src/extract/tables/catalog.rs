//! The table catalog (`patterns/tables/catalog.toml`, from tables.tsv) and identification of a title
//! line.
//!
//! In: a printed line. Out: `Some(TitleMatch)` when the line is a table title: the catalog id (`F01`…,
//! `B01`…, `P01`) or `X` for any other line that reads as a table title (ends with `表`, short, no
//! sentence punctuation). Year, department and `部门` prefixes are allowed before a catalog title.
//!
//! Not here: deciding that a table actually follows the title (see [`super`]). Limits: a title wrapped
//! over two lines is joined by the caller; titles that differ from every listed alias are `X`.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::normalize::normalize_line;

const CATALOG_TOML: &str = include_str!("../../../patterns/tables/catalog.toml");

#[derive(Debug, Deserialize)]
struct CatalogFile {
    generic_prefix_stops: Vec<String>,
    table: Vec<Entry>,
}

/// One catalog entry.
#[derive(Debug, Deserialize)]
pub(crate) struct Entry {
    pub(crate) id: String,
    #[allow(dead_code)]
    pub(crate) kind: String,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) match_all: Vec<String>,
    /// Title lines that must identify as this id (verified by the unit tests only).
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) examples: Vec<String>,
}

pub(crate) struct Catalog {
    entries: Vec<Entry>,
    generic_prefix_stops: Vec<String>,
}

/// The embedded catalog. A broken catalog file is a build defect caught by the tests; at run time it
/// degrades to an empty catalog (every title becomes `X`).
static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| match toml::from_str::<CatalogFile>(CATALOG_TOML) {
        Ok(f) => Catalog {
            entries: f.table,
            generic_prefix_stops: f.generic_prefix_stops,
        },
        Err(_) => Catalog {
            entries: Vec::new(),
            generic_prefix_stops: Vec::new(),
        },
    });

pub(crate) fn catalog() -> &'static Catalog {
    &CATALOG
}

/// A line identified as a table title.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TitleMatch {
    pub(crate) id: String,
    /// The title as printed (whitespace removed), without a trailing unit.
    pub(crate) title: String,
}

static TOC_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\.{3,}|…{2,}|·{3,}|-{4,})\s*\d*\s*$").expect("toc regex is valid")
});

static UNIT_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[(（]?(?:金额)?单位\s*(?:[:：].*|(?:亿元|万元|千元|元)[)）]?)$")
        .expect("unit tail regex is valid")
});

/// A part heading (`第二部分 2019年度部门预算表`): the tables follow, it is not one.
static PART_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^第[一二三四五六七八九十\d]+部分").expect("part regex is valid"));

/// A table number alone (`公开01表`, `表1`): not a title.
static TABLE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:公开|附)?表?\d+表?$|^公开\d+表$").expect("table number regex is valid")
});

/// A parenthetical after a title (`（功能科目）`, `（经济科目）`).
static PAREN_TAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[(（][^()（）]{1,12}[)）]$").expect("paren tail regex is valid"));

static CONTINUED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[(（]?续表?[)）]?$").expect("continued regex is valid"));

/// Removes quotes and whitespace: titles are compared in this form.
fn key(s: &str) -> String {
    normalize_line(s)
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '\'' | '‘' | '’' | '《' | '》'))
        .collect()
}

impl Catalog {
    /// Identifies a title line, or `None` when the line is not a table title.
    pub(crate) fn identify(&self, line: &str) -> Option<TitleMatch> {
        let norm = normalize_line(line);
        if norm.is_empty() || norm.chars().count() > 60 || TOC_LINE.is_match(&norm) {
            return None;
        }
        // 《…》 quotes a table's name inside a sentence (应与《部门收支预算总表》一致).
        if norm.contains(['。', '，', '；', '《'])
            || TABLE_NUMBER.is_match(&norm)
            || PART_HEADING.is_match(&norm)
        {
            return None;
        }
        let title = UNIT_TAIL.replace(&norm, "").to_string();
        let title = title.trim_end_matches(['(', '（']).to_string();
        let bare = CONTINUED.replace(&title, "").to_string();
        let bare = PAREN_TAIL.replace(&bare, "").to_string();
        let k = key(&bare);
        if let Some(id) = self.by_title(&k) {
            return Some(TitleMatch { id, title });
        }
        // 发表 (publish) and 代表 (deputy) end sentences, not titles.
        let verb = k.ends_with("发表") || k.ends_with("代表");
        if k.ends_with('表') && !verb && k.chars().count() >= 4 && k.chars().count() <= 40 {
            return Some(TitleMatch {
                id: "X".to_string(),
                title,
            });
        }
        None
    }

    /// The id whose title or alias appears in `k` (the longest such match wins), then the `match_all`
    /// entries in file order.
    fn by_title(&self, k: &str) -> Option<String> {
        let mut best: Option<(usize, &str)> = None;
        for e in &self.entries {
            for name in std::iter::once(&e.title).chain(e.aliases.iter()) {
                let nk = key(name);
                let Some(pos) = k.find(&nk) else { continue };
                let len = nk.chars().count();
                if !self.prefix_allowed(&k[..pos], len) {
                    continue;
                }
                // Text after the title may only be a table number such as 公开01表 or nothing.
                let rest = &k[pos + nk.len()..];
                if !rest.is_empty() && !rest.starts_with("公开") && !nk.starts_with("公开") {
                    continue;
                }
                if best.is_none_or(|(l, _)| len > l) {
                    best = Some((len, e.id.as_str()));
                }
            }
        }
        // A generic short title loses to an entry whose `match_all` words are all present.
        if let Some((len, id)) = best {
            if len > 6 {
                return Some(id.to_string());
            }
        }
        self.entries
            .iter()
            .find(|e| !e.match_all.is_empty() && e.match_all.iter().all(|w| k.contains(w.as_str())))
            .map(|e| e.id.clone())
            .or_else(|| best.map(|(_, id)| id.to_string()))
    }

    /// Generic short titles (支出预算表) do not match after a word that makes another table's name.
    fn prefix_allowed(&self, prefix: &str, title_len: usize) -> bool {
        if title_len > 6 {
            return true;
        }
        !self
            .generic_prefix_stops
            .iter()
            .any(|w| prefix.ends_with(w.as_str()))
    }

    /// Every entry (for checks over the catalog's examples).
    #[cfg(test)]
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_loads_and_examples_identify() {
        let cat = catalog();
        assert_eq!(cat.entries().len(), 19);
        for e in cat.entries() {
            for ex in &e.examples {
                let got = cat.identify(ex).map(|m| m.id);
                assert_eq!(got.as_deref(), Some(e.id.as_str()), "{ex}");
            }
        }
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
        for (line, id) in cases {
            let got = catalog().identify(line).map(|m| m.id);
            assert_eq!(got.as_deref(), Some(id), "{line}");
        }
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
            assert_eq!(catalog().identify(line), None, "{line}");
        }
    }

    #[test]
    fn jiangsu_narrative_citing_a_table_in_book_title_marks() {
        // A wrapped sentence of a 情况说明 that names a table is no title.
        let line = "款收入数、支出安排数应与《省委办公厅部门收支预算总表》";
        assert_eq!(catalog().identify(line), None);
    }

    #[test]
    fn unit_tail_is_not_part_of_the_title() {
        let m = catalog().identify("财政拨款收入结构表（单位：万元）");
        assert_eq!(m.map(|m| m.title).as_deref(), Some("财政拨款收入结构表"));
    }
}
