//! The researcher's side of the binary: batch conventions (failed documents on stderr, `--quiet`,
//! `--glob`/`--exclude`, `-0`, comments in lists, `text --page`, `inspect --json`, page bounds),
//! identity (the same bytes twice), `schema`, `export`, and the README's worked example run by
//! `tests/readme_queries.py` (JSON Schema validation and exact decimal sums in DuckDB and pyarrow).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::{bin, read_lines, temp_dir};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn seed() -> PathBuf {
    root().join("samples/renshe-2020-final.txt")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run yujuesuan")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn sources(out: &Path) -> Vec<String> {
    read_lines(&out.join("documents.jsonl"))
        .iter()
        .map(|d| d["source"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn each_failed_document_is_named_on_stderr_and_quiet_silences_all() {
    let dir = temp_dir("failed");
    let out = dir.join("out");
    let missing = dir.join("nosuch.pdf");
    let empty = dir.join("empty.txt");
    fs::write(&empty, b"").expect("write");
    let o = run(&[
        "extract",
        s(&missing),
        s(&seed()),
        s(&empty),
        "-o",
        s(&out),
        "--progress",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{}: unreadable_file: ", s(&missing)))),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{}: empty: ", s(&empty)))),
        "{err}"
    );
    assert!(
        !err.contains(s(&seed())),
        "a good document is not named: {err}"
    );
    let last = lines.last().copied().unwrap_or_default();
    assert!(
        last.contains("3 documents processed (2 failed"),
        "summary last: {err}"
    );

    let o = run(&["extract", s(&missing), s(&seed()), "-o", s(&out), "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stderr.is_empty(), "quiet: {}", stderr(&o));
    assert_eq!(sources(&out).len(), 2);
}

#[test]
fn globs_excludes_nul_lists_and_comments_select_inputs() {
    let dir = temp_dir("select");
    let inputs = dir.join("in");
    fs::create_dir_all(inputs.join("2024")).expect("mkdir");
    fs::copy(seed(), inputs.join("a.txt")).expect("copy");
    let mut other = fs::read(seed()).expect("read seed");
    other.extend_from_slice("\n附注。\n".as_bytes());
    fs::write(inputs.join("2024/b-决算.txt"), &other).expect("write");
    let mut draft = other.clone();
    draft.extend_from_slice(b"\n");
    fs::write(inputs.join("2024/c-draft.txt"), &draft).expect("write");
    fs::write(inputs.join("notes.md"), b"not a report").expect("write");
    let out = dir.join("out");

    let o = run(&[
        "extract",
        s(&inputs),
        "--glob",
        "2024/**/*.txt",
        "--exclude",
        "*draft*",
        "-o",
        s(&out),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(sources(&out), [s(&inputs.join("2024/b-决算.txt"))]);

    let o = run(&[
        "extract",
        s(&inputs),
        "--exclude",
        "2024/*",
        "-o",
        s(&out),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(sources(&out), [s(&inputs.join("a.txt"))]);

    // A list with comments and blank lines.
    let list = dir.join("list.txt");
    fs::write(
        &list,
        format!(
            "# today's harvest\n\n{}\n  # {}\n{}\n",
            s(&inputs.join("a.txt")),
            s(&inputs.join("2024/c-draft.txt")),
            s(&inputs.join("2024/b-决算.txt"))
        ),
    )
    .expect("write list");
    let o = run(&[
        "extract",
        "--files-from",
        s(&list),
        "-o",
        s(&out),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        sources(&out),
        [s(&inputs.join("a.txt")), s(&inputs.join("2024/b-决算.txt"))]
    );

    // NUL-separated on stdin, a name with a space and a newline in it.
    let odd = inputs.join("x y\nz.txt");
    fs::copy(seed(), &odd).expect("copy");
    let mut child = bin()
        .args(["extract", "-", "-0", "-o", s(&out), "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        let list = format!("{}\0{}\0", s(&odd), s(&inputs.join("2024/b-决算.txt")));
        stdin.write_all(list.as_bytes()).expect("write stdin");
    }
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(sources(&out), [s(&odd), s(&inputs.join("2024/b-决算.txt"))]);

    let o = run(&["extract", s(&inputs), "--glob", "[x", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "a bad glob is fatal");
}

#[test]
fn the_same_bytes_twice_are_processed_once() {
    let dir = temp_dir("dup");
    let copy = dir.join("copy-of-seed.txt");
    fs::copy(seed(), &copy).expect("copy");
    let out = dir.join("out");
    let o = run(&[
        "extract",
        s(&seed()),
        s(&copy),
        s(&seed()),
        "-o",
        s(&out),
        "-j",
        "2",
        "--progress",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The seed named twice is one input (one file); its copy is a duplicate.
    assert!(stderr(&o).contains("1 duplicates"), "{}", stderr(&o));
    let docs = read_lines(&out.join("documents.jsonl"));
    let status: Vec<&str> = docs
        .iter()
        .map(|d| d["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(status, ["ok", "duplicate"]);
    for d in &docs[1..] {
        assert_eq!(d["doc_id"], docs[0]["doc_id"]);
        assert_eq!(d["duplicate_of"].as_str(), Some(s(&seed())));
        assert_eq!(d["facts"], 0);
    }
    assert!(docs[0]["duplicate_of"].is_null());
    let facts = read_lines(&out.join("facts.jsonl"));
    assert!(!facts.is_empty());
    assert!(facts
        .iter()
        .all(|f| f["source"].as_str() == Some(s(&seed()))));
    let run_json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).expect("run.json"))
            .expect("json");
    assert_eq!(run_json["counts_by_status"]["duplicate"], 1);

    // An incremental run given the copy again: the copy stays a duplicate, nothing is redone.
    let o = run(&[
        "extract",
        s(&copy),
        "-o",
        s(&out),
        "--incremental",
        "--progress",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read_lines(&out.join("facts.jsonl")).len(), facts.len());
    assert_eq!(read_lines(&out.join("documents.jsonl")).len(), 2);
}

#[test]
fn text_and_inspect_take_a_page_and_refuse_one_that_is_not_there() {
    let pdf = root().join("samples/qingxi-2025-narrative.pdf");
    let o = run(&["text", s(&pdf), "--page", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("青溪区园林绿化管理局"), "{text}");
    assert_eq!(text.matches('\u{c}').count(), 1);

    let two_pages = temp_dir("pages").join("two.txt");
    fs::write(&two_pages, "第一页 甲\n\u{c}第二页 乙\n").expect("write");
    let o = run(&["text", s(&two_pages), "--page", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("第二页") && !text.contains("第一页"),
        "{text}"
    );

    for args in [
        vec!["inspect", s(&pdf), "--page", "0"],
        vec!["inspect", s(&pdf), "--page", "2"],
        vec!["text", s(&pdf), "--page", "9"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("pages"), "{}", stderr(&o));
    }

    let o = run(&["inspect", s(&pdf), "--page", "1", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("inspect --json is JSON");
    let pages = v["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["number"], 1);
    let lines = pages[0]["lines"].as_array().expect("lines");
    assert!(lines
        .iter()
        .any(|l| l["text"].as_str().is_some_and(|t| t.contains("青溪区"))));
    assert!(lines[0]["segments"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
}

#[test]
fn schema_prints_each_published_file() {
    for name in ["documents", "facts.jsonl", "tables", "checks", "run.json"] {
        let o = run(&["schema", name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON schema");
        let stem = name.split('.').next().unwrap_or(name);
        let file = root().join(format!("schema/{stem}.schema.json"));
        let shipped: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&file).expect("schema file")).expect("json");
        assert_eq!(v, shipped, "{name}");
        assert!(v["required"].as_array().is_some_and(|r| !r.is_empty()));
    }
    let o = run(&["schema"]);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        all.as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(
            ["documents", "facts", "tables", "checks", "run"]
                .map(String::from)
                .to_vec()
        )
    );
    assert_eq!(run(&["schema", "nosuch"]).status.code(), Some(2));
}

/// Every field of every record is there, also when empty: the schema's `required` lists are met by
/// the seed run (checked without Python here; `readme_queries.py` validates types too).
#[test]
fn every_documented_field_is_in_every_record() {
    let dir = temp_dir("fields");
    let out = dir.join("out");
    let o = run(&[
        "extract",
        s(&root().join("samples")),
        "-o",
        s(&out),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in ["documents", "facts", "tables", "checks"] {
        let schema: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(root().join(format!("schema/{name}.schema.json"))).expect("schema"),
        )
        .expect("json");
        let required: Vec<&str> = schema["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let props = schema["properties"].as_object().expect("properties");
        let records = read_lines(&out.join(format!("{name}.jsonl")));
        assert!(!records.is_empty(), "{name}");
        for r in &records {
            let obj = r.as_object().expect("object");
            for field in &required {
                assert!(obj.contains_key(*field), "{name}: {field} missing in {r}");
            }
            for k in obj.keys() {
                assert!(props.contains_key(k), "{name}: {k} is not in the schema");
            }
        }
    }
    // Maps keyed by data are arrays of objects.
    let docs = read_lines(&out.join("documents.jsonl"));
    let printed = docs
        .iter()
        .find(|d| d["source"].as_str().is_some_and(|s| s.ends_with(".txt")))
        .expect("the seed")["printed_pages"]
        .as_array()
        .expect("printed_pages is an array")
        .clone();
    assert_eq!(printed[0]["page"], 1);
    assert_eq!(printed[0]["printed"], "19");
}

/// The schema files, the README's output table and `extract --help` name the same fields.
#[test]
fn docs_name_every_schema_field() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README");
    let output_rs = fs::read_to_string(root().join("src/output.rs")).expect("output.rs");
    let help = String::from_utf8_lossy(&run(&["extract", "--help"]).stdout).to_string();
    for name in ["documents", "facts", "tables", "checks"] {
        let schema: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(root().join(format!("schema/{name}.schema.json"))).expect("schema"),
        )
        .expect("json");
        for field in schema["required"].as_array().expect("required") {
            let field = field.as_str().unwrap_or_default();
            if matches!(field, "doc_id" | "source") && name != "documents" {
                continue;
            }
            assert!(
                readme.contains(&format!("`{field}`")),
                "README does not document {name}.{field}"
            );
            assert!(
                help.contains(field),
                "extract --help does not name {name}.{field}"
            );
            if name == "documents" {
                assert!(
                    output_rs.contains(&format!("pub {field}:")),
                    "output.rs has no field {field}"
                );
            }
        }
    }
}

#[test]
fn export_writes_parquet_and_csv_with_exact_decimals() {
    let dir = temp_dir("export");
    let out = dir.join("out");
    let o = run(&[
        "extract",
        s(&seed()),
        "-o",
        s(&out),
        "--quiet",
        "--format",
        "parquet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["values", "documents", "checks", "check_refs", "panel"] {
        let bytes = fs::read(out.join(format!("{f}.parquet"))).expect("parquet written");
        assert!(
            bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
            "{f}"
        );
    }
    let csv_dir = dir.join("csv");
    let o = run(&["export", s(&out), "--format", "csv", "-o", s(&csv_dir)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let values = fs::read_to_string(csv_dir.join("values.csv")).expect("values.csv");
    let header: Vec<&str> = values
        .lines()
        .next()
        .unwrap_or_default()
        .split(',')
        .collect();
    let col = |n: &str| header.iter().position(|h| *h == n).expect("column");
    let facts = read_lines(&out.join("facts.jsonl"));
    // The first fact's row carries its exact value and the document's identity.
    let first = values.lines().nth(1).unwrap_or_default();
    let cells: Vec<&str> = first.split(',').collect();
    assert_eq!(
        cells[col("key")],
        facts[0]["key"].as_str().unwrap_or_default()
    );
    assert_eq!(cells[col("value")], facts[0]["value"].to_string());
    assert_eq!(cells[col("year")], "2020");
    assert_eq!(cells[col("origin")], "narrative");
    let panel = fs::read_to_string(out.join("panel.csv")).expect("panel.csv");
    assert_eq!(panel.lines().count(), 2, "one row per document");
    assert!(panel
        .lines()
        .next()
        .is_some_and(|h| h.contains("sangong.final")));
    assert_eq!(
        run(&["export", s(&dir.join("nothing-here"))]).status.code(),
        Some(2)
    );
}

/// Python with jsonschema, duckdb and pyarrow: required when `YUJUESUAN_SHARED` is set (CI), else
/// the test says `skipped`.
fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema, duckdb, pyarrow"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("YUJUESUAN_SHARED").is_none(),
            "python3 with jsonschema, duckdb and pyarrow is needed (pip install jsonschema duckdb pyarrow)"
        );
        println!("skipped: python3 with jsonschema, duckdb and pyarrow not found");
    }
    ok
}

fn readme_queries_over(name: &str, inputs: &[PathBuf]) {
    let work = temp_dir(name);
    let out = work.join("out");
    let mut args: Vec<&str> = vec!["extract"];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(["-o", s(&out), "--quiet", "--format", "parquet"]);
    let o = run(&args);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "extract: {}",
        stderr(&o)
    );
    let o = Command::new("python3")
        .arg(root().join("tests/readme_queries.py"))
        .arg(root().join("README.md"))
        .arg(root().join("schema"))
        .arg(&work)
        .output()
        .expect("run python3");
    let text = String::from_utf8_lossy(&o.stdout);
    println!("{text}{}", stderr(&o));
    assert!(
        o.status.success(),
        "readme_queries.py: {text}{}",
        stderr(&o)
    );
    assert!(text.contains("\nOK"), "{text}");
}

#[test]
fn readme_example_and_schema_hold_over_the_samples_and_dev_corpus() {
    if !python_ready() {
        return;
    }
    let mut inputs = vec![root().join("samples"), seed()];
    if let Some(pdf) = crate::corpus_pdf_dir() {
        inputs.push(pdf);
    }
    readme_queries_over("readme-dev", &inputs);
}

#[test]
fn schema_holds_over_the_wild_corpus() {
    let Some(dir) = std::env::var_os("YUJUESUAN_CORPUS") else {
        println!("skipped: YUJUESUAN_CORPUS not set");
        return;
    };
    let wild = Path::new(&dir).join("wild");
    assert!(wild.is_dir(), "YUJUESUAN_CORPUS has no wild/ folder");
    if !python_ready() {
        return;
    }
    readme_queries_over("readme-wild", &[wild]);
}
