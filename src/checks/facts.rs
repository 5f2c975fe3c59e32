//! Identities over narrative facts (基本 + 项目 = 支出合计, 人员 + 公用 = 基本, 采购 parts, 三公 parts,
//! 收入总计 = 支出总计, class lists summing to their total).
//!
//! In: the facts of one document. Out: one [`Check`] per identity, `insufficient_data` when a side is
//! missing. When a key was read more than once, the first reading (in document order) is used.
//! Rounding envelope: (n+1)×0.005 万元 for n summed items (see [`super::rounding_envelope`]).
//! Not here: tables, text-vs-table comparisons (see [`super::tables`]).

use rust_decimal::Decimal;

use super::{compare, insufficient, Check};
use crate::extract::facts::Fact;

/// Evaluates the fact identities.
pub fn evaluate(facts: &[Fact]) -> Vec<Check> {
    let mut out = vec![
        equal(
            facts,
            "facts.grand_total_balance",
            "income.grand_total",
            "expenditure.grand_total",
        ),
        equal(
            facts,
            "facts.fiscal_total_balance",
            "fiscal.income_total",
            "fiscal.expenditure_total",
        ),
        parts_all(
            facts,
            "facts.basic_plus_project",
            &["expenditure.basic", "expenditure.project"],
            "expenditure.current_year",
        ),
        parts_all(
            facts,
            "facts.gpb_basic_plus_project",
            &["gpb.basic", "gpb.project"],
            "gpb.expenditure",
        ),
        parts_all(
            facts,
            "facts.personnel_plus_public",
            &["basic.personnel", "basic.public"],
            "basic.total",
        ),
        parts_some(
            facts,
            "facts.procurement_parts",
            &[
                "procurement.goods",
                "procurement.works",
                "procurement.services",
            ],
            "procurement.total",
        ),
        parts_some(
            facts,
            "facts.sangong_parts",
            &["sangong.overseas", "sangong.vehicle", "sangong.reception"],
            "sangong.final",
        ),
        parts_all(
            facts,
            "facts.vehicle_parts",
            &["sangong.vehicle.purchase", "sangong.vehicle.operation"],
            "sangong.vehicle",
        ),
    ];
    out.push(items_sum(
        facts,
        "facts.class_sum",
        "expenditure.class",
        "expenditure.current_year",
    ));
    out.push(items_sum(
        facts,
        "facts.gpb_class_sum",
        "gpb.class.final",
        "gpb.expenditure",
    ));
    out
}

fn first<'a>(facts: &'a [Fact], key: &str) -> Option<&'a Fact> {
    facts.iter().find(|f| f.key == key && f.item.is_none())
}

fn fact_ref(f: &Fact) -> String {
    let item = f
        .item
        .as_ref()
        .map(|i| format!("[{i}]"))
        .unwrap_or_default();
    match f.page {
        Some(p) => format!("fact:{}{item}@p{p}", f.key),
        None => format!("fact:{}{item}", f.key),
    }
}

/// `left` = `right` (two statements of one figure).
fn equal(facts: &[Fact], id: &str, left: &str, right: &str) -> Check {
    match (first(facts, left), first(facts, right)) {
        (Some(l), Some(r)) => compare(id, l.value, r.value, 1, vec![fact_ref(l), fact_ref(r)]),
        (l, r) => insufficient(
            id,
            l.iter().chain(r.iter()).map(|f| fact_ref(f)).collect(),
            missing_message(&[(left, l.is_some()), (right, r.is_some())]),
        ),
    }
}

/// Every part and the total must be stated.
fn parts_all(facts: &[Fact], id: &str, parts: &[&str], total: &str) -> Check {
    let found: Vec<Option<&Fact>> = parts.iter().map(|k| first(facts, k)).collect();
    let t = first(facts, total);
    let refs: Vec<String> = found
        .iter()
        .flatten()
        .chain(t.iter())
        .map(|f| fact_ref(f))
        .collect();
    match (found.iter().all(Option::is_some), t) {
        (true, Some(t)) => {
            let sum: Decimal = found.iter().flatten().map(|f| f.value).sum();
            compare(id, sum, t.value, parts.len(), refs)
        }
        _ => {
            let mut stated: Vec<(&str, bool)> = parts
                .iter()
                .zip(&found)
                .map(|(k, f)| (*k, f.is_some()))
                .collect();
            stated.push((total, t.is_some()));
            insufficient(id, refs, missing_message(&stated))
        }
    }
}

/// Parts of which some may go unmentioned (no 工程 purchases): with the total and at least two parts
/// stated, the missing parts count as 0 and the message says so.
fn parts_some(facts: &[Fact], id: &str, parts: &[&str], total: &str) -> Check {
    let found: Vec<Option<&Fact>> = parts.iter().map(|k| first(facts, k)).collect();
    let t = first(facts, total);
    let refs: Vec<String> = found
        .iter()
        .flatten()
        .chain(t.iter())
        .map(|f| fact_ref(f))
        .collect();
    let present = found.iter().flatten().count();
    match t {
        Some(t) if present >= 2 => {
            let sum: Decimal = found.iter().flatten().map(|f| f.value).sum();
            let mut check = compare(id, sum, t.value, present, refs);
            let absent: Vec<&str> = parts
                .iter()
                .zip(&found)
                .filter(|(_, f)| f.is_none())
                .map(|(k, _)| *k)
                .collect();
            if !absent.is_empty() {
                check.message = Some(format!("not stated, counted as 0: {}", absent.join(", ")));
            }
            check
        }
        _ => {
            let mut stated: Vec<(&str, bool)> = parts
                .iter()
                .zip(&found)
                .map(|(k, f)| (*k, f.is_some()))
                .collect();
            stated.push((total, t.is_some()));
            let mut c = insufficient(id, refs, missing_message(&stated));
            if t.is_some() {
                c.message = Some(format!(
                    "fewer than two parts stated; {}",
                    c.message.unwrap_or_default()
                ));
            }
            c
        }
    }
}

/// The items of a per-item key (first reading of each item) sum to a total.
fn items_sum(facts: &[Fact], id: &str, key: &str, total: &str) -> Check {
    let mut items: Vec<&Fact> = Vec::new();
    for f in facts.iter().filter(|f| f.key == key) {
        if !items.iter().any(|g| g.item == f.item) {
            items.push(f);
        }
    }
    let t = first(facts, total);
    let refs: Vec<String> = items.iter().copied().chain(t).map(fact_ref).collect();
    match t {
        Some(t) if !items.is_empty() => {
            let sum: Decimal = items.iter().map(|f| f.value).sum();
            let mut check = compare(id, sum, t.value, items.len(), refs);
            // A report may name only its main classes: a shortfall can be an incomplete list.
            check.message = Some(format!("sum of the {} items stated", items.len()));
            check
        }
        _ => insufficient(
            id,
            refs,
            missing_message(&[(key, !items.is_empty()), (total, t.is_some())]),
        ),
    }
}

fn missing_message(stated: &[(&str, bool)]) -> String {
    let missing: Vec<&str> = stated.iter().filter(|(_, s)| !s).map(|(k, _)| *k).collect();
    format!("not stated: {}", missing.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use std::str::FromStr;

    fn fact(key: &str, item: Option<&str>, value: &str) -> Fact {
        Fact {
            key: key.into(),
            item: item.map(Into::into),
            value: Decimal::from_str(value).expect("decimal literal"),
            unit: "万元".into(),
            raw: format!("{value}万元"),
            approximate: false,
            page: Some(3),
            section: "第三部分/三".into(),
            pattern: "test".into(),
        }
    }

    fn status(checks: &[Check], id: &str) -> Status {
        checks
            .iter()
            .find(|c| c.check == id)
            .map(|c| c.status)
            .unwrap_or_else(|| panic!("no check {id}"))
    }

    #[test]
    fn identities_over_a_small_report() {
        let facts = vec![
            fact("income.grand_total", None, "4193.92"),
            fact("expenditure.grand_total", None, "4207.52"),
            fact("expenditure.current_year", None, "4207.52"),
            fact("expenditure.basic", None, "2173.64"),
            fact("expenditure.project", None, "2033.88"),
            fact("procurement.total", None, "21.4"),
            fact("procurement.goods", None, "13.13"),
            fact("procurement.services", None, "8.28"),
            fact("sangong.final", None, "1.18"),
            fact("sangong.reception", None, "1.18"),
            fact("expenditure.class", Some("教育支出"), "4000"),
            fact("expenditure.class", Some("卫生健康支出"), "207.52"),
        ];
        let checks = evaluate(&facts);
        assert_eq!(status(&checks, "facts.grand_total_balance"), Status::Fail);
        assert_eq!(status(&checks, "facts.basic_plus_project"), Status::Pass);
        assert_eq!(status(&checks, "facts.procurement_parts"), Status::Rounding);
        assert_eq!(status(&checks, "facts.class_sum"), Status::Pass);
        // Only one 三公 part stated: not enough to count the others as 0.
        assert_eq!(
            status(&checks, "facts.sangong_parts"),
            Status::InsufficientData
        );
        assert_eq!(
            status(&checks, "facts.personnel_plus_public"),
            Status::InsufficientData
        );
        let p = checks
            .iter()
            .find(|c| c.check == "facts.procurement_parts")
            .expect("procurement check");
        assert_eq!(
            p.message.as_deref(),
            Some("not stated, counted as 0: procurement.works")
        );
        assert_eq!(p.refs[0], "fact:procurement.goods@p3");
        let b = checks
            .iter()
            .find(|c| c.check == "facts.basic_plus_project")
            .expect("basic check");
        assert_eq!(b.diff, Some(Decimal::ZERO));
    }
}
