//! The one evaluator of the identities of `patterns/identities.toml` (see [`super::identities`]):
//! over the narrative's facts (the fact modes, in [`super::facts`]), within tables, across tables,
//! and text vs table.
//!
//! In: facts and tables of one document and the [`Identities`] of the pattern set. Out: checks, each
//! with refs to the cells compared (`table:F01[总计,收入/决算数]@p7`) and facts
//! (`fact:income.grand_total@p3`), its terms (every cell and fact read, with its role), a formula in
//! words and the envelope used. Each [`Mode`] is one way of finding a total and its parts; the rows,
//! columns and keys it names are the identity's data. Order: the fact identities in file order; then,
//! for each table, the table identities in
//! file order; then the cross-table identities pair by pair (the first pair of each, then the second);
//! then text vs table. `tables.listed[<id>]` (see [`listed`], on the contents list) is evaluated apart.
//!
//! Duplicates: [`dedup`] leaves one record per check; a check id evaluated on different figures is
//! numbered (`text_vs_table.sangong.overseas#2`).
//!
//! Blank cells are null, not zero, except inside a sum whose other terms are printed. Not here:
//! extraction, the words of any identity.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use super::identities::{default_identities, Identities, IdentityDef, Mode, Scope};
use super::{compare, Check, Role, SameKey, Status, Term};
use crate::extract::facts::{Fact, Origin};
use crate::extract::tables::contents::{table_part, Listed};
use crate::extract::tables::figures::{
    any_match, cell_ref, current_year, data_row, key_figures, leaf, money_cols, norm_name,
    select_any, total_row, ColMatch,
};
use crate::extract::tables::labels::{self, LabelRole};
use crate::extract::tables::rows::{self, RowRole};
use crate::extract::tables::{Row, Table};
use crate::normalize::normalize_line;

/// Evaluates the embedded default identities.
pub fn evaluate(facts: &[Fact], tables: &[Table]) -> Vec<Check> {
    evaluate_with(&default_identities(), facts, tables)
}

/// Evaluates every identity of `ids` that applies.
pub fn evaluate_with(ids: &Identities, facts: &[Fact], tables: &[Table]) -> Vec<Check> {
    let mut out = Vec::new();
    for d in ids.defs.iter().filter(|d| d.mode.scope() == Scope::Facts) {
        super::facts::fact_identity(d, facts, tables, &mut out);
    }
    for t in tables.iter().filter(|t| !t.empty) {
        for d in ids
            .defs
            .iter()
            .filter(|d| d.mode.scope() == Scope::Table && d.applies(&t.table))
        {
            table_identity(d, t, &mut out);
        }
    }
    let cross: Vec<&IdentityDef> = ids
        .defs
        .iter()
        .filter(|d| d.mode.scope() == Scope::Cross)
        .collect();
    let sides = cross.iter().map(|d| d.pairs.len()).max().unwrap_or(0);
    for side in 0..sides {
        for d in &cross {
            if let Some([a, b]) = d.pairs.get(side) {
                cross_table(d, tables, a, b, &mut out);
            }
        }
    }
    for d in ids.defs.iter().filter(|d| d.mode.scope() == Scope::Text) {
        match d.mode {
            Mode::TextVsFigures => text_vs_figures(d, facts, tables, &mut out),
            _ => text_vs_rows(d, facts, tables, &mut out),
        }
    }
    dedup(&mut out);
    out
}

fn table_identity(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    match d.mode {
        Mode::CellsEqual => cells_equal(d, t, out),
        Mode::RowParts => row_parts(d, t, out),
        Mode::NumberedRows => numbered_rows(d, t, out),
        Mode::SumRows => sum_rows(d, t, out),
        Mode::ColumnGroups => column_groups(d, t, out),
        Mode::NamedRowsSum => named_rows_sum(d, t, out),
        Mode::ColumnParts => column_parts(d, t, out),
        Mode::Rate => rate(d, t, out),
        Mode::ScoreSum => score_sum(d, t, out),
        Mode::EmptyStatement => empty_statement(d, t, out),
        Mode::CrossTable
        | Mode::TextVsFigures
        | Mode::TextVsRows
        | Mode::FactParts
        | Mode::FactItems
        | Mode::FactYoy => {}
    }
}

/// The check id of `d` with `{table}` and the given names filled in.
fn id_of(template: &str, t: &str, fill: &[(&str, &str)]) -> String {
    let mut s = template.replace("{table}", t);
    for (k, v) in fill {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// `cells_equal`: the `expected` cell = the `total` cell.
fn cells_equal(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    if t.rows.is_empty() {
        return;
    }
    let id = id_of(&d.id, &t.table, &[]);
    match (select_any(t, &d.expected), select_any(t, &d.total)) {
        (Some((a, ra, ca)), Some((b, rb, cb))) => out.push(
            compare(&id, a, b, 1, vec![cell_ref(t, ra, ca), cell_ref(t, rb, cb)]).with_terms(vec![
                Term::cell(Role::Part, t, ra, ca),
                Term::cell(Role::Total, t, rb, cb),
            ]),
        ),
        _ => out.push(super::insufficient(
            &id,
            vec![format!("table:{}@p{}", t.table, t.pages[0])],
            d.missing.clone(),
        )),
    }
}

/// `row_parts`: a total cell = Σ the rows named by `part_rows` in its column (absent rows are
/// skipped, blank parts count as zero).
fn row_parts(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let Some((tv, tr, tc)) = select_any(t, &d.total) else {
        return;
    };
    let mut sum = Decimal::ZERO;
    let mut refs = vec![cell_ref(t, tr, tc)];
    let mut terms = vec![Term::cell(Role::Total, t, tr, tc)];
    let mut n = 0;
    for p in &d.part_rows {
        if let Some(row) = t
            .rows
            .iter()
            .find(|r| norm_name(&r.name).starts_with(p.as_str()))
        {
            n += 1;
            terms.push(Term::cell(Role::Part, t, row, tc));
            if let Some(v) = row.cells.get(tc).copied().flatten() {
                sum += v;
                refs.push(cell_ref(t, row, tc));
            }
        }
    }
    if n > 0 {
        let id = id_of(&d.id, &t.table, &[]);
        out.push(compare(&id, sum, tv, n, refs).with_terms(terms));
    }
}

/// `numbered_rows`: the numbered item rows (`一、…`) of a summary table's side = its total row.
fn numbered_rows(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let Some((tv, tr, tc)) = select_any(t, &d.total) else {
        return;
    };
    let label_cols = side_label_columns(t, &d.side, tr);
    // Items printed before the total (numbered rows after it belong to the balance carried).
    let before = t
        .rows
        .iter()
        .position(|r| std::ptr::eq(r, tr))
        .unwrap_or(t.rows.len());
    let items = numbered_items(d, &t.rows[..before], &label_cols);
    if items.is_empty() {
        return;
    }
    // An item printed blank over rows that hold its parts (`一、部门预算` over `1、财政拨款 …`)
    // counts as the sum of those rows; its terms are those rows.
    let kids = rows::children(&t.rows);
    let mut sum = Decimal::ZERO;
    let mut terms = vec![Term::cell(Role::Total, t, tr, tc)];
    for r in &items {
        let i = t
            .rows
            .iter()
            .position(|x| std::ptr::eq(x, *r))
            .unwrap_or(usize::MAX);
        let mut parts = Vec::new();
        sum += value_through_children(t, &kids[..before], i, tc, &mut parts).unwrap_or_default();
        if parts.is_empty() {
            parts.push(i);
        }
        terms.extend(
            parts
                .iter()
                .filter_map(|&k| t.rows.get(k))
                .map(|x| Term::cell(Role::Part, t, x, tc)),
        );
    }
    out.push(
        compare(
            &id_of(&d.id, &t.table, &[]),
            sum,
            tv,
            items.len(),
            vec![cell_ref(t, tr, tc)],
        )
        .with_terms(terms),
    );
}

/// The label columns of one side of a summary table (its rows print their names there): the text
/// columns whose header names the side. Side-by-side classifications of one side (支出功能分类 |
/// 经济分类 …) each print their items and the total: then only the label column of the total row
/// `total` read.
fn side_label_columns(t: &Table, side: &str, total: &Row) -> Vec<usize> {
    let label_cols: Vec<usize> = (0..t.columns.len())
        .filter(|&i| {
            t.column_units.get(i).map(String::as_str) != Some(crate::amount::WAN_YUAN)
                && t.columns[i].contains(side)
        })
        .collect();
    let total_col = label_cols
        .iter()
        .copied()
        .find(|&i| total.raw.get(i).is_some_and(|x| !x.is_empty()));
    match total_col {
        Some(i) => vec![i],
        None => label_cols,
    }
}

/// The numbered item rows (`一、…`: numerals, then the number mark) of `rows` that print their name
/// in one of `label_cols`.
fn numbered_items<'t>(d: &IdentityDef, rows: &'t [Row], label_cols: &[usize]) -> Vec<&'t Row> {
    rows.iter()
        .filter(|r| {
            let n = normalize_line(&r.name);
            n.char_indices()
                .find(|(_, c)| !d.numerals.contains(*c))
                .is_some_and(|(i, c)| i > 0 && d.number_mark.starts_with(c))
        })
        .filter(|r| {
            label_cols
                .iter()
                .any(|&i| r.raw.get(i).is_some_and(|x| !x.is_empty()))
        })
        .collect()
}

/// The value of row `i` in column `c`: its cell, or, printed blank, the sum of the rows under it that
/// hold values (through blank rows again); `None` when neither. Only rows of `kids` (those printed
/// before the total) and rows under them that are items (no total, subtotal or `其中` row) are read;
/// the rows read go to `parts`.
fn value_through_children(
    t: &Table,
    kids: &[Vec<usize>],
    i: usize,
    c: usize,
    parts: &mut Vec<usize>,
) -> Option<Decimal> {
    let row = t.rows.get(i)?;
    if let Some(v) = row.cells.get(c).copied().flatten() {
        parts.push(i);
        return Some(v);
    }
    let mut sum: Option<Decimal> = None;
    for &k in kids.get(i)? {
        let item = t
            .rows
            .get(k)
            .is_some_and(|r| rows::row_role(&r.name) == RowRole::Item);
        if k >= kids.len() || !item {
            continue;
        }
        if let Some(v) = value_through_children(t, kids, k, c, parts) {
            sum = Some(sum.unwrap_or_default() + v);
        }
    }
    sum
}

/// `sum_rows`: 合计 = Σ the top-level rows (类 rows of classified tables; for tables without codes the
/// rows of level 1 by indentation or numbering, or every listed row), subtotal and `其中` rows never
/// among them; and each row with rows under it = Σ those rows (类 = Σ 款, 款 = Σ 项, a unit = Σ its
/// items). The hierarchy is the one [`rows::set_hierarchy`] gave the table.
fn sum_rows(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let Some(total) = t
        .rows
        .iter()
        .find(|r| rows::row_role(&r.name) == RowRole::Total)
    else {
        return;
    };
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
    total_eq_top_rows(d, t, total, &parts, out);
    if !d.child_id.is_empty() {
        parents_eq_children(d, t, out);
    }
}

/// The total row = Σ the top-level rows, in every money column where the total holds a value (blank
/// parts are zero).
fn total_eq_top_rows(
    d: &IdentityDef,
    t: &Table,
    total: &Row,
    parts: &[&Row],
    out: &mut Vec<Check>,
) {
    for c in money_cols(t) {
        let Some(tv) = total.cells.get(c).copied().flatten() else {
            continue;
        };
        let mut sum = Decimal::ZERO;
        for p in parts {
            sum += p.cells.get(c).copied().flatten().unwrap_or_default();
        }
        let mut terms = vec![Term::cell(Role::Total, t, total, c)];
        terms.extend(parts.iter().map(|p| Term::cell(Role::Part, t, p, c)));
        out.push(
            compare(
                &id_of(&d.id, &t.table, &[("column", &t.columns[c])]),
                sum,
                tv,
                parts.len(),
                vec![cell_ref(t, total, c)],
            )
            .with_terms(terms),
        );
    }
}

/// Each row with rows under it = Σ them, in the first money column (`child_id`, `{code}`: the
/// code, or the name of an uncoded row in a table without codes).
fn parents_eq_children(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let Some(c) = money_cols(t).next() else {
        return;
    };
    let coded = t.rows.iter().any(|r| r.code.is_some());
    let value = |r: &Row| r.cells.get(c).copied().flatten();
    let kids = rows::children(&t.rows);
    for (parent, kids) in t.rows.iter().zip(&kids) {
        if kids.is_empty() {
            continue;
        }
        let Some(pv) = value(parent) else {
            continue;
        };
        let key = match parent.code.as_deref() {
            Some(code) => code.to_string(),
            None if coded => continue,
            None => parent.name.clone(),
        };
        let sum: Decimal = kids
            .iter()
            .map(|&k| value(&t.rows[k]).unwrap_or_default())
            .sum();
        let mut terms = vec![Term::cell(Role::Total, t, parent, c)];
        terms.extend(
            kids.iter()
                .map(|&k| Term::cell(Role::Part, t, &t.rows[k], c)),
        );
        out.push(
            compare(
                &id_of(&d.child_id, &t.table, &[("code", &key)]),
                sum,
                pv,
                kids.len(),
                vec![cell_ref(t, parent, c)],
            )
            .with_terms(terms),
        );
    }
}

/// Column groups by label prefix: (its total column, its part columns).
type ColumnGroupMap = BTreeMap<String, (Option<usize>, Vec<usize>)>;

/// The group of a label prefix's parent (`预算数` of `预算数/基本支出`; `` of a top-level group).
fn parent_group(g: &str) -> Option<String> {
    (!g.is_empty()).then(|| {
        g.rsplit_once('/')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default()
    })
}

/// `column_groups`: on the total row, each column group's total = Σ its part columns. Groups are the
/// label prefixes (`预算数/基本支出/人员经费` is in group `预算数/基本支出`); a group's total is its
/// column whose leaf is a total word (合计, 小计) or starts with the group's own name (项目支出/项目支出
/// 总数). A group named by a spending part (基本支出 over 人员经费 | 公用经费) is itself a part of its
/// parent group: through its total when it has one, else through its parts. A group without a total
/// of its own is compared with the nearest enclosing group's total, or the table's first total
/// column. The column roles are the words of `tables/columns.toml`.
fn column_groups(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let Some(row) = total_row(t) else { return };
    let w = labels::words();
    let mut groups = group_columns(t, &w);
    join_part_groups(&mut groups, &w);
    let first_total = money_cols(t)
        .find(|&c| w.role(&t.columns[c]) == LabelRole::Total && current_year(t, &t.columns[c]));
    for (name, (total, parts)) in &groups {
        let Some(tc) = enclosing_total(&groups, name, *total).or(first_total) else {
            continue;
        };
        let parts: Vec<usize> = parts.iter().copied().filter(|&c| c != tc).collect();
        if parts.len() < 2 {
            continue;
        }
        if let Some(check) = group_check(d, t, row, tc, &parts, &w) {
            out.push(check);
        }
    }
}

/// The money columns of `t` by label prefix: the first total column and the spending-part columns.
fn group_columns(t: &Table, w: &labels::ColumnWords) -> ColumnGroupMap {
    let mut groups = ColumnGroupMap::new();
    for c in money_cols(t) {
        let l = t.columns[c].as_str();
        let prefix = l.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        let g = groups.entry(prefix.to_string()).or_default();
        match w.role(l) {
            LabelRole::Total if g.0.is_none() => g.0 = Some(c),
            LabelRole::SpendingPart | LabelRole::BasicPart => g.1.push(c),
            _ => {}
        }
    }
    groups
}

/// Part-named subgroups (基本支出/…) join their parent, deepest first: through their total when they
/// have one (the subgroup stays, to be checked itself), else through their parts (it goes).
fn join_part_groups(groups: &mut ColumnGroupMap, w: &labels::ColumnWords) {
    let mut names: Vec<String> = groups.keys().cloned().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.matches('/').count()));
    for name in names {
        let own = name.rsplit('/').next().unwrap_or("");
        if name.is_empty() || !w.is_spending_part(own) {
            continue;
        }
        let Some(parent) = parent_group(&name) else {
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
}

/// The group's own total column, else the nearest enclosing group's.
fn enclosing_total(groups: &ColumnGroupMap, name: &str, own: Option<usize>) -> Option<usize> {
    let mut tc = own;
    let mut up = parent_group(name);
    while tc.is_none() {
        let g = up?;
        tc = groups.get(&g).and_then(|x| x.0);
        up = parent_group(&g);
    }
    tc
}

/// On `row`: the total column `tc` = Σ the `parts` columns (`personnel_id` when the parts are the
/// basic parts 人员经费 / 公用经费); none when the total is blank.
fn group_check(
    d: &IdentityDef,
    t: &Table,
    row: &Row,
    tc: usize,
    parts: &[usize],
    w: &labels::ColumnWords,
) -> Option<Check> {
    let tv = row.cells.get(tc).copied().flatten()?;
    let sum: Decimal = parts
        .iter()
        .map(|&c| row.cells.get(c).copied().flatten().unwrap_or_default())
        .sum();
    let personnel = parts.iter().all(|&c| w.is_basic_part(leaf(&t.columns[c])))
        && parts.iter().any(|&c| w.is_personnel(leaf(&t.columns[c])));
    let id = if personnel && !d.personnel_id.is_empty() {
        id_of(&d.personnel_id, &t.table, &[])
    } else {
        id_of(&d.id, &t.table, &[])
    };
    let mut refs = vec![cell_ref(t, row, tc)];
    refs.extend(parts.iter().map(|&c| cell_ref(t, row, c)));
    let mut terms = vec![Term::cell(Role::Total, t, row, tc)];
    terms.extend(parts.iter().map(|&c| Term::cell(Role::Part, t, row, c)));
    Some(compare(&id, sum, tv, parts.len(), refs).with_terms(terms))
}

/// `named_rows_sum`: the total row = Σ the rows named by `part_rows` (each must be present), in the
/// first money column where the total row holds a value.
fn named_rows_sum(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let Some(total) = total_row(t) else { return };
    let mut parts: Vec<&Row> = Vec::new();
    for w in &d.part_rows {
        match t
            .rows
            .iter()
            .find(|r| norm_name(&r.name).starts_with(w.as_str()))
        {
            Some(r) => parts.push(r),
            None => return,
        }
    }
    let Some(c) = money_cols(t).find(|&c| total.cells.get(c).copied().flatten().is_some()) else {
        return;
    };
    let Some(tv) = total.cells.get(c).copied().flatten() else {
        return;
    };
    let sum: Decimal = parts
        .iter()
        .map(|r| r.cells.get(c).copied().flatten().unwrap_or_default())
        .sum();
    let mut refs = vec![cell_ref(t, total, c)];
    refs.extend(parts.iter().map(|r| cell_ref(t, r, c)));
    let mut terms = vec![Term::cell(Role::Total, t, total, c)];
    terms.extend(parts.iter().map(|r| Term::cell(Role::Part, t, r, c)));
    out.push(compare(&id_of(&d.id, &t.table, &[]), sum, tv, parts.len(), refs).with_terms(terms));
}

/// `column_parts`: per column group (预算数 / 决算数 when a leaf holds `grouped_when_leaf_has`), each
/// of `sums` on the first row holding a value: its total column = Σ its part columns (blank cells
/// count as zero when some of them is printed).
fn column_parts(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let Some(row) = data_row(t) else { return };
    let cp = &d.column_parts;
    let total_part = cp.total_part(t);
    let groups: Vec<&str> = if !d.grouped_when_leaf_has.is_empty()
        && t.columns
            .iter()
            .any(|c| leaf(c).contains(d.grouped_when_leaf_has.as_str()))
    {
        cp.group_words.iter().map(String::as_str).collect()
    } else {
        vec![""]
    };
    let rules = |part: &str| -> &[ColMatch] { cp.rules(part, total_part) };
    for g in groups {
        let col = |rules: &[ColMatch]| -> Option<usize> {
            money_cols(t).find(|&c| {
                let parts: Vec<&str> = t.columns[c].split('/').collect();
                let parts: Vec<&str> = if g.is_empty() {
                    parts
                } else if parts.last().is_some_and(|l| l.contains(g)) {
                    parts[..parts.len() - 1].to_vec()
                } else {
                    return false;
                };
                any_match(rules, &parts)
            })
        };
        let v = |c: Option<usize>| c.and_then(|c| row.cells.get(c).copied().flatten());
        let group = if g.is_empty() {
            String::new()
        } else {
            format!("[{g}]")
        };
        for s in &d.sums {
            let Some(tc) = col(rules(&s.total)) else {
                continue;
            };
            let parts: Vec<Option<usize>> = s.parts.iter().map(|p| col(rules(p))).collect();
            if parts.iter().any(Option::is_none) {
                continue;
            }
            let printed = v(Some(tc)).is_some() || parts.iter().any(|p| v(*p).is_some());
            if !printed {
                continue;
            }
            let sum: Decimal = parts.iter().map(|p| v(*p).unwrap_or_default()).sum();
            let mut refs = vec![cell_ref(t, row, tc)];
            refs.extend(parts.iter().flatten().map(|&c| cell_ref(t, row, c)));
            let mut terms = vec![Term::cell(Role::Total, t, row, tc)];
            terms.extend(
                parts
                    .iter()
                    .flatten()
                    .map(|&c| Term::cell(Role::Part, t, row, c)),
            );
            out.push(
                compare(
                    &id_of(&d.id, &t.table, &[("name", &s.name), ("group", &group)]),
                    sum,
                    v(Some(tc)).unwrap_or_default(),
                    parts.len(),
                    refs,
                )
                .with_terms(terms),
            );
        }
    }
}

/// `rate`: rate = done / budget × 100 at the printed precision; `columns` = [budget, done, rate]
/// (their labels in the refs; the cells by position).
fn rate(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let name = |i: usize| d.columns.get(i).map(String::as_str).unwrap_or("");
    for row in &t.rows {
        let (Some(budget), Some(done), Some(rate)) = (
            row.cells.first().copied().flatten(),
            row.cells.get(1).copied().flatten(),
            row.cells.get(2).copied().flatten(),
        ) else {
            continue;
        };
        let id = id_of(&d.id, &t.table, &[("row", &row.name)]);
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
        let mut c = super::record(
            &id,
            status,
            vec![
                format!("table:{}[{},{}]@p{}", t.table, row.name, name(1), row.page),
                format!("table:{}[{},{}]@p{}", t.table, row.name, name(0), row.page),
            ],
            None,
        );
        c.expected = Some(expected);
        c.actual = Some(rate);
        c.diff = Some(diff);
        c.envelope = Some(half * Decimal::from(2));
        c.terms = vec![
            Term::cell(Role::Total, t, row, 2),
            Term::cell(Role::Part, t, row, 1),
            Term::cell(Role::Part, t, row, 0),
        ];
        c.formula = Some(format!("{} = {} / {} × 100", name(2), name(1), name(0)));
        out.push(c);
    }
}

/// `score_sum`: the columns `columns` = [part, part, total] by label: total = Σ parts; the number
/// of items is the parts' printed `+` terms, plus one.
fn score_sum(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let [a, b, total] = d.columns.as_slice() else {
        return;
    };
    let col = |label: &str| t.column(|c| c == label);
    let (Some(cs), Some(ci), Some(ct)) = (col(a), col(b), col(total)) else {
        return;
    };
    for row in &t.rows {
        let cell = |i: usize| row.cells.get(i).copied().flatten();
        let (Some(first), Some(second), Some(tv)) = (cell(cs), cell(ci), cell(ct)) else {
            continue;
        };
        let n = row.raw.get(ci).map(|r| r.split('+').count()).unwrap_or(1) + 1;
        let r = |l: &str| format!("table:{}[{},{l}]@p{}", t.table, row.name, row.page);
        out.push(
            compare(
                &id_of(&d.id, &t.table, &[("row", &row.name)]),
                first + second,
                tv,
                n,
                vec![r(a), r(b), r(total)],
            )
            .with_terms(vec![
                Term::cell(Role::Total, t, row, ct),
                Term::cell(Role::Part, t, row, cs),
                Term::cell(Role::Part, t, row, ci),
            ]),
        );
    }
}

/// `empty_statement`: the table says it is empty but prints values: pass when every printed value
/// is 0 (the zeros say the same: no such expenditure), fail when it holds any other value.
fn empty_statement(d: &IdentityDef, t: &Table, out: &mut Vec<Check>) {
    let printed = t.rows.iter().flat_map(|r| r.cells.iter().flatten());
    if t.empty_statement.is_some() && printed.clone().next().is_some() {
        let status = if printed.clone().all(Decimal::is_zero) {
            Status::Pass
        } else {
            Status::Fail
        };
        let mut c = super::record(
            &id_of(&d.id, &t.table, &[]),
            status,
            vec![format!("table:{}@p{}", t.table, t.pages[0])],
            t.empty_statement.clone(),
        );
        for r in &t.rows {
            for (col, v) in r.cells.iter().enumerate() {
                if v.is_some() {
                    c.terms.push(Term::cell(Role::Part, t, r, col));
                }
            }
        }
        out.push(c);
    }
}

fn by_id<'t>(tables: &'t [Table], id: &str) -> Option<&'t Table> {
    tables.iter().find(|t| t.table == id && !t.empty)
}

/// The 一般公共预算 funds of a 财政拨款收支总表 printed as income rows: Σ the income-side rows whose
/// name starts with a `gpb_income_rows` word (this year's 一般公共预算资金 and the 一般公共预算拨款
/// carried over, which the 一般公共预算支出表 spends too); `其中` rows are detail, not added.
/// A sum of cells: the value, the first cell (row, column) and every cell summed.
type CellSum<'t> = (Decimal, &'t Row, usize, Vec<(&'t Row, usize)>);

fn gpb_income(t: &Table) -> Option<CellSum<'_>> {
    let w = labels::words();
    let starts = w.gpb_income_rows();
    let mut found: Option<CellSum<'_>> = None;
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
            Some((s, r0, c0, mut all)) => {
                all.push((r, c));
                (s + v, r0, c0, all)
            }
            None => (v, r, c, vec![(r, c)]),
        });
    }
    found
}

/// `cross_table`: a cell of A (`expected`, or the 一般公共预算 income rows) = a cell of B (`total`, or
/// the sum of `total_fallback_sum`).
fn cross_table(d: &IdentityDef, tables: &[Table], a: &str, b: &str, out: &mut Vec<Check>) {
    let (Some(ta), Some(tb)) = (by_id(tables, a), by_id(tables, b)) else {
        return;
    };
    let fill = |s: &str| {
        s.replace("{family}", a.get(..1).unwrap_or(""))
            .replace("{a}", a)
            .replace("{b}", b)
    };
    let id = fill(&d.id);
    let expected: Option<(Decimal, String, Vec<Term>)> = select_any(ta, &d.expected)
        .map(|(v, r, c)| {
            (
                v,
                cell_ref(ta, r, c),
                vec![Term::cell(Role::Part, ta, r, c)],
            )
        })
        .or_else(|| {
            if !d.expected_gpb_income {
                return None;
            }
            let (v, r, c, all) = gpb_income(ta)?;
            let terms = all
                .iter()
                .map(|(r, c)| Term::cell(Role::Part, ta, r, *c))
                .collect();
            Some((v, cell_ref(ta, r, c), terms))
        });
    let total: Option<(Decimal, String, Vec<Term>)> = select_any(tb, &d.total)
        .map(|(v, r, c)| {
            (
                v,
                cell_ref(tb, r, c),
                vec![Term::cell(Role::Total, tb, r, c)],
            )
        })
        .or_else(|| {
            if d.total_fallback_sum.is_empty() {
                return None;
            }
            let cells: Option<Vec<(Decimal, &Row, usize)>> = d
                .total_fallback_sum
                .iter()
                .map(|sels| select_any(tb, sels))
                .collect();
            let cells = cells?;
            let sum: Decimal = cells.iter().map(|(v, _, _)| *v).sum();
            let refs: Vec<String> = cells.iter().map(|(_, r, c)| cell_ref(tb, r, *c)).collect();
            let terms = cells
                .iter()
                .map(|(_, r, c)| Term::cell(Role::Total, tb, r, *c))
                .collect();
            Some((sum, refs.join("+"), terms))
        });
    let has_required =
        d.requires_leaf.is_empty() || ta.columns.iter().any(|l| leaf(l) == d.requires_leaf);
    match (expected, total) {
        (Some((x, rx, mut tx)), Some((y, ry, ty))) => {
            tx.extend(ty);
            out.push(compare(&id, x, y, 1, vec![rx, ry]).with_terms(tx))
        }
        _ if !has_required => out.push(super::record(
            &id,
            Status::NotApplicable,
            vec![],
            Some(fill(&d.not_applicable)),
        )),
        _ => out.push(super::insufficient(&id, vec![], fill(&d.missing))),
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

/// A fact not given by a table (read from the narrative, or derived from narrative figures).
fn narrative(f: &Fact) -> bool {
    f.origin != Origin::Table
}

/// `text_vs_figures`: each narrative fact (no item) whose key a table figure gives = the figure.
fn text_vs_figures(d: &IdentityDef, facts: &[Fact], tables: &[Table], out: &mut Vec<Check>) {
    for fig in key_figures(tables) {
        for f in facts
            .iter()
            .filter(|f| f.key == fig.key && f.item.is_none() && narrative(f))
        {
            let fact_ref = match f.page {
                Some(p) => format!("fact:{}@p{}", f.key, p),
                None => format!("fact:{}", f.key),
            };
            let mut terms = vec![Term::fact(Role::Text, f)];
            if let Some(t) = tables
                .iter()
                .find(|t| t.table == fig.cell.table && !t.empty)
            {
                if let Some(row) = t.rows.get(fig.at.0) {
                    terms.push(Term::cell(Role::Table, t, row, fig.at.1));
                }
            }
            out.push(
                text_compare(
                    &id_of(&d.id, "", &[("key", &fig.key)]),
                    fig.value,
                    f,
                    vec![fig.cell_ref.clone(), fact_ref],
                )
                .with_terms(terms),
            );
        }
    }
}

/// `text_vs_rows`: a per-item narrative fact = the row of its item (level ≤ `max_level`) in the first
/// of its tables that has one, in the first money column with a value whose leaf is in `leaf_in`.
fn text_vs_rows(d: &IdentityDef, facts: &[Fact], tables: &[Table], out: &mut Vec<Check>) {
    for f in facts.iter().filter(|f| f.item.is_some() && narrative(f)) {
        let Some(item) = f.item.as_deref() else {
            continue;
        };
        let Some(ids) = d.items.iter().find(|i| i.key == f.key) else {
            continue;
        };
        let want = norm_name(item);
        let max = d.max_level.unwrap_or(u8::MAX);
        let found = ids
            .tables
            .iter()
            .filter_map(|id| by_id(tables, id))
            .find_map(|t| {
                let row = t
                    .rows
                    .iter()
                    .find(|r| norm_name(&r.name) == want && r.level.is_none_or(|l| l <= max))?;
                let c = money_cols(t).find(|&c| {
                    row.cells.get(c).copied().flatten().is_some()
                        && d.leaf_in.iter().any(|w| leaf(&t.columns[c]) == w)
                })?;
                Some((
                    row.cells.get(c).copied().flatten()?,
                    cell_ref(t, row, c),
                    Term::cell(Role::Table, t, row, c),
                ))
            });
        if let Some((v, r, term)) = found {
            let fact_ref = match f.page {
                Some(p) => format!("fact:{}[{}]@p{}", f.key, item, p),
                None => format!("fact:{}[{}]", f.key, item),
            };
            out.push(
                text_compare(
                    &id_of(&d.id, "", &[("key", &f.key), ("item", item)]),
                    v,
                    f,
                    vec![r, fact_ref],
                )
                .with_terms(vec![Term::fact(Role::Text, f), term]),
            );
        }
    }
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
            super::record(&format!("tables.listed[{id}]"), status, refs, message)
        })
        .collect()
}

/// One record per check: records equal in everything collapse to the first (a narrative that states
/// the same figure twice on a page); records that share a check id but differ (the figure stated on
/// two pages, or twice with different values) keep the first id and number the others `#2`, `#3`, …
/// in order, so that ids stay unique within a document.
///
/// Records are looked up by what [`Check::same`] compares (a hash set, so a document with many
/// records costs their number, not its square).
pub fn dedup(checks: &mut Vec<Check>) {
    let mut seen: HashSet<SameKey<'_>> = HashSet::with_capacity(checks.len());
    let keep: Vec<bool> = checks.iter().map(|c| seen.insert(c.same_key())).collect();
    drop(seen);
    let mut keep = keep.into_iter();
    checks.retain(|_| keep.next().unwrap_or(false));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in checks.iter_mut() {
        let n = seen.entry(c.check.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            c.check = format!("{}#{}", c.check, n);
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

    #[test]
    fn dedup_collapses_equal_records_and_numbers_the_others() {
        let rec = |id: &str, expected: &str, actual: &str, page: u32| {
            compare(
                id,
                d(expected),
                d(actual),
                1,
                vec![format!("fact:k@p{page}")],
            )
        };
        let mut checks = vec![
            rec("a", "1.5", "1.5", 3),
            rec("b", "2", "3", 4),
            // The same record as the first, its figures printed with another scale.
            rec("a", "1.50", "1.500", 3),
            rec("a", "1.5", "1.5", 9),
            rec("b", "2", "3", 4).with_terms(Vec::new()),
            rec("a", "1.5", "1.6", 3),
        ];
        dedup(&mut checks);
        let ids: Vec<(&str, &str)> = checks
            .iter()
            .map(|c| (c.check.as_str(), c.refs[0].as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("a", "fact:k@p3"),
                ("b", "fact:k@p4"),
                ("a#2", "fact:k@p9"),
                ("a#3", "fact:k@p3")
            ]
        );
        assert_eq!(checks[0].expected, Some(d("1.5")));
        assert_eq!(checks[3].actual, Some(d("1.6")));
        assert_eq!(checks[3].status, Status::Fail);
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
