//! Narrative facts and fact checks on the corpus reports that have no golden file: figures verified by
//! reading the reports (and, for totals, the third-party ground truth kept beside the corpus: the
//! Jiangsu 收支预算总表 CSVs and the 西南大学 totals), and the rule that a fact check fails only where
//! a report contradicts itself.
//!
//! Reads the corpus folder (holding `pdf/`) from `YUJUESUAN_CORPUS`: unset → skipped with a message;
//! set to a folder without `pdf/` → the test fails.

use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use yujuesuan::checks::{self, Check, Status};
use yujuesuan::extract::facts::{self, Fact};
use yujuesuan::extract::tables;
use yujuesuan::ingest::{ingest, Limits};
use yujuesuan::patterns::PatternSet;
use yujuesuan::segment;

use crate::corpus_pdf_dir;

/// Facts (narrative, then from tables) and checks, as `extract` produces them.
fn analyse(dir: &Path, name: &str, patterns: &PatternSet) -> (Vec<Fact>, Vec<Check>) {
    let path = dir.join(format!("{name}.pdf"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let doc = ingest(&path, &bytes, &Limits::default()).expect("corpus PDF ingests");
    let outline = segment::outline(&doc);
    let meta =
        yujuesuan::metadata::identify(&doc, &outline, &patterns.metadata, &path.to_string_lossy());
    let mut found = facts::extract(&outline, patterns);
    let ident = tables::identifier(&doc, &patterns.catalog, meta.kind.as_deref());
    let mut found_tables = tables::extract(&doc, &outline, ident);
    tables::reconcile_units(&mut found_tables, &found);
    let from_tables = tables::table_facts(&found_tables, &found);
    found.extend(from_tables);
    let found_checks = checks::evaluate(&found, &found_tables);
    (found, found_checks)
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

/// Every value read for `key` (and `item`), in document order.
fn values(found: &[Fact], key: &str, item: Option<&str>) -> Vec<Decimal> {
    found
        .iter()
        .filter(|f| f.key == key && f.item.as_deref() == item)
        .map(|f| f.value)
        .collect()
}

fn status(found: &[Check], id: &str) -> Status {
    found
        .iter()
        .find(|c| c.check == id)
        .map(|c| c.status)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// `(report, key, item, value)`: the first reading of the key must be the value.
const FIGURES: &[(&str, &str, Option<&str>, &str)] = &[
    // 万里街道 2023 and 2025 budgets: the narrative totals, which the 收支预算总表 (in 元) rounds to.
    ("r05", "income.grand_total", None, "16497.86"),
    ("r05", "expenditure.grand_total", None, "16497.86"),
    ("r05", "procurement.total", None, "830"),
    ("r05", "assets.vehicles", None, "7"),
    ("r07", "income.grand_total", None, "18976.76"),
    ("r07", "sangong.final", None, "37.91"),
    ("r07", "sangong.yoy_change", None, "-10"),
    ("r07", "assets.vehicles", None, "8"),
    // A 事业单位 that states it has no 机关运行经费.
    ("r12", "admin_cost.total", None, "0"),
    // 100万元 equipment held (1), not the planned purchase (0).
    ("r14", "assets.equipment_special", None, "1"),
    // Jiangsu 2017/2019 budgets against the ground-truth 收支预算总表 rows.
    ("r18", "income.grand_total", None, "17996.68"),
    ("r18", "expenditure.basic", None, "12323.48"),
    ("r18", "expenditure.project", None, "5533"),
    ("r18", "expenditure.reserve", None, "140.2"),
    ("r18", "income.fiscal_appropriation", None, "17981.68"),
    ("r19", "income.grand_total", None, "24169.74"),
    ("r19", "expenditure.reserve", None, "3990.4"),
    ("r19", "procurement.total", None, "2744.84"),
    ("r19", "assets.vehicles", None, "55"),
    ("r19", "expenditure.class", Some("公共安全支出"), "16593.12"),
    (
        "r19",
        "expenditure.class",
        Some("社会保障和就业支出"),
        "1890.27",
    ),
    ("r19", "expenditure.class", Some("住房保障支出"), "5686.35"),
    (
        "r20",
        "expenditure.class",
        Some("一般公共服务支出"),
        "16992.37",
    ),
    ("r20", "expenditure.reserve", None, "196.72"),
    ("r24", "expenditure.current_year", None, "9146.79"),
    ("r24", "expenditure.basic", None, "5916.27"),
    ("r24", "expenditure.reserve", None, "106.84"),
    ("r24", "fiscal.income_total", None, "9066.79"),
    ("r24", "procurement.goods", None, "259.32"),
    ("r24", "procurement.services", None, "1011.9"),
    // 西南大学 2023 / 2024 against the third-party totals (557,259.13 / 582,276.35 万元).
    ("r27", "income.grand_total", None, "557259.13"),
    ("r27", "expenditure.class", Some("其他支出"), "109.5"),
    ("r29", "income.grand_total", None, "582276.35"),
    ("r29", "expenditure.grand_total", None, "582276.35"),
];

/// `(report, check, status)`.
const CHECKS: &[(&str, &str, Status)] = &[
    // 基本 + 项目 + 单位预留机动经费: from the narrative …
    ("r18", "facts.basic_plus_project", Status::Pass),
    ("r19", "facts.basic_plus_project", Status::Pass),
    ("r20", "facts.basic_plus_project", Status::Pass),
    ("r24", "facts.basic_plus_project", Status::Pass),
    // … or from the 支出预算总表 of a tables-only file.
    ("r21", "facts.basic_plus_project", Status::Pass),
    ("r23", "facts.basic_plus_project", Status::Pass),
    // Complete class lists add up; a list naming one main class is no contradiction.
    ("r19", "facts.class_sum", Status::Pass),
    ("r20", "facts.class_sum", Status::Pass),
    ("r27", "facts.class_sum", Status::Pass),
    ("r27", "facts.gpb_class_sum", Status::Pass),
    ("r26", "facts.gpb_class_sum", Status::Pass),
    ("r29", "facts.class_sum", Status::Pass),
    ("r29", "facts.gpb_class_sum", Status::Pass),
    ("r18", "facts.class_sum", Status::NotApplicable),
];

#[test]
fn non_golden_reports_state_these_figures() {
    let Some(dir) = corpus_pdf_dir() else { return };
    let patterns = PatternSet::load(None).expect("default patterns load");
    let mut names: Vec<&str> = FIGURES.iter().map(|f| f.0).collect();
    names.extend(CHECKS.iter().map(|c| c.0));
    names.sort_unstable();
    names.dedup();
    let mut problems = Vec::new();
    for name in names {
        let (found, found_checks) = analyse(&dir, name, &patterns);
        for (_, key, item, want) in FIGURES.iter().filter(|f| f.0 == name) {
            let got = values(&found, key, *item);
            if got.first() != Some(&d(want)) {
                problems.push(format!("{name}: {key}{item:?} = {got:?}, want {want}"));
            }
        }
        for (_, id, want) in CHECKS.iter().filter(|c| c.0 == name) {
            let got = status(&found_checks, id);
            if got != *want {
                problems.push(format!("{name}: {id} is {got:?}, want {want:?}"));
            }
        }
    }
    // The planned purchase is not a second reading of the equipment held.
    let (r14, _) = analyse(&dir, "r14", &patterns);
    if values(&r14, "assets.equipment_special", None).len() != 1 {
        problems.push("r14: assets.equipment_special read more than once".into());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fact_checks_fail_only_on_contradictions() {
    let Some(dir) = corpus_pdf_dir() else { return };
    let patterns = PatternSet::load(None).expect("default patterns load");
    let mut fails = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("corpus folder lists") {
        let path = entry.expect("corpus entry").path();
        if path.extension().is_none_or(|e| e != "pdf") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_string();
        let bytes = std::fs::read(&path).expect("corpus PDF is readable");
        // r31 has no text layer: nothing to check.
        if ingest(&path, &bytes, &Limits::default()).is_err() {
            continue;
        }
        let (found, found_checks) = analyse(&dir, &name, &patterns);
        if name == "r32" {
            // A whole-government budget report, not a department's: no department-report facts.
            assert!(found.is_empty(), "r32 yields facts: {found:?}");
        }
        fails.extend(
            found_checks
                .iter()
                .filter(|c| c.check.starts_with("facts.") && c.status == Status::Fail)
                .map(|c| format!("{name}: {}", c.check)),
        );
    }
    fails.sort();
    // The narrative identities fail only where the report's own arithmetic does not hold, each
    // verified by hand: r04 (error-injected) prints 收入支出总计 0 with a −1.87% change; r18 prints
    // 机关运行经费 6032.55, +3401.59, "增长129.97%" (the figures give 129.29%); r19 prints 24169.74,
    // +2214.39, "增长10.06%" (10.09%) and 财政拨款 +2228.78, "增长10.15%" (10.16%).
    let expected = [
        "r04: facts.yoy_consistency[expenditure.grand_total]",
        "r04: facts.yoy_consistency[income.grand_total]",
        "r18: facts.yoy_consistency[admin_cost.total]",
        "r19: facts.yoy_consistency[expenditure.grand_total]",
        "r19: facts.yoy_consistency[fiscal.expenditure_total]",
        "r19: facts.yoy_consistency[fiscal.income_total]",
        "r19: facts.yoy_consistency[gpb.expenditure]",
        "r19: facts.yoy_consistency[income.grand_total]",
    ];
    assert_eq!(fails, expected);
}
