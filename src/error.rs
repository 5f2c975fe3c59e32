//! Error enums of the stages, each with a stable code that `documents.jsonl` carries.
//!
//! In: nothing. Out: [`IngestError`] (a document could not be read at all) and [`PatternError`] (the
//! pattern set is unusable: fatal for the run). Not here: warnings (see [`crate::document::Warning`]).

use thiserror::Error;

/// Why a document could not be read. `code()` is the stable code written to `documents.jsonl`.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("file is empty")]
    Empty,
    #[error("file is larger than the limit of {limit} bytes ({size} bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("not a PDF: {0}")]
    NotPdf(String),
    #[error("PDF is encrypted and cannot be opened with an empty password")]
    Encrypted,
    #[error("PDF is truncated or damaged beyond repair: {0}")]
    Truncated(String),
    #[error("PDF has no usable page tree: {0}")]
    NoPages(String),
    #[error("a content stream decodes to more than the limit of {limit} bytes")]
    StreamTooLarge { limit: u64 },
    #[error("no page has a text layer (glyphs drawn as paths or images)")]
    NoTextLayer,
    #[error("text is in no encoding we can read: {0}")]
    UnreadableEncoding(String),
    #[error("processing took longer than the limit of {seconds} s")]
    Timeout { seconds: u64 },
    /// The work was stopped from outside (the document ran past its time budget).
    #[error("stopped: the document ran past its time budget")]
    Cancelled,
    #[error("internal error while processing: {0}")]
    Panic(String),
}

impl IngestError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::Io(_) => "unreadable_file",
            IngestError::Empty => "empty",
            IngestError::TooLarge { .. } => "too_large",
            IngestError::NotPdf(_) => "not_pdf",
            IngestError::Encrypted => "encrypted",
            IngestError::Truncated(_) => "truncated",
            // A PDF whose page tree holds no page (damaged catalogs are repaired or `truncated`).
            IngestError::NoPages(_) => "empty",
            IngestError::StreamTooLarge { .. } => "too_large",
            IngestError::NoTextLayer => "no_text_layer",
            IngestError::UnreadableEncoding(_) => "unreadable_encoding",
            IngestError::Timeout { .. } | IngestError::Cancelled => "timeout",
            IngestError::Panic(_) => "internal_error",
        }
    }
}

/// A pattern file or pattern that cannot be used. Fatal for a run (exit code 2).
#[derive(Debug, Error)]
pub enum PatternError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not valid TOML: {message}")]
    Toml { path: String, message: String },
    /// A problem located at `file:id:field`.
    #[error("{location}: {message}")]
    Invalid { location: String, message: String },
    /// Several problems, one a line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<PatternError>),
    /// The problems of a set that loads but does not verify (a failing example), each
    /// `file:line:id:field: message`.
    #[error("{} problems:\n{}", .0.len(), .0.join("\n"))]
    Problems(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code a document record can carry: each failure of [`IngestError`] and each loss of a
    /// `partial` document (see [`crate::ingest::loss`]).
    fn all_codes() -> Vec<&'static str> {
        let io = || std::io::Error::other("x");
        let mut codes: Vec<&'static str> = [
            IngestError::Io(io()),
            IngestError::Empty,
            IngestError::TooLarge { size: 2, limit: 1 },
            IngestError::NotPdf(String::new()),
            IngestError::Encrypted,
            IngestError::Truncated(String::new()),
            IngestError::NoPages(String::new()),
            IngestError::StreamTooLarge { limit: 1 },
            IngestError::NoTextLayer,
            IngestError::UnreadableEncoding(String::new()),
            IngestError::Timeout { seconds: 1 },
            IngestError::Cancelled,
            IngestError::Panic(String::new()),
        ]
        .iter()
        .map(IngestError::code)
        .collect();
        codes.push("unmapped_glyphs");
        codes
    }

    #[test]
    fn every_code_is_documented_in_the_readme_and_the_help() {
        use clap::CommandFactory;
        let readme = include_str!("../README.md");
        let mut cli = crate::cli::Cli::command();
        let help = cli
            .find_subcommand_mut("extract")
            .map(|c| c.render_long_help().to_string())
            .unwrap_or_default();
        for code in all_codes() {
            assert!(readme.contains(&format!("| `{code}` |")), "README: {code}");
            assert!(
                help.contains(&format!("  {code} ")),
                "extract --help: {code}"
            );
        }
    }
}
