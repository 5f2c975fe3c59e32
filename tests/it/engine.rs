//! The batch engine's promises, each reproduced with inputs the test makes itself: only regular files
//! are opened, a document's whole work (reading included) runs under its time budget, one run at a
//! time writes an output folder, plain runs replace the output, `--incremental` knows a document by
//! sha256 + canonical path, and a damaged text is read lossily.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use yujuesuan::config::DocConfig;
use yujuesuan::ingest::{Cancel, Limits};
use yujuesuan::patterns::PatternSet;
use yujuesuan::report;

use crate::temp_dir;

fn bin(cwd: &Path) -> Command {
    let mut c = crate::bin();
    c.current_dir(cwd);
    c
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn run_in(cwd: &Path, args: &[&str]) -> Output {
    bin(cwd).args(args).output().expect("run yujuesuan")
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect()
}

/// (file name, status, error code) of every documents.jsonl line.
fn statuses(out: &Path) -> Vec<(String, String, String)> {
    lines(&out.join("documents.jsonl"))
        .iter()
        .map(|d| {
            let src = d["source"].as_str().unwrap_or_default();
            let name = Path::new(src)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            (
                name.to_string(),
                d["status"].as_str().unwrap_or_default().to_string(),
                d["error"]["code"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

fn config() -> DocConfig {
    DocConfig {
        patterns: PatternSet::load(None).expect("built-in patterns"),
        limits: Limits::default(),
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[cfg(unix)]
#[test]
fn a_fifo_among_the_inputs_is_unreadable_at_once() {
    let dir = temp_dir("fifo");
    let q = dir.join("q");
    fs::create_dir_all(&q).expect("mkdir");
    fs::copy(samples().join("qingxi-2025-table.pdf"), q.join("a.pdf")).expect("copy");
    let made = Command::new("mkfifo")
        .arg(q.join("f.pdf"))
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo");
    let o = run_in(
        &dir,
        &[
            "extract",
            "q",
            "-o",
            "oq",
            "--timeout-per-doc",
            "2",
            "--progress",
            "never",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got = statuses(&dir.join("oq"));
    assert_eq!(got[0].1, "ok");
    // Refused before it is opened: not a time-out after 3 s of a blocked read.
    assert_eq!(
        got[1],
        (
            "f.pdf".to_string(),
            "failed".to_string(),
            "unreadable_file".to_string()
        )
    );
    let docs = lines(&dir.join("oq/documents.jsonl"));
    let message = docs[1]["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("FIFO"), "{message}");
}

#[test]
fn a_cancelled_document_stops_with_a_timeout_record() {
    let cancel = Cancel::new();
    cancel.cancel();
    let cfg = config();
    for name in ["renshe-2020-final.txt", "qingxi-2025-table.pdf"] {
        let path = samples().join(name);
        let bytes = fs::read(&path).expect("read sample");
        let a = report::analyze_with(&path, name, &bytes, &cfg, &cancel);
        assert_eq!(a.summary.status, "failed", "{name}");
        assert_eq!(a.summary.error_code.as_deref(), Some("timeout"), "{name}");
        let never = report::analyze_with(&path, name, &bytes, &cfg, &Cancel::never());
        assert_eq!(never.summary.status, "ok", "{name}");
    }
}

#[test]
fn a_document_over_its_budget_is_recorded_with_its_hash_and_the_run_goes_on() {
    let dir = temp_dir("timeout");
    let inputs = dir.join("in");
    fs::create_dir_all(&inputs).expect("mkdir");
    // Some 80 MB of report text: several seconds of work (about 7 s on an idle machine), past a budget
    // of two seconds, while reading and hashing it takes a fraction of a second.
    let seed = fs::read(samples().join("renshe-2020-final.txt")).expect("seed");
    let big: Vec<u8> = seed.repeat((80 << 20) / seed.len() + 1);
    fs::write(inputs.join("a-big.txt"), &big).expect("write");
    fs::copy(
        samples().join("renshe-2020-final.txt"),
        inputs.join("b-seed.txt"),
    )
    .expect("copy");
    let o = run_in(
        &dir,
        &[
            "extract",
            "in",
            "-o",
            "out",
            "--timeout-per-doc",
            "2",
            "-j",
            "1",
            "--progress",
            "never",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let docs = lines(&dir.join("out/documents.jsonl"));
    assert_eq!(docs[0]["error"]["code"], "timeout");
    // Read inside the budget, so the record carries the document's real id and size.
    assert_eq!(docs[0]["doc_id"], report::doc_id(&big).as_str());
    assert_eq!(docs[0]["bytes"], big.len() as u64);
    assert_eq!(docs[1]["status"], "ok");
}

#[test]
fn one_run_at_a_time_writes_an_output_folder() {
    let dir = temp_dir("lock");
    let out = dir.join("out");
    fs::create_dir_all(&out).expect("mkdir");
    let seed = samples().join("renshe-2020-final.txt");
    let seed = seed.to_str().expect("utf-8 path");
    let lock_path = out.join("yujuesuan.lock");
    let holder = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .expect("open lock");
    holder.try_lock().expect("take the lock");
    let o = run_in(&dir, &["extract", seed, "-o", "out", "--progress", "never"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("in use by another run"),
        "{}",
        stderr(&o)
    );
    assert!(
        lines(&out.join("documents.jsonl")).is_empty(),
        "nothing written"
    );
    drop(holder);
    // A lock file left by a killed run (no process holds it) does not block.
    fs::write(&lock_path, "pid 4000000\n").expect("write");
    let o = run_in(&dir, &["extract", seed, "-o", "out", "--progress", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first: Vec<usize> = ["documents.jsonl", "facts.jsonl"]
        .iter()
        .map(|f| lines(&out.join(f)).len())
        .collect();
    assert_eq!(first[0], 1);
    assert!(first[1] > 10);
    // A second plain run replaces the output: no duplicated records.
    let o = run_in(&dir, &["extract", seed, "-o", "out", "--progress", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let second: Vec<usize> = ["documents.jsonl", "facts.jsonl"]
        .iter()
        .map(|f| lines(&out.join(f)).len())
        .collect();
    assert_eq!(first, second);
}

#[test]
fn incremental_knows_a_document_by_hash_and_canonical_path() {
    let dir = temp_dir("incr-path");
    let inputs = dir.join("incin");
    fs::create_dir_all(&inputs).expect("mkdir");
    fs::copy(
        samples().join("renshe-2020-final.txt"),
        inputs.join("a.txt"),
    )
    .expect("copy");
    fs::copy(
        samples().join("qingxi-2025-table.pdf"),
        inputs.join("b.pdf"),
    )
    .expect("copy");
    let args = |input: &'static str| {
        vec![
            "extract",
            input,
            "-o",
            "out",
            "--incremental",
            "--progress",
            "never",
        ]
    };
    let o = run_in(&dir, &args("incin"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(&dir, &args("./incin"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(lines(&dir.join("out/documents.jsonl")).len(), 2);
    // One file named twice in one run is one input.
    let o = run_in(
        &dir,
        &[
            "extract",
            "incin",
            "./incin/a.txt",
            "-o",
            "plain",
            "--progress",
            "never",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(lines(&dir.join("plain/documents.jsonl")).len(), 2);

    // A failed document recorded earlier keeps the completing run's exit code at 1.
    fs::write(inputs.join("c.pdf"), b"not a pdf at all").expect("write");
    let o = run_in(&dir, &args("incin"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run_in(&dir, &args("incin"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("3 skipped"), "{}", stderr(&o));
    assert_eq!(lines(&dir.join("out/documents.jsonl")).len(), 3);
}

#[test]
fn one_invalid_byte_costs_one_character_not_the_report() {
    let path = samples().join("renshe-2020-final.txt");
    let clean = fs::read(&path).expect("seed");
    let cfg = config();
    let base = report::analyze(&path, "seed.txt", &clean, &cfg);
    assert_eq!(base.summary.status, "ok");
    assert!(base.summary.facts > 50, "{}", base.summary.facts);
    // One 0xFF after the first line end.
    let at = clean.iter().position(|&b| b == b'\n').expect("a line end") + 1;
    let mut damaged = clean.clone();
    damaged.insert(at, 0xFF);
    let a = report::analyze(&path, "seed.txt", &damaged, &cfg);
    assert_eq!(a.summary.status, "partial");
    assert_eq!(a.summary.error_code.as_deref(), Some("unreadable_encoding"));
    assert_eq!(a.summary.facts, base.summary.facts);
    assert!(a.rendered.documents.contains("invalid_bytes"));
    // The same byte in GB18030 text: decoded as GB18030, lossily.
    let text = String::from_utf8(clean).expect("utf-8 seed");
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let mut gb = gb.into_owned();
    gb.insert(at, 0xFF);
    let a = report::analyze(&path, "seed.txt", &gb, &cfg);
    assert_eq!(a.summary.status, "partial");
    assert_eq!(a.summary.facts, base.summary.facts);
    assert!(a.rendered.documents.contains("\"encoding\":\"gb18030\""));
}

#[test]
fn a_text_of_only_blanks_is_empty() {
    let cfg = config();
    let path = Path::new("blank.txt");
    for bytes in [
        b"\x0c\x0c\x0c".to_vec(),
        b"\xEF\xBB\xBF  \r\n\t\x0c \n".to_vec(),
        b"\xFF\xFE \x00\x0c\x00".to_vec(),
    ] {
        let a = report::analyze(path, "blank.txt", &bytes, &cfg);
        assert_eq!(a.summary.error_code.as_deref(), Some("empty"), "{bytes:?}");
    }
}
