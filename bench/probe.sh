#!/usr/bin/env bash
# Benchmark (not a test): `bars-certcheck probe` (handshake + full diagnosis) against
# `openssl s_client -showcerts` (handshake + print) on the same local `openssl s_server`,
# alternating, RUNS times each; prints the medians and their ratio.
#
#   bash bench/probe.sh            # 40 runs each (default)
#   RUNS=200 bash bench/probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-40}
work=$(mktemp -d)
# BIN=path compares another build (e.g. the one before a change) in the same way.
[ -n "${BIN:-}" ] || cargo build --release --locked -q -p bars-certcheck
bin=${BIN:-$PWD/target/release/bars-certcheck}
fx=$PWD/fixtures/pki
fqdn=BaRS-INT-X26.Supplier.thirdparty.nhs.uk

# The good INT test chain, served by openssl (an independent peer) on a free port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$port" -www -cert "$fx/int-good/leaf.pem" \
  -key "$fx/int-good/leaf.key" -cert_chain "$fx/int/subca.pem" -naccept $((2 * RUNS + 10)) \
  >/dev/null 2>&1 </dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
echo "server: 127.0.0.1:$port, $RUNS runs each, alternating"

ours=() theirs=()
now() { date +%s%N; }
for _ in $(seq "$RUNS"); do
  t0=$(now)
  "$bin" probe "127.0.0.1:$port" --sni "$fqdn" --ca "int:$fx/int/root.pem" --at 2027-01-01T00:00:00Z \
    --format json > "$work/out.json" 2>/dev/null || true
  t1=$(now)
  openssl s_client -connect "127.0.0.1:$port" -servername "$fqdn" -showcerts </dev/null >/dev/null 2>&1 || true
  t2=$(now)
  ours+=($(( (t1 - t0) / 1000 ))) theirs+=($(( (t2 - t1) / 1000 )))
done
grep -q '"verdict"' "$work/out.json" || { echo "the probe did not produce a report" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
awk -v o="$mo" -v t="$mt" 'BEGIN {
  printf "bars-certcheck probe (diagnosis, JSON): median %.1f ms\n", o/1000
  printf "openssl s_client -showcerts:           median %.1f ms\n", t/1000
  printf "ratio probe / s_client: %.2f\n", o/t }'
