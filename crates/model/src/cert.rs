//! One X.509 certificate: its DER bytes, the raw pieces checks need, and a summary.

use crate::asn1;
use crate::{ReadErrorKind, SignatureError};
use serde::Serialize;
use std::fmt;
use std::ops::Range;
use x509_parser::certificate::X509Certificate;
use x509_parser::der_parser::asn1_rs::{Any, FromDer, Oid};
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};
use x509_parser::x509::X509Name;

/// A parsed X.509 certificate. Construction parses once; accessors hand out the raw DER
/// pieces (subject, issuer, SPKI, TBS, signature) that path building compares byte for byte.
/// Cloning is cheap (the parsed certificate is shared), so analyses and reports hold
/// copies freely.
#[derive(Clone)]
pub struct Certificate {
    inner: std::sync::Arc<Inner>,
}

struct Inner {
    der: Vec<u8>,
    summary: CertSummary,
    // Byte ranges into `der`, computed at parse time.
    subject: Range<usize>,
    issuer: Range<usize>,
    spki: Range<usize>,
    tbs: Range<usize>,
    signature_algorithm: Range<usize>,
    signature_value: Range<usize>,
    /// For a certificate whose validity times x509-parser refuses: the copy it was read
    /// from (see `repair_validity`).
    repaired: Option<Vec<u8>>,
}

/// Where the names and the key sit in a certificate's DER.
#[derive(Clone, Debug)]
struct Layout {
    subject: Range<usize>,
    issuer: Range<usize>,
    spki: Range<usize>,
}

/// x509-parser, with deep extension parsing first; a certificate whose extensions it
/// cannot take (duplicates, odd encodings) is read again without it.
fn parse_x509(der: &[u8]) -> x509_parser::prelude::X509Result<'_, X509Certificate<'_>> {
    use x509_parser::certificate::X509CertificateParser;
    use x509_parser::nom::Parser;
    X509CertificateParser::new().parse(der).or_else(|_| {
        X509CertificateParser::new()
            .with_deep_parse_extensions(false)
            .parse(der)
    })
}

impl Inner {
    /// `own` is the certificate's DER; `x` may have been read from a repaired copy.
    fn new(
        own: &[u8],
        x: &X509Certificate<'_>,
        subject: &X509Name<'_>,
        issuer: &X509Name<'_>,
        layout: Layout,
    ) -> Result<Inner, ReadErrorKind> {
        let parts = crate::asn1::signed_parts(own).ok_or_else(|| ReadErrorKind::BadDer {
            what: "certificate".into(),
            reason: "cannot locate the signed parts".into(),
        })?;
        Ok(Inner {
            der: own.to_vec(),
            summary: summarise(x, own, subject, issuer),
            subject: layout.subject,
            issuer: layout.issuer,
            spki: layout.spki,
            tbs: parts.tbs,
            signature_algorithm: parts.algorithm,
            signature_value: parts.signature,
            repaired: None,
        })
    }

    fn into_certificate(self) -> Certificate {
        Certificate {
            inner: std::sync::Arc::new(self),
        }
    }
}

/// The original certificate's length, and a copy x509-parser reads: the same bytes with
/// the Validity's two times re-encoded as `YYYYMMDDHHMMSSZ` (and the TBS and certificate
/// lengths adjusted), with where subject, issuer and key sit in the original.
struct Repaired {
    der: Vec<u8>,
    used: usize,
    layout: Layout,
}

/// x509-parser (through asn1-rs) refuses, and so makes the whole certificate unreadable,
/// a validity time that is not `YYMMDDHHMM[SS](Z|±HHMM)` UTCTime or
/// `YYYYMMDDHHMM[SS[.fff]]Z` GeneralizedTime (`Error::InvalidDate` from
/// `Validity::from_der`): a GeneralizedTime with no `Z`, with an offset, with a comma or
/// with more than three fractional digits, and a UTCTime with no zone. openssl reads such
/// certificates (it shows the dates where it can, `Bad time value` where it cannot). This reads both times with
/// [`asn1::lenient_time`] and builds the copy; `None` when a time is unreadable even so, or
/// when anything but the times would differ (an outer length not in minimal DER form, a
/// tag other than SEQUENCE), so that a repair never accepts another defect.
fn repair_validity(der: &[u8]) -> Option<Repaired> {
    let (rest, cert) = Any::from_der(der).ok()?;
    let used = der.len().checked_sub(rest.len())?;
    let own = der.get(..used)?;
    let tbs_len = asn1::tlv_len(cert.data)?;
    let tbs_tlv = cert.data.get(..tbs_len)?;
    let after_tbs = cert.data.get(tbs_len..)?;
    let (_, tbs) = Any::from_der(tbs_tlv).ok()?;
    // Both outer headers must be what re-encoding writes, or the copy would differ there.
    if asn1::der_tlv(0x30, cert.data) != own || asn1::der_tlv(0x30, tbs.data) != tbs_tlv {
        return None;
    }
    // version [0] (optional), serialNumber, signature, issuer, validity, subject, SPKI.
    let mut fields: Vec<&[u8]> = Vec::with_capacity(8);
    let mut body = tbs.data;
    while !body.is_empty() && fields.len() < 7 {
        let n = asn1::tlv_len(body)?;
        fields.push(body.get(..n)?);
        body = body.get(n..)?;
    }
    let skip = usize::from(fields.first()?.first() == Some(&0xa0));
    let field = |i: usize| fields.get(skip + i).copied();
    let (issuer, validity, subject, spki) = (field(2)?, field(3)?, field(4)?, field(5)?);
    let (_, val) = Any::from_der(validity).ok()?;
    if asn1::der_tlv(0x30, val.data) != validity {
        return None;
    }
    // Exactly two times.
    let first = asn1::tlv_len(val.data)?;
    let not_before = val.data.get(..first)?;
    let not_after = val.data.get(first..)?;
    if asn1::tlv_len(not_after)? != not_after.len() {
        return None;
    }
    let mut times = asn1::generalized_time_der(asn1::lenient_time(not_before)?)?;
    times.extend(asn1::generalized_time_der(asn1::lenient_time(not_after)?)?);
    let at = asn1::range_in(tbs.data, validity)?;
    let mut tbs_body = tbs.data.get(..at.start)?.to_vec();
    tbs_body.extend(asn1::der_tlv(0x30, &times));
    tbs_body.extend_from_slice(tbs.data.get(at.end..)?);
    let mut cert_body = asn1::der_tlv(0x30, &tbs_body);
    cert_body.extend_from_slice(after_tbs);
    Some(Repaired {
        der: asn1::der_tlv(0x30, &cert_body),
        used,
        layout: Layout {
            subject: asn1::range_in(own, subject)?,
            issuer: asn1::range_in(own, issuer)?,
            spki: asn1::range_in(own, spki)?,
        },
    })
}

impl Certificate {
    /// Parses one DER certificate. Trailing bytes after the certificate are refused.
    pub fn from_der(der: &[u8]) -> Result<Certificate, ReadErrorKind> {
        let (cert, used) = Certificate::from_der_prefix(der)?;
        match der.len().saturating_sub(used) {
            0 => Ok(cert),
            n => Err(ReadErrorKind::BadDer {
                what: "certificate".into(),
                reason: format!("{n} bytes of trailing data after the certificate"),
            }),
        }
    }

    /// Parses the certificate at the start of `der`; returns it and how many bytes it
    /// took (the caller decides what trailing bytes mean).
    pub fn from_der_prefix(der: &[u8]) -> Result<(Certificate, usize), ReadErrorKind> {
        let err = match parse_x509(der) {
            Ok((rest, x)) => {
                let used = der.len().saturating_sub(rest.len());
                let own = der.get(..used).unwrap_or_default();
                let tbs = &x.tbs_certificate;
                let subject = crate::name::complete_name(&tbs.subject, own);
                let issuer = crate::name::complete_name(&tbs.issuer, own);
                let range = |inner: &[u8]| crate::asn1::range_in(own, inner).unwrap_or(0..0);
                let layout = Layout {
                    subject: range(subject.as_raw()),
                    issuer: range(issuer.as_raw()),
                    spki: range(tbs.subject_pki.raw),
                };
                let inner = Inner::new(own, &x, &subject, &issuer, layout)?;
                return Ok((inner.into_certificate(), used));
            }
            Err(e) => e,
        };
        // x509-parser refuses some validity times openssl reads (see `repair_validity`):
        // read a copy with those two times re-encoded, keep everything else of the original.
        let refused = || bad_der("certificate", der, &err);
        let repaired = repair_validity(der).ok_or_else(refused)?;
        let own = der.get(..repaired.used).ok_or_else(refused)?;
        let mut inner = {
            let (_, x) = parse_x509(&repaired.der).map_err(|_| refused())?;
            let tbs = &x.tbs_certificate;
            let subject = crate::name::complete_name(&tbs.subject, &repaired.der);
            let issuer = crate::name::complete_name(&tbs.issuer, &repaired.der);
            Inner::new(own, &x, &subject, &issuer, repaired.layout.clone())?
        };
        inner.repaired = Some(repaired.der);
        Ok((inner.into_certificate(), repaired.used))
    }

    /// The whole certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The summary computed at parse time.
    pub fn summary(&self) -> &CertSummary {
        &self.inner.summary
    }

    /// Re-parses with x509-parser for anything the summary does not hold (~5 µs).
    ///
    /// For a certificate whose validity times x509-parser refuses (see
    /// [`CertSummary::not_before`]) this is a view of a copy with those two times
    /// re-encoded as `YYYYMMDDHHMMSSZ`: its raw slices (TBS, names) are then not those of
    /// [`Certificate::der`]; use this type's own accessors for bytes that are compared or
    /// verified. Beware also that x509-parser's names stop at an empty RDN: read names
    /// with [`crate::parse_name`] over [`Certificate::subject_der`].
    pub fn parsed(&self) -> Option<x509_parser::certificate::X509Certificate<'_>> {
        let der = self.inner.repaired.as_deref().unwrap_or(&self.inner.der);
        x509_parser::parse_x509_certificate(der)
            .ok()
            .map(|(_, c)| c)
    }

    /// The subject Name, DER (compare byte for byte with a child's issuer).
    pub fn subject_der(&self) -> &[u8] {
        self.inner
            .der
            .get(self.inner.subject.clone())
            .unwrap_or_default()
    }

    /// The issuer Name, DER.
    pub fn issuer_der(&self) -> &[u8] {
        self.inner
            .der
            .get(self.inner.issuer.clone())
            .unwrap_or_default()
    }

    /// The SubjectPublicKeyInfo, DER.
    pub fn spki_der(&self) -> &[u8] {
        self.inner
            .der
            .get(self.inner.spki.clone())
            .unwrap_or_default()
    }

    /// The TBSCertificate, DER (what the issuer signed).
    pub fn tbs_der(&self) -> &[u8] {
        self.inner
            .der
            .get(self.inner.tbs.clone())
            .unwrap_or_default()
    }

    /// The outer signatureAlgorithm AlgorithmIdentifier, DER.
    pub fn signature_algorithm_der(&self) -> &[u8] {
        self.inner
            .der
            .get(self.inner.signature_algorithm.clone())
            .unwrap_or_default()
    }

    /// The signature value (BIT STRING contents without the unused-bits octet).
    pub fn signature_value(&self) -> &[u8] {
        self.inner
            .der
            .get(self.inner.signature_value.clone())
            .unwrap_or_default()
    }

    /// Verifies that `issuer`'s key signed this certificate. Does not compare names.
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<(), SignatureError> {
        crate::verify_signature(
            issuer.spki_der(),
            self.signature_algorithm_der(),
            self.tbs_der(),
            self.signature_value(),
        )
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.inner.summary.subject)
            .field("sha256", &self.inner.summary.sha256)
            .finish()
    }
}

/// Everything a person or a check wants to know about a certificate, with no context
/// (no index, source or role: those belong to the report). Field names are the SPEC's
/// JSON names where the SPEC has one.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CertSummary {
    /// X.509 version as printed (1, 2 or 3).
    pub version: u32,
    /// Subject, RFC 4514 (most specific RDN first: `CN=…,OU=…,O=…`).
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Every CN in the subject, decoded, in DER order.
    pub subject_cns: Vec<String>,
    /// Serial as lowercase hex without separators (`-` prefix for a negative serial,
    /// as openssl prints it).
    pub serial: String,
    /// notBefore, RFC 3339 UTC (`2024-01-01T00:00:00Z`), in whole seconds: a fraction of a
    /// second (GeneralizedTime `…56.789Z`) is dropped, an offset (`…+0130`) applied, and a
    /// GeneralizedTime with no `Z` taken as UTC (openssl shows `Bad time value` for it).
    /// RFC 5280 allows none of these; rustls-webpki refuses them.
    pub not_before: String,
    /// notAfter, RFC 3339 UTC, read as `not_before` is.
    pub not_after: String,
    /// notBefore as Unix seconds.
    #[serde(skip)]
    pub not_before_unix: i64,
    /// notAfter as Unix seconds.
    #[serde(skip)]
    pub not_after_unix: i64,
    /// SHA-1 of the DER, lowercase hex.
    pub sha1: String,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    /// dNSName SANs: each byte that is printable ASCII other than `\` as itself, every
    /// other byte (UTF-8, Latin-1, a control character, a space, a backslash) as `\xHH`,
    /// so that such a name is seen and never equals or matches a host name (an escaped
    /// name always holds a `\`, which no host name can).
    pub dns_names: Vec<String>,
    /// iPAddress SANs, textual (v4 dotted, v6 RFC 5952).
    pub ip_addresses: Vec<String>,
    /// rfc822Name SANs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<String>,
    /// uniformResourceIdentifier SANs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uris: Vec<String>,
    /// Any other SAN (directoryName, otherName, …) rendered as `kind:value`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    /// True when the certificate has a subjectAltName extension at all.
    pub has_san: bool,
    /// The subject public key.
    pub key: PublicKeySummary,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex: the same value for a
    /// certificate, its CSR and its private key.
    pub public_key_sha256: String,
    /// Signature algorithm, openssl's name (`sha256WithRSAEncryption`, `ecdsa-with-SHA384`,
    /// `rsassaPss`, `ED25519`, …) or the dotted OID.
    pub signature_algorithm: String,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// basicConstraints, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_constraints: Option<BasicConstraints>,
    /// keyUsage bits by RFC 5280 name (`digitalSignature`, `keyEncipherment`, `keyCertSign`, …).
    pub key_usage: Vec<String>,
    /// extendedKeyUsage by short name (`serverAuth`, `clientAuth`, …) or dotted OID.
    pub extended_key_usage: Vec<String>,
    /// subjectKeyIdentifier, lowercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_key_id: Option<String>,
    /// authorityKeyIdentifier keyIdentifier, lowercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority_key_id: Option<String>,
    /// AIA caIssuers URIs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ca_issuers: Vec<String>,
    /// AIA OCSP URIs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ocsp: Vec<String>,
    /// CRL distribution point URIs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub crl_distribution_points: Vec<String>,
    /// certificatePolicies OIDs, dotted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    /// Every extension in order, known or not.
    pub extensions: Vec<ExtensionSummary>,
    /// Subject and issuer DER are identical.
    pub self_issued: bool,
}

/// basicConstraints.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct BasicConstraints {
    /// cA flag.
    pub ca: bool,
    /// pathLenConstraint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_len: Option<u32>,
    /// Marked critical.
    pub critical: bool,
}

/// One extension as it appears in the certificate.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ExtensionSummary {
    /// Dotted OID.
    pub oid: String,
    /// Short name when the tool knows the OID (`subjectAltName`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Critical flag.
    pub critical: bool,
    /// False when the tool does not understand the extension's content.
    pub known: bool,
}

/// A public key's algorithm and strength.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PublicKeySummary {
    /// `RSA`, `EC`, `Ed25519`, `Ed448`, `DSA`, or the dotted OID.
    pub algorithm: String,
    /// Modulus size for RSA/DSA, field size for EC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    /// Named curve for EC (`P-256`, `P-384`, `P-521`, `secp256k1`, or OID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
}

/// A parse failure as a `BadDer` naming what was read and, when the input is shorter
/// than its own header says, that it is truncated.
pub(crate) fn bad_der<E: fmt::Display>(
    what: &str,
    der: &[u8],
    err: &x509_parser::nom::Err<E>,
) -> ReadErrorKind {
    let reason = match declared_len(der) {
        Some(want) if want > der.len() => format!(
            "truncated: the structure declares {want} bytes but the input has {}",
            der.len()
        ),
        _ => match err {
            x509_parser::nom::Err::Incomplete(_) => "truncated".to_string(),
            x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e.to_string(),
        },
    };
    ReadErrorKind::BadDer {
        what: what.into(),
        reason,
    }
}

/// Total length (header + contents) the outer DER header declares, if it is readable.
pub(crate) fn declared_len(der: &[u8]) -> Option<usize> {
    let first = *der.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for b in der.get(2..2 + n)? {
        len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
    }
    len.checked_add(2 + n)
}

/// RFC 3339 UTC (`2024-01-01T00:00:00Z`) for Unix seconds; the number itself when the
/// time cannot be represented.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// Serial as openssl prints it: the magnitude's bytes in hex (two digits a byte, no
/// leading zero bytes), `-` first for a negative serial, `00` for zero.
pub(crate) fn serial_hex(raw: &[u8]) -> String {
    let negative = raw.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude: Vec<u8> = if negative {
        // Two's complement negation, big-endian.
        let mut v: Vec<u8> = raw.iter().map(|b| !b).collect();
        for b in v.iter_mut().rev() {
            let (n, carry) = b.overflowing_add(1);
            *b = n;
            if !carry {
                break;
            }
        }
        v
    } else {
        raw.to_vec()
    };
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let digits = crate::lower_hex(magnitude.get(start..).unwrap_or_default());
    let digits = if digits.is_empty() {
        "00".to_string()
    } else {
        digits
    };
    if negative {
        format!("-{digits}")
    } else {
        digits
    }
}

fn summarise(
    x: &X509Certificate<'_>,
    der: &[u8],
    subject: &X509Name<'_>,
    issuer: &X509Name<'_>,
) -> CertSummary {
    let tbs = &x.tbs_certificate;
    let not_before_unix = tbs.validity.not_before.timestamp();
    let not_after_unix = tbs.validity.not_after.timestamp();
    let mut s = CertSummary {
        version: tbs.version.0.saturating_add(1),
        subject: crate::dn_to_rfc4514(subject),
        issuer: crate::dn_to_rfc4514(issuer),
        subject_cns: crate::name_common_names(subject),
        serial: serial_hex(tbs.raw_serial()),
        not_before: rfc3339(not_before_unix),
        not_after: rfc3339(not_after_unix),
        not_before_unix,
        not_after_unix,
        sha1: crate::sha1_hex(der),
        sha256: crate::sha256_hex(der),
        dns_names: Vec::new(),
        ip_addresses: Vec::new(),
        email_addresses: Vec::new(),
        uris: Vec::new(),
        other_names: Vec::new(),
        has_san: false,
        key: crate::pubkey::summary(&tbs.subject_pki),
        public_key_sha256: crate::sha256_hex(tbs.subject_pki.raw),
        signature_algorithm: asn1::signature_algorithm_name(&asn1::dotted(
            &x.signature_algorithm.algorithm,
        )),
        is_ca: false,
        basic_constraints: None,
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        subject_key_id: None,
        authority_key_id: None,
        ca_issuers: Vec::new(),
        ocsp: Vec::new(),
        crl_distribution_points: Vec::new(),
        policies: Vec::new(),
        extensions: Vec::new(),
        self_issued: subject.as_raw() == issuer.as_raw(),
    };
    let mut seen_san = false;
    for ext in tbs.extensions() {
        let summary = extension_summary(ext);
        let oid = summary.oid.clone();
        s.extensions.push(summary);
        match (oid.as_str(), ext.parsed_extension()) {
            ("2.5.29.17", parsed) if !seen_san => {
                seen_san = true;
                s.has_san = true;
                if let ParsedExtension::SubjectAlternativeName(san) = parsed {
                    let n = Names::from_general_names(&san.general_names, der);
                    s.dns_names = n.dns;
                    s.ip_addresses = n.ip;
                    s.email_addresses = n.email;
                    s.uris = n.uri;
                    s.other_names = n.other;
                }
            }
            (_, ParsedExtension::BasicConstraints(bc)) if s.basic_constraints.is_none() => {
                s.is_ca = bc.ca;
                s.basic_constraints = Some(BasicConstraints {
                    ca: bc.ca,
                    path_len: bc.path_len_constraint,
                    critical: ext.critical,
                });
            }
            (_, ParsedExtension::KeyUsage(ku)) if s.key_usage.is_empty() => {
                let bits = [
                    (ku.digital_signature(), "digitalSignature"),
                    (ku.non_repudiation(), "nonRepudiation"),
                    (ku.key_encipherment(), "keyEncipherment"),
                    (ku.data_encipherment(), "dataEncipherment"),
                    (ku.key_agreement(), "keyAgreement"),
                    (ku.key_cert_sign(), "keyCertSign"),
                    (ku.crl_sign(), "cRLSign"),
                    (ku.encipher_only(), "encipherOnly"),
                    (ku.decipher_only(), "decipherOnly"),
                ];
                s.key_usage = bits
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| (*n).to_string())
                    .collect();
            }
            ("2.5.29.37", _) if s.extended_key_usage.is_empty() => {
                s.extended_key_usage = eku_list(ext.value);
            }
            (_, ParsedExtension::SubjectKeyIdentifier(k)) if s.subject_key_id.is_none() => {
                s.subject_key_id = Some(crate::lower_hex(k.0));
            }
            (_, ParsedExtension::AuthorityKeyIdentifier(a)) if s.authority_key_id.is_none() => {
                s.authority_key_id = a.key_identifier.as_ref().map(|k| crate::lower_hex(k.0));
            }
            (_, ParsedExtension::AuthorityInfoAccess(aia)) => {
                for d in &aia.accessdescs {
                    if let GeneralName::URI(u) = &d.access_location {
                        match asn1::dotted(&d.access_method).as_str() {
                            "1.3.6.1.5.5.7.48.2" => s.ca_issuers.push((*u).to_string()),
                            "1.3.6.1.5.5.7.48.1" => s.ocsp.push((*u).to_string()),
                            _ => {}
                        }
                    }
                }
            }
            (_, ParsedExtension::CRLDistributionPoints(dps)) => {
                for dp in dps.iter() {
                    if let Some(x509_parser::extensions::DistributionPointName::FullName(names)) =
                        &dp.distribution_point
                    {
                        for n in names {
                            if let GeneralName::URI(u) = n {
                                s.crl_distribution_points.push((*u).to_string());
                            }
                        }
                    }
                }
            }
            (_, ParsedExtension::CertificatePolicies(p)) => {
                s.policies
                    .extend(p.iter().map(|pi| asn1::dotted(&pi.policy_id)));
            }
            ("2.5.29.32", ParsedExtension::ParseError { .. } | ParsedExtension::Unparsed) => {
                s.policies.extend(policy_oids(ext.value));
            }
            _ => {}
        }
    }
    s
}

/// One extension as listed in a summary.
pub(crate) fn extension_summary(ext: &X509Extension<'_>) -> ExtensionSummary {
    let oid = asn1::dotted(&ext.oid);
    let name = asn1::extension_name(&oid);
    ExtensionSummary {
        known: name.is_some(),
        name: name.map(str::to_string),
        critical: ext.critical,
        oid,
    }
}

/// The purposes of an extKeyUsage value, in DER order.
fn eku_list(value: &[u8]) -> Vec<String> {
    let Ok((_, seq)) = Any::from_der(value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = seq.data;
    while !rest.is_empty() {
        match Oid::from_der(rest) {
            Ok((r, oid)) => {
                out.push(asn1::eku_name(&oid.to_id_string()));
                rest = r;
            }
            Err(_) => break,
        }
    }
    out
}

/// The policy OIDs of a certificatePolicies value whose qualifiers x509-parser refused.
fn policy_oids(value: &[u8]) -> Vec<String> {
    let Ok((_, seq)) = Any::from_der(value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = seq.data;
    while let Ok((r, info)) = Any::from_der(rest) {
        if let Ok((_, oid)) = Oid::from_der(info.data) {
            out.push(oid.to_id_string());
        }
        rest = r;
    }
    out
}

/// Subject alternative names sorted by kind.
#[derive(Default)]
pub(crate) struct Names {
    pub dns: Vec<String>,
    pub ip: Vec<String>,
    pub email: Vec<String>,
    pub uri: Vec<String>,
    pub other: Vec<String>,
}

impl Names {
    /// The names of a GeneralNames found inside `buffer` (the certificate or CSR DER, so
    /// that a directoryName is read whole: see [`crate::parse_name`]). A dNSName is shown
    /// with [`crate::name::dns_name_text`] (any byte not printable ASCII, or `\`, as
    /// `\xHH`), including one x509-parser gives up on (not UTF-8: `Invalid` with tag 2).
    pub(crate) fn from_general_names(names: &[GeneralName<'_>], buffer: &[u8]) -> Names {
        let mut n = Names::default();
        for g in names {
            match g {
                GeneralName::DNSName(d) => n.dns.push(crate::name::dns_name_text(d.as_bytes())),
                GeneralName::Invalid(tag, bytes) if tag.0 == 2 => {
                    n.dns.push(crate::name::dns_name_text(bytes))
                }
                GeneralName::RFC822Name(e) => n.email.push((*e).to_string()),
                GeneralName::URI(u) => n.uri.push((*u).to_string()),
                GeneralName::IPAddress(b) => n.ip.push(ip_text(b)),
                GeneralName::DirectoryName(name) => n.other.push(format!(
                    "DirName:{}",
                    crate::dn_to_rfc4514(&crate::name::complete_name(name, buffer))
                )),
                GeneralName::OtherName(oid, _) => n.other.push(format!("othername:{oid}")),
                GeneralName::RegisteredID(oid) => n.other.push(format!("Registered ID:{oid}")),
                GeneralName::X400Address(_) => n.other.push("X400Name".to_string()),
                GeneralName::EDIPartyName(_) => n.other.push("EdiPartyName".to_string()),
                GeneralName::Invalid(tag, _) => {
                    n.other.push(format!("invalid name (tag {})", tag.0))
                }
            }
        }
        n
    }
}

/// An iPAddress SAN as text: dotted IPv4, RFC 5952 IPv6, else hex (a name constraint
/// form or a bad length).
fn ip_text(b: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(b) {
        std::net::Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(b) {
        std::net::Ipv6Addr::from(v6).to_string()
    } else {
        format!("#{}", crate::lower_hex(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_print_like_openssl() {
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[0x00, 0x8f, 0x01]), "8f01");
        assert_eq!(serial_hex(&[0x01, 0x02]), "0102");
        assert_eq!(serial_hex(&[0xff]), "-01");
        assert_eq!(serial_hex(&[0x80]), "-80");
        assert_eq!(serial_hex(&[0xfe, 0xff]), "-0101");
        assert_eq!(serial_hex(&[]), "00");
    }

    #[test]
    fn declared_lengths() {
        assert_eq!(declared_len(&[0x30, 0x03]), Some(5));
        assert_eq!(declared_len(&[0x30, 0x82, 0x01, 0x00]), Some(260));
        assert_eq!(declared_len(&[0x30]), None);
        assert_eq!(declared_len(&[0x30, 0x80]), None);
    }

    #[test]
    fn garbage_is_refused_not_panicked() {
        for bytes in [
            &[][..],
            &[0x30],
            &[0x30, 0x00],
            &[0x30, 0x82, 0xff, 0xff, 0],
        ] {
            assert!(Certificate::from_der(bytes).is_err());
        }
    }
}
