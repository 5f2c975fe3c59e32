use serde_json::{json, Value};

use super::*;

/// A record of the output from its JSON.
fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("a record of the output")
}

fn fact(key: &str, value: &str, page: u32, bbox: Option<[f64; 4]>) -> FactRecord {
    serde_json::from_str(&format!(
        r#"{{"doc_id":"d","source":"a.pdf","key":"{key}","item":null,"value":{value},"unit":"万元","raw":"{value}万元","page":{page},"pattern":"p.{key}","origin":"narrative","cell":null,"bbox":{}}}"#,
        bbox.map_or("null".to_string(), |b| format!("[{},{},{},{}]", b[0], b[1], b[2], b[3]))
    ))
    .expect("valid json")
}

#[test]
fn a_term_with_the_values_box_links_the_check_and_colours_it() {
    let facts = vec![
        fact(
            "income.grand_total",
            "1236.58",
            1,
            Some([100.0, 700.0, 150.0, 712.0]),
        ),
        fact(
            "expenditure.grand_total",
            "1230.00",
            1,
            Some([200.0, 700.0, 250.0, 712.0]),
        ),
        fact("expenditure.basic", "803.17", 1, None),
    ];
    // Parsed from text: numbers keep their printed digits (1230.00), as in the output files.
    let checks: Vec<CheckRecord> = vec![serde_json::from_str(
        r#"{"check": "facts.grand_total_balance", "status": "fail",
            "expected": 1236.58, "actual": 1230.00, "diff": -6.58, "refs": [],
            "formula": "income.grand_total = expenditure.grand_total",
            "terms": [
              {"role": "total", "value": 1236.58, "source": "fact", "key": "income.grand_total",
               "page": 1, "bbox": [100.0, 700.0, 150.0, 712.0], "raw": "1236.58"},
              {"role": "part", "value": 1230.00, "source": "fact", "key": "expenditure.grand_total",
               "page": 1, "bbox": [200.0, 700.0, 250.0, 712.0], "raw": "1230.00"}]}"#,
    )
    .expect("valid json")];
    let mut values = collect_values(&facts, &[]);
    let pages = link_checks(&mut values, &checks);
    assert_eq!(pages, vec![Some(1)]);
    assert_eq!(values.len(), 3);
    assert_eq!(value_mark(&values[0], &checks), Mark::Fail);
    assert_eq!(value_mark(&values[1], &checks), Mark::Fail);
    assert_eq!(value_mark(&values[2], &checks), Mark::Unchecked);
    let text = popup(&values[0], &checks);
    assert!(
        text.starts_with("income.grand_total = 1236.58 万元"),
        "{text}"
    );
    assert!(
        text.contains(
            "facts.grand_total_balance fail: expected 1236.58, actual 1230.00, diff -6.58"
        ),
        "{text}"
    );
    assert!(
        text.contains("part 1230.00 (fact expenditure.grand_total, p. 1, raw \"1230.00\")"),
        "{text}"
    );
}

#[test]
fn refs_link_facts_and_cells_when_a_check_has_no_terms() {
    let facts = vec![fact(
        "income.grand_total",
        "10",
        2,
        Some([1.0, 2.0, 3.0, 4.0]),
    )];
    let tables: Vec<TableRecord> = vec![typed(json!({
        "table": "F01", "unit": "万元", "columns": ["项目", "决算数"], "column_units": ["", "万元"],
        "rows": [
            {"name": "收入总计", "cells": [null, 10], "raw": ["收入总计", "10.00"], "page": 2,
             "bboxes": [[10.0, 10.0, 40.0, 20.0], [60.0, 10.0, 80.0, 20.0]]},
            {"name": "本年收入合计", "cells": [null, 9], "raw": ["本年收入合计", "9.00"], "page": 2,
             "bboxes": null}
        ]
    }))];
    let checks: Vec<CheckRecord> = vec![
        typed(
            json!({"check": "F01.income_total_eq_parts", "status": "pass", "expected": 10, "actual": 10,
               "diff": 0, "refs": ["table:F01[收入总计,决算数]@p2", "table:F01[本年收入合计,决算数]@p2"]}),
        ),
        typed(
            json!({"check": "facts.x", "status": "insufficient_data", "expected": null, "actual": null,
               "diff": null, "refs": ["fact:income.grand_total@p2"]}),
        ),
    ];
    let mut values = collect_values(&facts, &tables);
    let pages = link_checks(&mut values, &checks);
    assert_eq!(pages, vec![Some(2), Some(2)]);
    assert_eq!(values.len(), 3);
    let cell = values
        .iter()
        .find(|v| v.labels == ["F01[收入总计,决算数]"])
        .expect("the cell");
    assert_eq!(cell.bbox, Some([60.0, 10.0, 80.0, 20.0]));
    assert_eq!(cell.raw, "10.00");
    assert_eq!(value_mark(cell, &checks), Mark::Pass);
    assert_eq!(value_mark(&values[0], &checks), Mark::Unchecked);
}

#[test]
fn a_fact_read_from_a_cell_and_the_cell_are_one_value() {
    let mut f = fact(
        "income.grand_total",
        "10",
        2,
        Some([60.0, 10.0, 80.0, 20.0]),
    );
    f.cell = Some(typed(
        json!({"table": "F01", "row": "收入总计", "column": "决算数"}),
    ));
    let tables: Vec<TableRecord> = vec![typed(json!({
        "table": "F01", "unit": "万元", "columns": ["项目", "决算数"], "column_units": ["", "万元"],
        "rows": [{"name": "收入总计", "cells": [null, 10], "raw": ["收入总计", "10.00"], "page": 2,
                  "bboxes": [null, [60.0, 10.0, 80.0, 20.0]]}]
    }))];
    let values = collect_values(&[f], &tables);
    assert_eq!(values.len(), 1);
    assert_eq!(
        values[0].labels,
        ["income.grand_total", "F01[收入总计,决算数]"]
    );
}

#[test]
fn families_and_names() {
    assert_eq!(
        check_family("B02.total_eq_sum_rows[20502]"),
        "B02.total_eq_sum_rows"
    );
    assert_eq!(check_family("facts.class_sum"), "facts.class_sum");
    let doc = |source: &str, id: &str| {
        DocReview::new(
            typed(json!({"source": source, "doc_id": id, "format": "pdf", "status": "ok"})),
            vec![],
            vec![],
            vec![],
        )
    };
    let docs = vec![
        doc("a/x.pdf", "0123456789ab"),
        doc("b/x.pdf", "fedcba987654"),
    ];
    assert_eq!(
        annotated_names(&docs),
        vec![
            Some("x.annotated.pdf".to_string()),
            Some("x-fedcba98.annotated.pdf".to_string())
        ]
    );
}

/// Two failing checks and a passing one over values on two pages: each failing check's outline
/// entry jumps above the highest box it reads on its page (not a box of another page or check), and
/// the popups made with the shared check lines are the popups made one by one.
#[test]
fn outline_tops_and_shared_popup_lines_are_those_of_each_value() {
    let facts = vec![
        fact("a.total", "10", 1, Some([100.0, 700.0, 150.0, 712.0])),
        fact("a.part", "4", 1, Some([100.0, 650.0, 150.0, 662.5])),
        fact("b.total", "7", 2, Some([100.0, 300.0, 150.0, 310.0])),
        fact("b.part", "7", 1, Some([300.0, 720.0, 350.0, 731.0])),
    ];
    let check = |id: &str, status: &str, keys: &[(&str, u32)]| -> CheckRecord {
        let terms: Vec<Value> = keys
            .iter()
            .map(
                |(k, p)| json!({"role": "part", "value": 1, "source": "fact", "key": k, "page": p}),
            )
            .collect();
        typed(
            json!({"check": id, "status": status, "expected": 1, "actual": 2, "diff": 1,
                     "refs": [], "formula": "x = y", "message": "m", "terms": terms}),
        )
    };
    let checks = vec![
        check(
            "c.one",
            "fail",
            &[("a.part", 1), ("a.total", 1), ("b.total", 2)],
        ),
        check("c.two", "pass", &[("b.part", 1)]),
        check("c.three", "fail", &[("b.total", 2), ("b.part", 1)]),
    ];
    let mut doc = DocReview::new(
        typed(json!({"doc_id": "d", "source": "a.pdf",
        "status": "ok", "format": "pdf"})),
        facts,
        Vec::new(),
        checks,
    );
    prepare(&mut doc);
    assert_eq!(doc.check_pages, vec![Some(1), Some(1), Some(2)]);
    let tops: Vec<(u32, Option<f64>)> = outline(&doc).iter().map(|e| (e.page, e.top)).collect();
    assert_eq!(tops, vec![(1, Some(736.0)), (2, Some(334.0))]);
    let shared: Vec<String> = highlights(&doc).into_iter().map(|h| h.contents).collect();
    let alone: Vec<String> = doc.values.iter().map(|v| popup(v, &doc.checks)).collect();
    assert_eq!(shared, alone);
    assert!(
        shared[0].contains("c.one fail: expected 1, actual 2, diff 1"),
        "{}",
        shared[0]
    );
    assert!(
        shared[1].starts_with("a.part = 4 万元\nraw: \"4万元\""),
        "{}",
        shared[1]
    );
    // What a run keeps for report.html makes the page the whole document makes.
    let vocabulary = crate::patterns::ReviewVocabulary::load(None).expect("built-in patterns");
    doc.annotated = Some("a.annotated.pdf".to_string());
    let whole = html::report(std::slice::from_ref(&doc), &vocabulary);
    doc.keep_for_report();
    assert_eq!(doc.counted, Some((4, 4)));
    assert!(doc.values.is_empty() && doc.checks[1].terms.is_empty());
    assert_eq!(doc.checks[2].terms.len(), 2);
    assert_eq!(html::report(&[doc], &vocabulary), whole);
}

fn highlights_of(fx: &crate::fixture::ReviewFixture) -> Vec<pdf::Highlight> {
    fx.amounts
        .iter()
        .enumerate()
        .map(|(i, (raw, page, rect))| pdf::Highlight {
            page: *page,
            rect: *rect,
            mark: if i < 2 { Mark::Fail } else { Mark::Pass },
            contents: format!("{raw} 万元"),
        })
        .collect()
}

#[test]
fn the_update_keeps_the_original_as_a_prefix_and_adds_the_annotations() {
    for modern in [false, true] {
        let fx = crate::fixture::review_fixture(modern);
        assert_eq!(fx.amounts.len(), 5);
        let outline = vec![pdf::OutlineEntry {
            title: "facts.grand_total_balance".to_string(),
            page: 1,
            top: Some(740.0),
        }];
        let out = pdf::annotate(
            &fx.bytes,
            &highlights_of(&fx),
            "failing checks (1)",
            &outline,
        )
        .expect("annotated");
        assert_eq!(out.xref_stream, modern);
        assert_eq!(out.highlights, 5);
        assert!(out.bytes.starts_with(&fx.bytes));
        let doc = lopdf::Document::load_mem(&out.bytes).expect("the copy loads");
        let page = doc.get_pages()[&1];
        let dict = doc.get_dictionary(page).expect("page");
        let annots = dict
            .get(b"Annots")
            .and_then(Object::as_array)
            .expect("annots");
        assert_eq!(annots.len(), 5);
        let first = doc
            .get_dictionary(annots[0].as_reference().expect("ref"))
            .expect("annot");
        assert_eq!(
            first.get(b"Subtype").and_then(Object::as_name).ok(),
            Some(&b"Highlight"[..])
        );
        let catalog = doc.catalog().expect("catalog");
        let outlines = doc
            .get_dictionary(
                catalog
                    .get(b"Outlines")
                    .and_then(Object::as_reference)
                    .expect("outlines"),
            )
            .expect("outline root");
        let item = doc
            .get_dictionary(
                outlines
                    .get(b"First")
                    .and_then(Object::as_reference)
                    .expect("first"),
            )
            .expect("item");
        let title = item.get(b"Title").and_then(Object::as_str).expect("title");
        assert_eq!(
            lopdf::decode_text_string(&Object::String(title.to_vec(), StringFormat::Hexadecimal))
                .ok()
                .as_deref(),
            Some("failing checks (1)")
        );
        // The reader of the pipeline reads the same text from the copy.
        let a = crate::ingest::pdf::read(&fx.bytes, &crate::ingest::Limits::default())
            .expect("original");
        let b =
            crate::ingest::pdf::read(&out.bytes, &crate::ingest::Limits::default()).expect("copy");
        assert_eq!(
            crate::inspect::page_text_of(&a, None),
            crate::inspect::page_text_of(&b, None)
        );
        // A second review of the copy appends again (the update's own xref is usable).
        let again = pdf::annotate(
            &out.bytes,
            &highlights_of(&fx),
            "failing checks (1)",
            &outline,
        )
        .expect("annotated twice");
        assert!(again.bytes.starts_with(&out.bytes));
        let doc = lopdf::Document::load_mem(&again.bytes).expect("the second copy loads");
        let dict = doc.get_dictionary(doc.get_pages()[&1]).expect("page");
        assert_eq!(
            dict.get(b"Annots")
                .and_then(Object::as_array)
                .map(Vec::len)
                .ok(),
            Some(10)
        );
    }
}

#[test]
fn an_encrypted_or_truncated_file_is_refused() {
    let fx = crate::fixture::review_fixture(false);
    let cut = &fx.bytes[..fx.bytes.len() / 2];
    assert_eq!(
        pdf::annotate(cut, &[], "x", &[]).map(|a| a.highlights),
        Err(pdf::AnnotateError::NoStartXref)
    );
}

use lopdf::{Object, StringFormat};
