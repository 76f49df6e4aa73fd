//! Reading certificates, chains, CSRs, private keys, PKCS#7 and PKCS#12 files into typed,
//! serialisable values.
//!
//! Input is recognised by content, never by file name: PEM (any labels, text between
//! blocks, CRLF, a UTF-8 BOM), DER certificates, PKCS#7 bundles (PEM or DER), PKCS#12,
//! Java keystores (JKS, JCEKS), PKCS#10 CSRs, and private keys (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8, traditional
//! `Proc-Type: 4,ENCRYPTED` PEM keys).
//!
//! No network, no policy: what is *wrong* with a certificate is the `bars-checks` crate's
//! business. Private-key material never appears in a `Debug`, `Display` or serialised form.

#![warn(missing_docs)]

mod asn1;
mod cert;
mod csr;
mod error;
mod host;
mod key;
mod keystore;
mod name;
mod password;
mod pfx;
mod pubkey;
mod read;
mod sig;
mod traditional;

pub use cert::{
    rfc3339, BasicConstraints, CertSummary, Certificate, ExtensionSummary, PublicKeySummary,
};
pub use csr::{Csr, CsrSummary};
pub use error::{ReadError, ReadErrorKind};
pub use host::{check_host_name, HostNameProblem};
pub use key::{KeySummary, PrivateKey};
pub use keystore::{open_keystore, verify_store_password, KeystoreKind, LockedKey, OpenedKeystore};
pub use name::{dn_to_rfc4514, name_common_names, parse_name};
pub use password::{NoPassword, PasswordProvider, PasswordSource};
pub use pfx::{KeystoreEntry, KeystoreEntryKind, Pfx, PfxSummary};
pub use read::{
    certificates_in, pem_first, private_key_in, read_bytes, read_each, read_limited, read_path,
    FileError, Item, Limits, Parsed,
};
pub use sig::{verify_signature, SignatureError};

/// True when `bytes` look like a web page rather than a certificate, CRL or OCSP
/// response (a login or error page a download got instead): the first byte after any
/// white space is `<`, or `<html` or `<!doctype` appear near the start.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = bytes.get(..512).unwrap_or(bytes);
    if head.trim_ascii_start().first() == Some(&b'<') {
        return true;
    }
    let lower = head.to_ascii_lowercase();
    lower.windows(5).any(|w| w == b"<html") || lower.windows(9).any(|w| w == b"<!doctype")
}

/// A PEM block with 64-column base64 and LF line ends (`-----BEGIN {label}-----`).
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    lower_hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

/// Lowercase hex SHA-1 of `bytes` (fingerprints only; never used for security).
pub fn sha1_hex(bytes: &[u8]) -> String {
    lower_hex(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes).as_ref(),
    )
}

/// Lowercase hex of `bytes`, no separators (fingerprints, serials, key ids: every
/// certificate of a bundle needs several, so this is one allocation and a table).
pub fn lower_hex(bytes: &[u8]) -> String {
    let digit = |n: u8| char::from(if n < 10 { b'0' + n } else { b'a' + (n - 10) });
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 0x0f));
    }
    out
}
