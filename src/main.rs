//! The `yujuesuan` binary: flags → configuration → run; prints errors; sets the exit code.
//! Exit codes: 0 all processed, 1 output written but some documents failed, 2 fatal.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use yujuesuan::cli::{extract_config, Cli, CliCommand};
use yujuesuan::patterns::PatternSet;
use yujuesuan::{ingest, inspect, pipeline};

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
        CliCommand::Extract(args) => {
            let config = extract_config(args).context("invalid arguments")?;
            let outcome = pipeline::run(config).context("the run could not complete")?;
            Ok(if outcome.has_failures() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        CliCommand::CheckPatterns { patterns } => {
            let (set, problems) =
                PatternSet::load_and_check(patterns.as_deref()).context("cannot load patterns")?;
            for p in &problems {
                eprintln!("{p}");
            }
            if problems.is_empty() {
                println!(
                    "{} patterns OK (fingerprint {})",
                    set.len(),
                    set.fingerprint
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{} problems", problems.len());
                Ok(ExitCode::from(2))
            }
        }
        CliCommand::Text { file } => {
            let doc = read_document(&file)?;
            print_out(&inspect::page_text(&doc))
        }
        CliCommand::Inspect { file, page } => {
            let doc = read_document(&file)?;
            print_out(&inspect::inspect(&doc, page))
        }
    }
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
