//! Private keys for minted certificates: generated with rcgen (aws-lc-rs) or loaded from
//! PEM.

use super::{MintError, Result};
use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256};

/// The kinds of key rcgen can make here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// RSA-2048, signing with sha256WithRSAEncryption (what NHS endpoints use).
    Rsa2048,
    /// ECDSA P-256, signing with ecdsa-with-SHA256.
    P256,
}

/// A fresh random key of that kind (RSA-2048 takes ~150 ms).
pub fn generate(kind: KeyKind) -> Result<KeyPair> {
    let alg = match kind {
        KeyKind::Rsa2048 => &PKCS_RSA_SHA256,
        KeyKind::P256 => &PKCS_ECDSA_P256_SHA256,
    };
    Ok(KeyPair::generate_for(alg)?)
}

/// A key from PEM (PKCS#8 `PRIVATE KEY`; RSA keys sign with SHA-256); `what` names it in
/// the error.
pub fn from_pem(pem: &str, what: &str) -> Result<KeyPair> {
    KeyPair::from_pem(pem).map_err(|source| MintError::Key {
        what: what.to_string(),
        source,
    })
}
