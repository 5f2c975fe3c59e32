//! `yujuesuan review` and `extract --review`: the annotated copy opens in poppler, keeps the original
//! as a prefix, paints each value's box in its colour and nothing else; report.html counts what the
//! JSON Lines hold.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{bin, read_lines, temp_dir};
use yujuesuan::fixture::review_fixture;
use yujuesuan::review::Mark;

/// Whether a poppler/qpdf tool is there; missing in CI (YUJUESUAN_SHARED set) is a failure.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("YUJUESUAN_SHARED").is_none(),
            "{tool} is missing (install poppler-utils / qpdf)"
        );
        println!("skipped: {tool} not installed");
    }
    ok
}

/// An RGB raster rendered by `pdftoppm` at `dpi`.
struct Raster {
    /// What pdftoppm said on stderr (the fixture's fonts are not embedded: poppler says so).
    stderr: String,
    width: usize,
    height: usize,
    data: Vec<u8>,
    scale: f64,
}

impl Raster {
    fn render(pdf: &Path, dpi: u32) -> Raster {
        let out = Command::new("pdftoppm")
            .args(["-r", &dpi.to_string(), "-f", "1", "-l", "1"])
            .arg(pdf)
            .output()
            .expect("pdftoppm runs");
        assert!(
            out.status.success(),
            "pdftoppm: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let b = out.stdout;
        // P6 <w> <h> 255 <data>
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 4 {
            while b[i].is_ascii_whitespace() {
                i += 1;
            }
            let start = i;
            while !b[i].is_ascii_whitespace() {
                i += 1;
            }
            fields.push(String::from_utf8_lossy(&b[start..i]).to_string());
        }
        assert_eq!(fields[0], "P6");
        let width: usize = fields[1].parse().expect("width");
        let height: usize = fields[2].parse().expect("height");
        let data = b[i + 1..].to_vec();
        assert_eq!(data.len(), width * height * 3);
        Raster {
            stderr: String::from_utf8_lossy(&out.stderr).to_string(),
            width,
            height,
            data,
            scale: f64::from(dpi) / 72.0,
        }
    }

    fn px(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }

    /// Pixel rectangle of a user-space box on a page `page_h` points high (inclusive-exclusive).
    fn pixels(&self, b: [f64; 4], page_h: f64, grow: f64) -> (usize, usize, usize, usize) {
        let s = self.scale;
        let x0 = ((b[0] - grow) * s).floor().max(0.0) as usize;
        let x1 = (((b[2] + grow) * s).ceil() as usize).min(self.width);
        let y0 = (((page_h - b[3]) - grow) * s).floor().max(0.0) as usize;
        let y1 = ((((page_h - b[1]) + grow) * s).ceil() as usize).min(self.height);
        (x0, y0, x1, y1)
    }
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 3)
}

/// Asserts: inside each box, most of what was white paper has the box's colour; outside every box
/// (grown by 1 pt for anti-aliasing) the annotated render equals the original's.
fn assert_render(original: &Path, annotated: &Path, boxes: &[([f64; 4], Mark)]) {
    let a = Raster::render(original, 144);
    let b = Raster::render(annotated, 144);
    assert_eq!((a.width, a.height), (b.width, b.height));
    assert_eq!(a.stderr, b.stderr, "the copy renders with no new complaint");
    let page_h = a.height as f64 / a.scale;
    for (bx, mark) in boxes {
        let (x0, y0, x1, y1) = b.pixels(*bx, page_h, -1.0);
        let (mut paper, mut coloured) = (0, 0);
        for y in y0..y1 {
            for x in x0..x1 {
                if a.px(x, y) == [255, 255, 255] {
                    paper += 1;
                    if near(b.px(x, y), mark.rgb8()) {
                        coloured += 1;
                    }
                }
            }
        }
        assert!(paper > 50, "box {bx:?} has paper to colour");
        assert!(
            coloured * 10 >= paper * 9,
            "box {bx:?} ({mark:?}): {coloured} of {paper} paper pixels in {:?}",
            mark.rgb8()
        );
    }
    let grown: Vec<_> = boxes
        .iter()
        .map(|(bx, _)| b.pixels(*bx, page_h, 1.0))
        .collect();
    let mut changed = 0;
    for y in 0..a.height {
        for x in 0..a.width {
            let inside = grown
                .iter()
                .any(|&(x0, y0, x1, y1)| x >= x0 && x < x1 && y >= y0 && y < y1);
            if !inside && a.px(x, y) != b.px(x, y) {
                changed += 1;
            }
        }
    }
    assert_eq!(changed, 0, "pixels outside the annotated boxes changed");
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write_lines(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).expect("write jsonl");
}

fn html_count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

/// A hand-written run over the fixture, as the output contract describes it: five facts with boxes,
/// a failing balance of two of them and a passing sum of the other three.
#[test]
fn review_colours_each_value_by_its_checks_and_changes_nothing_else() {
    if !have("pdftoppm") || !have("pdfinfo") {
        return;
    }
    for modern in [false, true] {
        let dir = temp_dir(&format!("review-hand-{modern}"));
        let fx = review_fixture(modern);
        let pdf = dir.join("fixture.pdf");
        std::fs::write(&pdf, &fx.bytes).expect("write pdf");
        let out = dir.join("out");
        std::fs::create_dir_all(&out).expect("out");
        let id = sha256_hex(&fx.bytes);
        let source = pdf.display().to_string();
        let keys = [
            "income.grand_total",
            "expenditure.grand_total",
            "expenditure.current_year",
            "expenditure.basic",
            "expenditure.project",
        ];
        let facts: Vec<Value> = fx
            .amounts
            .iter()
            .zip(keys)
            .map(|((raw, page, b), key)| {
                json!({"doc_id": id, "source": source, "key": key, "item": null,
                       "value": raw.parse::<f64>().expect("amount"), "unit": "万元", "raw": raw,
                       "approximate": false, "page": page, "section": null, "pattern": key,
                       "origin": "narrative", "cell": null, "bbox": b})
            })
            .collect();
        let term = |i: usize, role: &str| {
            let (raw, page, b) = &fx.amounts[i];
            json!({"role": role, "value": raw.parse::<f64>().expect("amount"), "source": "fact",
                   "key": keys[i], "table": null, "row": null, "column": null, "page": page,
                   "bbox": b, "raw": raw})
        };
        let checks = vec![
            json!({"doc_id": id, "source": source, "check": "facts.grand_total_balance",
                   "status": "fail", "expected": 1236.58, "actual": 1230.00, "diff": -6.58,
                   "refs": [], "message": null, "formula": "income.grand_total = expenditure.grand_total",
                   "envelope": 0.01, "terms": [term(0, "total"), term(1, "part")]}),
            json!({"doc_id": id, "source": source, "check": "facts.basic_plus_project",
                   "status": "pass", "expected": 1236.58, "actual": 1236.58, "diff": 0,
                   "refs": [], "message": null, "formula": "expenditure.current_year = basic + project",
                   "envelope": 0.015, "terms": [term(2, "total"), term(3, "part"), term(4, "part")]}),
        ];
        write_lines(
            &out.join("documents.jsonl"),
            &[
                json!({"doc_id": id, "source": source, "status": "ok", "error": null,
                     "format": "pdf", "kind": "部门决算", "year": 2025, "department": "青溪区苗圃管理所",
                     "tables": [], "facts": 5, "checks_failed": 1}),
            ],
        );
        write_lines(&out.join("facts.jsonl"), &facts);
        write_lines(&out.join("tables.jsonl"), &[]);
        write_lines(&out.join("checks.jsonl"), &checks);
        let rev = dir.join("rev");
        let run = bin()
            .arg("review")
            .arg(&out)
            .arg("-o")
            .arg(&rev)
            .output()
            .expect("runs");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let annotated = rev.join("fixture.annotated.pdf");
        let bytes = std::fs::read(&annotated).expect("annotated copy");
        assert!(bytes.starts_with(&fx.bytes), "the original is a prefix");
        let info = Command::new("pdfinfo")
            .arg(&annotated)
            .output()
            .expect("pdfinfo");
        assert!(
            info.status.success(),
            "{}",
            String::from_utf8_lossy(&info.stderr)
        );
        assert!(
            info.stderr.is_empty(),
            "pdfinfo: {}",
            String::from_utf8_lossy(&info.stderr)
        );
        if Command::new("qpdf").arg("--version").output().is_ok() {
            let check = Command::new("qpdf")
                .arg("--check")
                .arg(&annotated)
                .output()
                .expect("qpdf");
            assert!(
                check.status.success(),
                "qpdf --check: {}{}",
                String::from_utf8_lossy(&check.stdout),
                String::from_utf8_lossy(&check.stderr)
            );
        }
        let boxes: Vec<([f64; 4], Mark)> = fx
            .amounts
            .iter()
            .enumerate()
            .map(|(i, (_, _, b))| (*b, if i < 2 { Mark::Fail } else { Mark::Pass }))
            .collect();
        assert_render(&pdf, &annotated, &boxes);
        let html = std::fs::read_to_string(rev.join("report.html")).expect("report");
        assert_eq!(html_count(&html, "<tr class=\"doc\""), 1);
        assert_eq!(html_count(&html, "<tr class=\"check\""), 1);
        assert!(html.contains("href=\"fixture.annotated.pdf#page=1\""));
        assert!(
            html.contains("total 1236.58 (fact income.grand_total, p. 1, raw &quot;1236.58&quot;)")
        );
    }
}

/// The real pipeline over the fixture, then the review in the same run (`extract --review`).
#[test]
fn extract_with_review_annotates_the_fixture() {
    if !have("pdfinfo") {
        return;
    }
    let dir = temp_dir("review-extract");
    let fx = review_fixture(true);
    let pdf = dir.join("fixture.pdf");
    std::fs::write(&pdf, &fx.bytes).expect("write pdf");
    let out = dir.join("out");
    let rev = dir.join("rev");
    let run = bin()
        .arg("extract")
        .arg(&pdf)
        .arg("-o")
        .arg(&out)
        .args(["--progress", "never", "--review"])
        .arg(&rev)
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let checks = read_lines(&out.join("checks.jsonl"));
    let failing: Vec<&Value> = checks.iter().filter(|c| c["status"] == "fail").collect();
    assert!(
        failing
            .iter()
            .any(|c| c["check"] == "facts.grand_total_balance"),
        "the fixture's totals contradict each other"
    );
    let annotated = rev.join("fixture.annotated.pdf");
    let bytes = std::fs::read(&annotated).expect("annotated copy");
    assert!(bytes.starts_with(&fx.bytes));
    let info = Command::new("pdfinfo")
        .arg(&annotated)
        .output()
        .expect("pdfinfo");
    assert!(info.status.success());
    let html = std::fs::read_to_string(rev.join("report.html")).expect("report");
    assert_eq!(html_count(&html, "<tr class=\"doc\""), 1);
    assert_eq!(html_count(&html, "<tr class=\"check\""), failing.len());
    // Where the run gives boxes, the failing facts are painted red on the page.
    let facts = read_lines(&out.join("facts.jsonl"));
    let red: Vec<([f64; 4], Mark)> = facts
        .iter()
        .filter(|f| f["key"] == "income.grand_total" || f["key"] == "expenditure.grand_total")
        .filter_map(|f| {
            let b = f.get("bbox")?.as_array()?;
            let v: Vec<f64> = b.iter().filter_map(Value::as_f64).collect();
            Some(([v[0], v[1], v[2], v[3]], Mark::Fail))
        })
        .collect();
    if !red.is_empty() && have("pdftoppm") {
        let a = Raster::render(&pdf, 144);
        let b = Raster::render(&annotated, 144);
        let page_h = a.height as f64 / a.scale;
        for (bx, mark) in &red {
            let (x0, y0, x1, y1) = b.pixels(*bx, page_h, -1.0);
            let coloured = (y0..y1)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .filter(|&(x, y)| a.px(x, y) == [255, 255, 255] && near(b.px(x, y), mark.rgb8()))
                .count();
            assert!(coloured > 50, "failing value {bx:?} is painted red");
        }
    }
    // The records handed over in memory make the files the review of the written folder makes,
    // and so does a run that skips the document (`--incremental`: the review reads the folder).
    let from_disk = dir.join("rev-disk");
    let review = bin()
        .arg("review")
        .arg(&out)
        .arg("-o")
        .arg(&from_disk)
        .output()
        .expect("runs");
    assert!(review.status.success());
    let again = dir.join("rev-again");
    let rerun = bin()
        .arg("extract")
        .arg(&pdf)
        .arg("-o")
        .arg(&out)
        .args(["--progress", "never", "--incremental", "--review"])
        .arg(&again)
        .output()
        .expect("runs");
    assert!(rerun.status.success());
    for other in [&from_disk, &again] {
        for name in ["fixture.annotated.pdf", "report.html"] {
            let (a, b) = (
                std::fs::read(rev.join(name)),
                std::fs::read(other.join(name)),
            );
            assert!(
                a.is_ok() && a.ok() == b.ok(),
                "{name} in {}",
                other.display()
            );
        }
    }
}

/// The files of a folder, by name, with their bytes.
fn folder_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read folder")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read file"))
        })
        .collect()
}

/// The copies written by the workers of `extract --review` (named in input order: two sources with
/// one stem, a duplicate, a failure among them, two workers) are the files the review of the
/// written folder makes, byte for byte, and no provisional copy is left behind.
#[test]
fn copies_written_in_the_run_are_the_copies_of_the_folders_review() {
    let dir = temp_dir("review-in-run");
    let inputs = dir.join("in");
    let modern = review_fixture(true).bytes;
    let classic = review_fixture(false).bytes;
    for (sub, bytes) in [
        ("a", &modern[..]),
        ("b", &classic[..]),
        ("c", &modern[..]),
        ("d", &b""[..]),
    ] {
        let folder = inputs.join(sub);
        std::fs::create_dir_all(&folder).expect("create input folder");
        std::fs::write(folder.join("fixture.pdf"), bytes).expect("write pdf");
    }
    let (out, rev, disk) = (dir.join("out"), dir.join("rev"), dir.join("disk"));
    let run = bin()
        .arg("extract")
        .arg(&inputs)
        .arg("-o")
        .arg(&out)
        .args(["-j", "2", "--progress", "never", "--quiet", "--review"])
        .arg(&rev)
        .output()
        .expect("runs");
    // The empty file fails: exit code 1, the run complete.
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let review = bin()
        .arg("review")
        .arg(&out)
        .arg("-o")
        .arg(&disk)
        .output()
        .expect("runs");
    assert!(
        review.status.success(),
        "{}",
        String::from_utf8_lossy(&review.stderr)
    );
    let (in_run, from_disk) = (folder_files(&rev), folder_files(&disk));
    let names: Vec<&str> = in_run.keys().map(String::as_str).collect();
    let id = sha256_hex(&classic);
    // The second source with the stem takes the start of its doc_id (`-` sorts before `.`).
    let second = format!("fixture-{}.annotated.pdf", &id[..8]);
    assert_eq!(
        names,
        vec![second.as_str(), "fixture.annotated.pdf", "report.html"]
    );
    assert!(in_run["fixture.annotated.pdf"].starts_with(&modern));
    assert!(in_run[&second].starts_with(&classic));
    assert_eq!(
        in_run.keys().collect::<Vec<_>>(),
        from_disk.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &in_run {
        assert!(bytes == &from_disk[name], "{name} differs");
    }
    let html = String::from_utf8_lossy(&in_run["report.html"]).into_owned();
    assert_eq!(html_count(&html, "<tr class=\"doc\""), 4);
}
