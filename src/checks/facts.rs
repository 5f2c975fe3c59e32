//! The fact modes of the one evaluator: identities over narrative facts, declared in
//! `patterns/identities.toml` (`fact_parts`, `fact_items`, `fact_yoy`; see [`super::identities`]).
//!
//! In: one identity, the facts of one document (and its tables, only to find an `extra_part` a table
//! names). Out: its [`Check`]s, `insufficient_data` when a side is missing. When a key was read more
//! than once, the first reading (in document order) is used. Rounding envelope: (n+1)×0.005 万元 for
//! n summed items (see [`super::rounding_envelope`]); a percent change has its own (see
//! `year_on_year`).
//!
//! A `fail` means the report contradicts itself, so the modes read with care:
//! - `fact_parts` with an `extra_part` (基本 + 项目 = 本年支出, 单位预留机动经费 as a third part in some
//!   budgets): when the narrative states it, it is added; when only a table names it, the table's
//!   figure is added and referenced; when neither does, the identity is the one of `part_keys`.
//! - `fact_parts` with `min_parts` (采购 parts, 三公 parts): a part may go unmentioned (no 工程
//!   purchases); with the total and at least `min_parts` parts stated, the others count as 0 and the
//!   message says so.
//! - `fact_items` with `only_excess_fails` (class lists): a report often names only its main classes
//!   (其中 / 主要用于), and a class written in a way no pattern reads is simply absent. Neither is a
//!   contradiction, so items summing to *less* than the total are `not_applicable` (the numbers and the
//!   shortfall are kept, the message says why); items summing to *more* than the total are a `fail`.
//! - `fact_yoy`: a stated percent change must follow from the stated amount of change and the figure.
//!
//! Not here: the keys of any identity (data), text-vs-table comparisons (see [`super::tables`]).

use rust_decimal::Decimal;

use super::identities::{default_identities, ExtraPart, IdentityDef, Mode, Scope, YoyKeys};
use super::{compare, compare_within, insufficient, Check, Role, Status, Term};
use crate::extract::facts::{Fact, Origin};
use crate::extract::tables::figures::cell_ref;
use crate::extract::tables::Table;

/// Evaluates the fact identities of the embedded default set.
pub fn evaluate(facts: &[Fact], tables: &[Table]) -> Vec<Check> {
    let mut out = Vec::new();
    for d in default_identities()
        .defs
        .iter()
        .filter(|d| d.mode.scope() == Scope::Facts)
    {
        fact_identity(d, facts, tables, &mut out);
    }
    out
}

/// Evaluates one identity of a fact mode (nothing for the other modes).
pub(super) fn fact_identity(
    d: &IdentityDef,
    facts: &[Fact],
    tables: &[Table],
    out: &mut Vec<Check>,
) {
    match d.mode {
        Mode::FactParts => out.push(fact_parts(d, facts, tables)),
        Mode::FactItems => out.push(items_sum(d, facts)),
        Mode::FactYoy => out.extend(d.yoy.iter().filter_map(|y| year_on_year(&d.id, facts, y))),
        _ => {}
    }
}

/// `fact_parts`: Σ the parts (+ the extra part when stated or named by a table) = the total.
fn fact_parts(d: &IdentityDef, facts: &[Fact], tables: &[Table]) -> Check {
    let parts = stated_parts(d, facts);
    let totals: Vec<&str> = d.total_keys.iter().map(String::as_str).collect();
    let check = match d.min_parts {
        None => parts_all(facts, &d.id, &parts, &totals),
        Some(min) => parts_some(facts, &d.id, &parts, &totals, min),
    };
    match &d.extra_part {
        Some(extra) if check.status != Status::InsufficientData => {
            with_extra_part(check, extra, facts, tables, &parts, &totals)
        }
        _ => check,
    }
}

/// The part keys of a `fact_parts` identity for these facts: each part as written, or, when it is
/// not stated but some of its `part_split` pieces are, those pieces in its place (a narrative that
/// states 公务用车购置费 and 运行维护费 but not their sum).
fn stated_parts<'a>(d: &'a IdentityDef, facts: &[Fact]) -> Vec<&'a str> {
    let mut parts = Vec::new();
    for k in &d.part_keys {
        match d.part_split.get(k) {
            Some(pieces)
                if first(facts, k).is_none()
                    && pieces.iter().any(|p| first(facts, p).is_some()) =>
            {
                parts.extend(pieces.iter().map(String::as_str));
            }
            _ => parts.push(k.as_str()),
        }
    }
    parts
}

/// `fact_yoy`: the stated percent must be the stated change over the previous year's figure
/// (value − change), × 100. `expected` is the printed percent, `actual` the implied one. Pass when
/// the implied percent rounds to the printed one; rounding when the difference is within half a
/// unit of the printed percent's last digit plus what the 0.01 万元 rounding of value and change can
/// move it; fail otherwise (+1.1 万元 to 1.18 万元 cannot be +14%). Not evaluated unless both the
/// change and the percent are stated. The id's `{key}` is the value's key.
fn year_on_year(template: &str, facts: &[Fact], y: &YoyKeys) -> Option<Check> {
    let id = template.replace("{key}", &y.value);
    let (value_key, change_key, pct_key) = (y.value.as_str(), y.change.as_str(), y.pct.as_str());
    let (change, pct) = (first(facts, change_key)?, first(facts, pct_key)?);
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

/// The first stated of `totals`.
fn first_of<'a>(facts: &'a [Fact], totals: &[&str]) -> Option<&'a Fact> {
    totals.iter().find_map(|k| first(facts, k))
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

/// The refs of the parts found and the total.
fn refs_of(found: &[Option<&Fact>], total: Option<&Fact>) -> Vec<String> {
    found
        .iter()
        .flatten()
        .copied()
        .chain(total)
        .map(fact_ref)
        .collect()
}

/// What is not stated among the parts and the total (named by its first key).
fn not_stated(
    parts: &[&str],
    found: &[Option<&Fact>],
    totals: &[&str],
    t: Option<&Fact>,
) -> String {
    let mut stated: Vec<(&str, bool)> = parts
        .iter()
        .zip(found)
        .map(|(k, f)| (*k, f.is_some()))
        .collect();
    stated.push((totals.first().copied().unwrap_or_default(), t.is_some()));
    missing_message(&stated)
}

/// Says which total was compared when it is not the first of `totals`.
fn name_fallback_total(check: &mut Check, totals: &[&str], t: &Fact) {
    let total = totals.first().copied().unwrap_or_default();
    if t.key != total {
        let m = check.message.take().unwrap_or_default();
        check.message = Some(format!("{m}; total: {} ({total} not stated)", t.key));
    }
}

/// Every part and the total must be stated.
fn parts_all(facts: &[Fact], id: &str, parts: &[&str], totals: &[&str]) -> Check {
    let found: Vec<Option<&Fact>> = parts.iter().map(|k| first(facts, k)).collect();
    let t = first_of(facts, totals);
    let refs = refs_of(&found, t);
    match (found.iter().all(Option::is_some), t) {
        (true, Some(t)) => {
            let sum: Decimal = found.iter().flatten().map(|f| f.value).sum();
            let envelope = mixed_envelope(parts.len(), found.iter().flatten().copied(), t);
            let mut check =
                compare_within(id, sum, t.value, envelope, refs).with_terms(fact_terms(&found, t));
            name_fallback_total(&mut check, totals, t);
            check
        }
        _ => insufficient(id, refs, not_stated(parts, &found, totals, t)),
    }
}

/// The envelope of Σ `parts` = `total` over n parts: (n+1)×0.005 万元; and when a table figure stands
/// against narrative figures (a key the narrative leaves out, read from its table), the comparison is
/// one of text against table: each narrative figure printed coarser than 0.01 万元 may be off by half a
/// unit of its last printed digit (a whole unit for 近/约 figures) instead of 0.005, as in
/// `text_vs_table` (30,441万元 in the text for 304,413,900 元 in the table).
fn mixed_envelope<'a>(n: usize, parts: impl Iterator<Item = &'a Fact>, total: &'a Fact) -> Decimal {
    let terms: Vec<&Fact> = parts.chain(std::iter::once(total)).collect();
    let base = super::rounding_envelope(n);
    if !terms.iter().any(|f| f.origin == Origin::Table) {
        return base;
    }
    let cent = Decimal::new(1, 2);
    let widen: Decimal = terms
        .iter()
        .filter(|f| f.origin != Origin::Table)
        .map(|f| {
            let unit = Decimal::new(1, f.value.scale());
            let slack = if f.approximate {
                unit
            } else {
                unit / Decimal::TWO
            };
            (slack - cent / Decimal::TWO).max(Decimal::ZERO)
        })
        .sum();
    base + widen
}

/// A small count in words (`two`), else in digits.
fn count_word(n: usize) -> String {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

/// Parts of which some may go unmentioned (no 工程 purchases): with the total and at least `min`
/// parts stated, the missing parts count as 0 and the message says so.
fn parts_some(facts: &[Fact], id: &str, parts: &[&str], totals: &[&str], min: usize) -> Check {
    let found: Vec<Option<&Fact>> = parts.iter().map(|k| first(facts, k)).collect();
    let t = first_of(facts, totals);
    let refs = refs_of(&found, t);
    let present = found.iter().flatten().count();
    match t {
        Some(t) if present >= min => {
            let sum: Decimal = found.iter().flatten().map(|f| f.value).sum();
            let envelope = mixed_envelope(present, found.iter().flatten().copied(), t);
            let mut check =
                compare_within(id, sum, t.value, envelope, refs).with_terms(fact_terms(&found, t));
            let absent: Vec<&str> = parts
                .iter()
                .zip(&found)
                .filter(|(_, f)| f.is_none())
                .map(|(k, _)| *k)
                .collect();
            if !absent.is_empty() {
                check.message = Some(format!("not stated, counted as 0: {}", absent.join(", ")));
            }
            name_fallback_total(&mut check, totals, t);
            check
        }
        _ => {
            let mut c = insufficient(id, refs, not_stated(parts, &found, totals, t));
            if t.is_some() {
                c.message = Some(format!(
                    "fewer than {} parts stated; {}",
                    count_word(min),
                    c.message.unwrap_or_default()
                ));
            }
            c
        }
    }
}

/// `fact_items`: the items of a per-item key (first reading of each item) sum to a total (the first
/// of `total_keys` that is stated).
fn items_sum(d: &IdentityDef, facts: &[Fact]) -> Check {
    let (id, key) = (d.id.as_str(), d.item_key.as_str());
    let totals: Vec<&str> = d.total_keys.iter().map(String::as_str).collect();
    let mut items: Vec<&Fact> = Vec::new();
    for f in facts.iter().filter(|f| f.key == key) {
        if !items.iter().any(|g| g.item == f.item) {
            items.push(f);
        }
    }
    let t = first_of(facts, &totals);
    let total = totals.first().copied().unwrap_or_default();
    let refs: Vec<String> = items.iter().copied().chain(t).map(fact_ref).collect();
    match t {
        Some(t) if !items.is_empty() => {
            let sum: Decimal = items.iter().map(|f| f.value).sum();
            let parts: Vec<Option<&Fact>> = items.iter().copied().map(Some).collect();
            let mut check =
                compare(id, sum, t.value, items.len(), refs).with_terms(fact_terms(&parts, t));
            if d.only_excess_fails && check.status == Status::Fail && sum < t.value {
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
            name_fallback_total(&mut check, &totals, t);
            check
        }
        _ => insufficient(
            id,
            refs,
            missing_message(&[(key, !items.is_empty()), (total, t.is_some())]),
        ),
    }
}

/// The check of `fact_parts` again with the extra part added, when the narrative states it or a
/// table names it; unchanged otherwise.
fn with_extra_part(
    check: Check,
    extra: &ExtraPart,
    facts: &[Fact],
    tables: &[Table],
    parts: &[&str],
    totals: &[&str],
) -> Check {
    let stated =
        first(facts, &extra.key).map(|f| (f.value, fact_ref(f), Term::fact(Role::Part, f)));
    let Some((value, reference, extra_term)) =
        stated.or_else(|| extra_in_tables(tables, &extra.label))
    else {
        return check;
    };
    let Some(t) = first_of(facts, totals) else {
        return check;
    };
    let found: Vec<&Fact> = parts.iter().filter_map(|k| first(facts, k)).collect();
    let sum: Decimal = found.iter().map(|f| f.value).sum::<Decimal>() + value;
    let mut refs: Vec<String> = found.iter().map(|f| fact_ref(f)).collect();
    refs.push(reference);
    refs.push(fact_ref(t));
    let mut terms: Vec<Term> = found.iter().map(|f| Term::fact(Role::Part, f)).collect();
    terms.push(extra_term);
    terms.push(Term::fact(Role::Total, t));
    let mut check = compare(&check.check, sum, t.value, found.len() + 1, refs).with_terms(terms);
    check.message = Some(extra.message.clone());
    check
}

/// The figure of a table that names `label`: the first money cell of a column whose leaf holds it
/// (the 合计 row of 支出预算总表), else the first money cell of a row whose name holds it.
fn extra_in_tables(tables: &[Table], label: &str) -> Option<(Decimal, String, Term)> {
    if label.is_empty() {
        return None;
    }
    for t in tables {
        let col = t.columns.iter().position(|c| {
            c.rsplit('/')
                .next()
                .is_some_and(|leaf| leaf.contains(label))
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
        for row in t.rows.iter().filter(|r| r.name.contains(label)) {
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
    fn a_table_figure_against_a_rounded_narrative_figure_gets_its_envelope() {
        // The narrative prints the fiscal expenditure in whole 万元; the income comes from the table.
        let mut income = fact("fiscal.income_total", None, "30441.39");
        income.origin = crate::extract::facts::Origin::Table;
        let facts = vec![
            income.clone(),
            fact("fiscal.expenditure_total", None, "30441"),
        ];
        let c = evaluate(&facts, &[]);
        assert_eq!(status(&c, "facts.fiscal_total_balance"), Status::Rounding);
        // Off by more than half a unit of the printed digit: still a contradiction.
        let facts = vec![
            income.clone(),
            fact("fiscal.expenditure_total", None, "30440"),
        ];
        assert_eq!(
            status(&evaluate(&facts, &[]), "facts.fiscal_total_balance"),
            Status::Fail
        );
        // Two narrative figures keep the plain envelope: 30441 against 30441.39 is a fail.
        let facts = vec![
            fact("fiscal.income_total", None, "30441.39"),
            fact("fiscal.expenditure_total", None, "30441"),
        ];
        assert_eq!(
            status(&evaluate(&facts, &[]), "facts.fiscal_total_balance"),
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

    /// The income parts a report lists, declared as data only.
    const INCOME_PARTS: &str = r#"
[[identity]]
id = 'facts.income_parts'
mode = 'fact_parts'
part_keys = ['income.fiscal_appropriation', 'income.business', 'income.operating', 'income.other']
total_keys = ['income.current_year']
min_parts = 2

[[identity.example]]
want = 'pass'
facts = [{ key = 'income.current_year', value = '100' }, { key = 'income.fiscal_appropriation', value = '80' }, { key = 'income.other', value = '20' }]
"#;

    fn identities(text: &str) -> crate::checks::identities::Identities {
        crate::checks::identities::Identities {
            file: "mine.toml".to_string(),
            defs: toml::from_str::<crate::checks::identities::IdentitiesEntry>(text)
                .expect("identities toml")
                .identity,
            ..Default::default()
        }
    }

    #[test]
    fn a_fact_identity_added_as_data_needs_no_code() {
        let ids = identities(INCOME_PARTS);
        let keys = [
            "income.current_year",
            "income.fiscal_appropriation",
            "income.business",
            "income.operating",
            "income.other",
        ];
        assert_eq!(ids.check(INCOME_PARTS, &keys, &[]), Vec::<String>::new());
        let facts = vec![
            fact("income.current_year", None, "4193.92"),
            fact("income.fiscal_appropriation", None, "4000"),
            fact("income.business", None, "190"),
        ];
        let checks = crate::checks::tables::evaluate_with(&ids, &facts, &[]);
        assert_eq!(checks.len(), 1);
        let c = &checks[0];
        assert_eq!(c.check, "facts.income_parts");
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.expected, Some(Decimal::from(4190)));
        assert_eq!(
            c.message.as_deref(),
            Some("not stated, counted as 0: income.operating, income.other")
        );
        assert_eq!(
            c.formula.as_deref(),
            Some("income.current_year = income.fiscal_appropriation + income.business")
        );
        // One part only: fewer than `min_parts`.
        let c = &crate::checks::tables::evaluate_with(&ids, &facts[..2], &[])[0];
        assert_eq!(c.status, Status::InsufficientData);
        assert_eq!(
            c.message.as_deref(),
            Some(
                "fewer than two parts stated; not stated: income.business, income.operating, \
                 income.other"
            )
        );
    }

    #[test]
    fn a_broken_fact_identity_is_reported() {
        let text = INCOME_PARTS
            .replace("'income.other']", "'income.others']")
            .replace("value = '20'", "value = '30'")
            .replace("total_keys = ['income.current_year']", "");
        let ids = identities(&text);
        let keys = [
            "income.current_year",
            "income.fiscal_appropriation",
            "income.business",
            "income.operating",
            "income.other",
        ];
        assert_eq!(
            ids.check(&text, &keys, &[]),
            [
                "mine.toml:2:identity[0]:part_keys: facts.income_parts: unknown key \"income.others\"",
                "mine.toml:2:identity[0]:total_keys: facts.income_parts: its mode needs `total_keys`",
                "mine.toml:2:identity[0]:example[0]: facts.income_parts should give pass but gives \
                 [facts.income_parts insufficient_data]",
            ]
        );
    }

    #[test]
    fn a_reserve_named_only_by_a_table_is_the_third_part() {
        let facts = vec![
            fact("expenditure.current_year", None, "13649.07"),
            fact("expenditure.basic", None, "7666.68"),
            fact("expenditure.project", None, "5853.96"),
        ];
        let t =
            crate::checks::identities::example_table(&crate::checks::identities::ExampleTable {
                id: "B03".to_string(),
                columns: vec!["支出/合计".to_string(), "支出/单位预留机动经费".to_string()],
                units: None,
                rows: vec![vec![
                    "合计".to_string(),
                    "13649.07".to_string(),
                    "128.43".to_string(),
                ]],
                empty_statement: None,
            });
        let checks = evaluate(&facts, &[t]);
        let b = checks
            .iter()
            .find(|c| c.check == "facts.basic_plus_project")
            .expect("basic check");
        assert_eq!(b.status, Status::Pass);
        assert_eq!(b.refs[2], "table:B03[合计,支出/单位预留机动经费]@p1");
        assert_eq!(
            b.message.as_deref(),
            Some("with 单位预留机动经费 as a third part")
        );
    }
}
