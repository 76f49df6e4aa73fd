//! CAs, hierarchies, leaves and CSRs.

use super::keys::{self, KeyKind};
use super::names;
use super::{MintError as Error, Result};
use rcgen::string::Ia5String;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, CertificateSigningRequest, CertifiedIssuer,
    CustomExtension, DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, GeneralSubtree,
    IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, NameConstraints, PublicKeyData, SanType,
    SerialNumber, SigningKey,
};
use time::macros::datetime;
use time::OffsetDateTime;

/// A validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// notBefore
    pub not_before: OffsetDateTime,
    /// notAfter
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// The fixtures' CA window: 2025-01-01 → 2035-01-01.
    pub const FIXTURE_CA: Validity = Validity {
        not_before: datetime!(2025-01-01 0:00 UTC),
        not_after: datetime!(2035-01-01 0:00 UTC),
    };
    /// The fixtures' ordinary leaf window: 2026-01-01 → 2028-01-01 (judged at 2027-01-01).
    pub const FIXTURE_LEAF: Validity = Validity {
        not_before: datetime!(2026-01-01 0:00 UTC),
        not_after: datetime!(2028-01-01 0:00 UTC),
    };

    /// A window from `not_before` to `not_after`.
    pub fn new(not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        Validity {
            not_before,
            not_after,
        }
    }

    /// From `now - back` to `now + ahead` (for the demo, whose certificates are used live).
    pub fn around(now: OffsetDateTime, back: time::Duration, ahead: time::Duration) -> Self {
        Validity {
            not_before: now - back,
            not_after: now + ahead,
        }
    }
}

/// A deterministic, positive 16-byte serial number derived from `label`
/// (SHA-256 of `bars-testpki:<label>`, top bit cleared and the next one set).
pub fn serial_for(label: &str) -> SerialNumber {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("bars-testpki:{label}").as_bytes(),
    );
    let mut bytes: Vec<u8> = digest.as_ref().iter().take(16).copied().collect();
    if let Some(first) = bytes.first_mut() {
        *first = (*first & 0x7f) | 0x40;
    }
    SerialNumber::from(bytes)
}

/// What a CA certificate holds.
#[derive(Clone, Debug)]
pub struct CaSpec {
    /// Subject (and, for a root, issuer).
    pub subject: DistinguishedName,
    /// Serial number.
    pub serial: SerialNumber,
    /// Validity window.
    pub validity: Validity,
    /// `Some(n)`: basicConstraints pathLenConstraint n; `None`: unconstrained.
    pub path_len: Option<u8>,
    /// A fixed subjectKeyIdentifier (to copy another CA's); `None`: derived from the key
    /// (truncated SHA-256 of the SPKI, RFC 7093 method 1).
    pub key_id: Option<Vec<u8>>,
    /// nameConstraints permitting only these dNSName subtrees (empty: none).
    pub permitted_dns: Vec<String>,
}

impl CaSpec {
    fn params(&self) -> CertificateParams {
        let mut p = CertificateParams::default();
        p.distinguished_name = self.subject.clone();
        p.serial_number = Some(self.serial.clone());
        p.not_before = self.validity.not_before;
        p.not_after = self.validity.not_after;
        p.is_ca = IsCa::Ca(match self.path_len {
            Some(n) => BasicConstraints::Constrained(n),
            None => BasicConstraints::Unconstrained,
        });
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.use_authority_key_identifier_extension = true;
        if let Some(id) = &self.key_id {
            p.key_identifier_method = KeyIdMethod::PreSpecified(id.clone());
        }
        if !self.permitted_dns.is_empty() {
            p.name_constraints = Some(NameConstraints {
                permitted_subtrees: self
                    .permitted_dns
                    .iter()
                    .map(|d| GeneralSubtree::DnsName(d.clone()))
                    .collect(),
                excluded_subtrees: Vec::new(),
            });
        }
        p
    }

    /// A CA named `cn` (`OU=CA,O=bars-certcheck test,C=GB`) with the fixtures' CA
    /// validity, a serial derived from `label`, and `path_len`.
    pub fn named(cn: &str, label: &str, path_len: Option<u8>) -> Result<Self> {
        Ok(CaSpec {
            subject: names::ca(cn, "bars-certcheck test")?,
            serial: serial_for(label),
            validity: Validity::FIXTURE_CA,
            path_len,
            key_id: None,
            permitted_dns: Vec::new(),
        })
    }

    /// The same CA constrained to the permitted dNSName subtrees `dns`.
    pub fn with_permitted_dns(mut self, dns: &[&str]) -> Self {
        self.permitted_dns = dns.iter().map(|d| (*d).to_owned()).collect();
        self
    }
}

/// A CA: its certificate, its parameters and its signing key.
///
/// Certificates are sha256WithRSAEncryption (RSA keys) with basicConstraints critical
/// CA:TRUE, keyUsage keyCertSign + cRLSign (critical), SKI and AKI.
#[derive(Debug)]
pub struct Ca {
    params: CertificateParams,
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    /// A self-signed root.
    pub fn root(spec: &CaSpec, key: KeyPair) -> Result<Ca> {
        let params = spec.params();
        let issuer = CertifiedIssuer::self_signed(params.clone(), key)?;
        Ok(Ca { params, issuer })
    }

    /// A CA signed by `self`.
    pub fn subordinate(&self, spec: &CaSpec, key: KeyPair) -> Result<Ca> {
        let params = spec.params();
        let issuer = CertifiedIssuer::signed_by(params.clone(), key, self.issuer())?;
        Ok(Ca { params, issuer })
    }

    /// The certificate as PEM (`CERTIFICATE`, LF line endings).
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// The certificate as DER.
    pub fn der(&self) -> &[u8] {
        self.issuer.der()
    }

    /// The CA's private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        self.issuer.key().serialize_pem()
    }

    /// The CA's subject.
    pub fn subject(&self) -> &DistinguishedName {
        &self.params.distinguished_name
    }

    /// The CA's subjectKeyIdentifier (what its children's AKI holds).
    pub fn key_id(&self) -> Vec<u8> {
        self.params.key_identifier(self.issuer.key())
    }

    /// The rcgen issuer, to sign anything rcgen can make.
    pub fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }

    /// Issue a leaf for `subject_key`.
    pub fn issue(&self, spec: &LeafSpec, subject_key: &impl PublicKeyData) -> Result<Certificate> {
        issue_with(self.issuer(), spec, subject_key)
    }

    /// An issuer that *claims* to be this CA (same issuer DN, same AKI) but signs with
    /// `key`: what it signs carries a signature that does not verify against this CA.
    pub fn impostor(&self, key: KeyPair) -> Issuer<'static, KeyPair> {
        let mut params = self.params.clone();
        params.key_identifier_method = KeyIdMethod::PreSpecified(self.key_id());
        Issuer::new(params, key)
    }
}

/// What goes into a [`Hierarchy`].
#[derive(Clone, Debug)]
pub struct HierarchySpec {
    /// A short label (`INT`, `PROD`, `foreign`, `lookalike`).
    pub label: String,
    /// The root.
    pub root: CaSpec,
    /// The issuing sub-CA (pathlen 0 in the test hierarchies).
    pub subca: CaSpec,
}

/// Real SKI of `NHS PTL Root Authority G2` (fixtures/nhs-pki/int/nhs-ptl-root-authority-g2.pem).
pub const NHS_PTL_ROOT_G2_KEY_ID: [u8; 20] = [
    0xF5, 0xB6, 0xD5, 0x52, 0xA8, 0xBD, 0x78, 0xFE, 0x72, 0x61, 0x6B, 0x3B, 0x5D, 0x8C, 0x23, 0xC0,
    0xB0, 0x16, 0x0C, 0xF3,
];
/// Real SKI of `NHS INT Authentication G2` (fixtures/nhs-pki/int/nhs-int-authentication-g2.pem).
pub const NHS_INT_AUTH_G2_KEY_ID: [u8; 20] = [
    0x16, 0xC7, 0x47, 0x04, 0xA8, 0x60, 0xC9, 0xE4, 0x5D, 0xAB, 0x99, 0xF2, 0x94, 0xF7, 0xC3, 0xDE,
    0x33, 0x98, 0xD4, 0x22,
];

/// subjectKeyIdentifier of the real `NHS Root Authority G2`.
pub const NHS_ROOT_G2_KEY_ID: [u8; 20] = [
    0x8F, 0x9C, 0xB0, 0x03, 0xA1, 0x35, 0x90, 0x86, 0x1D, 0xD6, 0x1B, 0x78, 0x52, 0x05, 0xC9, 0xC4,
    0xB5, 0x40, 0x31, 0x34,
];

/// subjectKeyIdentifier of the real `NHS Authentication G2`.
pub const NHS_AUTH_G2_KEY_ID: [u8; 20] = [
    0x94, 0xA2, 0x50, 0x7D, 0xF7, 0xC8, 0xEA, 0x6D, 0xD5, 0xA5, 0x0D, 0xC1, 0x69, 0xB3, 0xCF, 0x65,
    0xF8, 0x98, 0xBA, 0xA2,
];

impl HierarchySpec {
    /// The bars-certcheck TEST hierarchy for `env` (e.g. `INT`, `PROD`):
    /// root `CN=BaRS TEST <env> Root,OU=CA,O=bars-certcheck test,C=GB`,
    /// sub-CA `CN=BaRS TEST <env> Authentication,OU=CA,O=bars-certcheck test,C=GB`,
    /// both valid 2025-01-01 → 2035-01-01, sub-CA pathlen 0.
    pub fn test(env: &str) -> Result<Self> {
        Self::pair(
            env,
            names::ca(&format!("BaRS TEST {env} Root"), "bars-certcheck test")?,
            names::ca(
                &format!("BaRS TEST {env} Authentication"),
                "bars-certcheck test",
            )?,
            None,
        )
    }

    /// A private CA unrelated to the NHS:
    /// `CN=Example Private Root CA,O=Example Health Ltd,C=GB` and
    /// `CN=Example Private Issuing CA,O=Example Health Ltd,C=GB`.
    pub fn foreign() -> Result<Self> {
        use names::Attr::{Cn, C, O};
        Self::pair(
            "foreign",
            names::printable(&[
                C("GB"),
                O("Example Health Ltd"),
                Cn("Example Private Root CA"),
            ])?,
            names::printable(&[
                C("GB"),
                O("Example Health Ltd"),
                Cn("Example Private Issuing CA"),
            ])?,
            None,
        )
    }

    /// A look-alike of the real NHS INT G2 hierarchy: the exact subject DER of
    /// `CN=NHS PTL Root Authority G2,OU=CA,O=nhs,C=GB` and
    /// `CN=NHS INT Authentication G2,OU=CA,O=nhs,C=GB` (PrintableString, DER order C, O,
    /// OU, CN) and the real key identifiers, but its own keys: a chain under it names the
    /// real CAs and fails their signatures.
    pub fn lookalike_int() -> Result<Self> {
        Self::pair(
            "lookalike",
            names::ca("NHS PTL Root Authority G2", "nhs")?,
            names::ca("NHS INT Authentication G2", "nhs")?,
            Some((
                NHS_PTL_ROOT_G2_KEY_ID.to_vec(),
                NHS_INT_AUTH_G2_KEY_ID.to_vec(),
            )),
        )
    }

    /// A look-alike of the real NHS PROD G2 hierarchy (`CN=NHS Root Authority G2,OU=CA,
    /// O=NHS,C=GB` and `CN=NHS Authentication G2,OU=CA,O=nhs,C=GB`, PrintableString, the
    /// real key identifiers), with its own keys.
    pub fn lookalike_prod() -> Result<Self> {
        Self::pair(
            "lookalike-prod",
            names::ca("NHS Root Authority G2", "NHS")?,
            names::ca("NHS Authentication G2", "nhs")?,
            Some((NHS_ROOT_G2_KEY_ID.to_vec(), NHS_AUTH_G2_KEY_ID.to_vec())),
        )
    }

    fn pair(
        label: &str,
        root: DistinguishedName,
        subca: DistinguishedName,
        key_ids: Option<(Vec<u8>, Vec<u8>)>,
    ) -> Result<Self> {
        let (root_id, subca_id) = match key_ids {
            Some((r, s)) => (Some(r), Some(s)),
            None => (None, None),
        };
        Ok(HierarchySpec {
            label: label.to_owned(),
            root: CaSpec {
                subject: root,
                serial: serial_for(&format!("{label}/root")),
                validity: Validity::FIXTURE_CA,
                path_len: None,
                key_id: root_id,
                permitted_dns: Vec::new(),
            },
            subca: CaSpec {
                subject: subca,
                serial: serial_for(&format!("{label}/subca")),
                validity: Validity::FIXTURE_CA,
                path_len: Some(0),
                key_id: subca_id,
                permitted_dns: Vec::new(),
            },
        })
    }

    /// The same hierarchy with another validity window for both CAs.
    pub fn with_validity(mut self, validity: Validity) -> Self {
        self.root.validity = validity;
        self.subca.validity = validity;
        self
    }
}

/// A root CA and its issuing sub-CA.
#[derive(Debug)]
pub struct Hierarchy {
    /// The label of the spec it was made from.
    pub label: String,
    /// The self-signed root.
    pub root: Ca,
    /// The issuing sub-CA, signed by the root.
    pub subca: Ca,
}

impl Hierarchy {
    /// Build the hierarchy with the given keys.
    pub fn new(spec: &HierarchySpec, root_key: KeyPair, subca_key: KeyPair) -> Result<Self> {
        let root = Ca::root(&spec.root, root_key)?;
        let subca = root.subordinate(&spec.subca, subca_key)?;
        Ok(Hierarchy {
            label: spec.label.clone(),
            root,
            subca,
        })
    }

    /// Build the hierarchy with fresh RSA-2048 keys.
    pub fn generate(spec: &HierarchySpec) -> Result<Self> {
        Self::new(
            spec,
            keys::generate(KeyKind::Rsa2048)?,
            keys::generate(KeyKind::Rsa2048)?,
        )
    }

    /// Issue a leaf from the sub-CA.
    pub fn issue(&self, spec: &LeafSpec, subject_key: &impl PublicKeyData) -> Result<Certificate> {
        self.subca.issue(spec, subject_key)
    }

    /// `leaf` followed by the sub-CA, as one PEM bundle (what a server must send).
    pub fn chain_pem(&self, leaf: &Certificate) -> String {
        format!("{}{}", leaf.pem(), self.subca.pem())
    }
}

/// What a leaf certificate holds. [`LeafSpec::nhs`] gives the shape of a real NHS
/// endpoint certificate; the `with_*` methods change one thing.
#[derive(Clone, Debug)]
pub struct LeafSpec {
    /// Subject.
    pub subject: DistinguishedName,
    /// subjectAltName dNSNames (none on real NHS endpoint certificates).
    pub dns_names: Vec<String>,
    /// extendedKeyUsage (omitted when empty).
    pub extended_key_usages: Vec<ExtendedKeyUsagePurpose>,
    /// keyUsage (critical; omitted when empty).
    pub key_usages: Vec<KeyUsagePurpose>,
    /// Validity window.
    pub validity: Validity,
    /// Serial number; `None`: derived by rcgen from the public key.
    pub serial: Option<SerialNumber>,
    /// basicConstraints cA TRUE (a CA certificate used as the leaf).
    pub is_ca: bool,
    /// An authorityKeyIdentifier (every conforming certificate has one).
    pub authority_key_id: bool,
    /// An extension of no standard meaning (OID 1.3.6.1.4.1.99999.1, NULL value):
    /// `Some(critical)`.
    pub unknown_extension: Option<bool>,
}

impl LeafSpec {
    /// An NHS endpoint leaf: subject `CN=<fqdn>,OU=Devices,O=nhs`, no SAN, EKU
    /// serverAuth + clientAuth, keyUsage digitalSignature + keyEncipherment,
    /// basicConstraints CA:FALSE, valid 2026-01-01 → 2028-01-01.
    pub fn nhs(fqdn: &str) -> Result<Self> {
        Ok(LeafSpec {
            subject: names::nhs_device(fqdn)?,
            dns_names: Vec::new(),
            extended_key_usages: vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ],
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            validity: Validity::FIXTURE_LEAF,
            serial: None,
            is_ca: false,
            authority_key_id: true,
            unknown_extension: None,
        })
    }

    /// Make it a CA certificate (basicConstraints cA TRUE, unconstrained).
    pub fn as_ca(mut self) -> Self {
        self.is_ca = true;
        self
    }

    /// Leave out the authorityKeyIdentifier.
    pub fn without_authority_key_id(mut self) -> Self {
        self.authority_key_id = false;
        self
    }

    /// Add an extension no software processes, critical or not.
    pub fn with_unknown_extension(mut self, critical: bool) -> Self {
        self.unknown_extension = Some(critical);
        self
    }

    /// A TLS client certificate like the BaRS proxy's: NHS-shaped subject, clientAuth only.
    pub fn client(cn: &str) -> Result<Self> {
        Ok(Self::nhs(cn)?.with_eku(vec![ExtendedKeyUsagePurpose::ClientAuth]))
    }

    /// Replace the subject.
    pub fn with_subject(mut self, subject: DistinguishedName) -> Self {
        self.subject = subject;
        self
    }

    /// Replace the SAN dNSNames.
    pub fn with_dns_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.dns_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Replace the extended key usages.
    pub fn with_eku(mut self, eku: Vec<ExtendedKeyUsagePurpose>) -> Self {
        self.extended_key_usages = eku;
        self
    }

    /// Replace the key usages.
    pub fn with_key_usages(mut self, ku: Vec<KeyUsagePurpose>) -> Self {
        self.key_usages = ku;
        self
    }

    /// Replace the validity window.
    pub fn with_validity(mut self, validity: Validity) -> Self {
        self.validity = validity;
        self
    }

    /// Set the serial number.
    pub fn with_serial(mut self, serial: SerialNumber) -> Self {
        self.serial = Some(serial);
        self
    }

    /// The rcgen parameters for this leaf.
    pub fn params(&self) -> Result<CertificateParams> {
        let mut p = CertificateParams::default();
        p.distinguished_name = self.subject.clone();
        p.subject_alt_names = self
            .dns_names
            .iter()
            .map(|n| {
                Ia5String::try_from(n.as_str())
                    .map(SanType::DnsName)
                    .map_err(|e| Error::BadName {
                        what: "a dNSName",
                        value: n.clone(),
                        reason: e.to_string(),
                    })
            })
            .collect::<Result<_>>()?;
        p.extended_key_usages = self.extended_key_usages.clone();
        p.key_usages = self.key_usages.clone();
        p.not_before = self.validity.not_before;
        p.not_after = self.validity.not_after;
        p.serial_number = self.serial.clone();
        p.is_ca = if self.is_ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::ExplicitNoCa
        };
        p.use_authority_key_identifier_extension = self.authority_key_id;
        if let Some(critical) = self.unknown_extension {
            let mut e =
                CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
            e.set_criticality(critical);
            p.custom_extensions = vec![e];
        }
        Ok(p)
    }
}

/// Issue a leaf from any rcgen issuer (a [`Ca`]'s, or an [`Ca::impostor`]).
pub fn issue_with(
    issuer: &Issuer<'_, impl SigningKey>,
    spec: &LeafSpec,
    subject_key: &impl PublicKeyData,
) -> Result<Certificate> {
    Ok(spec.params()?.signed_by(subject_key, issuer)?)
}

/// A self-signed certificate with the leaf's contents (not a CA).
pub fn self_signed_leaf(spec: &LeafSpec, key: &KeyPair) -> Result<Certificate> {
    Ok(spec.params()?.self_signed(key)?)
}

/// A PKCS#10 CSR for `subject`, with no attributes or extensions (like
/// `openssl req -new -subj ...`), signed by `key`.
pub fn csr(subject: &DistinguishedName, key: &KeyPair) -> Result<CertificateSigningRequest> {
    let mut p = CertificateParams::default();
    p.distinguished_name = subject.clone();
    Ok(p.serialize_request(key)?)
}

/// The CN-only CSR the BaRS onboarding asks for (`/CN=<fqdn>`, UTF8String).
pub fn cn_only_csr(fqdn: &str, key: &KeyPair) -> Result<CertificateSigningRequest> {
    csr(&names::cn_only(fqdn)?, key)
}

/// `der` with its last byte inverted: for a certificate or CSR, a byte of the signature,
/// so the structure still parses but the signature no longer verifies.
pub fn corrupt_signature(der: &[u8]) -> Vec<u8> {
    let mut out = der.to_vec();
    if let Some(last) = out.last_mut() {
        *last ^= 0xff;
    }
    out
}

/// The common name of `dn`, if it has one as a string.
pub fn common_name(dn: &DistinguishedName) -> Option<String> {
    match dn.get(&DnType::CommonName)? {
        DnValue::PrintableString(s) => Some(s.as_str().to_owned()),
        DnValue::Utf8String(s) => Some(s.clone()),
        DnValue::Ia5String(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    fn parse(der: &[u8]) -> X509Certificate<'_> {
        X509Certificate::from_der(der).unwrap().1
    }

    #[test]
    fn test_hierarchy_shape() {
        let h = Hierarchy::generate(&HierarchySpec::test("INT").unwrap()).unwrap();
        let root = parse(h.root.der());
        let subca = parse(h.subca.der());
        assert_eq!(
            root.subject().to_string(),
            "C=GB, O=bars-certcheck test, OU=CA, CN=BaRS TEST INT Root"
        );
        assert_eq!(root.subject().as_raw(), root.issuer().as_raw());
        assert_eq!(subca.issuer().as_raw(), root.subject().as_raw());
        let bc = subca.basic_constraints().unwrap().unwrap();
        assert!(bc.critical);
        assert!(bc.value.ca);
        assert_eq!(bc.value.path_len_constraint, Some(0));
        let ku = subca.key_usage().unwrap().unwrap().value;
        assert!(ku.key_cert_sign() && ku.crl_sign() && !ku.digital_signature());
        assert_eq!(
            subca.signature_algorithm.algorithm,
            x509_parser::oid_registry::OID_PKCS1_SHA256WITHRSA
        );
        subca.verify_signature(Some(root.public_key())).unwrap();
        // AKI of the sub-CA = SKI of the root
        let aki = subca
            .iter_extensions()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(a) => a.key_identifier.clone(),
                _ => None,
            })
            .unwrap();
        assert_eq!(aki.0, h.root.key_id().as_slice());
        assert_eq!(h.root.key_id().len(), 20);
    }

    #[test]
    fn nhs_leaf_shape_and_impostor() {
        let h = Hierarchy::generate(&HierarchySpec::test("PROD").unwrap()).unwrap();
        let key = keys::generate(KeyKind::P256).unwrap();
        let spec = LeafSpec::nhs("BaRS-PROD-X26.Supplier.thirdparty.nhs.uk")
            .unwrap()
            .with_serial(serial_for("t"));
        let leaf = h.issue(&spec, &key).unwrap();
        let c = parse(leaf.der());
        assert_eq!(
            c.subject().to_string(),
            "O=nhs, OU=Devices, CN=BaRS-PROD-X26.Supplier.thirdparty.nhs.uk"
        );
        assert!(c.subject_alternative_name().unwrap().is_none());
        let eku = c.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && eku.client_auth);
        let ku = c.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && ku.key_encipherment());
        assert!(!c.basic_constraints().unwrap().unwrap().value.ca);
        assert_eq!(
            c.validity().not_before.to_datetime(),
            super::Validity::FIXTURE_LEAF.not_before
        );
        assert_eq!(c.raw_serial(), serial_for("t").to_bytes().as_slice());
        let subca = parse(h.subca.der());
        c.verify_signature(Some(subca.public_key())).unwrap();

        // the impostor: same issuer bytes and AKI, signature fails
        let fake = issue_with(
            &h.subca.impostor(keys::generate(KeyKind::P256).unwrap()),
            &spec,
            &key,
        )
        .unwrap();
        let f = parse(fake.der());
        assert_eq!(f.issuer().as_raw(), c.issuer().as_raw());
        assert!(f.verify_signature(Some(subca.public_key())).is_err());
        let aki = |x: &X509Certificate<'_>| {
            x.iter_extensions()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::AuthorityKeyIdentifier(a) => {
                        a.key_identifier.clone().map(|k| k.0.to_vec())
                    }
                    _ => None,
                })
                .unwrap()
        };
        assert_eq!(aki(&f), aki(&c));
    }

    #[test]
    fn lookalike_copies_names_and_key_ids() {
        let h = Hierarchy::generate(&HierarchySpec::lookalike_int().unwrap()).unwrap();
        let subca = parse(h.subca.der());
        assert_eq!(
            subca.subject().to_string(),
            "C=GB, O=nhs, OU=CA, CN=NHS INT Authentication G2"
        );
        assert_eq!(h.subca.key_id(), NHS_INT_AUTH_G2_KEY_ID.to_vec());
        assert_eq!(h.root.key_id(), NHS_PTL_ROOT_G2_KEY_ID.to_vec());
    }

    #[test]
    fn sans_csrs_and_corruption() {
        let key = keys::generate(KeyKind::P256).unwrap();
        let spec = LeafSpec::nhs("a.nhs.uk")
            .unwrap()
            .with_dns_names(["a.nhs.uk"]);
        let cert = self_signed_leaf(&spec, &key).unwrap();
        let c = parse(cert.der());
        let san = c.subject_alternative_name().unwrap().unwrap().value;
        assert_eq!(san.general_names, vec![GeneralName::DNSName("a.nhs.uk")]);
        c.verify_signature(None).unwrap();
        assert!(LeafSpec::nhs("x")
            .unwrap()
            .with_dns_names(["bad\u{e9}"])
            .params()
            .is_err());

        let req = cn_only_csr("BaRS-INT-X26.Supplier.thirdparty.nhs.uk", &key).unwrap();
        let der = req.der().to_vec();
        let (_, parsed) =
            x509_parser::certification_request::X509CertificationRequest::from_der(&der).unwrap();
        assert_eq!(
            parsed.certification_request_info.subject.to_string(),
            "CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk"
        );
        parsed.verify_signature().unwrap();
        let bad = corrupt_signature(&der);
        let (_, parsed) =
            x509_parser::certification_request::X509CertificationRequest::from_der(&bad).unwrap();
        assert!(parsed.verify_signature().is_err());
        assert_eq!(
            common_name(&names::cn_only("x.nhs.uk").unwrap()).as_deref(),
            Some("x.nhs.uk")
        );
    }

    #[test]
    fn serials_are_stable_and_positive() {
        let a = serial_for("int/root").to_bytes();
        assert_eq!(a, serial_for("int/root").to_bytes());
        assert_ne!(a, serial_for("prod/root").to_bytes());
        assert_eq!(a.len(), 16);
        assert_eq!(a[0] & 0xc0, 0x40);
    }
}
