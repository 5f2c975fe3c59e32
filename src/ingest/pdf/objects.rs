//! Access to the object layer ([`Store`]): references, dictionary look-ups, numbers, and stream
//! decoding under the size limit.
//!
//! In: a [`Store`] and objects from it. Out: resolved objects, numbers as `f32`, and
//! decoded stream bytes (FlateDecode read by us with a hard output cap; other filters through lopdf
//! and checked afterwards).
//! Not here: any interpretation of what the objects mean.
//! Known limits: filters other than FlateDecode (LZW, ASCII85, predictors) are decoded by lopdf before
//! the size is checked; image filters (DCT, JBIG2, CCITT) are never decoded (we never need them).

use lopdf::{Dictionary, Object, Stream};
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::store::Store;
use crate::error::IngestError;
use crate::ingest::Cancel;

/// Longest chain of references followed before giving up (guards reference cycles).
const MAX_HOPS: usize = 32;

/// The object layer and the stream size limit.
#[derive(Clone, Copy)]
pub(crate) struct Objects<'a> {
    pub doc: &'a Store<'a>,
    pub max_stream_bytes: u64,
    /// Checked before each stream is decoded.
    pub cancel: &'a Cancel,
}

/// Why a stream could not be decoded.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// Decoded output exceeds the limit: fatal for the document.
    TooLarge(u64),
    /// Broken or unsupported data: the stream is skipped with a warning.
    Broken(String),
    /// The document's work was cancelled.
    Cancelled,
}

impl From<StreamError> for IngestError {
    fn from(e: StreamError) -> IngestError {
        match e {
            StreamError::TooLarge(limit) => IngestError::StreamTooLarge { limit },
            StreamError::Broken(m) => IngestError::Truncated(m),
            StreamError::Cancelled => IngestError::Cancelled,
        }
    }
}

impl<'a> Objects<'a> {
    /// Follows references to a direct object (`None` for dangling references or cycles).
    pub(crate) fn resolve(&self, mut obj: &'a Object) -> Option<&'a Object> {
        for _ in 0..MAX_HOPS {
            match obj {
                Object::Reference(id) => obj = self.doc.get(*id)?,
                _ => return Some(obj),
            }
        }
        None
    }

    /// `dict[key]`, resolved.
    pub(crate) fn get(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
        self.resolve(dict.get(key).ok()?)
    }

    pub(crate) fn dict(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
        match self.get(dict, key)? {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    pub(crate) fn name(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
        self.get(dict, key)?.as_name().ok()
    }

    pub(crate) fn number(&self, dict: &'a Dictionary, key: &[u8]) -> Option<f32> {
        number(self.get(dict, key)?)
    }

    pub(crate) fn array(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
        match self.get(dict, key)? {
            Object::Array(a) => Some(a.as_slice()),
            _ => None,
        }
    }

    /// Numbers of an array (resolving each element); non-numbers are skipped.
    pub(crate) fn numbers(&self, arr: &'a [Object]) -> Vec<f32> {
        arr.iter()
            .filter_map(|o| self.resolve(o).and_then(number))
            .collect()
    }

    /// The decoded bytes of a stream object.
    pub(crate) fn stream_bytes(&self, stream: &Stream) -> Result<Vec<u8>, StreamError> {
        if self.cancel.is_cancelled() {
            return Err(StreamError::Cancelled);
        }
        let limit = self.max_stream_bytes;
        let filters: Vec<&[u8]> = match stream
            .dict
            .get(b"Filter")
            .ok()
            .and_then(|f| self.resolve(f))
        {
            None => Vec::new(),
            Some(Object::Name(n)) => vec![n.as_slice()],
            Some(Object::Array(a)) => a
                .iter()
                .filter_map(|o| self.resolve(o).and_then(|o| o.as_name().ok()))
                .collect(),
            Some(_) => return Err(StreamError::Broken("bad /Filter".to_string())),
        };
        let has_params = stream.dict.get(b"DecodeParms").is_ok();
        let out = match filters.as_slice() {
            [] => stream.content.clone(),
            [b"FlateDecode" | b"Fl"] if !has_params => inflate(&stream.content, limit)?,
            _ => std::panic::catch_unwind(|| stream.decompressed_content())
                .map_err(|_| StreamError::Broken("stream decoder failed".to_string()))?
                .map_err(|e| StreamError::Broken(format!("cannot decode stream: {e}")))?,
        };
        if out.len() as u64 > limit {
            return Err(StreamError::TooLarge(limit));
        }
        Ok(out)
    }

    /// The decoded bytes of the stream `obj` refers to, if it is a stream.
    pub(crate) fn stream_of(&self, obj: &'a Object) -> Option<Result<Vec<u8>, StreamError>> {
        match self.resolve(obj)? {
            Object::Stream(s) => Some(self.stream_bytes(s)),
            _ => None,
        }
    }
}

/// Deepest array/dictionary nesting accepted in the object syntax (the object layer's parser recurses
/// without a limit, so deeper input could exhaust the stack).
const MAX_NESTING: u32 = 256;

/// True when arrays or dictionaries outside streams nest deeper than [`MAX_NESTING`]. Stream data,
/// literal strings and comments are skipped.
pub(crate) fn nesting_too_deep(bytes: &[u8]) -> bool {
    let mut depth: u32 = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'[' => depth += 1,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b']' => depth = depth.saturating_sub(1),
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'%' => {
                while bytes.get(i).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    i += 1;
                }
            }
            // Land on the closing parenthesis; the loop steps past it.
            b'(' => i = literal_string_end(bytes, i) - 1,
            b's' if bytes.get(i..i + 6) == Some(b"stream".as_slice())
                && matches!(bytes.get(i + 6), Some(b'\r' | b'\n')) =>
            {
                // Jump over the stream data to `endstream`.
                let rest = bytes.get(i + 6..).unwrap_or_default();
                match memchr::memmem::find(rest, b"endstream") {
                    Some(p) => i += 6 + p + 8,
                    None => return false,
                }
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return true;
        }
        i += 1;
    }
    false
}

/// The index just past the literal string whose `(` is at `open`: nested parentheses balanced,
/// backslash escapes skipped. Past the end of `bytes` when the string is not closed.
pub(crate) fn literal_string_end(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0u32;
    let mut i = open;
    while let Some(&c) = bytes.get(i) {
        i += 1;
        match c {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    i.max(bytes.len())
}

/// A number object as `f32`.
pub(crate) fn number(obj: &Object) -> Option<f32> {
    match obj {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// Inflates zlib data, keeping what decodes before an error (damaged streams are common), and failing
/// once the output would exceed `limit`. Raw deflate (no zlib header, some writers emit it) is tried
/// when zlib decodes nothing.
fn inflate(data: &[u8], limit: u64) -> Result<Vec<u8>, StreamError> {
    let zlib = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER;
    let (out, failed) = decode_deflate(data, zlib, limit)?;
    if !(failed && out.is_empty()) {
        return Ok(out);
    }
    let (raw, _) = decode_deflate(data, 0, limit)?;
    if raw.is_empty() {
        return Err(StreamError::Broken("cannot inflate stream".to_string()));
    }
    Ok(raw)
}

/// One deflate decode of `data` into a buffer grown as needed (one decoder, no copy through a
/// reader's buffer): the output, and whether the decoder stopped on an error (what decoded before it
/// is kept). `TooLarge` when the output would pass `limit` bytes.
fn decode_deflate(data: &[u8], flags: u32, limit: u64) -> Result<(Vec<u8>, bool), StreamError> {
    let limit_len = usize::try_from(limit).unwrap_or(usize::MAX);
    let flags = flags | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut out = vec![
        0u8;
        data.len()
            .saturating_mul(3)
            .clamp(1024, 1 << 24)
            .min(limit_len.max(1))
    ];
    let mut decoder = Box::<DecompressorOxide>::default();
    let (mut input, mut at) = (data, 0usize);
    loop {
        let (status, read, written) = decompress(&mut decoder, input, &mut out, at, flags);
        at += written;
        input = input.get(read..).unwrap_or_default();
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput if out.len() < limit_len => {
                let grown = out.len().saturating_mul(2).min(limit_len);
                out.resize(grown, 0);
            }
            TINFLStatus::HasMoreOutput => return Err(StreamError::TooLarge(limit)),
            _ => {
                out.truncate(at);
                return Ok((out, true));
            }
        }
    }
    out.truncate(at);
    Ok((out, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn literal_strings_end_after_their_balanced_close() {
        let b = br"x (a (b) \) c) y";
        assert_eq!(literal_string_end(b, 2), 14);
        assert_eq!(b.get(14), Some(&b' '));
        // Not closed: past the end.
        assert!(literal_string_end(b"(abc", 0) >= 4);
        assert!(literal_string_end(b"(ab\\", 0) >= 5);
    }

    #[test]
    fn deep_nesting_is_detected_outside_streams_only() {
        let mut deep = b"%PDF-1.4\n1 0 obj ".to_vec();
        deep.extend(std::iter::repeat_n(b'[', 100_000));
        assert!(nesting_too_deep(&deep));
        let mut in_stream = b"%PDF-1.4\n1 0 obj << /Length 5 >> stream\n".to_vec();
        in_stream.extend(std::iter::repeat_n(b'[', 100_000));
        in_stream.extend(b"\nendstream endobj [ (((([[[) ]");
        assert!(!nesting_too_deep(&in_stream));
    }

    #[test]
    fn inflate_caps_output() {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * i % 251) as u8).collect();
        enc.write_all(&data).unwrap_or_default();
        let z = enc.finish().unwrap_or_default();
        assert_eq!(inflate(&z, 20_000).map(|v| v.len()).ok(), Some(10_000));
        assert!(matches!(inflate(&z, 100), Err(StreamError::TooLarge(100))));
        // Truncated data keeps what decoded.
        let half = &z[..z.len() / 2];
        assert!(inflate(half, 20_000).is_ok());
    }
}
