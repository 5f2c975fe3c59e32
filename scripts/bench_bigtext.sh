#!/usr/bin/env bash
# Peak RSS of `extract` over one large text report: the seed text (samples/renshe-2020-final.txt)
# repeated to SIZE_MB megabytes (default 200), against the goal of at most 3x the input size.
# usage: scripts/bench_bigtext.sh [SIZE_MB] [BIN]     (BIN: another build, e.g. a copy made before a change)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-200}"
bin="${2:-target/release/yujuesuan}"
[ "$bin" = target/release/yujuesuan ] && cargo build --release --quiet --bin yujuesuan
work="$(mktemp -d "${TMPDIR:-/tmp}/yujuesuan-bigtext-XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 - "$work/big.txt" "$size_mb" <<'PY'
import sys
seed = open("samples/renshe-2020-final.txt", "rb").read()
target = int(sys.argv[2]) * 1024 * 1024
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < target:
        f.write(seed)
        n += len(seed)
PY
bytes=$(stat -c %s "$work/big.txt")
/usr/bin/time -f "%M %e %U" -o "$work/time" "$bin" extract "$work/big.txt" -o "$work/out" --progress never --quiet || true
read -r kib wall user < "$work/time"
python3 - "$bytes" "$kib" "$wall" "$user" <<'PY'
import sys
b, kib, wall, user = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
mib, in_mib = kib / 1024, b / 2**20
print(f"input {in_mib:.0f} MiB text: peak RSS {mib:.0f} MiB = {mib / in_mib:.2f}x the input "
      f"(goal <= 3x); {wall:.1f} s wall, {user:.1f} s user")
PY
