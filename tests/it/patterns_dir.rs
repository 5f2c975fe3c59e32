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

    let checked = run(&["check-patterns", "--patterns", path(&copy)]);
    assert_eq!(checked.status.code(), Some(2));
    let err = String::from_utf8_lossy(&checked.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("tables/catalog.toml:") && l.contains(":F02:examples[2]:")),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("facts/totals.toml:") && l.contains(":regex:")),
        "{err}"
    );
    // A broken catalog file is fatal for a run too, never an empty catalog.
    fs::write(&catalog, "generic_prefix_stops = [\n").expect("write catalog");
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
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("tables/catalog.toml:"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let _ = fs::remove_dir_all(&dir);
}
