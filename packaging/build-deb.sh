#!/usr/bin/env bash
# Builds the bars-certcheck .deb: the release binary, its man pages (bars-certcheck(1)
# and one per command, bars-certcheck-check(1), …) and bash/zsh/fish
# completions (generated from the binary itself, so they always match its --help), packed
# by cargo-deb from [package.metadata.deb] in crates/cli/Cargo.toml.
#
#   bash packaging/build-deb.sh          # -> target/debian/bars-certcheck_<version>_<arch>.deb
#   sudo dpkg -i target/debian/bars-certcheck_*.deb
#
# Not part of CI (a release build takes minutes); run it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-deb >/dev/null 2>&1; then
  echo "cargo-deb not found: installing it (cargo install --locked cargo-deb)" >&2
  cargo install --locked cargo-deb
fi

cargo build --release --locked -p bars-certcheck
target_dir=$(cargo metadata --format-version 1 --no-deps --locked \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release/bars-certcheck"
assets="$target_dir/release/deb-assets"
rm -rf "$assets"
mkdir -p "$assets"

mkdir -p "$assets/man"
"$bin" man --out-dir "$assets/man" >/dev/null
gzip -9n -f "$assets"/man/*.1
"$bin" completions bash > "$assets/bars-certcheck.bash"
"$bin" completions zsh > "$assets/_bars-certcheck"
"$bin" completions fish > "$assets/bars-certcheck.fish"
for f in man/bars-certcheck.1.gz man/bars-certcheck-check.1.gz bars-certcheck.bash _bars-certcheck bars-certcheck.fish; do
  [ -s "$assets/$f" ] || { echo "generated $f is empty" >&2; exit 1; }
done

# The binary is already built; cargo-deb packs it with the generated assets.
cargo deb --locked --no-build -p bars-certcheck
ls -l "$target_dir"/debian/*.deb
