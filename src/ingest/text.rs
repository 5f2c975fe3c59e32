//! Text ingestion: bytes of a `.txt` report → [`Document`] of pages of plain lines.
//!
//! In: raw bytes. Out: a [`Document`] whose format records the encoding used. Decoding order: a BOM
//! (UTF-8, UTF-16LE/BE), then strict UTF-8, then UTF-16 without BOM when the NUL pattern says so, then
//! GB18030 (a superset of GBK) when it decodes without errors. When none decodes cleanly, the text is
//! decoded lossily with whichever of UTF-8 and GB18030 meets fewer invalid sequences (at most one in
//! 50 characters; each becomes U+FFFD), and the document carries an `invalid_bytes` warning (its
//! status becomes `partial`). Anything worse is `unreadable_encoding`; a text with nothing but
//! whitespace, form feeds and byte-order marks is `empty`. CRLF and CR line ends become LF. Form
//! feeds and printed page footers (a line that is only `— 19 —`, `- 19 -`, `第19页` or `19/40`) end a
//! page; the footer's number becomes the page's `printed_number` and leaves the text.
//!
//! Memory: valid UTF-8 is read in place (borrowed, not copied), the decoded text is split into lines
//! in place (no copy per line-end style), and each finished page's lines are moved to a list of
//! their length (a new allocation: shrinking in place may keep the block), so a text costs about
//! its decoded size plus its lines while it is read, and its lines after.
//!
//! Not here: normalisation for matching, paragraphs, sections.

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use regex::Regex;

use crate::document::{Document, Format, Line, Page, TextQuality, Warning, WarningCode};
use crate::error::IngestError;
use crate::ingest::Cancel;

static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    crate::patterns::bounded_regex(r"^\s*(?:[—–\-－]+\s*(\d{1,4})\s*[—–\-－]+|第\s*(\d{1,4})\s*页(?:\s*共\s*\d+\s*页)?|(\d{1,4})\s*/\s*\d{1,4})\s*$")
        .expect("footer regex is valid")
});

/// Lines paginated between two looks at the cancellation flag.
const LINES_PER_CHECK: usize = 1 << 14;

/// A decoded text: the string, the encoding used and how many invalid sequences became U+FFFD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Borrowed from the input when it is valid UTF-8 (no copy of a large text).
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
    pub invalid: usize,
}

/// Decodes and paginates a text report.
pub fn read(bytes: &[u8]) -> Result<Document, IngestError> {
    read_with(bytes, &Cancel::never())
}

/// [`read`], stopping once `cancel` fires.
pub fn read_with(bytes: &[u8], cancel: &Cancel) -> Result<Document, IngestError> {
    let decoded = decode_lossy(bytes)?;
    if decoded
        .text
        .chars()
        .all(|c| c.is_whitespace() || c == '\u{FEFF}')
    {
        return Err(IngestError::Empty);
    }
    cancel.check()?;
    let mut warnings = Vec::new();
    if decoded.invalid > 0 {
        warnings.push(Warning::new(
            WarningCode::InvalidBytes,
            format!(
                "{} invalid byte sequences replaced by U+FFFD while decoding as {}",
                decoded.invalid, decoded.encoding
            ),
            None,
        ));
    }
    let pages = paginate_with(&decoded.text, cancel)?;
    drop(decoded.text);
    let mut doc = Document {
        format: Format::Text {
            encoding: decoded.encoding.to_string(),
        },
        pages,
        text_quality: TextQuality::default(),
        warnings,
    };
    doc.recount_text_quality();
    Ok(doc)
}

/// Decodes bytes to a string and names the encoding used (lossily when nothing decodes cleanly: see
/// [`decode_lossy`]).
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), IngestError> {
    decode_lossy(bytes).map(|d| (d.text.into_owned(), d.encoding))
}

/// Decodes bytes, strictly when some encoding reads them without error, else lossily.
pub fn decode_lossy(bytes: &[u8]) -> Result<Decoded<'_>, IngestError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let invalid = if had_errors { replacements(&text) } else { 0 };
        let chars = text.chars().count();
        if invalid * 50 > chars.max(1) {
            return Err(IngestError::UnreadableEncoding(format!(
                "{} byte-order mark, but {invalid} byte sequences are not valid {}",
                enc.name(),
                enc.name()
            )));
        }
        check_textual(&text, enc.name())?;
        return Ok(Decoded {
            text,
            encoding: enc.name(),
            invalid,
        });
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return clean(text, enc.name());
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        if !looks_like_gb18030_in_utf8_clothing(s, bytes) {
            return clean(Cow::Borrowed(s), UTF_8.name());
        }
    }
    let (gb, gb_errors) = GB18030.decode_without_bom_handling(bytes);
    if !gb_errors {
        return clean(gb, GB18030.name());
    }
    // Nothing decodes cleanly: the reading with fewer invalid sequences, if they are rare.
    let gb_invalid = replacements(&gb);
    let utf8 = String::from_utf8_lossy(bytes);
    let utf8_invalid = replacements(&utf8);
    let (text, encoding, invalid) = if utf8_invalid <= gb_invalid {
        (utf8, UTF_8.name(), utf8_invalid)
    } else {
        (gb, GB18030.name(), gb_invalid)
    };
    let chars = text.chars().count();
    if invalid * 50 > chars.max(1) {
        return Err(IngestError::UnreadableEncoding(format!(
            "not UTF-8, UTF-16 or GB18030 ({invalid} invalid byte sequences in {chars} characters)"
        )));
    }
    check_textual(&text, encoding)?;
    Ok(Decoded {
        text,
        encoding,
        invalid,
    })
}

/// A text that decoded without error, once it is known not to be binary data.
fn clean<'a>(text: Cow<'a, str>, encoding: &'static str) -> Result<Decoded<'a>, IngestError> {
    check_textual(&text, encoding)?;
    Ok(Decoded {
        text,
        encoding,
        invalid: 0,
    })
}

/// U+FFFD characters in a decoded text (each one an invalid sequence of the input).
fn replacements(text: &str) -> usize {
    text.chars().filter(|&c| c == '\u{FFFD}').count()
}

/// Short GB18030 text can also be valid UTF-8 (`统` is `CD B3`, which UTF-8 reads as `ͳ`). A Chinese
/// report in UTF-8 has CJK characters; when the UTF-8 reading has none but has characters from the
/// two-byte range (Latin-1 supplement, Greek, Cyrillic, C1 controls) and the GB18030 reading is clean
/// and has CJK, the bytes are GB18030.
fn looks_like_gb18030_in_utf8_clothing(utf8: &str, bytes: &[u8]) -> bool {
    let mut two_byte = 0usize;
    for c in utf8.chars() {
        if crate::normalize::is_cjk(c) {
            return false;
        }
        if ('\u{80}'..='\u{7FF}').contains(&c) {
            two_byte += 1;
        }
    }
    if two_byte == 0 {
        return false;
    }
    let (gb, had_errors) = GB18030.decode_without_bom_handling(bytes);
    !had_errors && gb.chars().any(crate::normalize::is_cjk)
}

/// Rejects decoded text that is mostly control characters (binary data that happened to decode).
fn check_textual(text: &str, encoding: &'static str) -> Result<(), IngestError> {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(64 * 1024) {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}') {
            control += 1;
        }
    }
    if total > 0 && control * 20 > total {
        return Err(IngestError::UnreadableEncoding(format!(
            "decodes as {encoding} but {control} of the first {total} characters are control characters: binary data"
        )));
    }
    Ok(())
}

/// UTF-16 without a BOM: many NUL bytes at odd (LE) or even (BE) positions.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let pairs = sample.len() / 2;
    let nul_odd = sample.chunks_exact(2).filter(|p| p[1] == 0).count();
    let nul_even = sample.chunks_exact(2).filter(|p| p[0] == 0).count();
    if nul_odd * 3 > pairs && nul_even * 10 < pairs {
        Some(UTF_16LE)
    } else if nul_even * 3 > pairs && nul_odd * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Splits text into pages at form feeds and footer lines.
#[cfg(test)]
fn paginate(text: &str) -> Vec<Page> {
    paginate_with(text, &Cancel::never()).unwrap_or_default()
}

/// Splits text into pages at form feeds and footer lines; CRLF and lone CR end lines too.
fn paginate_with(text: &str, cancel: &Cancel) -> Result<Vec<Page>, IngestError> {
    let mut pages = vec![Page::new(1)];
    let lines = text
        .split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'));
    for (n, raw_line) in lines.enumerate() {
        if n.is_multiple_of(LINES_PER_CHECK) {
            cancel.check()?;
        }
        let mut parts = raw_line.split('\u{c}').peekable();
        while let Some(part) = parts.next() {
            if let Some(caps) = FOOTER.captures(part) {
                let number = caps
                    .iter()
                    .skip(1)
                    .flatten()
                    .next()
                    .map(|m| m.as_str().to_string());
                if let Some(page) = pages.last_mut() {
                    page.printed_number = number;
                }
                next_page(&mut pages);
            } else if let Some(page) = pages.last_mut() {
                // Blank lines at the top of a page carry nothing (a footer line is often followed by
                // an empty line and a form feed).
                if !(part.trim().is_empty() && page.lines.is_empty()) {
                    page.lines.push(Line::plain(part.trim_end()));
                }
            }
            if parts.peek().is_some() {
                // A form feed ends the page, unless the page has nothing yet (a footer just did).
                let just_broke = pages
                    .last()
                    .is_some_and(|p| p.lines.iter().all(|l| l.text().trim().is_empty()));
                if !just_broke {
                    next_page(&mut pages);
                }
            }
        }
    }
    // A trailing footer or form feed leaves an empty last page: drop it.
    while pages.len() > 1
        && pages
            .last()
            .is_some_and(|p| p.lines.iter().all(|l| l.text().trim().is_empty()))
    {
        pages.pop();
    }
    if let Some(page) = pages.last_mut() {
        fit(&mut page.lines);
    }
    pages.shrink_to_fit();
    Ok(pages)
}

/// Ends the current page (its line list cut to its length: a page's lines are final) and opens the
/// next one.
fn next_page(pages: &mut Vec<Page>) {
    if let Some(page) = pages.last_mut() {
        fit(&mut page.lines);
    }
    let next = pages.len() as u32 + 1;
    pages.push(Page::new(next));
}

/// Moves a finished page's lines into a list allocated at their number. Not `shrink_to_fit`: an
/// allocator may keep a block that shrinks by less than half where it is (mimalloc does), so a page
/// grown to 4096 line slots would go on holding them all.
fn fit(lines: &mut Vec<Line>) {
    if lines.len() < lines.capacity() {
        let mut exact = Vec::with_capacity(lines.len());
        exact.append(lines);
        *lines = exact;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_encoding() {
        let s = "收入总计 4193.92万元\n";
        let (t, e) = decode(s.as_bytes()).expect("utf-8");
        assert_eq!((t.as_str(), e), (s, "UTF-8"));
        let (gb, _, _) = GB18030.encode(s);
        let (t, e) = decode(&gb).expect("gb18030");
        assert_eq!((t.as_str(), e), (s, "gb18030"));
        // GB18030 bytes that are also valid UTF-8.
        for short in ["统", "聛", "统计"] {
            let (gb, _, _) = GB18030.encode(short);
            let (t, e) = decode(&gb).expect("gb18030");
            assert_eq!((t.as_str(), e), (short, "gb18030"));
        }
        let mut le = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let (t, e) = decode(&le).expect("utf-16le");
        assert_eq!((t.as_str(), e), (s, "UTF-16LE"));
        let be: Vec<u8> = "ab 12 cd\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let (t, e) = decode(&be).expect("utf-16be");
        assert_eq!((t.as_str(), e), ("ab 12 cd\n", "UTF-16BE"));
    }

    #[test]
    fn rejects_binary() {
        let bytes: Vec<u8> = (0u8..=255).cycle().take(4000).collect();
        let err = decode(&bytes).expect_err("binary");
        assert_eq!(err.code(), "unreadable_encoding");
    }

    #[test]
    fn footers_and_form_feeds_break_pages() {
        let pages = paginate("一\r\n二\n — 19 — \n三\u{c}四\n第 5 页\n");
        // A footer followed by a blank line and a form feed is one page break, not two.
        let footer_then_ff = paginate("一\n— 1 —\n\u{c}二\n— 2 —\n\n\u{c}三\n");
        assert_eq!(footer_then_ff.len(), 3);
        assert_eq!(footer_then_ff[1].lines[0].text(), "二");
        assert_eq!(footer_then_ff[1].printed_number.as_deref(), Some("2"));
        let texts: Vec<Vec<&str>> = pages
            .iter()
            .map(|p| p.lines.iter().map(|l| l.text()).collect())
            .collect();
        assert_eq!(texts, vec![vec!["一", "二"], vec!["三"], vec!["四"]]);
        assert_eq!(pages[0].printed_number.as_deref(), Some("19"));
        assert_eq!(pages[2].printed_number.as_deref(), Some("5"));
        assert_eq!(pages[2].number, 3);
    }

    #[test]
    fn finished_pages_hold_no_spare_line_slots() {
        let text = "一\n二\n三\n— 1 —\n四\n五\u{c}六";
        let pages = paginate(text);
        let lens: Vec<(usize, usize)> = pages
            .iter()
            .map(|p| (p.lines.len(), p.lines.capacity()))
            .collect();
        assert_eq!(lens, vec![(3, 3), (2, 2), (1, 1)]);
        assert_eq!(pages.capacity(), pages.len());
    }

    #[test]
    fn valid_utf8_is_read_in_place() {
        let s = "收入总计 4193.92万元\r\n";
        let d = decode_lossy(s.as_bytes()).expect("utf-8");
        assert!(matches!(d.text, Cow::Borrowed(_)));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(s.as_bytes());
        let d = decode_lossy(&bom).expect("utf-8 with a byte-order mark");
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert_eq!(d.text, s);
    }

    #[test]
    fn dash_ranges_inside_text_are_not_footers() {
        let pages = paginate("掌握 1—2 门职业技能\n");
        assert_eq!(pages.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_or_fail_cleanly(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = read(&bytes);
        }

        #[test]
        fn report_text_round_trips_through_every_encoding(s in "[一-龥0-9A-Za-z，。：；、（）%. \n]{1,200}") {
            let (gb, _, _) = GB18030.encode(&s);
            let (t, _) = decode(&gb).expect("gb18030 text decodes");
            proptest::prop_assert_eq!(&t, &s);
            let mut le = vec![0xFF, 0xFE];
            for u in s.encode_utf16() {
                le.extend_from_slice(&u.to_le_bytes());
            }
            let (t, e) = decode(&le).expect("utf-16 text decodes");
            proptest::prop_assert_eq!((t.as_str(), e), (s.as_str(), "UTF-16LE"));
        }
    }
}
