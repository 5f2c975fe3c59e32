#!/usr/bin/env bash
# Times our PDF text reading (release build of examples/pdftext, one thread, one process for all
# files) against `pdftotext -layout` over the same files, best of N runs each, and prints the ratio.
# Usage: scripts/bench_text.sh [CORPUS_PDF_DIR] [RUNS]
# Development aid only: the product never calls pdftotext.
set -euo pipefail
dir="${1:-/work/shared/corpus/pdf}"
runs="${2:-3}"
bin="target/release/examples/pdftext"
if [ ! -x "$bin" ]; then
  cargo build --release --example pdftext
fi
files=("$dir"/*.pdf)
now() { date +%s.%N; }
best_ours=999999
best_ref=999999
for _ in $(seq "$runs"); do
  t0=$(now)
  "$bin" --quiet "${files[@]}" >/dev/null 2>&1 || true
  t1=$(now)
  for f in "${files[@]}"; do
    pdftotext -layout "$f" - >/dev/null 2>&1 || true
  done
  t2=$(now)
  ours=$(echo "$t1 - $t0" | bc -l)
  ref=$(echo "$t2 - $t1" | bc -l)
  best_ours=$(echo "if ($ours < $best_ours) $ours else $best_ours" | bc -l)
  best_ref=$(echo "if ($ref < $best_ref) $ref else $best_ref" | bc -l)
done
printf 'files: %d\n' "${#files[@]}"
printf 'ours (pdftext, release, 1 thread): %.3f s\n' "$best_ours"
printf 'pdftotext -layout:                 %.3f s\n' "$best_ref"
printf 'ratio ours/pdftotext: %.2f\n' "$(echo "$best_ours / $best_ref" | bc -l)"
