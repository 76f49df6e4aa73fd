#!/usr/bin/env bash
# Benchmark (not a test): render a 10,000-certificate bundle as text and as JSON with
# bars-certcheck, and time `openssl storeutl -noout -text -certs` on the same bundle in the
# same run. Prints wall times, peak RSS and the ratios.
#
#   bash bench/inspect.sh            # 10,000 certificates (default)
#   N=20000 bash bench/inspect.sh    # another size (20,000 is the most one file may
#                                    # hold), to see memory stay flat
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# BIN=path compares another build (e.g. the one before a change) in the same way.
[ -n "${BIN:-}" ] || cargo build --release --locked -q -p bars-certcheck
bin=${BIN:-target/release/bars-certcheck}

# The bundle: the system CA certificates repeated until N certificates.
src=/etc/ssl/certs/ca-certificates.crt
per=$(grep -c 'BEGIN CERTIFICATE' "$src")
: > "$work/bundle.pem"
have=0
while [ "$have" -lt "$N" ]; do
  cat "$src" >> "$work/bundle.pem"
  have=$((have + per))
done
# Trim to exactly N certificates.
awk -v n="$N" '/BEGIN CERTIFICATE/{c++} c<=n{print} /END CERTIFICATE/ && c==n{exit}' "$work/bundle.pem" > "$work/b.pem"
mv "$work/b.pem" "$work/bundle.pem"
echo "bundle: $(grep -c 'BEGIN CERTIFICATE' "$work/bundle.pem") certificates, $(du -k "$work/bundle.pem" | cut -f1) KiB"

# best-of-RUNS wall time (seconds) and peak RSS (KiB) of a command
measure() {
  local best="" rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" > /dev/null 2>"$work/err" || true
    read -r t m < "$work/t"
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$best $rss"
}

# Larger bundles pass the default 16 MiB input limit.
size=(--max-input-size "$(( $(wc -c < "$work/bundle.pem") + 1 ))")
read -r t_text m_text < <(measure "$bin" inspect "${size[@]}" --color never "$work/bundle.pem")
read -r t_json m_json < <(measure "$bin" inspect "${size[@]}" --format json "$work/bundle.pem")
read -r t_ossl m_ossl < <(measure openssl storeutl -noout -text -certs "$work/bundle.pem")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b<=0) b=0.005; printf "%.1f", a/b }'; }
printf '%-44s %8s %10s\n' "command" "wall s" "peak MiB"
printf '%-44s %8s %10.1f\n' "bars-certcheck inspect (text)" "$t_text" "$(awk -v m="$m_text" 'BEGIN{print m/1024}')"
printf '%-44s %8s %10.1f\n' "bars-certcheck inspect --format json" "$t_json" "$(awk -v m="$m_json" 'BEGIN{print m/1024}')"
printf '%-44s %8s %10.1f\n' "openssl storeutl -noout -text -certs" "$t_ossl" "$(awk -v m="$m_ossl" 'BEGIN{print m/1024}')"
echo "ratio openssl/text: $(ratio "$t_ossl" "$t_text")x   openssl/json: $(ratio "$t_ossl" "$t_json")x"
