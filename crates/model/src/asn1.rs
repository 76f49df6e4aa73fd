//! Small helpers over x509-parser's DER reader: where a nested value sits inside its
//! parent (byte ranges), the three parts of a signed structure, OID names.

use std::ops::Range;
use x509_parser::der_parser::asn1_rs::{Any, FromDer, Oid};

/// The byte range `inner` occupies inside `outer`, when it is a sub-slice of it.
pub(crate) fn range_in(outer: &[u8], inner: &[u8]) -> Option<Range<usize>> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let end = start.checked_add(inner.len())?;
    (end <= outer.len()).then_some(start..end)
}

/// Length of the DER TLV at the start of `bytes` (header and contents).
pub(crate) fn tlv_len(bytes: &[u8]) -> Option<usize> {
    let (rest, _) = Any::from_der(bytes).ok()?;
    bytes.len().checked_sub(rest.len())
}

/// The parts of `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }`
/// (certificates, CSRs, CRLs): the TBS TLV, the AlgorithmIdentifier TLV and the signature
/// bits (contents without the unused-bits octet), as ranges into `der`.
#[derive(Clone, Debug, Default)]
pub(crate) struct SignedParts {
    pub tbs: Range<usize>,
    pub algorithm: Range<usize>,
    pub signature: Range<usize>,
}

pub(crate) fn signed_parts(der: &[u8]) -> Option<SignedParts> {
    let (_, outer) = Any::from_der(der).ok()?;
    let body = outer.data;
    let tbs_len = tlv_len(body)?;
    let tbs = body.get(..tbs_len)?;
    let after = body.get(tbs_len..)?;
    let alg_len = tlv_len(after)?;
    let alg = after.get(..alg_len)?;
    let (_, bits) = Any::from_der(after.get(alg_len..)?).ok()?;
    let sig = bits.data.get(1..)?;
    Some(SignedParts {
        tbs: range_in(der, tbs)?,
        algorithm: range_in(der, alg)?,
        signature: range_in(der, sig)?,
    })
}

/// Dotted form of an OID.
pub(crate) fn dotted(oid: &Oid<'_>) -> String {
    // Every certificate has a dozen OIDs: one string, no big-integer arithmetic, unless
    // an arc does not fit 64 bits (then asn1-rs's own rendering).
    let bytes = oid.as_bytes();
    if bytes.last().is_none_or(|b| b & 0x80 != 0) {
        return oid.to_id_string();
    }
    let mut out = String::with_capacity(bytes.len() * 3);
    let mut acc: u64 = 0;
    for &b in bytes {
        if acc > (u64::MAX >> 7) {
            return oid.to_id_string();
        }
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if out.is_empty() {
                let (first, second) = match acc {
                    0..=39 => (0, acc),
                    40..=79 => (1, acc - 40),
                    _ => (2, acc - 80),
                };
                push_decimal(&mut out, first);
                out.push('.');
                push_decimal(&mut out, second);
            } else {
                out.push('.');
                push_decimal(&mut out, acc);
            }
            acc = 0;
        }
    }
    out
}

/// `n` in decimal onto `out`.
fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for d in digits.get(i..).unwrap_or_default() {
        out.push(char::from(*d));
    }
}

/// OpenSSL's name for a signature algorithm OID, else the dotted OID.
pub(crate) fn signature_algorithm_name(oid: &str) -> String {
    let name = match oid {
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.3" => "md4WithRSAEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.3.14.3.2.29" => "sha1WithRSA",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsaWithSHA1",
        "2.16.840.1.101.3.4.3.1" => "dsa_with_SHA224",
        "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256",
        "1.3.101.112" => "ED25519",
        "1.3.101.113" => "ED448",
        "2.16.840.1.101.3.4.3.17" => "ML-DSA-44",
        "2.16.840.1.101.3.4.3.18" => "ML-DSA-65",
        "2.16.840.1.101.3.4.3.19" => "ML-DSA-87",
        "1.2.643.7.1.1.3.2" => "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)",
        "1.2.643.7.1.1.3.3" => "GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)",
        "1.2.643.2.2.3" => "GOST R 34.11-94 with GOST R 34.10-2001",
        _ => return oid.to_string(),
    };
    name.to_string()
}

/// Short name of a named curve OID.
pub(crate) fn curve_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.10045.3.1.1" => "P-192",
        "1.3.132.0.33" => "P-224",
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        "1.3.132.0.6" => "secp112r1",
        "1.3.132.0.8" => "secp160r1",
        _ => return None,
    })
}

/// Field size in bits of a named curve.
pub(crate) fn curve_bits(name: &str) -> Option<u32> {
    Some(match name {
        "P-192" => 192,
        "P-224" => 224,
        "P-256" | "secp256k1" | "brainpoolP256r1" => 256,
        "P-384" | "brainpoolP384r1" => 384,
        "P-521" => 521,
        "brainpoolP512r1" => 512,
        "secp112r1" => 112,
        "secp160r1" => 160,
        _ => return None,
    })
}

/// Significant bits of a big-endian unsigned integer.
pub(crate) fn uint_bits(bytes: &[u8]) -> u32 {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => bytes.get(i..).unwrap_or_default(),
        None => return 0,
    };
    let lead = trimmed.first().map_or(0, |b| b.leading_zeros());
    u32::try_from(trimmed.len())
        .unwrap_or(u32::MAX / 8)
        .saturating_mul(8)
        .saturating_sub(lead)
}

/// OpenSSL's name of an extension OID.
pub(crate) fn extension_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.9" => "subjectDirectoryAttributes",
        "2.5.29.14" => "subjectKeyIdentifier",
        "2.5.29.15" => "keyUsage",
        "2.5.29.16" => "privateKeyUsagePeriod",
        "2.5.29.17" => "subjectAltName",
        "2.5.29.18" => "issuerAltName",
        "2.5.29.19" => "basicConstraints",
        "2.5.29.30" => "nameConstraints",
        "2.5.29.31" => "crlDistributionPoints",
        "2.5.29.32" => "certificatePolicies",
        "2.5.29.33" => "policyMappings",
        "2.5.29.35" => "authorityKeyIdentifier",
        "2.5.29.36" => "policyConstraints",
        "2.5.29.37" => "extendedKeyUsage",
        "2.5.29.46" => "freshestCRL",
        "2.5.29.54" => "inhibitAnyPolicy",
        "1.3.6.1.5.5.7.1.1" => "authorityInfoAccess",
        "1.3.6.1.5.5.7.1.3" => "qcStatements",
        "1.3.6.1.5.5.7.1.11" => "subjectInfoAccess",
        "1.3.6.1.5.5.7.1.24" => "tlsFeature",
        "1.3.6.1.5.5.7.48.1.5" => "ocspNoCheck",
        "1.3.6.1.4.1.11129.2.4.2" => "ctPrecertificateSCTs",
        "1.3.6.1.4.1.11129.2.4.3" => "ctPrecertificatePoison",
        "2.16.840.1.113730.1.1" => "netscapeCertType",
        "2.16.840.1.113730.1.13" => "netscapeComment",
        "1.2.840.113533.7.65.0" => "entrustVersionInfo",
        "1.3.6.1.4.1.311.20.2" => "msCertificateTemplateName",
        "1.3.6.1.4.1.311.21.1" => "msCAVersion",
        "1.3.6.1.4.1.311.21.2" => "msPreviousCAHash",
        "1.3.6.1.4.1.311.21.7" => "msCertificateTemplate",
        "1.3.6.1.4.1.311.21.10" => "msApplicationPolicies",
        _ => return None,
    })
}

/// Short name of an extended key usage OID, else the dotted OID.
pub(crate) fn eku_name(oid: &str) -> String {
    match oid {
        "1.3.6.1.5.5.7.3.1" => "serverAuth",
        "1.3.6.1.5.5.7.3.2" => "clientAuth",
        "1.3.6.1.5.5.7.3.3" => "codeSigning",
        "1.3.6.1.5.5.7.3.4" => "emailProtection",
        "1.3.6.1.5.5.7.3.8" => "timeStamping",
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning",
        "2.5.29.37.0" => "anyExtendedKeyUsage",
        "1.3.6.1.4.1.311.10.3.3" => "msSGC",
        "2.16.840.1.113730.4.1" => "nsSGC",
        _ => return oid.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_sub_slices() {
        let v = [1u8, 2, 3, 4, 5];
        assert_eq!(range_in(&v, &v[1..3]), Some(1..3));
        let other = [9u8; 2];
        assert_eq!(range_in(&v, &other), None);
    }

    #[test]
    fn uint_bits_counts_significant_bits() {
        assert_eq!(uint_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(uint_bits(&[0x01, 0xff]), 9);
        assert_eq!(uint_bits(&[0, 0]), 0);
        assert_eq!(uint_bits(&[]), 0);
    }

    #[test]
    fn signed_parts_of_garbage_is_none() {
        assert!(signed_parts(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_none());
        assert!(signed_parts(&[]).is_none());
        assert!(signed_parts(&[0x30, 0x82, 0xff]).is_none());
    }
}
