//! The signature algorithms the validator hands to webpki: webpki's own (aws-lc-rs),
//! preceded by the legacy ones it refuses — SHA-1, and RSA keys from 1024 bits — so that
//! a path through a weak signature is still followed to its end and judged on everything
//! else. The weakness itself is reported as `cert.weak-signature` / `cert.weak-key`
//! (errors that make the path invalid), never as a bad signature.

use aws_lc_rs::signature;
use rustls_pki_types::{
    alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm,
};

/// `sha1WithRSAEncryption` with NULL parameters (OID 1.2.840.113549.1.1.5).
const RSA_PKCS1_SHA1: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
]);
/// `ecdsa-with-SHA1` (OID 1.2.840.10045.4.1), no parameters.
const ECDSA_SHA1: AlgorithmIdentifier =
    AlgorithmIdentifier::from_slice(&[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01]);

/// One legacy algorithm over aws-lc-rs.
#[derive(Debug)]
struct Legacy {
    public_key_alg_id: AlgorithmIdentifier,
    signature_alg_id: AlgorithmIdentifier,
    verification_alg: &'static dyn signature::VerificationAlgorithm,
}

impl SignatureVerificationAlgorithm for Legacy {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), InvalidSignature> {
        signature::UnparsedPublicKey::new(self.verification_alg, public_key)
            .verify(message, sig)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg_id
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

static RSA_SHA1: Legacy = Legacy {
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: RSA_PKCS1_SHA1,
    verification_alg: &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
};
static RSA_1024_SHA256: Legacy = Legacy {
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PKCS1_SHA256,
    verification_alg: &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
};
static RSA_1024_SHA512: Legacy = Legacy {
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PKCS1_SHA512,
    verification_alg: &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
};
static P256_SHA1: Legacy = Legacy {
    public_key_alg_id: alg_id::ECDSA_P256,
    signature_alg_id: ECDSA_SHA1,
    verification_alg: &signature::ECDSA_P256_SHA1_ASN1,
};
static P521_SHA1: Legacy = Legacy {
    public_key_alg_id: alg_id::ECDSA_P521,
    signature_alg_id: ECDSA_SHA1,
    verification_alg: &signature::ECDSA_P521_SHA1_ASN1,
};

/// The legacy algorithms first (webpki uses the first whose identifiers match), then
/// every algorithm webpki verifies with aws-lc-rs.
pub(crate) fn all() -> Vec<&'static dyn SignatureVerificationAlgorithm> {
    let legacy: [&'static dyn SignatureVerificationAlgorithm; 5] = [
        &RSA_SHA1,
        &RSA_1024_SHA256,
        &RSA_1024_SHA512,
        &P256_SHA1,
        &P521_SHA1,
    ];
    legacy
        .into_iter()
        .chain(webpki::ALL_VERIFICATION_ALGS.iter().copied())
        .collect()
}
