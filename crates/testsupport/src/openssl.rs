//! The `openssl` command, the independent peer the tests compare against.

#![allow(clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `openssl args` in `dir` and returns its stdout; panics with its stderr when it
/// fails, or with a clear message when openssl is not installed.
pub fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    run(dir, args, false)
}

/// [`openssl`] with no configuration file (`OPENSSL_CONF=/dev/null`): what a command
/// gives from its arguments alone.
pub fn openssl_bare(dir: &Path, args: &[&str]) -> Vec<u8> {
    run(dir, args, true)
}

fn run(dir: &Path, args: &[&str], bare: bool) -> Vec<u8> {
    let mut cmd = Command::new("openssl");
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    if bare {
        cmd.env("OPENSSL_CONF", "/dev/null");
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("these tests need the openssl command (apt-get install openssl): {e}")
    });
    if !out.status.success() {
        panic!(
            "openssl {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out.stdout
}
