//! Reading the inputs named on the command line; each problem is one stderr line.

use crate::password::{Passwords, Provider};
use bars_model::{read_path, Limits, Parsed};
use std::path::Path;
use std::sync::OnceLock;

static MAX_INPUT_BYTES: OnceLock<u64> = OnceLock::new();

/// Sets the largest input accepted (`--max-input-size` of the command run), once, at start-up.
pub fn set_max_input_bytes(n: Option<u64>) {
    if let Some(n) = n {
        let _ = MAX_INPUT_BYTES.set(n);
    }
}

/// The reading limits in force.
pub fn limits() -> Limits {
    let mut l = Limits::default();
    if let Some(n) = MAX_INPUT_BYTES.get() {
        l.max_file_bytes = *n;
    }
    l
}

/// Reads every file; prints each problem as one line on stderr and says whether any
/// input had one.
pub fn read_all(
    files: &[impl AsRef<Path>],
    passwords: &Passwords,
) -> anyhow::Result<(Vec<(String, Parsed)>, bool)> {
    read_with(files, &Provider::new(passwords.resolve()?))
}

/// [`read_all`] with the passwords of `provider`.
pub fn read_with(
    files: &[impl AsRef<Path>],
    provider: &Provider,
) -> anyhow::Result<(Vec<(String, Parsed)>, bool)> {
    let limits = limits();
    let mut out = Vec::with_capacity(files.len());
    let mut failed = false;
    for f in files {
        let path = f.as_ref();
        let parsed = read_path(path, provider, &limits);
        for e in &parsed.errors {
            eprintln!("bars-certcheck: {e}");
            failed = true;
        }
        out.push((path.display().to_string(), parsed));
    }
    Ok((out, failed))
}
