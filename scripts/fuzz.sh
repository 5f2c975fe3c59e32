#!/usr/bin/env bash
# Coverage-guided fuzzing of the two entry points (PDF and text reports through every stage) with
# cargo-fuzz on the stable toolchain (no sanitizer). Seeds the corpora with the generated fixtures and
# samples, and with the real reports of $YUJUESUAN_CORPUS (pdf/ and wild/, each file up to the
# fuzzer's length limit) copied at run time into fuzz/corpus/ (git-ignored: corpus files are never
# committed); crashes land in fuzz/artifacts/TARGET/ and become regression tests.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600 s, targets pdf text)
#        YUJUESUAN_CORPUS=../shared/corpus nice -n 19 scripts/fuzz.sh 3600 pdf
# FUZZ_TIMEOUT (seconds per input, default 20) is libFuzzer's -timeout: the instrumented build runs
# several times slower than release, so on a loaded machine raise it (e.g. 120) to report hangs, not
# CPU starvation.
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
# Inputs longer than this are cut by the fuzzer; seeds over it are left out.
max_len="${FUZZ_MAX_LEN:-1048576}"
corpus="${YUJUESUAN_CORPUS:-../shared/corpus}"
for dir in "$corpus/pdf" "$corpus/wild"; do
  [ -d "$dir" ] || continue
  find "$dir" -maxdepth 1 -name '*.pdf' -size -"$((max_len / 1024))"k -print0 |
    while IFS= read -r -d '' f; do cp "$f" "fuzz/corpus/pdf/seed-$(basename "$(dirname "$f")")-$(basename "$f")"; done
done
for t in "${targets[@]}"; do
  (cd fuzz && cargo fuzz run -s none "$t" -- -max_total_time="$seconds" -max_len="$max_len" -timeout="${FUZZ_TIMEOUT:-20}" -rss_limit_mb=2048)
done
