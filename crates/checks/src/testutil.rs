//! Test PKIs made with rcgen for the unit tests of the validator and the analysis.

use bars_model::Certificate;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
};

/// The time the tests judge at (2027-01-15).
pub(crate) const AT: i64 = 1_800_000_000;

/// A CA: its certificate and what signs with its key.
pub(crate) struct Ca {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub cert: Certificate,
}

impl Ca {
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

fn dated(p: &mut CertificateParams) {
    p.not_before = rcgen::date_time_ymd(2026, 1, 1);
    p.not_after = rcgen::date_time_ymd(2030, 1, 1);
}

/// CA parameters: cA TRUE with `pathlen` (None: unconstrained), keyCertSign.
pub(crate) fn ca_params(cn: &str, pathlen: Option<u8>) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(match pathlen {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = true;
    dated(&mut p);
    p
}

fn cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("rcgen makes parseable certificates")
}

/// A self-signed root.
pub(crate) fn root(cn: &str) -> Ca {
    let key = KeyPair::generate().expect("key");
    let params = ca_params(cn, None);
    let c = params.self_signed(&key).expect("root");
    Ca {
        cert: cert(c.der()),
        params,
        key,
    }
}

/// A CA issued by `by` from `params`, with a new key (or `key`).
pub(crate) fn ca_with(params: CertificateParams, by: &Ca, key: Option<KeyPair>) -> Ca {
    let key = key.unwrap_or_else(|| KeyPair::generate().expect("key"));
    let c = params.signed_by(&key, &by.issuer()).expect("sub-CA");
    Ca {
        cert: cert(c.der()),
        params,
        key,
    }
}

/// A CA named `cn` issued by `by`.
pub(crate) fn sub(cn: &str, by: &Ca, pathlen: Option<u8>) -> Ca {
    ca_with(ca_params(cn, pathlen), by, None)
}

/// A CA constrained to the permitted dNSName subtree `permitted`.
pub(crate) fn constrained(cn: &str, by: &Ca, permitted: &str) -> Ca {
    let mut p = ca_params(cn, None);
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName(permitted.to_string())],
        excluded_subtrees: Vec::new(),
    });
    ca_with(p, by, None)
}

/// Server leaf parameters: CN and SAN `name` (no SAN when `name` has no dot), serverAuth,
/// digitalSignature, AKI.
pub(crate) fn leaf_params(cn: &str, sans: &[&str]) -> CertificateParams {
    let mut p = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .expect("names");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.use_authority_key_identifier_extension = true;
    p.is_ca = IsCa::ExplicitNoCa;
    dated(&mut p);
    p
}

/// A leaf issued by `by` from `params`.
pub(crate) fn leaf_with(params: &CertificateParams, by: &Ca) -> Certificate {
    let key = KeyPair::generate().expect("key");
    cert(params.signed_by(&key, &by.issuer()).expect("leaf").der())
}

/// A server leaf for `name` (in the SAN and the CN) issued by `by`.
pub(crate) fn leaf(name: &str, by: &Ca) -> Certificate {
    leaf_with(&leaf_params(name, &[name]), by)
}

/// An unknown extension (OID 1.3.6.1.4.1.99999.1), critical or not.
pub(crate) fn unknown_extension(critical: bool) -> CustomExtension {
    let mut e = CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
    e.set_criticality(critical);
    e
}
