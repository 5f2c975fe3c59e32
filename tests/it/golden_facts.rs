//! Golden test of narrative facts on the seed text report, scored exactly as `tools/score.py` does,
//! plus the pattern set's own checks.
//!
//! Reads the shared folder from `YUJUESUAN_SHARED` (e.g. `../shared`): unset → the golden part is
//! skipped with a message; set to a folder that does not exist → the test fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use regex::Regex;
use rust_decimal::Decimal;
use serde_json::Value;

use yujuesuan::checks::{self, Status};
use yujuesuan::extract::facts::{self, Fact};
use yujuesuan::extract::tables;
use yujuesuan::ingest::{ingest, Limits};
use yujuesuan::metadata;
use yujuesuan::patterns::PatternSet;
use yujuesuan::segment;

fn shared() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("YUJUESUAN_SHARED") else {
        println!("skipped: YUJUESUAN_SHARED not set");
        return None;
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "YUJUESUAN_SHARED={} is not a folder",
        dir.display()
    );
    Some(dir)
}

/// score.py's `norm()`: drop whitespace, numbering and punctuation variants of a label.
fn norm(s: Option<&str>) -> String {
    let Some(s) = s else { return String::new() };
    let ws = Regex::new(r"\s+").expect("regex");
    let mut s = ws.replace_all(s, "").into_owned();
    s = s
        .replace('（', "(")
        .replace('）', ")")
        .replace(['“', '”', '"'], "");
    for re in [
        r"^[一二三四五六七八九十]+、",
        r"^\(?[一二三四五六七八九十]+\)",
        r"^\d+[.、]",
    ] {
        s = Regex::new(re).expect("regex").replace(&s, "").into_owned();
    }
    s.replace("其中：", "").replace("其中:", "")
}

fn dec(v: &Value) -> Decimal {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Decimal::from_str(s.replace(',', "").trim()).expect("golden value is a decimal")
}

/// Narrative facts plus the facts read from tables, as `extract` emits them.
fn run(path: &Path, bytes: &[u8], patterns: &PatternSet) -> (Vec<Fact>, metadata::Metadata) {
    let doc = ingest(path, bytes, &Limits::default()).expect("document ingests");
    let outline = segment::outline(&doc);
    let meta = metadata::identify(&doc, &outline, &patterns.metadata, &path.to_string_lossy());
    let mut found = facts::extract(&outline, patterns);
    let ident = tables::identifier(&doc, &patterns.catalog, meta.kind.as_deref());
    let found_tables = tables::extract(&doc, &outline, ident);
    let from_tables = tables::table_facts(&found_tables, &found);
    found.extend(from_tables);
    (found, meta)
}

/// (recall found, required, precision correct, emitted) as score.py computes them.
fn score(gold: &Value, got: &[Fact]) -> (usize, usize, usize, usize, Vec<String>) {
    let mut required = Vec::new();
    let mut accept: BTreeMap<(String, String), BTreeSet<Decimal>> = BTreeMap::new();
    let empty = Vec::new();
    for e in gold["facts"].as_array().unwrap_or(&empty) {
        let item = norm(e["item"].as_str());
        let v = dec(&e["value"]);
        let mut ks = vec![e["key"].as_str().unwrap_or_default().to_string()];
        for k in e["alt_keys"].as_array().unwrap_or(&empty) {
            ks.push(k.as_str().unwrap_or_default().to_string());
        }
        for k in &ks {
            accept
                .entry((k.clone(), item.clone()))
                .or_default()
                .insert(v);
        }
        required.push((ks, item, v));
    }
    for e in gold["optional_facts"].as_array().unwrap_or(&empty) {
        accept
            .entry((
                e["key"].as_str().unwrap_or_default().to_string(),
                norm(e["item"].as_str()),
            ))
            .or_default()
            .insert(dec(&e["value"]));
    }
    let keys: BTreeSet<&String> = accept.keys().map(|(k, _)| k).collect();
    let emitted: Vec<&Fact> = got.iter().filter(|f| keys.contains(&f.key)).collect();
    let mut problems = Vec::new();
    let found = required
        .iter()
        .filter(|(ks, item, v)| {
            let hit = ks.iter().any(|k| {
                emitted
                    .iter()
                    .any(|f| &f.key == k && &norm(f.item.as_deref()) == item && f.value == *v)
            });
            if !hit {
                problems.push(format!("missing {}[{item}]={v}", ks[0]));
            }
            hit
        })
        .count();
    let correct = emitted
        .iter()
        .filter(|f| {
            let ok = accept
                .get(&(f.key.clone(), norm(f.item.as_deref())))
                .is_some_and(|s| s.contains(&f.value));
            if !ok {
                problems.push(format!(
                    "wrong {}[{:?}]={} ({})",
                    f.key, f.item, f.value, f.raw
                ));
            }
            ok
        })
        .count();
    (found, required.len(), correct, emitted.len(), problems)
}

#[test]
fn seed_report_facts_match_the_golden_file() {
    let Some(shared) = shared() else { return };
    let text_path = shared.join("corpus/text/renshe-2020-final.txt");
    let bytes = std::fs::read(&text_path).expect("seed text is readable");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("spec/golden/renshe-2020-final.json"))
            .expect("golden file is readable"),
    )
    .expect("golden file is JSON");
    let patterns = PatternSet::load(None).expect("default patterns load");
    let (got, meta) = run(&text_path, &bytes, &patterns);

    let (found, required, correct, emitted, problems) = score(&gold, &got);
    assert_eq!(
        (found, correct),
        (required, emitted),
        "recall {found}/{required}, precision {correct}/{emitted}:\n{}",
        problems.join("\n")
    );
    assert!(required >= 71);

    assert_eq!(meta.kind.as_deref(), gold["kind"].as_str());
    assert_eq!(meta.year.map(i64::from), gold["year"].as_i64());
    assert_eq!(meta.department.as_deref(), gold["department"].as_str());

    // Money in other units converts exactly; counts and unit costs are never money.
    for m in gold["money_in_other_units"].as_array().expect("list") {
        let raw = m["raw"].as_str().expect("raw");
        let a = patterns
            .units
            .parse_money(raw)
            .unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(a.value, dec(&m["value_wan"]), "{raw}");
        assert_eq!(
            a.approximate,
            m["approximate"].as_bool().unwrap_or(false),
            "{raw}"
        );
    }
    for t in gold["must_not_be_money"].as_array().expect("list") {
        let raw = t.as_str().expect("string");
        let raw = raw.split(" (").next().unwrap_or(raw);
        assert!(
            patterns.units.parse_money(raw).is_err(),
            "{raw} read as money"
        );
        let squeezed: String = raw.split_whitespace().collect();
        assert!(
            !got.iter().any(|f| f.unit == "万元" && f.raw == squeezed),
            "{raw} became a fact"
        );
    }

    // Every fact keeps its provenance.
    for f in &got {
        assert!(
            f.page.is_some() && !f.section.is_empty() && !f.raw.is_empty(),
            "{f:?}"
        );
    }

    let checks = checks::facts::evaluate(&got, &[]);
    let status = |id: &str| {
        checks
            .iter()
            .find(|c| c.check == id)
            .map(|c| c.status)
            .unwrap_or_else(|| panic!("no check {id}"))
    };
    assert_eq!(status("facts.grand_total_balance"), Status::Fail);
    assert_eq!(status("facts.procurement_parts"), Status::Rounding);
    assert_eq!(status("facts.basic_plus_project"), Status::Pass);
    assert_eq!(status("facts.personnel_plus_public"), Status::Pass);
    assert_eq!(status("facts.gpb_basic_plus_project"), Status::Pass);
    assert_eq!(status("facts.sangong_parts"), Status::Pass);

    // The same report in GB18030 and in UTF-16LE gives the same facts.
    let text = std::str::from_utf8(&bytes).expect("seed is UTF-8");
    let (gbk, _, _) = encoding_rs::GB18030.encode(text);
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    for copy in [gbk.into_owned(), utf16] {
        let (again, _) = run(Path::new("copy.txt"), &copy, &patterns);
        assert_eq!(again, got);
    }
}

#[test]
fn default_patterns_pass_their_own_examples() {
    let set = PatternSet::load(None).expect("default patterns load");
    assert_eq!(set.check(), Vec::<String>::new());
}

#[test]
fn a_broken_pattern_folder_is_reported_by_file_id_and_field() {
    let dir =
        std::env::temp_dir().join(format!("yujuesuan-broken-patterns-{}", std::process::id()));
    let facts_dir = dir.join("facts");
    std::fs::create_dir_all(&facts_dir).expect("temp folder");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
    std::fs::create_dir_all(dir.join("tables")).expect("temp folder");
    for f in [
        "keys.toml",
        "units.toml",
        "metadata.toml",
        "identities.toml",
        "tables/catalog.toml",
        "tables/columns.toml",
        "tables/rows.toml",
        "tables/figures.toml",
    ] {
        std::fs::copy(root.join(f), dir.join(f)).expect("copy base file");
    }
    std::fs::write(
        facts_dir.join("broken.toml"),
        "[[pattern]]\nid = 'wrong.example'\nkey = 'basic.total'\nregex = '基本支出{money}'\n\
         examples = [{ text = '基本支出5万元', value = '6' }]\n",
    )
    .expect("write pattern");
    let set = PatternSet::load(Some(&dir)).expect("loads");
    let problems = set.check();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("facts/broken.toml:wrong.example:examples[0]:"),
        "{}",
        problems[0]
    );

    std::fs::write(
        facts_dir.join("broken.toml"),
        "[[pattern]]\nid = 'bad.key'\nkey = 'no.such.key'\nregex = '基本支出{money}'\n",
    )
    .expect("write pattern");
    let err = PatternSet::load(Some(&dir)).expect_err("unknown key is refused");
    assert!(
        err.to_string()
            .starts_with("facts/broken.toml:bad.key:key:"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The PDF golden files through the project's own reader, narrative and table facts together (as
/// `extract` emits them): facts recall ≥ 0.90 and precision ≥ 0.98 over the six, kind, year and
/// department right, and every matched narrative fact on its golden page.
#[test]
fn pdf_golden_facts() {
    let Some(shared) = shared() else { return };
    let patterns = PatternSet::load(None).expect("default patterns load");
    let (mut found, mut required, mut correct, mut emitted) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for name in ["r01", "r02", "r06", "r10", "r15", "r26"] {
        let pdf = shared.join(format!("corpus/pdf/{name}.pdf"));
        let bytes = std::fs::read(&pdf).expect("golden PDF is readable");
        let gold: Value = serde_json::from_str(
            &std::fs::read_to_string(shared.join(format!("spec/golden/{name}.json")))
                .expect("golden file is readable"),
        )
        .expect("golden file is JSON");
        let (got, meta) = run(&pdf, &bytes, &patterns);
        assert_eq!(meta.kind.as_deref(), gold["kind"].as_str(), "{name}");
        assert_eq!(meta.year.map(i64::from), gold["year"].as_i64(), "{name}");
        assert_eq!(
            meta.department.as_deref(),
            gold["department"].as_str(),
            "{name}"
        );
        let (f, r, c, e, p) = score(&gold, &got);
        found += f;
        required += r;
        correct += c;
        emitted += e;
        problems.extend(p.into_iter().map(|p| format!("{name}: {p}")));
        for g in gold["facts"].as_array().expect("facts") {
            let want = dec(&g["value"]);
            let key = g["key"].as_str().unwrap_or_default();
            let page = g["page"].as_u64().map(|p| p as u32);
            let hits: Vec<&Fact> = got
                .iter()
                .filter(|f| f.key == key && f.value == want)
                .collect();
            if !hits.is_empty() && !hits.iter().any(|f| f.page == page) {
                problems.push(format!("{name}: {key}={want} not on page {page:?}"));
            }
        }
    }
    let recall = found as f64 / required as f64;
    let precision = correct as f64 / emitted as f64;
    assert!(
        recall >= 0.90 && precision >= 0.98 && !problems.iter().any(|p| p.contains("page")),
        "recall {found}/{required}, precision {correct}/{emitted}:\n{}",
        problems.join("\n")
    );
}
