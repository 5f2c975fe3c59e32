//! PDF ingestion: bytes → [`Document`] with positioned lines, segments and ruling edges.
//!
//! In: the bytes of a PDF and the [`Limits`]. Out: a [`Document`] (format `Pdf`), one [`Page`] per leaf
//! of the page tree, or an [`IngestError`]: `not_pdf`, `truncated` (cut short or damaged beyond
//! repair: no page could be read), `encrypted` (not openable with the empty password), `empty` (the
//! page tree has no page), `too_large` (the file is over `max_file_size`, or a stream decodes past
//! `max_stream_bytes`), `no_text_layer` (no page has any text), `timeout` (cancelled).
//!
//! The object layer is lazy and ours where it must be (`store.rs`): the cross-reference sections are
//! read here and each object is parsed on first request, reached from the page tree, so images,
//! unused fonts and other objects no page needs are never parsed. lopdf stays for what it does well:
//! its object parser (handed one object at a time), its value types, object streams, filters other
//! than Flate, and the whole-file reading with empty-password decryption of RC4 and AES for encrypted
//! files and for files whose cross-reference data cannot be followed. Where lopdf does not do well,
//! our own repair layer (`repair.rs`) works under it: a wrong offset, a trailer without `/Root` or a
//! `/Length` off by three bytes loses an object (a page's content, the catalog), and lopdf has no
//! repair; so when the first reading finds no page, or an object the pages need is broken, the file
//! is rebuilt (objects found by scanning for `N G obj`, lengths from `endstream`, a new table and
//! trailer) and lopdf loads that whole (warning `xref_repaired`). A file cut short is read as far as
//! it goes (warning `truncated`, status `partial`). The `/Length` that lopdf refuses in a 40-bit RC4
//! (V 1) handler is blanked in place. The page tree (with inherited /Resources, /MediaBox, /CropBox,
//! /Rotate) is walked here, and content streams, fonts and layout are ours (`content.rs`, `font.rs`,
//! `cmap.rs`, `encoding.rs`, `layout.rs`, `geometry.rs`, stream decoding in `objects.rs`). Pages are
//! interpreted first, then laid out, so that a private-use decimal mark learnt on one page is known
//! on all. A [`Cancel`] flag is checked before each page and stream and every few thousand operators.
//! Not here: sections, tables, facts.
//! Known limits: an encrypted file, a repaired one, and one whose cross-reference data the lazy layer
//! cannot follow are still parsed whole by lopdf (images included); a broken object no page reaches
//! no longer triggers a repair (nothing of it is read); objects that sit in an object stream but
//! that no cross-reference section lists are not found by the lazy reading; annotations and form
//! fields are not read; optional content (layers) is read as visible; arrays nested deeper than 256
//! are refused before lopdf parses them, but only outside streams (object streams are parsed by
//! lopdf without that guard); an encrypted file whose cross-reference table is broken loses the
//! objects inside its object streams.

mod cmap;
mod content;
mod encoding;
mod font;
mod geometry;
mod layout;
mod objects;
mod repair;
pub(crate) mod store;

use foldhash::{HashSet, HashSetExt};

use lopdf::{Dictionary, Object, ObjectId};

use crate::document::{Document, Format, Page, PageGeometry, TextQuality, Warning, WarningCode};
use crate::error::IngestError;
use crate::ingest::{Cancel, Limits};

use content::{FontCache, Interpreter};
use geometry::PageFrame;
use objects::{Objects, StreamError};
use store::Store;

/// Deepest page tree walked.
const MAX_TREE_DEPTH: usize = 64;
/// Most pages read.
const MAX_PAGES: usize = 100_000;

/// Page attributes that children inherit from their parents in the page tree.
#[derive(Clone, Copy, Default)]
struct Inherited<'a> {
    resources: Option<&'a Dictionary>,
    media_box: Option<[f32; 4]>,
    crop_box: Option<[f32; 4]>,
    rotate: Option<i64>,
}

struct PageRef<'a> {
    dict: &'a Dictionary,
    attrs: Inherited<'a>,
}

/// Reads a PDF.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Document, IngestError> {
    read_with(bytes, limits, &Cancel::never())
}

/// [`read`], stopping with [`IngestError::Cancelled`] at the next page or stream once `cancel` fires.
///
/// The file is read as it is first, lazily ([`Store::lazy`]), or whole by lopdf when its
/// cross-reference data cannot be followed that way. When that reading finds no catalog or no page,
/// or an object the pages need is broken, or the file is cut short, the file is rebuilt from the
/// objects found by scanning (`repair.rs`), loaded again, and the better of the two readings is
/// kept (warning `xref_repaired`).
pub fn read_with(bytes: &[u8], limits: &Limits, cancel: &Cancel) -> Result<Document, IngestError> {
    refuse_early(bytes, limits)?;
    let patched = repair::patch_rc4_40(bytes);
    let bytes = patched.as_deref().unwrap_or(bytes);
    let mut warnings = Vec::new();
    let truncated = repair::truncated(bytes);
    if let Some(m) = &truncated {
        warnings.push(Warning::new(WarningCode::Truncated, m.clone(), None));
    }
    let first = open(bytes);
    let mut first_reading = None;
    let mut first_pages = 0;
    match &first {
        Ok(store) => {
            let obj = objects_of(store, limits, cancel);
            let pages = page_refs(&obj);
            first_pages = pages.as_ref().map_or(0, Vec::len);
            let sound = first_pages > 0 && !store.broken() && store.as_whole().is_none_or(sound);
            if sound && truncated.is_none() {
                let reading = read_pages(&obj, pages, warnings.clone());
                // A lazy reading learns only now whether the objects the pages need were whole.
                if !store.broken() || matches!(reading, Err(IngestError::Cancelled)) {
                    return reading;
                }
                first_reading = Some(reading);
            }
        }
        // A file we cannot decrypt is not damaged: repairing it changes nothing.
        Err(IngestError::Encrypted) => return Err(IngestError::Encrypted),
        Err(_) => {}
    }
    let repaired = read_rebuilt(
        bytes,
        first.is_err(),
        first_pages,
        limits,
        cancel,
        &warnings,
    );
    match (repaired, first, first_reading) {
        (Some(reading), _, _) => reading,
        (None, _, Some(reading)) => reading,
        (None, Ok(store), None) => {
            let obj = objects_of(&store, limits, cancel);
            let pages = page_refs(&obj);
            read_pages(&obj, pages, warnings)
        }
        (None, Err(e), None) => Err(e),
    }
}

/// Refuses a file over the size limit, one without a PDF signature, and one whose objects nest too
/// deeply for the object parser.
fn refuse_early(bytes: &[u8], limits: &Limits) -> Result<(), IngestError> {
    if bytes.len() as u64 > limits.max_file_size {
        return Err(IngestError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_size,
        });
    }
    if !crate::ingest::looks_like_pdf(bytes) {
        return Err(IngestError::NotPdf(
            "no %PDF- signature in the first 1024 bytes".to_string(),
        ));
    }
    if objects::nesting_too_deep(bytes) {
        return Err(IngestError::Truncated(
            "arrays or dictionaries nest too deeply".to_string(),
        ));
    }
    Ok(())
}

/// The reading of the file rebuilt from the objects found by scanning, when it has a page tree at
/// least as large as the first reading's (any, when the first reading failed); `None` otherwise.
fn read_rebuilt(
    bytes: &[u8],
    first_failed: bool,
    first_pages: usize,
    limits: &Limits,
    cancel: &Cancel,
    warnings: &[Warning],
) -> Option<Result<Document, IngestError>> {
    let rebuilt = std::panic::catch_unwind(|| repair::rebuild(bytes))
        .ok()
        .flatten()?;
    // A rebuilt file is loaded whole: its table lists the object streams, not the objects in them,
    // which lopdf's whole reading expands.
    let store = Store::whole(load_as_is(&rebuilt.bytes).ok()?);
    let obj = objects_of(&store, limits, cancel);
    let pages = page_refs(&obj);
    let count = pages.as_ref().map_or(0, Vec::len);
    if !first_failed && (count == 0 || count < first_pages) {
        return None;
    }
    let mut notes = vec!["cross-reference table rebuilt by scanning for objects".to_string()];
    notes.extend(rebuilt.notes);
    let mut warnings = warnings.to_vec();
    warnings.push(Warning::new(
        WarningCode::XrefRepaired,
        notes.join("; "),
        None,
    ));
    Some(read_pages(&obj, pages, warnings))
}

fn objects_of<'a>(store: &'a Store<'a>, limits: &Limits, cancel: &'a Cancel) -> Objects<'a> {
    Objects {
        doc: store,
        max_stream_bytes: limits.max_stream_bytes,
        cancel,
    }
}

/// The object layer of the file as it is: lazy when its cross-reference sections can be followed and
/// it is not encrypted, else loaded whole by lopdf.
fn open(bytes: &[u8]) -> Result<Store<'_>, IngestError> {
    match Store::lazy(bytes) {
        Some(store) => Ok(store),
        None => load_as_is(bytes).map(Store::whole),
    }
}

/// Reads the pages of the page tree (`pages`, with the warnings of loading) into a document.
fn read_pages(
    obj: &Objects<'_>,
    pages: Result<Vec<PageRef<'_>>, IngestError>,
    warnings: Vec<Warning>,
) -> Result<Document, IngestError> {
    let pages = pages.map_err(|e| damaged(e, &warnings))?;
    if pages.is_empty() {
        if obj.doc.trailer.get(b"Encrypt").is_ok() {
            return Err(IngestError::Encrypted);
        }
        return Err(damaged(
            IngestError::NoPages("the page tree has no pages".to_string()),
            &warnings,
        ));
    }
    let mut document = Document {
        format: Format::Pdf,
        pages: Vec::with_capacity(pages.len()),
        text_quality: TextQuality::default(),
        warnings,
    };
    let mut fonts = FontCache::default();
    let mut drawn = Vec::with_capacity(pages.len());
    let mut marks = HashSet::new();
    for (i, page) in pages.iter().enumerate() {
        obj.cancel.check()?;
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let d = read_page(obj, page, number, &mut fonts, &mut document)?;
        layout::collect_decimal_marks(&d.lines, &mut marks);
        drawn.push(d);
    }
    let mut any_text = false;
    for d in drawn {
        obj.cancel.check()?;
        let p = finish_page(d, &marks, &mut document);
        any_text |= !p.lines.is_empty();
        document.pages.push(p);
    }
    if !any_text {
        return Err(damaged(IngestError::NoTextLayer, &document.warnings));
    }
    document.recount_text_quality();
    Ok(document)
}

/// Lays out one interpreted page (segments, printed number), counting the private-use glyphs left
/// out.
fn finish_page(d: DrawnPage, marks: &HashSet<char>, document: &mut Document) -> Page {
    let laid = layout::finish_page(d.lines, &d.page.rules, d.page.height, marks);
    document.text_quality.unmapped_glyphs += laid.unmapped;
    if laid.unmapped > 0 {
        document.warnings.push(Warning::new(
            WarningCode::PrivateUseDropped,
            format!(
                "{} private-use glyphs with no standard meaning left out of the text",
                laid.unmapped
            ),
            Some(d.page.number),
        ));
    }
    let mut p = d.page;
    p.printed_number = laid.printed_number;
    p.lines = laid.lines;
    p
}

/// lopdf's reading of the whole file as it is.
fn load_as_is(bytes: &[u8]) -> Result<lopdf::Document, IngestError> {
    let loaded = std::panic::catch_unwind(|| lopdf::Document::load_mem(bytes))
        .map_err(|_| IngestError::Truncated("the object layer failed on this file".to_string()))?;
    let doc = loaded.map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::UnsupportedSecurityHandler(_) => {
            IngestError::Encrypted
        }
        other => IngestError::Truncated(other.to_string()),
    })?;
    if doc.trailer.get(b"Encrypt").is_ok() && doc.encryption_state.is_none() {
        return Err(IngestError::Encrypted);
    }
    Ok(doc)
}

/// True when lopdf's whole reading holds every object its cross-reference table lists and no stream
/// lost its data (the page tree is judged by the caller).
fn sound(doc: &lopdf::Document) -> bool {
    let all_there = doc.reference_table.entries.iter().all(|(n, e)| match e {
        lopdf::xref::XrefEntry::Normal { generation, .. } => {
            doc.objects.contains_key(&(*n, *generation))
        }
        _ => true,
    });
    // A stream whose /Length does not end at its `endstream` is kept by lopdf as its dictionary
    // alone (the data lost): a dictionary with a /Length that is not the security handler's.
    let encrypt = doc
        .trailer
        .get(b"Encrypt")
        .ok()
        .and_then(|o| o.as_reference().ok());
    let streams_whole = doc.objects.iter().all(|(id, o)| match o {
        Object::Dictionary(d) => Some(*id) == encrypt || d.get(b"Length").is_err(),
        _ => true,
    });
    all_there && streams_whole
}

/// A file without a usable page tree or without any text: `truncated` when it was cut short (what
/// was missing held it), else the error itself (`empty`, `no_text_layer`).
fn damaged(e: IngestError, warnings: &[Warning]) -> IngestError {
    match warnings.iter().find(|w| w.code == WarningCode::Truncated) {
        Some(w) => IngestError::Truncated(format!("{}; no page could be read", w.message)),
        None => e,
    }
}

fn rect_of(obj: &Objects<'_>, o: Option<&Object>) -> Option<[f32; 4]> {
    let arr = match obj.resolve(o?)? {
        Object::Array(a) => a,
        _ => return None,
    };
    let v = obj.numbers(arr);
    let [a, b, c, d] = <[f32; 4]>::try_from(v.as_slice()).ok()?;
    let r = [a.min(c), b.min(d), a.max(c), b.max(d)];
    (r.iter().all(|v| v.is_finite()) && r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0).then_some(r)
}

/// The leaves of the page tree in order, with inherited attributes.
fn page_refs<'a>(obj: &Objects<'a>) -> Result<Vec<PageRef<'a>>, IngestError> {
    let root = obj
        .doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|o| obj.resolve(o))
        .and_then(|o| o.as_dict().ok())
        .ok_or_else(|| {
            IngestError::Truncated("no document catalog, even after repair".to_string())
        })?;
    let Some(pages_obj) = root.get(b"Pages").ok() else {
        return Err(IngestError::Truncated(
            "the catalog has no /Pages, even after repair".to_string(),
        ));
    };
    let mut out = Vec::new();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    walk(
        obj,
        pages_obj,
        Inherited::default(),
        0,
        &mut visited,
        &mut out,
    );
    Ok(out)
}

fn walk<'a>(
    obj: &Objects<'a>,
    node: &'a Object,
    inherited: Inherited<'a>,
    depth: usize,
    visited: &mut HashSet<ObjectId>,
    out: &mut Vec<PageRef<'a>>,
) {
    if depth > MAX_TREE_DEPTH || out.len() >= MAX_PAGES {
        return;
    }
    if let Object::Reference(id) = node {
        if !visited.insert(*id) {
            return;
        }
    }
    let Some(dict) = obj.resolve(node).and_then(|o| o.as_dict().ok()) else {
        return;
    };
    let attrs = Inherited {
        resources: obj.dict(dict, b"Resources").or(inherited.resources),
        media_box: rect_of(obj, dict.get(b"MediaBox").ok()).or(inherited.media_box),
        crop_box: rect_of(obj, dict.get(b"CropBox").ok()).or(inherited.crop_box),
        rotate: obj
            .get(dict, b"Rotate")
            .and_then(|o| o.as_i64().ok())
            .or(inherited.rotate),
    };
    let kids = obj.array(dict, b"Kids");
    let is_pages = matches!(obj.name(dict, b"Type"), Some(b"Pages"));
    match kids {
        Some(kids) if is_pages || obj.name(dict, b"Type") != Some(b"Page") => {
            for kid in kids {
                walk(obj, kid, attrs, depth + 1, visited, out);
            }
        }
        _ => out.push(PageRef { dict, attrs }),
    }
}

/// A page interpreted, its glyphs grouped into lines but not yet into segments.
struct DrawnPage {
    page: Page,
    lines: Vec<layout::RawLine>,
}

/// Interprets one page and groups its glyphs into lines.
fn read_page(
    obj: &Objects<'_>,
    page: &PageRef<'_>,
    number: u32,
    fonts: &mut FontCache,
    document: &mut Document,
) -> Result<DrawnPage, IngestError> {
    let (frame, geometry) = page_frame(&page.attrs);
    let data = page_content(obj, page, number, document)?;
    let mut interp = Interpreter::new(*obj, fonts, frame.to_display);
    interp.run(&data, page.attrs.resources)?;
    let content = interp.out;
    let (w, h) = (frame.width, frame.height);
    let glyphs: Vec<_> = content
        .glyphs
        .into_iter()
        .filter(|g| g.on_page(w, h))
        .collect();
    let had_glyphs = !glyphs.is_empty();
    let mut rules = content.path.rules;
    let boxes: Vec<[f32; 4]> = glyphs.iter().map(|g| [g.x0, g.y0, g.x1, g.y1]).collect();
    geometry::drop_glyph_outlines(&mut rules, &boxes);
    geometry::join_rules(&mut rules);
    let (lines, fake_bold_removed) = layout::page_lines(glyphs);
    let q = &mut document.text_quality;
    q.unmapped_glyphs += content.unmapped;
    q.invisible_glyphs += content.invisible;
    q.fake_bold_removed += fake_bold_removed;
    page_warnings(
        number,
        content.bad_tokens,
        content.unmapped,
        content.warnings,
        document,
    );
    Ok(DrawnPage {
        page: Page {
            number,
            printed_number: None,
            width: w,
            height: h,
            lines: Vec::new(),
            rules,
            has_text_layer: had_glyphs || !content.path.ink,
            geometry: Some(geometry),
        },
        lines,
    })
}

/// The frame (crop box within the media box, rotation) of a page and its boxes as reported.
fn page_frame(attrs: &Inherited<'_>) -> (PageFrame, PageGeometry) {
    let media = attrs.media_box.unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let crop = attrs
        .crop_box
        .map(|c| {
            [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ]
        })
        .filter(|c| c[2] - c[0] > 1.0 && c[3] - c[1] > 1.0)
        .unwrap_or(media);
    let rotate = attrs.rotate.unwrap_or(0);
    let geometry = PageGeometry {
        media_box: media,
        crop_box: crop,
        // PageFrame reads any other angle as 0.
        rotate: match rotate.rem_euclid(360) {
            r @ (90 | 180 | 270) => r as u16,
            _ => 0,
        },
    };
    (PageFrame::new(crop, rotate), geometry)
}

/// The page's content streams decoded and joined into one (a separator between them), under the
/// stream limit; a stream that cannot be decoded is skipped with a warning.
fn page_content(
    obj: &Objects<'_>,
    page: &PageRef<'_>,
    number: u32,
    document: &mut Document,
) -> Result<Vec<u8>, IngestError> {
    let contents: Vec<&Object> = match page.dict.get(b"Contents").ok().and_then(|o| obj.resolve(o))
    {
        Some(Object::Array(a)) => a.iter().collect(),
        Some(o) => vec![o],
        None => Vec::new(),
    };
    let mut data = Vec::new();
    for c in contents {
        match obj.stream_of(c) {
            Some(Ok(bytes)) => {
                if (data.len() + bytes.len()) as u64 > obj.max_stream_bytes {
                    return Err(IngestError::StreamTooLarge {
                        limit: obj.max_stream_bytes,
                    });
                }
                if data.is_empty() {
                    data = bytes;
                } else {
                    data.extend_from_slice(&bytes);
                }
                data.push(b'\n');
            }
            Some(Err(StreamError::TooLarge(limit))) => {
                return Err(IngestError::StreamTooLarge { limit })
            }
            Some(Err(StreamError::Cancelled)) => return Err(IngestError::Cancelled),
            Some(Err(StreamError::Broken(m))) => {
                document
                    .warnings
                    .push(Warning::new(WarningCode::StreamDecode, m, Some(number)));
            }
            None => {}
        }
    }
    Ok(data)
}

/// The warnings of one interpreted page: unreadable tokens, unmapped glyphs, and the interpreter's
/// own (each distinct one once, at most 50).
fn page_warnings(
    number: u32,
    bad_tokens: u64,
    unmapped: u64,
    warnings: Vec<(WarningCode, String)>,
    document: &mut Document,
) {
    if bad_tokens > 0 {
        document.warnings.push(Warning::new(
            WarningCode::BadToken,
            format!("{bad_tokens} unreadable tokens skipped in the content stream"),
            Some(number),
        ));
    }
    if unmapped > 0 {
        document.warnings.push(Warning::new(
            WarningCode::UnmappedGlyphs,
            format!("{unmapped} glyphs could not be mapped to Unicode"),
            Some(number),
        ));
    }
    let mut seen_codes: HashSet<(WarningCode, String)> = HashSet::new();
    for (code, message) in warnings {
        if seen_codes.len() < 50 && seen_codes.insert((code, message.clone())) {
            document
                .warnings
                .push(Warning::new(code, message, Some(number)));
        }
    }
}

#[cfg(test)]
mod tests;
