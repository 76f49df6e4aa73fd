//! The only place exit codes are defined (SPEC "Exit codes").

use std::process::ExitCode;

/// How the process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// 0: nothing at or above `--fail-on`.
    Ok = 0,
    /// 1: findings at or above `--fail-on`, or a refusal (bad name, mismatched key, pin mismatch).
    Findings = 1,
    /// 2: usage error or unreadable input.
    Usage = 2,
    /// 3: network failure before any certificate was received.
    Network = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
