//! The source-agnostic document model every stage after ingestion works on.
//!
//! In: nothing (these are plain data types). Out: [`Document`] = pages of [`Line`]s, each line with its
//! raw text and, for PDFs, coordinates and positioned [`Segment`]s; plus the ruling [`Rule`]s of each page
//! for the table stage, the [`TextQuality`] counters and typed [`Warning`]s.
//!
//! Coordinates are display coordinates in PDF points after /Rotate and CropBox: origin at the top-left
//! of the visible page, x to the right, y downwards. Text documents have no coordinates (`None`).
//! Each PDF page keeps its [`PageGeometry`] (MediaBox, CropBox, /Rotate), which turns a display box
//! back into a [`BBox`] in the page's default user space, the space the output speaks.
//!
//! Not here: any parsing. Ingesters build these values; later stages only read them.

use serde::Serialize;

/// How the bytes of a document were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Format {
    /// A PDF file.
    Pdf,
    /// A text file, with the encoding it was decoded from (`UTF-8`, `UTF-16LE`, `GB18030`, ...).
    Text { encoding: String },
}

impl Format {
    /// `pdf` or `text`, as written in `documents.jsonl`.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Text { .. } => "text",
        }
    }
}

/// An axis-aligned box in display coordinates (points, y downwards).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    /// The smallest box holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
}

/// A box `[x0, y0, x1, y1]` in the default user space of a PDF page (points, y upwards, the
/// space of the page's content after the CTM, before /Rotate and CropBox are applied for display),
/// each number rounded to 0.01 and x0 <= x1, y0 <= y1. Written as a JSON array of four numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BBox(pub [f64; 4]);

impl BBox {
    /// The box with corners `(x0, y0)`, `(x1, y1)` in any order, rounded to 0.01.
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> BBox {
        let r = |v: f64| (v * 100.0).round() / 100.0;
        BBox([r(x0.min(x1)), r(y0.min(y1)), r(x0.max(x1)), r(y0.max(y1))])
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        let [a0, b0, a1, b1] = self.0;
        let [c0, d0, c1, d1] = other.0;
        BBox([a0.min(c0), b0.min(d0), a1.max(c1), b1.max(d1)])
    }

    /// True when `other` lies inside this box (with `tol` points of slack).
    pub fn contains(&self, other: &BBox, tol: f64) -> bool {
        let [a0, b0, a1, b1] = self.0;
        let [c0, d0, c1, d1] = other.0;
        c0 >= a0 - tol && d0 >= b0 - tol && c1 <= a1 + tol && d1 <= b1 + tol
    }
}

impl Serialize for BBox {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // `-0` would print as `-0.0`; boxes never need the sign of zero.
        s.collect_seq(self.0.iter().map(|v| if *v == 0.0 { 0.0 } else { *v }))
    }
}

/// Where a PDF page lies in its default user space: the MediaBox, the CropBox (clipped to the
/// MediaBox; the MediaBox when the page has none) and the /Rotate (0, 90, 180 or 270) used to turn
/// user space into the display coordinates of [`Rect`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageGeometry {
    pub media_box: [f32; 4],
    pub crop_box: [f32; 4],
    pub rotate: u16,
}

impl PageGeometry {
    /// A display box (origin top-left of the visible page, y down) in default user space: the
    /// inverse of the display transform of the CropBox and /Rotate, clipped to the CropBox (a glyph
    /// running over the page's edge is boxed where it is visible).
    pub fn to_user(&self, r: &Rect) -> BBox {
        let [cx0, cy0, cx1, cy1] = self.crop_box.map(f64::from);
        let point = |x: f32, y: f32| -> (f64, f64) {
            let (x, y) = (f64::from(x), f64::from(y));
            match self.rotate {
                90 => (y + cx0, x + cy0),
                180 => (cx1 - x, y + cy0),
                270 => (cx1 - y, cy1 - x),
                _ => (x + cx0, cy1 - y),
            }
        };
        let (ax, ay) = point(r.x0, r.y0);
        let (bx, by) = point(r.x1, r.y1);
        let clip = |v: f64, lo: f64, hi: f64| v.max(lo).min(hi);
        BBox::new(
            clip(ax, cx0, cx1),
            clip(ay, cy0, cy1),
            clip(bx, cx0, cx1),
            clip(by, cy0, cy1),
        )
    }

    /// The MediaBox as a [`BBox`].
    pub fn media(&self) -> BBox {
        let [a, b, c, d] = self.media_box.map(f64::from);
        BBox::new(a, b, c, d)
    }

    /// The CropBox as a [`BBox`].
    pub fn crop(&self) -> BBox {
        let [a, b, c, d] = self.crop_box.map(f64::from);
        BBox::new(a, b, c, d)
    }
}

/// A run of text on one line that was drawn contiguously (no large horizontal gap inside it).
/// Table extraction places segments into cells by their x-range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Text of the segment after glyph clean-up (fake bold removed, radicals folded).
    pub text: String,
    pub bbox: Rect,
    /// Font name as the PDF names it (GBK names decoded), if any.
    pub font: Option<String>,
    /// Font size in points after the text matrix and CTM, if known.
    pub size: f32,
    /// The display box of each character of `text`, in order (a space written between two glyphs
    /// spans the gap between them). Empty when unknown (hand-built segments): then positions inside
    /// the segment are estimated from its box.
    pub chars: Vec<Rect>,
}

impl Segment {
    /// The display box of the characters `from..to` (character indices into `text`); spaces at
    /// either end do not count. Without per-character boxes, estimated from the segment's box with
    /// CJK characters twice as wide as others.
    pub fn chars_box(&self, from: usize, to: usize) -> Option<Rect> {
        if from >= to {
            return None;
        }
        if !self.chars.is_empty() {
            return self
                .text
                .chars()
                .zip(&self.chars)
                .enumerate()
                .filter(|(i, (c, _))| *i >= from && *i < to && !c.is_whitespace())
                .map(|(_, (_, r))| *r)
                .reduce(|a, b| a.union(&b));
        }
        let weight = |c: char| {
            if crate::normalize::is_cjk(c) {
                2.0
            } else {
                1.0
            }
        };
        let total: f32 = self.text.chars().map(weight).sum();
        if total <= 0.0 {
            return None;
        }
        let per = self.bbox.width() / total;
        let mut x = self.bbox.x0;
        let mut out: Option<Rect> = None;
        for (i, c) in self.text.chars().enumerate() {
            let w = weight(c) * per;
            if i >= from && i < to && !c.is_whitespace() {
                let r = Rect {
                    x0: x,
                    x1: x + w,
                    ..self.bbox
                };
                out = Some(out.map_or(r, |o| o.union(&r)));
            }
            x += w;
        }
        out
    }
}

/// One printed line of a page, built by [`Line::new`] or [`Line::plain`], which also compute its
/// matching form once ([`Line::normalized`]); read through its accessors, never changed in place.
///
/// Memory: a document can hold millions of lines, so a text line is three words: its text and, where
/// it differs, its matching form share one allocation at their exact length. A PDF line, with a box
/// and segments, lives behind one pointer.
#[derive(Debug, Clone, PartialEq)]
pub struct Line(Repr);

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    /// A line without box or segments (text input).
    Plain(Texts),
    /// A drawn line (PDF).
    Placed(Box<Placed>),
}

/// A line's text, then its matching form when it differs from the text.
#[derive(Debug, Clone, PartialEq)]
struct Texts {
    buf: Box<str>,
    /// Byte offset in `buf` where the matching form starts: 0 when the form is the text itself (all
    /// of `buf`), else the text's length (the text is `buf[..form_at]`, the form the rest).
    form_at: u32,
}

/// Where a PDF line was drawn: its texts, box and positioned pieces.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    texts: Texts,
    bbox: Option<Rect>,
    segments: Box<[Segment]>,
}

impl Texts {
    fn new(text: String) -> Texts {
        let form = if crate::normalize::is_normal(&text) {
            None
        } else {
            Some(crate::normalize::normalize_line(&text)).filter(|f| *f != text)
        };
        // A line of 4 GiB cannot come from a readable input; were it to, its text would serve as
        // its own matching form.
        match (form, u32::try_from(text.len())) {
            (Some(form), Ok(at)) if at > 0 => {
                let mut buf = String::with_capacity(text.len() + form.len());
                buf.push_str(&text);
                buf.push_str(&form);
                Texts {
                    buf: buf.into_boxed_str(),
                    form_at: at,
                }
            }
            _ => Texts {
                buf: text.into_boxed_str(),
                form_at: 0,
            },
        }
    }

    fn text(&self) -> &str {
        match self.form_at {
            0 => &self.buf,
            at => self.buf.get(..at as usize).unwrap_or_default(),
        }
    }

    fn form(&self) -> &str {
        match self.form_at {
            0 => &self.buf,
            at => self.buf.get(at as usize..).unwrap_or_default(),
        }
    }
}

impl Serialize for Line {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Line", 3)?;
        st.serialize_field("text", self.text())?;
        st.serialize_field("bbox", &self.bbox())?;
        st.serialize_field("segments", self.segments())?;
        st.end()
    }
}

impl Line {
    /// A line of text `text` with its box and segments; its matching form is computed here.
    pub fn new(text: impl Into<String>, bbox: Option<Rect>, segments: Vec<Segment>) -> Line {
        let texts = Texts::new(text.into());
        if bbox.is_none() && segments.is_empty() {
            Line(Repr::Plain(texts))
        } else {
            Line(Repr::Placed(Box::new(Placed {
                texts,
                bbox,
                segments: segments.into_boxed_slice(),
            })))
        }
    }

    fn texts(&self) -> &Texts {
        match &self.0 {
            Repr::Plain(t) => t,
            Repr::Placed(p) => &p.texts,
        }
    }

    /// The line's text as extracted (for PDFs: segments joined, with one space where there is a
    /// visible gap between segments; never a space between two CJK characters).
    pub fn text(&self) -> &str {
        self.texts().text()
    }

    /// Box of the whole line (PDF only).
    pub fn bbox(&self) -> Option<Rect> {
        match &self.0 {
            Repr::Plain(_) => None,
            Repr::Placed(p) => p.bbox,
        }
    }

    /// The positioned pieces of the line (PDF only; empty for text input).
    pub fn segments(&self) -> &[Segment] {
        match &self.0 {
            Repr::Plain(_) => &[],
            Repr::Placed(p) => &p.segments,
        }
    }

    /// The line's text in matching form (full-width folded, radicals unified, whitespace gone but
    /// between two ASCII words): what [`crate::normalize::normalize_line`] gives for `text`, computed
    /// once when the line was built.
    pub fn normalized(&self) -> &str {
        self.texts().form()
    }

    /// The display box of the characters `from..to` of `text` (character indices), where the line
    /// has segments: `text` is the segments' texts joined with one space.
    pub fn chars_box(&self, from: usize, to: usize) -> Option<Rect> {
        let mut start = 0;
        let mut out: Option<Rect> = None;
        for seg in self.segments() {
            let n = seg.text.chars().count();
            let (a, b) = (from.max(start), to.min(start + n));
            if a < b {
                if let Some(r) = seg.chars_box(a - start, b - start) {
                    out = Some(out.map_or(r, |o| o.union(&r)));
                }
            }
            start += n + 1;
        }
        out
    }

    /// A line of a text document: no coordinates, no segments.
    pub fn plain(text: impl Into<String>) -> Line {
        Line::new(text, None, Vec::new())
    }
}

/// A straight ruling edge (a stroked line or a thin filled rectangle), horizontal or vertical, in
/// display coordinates. The table stage builds grids from these.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    pub fn is_horizontal(&self) -> bool {
        (self.y1 - self.y0).abs() <= (self.x1 - self.x0).abs()
    }
}

/// One page of a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// 1-based index of the page in the file.
    pub number: u32,
    /// The page number printed in a running footer or header (`— 19 —`, `12`), if one was found and
    /// removed from the lines.
    pub printed_number: Option<String>,
    /// Display width and height in points (0 for text input).
    pub width: f32,
    pub height: f32,
    /// Lines in reading order (top to bottom; left to right within a line).
    pub lines: Vec<Line>,
    /// Ruling edges (PDF only).
    pub rules: Vec<Rule>,
    /// False when the page draws content but has no extractable text (glyphs as paths, scanned image).
    pub has_text_layer: bool,
    /// MediaBox, CropBox and /Rotate of a PDF page (None for text input).
    pub geometry: Option<PageGeometry>,
}

impl Page {
    /// An empty page numbered `number`.
    pub fn new(number: u32) -> Page {
        Page {
            number,
            printed_number: None,
            width: 0.0,
            height: 0.0,
            lines: Vec::new(),
            rules: Vec::new(),
            has_text_layer: true,
            geometry: None,
        }
    }

    /// A display box of this page in default user space (None for text input).
    pub fn user_box(&self, r: &Rect) -> Option<BBox> {
        self.geometry.map(|g| g.to_user(r))
    }
}

/// Per-document counters of how trustworthy the text layer is. Written to `documents.jsonl`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TextQuality {
    /// Characters of text (without whitespace).
    pub characters: u64,
    /// Glyphs whose code could not be mapped to Unicode (counted, never guessed).
    pub unmapped_glyphs: u64,
    /// Private-use characters left in the text.
    pub private_use: u64,
    /// U+FFFD replacement characters left in the text.
    pub replacement: u64,
    /// Pages with drawn content but no text layer.
    pub pages_without_text: u64,
    /// Fake-bold duplicate glyphs removed.
    pub fake_bold_removed: u64,
    /// Invisible (render mode 3) glyphs kept apart from the text.
    pub invisible_glyphs: u64,
}

/// The stable code of a [`Warning`], written in `documents.jsonl` as its snake_case name. The list:
///
/// | code | meaning |
/// | --- | --- |
/// | `truncated` | the file is cut short or damaged: read as far as it goes |
/// | `xref_repaired` | the cross-reference table (or trailer, or a stream's `/Length`) was rebuilt from the objects found |
/// | `stream_decode` | a content stream (of a page or a form XObject) could not be decoded: skipped |
/// | `bad_token` | unreadable tokens in a content stream, skipped |
/// | `operation_limit` | a content stream with too many operators: the rest of the page is skipped |
/// | `missing_font` | a text operator names a font the resources do not hold |
/// | `xobject_recursion` | form XObjects nested too deep or cyclic |
/// | `unmapped_glyphs` | glyphs with no Unicode meaning (left out of the text) |
/// | `private_use_dropped` | private-use glyphs with no standard meaning left out of the text |
/// | `invalid_bytes` | text input: invalid byte sequences replaced by U+FFFD |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    Truncated,
    XrefRepaired,
    StreamDecode,
    BadToken,
    OperationLimit,
    MissingFont,
    XobjectRecursion,
    UnmappedGlyphs,
    PrivateUseDropped,
    InvalidBytes,
}

impl WarningCode {
    /// Every code, in the order of the list above.
    pub const ALL: [WarningCode; 10] = [
        WarningCode::Truncated,
        WarningCode::XrefRepaired,
        WarningCode::StreamDecode,
        WarningCode::BadToken,
        WarningCode::OperationLimit,
        WarningCode::MissingFont,
        WarningCode::XobjectRecursion,
        WarningCode::UnmappedGlyphs,
        WarningCode::PrivateUseDropped,
        WarningCode::InvalidBytes,
    ];

    /// The code as written (`xref_repaired`).
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::Truncated => "truncated",
            WarningCode::XrefRepaired => "xref_repaired",
            WarningCode::StreamDecode => "stream_decode",
            WarningCode::BadToken => "bad_token",
            WarningCode::OperationLimit => "operation_limit",
            WarningCode::MissingFont => "missing_font",
            WarningCode::XobjectRecursion => "xobject_recursion",
            WarningCode::UnmappedGlyphs => "unmapped_glyphs",
            WarningCode::PrivateUseDropped => "private_use_dropped",
            WarningCode::InvalidBytes => "invalid_bytes",
        }
    }
}

impl std::fmt::Display for WarningCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-fatal problem met while reading or interpreting a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable code (see [`WarningCode`] for the list).
    pub code: WarningCode,
    pub message: String,
    /// 1-based page, when the warning belongs to one.
    pub page: Option<u32>,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>, page: Option<u32>) -> Warning {
        Warning {
            code,
            message: message.into(),
            page,
        }
    }
}

/// A whole input after ingestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub format: Format,
    pub pages: Vec<Page>,
    pub text_quality: TextQuality,
    pub warnings: Vec<Warning>,
}

impl Document {
    /// A UTF-8 text document of plain lines, one slice of lines per page (for tests and tools that
    /// build documents by hand).
    pub fn from_text_pages(pages: &[&[&str]]) -> Document {
        Document {
            format: Format::Text {
                encoding: "UTF-8".to_string(),
            },
            pages: pages
                .iter()
                .enumerate()
                .map(|(i, lines)| {
                    let mut page = Page::new(i as u32 + 1);
                    page.lines = lines.iter().map(|l| Line::plain(*l)).collect();
                    page
                })
                .collect(),
            text_quality: TextQuality::default(),
            warnings: Vec::new(),
        }
    }

    /// Recounts the character-level fields of [`TextQuality`] from the page text (characters, private
    /// use, replacement, pages without text). Ingesters call it once at the end.
    pub fn recount_text_quality(&mut self) {
        let mut q = TextQuality {
            unmapped_glyphs: self.text_quality.unmapped_glyphs,
            fake_bold_removed: self.text_quality.fake_bold_removed,
            invisible_glyphs: self.text_quality.invisible_glyphs,
            ..TextQuality::default()
        };
        for page in &self.pages {
            if !page.has_text_layer {
                q.pages_without_text += 1;
            }
            for line in &page.lines {
                for c in line.text().chars() {
                    if c.is_whitespace() {
                        continue;
                    }
                    q.characters += 1;
                    if is_private_use(c) {
                        q.private_use += 1;
                    }
                    if c == '\u{FFFD}' {
                        q.replacement += 1;
                    }
                }
            }
        }
        self.text_quality = q;
    }
}

/// True for code points in the Unicode private-use areas (BMP and planes 15-16).
pub fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_keeps_its_matching_form_only_where_it_differs() {
        // (text, matching form, whether the line holds the form apart from its text)
        let cases = [
            ("", "", false),
            ("收入总计4193.92万元", "收入总计4193.92万元", false),
            ("收入总计 4193.92 万元", "收入总计4193.92万元", true),
            ("（一）基本支出", "(一)基本支出", true),
            ("２０２４年", "2024年", true),
            ("⼀般公共预算", "一般公共预算", true),
            ("2.35 2.35", "2.35 2.35", false),
            ("   ", "", true),
            ("\u{3000}合计", "合计", true),
        ];
        for (text, form, apart) in cases {
            let line = Line::plain(text);
            assert_eq!(line.normalized(), form, "{text:?}");
            assert_eq!(line.normalized(), crate::normalize::normalize_line(text));
            assert_eq!(line.text(), text);
            let Repr::Plain(texts) = &line.0 else {
                panic!("a plain line has no box: {text:?}");
            };
            assert_eq!(texts.form_at != 0, apart, "{text:?}");
            let held = if apart {
                text.len() + form.len()
            } else {
                text.len()
            };
            assert_eq!(texts.buf.len(), held, "{text:?}");
            assert!(line.segments().is_empty() && line.bbox().is_none());
        }
        // A text report of 200 MB has about ten million lines: each byte of a line counts.
        assert_eq!(std::mem::size_of::<Line>(), 24);
    }

    #[test]
    fn a_drawn_line_keeps_its_box_segments_and_forms() {
        let r = Rect {
            x0: 10.0,
            y0: 20.0,
            x1: 90.0,
            y1: 32.0,
        };
        let seg = Segment {
            text: "（一） 基本支出".to_string(),
            bbox: r,
            font: None,
            size: 12.0,
            chars: Vec::new(),
        };
        let line = Line::new("（一） 基本支出", Some(r), vec![seg.clone()]);
        assert_eq!(line.text(), "（一） 基本支出");
        assert_eq!(line.normalized(), "(一)基本支出");
        assert_eq!(line.bbox(), Some(r));
        assert_eq!(line.segments(), &[seg][..]);
        let json = serde_json::to_value(&line).expect("serialises");
        assert_eq!(json["text"], "（一） 基本支出");
        assert_eq!(json["bbox"]["x1"], 90.0);
        assert_eq!(json["segments"].as_array().map(Vec::len), Some(1));
        // A box alone is kept too.
        let boxed = Line::new("合计", Some(r), Vec::new());
        assert_eq!((boxed.bbox(), boxed.segments().len()), (Some(r), 0));
    }

    #[test]
    fn warning_codes_are_written_as_their_names() {
        for code in WarningCode::ALL {
            let json = serde_json::to_string(&code).expect("serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        let w = Warning::new(WarningCode::XrefRepaired, "rebuilt", None);
        assert_eq!(
            serde_json::to_string(&w).expect("serialises"),
            r#"{"code":"xref_repaired","message":"rebuilt","page":null}"#
        );
    }
}
