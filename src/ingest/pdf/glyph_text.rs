//! The text one glyph stands for, held inside the value when it is short.
//!
//! In: the Unicode text a font maps one code to (almost always one character, a ligature or a
//! multi-character ToUnicode entry now and then). Out: a [`GlyphText`] that reads as a `&str`: texts
//! of up to [`INLINE`] bytes live inside the value (no heap), longer ones in a boxed `str`, so the
//! glyphs of a page do not each allocate a string and a code table hands its texts out by copy.
//! Not here: what a code means (`font.rs`, `cmap.rs`, `encoding.rs`).

use std::fmt;
use std::ops::Deref;

/// Most bytes kept inside the value (the whole value is as large as a `String`).
pub(crate) const INLINE: usize = 22;

/// A glyph's text.
#[derive(Clone)]
pub(crate) enum GlyphText {
    /// The first `len` bytes of `bytes`, always whole UTF-8 characters.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// Longer texts.
    Heap(Box<str>),
}

impl GlyphText {
    /// The text `s`.
    pub(crate) fn new(s: &str) -> GlyphText {
        let mut bytes = [0u8; INLINE];
        match bytes.get_mut(..s.len()) {
            Some(head) => {
                head.copy_from_slice(s.as_bytes());
                GlyphText::Inline {
                    len: s.len() as u8,
                    bytes,
                }
            }
            None => GlyphText::Heap(s.into()),
        }
    }

    /// The text of one character.
    pub(crate) fn from_char(c: char) -> GlyphText {
        let mut bytes = [0u8; INLINE];
        let len = c.encode_utf8(&mut bytes).len() as u8;
        GlyphText::Inline { len, bytes }
    }

    /// The characters of `chars` in order.
    pub(crate) fn from_chars(chars: impl IntoIterator<Item = char>) -> GlyphText {
        let mut bytes = [0u8; INLINE];
        let mut len = 0usize;
        let mut chars = chars.into_iter();
        while let Some(c) = chars.next() {
            let n = c.len_utf8();
            match bytes.get_mut(len..len + n) {
                Some(slot) => {
                    c.encode_utf8(slot);
                    len += n;
                }
                None => {
                    // Too long to keep inline: the rest goes to the heap with what came before.
                    let mut s = String::from(
                        std::str::from_utf8(bytes.get(..len).unwrap_or_default())
                            .unwrap_or_default(),
                    );
                    s.push(c);
                    s.extend(chars);
                    return GlyphText::Heap(s.into_boxed_str());
                }
            }
        }
        GlyphText::Inline {
            len: len as u8,
            bytes,
        }
    }

    /// The text as a string slice.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            GlyphText::Inline { len, bytes } => {
                std::str::from_utf8(bytes.get(..usize::from(*len)).unwrap_or_default())
                    .unwrap_or_default()
            }
            GlyphText::Heap(s) => s,
        }
    }
}

impl Default for GlyphText {
    fn default() -> GlyphText {
        GlyphText::Inline {
            len: 0,
            bytes: [0; INLINE],
        }
    }
}

impl Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for GlyphText {
    fn eq(&self, other: &GlyphText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for GlyphText {}

impl PartialEq<str> for GlyphText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for GlyphText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> GlyphText {
        GlyphText::new(s)
    }
}

impl From<String> for GlyphText {
    fn from(s: String) -> GlyphText {
        if s.len() <= INLINE {
            GlyphText::new(&s)
        } else {
            GlyphText::Heap(s.into_boxed_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_stay_inline_and_read_back() {
        for s in ["", "A", "合", "ﬁ", "𠀀", "合计合计合计合"] {
            let t = GlyphText::new(s);
            assert!(matches!(t, GlyphText::Inline { .. }), "{s}");
            assert_eq!(t.as_str(), s);
        }
        assert_eq!(GlyphText::from_char('计').as_str(), "计");
        assert_eq!(
            std::mem::size_of::<GlyphText>(),
            std::mem::size_of::<String>()
        );
    }

    #[test]
    fn long_texts_go_to_the_heap_whole() {
        let s = "合计合计合计合计"; // 24 bytes
        let t = GlyphText::new(s);
        assert!(matches!(t, GlyphText::Heap(_)));
        assert_eq!(&*t, s);
        let c = GlyphText::from_chars(s.chars());
        assert!(matches!(c, GlyphText::Heap(_)));
        assert_eq!(c.as_str(), s);
        assert_eq!(GlyphText::from(s.to_string()), t);
        assert_eq!(GlyphText::from_chars("ffi".chars()).as_str(), "ffi");
    }
}
