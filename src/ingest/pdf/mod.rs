//! PDF ingestion: bytes → [`Document`] with positioned lines.
//!
//! (Being built: see the PDF text layer work.)

use crate::document::Document;
use crate::error::IngestError;
use crate::ingest::Limits;

/// Reads a PDF.
pub fn read(_bytes: &[u8], _limits: &Limits) -> Result<Document, IngestError> {
    Err(IngestError::NotPdf(
        "PDF reading is not built yet".to_string(),
    ))
}
