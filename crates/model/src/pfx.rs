//! PKCS#12 archives (.pfx/.p12), read through p12-keystore's `Pkcs12Archive`.

use crate::{Certificate, PrivateKey};
use serde::Serialize;

/// What a PKCS#12 archive holds, once opened.
#[derive(Clone, Debug)]
pub struct Pfx {
    /// What can be shown.
    pub summary: PfxSummary,
    /// Certificates in archive order.
    pub certificates: Vec<Certificate>,
    /// Keys (decrypted).
    pub keys: Vec<PrivateKey>,
}

/// Shareable facts about a PKCS#12 archive.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PfxSummary {
    /// Encryption of the key/certificate bags, e.g. `AES-256-CBC, PBKDF2-SHA256` or
    /// `legacy: pbeWithSHA1And40BitRC2-CBC, pbeWithSHA1And3-KeyTripleDES-CBC`.
    pub encryption: String,
    /// True when any legacy (RC2/3DES/SHA-1 PBE) algorithm is used.
    pub legacy: bool,
    /// MAC algorithm (`SHA-256`, `SHA-1`) when the archive has a MAC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Number of certificates.
    pub certificate_count: usize,
    /// Number of private keys.
    pub key_count: usize,
    /// Whether the (first) key matches the (first non-CA / leaf) certificate, when both exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_matches_certificate: Option<bool>,
}
