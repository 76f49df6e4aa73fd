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
    if findings.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.good("Everything given that can pair up does.")
        );
    }
    for f in findings {
        let _ = writeln!(out, "{} [{}] {}", style.bad("error:"), f.id(), f.title);
        let _ = writeln!(out, "      {}", f.detail);
        let _ = writeln!(out, "      fix: {}", f.fix);
    }
    style.glyphs(&out).into_owned()
}
