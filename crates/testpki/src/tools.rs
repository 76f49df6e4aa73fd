//! The system tools some tests run beside the product (`openssl` as the independent peer,
//! `nginx` as a real Receiver), and what a test does when one is missing.
//!
//! A test that needs a tool starts with [`require_tools!`](crate::require_tools). When the
//! tool is on `PATH` the test runs. When it is not, the test prints one loud line,
//! `SKIPPED <test>: <tool> is not installed (…)`, straight to the terminal (past the test
//! harness's output capture, so it shows even though the test passes) and returns without
//! running. With `BARS_REQUIRE_TOOLS=1` (as `.ci/run` sets it) a missing tool fails the
//! test instead, so CI cannot pass by skipping.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// The Debian package that provides `tool`, for the message.
fn package(tool: &str) -> &str {
    match tool {
        "nginx" => "nginx-light",
        other => other,
    }
}

/// Whether an executable file named `tool` is on `PATH` (looked up once per process).
pub fn available(tool: &str) -> bool {
    static SEEN: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    let seen = SEEN.get_or_init(|| Mutex::new(HashMap::new()));
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    *seen.entry(tool.to_owned()).or_insert_with(|| on_path(tool))
}

fn on_path(tool: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let candidate = Path::new(&dir).join(tool);
        std::fs::metadata(candidate)
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Whether the calling test may go on: `true` when `tool` is installed; otherwise prints
/// the SKIPPED line and returns `false`, or panics when `BARS_REQUIRE_TOOLS=1`.
#[allow(clippy::panic)] // A test helper: failing the test is its job.
pub fn require(tool: &str) -> bool {
    if available(tool) {
        return true;
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let why = format!(
        "`{tool}` is not installed (apt-get install {}; see README, Development)",
        package(tool)
    );
    if std::env::var_os("BARS_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("{test} needs {why}, and BARS_REQUIRE_TOOLS=1 forbids skipping it");
    }
    // Not `eprintln!`: the test harness captures that and shows it only for failures.
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {why}");
    false
}

/// `require_tools!("openssl", "nginx")` at the top of a test: returns from the test, after
/// a loud SKIPPED line, when one of the tools is not installed (see [the module](crate::tools)).
#[macro_export]
macro_rules! require_tools {
    ($($tool:expr),+ $(,)?) => {
        if !(true $(&& $crate::tools::require($tool))+) {
            return;
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_is_on_path_only() {
        assert!(available("sh"));
        assert!(!available("bars-no-such-tool"));
        assert_eq!(package("nginx"), "nginx-light");
    }
}
