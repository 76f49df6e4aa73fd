//! `trust lint`: is a Receiver's client-CA file (nginx `ssl_client_certificate`, a Java
//! truststore exported to PEM, a Kestrel CA bundle) right for its environment? It must hold
//! the environment's current (G2) issuing sub-CA and its root, and nothing that widens who
//! may connect.

use crate::catalogue::trust as t;
use crate::given::{Options, Source};
use crate::shell_word;
use crate::Finding;
use bars_model::Certificate;
use bars_nhs::{CaPurpose, CaRole, Environment, Generation, NhsCa};

/// What the lint found.
#[derive(Clone, Debug)]
pub struct TrustReport {
    /// The file's certificates, in order, with their role (`root` for self-signed,
    /// `intermediate` for other CAs, `leaf` otherwise).
    pub certificates: Vec<(Certificate, Source, crate::Role)>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// The environment's issuing sub-CA the server should pin client verification to
    /// (its RFC 4514 DN), when known.
    pub pin_issuer: Option<String>,
    /// When the file must be replaced (it lacks the environment's CAs, or trusts too
    /// much): the new file the fixes write, which the server settings point at.
    pub fixed_file: Option<String>,
}

/// The environment's current CAs a client-CA file must hold: the G2 endpoint sub-CA and
/// the G2 root.
pub fn required_cas(env: Environment) -> Vec<&'static NhsCa> {
    bars_nhs::EMBEDDED
        .iter()
        .filter(|c| {
            c.env == env
                && c.generation == Generation::G2
                && (c.role == CaRole::Root || c.purpose == CaPurpose::EndpointTls)
        })
        .collect()
}

fn label(i: usize, c: &Certificate) -> String {
    format!("certificate #{i} ({})", c.summary().subject)
}

/// Lints the certificates of a client-CA file for `env` (`int` or `prod`). `--ca`
/// certificates tagged for `env` (or untagged) in `opts` are CAs the file must also hold
/// and may hold (a private test hierarchy); with `opts.use_embedded` off only they are
/// required.
pub fn lint(certs: &[(Certificate, Source)], env: Environment, opts: &Options) -> TrustReport {
    let mut findings = Vec::new();
    let expected_extra: Vec<&Certificate> = opts
        .extra_cas
        .iter()
        .filter(|x| x.env.is_none_or(|e| e == env))
        .map(|x| &x.cert)
        .collect();
    let held = |sha: &str| certs.iter().any(|(c, _)| c.summary().sha256 == sha);
    let mut entries = Vec::with_capacity(certs.len());
    let mut public = Vec::new();
    for (i, (c, src)) in certs.iter().enumerate() {
        let s = c.summary();
        let l = label(i, c);
        let role = if s.self_issued {
            crate::Role::Root
        } else if s.is_ca {
            crate::Role::Intermediate
        } else {
            crate::Role::Leaf
        };
        entries.push((c.clone(), src.clone(), role));
        if s.not_after_unix < opts.at {
            findings.push(t::EXPIRED.finding(Some(i), format!("{l} expired on {}", s.not_after)));
        }
        if expected_extra
            .iter()
            .any(|x| x.summary().sha256 == s.sha256)
        {
            continue;
        }
        // A sub-CA issued by a --ca certificate of this environment (a private test
        // hierarchy given by its root) belongs to that environment as much as the root.
        if s.is_ca && !s.self_issued && expected_extra.iter().any(|x| c.verify_issued_by(x).is_ok())
        {
            continue;
        }
        if let Some(ca) = bars_nhs::find_by_sha256(&s.sha256) {
            classify_nhs(&mut findings, i, &l, ca, env);
            continue;
        }
        if let Some(o) = bars_nhs::find_other_by_sha256(&s.sha256) {
            findings.push(t::OTHER_ENV.finding(
                Some(i),
                format!(
                    "{l} is {}, a CA of {}, not of {}",
                    o.common_name,
                    o.label(),
                    env_name(env)
                ),
            ));
            continue;
        }
        if let Some(genuine) = new_genuine_nhs_ca(c, env) {
            // A re-issued NHS CA the tool does not embed yet, verified against the
            // environment's root: acceptable.
            let _ = genuine;
            continue;
        }
        if let Some(name) = crate::path::public_root_name(c) {
            public.push(Foreign {
                index: i,
                name: name.to_string(),
                mozilla: true,
                detail: format!("{l} is the public web root {name}: every certificate the public CAs issue would be accepted"),
            });
            continue;
        }
        let lookalike = bars_nhs::find_by_subject_der(c.subject_der())
            .first()
            .map(|ca| ca.common_name);
        if lookalike.is_none() && s.is_ca && s.self_issued {
            public.push(Foreign {
                index: i,
                name: s
                    .subject_cns
                    .first()
                    .cloned()
                    .unwrap_or_else(|| s.subject.clone()),
                mozilla: false,
                detail: format!(
                    "{l} is not an NHS CA of {}: anyone it issues certificates to could connect",
                    env_name(env)
                ),
            });
            continue;
        }
        let detail = match (lookalike, s.is_ca) {
            (Some(cn), _) => format!(
                "{l} has the name of {cn} but is not the genuine NHS certificate (SHA-256 {}): a look-alike CA",
                s.sha256
            ),
            (None, true) => format!(
                "{l} is not an NHS CA of {}: anyone it issues certificates to could connect",
                env_name(env)
            ),
            (None, false) => format!(
                "{l} is not a CA certificate: a client-CA file should hold only the environment's CAs"
            ),
        };
        findings.push(t::TOO_BROAD.finding(Some(i), detail));
    }
    findings.extend(public_roots(&public));
    if opts.use_embedded {
        for ca in required_cas(env) {
            if !held(ca.sha256) && !certs.iter().any(|(c, _)| same_ca_reissued(c, ca, env)) {
                findings.push(t::MISSING_ENV_CA.finding(
                    None,
                    format!(
                        "the file does not hold {} ({} {}, SHA-256 {})",
                        ca.common_name,
                        env_name(env),
                        if ca.role == CaRole::Root {
                            "root"
                        } else {
                            "issuing sub-CA"
                        },
                        ca.sha256
                    ),
                ));
            }
        }
    }
    for x in &expected_extra {
        if !held(&x.summary().sha256) {
            findings.push(t::MISSING_ENV_CA.finding(
                None,
                format!(
                    "the file does not hold {} (given with --ca for {})",
                    x.summary().subject,
                    env_name(env)
                ),
            ));
        }
    }
    crate::sort_findings(&mut findings);
    let pin_issuer = if opts.use_embedded {
        required_cas(env)
            .into_iter()
            .find(|c| c.role == CaRole::Intermediate)
            .and_then(|c| c.certificate().ok())
            .map(|c| c.summary().subject.clone())
    } else {
        // A --ca intermediate, else a sub-CA in the file issued by a --ca certificate (a
        // private hierarchy given by its root): never a placeholder when one is known.
        expected_extra
            .iter()
            .copied()
            .find(|c| !c.summary().self_issued)
            .or_else(|| {
                certs.iter().map(|(c, _)| c).find(|c| {
                    let s = c.summary();
                    s.is_ca
                        && !s.self_issued
                        && expected_extra.iter().any(|x| c.verify_issued_by(x).is_ok())
                })
            })
            .map(|c| c.summary().subject.clone())
    };
    let replace = findings
        .iter()
        .any(|f| f.is(&t::MISSING_ENV_CA) || f.is(&t::OTHER_ENV) || f.is(&t::TOO_BROAD));
    let fixed_file = replace.then(|| fixed_name(linted_file(certs), env));
    if let Some(fixed) = &fixed_file {
        let fix = repair_fix(env, opts, fixed);
        for f in findings
            .iter_mut()
            .filter(|f| f.is(&t::MISSING_ENV_CA) || f.is(&t::OTHER_ENV) || f.is(&t::TOO_BROAD))
        {
            f.fix = fix.clone();
        }
    }
    TrustReport {
        certificates: entries,
        findings,
        pin_issuer,
        fixed_file,
    }
}

/// A root in the file that is no NHS CA.
struct Foreign {
    index: usize,
    name: String,
    /// In Mozilla's list of public web roots.
    mozilla: bool,
    /// The finding's detail when it is reported on its own.
    detail: String,
}

/// The `trust.too-broad` findings of the roots that are no NHS CA: one each, or, when
/// public web roots are among several, one for them all (a system bundle).
fn public_roots(public: &[Foreign]) -> Vec<Finding> {
    let summarise = public.len() > 1 && public.iter().any(|f| f.mozilla);
    let Some(first) = public.first().filter(|_| summarise) else {
        return public
            .iter()
            .map(|f| t::TOO_BROAD.finding(Some(f.index), f.detail.clone()))
            .collect();
    };
    let named: Vec<String> = public
        .iter()
        .take(3)
        .map(|f| format!("#{} {}", f.index, f.name))
        .collect();
    let more = match public.len() - named.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let mozilla = public.iter().filter(|f| f.mozilla).count();
    let which = if mozilla == public.len() {
        "all in Mozilla's list of public web roots".to_string()
    } else {
        format!(
            "{mozilla} in Mozilla's list of public web roots, {} other roots that are no NHS CA",
            public.len() - mozilla
        )
    };
    vec![t::TOO_BROAD.finding(
        Some(first.index),
        format!(
            "the file trusts {} public roots: any public certificate would be let in ({which}; \
             certificates {}{more})",
            public.len(),
            named.join(", ")
        ),
    )]
}

/// The file the certificates were read from, when it is a file.
fn linted_file(certs: &[(Certificate, Source)]) -> Option<&str> {
    certs.iter().find_map(|(_, s)| match s {
        Source::File(p) if p != "-" => Some(p.as_str()),
        _ => None,
    })
}

/// The new client-CA file the fixes write: `bars-<env>-client-ca.pem` beside the linted
/// file (never the linted file itself).
fn fixed_name(linted: Option<&str>, env: Environment) -> String {
    let e = env.as_str();
    let dir = linted
        .map(std::path::Path::new)
        .and_then(std::path::Path::parent)
        .filter(|d| !d.as_os_str().is_empty());
    let at = |name: String| match dir {
        Some(d) => d.join(name).display().to_string(),
        None => name,
    };
    let first = at(format!("bars-{e}-client-ca.pem"));
    if linted == Some(first.as_str()) {
        at(format!("bars-{e}-client-ca-g2.pem"))
    } else {
        first
    }
}

/// The fix of a file that must be replaced: the command that writes the right one.
fn repair_fix(env: Environment, opts: &Options, fixed: &str) -> String {
    let out = shell_word(fixed);
    let given: Vec<String> = opts
        .extra_cas
        .iter()
        .filter(|x| x.env.is_none_or(|e| e == env))
        .map(|x| shell_word(&x.path))
        .collect();
    if opts.use_embedded {
        let cas = required_cas(env);
        let name = |root: bool| {
            cas.iter()
                .find(|c| (c.role == CaRole::Root) == root)
                .map_or("", |c| c.common_name)
        };
        let mut cmd = format!(
            "bars-certcheck ca export --env {} --with-root --out {out}",
            env.as_str()
        );
        if !given.is_empty() {
            cmd.push_str(&format!(" && cat {} >> {out}", given.join(" ")));
        }
        format!(
            "Trust the {} G2 issuing sub-CA ({}) and its G2 root ({}), and nothing else: \
             write them to a new file and point the server at it (settings below): `{cmd}`",
            env_name(env),
            name(false),
            name(true)
        )
    } else {
        format!(
            "Trust only the CAs given with --ca: write them to a new file and point the server \
             at it (settings below): `cat {} > {out}`",
            given.join(" ")
        )
    }
}

fn env_name(env: Environment) -> String {
    env.as_str().to_uppercase()
}

fn classify_nhs(findings: &mut Vec<Finding>, i: usize, l: &str, ca: &NhsCa, env: Environment) {
    if ca.env != env {
        findings.push(t::OTHER_ENV.finding(
            Some(i),
            format!(
                "{l} is {}, a CA of {}, on a Receiver for {}",
                ca.common_name,
                env_name(ca.env),
                env_name(env)
            ),
        ));
        return;
    }
    if ca.generation == Generation::Legacy {
        let succ = ca
            .successor_ca()
            .map(|s| s.common_name)
            .unwrap_or("the G2 CA of the environment");
        findings.push(t::LEGACY.finding(
            Some(i),
            format!(
                "{l} is the retired legacy CA {}; its successor is {succ}",
                ca.common_name
            ),
        ));
        if ca.role == CaRole::Root && ca.env == Environment::Int {
            findings.push(t::TOO_BROAD.finding(
                Some(i),
                format!(
                    "{l} is {}, which also anchors the DEP, DEV and training sub-CAs: their certificates would be accepted",
                    ca.common_name
                ),
            ));
        }
    }
    if ca.purpose == CaPurpose::People {
        findings.push(t::TOO_BROAD.finding(
            Some(i),
            format!(
                "{l} is {}, which issues people's smartcard certificates, not endpoint certificates",
                ca.common_name
            ),
        ));
    }
}

/// A CA certificate with the same name as an embedded current CA of `env`, signed by the
/// environment's G2 root (a re-issue the tool does not embed yet).
fn new_genuine_nhs_ca(c: &Certificate, env: Environment) -> Option<&'static NhsCa> {
    required_cas(env)
        .into_iter()
        .find(|ca| same_ca_reissued(c, ca, env))
}

fn same_ca_reissued(c: &Certificate, ca: &NhsCa, env: Environment) -> bool {
    if ca.subject_der() != Some(c.subject_der()) || !c.summary().is_ca {
        return false;
    }
    required_cas(env)
        .into_iter()
        .filter(|r| r.role == CaRole::Root)
        .filter_map(|r| r.certificate().ok())
        .any(|root| root.subject_der() == c.issuer_der() && c.verify_issued_by(root).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nhs(id: &str) -> (Certificate, Source) {
        let ca = bars_nhs::find_by_id(id).unwrap();
        (ca.certificate().unwrap().clone(), Source::File(id.into()))
    }

    fn ids(r: &TrustReport) -> Vec<&'static str> {
        let mut v: Vec<_> = r.findings.iter().map(|f| f.id()).collect();
        v.dedup();
        v
    }

    #[test]
    fn the_right_int_file_is_clean() {
        let opts = Options::new(1_800_000_000);
        let r = lint(
            &[
                nhs("nhs-int-authentication-g2"),
                nhs("nhs-ptl-root-authority-g2"),
            ],
            Environment::Int,
            &opts,
        );
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(
            r.pin_issuer.as_deref(),
            Some("CN=NHS INT Authentication G2,OU=CA,O=nhs,C=GB")
        );
    }

    #[test]
    fn prod_cas_on_an_int_receiver() {
        let opts = Options::new(1_800_000_000);
        let r = lint(
            &[nhs("nhs-authentication-g2"), nhs("nhs-root-authority-g2")],
            Environment::Int,
            &opts,
        );
        assert_eq!(ids(&r), ["trust.missing-env-ca", "trust.other-env"]);
    }

    #[test]
    fn legacy_ptl_root_alone_is_too_broad_legacy_and_missing() {
        let opts = Options::new(1_800_000_000);
        let r = lint(&[nhs("nhs-ptl-root-authority")], Environment::Int, &opts);
        let got = ids(&r);
        for want in ["trust.missing-env-ca", "trust.too-broad", "trust.legacy"] {
            assert!(got.contains(&want), "{want}: {got:?}");
        }
    }

    #[test]
    fn expired_legacy_prod_root() {
        let opts = Options::new(1_800_000_000);
        let r = lint(
            &[
                nhs("nhs-authentication-g2"),
                nhs("nhs-root-authority-g2"),
                nhs("nhs-root-authority"),
            ],
            Environment::Prod,
            &opts,
        );
        let got = ids(&r);
        assert!(
            got.contains(&"trust.expired") && got.contains(&"trust.legacy"),
            "{got:?}"
        );
        assert!(!got.contains(&"trust.missing-env-ca"), "{got:?}");
    }
}
