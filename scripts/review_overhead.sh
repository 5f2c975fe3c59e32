#!/usr/bin/env bash
# What the auditor's review costs next to the run it reviews, as the review is used: plain `extract`
# over the PDFs against `extract --review DIR` over the same files, same machine, same run (the two
# alternate, best of N each); the ratio is (extract --review − extract) / extract, in wall time and
# in CPU time (user + system, steadier on a loaded machine). A second line times `review OUT` of an
# existing output folder (its records read back from disk) against the same extract. The goal is at
# most 0.10; with MAX_RATIO set the script exits 1 when the first wall-time ratio is above it.
#
# usage: scripts/review_overhead.sh [PDF_FOLDER] [N]   (YUJUESUAN_BIN=path times that binary, unbuilt)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${YUJUESUAN_CORPUS:-../shared/corpus}/pdf}"
runs="${2:-3}"
bin="${YUJUESUAN_BIN:-target/release/yujuesuan}"
[ -n "${YUJUESUAN_BIN:-}" ] || cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$bin" "$corpus" "$runs" "$tmp" "${MAX_RATIO:-}" <<'PY'
import os, resource, shutil, subprocess, sys, time
from pathlib import Path

bin, corpus, runs, tmp, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]

def timed(args):
    """Wall and CPU seconds of one command (exit code 1, some documents failed, is a normal run)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    rc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc not in (0, 1):
        sys.exit(f"error: {' '.join(args)} exited with {rc}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu

best = {}
def keep(name, t):
    w, c = best.get(name, (float("inf"), float("inf")))
    best[name] = (min(w, t[0]), min(c, t[1]))

for _ in range(runs):
    for d in ("out", "with", "rev"):
        shutil.rmtree(tmp / d, ignore_errors=True)
    common = ["--progress", "never", "--quiet"]
    keep("extract", timed([bin, "extract", corpus, "-o", str(tmp / "out"), *common]))
    keep("with", timed([bin, "extract", corpus, "-o", str(tmp / "with"), "--review", str(tmp / "with" / "review"), *common]))
    keep("review", timed([bin, "review", str(tmp / "out"), "-o", str(tmp / "rev")]))

pdfs = sum(1 for p in Path(corpus).iterdir() if p.suffix == ".pdf")
annotated = sum(1 for p in (tmp / "with" / "review").iterdir() if p.name.endswith(".annotated.pdf"))
(ew, ec), (ww, wc), (rw, rc) = best["extract"], best["with"], best["review"]
ratio = (ww - ew) / ew if ew > 0 else float("inf")
cpu_ratio = (wc - ec) / ec if ec > 0 else float("inf")
print(f"{pdfs} PDFs: extract {ew:.2f} s (CPU {ec:.2f} s), extract --review {ww:.2f} s (CPU {wc:.2f} s) "
      f"({annotated} annotated copies + report.html): ratio {ratio:.3f} (CPU {cpu_ratio:.3f})")
print(f"{pdfs} PDFs: review of the extract's output folder {rw:.2f} s (CPU {rc:.2f} s): "
      f"ratio {rw / ew:.3f} (CPU {rc / ec:.3f})")
if limit and ratio > float(limit):
    sys.exit(f"error: (extract --review - extract)/extract {ratio:.3f} is above {limit}")
PY
