#!/usr/bin/env bash
# Benchmark (not a test): `bars-certcheck check` over N certificate files (BaRS INT test
# leaves under the committed TEST sub-CA, every check run: path building with verified
# signatures, validity, key, EKU, names, BaRS naming rules) against `openssl verify` over
# the same files in the same run. Prints certificates per second, peak RSS and the ratio.
#
#   bash bench/check.sh              # 10,000 files (default)
#   N=2000 bash bench/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# BIN=path compares another build (e.g. the one before a change) in the same way.
[ -n "${BIN:-}" ] || cargo build --release --locked -q -p bars-certcheck
cargo run --release --locked -q -p bars-testpki --example many-leaves -- "$N" "$work/leaves"
bin=${BIN:-target/release/bars-certcheck}
at=2027-01-01T00:00:00Z
# One invocation each, every file on the command line (xargs would split openssl's).
files=("$work"/leaves/leaf-*.pem)
echo "inputs: ${#files[@]} certificate files"

/usr/bin/time -f '%e %M' -o "$work/t1" "$bin" check "${files[@]}" --env int \
  --ca "int:$work/leaves/root.pem" --ca "int:$work/leaves/subca.pem" --at "$at" --format json \
  > "$work/ours.json" || true
/usr/bin/time -f '%e %M' -o "$work/t2" openssl verify -attime 1798761600 \
  -CAfile "$work/leaves/root.pem" -untrusted "$work/leaves/subca.pem" "${files[@]}" \
  > "$work/theirs.txt" 2>&1 || true
read -r t1 m1 < <(tail -n 1 "$work/t1"); read -r t2 m2 < <(tail -n 1 "$work/t2")
checked=$(grep -c '"index"' "$work/ours.json" || true)
oks=$(grep -c ': OK$' "$work/theirs.txt" || true)
awk -v n="$N" -v t1="$t1" -v m1="$m1" -v t2="$t2" -v m2="$m2" -v c="$checked" -v o="$oks" 'BEGIN {
  printf "bars-certcheck check: %.2f s, %.0f certificates/s, peak %.1f MiB (%d certificates in the report)\n", t1, n/t1, m1/1024, c
  printf "openssl verify:       %.2f s, %.0f certificates/s, peak %.1f MiB (%d OK)\n", t2, n/t2, m2/1024, o
  printf "ratio openssl / bars-certcheck time: %.1fx\n", t2/t1 }'
