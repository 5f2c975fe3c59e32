//! Runs the real binary: exit codes, failed records for bad input, determinism across `-j`,
//! `--incremental` after a killed run, `--shard`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{bin, read_lines, temp_dir};

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/renshe-2020-final.txt")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run yujuesuan")
}

/// A folder with the seed, garbage named .txt and .pdf, an empty file and a truncated "PDF".
fn mixed_inputs(dir: &Path) -> PathBuf {
    let inputs = dir.join("in");
    fs::create_dir_all(&inputs).expect("mkdir");
    fs::copy(seed(), inputs.join("a-seed.txt")).expect("copy seed");
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(inputs.join("b-garbage.txt"), &garbage).expect("write");
    // Other bytes than b-garbage.txt: identical bytes would be one document (a `duplicate`).
    let mut pdf_garbage = garbage.clone();
    pdf_garbage[0] ^= 0xff;
    fs::write(inputs.join("c-garbage.pdf"), &pdf_garbage).expect("write");
    fs::write(inputs.join("d-empty.txt"), b"").expect("write");
    fs::write(
        inputs.join("e-truncated.pdf"),
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",
    )
    .expect("write");
    inputs
}

#[test]
fn bad_inputs_fail_alone_with_stable_codes() {
    let dir = temp_dir("bad");
    let inputs = mixed_inputs(&dir);
    let out = dir.join("out");
    let missing = dir.join("no-such-file.pdf");
    let o = run(&[
        "extract",
        inputs.to_str().expect("utf-8 path"),
        missing.to_str().expect("utf-8 path"),
        "-o",
        out.to_str().expect("utf-8 path"),
        "--progress",
        "never",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty(), "nothing on stdout");
    let docs = read_lines(&out.join("documents.jsonl"));
    let got: Vec<(String, String, String)> = docs
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
        .collect();
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        got,
        vec![
            s("a-seed.txt", "ok", "-"),
            s("b-garbage.txt", "failed", "unreadable_encoding"),
            s("c-garbage.pdf", "failed", "not_pdf"),
            s("d-empty.txt", "failed", "empty"),
            s("e-truncated.pdf", "failed", "truncated"),
            s("no-such-file.pdf", "failed", "unreadable_file"),
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).expect("run.json"))
            .expect("json");
    assert_eq!(manifest["counts_by_status"]["failed"], 5);
    assert_eq!(manifest["counts_by_status"]["ok"], 1);
}

#[test]
fn output_is_identical_whatever_the_job_count() {
    let dir = temp_dir("jobs");
    let inputs = mixed_inputs(&dir);
    for i in 0..6 {
        fs::copy(seed(), inputs.join(format!("s{i}.txt"))).expect("copy");
    }
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "5"] {
        let out = dir.join(format!("out{jobs}"));
        let o = run(&[
            "extract",
            inputs.to_str().expect("path"),
            "-o",
            out.to_str().expect("path"),
            "-j",
            jobs,
        ]);
        assert_eq!(o.status.code(), Some(1));
        let files: Vec<Vec<u8>> = [
            "documents.jsonl",
            "facts.jsonl",
            "tables.jsonl",
            "checks.jsonl",
        ]
        .iter()
        .map(|f| fs::read(out.join(f)).expect("read"))
        .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    assert!(!outputs[0][0].is_empty());
}

#[test]
fn incremental_run_repairs_a_killed_run_without_duplicates() {
    let dir = temp_dir("incr");
    let inputs = mixed_inputs(&dir);
    let full = dir.join("full");
    let o = run(&[
        "extract",
        inputs.to_str().expect("path"),
        "-o",
        full.to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(1));

    // Simulate a run killed while appending: keep the first two documents' lines, then a torn line
    // in documents.jsonl and orphan lines of a third document in facts.jsonl.
    let partial = dir.join("partial");
    fs::create_dir_all(&partial).expect("mkdir");
    let docs = fs::read_to_string(full.join("documents.jsonl")).expect("read");
    let doc_lines: Vec<&str> = docs.lines().collect();
    let kept_ids: BTreeSet<String> = doc_lines[..2]
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["doc_id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    for name in ["facts.jsonl", "tables.jsonl", "checks.jsonl"] {
        let text = fs::read_to_string(full.join(name)).expect("read");
        let mut kept: String = text
            .lines()
            .filter(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("json");
                kept_ids.contains(v["doc_id"].as_str().unwrap_or_default())
            })
            .map(|l| format!("{l}\n"))
            .collect();
        if name == "facts.jsonl" {
            kept.push_str(
                "{\"doc_id\":\"orphan\",\"source\":\"x\",\"key\":\"income.grand_total\"}\n",
            );
        }
        fs::write(partial.join(name), kept).expect("write");
    }
    let torn = &doc_lines[2][..doc_lines[2].len() / 2];
    fs::write(
        partial.join("documents.jsonl"),
        format!("{}\n{}\n{}", doc_lines[0], doc_lines[1], torn),
    )
    .expect("write");

    let o = run(&[
        "extract",
        inputs.to_str().expect("path"),
        "-o",
        partial.to_str().expect("path"),
        "--incremental",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for name in [
        "documents.jsonl",
        "facts.jsonl",
        "tables.jsonl",
        "checks.jsonl",
    ] {
        let want: BTreeSet<String> = fs::read_to_string(full.join(name))
            .expect("read")
            .lines()
            .map(String::from)
            .collect();
        let got_text = fs::read_to_string(partial.join(name)).expect("read");
        let got: Vec<String> = got_text.lines().map(String::from).collect();
        let got_set: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(got.len(), got_set.len(), "{name}: no duplicate lines");
        assert_eq!(got_set, want, "{name}: same lines as an uninterrupted run");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(partial.join("run.json")).expect("run.json"))
            .expect("json");
    assert_eq!(manifest["skipped_incremental"], 2);

    // A second incremental run has nothing left to do; the failed documents it finds recorded keep
    // its exit code at 1.
    let o = run(&[
        "extract",
        inputs.to_str().expect("path"),
        "-o",
        partial.to_str().expect("path"),
        "--incremental",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(partial.join("run.json")).expect("run.json"))
            .expect("json");
    assert_eq!(manifest["documents_processed"], 0);
}

#[test]
fn shards_partition_the_inputs() {
    let dir = temp_dir("shard");
    let inputs = mixed_inputs(&dir);
    let mut all = BTreeSet::new();
    let mut total = 0;
    for k in 1..=3 {
        let out = dir.join(format!("s{k}"));
        let shard = format!("{k}/3");
        run(&[
            "extract",
            inputs.to_str().expect("path"),
            "-o",
            out.to_str().expect("path"),
            "--shard",
            &shard,
        ]);
        for d in read_lines(&out.join("documents.jsonl")) {
            total += 1;
            all.insert(d["source"].as_str().unwrap_or_default().to_string());
        }
    }
    assert_eq!(total, 5, "each document in exactly one shard");
    assert_eq!(all.len(), 5);
}

#[test]
fn files_from_stdin_and_help() {
    let dir = temp_dir("stdin");
    let out = dir.join("out");
    let mut child = bin()
        .args(["extract", "-", "-o", out.to_str().expect("path")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{}", seed().display()).expect("write");
    }
    assert_eq!(child.wait().expect("wait").code(), Some(0));
    assert_eq!(read_lines(&out.join("documents.jsonl")).len(), 1);

    let help = run(&["extract", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("EXIT CODES") && text.contains("documents.jsonl"),
        "{text}"
    );
    assert_eq!(run(&["extract"]).status.code(), Some(2));
}
