#!/usr/bin/env python3
"""Table coverage audit of an `extract` output folder.

Usage: scripts/audit_tables.py OUT_DIR

Reads documents.jsonl, tables.jsonl, checks.jsonl and facts.jsonl of OUT_DIR and prints, per
document:
  - the report kind and the standard tables expected: 决算 → F01–F09; 预算 → the B tables the
    report's contents list (目录) names (our `tables.listed[<id>]` checks), or B01–B09 when it has
    none; nothing when the report says its tables are published in a separate file;
  - the tables found, found empty, and missing;
  - the failing checks;
  - the 10,000× scan: every `text_vs_table.*` check, and every table-derived fact (pattern
    `table:…`) against the narrative fact of the same key and item, whose ratio is within 0.5 % of
    10,000 or 1/10,000 (a table read in the wrong unit).
Ends with a summary line of counts. Exit status 0 always (an audit, not a gate).
Standard library only.
"""

import json
import os
import sys
from collections import defaultdict
from decimal import Decimal, InvalidOperation

FINAL = [f"F{i:02d}" for i in range(1, 10)]
BUDGET = [f"B{i:02d}" for i in range(1, 10)]
TOL = Decimal("0.005")


def read_jsonl(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line, parse_float=Decimal, parse_int=Decimal))
    return out


def near_10k(a, b):
    """True when a/b is within 0.5 % of 10,000 or of 1/10,000."""
    try:
        a, b = Decimal(a), Decimal(b)
    except (InvalidOperation, TypeError):
        return False
    if a == 0 or b == 0:
        return False
    r = abs(a / b)
    for target in (Decimal(10000), Decimal(1) / Decimal(10000)):
        if abs(r - target) <= target * TOL:
            return True
    return False


def kind_family(kind):
    if not kind:
        return None
    if "决算" in kind:
        return "决算"
    if "预算" in kind:
        return "预算"
    return None


def main(argv):
    if len(argv) != 2:
        print("usage: audit_tables.py OUT_DIR", file=sys.stderr)
        return 2
    out = argv[1]
    docs = read_jsonl(os.path.join(out, "documents.jsonl"))
    tables = defaultdict(list)
    for t in read_jsonl(os.path.join(out, "tables.jsonl")):
        tables[t["doc_id"]].append(t)
    checks = defaultdict(list)
    for c in read_jsonl(os.path.join(out, "checks.jsonl")):
        checks[c["doc_id"]].append(c)
    facts = defaultdict(list)
    for f in read_jsonl(os.path.join(out, "facts.jsonl")):
        facts[f["doc_id"]].append(f)

    totals = defaultdict(lambda: [0, 0, 0])  # family → [expected, found, found empty]
    n_fail = n_flags = n_docs = 0
    for d in docs:
        did = d["doc_id"]
        name = d["source"].rsplit("/", 1)[-1]
        family = kind_family(d.get("kind"))
        n_docs += 1
        listed = [
            c for c in checks[did] if c["check"].startswith("tables.listed[")
        ]
        separate = listed and all(c["status"] == "not_applicable" for c in listed)
        if family == "决算":
            expected, basis = FINAL, "F01–F09"
        elif family == "预算" and separate:
            expected, basis = [], "tables published separately"
        elif family == "预算" and listed:
            expected = [c["check"][len("tables.listed["):-1] for c in listed]
            basis = "contents list"
        elif family == "预算":
            expected, basis = BUDGET, "B01–B09 (no contents list)"
        else:
            expected, basis = [], "not a 部门预决算 report"
        found = {t["table"]: t for t in tables[did]}
        ok = [i for i in expected if i in found and not found[i].get("empty")]
        empty = [i for i in expected if i in found and found[i].get("empty")]
        missing = [i for i in expected if i not in found]
        others = [t["table"] for t in tables[did] if t["table"] not in expected]
        if family:
            tot = totals[family]
            tot[0] += len(expected)
            tot[1] += len(ok)
            tot[2] += len(empty)
        print(f"== {name}  kind={d.get('kind')}  status={d['status']}  expected: {basis}")
        print(
            f"   found {len(ok)} + empty {len(empty)} of {len(expected)}: {' '.join(ok)}"
            + (f" | empty: {' '.join(empty)}" if empty else "")
            + (f" | MISSING {' '.join(missing)}" if missing else "")
            + (f" | other {len(others)} ({' '.join(sorted(set(others)))})" if others else "")
        )
        fails = [c for c in checks[did] if c["status"] == "fail"]
        n_fail += len(fails)
        for c in fails:
            print(
                f"   fail {c['check']}  expected={c.get('expected')} actual={c.get('actual')}"
                f"  {' '.join(c.get('refs', [])[:3])}"
            )
        flags = []
        for c in checks[did]:
            if c["check"].startswith("text_vs_table.") and near_10k(
                c.get("actual"), c.get("expected")
            ):
                flags.append(f"{c['check']} table={c.get('expected')} text={c.get('actual')}")
        narrative = defaultdict(list)
        for f in facts[did]:
            if not str(f.get("pattern", "")).startswith("table:"):
                narrative[(f["key"], f.get("item"))].append(f)
        for f in facts[did]:
            if not str(f.get("pattern", "")).startswith("table:"):
                continue
            for n in narrative.get((f["key"], f.get("item")), []):
                if near_10k(n["value"], f["value"]):
                    flags.append(
                        f"fact {f['key']} table={f['value']} ({f['pattern']}) "
                        f"text={n['value']}@p{n.get('page')}"
                    )
        n_flags += len(flags)
        for fl in flags:
            print(f"   10000x {fl}")

    parts = []
    for family in ("决算", "预算"):
        e, f, z = totals[family]
        parts.append(f"{family} {f}+{z} empty of {e} expected")
    print(
        f"SUMMARY documents {n_docs}; "
        + "; ".join(parts)
        + f"; failing checks {n_fail}; 10000x flags {n_flags}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
