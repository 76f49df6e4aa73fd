#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`, minimised by `cargo fuzz
//! cmin`) and any crash reproducer kept in `fuzz/regressions/<target>/` through the
//! targets' bodies: CI runs no fuzzer, but every input a fuzzer found interesting stays a
//! test.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
            out.extend(
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.is_file()),
            );
        }
    }
    out.sort();
    out
}

fn replay(target: &str, f: fn(&[u8]) -> usize) {
    let files = inputs(target);
    assert!(!files.is_empty(), "fuzz/corpus/{target} is empty");
    for file in files {
        let data = match std::fs::read(&file) {
            Ok(d) => d,
            Err(e) => panic!("{}: {e}", file.display()),
        };
        std::hint::black_box(f(&data));
    }
}

#[test]
fn read_corpus() {
    replay("read", bars_fuzz_targets::read);
}

#[test]
fn check_corpus() {
    replay("check", bars_fuzz_targets::check);
}

#[test]
fn pfx_corpus() {
    replay("pfx", bars_fuzz_targets::pfx);
}

#[test]
fn target_corpus() {
    replay("target", bars_fuzz_targets::target);
}
