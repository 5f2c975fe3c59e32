//! # yujuesuan (预决算)
//!
//! Turns Chinese government departments' budget and final-account disclosure reports (部门预算 /
//! 部门决算 / 单位预算 / 单位决算, PDF or text) into structured, checked JSON Lines.
//!
//! ```text
//!  Source (path, bytes)
//!    │ ingest::ingest            PDF (ingest::pdf) or text (ingest::text, UTF-8/UTF-16/GB18030)
//!    ▼
//!  Document ─ pages ─ lines (raw text, coordinates, segments) + ruling edges
//!    │ segment::outline          第X部分 / 一、 / (一) / 1. / (1), page ranges, joined paragraphs
//!    ▼
//!  Outline ── metadata::identify (kind, year, department)
//!    │ extract::facts            patterns/ (data) → facts with provenance, amounts exact (amount)
//!    │ extract::tables           grids, headers, catalog ids, units → 万元, continuations
//!    │ positions                 boxes of facts, cells, rows, tables in PDF user space
//!    ▼
//!  Facts + Tables
//!    │ checks                    identities, cross-table, text vs table, rounding envelope
//!    ▼
//!  output records ── pipeline: a fixed worker pool, one ordered writer, run.json
//! ```
//!
//! Every stage is a function of its input and the configuration; none prints or reads globals.

pub mod amount;
pub mod checks;
pub mod cli;
pub mod config;
pub mod document;
pub mod error;
pub mod export;
pub mod extract;
/// The fixture generator (sample and test PDFs): only with the `fixture` feature (tests, examples).
#[cfg(any(test, feature = "fixture"))]
#[doc(hidden)]
pub mod fixture;
pub mod identity;
pub mod ingest;
pub mod inputs;
pub mod inspect;
pub mod metadata;
pub mod normalize;
pub mod output;
pub mod patterns;
pub mod pipeline;
pub mod positions;
pub mod report;
pub mod review;
pub mod segment;
pub mod table_id;
pub mod vocabulary;
