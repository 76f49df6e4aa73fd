//! Makes BaRS artefacts right first time: an RSA key with a CN-only PKCS#10 CSR (or a
//! renewal CSR for an existing key), a PKCS#12 (PFX) bundle in modern or legacy form and
//! its extraction back to PEM, certificate format conversion, the embedded NHS CAs for
//! export, atomic, permission-correct file writes, and the TEST certificates minted at run
//! time for `demo` and `--mtls-audit` ([`mint`]). No printing: each function returns what
//! it made, or a typed error, for the command to show.

pub mod caexport;
pub mod cafetch;
pub mod convert;
pub mod csr;
pub mod extract;
pub mod mint;
pub mod pem;
pub mod pfx;
pub mod write;

use std::path::PathBuf;

/// Everything that can go wrong while making an artefact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForgeError {
    /// The requested RSA size is not one of 2048, 3072, 4096.
    #[error("unsupported RSA key size {0} (use 2048, 3072 or 4096)")]
    KeySize(u32),
    /// The FQDN is empty or contains characters that cannot go in a CN.
    #[error("invalid FQDN {0:?}")]
    Fqdn(String),
    /// Key generation or signing failed.
    #[error("key or CSR generation failed: {0}")]
    Generate(String),
    /// Encrypting the private key failed.
    #[error("private key encryption failed: {0}")]
    Encrypt(String),
    /// The key is still encrypted (no password, or a wrong one).
    #[error("the private key is encrypted and was not opened: give its password with --password-env or --password-file")]
    KeyLocked,
    /// An encrypted key did not open: no password, or a wrong one (the reason).
    #[error("{0}; give its password with --password-env VAR or --password-file FILE")]
    Locked(String),
    /// The key is not RSA (the NHS CA issues for RSA keys only).
    #[error("the key is {0}, not RSA: the NHS CA issues BaRS certificates for RSA keys only (make a new one with `csr new --fqdn`)")]
    KeyNotRsa(String),
    /// The RSA key is too small.
    #[error("the RSA key has {bits} bits, below the 2048 required: make a new key with `csr new --fqdn`")]
    WeakKey {
        /// Its modulus size.
        bits: u32,
    },
    /// The private key does not belong to the leaf certificate.
    #[error("the private key does not match the certificate (public keys differ)")]
    KeyMismatch,
    /// An input (key or certificate) could not be parsed.
    #[error("cannot read {what}: {detail}")]
    Input {
        /// Which input.
        what: String,
        /// Why.
        detail: String,
    },
    /// Building the PKCS#12 failed.
    #[error("PFX build failed: {0}")]
    Pfx(String),
    /// The target exists and overwriting was not allowed.
    #[error("{}: already exists (use --force to replace it)", .0.display())]
    Exists(PathBuf),
    /// The directory an output file would go in does not exist (or is not a directory).
    #[error("{}: cannot write it: its directory does not exist", .0.display())]
    NoDirectory(PathBuf),
    /// A file system operation failed: the path the user gave, and the OS's reason (once).
    #[error("{}: {error}", path.display())]
    Io {
        /// The path involved (the user's, never a temporary file's).
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
}

/// The directory `path` goes in (`.` for a bare file name).
pub fn dir_of(path: &std::path::Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
