//! The signature algorithms the validator hands to webpki: webpki's own (aws-lc-rs),
//! preceded by the legacy ones it refuses — SHA-1, and RSA keys from 1024 bits — so that
//! a path through a weak signature is still followed to its end and judged on everything
//! else. The weakness itself is reported as `cert.weak-signature` / `cert.weak-key`
//! (errors that make the path invalid), never as a bad signature.

use aws_lc_rs::{digest, signature};
use rustls_pki_types::{
    alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm,
};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

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

/// Signatures already verified, by SHA-256 over the algorithm, key, signature and
/// message: the same sub-CA signature under the same root is verified once, however many
/// leaves stand below it, and a signature the path search verified is not verified again.
pub(crate) type Verified = Arc<Mutex<HashSet<[u8; 32]>>>;

/// The memory's key for one signature.
fn signature_key(pk_alg: &[u8], sig_alg: &[u8], pk: &[u8], sig: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in [pk_alg, sig_alg, pk, sig, msg] {
        // Length-prefixed, so that no two inputs hash alike.
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(ctx.finish().as_ref());
    key
}

/// The first DER TLV of `bytes`: (its contents, the bytes after it).
pub(crate) fn tlv(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *bytes.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in bytes.get(2..2 + n)? {
            len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    Some((bytes.get(hdr..end)?, bytes.get(end..)?))
}

/// Remembers that `issuer`'s key verified `child`'s signature (the path search checked
/// it), under the key webpki's verification of the same signature will look for.
pub(crate) fn remember_issued(
    verified: &Verified,
    child: &bars_model::Certificate,
    issuer: &bars_model::Certificate,
) {
    let parts = (|| {
        let (spki, _) = tlv(issuer.spki_der())?;
        let (pk_alg, rest) = tlv(spki)?;
        let (bits, _) = tlv(rest)?;
        let (&unused, pk) = bits.split_first()?;
        let (sig_alg, _) = tlv(child.signature_algorithm_der())?;
        (unused == 0).then_some((pk_alg, sig_alg, pk))
    })();
    if let Some((pk_alg, sig_alg, pk)) = parts {
        let key = signature_key(
            pk_alg,
            sig_alg,
            pk,
            child.signature_value(),
            child.tbs_der(),
        );
        if let Ok(mut v) = verified.lock() {
            v.insert(key);
        }
    }
}

/// An algorithm of [`all`] that remembers the signatures it verified.
#[derive(Debug)]
pub(crate) struct Remembering {
    inner: &'static dyn SignatureVerificationAlgorithm,
    verified: Verified,
}

/// [`all`], each remembering what it verified in `verified`.
pub(crate) fn remembering(verified: &Verified) -> Vec<Remembering> {
    all()
        .into_iter()
        .map(|inner| Remembering {
            inner,
            verified: Arc::clone(verified),
        })
        .collect()
}

impl SignatureVerificationAlgorithm for Remembering {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key = signature_key(
            self.inner.public_key_alg_id().as_ref(),
            self.inner.signature_alg_id().as_ref(),
            public_key,
            sig,
            message,
        );
        if self.verified.lock().is_ok_and(|v| v.contains(&key)) {
            return Ok(());
        }
        self.inner.verify_signature(public_key, message, sig)?;
        if let Ok(mut v) = self.verified.lock() {
            v.insert(key);
        }
        Ok(())
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }
}
