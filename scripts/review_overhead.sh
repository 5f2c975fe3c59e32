#!/usr/bin/env bash
# What the auditor's review costs next to the run it reviews: `extract` over the dev PDFs, then
# `review` of that output (annotated copies + report.html), same machine, same run; prints both wall
# times (best of N) and the ratio review/extract. The goal is at most 0.10; with MAX_RATIO set the
# script exits 1 above it.
#
# usage: scripts/review_overhead.sh [PDF_FOLDER] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${YUJUESUAN_CORPUS:-../shared/corpus}/pdf}"
runs="${2:-3}"
bin=target/release/yujuesuan
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
best_extract=""
best_review=""
for _ in $(seq "$runs"); do
  rm -rf "$tmp/out" "$tmp/rev"
  t0=$(now)
  # Exit code 1 (some documents failed, e.g. a PDF without a text layer) is a normal run.
  "$bin" extract "$corpus" -o "$tmp/out" --progress never --quiet || [ $? -eq 1 ]
  t1=$(now)
  "$bin" review "$tmp/out" -o "$tmp/rev" 2>/dev/null
  t2=$(now)
  e=$(python3 -c "print($t1 - $t0)")
  r=$(python3 -c "print($t2 - $t1)")
  best_extract=$(python3 -c "print(min(x for x in [$e, ${best_extract:-$e}]))")
  best_review=$(python3 -c "print(min(x for x in [$r, ${best_review:-$r}]))")
done
pdfs=$(find "$corpus" -maxdepth 1 -name '*.pdf' | wc -l)
annotated=$(find "$tmp/rev" -name '*.annotated.pdf' | wc -l)
python3 - "$best_extract" "$best_review" "$pdfs" "$annotated" "${MAX_RATIO:-}" <<'PY'
import sys
e, r, pdfs, annotated, limit = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ratio = r / e if e > 0 else float("inf")
print(f"{pdfs} PDFs: extract {e:.2f} s, review {r:.2f} s ({annotated} annotated copies + report.html): ratio {ratio:.3f}")
if limit and ratio > float(limit):
    print(f"error: review/extract {ratio:.3f} is above {limit}", file=sys.stderr)
    sys.exit(1)
PY
