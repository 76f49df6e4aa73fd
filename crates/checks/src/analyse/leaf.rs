//! One leaf: its environment, the path judged for it, and the chain findings.

use super::{fixes, invalid_reasons, names, Ctx, EnvSource};
use crate::catalogue::{cert as certc, chain, name, pfx as pfxc};
use crate::given::Source;
use crate::path::{AnchorAt, End, PathResult, Pool};
use crate::validate::{self, Anchor, Judgement, Validator};
use bars_model::Certificate;
use bars_nhs::{environment_of_issuer, EnvOrOther, Environment, Generation};
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// What [`check_leaf`] decided for one leaf.
pub(super) struct LeafOutcome {
    pub env: Option<Environment>,
    pub source: EnvSource,
    /// The path judged.
    pub result: PathResult,
    /// The validator's judgement of it.
    pub judgement: Judgement,
    /// No `chain.incomplete` was raised.
    pub complete: bool,
    /// Every certificate on any path considered (an alternative path's certificates are
    /// not unrelated).
    pub alternatives: BTreeSet<usize>,
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
    match r.anchor {
        Some(AnchorAt::Node(p)) if r.end == End::Anchored => r
            .path
            .get(p)
            .and_then(|&a| cx.pool.anchor_tag(a))
            .map(IssuerEnv::Tagged),
        _ => None,
    }
}

/// "the int anchors" (or "any known anchor" when the environment is unknown).
pub(super) fn anchors_wanted(env: Option<Environment>) -> String {
    env.map(|e| format!("the {} anchors", e.as_str()))
        .unwrap_or_else(|| "any known anchor".into())
}

/// The issuer DN of pool node `node`.
pub(super) fn issuer_of(cx: &Ctx<'_>, node: usize) -> String {
    cx.pool
        .cert(node)
        .map(|x| x.summary().issuer.clone())
        .unwrap_or_default()
}

/// The validator's judgement of the judged part of `r` (`cn_is_name`: see
/// [`Validator::judge`]).
pub(super) fn judge(
    pool: &Pool,
    validator: &Validator,
    r: &PathResult,
    lone_ca: bool,
    cn_is_name: bool,
) -> Judgement {
    let certs: Vec<&Certificate> = r
        .path
        .iter()
        .take(r.judged_len())
        .filter_map(|&p| pool.cert(p))
        .collect();
    let anchor = match r.anchor {
        Some(AnchorAt::Mozilla(_, ta)) => Anchor::Mozilla(ta),
        Some(AnchorAt::Node(_)) if r.end == End::Anchored => Anchor::Last,
        _ => Anchor::None,
    };
    validator.judge(&certs, anchor, lone_ca, cn_is_name)
}

/// SPEC "Path search": every anchored path is judged; the first valid one wins, else the
/// one with the fewest reasons to be invalid (the first of those), else the longest dead
/// end.
fn choose_path(
    cx: &Ctx<'_>,
    leaf: usize,
    env: Option<Environment>,
) -> (PathResult, Judgement, BTreeSet<usize>) {
    let at = cx.opts.at;
    let cn_is_name = env != Some(Environment::Public);
    let mut best: Option<(usize, PathResult, Judgement)> = None;
    let mut alternatives = BTreeSet::new();
    let searched = cx.pool.search_paths(leaf, env, |cand| {
        alternatives.extend(cand.path.iter().copied());
        let j = judge(&cx.pool, &cx.validator, cand, false, cn_is_name);
        let others: usize = cand
            .path
            .iter()
            .take(cand.judged_len())
            .filter_map(|&p| cx.pool.cert(p))
            .map(|c| invalid_reasons(c, at))
            .sum();
        let score = j.problems.len() + usize::from(!j.accepted()) + others;
        if best.as_ref().is_none_or(|(s, ..)| score < *s) {
            best = Some((score, cand.clone(), j));
        }
        if score == 0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    match best {
        Some((_, mut path, j)) => {
            path.bad = searched.bad;
            (path, j, alternatives)
        }
        None => {
            let j = judge(&cx.pool, &cx.validator, &searched, false, cn_is_name);
            (searched, j, alternatives)
        }
    }
}

/// When the leaf's issuer belongs to a PKI the environment never trusts, why: an NHS CA
/// in `public`, a public (Mozilla) CA in `int`/`prod`. Appending certificates cannot
/// help then, so it is `chain.untrusted`, never `chain.incomplete`.
fn foreign_pki(
    cx: &Ctx<'_>,
    leaf: usize,
    env: Option<Environment>,
    iss: Option<IssuerEnv>,
) -> Option<String> {
    match env? {
        Environment::Public => match iss? {
            IssuerEnv::Nhs(e, cn) => Some(format!(
                "it is issued by {cn}, an NHS {} CA: it is from the NHS PKI, which the public environment does not trust; use --env {}",
                e.as_str().to_uppercase(),
                e.as_str()
            )),
            IssuerEnv::Other(label, cn) => Some(format!(
                "it is issued by {cn}, an NHS {label} CA: it is from the NHS PKI, which the public environment does not trust"
            )),
            IssuerEnv::Tagged(_) => None,
        },
        e if e.is_nhs() => {
            if !cx.pool.use_embedded {
                return None;
            }
            let r = cx.pool.search(leaf, Some(Environment::Public));
            (r.end == End::Anchored && r.public).then(|| {
                format!(
                    "it chains to the public root {}: it is from a public CA, which the NHS {} environment does not trust; use --env public for a public endpoint",
                    r.trusted_by.as_deref().unwrap_or("(a Mozilla root)"),
                    e.as_str().to_uppercase()
                )
            })
        }
        _ => None,
    }
}

/// Everything about one leaf but the per-certificate checks of its path.
pub(super) fn check_leaf(
    cx: &mut Ctx<'_>,
    leaf: usize,
    excused: &mut BTreeSet<usize>,
) -> LeafOutcome {
    let Some(c) = cx.pool.cert(leaf).cloned() else {
        let result = PathResult::ended(vec![leaf], End::Dangling);
        return LeafOutcome {
            env: None,
            source: EnvSource::None,
            judgement: judge(&cx.pool, &cx.validator, &result, false, false),
            result,
            complete: true,
            alternatives: BTreeSet::new(),
        };
    };
    let s = c.summary();
    let env_names = names::names_for_environment(&c);
    let name_env = env_names.iter().find_map(|n| bars_nhs::env_from_fqdn(n));
    let iss = issuer_env(cx, leaf, &c);
    let mut env = cx.opts.env.or(name_env).or(iss.and_then(IssuerEnv::env));
    let mut source = if cx.opts.env.is_some() {
        EnvSource::Forced
    } else if name_env.is_some() {
        EnvSource::Fqdn
    } else if env.is_some() {
        EnvSource::Issuer
    } else {
        EnvSource::None
    };
    let wrong_env = match iss {
        Some(IssuerEnv::Other(..)) => env != Some(Environment::Public),
        Some(i) => match (i.env(), env) {
            (Some(e), Some(x)) => x.is_nhs() && x != e,
            _ => false,
        },
        None => false,
    };
    let foreign = if wrong_env || s.self_issued {
        None
    } else {
        foreign_pki(cx, leaf, env, iss)
    };
    let search_env = if wrong_env || foreign.is_some() {
        None
    } else {
        env
    };
    let (mut result, judgement, alternatives) = choose_path(cx, leaf, search_env);
    if env.is_none() && result.end == End::Anchored {
        if result.public {
            env = Some(Environment::Public);
            source = EnvSource::PublicRoot;
        } else if let Some(AnchorAt::Node(p)) = result.anchor {
            env = result.path.get(p).and_then(|&a| cx.pool.anchor_tag(a));
            if env.is_some() {
                source = EnvSource::Issuer;
            }
        }
    }
    let leaf_label = cx.label(leaf);

    // Environment of the chain vs the name.
    let chain_env = iss.and_then(IssuerEnv::env).or(cx.opts.env);
    if wrong_env || foreign.is_some() {
        result.end = End::Dangling;
        result.trusted_by = None;
    }
    if wrong_env {
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
            format!(
                "{leaf_label} is issued by {by}, {} {what} CA, not by the {want} CA",
                article(&what)
            ),
        );
    }
    if let Some(ne) = name_env.filter(|_| env.is_some_and(Environment::is_nhs) || wrong_env) {
        let other_label = match iss {
            Some(IssuerEnv::Other(label, _)) => Some(label.to_string()),
            _ => chain_env
                .filter(|ce| *ce != ne)
                .map(|ce| ce.as_str().to_uppercase()),
        };
        // The chain's environment is known from its issuer; else it is only the --env in
        // force, and the detail says so rather than claim a chain it has not seen.
        let judged_only = iss.is_none();
        if let Some(ce) = other_label {
            let chain = if judged_only {
                format!("it is judged in {ce} (--env {})", ce.to_lowercase())
            } else {
                format!("its chain is {ce}")
            };
            cx.add(
                &name::ENV_MISMATCH,
                Some(leaf),
                format!(
                    "{leaf_label} is named for {} ({}) but {chain}",
                    ne.as_str().to_uppercase(),
                    env_names.join(", ")
                ),
            );
        }
    }

    // Chain completeness and trust.
    let mut complete = true;
    if s.self_issued {
        cx.add(
            &certc::SELF_SIGNED,
            Some(leaf),
            format!("{leaf_label} is its own issuer"),
        );
        cx.add_fixed(
            &chain::UNTRUSTED,
            Some(leaf),
            format!("{leaf_label} is self-signed: no environment trusts it"),
            fixes::untrusted(env),
        );
    } else if let Some(why) = &foreign {
        cx.add_fixed(
            &chain::UNTRUSTED,
            Some(leaf),
            format!("{leaf_label}: {why}"),
            fixes::foreign(env),
        );
    } else if !wrong_env {
        complete = completeness(cx, leaf, &c, &result, env, &leaf_label, excused);
    }

    given_order(cx, leaf, &result);
    for (i, &p) in result.path.iter().enumerate() {
        let Some(n) = cx.pool.node(p) else { continue };
        let (given, nhs) = (n.given, n.nhs);
        if i > 0 && given && cx.pool.self_signed(p) {
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
    add_problems(cx, &result, &judgement);
    names::leaf_checks(cx, leaf, &c, env);
    LeafOutcome {
        env,
        source,
        result,
        judgement,
        complete,
        alternatives,
    }
}

/// "a" or "an" before `word`.
pub(super) fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_uppercase()) {
        Some('A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

/// `chain.incomplete` (an intermediate below the anchor that was not given),
/// `pfx.no-chain`, and why a path that reached no anchor ends where it does. Returns
/// whether what was given was complete.
fn completeness(
    cx: &mut Ctx<'_>,
    leaf: usize,
    c: &Certificate,
    result: &PathResult,
    env: Option<Environment>,
    leaf_label: &str,
    excused: &mut BTreeSet<usize>,
) -> bool {
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
        let fix = cx
            .input
            .pfx
            .get(p)
            .map(|(_, s)| fixes::pfx_no_chain(s))
            .unwrap_or_default();
        cx.add_fixed(
            &pfxc::NO_CHAIN,
            Some(leaf),
            format!(
                "{src} holds {leaf_label} but not its issuer ({})",
                c.summary().issuer
            ),
            fix,
        );
    }
    // Below the anchor everything must have been given; a root anchor (and, in public,
    // any anchor: the client's own store) need not be.
    let judged = result.judged_len();
    let public = env == Some(Environment::Public) || result.public;
    let missing = result
        .path
        .iter()
        .enumerate()
        .take(judged)
        .skip(1)
        .find(|(i, &p)| {
            cx.pool.node(p).is_some_and(|n| {
                let is_anchor = *i + 1 == judged && result.end == End::Anchored;
                !(n.given || (is_anchor && (cx.pool.self_signed(p) || public)))
            })
        });
    if result.end != End::Anchored {
        bad_signatures(cx, result, false);
        for (_, cand, _) in result
            .bad
            .iter()
            .filter(|(ch, ..)| result.path.contains(ch))
        {
            excused.insert(*cand);
        }
    }
    let bad_on_path = result.bad.iter().any(|(ch, ..)| result.path.contains(ch));
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
            let dn = cx
                .pool
                .cert(m)
                .map(|x| x.summary().subject.clone())
                .unwrap_or_default();
            let gap_after = (prev != leaf).then_some(pl.as_str());
            let fix = fixes::missing_issuer(cx, leaf, gap_after, Some(m), &dn);
            cx.add_fixed(
                &chain::INCOMPLETE,
                Some(leaf),
                format!("the issuer of {pl} was not sent: {ml}"),
                fix,
            );
            false
        }
        (_, Some(_)) => true,
        (End::Anchored, None) => true,
        (End::SelfSigned, None) => {
            let root = result.path.last().copied().unwrap_or(leaf);
            let rl = cx.label(root);
            let want = anchors_wanted(env);
            cx.add_fixed(
                &chain::UNTRUSTED,
                Some(leaf),
                format!("the path from {leaf_label} ends at {rl}, which is not one of {want}"),
                fixes::untrusted(env),
            );
            true
        }
        (End::TooLong, None) => {
            cx.add_fixed(
                &chain::INCOMPLETE,
                Some(leaf),
                format!(
                    "the path from {leaf_label} runs past {} certificates without reaching a trusted root; bars-certcheck follows no further (TLS clients give up long before)",
                    crate::path::MAX_DEPTH
                ),
                fixes::too_long(),
            );
            false
        }
        (End::Dangling, None) => {
            let end = result.path.last().copied().unwrap_or(leaf);
            if bad_on_path {
                cx.add(
                    &chain::UNTRUSTED,
                    Some(leaf),
                    format!(
                        "the path from {leaf_label} reaches a look-alike CA whose signature does not verify"
                    ),
                );
                true
            } else if end != leaf {
                // The certificates given form a path that ends at a CA the tool does
                // not know: a foreign hierarchy, not a missing intermediate.
                let el = cx.label(end);
                let issuer = issuer_of(cx, end);
                let want = anchors_wanted(env);
                cx.add_fixed(
                    &chain::UNTRUSTED,
                    Some(leaf),
                    format!("the path from {leaf_label} ends at {el}, issued by {issuer}, which is not one of {want}"),
                    fixes::untrusted(env),
                );
                true
            } else if pfx_only.is_none() {
                let el = cx.label(end);
                let issuer = issuer_of(cx, end);
                let fix = fixes::missing_issuer(cx, leaf, None, None, &issuer);
                cx.add_fixed(
                    &chain::INCOMPLETE,
                    Some(leaf),
                    format!("the issuer of {el} was not sent and is not known: {issuer}"),
                    fix,
                );
                false
            } else {
                true
            }
        }
    }
}

/// `chain.bad-signature` for each certificate on the path whose name-matching issuer
/// does not verify its signature (a look-alike), when the path reached no anchor (or
/// `always`).
pub(super) fn bad_signatures(cx: &mut Ctx<'_>, result: &PathResult, always: bool) {
    if result.end == End::Anchored && !always {
        return;
    }
    for (ch, cand, why) in result
        .bad
        .iter()
        .filter(|(ch, ..)| result.path.contains(ch))
    {
        let cl = cx.label(*ch);
        let kl = cx.label(*cand);
        cx.add(
            &chain::BAD_SIGNATURE,
            Some(*ch),
            format!(
                "{cl} names {kl} as issuer, but its signature does not verify with that key: {why}"
            ),
        );
    }
}

/// `chain.order`: what was given, per source, is not in path order.
fn given_order(cx: &mut Ctx<'_>, leaf: usize, result: &PathResult) {
    let mut by_source: Vec<(Source, Vec<usize>)> = Vec::new();
    for &p in &result.path {
        if let Some(n) = cx.pool.node(p).filter(|n| n.given) {
            match by_source.iter_mut().find(|(s, _)| *s == n.source) {
                Some((_, v)) => v.push(p),
                None => by_source.push((n.source.clone(), vec![p])),
            }
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
}

/// The validator's problems as findings on their certificates.
pub(super) fn add_problems(cx: &mut Ctx<'_>, result: &PathResult, judgement: &Judgement) {
    for p in &judgement.problems {
        let Some(&node) = result.path.get(p.pos) else {
            continue;
        };
        let l = cx.label(node);
        let detail = if p.kind.id == chain::NOT_CA.id && p.pos > 0 {
            let child = result.path.get(p.pos - 1).copied().unwrap_or(node);
            let cl = cx.label(child);
            format!("{l} issued {cl} but is not a CA: {}", p.detail)
        } else {
            format!("{l}: {}", p.detail)
        };
        cx.add(p.kind, Some(node), detail);
    }
}

/// A refusal by webpki that no finding on the judged path explains is reported under
/// webpki's own error, on the leaf: a path webpki refuses is never valid.
pub(super) fn explain_refusal(cx: &mut Ctx<'_>, out: &LeafOutcome) {
    let Some(errors) = &out.judgement.webpki else {
        return;
    };
    let Some(&leaf) = out.result.path.first() else {
        return;
    };
    let judged: Vec<usize> = out
        .result
        .path
        .iter()
        .take(out.result.judged_len())
        .copied()
        .collect();
    for e in errors {
        let want = validate::webpki_finding(e);
        let explained = judged
            .iter()
            .any(|&n| cx.findings_on(n).any(|f| validate::explains(f.kind, want)));
        if !explained {
            let l = cx.label(leaf);
            cx.add(
                want,
                Some(leaf),
                format!(
                    "rustls-webpki refuses the path from {l}: {}",
                    validate::error_text(e)
                ),
            );
        }
    }
}
