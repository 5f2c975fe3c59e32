//! The batch engine: discover inputs → analyse documents in parallel → one ordered writer.
//!
//! In: a validated [`Config`]. Out: the JSON Lines files and `run.json` in the output folder, and a
//! [`RunOutcome`] whose counts decide the exit code. Parallelism has one level, the document: a fixed
//! pool of `-j` worker threads, started once and reused for the whole batch (see [`pool`]), runs the
//! documents, at most a window of them ahead of the next one to write; results are written strictly
//! in input order by the calling thread as they come (nothing is collected, except for
//! `extract --review` the few fields the review reads: [`run_keeping`]), so the output is
//! byte-identical whatever `-j` is and memory is bounded by the window, not by the batch. With
//! `extract --review`, each worker also writes the document's annotated copy while its bytes are in
//! memory, under a provisional name the writer turns into the copy's name in input order.
//!
//! Each document runs under a time budget, reading (and with `extract --review` its annotated copy)
//! included: a document that panics or runs past `--timeout-per-doc` gets a `failed` record
//! (`internal_error`, `timeout`) and the run goes on; a timed-out document's cancellation flag is
//! raised, so its work stops at the next page, stream or stage and its memory is released.
//!
//! Crash safety: every document's lines are appended to each file with one write, and its
//! `documents.jsonl` line comes last; a document is done when that line exists. `--incremental` first
//! repairs the folder (drops a torn last line and the lines of documents without a `documents.jsonl`
//! line), then skips documents already there with the same program version and pattern fingerprint.
//!
//! Not here: what happens inside a document (see `report.rs`), flags (see `cli.rs`).

mod pool;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use thiserror::Error;

use crate::config::{Config, DocConfig, InputSpec, ProgressMode};
use crate::error::IngestError;
use crate::ingest::Cancel;
use crate::inputs::Selection;
use crate::output::{DocStatus, RunManifest, PROGRAM_VERSION};
use crate::report::{self, Analysis};
use pool::{Pool, Task};

/// The output files, in the order a document's lines are appended (documents last).
pub const OUTPUT_FILES: [&str; 4] = [
    "facts.jsonl",
    "tables.jsonl",
    "checks.jsonl",
    "documents.jsonl",
];

/// A fatal problem of the run (exit code 2).
#[derive(Debug, Error)]
pub enum RunError {
    #[error("cannot create output folder {path}: {source}")]
    CreateOut { path: String, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: io::Error },
    #[error("cannot read the list of inputs {path}: {source}")]
    ReadList { path: String, source: io::Error },
    #[error("cannot walk folder {path}: {source}")]
    Walk { path: String, source: io::Error },
    #[error("cannot repair existing output {path}: {source}")]
    Repair { path: String, source: io::Error },
    #[error("cannot start worker threads: {0}")]
    Pool(String),
    #[error("export: {0}")]
    Export(String),
    #[error(
        "{path} is in use by another run{holder}: wait for it to finish or choose another --out"
    )]
    Locked { path: String, holder: String },
    #[error("cannot lock {path}: {source}")]
    Lock { path: String, source: io::Error },
}

/// What a run did: decides the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    pub processed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Documents skipped by `--incremental` whose record in the output is a failure.
    pub failed_earlier: usize,
}

impl RunOutcome {
    /// True when the output folder holds failed documents of this run's inputs (exit code 1).
    pub fn has_failures(&self) -> bool {
        self.failed + self.failed_earlier > 0
    }
}

/// The lock file in the output folder: held (OS file lock) for the whole run, released by the OS when
/// the process ends however it ends, so a killed run leaves no stale lock.
pub const LOCK_FILE: &str = "yujuesuan.lock";

/// Takes the output folder's lock, or fails at once when another run holds it.
pub fn lock_output(dir: &Path) -> Result<File, RunError> {
    let path = dir.join(LOCK_FILE);
    let lock_err = |e: io::Error| RunError::Lock {
        path: path.display().to_string(),
        source: e,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(lock_err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(RunError::Locked {
                path: dir.display().to_string(),
                holder: if holder.is_empty() {
                    String::new()
                } else {
                    format!(" ({holder})")
                },
            });
        }
        Err(fs::TryLockError::Error(e)) => return Err(lock_err(e)),
    }
    file.set_len(0).map_err(lock_err)?;
    writeln!(file, "pid {}", std::process::id()).map_err(lock_err)?;
    Ok(file)
}

/// A document found in the output folder by `--incremental`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneDoc {
    /// Its `source` as recorded (lines with another spelling of the same path are duplicates).
    pub source: String,
    pub failed: bool,
}

/// One input path as given (folders expanded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    /// The path as written in the output (`source`).
    pub display: String,
}

/// Expands the input specs into sources: files as given, folders walked recursively for `*.pdf` and
/// `*.txt` or the `--glob`s (sorted by path), list files read entry by entry (see
/// [`Selection::list_entries`]); `--exclude` leaves inputs out; a file named twice (by paths with the same
/// canonical form) is kept once. Paths that do not exist are kept: they become `failed` records, not
/// a fatal error.
pub fn discover(inputs: &[InputSpec], selection: &Selection) -> Result<Vec<Source>, RunError> {
    let found = discover_all(inputs, selection)?;
    // One file named twice (`a/x.pdf` and `./a/x.pdf`) is one input.
    let mut seen = HashSet::new();
    Ok(found
        .into_iter()
        .filter(|s| seen.insert(canonical_source(&s.path, &s.display)))
        .collect())
}

fn discover_all(inputs: &[InputSpec], selection: &Selection) -> Result<Vec<Source>, RunError> {
    let mut out = Vec::new();
    for spec in inputs {
        match spec {
            InputSpec::Path(p) if p.is_dir() => walk(p, selection, &mut out)?,
            InputSpec::Path(p) if selection.excluded(p) => {}
            InputSpec::Path(p) => out.push(source_of(p.clone())),
            InputSpec::ListFile(list) => {
                let text = if list.as_os_str() == "-" {
                    let mut s = String::new();
                    io::stdin()
                        .read_to_string(&mut s)
                        .map_err(|e| RunError::ReadList {
                            path: "-".to_string(),
                            source: e,
                        })?;
                    s
                } else {
                    fs::read_to_string(list).map_err(|e| RunError::ReadList {
                        path: list.display().to_string(),
                        source: e,
                    })?
                };
                for entry in selection.list_entries(&text) {
                    let p = PathBuf::from(entry);
                    if p.is_dir() {
                        walk(&p, selection, &mut out)?;
                    } else if !selection.excluded(&p) {
                        out.push(source_of(p));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn source_of(path: PathBuf) -> Source {
    Source {
        display: path.display().to_string(),
        path,
    }
}

fn walk(dir: &Path, selection: &Selection, out: &mut Vec<Source>) -> Result<(), RunError> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = fs::read_dir(&d).map_err(|e| RunError::Walk {
            path: d.display().to_string(),
            source: e,
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if selection.takes_walked(p.strip_prefix(dir).unwrap_or(&p)) {
                found.push(p);
            }
        }
    }
    found.sort();
    out.extend(found.into_iter().map(source_of));
    Ok(())
}

/// Runs the whole batch: finds the inputs, prepares the output folder, gives the documents to the
/// worker pool and writes their records in input order as they come, then `run.json`, the export and
/// the summary line.
pub fn run(config: Config) -> Result<RunOutcome, RunError> {
    run_keeping(config, None).map(|(outcome, _)| outcome)
}

/// [`run`], and with a review folder the review done in the run (`extract --review`): each worker
/// parses its document's lines, links its values to its checks and writes its annotated copy into
/// `review` while the bytes are in memory; the writer names the copies in input order and keeps
/// the reviewed documents, returned for `report.html`. None when the run does not review (no
/// folder, `--incremental` or `--shard`: documents may be skipped), or gave up: the review then reads
/// the output folder.
pub fn run_keeping(
    mut config: Config,
    review: Option<&Path>,
) -> Result<(RunOutcome, Option<Vec<crate::review::DocReview>>), RunError> {
    let started = Instant::now();
    let sources = discover(&config.inputs, &config.selection)?;
    let (_lock, done) = prepare_output(&config)?;
    let review = review.filter(|_| !config.incremental && config.shard.is_none());
    if let Some(dest) = review {
        fs::create_dir_all(dest).map_err(|e| RunError::CreateOut {
            path: dest.display().to_string(),
            source: e,
        })?;
    }
    let manifest = new_manifest(&config, sources.len());
    let doc_config = Arc::new(DocConfig {
        patterns: std::mem::take(&mut config.patterns),
        limits: config.limits,
    });
    let progress = progress_bar(config.progress, sources.len() as u64);
    let writer = Writer::open(&config.out_dir)?;
    let mut sink = Sink::new(
        writer,
        &done,
        manifest,
        &doc_config,
        &progress,
        config.quiet,
    );
    sink.kept = review.map(Kept::new);
    let claimed = sink.seen.keys().map(|id| (id.clone(), None)).collect();
    let shared = Arc::new(Shared {
        config: Arc::clone(&doc_config),
        done,
        claimed: Mutex::new(claimed),
        shard: config.shard,
        review: review.map(Path::to_path_buf),
    });
    process_all(&sources, &config, shared, &mut sink)?;
    progress.finish_and_clear();
    let Sink {
        mut manifest,
        failed,
        failed_earlier,
        kept,
        ..
    } = sink;
    let wall = finish_manifest(&mut manifest, started);
    write_run_json(&config.out_dir, &manifest)?;
    if let Some(format) = config.export {
        crate::export::export(
            &config.out_dir,
            &config.out_dir,
            format,
            &doc_config.patterns,
        )
        .map_err(|e| RunError::Export(e.to_string()))?;
    }
    if !config.quiet {
        print_summary(&manifest, failed, failed_earlier, wall, &config.out_dir);
    }
    let outcome = RunOutcome {
        processed: manifest.documents_processed,
        failed,
        skipped: manifest.skipped_incremental + manifest.skipped_other_shard,
        failed_earlier,
    };
    Ok((outcome, kept.map(Kept::documents)))
}

/// The documents reviewed so far, in input order (see [`run_keeping`]).
struct Kept {
    /// The review folder.
    dest: PathBuf,
    namer: crate::review::Namer,
    docs: Vec<crate::review::DocReview>,
}

impl Kept {
    fn new(dest: &Path) -> Kept {
        Kept {
            dest: dest.to_path_buf(),
            namer: crate::review::Namer::default(),
            docs: Vec::new(),
        }
    }

    /// Input `index` as written (`a`), with what its worker reviewed (`run`, None for a document
    /// reviewed without its bytes); an error (never for lines this program rendered) drops the set.
    fn add(
        &mut self,
        index: usize,
        a: &Analysis,
        run: Option<crate::review::InRun>,
    ) -> Result<(), crate::output::JsonlError> {
        let run = match run {
            Some(run) => run,
            None => {
                // A worker stopped past its budget may have written a copy of its own.
                let _ = fs::remove_file(crate::review::provisional(&self.dest, index));
                crate::review::without_bytes(&a.rendered)?
            }
        };
        let doc = crate::review::settle(&mut self.namer, run, &self.dest);
        self.docs.push(doc);
        Ok(())
    }

    fn documents(self) -> Vec<crate::review::DocReview> {
        self.docs
    }
}

/// A worker's review that is not kept: its provisional copy removed.
fn discard(run: Option<crate::review::InRun>) {
    if let Some(path) = run.and_then(|r| r.written) {
        let _ = fs::remove_file(path);
    }
}

/// Creates the output folder and takes its lock; with `--incremental` repairs what is there and
/// returns the documents already done, else empties the output files.
fn prepare_output(config: &Config) -> Result<(File, HashMap<DocKey, DoneDoc>), RunError> {
    fs::create_dir_all(&config.out_dir).map_err(|e| RunError::CreateOut {
        path: config.out_dir.display().to_string(),
        source: e,
    })?;
    let lock = lock_output(&config.out_dir)?;
    if config.incremental {
        return Ok((lock, repair(&config.out_dir, &config.patterns.fingerprint)?));
    }
    for name in OUTPUT_FILES {
        let path = config.out_dir.join(name);
        File::create(&path).map_err(|e| RunError::Write {
            path: path.display().to_string(),
            source: e,
        })?;
    }
    Ok((lock, HashMap::new()))
}

/// The run manifest before any document: what the run was asked to do.
fn new_manifest(config: &Config, documents_seen: usize) -> RunManifest {
    RunManifest {
        program_version: PROGRAM_VERSION.to_string(),
        patterns: config.patterns.fingerprint.clone(),
        patterns_count: config.patterns.len(),
        inputs: config
            .inputs
            .iter()
            .map(|i| match i {
                InputSpec::Path(p) => p.display().to_string(),
                InputSpec::ListFile(p) => format!("@{}", p.display()),
            })
            .collect(),
        documents_seen,
        documents_processed: 0,
        skipped_incremental: 0,
        skipped_other_shard: 0,
        counts_by_status: BTreeMap::new(),
        failure_codes: BTreeMap::new(),
        pages: 0,
        facts: 0,
        tables: 0,
        checks: 0,
        wall_seconds: 0.0,
        stage_seconds: BTreeMap::new(),
        documents_per_second: 0.0,
        pages_per_second: 0.0,
        jobs: config.jobs,
        peak_rss_mib: None,
        shard: config.shard.map(|s| s.to_string()),
        incremental: config.incremental,
    }
}

/// Gives every source to the worker pool, at most a window of them ahead of the next one to write,
/// and hands each outcome to the writer as it comes. Returns once every source is written.
fn process_all(
    sources: &[Source],
    config: &Config,
    shared: Arc<Shared>,
    sink: &mut Sink,
) -> Result<(), RunError> {
    let window = (config.jobs * 4).max(4);
    let mut pool = Pool::start(config.jobs, config.timeout_per_doc, shared)?;
    let mut submitted = 0usize;
    while sink.next < sources.len() {
        while submitted < sources.len() && submitted < sink.next + window {
            pool.submit(Task {
                index: submitted,
                source: sources[submitted].clone(),
            });
            submitted += 1;
        }
        if submitted == sources.len() {
            pool.close();
        }
        match pool.next() {
            Some((index, outcome)) => sink.put(index, outcome)?,
            None => break,
        }
    }
    Ok(())
}

/// Wall time, rates, peak RSS and rounded stage times into the manifest; returns the wall seconds.
fn finish_manifest(manifest: &mut RunManifest, started: Instant) -> f64 {
    let wall = started.elapsed().as_secs_f64();
    manifest.wall_seconds = (wall * 1000.0).round() / 1000.0;
    if wall > 0.0 {
        manifest.documents_per_second =
            ((manifest.documents_processed as f64 / wall) * 100.0).round() / 100.0;
        manifest.pages_per_second = ((manifest.pages as f64 / wall) * 100.0).round() / 100.0;
    }
    manifest.peak_rss_mib = peak_rss_mib();
    for v in manifest.stage_seconds.values_mut() {
        *v = (*v * 1000.0).round() / 1000.0;
    }
    wall
}

fn write_run_json(dir: &Path, manifest: &RunManifest) -> Result<(), RunError> {
    let run_json = dir.join("run.json");
    let text = serde_json::to_string_pretty(manifest).unwrap_or_default() + "\n";
    fs::write(&run_json, text).map_err(|e| RunError::Write {
        path: run_json.display().to_string(),
        source: e,
    })
}

/// The one line on stderr that ends a run.
fn print_summary(
    manifest: &RunManifest,
    failed: usize,
    failed_earlier: usize,
    wall: f64,
    out_dir: &Path,
) {
    let duplicates = manifest
        .counts_by_status
        .get("duplicate")
        .copied()
        .unwrap_or(0);
    let earlier = if failed_earlier > 0 {
        format!(", {failed_earlier} of them failed in an earlier run")
    } else {
        String::new()
    };
    eprintln!(
        "yujuesuan: {} documents processed ({} failed, {} duplicates, {} skipped{earlier}), {} pages, {} facts, {} tables in {:.1} s → {}",
        manifest.documents_processed,
        failed,
        duplicates,
        manifest.skipped_incremental + manifest.skipped_other_shard,
        manifest.pages,
        manifest.facts,
        manifest.tables,
        wall,
        out_dir.display()
    );
}

/// The ordered writer: takes each document's outcome as it comes, writes the records strictly in
/// input order (a document's lines appended at once, `documents.jsonl` last) and counts them for
/// `run.json`. Identity: the first input (in input order) with given bytes is written, later ones
/// become `duplicate` lines; `seen` decides (the workers' `claimed` only spares the work).
struct Sink<'a> {
    writer: Writer,
    pending: BTreeMap<usize, Outcome>,
    /// The index of the next source to write.
    next: usize,
    /// Document id → the source first written with it.
    seen: HashMap<String, String>,
    config: &'a DocConfig,
    progress: &'a ProgressBar,
    quiet: bool,
    started: Instant,
    manifest: RunManifest,
    failed: usize,
    failed_earlier: usize,
    /// The records written, kept for the review (see [`run_keeping`]).
    kept: Option<Kept>,
}

impl<'a> Sink<'a> {
    fn new(
        writer: Writer,
        done: &HashMap<DocKey, DoneDoc>,
        manifest: RunManifest,
        config: &'a DocConfig,
        progress: &'a ProgressBar,
        quiet: bool,
    ) -> Sink<'a> {
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut earlier: Vec<(&String, &String)> =
            done.iter().map(|((id, _), d)| (id, &d.source)).collect();
        earlier.sort();
        for (id, src) in earlier {
            seen.entry(id.clone()).or_insert_with(|| src.clone());
        }
        Sink {
            writer,
            pending: BTreeMap::new(),
            next: 0,
            seen,
            config,
            progress,
            quiet,
            started: Instant::now(),
            manifest,
            failed: 0,
            failed_earlier: 0,
            kept: None,
        }
    }

    /// Keeps a written document's review (or gives up keeping: see [`Kept::add`]).
    fn keep(&mut self, a: &Analysis, run: Option<crate::review::InRun>) {
        let Some(kept) = &mut self.kept else {
            discard(run);
            return;
        };
        if kept.add(self.next, a, run).is_err() {
            self.kept = None;
        }
    }

    /// Takes the outcome of source `index` and writes every outcome that is next in input order.
    fn put(&mut self, index: usize, outcome: Outcome) -> Result<(), RunError> {
        self.pending.insert(index, outcome);
        while let Some(outcome) = self.pending.remove(&self.next) {
            self.write(outcome)?;
            self.progress.inc(1);
            let secs = self.started.elapsed().as_secs_f64().max(0.001);
            self.progress.set_message(format!(
                "{:.0} pages/s, {} failed",
                self.manifest.pages as f64 / secs,
                self.failed
            ));
            self.next += 1;
        }
        Ok(())
    }

    fn write(&mut self, outcome: Outcome) -> Result<(), RunError> {
        match outcome {
            Outcome::Skipped(Skip::Done { failed }) => {
                self.kept = None;
                self.manifest.skipped_incremental += 1;
                self.failed_earlier += usize::from(failed);
            }
            Outcome::Skipped(Skip::OtherShard) => {
                self.kept = None;
                self.manifest.skipped_other_shard += 1;
            }
            Outcome::Duplicate { id, source, bytes } => {
                let first = self.seen.get(&id).map(String::as_str);
                let a = report::duplicate(&id, &source, bytes, first, self.config);
                self.writer.append(&a)?;
                self.keep(&a, None);
                self.count_status(DocStatus::Duplicate);
            }
            Outcome::Analysed(a) => self.write_analysed(a, None)?,
            Outcome::Reviewed(a, run) => self.write_analysed(a, run.map(|r| *r))?,
        }
        Ok(())
    }

    /// A document processed by a worker (and the worker's review of it, if any).
    fn write_analysed(
        &mut self,
        a: Box<Analysis>,
        mut run: Option<crate::review::InRun>,
    ) -> Result<(), RunError> {
        let a = match self.seen.get(&a.doc_id) {
            Some(first) if !a.doc_id.starts_with("unread:") => {
                // Processed in a race with its earlier twin: the twin's record stands.
                discard(run.take());
                Box::new(report::duplicate(
                    &a.doc_id,
                    &a.source,
                    a.bytes,
                    Some(first),
                    self.config,
                ))
            }
            _ => {
                self.seen.insert(a.doc_id.clone(), a.source.clone());
                a
            }
        };
        self.writer.append(&a)?;
        self.keep(&a, run);
        if a.summary.status == DocStatus::Duplicate {
            self.count_status(DocStatus::Duplicate);
        } else {
            self.count(&a);
        }
        Ok(())
    }

    fn count_status(&mut self, status: DocStatus) {
        *self
            .manifest
            .counts_by_status
            .entry(status.to_string())
            .or_default() += 1;
    }

    /// A processed document into the counts (and its failure on stderr).
    fn count(&mut self, a: &Analysis) {
        let s = &a.summary;
        self.manifest.documents_processed += 1;
        self.count_status(s.status);
        if s.status == DocStatus::Failed {
            self.failed += 1;
            if !self.quiet {
                self.progress.suspend(|| {
                    eprintln!(
                        "{}: {}: {}",
                        a.source,
                        s.error_code.as_deref().unwrap_or("internal_error"),
                        s.error_message.as_deref().unwrap_or_default()
                    )
                });
            }
            if let Some(code) = &s.error_code {
                *self.manifest.failure_codes.entry(code.clone()).or_default() += 1;
            }
        }
        let m = &mut self.manifest;
        m.pages += s.pages;
        m.facts += s.facts;
        m.tables += s.tables;
        m.checks += s.checks;
        let st = &s.stages;
        for (name, d) in [
            ("ingest", st.ingest),
            ("outline_and_facts", st.outline_and_facts),
            ("tables", st.tables),
            ("checks", st.checks),
        ] {
            *m.stage_seconds.entry(name.to_string()).or_default() += d.as_secs_f64();
        }
    }
}

/// Why a source produced no records in this run.
enum Skip {
    /// Already in the output folder (incremental); `failed` when its record there is a failure.
    Done {
        failed: bool,
    },
    OtherShard,
}

enum Outcome {
    Analysed(Box<Analysis>),
    /// Analysed, and reviewed by its worker (`extract --review`; None: the review could not read
    /// the lines, and the run gives up reviewing, or the document was stopped).
    Reviewed(Box<Analysis>, Option<Box<crate::review::InRun>>),
    /// The same bytes as an earlier input: not processed.
    Duplicate {
        id: String,
        source: String,
        bytes: u64,
    },
    Skipped(Skip),
}

/// What every document of the run needs besides its source: the configuration, the documents
/// already done (incremental), the ids claimed by earlier inputs (document id → the index of the
/// input that claimed it, `None` for one already in the output folder), the shard, the review
/// folder the workers write the annotated copies into (`extract --review`).
struct Shared {
    config: Arc<DocConfig>,
    done: HashMap<DocKey, DoneDoc>,
    claimed: Mutex<HashMap<String, Option<usize>>>,
    shard: Option<crate::config::Shard>,
    review: Option<PathBuf>,
}

/// The key that identifies a document across runs: its sha256 and its canonical path (the path as
/// written when it cannot be canonicalised, e.g. the file is gone).
pub type DocKey = (String, String);

/// The canonical form of a source path for [`DocKey`].
pub fn canonical_source(path: &Path, display: &str) -> String {
    fs::canonicalize(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| display.to_string())
}

/// The id of a document whose bytes could not be read: derived from its path.
fn unread_id(display: &str) -> String {
    let id = report::doc_id(display.as_bytes());
    format!("unread:{}", &id[..16.min(id.len())])
}

/// Reads, identifies, filters (shard, incremental) and analyses one document (source `index` of
/// the input order), on a worker of the pool; `on_read` is told the id and size once the bytes are
/// read. Stops early once `cancel` fires.
fn document_job(
    source: &Source,
    index: usize,
    shared: &Shared,
    cancel: &Cancel,
    on_read: &dyn Fn(&str, u64),
) -> Outcome {
    let config = &*shared.config;
    let bytes = match read_limited(&source.path, config.limits.max_file_size, cancel) {
        Ok(b) => b,
        Err(e) => {
            let id = unread_id(&source.display);
            return Outcome::Analysed(Box::new(report::failed(
                &id,
                &source.display,
                0,
                &e,
                config,
            )));
        }
    };
    let id = report::doc_id(&bytes);
    on_read(&id, bytes.len() as u64);
    if shared.shard.is_some_and(|s| !s.holds(&id)) {
        return Outcome::Skipped(Skip::OtherShard);
    }
    if !shared.done.is_empty() {
        let key = (id.clone(), canonical_source(&source.path, &source.display));
        if let Some(d) = shared.done.get(&key) {
            return Outcome::Skipped(Skip::Done { failed: d.failed });
        }
    }
    if let Ok(mut claims) = shared.claimed.lock() {
        let earlier = match claims.get(&id) {
            Some(None) => true,
            Some(Some(i)) => *i < index,
            None => false,
        };
        if earlier {
            return Outcome::Duplicate {
                id,
                source: source.display.clone(),
                bytes: bytes.len() as u64,
            };
        }
        claims.insert(id.clone(), Some(index));
    }
    let Some(dest) = &shared.review else {
        return Outcome::Analysed(Box::new(report::analyze_owned(
            &id,
            &source.path,
            &source.display,
            bytes,
            config,
            cancel,
        )));
    };
    // The review's annotated copy is made of these bytes: they are kept through the stages.
    let a = report::analyze_identified(&id, &source.path, &source.display, &bytes, config, cancel);
    let run = if cancel.is_cancelled() {
        None
    } else {
        crate::review::review_in_run(&a.rendered, &bytes, dest, index).ok()
    };
    Outcome::Reviewed(Box::new(a), run.map(Box::new))
}

/// Peak resident set size of this process (`VmHWM` in /proc/self/status), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.div_ceil(1024))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// Bytes read between two looks at the cancellation flag.
const READ_CHUNK: usize = 8 << 20;

/// Reads a regular file, refusing one larger than `limit` before reading it. FIFOs, devices and
/// sockets are refused before they are opened (opening or reading one can block forever), and the
/// read stops once `cancel` fires.
fn read_limited(path: &Path, limit: u64, cancel: &Cancel) -> Result<Vec<u8>, IngestError> {
    let meta = fs::metadata(path)?;
    not_special(&meta)?;
    if meta.len() > limit {
        return Err(IngestError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = File::open(path)?;
    // The path may have been replaced between the two looks.
    not_special(&file.metadata()?)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    let mut reader = file.take(limit + 1);
    loop {
        cancel.check()?;
        let before = bytes.len();
        let n = (&mut reader)
            .take(READ_CHUNK as u64)
            .read_to_end(&mut bytes)?;
        if n == 0 || bytes.len() == before {
            break;
        }
    }
    if bytes.len() as u64 > limit {
        return Err(IngestError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// `unreadable_file` for anything but a regular file.
fn not_special(meta: &fs::Metadata) -> Result<(), IngestError> {
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(());
    }
    let what = if ft.is_dir() {
        "a folder"
    } else {
        special_kind(&ft)
    };
    Err(IngestError::Io(io::Error::other(format!(
        "not a regular file: {what}"
    ))))
}

#[cfg(unix)]
fn special_kind(ft: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "a special file"
}

fn progress_bar(mode: ProgressMode, total: u64) -> ProgressBar {
    let target = match mode {
        ProgressMode::Never => ProgressDrawTarget::hidden(),
        ProgressMode::Auto => ProgressDrawTarget::stderr(),
        ProgressMode::Always => {
            ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::buffered_stderr()), 10)
        }
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} documents, {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Appends each document's lines to the output files.
struct Writer {
    files: Vec<(PathBuf, File)>,
}

impl Writer {
    fn open(dir: &Path) -> Result<Writer, RunError> {
        let mut files = Vec::new();
        for name in OUTPUT_FILES {
            let path = dir.join(name);
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| RunError::Write {
                    path: path.display().to_string(),
                    source: e,
                })?;
            files.push((path, file));
        }
        Ok(Writer { files })
    }

    /// One write per file; `documents.jsonl` last.
    fn append(&mut self, a: &Analysis) -> Result<(), RunError> {
        let r = &a.rendered;
        let parts = [&r.facts, &r.tables, &r.checks, &r.documents];
        for ((path, file), text) in self.files.iter_mut().zip(parts) {
            if text.is_empty() {
                continue;
            }
            file.write_all(text.as_bytes())
                .map_err(|e| RunError::Write {
                    path: path.display().to_string(),
                    source: e,
                })?;
        }
        Ok(())
    }
}

/// Prepares an existing output folder for `--incremental`: drops a torn last line in every file, drops
/// lines of documents without a `documents.jsonl` line, drops every line of documents recorded by
/// another program version or pattern set (they are redone) or with a failure that may not repeat
/// (`unreadable_file`, `timeout`, `internal_error`: retried), and keeps one record per document key
/// (sha256 + canonical path: `in/a.pdf` and `./in/a.pdf` are one document). Returns the documents
/// that are done, by key.
pub fn repair(dir: &Path, fingerprint: &str) -> Result<HashMap<DocKey, DoneDoc>, RunError> {
    let err = |path: &Path, e: io::Error| RunError::Repair {
        path: path.display().to_string(),
        source: e,
    };
    let mut canonical: HashMap<String, String> = HashMap::new();
    let mut key_of = |id: &str, source: &str| -> DocKey {
        let c = canonical
            .entry(source.to_string())
            .or_insert_with(|| canonical_source(Path::new(source), source));
        (id.to_string(), c.clone())
    };
    let docs_path = dir.join("documents.jsonl");
    let mut done: HashMap<DocKey, DoneDoc> = HashMap::new();
    if docs_path.exists() {
        for line in complete_lines(&docs_path).map_err(|e| err(&docs_path, e))? {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let id = v["doc_id"].as_str().unwrap_or_default();
            let source = v["source"].as_str().unwrap_or_default();
            let current = v["program_version"].as_str() == Some(PROGRAM_VERSION)
                && v["patterns"].as_str() == Some(fingerprint);
            // Failures that may not repeat (a file not readable then, a time-out, a crash) are retried.
            let retry = matches!(
                v["error"]["code"].as_str(),
                Some("unreadable_file" | "timeout" | "internal_error")
            );
            if current && !retry {
                done.entry(key_of(id, source)).or_insert_with(|| DoneDoc {
                    source: source.to_string(),
                    failed: v["status"].as_str() == Some("failed"),
                });
            }
        }
    }
    for name in OUTPUT_FILES {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let lines = complete_lines(&path).map_err(|e| err(&path, e))?;
        let mut kept = String::new();
        for line in lines {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let source = v["source"].as_str().unwrap_or_default();
            let key = key_of(v["doc_id"].as_str().unwrap_or_default(), source);
            if done.get(&key).is_some_and(|d| d.source == source) {
                kept.push_str(&line);
                kept.push('\n');
            }
        }
        let tmp = path.with_extension("jsonl.tmp");
        fs::write(&tmp, kept).map_err(|e| err(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| err(&path, e))?;
    }
    Ok(done)
}

/// The lines of a file that end with `\n` (a torn last line is left out).
fn complete_lines(path: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut reader = BufReader::new(File::open(path)?);
    let mut buf = String::new();
    loop {
        buf.clear();
        let n = reader.read_line(&mut buf)?;
        if n == 0 || !buf.ends_with('\n') {
            break;
        }
        out.push(buf.trim_end_matches('\n').to_string());
    }
    Ok(out)
}
