//! Table coverage over the real reports of the shared corpus (`YUJUESUAN_CORPUS` = the corpus
//! folder, holding `pdf/`), through the library's per-document analysis:
//! - every 决算 report (r01, r02, r04) has F01–F09, found or found empty, except the tables the
//!   error-injected copy r04 lost (its contents list names F03, its body does not: a failing
//!   `tables.listed[F03]`);
//! - the Shanghai 预算 reports (r05–r08, r10–r14) have B01–B09;
//! - the Jiangsu reports have every B table their contents list (目录) names; the tables-only files
//!   r21 and r23 have those their narrative companions (r20, r24) list; the narrative-only files say
//!   their tables are published apart (`not_applicable`);
//! - r04 fails checks that r01 (the published original) does not;
//! - no text-vs-table comparison is off by 10,000× (a table read in the wrong unit);
//! - each document's check records are unique, in content and in id.
//!
//! Without `YUJUESUAN_CORPUS` the test says it is skipped and passes; set to a folder without `pdf/`
//! it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use yujuesuan::config::DocConfig;
use yujuesuan::ingest::Limits;
use yujuesuan::patterns::PatternSet;
use yujuesuan::report::analyze;

use crate::corpus_pdf_dir;

/// One analysed report: its tables (id → empty) and its check records.
struct Report {
    tables: BTreeMap<String, bool>,
    checks: Vec<Value>,
    check_lines: Vec<String>,
}

impl Report {
    fn status(&self, check: &str) -> Option<&str> {
        self.checks
            .iter()
            .find(|c| c["check"] == check)
            .and_then(|c| c["status"].as_str())
    }

    fn failing(&self) -> BTreeSet<String> {
        self.checks
            .iter()
            .filter(|c| c["status"] == "fail")
            .filter_map(|c| c["check"].as_str().map(str::to_string))
            .collect()
    }

    /// The ids the contents list names (the `tables.listed[<id>]` checks).
    fn listed(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter_map(|c| c["check"].as_str())
            .filter_map(|c| c.strip_prefix("tables.listed["))
            .filter_map(|c| c.strip_suffix(']'))
            .map(str::to_string)
            .collect()
    }

    fn assert_has(&self, name: &str, ids: &[String]) {
        let missing: Vec<&String> = ids
            .iter()
            .filter(|i| !self.tables.contains_key(*i))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: tables {missing:?} not found (found {:?})",
            self.tables.keys().collect::<Vec<_>>()
        );
    }
}

fn lines(s: &str) -> Vec<Value> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

fn analyse_all(dir: &Path) -> BTreeMap<String, Report> {
    let config = DocConfig {
        patterns: PatternSet::load(None).unwrap_or_else(|e| panic!("built-in patterns: {e}")),
        limits: Limits::default(),
    };
    let files = crate::corpus_pdfs(dir);
    let mut out = BTreeMap::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let a = analyze(&path, &name, &bytes, &config);
        let tables = lines(&a.rendered.tables)
            .iter()
            .filter_map(|t| Some((t["table"].as_str()?.to_string(), t["empty"] == true)))
            .collect();
        let check_lines: Vec<String> = a
            .rendered
            .checks
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        out.insert(
            name,
            Report {
                tables,
                checks: lines(&a.rendered.checks),
                check_lines,
            },
        );
    }
    out
}

fn ids(prefix: char) -> Vec<String> {
    (1..=9).map(|i| format!("{prefix}{i:02}")).collect()
}

fn get<'r>(reports: &'r BTreeMap<String, Report>, name: &str) -> &'r Report {
    reports
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing from the corpus"))
}

fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .ok(),
        _ => None,
    }
}

/// True when a / b is within 0.5 % of 10,000 or of 1/10,000.
fn off_by_10k(a: Decimal, b: Decimal) -> bool {
    if a.is_zero() || b.is_zero() {
        return false;
    }
    let r = (a / b).abs();
    let tol = Decimal::new(5, 3);
    let big = Decimal::from(10_000);
    let small = Decimal::new(1, 4);
    (r - big).abs() <= big * tol || (r - small).abs() <= small * tol
}

#[test]
fn corpus_table_coverage_and_checks() {
    let Some(dir) = corpus_pdf_dir() else {
        return;
    };
    let reports = analyse_all(&dir);

    // 决算: F01–F09; r04 lost F03, and says so through its contents list.
    for name in ["r01.pdf", "r02.pdf"] {
        get(&reports, name).assert_has(name, &ids('F'));
    }
    let r04 = get(&reports, "r04.pdf");
    let without_f03: Vec<String> = ids('F').into_iter().filter(|i| i != "F03").collect();
    r04.assert_has("r04.pdf", &without_f03);
    assert_eq!(r04.status("tables.listed[F03]"), Some("fail"));

    // r04 (error-injected) fails checks the published original passes.
    let new_fails: Vec<String> = r04
        .failing()
        .difference(&get(&reports, "r01.pdf").failing())
        .cloned()
        .collect();
    assert!(
        new_fails.iter().any(|c| c.starts_with("text_vs_table."))
            && new_fails.contains(&"tables.listed[F03]".to_string()),
        "r04 new failures: {new_fails:?}"
    );

    // Shanghai 预算: B01–B09.
    for n in [5, 6, 7, 8, 10, 11, 12, 13, 14] {
        let name = format!("r{n:02}.pdf");
        get(&reports, &name).assert_has(&name, &ids('B'));
    }

    // Jiangsu: the B tables their contents list names; tables-only files against their companion.
    for name in ["r15.pdf", "r18.pdf", "r19.pdf"] {
        let r = get(&reports, name);
        let listed = r.listed();
        assert!(
            listed.len() >= 8,
            "{name}: contents list read as {listed:?}"
        );
        r.assert_has(name, &listed);
        for id in &listed {
            assert_eq!(r.status(&format!("tables.listed[{id}]")), Some("pass"));
        }
    }
    for (tables_file, narrative_file) in [("r21.pdf", "r20.pdf"), ("r23.pdf", "r24.pdf")] {
        let narrative = get(&reports, narrative_file);
        let listed = narrative.listed();
        assert_eq!(listed.len(), 8, "{narrative_file}: {listed:?}");
        for id in &listed {
            assert_eq!(
                narrative.status(&format!("tables.listed[{id}]")),
                Some("not_applicable"),
                "{narrative_file} {id}"
            );
        }
        assert!(
            narrative.tables.is_empty(),
            "{narrative_file} holds no tables: {:?}",
            narrative.tables
        );
        get(&reports, tables_file).assert_has(tables_file, &listed);
    }

    for (name, r) in &reports {
        // No table value 10,000× the narrative's figure of the same key.
        for c in &r.checks {
            let id = c["check"].as_str().unwrap_or_default();
            if !id.starts_with("text_vs_table.") {
                continue;
            }
            if let (Some(table), Some(text)) = (dec(&c["expected"]), dec(&c["actual"])) {
                assert!(
                    !off_by_10k(text, table),
                    "{name}: {id} table {table} vs text {text}"
                );
            }
        }
        // One record per check, and unique ids.
        let unique: BTreeSet<&String> = r.check_lines.iter().collect();
        assert_eq!(
            unique.len(),
            r.check_lines.len(),
            "{name}: duplicate check lines"
        );
        let mut seen = BTreeSet::new();
        for c in &r.checks {
            let id = c["check"].as_str().unwrap_or_default();
            assert!(seen.insert(id.to_string()), "{name}: check id {id} twice");
        }
    }
}
