//! The contents list (目录) of a report → the standard tables it promises.
//!
//! In: the document's lines. Out: [`Listed`]: the catalog ids (`F01`…`F09`, `B01`…`B09`) named by
//! the entries of the contents list, in order, each with the entry as printed and its page, and
//! whether the report says its tables are published in a separate file (`公开表附后`,
//! `具体公开表样附后`): a narrative-only file lists tables it does not hold.
//!
//! How: the list starts after a line reading `目录` / `目 录` and ends at the first narrative line
//! (sentence punctuation other than a final `。`, or over 45 characters), at the first entry printed a second time (the body repeats the first
//! heading), or after 80 lines. Dot leaders and page numbers are removed; an entry wrapped before its
//! final `表` is joined ([`super::regions::wrapped_title`]).
//!
//! [`table_part`] says whether the file holds its tables at all.
//!
//! Not here: comparing with the tables found (see `crate::checks::tables::listed`). Limits: titles
//! listed under names the catalog does not know are not counted (they would be `X`); a contents list
//! without a `目录` heading is not found.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::Document;

use super::catalog::Identifier;
use super::regions::wrapped_title;
use crate::table_id::TableId;

/// The standard tables a report's contents list names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listed {
    /// (catalog id, entry as printed, page), in list order, each id once.
    pub entries: Vec<(String, String, u32)>,
    /// The statement that the tables are published separately, when the report makes one.
    pub published_separately: Option<String>,
}

static LEADER_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"\s*(?:[.…·．\-—_]{2,}\s*)?[\d\s]*$")
        .expect("leader regex is valid")
});

/// Removes dot leaders and a trailing page number from a contents entry (`norm`, in matching form).
fn entry_text(norm: &str) -> String {
    LEADER_TAIL.replace(norm, "").trim().to_string()
}

fn is_catalog_id(id: &str) -> bool {
    TableId::parse(id).is_some_and(TableId::is_report_table)
}

/// Whether the tables are in this file: `present` when a standard table (F01…, B01…) was found,
/// `absent` when none was (a narrative-only file).
pub fn table_part(tables: &[super::Table]) -> &'static str {
    if tables.iter().any(|t| is_catalog_id(&t.table)) {
        "present"
    } else {
        "absent"
    }
}

/// Reads the contents list of `doc`.
pub fn listed(doc: &Document, ident: Identifier<'_>) -> Listed {
    // Lines in matching form, with their page (walked, not collected: a document's lines can be
    // millions; only the entries after the contents heading are kept).
    let all_lines = || {
        doc.pages
            .iter()
            .flat_map(|p| p.lines.iter().map(move |l| (l.normalized(), p.number)))
    };
    let mut out = Listed {
        published_separately: all_lines().find_map(|(t, _)| {
            crate::vocabulary::current()
                .tables
                .separate_tables
                .is_match(t)
                .then(|| t.to_string())
        }),
        ..Listed::default()
    };
    let Some(start) = all_lines().position(|(t, _)| {
        crate::vocabulary::current()
            .tables
            .contents_page
            .is_match(&t.replace(' ', ""))
    }) else {
        return out;
    };
    // The heading, the 80 lines read after it and the one a wrapped title may take.
    let lines: Vec<(&str, u32)> = all_lines().skip(start).take(82).collect();
    let mut seen: Vec<String> = Vec::new();
    let mut i = 1;
    while i < lines.len() && i <= 80 {
        let (text, page) = lines[i];
        let e = entry_text(text);
        if e.is_empty() {
            i += 1;
            continue;
        }
        let mut e = e.trim_end_matches('。').to_string();
        if e.contains(['。', '，', '；']) || e.chars().count() > 45 || seen.contains(&e) {
            break;
        }
        seen.push(e.clone());
        let mut m = ident.identify(&e);
        if m.as_ref().is_none_or(|t| t.id == "X") {
            if let Some((next, _)) = lines.get(i + 1) {
                if let Some(j) = wrapped_title(&e, &entry_text(next), ident) {
                    e = j.title.clone();
                    m = Some(j);
                    i += 1;
                }
            }
        }
        if let Some(m) = m {
            if is_catalog_id(&m.id) && !out.entries.iter().any(|(id, _, _)| *id == m.id) {
                out.entries.push((m.id, e, page));
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Format, Line, Page, TextQuality};

    fn doc(pages: &[&[&str]]) -> Document {
        Document {
            format: Format::Pdf,
            pages: pages
                .iter()
                .enumerate()
                .map(|(i, ls)| {
                    let mut p = Page::new(i as u32 + 1);
                    p.lines = ls.iter().map(|t| Line::plain(*t)).collect();
                    p
                })
                .collect(),
            text_quality: TextQuality::default(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn final_account_contents_with_leaders_and_a_missing_entry_body() {
        let d = doc(&[
            &[
                "某某局2024年度部门决算",
                "目录",
                "第一部分 部门概况 ………………… 3",
                "一、主要职能。",
                "一、收入支出决算总表 ……………… 7",
                "二、收入决算表 ……………… 8",
                "三、支出决算表 ……………… 9",
                "七、财政拨款“三公”经费支出决算表 ……… 15",
                "第三部分 情况说明 ………… 18",
            ],
            &["第一部分 部门概况 ………………… 3", "一、主要职能"],
        ]);
        let l = listed(&d, crate::extract::tables::catalog::test_identifier(None));
        let ids: Vec<&str> = l.entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(ids, ["F01", "F02", "F03", "F07"]);
        assert_eq!(l.entries[2].1, "三、支出决算表");
        assert_eq!(l.published_separately, None);
    }

    #[test]
    fn jiangsu_contents_with_wrapped_sangong_entry_and_tables_attached_separately() {
        let d = doc(&[&[
            "目 录",
            "第二部分省委办公厅 2017 年度部门预算表",
            "一、收支预算总表",
            "五、财政拨款支出预算表",
            "十一、一般公共预算“三公”经费、会议费、培训费支",
            "出预算表",
            "十二、政府采购支出预算表",
            "本表反映部门年度总体收支预算情况。",
            "具体公开表样附后",
        ]]);
        let l = listed(&d, crate::extract::tables::catalog::test_identifier(None));
        let ids: Vec<&str> = l.entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(ids, ["B01", "B07"]);
        assert_eq!(l.published_separately.as_deref(), Some("具体公开表样附后"));
    }
}
