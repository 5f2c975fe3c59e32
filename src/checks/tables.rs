//! Identities within and across tables (tables.tsv), and text vs table.
//!
//! In: facts and tables of one document. Out: checks, each with refs to the cells compared
//! (`table:F01[总计,收入/决算数]@p7`) and facts (`fact:income.grand_total@p3`):
//! - `F01.balance` / `B01.balance` / `F04.balance` / `B04.balance`: 收入总计 = 支出总计;
//! - `<id>.income_items_eq_total` / `<id>.expenditure_items_eq_total` (F01, F04, B01, B04): the
//!   numbered rows (`一、…`) printed before 本年收入合计 / 本年支出合计 sum to it;
//! - `F01.income_total_eq_parts`: 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余, and
//!   `F01.expenditure_total_eq_parts`: 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余;
//! - `<id>.total_eq_sum_rows[<column>]`: a 合计 row = Σ the other rows (tables without codes) or
//!   Σ 类 rows (classified tables); `<id>.class_eq_sum[<code>]`: a 类 (款) row = Σ its 款 (项) rows;
//! - `<id>.total_eq_basic_plus_project`: on the 合计 row, the 合计 column = Σ 基本支出, 项目支出,
//!   上缴上级支出, 经营支出, 对附属单位补助支出, … of the same column group; `F06.total_eq_personnel_plus_public`
//!   likewise with 人员经费 + 公用经费 (columns or rows);
//! - `F07.total_eq_parts[<group>]` (出国 + 公务用车 + 接待) and `F07.vehicle_eq_parts[<group>]`
//!   (购置 + 运行), per 预算数/决算数 group; blank cells count as zero when the others are printed;
//! - `<id>.empty_statement_with_values`: the table says it is empty: pass when every printed value is
//!   0 (the zeros say the same), fail when it holds any other value;
//! - `P01.rate[<project>]`: 执行率 = 执行数 / 预算数, compared at the printed precision;
//!   `P01.total_eq_sum_scores[<project>]`: 总分 = the budget 得分 + Σ the indicator rows' 得分;
//! - cross-table `F05.total_eq_F04_gpb`, `F06.total_eq_F05_basic` and the B side likewise;
//! - `text_vs_table.<key>` (within half a unit of the narrative's last digit) for every narrative
//!   fact whose key a table also gives
//!   (see [`crate::extract::tables::figures`]), and `text_vs_table.<key>[<item>]` for per-class facts
//!   (`expenditure.class` vs the F03/B03/F01/B01 row, `gpb.class.final` vs F05,
//!   `gpb.class.budget_initial` vs B05).
//!
//! - `tables.listed[<id>]` (see [`listed`], evaluated on the contents list): a table the 目录 names is
//!   found.
//!
//! Duplicates: [`dedup`] leaves one record per check; a check id evaluated on different figures is
//! numbered (`text_vs_table.sangong.overseas#2`).
//!
//! Blank cells are null, not zero, except inside a sum whose other terms are printed. Not here:
//! extraction.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{compare, Check, Status};
use crate::extract::facts::Fact;
use crate::extract::tables::contents::{table_part, Listed};
use crate::extract::tables::figures::{
    cell_ref, find, key_figures, leaf, norm_name, personnel_public, total_row,
};
use crate::extract::tables::labels::{self, LabelRole};
use crate::extract::tables::rows::{self, RowRole};
use crate::extract::tables::{Row, Table};
use crate::normalize::normalize_line;

/// Evaluates table identities, cross-table identities and text-vs-table comparisons.
pub fn evaluate(facts: &[Fact], tables: &[Table]) -> Vec<Check> {
    let mut out = Vec::new();
    for t in tables {
        if t.empty {
            continue;
        }
        match t.table.as_str() {
            "F01" | "B01" | "F04" | "B04" => balance(t, &mut out),
            _ => {}
        }
        if t.table == "F01" {
            f01_parts(t, &mut out);
        }
        if matches!(t.table.as_str(), "F01" | "F04" | "B01" | "B04") {
            summary_items(t, "收入", "本年收入合计", &mut out);
            summary_items(t, "支出", "本年支出合计", &mut out);
        }
        if t.table == "P01" {
            p01_rate(t, &mut out);
            p01_total(t, &mut out);
            continue;
        }
        let printed = t.rows.iter().flat_map(|r| r.cells.iter().flatten());
        if t.empty_statement.is_some() && printed.clone().next().is_some() {
            // Zeros say what the statement says (no such expenditure); any other value contradicts it.
            let status = if printed.clone().all(Decimal::is_zero) {
                Status::Pass
            } else {
                Status::Fail
            };
            out.push(Check {
                check: format!("{}.empty_statement_with_values", t.table),
                status,
                expected: None,
                actual: None,
                diff: None,
                refs: vec![format!("table:{}@p{}", t.table, t.pages[0])],
                message: t.empty_statement.clone(),
            });
        }
        if matches!(t.table.as_str(), "F07" | "B07") {
            sangong(t, &mut out);
        } else if !matches!(t.table.as_str(), "F01" | "B01" | "F04" | "B04") {
            sum_rows(t, &mut out);
            basic_plus_project(t, &mut out);
        }
        if matches!(t.table.as_str(), "F06" | "B06") {
            personnel_plus_public_rows(t, &mut out);
        }
    }
    cross_tables(tables, &mut out);
    text_vs_table(facts, tables, &mut out);
    dedup(&mut out);
    out
}

/// `tables.listed[<id>]`: every standard table the contents list (目录) names is found (or found
/// empty): pass when it is, fail when it is not, not_applicable when the file does not hold the
/// table part (no standard table at all: a narrative-only file whose tables are published as a
/// separate file, see [`table_part`]) or the report says its tables are published separately.
pub fn listed(contents: &Listed, tables: &[Table]) -> Vec<Check> {
    let absent = table_part(tables) == "absent";
    contents
        .entries
        .iter()
        .map(|(id, entry, page)| {
            let contents_ref = format!("contents:{entry}@p{page}");
            let found = tables.iter().find(|t| t.table == *id);
            let (status, refs, message) = match (found, &contents.published_separately) {
                (Some(t), _) => (
                    Status::Pass,
                    vec![contents_ref, format!("table:{}@p{}", t.table, t.pages[0])],
                    None,
                ),
                (None, Some(sep)) => (
                    Status::NotApplicable,
                    vec![contents_ref],
                    Some(format!("tables published separately: {sep}")),
                ),
                (None, None) if absent => (
                    Status::NotApplicable,
                    vec![contents_ref],
                    Some(
                        "the table part is not in this file (table_part absent: no standard \
                         table in the document; the tables are published as a separate file)"
                            .to_string(),
                    ),
                ),
                (None, None) => (
                    Status::Fail,
                    vec![contents_ref],
                    Some(format!("{id} is listed in the contents but not found")),
                ),
            };
            Check {
                check: format!("tables.listed[{id}]"),
                status,
                expected: None,
                actual: None,
                diff: None,
                refs,
                message,
            }
        })
        .collect()
}

/// One record per check: records equal in everything collapse to the first (a narrative that states
/// the same figure twice on a page); records that share a check id but differ (the figure stated on
/// two pages, or twice with different values) keep the first id and number the others `#2`, `#3`, …
/// in order, so that ids stay unique within a document.
pub fn dedup(checks: &mut Vec<Check>) {
    let mut kept: Vec<Check> = Vec::with_capacity(checks.len());
    for c in checks.drain(..) {
        if kept.contains(&c) {
            continue;
        }
        kept.push(c);
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in &mut kept {
        let n = seen.entry(c.check.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            c.check = format!("{}#{}", c.check, n);
        }
    }
    *checks = kept;
}

fn money_cols(t: &Table) -> impl Iterator<Item = usize> + '_ {
    (0..t.columns.len()).filter(|&i| t.column_units.get(i).map(String::as_str) == Some("万元"))
}

/// True for a column label an identity of the report's own year may read: not a year-on-year change
/// (增减变化金额), not the previous year's figure (上年预算数), and not dated with an earlier year than
/// the latest year among the table's labels (`2025年预算数` beside `2026年预算数`).
fn current_year(t: &Table, label: &str) -> bool {
    let w = labels::words();
    if w.is_change(label) || w.is_previous_year(label) {
        return false;
    }
    let latest = t.columns.iter().filter_map(|l| w.year(l)).max();
    match (w.year(label), latest) {
        (Some(y), Some(l)) => y == l,
        _ => true,
    }
}

fn by_id<'t>(tables: &'t [Table], id: &str) -> Option<&'t Table> {
    tables.iter().find(|t| t.table == id && !t.empty)
}

/// 收入总计 = 支出总计.
fn balance(t: &Table, out: &mut Vec<Check>) {
    if t.rows.is_empty() {
        return;
    }
    let cur = |l: &str| current_year(t, l);
    let income = find(t, &["收入总计"], |l| {
        cur(l) && (l.contains("收入") || l.is_empty())
    })
    .or_else(|| find(t, &["总计"], |l| cur(l) && l.contains("收入")))
    .or_else(|| {
        find(t, &["收入合计"], |l| {
            cur(l) && (l.contains("收入") || l.is_empty())
        })
    });
    let spend = find(t, &["支出总计"], |l| {
        cur(l) && (l.contains("支出") || l.is_empty())
    })
    .or_else(|| find(t, &["总计"], |l| cur(l) && l.contains("支出")))
    .or_else(|| {
        find(t, &["支出合计"], |l| {
            cur(l) && (l.contains("支出") || l.is_empty())
        })
    });
    let id = format!("{}.balance", t.table);
    match (income, spend) {
        (Some((a, ra, ca)), Some((b, rb, cb))) => out.push(compare(
            &id,
            a,
            b,
            1,
            vec![cell_ref(t, ra, ca), cell_ref(t, rb, cb)],
        )),
        _ => out.push(super::insufficient(
            &id,
            vec![format!("table:{}@p{}", t.table, t.pages[0])],
            "收入总计 or 支出总计 not found",
        )),
    }
}

/// A total row = Σ named part rows (absent part rows are skipped, blank parts count as zero).
fn total_eq_parts(
    t: &Table,
    id: &str,
    side: &str,
    total: &[&str],
    parts: &[&str],
    out: &mut Vec<Check>,
) {
    let col = |l: &str| l.contains(side);
    let Some((tv, tr, tc)) = find(t, total, col).or_else(|| find(t, &["总计"], col)) else {
        return;
    };
    let mut sum = Decimal::ZERO;
    let mut refs = vec![cell_ref(t, tr, tc)];
    let mut n = 0;
    for p in parts {
        if let Some(row) = t.rows.iter().find(|r| norm_name(&r.name).starts_with(p)) {
            n += 1;
            if let Some(v) = row.cells.get(tc).copied().flatten() {
                sum += v;
                refs.push(cell_ref(t, row, tc));
            }
        }
    }
    if n > 0 {
        out.push(compare(id, sum, tv, n, refs));
    }
}

/// Numbered item rows (`一、…`) of a summary table's side = its 本年…合计 row.
fn summary_items(t: &Table, side: &str, total: &str, out: &mut Vec<Check>) {
    let col = |l: &str| l.contains(side) && !leaf(l).contains("项目") && current_year(t, l);
    let Some((tv, tr, tc)) = find(t, &[total], col) else {
        return;
    };
    // The side's label columns (收入/项目): its rows print their names there.
    let label_cols: Vec<usize> = (0..t.columns.len())
        .filter(|&i| {
            t.column_units.get(i).map(String::as_str) != Some("万元") && t.columns[i].contains(side)
        })
        .collect();
    // Items printed before the total (numbered rows after it belong to 年初结转和结余).
    let before = t
        .rows
        .iter()
        .position(|r| std::ptr::eq(r, tr))
        .unwrap_or(t.rows.len());
    let items: Vec<&Row> = t.rows[..before]
        .iter()
        .filter(|r| {
            let n = normalize_line(&r.name);
            let numbered = n
                .char_indices()
                .find(|(_, c)| !"一二三四五六七八九十".contains(*c))
                .is_some_and(|(i, c)| i > 0 && c == '、');
            numbered
        })
        .filter(|r| {
            label_cols
                .iter()
                .any(|&i| r.raw.get(i).is_some_and(|x| !x.is_empty()))
        })
        .collect();
    if items.is_empty() {
        return;
    }
    let sum: Decimal = items
        .iter()
        .map(|r| r.cells.get(tc).copied().flatten().unwrap_or_default())
        .sum();
    out.push(compare(
        &format!(
            "{}.{}_items_eq_total",
            t.table,
            if side == "收入" {
                "income"
            } else {
                "expenditure"
            }
        ),
        sum,
        tv,
        items.len(),
        vec![cell_ref(t, tr, tc)],
    ));
}

fn f01_parts(t: &Table, out: &mut Vec<Check>) {
    total_eq_parts(
        t,
        "F01.income_total_eq_parts",
        "收入",
        &["收入总计"],
        &["本年收入合计", "使用非财政拨款结余", "年初结转和结余"],
        out,
    );
    total_eq_parts(
        t,
        "F01.expenditure_total_eq_parts",
        "支出",
        &["支出总计"],
        &["本年支出合计", "结余分配", "年末结转和结余"],
        out,
    );
}

/// 合计 = Σ the top-level rows (类 rows of classified tables; for tables without codes the rows of
/// level 1 by indentation or numbering, or every listed row), subtotal and `其中` rows never among
/// them; and each row with rows under it = Σ those rows (类 = Σ 款, 款 = Σ 项, a unit = Σ its items).
/// The hierarchy is the one [`rows::set_hierarchy`] gave the table.
fn sum_rows(t: &Table, out: &mut Vec<Check>) {
    let Some(total) = t
        .rows
        .iter()
        .find(|r| rows::row_role(&r.name) == RowRole::Total)
    else {
        return;
    };
    let coded = t.rows.iter().any(|r| r.code.is_some());
    let parts: Vec<&Row> = t
        .rows
        .iter()
        .filter(|r| {
            !std::ptr::eq(*r, total)
                && r.level == Some(1)
                && rows::row_role(&r.name) == RowRole::Item
        })
        .collect();
    if parts.is_empty() {
        return;
    }
    for c in money_cols(t) {
        let Some(tv) = total.cells.get(c).copied().flatten() else {
            continue;
        };
        let mut sum = Decimal::ZERO;
        for p in &parts {
            sum += p.cells.get(c).copied().flatten().unwrap_or_default();
        }
        out.push(compare(
            &format!("{}.total_eq_sum_rows[{}]", t.table, t.columns[c]),
            sum,
            tv,
            parts.len(),
            vec![cell_ref(t, total, c)],
        ));
    }
    // Hierarchy, first money column only.
    let Some(c) = money_cols(t).next() else {
        return;
    };
    let kids = rows::children(&t.rows);
    for (parent, kids) in t.rows.iter().zip(&kids) {
        if kids.is_empty() {
            continue;
        }
        let Some(pv) = parent.cells.get(c).copied().flatten() else {
            continue;
        };
        let key = match parent.code.as_deref() {
            Some(code) => code.to_string(),
            None if coded => continue,
            None => parent.name.clone(),
        };
        let sum: Decimal = kids
            .iter()
            .map(|&k| {
                t.rows[k]
                    .cells
                    .get(c)
                    .copied()
                    .flatten()
                    .unwrap_or_default()
            })
            .sum();
        out.push(compare(
            &format!("{}.class_eq_sum[{}]", t.table, key),
            sum,
            pv,
            kids.len(),
            vec![cell_ref(t, parent, c)],
        ));
    }
}

/// On the 合计 row: each column group's total = Σ its part columns. Groups are the label prefixes
/// (`预算数/基本支出/人员经费` is in group `预算数/基本支出`); a group's total is its column whose leaf
/// is a total word (合计, 小计) or starts with the group's own name (项目支出/项目支出总数). A group named
/// by a spending part (基本支出 over 人员经费 | 公用经费) is itself a part of its parent group: through
/// its total when it has one, else through its parts. A group without a total of its own is compared
/// with the nearest enclosing group's total, or the table's first total column.
fn basic_plus_project(t: &Table, out: &mut Vec<Check>) {
    let Some(row) = total_row(t) else { return };
    let w = labels::words();
    let split = |l: &str| -> (String, String) {
        match l.rsplit_once('/') {
            Some((p, leaf)) => (p.to_string(), leaf.to_string()),
            None => (String::new(), l.to_string()),
        }
    };
    let parent_of = |g: &str| -> Option<String> {
        (!g.is_empty()).then(|| {
            g.rsplit_once('/')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default()
        })
    };
    let mut groups: BTreeMap<String, (Option<usize>, Vec<usize>)> = BTreeMap::new();
    for c in money_cols(t) {
        let l = t.columns[c].as_str();
        let (prefix, _) = split(l);
        let g = groups.entry(prefix).or_default();
        match w.role(l) {
            LabelRole::Total if g.0.is_none() => g.0 = Some(c),
            LabelRole::SpendingPart | LabelRole::BasicPart => g.1.push(c),
            _ => {}
        }
    }
    // Part-named subgroups (基本支出/…) join their parent, deepest first.
    let mut names: Vec<String> = groups.keys().cloned().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.matches('/').count()));
    for name in names {
        let own = name.rsplit('/').next().unwrap_or("");
        if name.is_empty() || !w.is_spending_part(own) {
            continue;
        }
        let Some(parent) = parent_of(&name) else {
            continue;
        };
        let (total, parts) = groups.get(&name).cloned().unwrap_or_default();
        let joined: Vec<usize> = match total {
            Some(tc) => vec![tc],
            None => {
                groups.remove(&name);
                parts
            }
        };
        let p = groups.entry(parent).or_default();
        p.1.extend(joined);
        p.1.sort_unstable();
        p.1.dedup();
    }
    let first_total = money_cols(t)
        .find(|&c| w.role(&t.columns[c]) == LabelRole::Total && current_year(t, &t.columns[c]));
    for (name, (total, parts)) in &groups {
        let mut tc = *total;
        let mut up = parent_of(name);
        while tc.is_none() {
            match up {
                Some(g) => {
                    tc = groups.get(&g).and_then(|x| x.0);
                    up = parent_of(&g);
                }
                None => break,
            }
        }
        let Some(tc) = tc.or(first_total) else {
            continue;
        };
        let parts: Vec<usize> = parts.iter().copied().filter(|&c| c != tc).collect();
        if parts.len() < 2 {
            continue;
        }
        let Some(tv) = row.cells.get(tc).copied().flatten() else {
            continue;
        };
        let sum: Decimal = parts
            .iter()
            .map(|&c| row.cells.get(c).copied().flatten().unwrap_or_default())
            .sum();
        let personnel = parts.iter().all(|&c| w.is_basic_part(leaf(&t.columns[c])))
            && parts.iter().any(|&c| w.is_personnel(leaf(&t.columns[c])));
        let id = if personnel {
            format!("{}.total_eq_personnel_plus_public", t.table)
        } else {
            format!("{}.total_eq_basic_plus_project", t.table)
        };
        let mut refs = vec![cell_ref(t, row, tc)];
        refs.extend(parts.iter().map(|&c| cell_ref(t, row, c)));
        out.push(compare(&id, sum, tv, parts.len(), refs));
    }
}

/// F06/B06 printed as rows: 合计 = 人员经费 + 公用经费.
fn personnel_plus_public_rows(t: &Table, out: &mut Vec<Check>) {
    let find_row = |w: &str| t.rows.iter().find(|r| norm_name(&r.name).starts_with(w));
    let (Some(total), Some(p), Some(q)) =
        (total_row(t), find_row("人员经费"), find_row("公用经费"))
    else {
        return;
    };
    let Some(c) = money_cols(t).find(|&c| total.cells.get(c).copied().flatten().is_some()) else {
        return;
    };
    let (Some(tv), a, b) = (
        total.cells.get(c).copied().flatten(),
        p.cells.get(c).copied().flatten(),
        q.cells.get(c).copied().flatten(),
    ) else {
        return;
    };
    out.push(compare(
        &format!("{}.total_eq_personnel_plus_public", t.table),
        a.unwrap_or_default() + b.unwrap_or_default(),
        tv,
        2,
        vec![cell_ref(t, total, c), cell_ref(t, p, c), cell_ref(t, q, c)],
    ));
}

/// 三公: 合计 = 出国 + 公务用车 + 接待, 公务用车 = 购置 + 运行, per column group.
fn sangong(t: &Table, out: &mut Vec<Check>) {
    let Some(row) = t.rows.iter().find(|r| r.cells.iter().any(Option::is_some)) else {
        return;
    };
    let meetings = t
        .columns
        .iter()
        .any(|c| c.contains("会议费") || c.contains("培训费"));
    let groups: Vec<&str> = if t.columns.iter().any(|c| leaf(c).contains("决算数")) {
        vec!["预算数", "决算数"]
    } else {
        vec![""]
    };
    for g in groups {
        let col = |pred: &dyn Fn(&[&str]) -> bool| -> Option<usize> {
            money_cols(t).find(|&c| {
                let parts: Vec<&str> = t.columns[c].split('/').collect();
                let parts: Vec<&str> = if g.is_empty() {
                    parts
                } else if parts.last().is_some_and(|l| l.contains(g)) {
                    parts[..parts.len() - 1].to_vec()
                } else {
                    return false;
                };
                pred(&parts)
            })
        };
        fn last<'a>(p: &[&'a str]) -> &'a str {
            p.last().copied().unwrap_or("")
        }
        let total = if meetings {
            col(&|p| last(p) == "小计" && p.len() >= 2 && p[p.len() - 2].contains("三公"))
        } else {
            col(&|p| last(p) == "合计")
        };
        let overseas = col(&|p| last(p).contains("出国"));
        let vehicle = col(&|p| {
            (last(p) == "小计" && p.len() >= 2 && p[p.len() - 2].contains("公务用车"))
                || (last(p).starts_with("公务用车购置及运行") && !p.contains(&"小计"))
        });
        let purchase = col(&|p| last(p).contains("购置费") && !last(p).contains("运行"));
        let operation = col(&|p| {
            last(p).contains("运行") && !last(p).contains("购置") && !last(p).contains("机关运行")
        });
        let reception = col(&|p| last(p).contains("接待"));
        let v = |c: Option<usize>| c.and_then(|c| row.cells.get(c).copied().flatten());
        let suffix = if g.is_empty() {
            String::new()
        } else {
            format!("[{g}]")
        };
        let mut identity = |name: &str, total: Option<usize>, parts: &[Option<usize>]| {
            let Some(tc) = total else { return };
            if parts.iter().any(Option::is_none) {
                return;
            }
            let printed = v(Some(tc)).is_some() || parts.iter().any(|p| v(*p).is_some());
            if !printed {
                return;
            }
            let sum: Decimal = parts.iter().map(|p| v(*p).unwrap_or_default()).sum();
            let mut refs = vec![cell_ref(t, row, tc)];
            refs.extend(parts.iter().flatten().map(|&c| cell_ref(t, row, c)));
            out.push(compare(
                &format!("{}.{}{}", t.table, name, suffix),
                sum,
                v(Some(tc)).unwrap_or_default(),
                parts.len(),
                refs,
            ));
        };
        identity("total_eq_parts", total, &[overseas, vehicle, reception]);
        identity("vehicle_eq_parts", vehicle, &[purchase, operation]);
    }
}

/// 执行率 = 执行数 / 预算数 at the printed precision.
fn p01_rate(t: &Table, out: &mut Vec<Check>) {
    for row in &t.rows {
        let (Some(budget), Some(done), Some(rate)) = (
            row.cells.first().copied().flatten(),
            row.cells.get(1).copied().flatten(),
            row.cells.get(2).copied().flatten(),
        ) else {
            continue;
        };
        let id = format!("P01.rate[{}]", row.name);
        if budget.is_zero() {
            continue;
        }
        let dp = row
            .raw
            .get(2)
            .and_then(|r| r.trim_end_matches('%').split_once('.'))
            .map(|(_, f)| f.len() as u32)
            .unwrap_or(0);
        let exact = done / budget * Decimal::from(100);
        let expected = exact.round_dp(dp);
        let diff = rate - expected;
        let half = Decimal::new(5, dp + 1);
        let status = if diff.is_zero() {
            Status::Pass
        } else if (rate - exact).abs() <= half * Decimal::from(2) {
            Status::Rounding
        } else {
            Status::Fail
        };
        out.push(Check {
            check: id,
            status,
            expected: Some(expected),
            actual: Some(rate),
            diff: Some(diff),
            refs: vec![
                format!("table:P01[{},执行数]@p{}", row.name, row.page),
                format!("table:P01[{},预算数]@p{}", row.name, row.page),
            ],
            message: None,
        });
    }
}

/// 总分 = the budget-execution 得分 + Σ the indicator rows' 得分.
fn p01_total(t: &Table, out: &mut Vec<Check>) {
    let col = |label: &str| t.column(|c| c == label);
    let (Some(ci), Some(cs), Some(ct)) = (col("指标得分"), col("得分"), col("总分")) else {
        return;
    };
    for row in &t.rows {
        let cell = |i: usize| row.cells.get(i).copied().flatten();
        let (Some(indicators), Some(budget_score), Some(total)) = (cell(ci), cell(cs), cell(ct))
        else {
            continue;
        };
        let n = row.raw.get(ci).map(|r| r.split('+').count()).unwrap_or(1) + 1;
        out.push(compare(
            &format!("P01.total_eq_sum_scores[{}]", row.name),
            budget_score + indicators,
            total,
            n,
            vec![
                format!("table:P01[{},得分]@p{}", row.name, row.page),
                format!("table:P01[{},指标得分]@p{}", row.name, row.page),
                format!("table:P01[{},总分]@p{}", row.name, row.page),
            ],
        ));
    }
}

/// The value of row `names` (or the 合计 row) in the first money column whose label satisfies `col`.
fn total_cell(t: &Table, col: impl Fn(&str) -> bool) -> Option<(Decimal, String)> {
    let row = total_row(t)?;
    money_cols(t)
        .filter(|&c| col(&t.columns[c]) && current_year(t, &t.columns[c]))
        .find_map(|c| {
            row.cells
                .get(c)
                .copied()
                .flatten()
                .map(|v| (v, cell_ref(t, row, c)))
        })
}

/// The 一般公共预算 funds of a 财政拨款收支总表 printed as income rows: Σ the income-side rows whose
/// name starts with a `gpb_income_rows` word (this year's 一般公共预算资金 and the 一般公共预算拨款
/// carried over, which the 一般公共预算支出表 spends too); `其中` rows are detail, not added.
fn gpb_income(t: &Table) -> Option<(Decimal, &Row, usize)> {
    let w = labels::words();
    let starts = w.gpb_income_rows();
    let mut found: Option<(Decimal, &Row, usize)> = None;
    for r in &t.rows {
        let n = norm_name(&r.name);
        if w.is_detail_row(&r.name) || !starts.iter().any(|s| n.starts_with(s.as_str())) {
            continue;
        }
        let Some(c) = money_cols(t).find(|&c| {
            r.raw.get(c).is_some_and(|x| !x.trim().is_empty())
                && w.is_income_side(&t.columns[c])
                && current_year(t, &t.columns[c])
        }) else {
            continue;
        };
        let v = r.cells.get(c).copied().flatten().unwrap_or_default();
        found = Some(match found {
            Some((s, r0, c0)) => (s + v, r0, c0),
            None => (v, r, c),
        });
    }
    found
}

fn cross_tables(tables: &[Table], out: &mut Vec<Check>) {
    for (side, f04, f05, f06) in [("F", "F04", "F05", "F06"), ("B", "B04", "B05", "B06")] {
        let (t4, t5, t6) = (by_id(tables, f04), by_id(tables, f05), by_id(tables, f06));
        if let (Some(t4), Some(t5)) = (t4, t5) {
            // The 一般公共预算 column of the expenditure side, or the 一般公共预算 income row.
            let gpb = find(
                t4,
                &["本年支出合计", "支出总计", "本年支出小计"],
                |l| l.contains("一般公共预算") && current_year(t4, l),
            )
            .or_else(|| gpb_income(t4));
            let total = total_cell(t5, |l| matches!(leaf(l), "合计" | "小计"))
                .or_else(|| total_cell(t5, |_| true));
            let id = format!("{f05}.total_eq_{f04}_gpb");
            match (gpb, total) {
                (Some((a, r, c)), Some((b, rb))) => {
                    out.push(compare(&id, a, b, 1, vec![cell_ref(t4, r, c), rb]))
                }
                _ => out.push(super::insufficient(
                    &id,
                    vec![],
                    format!("{side}: 一般公共预算 column of {f04} or 合计 of {f05} not found"),
                )),
            }
        }
        if let (Some(t5), Some(t6)) = (t5, t6) {
            let basic = total_cell(t5, |l| leaf(l) == "基本支出");
            let total = total_cell(t6, |l| matches!(leaf(l), "合计" | "小计" | "基本支出"))
                .or_else(|| total_cell(t6, |_| true))
                .or_else(|| match personnel_public(t6) {
                    [Some((a, ra, _, _)), Some((b, rb, _, _))] => {
                        Some((a + b, format!("{ra}+{rb}")))
                    }
                    _ => None,
                });
            let id = format!("{f06}.total_eq_{f05}_basic");
            let has_basic_column = t5.columns.iter().any(|l| leaf(l) == "基本支出");
            match (basic, total) {
                (Some((a, ra)), Some((b, rb))) => out.push(compare(&id, a, b, 1, vec![ra, rb])),
                _ if !has_basic_column => out.push(Check {
                    check: id,
                    status: Status::NotApplicable,
                    expected: None,
                    actual: None,
                    diff: None,
                    refs: vec![],
                    message: Some(format!("{f05} has no 基本支出 column")),
                }),
                _ => out.push(super::insufficient(
                    &id,
                    vec![],
                    format!("基本支出 合计 of {f05} or 合计 of {f06} not found"),
                )),
            }
        }
    }
}

/// Text vs table: the narrative may state a figure at a lower precision than the table prints it
/// (17192万元 for 171,915,169 元). The envelope is half a unit of the fact's last printed digit plus the
/// table's own 0.005 (a whole unit for 近/约/余/多 figures); never less than the one-item envelope.
fn text_compare(check: &str, table: Decimal, fact: &Fact, refs: Vec<String>) -> Check {
    let unit = Decimal::new(1, fact.value.scale());
    let envelope = if fact.approximate {
        unit
    } else {
        unit / Decimal::from(2) + Decimal::new(5, 3)
    }
    .max(super::rounding_envelope(1));
    super::compare_within(check, table, fact.value, envelope, refs)
}

fn text_vs_table(facts: &[Fact], tables: &[Table], out: &mut Vec<Check>) {
    for fig in key_figures(tables) {
        for f in facts
            .iter()
            .filter(|f| f.key == fig.key && f.item.is_none() && !f.pattern.starts_with("table:"))
        {
            let fact_ref = match f.page {
                Some(p) => format!("fact:{}@p{}", f.key, p),
                None => format!("fact:{}", f.key),
            };
            out.push(text_compare(
                &format!("text_vs_table.{}", fig.key),
                fig.value,
                f,
                vec![fig.cell_ref.clone(), fact_ref],
            ));
        }
    }
    // Per-item facts: a class's amount in the narrative vs its row in the expenditure tables.
    for f in facts
        .iter()
        .filter(|f| f.item.is_some() && !f.pattern.starts_with("table:"))
    {
        let Some(item) = f.item.as_deref() else {
            continue;
        };
        let ids: &[&str] = match f.key.as_str() {
            "expenditure.class" => &["F03", "B03", "F01", "B01"],
            "gpb.class.final" => &["F05"],
            "gpb.class.budget_initial" => &["B05"],
            _ => continue,
        };
        let want = norm_name(item);
        let found = ids.iter().filter_map(|id| by_id(tables, id)).find_map(|t| {
            let row = t
                .rows
                .iter()
                .find(|r| norm_name(&r.name) == want && r.level.is_none_or(|l| l <= 2))?;
            let c = money_cols(t).find(|&c| {
                row.cells.get(c).copied().flatten().is_some()
                    && matches!(
                        leaf(&t.columns[c]),
                        "合计" | "本年支出合计" | "决算数" | "预算数" | "金额" | "小计"
                    )
            })?;
            Some((row.cells.get(c).copied().flatten()?, cell_ref(t, row, c)))
        });
        if let Some((v, r)) = found {
            let fact_ref = match f.page {
                Some(p) => format!("fact:{}[{}]@p{}", f.key, item, p),
                None => format!("fact:{}[{}]", f.key, item),
            };
            out.push(text_compare(
                &format!("text_vs_table.{}[{}]", f.key, item),
                v,
                f,
                vec![r, fact_ref],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    fn row(name: &str, code: Option<&str>, cells: &[Option<&str>]) -> Row {
        Row {
            code: code.map(str::to_string),
            name: name.to_string(),
            cells: cells.iter().map(|c| c.map(d)).collect(),
            raw: cells.iter().map(|c| c.unwrap_or("").to_string()).collect(),
            page: 5,
            level: code.map(|c| if c.len() == 3 { 1 } else { 2 }),
            parent: code.filter(|c| c.len() > 3).map(|c| c[..3].to_string()),
            indent: None,
            bbox: None,
            bboxes: Vec::new(),
            cell_rects: Vec::new(),
        }
    }

    fn table(id: &str, columns: &[&str], units: &[&str], rows: Vec<Row>) -> Table {
        Table {
            table: id.to_string(),
            title: String::new(),
            unit_declared: Some("万元".to_string()),
            pages: [5, 5],
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            empty: false,
            empty_statement: None,
            unit: "万元".to_string(),
            unit_inferred: false,
            column_units: units.iter().map(|c| c.to_string()).collect(),
            layout: "ruled".to_string(),
            regions: Vec::new(),
            grid_rects: Vec::new(),
        }
    }

    fn fact(key: &str, item: Option<&str>, value: &str) -> Fact {
        Fact {
            key: key.to_string(),
            item: item.map(str::to_string),
            value: d(value),
            unit: "万元".to_string(),
            raw: value.to_string(),
            approximate: false,
            page: Some(21),
            section: String::new(),
            pattern: "p".to_string(),
            origin: crate::extract::facts::Origin::Narrative,
            cell: None,
            bbox: None,
            span: None,
        }
    }

    fn status<'c>(checks: &'c [Check], id: &str) -> &'c Check {
        checks
            .iter()
            .find(|c| c.check == id)
            .unwrap_or_else(|| panic!("no check {id}"))
    }

    #[test]
    fn sangong_identities_per_group() {
        let cols = [
            "三公/合计/预算数",
            "三公/合计/决算数",
            "三公/因公出国（境）费/决算数",
            "三公/公务用车购置及运行维护费/小计/决算数",
            "三公/公务用车购置及运行维护费/公务用车购置费/决算数",
            "三公/公务用车购置及运行维护费/公务用车运行维护费/决算数",
            "三公/公务接待费/决算数",
        ];
        let t = table(
            "F07",
            &cols,
            &["万元"; 7],
            vec![row(
                "",
                None,
                &[
                    Some("2.85"),
                    Some("0.39"),
                    Some("0.00"),
                    Some("0.00"),
                    None,
                    Some("0.00"),
                    Some("0.39"),
                ],
            )],
        );
        let checks = evaluate(&[], &[t]);
        assert_eq!(
            status(&checks, "F07.total_eq_parts[决算数]").status,
            Status::Pass
        );
        assert_eq!(
            status(&checks, "F07.vehicle_eq_parts[决算数]").status,
            Status::Pass
        );
    }

    #[test]
    fn class_rows_and_text_vs_table_per_item() {
        let t = table(
            "F05",
            &["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
            &["", "", "万元", "万元", "万元"],
            vec![
                row(
                    "合计",
                    None,
                    &[None, None, Some("326.72"), Some("300.00"), Some("26.72")],
                ),
                row(
                    "社会保障和就业支出",
                    Some("208"),
                    &[None, None, Some("326.72"), Some("300.00"), Some("26.72")],
                ),
                row(
                    "行政事业单位养老支出",
                    Some("20805"),
                    &[None, None, Some("300.00"), Some("300.00"), None],
                ),
                row(
                    "其他社会保障和就业支出",
                    Some("20899"),
                    &[None, None, Some("26.71"), None, Some("26.71")],
                ),
            ],
        );
        let facts = [fact(
            "gpb.class.final",
            Some("社会保障和就业支出"),
            "326.71",
        )];
        let checks = evaluate(&facts, &[t]);
        // 300.00 + 26.71 = 326.71 vs 326.72: one cent, within (2+1) × 0.005.
        assert_eq!(
            status(&checks, "F05.class_eq_sum[208]").status,
            Status::Rounding
        );
        let c = status(&checks, "text_vs_table.gpb.class.final[社会保障和就业支出]");
        assert_eq!(
            (c.status, c.expected, c.actual),
            (Status::Rounding, Some(d("326.72")), Some(d("326.71")))
        );
        assert_eq!(c.refs[0], "table:F05[社会保障和就业支出,合计]@p5");
        assert_eq!(
            status(&checks, "F05.total_eq_basic_plus_project").status,
            Status::Pass
        );
    }

    #[test]
    fn spanning_header_leaf_subtotal_totals_its_group() {
        // 合计 | 基本支出 (小计 | 人员经费 | 公用经费) | 项目支出: 小计 = 人员 + 公用, and
        // 合计 = 基本支出/小计 + 项目支出 (not 合计 = 人员 + 公用).
        let cols = [
            "科目名称",
            "预算数/合计",
            "预算数/基本支出/小计",
            "预算数/基本支出/人员经费",
            "预算数/基本支出/公用经费",
            "预算数/项目支出/项目支出总数",
            "预算数/项目支出/扣除基建项目后预算数",
        ];
        let cells = [
            None,
            Some("196278.67"),
            Some("3305.86"),
            Some("3115.12"),
            Some("190.74"),
            Some("192972.81"),
            Some("192972.81"),
        ];
        let t = table(
            "B05",
            &cols,
            &["", "万元", "万元", "万元", "万元", "万元", "万元"],
            vec![row("合计", None, &cells)],
        );
        let checks = evaluate(&[], &[t]);
        let p = status(&checks, "B05.total_eq_personnel_plus_public");
        assert_eq!(
            (p.status, p.actual, p.expected),
            (Status::Pass, Some(d("3305.86")), Some(d("3305.86")))
        );
        assert_eq!(p.refs[0], "table:B05[合计,预算数/基本支出/小计]@p5");
        let b = status(&checks, "B05.total_eq_basic_plus_project");
        assert_eq!(
            (b.status, b.actual, b.expected),
            (Status::Pass, Some(d("196278.67")), Some(d("196278.67")))
        );
        // Without the 小计 column, the parts of 基本支出 join the parent group.
        let cols = ["合计", "基本支出/人员经费", "基本支出/公用经费", "项目支出"];
        let t = table(
            "X",
            &cols,
            &["万元"; 4],
            vec![row(
                "合计",
                None,
                &[
                    Some("678.3536"),
                    Some("254.5183"),
                    Some("396.8353"),
                    Some("27"),
                ],
            )],
        );
        let checks = evaluate(&[], &[t]);
        let b = status(&checks, "X.total_eq_basic_plus_project");
        assert_eq!((b.status, b.refs.len()), (Status::Pass, 4));
        assert!(!checks
            .iter()
            .any(|c| c.check == "X.total_eq_personnel_plus_public"));
    }

    #[test]
    fn gpb_income_rows_current_and_carried_over() {
        // 财政拨款收支总表 by rows: this year's 一般公共预算资金 plus the 一般公共预算拨款 carried over
        // is what the 一般公共预算支出表 spends.
        let cols = ["收入/项目", "收入/预算数", "支出/项目", "支出/预算数"];
        let units = ["", "万元", "", "万元"];
        let r = |name: &str, v: Option<&str>| {
            let mut x = row(name, None, &[None, v, None, None]);
            x.raw[0] = name.to_string();
            x
        };
        let b04 = table(
            "B04",
            &cols,
            &units,
            vec![
                r("一、一般公共预算资金", Some("9616.338314")),
                r("二、政府性基金预算资金", None),
                r("本年收入合计", Some("9616.338314")),
                r("上年结转结余", Some("10.439275")),
                r("一、一般公共预算拨款", Some("10.439275")),
                r("其中：一般公共预算专项", Some("5")),
            ],
        );
        let b05 = table(
            "B05",
            &["科目名称", "合计"],
            &["", "万元"],
            vec![row("合计", None, &[None, Some("9626.777589")])],
        );
        let checks = evaluate(&[], &[b04, b05]);
        let c = status(&checks, "B05.total_eq_B04_gpb");
        assert_eq!(
            (c.status, c.expected, c.actual),
            (Status::Pass, Some(d("9626.777589")), Some(d("9626.777589")))
        );
    }

    #[test]
    fn header_year_columns_identities_read_the_current_year() {
        // 2025年预算数 | 2026年预算数 | 增减变化金额 on both sides: 收入总计 = 支出总计 and the items
        // are read in the 2026 column, never in the 2025 or change columns.
        let cols = [
            "收入/项目",
            "收入/2025年预算数",
            "收入/2026年预算数",
            "收入/增减变化金额",
            "支出/项目",
            "支出/2025年预算数",
            "支出/2026年预算数",
            "支出/增减变化金额",
        ];
        let units = ["", "万元", "万元", "万元", "", "万元", "万元", "万元"];
        let r = |name: &str, side: usize, v: [&str; 3]| {
            let mut cells: Vec<Option<&str>> = vec![None; 8];
            for (k, x) in v.iter().enumerate() {
                cells[side * 4 + 1 + k] = Some(x);
            }
            let mut x = row(name, None, &cells);
            x.raw[side * 4] = name.to_string();
            x
        };
        let t = table(
            "B04",
            &cols,
            &units,
            vec![
                r("一、一般公共预算拨款", 0, ["90", "100", "10"]),
                r("本年收入合计", 0, ["90", "100", "10"]),
                r("收入总计", 0, ["90", "100", "10"]),
                r("一、一般公共服务支出", 1, ["80", "100", "20"]),
                r("本年支出合计", 1, ["90", "100", "10"]),
                r("支出总计", 1, ["90", "100", "10"]),
            ],
        );
        let checks = evaluate(&[], &[t]);
        let b = status(&checks, "B04.balance");
        assert_eq!(b.refs[0], "table:B04[收入总计,收入/2026年预算数]@p5");
        let e = status(&checks, "B04.expenditure_items_eq_total");
        assert_eq!((e.status, e.actual), (Status::Pass, Some(d("100"))));
        assert_eq!(e.refs[0], "table:B04[本年支出合计,支出/2026年预算数]@p5");
    }

    #[test]
    fn empty_statement_with_values_fails() {
        let mut t = table(
            "B07",
            &["合计"],
            &["万元"],
            vec![row("", None, &[Some("47.91")])],
        );
        t.empty_statement =
            Some("注:本部门2024年无“三公”经费和机关运行经费预算，故本表为空表。".to_string());
        let checks = evaluate(&[], &[t]);
        assert_eq!(
            status(&checks, "B07.empty_statement_with_values").status,
            Status::Fail
        );
    }

    #[test]
    fn empty_statement_over_zeros_passes() {
        let statement = "注：本单位无一般公共预算“三公”经费支出，故本表无数据。".to_string();
        let mut zeros = table(
            "B07",
            &["合计", "因公出国(境)费"],
            &["万元", "万元"],
            vec![row("", None, &[Some("0.00"), Some("0")])],
        );
        zeros.empty_statement = Some(statement.clone());
        let checks = evaluate(&[], &[zeros.clone()]);
        assert_eq!(
            status(&checks, "B07.empty_statement_with_values").status,
            Status::Pass
        );
        // One value that is not zero contradicts the statement.
        zeros.rows[0].cells[1] = Some(d("0.01"));
        let checks = evaluate(&[], &[zeros]);
        assert_eq!(
            status(&checks, "B07.empty_statement_with_values").status,
            Status::Fail
        );
    }

    #[test]
    fn performance_rate_at_printed_precision() {
        let mut t = table(
            "P01",
            &["预算数", "执行数", "执行率", "得分", "总分"],
            &["万元", "万元", "%", "分", "分"],
            vec![row(
                "税务征收经费",
                None,
                &[
                    Some("230"),
                    Some("97.47"),
                    Some("42"),
                    Some("8.4"),
                    Some("88.4"),
                ],
            )],
        );
        t.rows[0].raw[2] = "42%".to_string();
        let checks = evaluate(&[], std::slice::from_ref(&t));
        assert_eq!(
            status(&checks, "P01.rate[税务征收经费]").status,
            Status::Pass
        );
        t.rows[0].cells[2] = Some(d("52"));
        let checks = evaluate(&[], &[t]);
        assert_eq!(
            status(&checks, "P01.rate[税务征收经费]").status,
            Status::Fail
        );
    }

    #[test]
    fn narrative_stating_the_same_figure_twice_gives_one_check() {
        let t = table(
            "F05",
            &["科目编码", "科目名称", "合计"],
            &["", "", "万元"],
            vec![row(
                "社会保障和就业支出",
                Some("208"),
                &[None, None, Some("326.72")],
            )],
        );
        let same = fact("gpb.class.final", Some("社会保障和就业支出"), "326.72");
        let mut other_page = fact("gpb.class.final", Some("社会保障和就业支出"), "326.70");
        other_page.page = Some(23);
        let checks = evaluate(&[same.clone(), same, other_page], &[t]);
        let ids: Vec<&str> = checks
            .iter()
            .filter(|c| c.check.starts_with("text_vs_table"))
            .map(|c| c.check.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "text_vs_table.gpb.class.final[社会保障和就业支出]",
                "text_vs_table.gpb.class.final[社会保障和就业支出]#2"
            ]
        );
        let second = status(
            &checks,
            "text_vs_table.gpb.class.final[社会保障和就业支出]#2",
        );
        assert_eq!(second.actual, Some(d("326.70")));
        assert!(second.refs[1].ends_with("@p23"));
    }

    #[test]
    fn final_account_with_a_listed_table_missing_from_the_body() {
        let contents = Listed {
            entries: vec![
                ("F02".to_string(), "二、收入决算表".to_string(), 2),
                ("F03".to_string(), "三、支出决算表".to_string(), 2),
            ],
            published_separately: None,
        };
        let f02 = table("F02", &["合计"], &["万元"], vec![]);
        let checks = listed(&contents, std::slice::from_ref(&f02));
        assert_eq!(status(&checks, "tables.listed[F02]").status, Status::Pass);
        let missing = status(&checks, "tables.listed[F03]");
        assert_eq!(missing.status, Status::Fail);
        assert_eq!(missing.refs, ["contents:三、支出决算表@p2"]);
        // A narrative-only file whose tables are published apart: not applicable.
        let apart = Listed {
            published_separately: Some("2017年度部门预算公开表附后。".to_string()),
            ..contents
        };
        let checks = listed(&apart, &[]);
        assert_eq!(
            status(&checks, "tables.listed[F03]").status,
            Status::NotApplicable
        );
    }

    #[test]
    fn narrative_only_file_lists_tables_it_does_not_hold() {
        // The contents of a narrative file names the tables; the file holds no standard table.
        let contents = Listed {
            entries: vec![
                ("B01".to_string(), "预算01表 收支总表".to_string(), 2),
                ("B03".to_string(), "预算03表 支出总表".to_string(), 2),
            ],
            published_separately: None,
        };
        let narrative_table = table("X", &["合计"], &["万元"], vec![]);
        let checks = listed(&contents, std::slice::from_ref(&narrative_table));
        let b03 = status(&checks, "tables.listed[B03]");
        assert_eq!(b03.status, Status::NotApplicable);
        assert!(b03
            .message
            .as_deref()
            .is_some_and(|m| m.contains("table part is not in this file")));
        // The same contents over a file that has its table part: a missing table fails.
        let b01 = table("B01", &["合计"], &["万元"], vec![]);
        let checks = listed(&contents, &[b01, narrative_table]);
        assert_eq!(status(&checks, "tables.listed[B01]").status, Status::Pass);
        assert_eq!(status(&checks, "tables.listed[B03]").status, Status::Fail);
    }
}
