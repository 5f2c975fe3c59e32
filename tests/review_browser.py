#!/usr/bin/env python3
"""report.html in a real browser: headless Chromium loads it, takes a screenshot (which must not be a
single colour) and dumps the DOM, whose counts (documents, failing checks) must match documents.jsonl
and checks.jsonl of the run.

usage: review_browser.py OUT_DIR REVIEW_DIR [--screenshot FILE]
Exits 1 (loudly) when Chromium is missing or any count differs.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("error: no Chromium (apt-get install chromium)")


def browser(exe, *args):
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={profile}", *args]
        res = subprocess.run(cmd, capture_output=True, timeout=120)
    if res.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} exited {res.returncode}: {res.stderr.decode(errors='replace')[-2000:]}")
    return res.stdout.decode("utf-8", errors="replace")


def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit PNG, unfiltered."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG type {depth}/{colour}"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    args = sys.argv[1:]
    shot = None
    if "--screenshot" in args:
        i = args.index("--screenshot")
        shot = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    out_dir, review_dir = args
    report = os.path.abspath(os.path.join(review_dir, "report.html"))
    url = "file://" + report
    exe = chromium()

    docs = [json.loads(l) for l in open(os.path.join(out_dir, "documents.jsonl"), encoding="utf-8") if l.strip()]
    checks = [json.loads(l) for l in open(os.path.join(out_dir, "checks.jsonl"), encoding="utf-8") if l.strip()]
    failing = sum(1 for c in checks if c["status"] == "fail")

    dom = browser(exe, "--dump-dom", url)
    problems = []
    n_doc_rows = len(re.findall(r'<tr class="doc"', dom))
    n_check_rows = len(re.findall(r'<tr class="check"', dom))
    def number(id_):
        m = re.search(rf'id="{id_}">(\d+)<', dom)
        return int(m.group(1)) if m else None
    for what, got, want in [
        ("document rows", n_doc_rows, len(docs)),
        ("#n-documents", number("n-documents"), len(docs)),
        ("failing check rows", n_check_rows, failing),
        ("#n-failing", number("n-failing"), failing),
        ("#n-checks", number("n-checks"), len(checks)),
        ("#shown-checks", number("shown-checks"), failing),
    ]:
        if got != want:
            problems.append(f"{what}: DOM {got}, JSON Lines {want}")

    png = shot or os.path.join(tempfile.mkdtemp(), "report.png")
    browser(exe, f"--screenshot={os.path.abspath(png)}", "--window-size=1400,900", url)
    width, height, bpp, rows = png_pixels(png)
    colours = set()
    for row in rows[::7]:
        for x in range(0, width * bpp, bpp * 5):
            colours.add(row[x:x + 3])
            if len(colours) > 16:
                break
    if len(colours) < 3:
        problems.append(f"the screenshot is blank ({len(colours)} colours)")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"report.html in Chromium: {n_doc_rows} documents, {n_check_rows} failing checks, "
          f"screenshot {width}x{height} with {len(colours)}+ colours")


if __name__ == "__main__":
    main()
