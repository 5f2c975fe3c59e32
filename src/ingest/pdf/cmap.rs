//! CMap programs: ToUnicode maps and embedded encoding CMaps.
//!
//! In: the decoded bytes of a CMap stream. Out: a [`CMap`] holding codespace ranges (how many bytes
//! each code takes), code → Unicode text (`bfchar`, `bfrange` with string or array destinations,
//! UTF-16BE with surrogate pairs, several characters per code) and code → CID (`cidchar`,
//! `cidrange`). The parser is tolerant: anything it does not understand is skipped.
//! Not here: predefined CMaps by name (see `font.rs`), `usecmap` chains (ignored).
//! Known limits: bfrange string destinations are incremented in their last UTF-16 unit only;
//! of overlapping ranges only the four starting closest below a code are consulted; at most
//! 100 000 ranges of each kind are kept.

use foldhash::HashMap;

/// Most ranges kept per kind (bfrange, cidrange) in one CMap.
const MAX_RANGES: usize = 100_000;

/// One codespace range: codes of `len` bytes between `lo` and `hi` (byte-wise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Codespace {
    pub len: u8,
    pub lo: Vec<u8>,
    pub hi: Vec<u8>,
}

#[derive(Debug, Clone)]
enum RangeTarget {
    /// First destination's UTF-16 units; the last unit is incremented along the range.
    Base(Vec<u16>),
    /// One destination per code.
    List(Vec<String>),
}

#[derive(Debug, Clone)]
struct UnicodeRange {
    len: u8,
    lo: u32,
    hi: u32,
    target: RangeTarget,
}

/// A parsed CMap.
#[derive(Debug, Clone, Default)]
pub(crate) struct CMap {
    pub codespaces: Vec<Codespace>,
    unicode: HashMap<(u8, u32), String>,
    unicode_ranges: Vec<UnicodeRange>,
    cids: HashMap<(u8, u32), u32>,
    cid_ranges: Vec<(u8, u32, u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Int(i64),
    Name(Vec<u8>),
    Keyword(Vec<u8>),
    ArrayStart,
    ArrayEnd,
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_space(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

fn tokenize(data: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        if is_space(b) {
            i += 1;
            continue;
        }
        match b {
            b'%' => {
                while data.get(i).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    i += 1;
                }
            }
            b'[' => {
                out.push(Tok::ArrayStart);
                i += 1;
            }
            b']' => {
                out.push(Tok::ArrayEnd);
                i += 1;
            }
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let (bytes, end) = hex_string(data, i + 1);
                out.push(Tok::Hex(bytes));
                i = end;
            }
            // Literal strings appear in CMap headers only (Registry, Ordering): skip them.
            b'(' => i = super::objects::literal_string_end(data, i),
            b'/' => {
                let end = word_end(data, i + 1);
                out.push(Tok::Name(data.get(i + 1..end).unwrap_or_default().to_vec()));
                i = end;
            }
            _ if is_delimiter(b) => i += 1,
            _ => {
                let end = word_end(data, i);
                out.push(int_or_keyword(data.get(i..end).unwrap_or_default()));
                i = end;
            }
        }
    }
    out
}

/// The bytes of a hex string whose digits start at `i` (just after `<`) and the index after its `>`;
/// non-hex characters are skipped and an odd last digit is padded with 0.
fn hex_string(data: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut bytes = Vec::new();
    let mut half: Option<u8> = None;
    while let Some(&c) = data.get(i) {
        i += 1;
        if c == b'>' {
            break;
        }
        let Some(v) = (c as char).to_digit(16) else {
            continue;
        };
        let v = v as u8;
        match half.take() {
            Some(h) => bytes.push(h << 4 | v),
            None => half = Some(v),
        }
    }
    if let Some(h) = half {
        bytes.push(h << 4);
    }
    (bytes, i)
}

/// The index where the regular word starting at `i` ends (a space, a delimiter or the end).
fn word_end(data: &[u8], mut i: usize) -> usize {
    while data
        .get(i)
        .is_some_and(|&c| !is_space(c) && !is_delimiter(c))
    {
        i += 1;
    }
    i
}

/// A regular word: an integer, or else an operator keyword.
fn int_or_keyword(word: &[u8]) -> Tok {
    match std::str::from_utf8(word)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        Some(n) => Tok::Int(n),
        None => Tok::Keyword(word.to_vec()),
    }
}

/// Big-endian value of up to 4 bytes.
pub(crate) fn code_value(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

/// Decodes UTF-16BE destination bytes (surrogate pairs joined; a lone byte taken as a code point).
pub(crate) fn utf16be_text(bytes: &[u8]) -> Option<String> {
    if bytes.len() == 1 {
        return bytes.first().map(|&b| char::from(b).to_string());
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let s: String = char::decode_utf16(units.iter().copied())
        .filter_map(Result::ok)
        .collect();
    (!s.is_empty()).then_some(s)
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return bytes.iter().map(|&b| u16::from(b)).collect();
    }
    bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

/// The destination of a bfrange entry at `toks[*i]`: a base code (`<0041>`) or an array of
/// destinations (`[<0041> /B]`, up to its `]`); `None` (nothing consumed) for anything else.
fn range_target(toks: &[Tok], i: &mut usize) -> Option<RangeTarget> {
    match toks.get(*i) {
        Some(Tok::Hex(d)) => {
            *i += 1;
            Some(RangeTarget::Base(utf16_units(d)))
        }
        Some(Tok::ArrayStart) => {
            *i += 1;
            let mut list = Vec::new();
            while let Some(t) = toks.get(*i) {
                *i += 1;
                match t {
                    Tok::Hex(d) => list.push(utf16be_text(d).unwrap_or_default()),
                    Tok::Name(n) => {
                        list.push(super::encoding::glyph_name_to_text(n).unwrap_or_default())
                    }
                    _ => break,
                }
            }
            Some(RangeTarget::List(list))
        }
        _ => None,
    }
}

impl CMap {
    /// Parses a CMap program. Never fails: a broken program yields a partial or empty map.
    pub(crate) fn parse(data: &[u8]) -> CMap {
        let toks = tokenize(data);
        let mut map = CMap::default();
        let mut i = 0;
        while let Some(tok) = toks.get(i) {
            i += 1;
            let Tok::Keyword(k) = tok else { continue };
            match k.as_slice() {
                b"begincodespacerange" => map.read_codespaces(&toks, &mut i),
                b"beginbfchar" => map.read_bfchars(&toks, &mut i),
                b"beginbfrange" => map.read_bfranges(&toks, &mut i),
                b"begincidchar" => map.read_cidchars(&toks, &mut i),
                b"begincidrange" => map.read_cidranges(&toks, &mut i),
                _ => {}
            }
        }
        // Sorted by (length, first code) for binary search; the sort is stable, so among ranges
        // starting at the same code the later definition comes last and wins.
        map.unicode_ranges.sort_by_key(|r| (r.len, r.lo));
        map.cid_ranges.sort_by_key(|r| (r.0, r.1));
        map
    }

    /// The `<lo> <hi>` pairs of a `begincodespacerange` section, from `toks[*i]` on.
    fn read_codespaces(&mut self, toks: &[Tok], i: &mut usize) {
        while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) = (toks.get(*i), toks.get(*i + 1)) {
            *i += 2;
            if lo.len() == hi.len() && (1..=4).contains(&lo.len()) {
                self.codespaces.push(Codespace {
                    len: lo.len() as u8,
                    lo: lo.clone(),
                    hi: hi.clone(),
                });
            }
        }
    }

    /// The `<src> <dst>` (or `<src> /name`) pairs of a `beginbfchar` section.
    fn read_bfchars(&mut self, toks: &[Tok], i: &mut usize) {
        while let (Some(Tok::Hex(src)), Some(dst)) = (toks.get(*i), toks.get(*i + 1)) {
            *i += 2;
            let text = match dst {
                Tok::Hex(d) => utf16be_text(d),
                Tok::Name(n) => super::encoding::glyph_name_to_text(n),
                _ => {
                    *i -= 1;
                    None
                }
            };
            if let Some(text) = text {
                if (1..=4).contains(&src.len()) {
                    self.unicode
                        .insert((src.len() as u8, code_value(src)), text);
                }
            }
        }
    }

    /// The `<lo> <hi> <base>` / `<lo> <hi> [<dst> …]` entries of a `beginbfrange` section.
    fn read_bfranges(&mut self, toks: &[Tok], i: &mut usize) {
        while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) = (toks.get(*i), toks.get(*i + 1)) {
            *i += 2;
            let len = lo.len();
            let (lo_v, hi_v) = (code_value(lo), code_value(hi));
            let valid = (1..=4).contains(&len) && lo_v <= hi_v;
            let target = range_target(toks, i);
            if let (true, Some(target)) = (valid, target) {
                self.add_unicode_range(len as u8, lo_v, hi_v, target);
            }
        }
    }

    /// The `<src> cid` pairs of a `begincidchar` section.
    fn read_cidchars(&mut self, toks: &[Tok], i: &mut usize) {
        while let (Some(Tok::Hex(src)), Some(Tok::Int(cid))) = (toks.get(*i), toks.get(*i + 1)) {
            *i += 2;
            if let (true, Ok(cid)) = ((1..=4).contains(&src.len()), u32::try_from(*cid)) {
                self.cids.insert((src.len() as u8, code_value(src)), cid);
            }
        }
    }

    /// The `<lo> <hi> cid` triples of a `begincidrange` section.
    fn read_cidranges(&mut self, toks: &[Tok], i: &mut usize) {
        while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi)), Some(Tok::Int(cid))) =
            (toks.get(*i), toks.get(*i + 1), toks.get(*i + 2))
        {
            *i += 3;
            let (lo_v, hi_v) = (code_value(lo), code_value(hi));
            if let (true, Ok(cid)) = (
                (1..=4).contains(&lo.len()) && lo_v <= hi_v,
                u32::try_from(*cid),
            ) {
                self.cid_ranges.push((lo.len() as u8, lo_v, hi_v, cid));
            }
        }
    }

    fn add_unicode_range(&mut self, len: u8, lo: u32, hi: u32, target: RangeTarget) {
        if self.unicode_ranges.len() < MAX_RANGES {
            self.unicode_ranges.push(UnicodeRange {
                len,
                lo,
                hi,
                target,
            });
        }
    }

    /// True when the map has no Unicode entries at all.
    pub(crate) fn has_unicode(&self) -> bool {
        !self.unicode.is_empty() || !self.unicode_ranges.is_empty()
    }

    /// Unicode text for a code of `len` bytes.
    pub(crate) fn unicode(&self, len: u8, code: u32) -> Option<String> {
        if let Some(s) = self.unicode.get(&(len, code)) {
            return Some(s.clone());
        }
        let end = self
            .unicode_ranges
            .partition_point(|r| (r.len, r.lo) <= (len, code));
        // The range starting closest below the code; a few more in case ranges overlap.
        self.unicode_ranges
            .get(end.saturating_sub(4)..end)?
            .iter()
            .rev()
            .find(|r| r.len == len && r.lo <= code && code <= r.hi)
            .and_then(|r| range_text(&r.target, code - r.lo))
    }

    /// CID for a code of `len` bytes, if the map says.
    pub(crate) fn cid(&self, len: u8, code: u32) -> Option<u32> {
        if let Some(c) = self.cids.get(&(len, code)) {
            return Some(*c);
        }
        let end = self
            .cid_ranges
            .partition_point(|r| (r.0, r.1) <= (len, code));
        self.cid_ranges
            .get(end.saturating_sub(4)..end)?
            .iter()
            .rev()
            .find(|(l, lo, hi, _)| *l == len && *lo <= code && code <= *hi)
            .and_then(|(_, lo, _, cid)| cid.checked_add(code - lo))
    }

    /// Length of the code starting at `bytes` by the codespace ranges (1 when none matches).
    pub(crate) fn code_len(&self, bytes: &[u8]) -> usize {
        for cs in &self.codespaces {
            let n = usize::from(cs.len);
            let Some(code) = bytes.get(..n) else { continue };
            let inside = code
                .iter()
                .zip(cs.lo.iter().zip(cs.hi.iter()))
                .all(|(b, (lo, hi))| lo <= b && b <= hi);
            if inside {
                return n;
            }
        }
        // No range matches: take the shortest codespace length so decoding moves on.
        self.codespaces
            .iter()
            .map(|c| usize::from(c.len))
            .min()
            .unwrap_or(1)
            .clamp(1, bytes.len().max(1))
    }
}

fn range_text(target: &RangeTarget, off: u32) -> Option<String> {
    match target {
        RangeTarget::Base(units) => {
            let mut units = units.clone();
            let last = units.last_mut()?;
            *last = u16::try_from(u32::from(*last).checked_add(off)?).ok()?;
            let s: String = char::decode_utf16(units).filter_map(Result::ok).collect();
            (!s.is_empty()).then_some(s)
        }
        RangeTarget::List(list) => list
            .get(usize::try_from(off).ok()?)
            .filter(|s| !s.is_empty())
            .cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
3 beginbfchar
<0003> <0020>
<01A2> <5408>
<01A3> <D835DC00>
endbfchar
2 beginbfrange
<0010> <0012> <0030>
<0020> <0022> [<8BA1> <0066006C> <D83DDE00>]
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn parses_bfchar_bfrange_and_surrogates() {
        let m = CMap::parse(SAMPLE);
        assert_eq!(m.codespaces.len(), 1);
        assert_eq!(m.unicode(2, 0x01A2).as_deref(), Some("合"));
        assert_eq!(m.unicode(2, 0x01A3).as_deref(), Some("\u{1D400}"));
        assert_eq!(m.unicode(2, 0x0010).as_deref(), Some("0"));
        assert_eq!(m.unicode(2, 0x0012).as_deref(), Some("2"));
        assert_eq!(m.unicode(2, 0x0020).as_deref(), Some("计"));
        assert_eq!(m.unicode(2, 0x0021).as_deref(), Some("fl"));
        assert_eq!(m.unicode(2, 0x0022).as_deref(), Some("😀"));
        assert_eq!(m.unicode(2, 0x0013), None);
        assert_eq!(m.unicode(1, 0x10), None);
        assert_eq!(m.code_len(&[0x01, 0xA2, 0x00]), 2);
    }

    #[test]
    fn cid_ranges_and_mixed_codespaces() {
        let m = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange
1 begincidrange <8140> <817E> 100 endcidrange 1 begincidchar <41> 34 endcidchar",
        );
        assert_eq!(m.code_len(b"A\x81\x40"), 1);
        assert_eq!(m.code_len(b"\x81\x40"), 2);
        assert_eq!(m.cid(2, 0x8142), Some(102));
        assert_eq!(m.cid(1, 0x41), Some(34));
    }

    #[test]
    fn broken_program_is_partial_not_fatal() {
        let m =
            CMap::parse(b"1 beginbfchar <0001> <4E00> <0002> endbfchar ) ] << beginbfrange <05>");
        assert_eq!(m.unicode(2, 1).as_deref(), Some("一"));
    }
}
