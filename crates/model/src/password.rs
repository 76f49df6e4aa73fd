//! Where passwords come from. The CLI implements this with `--password-env`,
//! `--password-file` or a terminal prompt; never a plain argument.

use std::path::PathBuf;

/// A password named on the command line: an environment variable holding it, or a file
/// whose first line it is (never the password itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasswordSource {
    /// Name of an environment variable holding the password.
    pub env: Option<String>,
    /// A file whose first line is the password.
    pub file: Option<PathBuf>,
}

impl PasswordSource {
    /// From a pair of `--…password-env` / `--…password-file` options.
    pub fn of(env: &Option<String>, file: &Option<PathBuf>) -> Self {
        PasswordSource {
            env: env.clone(),
            file: file.clone(),
        }
    }

    /// The password, `None` when no source is named; `Err` (one line naming
    /// `--password-env`/`--password-file`) when the source is named but unusable.
    pub fn resolve(&self) -> std::io::Result<Option<String>> {
        self.resolve_as("")
    }

    /// [`PasswordSource::resolve`] for the options `--{prefix}password-env/-file`
    /// (`key-` for a keystore key entry's password).
    pub fn resolve_as(&self, prefix: &str) -> std::io::Result<Option<String>> {
        if let Some(var) = &self.env {
            return match std::env::var(var) {
                Ok(v) => Ok(Some(v)),
                Err(_) => Err(std::io::Error::other(format!(
                    "--{prefix}password-env {var}: the variable is not set"
                ))),
            };
        }
        let Some(path) = &self.file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            std::io::Error::other(format!("--{prefix}password-file {}: {e}", path.display()))
        })?;
        Ok(Some(text.lines().next().unwrap_or("").to_string()))
    }
}

/// Supplies passwords for encrypted keys and PKCS#12 files.
pub trait PasswordProvider {
    /// The password for `what` (a file name and what is being opened), or `None` when
    /// there is none to give. Called at most once per encrypted object.
    fn password(&self, what: &str) -> Option<String>;

    /// The password of a key inside a container whose own password did not open it (a
    /// Java keystore's key entry: `--key-password-env`/`--key-password-file`). `None` by
    /// default: the container's password is the only one tried.
    fn key_password(&self, what: &str) -> Option<String> {
        let _ = what;
        None
    }
}

/// No passwords at all.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPassword;

impl PasswordProvider for NoPassword {
    fn password(&self, _what: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::PasswordSource;

    #[test]
    fn a_password_comes_from_a_file_first_line_or_a_named_variable() {
        let none = PasswordSource::default();
        assert_eq!(none.resolve().ok(), Some(None));
        let dir = std::env::temp_dir().join(format!("bars-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let file = dir.join("pw.txt");
        std::fs::write(&file, "s3cret\nignored\n").ok();
        let from_file = PasswordSource {
            env: None,
            file: Some(file.clone()),
        };
        assert_eq!(from_file.resolve().ok(), Some(Some("s3cret".to_string())));
        let missing = PasswordSource {
            env: None,
            file: Some(dir.join("absent")),
        };
        let e = missing.resolve_as("key-").err().map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.starts_with("--key-password-file ")),
            "{e:?}"
        );
        let unset = PasswordSource {
            env: Some("BARS_TEST_SURELY_UNSET_VARIABLE".into()),
            file: None,
        };
        let e = unset.resolve().err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("--password-env BARS_TEST_SURELY_UNSET_VARIABLE: the variable is not set")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
