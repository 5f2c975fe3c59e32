#!/usr/bin/env python3
"""Lists the library functions longer than a limit (lines from `fn` to its closing brace).

usage: long_functions.py [SRC_DIR] [--max N]   (default src, 80)

Not counted: test code (files named tests.rs, `#[cfg(test)]` items), the fixture generator
(src/fixture/, behind the `fixture` feature) and the technical tables named in TECHNICAL below (a
function that is one lookup table, one arm per code point, has no steps to name). Exit status 1 when
a function is over the limit.
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from meaning_in_code import strip_tests  # noqa: E402

# (file relative to SRC_DIR, function) -> why its length is a table, not a procedure
TECHNICAL = {
    ("normalize.rs", "radical_supplement"): "CJK Radicals Supplement code point -> ideograph, one arm each",
}

FN = re.compile(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?(?:const\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


def blank_strings_and_comments(text):
    """Replaces comments and string/char literals by spaces (keeping newlines) so braces count."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = '"' + hashes
            j = text.find(end, i + len(hashes) + 2)
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]) or text.startswith("'\\u{", i):
            j = text.find("'", i + 1)
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """(name, first line, line count) of every fn with a body."""
    clean = blank_strings_and_comments(text)
    for m in FN.finditer(clean):
        k = clean.find("{", m.end())
        semi = clean.find(";", m.end())
        if k < 0 or 0 <= semi < k:
            continue
        depth, p = 0, k
        while p < len(clean):
            if clean[p] == "{":
                depth += 1
            elif clean[p] == "}":
                depth -= 1
                if depth == 0:
                    break
            p += 1
        start = clean.count("\n", 0, m.start()) + 1
        end = clean.count("\n", 0, p) + 1
        yield m.group(1), start, end - start + 1


def main(argv):
    src = Path(argv[1]) if len(argv) > 1 and not argv[1].startswith("--") else Path("src")
    limit = int(argv[argv.index("--max") + 1]) if "--max" in argv else 80
    long = []
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(src).as_posix()
        if rel.startswith("fixture/") or path.name == "tests.rs":
            continue
        text = strip_tests(path.read_text(encoding="utf-8"))
        for name, line, count in functions(text):
            if count > limit and (rel, name) not in TECHNICAL:
                long.append((count, rel, line, name))
    for count, rel, line, name in sorted(long, reverse=True):
        print(f"{count:5}  {rel}:{line} {name}")
    print(f"long functions: {len(long)} library functions over {limit} lines")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
