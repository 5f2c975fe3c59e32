#!/usr/bin/env python3
"""Headline-figure coverage of an `extract` output folder.

Usage: scripts/headline_coverage.py OUT_DIR [--missing KEY]

Reads documents.jsonl and facts.jsonl of OUT_DIR and prints one row per headline key (the grand
totals, the fiscal totals, the general budget, basic / project, the parts of basic, the 三公 total and
parts): how many documents have it, and from where: `narrative` (a pattern over the text), `table`
(a cell of a table; the narrative does not state it), `derived` (computed from other facts), and
`none`. The 三公 total counts `sangong.final` or `sangong.budget`. Then one line per document kind
and table part (`present` / `absent`) for the grand totals. `--missing KEY` lists the documents
without KEY (with their kind, table part and page count), the list to read next.
Only documents with status ok or partial are counted. Standard library only; exit status 0 always.
"""

import json
import os
import sys
from collections import defaultdict

KEYS = [
    ("income.grand_total",),
    ("expenditure.grand_total",),
    ("income.current_year",),
    ("expenditure.current_year",),
    ("fiscal.income_total",),
    ("fiscal.expenditure_total",),
    ("gpb.expenditure",),
    ("expenditure.basic",),
    ("expenditure.project",),
    ("basic.personnel",),
    ("basic.public",),
    ("sangong.final", "sangong.budget"),
    ("sangong.overseas",),
    ("sangong.reception",),
    ("sangong.vehicle",),
    ("sangong.vehicle.purchase",),
    ("sangong.vehicle.operation",),
    ("admin_cost.total",),
]
ORIGINS = ["narrative", "table", "derived"]


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def origins_by_doc(facts):
    """doc_id → key → set of origins (facts without an item only)."""
    out = defaultdict(lambda: defaultdict(set))
    for f in facts:
        if f.get("item") is None:
            out[f["doc_id"]][f["key"]].add(f.get("origin") or "narrative")
    return out


def best_origin(have, keys):
    found = set()
    for k in keys:
        found |= have.get(k, set())
    for o in ORIGINS:
        if o in found:
            return o
    return None


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 0
    out_dir = argv[1]
    missing = argv[argv.index("--missing") + 1] if "--missing" in argv[2:-1] else None
    docs = [
        d
        for d in read_jsonl(os.path.join(out_dir, "documents.jsonl"))
        if d.get("status") in ("ok", "partial")
    ]
    have = origins_by_doc(read_jsonl(os.path.join(out_dir, "facts.jsonl")))
    n = len(docs)
    print(f"{'key':28} {'docs':>5} {'share':>6} " + " ".join(f"{o:>9}" for o in ORIGINS) + f" {'none':>5}")
    for keys in KEYS:
        counts = defaultdict(int)
        for d in docs:
            counts[best_origin(have.get(d["doc_id"], {}), keys) or "none"] += 1
        got = n - counts["none"]
        share = got / n if n else 0.0
        label = "/".join(k if i == 0 else k.split(".", 1)[1] for i, k in enumerate(keys))
        print(
            f"{label:28} {got:5} {share:6.3f} "
            + " ".join(f"{counts[o]:9}" for o in ORIGINS)
            + f" {counts['none']:5}"
        )
    print()
    groups = defaultdict(lambda: [0, 0])
    for d in docs:
        g = (d.get("kind") or "?", d.get("table_part") or "?")
        h = have.get(d["doc_id"], {})
        groups[g][0] += 1
        if h.get("income.grand_total") and h.get("expenditure.grand_total"):
            groups[g][1] += 1
    for (kind, part), (total, both) in sorted(groups.items()):
        print(f"kind {kind:6} table_part {part:8} docs {total:4}  both grand totals {both:4}")
    if missing:
        keys = next((ks for ks in KEYS if missing in ks), (missing,))
        print(f"\ndocuments without {missing}:")
        for d in docs:
            if best_origin(have.get(d["doc_id"], {}), keys) is None:
                print(
                    f"  {os.path.basename(d['source']):12} {d.get('kind') or '?':6} "
                    f"{d.get('table_part') or '?':8} pages {d.get('pages')}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
