//! The certificate pool (given, embedded, `--ca`) and path building from a leaf to an
//! anchor: issuer-subject DER equality, AKI/SKI agreement when both are present, and a
//! verified signature; depth-first with a budget, never revisiting a certificate.

use crate::given::{CheckInput, Options, Source};
use bars_model::{Certificate, SignatureError};
use bars_nhs::{CaRole, Environment, NhsCa};
use rustls_pki_types::TrustAnchor;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

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
    /// Downloaded by `--fetch-missing` (never an anchor).
    pub fetched: bool,
    /// Given with `--ca` (or fetched): `Some(tag)`.
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

/// The trust anchor a path reached.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AnchorAt {
    /// The path's certificate at this position (a pool node).
    Node(usize),
    /// A Mozilla root (webpki-roots) standing after position `.0` of the path (its
    /// issuer); a copy of the root sent after it, if any, is part of the path past the
    /// anchor.
    Mozilla(usize, &'static TrustAnchor<'static>),
}

/// The outcome of one search.
#[derive(Clone, Debug)]
pub(crate) struct PathResult {
    /// Node indices, leaf first; past the anchor only certificates that were given or
    /// are anchors themselves (SPEC "Path search").
    pub path: Vec<usize>,
    pub end: End,
    /// Where the path is trusted from, when anchored.
    pub anchor: Option<AnchorAt>,
    /// Name of the anchor (CN, else DN) when anchored.
    pub trusted_by: Option<String>,
    /// Anchored at a Mozilla root.
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
            anchor: None,
            trusted_by: None,
            public: false,
            bad: Vec::new(),
        }
    }

    /// The positions of the path judged by the validator: up to and including the
    /// anchor's node (or, for a Mozilla root, its issuer's child).
    pub fn judged_len(&self) -> usize {
        match self.anchor {
            Some(AnchorAt::Node(p) | AnchorAt::Mozilla(p, _)) => p + 1,
            None => self.path.len(),
        }
    }
}

pub(crate) struct Pool {
    pub nodes: Vec<Node>,
    pub use_embedded: bool,
    /// Node indices by subject Name DER (issuer lookups are O(1), not a scan: a check of
    /// 10,000 files stays linear).
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
    /// Signature checks already made, by (child, issuer) node.
    verified: RefCell<HashMap<(usize, usize), Result<(), SignatureError>>>,
    /// The signatures verified, shared with the validator (webpki does not verify them
    /// again).
    pub signatures: crate::validate::Verified,
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
                if let (Some(tag), false) = (extra, matches!(source, Source::Fetched(_))) {
                    if let Some(n) = nodes.iter_mut().find(|n| sha(&n.cert) == h) {
                        n.extra = Some(tag);
                        n.fetched = false;
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
                fetched: matches!(source, Source::Fetched(_)),
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
        let mut by_subject: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            by_subject
                .entry(n.cert.subject_der().to_vec())
                .or_default()
                .push(i);
        }
        let mut pool = Pool {
            nodes,
            use_embedded: opts.use_embedded,
            by_subject,
            verified: RefCell::new(HashMap::new()),
            signatures: crate::validate::Verified::default(),
        };
        // SPEC "Trust anchors": in int/prod an --ca intermediate is an anchor only when
        // no root above it is known (the tool holds no known issuer of it); in public
        // every --ca certificate is. A fetched certificate never is: anyone can serve one.
        let anchors: Vec<bool> = (0..pool.nodes.len())
            .map(|i| {
                pool.nodes.get(i).is_some_and(|n| {
                    n.extra.is_some()
                        && !n.fetched
                        && (n.cert.summary().self_issued
                            || n.extra == Some(Some(Environment::Public))
                            || !pool.known_issuer(i))
                })
            })
            .collect();
        for (n, a) in pool.nodes.iter_mut().zip(anchors) {
            n.extra_anchor = a;
        }
        pool
    }

    /// The tool knows (embedded, or `--ca`; not merely sent, not fetched) a certificate
    /// that verifiably issued node `i`.
    fn known_issuer(&self, i: usize) -> bool {
        let Some(c) = self.cert(i) else { return false };
        self.with_subject(c.issuer_der()).iter().any(|&m| {
            m != i
                && self.node(m).is_some_and(|n| {
                    !n.fetched
                        && (n.extra.is_some()
                            || (self.use_embedded && n.nhs.is_some())
                            || matches!(n.source, Source::Embedded))
                })
                && self.verify(i, m).is_ok()
        })
    }

    /// Whether node `child`'s signature verifies with node `issuer`'s key (remembered).
    pub fn verify(&self, child: usize, issuer: usize) -> Result<(), SignatureError> {
        if let Some(r) = self.verified.borrow().get(&(child, issuer)) {
            return r.clone();
        }
        let r = match (self.cert(child), self.cert(issuer)) {
            (Some(c), Some(i)) => {
                let r = c.verify_issued_by(i);
                if r.is_ok() {
                    crate::validate::remember_issued(&self.signatures, c, i);
                }
                r
            }
            _ => Err(SignatureError::Malformed("no such certificate".into())),
        };
        self.verified
            .borrow_mut()
            .insert((child, issuer), r.clone());
        r
    }

    /// Node `i` is self-signed: self-issued, and its own key verifies its signature.
    pub fn self_signed(&self, i: usize) -> bool {
        self.cert(i).is_some_and(|c| c.summary().self_issued)
            && !matches!(self.verify(i, i), Err(SignatureError::Invalid))
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

    /// Mozilla roots count as anchors for `env` (`None` or public, unless
    /// `--no-embedded-ca`).
    fn mozilla_ok(&self, env: Option<Environment>) -> bool {
        self.use_embedded && matches!(env, None | Some(Environment::Public))
    }

    /// The first path from `leaf` to an anchor of `env` (`None`: any anchor; Mozilla
    /// roots count for `None` and `Public`), else the longest dead end.
    pub fn search(&self, leaf: usize, env: Option<Environment>) -> PathResult {
        self.search_paths(leaf, env, |_| ControlFlow::Break(()))
    }

    /// Every path from `leaf` to an anchor of `env`, in search order (given certificates
    /// before known ones), each handed to `visit` until it breaks (at most
    /// [`MAX_CANDIDATES`]). Returns the path `visit` broke on, else the last anchored one
    /// offered, else the longest dead end.
    pub fn search_paths(
        &self,
        leaf: usize,
        env: Option<Environment>,
        mut visit: impl FnMut(&PathResult) -> ControlFlow<()>,
    ) -> PathResult {
        let mut st = Search {
            pool: self,
            env,
            budget: BUDGET,
            candidates: 0,
            chosen: None,
            last: None,
            fallback: None,
            bad: Vec::new(),
            visit: &mut visit,
        };
        let mut path = vec![leaf];
        st.walk(&mut path);
        let bad = std::mem::take(&mut st.bad);
        let mut r = st
            .chosen
            .or(st.last)
            .or(st.fallback)
            .unwrap_or_else(|| PathResult::ended(vec![leaf], End::Dangling));
        r.bad = bad;
        r
    }
}

/// Most anchored paths offered to the caller for one leaf.
const MAX_CANDIDATES: usize = 16;

struct Search<'a, 'v> {
    pool: &'a Pool,
    env: Option<Environment>,
    budget: usize,
    candidates: usize,
    /// The path the visitor broke on.
    chosen: Option<PathResult>,
    /// The last anchored path offered.
    last: Option<PathResult>,
    fallback: Option<PathResult>,
    bad: Vec<(usize, usize, String)>,
    visit: &'v mut dyn FnMut(&PathResult) -> ControlFlow<()>,
}

impl Search<'_, '_> {
    fn record(&mut self, path: &[usize], end: End) {
        let longer = self.fallback.as_ref().is_none_or(|f| {
            path.len() > f.path.len() || (f.end == End::Dangling && end == End::SelfSigned)
        });
        if longer {
            self.fallback = Some(PathResult::ended(path.to_vec(), end));
        }
    }

    /// Offers an anchored path; true when the search is over.
    fn offer(&mut self, r: PathResult) -> bool {
        self.candidates += 1;
        let done = (self.visit)(&r).is_break();
        if done {
            self.chosen = Some(r);
        } else {
            self.last = Some(r);
        }
        done || self.candidates >= MAX_CANDIDATES
    }

    /// The verified issuers of node `cur` among the pool (AKI/SKI agreeing when both are
    /// present), not already on `path`; failed signatures are remembered in `bad`.
    fn issuers(&mut self, cur: usize, path: &[usize]) -> Vec<usize> {
        let Some(c) = self.pool.cert(cur) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &j in self.pool.with_subject(c.issuer_der()) {
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
            match self.pool.verify(cur, j) {
                Ok(()) | Err(SignatureError::Unsupported(_)) => out.push(j),
                Err(e) => self.bad.push((cur, j, e.to_string())),
            }
        }
        out
    }

    /// Past the anchor at the end of `path`: its issuers that were given or are anchors
    /// themselves, so that what was sent is still judged (a sent root is root-sent).
    fn extend_past_anchor(&mut self, path: &mut Vec<usize>) {
        while path.len() < MAX_DEPTH {
            let Some(&cur) = path.last() else { return };
            if self.pool.self_signed(cur) {
                return;
            }
            let next = self.issuers(cur, path).into_iter().find(|&j| {
                self.pool
                    .node(j)
                    .is_some_and(|n| n.given || self.pool.is_anchor(j, self.env))
            });
            match next {
                Some(j) => path.push(j),
                None => return,
            }
        }
    }

    /// Depth-first from the end of `path`; true when the search is over.
    fn walk(&mut self, path: &mut Vec<usize>) -> bool {
        let Some(&cur) = path.last() else {
            return false;
        };
        let Some(c) = self.pool.cert(cur) else {
            return false;
        };
        let depth = path.len();
        if depth > 1 && self.pool.is_anchor(cur, self.env) {
            let mut full = path.clone();
            self.extend_past_anchor(&mut full);
            let r = PathResult {
                path: full,
                end: End::Anchored,
                anchor: Some(AnchorAt::Node(depth - 1)),
                trusted_by: Some(display_name(c)),
                public: false,
                bad: Vec::new(),
            };
            return self.offer(r);
        }
        // Self-signed, not merely self-issued: a key-rollover intermediate (same name,
        // signed by the old key) is not a root, and the path goes on above it.
        let self_signed = self.pool.self_signed(cur);
        if self.pool.mozilla_ok(self.env) && !(depth == 1 && self_signed) {
            // A Mozilla root: the anchor is webpki-roots' copy. One that was sent stays
            // on the path past the anchor (chain.root-sent).
            let held = if depth > 1 { mozilla_root_of(c) } else { None };
            if let Some((ta, name)) = held {
                let mut full = path.clone();
                full.pop();
                let at = full.len().saturating_sub(1);
                full.push(cur);
                let r = PathResult {
                    path: full,
                    end: End::Anchored,
                    anchor: Some(AnchorAt::Mozilla(at, ta)),
                    trusted_by: Some(name),
                    public: true,
                    bad: Vec::new(),
                };
                return self.offer(r);
            }
            if let Some((ta, name)) = public_root_for(c) {
                let mut full = path.clone();
                // A copy of the root sent after this certificate is part of the path.
                let sent = self
                    .pool
                    .with_subject(c.issuer_der())
                    .iter()
                    .copied()
                    .find(|&j| {
                        !path.contains(&j)
                            && self.pool.node(j).is_some_and(|n| n.given)
                            && self
                                .pool
                                .cert(j)
                                .is_some_and(|r| mozilla_root_of(r).is_some())
                            && self.pool.verify(cur, j).is_ok()
                    });
                full.extend(sent);
                let r = PathResult {
                    path: full,
                    end: End::Anchored,
                    anchor: Some(AnchorAt::Mozilla(depth - 1, ta)),
                    trusted_by: Some(name),
                    public: true,
                    bad: Vec::new(),
                };
                if self.offer(r) {
                    return true;
                }
            }
        }
        if self_signed {
            self.record(path, End::SelfSigned);
            return false;
        }
        if depth >= MAX_DEPTH {
            self.record(path, End::TooLong);
            return false;
        }
        let issuers = self.issuers(cur, path);
        if issuers.is_empty() {
            self.record(path, End::Dangling);
        }
        for j in issuers {
            path.push(j);
            let over = self.walk(path);
            path.pop();
            if over {
                return true;
            }
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
    crate::validate::tlv(bytes).map(|(contents, _)| contents)
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

/// When `c` was issued (signature verified) by a Mozilla root: that root and its name.
pub(crate) fn public_root_for(c: &Certificate) -> Option<(&'static TrustAnchor<'static>, String)> {
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
            return Some((ta, trust_anchor_name(ta)));
        }
    }
    None
}

/// When `c` is itself a Mozilla root (same name and key): that root and its name.
pub(crate) fn mozilla_root_of(c: &Certificate) -> Option<(&'static TrustAnchor<'static>, String)> {
    let subject = der_contents(c.subject_der())?;
    let spki = der_contents(c.spki_der())?;
    webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .find(|ta| ta.subject.as_ref() == subject && ta.subject_public_key_info.as_ref() == spki)
        .map(|ta| (ta, trust_anchor_name(ta)))
}

/// When `c` is itself a Mozilla root (same name and key), its name.
pub(crate) fn public_root_name(c: &Certificate) -> Option<String> {
    mozilla_root_of(c).map(|(_, name)| name)
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
