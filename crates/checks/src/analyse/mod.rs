//! The analysis: which certificates are leaves, the path of each (searched, then judged
//! by the one validator), and every file and chain check.
//!
//! - [`leaf`]: one leaf's environment, path and chain findings;
//! - [`names`]: the names a certificate covers and the BaRS naming rules;
//! - [`inputs`]: CSRs, keys and the inputs that could not be used.

mod fixes;
mod inputs;
mod leaf;
mod names;

use crate::catalogue::{cert as certc, chain, input as inputc, name};
use crate::given::{CheckInput, Options, Source};
use crate::path::{End, Pool};
use crate::validate::Validator;
use crate::Finding;
use bars_model::{Certificate, PublicKeySummary};
use bars_nhs::Environment;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A certificate's place in the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Role {
    /// An end-entity certificate being checked.
    Leaf,
    /// A CA below a root.
    Intermediate,
    /// A self-signed CA.
    Root,
}

/// One certificate of the analysis (its index is its position).
#[derive(Clone, Debug)]
pub struct CertEntry {
    /// The certificate.
    pub cert: Certificate,
    /// Where it came from.
    pub source: Source,
    /// Its role.
    pub role: Role,
}

/// Where the environment judged against came from (JSON `environment_source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EnvSource {
    /// `--env` (or a scan list's `env`).
    Forced,
    /// The BaRS prefix of the name judged.
    Fqdn,
    /// An NHS sub-CA (or an `--ca` CA tagged with an environment) on the path.
    Issuer,
    /// The path ends at a Mozilla root (`public` only).
    PublicRoot,
    /// Nothing decided it.
    None,
}

impl EnvSource {
    /// `forced`, `fqdn`, `issuer`, `public-root` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnvSource::Forced => "forced",
            EnvSource::Fqdn => "fqdn",
            EnvSource::Issuer => "issuer",
            EnvSource::PublicRoot => "public-root",
            EnvSource::None => "none",
        }
    }
}

/// The ids that make a path invalid when raised on one of its certificates (SPEC "JSON
/// output": what was *sent* — incomplete, order, root sent, unrelated — does not).
pub(crate) const INVALIDATING: [&str; 17] = [
    "chain.bad-signature",
    "chain.not-ca",
    "chain.path-length",
    "chain.name-constraints",
    "chain.untrusted",
    "chain.wrong-env",
    "cert.critical-extension",
    "cert.key-usage",
    "cert.malformed",
    "cert.ca-as-leaf",
    "cert.expired",
    "cert.not-yet-valid",
    "cert.weak-key",
    "cert.weak-signature",
    "cert.eku",
    "cert.self-signed",
    "revocation.revoked",
];

/// The path found for one leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainResult {
    /// Index of the leaf.
    pub leaf: usize,
    /// What was given was enough to link the leaf to its anchor (false whenever
    /// `chain.incomplete` is reported for this leaf).
    pub complete: bool,
    /// The path judged reaches a trust anchor of the environment, whatever else is wrong
    /// with it (an anchored path is what `--write-chain` writes and `pfx build` packs).
    #[serde(skip)]
    pub anchored: bool,
    /// The path judged reaches a trust anchor and no certificate on it has an error that
    /// invalidates it (see [`INVALIDATING`]).
    pub valid: bool,
    /// Name of the anchor reached, when `valid`.
    pub trusted_by: Option<String>,
    /// Certificate indices, leaf first.
    pub path: Vec<usize>,
    /// How many of `path` (from the leaf) were judged: the rest stand past the anchor (a
    /// sent root above an anchor that is an intermediate, or a sent copy of a Mozilla
    /// root) and do not change `valid`.
    #[serde(skip)]
    pub judged: usize,
}

/// Everything `analyse` found.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The environment judged against (`None`: unknown).
    pub environment: Option<Environment>,
    /// Where [`Analysis::environment`] came from.
    pub environment_source: EnvSource,
    /// Given certificates first (input order, then PFX contents), then the embedded or
    /// `--ca` certificates a path used.
    pub certificates: Vec<CertEntry>,
    /// One per leaf.
    pub chains: Vec<ChainResult>,
    /// Findings, most severe first, then by id.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// Adds findings raised outside [`analyse`] (e.g. [`crate::tls_findings`] for a
    /// probe), keeping the order most severe first and `chain.valid` true to them: a
    /// finding that invalidates a path (`revocation.revoked`) makes it invalid.
    pub fn extend_findings(&mut self, more: impl IntoIterator<Item = Finding>) {
        self.findings.extend(more);
        crate::sort_findings(&mut self.findings);
        settle_validity(&mut self.chains, &self.findings);
    }
}

pub(crate) struct Ctx<'a> {
    pub pool: Pool,
    pub validator: Validator,
    pub opts: &'a Options,
    pub input: &'a CheckInput,
    /// node -> certificate index
    index: HashMap<usize, usize>,
    order: Vec<usize>,
    pub leaves: BTreeSet<usize>,
    findings: Vec<Finding>,
    /// Positions in `findings` by certificate index.
    by_cert: HashMap<usize, Vec<usize>>,
}

impl Ctx<'_> {
    /// The certificate index of pool node `node` (given one on first use).
    pub fn idx(&mut self, node: usize) -> usize {
        if let Some(i) = self.index.get(&node) {
            return *i;
        }
        let i = self.order.len();
        self.order.push(node);
        self.index.insert(node, i);
        i
    }

    /// `certificate #i (subject)`, or `(empty subject)` when it has none.
    pub fn label(&mut self, node: usize) -> String {
        let i = self.idx(node);
        let subject = self
            .pool
            .cert(node)
            .map(|c| c.summary().subject.clone())
            .unwrap_or_default();
        if subject.is_empty() {
            format!("certificate #{i} (empty subject)")
        } else {
            format!("certificate #{i} ({subject})")
        }
    }

    pub fn add(&mut self, info: &'static crate::CheckInfo, node: Option<usize>, detail: String) {
        let idx = node.map(|n| self.idx(n));
        self.push(info.finding(idx, detail));
    }

    fn push(&mut self, f: Finding) {
        if let Some(i) = f.certificate {
            self.by_cert.entry(i).or_default().push(self.findings.len());
        }
        self.findings.push(f);
    }

    /// [`Ctx::add`] with a fix written for this case.
    pub fn add_fixed(
        &mut self,
        info: &'static crate::CheckInfo,
        node: Option<usize>,
        detail: String,
        fix: String,
    ) {
        let idx = node.map(|n| self.idx(n));
        self.push(info.finding(idx, detail).with_fix(fix));
    }

    /// The findings raised so far about pool node `node`.
    pub fn findings_on(&self, node: usize) -> impl Iterator<Item = &Finding> {
        self.index
            .get(&node)
            .and_then(|i| self.by_cert.get(i))
            .into_iter()
            .flatten()
            .filter_map(|&k| self.findings.get(k))
    }
}

fn weak_key(k: &PublicKeySummary) -> Option<String> {
    match k.algorithm.as_str() {
        "RSA" => match k.bits {
            Some(b) if b < 2048 => Some(format!("RSA {b} bits (at least 2048 needed)")),
            _ => None,
        },
        "DSA" => Some("DSA key".to_string()),
        "EC" => match k.curve.as_deref() {
            Some("P-256" | "P-384" | "P-521") => None,
            Some(c) => Some(format!(
                "EC key on curve {c} (P-256, P-384 or P-521 needed)"
            )),
            None => None,
        },
        _ => None,
    }
}

fn weak_signature(alg: &str) -> bool {
    let a = alg.to_ascii_lowercase();
    a.contains("sha1")
        || a.contains("sha-1")
        || a.contains("md5")
        || a.contains("md2")
        || a.contains("md4")
}

/// How many reasons outside the validator's rules make `c` invalid at `at` (validity
/// window, weak key, weak signature): what the path choice weighs besides the rules.
pub(crate) fn invalid_reasons(c: &Certificate, at: i64) -> usize {
    let s = c.summary();
    usize::from(s.not_after_unix < at || s.not_before_unix > at)
        + usize::from(weak_key(&s.key).is_some())
        + usize::from(!s.self_issued && weak_signature(&s.signature_algorithm))
}

/// A host name a server certificate would carry: a dotted DNS name or an IP address, in
/// a dNSName/iPAddress SAN or in the CN.
fn names_a_host(c: &Certificate) -> bool {
    let s = c.summary();
    let dotted = |n: &String| {
        n.parse::<std::net::IpAddr>().is_ok()
            || (n.contains('.') && crate::validate::dns_syntax_ok(n))
    };
    !s.ip_addresses.is_empty() || s.dns_names.iter().any(dotted) || s.subject_cns.iter().any(dotted)
}

/// SPEC "Which certificate is the leaf": the first given certificate when
/// `leaf_first` (a probe); else every given certificate that issues no other given one
/// and either is not a CA or names a host.
fn identify_leaves(pool: &Pool, given: &[usize], leaf_first: bool) -> BTreeSet<usize> {
    if leaf_first {
        return given.first().copied().into_iter().collect();
    }
    let mut issued: HashMap<&[u8], usize> = HashMap::new();
    for &j in given {
        if let Some(o) = pool.cert(j) {
            *issued.entry(o.issuer_der()).or_default() += 1;
        }
    }
    given
        .iter()
        .copied()
        .filter(|&i| {
            let Some(c) = pool.cert(i) else { return false };
            // Certificates naming c as issuer, c itself excluded when self-issued.
            let by_c = issued
                .get(c.subject_der())
                .copied()
                .unwrap_or(0)
                .saturating_sub(usize::from(c.summary().self_issued));
            by_c == 0 && (!c.summary().is_ca || names_a_host(c))
        })
        .collect()
}

/// Runs every applicable check over `input`.
pub fn analyse(input: &CheckInput, opts: &Options) -> Analysis {
    let pool = Pool::new(input, opts);
    let given: Vec<usize> = (0..pool.nodes.len())
        .filter(|i| pool.nodes.get(*i).is_some_and(|n| n.given))
        .collect();
    let leaves = identify_leaves(&pool, &given, opts.leaf_first);
    let validator = Validator::new(opts.at, opts.usage, &pool.signatures);
    let mut cx = Ctx {
        pool,
        validator,
        opts,
        input,
        index: HashMap::new(),
        order: Vec::new(),
        leaves,
        findings: Vec::new(),
        by_cert: HashMap::new(),
    };
    for &g in &given {
        cx.idx(g);
    }

    let mut chains = Vec::new();
    let mut on_path: BTreeSet<usize> = BTreeSet::new();
    let mut checked: BTreeSet<usize> = BTreeSet::new();
    let mut excused: BTreeSet<usize> = BTreeSet::new();
    let mut environment: Option<Environment> = None;
    let mut environment_source = EnvSource::None;
    let leaves: Vec<usize> = cx.leaves.iter().copied().collect();
    for (n, &leaf) in leaves.iter().enumerate() {
        let out = leaf::check_leaf(&mut cx, leaf, &mut excused);
        if n == 0 {
            environment = out.env;
            environment_source = out.source;
        }
        on_path.extend(out.result.path.iter().copied());
        on_path.extend(out.alternatives.iter().copied());
        for &p in &out.result.path {
            if checked.insert(p) {
                cert_checks(&mut cx, p);
            }
        }
        leaf::explain_refusal(&mut cx, &out);
        let path: Vec<usize> = out.result.path.iter().map(|&p| cx.idx(p)).collect();
        let leaf_idx = cx.idx(leaf);
        chains.push(ChainResult {
            leaf: leaf_idx,
            complete: out.complete,
            anchored: out.result.end == End::Anchored,
            valid: out.result.end == End::Anchored,
            trusted_by: out.result.trusted_by.clone(),
            path,
            judged: out.result.judged_len(),
        });
    }
    if leaves.is_empty() {
        let (env, source) = ca_only(&mut cx, &given, &mut checked);
        environment = env;
        environment_source = source;
    } else {
        for &g in &given {
            if !on_path.contains(&g) && !excused.contains(&g) {
                let l = cx.label(g);
                cx.add(
                    &chain::UNRELATED,
                    Some(g),
                    format!("{l} is neither a leaf nor on the path of any leaf"),
                );
            }
        }
    }
    if environment.is_none() && leaves.is_empty() && opts.env.is_none() {
        environment = input.csrs.iter().find_map(|(c, _)| {
            c.summary
                .subject_cns
                .first()
                .and_then(|cn| bars_nhs::env_from_fqdn(cn))
        });
        if environment.is_some() {
            environment_source = EnvSource::Fqdn;
        }
    }
    inputs::csr_checks(&mut cx, environment, &leaves);
    inputs::key_checks(&mut cx, &leaves);
    inputs::storage(&mut cx);
    inputs::unusable(&mut cx);
    if leaves.is_empty() && input.unreadable.is_empty() {
        if let Some(target) = &opts.expect_fqdn {
            cx.add(
                &name::HOST_MISMATCH,
                None,
                format!("no leaf certificate was given, so nothing covers {target}"),
            );
        }
    }

    let mut findings = std::mem::take(&mut cx.findings);
    crate::sort_findings(&mut findings);
    settle_validity(&mut chains, &findings);
    let certificates = cx
        .order
        .iter()
        .filter_map(|&n| {
            let node = cx.pool.node(n)?;
            let role = if cx.leaves.contains(&n) {
                Role::Leaf
            } else if cx.pool.self_signed(n) {
                Role::Root
            } else {
                Role::Intermediate
            };
            Some(CertEntry {
                cert: node.cert.clone(),
                source: node.source.clone(),
                role,
            })
        })
        .collect();
    Analysis {
        environment,
        environment_source,
        certificates,
        chains,
        findings,
    }
}

/// A path is valid only when it was anchored and nothing on its judged part invalidates
/// it; only a valid path names what trusts it.
fn settle_validity(chains: &mut [ChainResult], findings: &[Finding]) {
    let invalidated: HashSet<usize> = findings
        .iter()
        .filter(|f| INVALIDATING.contains(&f.id()))
        .filter_map(|f| f.certificate)
        .collect();
    for ch in chains {
        let judged = ch.path.get(..ch.judged.min(ch.path.len())).unwrap_or(&[]);
        let invalid = judged.iter().any(|i| invalidated.contains(i));
        if invalid {
            ch.valid = false;
        }
        if !ch.valid {
            ch.trusted_by = None;
        }
    }
}

/// SPEC `input.ca-only`: no leaf, so each given CA is checked as a CA (validity, key,
/// signature, its path to an anchor; no completeness, order or name findings).
fn ca_only(
    cx: &mut Ctx<'_>,
    given: &[usize],
    checked: &mut BTreeSet<usize>,
) -> (Option<Environment>, EnvSource) {
    let (env, source) = match cx.opts.env {
        Some(e) => (Some(e), EnvSource::Forced),
        None => match given
            .iter()
            .find_map(|&g| cx.pool.node(g).and_then(|n| n.nhs))
        {
            Some(ca) => (Some(ca.env), EnvSource::Issuer),
            None => (None, EnvSource::None),
        },
    };
    if given.is_empty() {
        return (env, source);
    }
    let count = given.len();
    cx.add(
        &inputc::CA_ONLY,
        None,
        format!(
            "{count} certificate{} given, {}: there is no leaf certificate to judge",
            if count == 1 { " was" } else { "s were" },
            if count == 1 { "a CA" } else { "all CAs" }
        ),
    );
    for &g in given {
        let result = cx.pool.search(g, env);
        for &p in &result.path {
            if checked.insert(p) {
                cert_checks(cx, p);
            }
        }
        let judgement = leaf::judge(&cx.pool, &cx.validator, &result, true, false);
        leaf::add_problems(cx, &result, &judgement);
        let self_anchor = cx.pool.is_anchor(g, env)
            || cx.pool.cert(g).is_some_and(|c| {
                cx.pool.use_embedded && crate::path::public_root_name(c).is_some()
            });
        if result.end != End::Anchored && !self_anchor {
            let l = cx.label(g);
            let end = result.path.last().copied().unwrap_or(g);
            let what = if end == g {
                format!(
                    "{l} chains to no known anchor (issuer {})",
                    leaf::issuer_of(cx, g)
                )
            } else {
                let el = cx.label(end);
                format!(
                    "the path from {l} ends at {el}, issued by {}",
                    leaf::issuer_of(cx, end)
                )
            };
            cx.add(
                &chain::UNTRUSTED,
                Some(g),
                format!("{what}, which is not one of {}", leaf::anchors_wanted(env)),
            );
        }
        leaf::bad_signatures(cx, &result, true);
    }
    (env, source)
}

/// Validity window, key strength and signature strength of one certificate.
fn cert_checks(cx: &mut Ctx<'_>, node: usize) {
    let Some(c) = cx.pool.cert(node).cloned() else {
        return;
    };
    let s = c.summary();
    let at = cx.opts.at;
    let l = cx.label(node);
    // On a CA certificate of the path the fix is the CA's current certificate, not a new
    // CSR.
    let ca_fix = (!cx.leaves.contains(&node))
        .then(|| fixes::ca_validity(cx.pool.node(node).and_then(|n| n.nhs)));
    let add = |cx: &mut Ctx<'_>, info: &'static crate::CheckInfo, detail: String| match &ca_fix {
        Some(fix) => cx.add_fixed(info, Some(node), detail, fix.clone()),
        None => cx.add(info, Some(node), detail),
    };
    if s.not_after_unix < at {
        add(
            cx,
            &certc::EXPIRED,
            format!("{l} expired on {}", s.not_after),
        );
    } else if s.not_before_unix > at {
        add(
            cx,
            &certc::NOT_YET_VALID,
            format!("{l} is valid only from {}", s.not_before),
        );
    } else if s.not_after_unix.saturating_sub(at)
        < i64::from(cx.opts.warn_days).saturating_mul(86_400)
    {
        let days = s.not_after_unix.saturating_sub(at) / 86_400;
        cx.add(
            &certc::EXPIRING_SOON,
            Some(node),
            format!(
                "{l} expires on {} ({days} day{} after {})",
                s.not_after,
                if days == 1 { "" } else { "s" },
                bars_model::rfc3339(at)
            ),
        );
    }
    if let Some(w) = weak_key(&s.key) {
        cx.add(
            &certc::WEAK_KEY,
            Some(node),
            format!("{l} has a weak key: {w}"),
        );
    }
    // An anchor's own self-signature is never judged (the legacy PROD root is SHA-1).
    if !cx.pool.self_signed(node) && weak_signature(&s.signature_algorithm) {
        cx.add(
            &certc::WEAK_SIGNATURE,
            Some(node),
            format!("{l} is signed with {}", s.signature_algorithm),
        );
    }
}

#[cfg(test)]
mod tests;
