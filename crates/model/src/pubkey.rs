//! Public keys: algorithm and strength from a SubjectPublicKeyInfo.

use crate::asn1;
use crate::PublicKeySummary;
use x509_parser::der_parser::asn1_rs::{Any, FromDer};
use x509_parser::x509::SubjectPublicKeyInfo;

/// Algorithm, size and curve of `spki`.
pub(crate) fn summary(spki: &SubjectPublicKeyInfo<'_>) -> PublicKeySummary {
    let oid = asn1::dotted(&spki.algorithm.algorithm);
    let key: &[u8] = &spki.subject_public_key.data;
    let params = spki.algorithm.parameters.as_ref();
    describe(&oid, key, params)
}

/// Algorithm, size and curve from the algorithm OID, the public key bits and the
/// algorithm parameters.
pub(crate) fn describe(oid: &str, key: &[u8], params: Option<&Any<'_>>) -> PublicKeySummary {
    let plain = |name: &str| PublicKeySummary {
        algorithm: name.to_string(),
        bits: None,
        curve: None,
    };
    match oid {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => PublicKeySummary {
            algorithm: if oid.ends_with(".10") {
                "RSA-PSS".into()
            } else {
                "RSA".into()
            },
            bits: rsa_bits(key),
            curve: None,
        },
        "1.2.840.10045.2.1" => {
            let curve_oid = params
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let curve = match &curve_oid {
                Some(o) => asn1::curve_name(o).map(str::to_string).unwrap_or(o.clone()),
                None => "explicit parameters".to_string(),
            };
            let bits = asn1::curve_bits(&curve).or_else(|| point_bits(key));
            PublicKeySummary {
                algorithm: "EC".into(),
                bits,
                curve: Some(curve),
            }
        }
        "1.3.101.112" => PublicKeySummary {
            bits: Some(256),
            ..plain("Ed25519")
        },
        "1.3.101.113" => PublicKeySummary {
            bits: Some(456),
            ..plain("Ed448")
        },
        "1.3.101.110" => plain("X25519"),
        "1.3.101.111" => plain("X448"),
        "1.2.840.10040.4.1" => PublicKeySummary {
            bits: params.and_then(dsa_bits),
            ..plain("DSA")
        },
        "1.2.643.2.2.19" => plain("GOST R 34.10-2001"),
        "1.2.643.7.1.1.1.1" => PublicKeySummary {
            bits: Some(256),
            ..plain("GOST R 34.10-2012")
        },
        "1.2.643.7.1.1.1.2" => PublicKeySummary {
            bits: Some(512),
            ..plain("GOST R 34.10-2012")
        },
        "2.16.840.1.101.3.4.3.17" => plain("ML-DSA-44"),
        "2.16.840.1.101.3.4.3.18" => plain("ML-DSA-65"),
        "2.16.840.1.101.3.4.3.19" => plain("ML-DSA-87"),
        other => plain(other),
    }
}

/// Modulus bits of a DER RSAPublicKey.
fn rsa_bits(rsa_public_key: &[u8]) -> Option<u32> {
    let (_, seq) = Any::from_der(rsa_public_key).ok()?;
    let (_, n) = Any::from_der(seq.data).ok()?;
    Some(asn1::uint_bits(n.data))
}

/// Field bits of an uncompressed or compressed EC point.
fn point_bits(point: &[u8]) -> Option<u32> {
    let coord = match point.first()? {
        0x04 => point.len().checked_sub(1)? / 2,
        0x02 | 0x03 => point.len().checked_sub(1)?,
        _ => return None,
    };
    u32::try_from(coord).ok()?.checked_mul(8)
}

/// Bits of p in DSA parameters `SEQUENCE { p, q, g }`.
fn dsa_bits(params: &Any<'_>) -> Option<u32> {
    let (_, p) = Any::from_der(params.data).ok()?;
    Some(asn1::uint_bits(p.data))
}
