//! Segmentation: a [`Document`]'s lines → the report's outline of [`Section`]s.
//!
//! In: the document's pages of lines. Out: an [`Outline`]: sections (第X部分 = level 1, 一、 = 2,
//! (一) = 3, 1. / 1、 = 4, (1) = 5) with their page range, and for each a `body`: the normalised text of
//! its own lines (heading line included, subsections excluded), hard-wrapped lines re-joined, with a map
//! from byte offsets back to pages. Table-of-contents entries are not sections.
//!
//! Not here: facts, tables.

use serde::Serialize;

use crate::document::Document;

/// One section of the outline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// 1 = 第X部分, 2 = 一、, 3 = (一), 4 = 1. / 1、, 5 = (1); 0 = the text before the first heading.
    pub level: u8,
    /// The number as printed, normalised: `第三部分`, `五`, `(三)`, `1`, `(1)`.
    pub number: String,
    /// The heading text after the number.
    pub title: String,
    /// First and last 1-based page.
    pub page: u32,
    pub page_end: u32,
    /// Numbers of this section and its ancestors joined with `/`, e.g. `第三部分/七/(二)`.
    pub path: String,
    /// Index of the parent section in [`Outline::sections`].
    pub parent: Option<usize>,
    /// Normalised text of the section's own lines, wrapped lines re-joined.
    pub body: String,
    /// (byte offset in `body`, page) at each line start: maps a match back to its page.
    pub page_marks: Vec<(usize, u32)>,
}

impl Section {
    /// The page holding byte `offset` of `body`.
    pub fn page_at(&self, offset: usize) -> u32 {
        let i = self.page_marks.partition_point(|&(o, _)| o <= offset);
        if i == 0 {
            self.page
        } else {
            self.page_marks[i - 1].1
        }
    }
}

/// The sections of a document in reading order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Outline {
    pub sections: Vec<Section>,
}

/// Builds the outline of a document.
pub fn outline(_doc: &Document) -> Outline {
    Outline::default()
}
