//! The batch engine: discover inputs → analyse documents in parallel → one ordered writer.
//!
//! In: a validated [`Config`]. Out: the JSON Lines files and `run.json` in the output folder, and a
//! [`RunOutcome`] whose counts decide the exit code. Parallelism has one level, the document: jobs run
//! on one rayon pool, at most a window of them in flight, and results are written strictly in input
//! order by the calling thread, so the output is byte-identical whatever `-j` is and memory is bounded
//! by the window.
//!
//! Each document runs on its own thread under a time budget: a document that panics or runs past
//! `--timeout-per-doc` gets a `failed` record (`internal_error`, `timeout`) and the run goes on (a
//! timed-out thread cannot be killed; it is abandoned and its result dropped).
//!
//! Crash safety: every document's lines are appended to each file with one write, and its
//! `documents.jsonl` line comes last; a document is done when that line exists. `--incremental` first
//! repairs the folder (drops a torn last line and the lines of documents without a `documents.jsonl`
//! line), then skips documents already there with the same program version and pattern fingerprint.
//!
//! Not here: what happens inside a document (see `report.rs`), flags (see `cli.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use thiserror::Error;

use crate::config::{Config, DocConfig, InputSpec, ProgressMode};
use crate::error::IngestError;
use crate::ingest::Cancel;
use crate::inputs::Selection;
use crate::output::{DocStatus, RunManifest, PROGRAM_VERSION};
use crate::report::{self, Analysis};

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

/// Runs the whole batch.
pub fn run(config: Config) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let sources = discover(&config.inputs, &config.selection)?;
    fs::create_dir_all(&config.out_dir).map_err(|e| RunError::CreateOut {
        path: config.out_dir.display().to_string(),
        source: e,
    })?;
    let _lock = lock_output(&config.out_dir)?;
    let done = if config.incremental {
        repair(&config.out_dir, &config.patterns.fingerprint)?
    } else {
        for name in OUTPUT_FILES {
            let path = config.out_dir.join(name);
            File::create(&path).map_err(|e| RunError::Write {
                path: path.display().to_string(),
                source: e,
            })?;
        }
        HashMap::new()
    };
    let mut writer = Writer::open(&config.out_dir)?;

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .thread_name(|i| format!("yujuesuan-worker-{i}"))
        .build()
        .map_err(|e| RunError::Pool(e.to_string()))?;
    let progress = progress_bar(config.progress, sources.len() as u64);
    let doc_config = Arc::new(DocConfig {
        patterns: config.patterns,
        limits: config.limits,
    });
    let timeout = config.timeout_per_doc;
    let shard = config.shard;

    let mut manifest = RunManifest {
        program_version: PROGRAM_VERSION.to_string(),
        patterns: doc_config.patterns.fingerprint.clone(),
        patterns_count: doc_config.patterns.len(),
        inputs: config
            .inputs
            .iter()
            .map(|i| match i {
                InputSpec::Path(p) => p.display().to_string(),
                InputSpec::ListFile(p) => format!("@{}", p.display()),
            })
            .collect(),
        documents_seen: sources.len(),
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
        shard: shard.map(|s| s.to_string()),
        incremental: config.incremental,
    };

    let window = (config.jobs * 4).max(4);
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    // Identity: the first input (in input order) with given bytes is processed, later ones become
    // `duplicate` lines. `seen` (writer side) decides; `claimed` (worker side) spares the work.
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut earlier: Vec<(&String, &String)> =
        done.iter().map(|((id, _), d)| (id, &d.source)).collect();
    earlier.sort();
    for (id, src) in earlier {
        seen.entry(id.clone()).or_insert_with(|| src.clone());
    }
    let claimed: Arc<Mutex<HashMap<String, Option<usize>>>> = Arc::new(Mutex::new(
        seen.keys().map(|id| (id.clone(), None)).collect(),
    ));
    let quiet = config.quiet;
    let done = Arc::new(done);
    let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut next_to_write = 0usize;
    let mut failed = 0usize;
    let mut failed_earlier = 0usize;
    let mut write_ready = |pending: &mut BTreeMap<usize, Outcome>,
                           next: &mut usize,
                           manifest: &mut RunManifest|
     -> Result<(), RunError> {
        while let Some(outcome) = pending.remove(next) {
            match outcome {
                Outcome::Skipped(reason) => match reason {
                    Skip::Done { failed } => {
                        manifest.skipped_incremental += 1;
                        failed_earlier += usize::from(failed);
                    }
                    Skip::OtherShard => manifest.skipped_other_shard += 1,
                },
                Outcome::Duplicate { id, source, bytes } => {
                    let a = report::duplicate(
                        &id,
                        &source,
                        bytes,
                        seen.get(&id).map(String::as_str),
                        &doc_config,
                    );
                    writer.append(&a)?;
                    *manifest
                        .counts_by_status
                        .entry(DocStatus::Duplicate.to_string())
                        .or_default() += 1;
                }
                Outcome::Analysed(a) => {
                    let a = match seen.get(&a.doc_id) {
                        Some(first) if !a.doc_id.starts_with("unread:") => {
                            // Processed in a race with its earlier twin: the twin's record stands.
                            Box::new(report::duplicate(
                                &a.doc_id,
                                &a.source,
                                a.bytes,
                                Some(first),
                                &doc_config,
                            ))
                        }
                        _ => {
                            seen.insert(a.doc_id.clone(), a.source.clone());
                            a
                        }
                    };
                    writer.append(&a)?;
                    let s = &a.summary;
                    if s.status == DocStatus::Duplicate {
                        *manifest
                            .counts_by_status
                            .entry(DocStatus::Duplicate.to_string())
                            .or_default() += 1;
                        progress.inc(1);
                        *next += 1;
                        continue;
                    }
                    manifest.documents_processed += 1;
                    *manifest
                        .counts_by_status
                        .entry(s.status.to_string())
                        .or_default() += 1;
                    if s.status == DocStatus::Failed {
                        failed += 1;
                        if !quiet {
                            progress.suspend(|| {
                                eprintln!(
                                    "{}: {}: {}",
                                    a.source,
                                    s.error_code.as_deref().unwrap_or("internal_error"),
                                    s.error_message.as_deref().unwrap_or_default()
                                )
                            });
                        }
                        if let Some(code) = &s.error_code {
                            *manifest.failure_codes.entry(code.clone()).or_default() += 1;
                        }
                    }
                    manifest.pages += s.pages;
                    manifest.facts += s.facts;
                    manifest.tables += s.tables;
                    manifest.checks += s.checks;
                    let st = &s.stages;
                    for (name, d) in [
                        ("ingest", st.ingest),
                        ("outline_and_facts", st.outline_and_facts),
                        ("tables", st.tables),
                        ("checks", st.checks),
                    ] {
                        *manifest.stage_seconds.entry(name.to_string()).or_default() +=
                            d.as_secs_f64();
                    }
                }
            }
            progress.inc(1);
            let secs = started.elapsed().as_secs_f64().max(0.001);
            progress.set_message(format!(
                "{:.0} pages/s, {failed} failed",
                manifest.pages as f64 / secs
            ));
            *next += 1;
        }
        Ok(())
    };

    for (index, source) in sources.iter().enumerate() {
        while index >= next_to_write + window {
            match rx.recv() {
                Ok((i, o)) => {
                    pending.insert(i, o);
                    write_ready(&mut pending, &mut next_to_write, &mut manifest)?;
                }
                Err(_) => break,
            }
        }
        let tx = tx.clone();
        let source = source.clone();
        let doc_config = Arc::clone(&doc_config);
        let done = Arc::clone(&done);
        let claimed = Arc::clone(&claimed);
        pool.spawn(move || {
            let job = Job {
                index,
                done: &done,
                claimed: &claimed,
                shard,
            };
            let outcome = process_source(&source, &doc_config, &job, timeout);
            // The receiver lives until every job has reported.
            let _ = tx.send((index, outcome));
        });
    }
    drop(tx);
    while next_to_write < sources.len() {
        match rx.recv() {
            Ok((i, o)) => {
                pending.insert(i, o);
                write_ready(&mut pending, &mut next_to_write, &mut manifest)?;
            }
            Err(_) => break,
        }
    }
    progress.finish_and_clear();

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
    let run_json = config.out_dir.join("run.json");
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    fs::write(&run_json, text).map_err(|e| RunError::Write {
        path: run_json.display().to_string(),
        source: e,
    })?;
    if let Some(format) = config.export {
        crate::export::export(
            &config.out_dir,
            &config.out_dir,
            format,
            &doc_config.patterns,
        )
        .map_err(|e| RunError::Export(e.to_string()))?;
    }
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
    if !quiet {
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
            config.out_dir.display()
        );
    }
    Ok(RunOutcome {
        processed: manifest.documents_processed,
        failed,
        skipped: manifest.skipped_incremental + manifest.skipped_other_shard,
        failed_earlier,
    })
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
    /// The same bytes as an earlier input: not processed.
    Duplicate {
        id: String,
        source: String,
        bytes: u64,
    },
    Skipped(Skip),
}

/// What a worker needs to know about the run besides the document: its place in the input order,
/// the documents already done, the ids claimed by earlier inputs, the shard.
struct Job<'a> {
    index: usize,
    done: &'a Arc<HashMap<DocKey, DoneDoc>>,
    claimed: &'a Arc<Mutex<HashMap<String, Option<usize>>>>,
    shard: Option<crate::config::Shard>,
}

/// What a document's thread tells the engine.
enum Message {
    /// The bytes were read: the document's id and size (for a `timeout` record).
    Read {
        id: String,
        len: u64,
    },
    Done(Outcome),
    Panicked(String),
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

/// One document, start to end (reading included), on its own thread under the time budget. When the
/// budget runs out the document's [`Cancel`] flag is raised, so its work stops at the next page,
/// stream or stage and its memory is released; the engine does not wait for that.
fn process_source(
    source: &Source,
    config: &Arc<DocConfig>,
    job: &Job,
    timeout: Duration,
) -> Outcome {
    let done = job.done;
    let shard = job.shard;
    let index = job.index;
    let job_claimed = Arc::clone(job.claimed);
    let deadline = Instant::now() + timeout;
    let cancel = Cancel::new();
    let (tx, rx) = mpsc::channel::<Message>();
    let job_config = Arc::clone(config);
    let job_done = Arc::clone(done);
    let job_source = source.clone();
    let job_cancel = cancel.clone();
    let spawned = std::thread::Builder::new()
        .name("yujuesuan-document".to_string())
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let progress = tx.clone();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                document_job(
                    &job_source,
                    &job_config,
                    &Job {
                        index,
                        done: &job_done,
                        claimed: &job_claimed,
                        shard,
                    },
                    &job_cancel,
                    &progress,
                )
            }));
            let _ = tx.send(match result {
                Ok(outcome) => Message::Done(outcome),
                Err(p) => Message::Panicked(panic_message(&*p)),
            });
        });
    let mut known: Option<(String, u64)> = None;
    let error = match spawned {
        Err(e) => IngestError::Panic(format!("cannot start a thread: {e}")),
        Ok(_) => loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(Message::Read { id, len }) => known = Some((id, len)),
                Ok(Message::Done(outcome)) => return outcome,
                Ok(Message::Panicked(message)) => break IngestError::Panic(message),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    cancel.cancel();
                    break IngestError::Timeout {
                        seconds: timeout.as_secs(),
                    };
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break IngestError::Panic(
                        "the document's thread ended without a result".to_string(),
                    )
                }
            }
        },
    };
    let (id, len) = known.unwrap_or_else(|| (unread_id(&source.display), 0));
    Outcome::Analysed(Box::new(report::failed(
        &id,
        &source.display,
        len,
        &error,
        config,
    )))
}

/// The id of a document whose bytes could not be read: derived from its path.
fn unread_id(display: &str) -> String {
    let id = report::doc_id(display.as_bytes());
    format!("unread:{}", &id[..16.min(id.len())])
}

/// Reads, identifies, filters (shard, incremental) and analyses one document.
fn document_job(
    source: &Source,
    config: &DocConfig,
    job: &Job,
    cancel: &Cancel,
    progress: &mpsc::Sender<Message>,
) -> Outcome {
    let done = &**job.done;
    let shard = job.shard;
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
    let _ = progress.send(Message::Read {
        id: id.clone(),
        len: bytes.len() as u64,
    });
    if shard.is_some_and(|s| !s.holds(&id)) {
        return Outcome::Skipped(Skip::OtherShard);
    }
    if !done.is_empty() {
        let key = (id.clone(), canonical_source(&source.path, &source.display));
        if let Some(d) = done.get(&key) {
            return Outcome::Skipped(Skip::Done { failed: d.failed });
        }
    }
    if let Ok(mut claims) = job.claimed.lock() {
        let earlier = match claims.get(&id) {
            Some(None) => true,
            Some(Some(i)) => *i < job.index,
            None => false,
        };
        if earlier {
            return Outcome::Duplicate {
                id,
                source: source.display.clone(),
                bytes: bytes.len() as u64,
            };
        }
        claims.insert(id.clone(), Some(job.index));
    }
    Outcome::Analysed(Box::new(report::analyze_identified(
        &id,
        &source.path,
        &source.display,
        &bytes,
        config,
        cancel,
    )))
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
