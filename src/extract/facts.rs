//! Narrative facts: section bodies + patterns → [`Fact`]s with provenance.
//!
//! In: the outline and the pattern set. Out: facts with key, item, exact value, unit, raw text,
//! approximate flag, page, section path and pattern id, in reading order (section, then position).
//! A pattern applies to a section when its scope matches the section's trail (numbers and titles of
//! the section and its ancestors, see [`Outline::trail`]). The same key, item and value read twice in
//! one section (by two patterns) is kept once, with the first pattern's provenance.
//! Not here: tables; judging whether the document is right (see [`crate::checks`]).

use std::collections::HashSet;

use regex::Regex;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::document::BBox;
use crate::patterns::{FactPattern, PatternSet};
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
    /// Where the figure was read: the narrative, a table cell or other facts.
    pub origin: Origin,
    /// For a table figure: the table, row and column of the cell (null otherwise).
    pub cell: Option<CellSource>,
    /// Box of the text the value was read from, on `page`, in the page's default user space (see
    /// [`BBox`]): the glyphs of `raw` for a narrative fact, the cell's box for a table fact; null for
    /// a derived fact and for text input.
    pub bbox: Option<BBox>,
    /// Where `raw` lies in the outline (narrative facts): what [`crate::positions`] turns into `bbox`.
    #[serde(skip)]
    pub span: Option<TextSpan>,
}

/// The bytes `start..end` of the body of section `section` (an index into the outline's sections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSpan {
    pub section: usize,
    pub start: usize,
    pub end: usize,
}

/// Where a fact comes from (`origin` in `facts.jsonl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A pattern over the narrative text (`pattern` is its id).
    Narrative,
    /// A table cell (`cell` says which).
    Table,
    /// Computed from other figures of the document.
    Derived,
}

/// The cell a table figure was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellSource {
    /// Catalog id of the table (`B01`, `F07`…).
    pub table: String,
    /// The row's name as printed (empty for an unlabelled data row).
    pub row: String,
    /// The column label, multi-level headers joined with `/`.
    pub column: String,
}

/// Applies the fact patterns to every section.
///
/// Memory: a regex keeps a search cache (lazy DFA states) that grows with the text it has read, up
/// to [`crate::patterns::REGEX_CACHE_BYTES`] per regex and thread. Kept for a whole run, the caches of the fact regexes would grow
/// with the batch, so each document reads through its own copy (a copy shares the compiled program
/// but starts with empty caches), dropped with the document's facts: what the caches hold is bounded
/// by one document, however many the run has. Measured side by side (`scripts/bench_real.py`), the
/// copy costs no CPU the bench can see, and only a copy per document keeps peak RSS flat in batch
/// size (a copy kept for 16 documents grew 156 -> 192 MiB from 220 to 2,200 files).
pub fn extract(outline: &Outline, patterns: &PatternSet) -> Vec<Fact> {
    let regexes = regex_copies(&patterns.patterns);
    extract_with(outline, patterns, &regexes)
}

/// Fresh copies of the regexes of `patterns`, in their order (same programs, empty caches).
fn regex_copies(patterns: &[FactPattern]) -> Vec<Regex> {
    patterns.iter().map(|p| p.regex.clone()).collect()
}

/// [`extract`] with `regexes`, the fact patterns' regexes in their order.
fn extract_with(outline: &Outline, patterns: &PatternSet, regexes: &[Regex]) -> Vec<Fact> {
    let mut out = Vec::new();
    let scopes = Scopes::of(patterns);
    for (i, section) in outline.sections.iter().enumerate() {
        if section.body.is_empty() {
            continue;
        }
        let trail = outline.trail(i);
        let mut in_scope = scopes.for_trail(&trail);
        let mut found: Vec<(usize, Fact)> = Vec::new();
        let mut seen: HashSet<(String, Option<String>, Decimal)> = HashSet::new();
        for (n, (p, regex)) in patterns.patterns.iter().zip(regexes).enumerate() {
            if !in_scope.applies(n) {
                continue;
            }
            for m in p.apply_with(regex, &section.body, &patterns.units) {
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
                            origin: Origin::Narrative,
                            cell: None,
                            bbox: None,
                            span: raw_span(&section.body, &m).map(|(start, end)| TextSpan {
                                section: i,
                                start,
                                end,
                            }),
                        },
                    ));
                }
            }
        }
        found.sort_by_key(|(start, _)| *start);
        out.extend(found.into_iter().map(|(_, f)| f));
    }
    let derived = derive(&out);
    out.extend(derived);
    out
}

/// The patterns' scopes, each distinct scope once: many patterns share one, and a section's trail
/// is tested against each distinct scope at most once.
struct Scopes<'p> {
    /// Per pattern: the index of its scope in `distinct`, `None` for every section.
    of_pattern: Vec<Option<usize>>,
    distinct: Vec<&'p regex::Regex>,
}

impl<'p> Scopes<'p> {
    fn of(patterns: &'p PatternSet) -> Scopes<'p> {
        let mut distinct: Vec<&'p regex::Regex> = Vec::new();
        let of_pattern = patterns
            .patterns
            .iter()
            .map(|p| {
                let scope = p.scope.as_ref()?;
                let at = distinct.iter().position(|d| d.as_str() == scope.as_str());
                Some(at.unwrap_or_else(|| {
                    distinct.push(scope);
                    distinct.len() - 1
                }))
            })
            .collect();
        Scopes {
            of_pattern,
            distinct,
        }
    }

    fn for_trail<'s>(&'s self, trail: &'s str) -> InScope<'s, 'p> {
        InScope {
            scopes: self,
            trail,
            known: vec![None; self.distinct.len()],
        }
    }
}

/// Which scopes one trail matches, each tested when first asked.
struct InScope<'s, 'p> {
    scopes: &'s Scopes<'p>,
    trail: &'s str,
    known: Vec<Option<bool>>,
}

impl InScope<'_, '_> {
    /// True when pattern `n` applies to the trail's section.
    fn applies(&mut self, n: usize) -> bool {
        let Some(Some(s)) = self.scopes.of_pattern.get(n).copied() else {
            return true;
        };
        if let Some(Some(known)) = self.known.get(s).copied() {
            return known;
        }
        let hit = self
            .scopes
            .distinct
            .get(s)
            .is_some_and(|re| re.is_match(self.trail));
        if let Some(slot) = self.known.get_mut(s) {
            *slot = Some(hit);
        }
        hit
    }
}

/// The bytes of `body` that hold the match's `raw` text: the occurrence of `raw` at or after the
/// match's start that covers the value (a percent's `%` may follow the match).
fn raw_span(body: &str, m: &crate::patterns::PatternMatch) -> Option<(usize, usize)> {
    if m.raw.is_empty() {
        return None;
    }
    let from = m.start.min(m.value_start);
    let tail = body.get(from..)?;
    tail.match_indices(m.raw.as_str())
        .map(|(i, r)| (from + i, from + i + r.len()))
        .find(|(a, b)| *a <= m.value_start && m.value_start < *b)
}

/// Figures a report states only through their parts: (key, parts). A whole is derived when the
/// narrative does not state it and states each part exactly once (one value); `raw` lists the parts'
/// printed texts joined with `+`.
const DERIVED: [(&str, [&str; 2]); 1] = [(
    "sangong.vehicle",
    ["sangong.vehicle.purchase", "sangong.vehicle.operation"],
)];

/// Facts derived from other facts (see [`DERIVED`]), with `origin` = `derived` and `pattern` =
/// `derived:<key>`; page and section are those of the last part.
pub fn derive(facts: &[Fact]) -> Vec<Fact> {
    let single = |key: &str| -> Option<&Fact> {
        let mut it = facts.iter().filter(|f| f.key == key && f.item.is_none());
        let first = it.next()?;
        it.all(|f| f.value == first.value).then_some(first)
    };
    let mut out = Vec::new();
    for (key, parts) in DERIVED {
        if facts.iter().any(|f| f.key == key && f.item.is_none()) {
            continue;
        }
        let Some(found) = parts
            .iter()
            .map(|p| single(p))
            .collect::<Option<Vec<&Fact>>>()
        else {
            continue;
        };
        let Some(last) = found.iter().max_by_key(|f| f.page) else {
            continue;
        };
        out.push(Fact {
            key: key.to_string(),
            item: None,
            value: found.iter().map(|f| f.value).sum(),
            unit: last.unit.clone(),
            raw: found
                .iter()
                .map(|f| f.raw.as_str())
                .collect::<Vec<_>>()
                .join("+"),
            approximate: found.iter().any(|f| f.approximate),
            page: last.page,
            section: last.section.clone(),
            pattern: format!("derived:{key}"),
            origin: Origin::Derived,
            cell: None,
            bbox: None,
            span: None,
        });
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
    fn the_copy_of_the_fact_regexes_follows_the_pattern_list_it_is_given() {
        let patterns = PatternSet::load(None).expect("default patterns");
        let all = &patterns.patterns;
        assert!(all.len() > 2);
        let sources = |list: &[FactPattern]| -> Vec<String> {
            list.iter().map(|p| p.regex.as_str().to_string()).collect()
        };
        let copied = |list: &[FactPattern]| -> Vec<String> {
            regex_copies(list)
                .iter()
                .map(|r| r.as_str().to_string())
                .collect()
        };
        // Alternating two lists (the second shifted by one).
        for _ in 0..2 {
            assert_eq!(copied(all), sources(all));
            assert_eq!(copied(&all[1..]), sources(&all[1..]));
        }
        assert_eq!(copied(&all[..1]), sources(&all[..1]));
    }

    #[test]
    fn facts_are_the_same_through_any_copy_of_the_regexes() {
        let d = doc(&[&[
            "第三部分 某局2021年度部门决算情况说明",
            "一、收入支出决算总体情况说明",
            "2021年度收入总计 1,200.5万元，支出总计1210 万元。",
        ]]);
        let patterns = PatternSet::load(None).expect("default patterns");
        let o = outline(&d);
        let first = extract(&o, &patterns);
        assert!(!first.is_empty(), "facts read");
        assert_eq!(first[0].key, "income.grand_total");
        assert_eq!(
            first[0].value,
            Decimal::from_str("1200.5").expect("decimal")
        );
        for _ in 0..2 {
            assert_eq!(extract(&o, &patterns), first);
        }
    }

    #[test]
    fn shared_scopes_are_tested_once_with_the_same_answer() {
        let patterns = PatternSet::load(None).expect("default patterns");
        let scopes = Scopes::of(&patterns);
        let scoped = patterns
            .patterns
            .iter()
            .filter(|p| p.scope.is_some())
            .count();
        assert!(scopes.distinct.len() < scoped, "patterns share scopes");
        let d = doc(&[&[
            "第三部分 某局2021年度部门决算情况说明",
            "一、收入支出决算总体情况说明",
            "收入总计100万元。",
            "二、“三公”经费支出情况说明",
            "“三公”经费支出5万元。",
        ]]);
        let o = outline(&d);
        for i in 0..o.sections.len() {
            let trail = o.trail(i);
            let mut in_scope = scopes.for_trail(&trail);
            for _ in 0..2 {
                for (n, p) in patterns.patterns.iter().enumerate() {
                    let want = p.scope.as_ref().is_none_or(|s| s.is_match(&trail));
                    assert_eq!(in_scope.applies(n), want, "{} in {trail}", p.id);
                }
            }
        }
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

    fn brief(got: &[Fact]) -> Vec<(String, String)> {
        got.iter()
            .map(|f| (f.key.clone(), f.value.to_string()))
            .collect()
    }

    #[test]
    fn budget_totals_of_each_template_family() {
        let patterns = PatternSet::load(None).expect("default patterns");
        // Beijing: 收入预算情况说明 / 支出预算情况说明, last year's figure named and skipped.
        let d = doc(&[&[
            "第一部分 2026年度部门预算情况说明",
            "一、部门情况说明",
            "二、收入预算情况说明",
            "2026年度收入预算134133.33万元，比2025年年初预算数125462.47万元增加8670.86万元，增长6.91%。",
            "（一）本年收入预算118370.07万元。",
            "三、支出预算情况说明",
            "2026年支出预算134133.33万元，比2025年年初预算数125462.47万元增加8670.86万元，增长6.91%。",
        ]]);
        let got = extract(&outline(&d), &patterns);
        assert_eq!(
            brief(&got),
            vec![
                ("income.grand_total".into(), "134133.33".into()),
                ("income.grand_total.yoy_change".into(), "8670.86".into()),
                ("income.grand_total.yoy_pct".into(), "6.91".into()),
                ("expenditure.grand_total".into(), "134133.33".into()),
                (
                    "expenditure.grand_total.yoy_change".into(),
                    "8670.86".into()
                ),
                ("expenditure.grand_total.yoy_pct".into(), "6.91".into()),
            ]
        );
        assert!(got
            .iter()
            .all(|f| f.origin == Origin::Narrative && f.cell.is_none()));
        // Shenzhen: 部门预算收支总体情况, the department named before 部门预算收入.
        let d = doc(&[&[
            "第二部分 部门预算收支总体情况",
            "2026年深圳市某局部门预算收入4,684.30万元，较2025年年初预算减少247.70万元，下降5.0%。2026年深圳市某局部门预算支出4,684.30万元，较2025年年初预算减少247.70万元，下降5.0%。",
        ]]);
        let got = extract(&outline(&d), &patterns);
        let keys: Vec<(String, String)> = brief(&got);
        assert!(keys.contains(&("income.grand_total".into(), "4684.3".into())));
        assert!(keys.contains(&("expenditure.grand_total.yoy_change".into(), "-247.7".into())));
        assert!(keys.contains(&("income.grand_total.yoy_pct".into(), "-5.0".into())));
        // Xi'an: a source's figure (其中：一般公共预算拨款…) is not the total, nor its change.
        let d = doc(&[&[
            "第二部分 部门预算收支情况说明",
            "一、收支预算总体情况说明",
            "本部门当年预算收入2,838.42万元，其中：一般公共预算拨款2,838.42万元，较上年增加145.22万元；本部门当年预算支出2,838.42万元。",
            "二、财政拨款收支情况说明",
            "本部门当年财政拨款收入2,838.42万元；本部门当年财政拨款支出2,838.42万元。",
        ]]);
        let got = extract(&outline(&d), &patterns);
        assert_eq!(
            brief(&got),
            vec![
                ("income.grand_total".into(), "2838.42".into()),
                ("expenditure.grand_total".into(), "2838.42".into()),
                ("fiscal.income_total".into(), "2838.42".into()),
                ("fiscal.expenditure_total".into(), "2838.42".into()),
            ]
        );
    }

    #[test]
    fn a_vehicle_total_stated_only_by_its_parts_is_derived() {
        let patterns = PatternSet::load(None).expect("default patterns");
        let d = doc(&[&[
            "一、“三公”经费及会议费、培训费情况说明",
            "本部门当年一般公共预算“三公”经费预算支出10.10万元。其中：因公出国（境）经费0.00万元；公务接待费1.00万元；公务用车运行维护费9.10万元；公务用车购置费0.00万元。",
        ]]);
        let got = extract(&outline(&d), &patterns);
        let vehicle: Vec<&Fact> = got.iter().filter(|f| f.key == "sangong.vehicle").collect();
        assert_eq!(vehicle.len(), 1);
        assert_eq!(vehicle[0].value, Decimal::new(910, 2));
        assert_eq!(vehicle[0].origin, Origin::Derived);
        assert_eq!(vehicle[0].pattern, "derived:sangong.vehicle");
        assert_eq!(vehicle[0].raw, "0.00万元+9.10万元");
        // Stated: never derived; a part stated twice with two values: not derived either.
        let stated = got
            .iter()
            .filter(|f| f.key != "sangong.vehicle")
            .cloned()
            .collect::<Vec<_>>();
        let mut with_vehicle = stated.clone();
        with_vehicle.push(Fact {
            key: "sangong.vehicle".into(),
            value: Decimal::from(9),
            ..stated[0].clone()
        });
        assert!(derive(&with_vehicle).is_empty());
        let mut twice = stated.clone();
        let op = stated
            .iter()
            .find(|f| f.key == "sangong.vehicle.operation")
            .expect("operation")
            .clone();
        twice.push(Fact {
            value: Decimal::from(8),
            ..op
        });
        assert!(derive(&twice).is_empty());
        assert_eq!(derive(&stated).len(), 1);
    }
}
