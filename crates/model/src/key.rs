//! Private keys. The secret never appears in `Debug`, `Display` or serialised output.

use crate::PublicKeySummary;
use serde::Serialize;
use std::fmt;

/// A private key as read from a file.
#[derive(Clone)]
pub struct PrivateKey {
    /// What can be shown.
    pub summary: KeySummary,
    /// Decrypted PKCS#8 DER, when available. Private: reach it through [`PrivateKey::pkcs8_der`].
    pkcs8: Option<Vec<u8>>,
}

impl PrivateKey {
    /// The decrypted key as PKCS#8 DER (for TLS client auth and PFX building), or `None`
    /// when it is still encrypted.
    pub fn pkcs8_der(&self) -> Option<&[u8]> {
        self.pkcs8.as_deref()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("summary", &self.summary)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The shareable facts about a private key.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct KeySummary {
    /// Container format: `PKCS#1`, `PKCS#8`, `SEC1`, `encrypted PKCS#8`,
    /// `traditional encrypted PEM`.
    pub format: String,
    /// Stored encrypted.
    pub encrypted: bool,
    /// Encryption scheme when encrypted (`PBES2 (PBKDF2-SHA256, AES-256-CBC)`, `DES-EDE3-CBC`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
    /// Algorithm and size, when the key could be decrypted and decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<PublicKeySummary>,
    /// SHA-256 of the matching SubjectPublicKeyInfo DER (compare with a certificate's
    /// `public_key_sha256`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_sha256: Option<String>,
}
