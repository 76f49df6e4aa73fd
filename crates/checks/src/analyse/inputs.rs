//! CSRs, private keys and PFX files against the certificates, and the inputs that
//! could not be used.

use super::{weak_key, Ctx};
use crate::catalogue::{
    cert as certc, csr as csrc, input as inputc, key as keyc, name, pfx as pfxc,
};
use bars_nhs::Environment;
use std::collections::BTreeSet;

pub(super) fn csr_checks(cx: &mut Ctx<'_>, env: Option<Environment>, leaves: &[usize]) {
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
                    super::names::name_rules(cx, None, &format!("{what} names {cn}"), cn, rule_env);
                    if let (Some(ce), Some(want)) = (cn_env, e) {
                        if ce != want {
                            cx.add(&name::FQDN_FORMAT, None, format!("{what} names {cn}, {} {} name, but the environment is {}; expected {}", super::leaf::article(ce.as_str()), ce.as_str().to_uppercase(), want.as_str().to_uppercase(), bars_nhs::expected_shape(want)));
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

pub(super) fn key_checks(cx: &mut Ctx<'_>, leaves: &[usize]) {
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

/// How keys and PFX files are stored: `key.unencrypted` for a key file kept in the
/// clear (when the command judges key files), `pfx.legacy` for a PKCS#12 file with legacy
/// encryption.
pub(super) fn storage(cx: &mut Ctx<'_>) {
    if cx.opts.judge_key_files {
        let clear = cx.input.keys_in_the_clear();
        for detail in clear {
            cx.add(&keyc::UNENCRYPTED, None, detail);
        }
    }
    let legacy: Vec<String> = cx
        .input
        .pfx
        .iter()
        .filter(|(p, _)| p.summary.legacy && p.summary.format == "PKCS#12")
        .map(|(p, s)| format!("{s} is protected with {}", p.summary.encryption))
        .collect();
    for detail in legacy {
        cx.add(&pfxc::LEGACY, None, detail);
    }
}

/// `pfx.bad-password` for each PKCS#12 file that could not be opened, `input.unreadable`
/// for each input that could not be read.
pub(super) fn unusable(cx: &mut Ctx<'_>) {
    for (s, why) in &cx.input.pfx_errors {
        cx.findings
            .push(pfxc::BAD_PASSWORD.finding(None, format!("{s}: {why}")));
    }
    for (file, why) in &cx.input.unreadable {
        let shown = if file == "-" { "standard input" } else { file };
        cx.findings
            .push(inputc::UNREADABLE.finding_for_file(file, format!("{shown}: {why}")));
    }
}
