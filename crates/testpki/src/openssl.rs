//! Running the `openssl` command-line tool, for what rcgen cannot make
//! (RSA-1024 keys, SHA-1 signatures, PKCS#12, PKCS#7, encrypted and PKCS#1 keys).
//!
//! Only the CLI is used (no OpenSSL library is linked). Every failure is an
//! [`Error::Openssl`] carrying the arguments and openssl's stderr.

use crate::{Error, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `openssl` program to run.
#[derive(Clone, Debug)]
pub struct Openssl {
    program: PathBuf,
}

impl Default for Openssl {
    fn default() -> Self {
        Openssl {
            program: PathBuf::from("openssl"),
        }
    }
}

impl Openssl {
    /// `openssl` from PATH.
    pub fn new() -> Self {
        Self::default()
    }

    /// A specific program.
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        Openssl {
            program: program.into(),
        }
    }

    /// `openssl version`, proving the program runs.
    pub fn version(&self) -> Result<String> {
        let out = self.run(["version"], None)?;
        Ok(String::from_utf8_lossy(&out).trim().to_owned())
    }

    /// Run `openssl ARGS` (in `cwd` when given) with no stdin; return its stdout, or an
    /// error with its stderr when it exits unsuccessfully.
    pub fn run<I, S>(&self, args: I, cwd: Option<&Path>) -> Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let mut cmd = Command::new(&self.program);
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
        let out = cmd.output().map_err(|source| Error::OpensslMissing {
            program: self.program.display().to_string(),
            source,
        })?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(Error::Openssl {
                args: args
                    .iter()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
                status: out.status.to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_failure() {
        crate::require_tools!("openssl");
        let o = Openssl::new();
        assert!(o.version().unwrap().starts_with("OpenSSL"));
        let err = o
            .run(["x509", "-in", "/nonexistent/cert.pem"], None)
            .unwrap_err();
        assert!(matches!(err, Error::Openssl { .. }), "{err}");
        let missing = Openssl::with_program("/nonexistent/openssl").version();
        assert!(matches!(missing, Err(Error::OpensslMissing { .. })));
    }
}
