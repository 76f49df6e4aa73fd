//! Passwords from `--password-env`, `--password-file` or a terminal prompt; never from a
//! plain argument value.

use bars_model::PasswordProvider;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where this run's password comes from.
#[derive(Clone, Debug, Default)]
pub struct Passwords {
    /// Name of an environment variable holding the password.
    pub env: Option<String>,
    /// A file whose first line is the password.
    pub file: Option<PathBuf>,
}

impl From<&crate::args::PasswordArgs> for Passwords {
    fn from(a: &crate::args::PasswordArgs) -> Self {
        Passwords {
            env: a.password_env.clone(),
            file: a.password_file.clone(),
        }
    }
}

impl Passwords {
    /// From a pair of `--…-password-env` / `--…-password-file` options.
    pub fn of(env: &Option<String>, file: &Option<PathBuf>) -> Self {
        Passwords {
            env: env.clone(),
            file: file.clone(),
        }
    }

    /// Resolves the configured source; `Err` when the source is named but unusable.
    pub fn resolve(&self) -> anyhow::Result<Option<String>> {
        if let Some(var) = &self.env {
            return match std::env::var(var) {
                Ok(v) => Ok(Some(v)),
                Err(_) => anyhow::bail!("--password-env {var}: the variable is not set"),
            };
        }
        if let Some(path) = &self.file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("--password-file {}: {e}", path.display()))?;
            let line = text.lines().next().unwrap_or("");
            return Ok(Some(line.to_string()));
        }
        Ok(None)
    }
}

/// The provider handed to the model: a fixed password, else a prompt on a terminal.
pub struct Provider {
    fixed: Option<String>,
}

impl Provider {
    /// A provider over the resolved password (if any).
    pub fn new(fixed: Option<String>) -> Self {
        Provider { fixed }
    }
}

impl PasswordProvider for Provider {
    fn password(&self, what: &str) -> Option<String> {
        if let Some(p) = &self.fixed {
            return Some(p.clone());
        }
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            rpassword::prompt_password(format!("Password for {what}: ")).ok()
        } else {
            None
        }
    }
}
