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
//! Not here: deciding what to mark (see `review/mod.rs`). Never re-serialises an original object in
//! place: a changed object is a new version of it in the update. Encrypted files are refused (strings
//! of the update would need the file's key).

use std::collections::BTreeMap;
use std::io::Write as _;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use thiserror::Error;

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

/// Writes the annotated copy of `original`.
pub fn annotate(
    original: &[u8],
    highlights: &[Highlight],
    outline_title: &str,
    outline: &[OutlineEntry],
) -> Result<Annotated, AnnotateError> {
    let prev = last_startxref(original).ok_or(AnnotateError::NoStartXref)?;
    let xref_stream = match section_kind(original, prev) {
        Some(k) => k,
        None => return Err(AnnotateError::NoStartXref),
    };
    let doc = std::panic::catch_unwind(|| load_structure(original))
        .map_err(|_| AnnotateError::Unreadable("the reader failed".to_string()))?
        .map_err(|e| AnnotateError::Unreadable(e.to_string()))?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(AnnotateError::Encrypted);
    }
    let pages = doc.get_pages();
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
        .max(i64::from(doc.max_id) + 1);
    let mut next = u32::try_from(size).map_err(|_| AnnotateError::Structure)?;
    let mut new_id = || {
        let id = (next, 0u16);
        next += 1;
        id
    };
    let mut objects: BTreeMap<ObjectId, Vec<u8>> = BTreeMap::new();

    // One appearance stream per colour (a unit square the viewer maps onto each /Rect).
    let mut appearances: BTreeMap<Mark, ObjectId> = BTreeMap::new();
    let mut by_page: BTreeMap<u32, Vec<&Highlight>> = BTreeMap::new();
    let mut off_page = 0;
    for h in highlights {
        if pages.contains_key(&h.page) {
            by_page.entry(h.page).or_default().push(h);
        } else {
            off_page += 1;
        }
    }
    let mut written = 0;
    for (page_no, hs) in &by_page {
        let Some(&page_id) = pages.get(page_no) else {
            continue;
        };
        let mut page = doc
            .get_object(page_id)
            .and_then(Object::as_dict)
            .map_err(|_| AnnotateError::Structure)?
            .clone();
        let mut annots: Vec<Object> = match page.get(b"Annots") {
            Ok(Object::Reference(id)) => doc
                .get_object(*id)
                .and_then(Object::as_array)
                .cloned()
                .unwrap_or_default(),
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        for h in hs {
            let ap = *appearances.entry(h.mark).or_insert_with(&mut new_id);
            let id = new_id();
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
            objects.insert(id, object_bytes(id, &Object::Dictionary(a)));
            annots.push(Object::Reference(id));
            written += 1;
        }
        page.set("Annots", Object::Array(annots));
        objects.insert(page_id, object_bytes(page_id, &Object::Dictionary(page)));
    }
    for (mark, id) in &appearances {
        let [r, g, b] = mark.rgb();
        let content = format!("/G0 gs {r} {g} {b} rg 0 0 1 1 re f\n");
        let body = format!(
            "<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /ExtGState << /G0 << \
             /Type /ExtGState /BM /Multiply >> >> >> /Length {} >>\nstream\n{content}endstream",
            content.len()
        );
        objects.insert(*id, wrap(*id, body.as_bytes()));
    }

    // Outline: a "failing checks" item with one child per entry, spliced after the existing items.
    if !outline.is_empty() {
        let catalog = doc
            .get_object(root_id)
            .and_then(Object::as_dict)
            .map_err(|_| AnnotateError::Structure)?;
        let item_id = new_id();
        let existing = catalog
            .get(b"Outlines")
            .and_then(Object::as_reference)
            .ok()
            .and_then(|id| Some((id, doc.get_object(id).ok()?.as_dict().ok()?.clone())));
        let (root_outline, parent_last) = match existing {
            Some((id, mut dict)) => {
                let last = dict.get(b"Last").and_then(Object::as_reference).ok();
                if last.is_none() {
                    dict.set("First", Object::Reference(item_id));
                }
                dict.set("Last", Object::Reference(item_id));
                let count = dict.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
                dict.set("Count", Object::Integer(count.abs() + 1));
                objects.insert(id, object_bytes(id, &Object::Dictionary(dict)));
                (id, last)
            }
            None => {
                let id = new_id();
                let mut dict = Dictionary::new();
                dict.set("Type", Object::Name(b"Outlines".to_vec()));
                dict.set("First", Object::Reference(item_id));
                dict.set("Last", Object::Reference(item_id));
                dict.set("Count", Object::Integer(1));
                objects.insert(id, object_bytes(id, &Object::Dictionary(dict)));
                let mut cat = catalog.clone();
                cat.set("Outlines", Object::Reference(id));
                cat.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
                objects.insert(root_id, object_bytes(root_id, &Object::Dictionary(cat)));
                (id, None)
            }
        };
        if let Some(last) = parent_last {
            if let Ok(mut dict) = doc.get_object(last).and_then(Object::as_dict).cloned() {
                dict.set("Next", Object::Reference(item_id));
                objects.insert(last, object_bytes(last, &Object::Dictionary(dict)));
            }
        }
        let children: Vec<ObjectId> = outline.iter().map(|_| new_id()).collect();
        let first_page = outline
            .iter()
            .find_map(|e| pages.get(&e.page))
            .or_else(|| pages.values().next())
            .copied();
        let mut item = Dictionary::new();
        item.set("Title", text_string(outline_title));
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
        objects.insert(item_id, object_bytes(item_id, &Object::Dictionary(item)));
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
            objects.insert(*id, object_bytes(*id, &Object::Dictionary(d)));
        }
    }

    // The update: the original bytes, then the objects, then the cross-reference section.
    let mut out =
        Vec::with_capacity(original.len() + objects.values().map(Vec::len).sum::<usize>() + 4096);
    out.extend_from_slice(original);
    if !matches!(original.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<u32, (usize, u16)> = BTreeMap::new();
    for (id, bytes) in &objects {
        offsets.insert(id.0, (out.len(), id.1));
        out.extend_from_slice(bytes);
    }
    let mut trailer = Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(prev as i64));
    let xref_at = out.len();
    if xref_stream {
        let xref_id = new_id();
        offsets.insert(xref_id.0, (xref_at, 0));
        let mut data = Vec::new();
        let mut index = Vec::new();
        for (start, run) in runs(&offsets) {
            index.push(Object::Integer(i64::from(start)));
            index.push(Object::Integer(run.len() as i64));
            for (offset, generation) in run {
                data.push(1u8);
                data.extend_from_slice(&(offset as u32).to_be_bytes());
                data.extend_from_slice(&generation.to_be_bytes());
            }
        }
        trailer.set("Type", Object::Name(b"XRef".to_vec()));
        trailer.set("Size", Object::Integer(i64::from(next)));
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
    } else {
        out.extend_from_slice(b"xref\n");
        for (start, run) in runs(&offsets) {
            let _ = writeln!(out, "{start} {}", run.len());
            for (offset, generation) in run {
                let _ = write!(out, "{offset:010} {generation:05} n\r\n");
            }
        }
        trailer.set("Size", Object::Integer(i64::from(next)));
        out.extend_from_slice(b"trailer\n");
        write_object(&mut out, &Object::Dictionary(trailer));
        out.push(b'\n');
    }
    let _ = write!(out, "startxref\n{xref_at}\n%%EOF\n");
    Ok(Annotated {
        bytes: out,
        highlights: written,
        off_page,
        xref_stream,
    })
}

/// The file's object layer as far as the update needs it: the trailer, the catalog, the page tree,
/// the pages' indirect `/Annots` arrays and the outline root with its last item, each read from its
/// offset through the cross-reference sections (startxref → trailer → /Prev chain), never the page
/// contents, fonts or images. A file this reading cannot follow (a damaged table, an object stream it
/// cannot open) is read whole instead, so the result is the same object set either way.
fn load_structure(original: &[u8]) -> lopdf::Result<lopdf::Document> {
    match lazy::load(original) {
        Some(doc) => Ok(doc),
        None => lopdf::Document::load_mem(original),
    }
}

mod lazy {
    //! The few objects of a PDF an incremental update reads, found through its cross-reference
    //! sections. In: the file's bytes. Out: a `lopdf::Document` holding only those objects (None when
    //! a section or an object cannot be read this way). Not here: repairing files.

    use std::collections::{BTreeMap, HashSet};

    use lopdf::xref::{Xref, XrefEntry, XrefType};
    use lopdf::{Dictionary, Document, Object, ObjectId, ObjectStream, Reader};

    fn reader(buffer: &[u8], xref: Xref) -> Reader<'_> {
        let mut document = Document::new();
        document.reference_table = xref;
        Reader {
            buffer,
            document,
            encryption_state: None,
            raw_objects: BTreeMap::new(),
        }
    }

    fn skip_ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == 0) {
            i += 1;
        }
        i
    }

    fn number(b: &[u8], i: usize) -> Option<(u64, usize)> {
        let i = skip_ws(b, i);
        let end = i + b
            .get(i..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let n = std::str::from_utf8(&b[i..end]).ok()?.parse().ok()?;
        Some((n, end))
    }

    /// One object at `offset` whose number is read from its `N G obj` header, with the entries known
    /// so far (for an indirect `/Length`).
    fn object_at(buffer: &[u8], offset: usize, known: &Xref) -> Option<Object> {
        let (n, i) = number(buffer, offset)?;
        let (g, _) = number(buffer, i)?;
        let id = (u32::try_from(n).ok()?, u16::try_from(g).ok()?);
        let mut xref = known.clone();
        xref.insert(
            id.0,
            XrefEntry::Normal {
                offset: u32::try_from(offset).ok()?,
                generation: id.1,
            },
        );
        reader(buffer, xref)
            .get_object(id, &mut HashSet::new())
            .ok()
    }

    /// A classic section at `offset`: its entries and its trailer dictionary.
    fn classic(buffer: &[u8], offset: usize) -> Option<(Xref, Dictionary)> {
        let mut xref = Xref::new(0, XrefType::CrossReferenceTable);
        let mut i = skip_ws(buffer, offset) + 4;
        loop {
            let j = skip_ws(buffer, i);
            if buffer.get(j..)?.starts_with(b"trailer") {
                i = j + 7;
                break;
            }
            let (start, k) = number(buffer, j)?;
            let (count, mut k) = number(buffer, k)?;
            for n in start..start + count {
                let (off, k1) = number(buffer, k)?;
                let (generation, k2) = number(buffer, k1)?;
                let t = skip_ws(buffer, k2);
                let kind = *buffer.get(t)?;
                k = t + 1;
                let n = u32::try_from(n).ok()?;
                if kind == b'n' {
                    xref.entries.entry(n).or_insert(XrefEntry::Normal {
                        offset: u32::try_from(off).ok()?,
                        generation: u16::try_from(generation).ok()?,
                    });
                } else if kind == b'f' {
                    xref.entries.entry(n).or_insert(XrefEntry::Free);
                } else {
                    return None;
                }
            }
            i = k;
        }
        // The trailer dictionary, read as the body of an object of its own.
        let at = skip_ws(buffer, i);
        let rest = buffer.get(at..)?;
        let end = rest.windows(9).position(|w| w == b"startxref")?;
        let mut wrapped = b"1 0 obj\n".to_vec();
        wrapped.extend_from_slice(&rest[..end]);
        wrapped.extend_from_slice(b"\nendobj\n");
        let mut one = Xref::new(2, XrefType::CrossReferenceTable);
        one.insert(
            1,
            XrefEntry::Normal {
                offset: 0,
                generation: 0,
            },
        );
        let dict = reader(&wrapped, one)
            .get_object((1, 0), &mut HashSet::new())
            .ok()?
            .as_dict()
            .ok()?
            .clone();
        Some((xref, dict))
    }

    /// A cross-reference stream at `offset`: its entries and its dictionary.
    fn stream(buffer: &[u8], offset: usize, known: &Xref) -> Option<(Xref, Dictionary)> {
        let object = object_at(buffer, offset, known)?;
        let stream = object.as_stream().ok()?;
        let mut dict = stream.dict.clone();
        // As the whole-file reader keeps the trailer of a stream section: without the stream's keys.
        for key in [&b"Length"[..], b"W", b"Index"] {
            dict.remove(key);
        }
        let data = if stream.dict.get(b"Filter").is_ok() {
            stream.decompressed_content().ok()?
        } else {
            stream.content.clone()
        };
        let widths: Vec<usize> = stream
            .dict
            .get(b"W")
            .and_then(Object::as_array)
            .ok()?
            .iter()
            .map(|w| w.as_i64().ok().and_then(|w| usize::try_from(w).ok()))
            .collect::<Option<_>>()?;
        if widths.len() != 3 {
            return None;
        }
        let size = dict.get(b"Size").and_then(Object::as_i64).ok()?;
        let index: Vec<i64> = match stream.dict.get(b"Index").and_then(Object::as_array) {
            Ok(a) => a.iter().map(|x| x.as_i64().ok()).collect::<Option<_>>()?,
            Err(_) => vec![0, size],
        };
        let field = |row: &[u8], from: usize, width: usize, default: u64| -> u64 {
            if width == 0 {
                return default;
            }
            row[from..from + width]
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
        };
        let row_len: usize = widths.iter().sum();
        let mut xref = Xref::new(0, XrefType::CrossReferenceStream);
        let mut rows = data.chunks_exact(row_len.max(1));
        for pair in index.chunks(2) {
            let [start, count] = pair else { return None };
            for n in *start..*start + *count {
                let row = rows.next()?;
                let kind = field(row, 0, widths[0], 1);
                let a = field(row, widths[0], widths[1], 0);
                let b = field(row, widths[0] + widths[1], widths[2], 0);
                let n = u32::try_from(n).ok()?;
                let entry = match kind {
                    0 => XrefEntry::Free,
                    1 => XrefEntry::Normal {
                        offset: u32::try_from(a).ok()?,
                        generation: u16::try_from(b).ok()?,
                    },
                    2 => XrefEntry::Compressed {
                        container: u32::try_from(a).ok()?,
                        index: u16::try_from(b).ok()?,
                    },
                    _ => continue,
                };
                xref.entries.entry(n).or_insert(entry);
            }
        }
        Some((xref, dict))
    }

    /// One section at `offset` (classic or stream) with its trailer.
    fn section(buffer: &[u8], offset: usize, known: &Xref) -> Option<(Xref, Dictionary)> {
        if buffer.get(skip_ws(buffer, offset)..)?.starts_with(b"xref") {
            classic(buffer, offset)
        } else {
            stream(buffer, offset, known)
        }
    }

    fn merge(into: &mut Xref, from: Xref) {
        for (n, e) in from.entries {
            into.entries.entry(n).or_insert(e);
        }
    }

    /// The objects the update reads; None when one cannot be read this way.
    pub(super) fn load(original: &[u8]) -> Option<Document> {
        let pdf_at = original.windows(5).position(|w| w == b"%PDF-").unwrap_or(0);
        let buffer = &original[pdf_at..];
        let start = super::last_startxref(buffer)?;
        let mut xref = Xref::new(0, XrefType::CrossReferenceTable);
        let (first, mut trailer) = section(buffer, start, &xref)?;
        xref.cross_reference_type = first.cross_reference_type;
        merge(&mut xref, first);
        let mut seen = HashSet::from([start]);
        if let Some(at) = trailer.get(b"XRefStm").ok().and_then(|o| o.as_i64().ok()) {
            let (more, _) = stream(buffer, usize::try_from(at).ok()?, &xref)?;
            merge(&mut xref, more);
        }
        let mut prev = trailer.remove(b"Prev").and_then(|o| o.as_i64().ok());
        if prev.is_some() {
            // As the whole-file reader does (it reads the hybrid stream while following /Prev).
            trailer.remove(b"XRefStm");
        }
        while let Some(at) = prev {
            let at = usize::try_from(at).ok()?;
            if !seen.insert(at) {
                break;
            }
            let (more, t) = section(buffer, at, &xref)?;
            merge(&mut xref, more);
            if let Some(s) = t.get(b"XRefStm").ok().and_then(|o| o.as_i64().ok()) {
                let (more, _) = stream(buffer, usize::try_from(s).ok()?, &xref)?;
                merge(&mut xref, more);
            }
            prev = t.get(b"Prev").ok().and_then(|o| o.as_i64().ok());
        }
        xref.size = xref.entries.keys().next_back().map_or(0, |n| n + 1);
        if trailer.get(b"Encrypt").is_ok() {
            // The caller refuses it; the whole-file reader gives it the same trailer.
            return None;
        }
        let mut wanted = Wanted {
            reader: reader(buffer, xref),
            streams: BTreeMap::new(),
            objects: BTreeMap::new(),
        };
        let root = trailer.get(b"Root").and_then(Object::as_reference).ok()?;
        let catalog = wanted.fetch(root)?;
        let catalog = catalog.as_dict().ok()?.clone();
        if let Ok(outlines) = catalog.get(b"Outlines").and_then(Object::as_reference) {
            if let Some(o) = wanted.fetch(outlines) {
                if let Ok(last) = o
                    .as_dict()
                    .and_then(|d| d.get(b"Last"))
                    .and_then(Object::as_reference)
                {
                    wanted.fetch(last);
                }
            }
        }
        let pages = catalog.get(b"Pages").and_then(Object::as_reference).ok()?;
        wanted.tree(pages, 0)?;
        let mut document = Document::new();
        document.max_id = wanted
            .reader
            .document
            .reference_table
            .size
            .saturating_sub(1);
        document.reference_table = std::mem::replace(
            &mut wanted.reader.document.reference_table,
            Xref::new(0, XrefType::CrossReferenceTable),
        );
        document.trailer = trailer;
        document.objects = wanted.objects;
        Some(document)
    }

    struct Wanted<'a> {
        reader: Reader<'a>,
        streams: BTreeMap<u32, BTreeMap<ObjectId, Object>>,
        objects: BTreeMap<ObjectId, Object>,
    }

    impl Wanted<'_> {
        /// Reads object `id` (from its offset or its object stream) into the set.
        fn fetch(&mut self, id: ObjectId) -> Option<Object> {
            if let Some(o) = self.objects.get(&id) {
                return Some(o.clone());
            }
            let entry = self.reader.document.reference_table.get(id.0)?.clone();
            let object = match entry {
                XrefEntry::Normal { .. } => self.reader.get_object(id, &mut HashSet::new()).ok()?,
                XrefEntry::Compressed { container, .. } => {
                    if !self.streams.contains_key(&container) {
                        let mut s = self
                            .reader
                            .get_object((container, 0), &mut HashSet::new())
                            .ok()?
                            .as_stream()
                            .ok()?
                            .clone();
                        let objects = ObjectStream::new(&mut s).ok()?.objects;
                        self.streams.insert(container, objects);
                    }
                    self.streams.get(&container)?.get(&id)?.clone()
                }
                _ => return None,
            };
            self.objects.insert(id, object.clone());
            Some(object)
        }

        /// A node of the page tree, its kids and the pages' indirect `/Annots`.
        fn tree(&mut self, id: ObjectId, depth: usize) -> Option<()> {
            if depth > 64 {
                return None;
            }
            let node = self.fetch(id)?;
            let node = node.as_dict().ok()?;
            if let Ok(annots) = node.get(b"Annots").and_then(Object::as_reference) {
                self.fetch(annots);
            }
            let kids = match node.get(b"Kids") {
                Ok(Object::Reference(r)) => self.fetch(*r)?,
                Ok(k) => k.clone(),
                Err(_) => return Some(()),
            };
            for kid in kids.as_array().ok()? {
                let kid = kid.as_reference().ok()?;
                if self.objects.contains_key(&kid) {
                    continue;
                }
                self.tree(kid, depth + 1)?;
            }
            Some(())
        }
    }
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

    #[test]
    fn text_strings_are_utf16_with_a_byte_order_mark() {
        let mut out = Vec::new();
        write_object(&mut out, &text_string("合计A"));
        assert_eq!(String::from_utf8_lossy(&out), "<FEFF54088BA10041>");
    }

    /// The objects read through the cross-reference sections are those of the whole-file reader, for
    /// a classic table, a cross-reference stream with object streams, and an update on top of each
    /// (a /Prev chain).
    #[test]
    fn the_structure_read_through_the_xref_is_the_whole_files() {
        for modern in [false, true] {
            let fx = crate::fixture::review_fixture(modern);
            let h = Highlight {
                page: 1,
                rect: [10.0, 10.0, 50.0, 20.0],
                mark: Mark::Fail,
                contents: "x".to_string(),
            };
            let entry = OutlineEntry {
                title: "t".to_string(),
                page: 1,
                top: None,
            };
            let updated = annotate(&fx.bytes, &[h], "f", &[entry])
                .expect("annotated")
                .bytes;
            for bytes in [&fx.bytes, &updated] {
                let lazy = lazy::load(bytes).expect("read through the xref");
                let full = lopdf::Document::load_mem(bytes).expect("read whole");
                assert_eq!(lazy.get_pages(), full.get_pages());
                assert_eq!(format!("{:?}", lazy.trailer), format!("{:?}", full.trailer));
                assert_eq!(lazy.max_id, full.max_id);
                assert!(lazy.objects.len() >= 3);
                assert!(lazy.objects.len() < full.objects.len());
                for (id, o) in &lazy.objects {
                    assert_eq!(
                        format!("{o:?}"),
                        format!("{:?}", full.objects[id]),
                        "{id:?}"
                    );
                }
            }
            // The update read the same way gives the same bytes as one read whole.
            assert!(updated.len() > fx.bytes.len());
        }
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
