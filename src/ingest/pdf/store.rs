//! The lazy object layer: the objects of a PDF parsed on demand, found through its cross-reference
//! sections.
//!
//! In: the bytes of a PDF. Out: a [`Store`] that gives the trailer and, for an object id, the object
//! (parsed on first request from the offset the cross-reference data names, or from its object stream,
//! then kept), and that tells afterwards whether any object it was asked for was broken
//! ([`Store::broken`]: listed but unreadable, or a stream whose `/Length` does not end at its
//! `endstream`), so that the caller can repair the file (`repair.rs`) as a whole-file reading would.
//! Only what the page tree reaches is parsed: images, unused fonts, metadata and other pages' objects
//! never are.
//!
//! What is ours and what is lopdf's: the cross-reference sections (`startxref` → classic table or
//! cross-reference stream → `/XRefStm` → `/Prev` chain) are read here, and each object is handed to
//! lopdf's object parser (`Reader::get_object`, on the bytes from the object's offset, so that its
//! position tracking counts only the object's own lines), whose value types (`Object`, `Dictionary`)
//! the whole reader uses; object streams are opened by lopdf (`ObjectStream`), and filters stay
//! lopdf's. Its parser is sound and fast per object; what lopdf does not offer is reading one object
//! without loading the whole file, which is what this layer adds. An encrypted file, or one whose
//! cross-reference data this layer cannot follow, is loaded whole by lopdf instead ([`Store::whole`]),
//! so decryption and lopdf's own reading stay exactly as they were.
//! Not here: repair (see `repair.rs`), decoding streams (see `objects.rs`), pages.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use lopdf::xref::{Xref, XrefEntry, XrefType};
use lopdf::{Dictionary, Document, Object, ObjectId, ObjectStream, Reader};

/// Most cross-reference sections followed through `/Prev`.
const MAX_SECTIONS: usize = 256;

/// The objects of one PDF, parsed lazily or loaded whole.
pub(crate) struct Store<'f> {
    pub trailer: Dictionary,
    kind: Kind<'f>,
}

enum Kind<'f> {
    Whole(Box<Document>),
    Lazy(Lazy<'f>),
}

struct Lazy<'f> {
    /// The file from its `%PDF-` on (offsets count from there).
    buffer: &'f [u8],
    entries: BTreeMap<u32, XrefEntry>,
    /// One cell per object number listed as in use.
    cells: HashMap<u32, OnceCell<Option<Object>>>,
    /// The objects of each object stream, by container number.
    containers: HashMap<u32, OnceCell<Option<BTreeMap<ObjectId, Object>>>>,
    /// Object numbers being parsed (a reference cycle through `/Length` ends here).
    busy: RefCell<HashSet<u32>>,
    broken: Cell<bool>,
}

impl<'f> Store<'f> {
    /// A store over an object set lopdf loaded whole.
    pub(crate) fn whole(doc: Document) -> Store<'f> {
        Store {
            trailer: doc.trailer.clone(),
            kind: Kind::Whole(Box::new(doc)),
        }
    }

    /// The lazy store of `bytes`: `None` when the cross-reference sections cannot be followed, or the
    /// file is encrypted (both are left to lopdf's whole-file reading).
    pub(crate) fn lazy(bytes: &'f [u8]) -> Option<Store<'f>> {
        let pdf_at = bytes.windows(5).position(|w| w == b"%PDF-")?;
        let buffer = &bytes[pdf_at..];
        let (entries, trailer) = sections(buffer)?;
        if trailer.get(b"Encrypt").is_ok() {
            return None;
        }
        let mut cells = HashMap::with_capacity(entries.len());
        let mut containers = HashMap::new();
        for (n, e) in &entries {
            match e {
                XrefEntry::Normal { .. } => {
                    cells.insert(*n, OnceCell::new());
                }
                XrefEntry::Compressed { container, .. } => {
                    cells.insert(*n, OnceCell::new());
                    containers.entry(*container).or_insert_with(OnceCell::new);
                }
                _ => {}
            }
        }
        Some(Store {
            trailer,
            kind: Kind::Lazy(Lazy {
                buffer,
                entries,
                cells,
                containers,
                busy: RefCell::new(HashSet::new()),
                broken: Cell::new(false),
            }),
        })
    }

    /// The object `id`, parsed on first request (`None` when it is not listed or cannot be read).
    pub(crate) fn get(&self, id: ObjectId) -> Option<&Object> {
        match &self.kind {
            Kind::Whole(doc) => doc.objects.get(&id),
            Kind::Lazy(lazy) => lazy.get(id),
        }
    }

    /// True when an object asked for was listed but unreadable, or lost its stream data to a wrong
    /// `/Length` (always false for a store loaded whole: lopdf's reading is judged as a whole).
    pub(crate) fn broken(&self) -> bool {
        match &self.kind {
            Kind::Whole(_) => false,
            Kind::Lazy(lazy) => lazy.broken.get(),
        }
    }

    /// The document lopdf loaded whole, if this store is one.
    pub(crate) fn as_whole(&self) -> Option<&Document> {
        match &self.kind {
            Kind::Whole(doc) => Some(&**doc),
            Kind::Lazy(_) => None,
        }
    }

    /// The highest object number the file lists as in use (the cross-reference entries of a lazy
    /// store; lopdf's `max_id` of one loaded whole): an incremental update numbers its new objects
    /// above it.
    pub(crate) fn max_id(&self) -> u32 {
        match &self.kind {
            Kind::Whole(doc) => doc.max_id,
            Kind::Lazy(lazy) => lazy.entries.keys().next_back().copied().unwrap_or(0),
        }
    }

    /// The object `id` when it is a dictionary (not a stream), parsed on first request.
    pub(crate) fn dict(&self, id: ObjectId) -> Option<&Dictionary> {
        self.get(id)?.as_dict().ok()
    }

    /// The catalog (`/Root` of the trailer) with its object id.
    pub(crate) fn catalog(&self) -> Option<(ObjectId, &Dictionary)> {
        let id = self
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .ok()?;
        Some((id, self.dict(id)?))
    }
}

impl Lazy<'_> {
    fn get(&self, id: ObjectId) -> Option<&Object> {
        let cell = self.cells.get(&id.0)?;
        let entry = self.entries.get(&id.0)?;
        let wanted = match *entry {
            XrefEntry::Normal { generation, .. } => generation,
            _ => 0,
        };
        if wanted != id.1 {
            return None;
        }
        if let Some(v) = cell.get() {
            return v.as_ref();
        }
        if !self.busy.borrow_mut().insert(id.0) {
            return None;
        }
        let value = match *entry {
            XrefEntry::Normal { offset, .. } => self.parse_at(id, offset as usize),
            XrefEntry::Compressed { container, .. } => self.in_container(id, container),
            _ => None,
        };
        if let Some(Object::Dictionary(d)) = &value {
            // A stream dictionary without its data: the parser found no `endstream` where `/Length`
            // said.
            if d.has(b"Length") {
                self.broken.set(true);
            }
        }
        self.busy.borrow_mut().remove(&id.0);
        cell.get_or_init(|| value).as_ref()
    }

    /// Parses the object at `offset`, reading from there on.
    fn parse_at(&self, id: ObjectId, offset: usize) -> Option<Object> {
        let Some(from) = self.buffer.get(offset..) else {
            self.broken.set(true);
            return None;
        };
        let mut xref = Xref::new(id.0.saturating_add(1), XrefType::CrossReferenceTable);
        xref.insert(
            id.0,
            XrefEntry::Normal {
                offset: 0,
                generation: id.1,
            },
        );
        let parsed = std::panic::catch_unwind(|| {
            reader(from, xref).get_object(id, &mut std::collections::HashSet::new())
        });
        let mut object = match parsed {
            Ok(Ok(o)) => o,
            _ => {
                self.broken.set(true);
                return None;
            }
        };
        if let Object::Stream(s) = &mut object {
            if s.content.is_empty() {
                if let Some(start) = s.start_position {
                    // The `/Length` is a reference the one-object parser could not follow: resolve
                    // it here and take the data, as the whole-file reader does.
                    match self.length_of(&s.dict) {
                        Some(len) => match stream_data(from, start, len) {
                            Some(data) => s.set_content(data.to_vec()),
                            None => {
                                self.broken.set(true);
                                return Some(Object::Dictionary(s.dict.clone()));
                            }
                        },
                        None => s.start_position = Some(start.saturating_add(offset)),
                    }
                }
            }
        }
        Some(object)
    }

    /// A stream's `/Length`, following a reference.
    fn length_of(&self, dict: &Dictionary) -> Option<usize> {
        let v = match dict.get(b"Length").ok()? {
            Object::Reference(r) => self.get(*r)?,
            o => o,
        };
        usize::try_from(v.as_i64().ok()?).ok()
    }

    /// Object `id` from the object stream `container` (opened once, all its objects kept).
    fn in_container(&self, id: ObjectId, container: u32) -> Option<Object> {
        let cell = self.containers.get(&container)?;
        if cell.get().is_none() {
            let objects = self.open_container(container);
            if objects.is_none() {
                self.broken.set(true);
            }
            let _ = cell.set(objects);
        }
        cell.get()?.as_ref()?.get(&id).cloned()
    }

    fn open_container(&self, container: u32) -> Option<BTreeMap<ObjectId, Object>> {
        let mut stream = self.get((container, 0))?.as_stream().ok()?.clone();
        std::panic::catch_unwind(move || ObjectStream::new(&mut stream).ok())
            .ok()
            .flatten()
            .map(|s| s.objects)
    }
}

/// `data` of a stream from `start` for `len` bytes, if an end of line (optional) and `endstream`
/// follow.
fn stream_data(buffer: &[u8], start: usize, len: usize) -> Option<&[u8]> {
    let end = start.checked_add(len)?;
    let data = buffer.get(start..end)?;
    let mut rest = buffer.get(end..)?;
    for eol in [&b"\r\n"[..], b"\n", b"\r"] {
        if let Some(r) = rest.strip_prefix(eol) {
            rest = r;
            break;
        }
    }
    rest.starts_with(b"endstream").then_some(data)
}

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
    while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == 0 || b[i] == b'\x0c') {
        i += 1;
    }
    i
}

fn number(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let i = skip_ws(b, i);
    let digits = b
        .get(i..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let n = std::str::from_utf8(&b[i..i + digits]).ok()?.parse().ok()?;
    Some((n, i + digits))
}

/// Where the last cross-reference section starts, found as the whole-file reader finds it: the last
/// `%%EOF` in the final 512 bytes, the last `startxref` from 25 bytes before it.
fn start_of_last_section(b: &[u8]) -> Option<usize> {
    let tail = b.len().saturating_sub(512);
    let eof = tail + b.get(tail..)?.windows(5).rposition(|w| w == b"%%EOF")?;
    if eof <= 25 {
        return None;
    }
    let from = eof - 25;
    let at = from + b.get(from..)?.windows(9).rposition(|w| w == b"startxref")?;
    let (offset, _) = number(b, at + 9)?;
    let offset = usize::try_from(offset).ok()?;
    (offset <= b.len()).then_some(offset)
}

/// One object at `offset` whose id is read from its `N G obj` header, parsed alone.
fn object_at(buffer: &[u8], offset: usize) -> Option<Object> {
    let (n, i) = number(buffer, offset)?;
    let (g, _) = number(buffer, i)?;
    let id = (u32::try_from(n).ok()?, u16::try_from(g).ok()?);
    let mut xref = Xref::new(id.0.saturating_add(1), XrefType::CrossReferenceTable);
    xref.insert(
        id.0,
        XrefEntry::Normal {
            offset: u32::try_from(offset).ok()?,
            generation: id.1,
        },
    );
    std::panic::catch_unwind(|| {
        reader(buffer, xref)
            .get_object(id, &mut std::collections::HashSet::new())
            .ok()
    })
    .ok()
    .flatten()
}

/// A classic section at `offset`: its in-use entries and its trailer dictionary.
fn classic(buffer: &[u8], offset: usize) -> Option<(BTreeMap<u32, XrefEntry>, Dictionary)> {
    let mut entries = BTreeMap::new();
    let mut i = skip_ws(buffer, offset) + 4;
    loop {
        let j = skip_ws(buffer, i);
        if buffer.get(j..)?.starts_with(b"trailer") {
            i = j + 7;
            break;
        }
        let (start, k) = number(buffer, j)?;
        let (count, mut k) = number(buffer, k)?;
        for n in start..start.checked_add(count)? {
            let (off, k1) = number(buffer, k)?;
            let (generation, k2) = number(buffer, k1)?;
            let t = skip_ws(buffer, k2);
            let kind = *buffer.get(t)?;
            k = t + 1;
            match kind {
                b'n' => {
                    if let (Ok(n), Ok(offset), Ok(generation)) = (
                        u32::try_from(n),
                        u32::try_from(off),
                        u16::try_from(generation),
                    ) {
                        entries.insert(n, XrefEntry::Normal { offset, generation });
                    }
                }
                b'f' => {}
                _ => return None,
            }
        }
        i = k;
    }
    // The trailer dictionary, read as the body of an object of its own.
    let at = skip_ws(buffer, i);
    let rest = buffer.get(at..)?;
    let end = rest
        .windows(9)
        .position(|w| w == b"startxref")
        .unwrap_or(rest.len())
        .min(1 << 16);
    let mut wrapped = b"1 0 obj\n".to_vec();
    wrapped.extend_from_slice(&rest[..end.min(rest.len())]);
    wrapped.extend_from_slice(b"\nendobj\n");
    let dict = object_at(&wrapped, 0)?.as_dict().ok()?.clone();
    Some((entries, dict))
}

/// A cross-reference stream at `offset`: its entries and its dictionary (without the stream's keys).
fn xref_stream(buffer: &[u8], offset: usize) -> Option<(BTreeMap<u32, XrefEntry>, Dictionary)> {
    let object = object_at(buffer, offset)?;
    let stream = object.as_stream().ok()?;
    let data = if stream.dict.get(b"Filter").is_ok() {
        std::panic::catch_unwind(|| stream.decompressed_content().ok())
            .ok()
            .flatten()?
    } else {
        stream.content.clone()
    };
    let ints = |key: &[u8]| -> Option<Vec<u64>> {
        stream
            .dict
            .get(key)
            .and_then(Object::as_array)
            .ok()?
            .iter()
            .map(|w| w.as_i64().ok().and_then(|w| u64::try_from(w).ok()))
            .collect()
    };
    let widths: Vec<usize> = ints(b"W")?
        .into_iter()
        .map(|w| usize::try_from(w).ok().filter(|&w| w <= 8))
        .collect::<Option<_>>()?;
    let [w0, w1, w2] = <[usize; 3]>::try_from(widths.get(..3)?).ok()?;
    let size = u64::try_from(stream.dict.get(b"Size").and_then(Object::as_i64).ok()?).ok()?;
    let index = ints(b"Index").unwrap_or_else(|| vec![0, size]);
    let field = |row: &[u8], from: usize, width: usize, default: u64| -> u64 {
        if width == 0 {
            return default;
        }
        row[from..from + width]
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    };
    let row_len = w0 + w1 + w2;
    let mut entries = BTreeMap::new();
    let mut rows = data.chunks_exact(row_len.max(1));
    for pair in index.chunks(2) {
        let [start, count] = pair else { return None };
        for n in *start..start.checked_add(*count)? {
            let row = rows.next()?;
            let a = field(row, w0, w1, 0);
            let b = field(row, w0 + w1, w2, 0);
            let Ok(n) = u32::try_from(n) else { continue };
            let entry = match field(row, 0, w0, 1) {
                1 => XrefEntry::Normal {
                    offset: u32::try_from(a).ok()?,
                    generation: u16::try_from(b).unwrap_or(0),
                },
                2 => XrefEntry::Compressed {
                    container: u32::try_from(a).ok()?,
                    index: u16::try_from(b).unwrap_or(0),
                },
                _ => continue,
            };
            entries.insert(n, entry);
        }
    }
    let mut dict = stream.dict.clone();
    for key in [&b"Length"[..], b"W", b"Index"] {
        dict.remove(key);
    }
    Some((entries, dict))
}

/// One section at `offset` (classic or stream) with its trailer.
fn section(buffer: &[u8], offset: usize) -> Option<(BTreeMap<u32, XrefEntry>, Dictionary)> {
    if buffer.get(skip_ws(buffer, offset)..)?.starts_with(b"xref") {
        classic(buffer, offset)
    } else {
        xref_stream(buffer, offset)
    }
}

/// Entries of an older section under those of newer ones.
fn merge(into: &mut BTreeMap<u32, XrefEntry>, from: BTreeMap<u32, XrefEntry>) {
    for (n, e) in from {
        into.entry(n).or_insert(e);
    }
}

fn offset_of(dict: &Dictionary, key: &[u8]) -> Option<usize> {
    usize::try_from(dict.get(key).ok()?.as_i64().ok()?).ok()
}

/// The entries of every section (newest first wins) and the newest trailer (without `/Prev` and
/// `/XRefStm`, as the whole-file reader keeps it).
fn sections(buffer: &[u8]) -> Option<(BTreeMap<u32, XrefEntry>, Dictionary)> {
    let start = start_of_last_section(buffer)?;
    let (mut entries, mut trailer) = section(buffer, start)?;
    let mut seen = HashSet::from_iter([start]);
    if let Some(at) = offset_of(&trailer, b"XRefStm") {
        if seen.insert(at) {
            merge(&mut entries, xref_stream(buffer, at)?.0);
        }
    }
    trailer.remove(b"XRefStm");
    let mut prev = offset_of(&trailer, b"Prev");
    trailer.remove(b"Prev");
    while let Some(at) = prev {
        if !seen.insert(at) || seen.len() > MAX_SECTIONS {
            break;
        }
        let (more, t) = section(buffer, at)?;
        merge(&mut entries, more);
        if let Some(s) = offset_of(&t, b"XRefStm") {
            if seen.insert(s) {
                merge(&mut entries, xref_stream(buffer, s)?.0);
            }
        }
        prev = offset_of(&t, b"Prev");
    }
    Some((entries, trailer))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of the given object bodies (numbered from 1) with a classic table whose offsets are
    /// right.
    fn file(bodies: &[&str], trailer: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in bodies.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let at = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(format!("trailer\n{trailer}\nstartxref\n{at}\n%%EOF\n").as_bytes());
        out
    }

    #[test]
    fn objects_are_parsed_when_asked_for_and_only_then() {
        let b = file(
            &[
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [] /Count 0 >>",
                // Broken (no value): never asked for, so never noticed.
                "<< /Broken",
                "<< /Length 5 0 R >>\nstream\nabcdef\nendstream",
                "6",
            ],
            "<< /Size 6 /Root 1 0 R >>",
        );
        let store = Store::lazy(&b).expect("the table is sound");
        assert_eq!(
            store
                .trailer
                .get(b"Root")
                .and_then(Object::as_reference)
                .ok(),
            Some((1, 0))
        );
        let Kind::Lazy(lazy) = &store.kind else {
            panic!("a plain file is read lazily");
        };
        assert!(lazy.cells.values().all(|c| c.get().is_none()));
        let pages = store.get((2, 0)).and_then(|o| o.as_dict().ok());
        assert!(pages.is_some_and(|d| d.has(b"Kids")));
        // Only object 2 was parsed.
        assert_eq!(lazy.cells.values().filter(|c| c.get().is_some()).count(), 1);
        // An indirect /Length is followed.
        let s = store.get((4, 0)).and_then(|o| o.as_stream().ok());
        assert_eq!(s.map(|s| s.content.as_slice()), Some(&b"abcdef"[..]));
        assert!(!store.broken());
        assert!(store.get((3, 0)).is_none());
        assert!(store.broken());
        // A wrong generation is not the object.
        assert!(store.get((2, 1)).is_none());
    }

    #[test]
    fn a_length_that_misses_endstream_marks_the_store_broken() {
        let b = file(
            &[
                "<< /Type /Catalog >>",
                "<< /Length 3 >>\nstream\nabcdef\nendstream",
            ],
            "<< /Size 3 /Root 1 0 R >>",
        );
        let store = Store::lazy(&b).expect("the table is sound");
        assert!(store.get((1, 0)).is_some());
        assert!(!store.broken());
        // lopdf keeps the dictionary alone; the store says the file needs repair.
        assert!(store.get((2, 0)).is_some_and(|o| o.as_dict().is_ok()));
        assert!(store.broken());
    }

    #[test]
    fn a_length_cycle_ends() {
        let b = file(
            &["<< /Length 1 0 R >>\nstream\nab\nendstream"],
            "<< /Size 2 /Root 1 0 R >>",
        );
        let store = Store::lazy(&b).expect("the table is sound");
        // The object's length is itself: it cannot be read, and nothing loops or panics.
        let _ = store.get((1, 0));
    }

    #[test]
    fn prev_sections_and_xref_streams_are_followed() {
        // An update appends object 2 anew and a cross-reference stream pointing at it, /Prev → the
        // first table.
        let mut b = file(
            &["<< /Type /Catalog /Pages 2 0 R >>", "<< /Old true >>"],
            "<< /Size 3 /Root 1 0 R >>",
        );
        let first_table = {
            let s = String::from_utf8_lossy(&b).into_owned();
            s.rfind("\nxref\n").map_or(0, |p| p + 1)
        };
        let new2 = b.len();
        b.extend_from_slice(b"2 0 obj\n<< /New true >>\nendobj\n");
        let xref_at = b.len();
        // Rows: type 1, offset 2 bytes, generation 1 byte; entries for 2 and 3 (the stream itself).
        let mut rows = vec![1u8];
        rows.extend_from_slice(&u16::try_from(new2).unwrap_or_default().to_be_bytes());
        rows.push(0);
        rows.push(1);
        rows.extend_from_slice(&u16::try_from(xref_at).unwrap_or_default().to_be_bytes());
        rows.push(0);
        b.extend_from_slice(
            format!(
                "3 0 obj\n<< /Type /XRef /Size 4 /Index [2 2] /W [1 2 1] /Root 1 0 R /Prev {first_table} /Length {} >>\nstream\n",
                rows.len()
            )
            .as_bytes(),
        );
        b.extend_from_slice(&rows);
        b.extend_from_slice(
            format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes(),
        );
        let store = Store::lazy(&b).expect("both sections are read");
        assert!(store.trailer.get(b"Prev").is_err());
        assert!(store.trailer.get(b"W").is_err());
        let two = store.get((2, 0)).and_then(|o| o.as_dict().ok());
        assert!(two.is_some_and(|d| d.has(b"New")));
        assert!(store.get((1, 0)).is_some());
    }

    #[test]
    fn unreadable_tables_and_encrypted_files_are_left_to_the_whole_reading() {
        let mut b = file(&["<< /Type /Catalog >>"], "<< /Size 2 /Root 1 0 R >>");
        assert!(Store::lazy(&b).is_some());
        let enc = file(
            &["<< /Type /Catalog >>"],
            "<< /Size 2 /Root 1 0 R /Encrypt 1 0 R >>",
        );
        assert!(Store::lazy(&enc).is_none());
        // startxref pointing past the end of the file.
        let text = String::from_utf8_lossy(&b).into_owned();
        let at = text.rfind("startxref\n").unwrap_or_default() + 10;
        let digits = text[at..].find('\n').unwrap_or_default();
        b.splice(at..at + digits, b"99999".iter().copied());
        assert!(Store::lazy(&b).is_none());
    }
}
