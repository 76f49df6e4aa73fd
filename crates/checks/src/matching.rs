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
    /// SHA-256 of its public key.
    pub public_key_sha256: String,
}

/// A private key as listed by `match` (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyEntry {
    /// Where it came from (`file:…`, or the PFX holding it).
    pub source: String,
    /// SHA-256 of its public key, when it could be decoded (not for a still-encrypted key).
    pub public_key_sha256: Option<String>,
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
    // The certificates that can answer a CSR: all but the CAs that issued another
    // certificate given, and the NHS CAs (chain material, not the user's certificate).
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
    let certificates: Vec<(Certificate, Source)> = all
        .iter()
        .filter(|(c, _)| {
            let sha = &c.summary().sha256;
            !(c.summary().is_ca && issues_another(c))
                && bars_nhs::find_by_sha256(sha).is_none()
                && bars_nhs::find_other_by_sha256(sha).is_none()
        })
        .cloned()
        .collect();
    let csrs: Vec<CsrEntry> = input
        .csrs
        .iter()
        .map(|(c, s)| CsrEntry {
            source: s.to_string(),
            subject: c.summary.subject.clone(),
            public_key_sha256: c.summary.public_key_sha256.clone(),
        })
        .collect();
    let mut keys: Vec<KeyEntry> = input
        .keys
        .iter()
        .map(|(k, s)| KeyEntry {
            source: s.to_string(),
            public_key_sha256: k.summary.public_key_sha256.clone(),
        })
        .collect();
    for (p, s) in &input.pfx {
        for k in &p.keys {
            keys.push(KeyEntry {
                source: format!("{s} (in the PFX)"),
                public_key_sha256: k.summary.public_key_sha256.clone(),
            });
        }
    }

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
    let groups: Vec<MatchGroup> = order
        .iter()
        .filter_map(|pk| groups.get(pk).cloned())
        .collect();

    let mut findings = Vec::new();
    let cert_label = |i: usize| {
        certificates
            .get(i)
            .map(|(c, s)| format!("certificate {} ({s})", c.summary().subject))
            .unwrap_or_default()
    };
    let mut leftover_csrs = Vec::new();
    for (c, src) in &input.csrs {
        let what = format!("CSR {src} ({})", c.summary.subject);
        let same_key: Vec<usize> = certificates
            .iter()
            .enumerate()
            .filter(|(_, (x, _))| x.summary().public_key_sha256 == c.summary.public_key_sha256)
            .map(|(i, _)| i)
            .collect();
        if same_key.is_empty() {
            leftover_csrs.push((what, c.summary.public_key_sha256.clone()));
            continue;
        }
        let want = cn_set(&c.summary.subject_cns);
        let answered = same_key.iter().any(|&i| {
            certificates
                .get(i)
                .is_some_and(|(x, _)| cn_set(&x.summary().subject_cns) == want)
        });
        if !answered {
            let names: Vec<String> = same_key
                .iter()
                .map(|&i| {
                    let cns = certificates
                        .get(i)
                        .map(|(x, _)| x.summary().subject_cns.join(", "))
                        .unwrap_or_default();
                    format!("{} has CN {cns}", cert_label(i))
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
    }
    // Certificates no CSR asked for, against CSRs no certificate answers: the wrong pairs.
    let leftover_certs: Vec<usize> = (0..certificates.len())
        .filter(|&i| {
            certificates.get(i).is_some_and(|(x, _)| {
                !input
                    .csrs
                    .iter()
                    .any(|(c, _)| c.summary.public_key_sha256 == x.summary().public_key_sha256)
            })
        })
        .collect();
    if !leftover_certs.is_empty() {
        for (what, pk) in &leftover_csrs {
            let others: Vec<String> = leftover_certs
                .iter()
                .map(|&i| {
                    let cpk = certificates
                        .get(i)
                        .map(|(x, _)| x.summary().public_key_sha256.clone())
                        .unwrap_or_default();
                    format!("{} holds public key {cpk}", cert_label(i))
                })
                .collect();
            findings.push(csrc::CERT_MISMATCH.finding(
                None,
                format!(
                    "{what} (public key {pk}) is answered by no certificate given: {}",
                    others.join("; ")
                ),
            ));
        }
    }
    let have_public = !certificates.is_empty() || !csrs.is_empty();
    for k in &keys {
        let Some(pk) = &k.public_key_sha256 else {
            continue;
        };
        let belongs = certificates
            .iter()
            .any(|(c, _)| c.summary().public_key_sha256 == *pk)
            || csrs.iter().any(|c| c.public_key_sha256 == *pk);
        if have_public && !belongs {
            findings.push(keyc::MISMATCH.finding(
                None,
                format!(
                    "private key {} (public key {pk}) belongs to no certificate or CSR given",
                    k.source
                ),
            ));
        }
    }
    Matched {
        certificates,
        csrs,
        keys,
        groups,
        findings,
    }
}
