//! SPEC "Names": the names a certificate covers, the name it must cover, and the BaRS
//! naming rules (in `int`/`prod` only).

use super::Ctx;
use crate::catalogue::name;
use bars_model::Certificate;
use bars_nhs::{Environment, NameProblem};
use rustls_pki_types::{CertificateDer, ServerName};
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The DNS names that place a certificate in an environment: its SAN dNSNames when it
/// has a SAN, else its CNs.
pub(super) fn names_for_environment(c: &Certificate) -> Vec<String> {
    let s = c.summary();
    if s.has_san {
        s.dns_names.clone()
    } else {
        s.subject_cns.clone()
    }
}

/// The names a certificate covers in `env`: in `public` its SANs only (as browsers);
/// elsewhere its SANs when it has any, else its CN.
fn covered(c: &Certificate, env: Option<Environment>) -> (Vec<String>, Vec<IpAddr>) {
    let s = c.summary();
    let san_ips = || {
        s.ip_addresses
            .iter()
            .filter_map(|i| i.parse().ok())
            .collect()
    };
    if env == Some(Environment::Public) || s.has_san {
        (s.dns_names.clone(), san_ips())
    } else {
        // No SAN: the CN is the name, and an IP-address CN is an address.
        let (ips, dns): (Vec<&String>, Vec<&String>) = s
            .subject_cns
            .iter()
            .partition(|cn| cn.parse::<IpAddr>().is_ok());
        (
            dns.into_iter().cloned().collect(),
            ips.into_iter().filter_map(|i| i.parse().ok()).collect(),
        )
    }
}

/// Whether `c` covers `target` (a DNS name or an IP address) in `env`. With a SAN, webpki
/// decides (RFC 6125 wildcards, address forms), as a TLS client would.
fn covers(c: &Certificate, env: Option<Environment>, target: &str) -> bool {
    let (dns, ips) = covered(c, env);
    if let Ok(ip) = target.parse::<IpAddr>() {
        return ips.contains(&ip);
    }
    if c.summary().has_san {
        let der = CertificateDer::from(c.der());
        if let (Ok(ee), Ok(name)) = (
            webpki::EndEntityCert::try_from(&der),
            ServerName::try_from(target),
        ) {
            return ee.verify_is_valid_for_subject_name(&name).is_ok();
        }
    }
    dns.iter().any(|n| bars_nhs::dns_name_matches(n, target))
}

/// The leaf's name findings: SAN/CN shape, the name to cover, the BaRS naming rules.
pub(super) fn leaf_checks(
    cx: &mut Ctx<'_>,
    leaf: usize,
    c: &Certificate,
    env: Option<Environment>,
) {
    let s = c.summary();
    let l = cx.label(leaf);
    let nhs = env.is_some_and(Environment::is_nhs);
    if !s.has_san && env != Some(Environment::Public) {
        cx.add(
            &name::NO_SAN,
            Some(leaf),
            format!(
                "{l} has no subjectAltName; its name is the CN {}",
                s.subject_cns.join(", ")
            ),
        );
    } else if nhs && s.has_san && !s.subject_cns.is_empty() {
        let lc = |v: &[String]| {
            v.iter()
                .map(|x| x.to_ascii_lowercase())
                .collect::<BTreeSet<_>>()
        };
        let cns = lc(&s.subject_cns);
        let sans = lc(&s.dns_names);
        // A BaRS endpoint certificate names one host, in both places.
        if cns.iter().any(|cn| !sans.contains(cn)) || sans.iter().any(|d| !cns.contains(d)) {
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
    if let Some(target) = cx.opts.expect_fqdn.clone().or_else(|| cx.opts.host.clone()) {
        if !covers(c, env, &target) {
            let (dns, ips) = covered(c, env);
            let all: Vec<String> = dns
                .into_iter()
                .chain(ips.iter().map(IpAddr::to_string))
                .collect();
            let what = if all.is_empty() {
                "no name".to_string()
            } else {
                format!("[{}]", all.join(", "))
            };
            let why = if env == Some(Environment::Public) && !s.has_san {
                " (in public only the subjectAltName counts, as browsers do; it has none)"
            } else {
                ""
            };
            cx.add(
                &name::HOST_MISMATCH,
                Some(leaf),
                format!("{l} covers {what}, not {target}{why}"),
            );
        }
    }
    if let Some(e) = env.filter(|e| e.is_nhs()) {
        for n in covered(c, env).0 {
            name_rules(cx, Some(leaf), &format!("{l} names {n}"), &n, e);
        }
    }
}

/// `name.not-nhs-uk` / `name.fqdn-format` for one name in `env`.
pub(super) fn name_rules(
    cx: &mut Ctx<'_>,
    node: Option<usize>,
    what: &str,
    n: &str,
    env: Environment,
) {
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
