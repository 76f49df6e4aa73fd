//! `match`: which certificates, CSRs, keys and PFX contents hold the same public key.

use crate::style::Style;
use std::fmt::Write;

/// The groups of `match` as text: each public key with what holds it, then the
/// findings.
pub fn render_text(
    m: &bars_checks::matching::Matched,
    findings: &[bars_checks::Finding],
    style: &Style,
) -> String {
    let mut out = String::new();
    for (n, g) in m.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}",
            style.heading(&format!(
                "Public key {} (SHA-256 {})",
                n + 1,
                g.public_key_sha256
            ))
        );
        for &i in &g.certificates {
            if let Some((c, s)) = m.certificates.get(i) {
                let _ = writeln!(
                    out,
                    "  certificate  {}  ({s})",
                    crate::style::name_text(&c.summary().subject)
                );
            }
        }
        for &i in &g.csrs {
            if let Some(c) = m.csrs.get(i) {
                let _ = writeln!(
                    out,
                    "  CSR          {}  ({})",
                    crate::style::name_text(&c.subject),
                    c.source
                );
            }
        }
        for &i in &g.keys {
            if let Some(k) = m.keys.get(i) {
                let _ = writeln!(out, "  private key  {}", k.source);
            }
        }
        let verdict = match (
            g.certificates.is_empty(),
            g.csrs.is_empty(),
            g.keys.is_empty(),
        ) {
            (false, _, false) => style.good("the key belongs to the certificate"),
            (true, false, false) => style.good("the key belongs to the CSR"),
            (false, false, true) => style.good("the certificate answers the CSR's key"),
            _ => style.dim("nothing else given holds this key"),
        };
        let _ = writeln!(out, "  → {verdict}\n");
    }
    for k in m.keys.iter().filter(|k| k.public_key_sha256.is_none()) {
        let _ = writeln!(
            out,
            "{} {}: encrypted; give its password (--password-env or --password-file) to match it\n",
            style.warn("note:"),
            k.source
        );
    }
    if findings
        .iter()
        .all(|f| f.severity == bars_checks::Severity::Info)
    {
        let _ = writeln!(
            out,
            "{}",
            style.good("Everything given that can pair up does.")
        );
    }
    for f in findings {
        let label = match f.severity {
            bars_checks::Severity::Error => style.bad("error:"),
            bars_checks::Severity::Warning => style.warn("warning:"),
            _ => "info:".to_string(),
        };
        let _ = writeln!(out, "{label} [{}] {}", f.id(), f.title);
        let _ = writeln!(out, "      {}", f.detail);
        let _ = writeln!(out, "      fix: {}", f.fix);
    }
    style.glyphs(&out).into_owned()
}

#[derive(serde::Serialize)]
struct MatchJson<'a> {
    #[serde(flatten)]
    envelope: crate::json::Envelope<'a>,
    inputs: &'a [String],
    certificates: Vec<crate::json::CertJson<'a>>,
    csrs: &'a [bars_checks::matching::CsrEntry],
    keys: &'a [bars_checks::matching::KeyEntry],
    groups: &'a [bars_checks::matching::MatchGroup],
    findings: Vec<crate::json::FindingJson<'a>>,
    summary: bars_checks::Summary,
    verdict: bars_checks::Verdict,
}

/// The `match` document: the `inputs` named, the certificates, CSRs and keys (as
/// `inspect` describes them), the groups by public key, the findings and the verdict.
pub fn render_json(
    inputs: &[String],
    m: &bars_checks::matching::Matched,
    findings: &[bars_checks::Finding],
    verdict: bars_checks::Verdict,
) -> String {
    crate::json::to_string(&MatchJson {
        envelope: crate::json::Envelope::new("match"),
        inputs,
        certificates: m
            .certificates
            .iter()
            .enumerate()
            .map(|(index, (c, s))| crate::json::CertJson {
                index,
                source: s.to_string(),
                role: Some(bars_checks::Role::Leaf),
                summary: c.summary(),
            })
            .collect(),
        csrs: &m.csrs,
        keys: &m.keys,
        groups: &m.groups,
        findings: findings.iter().map(Into::into).collect(),
        summary: bars_checks::summarise(findings),
        verdict,
    })
}
