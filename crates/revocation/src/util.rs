//! Small shared pieces: the parts of a signed DER structure, serial numbers, times,
//! revocation reasons, certificate labels.

use bars_model::Certificate;
use std::fmt;

/// The parts of `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING, ... }`
/// (CRLs, OCSP BasicOCSPResponse): the TBS TLV, the AlgorithmIdentifier TLV and the
/// signature bits (without the unused-bits octet).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SignedParts<'a> {
    pub tbs: &'a [u8],
    pub algorithm: &'a [u8],
    pub signature: &'a [u8],
}

/// Splits a signed structure; trailing fields after the signature are allowed (OCSP's
/// `certs`), trailing bytes after the structure are not.
pub(crate) fn signed_parts(der: &[u8]) -> Result<SignedParts<'_>, der::Error> {
    use der::{Reader, SliceReader};
    let mut outer = SliceReader::new(der)?;
    let parts = outer.sequence(|r| {
        let tbs = r.tlv_bytes()?;
        let algorithm = r.tlv_bytes()?;
        let bits: der::asn1::BitStringRef<'_> = r.decode()?;
        let signature = bits.raw_bytes();
        // Skip whatever follows (OCSP certificates); the caller decodes it if it cares.
        while !r.is_finished() {
            r.tlv_bytes()?;
        }
        Ok::<_, der::Error>(SignedParts {
            tbs,
            algorithm,
            signature,
        })
    })?;
    outer.finish()?;
    Ok(parts)
}

/// The certificate's serial number: the INTEGER's content octets, leading zero octets
/// removed so that encodings compare equal.
pub(crate) fn serial(cert: &Certificate) -> Vec<u8> {
    cert.parsed()
        .map(|p| trim_serial(p.raw_serial()).to_vec())
        .unwrap_or_default()
}

/// `bytes` without leading zero octets (an empty slice for zero).
pub(crate) fn trim_serial(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// The subjectPublicKey BIT STRING contents of a DER SubjectPublicKeyInfo (what OCSP's
/// issuerKeyHash and ResponderID byKey hash).
pub(crate) fn public_key_bits(spki_der: &[u8]) -> Option<Vec<u8>> {
    use x509_parser::prelude::FromDer;
    let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der).ok()?;
    Some(spki.subject_public_key.data.to_vec())
}

/// SHA-1 (the CertID hash every responder understands).
pub(crate) fn sha1(bytes: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes)
        .as_ref()
        .to_vec()
}

pub(crate) use bars_model::sha256_hex;

/// RFC 3339 (UTC) for Unix seconds.
pub use bars_model::rfc3339 as fmt_time;

/// The current time, Unix seconds (cache decisions only; judging uses the given time).
pub(crate) fn wall_clock() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A revocation reason (RFC 5280 CRLReason), as a CRL entry or an OCSP response gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reason(pub u8);

impl Reason {
    /// RFC 5280's name for the code (`keyCompromise`, …), `None` for codes it does not define.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "unspecified",
            1 => "keyCompromise",
            2 => "cACompromise",
            3 => "affiliationChanged",
            4 => "superseded",
            5 => "cessationOfOperation",
            6 => "certificateHold",
            8 => "removeFromCRL",
            9 => "privilegeWithdrawn",
            10 => "aACompromise",
            _ => return None,
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "reason code {}", self.0),
        }
    }
}

/// The certificate's subject, RFC 4514.
pub(crate) fn subject(cert: &Certificate) -> &str {
    &cert.summary().subject
}

/// True when `s` is an http:// or https:// URL.
pub(crate) fn is_http(s: &str) -> bool {
    bars_fetch::is_url(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_compare_without_leading_zeros() {
        assert_eq!(trim_serial(&[0, 0x80, 1]), &[0x80, 1]);
        assert_eq!(trim_serial(&[0]), &[] as &[u8]);
        assert_eq!(trim_serial(&[5]), &[5]);
    }

    #[test]
    fn reasons_have_rfc_names() {
        assert_eq!(Reason(1).to_string(), "keyCompromise");
        assert_eq!(Reason(7).to_string(), "reason code 7");
        assert_eq!(Reason(10).name(), Some("aACompromise"));
    }

    #[test]
    fn signed_parts_refuse_junk() {
        assert!(signed_parts(b"").is_err());
        assert!(signed_parts(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
        // SEQUENCE { INTEGER 0, SEQUENCE {}, BIT STRING 00 ff }
        let ok = [
            0x30, 0x09, 0x02, 0x01, 0x00, 0x30, 0x00, 0x03, 0x02, 0x00, 0xff,
        ];
        let p = signed_parts(&ok).unwrap();
        assert_eq!(p.tbs, &[0x02, 0x01, 0x00]);
        assert_eq!(p.algorithm, &[0x30, 0x00]);
        assert_eq!(p.signature, &[0xff]);
        let mut trailing = ok.to_vec();
        trailing.push(0);
        assert!(signed_parts(&trailing).is_err());
    }

    #[test]
    fn times_format_as_rfc3339() {
        assert_eq!(fmt_time(86_400), "1970-01-02T00:00:00Z");
    }
}
