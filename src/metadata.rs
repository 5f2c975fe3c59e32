//! Document metadata: kind (部门决算 / 部门预算 / 单位决算 / 单位预算), fiscal year, department name.
//!
//! In: the document and its outline. Out: [`Metadata`]. Not here: anything the tables say.

use serde::Serialize;

use crate::document::Document;
use crate::segment::Outline;

/// What a report says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Metadata {
    pub kind: Option<String>,
    pub year: Option<i32>,
    pub department: Option<String>,
}

/// Reads kind, year and department from the first pages and the headings.
pub fn identify(_doc: &Document, _outline: &Outline) -> Metadata {
    Metadata::default()
}
