#!/usr/bin/env python3
"""Validates an output folder against the published JSON Schemas and runs the README's worked example.

Usage: readme_queries.py README.md SCHEMA_DIR WORK_DIR

WORK_DIR holds `out/` (an `extract` run with `yujuesuan export out --format parquet` done). The script
1. validates every line of out/documents.jsonl, facts.jsonl, tables.jsonl, checks.jsonl and out/run.json
   against SCHEMA_DIR/*.schema.json (jsonschema, Draft 2020-12);
2. checks that doc_id is a unique key of facts/tables/checks (one documents line per doc_id that is not
   a duplicate);
3. runs, with WORK_DIR as the current folder, exactly the code blocks of README.md that start with
   `-- query: NAME` (DuckDB SQL) or `# query: NAME` (Python), and asserts that their results hold the
   same exact decimals as the JSON Lines read with Decimal.
Exits non-zero on the first problem.
"""

import json
import os
import re
import sys
from decimal import Decimal

import duckdb
import jsonschema


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def lines(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                yield n, json.loads(line, parse_float=Decimal)


def validate(schema_dir, out):
    def check(name, instance, where):
        errors = sorted(validators[name].iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            fail(f"{where}: {'/'.join(map(str, e.path))}: {e.message}")

    validators = {}
    for name in ["documents", "facts", "tables", "checks", "run"]:
        with open(os.path.join(schema_dir, f"{name}.schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[name] = jsonschema.Draft202012Validator(schema)
    counts = {}
    for name in ["documents", "facts", "tables", "checks"]:
        path = os.path.join(out, f"{name}.jsonl")
        counts[name] = 0
        for n, rec in lines(path):
            # jsonschema needs JSON numbers as int/float-like: Decimal is accepted as a number.
            check(name, rec, f"{path}:{n}")
            counts[name] += 1
    with open(os.path.join(out, "run.json"), encoding="utf-8") as f:
        check("run", json.load(f, parse_float=Decimal), os.path.join(out, "run.json"))
    print("schema: valid", counts)
    return counts


def identity(out):
    docs = [d for _, d in lines(os.path.join(out, "documents.jsonl"))]
    primary = [d["doc_id"] for d in docs if d["status"] != "duplicate"]
    if len(primary) != len(set(primary)):
        fail("a doc_id has two documents lines that are not duplicates")
    for d in docs:
        if d["status"] == "duplicate":
            if d["duplicate_of"] is None or d["doc_id"] not in primary:
                fail(f"duplicate {d['source']} does not name its original")
    # Facts, tables and checks of one doc_id all come from one source.
    for name in ["facts", "tables", "checks"]:
        sources = {}
        for _, r in lines(os.path.join(out, f"{name}.jsonl")):
            sources.setdefault(r["doc_id"], set()).add(r["source"])
        multi = [k for k, v in sources.items() if len(v) > 1]
        if multi:
            fail(f"{name}: doc_id {multi[0]} has records from several sources")
    print("identity: doc_id is unique;", sum(d["status"] == "duplicate" for d in docs), "duplicates")


def readme_blocks(readme):
    text = open(readme, encoding="utf-8").read()
    blocks = {}
    for lang, body in re.findall(r"```(sql|python)\n(.*?)```", text, re.S):
        m = re.match(r"(?:--|#) query: (\S+)\n", body)
        if m:
            blocks[m.group(1)] = (lang, body)
    for need in ["panel_sql", "rows_sql", "panel_py", "rows_py"]:
        if need not in blocks:
            fail(f"README has no block `query: {need}`")
    return blocks


def run_sql(body):
    return duckdb.sql(body)


def run_py(body):
    env = {}
    exec(compile(body, "<README>", "exec"), env)
    return env


def expected_from_jsonl(out):
    """The sums the queries must reproduce, read with Decimal from the JSON Lines."""
    docs = {d["doc_id"]: d for _, d in lines(os.path.join(out, "documents.jsonl")) if d["status"] != "duplicate"}
    first = {}
    for _, f in lines(os.path.join(out, "facts.jsonl")):
        if f["item"] is None:
            first.setdefault((f["doc_id"], f["key"]), f["value"])
    rows_sum, rows_n = Decimal(0), 0
    for _, t in lines(os.path.join(out, "tables.jsonl")):
        if t["table"] in ("F05", "B05"):
            for r in t["rows"]:
                for c in r["cells"]:
                    if c is not None:
                        rows_sum += c
                        rows_n += 1
    all_sum = Decimal(0)
    for _, f in lines(os.path.join(out, "facts.jsonl")):
        all_sum += f["value"]
    for _, t in lines(os.path.join(out, "tables.jsonl")):
        for r in t["rows"]:
            for c in r["cells"]:
                if c is not None:
                    all_sum += c
    return docs, first, rows_sum, rows_n, all_sum


PANEL_KEYS = ["income.grand_total", "expenditure.grand_total", "sangong.budget", "sangong.final",
              "sangong.overseas", "sangong.vehicle", "sangong.reception"]


def main():
    readme, schema_dir, work = (os.path.abspath(a) for a in sys.argv[1:4])
    os.chdir(work)
    out = "out"
    validate(schema_dir, out)
    identity(out)
    blocks = readme_blocks(readme)
    docs, first, rows_sum, rows_n, all_sum = expected_from_jsonl(out)
    processed = [d for d in docs.values() if d["status"] in ("ok", "partial")]

    # (a) one row per document: department, year, kind, grand totals, 三公.
    rel = run_sql(blocks["panel_sql"][1])
    cols = rel.columns
    got = rel.fetchall()
    if len(got) != len(processed):
        fail(f"panel_sql: {len(got)} rows for {len(processed)} documents")
    for key in PANEL_KEYS:
        if key not in cols:
            fail(f"panel_sql: no column {key}")
        want = sum((first[(d['doc_id'], key)] for d in processed if (d['doc_id'], key) in first), Decimal(0))
        have = sum((r[cols.index(key)] for r in got if r[cols.index(key)] is not None), Decimal(0))
        if have != want or not isinstance(have, Decimal):
            fail(f"panel_sql: Σ {key} = {have!r}, JSON Lines give {want}")
    years = {r[cols.index("year")] for r in got} - {None}
    if not all(isinstance(y, int) for y in years):
        fail(f"panel_sql: year is not an integer: {years}")

    env = run_py(blocks["panel_py"][1])
    panel = env["panel"]
    if panel.num_rows != len(processed):
        fail(f"panel_py: {panel.num_rows} rows for {len(processed)} documents")
    for key in PANEL_KEYS:
        want = sum((first[(d['doc_id'], key)] for d in processed if (d['doc_id'], key) in first), Decimal(0))
        have = sum((v for v in panel.column(key).to_pylist() if v is not None), Decimal(0))
        if have != want:
            fail(f"panel_py: Σ {key} = {have!r}, JSON Lines give {want}")

    # (b) every cell of the 一般公共预算财政拨款支出 tables (F05 / B05) in long form.
    rel = run_sql(blocks["rows_sql"][1])
    cols = rel.columns
    got = rel.fetchall()
    have = sum((r[cols.index("value")] for r in got), Decimal(0))
    if len(got) != rows_n or have != rows_sum:
        fail(f"rows_sql: {len(got)} cells Σ {have!r}; JSON Lines: {rows_n} cells Σ {rows_sum}")
    env = run_py(blocks["rows_py"][1])
    rows = env["rows"]
    import pyarrow.compute as pc
    have = pc.sum(rows.column("value")).as_py()
    if rows.num_rows != rows_n or have != rows_sum:
        fail(f"rows_py: {rows.num_rows} cells Σ {have!r}; JSON Lines: {rows_n} cells Σ {rows_sum}")

    # Every value of the corpus, exact.
    total = duckdb.sql("SELECT sum(value) FROM 'out/values.parquet'").fetchall()[0][0]
    if total != all_sum:
        fail(f"Σ values.parquet = {total!r}, JSON Lines give {all_sum}")
    print(f"queries: {len(got)} F05/B05 cells Σ {rows_sum}; all values Σ {all_sum}; panel {len(processed)} rows")
    print("OK")


if __name__ == "__main__":
    main()
