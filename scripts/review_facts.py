#!/usr/bin/env python3
"""Print the facts of an extract run grouped by document and section, for review.

Usage: scripts/review_facts.py OUT_DIR [DOC]

OUT_DIR is a folder written by `yujuesuan extract` (facts.jsonl, checks.jsonl). DOC, when given, keeps
the documents whose source path contains it (e.g. `r05`). For each document: its facts grouped by
section in output order (page, key[item], value unit, approximate mark, raw, pattern), then its fact
checks that did not pass. Ends with a count of facts per document.
"""
import json
import os
import sys
from collections import OrderedDict


def load(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    out = argv[1]
    want = argv[2] if len(argv) > 2 else None
    facts = load(os.path.join(out, "facts.jsonl"))
    checks = load(os.path.join(out, "checks.jsonl"))
    docs = OrderedDict()
    for f in facts:
        if want and want not in f["source"]:
            continue
        docs.setdefault(f["source"], []).append(f)
    counts = []
    for source, fs in docs.items():
        print(f"=== {source}  ({len(fs)} facts)")
        by_section = OrderedDict()
        for f in fs:
            by_section.setdefault(f.get("section") or "(none)", []).append(f)
        for section, group in by_section.items():
            print(f"  -- {section}")
            for f in group:
                item = f"[{f['item']}]" if f.get("item") else ""
                approx = " ~" if f.get("approximate") else ""
                page = f.get("page")
                print(
                    f"    p{page if page is not None else '-':<3} {f['key']}{item} = "
                    f"{f['value']} {f['unit']}{approx}  «{f['raw']}»  ({f['pattern']})"
                )
        bad = [
            c for c in checks
            if c["source"] == source
            and c["check"].startswith(("facts.", "text_vs_table."))
            and c["status"] not in ("pass", "insufficient_data")
        ]
        for c in bad:
            msg = f"  {c['message']}" if c.get("message") else ""
            print(
                f"  !! {c['check']}: {c['status']} expected={c.get('expected')} "
                f"actual={c.get('actual')}{msg}"
            )
        counts.append((source, len(fs)))
        print()
    print("facts per document:")
    for source, n in counts:
        print(f"  {n:4}  {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
