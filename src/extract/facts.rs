//! Narrative facts: section bodies + patterns → [`Fact`]s with provenance.
//!
//! In: the outline and the pattern set. Out: facts with key, item, exact value, unit, raw text,
//! approximate flag, page, section path and pattern id, in reading order (section, then position).
//! A pattern applies to a section when its scope matches the section's trail (numbers and titles of
//! the section and its ancestors, see [`Outline::trail`]). The same key, item and value read twice in
//! one section (by two patterns) is kept once, with the first pattern's provenance.
//! Not here: tables; judging whether the document is right (see [`crate::checks`]).

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::patterns::PatternSet;
use crate::segment::Outline;

/// One extracted figure (the body of a `facts.jsonl` line without `doc_id`/`source`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub key: String,
    pub item: Option<String>,
    /// Written as a JSON number with every digit kept (never a binary float).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub value: Decimal,
    pub unit: String,
    pub raw: String,
    pub approximate: bool,
    pub page: Option<u32>,
    pub section: String,
    pub pattern: String,
}

/// Applies the fact patterns to every section.
pub fn extract(outline: &Outline, patterns: &PatternSet) -> Vec<Fact> {
    let mut out = Vec::new();
    for (i, section) in outline.sections.iter().enumerate() {
        if section.body.is_empty() {
            continue;
        }
        let trail = outline.trail(i);
        let mut found: Vec<(usize, Fact)> = Vec::new();
        let mut seen: HashSet<(String, Option<String>, Decimal)> = HashSet::new();
        for p in &patterns.patterns {
            if p.scope.as_ref().is_some_and(|s| !s.is_match(&trail)) {
                continue;
            }
            for m in p.apply(&section.body, &patterns.units) {
                for key in &p.keys {
                    let id = (key.key.clone(), m.item.clone(), m.value);
                    if !seen.insert(id) {
                        continue;
                    }
                    found.push((
                        m.value_start,
                        Fact {
                            key: key.key.clone(),
                            item: m.item.clone(),
                            value: m.value,
                            unit: key.unit.clone(),
                            raw: m.raw.clone(),
                            approximate: m.approximate,
                            page: Some(section.page_at(m.value_start)),
                            section: section.path.clone(),
                            pattern: p.id.clone(),
                        },
                    ));
                }
            }
        }
        found.sort_by_key(|(start, _)| *start);
        out.extend(found.into_iter().map(|(_, f)| f));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::segment::outline;
    use std::str::FromStr;

    fn doc(pages: &[&[&str]]) -> Document {
        Document::from_text_pages(pages)
    }

    #[test]
    fn facts_keep_provenance_and_respect_scopes() {
        let d = doc(&[
            &[
                "第三部分 某局2021年度部门决算情况说明",
                "一、收入支出决算总体情况说明",
                "2021年度收入总计 1,200.5万元，支出总计",
            ],
            &[
                "1210 万元。与2020年度相比，收入减少了 8万元，下降1%、支出增",
                "加了2万元，增长0.5%。",
                "二、机关运行经费支出情况",
                "机关运行经费支出 50万元，比2020年度减少5万元，下降9%。收入总计99万元。",
            ],
        ]);
        let patterns = PatternSet::load(None).expect("default patterns");
        let got = extract(&outline(&d), &patterns);
        let brief: Vec<(&str, String, Option<u32>, &str)> = got
            .iter()
            .map(|f| (f.key.as_str(), f.value.to_string(), f.page, f.raw.as_str()))
            .collect();
        assert_eq!(
            brief,
            vec![
                (
                    "income.grand_total",
                    "1200.5".into(),
                    Some(1),
                    "1,200.5万元"
                ),
                (
                    "expenditure.grand_total",
                    "1210".into(),
                    Some(2),
                    "1210万元"
                ),
                (
                    "income.grand_total.yoy_change",
                    "-8".into(),
                    Some(2),
                    "8万元"
                ),
                ("income.grand_total.yoy_pct", "-1".into(), Some(2), "1%"),
                (
                    "expenditure.grand_total.yoy_change",
                    "2".into(),
                    Some(2),
                    "2万元"
                ),
                (
                    "expenditure.grand_total.yoy_pct",
                    "0.5".into(),
                    Some(2),
                    "0.5%"
                ),
                ("admin_cost.total", "50".into(), Some(2), "50万元"),
                ("admin_cost.yoy_change", "-5".into(), Some(2), "5万元"),
                ("admin_cost.yoy_pct", "-9".into(), Some(2), "9%"),
            ]
        );
        // 收入总计 under 机关运行经费 is out of the totals pattern's scope.
        assert_eq!(got[0].section, "第三部分/一");
        assert_eq!(got[6].section, "第三部分/二");
        assert_eq!(got[6].pattern, "admin_cost.total");
        assert_eq!(got[0].value, Decimal::from_str("1200.5").expect("decimal"));
    }

    #[test]
    fn one_figure_read_by_two_patterns_is_kept_once() {
        let d = doc(&[&[
            "一、“三公”经费支出决算情况说明",
            "公务接待费支出决算为 1.5万元。开支公务接待费1.5万元。",
        ]]);
        let patterns = PatternSet::load(None).expect("default patterns");
        let got = extract(&outline(&d), &patterns);
        let reception: Vec<&Fact> = got
            .iter()
            .filter(|f| f.key == "sangong.reception")
            .collect();
        assert_eq!(reception.len(), 1);
        assert_eq!(reception[0].unit, "万元");
    }

    #[test]
    fn narrative_in_other_scales_and_percentage_points() {
        // 亿元 and 元 are converted exactly and `raw` keeps the printed text; a change in 百分点 is a
        // difference of two shares, not a percent of a total, so it never becomes a `_pct` fact.
        let d = doc(&[&[
            "第三部分 某局2021年度部门决算情况说明",
            "一、收入支出决算总体情况说明",
            "2021年度收入总计1.25亿元，支出总计156,211,123.44元。与2020年度相比，收入增加了200元，增长2个百分点；支出增加了0.3亿元，增长1.5%。",
            "二、收入决算情况说明",
            "本年收入合计 12,500万元，其中：财政拨款收入 12,000万元，占比提高2个百分点；其他收入500万元。",
        ]]);
        let patterns = PatternSet::load(None).expect("default patterns");
        let got = extract(&outline(&d), &patterns);
        let brief: Vec<(&str, String, &str)> = got
            .iter()
            .map(|f| (f.key.as_str(), f.value.to_string(), f.raw.as_str()))
            .collect();
        assert_eq!(
            brief,
            vec![
                ("income.grand_total", "12500".into(), "1.25亿元"),
                (
                    "expenditure.grand_total",
                    "15621.112344".into(),
                    "156,211,123.44元"
                ),
                ("income.grand_total.yoy_change", "0.02".into(), "200元"),
                (
                    "expenditure.grand_total.yoy_change",
                    "3000".into(),
                    "0.3亿元"
                ),
                ("expenditure.grand_total.yoy_pct", "1.5".into(), "1.5%"),
                ("income.current_year", "12500".into(), "12,500万元"),
                ("income.fiscal_appropriation", "12000".into(), "12,000万元"),
                ("income.other", "500".into(), "500万元"),
            ]
        );
    }
}
