#!/usr/bin/env python3
"""Every annotated copy of a review folder opens in poppler and qpdf: `pdfinfo` succeeds, `qpdf
--check` finds no error (warnings such as a linearization the update made stale are allowed), the
original file is a byte-identical prefix, and `pdftoppm` renders each annotated page with no complaint
the original's render does not have.

usage: review_pdfs.py OUT_DIR REVIEW_DIR [--render-pages N]   (N: pages rendered per copy, default 2)
"""
import json
import os
import re
import subprocess
import sys


def run(cmd):
    return subprocess.run(cmd, capture_output=True, timeout=300)


def main():
    args = sys.argv[1:]
    render = 2
    if "--render-pages" in args:
        i = args.index("--render-pages")
        render = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    out_dir, rev = args
    html = open(os.path.join(rev, "report.html"), encoding="utf-8").read()
    docs = [json.loads(l) for l in open(os.path.join(out_dir, "documents.jsonl"), encoding="utf-8") if l.strip()]
    # The report links each copy next to its source, in documents.jsonl order.
    rows = re.findall(r'<tr class="doc".*?</tr>', html, flags=re.S)
    assert len(rows) == len(docs), f"{len(rows)} document rows for {len(docs)} documents"
    problems, copies = [], 0
    pages_of = {}
    for name in ("facts.jsonl", "tables.jsonl"):
        for l in open(os.path.join(out_dir, name), encoding="utf-8"):
            if not l.strip():
                continue
            r = json.loads(l)
            boxed = []
            if r.get("bbox") and r.get("page"):
                boxed.append(r["page"])
            for row in r.get("rows") or []:
                if any(b for b in (row.get("bboxes") or [])) and row.get("page"):
                    boxed.append(row["page"])
            pages_of.setdefault(r["doc_id"], set()).update(boxed)
    for doc, row in zip(docs, rows):
        m = re.search(r'<a href="([^"#]+\.annotated\.pdf)">', row)
        if doc.get("format") == "pdf" and doc.get("status") in ("ok", "partial") and not m:
            why = re.search(r"not written: ([^<]*)", row)
            print(f"note: {doc['source']}: no annotated copy: {why.group(1) if why else '?'}")
            continue
        if not m:
            continue
        copies += 1
        copy = os.path.join(rev, m.group(1).replace("%20", " "))
        src = doc["source"]
        original = open(src, "rb").read()
        annotated = open(copy, "rb").read()
        if not annotated.startswith(original):
            problems.append(f"{copy}: the original is not a prefix")
        r = run(["pdfinfo", copy])
        if r.returncode != 0:
            problems.append(f"{copy}: pdfinfo: {r.stderr.decode(errors='replace')[:300]}")
        r = run(["qpdf", "--check", copy])
        if r.returncode not in (0, 3):
            problems.append(f"{copy}: qpdf --check: {r.stdout.decode(errors='replace')[-300:]}")
        pages = sorted(pages_of.get(doc["doc_id"], set()))[:render] or [1]
        for p in pages:
            a = run(["pdftoppm", "-r", "20", "-f", str(p), "-l", str(p), src])
            b = run(["pdftoppm", "-r", "20", "-f", str(p), "-l", str(p), copy])
            if b.returncode != 0 or b.stderr != a.stderr:
                problems.append(f"{copy} p. {p}: pdftoppm: {b.stderr.decode(errors='replace')[:300]}")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{copies} annotated copies: pdfinfo, qpdf --check and pdftoppm read them; originals are prefixes")


if __name__ == "__main__":
    main()
