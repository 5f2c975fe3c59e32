#!/usr/bin/env bash
# The two pictures of the README's auditor's workflow, made from samples/: report.html in headless
# Chromium (docs/review-report.png) and the annotated table page rendered by poppler
# (docs/review-page.png). Needs chromium, a CJK font (fonts-wqy-microhei) and poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
target/release/yujuesuan extract samples -o "$tmp/out" --progress never --quiet --review "$tmp/rev"
mkdir -p docs
python3 tests/review_browser.py "$tmp/out" "$tmp/rev" --screenshot docs/review-report.png
pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$tmp/rev/qingxi-2025-table.annotated.pdf" docs/review-page
ls -l docs/review-report.png docs/review-page.png
