#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 600) with libFuzzer (cargo-fuzz, nightly),
# then minimises its corpus. Not part of CI: CI replays fuzz/corpus as a normal test
# (crates/fuzz-targets/tests/corpus.rs).
#
#   bash fuzz/run.sh            # every target, 10 minutes each
#   bash fuzz/run.sh 60 read    # one target, one minute
#
# Needs: rustup toolchain nightly, `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(read check pfx target)
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t: ${secs}s"
  # -rss_limit_mb: the tool's inputs are bounded (16 MiB files); 2 GB means a real leak.
  cargo +nightly fuzz run "$t" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 2>&1 | tee "logs/$t.log" | grep -E "^#[0-9]+ +(INITED|DONE|pulse)|stat::|SUMMARY|panicked|ERROR" || true
  cargo +nightly fuzz cmin "$t" "corpus/$t" >/dev/null 2>&1 || true
done
