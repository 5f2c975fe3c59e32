//! Our own repair layer under lopdf: finds the objects of a damaged file by scanning its bytes and
//! writes a sound file of them for lopdf to load.
//!
//! In: the bytes of a PDF. Out: [`rebuild`] → a new file (every object found by scanning for
//! `N G obj`, each stream's `/Length` set from where its `endstream` really is, a fresh classic
//! cross-reference table, a trailer whose `/Root` is the catalog found by scanning when the old one is
//! missing or wrong) with notes of what was repaired; [`truncated`] → what a file cut short lost;
//! [`patch_rc4_40`] → the file with the `/Length` of a 40-bit RC4 (V 1) security handler blanked in
//! place.
//!
//! Why our own layer: lopdf trusts the cross-reference table and each stream's `/Length` (a wrong
//! offset or a length that is off by a few bytes loses the object, and with it a page or the whole
//! catalog) and has no repair of its own; its object parser is not public, so the repair works on
//! bytes and hands lopdf a file it can read. Object streams are kept as objects (lopdf expands
//! them). lopdf refuses a `/Length` in a V 1 encryption dictionary, which PDF writers put there
//! (40 bits); blanking it in place keeps every offset.
//!
//! Not here: parsing object values (lopdf does), decryption, anything about pages or text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::objects::literal_string_end;

/// Highest object number a rebuilt table holds (a corrupt header must not make a huge table).
const MAX_OBJECT_NUMBER: u32 = 8_000_000;

/// One object found by scanning.
struct Found<'a> {
    number: u32,
    generation: u16,
    /// The object's value up to `stream` or `endobj` (a stream's dictionary).
    body: &'a [u8],
    /// A stream's data, from after the `stream` line end to before `endstream`.
    data: Option<&'a [u8]>,
    /// The stream had a `/Length` that did not end at its `endstream`.
    length_wrong: bool,
    /// The file ended inside this object.
    cut: bool,
}

/// A file rebuilt from the objects found in it.
pub(crate) struct Rebuilt {
    pub bytes: Vec<u8>,
    /// What was repaired, for a warning.
    pub notes: Vec<String>,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Where `needle` first occurs in `hay` at or after `from`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

/// Where `needle` last occurs in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

/// The `N G` of an object header whose `obj` keyword starts at `kw`, and where the header starts.
fn header_before(b: &[u8], kw: usize) -> Option<(u32, u16, usize)> {
    if b.get(kw + 3).is_some_and(|&c| !is_ws(c) && !is_delim(c)) {
        return None;
    }
    let mut i = kw;
    let skip_ws = |i: &mut usize| -> bool {
        let start = *i;
        while *i > 0 && is_ws(b[*i - 1]) {
            *i -= 1;
        }
        *i < start
    };
    let digits = |i: &mut usize| -> Option<u64> {
        let end = *i;
        while *i > 0 && b[*i - 1].is_ascii_digit() && end - *i < 10 {
            *i -= 1;
        }
        if *i == end {
            return None;
        }
        std::str::from_utf8(&b[*i..end]).ok()?.parse().ok()
    };
    if !skip_ws(&mut i) {
        return None;
    }
    let generation = digits(&mut i)?;
    if !skip_ws(&mut i) {
        return None;
    }
    let number = digits(&mut i)?;
    if i > 0 && !is_ws(b[i - 1]) && !is_delim(b[i - 1]) {
        return None;
    }
    Some((
        u32::try_from(number).ok()?,
        u16::try_from(generation).ok()?,
        i,
    ))
}

/// The direct integer value of `/Length` at the top level of a stream dictionary.
fn direct_length(body: &[u8]) -> Option<usize> {
    let (start, end) = length_span(body)?;
    let value = std::str::from_utf8(&body[start..end]).ok()?.trim();
    if value.ends_with('R') {
        return None;
    }
    value.parse().ok()
}

/// The byte span of the value of the top-level `/Length` key of a dictionary (an integer, or an
/// `N G R` reference).
fn length_span(body: &[u8]) -> Option<(usize, usize)> {
    let mut depth = 0i32;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'(' => {
                i = literal_string_end(body, i);
                continue;
            }
            b'<' if body.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'>' if body.get(i + 1) == Some(&b'>') => {
                depth -= 1;
                i += 2;
                continue;
            }
            b'/' if depth == 1
                && body.get(i + 1..i + 7) == Some(b"Length".as_slice())
                && body.get(i + 7).is_none_or(|&c| is_ws(c) || is_delim(c)) =>
            {
                let mut j = i + 7;
                while j < body.len() && is_ws(body[j]) {
                    j += 1;
                }
                let start = j;
                while j < body.len() && body[j].is_ascii_digit() {
                    j += 1;
                }
                if j == start {
                    return None;
                }
                // `N G R`: the reference as a whole.
                let mut k = j;
                while k < body.len() && is_ws(body[k]) {
                    k += 1;
                }
                if k > j && looks_like_reference(body, k) {
                    while body[k] != b'R' {
                        k += 1;
                    }
                    return Some((start, k + 1));
                }
                return Some((start, j));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// True when `G R` follows at `k` (the rest of an `N G R` reference).
fn looks_like_reference(body: &[u8], k: usize) -> bool {
    let mut j = k;
    while j < body.len() && body[j].is_ascii_digit() {
        j += 1;
    }
    if j == k {
        return false;
    }
    while j < body.len() && is_ws(body[j]) {
        j += 1;
    }
    body.get(j) == Some(&b'R')
}

/// The byte after a stream's `stream` keyword line end.
fn data_start(b: &[u8], kw_end: usize) -> usize {
    match (b.get(kw_end), b.get(kw_end + 1)) {
        (Some(b'\r'), Some(b'\n')) => kw_end + 2,
        (Some(b'\n' | b'\r'), _) => kw_end + 1,
        _ => kw_end,
    }
}

/// Scans the file for objects. Stream data is skipped (by its `/Length` when that ends at an
/// `endstream`, else up to the next `endstream`), so headers inside streams are not taken.
fn scan(b: &[u8]) -> Vec<Found<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(kw) = find(b, i, b"obj") {
        i = kw + 3;
        let Some((number, generation, _)) = header_before(b, kw) else {
            continue;
        };
        let body_start = kw + 3;
        let (j, end_kind) = body_end(b, body_start);
        let body = &b[body_start..j.min(b.len())];
        let mut found = Found {
            number,
            generation,
            body,
            data: None,
            length_wrong: false,
            cut: false,
        };
        match end_kind {
            Some(BodyEnd::Stream) => {
                let (data, after, length_wrong, cut) = stream_extent(b, j, body);
                found.data = Some(data);
                found.length_wrong = length_wrong && !cut && direct_length(body).is_some();
                found.cut = cut;
                out.push(found);
                i = after;
            }
            Some(BodyEnd::EndObj) => {
                out.push(found);
                i = j + 6;
            }
            None => {
                // The file ends (or the next object starts) before `endobj`.
                found.cut = j >= b.len();
                if !found.cut || !body.iter().all(|&c| is_ws(c)) {
                    out.push(found);
                }
                i = j;
            }
        }
    }
    out
}

/// How an object's value ends.
enum BodyEnd {
    Stream,
    EndObj,
}

/// Where an object's value that starts at `from` ends: at `stream`, at `endobj`, or (`None`) at the
/// next object header or the end of the file; strings and comments are skipped.
fn body_end(b: &[u8], from: usize) -> (usize, Option<BodyEnd>) {
    let mut j = from;
    while j < b.len() {
        match b[j] {
            b'(' => {
                j = literal_string_end(b, j);
                continue;
            }
            b'%' => {
                while j < b.len() && b[j] != b'\n' && b[j] != b'\r' {
                    j += 1;
                }
                continue;
            }
            b's' if b[j..].starts_with(b"stream")
                && (j == 0 || is_ws(b[j - 1]) || b[j - 1] == b'>') =>
            {
                return (j, Some(BodyEnd::Stream));
            }
            b'e' if b[j..].starts_with(b"endobj") => return (j, Some(BodyEnd::EndObj)),
            b'o' if b[j..].starts_with(b"obj") && header_before(b, j).is_some() => {
                return (j, None)
            }
            _ => {}
        }
        j += 1;
    }
    (j, None)
}

/// The data of a stream whose `stream` keyword is at `kw`: (data, where scanning goes on, the
/// `/Length` did not end at an `endstream`, the file ended inside the data).
fn stream_extent<'a>(b: &'a [u8], kw: usize, body: &[u8]) -> (&'a [u8], usize, bool, bool) {
    let ds = data_start(b, kw + 6);
    let by_length = direct_length(body).and_then(|n| {
        let end = ds.checked_add(n)?;
        let mut k = end;
        while k < b.len() && is_ws(b[k]) && k < end + 4 {
            k += 1;
        }
        b.get(k..)?.starts_with(b"endstream").then_some((end, k))
    });
    match by_length {
        Some((end, k)) => (&b[ds..end], k + 9, false, false),
        None => match find(b, ds, b"endstream") {
            Some(e) => {
                let mut end = e;
                if end > ds && b[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > ds && b[end - 1] == b'\r' {
                    end -= 1;
                }
                (&b[ds..end], e + 9, true, false)
            }
            None => (&b[ds.min(b.len())..], b.len(), true, true),
        },
    }
}

/// True when `body` holds the name token `/name` (not a longer name starting with it).
fn has_name(body: &[u8], name: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = find(body, from, name) {
        let after = body.get(p + name.len());
        if p > 0 && body[p - 1] == b'/' && after.is_none_or(|&c| is_ws(c) || is_delim(c)) {
            return true;
        }
        from = p + 1;
    }
    false
}

/// The `N G R` reference after `/key` in a trailer dictionary's text.
fn reference_after(text: &[u8], key: &[u8]) -> Option<(u32, u16)> {
    let mut from = 0;
    while let Some(p) = find(text, from, key) {
        from = p + 1;
        if p == 0 || text[p - 1] != b'/' {
            continue;
        }
        let rest = text.get(p + key.len()..)?;
        let s = String::from_utf8_lossy(&rest[..rest.len().min(40)]).into_owned();
        let mut it = s.split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>');
        let words: Vec<&str> = it.by_ref().filter(|w| !w.is_empty()).take(3).collect();
        if let [n, g, r] = words.as_slice() {
            if r.starts_with('R') {
                if let (Ok(n), Ok(g)) = (n.parse(), g.parse()) {
                    return Some((n, g));
                }
            }
        }
    }
    None
}

/// The raw `[ ... ]` after `/ID` in a trailer dictionary's text.
fn id_array(text: &[u8]) -> Option<&[u8]> {
    let p = find(text, 0, b"/ID")?;
    let open = find(text, p, b"[")?;
    let close = find(text, open, b"]")?;
    text.get(open..=close)
}

/// The trailer dictionaries of the file (classic `trailer` and cross-reference streams), last first.
fn trailers<'a>(b: &'a [u8], found: &[Found<'a>]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = find(b, from, b"trailer") {
        let end = find(b, p, b"startxref").unwrap_or(b.len()).min(p + 4096);
        out.push(&b[p..end]);
        from = p + 7;
    }
    for f in found {
        if f.data.is_some() && has_name(f.body, b"XRef") {
            out.push(f.body);
        }
    }
    out.reverse();
    out
}

/// What a file cut short lost: `Some(message)` when no `%%EOF` follows its last object.
pub(crate) fn truncated(b: &[u8]) -> Option<String> {
    let tail_from = rfind(b, b"%%EOF").map_or(0, |p| p + 5);
    let tail = &b[tail_from.min(b.len())..];
    let lost_objects = find(tail, 0, b"obj").is_some() || find(tail, 0, b"stream").is_some();
    if tail_from > 0 && !lost_objects {
        return None;
    }
    let found = scan(b);
    let cut: Vec<String> = found
        .iter()
        .filter(|f| f.cut)
        .map(|f| format!("{} {} obj", f.number, f.generation))
        .collect();
    let mut message =
        "the file is cut short: its end (cross-reference table, trailer, `%%EOF`) is missing"
            .to_string();
    if !cut.is_empty() {
        let _ = write!(
            message,
            "; object {} is incomplete (read as far as it goes)",
            cut.join(", ")
        );
    }
    Some(message)
}

/// Rebuilds the file from the objects found by scanning. `None` when no object is found.
pub(crate) fn rebuild(b: &[u8]) -> Option<Rebuilt> {
    let found = scan(b);
    if found.is_empty() {
        return None;
    }
    let mut notes = Vec::new();
    let objects = kept(&found);
    let fixed: Vec<String> = objects
        .values()
        .filter(|f| f.length_wrong)
        .map(|f| format!("{} {}", f.number, f.generation))
        .collect();
    if !fixed.is_empty() {
        notes.push(format!(
            "stream /Length corrected from its endstream in object {}",
            fixed.join(", ")
        ));
    }
    let trailers = trailers(b, &found);
    let (root, extra_catalog) = catalog(&objects, &trailers, &mut notes)?;
    let bytes = write_file(&objects, &trailers, root, extra_catalog.as_ref());
    Some(Rebuilt { bytes, notes })
}

/// The objects a rebuilt file keeps, by number: the last definition of a number wins (incremental
/// updates); old cross-reference streams are left out (the new table replaces them), and so are
/// objects cut short before any dictionary closed.
fn kept<'f, 'a>(found: &'f [Found<'a>]) -> BTreeMap<u32, &'f Found<'a>> {
    let mut objects = BTreeMap::new();
    for f in found {
        if f.number == 0 || f.number > MAX_OBJECT_NUMBER {
            continue;
        }
        if f.data.is_some() && has_name(f.body, b"XRef") {
            continue;
        }
        if f.data.is_none() && f.cut && !f.body.contains(&b'>') {
            continue;
        }
        objects.insert(f.number, f);
    }
    objects
}

/// The catalog's id, and the number and text of a catalog made anew when the file has none.
type Root = ((u32, u16), Option<(u32, String)>);

/// The catalog of the rebuilt file: the trailer's `/Root` when it is a catalog, else the last
/// catalog found by scanning, else one made for a root page tree (returned as its number and text).
fn catalog(
    objects: &BTreeMap<u32, &Found<'_>>,
    trailers: &[&[u8]],
    notes: &mut Vec<String>,
) -> Option<Root> {
    let is_catalog = |id: (u32, u16)| {
        objects
            .get(&id.0)
            .is_some_and(|f| f.generation == id.1 && has_name(f.body, b"Catalog"))
    };
    if let Some(root) = trailers
        .iter()
        .find_map(|t| reference_after(t, b"Root"))
        .filter(|&r| is_catalog(r))
    {
        return Some((root, None));
    }
    if let Some(f) = objects
        .values()
        .rev()
        .find(|f| f.data.is_none() && has_name(f.body, b"Catalog") && has_name(f.body, b"Pages"))
    {
        notes.push(format!(
            "the trailer names no usable catalog: catalog {} {} found by scanning",
            f.number, f.generation
        ));
        return Some(((f.number, f.generation), None));
    }
    let pages = objects.values().find(|f| {
        f.data.is_none()
            && has_name(f.body, b"Pages")
            && has_name(f.body, b"Kids")
            && !has_name(f.body, b"Parent")
    })?;
    let n = objects.keys().next_back().copied().unwrap_or(0) + 1;
    notes.push(format!(
        "no catalog in the file: one made for the page tree {} {}",
        pages.number, pages.generation
    ));
    let text = format!(
        "<< /Type /Catalog /Pages {} {} R >>",
        pages.number, pages.generation
    );
    Some(((n, 0), Some((n, text))))
}

/// Writes the objects, a made catalog, a classic table and a trailer (`/Info`, `/Encrypt`, `/ID`
/// carried over from the old trailers).
fn write_file(
    objects: &BTreeMap<u32, &Found<'_>>,
    trailers: &[&[u8]],
    root: (u32, u16),
    extra_catalog: Option<&(u32, String)>,
) -> Vec<u8> {
    let pick = |key: &[u8]| trailers.iter().find_map(|t| reference_after(t, key));
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets: BTreeMap<u32, (usize, u16)> = BTreeMap::new();
    for f in objects.values() {
        offsets.insert(f.number, (out.len(), f.generation));
        out.extend_from_slice(format!("{} {} obj\n", f.number, f.generation).as_bytes());
        match f.data {
            Some(data) => {
                let body = with_length(f.body, data.len());
                out.extend_from_slice(&body);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
            None => {
                out.extend_from_slice(f.body);
                out.extend_from_slice(b"\nendobj\n");
            }
        }
    }
    if let Some((n, text)) = extra_catalog {
        offsets.insert(*n, (out.len(), 0));
        out.extend_from_slice(format!("{n} 0 obj\n{text}\nendobj\n").as_bytes());
    }
    let size = offsets.keys().next_back().copied().unwrap_or(0) + 1;
    let xref_at = out.len();
    let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
    for n in 1..size {
        match offsets.get(&n) {
            Some((offset, generation)) => {
                let _ = writeln!(table, "{offset:010} {generation:05} n ");
            }
            None => table.push_str("0000000000 00000 f \n"),
        }
    }
    out.extend_from_slice(table.as_bytes());
    let mut trailer = format!("trailer\n<< /Size {size} /Root {} {} R", root.0, root.1);
    if let Some((n, g)) = pick(b"Info").filter(|i| objects.contains_key(&i.0)) {
        let _ = write!(trailer, " /Info {n} {g} R");
    }
    if let Some((n, g)) = pick(b"Encrypt") {
        let _ = write!(trailer, " /Encrypt {n} {g} R");
    }
    out.extend_from_slice(trailer.as_bytes());
    if let Some(id) = trailers.iter().find_map(|t| id_array(t)) {
        out.extend_from_slice(b" /ID ");
        out.extend_from_slice(id);
    }
    out.extend_from_slice(format!(" >>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

/// A stream dictionary with its `/Length` set to `len` (added when missing).
fn with_length(body: &[u8], len: usize) -> Vec<u8> {
    let value = len.to_string();
    match length_span(body) {
        Some((start, end)) => {
            let mut v = body[..start].to_vec();
            v.extend_from_slice(value.as_bytes());
            v.extend_from_slice(&body[end..]);
            v
        }
        None => match find(body, 0, b"<<") {
            Some(p) => {
                let mut v = body[..p + 2].to_vec();
                v.extend_from_slice(format!(" /Length {value} ").as_bytes());
                v.extend_from_slice(&body[p + 2..]);
                v
            }
            None => body.to_vec(),
        },
    }
}

/// The file with the `/Length` of every V 1 (40-bit RC4) standard security handler dictionary
/// blanked with spaces (same size, so every offset stays right); `None` when there is none.
pub(crate) fn patch_rc4_40(b: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut from = 0;
    while let Some(p) = find(b, from, b"/Standard") {
        from = p + 9;
        let start = rfind(&b[..p], b"<<")?;
        let end = find(b, p, b">>")?;
        let dict = &b[start..end + 2];
        let v1 = find(dict, 0, b"/V").is_some_and(|v| {
            let rest = &dict[v + 2..];
            let digits: Vec<u8> = rest
                .iter()
                .skip_while(|&&c| is_ws(c))
                .take_while(|c| c.is_ascii_digit())
                .copied()
                .collect();
            digits == b"1" && rest.first().is_some_and(|&c| is_ws(c))
        });
        if !v1 {
            continue;
        }
        if let Some((vs, ve)) = length_span(dict) {
            let key = dict[..vs].windows(7).rposition(|w| w == b"/Length")?;
            let buf = out.get_or_insert_with(|| b.to_vec());
            for c in &mut buf[start + key..start + ve] {
                *c = b' ';
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_values_and_references_are_found_at_the_top_level_only() {
        let body = b"<< /DecodeParms << /Length 9 >> /Length 12 /Filter /FlateDecode >>";
        assert_eq!(direct_length(body), Some(12));
        let body = b"<</Length 7 0 R/Filter/FlateDecode>>";
        assert_eq!(direct_length(body), None);
        let span = length_span(body).unwrap_or_default();
        assert_eq!(&body[span.0..span.1], b"7 0 R");
        let body = b"<</Length1 300/Length 44>>";
        assert_eq!(direct_length(body), Some(44));
        assert_eq!(
            with_length(b"<</Length 41/Filter/FlateDecode>>", 44),
            b"<</Length 44/Filter/FlateDecode>>".to_vec()
        );
        assert_eq!(with_length(b"<<>>", 3), b"<< /Length 3 >>".to_vec());
    }

    #[test]
    fn headers_need_two_numbers_before_obj() {
        let b = b"x 12 0 obj << >> endobj 3 objx 4 0 obj";
        let kw = find(b, 0, b"obj").unwrap_or_default();
        assert_eq!(header_before(b, kw), Some((12, 0, 2)));
        assert_eq!(header_before(b, 27), None);
    }

    #[test]
    fn v1_security_handler_length_is_blanked_in_place() {
        let b = b"5 0 obj\n<</Filter /Standard /Length 40 /O (x) /V 1 /R 2>>\nendobj\n".to_vec();
        let patched = patch_rc4_40(&b).unwrap_or_default();
        assert_eq!(patched.len(), b.len());
        assert!(!patched.windows(7).any(|w| w == b"/Length"));
        let v2 = b"<</Filter /Standard /Length 128 /V 2 /R 3>>";
        assert!(patch_rc4_40(v2).is_none());
    }
}
