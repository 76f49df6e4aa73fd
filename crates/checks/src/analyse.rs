//! The analysis: grouping, path building per leaf, and every file/chain check.

use crate::catalogue::{cert as certc, chain, csr as csrc, key as keyc, name, pfx as pfxc};
use crate::given::{CheckInput, Options, Source, Usage};
use crate::path::{End, PathResult, Pool};
use crate::Finding;
use bars_model::{Certificate, PublicKeySummary};
use bars_nhs::{environment_of_issuer, EnvOrOther, Environment, Generation, NameProblem};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

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
    /// The path judged reaches a trust anchor and no certificate on it has an error that
    /// invalidates it (see [`INVALIDATING`]).
    pub valid: bool,
    /// Name of the anchor reached, when `valid`.
    pub trusted_by: Option<String>,
    /// Certificate indices, leaf first.
    pub path: Vec<usize>,
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

struct Ctx<'a> {
    pool: Pool,
    opts: &'a Options,
    input: &'a CheckInput,
    /// node -> certificate index
    index: HashMap<usize, usize>,
    order: Vec<usize>,
    leaves: BTreeSet<usize>,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    fn idx(&mut self, node: usize) -> usize {
        if let Some(i) = self.index.get(&node) {
            return *i;
        }
        let i = self.order.len();
        self.order.push(node);
        self.index.insert(node, i);
        i
    }

    fn label(&mut self, node: usize) -> String {
        let i = self.idx(node);
        let subject = self
            .pool
            .cert(node)
            .map(|c| c.summary().subject.clone())
            .unwrap_or_default();
        format!("certificate #{i} ({subject})")
    }

    fn add(&mut self, info: &'static crate::CheckInfo, node: Option<usize>, detail: String) {
        let idx = node.map(|n| self.idx(n));
        self.findings.push(info.finding(idx, detail));
    }
}

/// Where the leaf's issuer places it.
#[derive(Clone, Copy, Debug)]
enum IssuerEnv {
    Nhs(Environment, &'static str),
    Other(&'static str, &'static str),
    Tagged(Environment),
}

impl IssuerEnv {
    fn env(self) -> Option<Environment> {
        match self {
            IssuerEnv::Nhs(e, _) | IssuerEnv::Tagged(e) => Some(e),
            IssuerEnv::Other(..) => None,
        }
    }
}

/// The names a certificate covers: its SAN dNSNames when it has a SAN, else its CNs.
fn covered_names(c: &Certificate) -> Vec<String> {
    let s = c.summary();
    if s.has_san {
        s.dns_names.clone()
    } else {
        s.subject_cns.clone()
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

/// Runs every applicable check over `input`.
pub fn analyse(input: &CheckInput, opts: &Options) -> Analysis {
    let pool = Pool::new(input, opts);
    let given: Vec<usize> = (0..pool.nodes.len())
        .filter(|i| pool.nodes.get(*i).is_some_and(|n| n.given))
        .collect();
    // Leaves: given non-CA certificates that issue no other given certificate.
    let mut issued: HashMap<&[u8], usize> = HashMap::new();
    for &j in &given {
        if let Some(o) = pool.cert(j) {
            *issued.entry(o.issuer_der()).or_default() += 1;
        }
    }
    let leaves: BTreeSet<usize> = given
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
            !c.summary().is_ca && (c.summary().self_issued || by_c == 0)
        })
        .collect();
    drop(issued);
    let mut cx = Ctx {
        pool,
        opts,
        input,
        index: HashMap::new(),
        order: Vec::new(),
        leaves,
        findings: Vec::new(),
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
        let (env, source, result) = check_leaf(&mut cx, leaf, &mut excused);
        if n == 0 {
            environment = env;
            environment_source = source;
        }
        on_path.extend(result.path.iter().copied());
        for &p in &result.path {
            if checked.insert(p) {
                cert_checks(&mut cx, p);
            }
        }
        let path: Vec<usize> = result.path.iter().map(|&p| cx.idx(p)).collect();
        let leaf_idx = cx.idx(leaf);
        chains.push(ChainResult {
            leaf: leaf_idx,
            complete: result.end == End::Anchored,
            valid: result.end == End::Anchored,
            trusted_by: result.trusted_by.clone(),
            path,
        });
    }
    if leaves.is_empty() {
        for &g in &given {
            cert_checks(&mut cx, g);
        }
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
    if environment.is_none() && leaves.is_empty() {
        if opts.env.is_some() {
            environment = opts.env;
            environment_source = opts.env_source;
        } else {
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
    }
    csr_checks(&mut cx, environment, &leaves);
    key_checks(&mut cx, &leaves);
    for (s, why) in &input.pfx_errors {
        cx.findings
            .push(pfxc::BAD_PASSWORD.finding(None, format!("{s}: {why}")));
    }
    for (file, why) in &input.unreadable {
        let shown = if file == "-" { "standard input" } else { file };
        cx.findings.push(
            crate::catalogue::input::UNREADABLE.finding_for_file(file, format!("{shown}: {why}")),
        );
    }

    let mut findings = std::mem::take(&mut cx.findings);
    // A path is valid only when nothing on it invalidates it; only a valid path is
    // shown as trusted.
    for ch in &mut chains {
        let invalid = findings.iter().any(|f| {
            INVALIDATING.contains(&f.id()) && f.certificate.is_some_and(|i| ch.path.contains(&i))
        });
        if invalid {
            ch.valid = false;
        }
        if !ch.valid {
            ch.trusted_by = None;
        }
    }
    crate::sort_findings(&mut findings);
    let certificates = cx
        .order
        .iter()
        .filter_map(|&n| {
            let node = cx.pool.node(n)?;
            let role = if cx.leaves.contains(&n) {
                Role::Leaf
            } else if node.cert.summary().self_issued {
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

impl Analysis {
    /// Adds findings raised outside [`analyse`] (e.g. [`crate::tls_findings`] for a
    /// probe), keeping the order most severe first.
    pub fn extend_findings(&mut self, more: impl IntoIterator<Item = Finding>) {
        self.findings.extend(more);
        crate::sort_findings(&mut self.findings);
    }
}

/// The environment of the leaf's issuer: a known NHS sub-CA, a known other-environment
/// CA, or an `--ca` CA tagged with an environment (the issuer itself, or the tagged
/// anchor the issuer's own path reaches: `--ca int:root.pem` with the sub-CA sent).
fn issuer_env(cx: &Ctx<'_>, leaf_node: usize, leaf: &Certificate) -> Option<IssuerEnv> {
    match environment_of_issuer(leaf.issuer_der()) {
        Some(EnvOrOther::Nhs { env, ca }) => return Some(IssuerEnv::Nhs(env, ca.common_name)),
        Some(EnvOrOther::Other(o)) => return Some(IssuerEnv::Other(o.label(), o.common_name)),
        _ => {}
    }
    if let Some(tag) = cx
        .pool
        .with_subject(leaf.issuer_der())
        .iter()
        .filter_map(|&i| cx.pool.node(i))
        .find_map(|n| n.extra.flatten())
    {
        return Some(IssuerEnv::Tagged(tag));
    }
    if leaf.summary().self_issued {
        return None;
    }
    let r = cx.pool.search(leaf_node, None);
    if r.end != End::Anchored || r.public {
        return None;
    }
    r.path
        .last()
        .and_then(|&a| cx.pool.anchor_tag(a))
        .map(IssuerEnv::Tagged)
}

/// "the int anchors" (or "any known anchor" when the environment is unknown).
fn anchors_wanted(env: Option<Environment>) -> String {
    env.map(|e| format!("the {} anchors", e.as_str()))
        .unwrap_or_else(|| "any known anchor".into())
}

/// The issuer DN of pool node `node`.
fn issuer_of(cx: &Ctx<'_>, node: usize) -> String {
    cx.pool
        .cert(node)
        .map(|x| x.summary().issuer.clone())
        .unwrap_or_default()
}

fn check_leaf(
    cx: &mut Ctx<'_>,
    leaf: usize,
    excused: &mut BTreeSet<usize>,
) -> (Option<Environment>, EnvSource, PathResult) {
    let Some(c) = cx.pool.cert(leaf).cloned() else {
        return (
            None,
            EnvSource::None,
            PathResult::ended(vec![leaf], End::Dangling),
        );
    };
    let s = c.summary();
    let names = covered_names(&c);
    let name_env = names.iter().find_map(|n| bars_nhs::env_from_fqdn(n));
    let iss = issuer_env(cx, leaf, &c);
    let mut env = cx.opts.env.or(name_env).or(iss.and_then(IssuerEnv::env));
    let mut source = if cx.opts.env.is_some() {
        cx.opts.env_source
    } else if name_env.is_some() {
        EnvSource::Fqdn
    } else if env.is_some() {
        EnvSource::Issuer
    } else {
        EnvSource::None
    };
    let self_signed = s.self_issued;
    let wrong_env = match iss {
        Some(IssuerEnv::Other(..)) => true,
        Some(i) => match (i.env(), env) {
            (Some(e), Some(x)) => x.is_nhs() && x != e,
            _ => false,
        },
        None => false,
    };
    let mut result = cx.pool.search(leaf, if wrong_env { None } else { env });
    if env.is_none() && result.end == End::Anchored {
        if result.public {
            env = Some(Environment::Public);
            source = EnvSource::PublicRoot;
        } else if let Some(&last) = result.path.last() {
            env = cx.pool.anchor_tag(last);
            if env.is_some() {
                source = EnvSource::Issuer;
            }
        }
    }
    let leaf_label = cx.label(leaf);

    // Environment of the chain vs the name.
    let chain_env = iss.and_then(IssuerEnv::env).or(cx.opts.env);
    if wrong_env {
        result.end = End::Dangling;
        result.trusted_by = None;
        let (what, by) = match iss {
            Some(IssuerEnv::Nhs(e, cn)) => (e.as_str().to_uppercase(), cn.to_string()),
            Some(IssuerEnv::Other(label, cn)) => (label.to_string(), cn.to_string()),
            Some(IssuerEnv::Tagged(e)) => (e.as_str().to_uppercase(), s.issuer.clone()),
            None => (String::new(), s.issuer.clone()),
        };
        let want = env
            .map(|e| e.as_str().to_uppercase())
            .unwrap_or_else(|| "INT or PROD".into());
        cx.add(
            &chain::WRONG_ENV,
            Some(leaf),
            format!("{leaf_label} is issued by {by}, a {what} CA, not by the {want} CA"),
        );
    }
    if let Some(ne) = name_env {
        let other_label = match iss {
            Some(IssuerEnv::Other(label, _)) => Some(label.to_string()),
            _ => chain_env
                .filter(|ce| *ce != ne)
                .map(|ce| ce.as_str().to_uppercase()),
        };
        if let Some(ce) = other_label {
            cx.add(
                &name::ENV_MISMATCH,
                Some(leaf),
                format!(
                    "{leaf_label} is named for {} ({}) but its chain is {ce}",
                    ne.as_str().to_uppercase(),
                    names.join(", ")
                ),
            );
        }
    }

    // Chain completeness and trust.
    if self_signed {
        cx.add(
            &certc::SELF_SIGNED,
            Some(leaf),
            format!("{leaf_label} is its own issuer"),
        );
        cx.add(
            &chain::UNTRUSTED,
            Some(leaf),
            format!("{leaf_label} is self-signed: no environment trusts it"),
        );
    } else if !wrong_env {
        let pfx_only = cx.pool.node(leaf).and_then(|n| n.pfx).filter(|&p| {
            cx.input.pfx.get(p).is_some_and(|(x, _)| {
                !x.certificates
                    .iter()
                    .any(|o| o.subject_der() == c.issuer_der())
            })
        });
        if let Some(p) = pfx_only {
            let src = cx
                .input
                .pfx
                .get(p)
                .map(|(_, s)| s.to_string())
                .unwrap_or_default();
            cx.add(
                &pfxc::NO_CHAIN,
                Some(leaf),
                format!("{src} holds {leaf_label} but not its issuer ({})", s.issuer),
            );
        }
        let last = result.path.len().saturating_sub(1);
        let missing = result.path.iter().enumerate().skip(1).find(|(i, &p)| {
            cx.pool
                .node(p)
                .is_some_and(|n| !(n.given || (*i == last && n.cert.summary().self_issued)))
        });
        let bad_on_path: Vec<(usize, usize, String)> = result
            .bad
            .iter()
            .filter(|(ch, _, _)| result.path.contains(ch))
            .cloned()
            .collect();
        if result.end != End::Anchored {
            for (ch, cand, why) in &bad_on_path {
                let cl = cx.label(*ch);
                let kl = cx.label(*cand);
                excused.insert(*cand);
                cx.add(&chain::BAD_SIGNATURE, Some(*ch), format!("{cl} names {kl} as issuer, but its signature does not verify with that key: {why}"));
            }
        }
        match (result.end, missing) {
            (_, Some((i, &m))) if !(i == 1 && pfx_only.is_some()) => {
                let ml = cx
                    .pool
                    .cert(m)
                    .map(|x| {
                        format!(
                            "{} (SHA-256 {}, {})",
                            x.summary().subject,
                            x.summary().sha256,
                            cx.pool
                                .node(m)
                                .map(|n| n.source.to_string())
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                let prev = result
                    .path
                    .get(i.saturating_sub(1))
                    .copied()
                    .unwrap_or(leaf);
                let pl = cx.label(prev);
                cx.add(
                    &chain::INCOMPLETE,
                    Some(leaf),
                    format!("the issuer of {pl} was not sent: {ml}"),
                );
            }
            (End::Anchored, _) => {}
            (End::SelfSigned, _) => {
                let root = result.path.last().copied().unwrap_or(leaf);
                let rl = cx.label(root);
                let want = anchors_wanted(env);
                cx.add(
                    &chain::UNTRUSTED,
                    Some(leaf),
                    format!("the path from {leaf_label} ends at {rl}, which is not one of {want}"),
                );
            }
            (End::TooLong, _) => {
                cx.add(
                    &chain::INCOMPLETE,
                    Some(leaf),
                    format!(
                        "the path from {leaf_label} runs past {} certificates without reaching a trusted root; bars-certcheck follows no further (TLS clients give up long before)",
                        crate::path::MAX_DEPTH
                    ),
                );
            }
            (End::Dangling, _) => {
                let end = result.path.last().copied().unwrap_or(leaf);
                if !bad_on_path.is_empty() {
                    cx.add(&chain::UNTRUSTED, Some(leaf), format!("the path from {leaf_label} reaches a look-alike CA whose signature does not verify"));
                } else if end != leaf {
                    // The certificates given form a path that ends at a CA the tool does
                    // not know: a foreign hierarchy, not a missing intermediate.
                    let el = cx.label(end);
                    let issuer = issuer_of(cx, end);
                    let want = anchors_wanted(env);
                    cx.add(
                        &chain::UNTRUSTED,
                        Some(leaf),
                        format!("the path from {leaf_label} ends at {el}, issued by {issuer}, which is not one of {want}"),
                    );
                } else if pfx_only.is_none() {
                    let el = cx.label(end);
                    let issuer = issuer_of(cx, end);
                    cx.add(
                        &chain::INCOMPLETE,
                        Some(leaf),
                        format!("the issuer of {el} was not sent and is not known: {issuer}"),
                    );
                }
            }
        }
    }

    // Order of what was given, per source.
    let mut by_source: Vec<(Source, Vec<usize>)> = Vec::new();
    for (pos, &p) in result.path.iter().enumerate() {
        if let Some(n) = cx.pool.node(p).filter(|n| n.given) {
            match by_source.iter_mut().find(|(s, _)| *s == n.source) {
                Some((_, v)) => v.push(p),
                None => by_source.push((n.source.clone(), vec![p])),
            }
            let _ = pos;
        }
    }
    for (src, nodes) in &by_source {
        // nodes are in path order; node indices follow input order within a source.
        if nodes.windows(2).any(|w| matches!(w, [a, b] if a > b)) {
            let labels: Vec<String> = nodes.iter().map(|&n| cx.label(n)).collect();
            cx.add(
                &chain::ORDER,
                Some(leaf),
                format!(
                    "{src}: path order is {}, but they are not in that order in the input",
                    labels.join(" → ")
                ),
            );
        }
    }
    // Root sent, legacy CAs.
    for (i, &p) in result.path.iter().enumerate() {
        let Some(n) = cx.pool.node(p) else { continue };
        let given = n.given;
        let nhs = n.nhs;
        if i > 0 && given && n.cert.summary().self_issued {
            let l = cx.label(p);
            cx.add(
                &chain::ROOT_SENT,
                Some(p),
                format!("{l} is a root and was sent"),
            );
        }
        if let Some(ca) = nhs.filter(|ca| ca.generation == Generation::Legacy) {
            let l = cx.label(p);
            let succ = ca
                .successor_ca()
                .map(|s| s.common_name)
                .unwrap_or("the G2 CA of the environment");
            cx.add(
                &chain::LEGACY,
                Some(p),
                format!(
                    "{l} is the retired legacy CA {}; its successor is {succ}",
                    ca.common_name
                ),
            );
        }
    }

    leaf_checks(cx, leaf, &c, env, &names);
    (env, source, result)
}

fn leaf_checks(
    cx: &mut Ctx<'_>,
    leaf: usize,
    c: &Certificate,
    env: Option<Environment>,
    names: &[String],
) {
    let s = c.summary();
    let l = cx.label(leaf);
    // EKU
    let eku = &s.extended_key_usage;
    if !eku.is_empty()
        && !eku
            .iter()
            .any(|e| e == "anyExtendedKeyUsage" || e == "2.5.29.37.0")
    {
        let has = |short: &str, oid: &str| eku.iter().any(|e| e == short || e == oid);
        let server = has("serverAuth", "1.3.6.1.5.5.7.3.1");
        let client = has("clientAuth", "1.3.6.1.5.5.7.3.2");
        let missing: Vec<&str> = match cx.opts.usage {
            Usage::Server => (!server).then_some("serverAuth").into_iter().collect(),
            Usage::Client => (!client).then_some("clientAuth").into_iter().collect(),
            _ => [
                (!server).then_some("serverAuth"),
                (!client).then_some("clientAuth"),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        if !missing.is_empty() {
            cx.add(
                &certc::EKU,
                Some(leaf),
                format!(
                    "{l} has extendedKeyUsage {} but lacks {}",
                    eku.join(", "),
                    missing.join(" and ")
                ),
            );
        }
    }
    // SAN / CN
    if !s.has_san {
        cx.add(
            &name::NO_SAN,
            Some(leaf),
            format!(
                "{l} has no subjectAltName; its name is the CN {}",
                s.subject_cns.join(", ")
            ),
        );
    } else if !s.subject_cns.is_empty() {
        let lc = |v: &[String]| {
            v.iter()
                .map(|x| x.to_ascii_lowercase())
                .collect::<BTreeSet<_>>()
        };
        let cns = lc(&s.subject_cns);
        let sans = lc(&s.dns_names);
        let lacks = cns.iter().any(|cn| !sans.contains(cn));
        // Public web certificates routinely carry several names; BaRS endpoints have one.
        let extra = env != Some(Environment::Public) && sans.iter().any(|d| !cns.contains(d));
        if lacks || extra {
            cx.add(
                &name::CN_SAN_MISMATCH,
                Some(leaf),
                format!(
                    "{l} has CN {} but SAN dNSNames [{}]",
                    s.subject_cns.join(", "),
                    s.dns_names.join(", ")
                ),
            );
        }
    }
    // Host
    if let Some(target) = cx.opts.expect_fqdn.clone().or_else(|| cx.opts.host.clone()) {
        let covered = if target.parse::<std::net::IpAddr>().is_ok() {
            s.ip_addresses
                .iter()
                .any(|ip| ip.parse::<std::net::IpAddr>().ok() == target.parse().ok())
        } else {
            names.iter().any(|n| bars_nhs::dns_name_matches(n, &target))
        };
        if !covered {
            cx.add(
                &name::HOST_MISMATCH,
                Some(leaf),
                format!("{l} covers [{}], not {target}", names.join(", ")),
            );
        }
    }
    // BaRS naming, in int and prod only.
    if let Some(e) = env.filter(|e| e.is_nhs()) {
        for n in names {
            name_rules(cx, Some(leaf), &format!("{l} names {n}"), n, e);
        }
    }
}

fn name_rules(cx: &mut Ctx<'_>, node: Option<usize>, what: &str, n: &str, env: Environment) {
    if !bars_nhs::is_under_nhs_uk(n) {
        cx.add(
            &name::NOT_NHS_UK,
            node,
            format!("{what}, which is not under nhs.uk"),
        );
        return;
    }
    match bars_nhs::parse_bars_fqdn(n) {
        Err(NameProblem::NotNhsUk) => cx.add(
            &name::NOT_NHS_UK,
            node,
            format!("{what}, which is not under nhs.uk"),
        ),
        Err(p) => {
            let p = p.to_string();
            let detail = if p.contains("expected") {
                format!("{what}: {p}")
            } else {
                format!("{what}: {p}; expected {}", bars_nhs::expected_shape(env))
            };
            cx.add(&name::FQDN_FORMAT, node, detail)
        }
        Ok(_) => {}
    }
}

fn cert_checks(cx: &mut Ctx<'_>, node: usize) {
    let Some(c) = cx.pool.cert(node).cloned() else {
        return;
    };
    let s = c.summary();
    let at = cx.opts.at;
    let l = cx.label(node);
    if s.not_after_unix < at {
        cx.add(
            &certc::EXPIRED,
            Some(node),
            format!("{l} expired on {}", s.not_after),
        );
    } else if s.not_before_unix > at {
        cx.add(
            &certc::NOT_YET_VALID,
            Some(node),
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
                "{l} expires on {} ({days} days after {})",
                s.not_after,
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
    if !s.self_issued && weak_signature(&s.signature_algorithm) {
        cx.add(
            &certc::WEAK_SIGNATURE,
            Some(node),
            format!("{l} is signed with {}", s.signature_algorithm),
        );
    }
}

fn csr_checks(cx: &mut Ctx<'_>, env: Option<Environment>, leaves: &[usize]) {
    let csrs: Vec<_> = cx
        .input
        .csrs
        .iter()
        .map(|(c, s)| (c.summary.clone(), s.clone()))
        .collect();
    for (s, src) in csrs {
        let what = format!("CSR {src} ({})", s.subject);
        let extra: Vec<String> = s
            .subject_attributes
            .iter()
            .filter(|(k, _)| k != "CN")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !extra.is_empty() {
            cx.add(
                &csrc::EXTRA_FIELDS,
                None,
                format!("{what} has {} besides the CN", extra.join(", ")),
            );
        }
        if !s.email_addresses.is_empty() {
            cx.add(
                &csrc::EMAIL,
                None,
                format!("{what} holds {}", s.email_addresses.join(", ")),
            );
        }
        if !s.signature_valid {
            cx.add(
                &csrc::BAD_SIGNATURE,
                None,
                format!(
                    "{what}: {}",
                    s.signature_error
                        .clone()
                        .unwrap_or_else(|| "signature does not verify".into())
                ),
            );
        }
        if let Some(w) = weak_key(&s.key) {
            cx.add(
                &certc::WEAK_KEY,
                None,
                format!("{what} has a weak key: {w}"),
            );
        }
        let cn_env = s
            .subject_cns
            .first()
            .and_then(|cn| bars_nhs::env_from_fqdn(cn));
        let e = cx.opts.env.or(cn_env).or(env);
        if e != Some(Environment::Public) {
            let rule_env = e.unwrap_or(Environment::Int);
            if s.subject_cns.is_empty() {
                cx.add(
                    &name::FQDN_FORMAT,
                    None,
                    format!(
                        "{what} has no CN; expected {}",
                        bars_nhs::expected_shape(rule_env)
                    ),
                );
            }
            for cn in &s.subject_cns {
                if e.is_none() {
                    // No environment: either BaRS shape will do.
                    if !bars_nhs::is_under_nhs_uk(cn) {
                        cx.add(
                            &name::NOT_NHS_UK,
                            None,
                            format!("{what} names {cn}, which is not under nhs.uk"),
                        );
                    } else if let Err(p) = bars_nhs::parse_bars_fqdn(cn) {
                        cx.add(
                            &name::FQDN_FORMAT,
                            None,
                            format!(
                                "{what} names {cn}: {p}; expected {}",
                                bars_nhs::expected_shape(Environment::Public)
                            ),
                        );
                    }
                } else {
                    name_rules(cx, None, &format!("{what} names {cn}"), cn, rule_env);
                    if let (Some(ce), Some(want)) = (cn_env, e) {
                        if ce != want {
                            cx.add(&name::FQDN_FORMAT, None, format!("{what} names {cn}, a {} name, but the environment is {}; expected {}", ce.as_str().to_uppercase(), want.as_str().to_uppercase(), bars_nhs::expected_shape(want)));
                        }
                    }
                }
            }
        }
        // The certificate for this CSR.
        let by_key: Vec<usize> = leaves
            .iter()
            .copied()
            .filter(|&l| {
                cx.pool
                    .cert(l)
                    .is_some_and(|c| c.summary().public_key_sha256 == s.public_key_sha256)
            })
            .collect();
        if let Some(&l) = by_key.first() {
            let c = cx
                .pool
                .cert(l)
                .map(|c| c.summary().subject_cns.clone())
                .unwrap_or_default();
            let same = c
                .iter()
                .map(|x| x.to_ascii_lowercase())
                .eq(s.subject_cns.iter().map(|x| x.to_ascii_lowercase()));
            if !same {
                let ll = cx.label(l);
                cx.add(
                    &csrc::CERT_MISMATCH,
                    Some(l),
                    format!(
                        "{ll} has the CSR's key but CN {} where {what} asks for {}",
                        c.join(", "),
                        s.subject_cns.join(", ")
                    ),
                );
            }
        } else if let [l] = leaves {
            let ll = cx.label(*l);
            let pk = cx
                .pool
                .cert(*l)
                .map(|c| c.summary().public_key_sha256.clone())
                .unwrap_or_default();
            cx.add(
                &csrc::CERT_MISMATCH,
                Some(*l),
                format!(
                    "{ll} holds public key {pk}, {what} holds {}",
                    s.public_key_sha256
                ),
            );
        }
    }
}

fn key_checks(cx: &mut Ctx<'_>, leaves: &[usize]) {
    // Keys that could not be opened cannot be matched: say so instead of keeping quiet.
    let locked: Vec<(String, String)> = cx
        .input
        .keys
        .iter()
        .filter(|(k, _)| k.summary.encrypted && k.summary.public_key_sha256.is_none())
        .map(|(k, s)| {
            (
                format!("private key {s} ({})", k.summary.format),
                "it is encrypted and no password was given".to_string(),
            )
        })
        .chain(
            cx.input
                .locked_keys
                .iter()
                .map(|(s, why)| (format!("private key {s}"), why.clone())),
        )
        .collect();
    for (what, why) in locked {
        cx.add(
            &keyc::LOCKED,
            None,
            format!(
                "{what} could not be opened: {why}; it was not matched to any certificate or CSR"
            ),
        );
    }
    let mut keys: Vec<(Option<String>, String)> = cx
        .input
        .keys
        .iter()
        .map(|(k, s)| {
            (
                k.summary.public_key_sha256.clone(),
                format!("private key {s}"),
            )
        })
        .collect();
    for (p, s) in &cx.input.pfx {
        for k in &p.keys {
            keys.push((
                k.summary.public_key_sha256.clone(),
                format!("private key in {s}"),
            ));
        }
    }
    let cert_keys: BTreeSet<String> = cx
        .pool
        .nodes
        .iter()
        .filter(|n| n.given)
        .map(|n| n.cert.summary().public_key_sha256.clone())
        .collect();
    let csr_keys: BTreeSet<String> = cx
        .input
        .csrs
        .iter()
        .map(|(c, _)| c.summary.public_key_sha256.clone())
        .collect();
    if cert_keys.is_empty() && csr_keys.is_empty() {
        return;
    }
    for (pk, what) in keys {
        let Some(pk) = pk else { continue };
        if cert_keys.contains(&pk) || csr_keys.contains(&pk) {
            continue;
        }
        let target = match leaves {
            [l] => Some(*l),
            _ => None,
        };
        let against = match target {
            Some(l) => {
                let ll = cx.label(l);
                let lk = cx
                    .pool
                    .cert(l)
                    .map(|c| c.summary().public_key_sha256.clone())
                    .unwrap_or_default();
                format!("{ll} (public key SHA-256 {lk})")
            }
            None => "any certificate or CSR given".to_string(),
        };
        cx.add(
            &keyc::MISMATCH,
            target,
            format!("{what} (public key SHA-256 {pk}) does not belong to {against}"),
        );
    }
}
