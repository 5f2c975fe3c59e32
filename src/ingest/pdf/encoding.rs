//! Single-byte font encodings: WinAnsi, MacRoman and Standard, `/Differences`, and glyph names.
//!
//! In: an encoding name, a `/Differences` array (as code → glyph name pairs) and glyph names. Out: a
//! 256-entry table of code → Unicode text (`None` where the code means nothing we can name).
//! Not here: font programs, ToUnicode CMaps (see `cmap.rs`), multi-byte encodings (see `font.rs`).
//! Known limits: the glyph list is compact (Latin letters, digits, punctuation and the typographic
//! marks that occur in office exports, plus `uniXXXX`/`uXXXX[XX]`); names such as `g12` or `cid34`
//! name glyph ids and are left unmapped.

/// The single-byte base encodings a simple font can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaseEncoding {
    WinAnsi,
    MacRoman,
    Standard,
}

impl BaseEncoding {
    /// The base encoding a PDF name stands for, if it is one of the three we know.
    pub(crate) fn from_name(name: &[u8]) -> Option<BaseEncoding> {
        match name {
            b"WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
            b"MacRomanEncoding" | b"MacExpertEncoding" => Some(BaseEncoding::MacRoman),
            b"StandardEncoding" => Some(BaseEncoding::Standard),
            _ => None,
        }
    }

    /// The character for one code in this encoding.
    pub(crate) fn char_for(self, code: u8) -> Option<char> {
        match code {
            0x20..=0x7E => {
                let c = char::from(code);
                match (self, code) {
                    (BaseEncoding::Standard, 0x27) => Some('\u{2019}'),
                    (BaseEncoding::Standard, 0x60) => Some('\u{2018}'),
                    _ => Some(c),
                }
            }
            0x80..=0xFF => {
                let i = usize::from(code - 0x80);
                match self {
                    BaseEncoding::WinAnsi => WIN_ANSI_HIGH.chars().nth(i).filter(|c| *c != '\0'),
                    BaseEncoding::MacRoman => MAC_ROMAN_HIGH.chars().nth(i).filter(|c| *c != '\0'),
                    BaseEncoding::Standard => standard_high(code),
                }
            }
            _ => None,
        }
    }
}

/// WinAnsi (cp1252) 0x80–0xFF; `\0` marks undefined codes.
const WIN_ANSI_HIGH: &str = "€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ\u{a0}¡¢£¤¥¦§¨©ª«¬\u{ad}®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ";

/// MacRoman 0x80–0xFF; the Apple logo (0xF0) is undefined here.
const MAC_ROMAN_HIGH: &str = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\u{a0}ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\0ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";

fn standard_high(code: u8) -> Option<char> {
    let c = match code {
        0xA1 => '¡',
        0xA2 => '¢',
        0xA3 => '£',
        0xA4 => '⁄',
        0xA5 => '¥',
        0xA6 => 'ƒ',
        0xA7 => '§',
        0xA8 => '¤',
        0xA9 => '\'',
        0xAA => '“',
        0xAB => '«',
        0xAC => '‹',
        0xAD => '›',
        0xAE => 'ﬁ',
        0xAF => 'ﬂ',
        0xB1 => '–',
        0xB2 => '†',
        0xB3 => '‡',
        0xB4 => '·',
        0xB6 => '¶',
        0xB7 => '•',
        0xB8 => '‚',
        0xB9 => '„',
        0xBA => '”',
        0xBB => '»',
        0xBC => '…',
        0xBD => '‰',
        0xBF => '¿',
        0xC1 => '`',
        0xC2 => '´',
        0xC3 => 'ˆ',
        0xC4 => '˜',
        0xC5 => '¯',
        0xC6 => '˘',
        0xC7 => '˙',
        0xC8 => '¨',
        0xCA => '˚',
        0xCB => '¸',
        0xCD => '˝',
        0xCE => '˛',
        0xCF => 'ˇ',
        0xD0 => '—',
        0xE1 => 'Æ',
        0xE3 => 'ª',
        0xE8 => 'Ł',
        0xE9 => 'Ø',
        0xEA => 'Œ',
        0xEB => 'º',
        0xF1 => 'æ',
        0xF5 => 'ı',
        0xF8 => 'ł',
        0xF9 => 'ø',
        0xFA => 'œ',
        0xFB => 'ß',
        _ => return None,
    };
    Some(c)
}

/// Glyph names of the compact glyph list, sorted by name for binary search.
const GLYPH_NAMES: &[(&str, char)] = &[
    ("AE", 'Æ'),
    ("Aacute", 'Á'),
    ("Adieresis", 'Ä'),
    ("Agrave", 'À'),
    ("Ccedilla", 'Ç'),
    ("Eacute", 'É'),
    ("Egrave", 'È'),
    ("Euro", '€'),
    ("Lslash", 'Ł'),
    ("Ntilde", 'Ñ'),
    ("OE", 'Œ'),
    ("Odieresis", 'Ö'),
    ("Scaron", 'Š'),
    ("Udieresis", 'Ü'),
    ("Ydieresis", 'Ÿ'),
    ("Zcaron", 'Ž'),
    ("aacute", 'á'),
    ("acircumflex", 'â'),
    ("acute", '´'),
    ("adieresis", 'ä'),
    ("ae", 'æ'),
    ("agrave", 'à'),
    ("ampersand", '&'),
    ("aring", 'å'),
    ("asciicircum", '^'),
    ("asciitilde", '~'),
    ("asterisk", '*'),
    ("at", '@'),
    ("atilde", 'ã'),
    ("backslash", '\\'),
    ("bar", '|'),
    ("braceleft", '{'),
    ("braceright", '}'),
    ("bracketleft", '['),
    ("bracketright", ']'),
    ("breve", '˘'),
    ("brokenbar", '¦'),
    ("bullet", '•'),
    ("caron", 'ˇ'),
    ("ccedilla", 'ç'),
    ("cedilla", '¸'),
    ("cent", '¢'),
    ("circumflex", 'ˆ'),
    ("colon", ':'),
    ("comma", ','),
    ("copyright", '©'),
    ("currency", '¤'),
    ("dagger", '†'),
    ("daggerdbl", '‡'),
    ("degree", '°'),
    ("dieresis", '¨'),
    ("divide", '÷'),
    ("dollar", '$'),
    ("dotaccent", '˙'),
    ("dotlessi", 'ı'),
    ("eacute", 'é'),
    ("ecircumflex", 'ê'),
    ("edieresis", 'ë'),
    ("egrave", 'è'),
    ("eight", '8'),
    ("ellipsis", '…'),
    ("emdash", '—'),
    ("endash", '–'),
    ("equal", '='),
    ("exclam", '!'),
    ("exclamdbl", '‼'),
    ("exclamdown", '¡'),
    ("fi", 'ﬁ'),
    ("five", '5'),
    ("fl", 'ﬂ'),
    ("florin", 'ƒ'),
    ("four", '4'),
    ("fraction", '⁄'),
    ("germandbls", 'ß'),
    ("grave", '`'),
    ("greater", '>'),
    ("guillemotleft", '«'),
    ("guillemotright", '»'),
    ("guilsinglleft", '‹'),
    ("guilsinglright", '›'),
    ("hungarumlaut", '˝'),
    ("hyphen", '-'),
    ("iacute", 'í'),
    ("icircumflex", 'î'),
    ("idieresis", 'ï'),
    ("igrave", 'ì'),
    ("less", '<'),
    ("logicalnot", '¬'),
    ("lslash", 'ł'),
    ("macron", '¯'),
    ("middot", '·'),
    ("minus", '−'),
    ("mu", 'µ'),
    ("multiply", '×'),
    ("nbspace", '\u{a0}'),
    ("nine", '9'),
    ("ntilde", 'ñ'),
    ("numbersign", '#'),
    ("oacute", 'ó'),
    ("ocircumflex", 'ô'),
    ("odieresis", 'ö'),
    ("oe", 'œ'),
    ("ogonek", '˛'),
    ("ograve", 'ò'),
    ("one", '1'),
    ("onehalf", '½'),
    ("onequarter", '¼'),
    ("onesuperior", '¹'),
    ("ordfeminine", 'ª'),
    ("ordmasculine", 'º'),
    ("oslash", 'ø'),
    ("otilde", 'õ'),
    ("paragraph", '¶'),
    ("parenleft", '('),
    ("parenright", ')'),
    ("percent", '%'),
    ("period", '.'),
    ("periodcentered", '·'),
    ("perthousand", '‰'),
    ("plus", '+'),
    ("plusminus", '±'),
    ("question", '?'),
    ("questiondown", '¿'),
    ("quotedbl", '"'),
    ("quotedblbase", '„'),
    ("quotedblleft", '“'),
    ("quotedblright", '”'),
    ("quoteleft", '‘'),
    ("quoteright", '’'),
    ("quotesinglbase", '‚'),
    ("quotesingle", '\''),
    ("registered", '®'),
    ("ring", '˚'),
    ("scaron", 'š'),
    ("section", '§'),
    ("semicolon", ';'),
    ("seven", '7'),
    ("six", '6'),
    ("slash", '/'),
    ("space", ' '),
    ("sterling", '£'),
    ("three", '3'),
    ("threequarters", '¾'),
    ("threesuperior", '³'),
    ("tilde", '˜'),
    ("trademark", '™'),
    ("two", '2'),
    ("twosuperior", '²'),
    ("uacute", 'ú'),
    ("ucircumflex", 'û'),
    ("udieresis", 'ü'),
    ("ugrave", 'ù'),
    ("underscore", '_'),
    ("yacute", 'ý'),
    ("ydieresis", 'ÿ'),
    ("yen", '¥'),
    ("zcaron", 'ž'),
    ("zero", '0'),
];

/// The Unicode text a glyph name stands for: single letters, the compact list, `uniXXXX…`, `uXXXX[XX]`,
/// and `name.suffix` variants. `None` for names that only number glyphs (`g12`, `cid34`) or are unknown.
pub(crate) fn glyph_name_to_text(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    // `a.sc`, `one.oldstyle`: the part before the first period names the character.
    let base = match name.find('.') {
        Some(0) | None => name,
        Some(i) => name.get(..i)?,
    };
    if base.len() == 1 {
        let c = base.chars().next()?;
        if c.is_ascii_alphabetic() {
            return Some(c.to_string());
        }
    }
    if let Ok(i) = GLYPH_NAMES.binary_search_by(|(n, _)| n.cmp(&base)) {
        return GLYPH_NAMES.get(i).map(|(_, c)| c.to_string());
    }
    if let Some(hex) = base.strip_prefix("uni") {
        if hex.len() >= 4
            && hex.len().is_multiple_of(4)
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            let mut units = Vec::with_capacity(hex.len() / 4);
            let mut i = 0;
            while let Some(part) = hex.get(i..i + 4) {
                units.push(u16::from_str_radix(part, 16).ok()?);
                i += 4;
            }
            let s: String = char::decode_utf16(units).filter_map(Result::ok).collect();
            return (!s.is_empty()).then_some(s);
        }
        return None;
    }
    if let Some(hex) = base.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let v = u32::from_str_radix(hex, 16).ok()?;
            return char::from_u32(v).map(|c| c.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_128_entries() {
        assert_eq!(WIN_ANSI_HIGH.chars().count(), 128);
        assert_eq!(MAC_ROMAN_HIGH.chars().count(), 128);
    }

    #[test]
    fn glyph_list_is_sorted() {
        assert!(GLYPH_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn base_encodings() {
        assert_eq!(BaseEncoding::WinAnsi.char_for(0x80), Some('€'));
        assert_eq!(BaseEncoding::WinAnsi.char_for(0x96), Some('–'));
        assert_eq!(BaseEncoding::WinAnsi.char_for(0x81), None);
        assert_eq!(BaseEncoding::MacRoman.char_for(0xD0), Some('–'));
        assert_eq!(BaseEncoding::Standard.char_for(0x27), Some('’'));
        assert_eq!(BaseEncoding::Standard.char_for(0x41), Some('A'));
    }

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_name_to_text(b"zero").as_deref(), Some("0"));
        assert_eq!(glyph_name_to_text(b"quotesingle").as_deref(), Some("'"));
        assert_eq!(glyph_name_to_text(b"eacute").as_deref(), Some("é"));
        assert_eq!(glyph_name_to_text(b"a").as_deref(), Some("a"));
        assert_eq!(glyph_name_to_text(b"one.oldstyle").as_deref(), Some("1"));
        assert_eq!(glyph_name_to_text(b"uni5408").as_deref(), Some("合"));
        assert_eq!(glyph_name_to_text(b"uni00410042").as_deref(), Some("AB"));
        assert_eq!(glyph_name_to_text(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_name_to_text(b"g12"), None);
        assert_eq!(glyph_name_to_text(b"cid34"), None);
    }
}
