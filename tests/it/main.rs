//! The integration tests, one binary: CLI runs of the real binary, the text layer against the
//! generated fixtures, the golden files and the real corpus (read through `YUJUESUAN_SHARED` and
//! `YUJUESUAN_CORPUS`; unset, those tests say `skipped`; set to a missing folder, they fail).

mod cli;
mod corpus_facts;
mod corpus_tables;
mod fixtures;
mod golden_facts;
mod pdf_corpus;
