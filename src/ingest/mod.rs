//! Ingestion: bytes of one input → [`Document`].
//!
//! In: the file's bytes, its path (only for the extension) and the [`Limits`]. Out: a [`Document`] or an
//! [`IngestError`] with a stable code. Decides PDF vs text by the `%PDF-` signature first and the
//! extension second. Not here: anything about sections, facts or tables.

pub mod pdf;
pub mod text;

use std::path::Path;

use crate::document::Document;
use crate::error::IngestError;

/// Resource limits applied while reading one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file accepted, in bytes.
    pub max_file_size: u64,
    /// Largest decoded size of a single stream (content, ToUnicode, font), in bytes.
    pub max_stream_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_size: 512 * 1024 * 1024,
            max_stream_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Reads one input. `path` decides nothing but the fallback when the bytes carry no PDF signature.
pub fn ingest(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Document, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty);
    }
    if bytes.len() as u64 > limits.max_file_size {
        return Err(IngestError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_size,
        });
    }
    if looks_like_pdf(bytes) {
        return pdf::read(bytes, limits);
    }
    let is_pdf_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf_name {
        return Err(IngestError::NotPdf(
            "no %PDF- signature in the first 1024 bytes".to_string(),
        ));
    }
    text::read(bytes)
}

/// True when `%PDF-` appears in the first 1024 bytes (readers tolerate leading junk).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}
