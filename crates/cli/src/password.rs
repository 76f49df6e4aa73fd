//! Passwords from `--password-env`, `--password-file` or a terminal prompt; never from a
//! plain argument value.

use crate::args::{KeyPasswordArgs, PasswordArgs};
use bars_model::PasswordProvider;
use std::io::IsTerminal;

/// Where this run's password comes from (an environment variable or a file).
pub use bars_model::PasswordSource as Passwords;

impl From<&PasswordArgs> for Passwords {
    fn from(a: &PasswordArgs) -> Self {
        Passwords::of(&a.password_env, &a.password_file)
    }
}

/// The provider of `--password-*` and `--key-password-*` (a keystore's key entries).
pub fn provider(store: &PasswordArgs, key: &KeyPasswordArgs) -> anyhow::Result<Provider> {
    let key = Passwords::of(&key.key_password_env, &key.key_password_file);
    Ok(Provider {
        fixed: Passwords::from(store).resolve()?,
        key: key.resolve_as("key-")?,
    })
}

/// The provider handed to the model: a fixed password, else a prompt on a terminal; a
/// keystore key entry's own password, if given.
pub struct Provider {
    fixed: Option<String>,
    key: Option<String>,
}

impl Provider {
    /// A provider over the resolved password (if any).
    pub fn new(fixed: Option<String>) -> Self {
        Provider { fixed, key: None }
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

    fn key_password(&self, _what: &str) -> Option<String> {
        self.key.clone()
    }
}
