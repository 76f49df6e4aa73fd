//! Read errors: one kind enum, wrapped with the name of the input (ripgrep `ignore` style).

use std::fmt;

/// A problem reading one input, naming it. `Display` is the one line printed on stderr:
/// `certs/leaf.pem: truncated PEM block 2 (no END line)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// The file path (or `-`, or a host) as the user wrote it.
    pub source_name: String,
    /// What went wrong.
    pub kind: ReadErrorKind,
}

impl ReadError {
    /// Wraps `kind` with the input's name.
    pub fn new(source_name: impl Into<String>, kind: ReadErrorKind) -> Self {
        ReadError {
            source_name: source_name.into(),
            kind,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source_name, self.kind)
    }
}

impl std::error::Error for ReadError {}

/// What went wrong reading an input. Each variant's `Display` is a plain sentence
/// fragment without the input's name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The file does not exist.
    NotFound,
    /// The path is a directory.
    IsDirectory,
    /// Any other I/O failure, with the OS message.
    Io(String),
    /// Larger than the configured limit; refused before reading it whole.
    TooLarge {
        /// Size on disk.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// Zero bytes (or only whitespace).
    Empty,
    /// Not PEM, DER certificate, PKCS#7, PKCS#12, CSR or key.
    Unrecognised,
    /// A PEM block that cannot be used (no END line, bad base64, …).
    BadPem {
        /// 1-based block number in the file.
        block: usize,
        /// Why.
        reason: String,
    },
    /// DER that does not parse as what it claims to be.
    BadDer {
        /// What was being read (`certificate`, `CSR`, `PKCS#7`, …).
        what: String,
        /// Why, including the offset when known.
        reason: String,
    },
    /// Encrypted and no password was supplied.
    NeedPassword {
        /// What needs it (`PKCS#12`, `encrypted private key`).
        what: String,
    },
    /// The supplied password does not open it.
    BadPassword {
        /// What it failed to open.
        what: String,
    },
    /// Understood but not supported (an algorithm, a PEM label, …).
    Unsupported(String),
    /// More items than the configured limit; the rest of the input was not read.
    TooManyItems {
        /// The limit in force.
        limit: usize,
    },
    /// More problems than are worth listing; the rest of the input was not read.
    TooManyProblems {
        /// How many were listed.
        limit: usize,
    },
}

impl ReadErrorKind {
    /// A password problem of a whole container (a PKCS#12 archive or a Java keystore:
    /// `pfx.bad-password`), as opposed to a file that cannot be read.
    pub fn is_container_password(&self) -> bool {
        match self {
            ReadErrorKind::NeedPassword { what } | ReadErrorKind::BadPassword { what } => {
                what.starts_with("PKCS#12") || what == "JKS keystore" || what == "JCEKS keystore"
            }
            _ => false,
        }
    }
}

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadErrorKind::NotFound => write!(f, "no such file"),
            ReadErrorKind::IsDirectory => write!(f, "is a directory, not a file"),
            ReadErrorKind::Io(e) => write!(f, "cannot read: {e}"),
            ReadErrorKind::TooLarge { size, limit } => {
                write!(
                    f,
                    "file is {size} bytes, larger than the {limit}-byte limit"
                )
            }
            ReadErrorKind::Empty => write!(f, "file is empty"),
            ReadErrorKind::Unrecognised => {
                write!(
                    f,
                    "not PEM, DER, PKCS#7, PKCS#12, a Java keystore, a CSR or a private key"
                )
            }
            ReadErrorKind::BadPem { block, reason } => write!(f, "PEM block {block}: {reason}"),
            ReadErrorKind::BadDer { what, reason } => write!(f, "invalid {what}: {reason}"),
            ReadErrorKind::NeedPassword { what } => write!(
                f,
                "{what} is encrypted; give its password with --password-env or --password-file"
            ),
            ReadErrorKind::BadPassword { what } => {
                write!(f, "wrong password for {what} (or the file is damaged)")
            }
            ReadErrorKind::Unsupported(what) => write!(f, "unsupported: {what}"),
            ReadErrorKind::TooManyProblems { limit } => write!(
                f,
                "more than {limit} problems; the rest of the file was not read"
            ),
            ReadErrorKind::TooManyItems { limit } => write!(
                f,
                "more than {limit} certificates, keys or requests; the rest was not read"
            ),
        }
    }
}
