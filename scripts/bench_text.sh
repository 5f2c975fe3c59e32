#!/usr/bin/env bash
# Times, in one script run, over the same PDFs (best of RUNS each):
#   1. our text layer alone (examples/pdftext, release, one thread, one process for all files),
#   2. the whole pipeline (`yujuesuan extract -j 1`: text, outline, facts, tables, checks, output),
#   3. `pdftotext -layout`, one process per file,
# and prints the ratios, plus the tables stage's share of the text layer's time from run.json.
# Usage: scripts/bench_text.sh [CORPUS_PDF_DIR] [RUNS]
# Development aid only: the product never calls pdftotext.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${YUJUESUAN_CORPUS:-../shared/corpus}/pdf}"
runs="${2:-3}"
cargo build --release --quiet --example pdftext
cargo build --release --quiet
files=("$dir"/*.pdf)
out="target/bench-text-out"
python3 - "$runs" "$out" "${files[@]}" <<'PY'
import json, subprocess, sys, time
runs, out, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def best(cmd_list):
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for cmd in cmd_list:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t.append(time.perf_counter() - t0)
    return min(t)
ours_text = best([["target/release/examples/pdftext", "--quiet", *files]])
ours_full = best([["target/release/yujuesuan", "extract", "-j", "1", "--progress", "never", "-o", out, *files]])
ref = best([["pdftotext", "-layout", f, "-"] for f in files])
stages = json.load(open(f"{out}/run.json"))["stage_seconds"]
print(f"files: {len(files)}")
print(f"our text layer (1 thread):          {ours_text:.3f} s")
print(f"yujuesuan extract -j 1 (pipeline):  {ours_full:.3f} s")
print(f"pdftotext -layout:                  {ref:.3f} s")
print(f"ratio text layer / pdftotext:       {ours_text / ref:.2f}")
print(f"ratio extract -j1 / pdftotext:      {ours_full / ref:.2f}")
print(f"stage seconds in that run: {stages}")
print(f"tables / text layer (ingest):       {stages['tables'] / stages['ingest']:.2f}")
PY
