//! PKCS#10 certificate signing requests.

use crate::asn1;
use crate::cert::{bad_der, Names};
use crate::{ExtensionSummary, PublicKeySummary, ReadErrorKind, SignatureError};
use serde::Serialize;
use x509_parser::extensions::ParsedExtension;

/// PKCS#9 name of a CSR attribute OID, else the dotted OID. Values are never shown (a
/// challengePassword is a secret).
fn attribute_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.9.7" => "challengePassword",
        "1.2.840.113549.1.9.2" => "unstructuredName",
        "1.2.840.113549.1.9.8" => "unstructuredAddress",
        "1.3.6.1.4.1.311.13.2.3" => "msOsVersion",
        "1.3.6.1.4.1.311.21.20" => "msClientInfo",
        "1.3.6.1.4.1.311.13.2.2" => "msEnrollmentCsp",
        other => other,
    }
    .to_string()
}

/// A parsed CSR: DER plus summary.
#[derive(Clone, Debug)]
pub struct Csr {
    der: Vec<u8>,
    /// What can be shown and checked.
    pub summary: CsrSummary,
}

impl Csr {
    /// Parses one DER PKCS#10 request (trailing bytes refused).
    pub fn from_der(der: &[u8]) -> Result<Csr, ReadErrorKind> {
        use x509_parser::certification_request::X509CertificationRequest;
        use x509_parser::cri_attributes::ParsedCriAttribute;
        use x509_parser::prelude::FromDer;
        let (rest, req) =
            X509CertificationRequest::from_der(der).map_err(|e| bad_der("CSR", der, &e))?;
        if !rest.is_empty() {
            return Err(ReadErrorKind::BadDer {
                what: "CSR".into(),
                reason: format!("{} bytes of trailing data after the CSR", rest.len()),
            });
        }
        let cri = &req.certification_request_info;
        // Every RDN, the ones after an empty RDN included (x509-parser drops them).
        let subject = crate::name::complete_name(&cri.subject, der);
        let mut dns_names = Vec::new();
        let mut email_addresses = crate::name::name_emails(&subject);
        let mut requested_extensions = Vec::new();
        let mut attributes = Vec::new();
        for attr in cri.attributes() {
            let oid = asn1::dotted(&attr.oid);
            match attr.parsed_attribute() {
                ParsedCriAttribute::ExtensionRequest(er) => {
                    for ext in &er.extensions {
                        requested_extensions.push(crate::cert::extension_summary(ext));
                        if let ParsedExtension::SubjectAlternativeName(san) = ext.parsed_extension()
                        {
                            let n = Names::from_general_names(&san.general_names, der);
                            dns_names.extend(n.dns);
                            email_addresses.extend(n.email);
                        }
                    }
                }
                _ => attributes.push(attribute_name(&oid)),
            }
        }
        let signature_algorithm =
            asn1::signature_algorithm_name(&asn1::dotted(&req.signature_algorithm.algorithm));
        let verified = crate::asn1::signed_parts(der)
            .ok_or(SignatureError::Malformed(
                "cannot locate the signed parts".into(),
            ))
            .and_then(|p| {
                crate::verify_signature(
                    cri.subject_pki.raw,
                    der.get(p.algorithm).unwrap_or_default(),
                    der.get(p.tbs).unwrap_or_default(),
                    der.get(p.signature).unwrap_or_default(),
                )
            });
        let summary = CsrSummary {
            subject: crate::dn_to_rfc4514(&subject),
            subject_attributes: crate::name::name_attributes(&subject),
            subject_cns: crate::name_common_names(&subject),
            dns_names,
            email_addresses,
            requested_extensions,
            attributes,
            key: crate::pubkey::summary(&cri.subject_pki),
            public_key_sha256: crate::sha256_hex(cri.subject_pki.raw),
            signature_algorithm,
            signature_valid: verified.is_ok(),
            signature_error: verified.err().map(|e| e.to_string()),
        };
        Ok(Csr {
            der: der.to_vec(),
            summary,
        })
    }

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
