//! Small helpers over x509-parser's DER reader: where a nested value sits inside its
//! parent (byte ranges), the three parts of a signed structure, OID names.

use std::ops::Range;
use x509_parser::der_parser::asn1_rs::{Any, Class, FromDer, Oid, Tag};

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

/// A DER TLV: a one-byte `tag`, the minimal definite length, `content`.
pub(crate) fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len.saturating_add(10));
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// Unix seconds of an X.509 `Time` (the UTCTime or GeneralizedTime TLV `time`), read from
/// its bytes more leniently than x509-parser, for the forms openssl reads and x509-parser
/// refuses (RFC 5280 §4.1.2.5 forbids all but `YYMMDDHHMMSSZ` and `YYYYMMDDHHMMSSZ`, but
/// real and test certificates carry the others):
///
/// - UTCTime `YYMMDDHHMM[SS]` (`YY` below 50 is 20YY, else 19YY), GeneralizedTime
///   `YYYYMMDDHHMM[SS[.f…]]`: seconds may be left out, as openssl allows;
/// - fractional seconds (`.` or `,` and any number of digits) after the seconds: dropped,
///   so the time is the whole second it falls in (openssl prints `12:34:56.789`, we say
///   `12:34:56`; x509-parser refuses more than three digits);
/// - then `Z`, or an offset `+HHMM`/`-HHMM` (hours up to 12, as openssl), which is
///   subtracted to give UTC;
/// - or nothing: a local time with no offset (X.680 §46.3 a), which has no defined UTC
///   instant. It is taken as UTC, the only zone a certificate means. This is *not* what
///   openssl 3.0 does: `openssl x509 -dates` prints `Bad time value` for it and
///   verification fails ("format error in certificate's notBefore field"); rustls-webpki
///   refuses it too, so the path verdict is unaffected, and the dates shown are the
///   likeliest reading.
///
/// Month, day (against the month's length), hour 0–23, minute and second 0–59 are checked;
/// anything else (a stray character, a short field, `24` hours, a leap second) is `None`.
pub(crate) fn lenient_time(time: &[u8]) -> Option<i64> {
    let (_, any) = Any::from_der(time).ok()?;
    if any.class() != Class::Universal || any.header.is_constructed() {
        return None;
    }
    let text = any.data;
    let (year, rest) = match any.tag() {
        Tag::UtcTime => {
            let (yy, rest) = two_digits(text)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, rest)
        }
        Tag::GeneralizedTime => {
            let (hi, rest) = two_digits(text)?;
            let (lo, rest) = two_digits(rest)?;
            (hi * 100 + lo, rest)
        }
        _ => return None,
    };
    let (month, rest) = two_digits(rest)?;
    let (day, rest) = two_digits(rest)?;
    let (hour, rest) = two_digits(rest)?;
    let (minute, mut rest) = two_digits(rest)?;
    let mut second = 0;
    if let Some((s, r)) = two_digits(rest) {
        second = s;
        rest = r;
        if any.tag() == Tag::GeneralizedTime {
            if let Some((b'.' | b',', r)) = rest.split_first() {
                let digits = r.iter().take_while(|b| b.is_ascii_digit()).count();
                if digits == 0 {
                    return None;
                }
                rest = r.get(digits..)?;
            }
        }
    }
    let offset_minutes: i32 = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (hh, r) = two_digits(zone)?;
            let (mm, r) = two_digits(r)?;
            if !r.is_empty() || hh > 12 || mm > 59 {
                return None;
            }
            let m = i32::try_from(hh * 60 + mm).ok()?;
            if *sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = time::Date::from_calendar_date(
        i32::try_from(year).ok()?,
        time::Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
    )
    .ok()?;
    let local = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    local.checked_sub(i64::from(offset_minutes) * 60)
}

/// Two ASCII digits at the start of `bytes`, as a number, and what follows.
fn two_digits(bytes: &[u8]) -> Option<(u32, &[u8])> {
    match bytes {
        [a, b, rest @ ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some((u32::from(a - b'0') * 10 + u32::from(b - b'0'), rest))
        }
        _ => None,
    }
}

/// `YYYYMMDDHHMMSSZ` GeneralizedTime TLV of Unix seconds (RFC 5280's form), when the
/// year is 0000–9999.
pub(crate) fn generalized_time_der(unix: i64) -> Option<Vec<u8>> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).ok()?;
    if !(0..=9999).contains(&t.year()) {
        return None;
    }
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Some(der_tlv(0x18, text.as_bytes()))
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

    fn utc(s: &str) -> Vec<u8> {
        der_tlv(0x17, s.as_bytes())
    }
    fn gen(s: &str) -> Vec<u8> {
        der_tlv(0x18, s.as_bytes())
    }

    #[test]
    fn lenient_times_read_what_openssl_reads() {
        // 2024-01-01T12:34:56Z
        let t = 1_704_112_496;
        for (time, want) in [
            (gen("20240101123456Z"), t),
            (gen("20240101123456.789Z"), t),
            (gen("20240101123456.123456789Z"), t),
            (gen("20240101123456,5Z"), t),
            (gen("20240101123456"), t),
            (gen("20240101123456.5"), t),
            (gen("20240101123456+0130"), t - 5400),
            (gen("20240101123456-1200"), t + 43200),
            (gen("202401011234Z"), t - 56),
            (gen("202401011234"), t - 56),
            (utc("240101123456Z"), t),
            (utc("240101123456"), t),
            (utc("2401011234Z"), t - 56),
            (utc("240101123456+0000"), t),
            (utc("500101000000Z"), -631_152_000),
            (utc("491231235959Z"), 2_524_607_999),
            (gen("99991231235959Z"), 253_402_300_799),
            (gen("00000101000000Z"), -62_167_219_200),
            (gen("20240229000000Z"), 1_709_164_800),
        ] {
            assert_eq!(
                lenient_time(&time),
                Some(want),
                "{:?}",
                String::from_utf8_lossy(&time)
            );
        }
    }

    #[test]
    fn lenient_times_refuse_what_has_no_reading() {
        for time in [
            gen(""),
            gen("2024"),
            gen("2024010112"),
            gen("20240101123456Q"),
            gen("20240101123456.Z"),
            gen("20240101123456.5.5Z"),
            gen("2024010112345Z"),
            gen("20230229000000Z"),
            gen("20241301000000Z"),
            gen("20240001000000Z"),
            gen("20240100000000Z"),
            gen("20240101240000Z"),
            gen("20240101126000Z"),
            gen("20240101123460Z"),
            gen("20240101123456+1300"),
            gen("20240101123456+0160"),
            gen("20240101123456+01"),
            gen("20240101123456+01000"),
            gen("20240101123456Z "),
            gen("２0240101123456Z"),
            utc("240101123456.5Z"),
            der_tlv(0x04, b"20240101123456Z"),
            der_tlv(0x38, b"20240101123456Z"),
            der_tlv(0x98, b"20240101123456Z"),
            vec![0x18, 0x0f, b'2'],
            vec![],
        ] {
            assert_eq!(
                lenient_time(&time),
                None,
                "{:?}",
                String::from_utf8_lossy(&time)
            );
        }
    }

    #[test]
    fn generalized_time_der_round_trips() {
        for t in [0, 1_704_112_496, -62_167_219_200, 253_402_300_799] {
            let der = generalized_time_der(t).expect("in range");
            assert_eq!(lenient_time(&der), Some(t));
            assert_eq!(der.len(), 17);
        }
        assert_eq!(generalized_time_der(-62_167_219_201), None);
        assert_eq!(generalized_time_der(253_402_300_800), None);
        assert_eq!(generalized_time_der(i64::MAX), None);
    }

    #[test]
    fn der_tlv_uses_minimal_lengths() {
        assert_eq!(der_tlv(0x30, &[]), vec![0x30, 0x00]);
        assert_eq!(der_tlv(0x04, &[7; 0x7f])[..2], [0x04, 0x7f]);
        assert_eq!(der_tlv(0x04, &[7; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(der_tlv(0x04, &[7; 0x100])[..4], [0x04, 0x82, 0x01, 0x00]);
        assert_eq!(
            der_tlv(0x04, &[7; 0x10000])[..5],
            [0x04, 0x83, 0x01, 0x00, 0x00]
        );
    }

    #[test]
    fn signed_parts_of_garbage_is_none() {
        assert!(signed_parts(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_none());
        assert!(signed_parts(&[]).is_none());
        assert!(signed_parts(&[0x30, 0x82, 0xff]).is_none());
    }
}
