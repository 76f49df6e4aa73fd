//! PKCS#10 certificate signing requests.

use crate::{ExtensionSummary, PublicKeySummary};
use serde::Serialize;

/// A parsed CSR: DER plus summary.
#[derive(Clone, Debug)]
pub struct Csr {
    der: Vec<u8>,
    /// What can be shown and checked.
    pub summary: CsrSummary,
}

impl Csr {
    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// The facts about a CSR.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CsrSummary {
    /// Subject, RFC 4514.
    pub subject: String,
    /// Subject attributes in DER order as (short type name or dotted OID, value).
    pub subject_attributes: Vec<(String, String)>,
    /// Every CN in the subject.
    pub subject_cns: Vec<String>,
    /// dNSName SANs from a requested subjectAltName.
    pub dns_names: Vec<String>,
    /// E-mail addresses anywhere: subject emailAddress and rfc822Name SANs.
    pub email_addresses: Vec<String>,
    /// Requested extensions (extensionRequest attribute).
    pub requested_extensions: Vec<ExtensionSummary>,
    /// Other attributes by name or OID (`challengePassword`, …).
    pub attributes: Vec<String>,
    /// The public key.
    pub key: PublicKeySummary,
    /// SHA-256 of the SubjectPublicKeyInfo DER.
    pub public_key_sha256: String,
    /// Signature algorithm name.
    pub signature_algorithm: String,
    /// The self-signature verifies.
    pub signature_valid: bool,
    /// Why it does not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_error: Option<String>,
}
