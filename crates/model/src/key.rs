//! Private keys. The secret never appears in `Debug`, `Display` or serialised output.
//!
//! Read from PKCS#8, encrypted PKCS#8 (PBES2/PBES1), PKCS#1 (`RSA PRIVATE KEY`), SEC1
//! (`EC PRIVATE KEY`) and traditional OpenSSL encrypted PEM (`Proc-Type: 4,ENCRYPTED`).
//! Each decoded key is also held as PKCS#8 DER for TLS client authentication and PFX
//! building, and its public key as a SubjectPublicKeyInfo so that it can be matched with a
//! certificate or a CSR by `public_key_sha256`.

use crate::{PublicKeySummary, ReadErrorKind};
use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode, Sequence};
use serde::Serialize;
use spki::AlgorithmIdentifierRef;
use std::fmt;

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Most PBKDF2 iterations accepted from a file (a hostile file must not hang the tool).
const MAX_KDF_ITERATIONS: u32 = 10_000_000;

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

    /// Reads an unencrypted PKCS#8 PrivateKeyInfo.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, ReadErrorKind> {
        decode_pkcs8(der, "PKCS#8", false, None)
    }

    /// Reads a PKCS#1 RSAPrivateKey.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<PrivateKey, ReadErrorKind> {
        let pkcs8 = wrap_pkcs8(OID_RSA, Some(AnyRef::NULL), der)?;
        decode_pkcs8(&pkcs8, "PKCS#1", false, None)
    }

    /// Reads a SEC1 ECPrivateKey (the curve must be named inside it).
    pub fn from_sec1_der(der: &[u8]) -> Result<PrivateKey, ReadErrorKind> {
        let ec = EcPrivateKey::from_der(der).map_err(|e| bad("SEC1 EC private key", e))?;
        let curve = ec
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .ok_or_else(|| {
                ReadErrorKind::Unsupported("an EC private key without a named curve".into())
            })?;
        let curve_any = AnyRef::from(&curve);
        let pkcs8 = wrap_pkcs8(OID_EC, Some(curve_any), der)?;
        decode_pkcs8(&pkcs8, "SEC1", false, None)
    }

    /// Reads an EncryptedPrivateKeyInfo with `password`; `None` gives the still-encrypted
    /// key (its format and scheme, nothing else).
    pub fn from_encrypted_pkcs8_der(
        der: &[u8],
        password: Option<&str>,
    ) -> Result<PrivateKey, ReadErrorKind> {
        let epki = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der)
            .map_err(|e| bad("encrypted private key", e))?;
        let scheme = describe_scheme(&epki.encryption_algorithm);
        let Some(password) = password else {
            return Ok(PrivateKey::still_encrypted(
                "encrypted PKCS#8",
                Some(scheme),
            ));
        };
        check_kdf(&epki.encryption_algorithm)?;
        let doc = epki
            .decrypt(password)
            .map_err(|_| ReadErrorKind::BadPassword {
                what: "encrypted private key".into(),
            })?;
        decode_pkcs8(doc.as_bytes(), "encrypted PKCS#8", true, Some(scheme))
    }

    /// A key whose contents could not be decrypted (no password): only its container
    /// is known.
    pub(crate) fn still_encrypted(format: &str, encryption: Option<String>) -> PrivateKey {
        PrivateKey {
            summary: KeySummary {
                format: format.to_string(),
                encrypted: true,
                encryption,
                key: None,
                public_key_sha256: None,
            },
            pkcs8: None,
        }
    }

    /// Marks a key decoded from a traditional encrypted PEM as such.
    pub(crate) fn with_container(mut self, format: &str, encryption: String) -> PrivateKey {
        self.summary.format = format.to_string();
        self.summary.encrypted = true;
        self.summary.encryption = Some(encryption);
        self
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

/// PKCS#1 RSAPrivateKey (RFC 8017 A.1.2); only the public half is used.
#[derive(Sequence)]
struct RsaPrivateKey<'a> {
    version: UintRef<'a>,
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
    private_exponent: UintRef<'a>,
    prime1: UintRef<'a>,
    prime2: UintRef<'a>,
    exponent1: UintRef<'a>,
    exponent2: UintRef<'a>,
    coefficient: UintRef<'a>,
    #[asn1(optional = "true")]
    other_prime_infos: Option<AnyRef<'a>>,
}

/// PKCS#1 RSAPublicKey.
#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

/// SEC1 ECPrivateKey (RFC 5915).
#[derive(Sequence)]
struct EcPrivateKey<'a> {
    version: UintRef<'a>,
    private_key: &'a OctetStringRef,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    parameters: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    public_key: Option<BitStringRef<'a>>,
}

fn bad(what: &str, e: der::Error) -> ReadErrorKind {
    ReadErrorKind::BadDer {
        what: what.into(),
        reason: e.to_string(),
    }
}

fn wrap_pkcs8(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    inner: &[u8],
) -> Result<Vec<u8>, ReadErrorKind> {
    let algorithm = AlgorithmIdentifierRef { oid, parameters };
    let key = OctetStringRef::new(inner).map_err(|e| bad("private key", e))?;
    pkcs8::PrivateKeyInfoRef::new(algorithm, key)
        .to_der()
        .map_err(|e| bad("private key", e))
}

fn spki_der(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    key: &[u8],
) -> Result<Vec<u8>, ReadErrorKind> {
    spki::SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(key).map_err(|e| bad("public key", e))?,
    }
    .to_der()
    .map_err(|e| bad("public key", e))
}

/// Decodes a plain PKCS#8 PrivateKeyInfo into a key with its public half.
fn decode_pkcs8(
    der: &[u8],
    format: &str,
    encrypted: bool,
    encryption: Option<String>,
) -> Result<PrivateKey, ReadErrorKind> {
    let pki = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| bad("private key", e))?;
    let oid = pki.algorithm.oid;
    let inner = pki.private_key.as_bytes();
    let (spki, summary) = if oid == OID_RSA {
        let k = RsaPrivateKey::from_der(inner).map_err(|e| bad("RSA private key", e))?;
        let public = RsaPublicKey {
            modulus: k.modulus,
            public_exponent: k.public_exponent,
        }
        .to_der()
        .map_err(|e| bad("RSA private key", e))?;
        let summary = PublicKeySummary {
            algorithm: "RSA".into(),
            bits: Some(crate::asn1::uint_bits(k.modulus.as_bytes())),
            curve: None,
        };
        (
            Some(spki_der(OID_RSA, Some(AnyRef::NULL), &public)?),
            summary,
        )
    } else if oid == OID_EC {
        let ec = EcPrivateKey::from_der(inner).map_err(|e| bad("EC private key", e))?;
        let curve = pki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .or_else(|| {
                ec.parameters
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            });
        let curve_name = curve.map(|c| {
            crate::asn1::curve_name(&c.to_string())
                .map(str::to_string)
                .unwrap_or_else(|| c.to_string())
        });
        let point: Option<Vec<u8>> = match ec.public_key.and_then(|b| b.as_bytes()) {
            Some(p) => Some(p.to_vec()),
            None => ec_public_point(curve_name.as_deref(), der),
        };
        let summary = PublicKeySummary {
            algorithm: "EC".into(),
            bits: curve_name.as_deref().and_then(crate::asn1::curve_bits),
            curve: Some(curve_name.unwrap_or_else(|| "explicit parameters".into())),
        };
        let spki = match (curve, point) {
            (Some(c), Some(p)) => Some(spki_der(OID_EC, Some(AnyRef::from(&c)), &p)?),
            _ => None,
        };
        (spki, summary)
    } else if oid == OID_ED25519 {
        let public = match pki.public_key.and_then(|b| b.as_bytes()) {
            Some(p) => Some(p.to_vec()),
            None => {
                use aws_lc_rs::signature::KeyPair;
                aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .ok()
                    .map(|k| k.public_key().as_ref().to_vec())
            }
        };
        let summary = PublicKeySummary {
            algorithm: "Ed25519".into(),
            bits: Some(256),
            curve: None,
        };
        let spki = match public {
            Some(p) => Some(spki_der(OID_ED25519, None, &p)?),
            None => None,
        };
        (spki, summary)
    } else {
        let params = None;
        let summary = crate::pubkey::describe(&oid.to_string(), &[], params);
        (None, summary)
    };
    Ok(PrivateKey {
        summary: KeySummary {
            format: format.to_string(),
            encrypted,
            encryption,
            key: Some(summary),
            public_key_sha256: spki.as_deref().map(crate::sha256_hex),
        },
        pkcs8: Some(der.to_vec()),
    })
}

/// The uncompressed public point of an EC key that does not carry it, computed by
/// aws-lc-rs from the private scalar.
fn ec_public_point(curve: Option<&str>, pkcs8: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::signature::{self as s, KeyPair};
    let alg: &'static s::EcdsaSigningAlgorithm = match curve? {
        "P-256" => &s::ECDSA_P256_SHA256_ASN1_SIGNING,
        "P-384" => &s::ECDSA_P384_SHA384_ASN1_SIGNING,
        "P-521" => &s::ECDSA_P521_SHA512_ASN1_SIGNING,
        "secp256k1" => &s::ECDSA_P256K1_SHA256_ASN1_SIGNING,
        _ => return None,
    };
    let kp = s::EcdsaKeyPair::from_pkcs8(alg, pkcs8).ok()?;
    Some(kp.public_key().as_ref().to_vec())
}

/// `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)` and the like.
fn describe_scheme(es: &pkcs8::pkcs5::EncryptionScheme) -> String {
    use pkcs8::pkcs5::pbes2::{EncryptionScheme as Cipher, Kdf, Pbkdf2Prf};
    match es {
        pkcs8::pkcs5::EncryptionScheme::Pbes2(p) => {
            let kdf = match &p.kdf {
                Kdf::Pbkdf2(k) => {
                    let prf = match k.prf {
                        Pbkdf2Prf::HmacWithSha1 => "SHA1",
                        Pbkdf2Prf::HmacWithSha224 => "SHA224",
                        Pbkdf2Prf::HmacWithSha256 => "SHA256",
                        Pbkdf2Prf::HmacWithSha384 => "SHA384",
                        Pbkdf2Prf::HmacWithSha512 => "SHA512",
                        _ => "?",
                    };
                    format!("PBKDF2-HMAC-{prf}, {} iterations", k.iteration_count)
                }
                Kdf::Scrypt(_) => "scrypt".to_string(),
                _ => "unknown KDF".to_string(),
            };
            let cipher = match p.encryption {
                Cipher::Aes128Cbc { .. } => "AES-128-CBC",
                Cipher::Aes192Cbc { .. } => "AES-192-CBC",
                Cipher::Aes256Cbc { .. } => "AES-256-CBC",
                Cipher::Aes128Gcm { .. } => "AES-128-GCM",
                Cipher::Aes256Gcm { .. } => "AES-256-GCM",
                Cipher::DesEde3Cbc { .. } => "DES-EDE3-CBC",
                Cipher::DesCbc { .. } => "DES-CBC",
                _ => "unknown cipher",
            };
            format!("PBES2 ({kdf}, {cipher})")
        }
        pkcs8::pkcs5::EncryptionScheme::Pbes1(a) => format!("PBES1 ({:?})", a.encryption),
        _ => "unknown scheme".to_string(),
    }
}

/// Refuses key-derivation parameters that would take minutes or gigabytes.
fn check_kdf(es: &pkcs8::pkcs5::EncryptionScheme) -> Result<(), ReadErrorKind> {
    use pkcs8::pkcs5::pbes2::Kdf;
    if let pkcs8::pkcs5::EncryptionScheme::Pbes2(p) = es {
        match &p.kdf {
            Kdf::Pbkdf2(k) if k.iteration_count > MAX_KDF_ITERATIONS => {
                return Err(ReadErrorKind::Unsupported(format!(
                    "PBKDF2 with {} iterations (more than {MAX_KDF_ITERATIONS})",
                    k.iteration_count
                )));
            }
            Kdf::Scrypt(s) => {
                let mem = 128u64
                    .saturating_mul(s.cost_parameter)
                    .saturating_mul(u64::from(s.block_size));
                if mem > 1 << 30 || s.parallelization > 16 {
                    return Err(ReadErrorKind::Unsupported(
                        "scrypt parameters needing more than 1 GiB".into(),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let k = PrivateKey {
            summary: KeySummary {
                format: "PKCS#8".into(),
                encrypted: false,
                encryption: None,
                key: None,
                public_key_sha256: None,
            },
            pkcs8: Some(vec![0xde, 0xad, 0xbe, 0xef]),
        };
        let d = format!("{k:?}");
        assert!(d.contains("<redacted>") && !d.contains("222") && !d.contains("dead"));
    }

    #[test]
    fn garbage_keys_are_errors() {
        assert!(PrivateKey::from_pkcs8_der(&[0x30, 0x00]).is_err());
        assert!(PrivateKey::from_pkcs1_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
        assert!(PrivateKey::from_sec1_der(&[]).is_err());
        assert!(PrivateKey::from_encrypted_pkcs8_der(&[0x30], Some("x")).is_err());
    }
}
