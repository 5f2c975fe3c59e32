//! The annotated copy of a PDF: an incremental update appended to the original bytes.
//!
//! In: the original file's bytes and what to mark on it ([`Highlight`]s in the page's default user
//! space, outline entries). Out: the bytes of the annotated copy — the original, unchanged, followed by
//! new objects (one /Highlight annotation per value, a shared appearance stream per colour, new
//! versions of the pages that get annotations and of the catalog or outline root), a cross-reference
//! section of the same kind as the file's last one (a classic table after a table or a hybrid file, a
//! cross-reference stream after a stream; ISO 32000-1 7.5.6, 7.5.8.4) and a trailer whose /Prev is the
//! original `startxref`.
//!
//! The file's objects are read through the ingest's lazy store (`ingest::pdf::store`): only the
//! trailer, the catalog, the page tree, the annotated pages' `/Annots` and the outline root with its
//! last item are parsed.
//!
//! Not here: deciding what to mark (see `review/mod.rs`). Never re-serialises an original object in
//! place: a changed object is a new version of it in the update. Encrypted files are refused (strings
//! of the update would need the file's key).

use std::collections::{BTreeMap, HashSet};
use std::io::Write as _;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use thiserror::Error;

use crate::ingest::pdf::store::Store;

/// Why no annotated copy could be written.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AnnotateError {
    #[error("the object layer cannot read the file: {0}")]
    Unreadable(String),
    #[error("the file is encrypted (an update would have to be encrypted with its key)")]
    Encrypted,
    #[error("no usable startxref at the end of the file (a repaired file cannot take an update)")]
    NoStartXref,
    #[error("the catalog or a page object is missing")]
    Structure,
}

/// The colour class of a highlight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    /// Read by at least one failing check.
    Fail,
    /// Read only by passing checks (`pass`, `rounding`).
    Pass,
    /// Read by no decided check.
    Unchecked,
}

impl Mark {
    /// RGB in 0..1: red, green, blue-grey. Drawn with the Multiply blend mode, so white paper takes the
    /// colour and the glyphs stay black.
    pub fn rgb(self) -> [f32; 3] {
        match self {
            Mark::Fail => [1.0, 0.35, 0.35],
            Mark::Pass => [0.45, 0.9, 0.45],
            Mark::Unchecked => [0.65, 0.8, 1.0],
        }
    }

    /// The RGB bytes a renderer paints on white paper.
    pub fn rgb8(self) -> [u8; 3] {
        self.rgb().map(|c| (c * 255.0).round() as u8)
    }

    pub fn name(self) -> &'static str {
        match self {
            Mark::Fail => "fail",
            Mark::Pass => "pass",
            Mark::Unchecked => "unchecked",
        }
    }
}

/// One highlight: a box on a page (1-based), in default user space, with its popup text.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    pub page: u32,
    pub rect: [f64; 4],
    pub mark: Mark,
    pub contents: String,
}

/// One outline entry under the "failing checks" item: a title and where it jumps.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    pub page: u32,
    /// Top of the view (user space y); None: the page's top.
    pub top: Option<f64>,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotated {
    pub bytes: Vec<u8>,
    pub highlights: usize,
    /// Highlights on pages the file does not have (not written).
    pub off_page: usize,
    pub xref_stream: bool,
}

/// The objects of an incremental update as they are made: numbered from the file's /Size on.
struct Update {
    next: u32,
    objects: BTreeMap<ObjectId, Vec<u8>>,
}

impl Update {
    fn new_id(&mut self) -> ObjectId {
        let id = (self.next, 0u16);
        self.next += 1;
        id
    }

    fn put(&mut self, id: ObjectId, object: &Object) {
        self.objects.insert(id, object_bytes(id, object));
    }
}

/// The update alone: what is appended to the original bytes to make the annotated copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The bytes after the original's (a newline first when the original does not end with one).
    pub tail: Vec<u8>,
    pub highlights: usize,
    /// Highlights on pages the file does not have (not written).
    pub off_page: usize,
    pub xref_stream: bool,
}

/// Writes the annotated copy of `original` (the original followed by [`append`]'s update).
pub fn annotate(
    original: &[u8],
    highlights: &[Highlight],
    outline_title: &str,
    outline: &[OutlineEntry],
) -> Result<Annotated, AnnotateError> {
    let a = append(original, highlights, outline_title, outline)?;
    let mut bytes = Vec::with_capacity(original.len() + a.tail.len());
    bytes.extend_from_slice(original);
    bytes.extend_from_slice(&a.tail);
    Ok(Annotated {
        bytes,
        highlights: a.highlights,
        off_page: a.off_page,
        xref_stream: a.xref_stream,
    })
}

/// The incremental update of `original` that adds the highlights and the outline entries; the
/// original is not copied (a caller writes it, then the tail).
pub fn append(
    original: &[u8],
    highlights: &[Highlight],
    outline_title: &str,
    outline: &[OutlineEntry],
) -> Result<Appended, AnnotateError> {
    // A file without a usable startxref is refused before any object is read.
    last_startxref(original)
        .and_then(|prev| section_kind(original, prev))
        .ok_or(AnnotateError::NoStartXref)?;
    let (doc, pages) = open_structure(original)?;
    update_over(original, &doc, &pages, highlights, outline_title, outline)
}

/// The update of `original` over its object layer `doc` (its pages numbered in `pages`).
fn update_over(
    original: &[u8],
    doc: &Store<'_>,
    pages: &BTreeMap<u32, ObjectId>,
    highlights: &[Highlight],
    outline_title: &str,
    outline: &[OutlineEntry],
) -> Result<Appended, AnnotateError> {
    let prev = last_startxref(original).ok_or(AnnotateError::NoStartXref)?;
    let xref_stream = section_kind(original, prev).ok_or(AnnotateError::NoStartXref)?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(AnnotateError::Encrypted);
    }
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| AnnotateError::Structure)?;
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .unwrap_or(0)
        .max(i64::from(doc.max_id()) + 1);
    let mut update = Update {
        next: u32::try_from(size).map_err(|_| AnnotateError::Structure)?,
        objects: BTreeMap::new(),
    };
    let mut by_page: BTreeMap<u32, Vec<&Highlight>> = BTreeMap::new();
    let mut off_page = 0;
    for h in highlights {
        if pages.contains_key(&h.page) {
            by_page.entry(h.page).or_default().push(h);
        } else {
            off_page += 1;
        }
    }
    let written = add_highlights(&mut update, doc, pages, &by_page)?;
    if !outline.is_empty() {
        add_outline(&mut update, doc, root_id, pages, outline_title, outline)?;
    }
    let tail = write_update(original, update, &doc.trailer, prev, xref_stream);
    Ok(Appended {
        tail,
        highlights: written,
        off_page,
        xref_stream,
    })
}

/// One /Highlight annotation object over `h.rect` on page `page_id`, drawn by appearance `ap`,
/// written straight into bytes (the same bytes as serialising `highlight_dict`, without building
/// the dictionary).
fn highlight_object(h: &Highlight, id: ObjectId, page_id: ObjectId, ap: ObjectId) -> Vec<u8> {
    let [x0, y0, x1, y1] = h.rect;
    let mut out = Vec::with_capacity(256 + h.contents.len() * 4);
    let _ = writeln!(out, "{} {} obj", id.0, id.1);
    out.extend_from_slice(b"<</Type /Annot /Subtype /Highlight /Rect ");
    write_reals(&mut out, &[x0, y0, x1, y1]);
    out.extend_from_slice(b" /QuadPoints ");
    write_reals(&mut out, &[x0, y1, x1, y1, x0, y0, x1, y0]);
    out.extend_from_slice(b" /C ");
    write_reals(&mut out, &h.mark.rgb().map(f64::from));
    let _ = write!(out, " /F 4 /P {} {} R /T ", page_id.0, page_id.1);
    write_text_string(&mut out, "yujuesuan");
    out.extend_from_slice(b" /Subj ");
    write_text_string(&mut out, h.mark.name());
    out.extend_from_slice(b" /Contents ");
    write_text_string(&mut out, &h.contents);
    out.extend_from_slice(b" /NM ");
    write_text_string(&mut out, &format!("yujuesuan-{}-{}", id.0, h.mark.name()));
    let _ = write!(out, " /AP <</N {} {} R >> >>\nendobj\n", ap.0, ap.1);
    out
}

/// An array of reals as [`reals`] serialises it (each value as an `f32`).
fn write_reals(out: &mut Vec<u8>, v: &[f64]) {
    out.push(b'[');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        write_real(out, f64::from(*x as f32));
    }
    out.push(b']');
}

/// A text string as [`text_string`] serialises it: UTF-16BE with its byte-order mark, in hex.
fn write_text_string(out: &mut Vec<u8>, s: &str) {
    // At most four hex digits per byte of UTF-8 (an ASCII byte is one UTF-16 unit).
    out.reserve(s.len() * 4 + 6);
    out.extend_from_slice(b"<FEFF");
    for u in s.encode_utf16() {
        let [hi, lo] = u.to_be_bytes();
        out.extend_from_slice(&[
            HEX[usize::from(hi >> 4)],
            HEX[usize::from(hi & 0x0F)],
            HEX[usize::from(lo >> 4)],
            HEX[usize::from(lo & 0x0F)],
        ]);
    }
    out.push(b'>');
}

/// The dictionary [`highlight_object`] writes (what the bytes mean, kept for its test).
#[cfg(test)]
fn highlight_dict(h: &Highlight, id: ObjectId, page_id: ObjectId, ap: ObjectId) -> Dictionary {
    let [x0, y0, x1, y1] = h.rect;
    let mut a = Dictionary::new();
    a.set("Type", Object::Name(b"Annot".to_vec()));
    a.set("Subtype", Object::Name(b"Highlight".to_vec()));
    a.set("Rect", reals(&[x0, y0, x1, y1]));
    a.set("QuadPoints", reals(&[x0, y1, x1, y1, x0, y0, x1, y0]));
    a.set(
        "C",
        Object::Array(h.mark.rgb().iter().map(|c| Object::Real(*c)).collect()),
    );
    a.set("F", Object::Integer(4));
    a.set("P", Object::Reference(page_id));
    a.set("T", text_string("yujuesuan"));
    a.set("Subj", text_string(h.mark.name()));
    a.set("Contents", text_string(&h.contents));
    a.set(
        "NM",
        text_string(&format!("yujuesuan-{}-{}", id.0, h.mark.name())),
    );
    let mut ap_dict = Dictionary::new();
    ap_dict.set("N", Object::Reference(ap));
    a.set("AP", Object::Dictionary(ap_dict));
    a
}

/// The annotations of each page (appended to its /Annots in a new version of the page) and one
/// shared appearance stream per colour (a unit square the viewer maps onto each /Rect); returns how
/// many annotations were written.
fn add_highlights(
    update: &mut Update,
    doc: &Store<'_>,
    pages: &BTreeMap<u32, ObjectId>,
    by_page: &BTreeMap<u32, Vec<&Highlight>>,
) -> Result<usize, AnnotateError> {
    let mut appearances: BTreeMap<Mark, ObjectId> = BTreeMap::new();
    let mut written = 0;
    for (page_no, hs) in by_page {
        let Some(&page_id) = pages.get(page_no) else {
            continue;
        };
        let mut page = doc.dict(page_id).ok_or(AnnotateError::Structure)?.clone();
        let mut annots: Vec<Object> = match page.get(b"Annots") {
            Ok(Object::Reference(id)) => doc
                .get(*id)
                .and_then(|o| o.as_array().ok())
                .cloned()
                .unwrap_or_default(),
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        for h in hs {
            let ap = match appearances.get(&h.mark) {
                Some(&ap) => ap,
                None => {
                    let ap = update.new_id();
                    appearances.insert(h.mark, ap);
                    ap
                }
            };
            let id = update.new_id();
            update
                .objects
                .insert(id, highlight_object(h, id, page_id, ap));
            annots.push(Object::Reference(id));
            written += 1;
        }
        page.set("Annots", Object::Array(annots));
        update.put(page_id, &Object::Dictionary(page));
    }
    for (mark, id) in &appearances {
        let [r, g, b] = mark.rgb();
        let content = format!("/G0 gs {r} {g} {b} rg 0 0 1 1 re f\n");
        let body = format!(
            "<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /ExtGState << /G0 << \
             /Type /ExtGState /BM /Multiply >> >> >> /Length {} >>\nstream\n{content}endstream",
            content.len()
        );
        update.objects.insert(*id, wrap(*id, body.as_bytes()));
    }
    Ok(written)
}

/// Hooks a new top-level outline item into the file's outline (a new version of the outline root
/// and of its last item), or makes an outline (a new version of the catalog); returns the root and
/// the item the new one follows.
fn hook_outline_item(
    update: &mut Update,
    doc: &Store<'_>,
    root_id: ObjectId,
    item_id: ObjectId,
) -> Result<(ObjectId, Option<ObjectId>), AnnotateError> {
    let catalog = doc.dict(root_id).ok_or(AnnotateError::Structure)?;
    let existing = catalog
        .get(b"Outlines")
        .and_then(Object::as_reference)
        .ok()
        .and_then(|id| Some((id, doc.dict(id)?.clone())));
    let (root_outline, parent_last) = match existing {
        Some((id, mut dict)) => {
            let last = dict.get(b"Last").and_then(Object::as_reference).ok();
            if last.is_none() {
                dict.set("First", Object::Reference(item_id));
            }
            dict.set("Last", Object::Reference(item_id));
            let count = dict.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
            dict.set("Count", Object::Integer(count.abs() + 1));
            update.put(id, &Object::Dictionary(dict));
            (id, last)
        }
        None => {
            let id = update.new_id();
            let mut dict = Dictionary::new();
            dict.set("Type", Object::Name(b"Outlines".to_vec()));
            dict.set("First", Object::Reference(item_id));
            dict.set("Last", Object::Reference(item_id));
            dict.set("Count", Object::Integer(1));
            update.put(id, &Object::Dictionary(dict));
            let mut cat = catalog.clone();
            cat.set("Outlines", Object::Reference(id));
            cat.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
            update.put(root_id, &Object::Dictionary(cat));
            (id, None)
        }
    };
    if let Some(last) = parent_last {
        if let Some(mut dict) = doc.dict(last).cloned() {
            dict.set("Next", Object::Reference(item_id));
            update.put(last, &Object::Dictionary(dict));
        }
    }
    Ok((root_outline, parent_last))
}

/// Outline: a "failing checks" item with one child per entry, spliced after the existing items.
fn add_outline(
    update: &mut Update,
    doc: &Store<'_>,
    root_id: ObjectId,
    pages: &BTreeMap<u32, ObjectId>,
    title: &str,
    outline: &[OutlineEntry],
) -> Result<(), AnnotateError> {
    let item_id = update.new_id();
    let (root_outline, parent_last) = hook_outline_item(update, doc, root_id, item_id)?;
    let children: Vec<ObjectId> = outline.iter().map(|_| update.new_id()).collect();
    let first_page = outline
        .iter()
        .find_map(|e| pages.get(&e.page))
        .or_else(|| pages.values().next())
        .copied();
    let mut item = Dictionary::new();
    item.set("Title", text_string(title));
    item.set("Parent", Object::Reference(root_outline));
    if let Some(last) = parent_last {
        item.set("Prev", Object::Reference(last));
    }
    if let (Some(first), Some(last)) = (children.first(), children.last()) {
        item.set("First", Object::Reference(*first));
        item.set("Last", Object::Reference(*last));
        item.set("Count", Object::Integer(children.len() as i64));
    }
    if let Some(p) = first_page {
        item.set("Dest", destination(p, None));
    }
    update.put(item_id, &Object::Dictionary(item));
    for (i, (entry, id)) in outline.iter().zip(&children).enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(&entry.title));
        d.set("Parent", Object::Reference(item_id));
        if i > 0 {
            d.set("Prev", Object::Reference(children[i - 1]));
        }
        if let Some(n) = children.get(i + 1) {
            d.set("Next", Object::Reference(*n));
        }
        if let Some(p) = pages.get(&entry.page).or(first_page.as_ref()) {
            d.set("Dest", destination(*p, entry.top));
        }
        update.put(*id, &Object::Dictionary(d));
    }
    Ok(())
}

/// What follows the original bytes: the update's objects, then its cross-reference section (of the
/// kind of the file's last one) and trailer (/Prev = the original `startxref`). Offsets count from the
/// start of the original.
fn write_update(
    original: &[u8],
    mut update: Update,
    old_trailer: &Dictionary,
    prev: usize,
    xref_stream: bool,
) -> Vec<u8> {
    let base = original.len();
    let mut out = Vec::with_capacity(update.objects.values().map(Vec::len).sum::<usize>() + 4096);
    if !matches!(original.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<u32, (usize, u16)> = BTreeMap::new();
    for (id, bytes) in &update.objects {
        offsets.insert(id.0, (base + out.len(), id.1));
        out.extend_from_slice(bytes);
    }
    let mut trailer = Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(v) = old_trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(prev as i64));
    let xref_at = base + out.len();
    if xref_stream {
        let xref_id = update.new_id();
        offsets.insert(xref_id.0, (xref_at, 0));
        write_xref_stream(&mut out, trailer, &offsets, xref_id, update.next);
    } else {
        write_xref_table(&mut out, trailer, &offsets, update.next);
    }
    let _ = write!(out, "startxref\n{xref_at}\n%%EOF\n");
    out
}

/// A cross-reference stream (ISO 32000-1 7.5.8) holding the trailer's keys.
fn write_xref_stream(
    out: &mut Vec<u8>,
    mut trailer: Dictionary,
    offsets: &BTreeMap<u32, (usize, u16)>,
    xref_id: ObjectId,
    size: u32,
) {
    let mut data = Vec::new();
    let mut index = Vec::new();
    for (start, run) in runs(offsets) {
        index.push(Object::Integer(i64::from(start)));
        index.push(Object::Integer(run.len() as i64));
        for (offset, generation) in run {
            data.push(1u8);
            data.extend_from_slice(&(offset as u32).to_be_bytes());
            data.extend_from_slice(&generation.to_be_bytes());
        }
    }
    trailer.set("Type", Object::Name(b"XRef".to_vec()));
    trailer.set("Size", Object::Integer(i64::from(size)));
    trailer.set("Index", Object::Array(index));
    trailer.set(
        "W",
        Object::Array(vec![
            Object::Integer(1),
            Object::Integer(4),
            Object::Integer(2),
        ]),
    );
    trailer.set("Length", Object::Integer(data.len() as i64));
    let mut body = Vec::new();
    write_object(&mut body, &Object::Dictionary(trailer));
    body.extend_from_slice(b"\nstream\n");
    body.extend_from_slice(&data);
    body.extend_from_slice(b"\nendstream");
    out.extend_from_slice(&wrap(xref_id, &body));
}

/// A classic cross-reference table (ISO 32000-1 7.5.4) and its trailer.
fn write_xref_table(
    out: &mut Vec<u8>,
    mut trailer: Dictionary,
    offsets: &BTreeMap<u32, (usize, u16)>,
    size: u32,
) {
    out.extend_from_slice(b"xref\n");
    for (start, run) in runs(offsets) {
        let _ = writeln!(out, "{start} {}", run.len());
        for (offset, generation) in run {
            let _ = write!(out, "{offset:010} {generation:05} n\r\n");
        }
    }
    trailer.set("Size", Object::Integer(i64::from(size)));
    out.extend_from_slice(b"trailer\n");
    write_object(out, &Object::Dictionary(trailer));
    out.push(b'\n');
}

/// The file's object layer as far as the update needs it, through the ingest's lazy store: the
/// trailer, the catalog, the page tree and, when asked, the pages' indirect `/Annots` arrays and the
/// outline root with its last item, each parsed from its offset through the cross-reference sections
/// (startxref → trailer → `/XRefStm` → `/Prev` chain, object streams), never the page contents,
/// fonts or images. A file this reading cannot follow (a damaged table, an object it cannot parse)
/// is loaded whole by lopdf instead, so the object set is the same either way.
fn open_structure(original: &[u8]) -> Result<(Store<'_>, BTreeMap<u32, ObjectId>), AnnotateError> {
    if let Some(store) = Store::lazy(original) {
        if let Some(pages) = page_ids(&store).filter(|_| !store.broken()) {
            return Ok((store, pages));
        }
    }
    let doc = std::panic::catch_unwind(|| lopdf::Document::load_mem(original))
        .map_err(|_| AnnotateError::Unreadable("the reader failed".to_string()))?
        .map_err(|e| AnnotateError::Unreadable(e.to_string()))?;
    let store = Store::whole(doc);
    let pages = page_ids(&store).unwrap_or_default();
    Ok((store, pages))
}

/// Deepest page tree followed.
const MAX_TREE_DEPTH: usize = 64;

/// Page number (1-based, in page-tree order) → the page's object id, numbered as the ingest numbers
/// pages: a node with `/Kids` that is not typed `/Page` is an inner node, anything else a page; a
/// node met twice is skipped. None when a node of the tree cannot be read.
fn page_ids(store: &Store<'_>) -> Option<BTreeMap<u32, ObjectId>> {
    let (_, catalog) = store.catalog()?;
    let root = catalog.get(b"Pages").and_then(Object::as_reference).ok()?;
    let mut out = BTreeMap::new();
    let mut visited = HashSet::new();
    page_tree(store, root, 0, &mut visited, &mut out)?;
    Some(out)
}

fn page_tree(
    store: &Store<'_>,
    id: ObjectId,
    depth: usize,
    visited: &mut HashSet<ObjectId>,
    out: &mut BTreeMap<u32, ObjectId>,
) -> Option<()> {
    if depth > MAX_TREE_DEPTH || !visited.insert(id) {
        return Some(());
    }
    let node = store.dict(id)?;
    let kids = match node.get(b"Kids") {
        Ok(Object::Reference(r)) => store.get(*r)?.as_array().ok(),
        Ok(Object::Array(a)) => Some(a),
        _ => None,
    };
    let typed_page = matches!(node.get(b"Type"), Ok(Object::Name(n)) if n == b"Page");
    match kids {
        Some(kids) if !typed_page => {
            for kid in kids.iter().filter_map(|k| k.as_reference().ok()) {
                page_tree(store, kid, depth + 1, visited, out)?;
            }
        }
        _ => {
            out.insert(out.len() as u32 + 1, id);
        }
    }
    Some(())
}

/// Consecutive object numbers: (first number, [(offset, generation)]).
fn runs(offsets: &BTreeMap<u32, (usize, u16)>) -> Vec<(u32, Vec<(usize, u16)>)> {
    let mut out: Vec<(u32, Vec<(usize, u16)>)> = Vec::new();
    for (&n, &entry) in offsets {
        match out.last_mut() {
            Some((start, run)) if *start + run.len() as u32 == n => run.push(entry),
            _ => out.push((n, vec![entry])),
        }
    }
    out
}

/// `[page /XYZ null top null]` (top: None = the page's top).
fn destination(page: ObjectId, top: Option<f64>) -> Object {
    Object::Array(vec![
        Object::Reference(page),
        Object::Name(b"XYZ".to_vec()),
        Object::Null,
        top.map_or(Object::Null, |t| Object::Real(t as f32)),
        Object::Null,
    ])
}

#[cfg(test)]
fn reals(v: &[f64]) -> Object {
    Object::Array(v.iter().map(|x| Object::Real(*x as f32)).collect())
}

/// A PDF text string: UTF-16BE with its byte-order mark, written as a hex string.
fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn object_bytes(id: ObjectId, object: &Object) -> Vec<u8> {
    let mut body = Vec::new();
    write_object(&mut body, object);
    wrap(id, &body)
}

fn wrap(id: ObjectId, body: &[u8]) -> Vec<u8> {
    let mut out = format!("{} {} obj\n", id.0, id.1).into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"\nendobj\n");
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Serialises a direct object (dictionaries, arrays, names, strings as hex, numbers, references).
/// A stream inside a page or catalog dictionary cannot occur (streams are indirect); one is written as
/// `null`.
pub(crate) fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => write_real(out, f64::from(*r)),
        Object::Name(n) => write_name(out, n),
        Object::String(bytes, _) => {
            out.push(b'<');
            out.reserve(bytes.len() * 2 + 1);
            for &b in bytes {
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0x0F)]);
            }
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => {
            out.extend_from_slice(b"<<");
            for (k, v) in d.iter() {
                write_name(out, k);
                out.push(b' ');
                write_object(out, v);
                out.push(b' ');
            }
            out.extend_from_slice(b">>");
        }
        Object::Stream(_) => out.extend_from_slice(b"null"),
        Object::Reference((n, g)) => {
            let _ = write!(out, "{n} {g} R");
        }
    }
}

fn write_real(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        out.push(b'0');
        return;
    }
    if let Some(thousandths) = f32_thousandths(v) {
        let (int, frac) = (
            thousandths.unsigned_abs() / 1000,
            thousandths.unsigned_abs() % 1000,
        );
        if thousandths < 0 {
            out.push(b'-');
        }
        write_decimal(out, int);
        if frac > 0 {
            // Three digits, trailing zeros dropped (frac > 0: one of them is not a zero).
            let d = [frac / 100, frac / 10 % 10, frac % 10].map(|x| b'0' + x as u8);
            let keep = if d[2] != b'0' {
                3
            } else if d[1] != b'0' {
                2
            } else {
                1
            };
            out.push(b'.');
            out.extend_from_slice(&d[..keep]);
        }
        return;
    }
    write_real_formatted(out, v);
}

/// The decimal digits of `n`, as `{n}` writes them.
fn write_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `v` in thousandths, rounded half to even as `{:.3}` rounds, when `v` is an `f32` value (every
/// real the update writes is): its 24-bit significand times 1000 is exact in an `f64`, so the
/// rounding sees the exact value. None for any other value (formatted instead).
fn f32_thousandths(v: f64) -> Option<i64> {
    if f64::from(v as f32) != v || v.abs() >= 1e12 {
        return None;
    }
    let n = (v * 1000.0).round_ties_even();
    Some(n as i64)
}

/// `v` with three decimals, trailing zeros and a negative zero dropped.
fn write_real_formatted(out: &mut Vec<u8>, v: f64) {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    out.extend_from_slice(if s.is_empty() || s == "-" || s == "-0" {
        b"0"
    } else {
        s.as_bytes()
    });
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        let regular = (0x21..=0x7E).contains(&b) && !b"#()<>[]{}/%".contains(&b);
        if regular {
            out.push(b);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

/// The offset after the last `startxref` of the file.
fn last_startxref(bytes: &[u8]) -> Option<usize> {
    let tail_from = bytes.len().saturating_sub(4096);
    let tail = &bytes[tail_from..];
    let at = tail.windows(9).rposition(|w| w == b"startxref")?;
    let rest = &tail[at + 9..];
    let digits: Vec<u8> = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    let offset: usize = std::str::from_utf8(&digits).ok()?.parse().ok()?;
    (offset < bytes.len()).then_some(offset)
}

/// What the section at `offset` is: `Some(false)` a classic table (`xref`), `Some(true)` a
/// cross-reference stream (`N G obj << /Type /XRef …`), None neither.
fn section_kind(bytes: &[u8], offset: usize) -> Option<bool> {
    let head = &bytes[offset..bytes.len().min(offset + 1024)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if head.starts_with(b"xref") {
        return Some(false);
    }
    let is_obj = head.first().is_some_and(u8::is_ascii_digit)
        && head.windows(3).take(40).any(|w| w == b"obj");
    let is_xref = head.windows(5).any(|w| w == b"/XRef");
    (is_obj && is_xref).then_some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_serialise_as_the_syntax_wants() {
        let mut out = Vec::new();
        write_name(&mut out, b"A B#(x)");
        assert_eq!(out, b"/A#20B#23#28x#29");
        let mut out = Vec::new();
        write_object(&mut out, &reals(&[1.5, 2.0, -0.0004, 100.125]));
        assert_eq!(String::from_utf8_lossy(&out), "[1.5 2 0 100.125]");
    }

    /// The reals written from thousandths are those `{:.3}` gives (ties included: k/16 values sit
    /// exactly half way between two thousandths).
    #[test]
    fn reals_from_thousandths_are_the_formatted_ones() {
        let mut values: Vec<f64> = vec![0.0, -0.0, -0.0004, 0.0005, 0.0625, 0.1875, -0.0625, 1e11];
        values.extend((0..20000).map(|i| f64::from(i as f32 * 0.0625 - 600.0)));
        values.extend((0..20000).map(|i| f64::from((i as f32).mul_add(0.0371, -300.0))));
        values.extend([0.35f32, 0.45, 0.65, 0.8, 0.9, 612.3456, 791.9999].map(f64::from));
        for v in values {
            let (mut fast, mut formatted) = (Vec::new(), Vec::new());
            write_real(&mut fast, v);
            write_real_formatted(&mut formatted, v);
            assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&formatted),
                "{v}"
            );
        }
        let mut tie = Vec::new();
        write_real(&mut tie, 0.0625);
        assert_eq!(tie, b"0.062");
    }

    #[test]
    fn text_strings_are_utf16_with_a_byte_order_mark() {
        let mut out = Vec::new();
        write_object(&mut out, &text_string("合计A"));
        assert_eq!(String::from_utf8_lossy(&out), "<FEFF54088BA10041>");
    }

    /// A file rewritten by qpdf with `args`, None when qpdf is not installed (a failure in CI).
    fn qpdf(bytes: &[u8], args: &[&str], name: &str) -> Option<Vec<u8>> {
        let dir = std::env::temp_dir().join(format!("yujuesuan-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let (input, output) = (
            dir.join(format!("{name}-in.pdf")),
            dir.join(format!("{name}.pdf")),
        );
        std::fs::write(&input, bytes).ok()?;
        let run = std::process::Command::new("qpdf")
            .args(args)
            .arg(&input)
            .arg(&output)
            .status();
        if run.is_err() {
            assert!(
                std::env::var_os("YUJUESUAN_SHARED").is_none(),
                "qpdf is missing"
            );
            return None;
        }
        std::fs::read(&output).ok()
    }

    /// The update read through the ingest's lazy store is the update read from the whole file
    /// (lopdf's loading), byte for byte, and numbers the pages as lopdf does: for a classic table, a
    /// cross-reference stream with object streams, qpdf's rewrites of both (object streams generated,
    /// and disabled), and each of them after one and two updates of its own (a /Prev chain).
    #[test]
    fn the_update_over_the_lazy_store_is_the_update_over_the_whole_file() {
        let h = |page: u32| Highlight {
            page,
            rect: [10.0, 10.0, 50.0, 20.0],
            mark: Mark::Fail,
            contents: "合计 x".to_string(),
        };
        let entries = [OutlineEntry {
            title: "t".to_string(),
            page: 1,
            top: Some(700.0),
        }];
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for modern in [false, true] {
            let fx = crate::fixture::review_fixture(modern);
            for (name, args) in [
                ("objstm", &["--object-streams=generate"][..]),
                ("classic", &["--object-streams=disable"][..]),
            ] {
                if let Some(b) = qpdf(&fx.bytes, args, &format!("{modern}-{name}")) {
                    files.push((format!("{modern} qpdf {name}"), b));
                }
            }
            files.push((format!("{modern} fixture"), fx.bytes));
        }
        let mut lazily = 0;
        for (name, original) in files {
            let mut bytes = original;
            for round in 0..3 {
                let store = Store::lazy(&bytes).expect("the sections are followed");
                let pages = page_ids(&store).expect("the page tree is read");
                let whole = Store::whole(lopdf::Document::load_mem(&bytes).expect("read whole"));
                let full = whole.as_whole().map(lopdf::Document::get_pages);
                assert_eq!(Some(&pages), full.as_ref(), "{name} {round}");
                assert_eq!(page_ids(&whole), Some(pages.clone()), "{name} {round}");
                assert_eq!(store.max_id(), whole.max_id(), "{name} {round}");
                let hs = [h(1), h(1), h(2)];
                let lazy = update_over(&bytes, &store, &pages, &hs, "f", &entries);
                let from_whole = update_over(&bytes, &whole, &pages, &hs, "f", &entries);
                let lazy = lazy.expect("annotated");
                assert_eq!(Ok(&lazy), from_whole.as_ref(), "{name} {round}");
                assert_eq!(lazy.highlights, 2, "{name}: page 2 is not in the file");
                // The store parsed the structure alone: never a page's contents.
                assert!(!store.broken());
                lazily += 1;
                let mut next = bytes.clone();
                next.extend_from_slice(&lazy.tail);
                if round > 0 {
                    // Each update's /Prev is the section before it.
                    let text = String::from_utf8_lossy(&lazy.tail).into_owned();
                    let prev = last_startxref(&bytes).map(|p| format!("/Prev {p}"));
                    assert!(prev.is_some_and(|p| text.contains(&p)), "{name} {round}");
                }
                bytes = next;
            }
        }
        assert!(lazily >= 6);
        let _ = std::fs::remove_dir_all(
            std::env::temp_dir().join(format!("yujuesuan-store-{}", std::process::id())),
        );
    }

    /// The annotation written straight into bytes is the serialised dictionary, byte for byte.
    #[test]
    fn highlight_objects_are_their_dictionaries_serialised() {
        for (rect, mark, contents) in [
            (
                [10.0, 20.5, 50.125, 30.0],
                Mark::Fail,
                "合计 = 1236.58 万元\nraw: \"1,236.58\"",
            ),
            ([0.0, -0.0004, 612.3456, 791.9999], Mark::Pass, ""),
            ([100.1, 200.2, 300.3, 400.4], Mark::Unchecked, "a\u{1F600}b"),
        ] {
            let h = Highlight {
                page: 1,
                rect,
                mark,
                contents: contents.to_string(),
            };
            let (id, page, ap) = ((17, 0), (3, 2), (16, 0));
            let direct = highlight_object(&h, id, page, ap);
            let serialised =
                object_bytes(id, &Object::Dictionary(highlight_dict(&h, id, page, ap)));
            assert_eq!(
                String::from_utf8_lossy(&direct),
                String::from_utf8_lossy(&serialised)
            );
        }
        let mut out = Vec::new();
        write_text_string(&mut out, "合计A");
        assert_eq!(out, b"<FEFF54088BA10041>");
    }

    #[test]
    fn runs_group_consecutive_numbers() {
        let offsets: BTreeMap<u32, (usize, u16)> = [(3, (10, 0)), (4, (20, 0)), (9, (30, 1))]
            .into_iter()
            .collect();
        assert_eq!(
            runs(&offsets),
            vec![(3, vec![(10, 0), (20, 0)]), (9, vec![(30, 1)])]
        );
    }

    #[test]
    fn the_last_startxref_and_its_section_kind() {
        let classic =
            b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer<<>>\nstartxref\n9\n%%EOF\n";
        assert_eq!(last_startxref(classic), Some(9));
        assert_eq!(section_kind(classic, 9), Some(false));
        let stream = b"%PDF-1.5\n7 0 obj\n<< /Type /XRef /W [1 2 1] >>\nstream\nendstream\nendobj\nstartxref\n9\n%%EOF";
        assert_eq!(section_kind(stream, 9), Some(true));
        assert_eq!(last_startxref(b"%PDF-1.4 no trailer"), None);
        assert_eq!(last_startxref(b"startxref\n99999\n%%EOF"), None);
    }
}
