//! The certificate pool (given, embedded, `--ca`) and path building from a leaf to an
//! anchor: issuer-subject DER equality, AKI/SKI agreement when both are present, and a
//! verified signature; depth-first with a budget, never revisiting a certificate.

use crate::given::{CheckInput, Options, Source};
use bars_model::{Certificate, SignatureError};
use bars_nhs::{CaRole, Environment, NhsCa};
use std::collections::{HashMap, HashSet};

/// Most signature verifications one search may spend.
const BUDGET: usize = 200;
/// Longest path considered (leaf included); longer chains are refused by every TLS client.
pub(crate) const MAX_DEPTH: usize = 16;

/// One certificate known to the analysis.
#[derive(Debug)]
pub(crate) struct Node {
    pub cert: Certificate,
    pub source: Source,
    /// Sent, in the user's files or in a PFX.
    pub given: bool,
    /// Index of the PFX (in `CheckInput::pfx`) it came from.
    pub pfx: Option<usize>,
    /// The embedded INT/PROD CA it is (by SHA-256).
    pub nhs: Option<&'static NhsCa>,
    /// Given with `--ca`: `Some(tag)`.
    pub extra: Option<Option<Environment>>,
    /// An `--ca` certificate that is a trust anchor (self-signed, or an intermediate
    /// whose issuer the tool does not hold: partial-chain trust).
    pub extra_anchor: bool,
}

/// How a search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// At an anchor of the environment.
    Anchored,
    /// At a self-signed certificate that is not an anchor.
    SelfSigned,
    /// At a certificate whose issuer is not held (or none verified).
    Dangling,
    /// The path reached [`MAX_DEPTH`] certificates without reaching an anchor.
    TooLong,
}

/// The outcome of one search.
#[derive(Clone, Debug)]
pub(crate) struct PathResult {
    /// Node indices, leaf first.
    pub path: Vec<usize>,
    pub end: End,
    /// Name of the anchor (CN, else DN) when anchored.
    pub trusted_by: Option<String>,
    /// Anchored at a Mozilla root (not itself in `path`, or the last node).
    pub public: bool,
    /// (child, candidate issuer, reason) for name-matching issuers whose signature failed.
    pub bad: Vec<(usize, usize, String)>,
}

impl PathResult {
    /// A path that ends as `end`, not (yet) at a named anchor.
    pub fn ended(path: Vec<usize>, end: End) -> PathResult {
        PathResult {
            path,
            end,
            trusted_by: None,
            public: false,
            bad: Vec::new(),
        }
    }

    /// A path anchored at `name` (a Mozilla root when `public`).
    fn anchored(path: Vec<usize>, name: Option<String>, public: bool) -> PathResult {
        PathResult {
            path,
            end: End::Anchored,
            trusted_by: name,
            public,
            bad: Vec::new(),
        }
    }
}

pub(crate) struct Pool {
    pub nodes: Vec<Node>,
    pub use_embedded: bool,
    /// Node indices by subject Name DER (issuer lookups are O(1), not a scan: a check of
    /// 10,000 files stays linear).
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
}

fn sha(c: &Certificate) -> &str {
    &c.summary().sha256
}

impl Pool {
    pub fn new(input: &CheckInput, opts: &Options) -> Pool {
        let mut nodes: Vec<Node> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut push = |nodes: &mut Vec<Node>,
                        cert: &Certificate,
                        source: &Source,
                        given: bool,
                        pfx: Option<usize>,
                        extra: Option<Option<Environment>>| {
            let h = sha(cert).to_string();
            if !seen.insert(h.clone()) {
                // Already held: an --ca copy of a given certificate marks it.
                if let Some(tag) = extra {
                    if let Some(n) = nodes.iter_mut().find(|n| sha(&n.cert) == h) {
                        n.extra = Some(tag);
                    }
                }
                return;
            }
            nodes.push(Node {
                cert: cert.clone(),
                source: source.clone(),
                given,
                pfx,
                nhs: bars_nhs::find_by_sha256(&h),
                extra,
                extra_anchor: false,
            });
        };
        for (c, s) in &input.certificates {
            push(&mut nodes, c, s, true, None, None);
        }
        for (i, (p, s)) in input.pfx.iter().enumerate() {
            for c in &p.certificates {
                push(&mut nodes, c, s, true, Some(i), None);
            }
        }
        for x in &opts.extra_cas {
            let source = x
                .source
                .clone()
                .unwrap_or_else(|| Source::CaOption(x.path.clone()));
            push(&mut nodes, &x.cert, &source, false, None, Some(x.env));
        }
        if opts.use_embedded {
            for ca in bars_nhs::EMBEDDED {
                if let Ok(c) = ca.certificate() {
                    push(&mut nodes, c, &Source::Embedded, false, None, None);
                }
            }
            for ca in bars_nhs::KNOWN_OTHER {
                if let Ok(c) = ca.certificate() {
                    push(&mut nodes, c, &Source::Embedded, false, None, None);
                }
            }
        }
        // An --ca certificate is an anchor when self-signed, or when nothing the tool
        // holds outside the given set issued it (the user trusts that intermediate).
        // A fetched certificate is never an anchor: anyone can serve one.
        let mut by_subject: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            by_subject
                .entry(n.cert.subject_der().to_vec())
                .or_default()
                .push(i);
        }
        let anchors: Vec<bool> = nodes
            .iter()
            .map(|n| {
                n.extra.is_some()
                    && !matches!(n.source, Source::Fetched(_))
                    && (n.cert.summary().self_issued
                        || !by_subject.get(n.cert.issuer_der()).is_some_and(|v| {
                            v.iter().any(|&m| nodes.get(m).is_some_and(|m| !m.given))
                        }))
            })
            .collect();
        for (n, a) in nodes.iter_mut().zip(anchors) {
            n.extra_anchor = a;
        }
        Pool {
            nodes,
            use_embedded: opts.use_embedded,
            by_subject,
        }
    }

    /// The nodes whose subject is `name` (DER), in pool order.
    pub fn with_subject(&self, name: &[u8]) -> &[usize] {
        self.by_subject.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    pub fn cert(&self, i: usize) -> Option<&Certificate> {
        self.nodes.get(i).map(|n| &n.cert)
    }

    /// Is node `i` a trust anchor for `env` (`None`: for any environment)?
    pub fn is_anchor(&self, i: usize, env: Option<Environment>) -> bool {
        let Some(n) = self.nodes.get(i) else {
            return false;
        };
        if self.use_embedded {
            if let Some(ca) = n.nhs {
                if ca.role == CaRole::Root && env.is_none_or(|e| e == ca.env) {
                    return true;
                }
            }
        }
        if n.extra_anchor {
            if let Some(tag) = n.extra {
                return tag.is_none() || env.is_none() || tag == env;
            }
        }
        false
    }

    /// The environment an `--ca` anchor was tagged with.
    pub fn anchor_tag(&self, i: usize) -> Option<Environment> {
        self.nodes.get(i).and_then(|n| n.extra.flatten())
    }

    /// Searches a path from `leaf` to an anchor of `env` (`None`: any anchor; Mozilla
    /// roots count for `None` and `Public`).
    pub fn search(&self, leaf: usize, env: Option<Environment>) -> PathResult {
        let mut st = Search {
            pool: self,
            env,
            budget: BUDGET,
            best: None,
            fallback: None,
            bad: Vec::new(),
        };
        let mut path = vec![leaf];
        st.walk(&mut path);
        let bad = std::mem::take(&mut st.bad);
        let mut r = st
            .best
            .or(st.fallback)
            .unwrap_or_else(|| PathResult::ended(vec![leaf], End::Dangling));
        r.bad = bad;
        r
    }
}

struct Search<'a> {
    pool: &'a Pool,
    env: Option<Environment>,
    budget: usize,
    best: Option<PathResult>,
    fallback: Option<PathResult>,
    bad: Vec<(usize, usize, String)>,
}

impl Search<'_> {
    fn record(&mut self, path: &[usize], end: End) {
        let longer = self.fallback.as_ref().is_none_or(|f| {
            path.len() > f.path.len() || (f.end == End::Dangling && end == End::SelfSigned)
        });
        if longer {
            self.fallback = Some(PathResult::ended(path.to_vec(), end));
        }
    }

    fn walk(&mut self, path: &mut Vec<usize>) -> bool {
        let Some(&cur) = path.last() else {
            return false;
        };
        let Some(c) = self.pool.cert(cur) else {
            return false;
        };
        let depth = path.len();
        if depth > 1 && self.pool.is_anchor(cur, self.env) {
            self.best = Some(PathResult::anchored(
                path.clone(),
                Some(display_name(c)),
                false,
            ));
            return true;
        }
        let self_issued = c.summary().self_issued;
        let public_ok = matches!(self.env, None | Some(Environment::Public));
        if public_ok && depth > 1 {
            if let Some(name) = public_root_name(c) {
                self.best = Some(PathResult::anchored(path.clone(), Some(name), true));
                return true;
            }
        }
        if public_ok && !(depth == 1 && self_issued) {
            // A Mozilla root that was sent ends the path at itself (chain.root-sent), not
            // one step before it.
            let held_root = self
                .pool
                .with_subject(c.issuer_der())
                .iter()
                .copied()
                .filter_map(|j| self.pool.node(j).map(|n| (j, n)))
                .find(|(j, n)| {
                    !path.contains(j)
                        && public_root_name(&n.cert).is_some()
                        && c.verify_issued_by(&n.cert).is_ok()
                });
            if let Some((j, n)) = held_root {
                let name = public_root_name(&n.cert);
                path.push(j);
                self.best = Some(PathResult::anchored(path.clone(), name, true));
                return true;
            }
            if let Some(name) = public_root_for(c) {
                self.best = Some(PathResult::anchored(path.clone(), Some(name), true));
                return true;
            }
        }
        if self_issued {
            self.record(path, End::SelfSigned);
            return false;
        }
        if depth >= MAX_DEPTH {
            self.record(path, End::TooLong);
            return false;
        }
        let mut any = false;
        let candidates = self.pool.with_subject(c.issuer_der());
        for &j in candidates {
            let Some(n) = self.pool.node(j) else { continue };
            if path.contains(&j) {
                continue;
            }
            if let (Some(aki), Some(ski)) = (
                &c.summary().authority_key_id,
                &n.cert.summary().subject_key_id,
            ) {
                if aki != ski {
                    continue;
                }
            }
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            match c.verify_issued_by(&n.cert) {
                Ok(()) | Err(SignatureError::Unsupported(_)) => {
                    any = true;
                    path.push(j);
                    if self.walk(path) {
                        return true;
                    }
                    path.pop();
                }
                Err(e) => self.bad.push((cur, j, e.to_string())),
            }
        }
        if !any {
            self.record(path, End::Dangling);
        }
        false
    }
}

/// The certificate's CN, else its DN.
pub(crate) fn display_name(c: &Certificate) -> String {
    c.summary()
        .subject_cns
        .first()
        .cloned()
        .unwrap_or_else(|| c.summary().subject.clone())
}

/// Contents of a DER TLV (tag and length stripped).
fn der_contents(bytes: &[u8]) -> Option<&[u8]> {
    let first = *bytes.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in bytes.get(2..2 + n)? {
            len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
        }
        (len, 2 + n)
    };
    bytes.get(hdr..hdr.checked_add(len)?)
}

/// Wraps `contents` in a DER SEQUENCE.
fn der_sequence(contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(contents);
    out
}

/// The CN (else the DN) of a Mozilla root.
fn trust_anchor_name(ta: &rustls_pki_types::TrustAnchor<'_>) -> String {
    let subject = der_sequence(ta.subject.as_ref());
    <x509_parser::x509::X509Name<'_> as x509_parser::prelude::FromDer<
        '_,
        x509_parser::error::X509Error,
    >>::from_der(&subject)
    .ok()
    .map(|(_, n)| {
        bars_model::name_common_names(&n)
            .into_iter()
            .next()
            .unwrap_or_else(|| bars_model::dn_to_rfc4514(&n))
    })
    .unwrap_or_else(|| "a Mozilla root".to_string())
}

/// When `c` was issued (signature verified) by a Mozilla root, that root's name.
pub(crate) fn public_root_for(c: &Certificate) -> Option<String> {
    let issuer = der_contents(c.issuer_der())?;
    for ta in webpki_roots::TLS_SERVER_ROOTS {
        if ta.subject.as_ref() != issuer {
            continue;
        }
        let spki = der_sequence(ta.subject_public_key_info.as_ref());
        if bars_model::verify_signature(
            &spki,
            c.signature_algorithm_der(),
            c.tbs_der(),
            c.signature_value(),
        )
        .is_ok()
        {
            return Some(trust_anchor_name(ta));
        }
    }
    None
}

/// When `c` is itself a Mozilla root (same name and key), its name.
pub(crate) fn public_root_name(c: &Certificate) -> Option<String> {
    let subject = der_contents(c.subject_der())?;
    let spki = der_contents(c.spki_der())?;
    webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .find(|ta| ta.subject.as_ref() == subject && ta.subject_public_key_info.as_ref() == spki)
        .map(trust_anchor_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_helpers_round_trip() {
        for len in [0usize, 5, 127, 128, 300, 70000] {
            let body = vec![7u8; len];
            let w = der_sequence(&body);
            assert_eq!(der_contents(&w), Some(body.as_slice()));
        }
        assert_eq!(der_contents(&[0x30]), None);
        assert_eq!(der_contents(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(der_contents(&[0x30, 0x05, 1]), None);
    }
}
