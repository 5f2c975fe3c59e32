//! Fact identity within one document: one fact per (key, item, value) and origin; a key stated with
//! two values is reported, not hidden.
//!
//! In: a document's facts in reading order (narrative facts, then those derived from tables: their
//! `origin`). Out: the facts with repeats removed (the first statement of a
//! figure keeps its provenance; a later one with the same key, item and value and the same origin is
//! the same figure read again, e.g. a summary and its detail section, or two patterns) and one
//! `facts.one_value[KEY]` check for each further value of a (key, item) that was stated with
//! different exact values: `expected` the first value, `actual` the other, both facts in `refs`,
//! status `fail` (or `rounding` when the two differ by less than half a unit of the coarser printed
//! figure). Approximate figures (约/近/余/多) are kept but not compared. A narrative figure and a
//! figure derived from a table are different statements: both are kept (the text-vs-table checks
//! compare them).
//!
//! Not here: which value is right.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use crate::checks::facts::fact_ref;
use crate::checks::{compare_within, Check, Role, Term};
use crate::extract::facts::{Fact, Origin};

/// A figure read from a table (or derived), not stated in the narrative.
fn derived(f: &Fact) -> bool {
    f.origin != Origin::Narrative
}

/// Drops repeated facts (in place, order kept) and returns the checks of keys stated with several
/// values.
pub fn dedup_facts(facts: &mut Vec<Fact>) -> Vec<Check> {
    let mut seen: HashSet<(String, Option<String>, bool, Decimal)> = HashSet::new();
    facts.retain(|f| {
        seen.insert((
            f.key.clone(),
            f.item.clone(),
            derived(f),
            f.value.normalize(),
        ))
    });
    let mut first: HashMap<(&str, Option<&str>, bool), &Fact> = HashMap::new();
    let mut out = Vec::new();
    for f in facts.iter().filter(|f| !f.approximate) {
        let group = (f.key.as_str(), f.item.as_deref(), derived(f));
        match first.get(&group) {
            None => {
                first.insert(group, f);
            }
            Some(a) => {
                // Half a unit of the coarser of the two printed figures.
                let scale = a.value.scale().min(f.value.scale());
                let envelope = Decimal::new(5, scale + 1);
                let mut c = compare_within(
                    &format!("facts.one_value[{}]", f.key),
                    a.value,
                    f.value,
                    envelope,
                    vec![fact_ref(a), fact_ref(f)],
                )
                .with_terms(vec![Term::fact(Role::Part, a), Term::fact(Role::Total, f)]);
                c.message = Some(format!(
                    "stated twice with different values: {:?} in {} and {:?} in {}",
                    a.raw, a.section, f.raw, f.section
                ));
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use std::str::FromStr;

    fn fact(key: &str, item: Option<&str>, value: &str, section: &str, pattern: &str) -> Fact {
        Fact {
            key: key.to_string(),
            item: item.map(str::to_string),
            value: Decimal::from_str(value).expect("decimal"),
            unit: "万元".to_string(),
            raw: format!("{value}万元"),
            approximate: false,
            page: Some(3),
            section: section.to_string(),
            pattern: pattern.to_string(),
            origin: Origin::Narrative,
            cell: None,
            bbox: None,
            span: None,
        }
    }

    #[test]
    fn the_same_statement_read_twice_is_one_fact() {
        let mut facts = vec![
            fact("sangong.overseas", None, "0", "七/(一)", "sangong.overseas"),
            fact(
                "sangong.overseas",
                None,
                "0.00",
                "七/(二)",
                "sangong.overseas",
            ),
            fact(
                "gpb.class.final",
                Some("卫生健康支出"),
                "48.48",
                "五/(二)",
                "a",
            ),
            fact(
                "gpb.class.final",
                Some("卫生健康支出"),
                "48.48",
                "五/(三)/4",
                "b",
            ),
            fact(
                "gpb.class.final",
                Some("住房保障支出"),
                "48.48",
                "五/(三)/6",
                "b",
            ),
            fact(
                "expenditure.basic",
                None,
                "2173.64",
                "三",
                "expenditure.basic",
            ),
            Fact {
                origin: Origin::Table,
                ..fact(
                    "expenditure.basic",
                    None,
                    "2173.64",
                    "",
                    "table:B03.expenditure.basic",
                )
            },
        ];
        let checks = dedup_facts(&mut facts);
        assert!(checks.is_empty(), "{checks:?}");
        let kept: Vec<(&str, &str)> = facts
            .iter()
            .map(|f| (f.key.as_str(), f.section.as_str()))
            .collect();
        assert_eq!(
            kept,
            [
                ("sangong.overseas", "七/(一)"),
                ("gpb.class.final", "五/(二)"),
                ("gpb.class.final", "五/(三)/6"),
                ("expenditure.basic", "三"),
                ("expenditure.basic", ""),
            ]
        );
    }

    #[test]
    fn one_key_with_two_values_keeps_both_and_a_check_names_them() {
        let mut facts = vec![
            fact("expenditure.grand_total", None, "4207.52", "一", "p1"),
            fact("expenditure.grand_total", None, "4193.92", "三", "p2"),
            fact("basic.personnel", None, "12.3", "四", "p3"),
            fact("basic.personnel", None, "12.34", "六", "p4"),
        ];
        let checks = dedup_facts(&mut facts);
        assert_eq!(facts.len(), 4);
        assert_eq!(checks.len(), 2);
        let c = &checks[0];
        assert_eq!(c.check, "facts.one_value[expenditure.grand_total]");
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.expected, Some(Decimal::from_str("4207.52").expect("d")));
        assert_eq!(c.actual, Some(Decimal::from_str("4193.92").expect("d")));
        assert_eq!(
            c.refs,
            [
                "fact:expenditure.grand_total@p3",
                "fact:expenditure.grand_total@p3"
            ]
        );
        assert!(c.message.as_deref().is_some_and(|m| m.contains("4193.92")));
        // 12.3 printed to one decimal and 12.34: within half a unit of 0.1.
        assert_eq!(checks[1].status, Status::Rounding);
    }
}
