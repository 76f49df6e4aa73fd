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
///
/// Legacy algorithms are verified too (SHA-1, RSA keys from 1024 bits), so that a weak
/// signature is reported as weak, not as bad. MD2/MD5, DSA, GOST and post-quantum
/// signatures are [`SignatureError::Unsupported`].
pub fn verify_signature(
    spki_der: &[u8],
    algorithm_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    use aws_lc_rs::signature as s;
    use x509_parser::prelude::FromDer;
    use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| SignatureError::Malformed(format!("public key: {e}")))?;
    let (_, alg) = AlgorithmIdentifier::from_der(algorithm_der)
        .map_err(|e| SignatureError::Malformed(format!("signature algorithm: {e}")))?;
    let sig_oid = alg.algorithm.to_id_string();
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let sig_name = crate::asn1::signature_algorithm_name(&sig_oid);
    let unsupported = || SignatureError::Unsupported(sig_name.clone());
    let key_bytes: &[u8] = &spki.subject_public_key.data;

    const RSA_KEYS: [&str; 2] = ["1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10"];
    let algorithm: &'static dyn s::VerificationAlgorithm = if RSA_KEYS.contains(&key_oid.as_str()) {
        let bits = rsa_modulus_bits(key_bytes)
            .ok_or_else(|| SignatureError::Malformed("RSA public key".into()))?;
        let pss = sig_oid == "1.2.840.113549.1.1.10";
        if pss {
            rsa_pss_algorithm(&alg)?.ok_or_else(unsupported)?
        } else {
            match (sig_oid.as_str(), bits >= 2048) {
                ("1.2.840.113549.1.1.5" | "1.3.14.3.2.29", _) => {
                    &s::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
                }
                ("1.2.840.113549.1.1.11", _) => &s::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                ("1.2.840.113549.1.1.12", true) => &s::RSA_PKCS1_2048_8192_SHA384,
                ("1.2.840.113549.1.1.13", _) => &s::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                _ => return Err(unsupported()),
            }
        }
    } else if key_oid == "1.2.840.10045.2.1" {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|o| o.to_id_string())
            .and_then(|o| crate::asn1::curve_name(&o));
        match (curve, sig_oid.as_str()) {
            (Some("P-256"), "1.2.840.10045.4.1") => &s::ECDSA_P256_SHA1_ASN1,
            (Some("P-256"), "1.2.840.10045.4.3.2") => &s::ECDSA_P256_SHA256_ASN1,
            (Some("P-256"), "1.2.840.10045.4.3.3") => &s::ECDSA_P256_SHA384_ASN1,
            (Some("P-256"), "1.2.840.10045.4.3.4") => &s::ECDSA_P256_SHA512_ASN1,
            (Some("P-384"), "1.2.840.10045.4.3.2") => &s::ECDSA_P384_SHA256_ASN1,
            (Some("P-384"), "1.2.840.10045.4.3.3") => &s::ECDSA_P384_SHA384_ASN1,
            (Some("P-384"), "1.2.840.10045.4.3.4") => &s::ECDSA_P384_SHA512_ASN1,
            (Some("P-521"), "1.2.840.10045.4.1") => &s::ECDSA_P521_SHA1_ASN1,
            (Some("P-521"), "1.2.840.10045.4.3.1") => &s::ECDSA_P521_SHA224_ASN1,
            (Some("P-521"), "1.2.840.10045.4.3.2") => &s::ECDSA_P521_SHA256_ASN1,
            (Some("P-521"), "1.2.840.10045.4.3.3") => &s::ECDSA_P521_SHA384_ASN1,
            (Some("P-521"), "1.2.840.10045.4.3.4") => &s::ECDSA_P521_SHA512_ASN1,
            (Some("secp256k1"), "1.2.840.10045.4.3.2") => &s::ECDSA_P256K1_SHA256_ASN1,
            _ => return Err(unsupported()),
        }
    } else if key_oid == "1.3.101.112" && sig_oid == "1.3.101.112" {
        &s::ED25519
    } else {
        return Err(unsupported());
    };
    s::UnparsedPublicKey::new(algorithm, key_bytes)
        .verify(message, signature)
        .map_err(|_| SignatureError::Invalid)
}

/// Bits of the modulus of a DER RSAPublicKey.
fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Option<u32> {
    use x509_parser::der_parser::asn1_rs::{Any, FromDer};
    let (_, seq) = Any::from_der(rsa_public_key).ok()?;
    let (_, n) = Any::from_der(seq.data).ok()?;
    Some(crate::asn1::uint_bits(n.data))
}

/// The aws-lc-rs PSS verifier for these parameters: hash and MGF-1 hash the same SHA-2,
/// salt as long as the hash (what every CA issues); `None` for anything else.
fn rsa_pss_algorithm(
    alg: &x509_parser::x509::AlgorithmIdentifier<'_>,
) -> Result<Option<&'static dyn aws_lc_rs::signature::VerificationAlgorithm>, SignatureError> {
    use aws_lc_rs::signature as s;
    use x509_parser::signature_algorithm::RsaSsaPssParams;
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| SignatureError::Malformed("RSASSA-PSS without parameters".into()))?;
    let params = RsaSsaPssParams::try_from(params)
        .map_err(|e| SignatureError::Malformed(format!("RSASSA-PSS parameters: {e}")))?;
    let hash = params.hash_algorithm_oid().to_id_string();
    let mgf_hash = params
        .mask_gen_algorithm()
        .map(|m| m.mgf.to_id_string() + "/" + &m.hash.to_id_string())
        .map_err(|e| SignatureError::Malformed(format!("RSASSA-PSS mask generation: {e}")))?;
    let salt = params.salt_length();
    let mgf1 = "1.2.840.113549.1.1.8/";
    Ok(match hash.as_str() {
        "2.16.840.1.101.3.4.2.1" if salt == 32 && mgf_hash == format!("{mgf1}{hash}") => {
            Some(&s::RSA_PSS_2048_8192_SHA256)
        }
        "2.16.840.1.101.3.4.2.2" if salt == 48 && mgf_hash == format!("{mgf1}{hash}") => {
            Some(&s::RSA_PSS_2048_8192_SHA384)
        }
        "2.16.840.1.101.3.4.2.3" if salt == 64 && mgf_hash == format!("{mgf1}{hash}") => {
            Some(&s::RSA_PSS_2048_8192_SHA512)
        }
        _ => None,
    })
}
