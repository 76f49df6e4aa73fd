#!/usr/bin/env bash
# Benchmark (not a test): scan N local TLS endpoints (default 1,000) at concurrency 64 with
# the release binary, and, in the same run, time a sequential `openssl s_client` loop over
# the first 50 of them (extrapolated per endpoint). Prints wall time, peak RSS
# (/usr/bin/time -v) and the ratio of the per-endpoint rates.
#
#   bash bench/scan.sh                       # 1,000 endpoints, concurrency 64
#   N=2000 CONC=128 bash bench/scan.sh       # other sizes
#
# The endpoints are Receivers served by crates/testsupport/examples/fleet.rs (one process, one
# thread, one runtime, N listeners on 127.0.0.1) with the committed INT test chain; each
# is judged as `probe` judges it (--at 2027-01-01, the test INT root given by --ca), so a
# correct run reports every endpoint as a pass.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
CONC=${CONC:-64}
SAMPLE=${SAMPLE:-50}
RUNS=${RUNS:-3}
FLEET_THREADS=${FLEET_THREADS:-1}
work=$(mktemp -d)
fleet_pid=""
cleanup() {
  if [ -n "$fleet_pid" ]; then kill "$fleet_pid" 2>/dev/null || true; wait "$fleet_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# BIN=path compares another build (e.g. the one before a change) in the same way.
[ -n "${BIN:-}" ] || cargo build --release --locked -q -p bars-certcheck
cargo build --release --locked -q -p bars-testsupport --example fleet
bin=${BIN:-target/release/bars-certcheck}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

target/release/examples/fleet "$N" "$work/list.csv" "$FLEET_THREADS" > "$work/fleet.out" &
fleet_pid=$!
for _ in $(seq 300); do
  grep -q '^ready' "$work/fleet.out" 2>/dev/null && break
  sleep 0.1
done
grep -q '^ready' "$work/fleet.out" || { echo "the fleet did not start" >&2; exit 1; }
echo "fleet: $N endpoints on 127.0.0.1 (pid $fleet_pid, $FLEET_THREADS server thread(s)); $(nproc) cores"

judge=(--at 2027-01-01T00:00:00Z --ca int:fixtures/pki/int/root.pem --concurrency "$CONC")
now() { date +%s.%N; }

# best-of-RUNS wall time (s), and the largest peak RSS (KiB) seen, of one scan
measure() {
  local best="" rss=0 t0 t1 t m
  for _ in $(seq "$RUNS"); do
    t0=$(now)
    /usr/bin/time -v -o "$work/time" "$bin" scan "$work/list.csv" "${judge[@]}" "$@" \
      > "$work/out" 2> "$work/err" || true
    t1=$(now)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
    m=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/time")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$best $rss"
}

read -r t_text m_text < <(measure --format text)
passed=$(grep -Eo '[0-9]+ pass' "$work/out" | head -1)
[ "$passed" = "$N pass" ] || { echo "expected $N pass, got: $(tail -3 "$work/out")" >&2; exit 1; }
read -r t_json m_json < <(measure --format json)
grep -q "\"pass\": $N," "$work/out" || { echo "the JSON summary is not $N pass" >&2; exit 1; }

# The same endpoints, one openssl s_client after another (what people do by hand today).
t0=$(now)
n=0
while IFS=, read -r host port sni; do
  [ "$host" = host ] && continue
  openssl s_client -connect "$host:$port" -servername "$sni" -showcerts < /dev/null > /dev/null 2>&1 || true
  n=$((n + 1))
  [ "$n" -ge "$SAMPLE" ] && break
done < "$work/list.csv"
t1=$(now)
t_ossl=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')

per() { awk -v t="$1" -v n="$2" 'BEGIN{printf "%.2f", 1000*t/n}'; }
mib() { awk -v m="$1" 'BEGIN{printf "%.1f", m/1024}'; }
rate_ratio() { awk -v o="$1" -v n="$2" -v t="$3" -v m="$4" 'BEGIN{printf "%.0f", (o/n)/(t/m)}'; }
printf '%-52s %8s %12s %10s\n' "run" "wall s" "ms/endpoint" "peak MiB"
printf '%-52s %8s %12s %10s\n' "bars-certcheck scan ($N, concurrency $CONC, text)" "$t_text" "$(per "$t_text" "$N")" "$(mib "$m_text")"
printf '%-52s %8s %12s %10s\n' "bars-certcheck scan ($N, concurrency $CONC, json)" "$t_json" "$(per "$t_json" "$N")" "$(mib "$m_json")"
printf '%-52s %8s %12s %10s\n' "openssl s_client, sequential (first $n)" "$t_ossl" "$(per "$t_ossl" "$n")" "-"
ossl_total=$(awk -v t="$t_ossl" -v n="$n" -v N="$N" 'BEGIN{printf "%.1f", t/n*N}')
echo "openssl extrapolated to $N endpoints: ${ossl_total} s"
echo "rate ratio (openssl ms/endpoint over scan ms/endpoint): text $(rate_ratio "$t_ossl" "$n" "$t_text" "$N")x, json $(rate_ratio "$t_ossl" "$n" "$t_json" "$N")x"
