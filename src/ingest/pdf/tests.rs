//! Tests of the whole PDF reader on small documents built here: text, rotation, footers, forms,
//! errors, and byte mutations that must never panic.

use lopdf::{dictionary, Document as PdfDoc, Object, Stream};
use proptest::prelude::*;

use super::read;
use crate::document::WarningCode;
use crate::ingest::Limits;

/// A one-font PDF: each entry of `pages` is (content stream, /Rotate).
fn build(pages: &[(&str, i64)]) -> Vec<u8> {
    build_with(pages, None)
}

fn build_with(pages: &[(&str, i64)], encrypt: Option<lopdf::Dictionary>) -> Vec<u8> {
    let mut doc = PdfDoc::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let form_id = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 0.into(), 100.into()],
        },
        b"BT /F1 10 Tf 72 500 Td (Form) Tj ET".to_vec(),
    ));
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
        "XObject" => dictionary! { "X1" => form_id },
    });
    let mut kids = Vec::new();
    for (content, rotate) in pages {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Rotate" => *rotate,
        });
        kids.push(Object::from(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    if let Some(e) = encrypt {
        let id = doc.add_object(e);
        doc.trailer.set("Encrypt", id);
        doc.trailer.set(
            "ID",
            vec![
                Object::string_literal(b"0123456789abcdef".to_vec()),
                Object::string_literal(b"0123456789abcdef".to_vec()),
            ],
        );
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap_or_default();
    out
}

fn sample() -> Vec<u8> {
    build(&[
        (
            "BT /F1 12 Tf 72 770 Td (Total) Tj 100 0 Td (1,234.50) Tj ET \
             0 0 0 RG 70 700 m 400 700 l S 70 650 330 0.5 re f \
             BT /F1 10 Tf 290 30 Td (- 7 -) Tj ET /X1 Do",
            0,
        ),
        (
            "BT /F1 12 Tf 0 1 -1 0 300 100 Tm [(Rot) -200 (ated)] TJ ET",
            90,
        ),
    ])
}

#[test]
fn reads_text_rules_footer_and_forms() {
    let doc = read(&sample(), &Limits::default());
    let doc = match doc {
        Ok(d) => d,
        Err(e) => panic!("sample must read: {e}"),
    };
    assert_eq!(doc.pages.len(), 2);
    let p1 = &doc.pages[0];
    let texts: Vec<&str> = p1.lines.iter().map(|l| l.text()).collect();
    assert_eq!(texts, vec!["Total 1,234.50", "Form"]);
    assert_eq!(p1.lines[0].segments().len(), 2);
    assert_eq!(p1.printed_number.as_deref(), Some("7"));
    assert_eq!(p1.rules.len(), 2);
    let bbox = p1.lines[0].bbox().unwrap_or_default();
    assert!((bbox.y1 - (842.0 - 770.0 + 2.4)).abs() < 0.5, "{bbox:?}");
    // The form is drawn 100 pt higher than its content says.
    let form = p1.lines[1].bbox().unwrap_or_default();
    assert!((form.y1 - (842.0 - 600.0 + 2.0)).abs() < 0.5, "{form:?}");
    let p2 = &doc.pages[1];
    assert_eq!((p2.width, p2.height), (842.0, 595.0));
    assert_eq!(p2.lines[0].text(), "Rot ated");
}

#[test]
fn self_drawing_form_stops() {
    let mut doc = PdfDoc::with_version("1.5");
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let form_id = doc.new_object_id();
    let resources = dictionary! {
        "Font" => dictionary! { "F1" => font_id },
        "XObject" => dictionary! { "X1" => form_id },
    };
    doc.objects.insert(
        form_id,
        Object::Stream(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "Resources" => resources.clone() },
            b"BT /F1 10 Tf 72 700 Td (Loop) Tj ET /X1 Do".to_vec(),
        )),
    );
    let content_id = doc.add_object(Stream::new(dictionary! {}, b"/X1 Do".to_vec()));
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap_or_default();
    let doc = match read(&bytes, &Limits::default()) {
        Ok(d) => d,
        Err(e) => panic!("must read: {e}"),
    };
    assert_eq!(doc.pages[0].lines.len(), 1);
    assert_eq!(doc.pages[0].lines[0].text(), "Loop");
    assert!(doc
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::XobjectRecursion));
}

#[test]
fn no_text_is_no_text_layer() {
    let bytes = build(&[("0 0 m 100 100 l 50 0 l f", 0)]);
    let err = read(&bytes, &Limits::default()).err().map(|e| e.code());
    assert_eq!(err, Some("no_text_layer"));
}

#[test]
fn garbage_is_not_pdf_or_truncated() {
    let e = read(b"hello", &Limits::default()).err().map(|e| e.code());
    assert_eq!(e, Some("not_pdf"));
    let e = read(b"%PDF-1.4\n1 0 obj <<", &Limits::default())
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some("truncated"));
}

#[test]
fn password_protected_is_encrypted() {
    let encrypt = dictionary! {
        "Filter" => "Standard",
        "V" => 2,
        "R" => 3,
        "Length" => 128,
        "O" => Object::string_literal(vec![7u8; 32]),
        "U" => Object::string_literal(vec![9u8; 32]),
        "P" => -4,
    };
    let bytes = build_with(
        &[("BT /F1 12 Tf 72 770 Td (Secret) Tj ET", 0)],
        Some(encrypt),
    );
    let e = read(&bytes, &Limits::default()).err().map(|e| e.code());
    assert_eq!(e, Some("encrypted"));
}

/// The sample encrypted by lopdf (RC4, 128 bits) with the given user password.
fn encrypted_sample(user_password: &str) -> Vec<u8> {
    let Ok(mut doc) = PdfDoc::load_mem(&sample()) else {
        return Vec::new();
    };
    doc.trailer.set(
        "ID",
        vec![
            Object::string_literal(b"0123456789abcdef".to_vec()),
            Object::string_literal(b"0123456789abcdef".to_vec()),
        ],
    );
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    };
    let Ok(state) = lopdf::EncryptionState::try_from(version) else {
        return Vec::new();
    };
    if doc.encrypt(&state).is_err() {
        return Vec::new();
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap_or_default();
    out
}

#[test]
fn empty_password_opens_and_other_passwords_do_not() {
    let open = encrypted_sample("");
    assert!(open.windows(8).any(|w| w == b"/Encrypt"));
    let doc = read(&open, &Limits::default());
    let doc = match doc {
        Ok(d) => d,
        Err(e) => panic!("empty-password file must read: {e}"),
    };
    assert_eq!(doc.pages[0].lines[0].text(), "Total 1,234.50");
    let locked = encrypted_sample("secret");
    let e = read(&locked, &Limits::default()).err().map(|e| e.code());
    assert_eq!(e, Some("encrypted"));
}

#[test]
fn stream_limit_is_too_large() {
    let limits = Limits {
        max_stream_bytes: 20,
        ..Limits::default()
    };
    let e = read(&sample(), &limits).err().map(|e| e.code());
    assert_eq!(e, Some("too_large"));
}

#[test]
fn bad_tokens_are_skipped() {
    let bytes = build(&[("BT /F1 12 Tf 72 770 Td ) } (Still) Tj 1.2.3 ET", 0)]);
    let doc = read(&bytes, &Limits::default());
    let doc = match doc {
        Ok(d) => d,
        Err(e) => panic!("must read: {e}"),
    };
    assert_eq!(doc.pages[0].lines[0].text(), "Still");
    assert!(doc.warnings.iter().any(|w| w.code == WarningCode::BadToken));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]
    #[test]
    fn mutated_bytes_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let mut bytes = sample();
        for (pos, val) in edits {
            let n = bytes.len();
            if let Some(b) = bytes.get_mut(pos % n) {
                *b = val;
            }
        }
        if cut % 4 == 0 {
            let n = bytes.len();
            bytes.truncate(cut % n);
        }
        let _ = read(&bytes, &Limits::default());
    }
}

/// Pieces of content-stream syntax, valid and broken, for generated streams.
const CONTENT_TOKENS: &[&str] = &[
    "BT",
    "ET",
    "q",
    "Q",
    "cm",
    "Tm",
    "Td",
    "TD",
    "T*",
    "Tj",
    "TJ",
    "'",
    "\"",
    "Tf",
    "Tc",
    "Tw",
    "Tz",
    "TL",
    "Ts",
    "Tr",
    "re",
    "m",
    "l",
    "c",
    "v",
    "y",
    "h",
    "S",
    "s",
    "f",
    "f*",
    "B",
    "b",
    "n",
    "W",
    "Do",
    "BI",
    "ID",
    "EI",
    "g",
    "rg",
    "k",
    "sc",
    "scn",
    "cs",
    "/F1",
    "/X1",
    "/Nope",
    "0",
    "1",
    "-3.5",
    "1e30",
    "99999999999",
    "0.0001",
    "(abc)",
    "(\\(x\\))",
    "<4142>",
    "<<",
    ">>",
    "[",
    "]",
    "{",
    "}",
    ")",
    "(",
    "<",
    ">",
    "%c\n",
    "1.2.3",
    "--4",
    "true",
    "null",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
    #[test]
    fn generated_content_streams_never_panic(picks in proptest::collection::vec(0usize..1000, 0..200)) {
        let content: Vec<&str> = picks.iter().map(|i| CONTENT_TOKENS[i % CONTENT_TOKENS.len()]).collect();
        let content = format!("BT /F1 12 Tf 72 700 Td (a) Tj ET {}", content.join(" "));
        let bytes = build(&[(&content, 0)]);
        let _ = read(&bytes, &Limits::default());
    }

    #[test]
    fn cmap_parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..400), codes in proptest::collection::vec(any::<u8>(), 0..16)) {
        let mut program = b"1 begincodespacerange <00> <FF> endcodespacerange 2 beginbfrange ".to_vec();
        program.extend(data);
        let map = super::cmap::CMap::parse(&program);
        let n = map.code_len(&codes);
        prop_assert!(n >= 1);
        for len in 1..=4u8 {
            let _ = map.unicode(len, super::cmap::code_value(&codes));
            let _ = map.cid(len, super::cmap::code_value(&codes));
        }
    }
}

/// [`sample`] written with a classic cross-reference table (`xref` … `trailer`).
fn classic_sample() -> Vec<u8> {
    let Ok(mut doc) = PdfDoc::load_mem(&sample()) else {
        return Vec::new();
    };
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap_or_default();
    out
}

/// Replaces the first occurrence of `from` after `after` with `to`.
fn replace_first(bytes: &[u8], after: usize, from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes[after..]
        .windows(from.len())
        .position(|w| w == from)
        .map(|p| p + after)
        .unwrap_or(bytes.len());
    let mut out = bytes[..at.min(bytes.len())].to_vec();
    if at < bytes.len() {
        out.extend_from_slice(to);
        out.extend_from_slice(&bytes[at + from.len()..]);
    }
    out
}

fn first_text(bytes: &[u8]) -> Result<(String, Vec<String>), String> {
    let doc = read(bytes, &Limits::default()).map_err(|e| format!("{}: {e}", e.code()))?;
    let text = doc
        .pages
        .first()
        .and_then(|p| p.lines.first())
        .map(|l| l.text().to_string())
        .unwrap_or_default();
    Ok((
        text,
        doc.warnings
            .iter()
            .map(|w| w.code.as_str().to_string())
            .collect(),
    ))
}

/// The position of the page content stream's `/Length` value in [`sample`].
fn content_length(bytes: &[u8]) -> (usize, usize, usize) {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let stream = find(bytes, b"BT /F1 12 Tf 72 770").unwrap_or_default();
    let key = bytes[..stream]
        .windows(8)
        .rposition(|w| w == b"/Length ")
        .unwrap_or_default()
        + 8;
    let end = key
        + bytes[key..]
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(0);
    let n = std::str::from_utf8(&bytes[key..end])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (key, end, n)
}

#[test]
fn a_stream_length_off_by_a_few_bytes_is_recovered_from_endstream() {
    for bytes in [sample(), classic_sample()] {
        length_off(&bytes);
    }
}

fn length_off(bytes: &[u8]) {
    let (key, end, n) = content_length(bytes);
    assert!(n > 100);
    for wrong in [n - 3, n + 3, n - 30] {
        let mut b = bytes[..key].to_vec();
        b.extend_from_slice(wrong.to_string().as_bytes());
        b.extend_from_slice(&bytes[end..]);
        let (text, warnings) = first_text(&b).unwrap_or_else(|e| panic!("/Length {wrong}: {e}"));
        assert_eq!(text, "Total 1,234.50", "/Length {wrong}");
        assert!(
            warnings.contains(&"xref_repaired".to_string()),
            "{warnings:?}"
        );
    }
}

#[test]
fn wrong_xref_offsets_and_a_trailer_without_root_are_repaired_by_scanning() {
    let bytes = classic_sample();
    assert!(bytes.windows(7).any(|w| w == b"trailer"));
    let xref = bytes
        .windows(6)
        .rposition(|w| w == b"\nxref\n")
        .unwrap_or_default();
    // Every offset of the table 7 bytes off.
    let table = String::from_utf8_lossy(&bytes[xref..]).into_owned();
    let shifted: String = table
        .lines()
        .map(
            |l| match l.strip_suffix(" 00000 n ").or(l.strip_suffix(" 00000 n")) {
                Some(off) if off.len() == 10 => {
                    format!("{:010} 00000 n \n", off.parse::<u64>().unwrap_or(0) + 7)
                }
                _ => format!("{l}\n"),
            },
        )
        .collect();
    let mut b = bytes[..xref].to_vec();
    b.extend_from_slice(shifted.as_bytes());
    assert_ne!(b, bytes);
    let (text, warnings) = first_text(&b).unwrap_or_else(|e| panic!("offsets: {e}"));
    assert_eq!(text, "Total 1,234.50");
    assert!(warnings.contains(&"xref_repaired".to_string()));

    let no_root = replace_first(&bytes, xref, b"/Root", b"/Roox");
    let (text, _) = first_text(&no_root).unwrap_or_else(|e| panic!("no /Root: {e}"));
    assert_eq!(text, "Total 1,234.50");
}

#[test]
fn a_file_cut_short_is_read_as_far_as_it_goes() {
    let bytes = classic_sample();
    let doc = read(&bytes[..bytes.len() - 30], &Limits::default());
    let doc = doc.unwrap_or_else(|e| panic!("cut by 30 bytes: {e}"));
    assert_eq!(doc.pages.len(), 2);
    let w = doc
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::Truncated);
    assert!(
        w.is_some_and(|w| w.message.contains("cross-reference table")),
        "{:?}",
        doc.warnings
    );
    assert_eq!(crate::ingest::loss(&doc).map(|l| l.0), Some("truncated"));
    // Cut inside the second page's content stream: that page and the catalog are lost, the first
    // page is read.
    let at = bytes
        .windows(5)
        .position(|w| w == b"(Rot)")
        .unwrap_or_default();
    let doc = read(&bytes[..at + 3], &Limits::default());
    let doc = doc.unwrap_or_else(|e| panic!("cut in the stream: {e}"));
    assert_eq!(doc.pages[0].lines[0].text(), "Total 1,234.50");
    assert!(doc
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::Truncated && w.message.contains("incomplete")));
}

#[test]
fn an_empty_page_tree_is_empty_and_a_lost_catalog_is_made_again() {
    let bytes = build(&[]);
    let e = read(&bytes, &Limits::default()).err().map(|e| e.code());
    assert_eq!(e, Some("empty"));
    // No catalog and no /Root: the page tree found by scanning is read.
    let b = replace_first(&classic_sample(), 0, b"/Catalog", b"/Catalox");
    let b = replace_first(&b, 0, b"/Root", b"/Roox");
    let (text, _) = first_text(&b).unwrap_or_else(|e| panic!("no catalog: {e}"));
    assert_eq!(text, "Total 1,234.50");
}

#[test]
fn rc4_40_with_an_empty_user_password_opens() {
    let Ok(mut doc) = PdfDoc::load_mem(&sample()) else {
        panic!("sample loads");
    };
    doc.trailer.set(
        "ID",
        vec![
            Object::string_literal(b"0123456789abcdef".to_vec()),
            Object::string_literal(b"0123456789abcdef".to_vec()),
        ],
    );
    let version = lopdf::EncryptionVersion::V1 {
        document: &doc,
        owner_password: "owner",
        user_password: "",
        permissions: lopdf::Permissions::all(),
    };
    let Ok(state) = lopdf::EncryptionState::try_from(version) else {
        panic!("RC4-40 parameters");
    };
    assert!(doc.encrypt(&state).is_ok());
    // Writers state the 40-bit key length, which the V 1 handler allows.
    let id = doc
        .trailer
        .get(b"Encrypt")
        .and_then(|o| o.as_reference())
        .unwrap_or((0, 0));
    if let Ok(Object::Dictionary(d)) = doc.get_object_mut(id) {
        d.set("Length", 40);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap_or_default();
    assert!(out.windows(10).any(|w| w == b"/Length 40"));
    let (text, _) = first_text(&out).unwrap_or_else(|e| panic!("RC4-40: {e}"));
    assert_eq!(text, "Total 1,234.50");
}

#[test]
fn glyph_outlines_stroked_over_text_are_not_rules() {
    // Fake bold as a rewriter draws it: the text, then each glyph's outline stroked over it (here
    // straight-sided outlines, which only their place inside the glyph's box tells from ruling), and
    // a curved outline; below, a real rule between two glyphs, longer than either.
    let doc = read(
        &build(&[(
            "BT /F1 20 Tf 72 700 Td (HHHH) Tj ET \
             0.5 w 84 700 m 86 700 l 86 714 l 84 714 l h 98 700 m 100 700 l 100 714 l 98 714 l h S \
             110 700 m 110 710 116 714 120 714 c 120 700 l h S \
             BT /F1 20 Tf 72 600 Td (AB) Tj ET 85.5 594 m 85.5 622 l S",
            0,
        )]),
        &Limits::default(),
    );
    let doc = match doc {
        Ok(d) => d,
        Err(e) => panic!("the page must read: {e}"),
    };
    let page = &doc.pages[0];
    let segments: Vec<Vec<&str>> = page
        .lines
        .iter()
        .map(|l| l.segments().iter().map(|s| s.text.as_str()).collect())
        .collect();
    assert_eq!(segments, vec![vec!["HHHH"], vec!["A", "B"]]);
    assert_eq!(page.rules.len(), 1, "{:?}", page.rules);
    assert_eq!(page.rules[0].x0, 85.5);
}

#[test]
fn an_object_the_pages_do_not_reach_is_never_parsed() {
    let Ok(mut doc) = PdfDoc::load_mem(&classic_sample()) else {
        panic!("the sample loads");
    };
    doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Marker" => 7 },
        vec![b'x'; 300],
    ));
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut saved = Vec::new();
    doc.save_to(&mut saved).unwrap_or_default();
    // The unused image's /Length made wrong, with as many digits (every offset stays right).
    let marker = saved
        .windows(9)
        .position(|w| w == b"/Marker 7")
        .unwrap_or_default();
    let bytes = replace_first(&saved, marker, b"/Length 300", b"/Length 290");
    assert_ne!(bytes, saved);
    // A whole-file reading trips over it (the stream is kept as its dictionary alone) ...
    let whole = PdfDoc::load_mem(&bytes).unwrap_or_default();
    assert!(whole.objects.values().any(|o| matches!(o,
        Object::Dictionary(d) if d.get(b"Marker").is_ok())));
    // ... the lazy one never reads it: the report is read as it is, without repair.
    let (text, warnings) = first_text(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text, "Total 1,234.50");
    assert!(
        !warnings.contains(&"xref_repaired".to_string()),
        "{warnings:?}"
    );
}
