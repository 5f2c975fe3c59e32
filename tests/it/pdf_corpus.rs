//! Reads the real reports of the shared corpus (`YUJUESUAN_CORPUS` = the corpus folder, holding
//! `pdf/`) and checks known text, fonts, footers and failure codes; then mutates every file at many
//! byte positions and checks that reading never panics.
//!
//! Without `YUJUESUAN_CORPUS` the tests say they are skipped and pass; with it set to a folder that
//! does not exist they fail. The mutation test runs a few positions per file in debug builds and
//! 300 per file with `--release` (or `YUJUESUAN_MUTATIONS=N`).

use std::path::Path;

use yujuesuan::document::{is_private_use, Document};
use yujuesuan::ingest::{pdf, Limits};

use crate::{corpus_pdf_dir, corpus_pdfs as pdf_files};

fn read(dir: &Path, name: &str) -> Document {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_default();
    match pdf::read(&bytes, &Limits::default()) {
        Ok(d) => d,
        Err(e) => panic!("{name}: {} ({e})", e.code()),
    }
}

/// Text of page `n` (1-based) without any whitespace.
fn page_compact(doc: &Document, n: usize) -> String {
    doc.pages
        .get(n - 1)
        .map(|p| {
            p.lines
                .iter()
                .flat_map(|l| l.text().chars())
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn corpus_reads_cleanly() {
    let Some(dir) = corpus_pdf_dir() else { return };
    for path in pdf_files(&dir) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let bytes = std::fs::read(&path).unwrap_or_default();
        let result = pdf::read(&bytes, &Limits::default());
        if name == "r31.pdf" {
            assert_eq!(
                result.err().map(|e| e.code()),
                Some("no_text_layer"),
                "{name}"
            );
            continue;
        }
        let doc = match result {
            Ok(d) => d,
            Err(e) => panic!("{name}: {} ({e})", e.code()),
        };
        let text = yujuesuan::inspect::page_text(&doc);
        assert!(!text.contains('\u{FFFD}'), "{name}: U+FFFD in text");
        assert!(
            !text.chars().any(is_private_use),
            "{name}: private-use character in text"
        );
        let han = text
            .chars()
            .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .count();
        assert!(han > 1000, "{name}: only {han} Han characters");
        assert_eq!(doc.text_quality.private_use, 0, "{name}");
        assert_eq!(doc.text_quality.replacement, 0, "{name}");
    }
}

#[test]
fn corpus_known_text() {
    let Some(dir) = corpus_pdf_dir() else { return };

    // ONLYOFFICE export: narrative totals.
    let r01 = read(&dir, "r01.pdf");
    assert!(page_compact(&r01, 21).contains("2024年度收入支出总计2995.39万元"));
    assert!(page_compact(&r01, 21).contains("本年收入合计2946.25万元"));

    // Word export with GBK-encoded BaseFont names; a table row split into cells.
    let r02 = read(&dir, "r02.pdf");
    let fonts: Vec<&str> = r02
        .pages
        .iter()
        .flat_map(|p| p.lines.iter().flat_map(|l| l.segments().iter()))
        .filter_map(|s| s.font.as_deref())
        .collect();
    assert!(fonts.contains(&"宋体"), "GBK font name 宋体 not decoded");
    let row = r02.pages[7]
        .lines
        .iter()
        .find(|l| l.text().starts_with("2080501"))
        .map(|l| {
            l.segments()
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
        });
    assert_eq!(
        row,
        Some(vec!["2080501", "行政单位离退休", "54.53", "54.53"])
    );
    assert!(!r02.pages[7].rules.is_empty());

    // The error-injected copy with a GBK-EUC-H font on page 24.
    let r04 = read(&dir, "r04.pdf");
    assert!(page_compact(&r04, 24).contains("单价100万元（含）以上设备（不含车辆）2台（套）"));

    // Landscape table pages.
    let r05 = read(&dir, "r05.pdf");
    let p3 = &r05.pages[2];
    assert_eq!((p3.width.round(), p3.height.round()), (842.0, 595.0));

    // Excel export: a summary table.
    let r23 = read(&dir, "r23.pdf");
    let p1 = page_compact(&r23, 1);
    assert!(p1.contains("收支预算总表") && p1.contains("9,066.79"));

    // Footers `— N —` are page numbers, not text.
    let r20 = read(&dir, "r20.pdf");
    assert_eq!(r20.pages[5].printed_number.as_deref(), Some("6"));
    assert!(!r20.pages[5]
        .lines
        .iter()
        .any(|l| l.text().contains('—') && l.text().contains('6') && l.text().len() < 12));

    // Table-of-contents dot leaders are drawn close together but are not fake bold.
    let r27 = read(&dir, "r27.pdf");
    assert!(page_compact(&r27, 2).contains("（一）基本情况..........."));
    assert_eq!(r27.text_quality.fake_bold_removed, 0);

    // Full-width digits kept; the private-use decimal point is a `.`.
    let r32 = read(&dir, "r32.pdf");
    assert!(yujuesuan::inspect::page_text(&r32).contains("７０２７.９１亿元"));

    // Word 2007 with WinAnsi fonts for digits.
    let r19 = read(&dir, "r19.pdf");
    assert!(r19.pages.iter().any(|p| p
        .lines
        .iter()
        .any(|l| l.text().contains("江苏省人民检察院"))));
}

fn han_count(doc: &Document) -> usize {
    yujuesuan::inspect::page_text(doc)
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count()
}

#[test]
fn corpus_identity_fonts_without_to_unicode_use_the_embedded_cmap() {
    let Some(dir) = corpus_pdf_dir() else { return };
    let original = read(&dir, "r02.pdf");
    let bytes = std::fs::read(dir.join("r02.pdf")).unwrap_or_default();
    let Ok(mut pdf_doc) = lopdf::Document::load_mem(&bytes) else {
        panic!("r02.pdf must load")
    };
    let mut stripped = 0;
    for obj in pdf_doc.objects.values_mut() {
        if let Ok(d) = obj.as_dict_mut() {
            if d.get(b"Subtype").and_then(|s| s.as_name()).ok() == Some(b"Type0".as_slice()) {
                stripped += usize::from(d.remove(b"ToUnicode").is_some());
            }
        }
    }
    assert!(stripped > 0);
    let mut out = Vec::new();
    assert!(pdf_doc.save_to(&mut out).is_ok());
    let doc = match pdf::read(&out, &Limits::default()) {
        Ok(d) => d,
        Err(e) => panic!("stripped r02: {} ({e})", e.code()),
    };
    assert_eq!(han_count(&doc), han_count(&original));
    assert_eq!(doc.text_quality.unmapped_glyphs, 0);
}

/// Deterministic positions (a small linear congruential generator).
fn positions(seed: u64, n: usize, len: usize) -> Vec<usize> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) as usize) % len.max(1)
        })
        .collect()
}

#[test]
fn corpus_mutations_never_panic() {
    let Some(dir) = corpus_pdf_dir() else { return };
    let per_file: usize = std::env::var("YUJUESUAN_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 3 } else { 300 });
    let limits = Limits::default();
    let mut reads = 0;
    for (k, path) in pdf_files(&dir).iter().enumerate() {
        let original = std::fs::read(path).unwrap_or_default();
        // The debug run covers the smaller files only, to stay quick.
        if cfg!(debug_assertions) && original.len() > 400_000 && per_file < 10 {
            continue;
        }
        for (i, pos) in positions(k as u64, per_file, original.len())
            .into_iter()
            .enumerate()
        {
            let mut bytes = original.clone();
            match i % 3 {
                0 => {
                    if let Some(b) = bytes.get_mut(pos) {
                        *b ^= 0xFF;
                    }
                }
                1 => {
                    for b in bytes.iter_mut().skip(pos).take(16) {
                        *b = b'(';
                    }
                }
                _ => bytes.truncate(pos),
            }
            let _ = pdf::read(&bytes, &limits);
            reads += 1;
        }
    }
    println!("{reads} mutated reads without a panic");
}
