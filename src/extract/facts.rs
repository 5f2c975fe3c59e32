//! Narrative facts: section bodies + patterns → [`Fact`]s with provenance.
//!
//! In: the outline and the pattern set. Out: facts with key, item, exact value, unit, raw text,
//! approximate flag, page, section path and pattern id, in reading order (section, then position).
//! A pattern applies to a section when its scope matches the section's trail (numbers and titles of
//! the section and its ancestors, see [`Outline::trail`]). The same key, item and value read twice in
//! one section (by two patterns) is kept once, with the first pattern's provenance.
//! Not here: tables; judging whether the document is right (see [`crate::checks`]).

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::patterns::PatternSet;
use crate::segment::Outline;

/// One extracted figure (the body of a `facts.jsonl` line without `doc_id`/`source`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub value: Decimal,
    pub unit: String,
    pub raw: String,
    pub approximate: bool,
    pub page: Option<u32>,
    pub section: String,
    pub pattern: String,
}

/// Applies the fact patterns to every section.
pub fn extract(outline: &Outline, patterns: &PatternSet) -> Vec<Fact> {
    let mut out = Vec::new();
    for (i, section) in outline.sections.iter().enumerate() {
        if section.body.is_empty() {
            continue;
        }
        let trail = outline.trail(i);
        let mut found: Vec<(usize, Fact)> = Vec::new();
        let mut seen: HashSet<(String, Option<String>, Decimal)> = HashSet::new();
        for p in &patterns.patterns {
            if p.scope.as_ref().is_some_and(|s| !s.is_match(&trail)) {
                continue;
            }
            for m in p.apply(&section.body, &patterns.units) {
                for key in &p.keys {
                    let id = (key.key.clone(), m.item.clone(), m.value);
                    if !seen.insert(id) {
                        continue;
                    }
                    found.push((
                        m.start,
                        Fact {
                            key: key.key.clone(),
                            item: m.item.clone(),
                            value: m.value,
                            unit: key.unit.clone(),
                            raw: m.raw.clone(),
                            approximate: m.approximate,
                            page: Some(section.page_at(m.start)),
                            section: section.path.clone(),
                            pattern: p.id.clone(),
                        },
                    ));
                }
            }
        }
        found.sort_by_key(|(start, _)| *start);
        out.extend(found.into_iter().map(|(_, f)| f));
    }
    out
}
