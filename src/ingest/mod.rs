//! Ingestion: bytes of one input → [`Document`].
//!
//! In: the file's bytes, its path (only for the extension) and the [`Limits`]. Out: a [`Document`] or an
//! [`IngestError`] with a stable code. Decides PDF vs text by the `%PDF-` signature first and the
//! extension second. Not here: anything about sections, facts or tables.

pub mod pdf;
pub mod text;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::document::{Document, WarningCode};
use crate::error::IngestError;

/// A request to stop a document's work, shared by the batch engine (which raises it when the
/// document runs past its time budget) and the work (which checks it at every page, stream and
/// stage, and returns [`IngestError::Cancelled`]). The default never fires.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    /// A flag that never fires (tools, tests).
    pub fn never() -> Cancel {
        Cancel(None)
    }

    /// A flag that fires when [`Cancel::cancel`] is called on it or a clone of it.
    pub fn new() -> Cancel {
        Cancel(Some(Arc::new(AtomicBool::new(false))))
    }

    /// Asks the work to stop.
    pub fn cancel(&self) {
        if let Some(flag) = &self.0 {
            flag.store(true, Ordering::Relaxed);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(Cancelled)` once the flag has fired.
    pub fn check(&self) -> Result<(), IngestError> {
        if self.is_cancelled() {
            Err(IngestError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Makes this flag the one [`stop_requested`] reads on the current thread until the returned
    /// scope ends. The stages after ingestion take no flag argument: their page and line loops ask
    /// [`stop_requested`] and end early, and the caller, seeing the flag, discards what they return.
    pub fn enter(&self) -> CancelScope {
        let previous = CURRENT.with(|c| c.replace(self.clone()));
        CancelScope {
            previous: Some(previous),
        }
    }
}

thread_local! {
    static CURRENT: std::cell::RefCell<Cancel> = std::cell::RefCell::new(Cancel::never());
}

/// While alive, [`stop_requested`] on this thread reads the flag given to [`Cancel::enter`].
pub struct CancelScope {
    previous: Option<Cancel>,
}

impl Drop for CancelScope {
    fn drop(&mut self) {
        if let Some(p) = self.previous.take() {
            CURRENT.with(|c| *c.borrow_mut() = p);
        }
    }
}

/// True when the document this thread works on has been cancelled (see [`Cancel::enter`]). Long
/// loops of the stages call it once per page (or every few thousand lines) and stop early; their
/// partial result is never used.
pub fn stop_requested() -> bool {
    CURRENT.with(|c| c.borrow().is_cancelled())
}

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
    ingest_with(path, bytes, limits, &Cancel::never())
}

/// [`ingest`], stopping with [`IngestError::Cancelled`] at the next page or stream once `cancel`
/// fires.
pub fn ingest_with(
    path: &Path,
    bytes: &[u8],
    limits: &Limits,
    cancel: &Cancel,
) -> Result<Document, IngestError> {
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
        return pdf::read_with(bytes, limits, cancel);
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
    text::read_with(bytes, cancel)
}

/// True when `%PDF-` appears in the first 1024 bytes (readers tolerate leading junk).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Share of glyphs that may stay unmapped before a document counts as `partial` (a few symbols or
/// bullets in fonts without a Unicode map are common; a report whose text is mostly unmapped is not
/// read).
const UNMAPPED_SHARE_PARTIAL: f64 = 0.05;

/// What a readable document lost while it was read, as the `(code, message)` of a `partial` status:
/// the file cut short (`truncated`), pages drawn without a text layer (`no_text_layer`), invalid byte
/// sequences replaced (`unreadable_encoding`), or more than 5 % of the glyphs without a Unicode
/// meaning (`unmapped_glyphs`). `None` when nothing was lost. The warnings say more.
pub fn loss(doc: &Document) -> Option<(&'static str, String)> {
    let mut losses: Vec<(&'static str, String)> = Vec::new();
    if let Some(w) = doc
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::Truncated)
    {
        losses.push(("truncated", w.message.clone()));
    }
    let without_text = doc.pages.iter().filter(|p| !p.has_text_layer).count();
    if without_text > 0 {
        losses.push((
            "no_text_layer",
            format!(
                "{without_text} of {} pages have no text layer",
                doc.pages.len()
            ),
        ));
    }
    if let Some(w) = doc
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::InvalidBytes)
    {
        losses.push(("unreadable_encoding", w.message.clone()));
    }
    let q = &doc.text_quality;
    let glyphs = q.characters + q.unmapped_glyphs;
    if glyphs > 0 && q.unmapped_glyphs as f64 > UNMAPPED_SHARE_PARTIAL * glyphs as f64 {
        losses.push((
            "unmapped_glyphs",
            format!(
                "{} of {glyphs} glyphs could not be mapped to Unicode and are missing from the text",
                q.unmapped_glyphs
            ),
        ));
    }
    let mut it = losses.into_iter();
    let (code, mut message) = it.next()?;
    for (other, m) in it {
        message.push_str(&format!("; also {other}: {m}"));
    }
    Some((code, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Warning;

    #[test]
    fn mostly_unmapped_glyphs_make_a_partial_document() {
        let mut doc = Document::from_text_pages(&[&["收入总计"]]);
        doc.recount_text_quality();
        assert_eq!(loss(&doc), None);
        // 77 % of the glyphs without a Unicode meaning.
        doc.text_quality.characters = 23;
        doc.text_quality.unmapped_glyphs = 77;
        assert_eq!(loss(&doc).map(|l| l.0), Some("unmapped_glyphs"));
        // A few unmapped bullets in a long text are not a loss.
        doc.text_quality.characters = 10_000;
        doc.text_quality.unmapped_glyphs = 12;
        assert_eq!(loss(&doc), None);
        doc.warnings.push(Warning::new(
            WarningCode::Truncated,
            "the file is cut short",
            None,
        ));
        assert_eq!(loss(&doc).map(|l| l.0), Some("truncated"));
    }

    #[test]
    fn a_cancel_flag_reaches_the_scoped_thread_only() {
        let cancel = Cancel::new();
        assert!(cancel.check().is_ok());
        {
            let _scope = cancel.enter();
            assert!(!stop_requested());
            cancel.clone().cancel();
            assert!(stop_requested());
            assert_eq!(cancel.check().err().map(|e| e.code()), Some("timeout"));
        }
        assert!(!stop_requested());
        assert!(!Cancel::never().is_cancelled());
    }
}
