//! The worker pool: a fixed set of threads, started once and reused for the whole batch, that run
//! documents under the time budget.
//!
//! In: tasks (a source at its place in the input order) and what every document needs
//! ([`Shared`]). Out: one [`Outcome`] per task, in the order they finish (the caller puts them back
//! in input order).
//!
//! `jobs` worker threads take the next task from one queue, so a batch of any size runs on the same
//! threads (and the same malloc arenas): memory does not grow with the number of documents. The
//! caller's thread is the watchdog. A worker tells it when it starts a document (with the
//! document's [`Cancel`] flag) and when the bytes are read; a document still running when its
//! budget, counted from its start (reading included), is spent gets a `timeout` record at once, its
//! flag is raised so its work stops at the next page, stream or stage and its memory is released,
//! and whatever it still returns is dropped. A replacement worker is started at the same moment, so
//! the batch keeps `jobs` documents going while the stopped one winds down; the stopped worker leaves
//! the pool when it comes back. A document that panics gets an `internal_error` record and its worker
//! takes the next task.
//!
//! Not here: reading and analysing a document (`document_job` in the parent module), the order of
//! the output (the parent's writer).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{document_job, panic_message, unread_id, Outcome, RunError, Shared, Source};
use crate::error::IngestError;
use crate::ingest::Cancel;
use crate::report;

/// Stack of a worker thread (nested PDF objects and deep outlines recurse).
const WORKER_STACK: usize = 16 * 1024 * 1024;

/// One document to process: its place in the input order and its source.
pub(super) struct Task {
    pub index: usize,
    pub source: Source,
}

/// What a worker tells the watchdog, in this order for each task.
enum Event {
    Started {
        index: usize,
        display: String,
        cancel: Cancel,
        at: Instant,
    },
    /// The bytes were read: the document's id and size (for a `timeout` record).
    Read {
        index: usize,
        id: String,
        len: u64,
    },
    Finished {
        index: usize,
        outcome: Outcome,
    },
    Panicked {
        index: usize,
        message: String,
    },
}

/// A document being worked on, as the watchdog sees it.
struct Running {
    deadline: Instant,
    display: String,
    cancel: Cancel,
    read: Option<(String, u64)>,
}

/// What the workers share: the task queue, the way back, the run's data and the pool's strength.
struct Crew {
    queue: Mutex<mpsc::Receiver<Task>>,
    shared: Arc<Shared>,
    /// Workers started beyond `jobs` (one per timed-out document) that are still to leave.
    surplus: AtomicUsize,
    /// Set when the run ends early (an output error): queued tasks are dropped unprocessed.
    stop: AtomicBool,
}

/// The pool and its watchdog (owned by the caller's thread).
pub(super) struct Pool {
    tasks: Option<mpsc::Sender<Task>>,
    events: mpsc::Receiver<Event>,
    events_tx: mpsc::Sender<Event>,
    crew: Arc<Crew>,
    running: HashMap<usize, Running>,
    timeout: Duration,
    spawned: usize,
}

impl Pool {
    /// Starts `jobs` workers (at least one).
    pub fn start(jobs: usize, timeout: Duration, shared: Arc<Shared>) -> Result<Pool, RunError> {
        let (tasks, queue) = mpsc::channel();
        let (events_tx, events) = mpsc::channel();
        let mut pool = Pool {
            tasks: Some(tasks),
            events,
            events_tx,
            crew: Arc::new(Crew {
                queue: Mutex::new(queue),
                shared,
                surplus: AtomicUsize::new(0),
                stop: AtomicBool::new(false),
            }),
            running: HashMap::new(),
            timeout,
            spawned: 0,
        };
        for _ in 0..jobs.max(1) {
            pool.spawn_worker()
                .map_err(|e| RunError::Pool(e.to_string()))?;
        }
        Ok(pool)
    }

    fn spawn_worker(&mut self) -> std::io::Result<()> {
        let crew = Arc::clone(&self.crew);
        let events = self.events_tx.clone();
        std::thread::Builder::new()
            .name(format!("yujuesuan-worker-{}", self.spawned))
            .stack_size(WORKER_STACK)
            .spawn(move || work(&crew, &events))?;
        self.spawned += 1;
        Ok(())
    }

    /// Queues a task (the caller bounds how many are outstanding).
    pub fn submit(&self, task: Task) {
        if let Some(tasks) = &self.tasks {
            // The queue's receiver lives in `crew` as long as the pool: sending cannot fail.
            let _ = tasks.send(task);
        }
    }

    /// No more tasks: idle workers leave once the queue is empty.
    pub fn close(&mut self) {
        self.tasks = None;
    }

    /// Waits for the next outcome: a finished document, a panicked one, or one whose budget ran
    /// out. `None` only when no worker can report any more.
    pub fn next(&mut self) -> Option<(usize, Outcome)> {
        loop {
            let nearest = self.running.values().map(|r| r.deadline).min();
            let event = match nearest {
                None => self.events.recv().ok()?,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match self.events.recv_timeout(left) {
                        Ok(event) => event,
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            if let Some(done) = self.expire() {
                                return Some(done);
                            }
                            continue;
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                    }
                }
            };
            if let Some(done) = self.on_event(event) {
                return Some(done);
            }
        }
    }

    fn on_event(&mut self, event: Event) -> Option<(usize, Outcome)> {
        match event {
            Event::Started {
                index,
                display,
                cancel,
                at,
            } => {
                let deadline = at + self.timeout;
                let read = None;
                self.running.insert(
                    index,
                    Running {
                        deadline,
                        display,
                        cancel,
                        read,
                    },
                );
                None
            }
            Event::Read { index, id, len } => {
                if let Some(r) = self.running.get_mut(&index) {
                    r.read = Some((id, len));
                }
                None
            }
            // A document that timed out is no longer running: what it returns late is dropped.
            Event::Finished { index, outcome } => {
                self.running.remove(&index).map(|_| (index, outcome))
            }
            Event::Panicked { index, message } => {
                let r = self.running.remove(&index)?;
                Some((index, self.failed(&r, &IngestError::Panic(message))))
            }
        }
    }

    /// The document whose budget ran out first, if any has: stopped and recorded as `timeout`, and
    /// a worker started in its place.
    fn expire(&mut self) -> Option<(usize, Outcome)> {
        let now = Instant::now();
        let (&index, _) = self
            .running
            .iter()
            .filter(|(_, r)| r.deadline <= now)
            .min_by_key(|(_, r)| r.deadline)?;
        let r = self.running.remove(&index)?;
        r.cancel.cancel();
        if self.spawn_worker().is_ok() {
            self.crew.surplus.fetch_add(1, Ordering::SeqCst);
        }
        let error = IngestError::Timeout {
            seconds: self.timeout.as_secs(),
        };
        Some((index, self.failed(&r, &error)))
    }

    fn failed(&self, r: &Running, error: &IngestError) -> Outcome {
        let (id, len) = r.read.clone().unwrap_or_else(|| (unread_id(&r.display), 0));
        Outcome::Analysed(Box::new(report::failed(
            &id,
            &r.display,
            len,
            error,
            &self.crew.shared.config,
        )))
    }
}

impl Drop for Pool {
    /// The run is over (or failed): queued tasks are not started, running ones are stopped.
    fn drop(&mut self) {
        self.crew.stop.store(true, Ordering::SeqCst);
        for r in self.running.values() {
            r.cancel.cancel();
        }
    }
}

/// A worker: takes tasks until the queue is closed and empty (or the run stops), and leaves early
/// when it comes back from a stopped document while the pool is over strength.
fn work(crew: &Crew, events: &mpsc::Sender<Event>) {
    loop {
        let task = match crew.queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(Task { index, source }) = task else {
            return;
        };
        if crew.stop.load(Ordering::SeqCst) {
            return;
        }
        let cancel = Cancel::new();
        let _ = events.send(Event::Started {
            index,
            display: source.display.clone(),
            cancel: cancel.clone(),
            at: Instant::now(),
        });
        let on_read = |id: &str, len: u64| {
            let _ = events.send(Event::Read {
                index,
                id: id.to_string(),
                len,
            });
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            document_job(&source, index, &crew.shared, &cancel, &on_read)
        }));
        let _ = events.send(match result {
            Ok(outcome) => Event::Finished { index, outcome },
            Err(p) => Event::Panicked {
                index,
                message: panic_message(&*p),
            },
        });
        let over_strength = || {
            crew.surplus
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        };
        if cancel.is_cancelled() && over_strength() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DocConfig;
    use crate::ingest::Limits;
    use crate::output::DocStatus;
    use crate::patterns::PatternSet;
    use std::path::PathBuf;

    const SEED: &str = include_str!("../../samples/renshe-2020-final.txt");

    fn shared() -> Arc<Shared> {
        Arc::new(Shared {
            config: Arc::new(DocConfig {
                patterns: PatternSet::load(None).expect("built-in patterns"),
                limits: Limits::default(),
            }),
            done: HashMap::new(),
            claimed: Mutex::new(HashMap::new()),
            shard: None,
            review: None,
        })
    }

    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("yujuesuan-pool-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp folder");
        dir
    }

    fn task(index: usize, path: PathBuf) -> Task {
        Task {
            index,
            source: Source {
                display: path.display().to_string(),
                path,
            },
        }
    }

    /// Status and error code of each outcome, by input index.
    fn drain(pool: &mut Pool, n: usize) -> Vec<(DocStatus, Option<String>)> {
        let mut got: Vec<Option<(DocStatus, Option<String>)>> = vec![None; n];
        for _ in 0..n {
            let (index, outcome) = pool.next().expect("an outcome for every task");
            let Outcome::Analysed(a) = outcome else {
                panic!("document {index} was not analysed");
            };
            assert!(got[index].is_none(), "document {index} reported twice");
            got[index] = Some((a.summary.status, a.summary.error_code.clone()));
        }
        got.into_iter().map(|g| g.expect("reported")).collect()
    }

    #[test]
    fn a_batch_runs_on_the_threads_started_for_it() {
        let dir = folder("reuse");
        let mut pool = Pool::start(2, Duration::from_secs(60), shared()).expect("pool");
        let n = 24;
        for i in 0..n {
            // Each copy differs by a trailing line: a new document, not a duplicate.
            let path = dir.join(format!("{i:02}.txt"));
            std::fs::write(&path, format!("{SEED}\n{i}\n")).expect("write");
            pool.submit(task(i, path));
        }
        pool.close();
        let got = drain(&mut pool, n);
        assert!(got.iter().all(|(s, _)| *s == DocStatus::Ok), "{got:?}");
        assert_eq!(pool.spawned, 2, "no thread per document");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_document_past_its_budget_is_stopped_and_its_worker_replaced() {
        let dir = folder("budget");
        // Some 40 MB of report text: seconds of work, far past a budget of one second.
        let big = dir.join("a-big.txt");
        std::fs::write(&big, SEED.repeat((40 << 20) / SEED.len() + 1)).expect("write");
        let small = dir.join("b-seed.txt");
        std::fs::write(&small, SEED).expect("write");
        let mut pool = Pool::start(1, Duration::from_secs(1), shared()).expect("pool");
        pool.submit(task(0, big));
        pool.submit(task(1, small));
        pool.close();
        let got = drain(&mut pool, 2);
        assert_eq!(got[0], (DocStatus::Failed, Some("timeout".to_string())));
        // With one worker, the seed still ran: on the worker started in place of the stopped one.
        assert_eq!(got[1], (DocStatus::Ok, None));
        assert_eq!(pool.spawned, 2);
        // The stopped document's worker sees its flag, drops its work and leaves the pool.
        let waited = Instant::now();
        while pool.crew.surplus.load(Ordering::SeqCst) > 0 {
            assert!(
                waited.elapsed() < Duration::from_secs(30),
                "the stopped worker never came back"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
