//! One X.509 certificate: its DER bytes, the raw pieces checks need, and a summary.

use crate::{ReadErrorKind, SignatureError};
use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// A parsed X.509 certificate. Construction parses once; accessors hand out the raw DER
/// pieces (subject, issuer, SPKI, TBS, signature) that path building compares byte for byte.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    summary: CertSummary,
    // Byte ranges into `der`, computed at parse time.
    subject: Range<usize>,
    issuer: Range<usize>,
    spki: Range<usize>,
    tbs: Range<usize>,
    signature_algorithm: Range<usize>,
    signature_value: Range<usize>,
}

impl Certificate {
    /// Parses one DER certificate. Trailing bytes after the certificate are refused.
    pub fn from_der(der: &[u8]) -> Result<Certificate, ReadErrorKind> {
        let _ = der;
        Err(ReadErrorKind::Unsupported("not yet implemented".into()))
    }

    /// The whole certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The summary computed at parse time.
    pub fn summary(&self) -> &CertSummary {
        &self.summary
    }

    /// Re-parses with x509-parser for anything the summary does not hold (~5 µs).
    pub fn parsed(&self) -> Option<x509_parser::certificate::X509Certificate<'_>> {
        x509_parser::parse_x509_certificate(&self.der)
            .ok()
            .map(|(_, c)| c)
    }

    /// The subject Name, DER (compare byte for byte with a child's issuer).
    pub fn subject_der(&self) -> &[u8] {
        self.der.get(self.subject.clone()).unwrap_or_default()
    }

    /// The issuer Name, DER.
    pub fn issuer_der(&self) -> &[u8] {
        self.der.get(self.issuer.clone()).unwrap_or_default()
    }

    /// The SubjectPublicKeyInfo, DER.
    pub fn spki_der(&self) -> &[u8] {
        self.der.get(self.spki.clone()).unwrap_or_default()
    }

    /// The TBSCertificate, DER (what the issuer signed).
    pub fn tbs_der(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    /// The outer signatureAlgorithm AlgorithmIdentifier, DER.
    pub fn signature_algorithm_der(&self) -> &[u8] {
        self.der
            .get(self.signature_algorithm.clone())
            .unwrap_or_default()
    }

    /// The signature value (BIT STRING contents without the unused-bits octet).
    pub fn signature_value(&self) -> &[u8] {
        self.der
            .get(self.signature_value.clone())
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
            .field("subject", &self.summary.subject)
            .field("sha256", &self.summary.sha256)
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
    /// notBefore, RFC 3339 UTC (`2024-01-01T00:00:00Z`).
    pub not_before: String,
    /// notAfter, RFC 3339 UTC.
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
    /// dNSName SANs, as encoded.
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
