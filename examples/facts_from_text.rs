//! Development aid: text file → outline → facts, printed as `facts.jsonl` lines.
//!
//! Usage: `cargo run --example facts_from_text -- FILE DOC_ID [--sections]`. FILE is a report as text
//! (e.g. `pdftotext` output, whose form feeds are page breaks); DOC_ID is written as `doc_id` so
//! `score.py` can match the lines with a golden file. `--sections` prints the outline instead, `--meta`
//! the metadata, `--checks` the fact identities.

use std::path::Path;

use yujuesuan::extract::facts;
use yujuesuan::ingest::{ingest, Limits};
use yujuesuan::patterns::PatternSet;
use yujuesuan::segment;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(file), Some(doc_id)) = (args.first(), args.get(1)) else {
        anyhow::bail!("usage: facts_from_text FILE DOC_ID [--sections | --meta | --checks]");
    };
    let bytes = std::fs::read(file)?;
    let doc = ingest(Path::new(file), &bytes, &Limits::default())?;
    let outline = segment::outline(&doc);
    if args.iter().any(|a| a == "--meta") {
        let patterns = PatternSet::load(None)?;
        let meta = yujuesuan::metadata::identify(&doc, &outline, &patterns.metadata, file);
        println!("{}", serde_json::to_string(&meta)?);
        return Ok(());
    }
    if args.iter().any(|a| a == "--sections") {
        for (i, s) in outline.sections.iter().enumerate() {
            println!(
                "{}\tp{}-{}\t{}\t{}",
                s.level,
                s.page,
                s.page_end,
                outline.trail(i),
                s.body
            );
        }
        return Ok(());
    }
    let patterns = PatternSet::load(None)?;
    let found = facts::extract(&outline, &patterns);
    if args.iter().any(|a| a == "--checks") {
        for c in yujuesuan::checks::facts::evaluate(&found, &[]) {
            println!("{}", serde_json::to_string(&c)?);
        }
        return Ok(());
    }
    for f in found {
        let mut v = serde_json::to_value(&f)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("doc_id".into(), serde_json::Value::String(doc_id.clone()));
        }
        println!("{v}");
    }
    Ok(())
}
