//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong while making a test PKI or the fixtures.
///
/// Variants carry the offending value (path, name, command) so that one `Display` line
/// says what failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// rcgen refused to build or sign something.
    #[error("rcgen: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// Minting a certificate failed (bars-forge).
    #[error(transparent)]
    Mint(#[from] bars_forge::mint::MintError),
    /// A private key could not be read.
    #[error("{}: not a usable private key: {source}", path.display())]
    Key {
        /// The key file (or `<memory>`).
        path: PathBuf,
        /// What rcgen said.
        #[source]
        source: rcgen::Error,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The `openssl` program could not be started.
    #[error("could not run `{program}` (is OpenSSL 3 installed and on PATH?): {source}")]
    OpensslMissing {
        /// The program that was looked for.
        program: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An `openssl` command exited unsuccessfully.
    #[error("`openssl {args}` failed ({status}): {stderr}")]
    Openssl {
        /// The arguments, space-separated.
        args: String,
        /// The exit status.
        status: String,
        /// What openssl printed on stderr (trimmed).
        stderr: String,
    },
    /// A file the generator copies (a real NHS certificate) is not where it was expected.
    #[error("{}: missing (needed for {what}); the real NHS certificates are in fixtures/nhs-pki", path.display())]
    MissingSource {
        /// The expected location.
        path: PathBuf,
        /// What it is needed for.
        what: String,
    },
    /// Writing the manifest failed.
    #[error("manifest: {0}")]
    Json(#[from] serde_json::Error),
    /// A PEM document could not be parsed.
    #[error("{what}: bad PEM: {source}")]
    Pem {
        /// What was being parsed.
        what: String,
        /// The underlying error.
        #[source]
        source: pem::PemError,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
