#!/usr/bin/env python3
"""Counts the Han string literals in src/ that may decide meaning: the ones that should be data in patterns/.

usage: meaning_in_code.py [SRC_DIR] [--list] [--max N]

Counted: string and char literals (plain and raw) with at least one Han character, in src/**/*.rs.
Not counted: comments and doc comments; test code (files named tests.rs, `#[cfg(test)]` items); the
fixture generator (src/fixture/, it writes sample reports); the technical tables named in TECHNICAL below
(they map characters or font names, they decide no meaning). Exit status 1 when --max N is exceeded.
"""
import re
import sys
from pathlib import Path

# file (relative to SRC_DIR) -> why its Han literals are technical, not meaning
TECHNICAL = {
    "normalize.rs": "Kangxi / CJK radical and compatibility-ideograph tables (character identity)",
    "ingest/pdf/font.rs": "CJK font family names (宋体, 黑体…) used to pick a font program",
    "ingest/pdf/encoding.rs": "glyph-name and encoding tables",
}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def strip_tests(text):
    """Removes `#[cfg(test)]` items (brace-matched) from Rust source."""
    out, i = [], 0
    while True:
        j = text.find("#[cfg(test)]", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        k = text.find("{", j)
        semi = text.find(";", j)
        if k < 0 or (0 <= semi < k):
            i = semi + 1 if semi >= 0 else len(text)
            continue
        depth, p = 0, k
        while p < len(text):
            c = text[p]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            p += 1
        i = p + 1


def literals(text):
    """Yields (line, literal) for every string / char literal outside comments."""
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("//", i):
            e = text.find("\n", i)
            i = n if e < 0 else e
        elif text.startswith("/*", i):
            e = text.find("*/", i + 2)
            e = n if e < 0 else e + 2
            line += text.count("\n", i, e)
            i = e
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            close = '"' + m.group(1)
            s = i + len(m.group(0))
            e = text.find(close, s)
            e = n if e < 0 else e
            yield line, text[s:e]
            line += text.count("\n", i, e)
            i = e + len(close)
        elif c == '"':
            s, p = i + 1, i + 1
            while p < n and text[p] != '"':
                p += 2 if text[p] == "\\" else 1
            yield line, text[s:p]
            line += text.count("\n", i, p)
            i = p + 1
        elif c == "'":
            m = re.match(r"'(\\.|[^'\\\n])'", text[i:])
            if m:
                yield line, m.group(1)
                i += len(m.group(0))
            else:
                i += 1  # a lifetime
        else:
            i += 1


def main(argv):
    listing = "--list" in argv
    args = [a for a in argv if a != "--list"]
    limit = None
    if "--max" in args:
        k = args.index("--max")
        limit = int(args[k + 1])
        del args[k : k + 2]
    src = Path(args[0] if args else "src")
    total, by_file = 0, {}
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(src).as_posix()
        if rel.startswith("fixture/") or path.name == "tests.rs" or rel in TECHNICAL:
            continue
        text = strip_tests(path.read_text(encoding="utf-8"))
        found = [(ln, lit) for ln, lit in literals(text) if HAN.search(lit)]
        if found:
            by_file[rel] = found
            total += len(found)
    for rel, found in sorted(by_file.items(), key=lambda kv: -len(kv[1])):
        print(f"{len(found):>5}  {rel}")
        if listing:
            for ln, lit in found:
                print(f"         {ln}: {lit!r}")
    print(f"meaning in code: {total} Han literals in {src}/ outside tests, fixtures and technical tables")
    if limit is not None and total > limit:
        print(f"error: more than {limit}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
