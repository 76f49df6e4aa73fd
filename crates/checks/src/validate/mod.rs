//! The one validator: what a TLS client accepts (rustls-webpki, as the BaRS proxy's
//! stack and browsers do) plus exactly the profile rules of SPEC "One validator".
//!
//! The path search (`crate::path`) proposes a path — leaf first, ending at an anchor
//! when one was reached — and [`Validator::judge`] judges exactly that path:
//! - webpki verifies it (signatures, validity, basicConstraints and path length of every
//!   issuer, name constraints, unknown critical extensions, extended key usage): its
//!   verdict stands;
//! - the rules of [`rules`] say *everything* that is wrong, one finding each: webpki
//!   stops at the first problem, a person fixing a certificate wants them all. Rules
//!   webpki applies itself are reported only when webpki refuses the path, so they can
//!   never turn an accepted path into a refused one; the profile rules always are;
//! - a refusal no rule explains is reported under webpki's own error (see
//!   [`webpki_finding`]), so a path webpki refuses is never shown as valid.
//!
//! Legacy signatures (SHA-1, RSA-1024) are verified rather than refused, so that the
//! path is judged to its end and the weakness is reported as `cert.weak-signature` /
//! `cert.weak-key` (which make the path invalid), not as a bad signature.

// webpki still returns the deprecated context-free variants in places; match them all.
#![allow(deprecated)]

mod algs;
mod rules;

pub(crate) use algs::{remember_issued, tlv, Verified};
pub(crate) use rules::dns_syntax_ok;
use rules::Place;

use crate::catalogue::{cert, chain};
use crate::given::Usage;
use crate::CheckInfo;
use bars_model::Certificate;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;
use webpki::{EndEntityCert, KeyPurposeId, KeyPurposeIdIter, KeyUsage, RequiredEkuNotFoundContext};

/// What ends the path judged.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Anchor<'a> {
    /// The last certificate of the path is the trust anchor.
    Last,
    /// A Mozilla root (webpki-roots) that is not among the certificates.
    Mozilla(&'a TrustAnchor<'static>),
    /// No anchor was reached: webpki is not run, and every rule is reported.
    None,
}

/// One broken rule on the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    /// Position in the path (0 is the leaf).
    pub pos: usize,
    /// The finding kind.
    pub kind: &'static CheckInfo,
    /// What is wrong (the caller prefixes the certificate's label).
    pub detail: String,
}

/// The judgement of one path.
#[derive(Debug)]
pub(crate) struct Judgement {
    /// The rules broken (see the module documentation for which are kept).
    pub problems: Vec<Problem>,
    /// webpki's verdict: `None` when it was not run (no anchor, or a lone CA), else its
    /// errors, the first as webpki reported it and then those it reported once the time
    /// or the key usage that stopped it was set aside (empty: accepted).
    pub webpki: Option<Vec<webpki::Error>>,
}

impl Judgement {
    /// webpki accepted the path.
    pub fn accepted(&self) -> bool {
        matches!(&self.webpki, Some(e) if e.is_empty())
    }
}

/// Judges paths at one time for one usage. What does not depend on the path (the
/// signature algorithms, the rules of a CA certificate at a given place, signatures
/// already verified) is computed once: a check of 10,000 leaves under one sub-CA judges
/// the sub-CA once.
pub(crate) struct Validator {
    algs: Vec<algs::Remembering>,
    at: i64,
    usage: Usage,
    /// The rules broken by a certificate (by SHA-256) at a place, webpki's read error
    /// included.
    rules: RefCell<HashMap<(String, Place), Vec<rules::Broken>>>,
}

impl Validator {
    /// A validator judging at `at` (Unix seconds) a leaf that must allow `usage`,
    /// trusting the signatures in `verified` as already verified.
    pub fn new(at: i64, usage: Usage, verified: &Verified) -> Validator {
        Validator {
            algs: algs::remembering(verified),
            at,
            usage,
            rules: RefCell::new(HashMap::new()),
        }
    }

    /// The rules `c` breaks at `place` (`webpki_reads`: webpki reads it as an end entity
    /// or intermediate, so its read errors count).
    fn broken(&self, c: &Certificate, place: Place, webpki_reads: bool) -> Vec<rules::Broken> {
        let key = (c.summary().sha256.clone(), place);
        if let Some(b) = self.rules.borrow().get(&key) {
            return b.clone();
        }
        let mut found = match c.parsed() {
            Some(x) => rules::check(&x, place, self.usage),
            None => vec![rules::Broken {
                kind: &cert::MALFORMED,
                detail: "it cannot be parsed as an X.509 certificate".into(),
                webpki: false,
            }],
        };
        if webpki_reads {
            let der = CertificateDer::from(c.der());
            if let Err(e) = EndEntityCert::try_from(&der) {
                // An unknown critical extension already has its own rule.
                let kind = webpki_finding(&e);
                if !found.iter().any(|b| explains(b.kind, kind)) {
                    found.push(rules::Broken {
                        kind,
                        detail: format!("rustls-webpki cannot read it: {}", error_text(&e)),
                        webpki: true,
                    });
                }
            }
        }
        self.rules.borrow_mut().insert(key, found.clone());
        found
    }

    /// Judges `path` (leaf first) ending at `anchor`. With `lone_ca` the first
    /// certificate is a CA checked on its own (`input.ca-only`), not a leaf. With
    /// `cn_is_name` the leaf's CN is its name when it has no SAN (SPEC "Names": every
    /// environment but public), so the CAs' DNS name constraints apply to it too.
    pub fn judge(
        &self,
        path: &[&Certificate],
        anchor: Anchor<'_>,
        lone_ca: bool,
        cn_is_name: bool,
    ) -> Judgement {
        let n = path.len();
        let anchor = match anchor {
            Anchor::Last if n < 2 => Anchor::None,
            a => a,
        };
        // Positions below the anchor: those webpki reads as end entity or intermediates.
        let below = match anchor {
            Anchor::Last => n - 1,
            _ => n,
        };
        let mut found: Vec<(usize, rules::Broken)> = Vec::new();
        for (pos, c) in path.iter().enumerate() {
            let place = match (pos, anchor) {
                (0, _) if lone_ca => Place::LoneCa,
                (0, _) => Place::Leaf,
                (p, Anchor::Last) if p == n - 1 => Place::Anchor,
                (p, _) => Place::Issuer { below: p - 1 },
            };
            let webpki_reads = pos < below && !lone_ca;
            found.extend(
                self.broken(c, place, webpki_reads)
                    .into_iter()
                    .map(|b| (pos, b)),
            );
        }
        if cn_is_name && !lone_ca {
            if let Some(b) = cn_name_constraints(path) {
                found.push((0, b));
            }
        }
        let webpki = match anchor {
            Anchor::None => None,
            _ if lone_ca => None,
            a => Some(self.webpki_errors(path, a)),
        };
        let refused = !matches!(&webpki, Some(e) if e.is_empty());
        let problems = found
            .into_iter()
            .filter(|(_, b)| refused || !b.webpki)
            .map(|(pos, b)| Problem {
                pos,
                kind: b.kind,
                detail: b.detail,
            })
            .collect();
        Judgement { problems, webpki }
    }

    /// webpki's errors on `path`: the first, then (at most two more) after setting aside
    /// a validity problem (judged again at a time every certificate of the path is valid)
    /// and a key usage problem (judged again accepting any usage).
    fn webpki_errors(&self, path: &[&Certificate], anchor: Anchor<'_>) -> Vec<webpki::Error> {
        let mut errors: Vec<webpki::Error> = Vec::new();
        let mut at = self.at;
        let mut any_usage = false;
        for _ in 0..3 {
            match self.run_webpki(path, anchor, at, any_usage) {
                Ok(()) => break,
                Err(e) => {
                    let next = match &e {
                        webpki::Error::CertExpired { .. }
                        | webpki::Error::CertNotValidYet { .. } => {
                            common_validity(path).filter(|t| *t != at).map(|t| at = t)
                        }
                        webpki::Error::RequiredEkuNotFound
                        | webpki::Error::RequiredEkuNotFoundContext(_)
                            if !any_usage =>
                        {
                            any_usage = true;
                            Some(())
                        }
                        _ => None,
                    };
                    if !errors.contains(&e) {
                        errors.push(e);
                    }
                    if next.is_none() {
                        break;
                    }
                }
            }
        }
        errors
    }

    fn run_webpki(
        &self,
        path: &[&Certificate],
        anchor: Anchor<'_>,
        at: i64,
        any_usage: bool,
    ) -> Result<(), webpki::Error> {
        let Some((leaf, rest)) = path.split_first() else {
            return Err(webpki::Error::UnknownIssuer);
        };
        let leaf_der = CertificateDer::from(leaf.der());
        let ee = EndEntityCert::try_from(&leaf_der)?;
        let (intermediates, anchor_der): (&[&Certificate], Option<CertificateDer<'_>>) =
            match anchor {
                Anchor::Last => match rest.split_last() {
                    Some((a, mid)) => (mid, Some(CertificateDer::from(a.der()))),
                    None => return Err(webpki::Error::UnknownIssuer),
                },
                _ => (rest, None),
            };
        let anchors: Vec<TrustAnchor<'_>> = match (&anchor_der, anchor) {
            (Some(der), _) => vec![webpki::anchor_from_trusted_cert(der)?],
            (None, Anchor::Mozilla(ta)) => vec![ta.clone()],
            _ => return Err(webpki::Error::UnknownIssuer),
        };
        let inters: Vec<CertificateDer<'_>> = intermediates
            .iter()
            .map(|c| CertificateDer::from(c.der()))
            .collect();
        let secs = u64::try_from(at).map_err(|_| webpki::Error::BadDerTime)?;
        let time = UnixTime::since_unix_epoch(Duration::from_secs(secs));
        let usage = Purposes {
            usage: self.usage,
            any: any_usage,
        };
        let algs: Vec<&dyn SignatureVerificationAlgorithm> = self
            .algs
            .iter()
            .map(|a| a as &dyn SignatureVerificationAlgorithm)
            .collect();
        ee.verify_for_usage(&algs, &anchors, &inters, time, usage, None, None)
            .map(|_| ())
    }
}

/// SPEC `chain.name-constraints` for the CN "when it is the name used": a leaf with no
/// SAN is named by its CN, which every CA's DNS name constraints then bind (webpki reads
/// only the SAN; openssl checks a host-name CN too).
fn cn_name_constraints(path: &[&Certificate]) -> Option<rules::Broken> {
    let (leaf, cas) = path.split_first()?;
    let s = leaf.summary();
    if s.has_san {
        return None;
    }
    for cn in s
        .subject_cns
        .iter()
        .filter(|cn| dns_syntax_ok(cn) && cn.contains('.'))
    {
        for ca in cas {
            let Some(x) = ca.parsed() else { continue };
            if let Some(why) = rules::dns_constraints_refuse(&x, cn) {
                return Some(rules::Broken {
                    kind: &chain::NAME_CONSTRAINTS,
                    detail: format!(
                        "its name is its CN {cn} (it has no subjectAltName), which {why} of {}",
                        ca.summary().subject
                    ),
                    webpki: false,
                });
            }
        }
    }
    None
}

/// A time at which every certificate of `path` is valid, when one exists (the latest
/// notBefore).
fn common_validity(path: &[&Certificate]) -> Option<i64> {
    let from = path.iter().map(|c| c.summary().not_before_unix).max()?;
    let to = path.iter().map(|c| c.summary().not_after_unix).min()?;
    (from <= to && from >= 0).then_some(from)
}

/// The purposes the leaf (and every issuer with an EKU extension) must list: serverAuth,
/// clientAuth or both; `any` accepts whatever is listed (a second look past a usage
/// problem already reported).
struct Purposes {
    usage: Usage,
    any: bool,
}

const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];

impl webpki::ExtendedKeyUsageValidator for Purposes {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut present = Vec::new();
        for id in iter {
            present.push(id?);
        }
        if present.is_empty() || self.any {
            return Ok(());
        }
        let required: &[&[u8]] = match self.usage {
            Usage::Server => &[SERVER_AUTH],
            Usage::Client => &[CLIENT_AUTH],
            _ => &[SERVER_AUTH, CLIENT_AUTH],
        };
        match required
            .iter()
            .find(|oid| !present.contains(&KeyPurposeId::new(oid)))
        {
            None => Ok(()),
            Some(missing) => Err(webpki::Error::RequiredEkuNotFoundContext(
                RequiredEkuNotFoundContext {
                    required: KeyUsage::required_if_present(missing),
                    present: present.iter().map(|p| p.to_decoded_oid()).collect(),
                },
            )),
        }
    }
}

/// webpki's error as one short phrase (its `Debug` names the variant; the context
/// variants carry values a person does not need).
pub(crate) fn error_text(e: &webpki::Error) -> String {
    match e {
        webpki::Error::CertExpired { .. } => "CertExpired".into(),
        webpki::Error::CertNotValidYet { .. } => "CertNotValidYet".into(),
        webpki::Error::RequiredEkuNotFoundContext(_) => "RequiredEkuNotFound".into(),
        webpki::Error::UnsupportedSignatureAlgorithmContext(_) => {
            "UnsupportedSignatureAlgorithm".into()
        }
        webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "UnsupportedSignatureAlgorithmForPublicKey".into()
        }
        webpki::Error::CertNotValidForName(_) => "CertNotValidForName".into(),
        other => format!("{other:?}"),
    }
}

/// The finding kind for a webpki refusal that no rule explained.
pub(crate) fn webpki_finding(e: &webpki::Error) -> &'static CheckInfo {
    use webpki::Error as E;
    match e {
        E::CertExpired { .. } => &cert::EXPIRED,
        E::CertNotValidYet { .. } => &cert::NOT_YET_VALID,
        E::CaUsedAsEndEntity => &cert::CA_AS_LEAF,
        E::EndEntityUsedAsCa => &chain::NOT_CA,
        E::PathLenConstraintViolated => &chain::PATH_LENGTH,
        E::NameConstraintViolation => &chain::NAME_CONSTRAINTS,
        E::UnsupportedCriticalExtension => &cert::CRITICAL_EXTENSION,
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => &cert::EKU,
        E::InvalidSignatureForPublicKey => &chain::BAD_SIGNATURE,
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => &cert::WEAK_SIGNATURE,
        E::UnknownIssuer => &chain::UNTRUSTED,
        _ => &cert::MALFORMED,
    }
}

/// Whether a finding of `have` already explains a refusal webpki reports as `want`:
/// the same kind, or the two kinds an unprocessed critical extension can be reported
/// under (a critical AKI or SKI is a profile rule, `cert.malformed`).
///
/// A signature or issuer error is explained by any finding that invalidates the path:
/// the search verified every signature of the path judged, so webpki met that error on
/// another path it tried among the same certificates (webpki reports its highest-ranked
/// error over every dead end).
pub(crate) fn explains(have: &CheckInfo, want: &CheckInfo) -> bool {
    let crit = |k: &CheckInfo| k.id == cert::CRITICAL_EXTENSION.id || k.id == cert::MALFORMED.id;
    let elsewhere = want.id == chain::BAD_SIGNATURE.id || want.id == chain::UNTRUSTED.id;
    (elsewhere && crate::analyse::INVALIDATING.contains(&have.id))
        || have.id == want.id
        || (crit(have) && crit(want))
        || (want.id == cert::WEAK_SIGNATURE.id && have.id == cert::WEAK_KEY.id)
}

#[cfg(test)]
mod tests;
