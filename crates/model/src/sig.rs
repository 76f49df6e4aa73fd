//! Signature verification over raw DER pieces, with aws-lc-rs, including legacy
//! algorithms (SHA-1, RSA-1024) so that weak signatures are reported as weak, not bad.

use std::fmt;

/// Why a signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature is well-formed but wrong for this key and message.
    Invalid,
    /// The algorithm (or key/algorithm pairing) is not one the tool can verify (e.g. MD5, DSA).
    Unsupported(String),
    /// The public key or algorithm parameters cannot be decoded.
    Malformed(String),
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Invalid => write!(f, "signature does not verify"),
            SignatureError::Unsupported(a) => write!(f, "cannot verify {a} signatures"),
            SignatureError::Malformed(w) => write!(f, "malformed key or signature: {w}"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// Verifies `signature` over `message` with the public key in `spki_der` (a DER
/// SubjectPublicKeyInfo) under the algorithm in `algorithm_der` (a DER AlgorithmIdentifier).
pub fn verify_signature(
    spki_der: &[u8],
    algorithm_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let _ = (spki_der, algorithm_der, message, signature);
    Err(SignatureError::Unsupported("not yet implemented".into()))
}
