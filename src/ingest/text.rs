//! Text ingestion: bytes of a `.txt` report → [`Document`] of pages of plain lines.
//!
//! In: raw bytes. Out: a [`Document`] whose format records the encoding used. Decoding order: a BOM
//! (UTF-8, UTF-16LE/BE), then strict UTF-8, then UTF-16 without BOM when the NUL pattern says so, then
//! GB18030 (a superset of GBK) when it decodes without errors. Anything else is
//! `unreadable_encoding`. CRLF and CR line ends become LF. Form feeds and printed page footers (a line
//! that is only `— 19 —`, `- 19 -`, `第19页` or `19/40`) end a page; the footer's number becomes the page's
//! `printed_number` and leaves the text.
//!
//! Not here: normalisation for matching, paragraphs, sections.

use std::sync::LazyLock;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use regex::Regex;

use crate::document::{Document, Format, Line, Page, TextQuality};
use crate::error::IngestError;

static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[—–\-－]+\s*(\d{1,4})\s*[—–\-－]+|第\s*(\d{1,4})\s*页(?:\s*共\s*\d+\s*页)?|(\d{1,4})\s*/\s*\d{1,4})\s*$")
        .expect("footer regex is valid")
});

/// Decodes and paginates a text report.
pub fn read(bytes: &[u8]) -> Result<Document, IngestError> {
    let (text, encoding) = decode(bytes)?;
    let mut doc = Document {
        format: Format::Text {
            encoding: encoding.to_string(),
        },
        pages: paginate(&text),
        text_quality: TextQuality::default(),
        warnings: Vec::new(),
    };
    doc.recount_text_quality();
    Ok(doc)
}

/// Decodes bytes to a string and names the encoding used.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), IngestError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(IngestError::UnreadableEncoding(format!(
                "{} byte-order mark, but the bytes are not valid {}",
                enc.name(),
                enc.name()
            )));
        }
        return Ok((text.into_owned(), enc.name()));
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return check_textual(text.into_owned(), enc.name());
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        if !looks_like_gb18030_in_utf8_clothing(s, bytes) {
            return check_textual(s.to_string(), UTF_8.name());
        }
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    if !had_errors {
        return check_textual(text.into_owned(), GB18030.name());
    }
    Err(IngestError::UnreadableEncoding(
        "not UTF-8, UTF-16 or GB18030 (invalid byte sequences)".to_string(),
    ))
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
fn check_textual(
    text: String,
    encoding: &'static str,
) -> Result<(String, &'static str), IngestError> {
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
    Ok((text, encoding))
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
fn paginate(text: &str) -> Vec<Page> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut pages = vec![Page::new(1)];
    for raw_line in text.split('\n') {
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
                let next = pages.len() as u32 + 1;
                pages.push(Page::new(next));
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
                    .is_some_and(|p| p.lines.iter().all(|l| l.text.trim().is_empty()));
                if !just_broke {
                    let next = pages.len() as u32 + 1;
                    pages.push(Page::new(next));
                }
            }
        }
    }
    // A trailing footer or form feed leaves an empty last page: drop it.
    while pages.len() > 1
        && pages
            .last()
            .is_some_and(|p| p.lines.iter().all(|l| l.text.trim().is_empty()))
    {
        pages.pop();
    }
    pages
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
        assert_eq!(footer_then_ff[1].lines[0].text, "二");
        assert_eq!(footer_then_ff[1].printed_number.as_deref(), Some("2"));
        let texts: Vec<Vec<&str>> = pages
            .iter()
            .map(|p| p.lines.iter().map(|l| l.text.as_str()).collect())
            .collect();
        assert_eq!(texts, vec![vec!["一", "二"], vec!["三"], vec!["四"]]);
        assert_eq!(pages[0].printed_number.as_deref(), Some("19"));
        assert_eq!(pages[2].printed_number.as_deref(), Some("5"));
        assert_eq!(pages[2].number, 3);
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
