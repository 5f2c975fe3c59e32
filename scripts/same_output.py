#!/usr/bin/env python3
"""Compares two extract output folders line by line, ignoring fields added since the first one.

usage: same_output.py BEFORE_DIR AFTER_DIR [--drop FILE:FIELD ...]

Every *.jsonl of BEFORE must exist in AFTER with the same number of lines; each line of AFTER, with the
fields it has and BEFORE's line has not dropped (top level, and in each element of an array of objects
that BEFORE also has), must be byte-identical to BEFORE's line once both are re-serialised in their
original key order. `documents.jsonl`'s `patterns` (the pattern fingerprint) and `program_version` differ
whenever patterns change and are dropped by default; `run.json` is not compared (times). Exit status 1
on the first difference of each file (printed with its line number), 0 when all match.
"""
import json
import sys
from pathlib import Path

DEFAULT_DROP = {"documents.jsonl": {"patterns", "program_version"}}


def strip(after, before):
    """`after` reduced to the keys `before` has (recursively through objects and arrays of objects)."""
    if isinstance(after, dict) and isinstance(before, dict):
        return {k: strip(after[k], before[k]) for k in after if k in before}
    if isinstance(after, list) and isinstance(before, list) and len(after) == len(before):
        return [strip(a, b) for a, b in zip(after, before)]
    return after


def dump(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = Path(args[0]), Path(args[1])
    drop = {k: set(v) for k, v in DEFAULT_DROP.items()}
    for i, a in enumerate(argv):
        if a == "--drop" and i + 1 < len(argv):
            f, field = argv[i + 1].split(":", 1)
            drop.setdefault(f, set()).add(field)
    status = 0
    for b in sorted(before.glob("*.jsonl")):
        a = after / b.name
        if not a.exists():
            print(f"{b.name}: missing in {after}")
            status = 1
            continue
        bl = b.read_text(encoding="utf-8").splitlines()
        al = a.read_text(encoding="utf-8").splitlines()
        if len(bl) != len(al):
            print(f"{b.name}: {len(bl)} lines before, {len(al)} after")
            status = 1
        same = 0
        for n, (x, y) in enumerate(zip(bl, al), 1):
            # Numbers are kept as their text (exact decimals), never through a float.
            xb = json.loads(x, parse_float=str, parse_int=str)
            ya = json.loads(y, parse_float=str, parse_int=str)
            for field in drop.get(b.name, ()):
                xb.pop(field, None)
                ya.pop(field, None)
            if dump(xb) != dump(strip(ya, xb)):
                print(f"{b.name}:{n}: differs\n  before: {dump(xb)[:400]}\n  after:  {dump(strip(ya, xb))[:400]}")
                status = 1
                break
            same += 1
        print(f"{b.name}: {same}/{len(bl)} lines identical")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
