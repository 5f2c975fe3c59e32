//! Extraction: sections → facts (narrative patterns) and tables.

pub mod facts;
pub mod tables;
