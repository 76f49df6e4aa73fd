//! Recognising and reading any supported input by content.

use crate::{Certificate, Csr, PasswordProvider, Pfx, PrivateKey, ReadError};
use std::path::Path;

/// One thing found in an input.
#[derive(Debug)]
pub enum Item {
    /// An X.509 certificate (from PEM, DER, PKCS#7).
    Certificate(Certificate),
    /// A PKCS#10 certificate signing request.
    Csr(Csr),
    /// A private key (possibly still encrypted when no password was available).
    Key(PrivateKey),
    /// A PKCS#12 archive with what it holds.
    Pfx(Pfx),
}

/// What one input gave: the items that could be read and the problems met. A file can
/// give both (a good certificate followed by a truncated PEM block).
#[derive(Debug, Default)]
pub struct Parsed {
    /// Items in file order.
    pub items: Vec<Item>,
    /// Problems, each naming the input.
    pub errors: Vec<ReadError>,
}

/// Resource bounds for reading.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest input accepted, in bytes (refused before it is read whole).
    pub max_file_bytes: u64,
    /// Most items taken from one input.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_items: 10_000,
        }
    }
}

/// Reads `path` (a regular file, or `-` for standard input) and parses everything in it.
pub fn read_path(path: &Path, passwords: &dyn PasswordProvider, limits: &Limits) -> Parsed {
    todo!()
}

/// Parses `bytes`, naming them `name` in errors.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    passwords: &dyn PasswordProvider,
    limits: &Limits,
) -> Parsed {
    todo!()
}
