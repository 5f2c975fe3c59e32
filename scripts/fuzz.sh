#!/usr/bin/env bash
# Coverage-guided fuzzing of the two entry points (PDF and text reports through every stage) with
# cargo-fuzz on the stable toolchain (no sanitizer). Seeds the corpora with the generated fixtures and
# samples; crashes land in fuzz/artifacts/TARGET/ and become regression tests.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600 s, targets pdf text)
# needs: cargo install cargo-fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pdf text)
mkdir -p fuzz/corpus/pdf fuzz/corpus/text
cargo run --release --quiet --example write_fixtures -- target/fuzz-seeds >/dev/null
cp target/fuzz-seeds/*.pdf samples/*.pdf fuzz/corpus/pdf/ 2>/dev/null || true
cp samples/*.txt fuzz/corpus/text/ 2>/dev/null || true
for t in "${targets[@]}"; do
  (cd fuzz && cargo fuzz run -s none "$t" -- -max_total_time="$seconds" -max_len=262144 -timeout=20 -rss_limit_mb=2048)
done
