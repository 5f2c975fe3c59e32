//! Fonts: how the bytes of a shown string split into codes, what Unicode text each code means, and
//! how wide each glyph is.
//!
//! In: a font dictionary (through the object layer). Out: a [`Font`] that decodes a string into
//! [`Code`]s (text or `None` when unmappable, advance width in text-space units per point of size).
//! Covers: Type0 with Identity-H/V, the GBK/GB CMaps (GBK-EUC-H, GB-EUC-H, GBKp-EUC-H, GBK2K-H, by
//! decoding the code bytes as GB18030), UniGB-UCS2-H and UniGB-UTF16-H, embedded encoding CMaps;
//! ToUnicode first, then the encoding, then (Identity codes still unmapped) the embedded TrueType cmap,
//! read on first need;
//! simple fonts (Type1, TrueType, Type3) with WinAnsi/MacRoman/Standard and `/Differences`; simple
//! fonts named as Chinese system fonts (宋体, SimSun, 仿宋_GB2312, ...) without ToUnicode whose bytes
//! ≥ 0x81 are really GBK double-byte codes; BaseFont names written as raw GBK bytes.
//! Not here: glyph outlines, positioning (see `content.rs`).
//! Known limits: CIDs of the GBK CMaps are not known (no Adobe-GB1 tables), so their widths use /DW
//! (two-byte codes) and half of it (one-byte codes); `usecmap` is ignored; vertical fonts advance one
//! em downwards.

use foldhash::{HashMap, HashMapExt};
use std::cell::OnceCell;
use std::rc::Rc;

use lopdf::{Dictionary, Object, ObjectId};

use super::cmap::{code_value, CMap};
use super::encoding::{glyph_name_to_text, BaseEncoding};
use super::objects::{Objects, StreamError};

/// Names of Chinese system fonts that office software writes with a single-byte encoding while the
/// strings hold GBK codes.
const GBK_FONT_MARKERS: &[&str] = &[
    "宋体",
    "黑体",
    "楷体",
    "仿宋",
    "隶书",
    "幼圆",
    "微软雅黑",
    "新宋体",
    "华文",
    "方正",
    "SimSun",
    "SimHei",
    "KaiTi",
    "FangSong",
    "NSimSun",
    "GB2312",
    "YaHei",
    "STSong",
    "STKaiti",
    "STFangsong",
    "STHeiti",
    "LiSu",
    "YouYuan",
];

/// One code of a shown string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Code {
    /// Unicode text, `None` when the code cannot be mapped.
    pub text: Option<String>,
    /// Horizontal advance in text space per unit font size (glyph width / 1000).
    pub width: f32,
    /// A single-byte code 32 (word spacing applies).
    pub word_space: bool,
}

#[derive(Debug)]
enum CodeSplit {
    /// Fixed two-byte codes (Identity, UCS-2).
    Two,
    /// GBK/GB: one byte up to 0x80, else two (four for GB18030 four-byte sequences when `four`).
    Gbk { four: bool },
    /// UTF-16BE: two bytes, four for surrogate pairs.
    Utf16,
    /// By the codespace ranges of an embedded CMap.
    Embedded(CMap),
}

#[derive(Debug)]
enum EncodingText {
    /// Codes are CIDs with no meaning of their own.
    None,
    /// Codes are GB18030/GBK bytes.
    Gb,
    /// Codes are UTF-16BE.
    Utf16,
}

#[derive(Debug, Default)]
struct CidWidths {
    single: HashMap<u32, f32>,
    ranges: Vec<(u32, u32, f32)>,
    default: f32,
}

impl CidWidths {
    fn get(&self, cid: u32) -> f32 {
        if let Some(w) = self.single.get(&cid) {
            return *w;
        }
        let end = self.ranges.partition_point(|r| r.0 <= cid);
        self.ranges
            .get(end.saturating_sub(4)..end)
            .and_then(|rs| rs.iter().rev().find(|(lo, hi, _)| *lo <= cid && cid <= *hi))
            .map(|r| r.2)
            .unwrap_or(self.default)
    }
}

#[derive(Debug)]
enum Kind {
    Simple {
        table: Vec<Option<String>>,
        widths: Vec<f32>,
        gbk_pairs: bool,
    },
    Composite {
        split: Box<CodeSplit>,
        text: EncodingText,
        identity: bool,
        widths: CidWidths,
        vertical: bool,
        cid_to_gid: Option<Vec<u8>>,
        /// The embedded TrueType program (FontFile2), read only when a code has no other mapping.
        program: Option<ObjectId>,
        gid_chars: OnceCell<Option<HashMap<u16, char>>>,
    },
}

/// A loaded font.
#[derive(Debug)]
pub(crate) struct Font {
    /// BaseFont without the subset tag, GBK names decoded.
    pub name: Option<Rc<str>>,
    to_unicode: Option<CMap>,
    kind: Kind,
}

/// Decodes a BaseFont name: drops a subset tag (`ABCDEE+`), reads raw GBK bytes as GBK.
pub(crate) fn font_name(raw: &[u8]) -> String {
    let raw = match raw.get(6) {
        Some(b'+') if raw.iter().take(6).all(|b| b.is_ascii_uppercase()) => {
            raw.get(7..).unwrap_or_default()
        }
        _ => raw,
    };
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    if let Some(s) = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(raw) {
        return s.into_owned();
    }
    String::from_utf8_lossy(raw).into_owned()
}

/// Decodes GB18030 code bytes to text (`None` when they are not a character).
fn gb_text(bytes: &[u8]) -> Option<String> {
    let s = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)?;
    (!s.is_empty() && !s.contains('\u{FFFD}')).then(|| s.into_owned())
}

/// Rejects destinations that carry nothing (NUL-only).
fn useful(text: String) -> Option<String> {
    (!text.chars().all(|c| c == '\0')).then_some(text)
}

impl Font {
    /// Loads a font dictionary. Broken parts degrade to defaults (unmapped codes, width 0.5 / 1 em).
    pub(crate) fn load(obj: &Objects<'_>, dict: &Dictionary) -> Result<Font, StreamError> {
        let name = obj
            .name(dict, b"BaseFont")
            .map(font_name)
            .map(|s| Rc::<str>::from(s.as_str()));
        let to_unicode = match dict.get(b"ToUnicode").ok().and_then(|o| obj.stream_of(o)) {
            Some(Ok(bytes)) => Some(CMap::parse(&bytes)).filter(CMap::has_unicode),
            Some(Err(e @ (StreamError::TooLarge(_) | StreamError::Cancelled))) => return Err(e),
            _ => None,
        };
        let subtype = obj.name(dict, b"Subtype").unwrap_or_default();
        let kind = if subtype == b"Type0" {
            load_composite(obj, dict)?
        } else {
            load_simple(obj, dict, subtype, name.as_deref(), to_unicode.is_some())
        };
        Ok(Font {
            name,
            to_unicode,
            kind,
        })
    }

    /// True for vertical writing (Identity-V and other -V CMaps).
    pub(crate) fn vertical(&self) -> bool {
        matches!(self.kind, Kind::Composite { vertical: true, .. })
    }

    /// Splits `bytes` into codes and maps each.
    pub(crate) fn decode(&self, obj: &Objects<'_>, bytes: &[u8], out: &mut Vec<Code>) {
        out.clear();
        match &self.kind {
            Kind::Simple {
                table,
                widths,
                gbk_pairs,
            } => self.decode_simple(table, widths, *gbk_pairs, bytes, out),
            Kind::Composite { .. } => self.decode_composite(obj, bytes, out),
        }
    }

    /// One byte a code, or (fonts named as Chinese system fonts) a GBK pair of bytes ≥ 0x81.
    fn decode_simple(
        &self,
        table: &[Option<String>],
        widths: &[f32],
        gbk_pairs: bool,
        bytes: &[u8],
        out: &mut Vec<Code>,
    ) {
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if gbk_pairs && b >= 0x81 {
                if let Some(pair) = bytes.get(i..i + 2) {
                    if let Some(text) = gb_text(pair) {
                        let w = widths.get(usize::from(b)).copied().unwrap_or(0.0)
                            + widths.get(usize::from(pair[1])).copied().unwrap_or(0.0);
                        out.push(Code {
                            text: Some(text),
                            width: if w > 0.0 { w } else { 1.0 },
                            word_space: false,
                        });
                        i += 2;
                        continue;
                    }
                }
            }
            let text = self
                .to_unicode
                .as_ref()
                .and_then(|m| m.unicode(1, u32::from(b)))
                .and_then(useful)
                .or_else(|| table.get(usize::from(b)).cloned().flatten());
            out.push(Code {
                text,
                width: widths.get(usize::from(b)).copied().unwrap_or(0.5),
                word_space: b == 32,
            });
            i += 1;
        }
    }

    /// Codes of the font's CMap split; text from ToUnicode, then the encoding, then the embedded
    /// TrueType program.
    fn decode_composite(&self, obj: &Objects<'_>, bytes: &[u8], out: &mut Vec<Code>) {
        let Kind::Composite {
            split,
            text,
            identity,
            widths,
            ..
        } = &self.kind
        else {
            return;
        };
        let mut i = 0;
        while i < bytes.len() {
            let rest = bytes.get(i..).unwrap_or_default();
            let n = code_len(split, rest).clamp(1, rest.len().max(1));
            let code_bytes = rest.get(..n).unwrap_or(rest);
            i += n.max(1);
            let len = code_bytes.len() as u8;
            let code = code_value(code_bytes);
            let cid = match split.as_ref() {
                CodeSplit::Embedded(cm) => cm.cid(len, code),
                _ if *identity => Some(code),
                _ => None,
            };
            let width = match cid {
                Some(cid) => widths.get(cid),
                None if len == 1 => widths.default / 2.0,
                None => widths.default,
            };
            let mut t = self
                .to_unicode
                .as_ref()
                .and_then(|m| m.unicode(len, code))
                .and_then(useful);
            if t.is_none() {
                t = match text {
                    EncodingText::Gb => gb_text(code_bytes),
                    EncodingText::Utf16 => super::cmap::utf16be_text(code_bytes),
                    EncodingText::None => None,
                };
            }
            if let (None, Some(cid)) = (&t, cid) {
                t = self.program_text(obj, cid);
            }
            out.push(Code {
                text: t,
                width,
                word_space: n == 1 && code == 32,
            });
        }
    }

    /// The text of `cid` by the embedded TrueType program's own cmap (read on first need), through
    /// /CIDToGIDMap.
    fn program_text(&self, obj: &Objects<'_>, cid: u32) -> Option<String> {
        let Kind::Composite {
            cid_to_gid,
            program: Some(id),
            gid_chars,
            ..
        } = &self.kind
        else {
            return None;
        };
        let chars = gid_chars.get_or_init(|| {
            obj.doc
                .get(*id)
                .and_then(|o| obj.stream_of(o))
                .and_then(Result::ok)
                .and_then(|bytes| reverse_cmap(&bytes))
        });
        let chars = chars.as_ref()?;
        let gid = match cid_to_gid {
            Some(map) => {
                let k = usize::try_from(cid).unwrap_or(usize::MAX);
                match (
                    map.get(k.saturating_mul(2)),
                    map.get(k.saturating_mul(2).saturating_add(1)),
                ) {
                    (Some(&h), Some(&l)) => Some(u16::from_be_bytes([h, l])),
                    _ => None,
                }
            }
            None => u16::try_from(cid).ok(),
        };
        gid.and_then(|g| chars.get(&g)).map(|c| c.to_string())
    }
}

/// The length of the code at the start of `rest` under the font's split.
fn code_len(split: &CodeSplit, rest: &[u8]) -> usize {
    match split {
        CodeSplit::Two => 2,
        CodeSplit::Gbk { four } => match rest {
            [b, ..] if *b <= 0x80 => 1,
            [_, b2, ..] if *four && (0x30..=0x39).contains(b2) => 4,
            _ => 2,
        },
        CodeSplit::Utf16 => match rest {
            [h, ..] if (0xD8..=0xDB).contains(h) => 4,
            _ => 2,
        },
        CodeSplit::Embedded(cm) => cm.code_len(rest),
    }
}

fn load_simple(
    obj: &Objects<'_>,
    dict: &Dictionary,
    subtype: &[u8],
    name: Option<&str>,
    has_to_unicode: bool,
) -> Kind {
    let table = simple_table(obj, dict, subtype);
    let widths = simple_widths(obj, dict, subtype);
    let gbk_pairs =
        !has_to_unicode && name.is_some_and(|n| GBK_FONT_MARKERS.iter().any(|m| n.contains(m)));
    Kind::Simple {
        table,
        widths,
        gbk_pairs,
    }
}

/// The text of each of the 256 codes of a simple font: its /Encoding (a name, or a dictionary with
/// /BaseEncoding and /Differences) over the subtype's built-in encoding.
fn simple_table(obj: &Objects<'_>, dict: &Dictionary, subtype: &[u8]) -> Vec<Option<String>> {
    let mut base = if subtype == b"Type1" || subtype == b"MMType1" {
        BaseEncoding::Standard
    } else {
        BaseEncoding::WinAnsi
    };
    let mut differences: Option<&[Object]> = None;
    match dict.get(b"Encoding").ok().and_then(|o| obj.resolve(o)) {
        Some(Object::Name(n)) => {
            if let Some(b) = BaseEncoding::from_name(n) {
                base = b;
            }
        }
        Some(Object::Dictionary(d)) => {
            if let Some(b) = obj
                .name(d, b"BaseEncoding")
                .and_then(BaseEncoding::from_name)
            {
                base = b;
            }
            differences = obj.array(d, b"Differences");
        }
        _ => {}
    }
    let mut table: Vec<Option<String>> = (0..=255u8)
        .map(|b| base.char_for(b).map(|c| c.to_string()))
        .collect();
    if let Some(diffs) = differences {
        apply_differences(obj, diffs, &mut table);
    }
    table
}

/// Applies a /Differences array (`code /name /name … code /name …`) to a code table.
fn apply_differences(obj: &Objects<'_>, diffs: &[Object], table: &mut [Option<String>]) {
    let mut code: usize = 0;
    for item in diffs {
        match obj.resolve(item) {
            Some(Object::Integer(i)) => code = usize::try_from(*i).unwrap_or(usize::MAX),
            Some(Object::Name(n)) => {
                if let Some(slot) = table.get_mut(code) {
                    *slot = glyph_name_to_text(n);
                }
                code = code.saturating_add(1);
            }
            _ => {}
        }
    }
}

/// The width of each of the 256 codes of a simple font in text space units (/Widths from
/// /FirstChar, scaled by the FontMatrix for Type3; /MissingWidth or a default elsewhere).
fn simple_widths(obj: &Objects<'_>, dict: &Dictionary, subtype: &[u8]) -> Vec<f32> {
    let scale = if subtype == b"Type3" {
        obj.array(dict, b"FontMatrix")
            .map(|m| obj.numbers(m))
            .and_then(|m| m.first().copied())
            .unwrap_or(0.001)
    } else {
        0.001
    };
    let missing = obj
        .dict(dict, b"FontDescriptor")
        .and_then(|fd| obj.number(fd, b"MissingWidth"))
        .filter(|w| *w > 0.0);
    let widths_arr = obj.array(dict, b"Widths").map(|a| obj.numbers(a));
    let first = obj.number(dict, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
    let default = missing
        .map(|w| w * scale)
        .unwrap_or(if widths_arr.is_some() { 0.0 } else { 0.5 });
    let mut widths = vec![default; 256];
    if let Some(ws) = widths_arr {
        for (k, w) in ws.iter().enumerate() {
            if let Some(slot) = first.checked_add(k).and_then(|c| widths.get_mut(c)) {
                *slot = w * scale;
            }
        }
    }
    widths
}

/// How a composite font's codes split and what they mean, from its /Encoding.
struct CompositeEncoding {
    split: CodeSplit,
    text: EncodingText,
    /// Identity-H/V (codes are CIDs with no text of their own).
    identity: bool,
    vertical: bool,
}

impl CompositeEncoding {
    /// The encoding of a composite font: a predefined CMap name or an embedded CMap stream.
    fn of(obj: &Objects<'_>, dict: &Dictionary) -> Result<CompositeEncoding, StreamError> {
        let mut enc = CompositeEncoding {
            split: CodeSplit::Two,
            text: EncodingText::None,
            identity: true,
            vertical: false,
        };
        match dict.get(b"Encoding").ok().and_then(|o| obj.resolve(o)) {
            Some(Object::Name(n)) => {
                enc.vertical = n.ends_with(b"-V");
                let stem = n
                    .strip_suffix(b"-H")
                    .or_else(|| n.strip_suffix(b"-V"))
                    .unwrap_or(n);
                enc.set_predefined(stem);
            }
            Some(Object::Stream(s)) => {
                let cm = CMap::parse(&obj.stream_bytes(s)?);
                enc.vertical = obj.number(&s.dict, b"WMode").is_some_and(|w| w == 1.0);
                if !cm.codespaces.is_empty() {
                    enc.split = CodeSplit::Embedded(cm);
                    enc.identity = false;
                }
            }
            _ => {}
        }
        Ok(enc)
    }

    /// A predefined CMap by the stem of its name (`GBK-EUC` of `GBK-EUC-H`).
    fn set_predefined(&mut self, stem: &[u8]) {
        match stem {
            b"Identity" => {}
            b"GBK-EUC" | b"GB-EUC" | b"GBKp-EUC" | b"GBpc-EUC" => {
                self.split = CodeSplit::Gbk { four: false };
                self.text = EncodingText::Gb;
                self.identity = false;
            }
            b"GBK2K" => {
                self.split = CodeSplit::Gbk { four: true };
                self.text = EncodingText::Gb;
                self.identity = false;
            }
            b"UniGB-UCS2" | b"UniCNS-UCS2" | b"UniJIS-UCS2" | b"UniKS-UCS2" => {
                self.text = EncodingText::Utf16;
                self.identity = false;
            }
            b"UniGB-UTF16" | b"UniCNS-UTF16" | b"UniJIS-UTF16" | b"UniKS-UTF16" => {
                self.split = CodeSplit::Utf16;
                self.text = EncodingText::Utf16;
                self.identity = false;
            }
            _ => self.identity = false,
        }
    }
}

fn load_composite(obj: &Objects<'_>, dict: &Dictionary) -> Result<Kind, StreamError> {
    let enc = CompositeEncoding::of(obj, dict)?;
    let descendant = obj
        .array(dict, b"DescendantFonts")
        .and_then(|a| a.first())
        .and_then(|o| obj.resolve(o))
        .and_then(|o| o.as_dict().ok());
    let mut widths = CidWidths {
        default: 1.0,
        ..CidWidths::default()
    };
    let mut cid_to_gid = None;
    let mut program = None;
    if let Some(desc) = descendant {
        if let Some(dw) = obj.number(desc, b"DW") {
            widths.default = dw / 1000.0;
        }
        if let Some(w) = obj.array(desc, b"W") {
            read_cid_widths(obj, w, &mut widths);
        }
        if let Some(Ok(map)) = desc.get(b"CIDToGIDMap").ok().and_then(|o| obj.stream_of(o)) {
            cid_to_gid = Some(map);
        }
        if enc.identity {
            program = obj
                .dict(desc, b"FontDescriptor")
                .and_then(|fd| fd.get(b"FontFile2").ok())
                .and_then(|o| o.as_reference().ok());
        }
    }
    Ok(Kind::Composite {
        split: Box::new(enc.split),
        text: enc.text,
        identity: enc.identity,
        widths,
        vertical: enc.vertical,
        cid_to_gid,
        program,
        gid_chars: OnceCell::new(),
    })
}

/// Reads a `/W` array: `c [w1 w2 ...]` and `c_first c_last w`.
fn read_cid_widths(obj: &Objects<'_>, w: &[Object], out: &mut CidWidths) {
    let mut i = 0;
    let mut budget: u64 = 1 << 18;
    while let Some(first) = w
        .get(i)
        .and_then(|o| obj.resolve(o))
        .and_then(super::objects::number)
    {
        let first = first.max(0.0) as u32;
        match w.get(i + 1).and_then(|o| obj.resolve(o)) {
            Some(Object::Array(list)) => {
                for (k, v) in obj.numbers(list).iter().enumerate() {
                    if budget == 0 {
                        break;
                    }
                    budget -= 1;
                    if let Some(cid) = u32::try_from(k).ok().and_then(|k| first.checked_add(k)) {
                        out.single.insert(cid, v / 1000.0);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = super::objects::number(o).unwrap_or(0.0).max(0.0) as u32;
                let wv = w
                    .get(i + 2)
                    .and_then(|o| obj.resolve(o))
                    .and_then(super::objects::number)
                    .unwrap_or(1000.0);
                if last >= first && out.ranges.len() < 100_000 {
                    out.ranges.push((first, last, wv / 1000.0));
                }
                i += 3;
            }
            None => break,
        }
    }
    out.ranges.sort_by_key(|r| r.0);
}

/// Glyph id → character from the Unicode subtables of an embedded TrueType font.
fn reverse_cmap(data: &[u8]) -> Option<HashMap<u16, char>> {
    let face = ttf_parser::Face::parse(data, 0).ok()?;
    let cmap = face.tables().cmap?;
    let mut map = HashMap::new();
    for sub in cmap.subtables {
        if !sub.is_unicode() {
            continue;
        }
        sub.codepoints(|cp| {
            if map.len() >= 1 << 17 {
                return;
            }
            if let (Some(gid), Some(c)) = (sub.glyph_index(cp), char::from_u32(cp)) {
                map.entry(gid.0).or_insert(c);
            }
        });
    }
    (!map.is_empty()).then_some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(name: &str, gbk_pairs: bool) -> Font {
        Font {
            name: Some(Rc::from(name)),
            to_unicode: None,
            kind: Kind::Simple {
                table: (0..=255u8)
                    .map(|b| BaseEncoding::WinAnsi.char_for(b).map(|c| c.to_string()))
                    .collect(),
                widths: vec![0.5; 256],
                gbk_pairs,
            },
        }
    }

    fn texts(font: &Font, bytes: &[u8]) -> Vec<Option<String>> {
        let mut out = Vec::new();
        let doc = super::super::store::Store::whole(lopdf::Document::new());
        let obj = Objects {
            doc: &doc,
            max_stream_bytes: 1 << 20,
            cancel: &crate::ingest::Cancel::never(),
        };
        font.decode(&obj, bytes, &mut out);
        out.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn gbk_base_font_names_decode() {
        assert_eq!(font_name(b"ABCDEE+\xcb\xce\xcc\xe5"), "宋体");
        assert_eq!(font_name(b"\xb7\xc2\xcb\xce_GB2312"), "仿宋_GB2312");
        assert_eq!(font_name(b"TimesNewRomanPSMT"), "TimesNewRomanPSMT");
        assert_eq!(font_name(b"ABCDEE+Calibri"), "Calibri");
    }

    #[test]
    fn gbk_pairs_in_a_winansi_chinese_font() {
        let f = simple("宋体", true);
        // 合计 in GBK is BA CF BC C6, then an ASCII digit.
        assert_eq!(
            texts(&f, b"\xba\xcf\xbc\xc61"),
            vec![
                Some("合".to_string()),
                Some("计".to_string()),
                Some("1".to_string())
            ]
        );
        let f = simple("Times New Roman", false);
        assert_eq!(texts(&f, b"\xe9"), vec![Some("é".to_string())]);
    }

    #[test]
    fn gbk_euc_codes_split_by_lead_byte() {
        let f = Font {
            name: None,
            to_unicode: None,
            kind: Kind::Composite {
                split: Box::new(CodeSplit::Gbk { four: false }),
                text: EncodingText::Gb,
                identity: false,
                widths: CidWidths {
                    default: 1.0,
                    ..CidWidths::default()
                },
                vertical: false,
                cid_to_gid: None,
                program: None,
                gid_chars: OnceCell::new(),
            },
        };
        let mut out = Vec::new();
        let doc = super::super::store::Store::whole(lopdf::Document::new());
        let obj = Objects {
            doc: &doc,
            max_stream_bytes: 1 << 20,
            cancel: &crate::ingest::Cancel::never(),
        };
        f.decode(&obj, b"12\xd6\xa7\xb3\xf6", &mut out);
        let t: String = out.iter().filter_map(|c| c.text.clone()).collect();
        assert_eq!(t, "12支出");
        assert_eq!(out[0].width, 0.5);
        assert_eq!(out[2].width, 1.0);
    }
}
