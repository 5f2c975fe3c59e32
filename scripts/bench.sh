#!/usr/bin/env bash
# Throughput benchmark over a generated corpus: documents/s, pages/s and peak RSS of `extract` at -j1
# and -j2, and pdftotext -layout over the same PDFs (when installed) as a reference, all in this one
# script run so the ratios are comparable on a noisy machine.
#
# usage: scripts/bench.sh [N_REPORTS] [SEED]     (default 2000 reports, seed 7)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-2000}"
seed="${2:-7}"
work="target/bench"
rm -rf "$work"
mkdir -p "$work"
cargo build --release --quiet --examples
cargo build --release --quiet
bin="target/release/yujuesuan"

start=$(date +%s%N)
target/release/examples/gen_corpus "$work/corpus" "$n" "$seed"
end=$(date +%s%N)
echo "generated $n reports in $(( (end - start) / 1000000 )) ms"

for j in 1 2; do
  "$bin" extract "$work/corpus" -o "$work/out-j$j" -j "$j" --progress never || true
done

# The same PDFs alone, one thread, for a like-for-like comparison with pdftotext.
find "$work/corpus" -name '*.pdf' | sort > "$work/pdfs.txt"
"$bin" extract --files-from "$work/pdfs.txt" -o "$work/out-pdf-j1" -j 1 --progress never || true

ref=""
if command -v pdftotext >/dev/null 2>&1; then
  start=$(date +%s%N)
  find "$work/corpus" -name '*.pdf' -print0 | sort -z | while IFS= read -r -d '' f; do
    pdftotext -layout "$f" /dev/null 2>/dev/null || true
  done
  end=$(date +%s%N)
  ref=$(python3 -c "print(($end - $start) / 1e9)")
fi

python3 - "$work" "$ref" <<'PY'
import json, sys, pathlib
w, ref = pathlib.Path(sys.argv[1]), sys.argv[2]
runs = {j: json.loads((w / f"out-j{j}/run.json").read_text()) for j in (1, 2)}
for j, r in runs.items():
    print(f"-j{j}: {r['documents_processed']} documents, {r['pages']} pages in {r['wall_seconds']} s: "
          f"{r['documents_per_second']} documents/s, {r['pages_per_second']} pages/s, "
          f"peak RSS {r['peak_rss_mib']} MiB, failed {r['counts_by_status'].get('failed', 0)}")
print(f"-j2 / -j1 throughput: {runs[1]['wall_seconds'] / runs[2]['wall_seconds']:.2f}")
if ref:
    print(f"pdftotext -layout over the same PDFs: {float(ref):.2f} s (one process per file)")
    pdf = json.loads((w / "out-pdf-j1/run.json").read_text())
    print(f"yujuesuan -j1 over the PDFs alone: {pdf['wall_seconds']} s, {pdf['pages_per_second']} pages/s")
    print(f"yujuesuan -j1 full pipeline / pdftotext -layout, same PDFs, wall time: "
          f"{pdf['wall_seconds'] / float(ref):.2f} (below 1 = faster)")
PY
