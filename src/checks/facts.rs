//! Identities over narrative facts (基本 + 项目 = 支出合计, 人员 + 公用 = 基本, 采购 parts, 三公 parts,
//! 收入总计 = 支出总计, class lists summing to their total).
//!
//! In: the facts of one document (and its tables, only to find a named third part of the expenditure).
//! Out: one [`Check`] per identity, `insufficient_data` when a side is missing. When a key was read
//! more than once, the first reading (in document order) is used.
//! Rounding envelope: (n+1)×0.005 万元 for n summed items (see [`super::rounding_envelope`]).
//!
//! A `fail` means the report contradicts itself, so two identities are read with care:
//! - 基本 + 项目 = 本年支出: some budgets split the year's expenditure into a third part, 单位预留机动
//!   经费 (`expenditure.reserve`). When the narrative states it, it is added; when only a table names it
//!   (a column or row `单位预留机动经费`), the table's figure is added and referenced; when neither
//!   does, the identity is the two-part one.
//! - class lists (`facts.class_sum`, `facts.gpb_class_sum`): a report often names only its main classes
//!   (其中 / 主要用于), and a class written in a way no pattern reads is simply absent. Neither is a
//!   contradiction, so items summing to *less* than the total are `not_applicable` (the numbers and the
//!   shortfall are kept, the message says why); items summing to *more* than the total are a `fail`.
//!   The classes of 一般公共预算 (`gpb.class.final`) are compared with `gpb.expenditure`, or, when only
//!   the 财政拨款 total that contains it is stated (university budgets), with `fiscal.expenditure_total`.
//!
//! - year on year (`facts.yoy_consistency[KEY]`): a stated percent change must follow from the stated
//!   amount of change and the figure (see `year_on_year`).
//!
//! Not here: text-vs-table comparisons (see [`super::tables`]).

use rust_decimal::Decimal;

use super::{compare, insufficient, Check, Role, Status, Term};
use crate::extract::facts::Fact;
use crate::extract::tables::figures::cell_ref;
use crate::extract::tables::Table;

/// The third part of the year's expenditure some budgets name besides 基本支出 and 项目支出.
const RESERVE_KEY: &str = "expenditure.reserve";
/// How a table names that part (a column label leaf or a row name).
const RESERVE_LABEL: &str = "预留机动经费";

/// Evaluates the fact identities.
pub fn evaluate(facts: &[Fact], tables: &[Table]) -> Vec<Check> {
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
        basic_plus_project(facts, tables),
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
            sangong_parts(facts),
            "sangong.final",
        ),
        parts_all(
            facts,
            "facts.vehicle_parts",
            &["sangong.vehicle.purchase", "sangong.vehicle.operation"],
            "sangong.vehicle",
        ),
    ];
    out.extend(
        YEAR_ON_YEAR
            .iter()
            .filter_map(|(value, prefix)| year_on_year(facts, value, prefix)),
    );
    out.push(items_sum(
        facts,
        "facts.class_sum",
        "expenditure.class",
        &["expenditure.current_year"],
    ));
    out.push(items_sum(
        facts,
        "facts.gpb_class_sum",
        "gpb.class.final",
        // Without the 一般公共预算 total, the 财政拨款 total that contains it: classes that exceed
        // it still contradict the report, and a shortfall is not_applicable anyway.
        &["gpb.expenditure", "fiscal.expenditure_total"],
    ));
    out
}

/// Figures whose change on the previous year is stated both as an amount (`PREFIX.yoy_change`) and as
/// a percent (`PREFIX.yoy_pct`): (value key, prefix).
const YEAR_ON_YEAR: [(&str, &str); 7] = [
    ("income.grand_total", "income.grand_total"),
    ("expenditure.grand_total", "expenditure.grand_total"),
    ("fiscal.income_total", "fiscal.income_total"),
    ("fiscal.expenditure_total", "fiscal.expenditure_total"),
    ("gpb.expenditure", "gpb.expenditure"),
    ("sangong.final", "sangong"),
    ("admin_cost.total", "admin_cost"),
];

/// `facts.yoy_consistency[KEY]`: the stated percent must be the stated change over the previous
/// year's figure (value − change), × 100. `expected` is the printed percent, `actual` the implied one.
/// Pass when the implied percent rounds to the printed one; rounding when the difference is within half
/// a unit of the printed percent's last digit plus what the 0.01 万元 rounding of value and change can
/// move it; fail otherwise (the seed's 三公: +1.1 万元 to 1.18 万元 cannot be +14%).
/// Not evaluated unless both the change and the percent are stated.
fn year_on_year(facts: &[Fact], value_key: &str, prefix: &str) -> Option<Check> {
    let id = format!("facts.yoy_consistency[{value_key}]");
    let change_key = format!("{prefix}.yoy_change");
    let pct_key = format!("{prefix}.yoy_pct");
    let (change, pct) = (first(facts, &change_key)?, first(facts, &pct_key)?);
    let Some(value) = first(facts, value_key) else {
        return Some(insufficient(
            &id,
            vec![fact_ref(change), fact_ref(pct)],
            missing_message(&[(value_key, false)]),
        ));
    };
    let refs = vec![fact_ref(value), fact_ref(change), fact_ref(pct)];
    let prior = value.value - change.value;
    let hundred = Decimal::ONE_HUNDRED;
    let implied = change
        .value
        .checked_mul(hundred)
        .and_then(|c| c.checked_div(prior))
        .filter(|_| prior > Decimal::ZERO);
    let Some(implied) = implied else {
        let mut c = insufficient(
            &id,
            refs,
            "the previous year's figure (value − change) is not positive",
        );
        c.status = Status::NotApplicable;
        return Some(c);
    };
    let scale = pct.value.scale();
    let half_unit = Decimal::new(5, scale + 1);
    let cent = Decimal::new(1, 2);
    let slack = (hundred * cent / prior)
        .checked_add(hundred * cent * change.value.abs() / (prior * prior))
        .unwrap_or(Decimal::MAX);
    let shown = implied.round_dp(scale + 2);
    let diff = shown - pct.value;
    let status = if implied.round_dp(scale) == pct.value {
        Status::Pass
    } else if diff.abs() <= half_unit + slack {
        Status::Rounding
    } else {
        Status::Fail
    };
    Some(Check {
        check: id,
        status,
        expected: Some(pct.value),
        actual: Some(shown),
        diff: Some(diff),
        refs,
        message: Some(format!(
            "{} {} over a previous year of {} is {}%",
            change_key, change.value, prior, shown
        )),
        terms: vec![
            Term::fact(Role::Total, pct),
            Term::fact(Role::Part, value),
            Term::fact(Role::Part, change),
        ],
        formula: Some(format!(
            "{pct_key} = {change_key} / ({value_key} − {change_key}) × 100"
        )),
        envelope: Some(half_unit + slack),
    })
}

fn first<'a>(facts: &'a [Fact], key: &str) -> Option<&'a Fact> {
    facts.iter().find(|f| f.key == key && f.item.is_none())
}

/// `fact:KEY[ITEM]@pPAGE`: how a check names a fact it read.
pub(crate) fn fact_ref(f: &Fact) -> String {
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
        (Some(l), Some(r)) => compare(id, l.value, r.value, 1, vec![fact_ref(l), fact_ref(r)])
            .with_terms(vec![Term::fact(Role::Part, l), Term::fact(Role::Total, r)]),
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
            compare(id, sum, t.value, parts.len(), refs).with_terms(fact_terms(&found, t))
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

/// The parts of the 三公 total: 因公出国（境）, 公务用车购置及运行维护 and 公务接待; a narrative that
/// states the vehicle figure only by its parts (购置费, 运行维护费) is summed by those parts.
fn sangong_parts(facts: &[Fact]) -> &'static [&'static str] {
    let by_parts = first(facts, "sangong.vehicle").is_none()
        && (first(facts, "sangong.vehicle.purchase").is_some()
            || first(facts, "sangong.vehicle.operation").is_some());
    if by_parts {
        &[
            "sangong.overseas",
            "sangong.vehicle.purchase",
            "sangong.vehicle.operation",
            "sangong.reception",
        ]
    } else {
        &["sangong.overseas", "sangong.vehicle", "sangong.reception"]
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
            let mut check =
                compare(id, sum, t.value, present, refs).with_terms(fact_terms(&found, t));
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

/// The items of a per-item key (first reading of each item) sum to a total (the first of `totals`
/// that is stated).
fn items_sum(facts: &[Fact], id: &str, key: &str, totals: &[&str]) -> Check {
    let mut items: Vec<&Fact> = Vec::new();
    for f in facts.iter().filter(|f| f.key == key) {
        if !items.iter().any(|g| g.item == f.item) {
            items.push(f);
        }
    }
    let t = totals.iter().find_map(|k| first(facts, k));
    let total = totals.first().copied().unwrap_or_default();
    let refs: Vec<String> = items.iter().copied().chain(t).map(fact_ref).collect();
    match t {
        Some(t) if !items.is_empty() => {
            let sum: Decimal = items.iter().map(|f| f.value).sum();
            let parts: Vec<Option<&Fact>> = items.iter().copied().map(Some).collect();
            let mut check =
                compare(id, sum, t.value, items.len(), refs).with_terms(fact_terms(&parts, t));
            if check.status == Status::Fail && sum < t.value {
                // A report may name only its main classes, or write one in a way no pattern reads:
                // a shortfall is not a contradiction.
                check.status = Status::NotApplicable;
                check.message = Some(format!(
                    "the {} items stated sum to less than the total: the list may name only the main \
                     items, so only an excess would be a contradiction",
                    items.len()
                ));
            } else {
                check.message = Some(format!("sum of the {} items stated", items.len()));
            }
            if t.key != total {
                let m = check.message.take().unwrap_or_default();
                check.message = Some(format!("{m}; total: {} ({total} not stated)", t.key));
            }
            check
        }
        _ => insufficient(
            id,
            refs,
            missing_message(&[(key, !items.is_empty()), (total, t.is_some())]),
        ),
    }
}

/// 基本支出 + 项目支出 (+ 单位预留机动经费 when the report names it) = 本年支出合计.
fn basic_plus_project(facts: &[Fact], tables: &[Table]) -> Check {
    const ID: &str = "facts.basic_plus_project";
    let parts = ["expenditure.basic", "expenditure.project"];
    let total = "expenditure.current_year";
    let mut check = parts_all(facts, ID, &parts, total);
    if matches!(check.status, Status::InsufficientData) {
        return check;
    }
    let reserve = first(facts, RESERVE_KEY)
        .map(|f| (f.value, fact_ref(f), Term::fact(Role::Part, f)))
        .or_else(|| reserve_in_tables(tables));
    if let Some((value, reference, reserve_term)) = reserve {
        let found: Vec<&Fact> = parts.iter().filter_map(|k| first(facts, k)).collect();
        let Some(t) = first(facts, total) else {
            return check;
        };
        let sum: Decimal = found.iter().map(|f| f.value).sum::<Decimal>() + value;
        let mut refs: Vec<String> = found.iter().map(|f| fact_ref(f)).collect();
        refs.push(reference);
        refs.push(fact_ref(t));
        let mut terms: Vec<Term> = found.iter().map(|f| Term::fact(Role::Part, f)).collect();
        terms.push(reserve_term);
        terms.push(Term::fact(Role::Total, t));
        check = compare(ID, sum, t.value, parts.len() + 1, refs).with_terms(terms);
        check.message = Some("with 单位预留机动经费 as a third part".into());
    }
    check
}

/// The 单位预留机动经费 figure of a table that names it: the first money cell of a column so labelled
/// (the 合计 row of 支出预算总表), else the first money cell of a row so named.
fn reserve_in_tables(tables: &[Table]) -> Option<(Decimal, String, Term)> {
    for t in tables {
        let col = t.columns.iter().position(|c| {
            c.rsplit('/')
                .next()
                .is_some_and(|leaf| leaf.contains(RESERVE_LABEL))
        });
        if let Some(c) = col {
            if let Some(row) = t
                .rows
                .iter()
                .find(|r| r.cells.get(c).copied().flatten().is_some())
            {
                let v = row.cells[c]?;
                return Some((v, cell_ref(t, row, c), Term::cell(Role::Part, t, row, c)));
            }
        }
    }
    for t in tables {
        for row in t.rows.iter().filter(|r| r.name.contains(RESERVE_LABEL)) {
            if let Some((c, v)) = row
                .cells
                .iter()
                .enumerate()
                .find_map(|(c, v)| v.map(|v| (c, v)))
            {
                return Some((v, cell_ref(t, row, c), Term::cell(Role::Part, t, row, c)));
            }
        }
    }
    None
}

/// The terms of a sum of facts: the parts stated, then the total.
fn fact_terms(parts: &[Option<&Fact>], total: &Fact) -> Vec<Term> {
    let mut terms: Vec<Term> = parts
        .iter()
        .flatten()
        .map(|f| Term::fact(Role::Part, f))
        .collect();
    terms.push(Term::fact(Role::Total, total));
    terms
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
            origin: crate::extract::facts::Origin::Narrative,
            cell: None,
            bbox: None,
            span: None,
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
    fn year_on_year_percent_must_follow_from_the_change() {
        let facts = vec![
            // 4193.92, +392.79 → 10.33%, printed 10%: rounds to it, pass.
            fact("income.grand_total", None, "4193.92"),
            fact("income.grand_total.yoy_change", None, "392.79"),
            fact("income.grand_total.yoy_pct", None, "10"),
            // 2995.39, −56.95 → −1.8658%, printed −1.87%: pass.
            fact("expenditure.grand_total", None, "2995.39"),
            fact("expenditure.grand_total.yoy_change", None, "-56.95"),
            fact("expenditure.grand_total.yoy_pct", None, "-1.87"),
            // 1.18, +1.1 → +1375%, printed 14%: fail.
            fact("sangong.final", None, "1.18"),
            fact("sangong.yoy_change", None, "1.1"),
            fact("sangong.yoy_pct", None, "14"),
            // A change with no percent: not evaluated.
            fact("admin_cost.total", None, "531.76"),
            fact("admin_cost.yoy_change", None, "-71.37"),
        ];
        let checks = evaluate(&facts, &[]);
        assert_eq!(
            status(&checks, "facts.yoy_consistency[income.grand_total]"),
            Status::Pass
        );
        assert_eq!(
            status(&checks, "facts.yoy_consistency[expenditure.grand_total]"),
            Status::Pass
        );
        assert_eq!(
            status(&checks, "facts.yoy_consistency[sangong.final]"),
            Status::Fail
        );
        assert!(!checks
            .iter()
            .any(|c| c.check == "facts.yoy_consistency[admin_cost.total]"));
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
        let checks = evaluate(&facts, &[]);
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

    #[test]
    fn sangong_vehicle_stated_by_its_parts() {
        // No 公务用车购置及运行维护费 figure, only its 运行维护费: the parts are summed through it.
        let mut facts = vec![
            fact("sangong.final", None, "18.6"),
            fact("sangong.overseas", None, "0"),
            fact("sangong.reception", None, "8.6"),
            fact("sangong.vehicle.operation", None, "10"),
        ];
        let c = evaluate(&facts, &[]);
        let s = c
            .iter()
            .find(|c| c.check == "facts.sangong_parts")
            .expect("sangong check");
        assert_eq!(s.status, Status::Pass);
        assert_eq!(s.actual, Some(Decimal::from_str("18.6").expect("decimal")));
        // With the vehicle figure stated, it is the part, not its pieces.
        facts.push(fact("sangong.vehicle", None, "12"));
        assert_eq!(
            status(&evaluate(&facts, &[]), "facts.sangong_parts"),
            Status::Fail
        );
    }

    #[test]
    fn a_named_reserve_is_the_third_part_of_the_expenditure() {
        let mut facts = vec![
            fact("expenditure.current_year", None, "13649.07"),
            fact("expenditure.basic", None, "7666.68"),
            fact("expenditure.project", None, "5853.96"),
        ];
        // Without the third part the two parts fall short: a contradiction as far as can be seen.
        assert_eq!(
            status(&evaluate(&facts, &[]), "facts.basic_plus_project"),
            Status::Fail
        );
        facts.push(fact("expenditure.reserve", None, "128.43"));
        let checks = evaluate(&facts, &[]);
        let b = checks
            .iter()
            .find(|c| c.check == "facts.basic_plus_project")
            .expect("basic check");
        assert_eq!(b.status, Status::Pass);
        assert_eq!(b.refs.len(), 4);
        assert_eq!(b.refs[2], "fact:expenditure.reserve@p3");
    }

    #[test]
    fn a_class_list_short_of_its_total_is_not_a_contradiction() {
        // Main classes only (其中 …): the items fall short of the total.
        let facts = vec![
            fact("expenditure.current_year", None, "20849.45"),
            fact("expenditure.class", Some("社会保障和就业支出"), "2000.39"),
            fact("expenditure.class", Some("住房保障支出"), "1856.69"),
            fact("gpb.expenditure", None, "100"),
            fact("gpb.class.final", Some("教育支出"), "90"),
            fact("gpb.class.final", Some("住房保障支出"), "20"),
        ];
        let checks = evaluate(&facts, &[]);
        let c = checks
            .iter()
            .find(|c| c.check == "facts.class_sum")
            .expect("class check");
        assert_eq!(c.status, Status::NotApplicable);
        assert_eq!(
            c.diff,
            Some(Decimal::from_str("16992.37").expect("decimal"))
        );
        // Items that exceed their total contradict it.
        assert_eq!(status(&checks, "facts.gpb_class_sum"), Status::Fail);
    }

    #[test]
    fn gpb_classes_fall_back_to_the_fiscal_total() {
        let facts = vec![
            fact("fiscal.expenditure_total", None, "230876.38"),
            fact("gpb.class.final", Some("教育支出"), "208613.34"),
            fact("gpb.class.final", Some("科学技术支出"), "1178.72"),
            fact("gpb.class.final", Some("社会保障和就业支出"), "13345.79"),
            fact("gpb.class.final", Some("住房保障支出"), "7629.03"),
            fact("gpb.class.final", Some("其他支出"), "109.50"),
        ];
        let checks = evaluate(&facts, &[]);
        let c = checks
            .iter()
            .find(|c| c.check == "facts.gpb_class_sum")
            .expect("gpb class check");
        assert_eq!(c.status, Status::Pass);
        assert_eq!(
            c.message.as_deref(),
            Some(
                "sum of the 5 items stated; total: fiscal.expenditure_total (gpb.expenditure not stated)"
            )
        );
    }
}
