//! `--patterns DIR` with a copy of the whole `patterns/` folder: `check-patterns` accepts it and
//! `extract` gives the defaults' output; a broken copy is refused with every problem listed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yujuesuan"))
        .args(args)
        .output()
        .expect("run yujuesuan")
}

fn temp_dir(name: &str) -> PathBuf {
    crate::temp_dir(&format!("patterns-{name}"))
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read patterns dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy pattern file");
        }
    }
}

fn patterns_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("patterns");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns"),
        &copy,
    );
    copy
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[test]
fn a_copy_of_the_patterns_folder_checks_and_extracts_like_the_defaults() {
    let dir = temp_dir("copy");
    let copy = patterns_copy(&dir);
    let checked = run(&["check-patterns", "--patterns", path(&copy)]);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let (a, b) = (dir.join("defaults"), dir.join("copied"));
    for (out, extra) in [(&a, None), (&b, Some(&copy))] {
        let mut args = vec![
            "extract",
            path(&samples),
            "-o",
            path(out),
            "--progress",
            "never",
        ];
        if let Some(p) = extra {
            args.extend(["--patterns", path(p)]);
        }
        let r = run(&args);
        assert_eq!(
            r.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    for file in [
        "documents.jsonl",
        "facts.jsonl",
        "tables.jsonl",
        "checks.jsonl",
    ] {
        let x = fs::read_to_string(a.join(file)).expect("defaults output");
        let y = fs::read_to_string(b.join(file)).expect("copy output");
        assert!(!x.is_empty(), "{file} is empty");
        // Same files, same names: the fingerprint, and so every record, is the same.
        assert_eq!(x, y, "{file} differs between the defaults and the copy");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_copy_is_refused_with_every_problem() {
    let dir = temp_dir("broken");
    let copy = patterns_copy(&dir);
    // A catalog example that identifies as another table, and a regex that does not compile.
    let catalog = copy.join("tables/catalog.toml");
    let text = fs::read_to_string(&catalog).expect("catalog");
    let text = text.replacen(
        "examples = [\"收入决算表\", \"收入总表\"]",
        "examples = [\"收入决算表\", \"收入总表\", \"支出决算表\"]",
        1,
    );
    assert!(
        text.contains("\"支出决算表\"]"),
        "catalog example not replaced"
    );
    fs::write(&catalog, text).expect("write catalog");
    let totals = copy.join("facts/totals.toml");
    let text = fs::read_to_string(&totals).expect("totals");
    let text = text.replacen("regex = '", "regex = '(", 1);
    fs::write(&totals, text).expect("write totals");

    // A fact example that fails, a key not in keys.toml, a row example that fails, and an id that
    // is no table id.
    let gpb = copy.join("facts/gpb.toml");
    let text = fs::read_to_string(&gpb).expect("gpb");
    fs::write(&gpb, text.replacen("value = '700'", "value = '701'", 1)).expect("write gpb");
    let income = copy.join("facts/income.toml");
    let text = fs::read_to_string(&income).expect("income");
    let text = text.replacen(
        "key = 'income.current_year'",
        "key = 'income.no_such_key'",
        1,
    );
    assert!(
        text.contains("income.no_such_key"),
        "income key not replaced"
    );
    fs::write(&income, text).expect("write income");
    let rows = copy.join("tables/rows.toml");
    let text = fs::read_to_string(&rows).expect("rows");
    let text = text.replacen("[\"小计\", \"subtotal\"]", "[\"小计\", \"total\"]", 1);
    fs::write(&rows, text).expect("write rows");
    let text = fs::read_to_string(&catalog).expect("catalog");
    fs::write(&catalog, text.replacen("id = \"F09\"", "id = \"Q09\"", 1)).expect("write catalog");

    // A heading example that is no heading, and a counter-example that is a total line.
    let outline = copy.join("outline.toml");
    let text = fs::read_to_string(&outline).expect("outline");
    let text = text.replacen(
        "examples = ['第一部分 部门概况'",
        "examples = ['第一章 部门概况'",
        1,
    );
    assert!(
        text.contains("'第一章 部门概况'"),
        "outline example not replaced"
    );
    fs::write(&outline, text).expect("write outline");
    let performance = copy.join("tables/performance.toml");
    let text = fs::read_to_string(&performance).expect("performance");
    let text = text.replacen(
        "counter_examples = ['总分', ",
        "counter_examples = ['总分90', ",
        1,
    );
    assert!(
        text.contains("'总分90'"),
        "performance counter-example not replaced"
    );
    fs::write(&performance, text).expect("write performance");

    let checked = run(&["check-patterns", "--patterns", path(&copy)]);
    assert_eq!(checked.status.code(), Some(2));
    let err = String::from_utf8_lossy(&checked.stderr);
    let lines: Vec<&str> = err.lines().collect();
    // Every problem at once, each `file:line:id:field: message`.
    let located = |file: &str, id_field: &str| {
        lines.iter().any(|l| {
            l.strip_prefix(file)
                .and_then(|r| r.strip_prefix(':'))
                .and_then(|r| r.split_once(':'))
                .is_some_and(|(line, rest)| {
                    line.parse::<usize>().is_ok_and(|n| n > 1) && rest.starts_with(id_field)
                })
        })
    };
    for (file, id_field) in [
        ("tables/catalog.toml", "F02:examples[2]:"),
        ("tables/catalog.toml", "Q09:id: not a table id"),
        (
            "facts/totals.toml",
            "totals.income_grand_total:regex: regex parse error",
        ),
        ("facts/gpb.toml", "gpb.budget_initial:examples[0]:"),
        (
            "facts/income.toml",
            "income.current_year:key: unknown key \"income.no_such_key\"",
        ),
        ("tables/rows.toml", "rows:examples[2]:"),
        (
            "outline.toml",
            "outline.part:examples[0]: \"第一章 部门概况\" should match",
        ),
        (
            "tables/performance.toml",
            "performance.total_line:counter_examples[0]: \"总分90\" must not match",
        ),
    ] {
        assert!(located(file, id_field), "{file}:N:{id_field} not in\n{err}");
    }
    assert_eq!(lines.last().copied(), Some("8 problems"), "{err}");
    // extract refuses the same set, with the same list.
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let r = run(&[
        "extract",
        path(&samples),
        "-o",
        path(&dir.join("refused")),
        "--patterns",
        path(&copy),
        "--progress",
        "never",
    ]);
    assert_eq!(r.status.code(), Some(2));
    let refused = String::from_utf8_lossy(&r.stderr);
    assert!(
        refused.contains("gpb.budget_initial:examples[0]:"),
        "{refused}"
    );
    assert!(refused.contains("8 problems"), "{refused}");
    assert!(!dir.join("refused/documents.jsonl").exists());

    // A broken catalog file is fatal for a run too, never an empty catalog.
    fs::write(&catalog, "generic_prefix_stops = [\n").expect("write catalog");
    let out = dir.join("out");
    let r = run(&[
        "extract",
        path(&samples),
        "-o",
        path(&out),
        "--patterns",
        path(&copy),
        "--progress",
        "never",
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("tables/catalog.toml:"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn the_row_words_of_a_copy_are_the_ones_a_run_reads() {
    // 合计 no longer names a total: the samples' totals become items, and the sum checks read so.
    let dir = temp_dir("rows");
    let copy = patterns_copy(&dir);
    let rows = copy.join("tables/rows.toml");
    let text = fs::read_to_string(&rows).expect("rows");
    let text = text
        .replacen("total = [\"合计\", \"总计\"]", "total = [\"总计\"]", 1)
        .replacen("[\"合计\", \"total\"]", "[\"合计\", \"item\"]", 1);
    assert!(
        text.contains("total = [\"总计\"]"),
        "rows.toml not rewritten"
    );
    fs::write(&rows, text).expect("write rows");
    let checked = run(&["check-patterns", "--patterns", path(&copy)]);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let (a, b) = (dir.join("defaults"), dir.join("copied"));
    for (out, extra) in [(&a, None), (&b, Some(&copy))] {
        let mut args = vec![
            "extract",
            path(&samples),
            "-o",
            path(out),
            "--progress",
            "never",
        ];
        if let Some(p) = extra {
            args.extend(["--patterns", path(p)]);
        }
        let r = run(&args);
        assert!(
            r.status.code().is_some_and(|c| c < 2),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    let x = fs::read_to_string(a.join("checks.jsonl")).expect("defaults checks");
    let y = fs::read_to_string(b.join("checks.jsonl")).expect("copy checks");
    assert_ne!(x, y, "the copy's row words changed nothing");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_copy_without_a_required_file_is_refused_naming_it() {
    let dir = temp_dir("missing");
    let copy = patterns_copy(&dir);
    fs::remove_file(copy.join("identities.toml")).expect("remove identities");
    fs::remove_file(copy.join("tables/figures.toml")).expect("remove figures");
    let checked = run(&["check-patterns", "--patterns", path(&copy)]);
    assert_eq!(checked.status.code(), Some(2));
    let err = String::from_utf8_lossy(&checked.stderr);
    for line in [
        "identities.toml:identity:identity: missing: no file of the set holds [[identity]] entries \
         (identities.toml is required)",
        "tables/figures.toml:figures:figures: missing: no file of the set holds table figures \
         ([[figures]]) (tables/figures.toml is required)",
    ] {
        assert!(err.lines().any(|l| l == line), "{line} not in\n{err}");
    }
    assert_eq!(err.lines().last(), Some("2 problems"), "{err}");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let out = dir.join("out");
    let r = run(&[
        "extract",
        path(&samples),
        "-o",
        path(&out),
        "--patterns",
        path(&copy),
        "--progress",
        "never",
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("identities.toml is required"));
    assert!(!out.join("documents.jsonl").exists());
    let _ = fs::remove_dir_all(&dir);
}
