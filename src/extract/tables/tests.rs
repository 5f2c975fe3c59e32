//! End-to-end tests of table extraction on constructed pages (modelled on real report tables) and on
//! the seed text `samples/renshe-2020-final.txt`.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::figures::key_figures;
use super::grid::tests::{hrule, line, seg, vrule};
use super::*;
use crate::checks::Status;

fn test_id() -> Identifier<'static> {
    catalog::test_identifier(None)
}
use crate::document::{Format, Line, Page, Rule, TextQuality};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

fn pdf(pages: Vec<Page>) -> Document {
    Document {
        format: Format::Pdf,
        pages,
        text_quality: TextQuality::default(),
        warnings: Vec::new(),
    }
}

/// Every elementary edge of the grid `xs` × `ys`, except vertical edges listed in `open`
/// as (x index, row index) — missing edges make merged cells.
fn full_grid(xs: &[f32], ys: &[f32], open: &[(usize, usize)]) -> Vec<Rule> {
    let mut rules = Vec::new();
    for &y in ys {
        rules.push(hrule(xs[0], xs[xs.len() - 1], y));
    }
    for (i, &x) in xs.iter().enumerate() {
        for r in 0..ys.len() - 1 {
            if !open.contains(&(i, r)) {
                rules.push(vrule(x, ys[r], ys[r + 1]));
            }
        }
    }
    rules
}

/// A text line at height `y` with segments (text, x0, width).
fn at(y: f32, segs: &[(&str, f32, f32)]) -> Line {
    line(segs.iter().map(|(t, x, w)| seg(t, *x, y, *w)).collect())
}

fn cell(t: &Table, row: &str, col: &str) -> Option<Decimal> {
    let c = t.columns.iter().position(|l| l == col)?;
    let r = t.rows.iter().find(|r| r.name == row)?;
    r.cells.get(c).copied().flatten()
}

fn table<'t>(ts: &'t [Table], id: &str) -> &'t Table {
    ts.iter().find(|t| t.table == id).unwrap_or_else(|| {
        panic!(
            "no table {id} in {:?}",
            ts.iter().map(|t| &t.table).collect::<Vec<_>>()
        )
    })
}

/// F01 收入支出决算总表: ruled, 收入 and 支出 each a merged header cell over 项目 | 决算数.
fn f01_page() -> Page {
    let mut p = Page::new(6);
    let xs = [20.0, 180.0, 250.0, 410.0, 480.0];
    let ys = [100.0, 118.0, 136.0, 154.0, 172.0, 190.0];
    // Row 0: no edges at x index 1 and 3 → 收入 spans cols 0-1, 支出 spans 2-3.
    p.rules = full_grid(&xs, &ys, &[(1, 0), (3, 0)]);
    p.lines = vec![
        at(60.0, &[("收入支出决算总表", 180.0, 120.0)]),
        at(80.0, &[("单位：万元", 420.0, 50.0)]),
        at(104.0, &[("收入", 120.0, 20.0), ("支出", 340.0, 20.0)]),
        at(
            122.0,
            &[
                ("项目", 90.0, 20.0),
                ("决算数", 200.0, 30.0),
                ("项目", 320.0, 20.0),
                ("决算数", 440.0, 30.0),
            ],
        ),
        at(
            140.0,
            &[
                ("一、一般公共预算财政拨款收入", 22.0, 150.0),
                ("2,940.05", 205.0, 40.0),
                ("一、一般公共服务支出", 252.0, 100.0),
                ("2,106.66", 435.0, 40.0),
            ],
        ),
        at(
            158.0,
            &[
                ("二、政府性基金预算财政拨款收入", 22.0, 155.0),
                ("八、社会保障和就业支出", 252.0, 110.0),
                ("833.39", 445.0, 30.0),
            ],
        ),
        at(
            176.0,
            &[
                ("总计", 90.0, 20.0),
                ("2,995.39", 205.0, 40.0),
                ("总计", 320.0, 20.0),
                ("2,995.39", 435.0, 40.0),
            ],
        ),
    ];
    p
}

#[test]
fn ruled_grid_with_merged_header() {
    let ts = extract(&pdf(vec![f01_page()]), &Outline::default(), test_id());
    let t = table(&ts, "F01");
    assert_eq!(
        (t.title.as_str(), t.layout.as_str()),
        ("收入支出决算总表", "ruled")
    );
    assert_eq!(t.unit_declared.as_deref(), Some("万元"));
    assert_eq!(
        t.columns,
        vec!["收入/项目", "收入/决算数", "支出/项目", "支出/决算数"]
    );
    assert_eq!(
        cell(t, "一、一般公共预算财政拨款收入", "收入/决算数"),
        Some(d("2940.05"))
    );
    assert_eq!(
        cell(t, "二、政府性基金预算财政拨款收入", "收入/决算数"),
        None
    );
    assert_eq!(
        cell(t, "八、社会保障和就业支出", "支出/决算数"),
        Some(d("833.39"))
    );
    let totals: Vec<_> = t.rows.iter().filter(|r| r.name == "总计").collect();
    assert_eq!(totals.len(), 2);
    let figs = key_figures(&ts);
    let grand = figs
        .iter()
        .find(|f| f.key == "income.grand_total")
        .expect("figure");
    assert_eq!(grand.value, d("2995.39"));
    assert_eq!(grand.cell_ref, "table:F01[总计,收入/决算数]@p6");
    let checks = crate::checks::tables::evaluate(&[], &ts);
    let bal = checks
        .iter()
        .find(|c| c.check == "F01.balance")
        .expect("balance");
    assert_eq!(bal.status, Status::Pass);
}

#[test]
fn horizontal_rules_only_table() {
    // 支出决算表 ruled by rows only: columns come from the segments' x-positions.
    let mut p = Page::new(10);
    p.rules = vec![
        hrule(20.0, 480.0, 98.0),
        hrule(20.0, 480.0, 116.0),
        hrule(20.0, 480.0, 152.0),
    ];
    p.lines = vec![
        at(60.0, &[("支出决算表", 200.0, 60.0)]),
        at(80.0, &[("单位：万元", 420.0, 50.0)]),
        at(
            102.0,
            &[
                ("项目", 60.0, 20.0),
                ("本年支出合计", 210.0, 60.0),
                ("基本支出", 320.0, 40.0),
                ("项目支出", 420.0, 40.0),
            ],
        ),
        at(
            120.0,
            &[
                ("合计", 60.0, 20.0),
                ("2,940.05", 230.0, 40.0),
                ("2,336.91", 320.0, 40.0),
                ("603.14", 430.0, 30.0),
            ],
        ),
        at(
            138.0,
            &[
                ("201", 22.0, 15.0),
                ("一般公共服务支出", 40.0, 80.0),
                ("2,106.66", 230.0, 40.0),
                ("1,900.00", 320.0, 40.0),
                ("206.66", 430.0, 30.0),
            ],
        ),
        at(
            170.0,
            &[(
                "注：本表反映部门本年度各项支出情况，按功能分类科目列示。",
                20.0,
                300.0,
            )],
        ),
    ];
    let ts = extract(&pdf(vec![p]), &Outline::default(), test_id());
    let t = table(&ts, "F03");
    assert_eq!(t.columns[2..], ["本年支出合计", "基本支出", "项目支出"]);
    assert_eq!(cell(t, "合计", "基本支出"), Some(d("2336.91")));
    assert_eq!(cell(t, "合计", "项目支出"), Some(d("603.14")));
    let r = t
        .rows
        .iter()
        .find(|r| r.name == "一般公共服务支出")
        .expect("row");
    assert_eq!(r.code.as_deref(), Some("201"));
    let figs = key_figures(&ts);
    let basic = figs
        .iter()
        .find(|f| f.key == "expenditure.basic")
        .expect("basic");
    assert_eq!(
        (basic.value, basic.rule.as_str()),
        (d("2336.91"), "table:F03.expenditure.basic")
    );
    let checks = crate::checks::tables::evaluate(&[], &ts);
    let c = checks
        .iter()
        .find(|c| c.check == "F03.total_eq_basic_plus_project")
        .expect("identity");
    assert_eq!(c.status, Status::Pass);
}

#[test]
fn sangong_two_numbers_columns_from_x() {
    // Only two numbers printed; their columns (合计/预算数, 公务接待费/预算数) come from x.
    let mut p = Page::new(18);
    p.lines = vec![
        at(90.0, &[("财政拨款“三公”经费支出决算表", 300.0, 220.0)]),
        at(120.0, &[("单位：万元", 750.0, 55.0)]),
        at(160.0, &[("财政拨款“三公”经费", 230.0, 110.0)]),
        at(
            185.0,
            &[
                ("合计", 70.0, 20.0),
                ("因公出国（境）费", 160.0, 80.0),
                ("公务用车购置及运行费", 280.0, 100.0),
                ("公务接待费", 460.0, 50.0),
            ],
        ),
        at(
            205.0,
            &[
                ("预算数", 30.0, 30.0),
                ("决算数", 100.0, 30.0),
                ("预算数", 165.0, 30.0),
                ("决算数", 235.0, 30.0),
                ("预算数", 300.0, 30.0),
                ("决算数", 370.0, 30.0),
                ("预算数", 435.0, 30.0),
                ("决算数", 505.0, 30.0),
            ],
        ),
        at(225.0, &[("0.95", 45.0, 20.0), ("0.95", 450.0, 20.0)]),
    ];
    let ts = extract(&pdf(vec![p]), &Outline::default(), test_id());
    let t = table(&ts, "F07");
    assert_eq!(t.layout, "positions");
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].name, "");
    assert_eq!(
        cell(t, "", "财政拨款“三公”经费/合计/预算数"),
        Some(d("0.95"))
    );
    assert_eq!(
        cell(t, "", "财政拨款“三公”经费/公务接待费/预算数"),
        Some(d("0.95"))
    );
    assert_eq!(cell(t, "", "财政拨款“三公”经费/合计/决算数"), None);
    let figs = key_figures(&ts);
    assert!(figs
        .iter()
        .any(|f| f.key == "sangong.budget" && f.value == d("0.95")));
    // The 决算数 cells are blank: no sangong.final from the table.
    assert!(!figs.iter().any(|f| f.key == "sangong.final"));
}

#[test]
fn continuation_without_repeated_header() {
    let xs = [20.0, 60.0, 240.0, 330.0, 420.0];
    let mut p1 = Page::new(15);
    p1.rules = full_grid(&xs, &[100.0, 118.0, 136.0, 154.0], &[]);
    p1.lines = vec![
        at(60.0, &[("一般公共预算财政拨款支出决算表", 150.0, 180.0)]),
        at(80.0, &[("单位：万元", 380.0, 50.0)]),
        at(
            104.0,
            &[
                ("科目编码", 22.0, 36.0),
                ("科目名称", 120.0, 40.0),
                ("合计", 270.0, 20.0),
                ("基本支出", 360.0, 40.0),
            ],
        ),
        at(
            122.0,
            &[
                ("合计", 120.0, 20.0),
                ("300.00", 290.0, 30.0),
                ("200.00", 380.0, 30.0),
            ],
        ),
        at(
            140.0,
            &[
                ("201", 22.0, 15.0),
                ("一般公共服务支出", 70.0, 80.0),
                ("250.00", 290.0, 30.0),
                ("200.00", 380.0, 30.0),
            ],
        ),
    ];
    let mut p2 = Page::new(16);
    p2.rules = full_grid(&xs, &[50.0, 68.0, 86.0], &[]);
    p2.lines = vec![
        at(
            54.0,
            &[
                ("2010601", 22.0, 36.0),
                ("行政运行", 70.0, 40.0),
                ("250.00", 290.0, 30.0),
                ("200.00", 380.0, 30.0),
            ],
        ),
        at(
            72.0,
            &[
                ("208", 22.0, 15.0),
                ("社会保障和就业支出", 70.0, 90.0),
                ("50.00", 295.0, 25.0),
                ("—", 400.0, 10.0),
            ],
        ),
    ];
    let ts = extract(&pdf(vec![p1, p2]), &Outline::default(), test_id());
    assert_eq!(ts.len(), 1);
    let t = &ts[0];
    assert_eq!((t.table.as_str(), t.pages), ("F05", [15, 16]));
    let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["合计", "一般公共服务支出", "行政运行", "社会保障和就业支出"]
    );
    assert_eq!(t.rows[3].page, 16);
    assert_eq!(cell(t, "社会保障和就业支出", "合计"), Some(d("50")));
    assert_eq!(cell(t, "社会保障和就业支出", "基本支出"), None);
    assert_eq!(t.rows[2].code.as_deref(), Some("2010601"));
    let checks = crate::checks::tables::evaluate(&[], &ts);
    let c = checks
        .iter()
        .find(|c| c.check == "F05.total_eq_sum_rows[合计]")
        .expect("sum rows");
    assert_eq!(c.status, Status::Pass);
}

#[test]
fn empty_table_statement() {
    let mut p = Page::new(19);
    p.rules = full_grid(&[20.0, 200.0, 300.0], &[100.0, 118.0, 136.0], &[]);
    p.lines = vec![
        at(
            60.0,
            &[("政府性基金预算财政拨款收入支出决算表", 120.0, 220.0)],
        ),
        at(80.0, &[("单位：万元", 250.0, 50.0)]),
        at(104.0, &[("项目", 100.0, 20.0), ("决算数", 230.0, 30.0)]),
        at(
            150.0,
            &[(
                "注：上海市普陀区财政局无政府性基金预算财政拨款支出，故本表无数据。",
                20.0,
                330.0,
            )],
        ),
    ];
    let ts = extract(&pdf(vec![p]), &Outline::default(), test_id());
    let t = table(&ts, "F08");
    assert!(t.empty);
    assert_eq!(
        t.empty_statement.as_deref(),
        Some("注：上海市普陀区财政局无政府性基金预算财政拨款支出，故本表无数据。")
    );
}

#[test]
fn yuan_table_converts_to_wan() {
    let mut p = Page::new(10);
    let xs = [20.0, 160.0, 260.0, 400.0, 500.0];
    p.rules = full_grid(&xs, &[100.0, 118.0, 136.0, 154.0, 172.0], &[(1, 0), (3, 0)]);
    p.lines = vec![
        at(60.0, &[("2024年部门财务收支预算总表", 150.0, 200.0)]),
        at(80.0, &[("单位：元", 450.0, 40.0)]),
        at(
            104.0,
            &[("本年收入", 120.0, 40.0), ("本年支出", 360.0, 40.0)],
        ),
        at(
            122.0,
            &[
                ("项目", 80.0, 20.0),
                ("预算数", 195.0, 30.0),
                ("项目", 320.0, 20.0),
                ("预算数", 435.0, 30.0),
            ],
        ),
        at(
            140.0,
            &[
                ("一、财政拨款收入", 22.0, 80.0),
                ("156,211,123", 200.0, 55.0),
                ("一、一般公共服务支出", 262.0, 100.0),
                ("2,932,700", 440.0, 55.0),
            ],
        ),
        at(
            158.0,
            &[
                ("收入总计", 22.0, 40.0),
                ("156,211,123", 200.0, 55.0),
                ("支出总计", 262.0, 40.0),
                ("156,211,123", 440.0, 55.0),
            ],
        ),
    ];
    let ts = extract(&pdf(vec![p]), &Outline::default(), test_id());
    let t = table(&ts, "B01");
    assert_eq!(
        (t.unit_declared.as_deref(), t.unit.as_str()),
        (Some("元"), "元")
    );
    assert_eq!(
        cell(t, "一、财政拨款收入", "本年收入/预算数"),
        Some(d("15621.1123"))
    );
    assert_eq!(
        cell(t, "一、一般公共服务支出", "本年支出/预算数"),
        Some(d("293.27"))
    );
    let r = t.rows.iter().find(|r| r.name == "收入总计").expect("row");
    assert_eq!(r.raw[1], "156,211,123");
    // The narrative rounds to 15621.11: text vs table is within rounding.
    let fact = crate::extract::facts::Fact {
        key: "income.grand_total".to_string(),
        item: None,
        value: d("15621.11"),
        unit: "万元".to_string(),
        raw: "15621.11万元".to_string(),
        approximate: false,
        page: Some(3),
        section: String::new(),
        pattern: "income.total".to_string(),
        origin: crate::extract::facts::Origin::Narrative,
        cell: None,
        bbox: None,
        span: None,
    };
    let checks = crate::checks::tables::evaluate(std::slice::from_ref(&fact), &ts);
    let c = checks
        .iter()
        .find(|c| c.check == "text_vs_table.income.grand_total")
        .expect("text vs table");
    assert_eq!(c.status, Status::Rounding);
    assert_eq!(c.refs[1], "fact:income.grand_total@p3");
    // The narrative states the figure: no table fact; the expenditure total is not stated: one.
    let tf = table_facts(&ts, &[fact]);
    assert!(!tf.iter().any(|f| f.key == "income.grand_total"));
    let e = tf
        .iter()
        .find(|f| f.key == "expenditure.grand_total")
        .expect("fact");
    assert_eq!(
        (e.value, e.pattern.as_str()),
        (d("15621.11"), "table:B01.expenditure.grand_total")
    );
}

#[test]
fn unit_inferred_then_reconciled_with_narrative() {
    let mut p = Page::new(10);
    p.rules = full_grid(&[20.0, 160.0, 260.0], &[100.0, 118.0, 136.0], &[]);
    p.lines = vec![
        at(60.0, &[("收入预算表", 150.0, 60.0)]),
        at(104.0, &[("项目", 80.0, 20.0), ("合计", 195.0, 30.0)]),
        at(122.0, &[("合计", 22.0, 20.0), ("9,628.22", 200.0, 55.0)]),
    ];
    let mut ts = extract(&pdf(vec![p]), &Outline::default(), test_id());
    assert!(ts[0].unit_inferred);
    assert_eq!(ts[0].rows[0].cells[1], Some(d("9628.22")));
    let fact = crate::extract::facts::Fact {
        key: "income.current_year".to_string(),
        item: None,
        value: d("0.96"),
        unit: "万元".to_string(),
        raw: "0.96万元".to_string(),
        approximate: false,
        page: Some(3),
        section: String::new(),
        pattern: "p".to_string(),
        origin: crate::extract::facts::Origin::Narrative,
        cell: None,
        bbox: None,
        span: None,
    };
    reconcile_units(&mut ts, &[fact]);
    assert_eq!(ts[0].unit, "元");
    assert_eq!(ts[0].rows[0].cells[1], Some(d("0.962822")));
}

fn seed() -> Document {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/renshe-2020-final.txt"
    ))
    .expect("seed sample");
    crate::ingest::text::read(&bytes).expect("seed decodes")
}

#[test]
fn seed_income_structure_table() {
    let ts = extract(&seed(), &Outline::default(), test_id());
    let t = ts
        .iter()
        .find(|t| t.title == "财政拨款收入结构表")
        .expect("structure table");
    assert_eq!((t.table.as_str(), t.layout.as_str()), ("X", "text"));
    assert_eq!(t.unit_declared.as_deref(), Some("万元"));
    assert_eq!(t.columns, vec!["项目", "金额", "占比"]);
    let got: Vec<(&str, Option<Decimal>, Option<Decimal>)> = t
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.cells[1], r.cells[2]))
        .collect();
    assert_eq!(
        got,
        vec![
            ("人力资源事务", Some(d("23")), Some(d("0.5"))),
            ("社会保障和就业支出", Some(d("2460.96")), Some(d("58.7"))),
            ("卫生健康支出", Some(d("48.48")), Some(d("1.2"))),
            ("节能环保支出", Some(d("1564")), Some(d("37.3"))),
            ("住房保障支出", Some(d("97.47")), Some(d("2.3"))),
            ("合计", Some(d("4193.92")), None),
        ]
    );
    assert_eq!(t.column_units, vec!["", "万元", "%"]);
    let checks = crate::checks::tables::evaluate(&[], &ts);
    let c = checks
        .iter()
        .find(|c| c.check == "X.total_eq_sum_rows[金额]")
        .expect("sum rows");
    // 4193.91 vs 4193.92: within the rounding envelope, a hint not an error.
    assert_eq!(
        (c.status, c.expected),
        (Status::Rounding, Some(d("4193.91")))
    );
}

#[test]
fn seed_performance_tables() {
    let ts = extract(&seed(), &Outline::default(), test_id());
    let p01: Vec<&Table> = ts.iter().filter(|t| t.table == "P01").collect();
    let names: Vec<&str> = p01.iter().map(|t| t.rows[0].name.as_str()).collect();
    assert!(names.contains(&"机关党员培训教育经费"), "{names:?}");
    assert!(names.contains(&"物业管理费"), "{names:?}");
    let tax = p01
        .iter()
        .find(|t| t.rows[0].name == "税务征收经费")
        .expect("税务征收经费");
    assert_eq!(tax.title, "项目支出绩效自评表 (税务征收经费)");
    assert_eq!(
        tax.columns,
        vec!["预算数", "执行数", "执行率", "得分", "总分", "指标得分"]
    );
    assert_eq!(
        tax.rows[0].cells,
        vec![
            Some(d("230")),
            Some(d("97.47")),
            Some(d("42")),
            Some(d("8.4")),
            Some(d("88.4")),
            Some(d("80"))
        ]
    );
    let party = p01
        .iter()
        .find(|t| t.rows[0].name == "机关党员培训教育经费")
        .expect("party");
    assert_eq!(party.rows[0].cells[0], Some(d("2.35")));
    assert_eq!(party.rows[0].cells[4], Some(d("100")));
    // 20 (budget) + 15 + 15 + 10 + 20 + 20 (indicators) = 100 = 总分.
    assert_eq!(party.rows[0].raw[5], "15+15+10+20+20");
    assert_eq!(party.rows[0].cells[5], Some(d("80")));
    let wuye = p01
        .iter()
        .find(|t| t.rows[0].name == "物业管理费")
        .expect("wuye");
    assert_eq!(
        (wuye.rows[0].cells[1], wuye.rows[0].cells[4]),
        (Some(d("0")), Some(d("80")))
    );
    let checks = crate::checks::tables::evaluate(&[], &ts);
    let c = checks
        .iter()
        .find(|c| c.check == "P01.rate[税务征收经费]")
        .expect("rate");
    assert_eq!((c.status, c.expected), (Status::Pass, Some(d("42"))));
    let total = checks
        .iter()
        .find(|c| c.check == "P01.total_eq_sum_scores[机关党员培训教育经费]")
        .expect("total");
    assert_eq!(
        (total.status, total.expected, total.actual),
        (Status::Pass, Some(d("100")), Some(d("100")))
    );
}

#[test]
fn cells_are_written_as_numbers() {
    let row = Row {
        code: None,
        name: "合计".to_string(),
        cells: vec![None, Some(d("15621.1123")), Some(d("0.00"))],
        raw: vec![],
        page: 1,
        level: None,
        parent: None,
        indent: None,
        bbox: None,
        bboxes: Vec::new(),
        cell_rects: Vec::new(),
    };
    let json = serde_json::to_string(&row).expect("json");
    assert!(json.contains(r#""cells":[null,15621.1123,0.00]"#), "{json}");
}

#[test]
fn row_cut_by_page_break_is_joined() {
    // 收支预算总表 whose row 八、社会保障和就业支出 is cut at the page bottom: "业支出" opens p8.
    let xs = [20.0, 200.0, 300.0];
    let mut p1 = Page::new(7);
    p1.rules = full_grid(&xs, &[100.0, 118.0, 136.0], &[]);
    p1.lines = vec![
        at(60.0, &[("收支预算总表", 150.0, 80.0)]),
        at(80.0, &[("单位：万元", 250.0, 50.0)]),
        at(
            104.0,
            &[("功能科目名称", 60.0, 60.0), ("金额", 240.0, 20.0)],
        ),
        at(
            122.0,
            &[("八、社会保障和就", 22.0, 80.0), ("1,608.51", 250.0, 40.0)],
        ),
    ];
    let mut p2 = Page::new(8);
    p2.rules = full_grid(&xs, &[40.0, 58.0, 76.0], &[]);
    p2.lines = vec![
        at(44.0, &[("业支出", 22.0, 30.0)]),
        at(
            62.0,
            &[
                ("十八、住房保障支出", 22.0, 90.0),
                ("1,512.23", 250.0, 40.0),
            ],
        ),
    ];
    let ts = extract(&pdf(vec![p1, p2]), &Outline::default(), test_id());
    let t = table(&ts, "B01");
    let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["八、社会保障和就业支出", "十八、住房保障支出"]);
    assert_eq!(
        cell(t, "八、社会保障和就业支出", "金额"),
        Some(d("1608.51"))
    );
    assert_eq!(t.pages, [7, 8]);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn page_strategy() -> impl Strategy<Value = Page> {
        let piece = (
            prop::sample::select(vec![
                "合计",
                "2,940.05",
                "0.00",
                "—",
                "项目",
                "收入支出决算总表",
                "单位：元",
                "201",
                "06",
                "1 2 3",
                "故本表为空。",
                "小计",
            ]),
            0.0f32..600.0,
            0.0f32..800.0,
            1.0f32..120.0,
        );
        let rule = (0.0f32..600.0, 0.0f32..800.0, 0.0f32..300.0, any::<bool>());
        (
            prop::collection::vec(prop::collection::vec(piece, 1..5), 0..25),
            prop::collection::vec(rule, 0..40),
            1u32..4,
        )
            .prop_map(|(lines, rules, n)| {
                let mut p = Page::new(n);
                p.lines = lines
                    .into_iter()
                    .map(|segs| {
                        line(
                            segs.into_iter()
                                .map(|(t, x, y, w)| seg(t, x, y, w))
                                .collect(),
                        )
                    })
                    .collect();
                p.lines.sort_by(|a, b| {
                    let ya = a.bbox().map(|r| r.y0).unwrap_or(0.0);
                    let yb = b.bbox().map(|r| r.y0).unwrap_or(0.0);
                    ya.total_cmp(&yb)
                });
                p.rules = rules
                    .into_iter()
                    .map(|(x, y, len, horizontal)| {
                        if horizontal {
                            hrule(x, x + len, y)
                        } else {
                            vrule(x, y, y + len)
                        }
                    })
                    .collect();
                p
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn arbitrary_pages_do_not_panic(pages in prop::collection::vec(page_strategy(), 1..4)) {
            let mut pages = pages;
            for (i, p) in pages.iter_mut().enumerate() {
                p.number = i as u32 + 1;
            }
            let ts = extract(&pdf(pages), &Outline::default(), test_id());
            let _ = crate::checks::tables::evaluate(&[], &ts);
            let _ = table_facts(&ts, &[]);
        }
    }
}

#[test]
fn layout_text_is_read_by_positions() {
    // `pdftotext -layout` output: columns aligned by character count, runs of spaces between them.
    let text = "\
                   收入支出决算总表
                                                 单位：万元
           收入                           支出
       项目           决算数              项目            决算数
一、一般公共预算财政拨款收入      2,940.05   一、一般公共服务支出        2,106.66
二、政府性基金预算财政拨款收入                二、外交支出
八、其他收入                  6.20   八、社会保障和就业支出        326.71
         本年收入合计     2,946.25       本年支出合计        2,940.05
";
    let doc = crate::ingest::text::read(text.as_bytes()).expect("text decodes");
    let ts = extract(&doc, &Outline::default(), test_id());
    let t = table(&ts, "F01");
    assert_eq!(t.layout, "positions");
    assert_eq!(
        t.columns,
        vec!["收入/项目", "收入/决算数", "支出/项目", "支出/决算数"]
    );
    assert_eq!(
        cell(t, "一、一般公共预算财政拨款收入", "收入/决算数"),
        Some(d("2940.05"))
    );
    assert_eq!(cell(t, "八、其他收入", "收入/决算数"), Some(d("6.20")));
    assert_eq!(cell(t, "二、外交支出", "支出/决算数"), None);
    assert_eq!(
        cell(t, "八、社会保障和就业支出", "支出/决算数"),
        Some(d("326.71"))
    );
    assert_eq!(cell(t, "本年支出合计", "支出/决算数"), Some(d("2940.05")));
}

/// A Jiangsu 收入预算总表: `项目名称` over two label columns, a category cell merged down over its
/// items, and a 总计 row merged across both label columns.
#[test]
fn jiangsu_income_table_with_two_level_item_names() {
    use super::grid::tests::{hrule, vrule};
    let mut p = Page::new(2);
    let (x0, x1, x2, x3) = (20.0, 120.0, 250.0, 330.0);
    p.rules = vec![
        hrule(x0, x3, 100.0),
        hrule(x0, x3, 118.0),
        hrule(x0, x3, 136.0),
        hrule(x1, x3, 154.0),
        hrule(x0, x3, 172.0),
        vrule(x0, 100.0, 172.0),
        // The header row has an empty cell over the item column; 收入总计 spans both.
        vrule(x1, 100.0, 118.0),
        vrule(x1, 136.0, 172.0),
        vrule(x2, 100.0, 172.0),
        vrule(x3, 100.0, 172.0),
    ];
    p.lines = vec![
        at(60.0, &[("收入预算总表", 120.0, 90.0)]),
        at(80.0, &[("单位：万元", 270.0, 50.0)]),
        at(104.0, &[("项目名称", 50.0, 40.0), ("金额", 280.0, 20.0)]),
        at(
            122.0,
            &[("收入总计", 110.0, 40.0), ("20,849.45", 280.0, 45.0)],
        ),
        at(140.0, &[("小计", 130.0, 20.0), ("20,702.25", 280.0, 45.0)]),
        at(150.0, &[("一般公共预算资金", 25.0, 90.0)]),
        at(
            158.0,
            &[
                ("公共财政拨款(补助)资金", 125.0, 120.0),
                ("20,702.25", 280.0, 45.0),
            ],
        ),
    ];
    let ts = extract(&pdf(vec![p]), &Outline::default(), test_id());
    let t = table(&ts, "B02");
    let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["收入总计", "一般公共预算资金小计", "公共财政拨款(补助)资金"]
    );
    let amount = t.columns.len() - 1;
    assert_eq!(t.rows[0].cells[amount], Some(d("20849.45")));
    assert_eq!(t.rows[1].cells[amount], Some(d("20702.25")));
    assert_eq!(t.rows[2].cells[amount], Some(d("20702.25")));
}

/// A page of a table whose label and title are printed at the top of every page (Shenzhen style:
/// `表 3` above `支出总表`), with its header repeated.
fn titled_page(number: u32, title: &str, rows: &[(&str, &str, &str)]) -> Page {
    let xs = [20.0, 200.0, 300.0, 400.0];
    let ys: Vec<f32> = (0..=rows.len() + 1)
        .map(|i| 100.0 + 18.0 * i as f32)
        .collect();
    let mut p = Page::new(number);
    p.rules = full_grid(&xs, &ys, &[]);
    let mut lines = vec![
        at(40.0, &[("表 3", 20.0, 20.0)]),
        at(60.0, &[(title, 150.0, 80.0)]),
        at(80.0, &[("单位：万元", 350.0, 50.0)]),
        at(
            104.0,
            &[
                ("项目", 100.0, 20.0),
                ("合计", 240.0, 20.0),
                ("基本支出", 330.0, 40.0),
            ],
        ),
    ];
    for (i, (name, total, basic)) in rows.iter().enumerate() {
        let y = 122.0 + 18.0 * i as f32;
        lines.push(at(
            y,
            &[
                (name, 30.0, 60.0),
                (total, 260.0, 30.0),
                (basic, 360.0, 30.0),
            ],
        ));
    }
    p.lines = lines;
    p
}

#[test]
fn title_repeated_on_every_page_is_one_table_for_catalog_and_other_tables() {
    for (title, family, want) in [
        ("支出总表", Some("预算"), "B03"),
        ("支出总表", Some("决算"), "F03"),
        ("培训费明细表", Some("预算"), "X"),
    ] {
        let doc = pdf(vec![
            titled_page(
                18,
                title,
                &[("合计", "300.00", "200.00"), ("甲", "100.00", "100.00")],
            ),
            titled_page(19, title, &[("乙", "200.00", "100.00")]),
        ]);
        let ident = Identifier {
            catalog: catalog::default_catalog(),
            family,
        };
        let ts = extract(&doc, &Outline::default(), ident);
        assert_eq!(ts.len(), 1, "{title}: {ts:?}");
        let t = &ts[0];
        assert_eq!((t.table.as_str(), t.pages), (want, [18, 19]), "{title}");
        assert!(t.title.ends_with(title), "{}", t.title);
        let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["合计", "甲", "乙"],
            "{title}: repeated header dropped"
        );
        assert_eq!(cell(t, "乙", "合计"), Some(d("200")));
    }
}

#[test]
fn untitled_table_identified_by_its_header() {
    // The 收支总表 grid of f01_page with its title line missing (a title printed as an image).
    let mut p = f01_page();
    p.lines.remove(0);
    let ident = |family| Identifier {
        catalog: catalog::default_catalog(),
        family,
    };
    let ts = extract(
        &pdf(vec![p.clone()]),
        &Outline::default(),
        ident(Some("决算")),
    );
    assert_eq!(ts.len(), 1, "{ts:?}");
    assert_eq!((ts[0].table.as_str(), ts[0].title.as_str()), ("F01", ""));
    assert_eq!(cell(&ts[0], "总计", "收入/决算数"), Some(d("2995.39")));
    // Once the table of that id is read, an untitled grid with the same header is no second one.
    let ts = extract(
        &pdf(vec![f01_page(), p]),
        &Outline::default(),
        ident(Some("决算")),
    );
    assert_eq!(ts.iter().filter(|t| t.table == "F01").count(), 1);
}

/// Project expenditure table (项目支出表) of units and their projects, unruled, a paragraph column
/// (绩效目标) right of the amounts, continued on the next page under a repeated header:
/// - units and projects are told apart by the first-line indent of their names (unit at 45, project
///   at 60), so 合计 = Σ units and each unit = Σ its projects;
/// - a project name wrapped in its cell (first line indented to the right edge, the next line at the
///   cell's left edge, the values on a line between them) is one row, though paragraph lines beside
///   it set the rows far apart;
/// - an amount glued to the first line of its paragraph (`0.00完成…`) is split at the text;
/// - paragraph lines alone on a line make no rows; the continuation page, with more paragraph lines
///   than amount rows, is joined, its wrapped header label (`项目名称（单` / `位）`) dropped, and its
///   first row (an amount row made long by its paragraph) kept.
#[test]
fn project_table_with_units_wrapped_names_and_paragraph_column() {
    let header = |y: f32| {
        vec![
            at(
                y,
                &[
                    ("项目名称（单", 40.0, 60.0),
                    ("金额", 200.0, 20.0),
                    ("其他资金", 255.0, 40.0),
                    ("绩效目标", 360.0, 40.0),
                ],
            ),
            at(y + 12.0, &[("位）", 60.0, 20.0)]),
        ]
    };
    let para = |y: f32, t: &str| at(y, &[(t, 292.0, 10.0 * t.chars().count() as f32)]);
    let glued = "0.00完成年度工作任务，保障机构正常运转。";
    let mut p1 = Page::new(21);
    p1.lines = vec![
        at(50.0, &[("部门预算项目支出及其他支出预算表", 120.0, 160.0)]),
        at(70.0, &[("单位：万元", 420.0, 50.0)]),
    ];
    p1.lines.extend(header(90.0));
    p1.lines.extend([
        at(
            120.0,
            &[
                ("合计", 80.0, 20.0),
                ("350.00", 200.0, 30.0),
                ("0.00", 270.0, 20.0),
            ],
        ),
        at(
            136.0,
            &[
                ("甲单位", 45.0, 30.0),
                ("300.00", 200.0, 30.0),
                ("0.00", 270.0, 20.0),
            ],
        ),
        para(152.0, "保障日常运转，提高工作效率。"),
        at(
            160.0,
            &[
                ("办公经费", 60.0, 40.0),
                ("120.00", 200.0, 30.0),
                (glued, 270.0, 200.0),
            ],
        ),
        para(176.0, "完善办公设备配置。"),
        at(192.0, &[("甲单位信息系统运维服", 60.0, 100.0)]),
        para(196.0, "保障信息系统稳定运行，"),
        at(200.0, &[("80.00", 200.0, 25.0), ("0.00", 270.0, 20.0)]),
        at(208.0, &[("务项目", 40.0, 30.0)]),
        para(212.0, "提升数据安全水平。"),
    ]);
    let mut p2 = Page::new(22);
    p2.lines = header(40.0);
    p2.lines.extend([
        para(70.0, "围绕年度重点任务，"),
        at(
            86.0,
            &[
                ("专项业务经费", 60.0, 60.0),
                ("100.00", 200.0, 30.0),
                (glued, 270.0, 200.0),
            ],
        ),
        para(102.0, "做好专项业务保障，"),
        para(118.0, "按期完成工作任务。"),
        at(
            134.0,
            &[
                ("乙单位", 45.0, 30.0),
                ("50.00", 200.0, 30.0),
                ("0.00", 270.0, 20.0),
            ],
        ),
        para(150.0, "按计划召开工作会议，"),
        at(
            166.0,
            &[
                ("会议经费", 60.0, 40.0),
                ("50.00", 205.0, 25.0),
                ("0.00", 270.0, 20.0),
            ],
        ),
        para(182.0, "控制会议规模。"),
    ]);
    let ts = extract(&pdf(vec![p1, p2]), &Outline::default(), test_id());
    let t = ts
        .iter()
        .find(|t| t.title.contains("项目支出"))
        .expect("project table");
    assert_eq!(t.pages, [21, 22]);
    let rows: Vec<(&str, Option<u8>, Option<&str>)> = t
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.level, r.parent.as_deref()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("合计", None, None),
            ("甲单位", Some(1), None),
            ("办公经费", Some(2), Some("甲单位")),
            ("甲单位信息系统运维服务项目", Some(2), Some("甲单位")),
            ("专项业务经费", Some(2), Some("甲单位")),
            ("乙单位", Some(1), None),
            ("会议经费", Some(2), Some("乙单位")),
        ]
    );
    assert_eq!(cell(t, "甲单位信息系统运维服务项目", "金额"), Some(d("80")));
    assert_eq!(cell(t, "专项业务经费", "金额"), Some(d("100")));
    assert_eq!(cell(t, "办公经费", "其他资金"), Some(d("0")));
    // The paragraph is the row's text in the 绩效目标 column, not a value.
    let goal = t
        .column(|c| c.ends_with("绩效目标"))
        .expect("绩效目标 column");
    let office = t.rows.iter().find(|r| r.name == "办公经费").expect("row");
    assert!(
        office.raw[goal].starts_with("完成年度工作任务"),
        "{:?}",
        office.raw
    );
    assert_eq!(office.cells[goal], None);
    let checks = crate::checks::tables::evaluate(&[], &ts);
    let sums: Vec<(&str, Status)> = checks
        .iter()
        .filter(|c| c.check.starts_with("X.") && c.check.contains("sum"))
        .map(|c| (c.check.as_str(), c.status))
        .collect();
    assert!(sums.len() >= 3, "{sums:?}");
    assert!(sums.iter().all(|(_, s)| *s == Status::Pass), "{sums:?}");
}

/// A project table (units at 45, projects at 60, wrapped lines hanging at 40) cut by page breaks in
/// the middle of wrapped names, over three pages:
/// - a name's head alone at the foot of a page, its tail hanging at the next page's top with the
///   values, is one row (on the page of its values);
/// - a continued page opening with a name's head beside its paragraph, its values on the next line
///   with the hanging tail, starts with that row (the head is neither a header line nor the page's
///   text);
/// - a name broken early (before a bracket) and continued at the edge is one row;
/// - a project set in by one space of its own (`CC(本级)` at 52) is a project, not a third level.
#[test]
fn project_table_with_names_cut_by_page_breaks() {
    let header = |y: f32| {
        vec![
            at(
                y,
                &[
                    ("项目名称（单", 40.0, 60.0),
                    ("金额", 200.0, 20.0),
                    ("其他资金", 255.0, 40.0),
                    ("绩效目标", 360.0, 40.0),
                ],
            ),
            at(y + 12.0, &[("位）", 60.0, 20.0)]),
        ]
    };
    let row = |y: f32, name: &str, x: f32, w: f32, v: &str| {
        at(y, &[(name, x, w), (v, 200.0, 30.0), ("0.00", 270.0, 20.0)])
    };
    let mut p1 = Page::new(21);
    p1.lines = vec![
        at(50.0, &[("部门预算项目支出及其他支出预算表", 120.0, 160.0)]),
        at(70.0, &[("单位：万元", 420.0, 50.0)]),
    ];
    p1.lines.extend(header(90.0));
    p1.lines.extend([
        row(120.0, "合计", 80.0, 20.0, "480.00"),
        row(136.0, "甲单位", 45.0, 30.0, "330.00"),
        row(152.0, "CC(本级)", 52.0, 40.0, "20.00"),
        at(
            168.0,
            &[
                ("办公经费", 60.0, 40.0),
                ("120.00", 200.0, 30.0),
                ("0.00完成年度工作任务，保障机构正常运转。", 270.0, 200.0),
            ],
        ),
        at(184.0, &[("甲单位信息系统运维服", 60.0, 100.0)]),
    ]);
    let mut p2 = Page::new(22);
    p2.lines = header(40.0);
    p2.lines.extend([
        row(80.0, "务项目", 40.0, 30.0, "80.00"),
        row(96.0, "专项业务经费", 60.0, 60.0, "80.00"),
        at(112.0, &[("材料（设", 60.0, 40.0)]),
        row(128.0, "备）价格信息编制", 40.0, 80.0, "30.00"),
        row(144.0, "乙单位", 45.0, 30.0, "150.00"),
        row(160.0, "会议经费", 60.0, 40.0, "50.00"),
    ]);
    let mut p3 = Page::new(23);
    p3.lines = header(40.0);
    p3.lines.extend([
        at(
            80.0,
            &[
                ("乙单位信息系统运维服", 60.0, 100.0),
                (
                    "保障信息系统稳定运行，提升数据安全水平，确保业务连续不中断。",
                    292.0,
                    170.0,
                ),
            ],
        ),
        row(96.0, "务项目及配套软件服务经费", 40.0, 120.0, "75.00"),
        row(112.0, "差旅经费", 60.0, 40.0, "25.00"),
    ]);
    let ts = extract(&pdf(vec![p1, p2, p3]), &Outline::default(), test_id());
    let t = ts
        .iter()
        .find(|t| t.title.contains("项目支出"))
        .expect("project table");
    assert_eq!(t.pages, [21, 23]);
    let rows: Vec<(&str, Option<u8>, u32)> = t
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.level, r.page))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("合计", None, 21),
            ("甲单位", Some(1), 21),
            ("CC(本级)", Some(2), 21),
            ("办公经费", Some(2), 21),
            ("甲单位信息系统运维服务项目", Some(2), 22),
            ("专项业务经费", Some(2), 22),
            ("材料(设备)价格信息编制", Some(2), 22),
            ("乙单位", Some(1), 22),
            ("会议经费", Some(2), 22),
            ("乙单位信息系统运维服务项目及配套软件服务经费", Some(2), 23),
            ("差旅经费", Some(2), 23),
        ]
    );
    assert_eq!(cell(t, "甲单位信息系统运维服务项目", "金额"), Some(d("80")));
    assert_eq!(
        cell(t, "乙单位信息系统运维服务项目及配套软件服务经费", "金额"),
        Some(d("75"))
    );
    let checks = crate::checks::tables::evaluate(&[], &ts);
    // The table checks of the X table (the evaluator also runs the fact identities).
    let sums: Vec<(&str, Status)> = checks
        .iter()
        .filter(|c| c.check.starts_with("X.") && c.check.contains("sum"))
        .map(|c| (c.check.as_str(), c.status))
        .collect();
    assert!(sums.len() >= 3, "{sums:?}");
    assert!(sums.iter().all(|(_, s)| *s == Status::Pass), "{sums:?}");
}

/// The lines of a project table page: title, unit and a two-line header over a name column, two
/// amount columns and a paragraph column (绩效目标), then `body`.
fn centred_project_page(number: u32, body: Vec<Line>) -> Page {
    let mut p = Page::new(number);
    p.lines = vec![
        at(50.0, &[("部门预算项目支出及其他支出预算表", 120.0, 160.0)]),
        at(70.0, &[("单位：万元", 420.0, 50.0)]),
        at(
            90.0,
            &[
                ("项目名称（单", 40.0, 60.0),
                ("金额", 200.0, 20.0),
                ("其他资金", 255.0, 40.0),
                ("绩效目标", 360.0, 40.0),
            ],
        ),
        at(102.0, &[("位）", 60.0, 20.0)]),
    ];
    p.lines.extend(body);
    p
}

/// Project names centred on their values in an unruled table whose paragraph column sets the rows
/// at the names' own line distance: a name has as many lines below its values as above them, so
/// a name line hanging at the column's edge below the values, at the name's line distance, ends
/// the name (three lines with the values on the middle one; four with the values between the
/// second and the third), though rows are no closer than the paragraph's lines.
#[test]
fn names_centred_on_their_values_keep_their_lines_below_the_values() {
    let para = "保障信息系统稳定运行，";
    let body = vec![
        at(
            120.0,
            &[
                ("合计", 80.0, 20.0),
                ("170.00", 200.0, 30.0),
                ("0.00", 270.0, 20.0),
            ],
        ),
        at(
            136.0,
            &[
                ("甲单位", 45.0, 30.0),
                ("170.00", 200.0, 30.0),
                ("0.00", 270.0, 20.0),
            ],
        ),
        at(152.0, &[(para, 292.0, 110.0)]),
        at(
            168.0,
            &[("甲单位信息系统运维", 60.0, 90.0), (para, 292.0, 110.0)],
        ),
        at(
            184.0,
            &[
                ("二〇二六年度", 40.0, 60.0),
                ("60.00", 200.0, 25.0),
                ("0.00", 270.0, 20.0),
                (para, 292.0, 110.0),
            ],
        ),
        at(200.0, &[("运维项目", 40.0, 40.0), (para, 292.0, 110.0)]),
        at(
            216.0,
            &[("甲单位业务用房物业", 60.0, 90.0), (para, 292.0, 110.0)],
        ),
        at(
            232.0,
            &[("管理及设备维护服务", 40.0, 90.0), (para, 292.0, 110.0)],
        ),
        at(240.0, &[("110.00", 200.0, 30.0), ("0.00", 270.0, 20.0)]),
        at(
            248.0,
            &[("二〇二五至二〇二六", 40.0, 90.0), (para, 292.0, 110.0)],
        ),
        at(264.0, &[("年度项目", 40.0, 40.0), (para, 292.0, 110.0)]),
        at(280.0, &[(para, 292.0, 110.0)]),
    ];
    let ts = extract(
        &pdf(vec![centred_project_page(21, body)]),
        &Outline::default(),
        test_id(),
    );
    let t = ts
        .iter()
        .find(|t| t.title.contains("项目支出"))
        .expect("project table");
    let rows: Vec<(&str, Option<u8>)> = t.rows.iter().map(|r| (r.name.as_str(), r.level)).collect();
    assert_eq!(
        rows,
        vec![
            ("合计", None),
            ("甲单位", Some(1)),
            ("甲单位信息系统运维二〇二六年度运维项目", Some(2)),
            (
                "甲单位业务用房物业管理及设备维护服务二〇二五至二〇二六年度项目",
                Some(2)
            ),
        ]
    );
    assert_eq!(
        cell(
            t,
            "甲单位业务用房物业管理及设备维护服务二〇二五至二〇二六年度项目",
            "金额"
        ),
        Some(d("110"))
    );
}

/// Names centred on their values in rows set closely (no paragraph beside them): once a name has
/// as many lines below its values as above, the next name line starts the next row, even when it
/// is closer to the line above than rows are to each other.
#[test]
fn a_name_centred_on_its_values_is_complete_with_its_lines_below() {
    let row = |y: f32, name: &str, x: f32, v: &str| {
        at(
            y,
            &[
                (name, x, 10.0 * name.chars().count() as f32),
                (v, 200.0, 30.0),
                ("0.00", 270.0, 20.0),
            ],
        )
    };
    let body = vec![
        row(120.0, "合计", 80.0, "700.00"),
        row(160.0, "甲单位", 45.0, "600.00"),
        row(200.0, "办公经费", 60.0, "590.00"),
        at(240.0, &[("乙单位信息化产业发", 47.0, 90.0)]),
        at(248.0, &[("100.00", 200.0, 30.0), ("0.00", 270.0, 20.0)]),
        at(256.0, &[("展中心", 40.0, 30.0)]),
        at(272.0, &[("其他信息化产业", 60.0, 70.0)]),
        at(280.0, &[("100.00", 200.0, 30.0), ("0.00", 270.0, 20.0)]),
        at(288.0, &[("发展经费", 40.0, 40.0)]),
        row(328.0, "甲单位会议经费", 60.0, "10.00"),
    ];
    let ts = extract(
        &pdf(vec![centred_project_page(21, body)]),
        &Outline::default(),
        test_id(),
    );
    let t = ts
        .iter()
        .find(|t| t.title.contains("项目支出"))
        .expect("project table");
    let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "合计",
            "甲单位",
            "办公经费",
            "乙单位信息化产业发展中心",
            "其他信息化产业发展经费",
            "甲单位会议经费"
        ]
    );
    assert_eq!(cell(t, "其他信息化产业发展经费", "金额"), Some(d("100")));
}

/// The segments of one text line of a fixture: (text, x0, width).
type LineSegs<'a> = Vec<(&'a str, f32, f32)>;

/// A page of a ruled project table (序号 | 项目名称 | 金额 | 项目简介) under its repeated title; the
/// 项目简介 cells hold paragraphs whose lines may end in `表`.
fn project_page(number: u32, rows: &[&[(&str, f32, f32, f32)]]) -> Page {
    let xs = [20.0, 50.0, 200.0, 280.0, 600.0];
    let ys: Vec<f32> = (0..=rows.len() + 1)
        .map(|i| 100.0 + 30.0 * i as f32)
        .collect();
    let mut p = Page::new(number);
    p.rules = full_grid(&xs, &ys, &[]);
    let mut lines = vec![
        at(40.0, &[("专项业务经费支出表", 250.0, 90.0)]),
        at(80.0, &[("单位：万元", 540.0, 50.0)]),
        at(
            108.0,
            &[
                ("序号", 25.0, 20.0),
                ("项目名称", 100.0, 40.0),
                ("金额", 230.0, 20.0),
                ("项目简介", 400.0, 40.0),
            ],
        ),
    ];
    for (i, segs) in rows.iter().enumerate() {
        let top = 130.0 + 30.0 * i as f32;
        let mut by_y: Vec<(f32, LineSegs)> = Vec::new();
        for (t, x, w, dy) in segs.iter() {
            match by_y.iter_mut().find(|(y, _)| *y == top + dy) {
                Some((_, v)) => v.push((t, *x, *w)),
                None => by_y.push((top + dy, vec![(t, *x, *w)])),
            }
        }
        by_y.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines.extend(by_y.iter().map(|(y, v)| at(*y, v)));
    }
    p.lines = lines;
    p
}

/// Lines ending in `表` inside the cells of a ruled table are cell text, not titles: the wrapped tail
/// of a paragraph (`执行计划表`) alone on its line in the 项目简介 cell, and a paragraph's lone `表` on
/// the line of a wrapped name's head. The table runs on over the next page as one.
#[test]
fn lines_ending_in_biao_inside_a_ruled_table_are_no_titles() {
    let total: &[(&str, f32, f32, f32)] = &[
        ("1", 25.0, 5.0, 8.0),
        ("合计", 100.0, 20.0, 8.0),
        ("400.00", 230.0, 30.0, 8.0),
    ];
    let first: &[(&str, f32, f32, f32)] = &[
        ("项目实施方案：及时编制反馈表和", 285.0, 150.0, 1.0),
        ("2", 25.0, 5.0, 9.0),
        ("甲项目", 100.0, 30.0, 9.0),
        ("100.00", 230.0, 30.0, 9.0),
        ("执行计划表", 285.0, 50.0, 17.0),
    ];
    let wrapped: &[(&str, f32, f32, f32)] = &[
        ("执法监察业务", 80.0, 60.0, 3.0),
        ("表", 285.0, 10.0, 3.0),
        ("3", 25.0, 5.0, 10.0),
        ("200.00", 230.0, 30.0, 10.0),
        ("管理经费", 80.0, 40.0, 17.0),
    ];
    let next: &[(&str, f32, f32, f32)] = &[
        ("4", 25.0, 5.0, 8.0),
        ("乙项目", 100.0, 30.0, 8.0),
        ("100.00", 230.0, 30.0, 8.0),
    ];
    let doc = pdf(vec![
        project_page(18, &[total, first, wrapped]),
        project_page(19, &[next]),
    ]);
    let ts = extract(&doc, &Outline::default(), test_id());
    let titles: Vec<&str> = ts.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["专项业务经费支出表"], "{ts:?}");
    let t = &ts[0];
    assert_eq!(t.pages, [18, 19]);
    let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["合计", "甲项目", "执法监察业务管理经费", "乙项目"]);
    assert_eq!(cell(t, "执法监察业务管理经费", "金额"), Some(d("200")));
    assert_eq!(cell(t, "乙项目", "金额"), Some(d("100")));
}

/// A table printed from a spreadsheet with its title inside the ruled area (the title and the unit in
/// cells spanning the grid's width): its titled page is read by x-positions (the grid starts above
/// the title), and the next page, ruled alike below the repeated header, continues it in the same
/// columns rather than being dropped for columns that do not line up.
#[test]
fn continuation_of_a_table_read_by_positions_over_a_ruled_page() {
    let xs = [20.0, 200.0, 300.0, 400.0];
    let mut first = titled_page(
        18,
        "支出总表",
        &[("合计", "300.00", "200.00"), ("甲", "100.00", "100.00")],
    );
    // The title's and the unit's rows are ruled too, each one cell across the grid.
    let ys = [30.0, 75.0, 95.0, 100.0, 118.0, 136.0, 154.0];
    first.rules = full_grid(&xs, &ys, &[(1, 0), (2, 0), (1, 1), (2, 1), (1, 2), (2, 2)]);
    let mut next = titled_page(19, "支出总表", &[("乙", "200.00", "100.00")]);
    next.lines.drain(..3);
    let doc = pdf(vec![first, next]);
    let ident = Identifier {
        catalog: catalog::default_catalog(),
        family: Some("预算"),
    };
    let ts = extract(&doc, &Outline::default(), ident);
    assert_eq!(ts.len(), 1, "{ts:?}");
    let t = &ts[0];
    assert_eq!((t.table.as_str(), t.pages), ("B03", [18, 19]));
    assert!(t.title.ends_with("支出总表"), "{}", t.title);
    let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["合计", "甲", "乙"]);
    assert_eq!(cell(t, "乙", "合计"), Some(d("200")));
}
