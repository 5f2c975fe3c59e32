//! The validated run configuration: what the CLI's flags become before any work starts.
//!
//! In: values from the command line (built in `cli.rs`). Out: a clap-free [`Config`] with the compiled
//! pattern set and resource limits. Not here: parsing flags or reading inputs.

use std::path::PathBuf;
use std::time::Duration;

use crate::ingest::Limits;
use crate::patterns::PatternSet;

/// When to draw a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Only when stderr is a terminal.
    Auto,
    Always,
    Never,
}

/// One of N deterministic shards of the inputs: documents whose sha256 modulo N equals K.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// True when the document with this sha256 (lowercase hex) belongs to this shard.
    pub fn holds(&self, sha256_hex: &str) -> bool {
        let prefix = sha256_hex.get(..16).unwrap_or(sha256_hex);
        let n = u64::from_str_radix(prefix, 16).unwrap_or(0);
        n % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Where the list of inputs comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// A file or folder path (folders are walked for `*.pdf` and `*.txt`).
    Path(PathBuf),
    /// A file listing one path per line (`-` = standard input).
    ListFile(PathBuf),
}

/// Everything a run needs, validated.
#[derive(Debug)]
pub struct Config {
    pub inputs: Vec<InputSpec>,
    /// Which files of folders and lists are taken (`--glob`, `--exclude`, `-0`).
    pub selection: crate::inputs::Selection,
    /// `--quiet`: nothing on stderr but fatal errors.
    pub quiet: bool,
    /// `--format`: also write the export tables into the output folder.
    pub export: Option<crate::export::Format>,
    pub out_dir: PathBuf,
    pub patterns: PatternSet,
    pub jobs: usize,
    pub progress: ProgressMode,
    pub incremental: bool,
    pub shard: Option<Shard>,
    pub timeout_per_doc: Duration,
    pub limits: Limits,
}

/// The per-document part of the configuration (shared by the workers).
#[derive(Debug)]
pub struct DocConfig {
    pub patterns: PatternSet,
    pub limits: Limits,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_hash_space() {
        let ids = [
            "f77d01a001e90095cb1afdb9f89248c6b5376e6fced8c836ff9b539afd806506",
            "d45e923176f9fe4b6533829d3a2fe67f8cbcd55d07099dabf73aca62701f8eb5",
            "0000000000000003aa",
            "zz",
        ];
        for id in ids {
            let holders: Vec<u32> = (1..=3)
                .filter(|&k| Shard { index: k, count: 3 }.holds(id))
                .collect();
            assert_eq!(holders.len(), 1, "{id} is in exactly one shard");
        }
        assert!(Shard { index: 1, count: 3 }.holds("0000000000000003aa"));
    }
}
