//! `report.html`: the run on one static page (inline CSS, a few lines of inline JS for the filters; no
//! server, no network).
//!
//! In: the reviewed documents (records, values, annotated file names) and the review's part of the
//! pattern set (headline keys, the table catalog). Out: the HTML text. Per document: status, kind, year, department, tables
//! found, headline figures, coverage (standard tables of its family and headline keys not found), the
//! annotated copy; then every failing check with its terms and a link `<name>.annotated.pdf#page=N`.
//! Rows carry `data-status` and `data-family` attributes the filters (and tests) read: `tr.doc` is one
//! `documents.jsonl` line, `tr.check` one failing check.
//!
//! Not here: deciding anything; the words of the page are the output's own (ids, keys, statuses).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{check_family, num, term_words, CheckRecord, DocReview};
use crate::patterns::ReviewVocabulary;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A path segment of a link, percent-encoded where a URL needs it.
fn href(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em;margin:0 0 .3em} h2{font-size:1.15em;margin:1.4em 0 .4em}
table{border-collapse:collapse;width:100%;margin-bottom:1em}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0} td.num{text-align:right;font-variant-numeric:tabular-nums}
.st{font-weight:600;padding:0 .4em;border-radius:3px}
.st-ok{background:#d7f5d7}.st-partial{background:#fbefc4}.st-failed{background:#f9caca}.st-duplicate{background:#e4e4e4}
.st-fail{background:#ffa6a6}
.missing{color:#a33} .small{font-size:12px;color:#555} ul{margin:0;padding-left:1.2em}
.summary span{display:inline-block;margin-right:1.2em}
.bar{background:#f7f7f7;border:1px solid #ddd;padding:.5em;margin:.6em 0}
.sw{display:inline-block;width:1em;height:1em;vertical-align:middle;border:1px solid #999}
";

const SCRIPT: &str = "
function applyFilters(){
  var s=document.getElementById('f-status').value, f=document.getElementById('f-family').value;
  var shown={};
  document.querySelectorAll('tr.doc').forEach(function(r){
    var ok=(s===''||r.dataset.status===s)&&(f===''||(' '+r.dataset.families+' ').indexOf(' '+f+' ')>=0);
    r.style.display=ok?'':'none'; if(ok){shown[r.dataset.doc]=1;}
  });
  var n=0;
  document.querySelectorAll('tr.check').forEach(function(r){
    var ok=shown[r.dataset.doc]===1&&(f===''||r.dataset.family===f);
    r.style.display=ok?'':'none'; if(ok){n++;}
  });
  document.getElementById('shown-checks').textContent=n;
}
";

/// Run-wide counts of the summary line.
struct Totals {
    documents: usize,
    checks: usize,
    failing: usize,
    values: usize,
    boxed: usize,
    highlights: usize,
}

impl Totals {
    fn of(docs: &[DocReview]) -> Totals {
        Totals {
            documents: docs.len(),
            checks: docs.iter().map(|d| d.checks.len()).sum(),
            failing: docs.iter().map(DocReview::failing).sum(),
            values: docs.iter().map(|d| d.value_counts().0).sum(),
            boxed: docs.iter().map(|d| d.value_counts().1).sum(),
            highlights: docs.iter().map(|d| d.highlights).sum(),
        }
    }
}

/// The families of a document's failing checks.
fn failing_families(d: &DocReview) -> BTreeSet<&str> {
    d.checks
        .iter()
        .filter(|c| c.status == "fail")
        .map(|c| check_family(&c.check))
        .collect()
}

/// The page's head (style and script) and the summary line.
fn head(h: &mut String, t: &Totals) {
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<title>yujuesuan review</title>\n<style>");
    h.push_str(STYLE);
    h.push_str("</style>\n<script>");
    h.push_str(SCRIPT);
    h.push_str("</script>\n</head>\n<body>\n<h1>yujuesuan review</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"summary\"><span>documents: <b id=\"n-documents\">{}</b></span>\
         <span>checks: <b id=\"n-checks\">{}</b></span>\
         <span>failing checks: <b id=\"n-failing\">{}</b></span>\
         <span>values: <b id=\"n-values\">{}</b> ({} with a box)</span>\
         <span>highlights: <b id=\"n-highlights\">{}</b></span></p>",
        t.documents, t.checks, t.failing, t.values, t.boxed, t.highlights
    );
}

/// The colour legend and the filter bar (statuses of the documents, families of failing checks).
fn legend_and_filters(h: &mut String, docs: &[DocReview], failing: usize) {
    let statuses: BTreeSet<&str> = docs.iter().map(DocReview::status).collect();
    let families: BTreeSet<&str> = docs.iter().flat_map(failing_families).collect();
    h.push_str("<p class=\"small\">Highlights in the annotated copies: ");
    for (mark, words) in [
        (super::Mark::Fail, "in a failing check"),
        (super::Mark::Pass, "only in passing checks"),
        (super::Mark::Unchecked, "in no decided check"),
    ] {
        let [r, g, b] = mark.rgb8();
        let _ = write!(
            h,
            "<span class=\"sw\" style=\"background:rgb({r},{g},{b})\"></span> {words} &nbsp; "
        );
    }
    h.push_str("</p>\n<div class=\"bar\">status <select id=\"f-status\" onchange=\"applyFilters()\"><option value=\"\">all</option>");
    for s in &statuses {
        let _ = write!(h, "<option>{}</option>", esc(s));
    }
    h.push_str("</select> &nbsp; failing check family <select id=\"f-family\" onchange=\"applyFilters()\"><option value=\"\">all</option>");
    for f in &families {
        let _ = write!(h, "<option>{}</option>", esc(f));
    }
    let _ = writeln!(
        h,
        "</select> &nbsp; failing checks shown: <b id=\"shown-checks\">{failing}</b></div>"
    );
}

/// The headline figures cell (the first fact of each headline key without an item); returns the
/// headline keys not found.
fn headline_cell<'a>(h: &mut String, d: &DocReview, headline: &[&'a str]) -> Vec<&'a str> {
    h.push_str("<td><ul class=\"small\">");
    let mut missing = Vec::new();
    for key in headline {
        match d.facts.iter().find(|f| f.key == *key && f.item.is_none()) {
            Some(f) => {
                let _ = write!(
                    h,
                    "<li>{} = {} {}</li>",
                    esc(key),
                    esc(&num(&f.value)),
                    esc(&f.unit)
                );
            }
            None => missing.push(*key),
        }
    }
    h.push_str("</ul></td>");
    missing
}

/// The coverage cell's content: standard tables of the document's family not found, headline keys
/// not found (processed documents only).
fn coverage(
    h: &mut String,
    d: &DocReview,
    vocabulary: &ReviewVocabulary,
    missing_keys: &[&str],
    of: usize,
) {
    if !matches!(d.status(), "ok" | "partial") {
        return;
    }
    let r = &d.record;
    let family = vocabulary.catalog.family_of_kind(&r.kind);
    let missing_tables: Vec<&str> = vocabulary
        .catalog
        .entries()
        .iter()
        .filter(|e| family.is_some_and(|f| e.kind == f))
        .map(|e| e.id.as_str())
        .filter(|id| !r.tables.iter().any(|t| t == id))
        .collect();
    let _ = write!(
        h,
        "<div class=\"missing\">tables: {}</div>",
        if family.is_none() {
            "(kind unknown)".to_string()
        } else if r.table_part == "absent" {
            "no table in this file (table_part absent)".to_string()
        } else if missing_tables.is_empty() {
            "none".to_string()
        } else {
            esc(&missing_tables.join(" "))
        }
    );
    if missing_keys.is_empty() {
        h.push_str("<div class=\"small\">headline keys: all found</div>");
    } else {
        let _ = write!(
            h,
            "<details class=\"small\"><summary>headline keys: {} of {of} not found</summary>{}</details>",
            missing_keys.len(),
            esc(&missing_keys.join(" "))
        );
    }
}

/// The annotated copy cell's content: its link and highlights, or why none was written.
fn annotated_cell(h: &mut String, d: &DocReview) {
    match (&d.annotated, &d.not_annotated) {
        (Some(name), _) => {
            let _ = write!(
                h,
                "<a href=\"{}\">{}</a><div class=\"small\">{} highlights</div>",
                href(name),
                esc(name),
                d.highlights
            );
        }
        (None, Some(why)) => {
            let _ = write!(h, "<span class=\"small\">not written: {}</span>", esc(why));
        }
        (None, None) => {}
    }
}

/// One `tr.doc` row of the documents table.
fn document_row(
    h: &mut String,
    i: usize,
    d: &DocReview,
    vocabulary: &ReviewVocabulary,
    headline: &[&str],
) {
    let r = &d.record;
    let _ = write!(
        h,
        "<tr class=\"doc\" data-doc=\"{i}\" data-status=\"{}\" data-families=\"{}\"><td>{}</td><td>{}",
        esc(d.status()),
        esc(&failing_families(d).into_iter().collect::<Vec<_>>().join(" ")),
        i + 1,
        esc(d.source()),
    );
    if let Some(e) = &r.error {
        let _ = write!(
            h,
            "<div class=\"small\">{}: {}</div>",
            esc(&e.code),
            esc(&e.message)
        );
    }
    let _ = write!(
        h,
        "</td><td><span class=\"st st-{0}\">{0}</span></td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td>",
        esc(d.status()),
        esc(&r.kind),
        r.year.map(|y| y.to_string()).unwrap_or_default(),
        esc(&r.department),
        esc(&r.tables.join(" ")),
    );
    let missing_keys = headline_cell(h, d, headline);
    h.push_str("<td>");
    coverage(h, d, vocabulary, &missing_keys, headline.len());
    let _ = write!(h, "</td><td class=\"num\">{}</td><td>", d.failing());
    annotated_cell(h, d);
    h.push_str("</td></tr>\n");
}

/// One `tr.check` row of the failing checks table.
fn check_row(h: &mut String, i: usize, d: &DocReview, ci: usize, c: &CheckRecord) {
    let _ = write!(
        h,
        "<tr class=\"check\" data-doc=\"{i}\" data-family=\"{}\"><td>{}</td><td><span class=\"st st-fail\">{}</span>",
        esc(check_family(&c.check)),
        esc(d.source()),
        esc(&c.check)
    );
    if let Some(f) = &c.formula {
        let _ = write!(h, "<div class=\"small\">{}</div>", esc(f));
    }
    if let Some(m) = &c.message {
        let _ = write!(h, "<div class=\"small\">{}</div>", esc(m));
    }
    let _ = write!(
        h,
        "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><ul>",
        esc(&num(&c.expected)),
        esc(&num(&c.actual)),
        esc(&num(&c.diff))
    );
    if c.terms.is_empty() {
        for r in &c.refs {
            let _ = write!(h, "<li>{}</li>", esc(r));
        }
    }
    for t in &c.terms {
        let _ = write!(h, "<li>{}</li>", esc(&term_words(t)));
    }
    h.push_str("</ul></td><td>");
    let page = d.check_pages.get(ci).copied().flatten();
    match (page, &d.annotated) {
        (Some(p), Some(name)) => {
            let _ = write!(h, "<a href=\"{}#page={p}\">p. {p}</a>", href(name));
        }
        (Some(p), None) => {
            let _ = write!(h, "p. {p}");
        }
        _ => {}
    }
    h.push_str("</td></tr>\n");
}

/// The report page.
pub fn report(docs: &[DocReview], vocabulary: &ReviewVocabulary) -> String {
    let headline: Vec<&str> = vocabulary.headline.iter().map(String::as_str).collect();
    let totals = Totals::of(docs);
    let mut h = String::new();
    head(&mut h, &totals);
    legend_and_filters(&mut h, docs, totals.failing);
    h.push_str("<h2>Documents</h2>\n<table id=\"documents\">\n<tr><th>#</th><th>source</th><th>status</th><th>kind</th><th>year</th><th>department</th><th>tables found</th><th>headline figures</th><th>coverage: not found</th><th>failing checks</th><th>annotated copy</th></tr>\n");
    for (i, d) in docs.iter().enumerate() {
        document_row(&mut h, i, d, vocabulary, &headline);
    }
    h.push_str("</table>\n");
    h.push_str("<h2>Failing checks</h2>\n<table id=\"failing\">\n<tr><th>source</th><th>check</th><th>expected</th><th>actual</th><th>diff</th><th>terms</th><th>page</th></tr>\n");
    for (i, d) in docs.iter().enumerate() {
        for (ci, c) in d.checks.iter().enumerate() {
            if c.status == "fail" {
                check_row(&mut h, i, d, ci, c);
            }
        }
    }
    h.push_str("</table>\n</body>\n</html>\n");
    h
}
