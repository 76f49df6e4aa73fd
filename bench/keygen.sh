#!/usr/bin/env bash
# RSA key generation time: bars-forge (aws-lc-rs, key + CSR, in-process timing) beside
# `openssl genpkey` (whole process, key only), N runs each, medians in milliseconds.
# Usage: bench/keygen.sh [N]   (default 9). RSA generation time varies a lot run to run.
set -euo pipefail
N=${1:-9}
cd "$(dirname "$0")/.."
cargo build -q --release -p bars-forge --example keygen
BIN=target/release/examples/keygen
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
ms_now() { date +%s%N; }
printf '%-6s %-28s %-28s\n' bits "bars-forge median ms" "openssl genpkey median ms"
for bits in 2048 4096; do
  ours=$(for _ in $(seq "$N"); do "$BIN" "$bits"; done | median)
  theirs=$(for _ in $(seq "$N"); do
    s=$(ms_now); openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out /dev/null 2>/dev/null; e=$(ms_now)
    echo "scale=1; ($e - $s) / 1000000" | bc
  done | median)
  printf '%-6s %-28s %-28s\n' "$bits" "$ours" "$theirs"
done
echo "(N=$N runs each; bars-forge includes CSR signing, openssl includes process start)"
