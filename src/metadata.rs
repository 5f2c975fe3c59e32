//! Document metadata: kind (部门决算 / 部门预算 / 单位决算 / 单位预算), fiscal year, department name.
//!
//! In: the document and its outline. Out: [`Metadata`]. Read from the first pages (cover, contents)
//! and the part headings, in this order of trust:
//! - department: a `预算主管部门：` / `预算单位：` label; else the cover lines above the
//!   `2024年度部门决算` line (joined: long names wrap); else the `第一部分 …概况` heading; else the
//!   name before the year in a `第X部分 …2020年度部门决算…` heading;
//! - year and kind: the first `2024年度部门决算` / `2026年区级单位预算` phrase; a file of tables only
//!   (`收支预算总表` without such a phrase) is a 部门预算 (or 部门决算) without a year.
//!
//! Front matter of another genre (a government-wide 预算执行情况与预算草案的报告) gets no kind, whatever the
//! body mentions.
//!
//! Not here: anything the tables say. Known limits: a report that never writes `部门`/`单位` next to
//! 预算/决算 gets no kind.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::document::Document;
use crate::normalize::normalize_line;
use crate::segment::Outline;

/// What a report says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Metadata {
    pub kind: Option<String>,
    pub year: Option<i32>,
    pub department: Option<String>,
}

/// How many leading pages are searched.
const FRONT_PAGES: usize = 3;

static YEAR_KIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9]{4})年度?(?:[区市省县]级)?(部门|单位)(决算|预算)").expect("year-kind regex")
});
static KIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(部门|单位)(决算|预算)").expect("kind regex"));
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:预算主管部门|预算单位|决算单位|部门名称|单位名称|部门|编制部门|编制单位)[：:](.+?)(?:单位[：:].*)?$")
        .expect("label regex")
});
static TABLE_KIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^收(?:入)?支(?:出)?(预算|决算)总表$").expect("table kind regex"));
static COVER_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)[0-9]{4}年度?(?:[区市省县]级)?(?:部门|单位)(?:决算|预算)(?:公开)?$")
        .expect("cover regex")
});
/// The front matter of a government-wide budget report (预算执行情况与预算草案的报告), which is not a
/// department's or unit's report even though it mentions 部门预算 in passing.
static OTHER_GENRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"预算草案|预算执行情况.{0,40}报告|人民代表大会|人大.{0,10}会议文件")
        .expect("genre regex")
});
static PART_ONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^第一部分(.+?)(?:基本)?概况$").expect("part one regex"));
static PART_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^第[一二三四五]部分(.+?)[0-9]{4}年度?(?:部门|单位)(?:决算|预算)")
        .expect("part regex")
});

/// Reads kind, year and department from the first pages and the headings.
pub fn identify(doc: &Document, outline: &Outline) -> Metadata {
    let front: Vec<String> = doc
        .pages
        .iter()
        .take(FRONT_PAGES)
        .flat_map(|p| p.lines.iter().map(|l| normalize_line(&l.text)))
        .filter(|t| !t.is_empty())
        .collect();
    let headings: Vec<String> = outline
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .map(|s| format!("{}{}", s.number, s.title))
        .collect();

    let mut meta = Metadata::default();
    for text in front.iter().chain(&headings) {
        if let Some(c) = YEAR_KIND.captures(text) {
            meta.year = c[1].parse().ok();
            meta.kind = Some(format!("{}{}", &c[2], &c[3]));
            break;
        }
    }
    let other_genre = front.iter().take(12).any(|t| OTHER_GENRE.is_match(t));
    if meta.kind.is_none() && !other_genre {
        let all = doc
            .pages
            .iter()
            .flat_map(|p| p.lines.iter())
            .map(|l| normalize_line(&l.text));
        for text in all {
            if let Some(c) = KIND.captures(&text) {
                meta.kind = Some(format!("{}{}", &c[1], &c[2]));
                break;
            }
        }
    }
    if meta.kind.is_none() {
        // A file of tables only: 收支预算总表 / 收入支出决算总表 is a department's report.
        meta.kind = front
            .iter()
            .find_map(|t| TABLE_KIND.captures(t).map(|c| format!("部门{}", &c[1])));
    }
    meta.department = department(&front, &headings);
    meta
}

fn department(front: &[String], headings: &[String]) -> Option<String> {
    let clean = |s: &str| {
        let s = s.trim_matches(|c: char| c.is_whitespace() || c == '：' || c == ':');
        (s.chars().count() >= 2 && s != "部门" && s != "单位").then(|| s.to_string())
    };
    if let Some(d) = front
        .iter()
        .find_map(|t| LABEL.captures(t).and_then(|c| clean(&c[1])))
    {
        return Some(d);
    }
    // Cover: the title line, possibly preceded by the wrapped lines of a long name.
    for (i, t) in front.iter().enumerate().take(8) {
        if let Some(c) = COVER_TITLE.captures(t) {
            if let Some(d) = clean(&c[1]) {
                return Some(d);
            }
            let joined: String = front[..i].concat();
            if let Some(d) = clean(&joined) {
                return Some(d);
            }
            break;
        }
    }
    let lines = front.iter().chain(headings);
    if let Some(d) = lines
        .clone()
        .find_map(|t| PART_ONE.captures(t).and_then(|c| clean(&c[1])))
    {
        return Some(d);
    }
    lines
        .clone()
        .find_map(|t| PART_YEAR.captures(t).and_then(|c| clean(&c[1])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::outline;

    fn doc(lines: &[&str]) -> Document {
        Document::from_text_pages(&[lines])
    }

    #[test]
    fn a_government_budget_report_is_no_department_report() {
        let d = doc(&[
            "关于某省2023年全省和省本级预算执行",
            "情况与2024年全省和省本级预算草案的报告",
            "各部门预算公开工作有序推进。",
        ]);
        let m = identify(&d, &outline(&d));
        assert_eq!(m.kind, None);
    }

    #[test]
    fn reads_kind_year_and_department() {
        // (lines, kind, year, department)
        let no_year = doc(&["表一", "收支预算总表", "单位：万元", "部门：某省某厅"]);
        let m = identify(&no_year, &outline(&no_year));
        assert_eq!(m.kind.as_deref(), Some("部门预算"));
        assert_eq!(m.year, None);
        assert_eq!(m.department.as_deref(), Some("某省某厅"));
        let cases: [(&[&str], &str, i32, &str); 6] = [
            (
                &[
                    "第一部分  某区某局概况",
                    "一、主要职能",
                    "第二部分  某区某局 2020 年度部门决算表",
                ],
                "部门决算",
                2020,
                "某区某局",
            ),
            (
                &["某市某区财政局", "2024年度部门决算", "目 录"],
                "部门决算",
                2024,
                "某市某区财政局",
            ),
            (
                &["某市某区规划和自然", "资源局", "2024 年度部门决算"],
                "部门决算",
                2024,
                "某市某区规划和自然资源局",
            ),
            (
                &["某市某区2026年区级部门预算", "预算主管部门：某市某区司法局"],
                "部门预算",
                2026,
                "某市某区司法局",
            ),
            (
                &["某市2025年市级单位预算", "预算单位：某市财政局"],
                "单位预算",
                2025,
                "某市财政局",
            ),
            (
                &["某某大学", "2021 年度部门预算", "2021 年 4 月"],
                "部门预算",
                2021,
                "某某大学",
            ),
        ];
        for (lines, kind, year, dept) in cases {
            let d = doc(lines);
            let m = identify(&d, &outline(&d));
            assert_eq!(m.kind.as_deref(), Some(kind), "{lines:?}");
            assert_eq!(m.year, Some(year), "{lines:?}");
            assert_eq!(m.department.as_deref(), Some(dept), "{lines:?}");
        }
    }
}
