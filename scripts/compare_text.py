#!/usr/bin/env python3
"""Compares the Han characters of our PDF text with pdftotext, page by page.

Usage: scripts/compare_text.py [CORPUS_PDF_DIR] [PDFTEXT_BINARY] [--per-page] [-v]

For every PDF, our text comes from the `pdftext` example (pages separated by form feed) and the
reference from `pdftotext -raw` (the whole file split at form feeds, or with --per-page one
`pdftotext -raw -f N -l N file -` call per page; both give the same pages). For each page, the multisets of Han characters
(U+4E00-U+9FFF, after folding Kangxi/compatibility forms with NFKC) are compared; the figure is
|symmetric difference| / |pdftotext Han characters|, per file and summed over the corpus. Files that
we refuse (e.g. no text layer) are listed and left out. Also reports U+FFFD and private-use
characters in our output. Development aid only: the product never calls pdftotext.
"""
import collections
import os
import subprocess
import sys
import unicodedata


def han(text):
    out = collections.Counter()
    for c in text:
        o = ord(c)
        if 0x2E80 <= o <= 0x2FDF or 0xF900 <= o <= 0xFAFF:
            c = unicodedata.normalize("NFKC", c)
            if len(c) != 1:
                continue
            o = ord(c)
        if 0x4E00 <= o <= 0x9FFF:
            out[c] += 1
    return out


def pages(text):
    parts = text.split("\f")
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]
    return parts


def reference_pages(path, per_page, count):
    if not per_page:
        out = subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True).stdout
        return pages(out.decode("utf-8", errors="replace"))
    result = []
    for n in range(1, count + 1):
        out = subprocess.run(
            ["pdftotext", "-raw", "-f", str(n), "-l", str(n), path, "-"], capture_output=True
        ).stdout
        result.append(out.decode("utf-8", errors="replace").split("\f")[0])
    return result


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    per_page = "--per-page" in sys.argv
    corpus = args[0] if len(args) > 0 else "/work/shared/corpus/pdf"
    binary = args[1] if len(args) > 1 else "target/release/examples/pdftext"
    total_diff = total_ref = 0
    bad_chars = 0
    worst = []
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".pdf"):
            continue
        path = os.path.join(corpus, name)
        ours = subprocess.run([binary, path], capture_output=True)
        if ours.returncode != 0:
            print(f"{name}: not read by us: {ours.stderr.decode(errors='replace').strip()}")
            continue
        ours_text = ours.stdout.decode("utf-8")
        ours_pages = pages(ours_text)
        ref_pages = reference_pages(path, per_page, len(ours_pages))
        n = max(len(ours_pages), len(ref_pages))
        diff = ref = 0
        for i in range(n):
            a = han(ours_pages[i] if i < len(ours_pages) else "")
            b = han(ref_pages[i] if i < len(ref_pages) else "")
            d = sum(((a - b) + (b - a)).values())
            diff += d
            ref += sum(b.values())
            if d:
                worst.append((d, name, i + 1, "".join(sorted((a - b).elements()))[:40], "".join(sorted((b - a).elements()))[:40]))
        bad = sum(1 for c in ours_text if c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000)
        bad_chars += bad
        total_diff += diff
        total_ref += ref
        pct = 100.0 * diff / ref if ref else 0.0
        print(f"{name}: pages {len(ours_pages)}/{len(ref_pages)} han {ref} diff {diff} ({pct:.3f}%) fffd/pua {bad}")
    pct = 100.0 * total_diff / total_ref if total_ref else 0.0
    print(f"TOTAL: han {total_ref} diff {total_diff} ({pct:.3f}%) fffd/pua {bad_chars}")
    if "-v" in sys.argv:
        for w in sorted(worst, reverse=True)[:30]:
            print("  ", w)


if __name__ == "__main__":
    main()
