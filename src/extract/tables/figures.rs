//! Key figures read from table cells, and the [`Fact`]s they yield when the narrative omits them.
//!
//! In: the tables of a document (and its narrative facts). Out: [`KeyFigure`]s — a metrics key, the
//! value in 万元, the cell's raw text, page and a reference `table:F01[总计,收入/决算数]@p7` — for:
//! - F01/B01 `income.grand_total`, `expenditure.grand_total` (总计/收入总计/支出总计 rows, side by
//!   the column label 收入/支出), `income.current_year`, `expenditure.current_year` (本年收入合计,
//!   本年支出合计, 当年收入小计, 当年支出小计);
//! - F03/B03 `expenditure.basic`, `expenditure.project` (合计 row, or the single unlabelled row);
//! - F05/B05 `gpb.expenditure` and `basic.total` (合计 row: 合计 and 基本支出 columns);
//! - F06/B06 `basic.personnel`, `basic.public` (人员经费合计 / 公用经费合计 rows, or columns);
//! - F07/B07 `sangong.final` (决算数 of 合计 in 决算; 预算数 or the plain 合计 in 预算, the “三公”
//!   小计 when the table also holds 会议费/培训费), `sangong.budget` (决算 tables' 合计/预算数),
//!   `sangong.overseas`, `sangong.vehicle`, `sangong.vehicle.purchase`, `sangong.vehicle.operation`,
//!   `sangong.reception`, and B07's `admin_cost.total` (机关运行经费).
//!
//! Blank cells yield nothing (a blank is not a zero). A table that disagrees with itself yields no
//! figure of the identity it breaks (三公 合计 ≠ parts, 公务用车 ≠ 购置 + 运行, 合计 ≠ 基本 + 项目 + …):
//! such a disagreement more often means misread columns than a misprint. 三公 figures also need the
//! 合计 and 公务用车 columns to be found at all. [`table_facts`] turns the figures into facts with
//! values at the narrative's precision (a table in 元 gives 156,211,123 元 = 15621.1123 万元, stated as
//! 15621.11; `raw` keeps the printed cell), and
//! `pattern` = the rule id (`table:F01.income.grand_total`) for keys the narrative does not state:
//! the narrative's own (possibly rounded) figure is what a reader quotes, and a disagreement is a
//! check (`text_vs_table.<key>`), not a second fact.
//!
//! Not here: comparisons (see [`crate::checks::tables`]). Limits: the three-part 收支预算总表 layout
//! (收入 | 功能分类 | 支出用途) is read by column labels, as every other.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::extract::facts::{CellSource, Fact, Origin};
use crate::normalize::normalize_line;

use super::{Row, Table};

/// A figure read from one table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigure {
    pub key: String,
    pub value: Decimal,
    pub raw: String,
    pub page: u32,
    /// Rule id, e.g. `table:F01.income.grand_total`.
    pub rule: String,
    /// Cell reference, e.g. `table:F01[总计,收入/决算数]@p7`.
    pub cell_ref: String,
    /// The table, row and column of the cell.
    pub cell: CellSource,
}

/// A row name in comparable form: whitespace, numbering (`一、`, `1.`, `(一)`) and `其中：` removed,
/// quotes dropped.
pub fn norm_name(s: &str) -> String {
    let mut t: String = normalize_line(s)
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"'))
        .collect();
    for p in ["其中：", "其中:"] {
        if let Some(rest) = t.strip_prefix(p) {
            t = rest.to_string();
        }
    }
    let bare = t.trim_start_matches(['(', '（']);
    let cut = bare.char_indices().find(|(_, c)| {
        !matches!(
            c,
            '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '0'..='9'
        )
    });
    match cut {
        Some((i, c)) if i > 0 && matches!(c, '、' | '.' | ')' | '）' | '．') => {
            bare[i + c.len_utf8()..].to_string()
        }
        _ => t.to_string(),
    }
}

/// The leaf (last part) of a column label.
pub fn leaf(label: &str) -> &str {
    label.rsplit('/').next().unwrap_or(label)
}

/// A cell reference `table:F01[总计,收入/决算数]@p7`.
pub fn cell_ref(t: &Table, row: &Row, col: usize) -> String {
    format!(
        "table:{}[{},{}]@p{}",
        t.table,
        if row.name.is_empty() {
            "-"
        } else {
            row.name.as_str()
        },
        t.columns.get(col).map(String::as_str).unwrap_or(""),
        row.page
    )
}

/// The first row (by normalised name in `names`, in preference order) with a value in a column whose
/// label satisfies `col`; returns (value, raw, row, column).
pub fn find<'t>(
    t: &'t Table,
    names: &[&str],
    col: impl Fn(&str) -> bool,
) -> Option<(Decimal, &'t Row, usize)> {
    for name in names {
        for row in t.rows.iter().filter(|r| norm_name(&r.name) == *name) {
            for (i, c) in row.cells.iter().enumerate() {
                let label = t.columns.get(i).map(String::as_str).unwrap_or("");
                if let Some(v) = c {
                    if t.column_units.get(i).map(String::as_str) == Some("万元") && col(label) {
                        return Some((*v, row, i));
                    }
                }
            }
        }
    }
    None
}

/// The 合计 row of a table, or its only row when that row has no name.
pub fn total_row(t: &Table) -> Option<&Row> {
    t.rows
        .iter()
        .find(|r| matches!(norm_name(&r.name).as_str(), "合计" | "总计"))
        .or(match t.rows.as_slice() {
            [only] if only.name.is_empty() => Some(only),
            _ => None,
        })
}

/// The first row holding any value (三公 tables print one unlabelled data row).
fn data_row(t: &Table) -> Option<&Row> {
    t.rows.iter().find(|r| r.cells.iter().any(Option::is_some))
}

fn figure(t: &Table, key: &str, row: &Row, col: usize, value: Decimal) -> KeyFigure {
    KeyFigure {
        key: key.to_string(),
        value,
        raw: row.raw.get(col).cloned().unwrap_or_default(),
        page: row.page,
        rule: format!("table:{}.{}", t.table, key),
        cell_ref: cell_ref(t, row, col),
        cell: CellSource {
            table: t.table.clone(),
            row: row.name.clone(),
            column: t.columns.get(col).cloned().unwrap_or_default(),
        },
    }
}

/// The column of `row` whose label satisfies `pred`, with its value.
fn value_in(t: &Table, row: &Row, pred: impl Fn(&str) -> bool) -> Option<(usize, Decimal)> {
    (0..t.columns.len()).find_map(|i| {
        let label = t.columns[i].as_str();
        if t.column_units.get(i).map(String::as_str) != Some("万元") || !pred(label) {
            return None;
        }
        row.cells.get(i).copied().flatten().map(|v| (i, v))
    })
}

/// Key figures of the summary tables (F01/B01).
fn summary(t: &Table, out: &mut Vec<KeyFigure>) {
    let budget = t.table.starts_with('B');
    let income_col = |l: &str| l.contains("收入") || l.is_empty();
    let spend_col = |l: &str| l.contains("支出") || l.is_empty();
    let mut push = |key: &str, found: Option<(Decimal, &Row, usize)>| {
        if let Some((v, row, col)) = found {
            out.push(figure(t, key, row, col, v));
        }
    };
    let grand_in: &[&str] = if budget {
        &["收入总计", "收入合计"]
    } else {
        &["收入总计"]
    };
    let grand_out: &[&str] = if budget {
        &["支出总计", "支出合计"]
    } else {
        &["支出总计"]
    };
    push(
        "income.grand_total",
        find(t, grand_in, income_col).or_else(|| find(t, &["总计"], |l| l.contains("收入"))),
    );
    push(
        "expenditure.grand_total",
        find(t, grand_out, spend_col).or_else(|| find(t, &["总计"], |l| l.contains("支出"))),
    );
    push(
        "income.current_year",
        find(
            t,
            &["本年收入合计", "当年收入小计", "本年收入小计"],
            income_col,
        ),
    );
    push(
        "expenditure.current_year",
        find(
            t,
            &["本年支出合计", "当年支出小计", "本年支出小计"],
            spend_col,
        ),
    );
}

/// Key figures of the expenditure tables (F03/B03).
/// Gate: the figures of one table are kept only when the table agrees with itself: `total` equals
/// the sum of `parts` within the rounding envelope (blank parts count as zero). A table whose columns
/// were misread rarely passes; a wrong fact is worse than none.
fn consistent(total: Option<Decimal>, parts: &[Option<Decimal>]) -> bool {
    let Some(total) = total else { return true };
    let sum: Decimal = parts.iter().map(|p| p.unwrap_or_default()).sum();
    let envelope = crate::checks::rounding_envelope(parts.len());
    (total - sum).abs() <= envelope
}

/// The parts the year's expenditure splits into (a 合计 = Σ these).
pub(crate) const SPENDING_PARTS: [&str; 7] = [
    "基本支出",
    "项目支出",
    "上缴上级支出",
    "经营支出",
    "对附属单位补助支出",
    "对下级单位补助支出",
    "单位预留机动经费",
];

fn expenditure(t: &Table, out: &mut Vec<KeyFigure>) {
    let Some(row) = total_row(t) else { return };
    let total = value_in(t, row, |l| {
        matches!(leaf(l), "合计" | "本年支出合计" | "支出合计")
    })
    .map(|(_, v)| v);
    let parts: Vec<Option<Decimal>> = SPENDING_PARTS
        .iter()
        .map(|w| value_in(t, row, |l| leaf(l) == *w).map(|(_, v)| v))
        .collect();
    if !consistent(total, &parts) {
        return;
    }
    for (key, word) in [
        ("expenditure.basic", "基本支出"),
        ("expenditure.project", "项目支出"),
    ] {
        if let Some((col, v)) = value_in(t, row, |l| leaf(l) == word) {
            out.push(figure(t, key, row, col, v));
        }
    }
}

/// Key figures of the 一般公共预算 expenditure table (F05/B05): its 合计 row.
fn gpb(t: &Table, out: &mut Vec<KeyFigure>) {
    let Some(row) = total_row(t) else { return };
    for (key, words) in [
        ("gpb.expenditure", &["合计", "小计"][..]),
        ("basic.total", &["基本支出"][..]),
    ] {
        let single = t.column_units.iter().filter(|u| *u == "万元").count() == 1;
        let found = value_in(t, row, |l| words.contains(&leaf(l))).or_else(|| {
            (single && key == "gpb.expenditure").then(|| value_in(t, row, |_| true))?
        });
        if let Some((col, v)) = found {
            out.push(figure(t, key, row, col, v));
        }
    }
}

/// Key figures of the basic-expenditure table (F06/B06): 人员经费 and 公用经费 totals, printed as
/// rows (人员经费合计) or as columns of the 合计 row: (value, cell reference, raw text, page).
pub fn personnel_public(t: &Table) -> [Option<(Decimal, String, String, u32)>; 2] {
    personnel_public_cells(t).map(|found| {
        found.map(|(v, row, col)| {
            (
                v,
                cell_ref(t, row, col),
                row.raw.get(col).cloned().unwrap_or_default(),
                row.page,
            )
        })
    })
}

/// The cells of [`personnel_public`]: (value, row, column).
fn personnel_public_cells(t: &Table) -> [Option<(Decimal, &Row, usize)>; 2] {
    ["人员经费", "公用经费"].map(|w| {
        let by_row = t
            .rows
            .iter()
            .filter(|r| {
                let n = norm_name(&r.name);
                n == format!("{w}合计") || n == w
            })
            .find_map(|r| {
                (0..t.columns.len()).find_map(|i| {
                    let v = r.cells.get(i).copied().flatten()?;
                    (t.column_units.get(i).map(String::as_str) == Some("万元")).then_some((v, r, i))
                })
            });
        by_row.or_else(|| {
            let row = total_row(t)?;
            let (col, v) = value_in(t, row, |l| leaf(l) == w)?;
            Some((v, row, col))
        })
    })
}

fn basic(t: &Table, out: &mut Vec<KeyFigure>) {
    for (key, found) in ["basic.personnel", "basic.public"]
        .into_iter()
        .zip(personnel_public_cells(t))
    {
        if let Some((value, row, col)) = found {
            out.push(figure(t, key, row, col, value));
        }
    }
}

/// True for a 三公 column label of the part `part` in the column group `group` (`决算数`, `预算数` or
/// `` for tables without groups).
fn sangong_col(label: &str, part: &str, group: &str) -> bool {
    let parts: Vec<&str> = label.split('/').map(|p| p.trim()).collect();
    let in_group = group.is_empty() || parts.last().is_some_and(|l| *l == group);
    if !in_group {
        return false;
    }
    // Without the group word, the part is the leaf; with it, the part is the level above.
    let target: Vec<&str> = if group.is_empty() || parts.len() < 2 {
        parts.clone()
    } else {
        parts[..parts.len() - 1].to_vec()
    };
    let Some(last) = target.last() else {
        return false;
    };
    let parent = if target.len() >= 2 {
        target[target.len() - 2]
    } else {
        ""
    };
    match part {
        "total" => *last == "合计",
        "sangong_subtotal" => *last == "小计" && parent.contains("三公"),
        "overseas" => last.contains("出国"),
        "vehicle" => {
            (*last == "小计" && parent.contains("公务用车"))
                || (last.starts_with("公务用车购置及运行") && !target.contains(&"小计"))
        }
        "purchase" => last.contains("购置费") && !last.contains("运行"),
        "operation" => {
            last.contains("运行") && !last.contains("购置") && !last.contains("机关运行")
        }
        "reception" => last.contains("接待"),
        "admin" => last.contains("机关运行经费"),
        _ => false,
    }
}

/// The first label level of the latest year when the columns are grouped by two or more years
/// (labels opening with a four-digit year: `2022年/…`); `None` otherwise.
fn latest_year_group(columns: &[String]) -> Option<String> {
    let years: std::collections::BTreeSet<&str> = columns
        .iter()
        .filter_map(|c| {
            let top = c.split('/').next()?;
            (c.contains('/') && top.len() > 4 && top.as_bytes()[..4].iter().all(u8::is_ascii_digit))
                .then_some(top)
        })
        .collect();
    (years.len() >= 2)
        .then(|| years.iter().next_back().map(|y| format!("{y}/")))
        .flatten()
}

/// Key figures of the 三公 tables (F07/B07).
fn sangong(t: &Table, out: &mut Vec<KeyFigure>) {
    let Some(row) = data_row(t) else { return };
    let final_table = t.table.starts_with('F');
    let grouped = t
        .columns
        .iter()
        .filter(|c| matches!(leaf(c), "决算数" | "预算数"))
        .count()
        >= 2;
    let group = if final_table && grouped {
        "决算数"
    } else if grouped {
        "预算数"
    } else {
        ""
    };
    let meetings = t
        .columns
        .iter()
        .any(|c| c.contains("会议费") || c.contains("培训费"));
    let total_part = if meetings {
        "sangong_subtotal"
    } else {
        "total"
    };
    let mut wanted = vec![
        ("sangong.final", total_part, group),
        ("sangong.overseas", "overseas", group),
        ("sangong.vehicle", "vehicle", group),
        ("sangong.vehicle.purchase", "purchase", group),
        ("sangong.vehicle.operation", "operation", group),
        ("sangong.reception", "reception", group),
    ];
    if final_table && grouped {
        wanted.push(("sangong.budget", total_part, "预算数"));
    }
    if !final_table {
        wanted.push(("admin_cost.total", "admin", ""));
    }
    // Budget tables that print the previous year beside this one (2021年 | 2022年 | 增减变化情况)
    // give this year's figures: the latest year's group only.
    // The same for groups named as the previous year's or the change (上年 | 当年 | 增减变化情况:
    // column words of patterns/tables/columns.toml).
    let latest = latest_year_group(&t.columns);
    let words = super::labels::words();
    let this_year = |l: &str| {
        latest.as_deref().is_none_or(|y| l.starts_with(y))
            && !words.is_previous_year(l)
            && !words.is_change(l)
    };
    let mut found: Vec<KeyFigure> = Vec::new();
    for (key, part, g) in wanted {
        if let Some((col, v)) = value_in(t, row, |l| this_year(l) && sangong_col(l, part, g)) {
            found.push(figure(t, key, row, col, v));
        }
    }
    let get = |k: &str| found.iter().find(|f| f.key == k).map(|f| f.value);
    let parts_ok = consistent(
        get("sangong.final"),
        &[
            get("sangong.overseas"),
            get("sangong.vehicle"),
            get("sangong.reception"),
        ],
    );
    let vehicle_ok = consistent(
        get("sangong.vehicle"),
        &[
            get("sangong.vehicle.purchase"),
            get("sangong.vehicle.operation"),
        ],
    );
    let has_col = |part: &str| {
        t.columns
            .iter()
            .any(|l| this_year(l) && sangong_col(l, part, group))
    };
    let anchored = has_col(total_part) && has_col("vehicle");
    if parts_ok && vehicle_ok && anchored {
        out.extend(found);
    } else {
        // Only the figure outside the 三公 identities survives.
        out.extend(found.into_iter().filter(|f| f.key == "admin_cost.total"));
    }
}

/// Every key figure the tables give.
pub fn key_figures(tables: &[Table]) -> Vec<KeyFigure> {
    let mut out = Vec::new();
    for t in tables.iter().filter(|t| !t.empty) {
        match t.table.as_str() {
            "F01" | "B01" => summary(t, &mut out),
            "F03" | "B03" => expenditure(t, &mut out),
            "F05" | "B05" => gpb(t, &mut out),
            "F06" | "B06" => basic(t, &mut out),
            "F07" | "B07" => sangong(t, &mut out),
            _ => {}
        }
    }
    // One figure per key: the first table that gives it.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.key.clone()));
    out
}

/// Facts from table cells for key figures the narrative does not state.
pub fn table_facts(tables: &[Table], narrative: &[Fact]) -> Vec<Fact> {
    key_figures(tables)
        .into_iter()
        .filter(|f| !narrative.iter().any(|n| n.key == f.key && n.item.is_none()))
        .map(|f| Fact {
            key: f.key,
            item: None,
            value: if f.value.scale() > 2 {
                f.value
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            } else {
                f.value
            },
            unit: "万元".to_string(),
            raw: f.raw,
            approximate: false,
            page: Some(f.page),
            section: f.cell_ref,
            pattern: f.rule,
            origin: Origin::Table,
            cell: Some(f.cell),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_like_the_scorer() {
        assert_eq!(
            norm_name("一、一般公共预算财政拨款收入"),
            "一般公共预算财政拨款收入"
        );
        assert_eq!(norm_name("1. 一般公共预算资金"), "一般公共预算资金");
        assert_eq!(norm_name("其中：捐赠收入"), "捐赠收入");
        assert_eq!(norm_name("总 计"), "总计");
        assert_eq!(norm_name("十九、住房保障支出"), "住房保障支出");
    }

    #[test]
    fn sangong_labels() {
        let l = "财政拨款“三公”经费/公务用车购置及运行费/公务用车运行费/决算数";
        assert!(sangong_col(l, "operation", "决算数"));
        assert!(!sangong_col(l, "operation", "预算数"));
        assert!(sangong_col(
            "财政拨款“三公”经费/合计/预算数",
            "total",
            "预算数"
        ));
        assert!(sangong_col(
            "“三公”经费预算数/公务用车购置及运行费/小计",
            "vehicle",
            ""
        ));
        assert!(sangong_col("“三公”经费/小计", "sangong_subtotal", ""));
        assert!(!sangong_col(
            "“三公”经费/公务用车购置及运行维护费/小计",
            "sangong_subtotal",
            ""
        ));
        assert!(sangong_col("机关运行经费预算数", "admin", ""));
    }

    #[test]
    fn sangong_figures_skip_the_previous_year_and_change_groups() {
        // 上年 | 当年 | 增减变化情况, each with 合计 and the “三公” 小计 (会议费 beside them).
        let groups = ["上年", "当年", "增减变化情况"];
        let mut columns = vec!["单位名称".to_string()];
        for g in groups {
            for leaf in [
                "合计",
                "“三公”经费预算/小计",
                "“三公”经费预算/公务用车购置及运行维护费/小计",
                "“三公”经费预算/公务用车购置及运行维护费/公务用车运行维护费",
                "会议费",
            ] {
                columns.push(format!("{g}/{leaf}"));
            }
        }
        let d = |s: &str| s.parse::<Decimal>().ok();
        let cells = vec![
            None,
            d("24.2"),
            d("12"),
            d("12"),
            d("12"),
            None,
            d("32.08"),
            d("10.1"),
            d("10.1"),
            d("10.1"),
            None,
            d("7.88"),
            d("-1.9"),
            d("-1.9"),
            d("-1.9"),
            None,
        ];
        let t = Table {
            table: "B07".to_string(),
            title: String::new(),
            unit_declared: Some("万元".to_string()),
            pages: [9, 9],
            column_units: columns
                .iter()
                .map(|c| if c == "单位名称" { "" } else { "万元" }.to_string())
                .collect(),
            columns,
            rows: vec![Row {
                code: None,
                name: "合计".to_string(),
                raw: cells.iter().map(|_| String::new()).collect(),
                cells,
                page: 9,
                level: None,
                parent: None,
                indent: None,
            }],
            empty: false,
            empty_statement: None,
            unit: "万元".to_string(),
            unit_inferred: false,
            layout: "positions".to_string(),
        };
        let figs = key_figures(&[t]);
        let fin = figs.iter().find(|f| f.key == "sangong.final");
        assert_eq!(fin.map(|f| f.value), d("10.1"));
        assert!(fin.is_some_and(|f| f.cell.column.starts_with("当年/")));
    }

    #[test]
    fn the_latest_year_group_of_a_two_year_table() {
        let cols: Vec<String> = [
            "单位名称",
            "2021年/合计",
            "2021年/“三公”经费/小计",
            "2022年/合计",
            "2022年/“三公”经费/小计",
            "增减变化情况/合计",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(latest_year_group(&cols).as_deref(), Some("2022年/"));
        // One year only (or none): no group to choose.
        assert_eq!(latest_year_group(&cols[..3]), None);
        assert_eq!(latest_year_group(&["合计".to_string()]), None);
    }
}
