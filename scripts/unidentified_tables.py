#!/usr/bin/env python3
"""Audit of the unidentified (`X`) tables of an `extract` output folder, grouped by title family.

Usage: scripts/unidentified_tables.py OUT_DIR [--tables] [--family WORDS]

Reads documents.jsonl and tables.jsonl of OUT_DIR. Every table whose id is `X` gets a title family:
its printed title with the parts that vary from report to report taken off (spaces and quotes, a
table label such as 表3 / 公开05表 / 附表1 / 一、, the department's name as documents.jsonl gives
it, a year, leading 部门 / 单位 words, a trailing parenthetical and a trailing unit). Prints, most
frequent first, one line per family: tables, documents, the regions of the documents (MANIFEST.tsv
beside the sources when there is one, else the first two characters of the department), and the standard tables each such document is missing
(the ids of the document's family, 预算 → B01–B09, 决算 → F01–F09, found in no table of it), as
`B05×3`: an X family that mostly sits in documents missing one id is that standard table under an
unlisted title. Ends with a totals line.

--tables prints, under each family, every table of it (document, pages, title, the column labels
and the names of its first rows); --family WORDS keeps the families containing WORDS.
Standard library only; exit status 0 always (an audit, not a gate).
"""

import json
import os
import re
import sys
from collections import Counter, defaultdict

FINAL = [f"F{i:02d}" for i in range(1, 10)]
BUDGET = [f"B{i:02d}" for i in range(1, 10)]

LABEL = re.compile(
    r"^(?:(?:附表|附件|公开|预算|决算|部门|表)*\s*[0-9０-９]+(?:-[0-9]+)?\s*(?:表|号)?\s*[、.．:：\s-]*"
    r"|(?:附表|附件|公开|预算|决算|表)?[一二三四五六七八九十]+(?:表\s*[、.．:：\s-]*|\s*[、.．:：]))"
)
# Titles naming one project or one transfer each (…项目绩效目标表): one family.
PROJECT_SHEET = "项目支出绩效目标表"
PER_ITEM = re.compile(r"^.+(?:项目|转移支付|转移支付资金)绩效目标表$")
YEAR = re.compile(r"(?:[0-9]{4}|[0-9]{2})\s*年(?:度)?")
PAREN_TAIL = re.compile(r"[(（][^()（）]*[)）]$")
UNIT_TAIL = re.compile(r"(?:单位|金额单位)[:：]?\s*(?:万元|元|千元)$|[(（](?:万元|元)[)）]$")
QUOTES = re.compile(r"[\s“”\"'‘’《》「」]")
# 部门预算… / 单位综合预算… keep their lead word: it is part of the name.
KEEP_AFTER_LEAD = ("预算", "决算", "综合")
LEAD_WORDS = ("部门（单位）", "部门(单位)", "部门", "单位", "本级", "本部门", "年")


def read_jsonl(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def family_of_title(title, department):
    """The title family: the printed title less what varies between reports."""
    t = QUOTES.sub("", title or "")
    qualifier = ""
    for _ in range(3):
        t = UNIT_TAIL.sub("", t)
        m = PAREN_TAIL.search(t)
        if m:
            # The classification a qualifier names tells tables apart (B05 功能 / 经济); the
            # rest (不含上年结转, 续) does not.
            for word in ("功能", "经济"):
                if word in m.group(0) and not qualifier:
                    qualifier = f"({word}分类)"
            t = t[: m.start()]
    # A qualifier cut by a line end: 明细表(按功能科目
    m = re.search(r"表[(（][^()（）]*$", t)
    if m:
        for word in ("功能", "经济"):
            if word in m.group(0) and not qualifier:
                qualifier = f"({word}分类)"
        t = t[: m.start() + 1]
    if department:
        d = QUOTES.sub("", department)
        if d and d in t:
            t = t[t.index(d) + len(d):]
    m = YEAR.search(t)
    if m and m.start() <= 24:
        t = t[m.end():]
    for _ in range(2):
        t = LABEL.sub("", t, count=1)
        changed = True
        while changed:
            changed = False
            for w in LEAD_WORDS:
                rest = t[len(w):]
                if t.startswith(w) and len(rest) > 2 and not rest.startswith(KEEP_AFTER_LEAD):
                    t = t[len(w):]
                    changed = True
    if t.endswith(PROJECT_SHEET) and t != PROJECT_SHEET:
        # A page-header label interleaved with the title's characters (read as one line).
        return PROJECT_SHEET
    if PER_ITEM.match(t):
        return "…(one project or transfer)绩效目标表"
    return (t + qualifier) or "(no title)"


def manifest_regions(docs):
    """doc_id → region, from a MANIFEST.tsv beside the documents' sources (local_name, …,
    region columns), when there is one; else the first two characters of the department."""
    out = {}
    cache = {}
    for doc_id, d in docs.items():
        src = d.get("source") or ""
        folder, name = os.path.split(src)
        if folder not in cache:
            cache[folder] = {}
            path = os.path.join(folder, "MANIFEST.tsv")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as fh:
                    head = fh.readline().rstrip("\n").split("\t")
                    if "region" in head:
                        col = head.index("region")
                        for line in fh:
                            f = line.rstrip("\n").split("\t")
                            if len(f) > col:
                                parts = re.split(r"[（(]", f[col])[0].split("·")
                                cache[folder][f[0]] = parts[1] if len(parts) > 1 else parts[0]
        out[doc_id] = cache[folder].get(name) or (d.get("department") or "?")[:2]
    return out


def kind_family(kind):
    if not kind:
        return None
    if "决算" in kind:
        return "决算"
    if "预算" in kind:
        return "预算"
    return None


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    show_tables = "--tables" in argv
    want = None
    if "--family" in argv:
        i = argv.index("--family")
        if i + 1 < len(argv):
            want = argv[i + 1]
            args = [a for a in args if a != want]
    if not args:
        print(__doc__)
        return 0
    out = args[0]
    docs = {d.get("doc_id"): d for d in read_jsonl(os.path.join(out, "documents.jsonl"))}
    tables = read_jsonl(os.path.join(out, "tables.jsonl"))
    found = defaultdict(set)
    for t in tables:
        found[t.get("doc_id")].add(t.get("table"))
    missing = {}
    for doc_id, d in docs.items():
        fam = kind_family(d.get("kind"))
        ids = FINAL if fam == "决算" else BUDGET if fam == "预算" else []
        missing[doc_id] = [i for i in ids if i not in found[doc_id]]
    region = manifest_regions(docs)
    groups = defaultdict(list)
    for t in tables:
        if t.get("table") != "X":
            continue
        d = docs.get(t.get("doc_id"), {})
        groups[family_of_title(t.get("title"), d.get("department"))].append(t)
    total = sum(len(v) for v in groups.values())
    rows = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    print(f"{'tables':>6} {'docs':>4}  family  [regions]  {{standard ids the documents miss}}")
    for fam, ts in rows:
        if want and want not in fam:
            continue
        doc_ids = sorted({t.get("doc_id") for t in ts})
        regions = Counter(region.get(i, "?") for i in doc_ids)
        miss = Counter(m for i in doc_ids for m in missing.get(i, []))
        reg = " ".join(f"{r}×{n}" for r, n in regions.most_common(4))
        ms = " ".join(f"{m}×{n}" for m, n in sorted(miss.items()))
        print(f"{len(ts):>6} {len(doc_ids):>4}  {fam}  [{reg}]  {{{ms}}}")
        if show_tables:
            for t in ts:
                cols = " | ".join((t.get("columns") or [])[:8])
                names = " ; ".join((r.get("name") or "") for r in (t.get("rows") or [])[:4])
                src = os.path.basename(t.get("source") or "") or t.get("doc_id")
                print(f"         {src} p{t.get('pages')} {t.get('title')}")
                print(f"           cols: {cols}")
                print(f"           rows: {names}")
    print(f"TOTAL X tables {total} of {len(tables)}, families {len(groups)}, documents {len(docs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
