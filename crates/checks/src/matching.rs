//! `match`: which certificates, CSRs, keys and PFX contents belong together. Two items
//! belong together when they hold the same public key (SubjectPublicKeyInfo SHA-256); a
//! certificate answers a CSR when it also carries the CSR's CN. No private key is needed.

use crate::catalogue::{csr as csrc, key as keyc};
use crate::given::{CheckInput, Source};
use crate::Finding;
use bars_model::Certificate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One public key and everything given that holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchGroup {
    /// SHA-256 of the SubjectPublicKeyInfo.
    pub public_key_sha256: String,
    /// Indexes into [`Matched::certificates`].
    pub certificates: Vec<usize>,
    /// Indexes into [`Matched::csrs`].
    pub csrs: Vec<usize>,
    /// Indexes into [`Matched::keys`].
    pub keys: Vec<usize>,
}

/// A CSR as listed by `match`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CsrEntry {
    /// Where it came from.
    pub source: String,
    /// Its subject.
    pub subject: String,
    /// Its public key's algorithm and size.
    pub key: bars_model::PublicKeySummary,
    /// SHA-256 of its public key.
    pub public_key_sha256: String,
    /// Its signature algorithm.
    pub signature_algorithm: String,
    /// Its self-signature verifies.
    pub signature_valid: bool,
}

/// A private key as listed by `match` (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyEntry {
    /// Where it came from (`file:…`, or the PFX holding it).
    pub source: String,
    /// Container format (`PKCS#8`, `encrypted PKCS#8`, …).
    pub format: String,
    /// Stored encrypted.
    pub encrypted: bool,
    /// Algorithm and size, when the key could be decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<bars_model::PublicKeySummary>,
    /// SHA-256 of its public key, when it could be decoded (not for a still-encrypted key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_sha256: Option<String>,
}

impl KeyEntry {
    /// The entry for a key read from `source`.
    fn new(source: String, s: &bars_model::KeySummary) -> Self {
        KeyEntry {
            source,
            format: s.format.clone(),
            encrypted: s.encrypted,
            key: s.key.clone(),
            public_key_sha256: s.public_key_sha256.clone(),
        }
    }
}

/// The result of matching.
#[derive(Clone, Debug)]
pub struct Matched {
    /// End-entity certificates given (files and PFX contents), in input order.
    pub certificates: Vec<(Certificate, Source)>,
    /// CSRs in input order.
    pub csrs: Vec<CsrEntry>,
    /// Keys in input order (files, then PFX contents).
    pub keys: Vec<KeyEntry>,
    /// One group per public key, in order of first appearance.
    pub groups: Vec<MatchGroup>,
    /// `csr.cert-mismatch` and `key.mismatch` findings naming the wrong pairs.
    pub findings: Vec<Finding>,
}

fn group<'a>(
    groups: &'a mut BTreeMap<String, MatchGroup>,
    order: &mut Vec<String>,
    pk: &str,
) -> &'a mut MatchGroup {
    if !groups.contains_key(pk) {
        order.push(pk.to_string());
    }
    groups.entry(pk.to_string()).or_insert_with(|| MatchGroup {
        public_key_sha256: pk.to_string(),
        certificates: Vec::new(),
        csrs: Vec::new(),
        keys: Vec::new(),
    })
}

fn cn_set(v: &[String]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_ascii_lowercase()).collect();
    v.sort();
    v
}

/// Groups everything in `input` by public key and names what does not pair up: a CSR no
/// certificate answers (other key, or same key but another CN), a key that belongs to no
/// certificate or CSR given.
pub fn match_up(input: &CheckInput) -> Matched {
    let certificates = answering_certificates(input);
    let (csrs, keys) = entries(input);
    let groups = groups(&certificates, &csrs, &keys);
    let mut findings = csr_findings(input, &certificates);
    findings.extend(key_findings(&certificates, &csrs, &keys));
    // SPEC: key files given to `match` are judged for storage as in `check`.
    for detail in input.keys_in_the_clear() {
        findings.push(keyc::UNENCRYPTED.finding(None, detail));
    }
    Matched {
        certificates,
        csrs,
        keys,
        groups,
        findings,
    }
}

/// The certificates that can answer a CSR (files and PFX contents): all but the CAs that
/// issued another certificate given, and the NHS CAs (chain material, not the user's
/// certificate).
fn answering_certificates(input: &CheckInput) -> Vec<(Certificate, Source)> {
    let all: Vec<(Certificate, Source)> = input
        .certificates
        .iter()
        .cloned()
        .chain(
            input
                .pfx
                .iter()
                .flat_map(|(p, s)| p.certificates.iter().map(move |c| (c.clone(), s.clone()))),
        )
        .collect();
    let issues_another = |c: &Certificate| {
        all.iter().any(|(o, _)| {
            o.issuer_der() == c.subject_der() && o.summary().sha256 != c.summary().sha256
        })
    };
    all.iter()
        .filter(|(c, _)| {
            let sha = &c.summary().sha256;
            !(c.summary().is_ca && issues_another(c))
                && bars_nhs::find_by_sha256(sha).is_none()
                && bars_nhs::find_other_by_sha256(sha).is_none()
        })
        .cloned()
        .collect()
}

/// The CSRs and keys as `match` lists them (keys from files, then from PFX archives).
fn entries(input: &CheckInput) -> (Vec<CsrEntry>, Vec<KeyEntry>) {
    let csrs = input
        .csrs
        .iter()
        .map(|(c, s)| CsrEntry {
            source: s.to_string(),
            subject: c.summary.subject.clone(),
            key: c.summary.key.clone(),
            public_key_sha256: c.summary.public_key_sha256.clone(),
            signature_algorithm: c.summary.signature_algorithm.clone(),
            signature_valid: c.summary.signature_valid,
        })
        .collect();
    let mut keys: Vec<KeyEntry> = input
        .keys
        .iter()
        .map(|(k, s)| KeyEntry::new(s.to_string(), &k.summary))
        .collect();
    for (p, s) in &input.pfx {
        keys.extend(
            p.keys
                .iter()
                .map(|k| KeyEntry::new(format!("{s} (in the PFX)"), &k.summary)),
        );
    }
    (csrs, keys)
}

/// One group per public key, in order of first appearance.
fn groups(
    certificates: &[(Certificate, Source)],
    csrs: &[CsrEntry],
    keys: &[KeyEntry],
) -> Vec<MatchGroup> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, MatchGroup> = BTreeMap::new();
    for (i, (c, _)) in certificates.iter().enumerate() {
        group(&mut groups, &mut order, &c.summary().public_key_sha256)
            .certificates
            .push(i);
    }
    for (i, c) in csrs.iter().enumerate() {
        group(&mut groups, &mut order, &c.public_key_sha256)
            .csrs
            .push(i);
    }
    for (i, k) in keys.iter().enumerate() {
        if let Some(pk) = &k.public_key_sha256 {
            group(&mut groups, &mut order, pk).keys.push(i);
        }
    }
    order
        .iter()
        .filter_map(|pk| groups.get(pk).cloned())
        .collect()
}

fn cert_label(certificates: &[(Certificate, Source)], i: usize) -> String {
    certificates
        .get(i)
        .map(|(c, s)| format!("certificate {} ({s})", c.summary().subject))
        .unwrap_or_default()
}

/// `csr.cert-mismatch`: a certificate with the CSR's key but another CN, and, when
/// certificates nobody asked for remain, each CSR no certificate holds the key of.
fn csr_findings(input: &CheckInput, certificates: &[(Certificate, Source)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut unanswered = Vec::new();
    for (c, src) in &input.csrs {
        let what = format!("CSR {src} ({})", c.summary.subject);
        let same_key: Vec<usize> = certificates
            .iter()
            .enumerate()
            .filter(|(_, (x, _))| x.summary().public_key_sha256 == c.summary.public_key_sha256)
            .map(|(i, _)| i)
            .collect();
        if same_key.is_empty() {
            unanswered.push((what, c.summary.public_key_sha256.clone()));
            continue;
        }
        let want = cn_set(&c.summary.subject_cns);
        let cns_of = |i: usize| {
            certificates
                .get(i)
                .map(|(x, _)| x.summary().subject_cns.clone())
        };
        if same_key
            .iter()
            .any(|&i| cns_of(i).is_some_and(|v| cn_set(&v) == want))
        {
            continue;
        }
        let names: Vec<String> = same_key
            .iter()
            .map(|&i| {
                let cns = cns_of(i).unwrap_or_default().join(", ");
                format!("{} has CN {cns}", cert_label(certificates, i))
            })
            .collect();
        findings.push(csrc::CERT_MISMATCH.finding(
            None,
            format!(
                "{what} asks for CN {} but {}",
                c.summary.subject_cns.join(", "),
                names.join("; ")
            ),
        ));
    }
    // Certificates no CSR asked for, against CSRs no certificate answers: the wrong pairs.
    let asked_for = |x: &Certificate| {
        input
            .csrs
            .iter()
            .any(|(c, _)| c.summary.public_key_sha256 == x.summary().public_key_sha256)
    };
    let leftover: Vec<String> = certificates
        .iter()
        .enumerate()
        .filter(|(_, (x, _))| !asked_for(x))
        .map(|(i, (x, _))| {
            format!(
                "{} holds public key {}",
                cert_label(certificates, i),
                x.summary().public_key_sha256
            )
        })
        .collect();
    if !leftover.is_empty() {
        for (what, pk) in &unanswered {
            findings.push(csrc::CERT_MISMATCH.finding(
                None,
                format!(
                    "{what} (public key {pk}) is answered by no certificate given: {}",
                    leftover.join("; ")
                ),
            ));
        }
    }
    findings
}

/// `key.mismatch`: a private key that belongs to no certificate or CSR given (when any
/// was given).
fn key_findings(
    certificates: &[(Certificate, Source)],
    csrs: &[CsrEntry],
    keys: &[KeyEntry],
) -> Vec<Finding> {
    if certificates.is_empty() && csrs.is_empty() {
        return Vec::new();
    }
    keys.iter()
        .filter_map(|k| {
            let pk = k.public_key_sha256.as_ref()?;
            let belongs = certificates
                .iter()
                .any(|(c, _)| c.summary().public_key_sha256 == *pk)
                || csrs.iter().any(|c| c.public_key_sha256 == *pk);
            (!belongs).then(|| {
                keyc::MISMATCH.finding(
                    None,
                    format!(
                        "private key {} (public key {pk}) belongs to no certificate or CSR given",
                        k.source
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_model::{Csr, PrivateKey};

    /// A self-signed certificate for `cn`, a CSR for `csr_cn` with the same key, and the
    /// key.
    fn triple(cn: &str, csr_cn: &str) -> (Certificate, Csr, PrivateKey) {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = |cn: &str| {
            let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            p.distinguished_name = rcgen::DistinguishedName::new();
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
            p
        };
        let cert = params(cn).self_signed(&key).unwrap();
        let csr = params(csr_cn).serialize_request(&key).unwrap();
        (
            Certificate::from_der(cert.der()).unwrap(),
            Csr::from_der(csr.der()).unwrap(),
            PrivateKey::from_pkcs8_der(&key.serialize_der()).unwrap(),
        )
    }

    fn input(certs: &[&Certificate], csrs: &[&Csr], keys: &[&PrivateKey]) -> CheckInput {
        let f = |n: &str| Source::File(n.into());
        CheckInput {
            certificates: certs.iter().map(|c| ((*c).clone(), f("c"))).collect(),
            csrs: csrs.iter().map(|c| ((*c).clone(), f("r"))).collect(),
            keys: keys.iter().map(|k| ((*k).clone(), f("k"))).collect(),
            ..CheckInput::default()
        }
    }

    fn ids(m: &Matched) -> Vec<&'static str> {
        m.findings.iter().map(Finding::id).collect()
    }

    #[test]
    fn a_certificate_its_csr_and_its_key_make_one_group() {
        let (c, r, k) = triple("a.nhs.uk", "a.nhs.uk");
        let m = match_up(&input(&[&c], &[&r], &[&k]));
        // Nothing wrong; the key file in the clear is said (info), as `check` says it.
        assert_eq!(ids(&m), ["key.unencrypted"], "{:?}", m.findings);
        assert_eq!(m.groups.len(), 1);
        assert_eq!(
            (
                m.groups[0].certificates.len(),
                m.groups[0].csrs.len(),
                m.groups[0].keys.len()
            ),
            (1, 1, 1)
        );
    }

    #[test]
    fn the_same_key_under_another_cn_does_not_answer_the_csr() {
        let (c, r, _) = triple("a.nhs.uk", "b.nhs.uk");
        let m = match_up(&input(&[&c], &[&r], &[]));
        assert_eq!(ids(&m), ["csr.cert-mismatch"]);
        assert!(m.findings[0].detail.contains("asks for CN b.nhs.uk"));
    }

    #[test]
    fn wrong_pairs_and_stray_keys_are_named() {
        let (c1, _, _) = triple("a.nhs.uk", "a.nhs.uk");
        let (_, r2, k2) = triple("b.nhs.uk", "b.nhs.uk");
        let (_, _, k3) = triple("c.nhs.uk", "c.nhs.uk");
        let m = match_up(&input(&[&c1], &[&r2], &[&k2, &k3]));
        assert_eq!(
            ids(&m),
            [
                "csr.cert-mismatch",
                "key.mismatch",
                "key.unencrypted",
                "key.unencrypted"
            ]
        );
        assert!(m.findings[0]
            .detail
            .contains("is answered by no certificate given"));
        // A key alone is nothing to match, but its storage is judged.
        let m = match_up(&input(&[], &[], &[&k3]));
        assert_eq!(ids(&m), ["key.unencrypted"]);
        assert!(
            m.findings[0].detail.contains("the key in k (PKCS#8)"),
            "{:?}",
            m.findings
        );
    }
}
