//! Command-line flags (clap derive) and their conversion into a validated [`Config`].
//!
//! In: `std::env::args`. Out: a [`Command`] holding a clap-free [`Config`] or the arguments of a
//! utility command. Not here: running anything.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, InputSpec, ProgressMode, Shard};
use crate::error::PatternError;
use crate::ingest::Limits;
use crate::inputs::{Glob, Selection};
use crate::patterns::PatternSet;

const AFTER_HELP: &str = "\
OUTPUT (in the --out folder; `yujuesuan schema FILE` prints each file's JSON Schema; every field is in
every line, null when absent):
  documents.jsonl  one line per input file, also for files that failed or repeat another: doc_id
                   (sha256), source, status ok|partial|failed|duplicate, error {code, message},
                   format, encoding, kind, year, department, department_normalized,
                   metadata_source, pages, page_boxes [{page, media_box, crop_box, rotate}],
                   printed_pages [{page, printed}], sections, tables,
                   text_quality, warnings, warnings_total, facts, checks_failed, program_version,
                   patterns, bytes, duplicate_of
  facts.jsonl      one line per figure: key, item, value (exact; 万元 for money), unit, raw,
                   approximate, page, section, pattern, origin, cell, bbox
  tables.jsonl     one line per table: table id, title, unit_declared, pages, columns, rows (code,
                   name, cells, raw, page, level, parent, bbox, bboxes), empty, empty_statement,
                   unit, unit_inferred, column_units, layout, regions [{page, bbox}]
  Boxes are [x0, y0, x1, y1] in the PDF default user space of their page (points, y up; /Rotate
  and CropBox not applied, see page_boxes); null for text input.
  checks.jsonl     one line per consistency check: check, status pass|rounding|fail|
                   not_applicable|insufficient_data, expected, actual, diff, refs, message,
                   terms (role, value, source, key/table/row/column, page, bbox, raw), formula,
                   envelope
  run.json         program version, pattern fingerprint, counts by status and error code, timing
  With --format parquet|csv also values, documents, checks, check_refs and panel tables (see
  `yujuesuan export --help`).

FAILURES: each failed document is named on stderr as `path: code: message`; a summary line ends
the run (--quiet: nothing but fatal errors).

EXIT CODES:
  0  every document was processed
  1  output was written, but some documents failed (see documents.jsonl, status \"failed\"; with
     --incremental also failures recorded by an earlier run)
  2  fatal: bad arguments, unusable patterns, the output could not be written, or another run holds
     the output folder's lock (OUT/yujuesuan.lock)

ERROR CODES (documents.jsonl error.code; status failed, or partial for what a read document lost):
  not_pdf              named .pdf but no %PDF- signature
  truncated            PDF cut short or damaged beyond repair (partial: read as far as it goes)
  encrypted            PDF does not open with the empty user password
  no_text_layer        no page (failed) or some pages (partial) without a text layer
  unmapped_glyphs      partial: over 5 % of the glyphs have no Unicode meaning
  unreadable_encoding  text in no readable encoding (partial: invalid bytes replaced by U+FFFD)
  empty                empty file, blank text, or a PDF page tree without pages
  too_large            over --max-file-size, or a stream decodes past the stream limit
  unreadable_file      missing, not permitted, or not a regular file (FIFO, device, socket, folder)
  timeout              the document, reading included, ran past --timeout-per-doc
  internal_error       unexpected failure of the reader on this document";

/// Turns Chinese government budget and final-account disclosure reports (部门预算 / 部门决算, PDF or
/// text) into structured, checked JSON Lines.
#[derive(Debug, Parser)]
#[command(name = "yujuesuan", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Extract sections, facts, tables and checks from reports into JSON Lines.
    #[command(after_help = AFTER_HELP)]
    Extract(ExtractArgs),
    /// Compile every pattern and verify its examples and counter-examples.
    CheckPatterns {
        /// Use the patterns in this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        patterns: Option<PathBuf>,
    },
    /// Print the text of each page as the pipeline sees it (pages separated by a form feed).
    Text {
        /// A PDF or text report.
        file: PathBuf,
        /// Only this 1-based page (0 or past the last page: exit code 2).
        #[arg(long)]
        page: Option<u32>,
    },
    /// Show the lines of a document with coordinates, fonts and segments.
    Inspect {
        /// A PDF or text report.
        file: PathBuf,
        /// Only this 1-based page (0 or past the last page: exit code 2).
        #[arg(long)]
        page: Option<u32>,
        /// Print the pages as JSON (lines, boxes, segments, fonts) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of an output file (documents, facts, tables, checks, run), or of all.
    Schema {
        /// `documents`, `facts`, `tables`, `checks` or `run` (`.jsonl`/`.json` may be added); all
        /// when left out.
        file: Option<String>,
    },
    /// Turn an output folder into analysis-ready tables: values, documents, checks, check_refs and
    /// panel (Parquet with exact DECIMAL(38,10) money, or CSV).
    Export(ExportArgs),
    /// Write the auditor's review of an output folder: an annotated copy of each PDF (highlights
    /// coloured by the checks that read each value, outline entries for the failing checks) and
    /// report.html.
    Review(ReviewArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// The output folder of an `extract` run (holding documents.jsonl, facts.jsonl, ...).
    #[arg(value_name = "OUT_DIR")]
    pub dir: PathBuf,
    /// Where to write `<name>.annotated.pdf` and `report.html` (default: OUT_DIR/review).
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Take relative `source` paths from this folder (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Use the patterns in this folder (headline keys, table catalog) instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Parquet,
    Csv,
}

impl From<ExportFormatArg> for crate::export::Format {
    fn from(f: ExportFormatArg) -> Self {
        match f {
            ExportFormatArg::Parquet => crate::export::Format::Parquet,
            ExportFormatArg::Csv => crate::export::Format::Csv,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The output folder of an `extract` run (holding documents.jsonl, facts.jsonl, ...).
    #[arg(value_name = "OUT_DIR")]
    pub dir: PathBuf,
    /// File format of the tables.
    #[arg(long, value_enum, default_value = "parquet")]
    pub format: ExportFormatArg,
    /// Where to write them (default: OUT_DIR itself).
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Use the patterns in this folder (column ids, headline keys) instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Files or folders (walked recursively for *.pdf and *.txt, sorted); `-` reads a list of paths
    /// from standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Read the list of inputs from this file, one path per line (`-` = standard input); blank lines
    /// and lines starting with `#` are skipped.
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// Lists of paths (`-`, --files-from) are separated by NUL bytes, as `find -print0` writes them
    /// (no comments then).
    #[arg(short = '0', long = "null")]
    pub null: bool,
    /// In folders, take the files whose path below the folder matches this glob (`*`, `?`, `**`,
    /// `[abc]`; a pattern without `/` matches the file name); repeatable. Default: *.pdf and *.txt.
    #[arg(long, value_name = "GLOB")]
    pub glob: Vec<String>,
    /// Leave out every input whose path matches this glob (a pattern without `/` matches the file
    /// name); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Print nothing on stderr but fatal errors (no progress, no failed documents, no summary).
    #[arg(short, long)]
    pub quiet: bool,
    /// Also write the export tables (values, documents, checks, check_refs, panel) into the output
    /// folder in this format; the JSON Lines are always written.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExportFormatArg>,
    /// Also write the auditor's review (annotated PDFs and report.html, as `yujuesuan review`) into
    /// this folder.
    #[arg(long, value_name = "DIR")]
    pub review: Option<PathBuf>,
    /// Output folder.
    #[arg(short, long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Use the patterns in this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// Documents processed in parallel (default: the number of cores).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Draw a progress bar on stderr: auto = only when stderr is a terminal.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressArg,
    /// Skip documents already in the output folder (same sha256, program version and patterns);
    /// append the rest. A run that was killed is completed by running the same command again.
    #[arg(long)]
    pub incremental: bool,
    /// Process only shard K of N (1-based), a deterministic split by document hash; the outputs of
    /// the N shards concatenate.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Give up on a document after this many seconds (it gets a `timeout` record).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout_per_doc: u64,
    /// Refuse input files larger than this many MiB (`too_large`).
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub max_file_size: u64,
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N, e.g. 1/4, got {s:?}"))?;
    let index: u32 = k
        .trim()
        .parse()
        .map_err(|_| format!("K in {s:?} is not a number"))?;
    let count: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("N in {s:?} is not a number"))?;
    if count == 0 || index == 0 || index > count {
        return Err(format!("shard {s:?}: need 1 <= K <= N"));
    }
    Ok(Shard { index, count })
}

/// Builds the validated configuration of an `extract` run.
pub fn extract_config(args: ExtractArgs) -> Result<Config, ConfigError> {
    let mut inputs: Vec<InputSpec> = Vec::new();
    for p in args.inputs {
        if p.as_os_str() == "-" {
            inputs.push(InputSpec::ListFile(p));
        } else {
            inputs.push(InputSpec::Path(p));
        }
    }
    if let Some(list) = args.files_from {
        inputs.push(InputSpec::ListFile(list));
    }
    if inputs.is_empty() {
        return Err(ConfigError::NoInputs);
    }
    let jobs = match args.jobs {
        Some(0) => return Err(ConfigError::Jobs),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if args.timeout_per_doc == 0 {
        return Err(ConfigError::Timeout);
    }
    let patterns = PatternSet::load_verified(args.patterns.as_deref())?;
    let mut globs = Vec::new();
    for g in &args.glob {
        globs.push(Glob::new(g).map_err(ConfigError::Glob)?);
    }
    let mut excludes = Vec::new();
    for g in &args.exclude {
        excludes.push(Glob::new(g).map_err(ConfigError::Glob)?);
    }
    let max_file_size = args.max_file_size.saturating_mul(1024 * 1024);
    Ok(Config {
        inputs,
        selection: Selection {
            globs,
            excludes,
            null_separated: args.null,
        },
        quiet: args.quiet,
        export: args.format.map(Into::into),
        out_dir: args.out,
        patterns,
        jobs,
        progress: match args.progress {
            _ if args.quiet => ProgressMode::Never,
            ProgressArg::Auto => ProgressMode::Auto,
            ProgressArg::Always => ProgressMode::Always,
            ProgressArg::Never => ProgressMode::Never,
        },
        incremental: args.incremental,
        shard: args.shard,
        timeout_per_doc: Duration::from_secs(args.timeout_per_doc),
        limits: Limits {
            max_file_size,
            ..Limits::default()
        },
    })
}

/// Flags that do not make a valid run.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no inputs: name files or folders, `-`, or --files-from FILE")]
    NoInputs,
    #[error("--jobs must be at least 1")]
    Jobs,
    #[error("--timeout-per-doc must be at least 1 second")]
    Timeout,
    #[error("unusable patterns")]
    Patterns(#[from] PatternError),
    #[error("{0}")]
    Glob(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
