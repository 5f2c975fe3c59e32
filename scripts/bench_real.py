#!/usr/bin/env python3
"""Speed and memory benchmark over the real reports, all measured in this one run so the ratios are
comparable on a busy machine.

CPU time (user + system, from wait4 of each child) of
  - `yujuesuan extract -j 1` over the PDFs (one process, the whole pipeline),
  - `pdftotext -layout` over the same files (one process per file, summed),
  - the load-and-inflate floor (`examples/inflate_floor.rs`: lopdf parses every object and every
    stream is decompressed, nothing else),
in R interleaved rounds (the order of the three rotates each round); the medians and their ratios
are printed. Then peak RSS of `extract -j 2` over the N files and over SCALE x N files (the list
repeated; each repeat a copy with a trailing comment so that it is a new document, not a duplicate),
for each scale of `--scales` (default 1,5,10: 220, 1,100 and 2,200 files), all in this one run:
flat means the same within about 10 %.

usage: scripts/bench_real.py [--corpus DIR] [--rounds 5] [--scales 1,5,10] [--no-rss] [--no-cpu]
                             [--bin PATH] [--jobs 2]
       (DIR holds pdf/ and wild/; default $YUJUESUAN_CORPUS or ../shared/corpus; --bin measures
       another build of yujuesuan, e.g. a saved copy of the one before a change)

The allocator question: `--preload NAME=LIB` (repeatable) adds `extract -j 1` run with LD_PRELOAD=LIB
(e.g. `mimalloc=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2`) to the same interleaved rounds, so the
allocators are timed side by side on the same binary. `--before BIN` adds `extract -j 1` of another
build (e.g. a copy of the binary before a change) to the same rounds, so a change is measured before
and after in one run.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, **kw):
    """Runs cmd; returns (cpu seconds, peak RSS MiB, exit code)."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=os.environ.get("YUJUESUAN_CORPUS", str(ROOT.parent / "shared" / "corpus")))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scales", default="1,5,10")
    ap.add_argument("--no-rss", action="store_true")
    ap.add_argument("--no-cpu", action="store_true")
    ap.add_argument("--bin", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--preload", action="append", default=[], metavar="NAME=LIB",
                    help="also time extract -j 1 with LD_PRELOAD=LIB (an allocator)")
    ap.add_argument("--before", metavar="BIN", help="also time extract -j 1 of this binary")
    a = ap.parse_args()

    corpus = Path(a.corpus)
    files = sorted(str(p) for d in ("pdf", "wild") for p in (corpus / d).glob("*.pdf"))
    if not files:
        sys.exit(f"no PDFs under {corpus}/pdf or {corpus}/wild")
    for tool in ("pdftotext",):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (poppler-utils)")
    if not a.bin or not a.no_cpu:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "yujuesuan", "--example", "inflate_floor"],
                       cwd=ROOT, check=True)
    bins = a.bin or [str(ROOT / "target/release/yujuesuan")]
    bin_ = bins[0]
    floor = str(ROOT / "target/release/examples/inflate_floor")
    work = Path(tempfile.mkdtemp(prefix="yujuesuan-bench-"))
    try:
        listing = work / "files.txt"
        listing.write_text("\n".join(files) + "\n")

        def extract(jobs, lst, out, binary=bin_, preload=None):
            shutil.rmtree(out, ignore_errors=True)
            env = dict(os.environ, LD_PRELOAD=preload) if preload else None
            return run([binary, "extract", "--files-from", str(lst), "-o", str(out), "-j", str(jobs),
                        "--progress", "never", "--quiet"], env=env)

        def pdftotext():
            return sum(run(["pdftotext", "-layout", f, "/dev/null"])[0] for f in files)

        if not a.no_cpu:
            measures = {
                "extract -j 1": lambda: extract(1, listing, work / "out")[0],
                "pdftotext -layout": pdftotext,
                "load+inflate floor": lambda: run([floor, *files])[0],
            }
            for spec in a.preload:
                name, _, lib = spec.partition("=")
                if not Path(lib).is_file():
                    sys.exit(f"--preload {spec}: no such library")
                measures[f"extract -j 1 [{name}]"] = lambda lib=lib: extract(1, listing, work / "out", preload=lib)[0]
            if a.before:
                before = str(Path(a.before).resolve())
                measures["extract -j 1 [before]"] = lambda: extract(1, listing, work / "out", binary=before)[0]
            names = list(measures)
            times = {n: [] for n in names}
            print(f"{len(files)} PDFs from {corpus}; {a.rounds} interleaved rounds (CPU seconds)")
            for r in range(a.rounds):
                order = names[r % len(names):] + names[:r % len(names)]
                for n in order:
                    times[n].append(measures[n]())
                print(f"  round {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f}" for n in names), flush=True)
            med = {n: statistics.median(times[n]) for n in names}
            for n in names:
                print(f"median {n}: {med[n]:.2f} s")
            e, t, f = med["extract -j 1"], med["pdftotext -layout"], med["load+inflate floor"]
            print(f"extract / pdftotext -layout = {e / t:.2f}   (target <= 0.5)")
            print(f"extract / load+inflate floor = {e / f:.2f}   (target <= 2)")
            for n in names[3:]:
                print(f"{n} / extract -j 1 = {med[n] / e:.3f}")
            if a.before:
                b = med["extract -j 1 [before]"]
                print(f"before: extract / pdftotext -layout = {b / t:.2f}, extract / floor = {b / f:.2f}")

        if not a.no_rss:
            scales = sorted({int(x) for x in a.scales.split(",") if x.strip()})
            copies = work / "copies"
            copies.mkdir()
            big = []
            for k in range(max(scales)):
                for i, src in enumerate(files):
                    dst = copies / f"{k:03}-{i:04}.pdf"
                    if k == 0:
                        os.symlink(src, dst)
                    else:
                        dst.write_bytes(Path(src).read_bytes() + f"\n%copy {k}\n".encode())
                    big.append(str(dst))
            import json
            for binary in bins:
                rss = {}
                for scale in scales:
                    lst = work / f"list-{scale}.txt"
                    lst.write_text("\n".join(big[:scale * len(files)]) + "\n")
                    out = work / f"out-{scale}"
                    cpu, rss[scale], _ = extract(a.jobs, lst, out, binary)
                    n = scale * len(files)
                    run_json = out / "run.json"
                    statuses = json.loads(run_json.read_text()).get("counts_by_status") if run_json.is_file() else None
                    print(f"{binary}: peak RSS extract -j {a.jobs}: {n} files {rss[scale]:.0f} MiB "
                          f"({cpu:.1f} s CPU; statuses {statuses})", flush=True)
                    shutil.rmtree(out, ignore_errors=True)
                lo, hi = min(rss.values()), max(rss.values())
                print(f"{binary}: peak RSS over {', '.join(str(s * len(files)) for s in scales)} files: "
                      f"{lo:.0f}..{hi:.0f} MiB (max/min {hi / lo:.2f}; flat means <= 1.10; target <= 300 MiB)",
                      flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
