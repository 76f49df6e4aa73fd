//! Terminal helpers shared by the commands: refusals on stderr, new-password prompts,
//! shell quoting for the commands the tool suggests, findings as indented text.

use crate::exit::Exit;
/// Prints a refusal and gives exit 1.
pub fn refuse(what: &str, reason: &str) -> Exit {
    eprintln!("bars-certcheck: {what}: refused: {reason}");
    eprintln!("bars-certcheck: nothing was written.");
    Exit::Findings
}

/// Reads a new password twice on the terminal; `None` when there is no terminal.
pub fn prompt_new_password(what: &str) -> anyhow::Result<Option<String>> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Ok(None);
    }
    let first = rpassword::prompt_password(format!("New password for {what}: "))?;
    let again = rpassword::prompt_password(format!("Repeat the password for {what}: "))?;
    if first != again {
        anyhow::bail!("the two passwords differ");
    }
    Ok(Some(first))
}

pub use bars_report::onboarding::{finding_text, shell_path};

/// A failed write of an artefact: an existing file is a refusal (1), anything else a
/// usage error (2).
pub fn write_failed(what: &str, e: bars_forge::ForgeError) -> Exit {
    match e {
        bars_forge::ForgeError::Exists(_) => refuse(what, &e.to_string()),
        other => usage(what, &other),
    }
}

/// A usage problem found after parsing (exit 2), e.g. DER asked for several certificates.
pub fn usage(what: &str, why: &dyn std::fmt::Display) -> Exit {
    eprintln!("bars-certcheck: {what}: {why}");
    Exit::Usage
}
