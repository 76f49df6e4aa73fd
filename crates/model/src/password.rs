//! Where passwords come from. The CLI implements this with `--password-env`,
//! `--password-file` or a terminal prompt; never a plain argument.

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
