//! The `yujuesuan` binary: flags → configuration → run; prints errors; sets the exit code.
//! Exit codes: 0 all processed, 1 output written but some documents failed, 2 fatal.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use yujuesuan::cli::{extract_config, Cli, CliCommand, ExportArgs, ExtractArgs, ReviewArgs};
use yujuesuan::patterns::{PatternSet, ReviewVocabulary};
use yujuesuan::{export, ingest, inspect, output, pipeline, review};

/// mimalloc, chosen by measurement (see Cargo.toml): the pipeline allocates many small strings.
/// `--features system-allocator` builds with the system allocator instead (to measure the two
/// against each other, or to run under a heap profiler that hooks `malloc`).
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("yujuesuan: failed");
            for cause in e.chain() {
                eprintln!("  Cause: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        CliCommand::Extract(args) => extract(args),
        CliCommand::CheckPatterns { patterns } => check_patterns(patterns.as_deref()),
        CliCommand::Text { file, page } => {
            let doc = read_document(&file)?;
            check_page(&doc, page)?;
            print_out(&inspect::page_text_of(&doc, page))
        }
        CliCommand::Inspect { file, page, json } => {
            let doc = read_document(&file)?;
            check_page(&doc, page)?;
            if json {
                print_out(&inspect::inspect_json(&doc, page))
            } else {
                print_out(&inspect::inspect(&doc, page))
            }
        }
        CliCommand::Schema { file } => schema(file.as_deref()),
        CliCommand::Review(args) => review_run(args),
        CliCommand::Export(args) => export_run(args),
    }
}

/// `extract`: the run, then the review of its output when `--review DIR` asks for one.
fn extract(mut args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let review_dir = args.review.take();
    let patterns_dir = args.patterns.clone();
    let config = extract_config(args).context("invalid arguments")?;
    let out_dir = config.out_dir.clone();
    let (outcome, kept) = pipeline::run_keeping(config, review_dir.as_deref())
        .context("the run could not complete")?;
    if let Some(dest) = review_dir {
        let vocabulary =
            ReviewVocabulary::load(patterns_dir.as_deref()).context("cannot load patterns")?;
        let options = review::ReviewOptions {
            out_dir,
            dest,
            root: None,
        };
        // The documents reviewed in the run (copies written) when it has them all, else the
        // review of the folder read back.
        match kept {
            Some(docs) => review::write_report(docs, &options.dest, &vocabulary),
            None => review::review(&options, &vocabulary),
        }
        .context("review failed")?;
    }
    Ok(if outcome.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `check-patterns`: every problem of the pattern set printed; exit 2 when there is one.
fn check_patterns(dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let (set, problems) = PatternSet::load_and_check(dir).context("cannot load patterns")?;
    for p in &problems {
        eprintln!("{p}");
    }
    match set {
        Some(set) if problems.is_empty() => {
            println!(
                "{} patterns OK (fingerprint {})",
                set.len(),
                set.fingerprint
            );
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{} problems", problems.len());
            Ok(ExitCode::from(2))
        }
    }
}

/// `schema`: one output file's JSON Schema, or all of them in one object.
fn schema(file: Option<&str>) -> anyhow::Result<ExitCode> {
    match file {
        Some(name) => match output::schema(name) {
            Some(text) => print_out(text),
            None => anyhow::bail!(
                "no schema for {name:?}: one of {}",
                output::SCHEMAS.map(|(n, _)| n).join(", ")
            ),
        },
        None => {
            let mut all = serde_json::Map::new();
            for (name, text) in output::SCHEMAS {
                let value: serde_json::Value =
                    serde_json::from_str(text).context("a built-in schema is not JSON")?;
                all.insert(name.to_string(), value);
            }
            let text = serde_json::to_string_pretty(&all).context("schema")? + "\n";
            print_out(&text)
        }
    }
}

/// `review`: annotated copies and the HTML report of an output folder.
fn review_run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let vocabulary =
        ReviewVocabulary::load(args.patterns.as_deref()).context("cannot load patterns")?;
    let options = review::ReviewOptions {
        dest: args.out.clone().unwrap_or_else(|| args.dir.join("review")),
        out_dir: args.dir,
        root: args.root,
    };
    let done = review::review(&options, &vocabulary).context("review failed")?;
    for d in done.documents.iter().filter(|d| d.not_annotated.is_some()) {
        eprintln!(
            "{}: not annotated: {}",
            d.source(),
            d.not_annotated.as_deref().unwrap_or_default()
        );
    }
    eprintln!(
        "yujuesuan: {} annotated copies ({} highlights), {} → {}",
        done.annotated,
        done.highlights,
        done.report.display(),
        options.dest.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `export`: the output folder's values as CSV / Parquet.
fn export_run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let patterns = PatternSet::load(args.patterns.as_deref()).context("cannot load patterns")?;
    let out = args.out.clone().unwrap_or_else(|| args.dir.clone());
    let written =
        export::export(&args.dir, &out, args.format.into(), &patterns).context("export failed")?;
    eprintln!(
        "yujuesuan: {} values of {} documents → {}",
        written.values,
        written.documents,
        written
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// `--page N` must name a page of the document (1-based).
fn check_page(doc: &yujuesuan::document::Document, page: Option<u32>) -> anyhow::Result<()> {
    if let Some(n) = page {
        let pages = doc.pages.len();
        if n == 0 || n as usize > pages {
            anyhow::bail!("--page {n}: the document has {pages} pages (numbered from 1)");
        }
    }
    Ok(())
}

fn read_document(file: &std::path::Path) -> anyhow::Result<yujuesuan::document::Document> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let doc = ingest::ingest(file, &bytes, &ingest::Limits::default())
        .with_context(|| format!("cannot read {}", file.display()))?;
    Ok(doc)
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly with success.
fn print_out(text: &str) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}
