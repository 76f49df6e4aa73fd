//! One self-contained HTML page per report (`check`, `probe`): inline styles, inline SVG,
//! no external script, style, font or image. The chain is drawn as a diagram with each
//! certificate's mark, the findings follow with their fixes, then the certificates.
//! Every string from a certificate, a finding or the user is escaped.

use crate::diag::{ChainView, Report};
use crate::markup::escape;
use bars_checks::Severity as Level;
use std::fmt::Write;

/// Styles shared by every page (system fonts only).
const CSS: &str = "
:root{--err:#b42318;--warn:#b54708;--ok:#067647;--info:#175cd3;--line:#d0d5dd;--muted:#475467}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;padding:24px 32px;color:#101828;background:#fff;line-height:1.45}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.2rem;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1rem;margin:0 0 6px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:#f2f4f7;padding:1px 4px;border-radius:4px}
.muted{color:var(--muted)}
.verdict{display:inline-block;font-weight:700;padding:2px 10px;border-radius:12px;color:#fff;margin-left:8px;font-size:.9rem}
.verdict.pass{background:var(--ok)}.verdict.warn{background:var(--warn)}.verdict.fail{background:var(--err)}
.finding{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;padding:10px 14px;margin:10px 0}
.finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}
.sev{display:inline-block;min-width:64px;text-transform:uppercase;font-size:.75rem;font-weight:700}
.error .sev{color:var(--err)}.warning .sev{color:var(--warn)}.info .sev{color:var(--info)}
.fix{background:#f6fef9;border-radius:4px;padding:6px 8px;margin:6px 0 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#eff8ff;border-radius:6px;padding:8px 12px;margin:8px 0}
svg text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
footer{margin-top:32px;font-size:.8rem;color:var(--muted)}
";

/// A complete page: `title`, the body markup (already escaped), the footer naming the
/// tool's version, and an optional inline script.
pub(crate) fn page(title: &str, body: &str, tool_version: &str, script: Option<&str>) -> String {
    let mut out = String::with_capacity(body.len() + CSS.len() + 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str(body);
    let _ = writeln!(
        out,
        "<footer>bars-certcheck {} — a self-contained report: nothing is loaded from elsewhere.</footer>",
        escape(tool_version)
    );
    if let Some(js) = script {
        let _ = writeln!(out, "<script>{js}</script>");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The colour and sign of a mark.
pub(crate) fn mark(level: Option<Level>) -> (&'static str, &'static str, &'static str) {
    match level {
        Some(Level::Error) => ("#b42318", "✗", "error"),
        Some(Level::Warning) => ("#b54708", "!", "warning"),
        _ => ("#067647", "✓", "ok"),
    }
}

/// One finding as an article (severity, id, title, the detail when given, the fix),
/// carrying its id in `data-finding-id`.
pub(crate) fn finding_article(
    out: &mut String,
    anchor: Option<usize>,
    id: &str,
    severity: Level,
    title: &str,
    detail: Option<&str>,
    fix: &str,
) {
    let sev = severity.as_str();
    let anchor = anchor
        .map(|i| format!(" id=\"finding-{i}\""))
        .unwrap_or_default();
    let detail = detail
        .map(|d| format!("<p class=\"detail\">{}</p>", escape(d)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<article class=\"finding {sev}\"{anchor} data-finding-id=\"{}\"><h3><span class=\"sev\">{sev}</span> <code>{}</code> {}</h3>{detail}<p class=\"fix\"><strong>Fix:</strong> {}</p></article>",
        escape(id),
        escape(id),
        escape(title),
        escape(fix)
    );
}

/// `s` cut to `max` characters with an ellipsis (SVG text does not wrap).
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Renders the report as one self-contained HTML page.
pub fn render(r: &Report<'_>, tool_version: &str) -> String {
    let mut b = String::new();
    let c = r.counts();
    let _ = writeln!(
        b,
        "<header><h1>bars-certcheck {} <span class=\"verdict {v}\" id=\"verdict\">{}</span></h1>",
        escape(r.command),
        escape(&r.verdict.as_str().to_uppercase()),
        v = escape(r.verdict.as_str())
    );
    let _ = writeln!(
        b,
        "<p><code>{}</code></p><p class=\"muted\">Environment: <strong>{}</strong> · {} error(s), {} warning(s), {} info · judged at {}</p></header>",
        escape(&r.target),
        escape(crate::diag::environment_name(r.environment)),
        c.errors,
        c.warnings,
        c.infos,
        escape(&bars_model::rfc3339(r.now))
    );
    for n in &r.notes {
        let _ = writeln!(b, "<p class=\"note\">{}</p>", escape(n));
    }
    if !r.chains.is_empty() {
        b.push_str("<section id=\"chain\"><h2>Chain</h2>\n");
        for ch in &r.chains {
            b.push_str(&chain_svg(r, ch));
        }
        b.push_str("</section>\n");
    }
    if let Some(t) = &r.tls {
        b.push_str("<section id=\"tls\"><h2>TLS</h2><table>\n");
        let row =
            |k: &str, v: &str| format!("<tr><th>{}</th><td>{}</td></tr>\n", escape(k), escape(v));
        b.push_str(&row("Version", t.version.as_deref().unwrap_or("-")));
        b.push_str(&row("Cipher suite", t.cipher.as_deref().unwrap_or("-")));
        b.push_str(&row("ALPN", t.alpn.as_deref().unwrap_or("-")));
        b.push_str(&row(
            "Client certificate requested",
            if t.client_auth_requested { "yes" } else { "no" },
        ));
        let cas = if t.acceptable_client_cas.is_empty() {
            "(none advertised)".to_string()
        } else {
            t.acceptable_client_cas.join("\n")
        };
        b.push_str(&row("Acceptable client CAs", &cas));
        b.push_str("</table></section>\n");
    }
    b.push_str("<section id=\"findings\"><h2>Findings</h2>\n");
    if r.findings.is_empty() {
        b.push_str("<p>No findings.</p>\n");
    }
    for (i, f) in r.findings.iter().enumerate() {
        finding_article(
            &mut b,
            Some(i),
            f.id(),
            f.severity,
            &f.title,
            Some(&f.detail),
            &f.fix,
        );
    }
    b.push_str("</section>\n");
    if !r.certificates.is_empty() {
        b.push_str("<section id=\"certificates\"><h2>Certificates</h2><table>\n<thead><tr><th>#</th><th>role</th><th>subject</th><th>issuer</th><th>not after</th><th>SHA-256</th><th>source</th></tr></thead><tbody>\n");
        for (i, cv) in r.certificates.iter().enumerate() {
            let s = cv.summary;
            let _ = writeln!(
                b,
                "<tr><td class=\"num\">{i}</td><td>{}</td><td>{}</td><td>{}</td><td>{} <span class=\"muted\">({})</span></td><td><code>{}</code></td><td>{}</td></tr>",
                escape(crate::diag::role_name(cv.role)),
                escape(&s.subject),
                escape(&s.issuer),
                escape(&s.not_after),
                escape(&crate::inspect::validity_phrase(s, r.now)),
                escape(&s.sha256),
                escape(&cv.source)
            );
        }
        b.push_str("</tbody></table></section>\n");
    }
    page(
        &format!("bars-certcheck {}: {}", r.command, r.target),
        &b,
        tool_version,
        None,
    )
}

/// One chain as an SVG diagram: a box per certificate, leaf at the top, each with its
/// mark (the worst finding naming it), joined by "issued by" links; then the anchor, or
/// the gap when the path is incomplete.
fn chain_svg(r: &Report<'_>, ch: &ChainView) -> String {
    const W: usize = 760;
    const BOX_H: usize = 62;
    const GAP: usize = 34;
    let nodes: Vec<usize> = ch.path.clone();
    // The boxes and their links, then the (shorter) anchor box.
    let height = nodes.len() * (BOX_H + GAP) + BOX_H - 20;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"chain\" role=\"img\" aria-label=\"certificate chain from certificate {}\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\">",
        ch.leaf
    );
    for (depth, idx) in nodes.iter().enumerate() {
        let Some(cv) = r.certificates.get(*idx) else {
            continue;
        };
        let y = depth * (BOX_H + GAP);
        let worst = r
            .findings
            .iter()
            .filter(|f| f.certificate == Some(*idx))
            .map(|f| f.severity)
            .min();
        let (colour, sign, label) = mark(worst);
        let ids: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| f.certificate == Some(*idx))
            .map(|f| f.id())
            .collect();
        let subject = cv
            .summary
            .subject_cns
            .first()
            .cloned()
            .unwrap_or_else(|| cv.summary.subject.clone());
        if depth > 0 {
            let y0 = y.saturating_sub(GAP);
            let _ = writeln!(
                s,
                "<line x1=\"60\" y1=\"{y0}\" x2=\"60\" y2=\"{y}\" stroke=\"#667085\" stroke-width=\"2\"/><text x=\"72\" y=\"{}\" font-size=\"12\" fill=\"#475467\">issued by</text>",
                y0 + GAP / 2 + 4
            );
        }
        let _ = writeln!(
            s,
            "<g class=\"node {label}\" data-certificate=\"{idx}\"><title>{}</title><rect x=\"1\" y=\"{y1}\" width=\"{}\" height=\"{BOX_H}\" rx=\"8\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"2\"/>\
<circle cx=\"32\" cy=\"{}\" r=\"16\" fill=\"{colour}\"/><text x=\"32\" y=\"{}\" font-size=\"18\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\">{sign}</text>\
<text x=\"60\" y=\"{}\" font-size=\"14\" font-weight=\"600\">[{idx}] {}</text><text x=\"60\" y=\"{}\" font-size=\"12\" fill=\"#475467\">{}</text></g>",
            escape(&format!(
                "{}\nissuer: {}\n{}",
                cv.summary.subject,
                cv.summary.issuer,
                if ids.is_empty() {
                    "no findings".to_string()
                } else {
                    ids.join(", ")
                }
            )),
            W - 2,
            y + BOX_H / 2,
            y + BOX_H / 2 + 6,
            y + 24,
            escape(&clip(&subject, 80)),
            y + 45,
            escape(&clip(
                &format!(
                    "{} · {} · {}{}",
                    crate::diag::role_name(cv.role),
                    cv.source,
                    crate::inspect::validity_phrase(cv.summary, r.now),
                    if ids.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", ids.join(", "))
                    }
                ),
                110
            )),
            y1 = y + 1,
        );
    }
    let y = nodes.len() * (BOX_H + GAP);
    let (colour, text) = match (&ch.trusted_by, ch.complete) {
        (Some(t), true) => ("#067647", format!("trusted by {t}")),
        (Some(t), false) => (
            "#b42318",
            format!("trusted by {t}, but the path is incomplete with what was given"),
        ),
        (None, true) => ("#b42318", "trusted by nothing".to_string()),
        (None, false) => (
            "#b42318",
            "no complete path to a trusted root with what was given".to_string(),
        ),
    };
    if !nodes.is_empty() {
        let _ = writeln!(
            s,
            "<line x1=\"60\" y1=\"{}\" x2=\"60\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/>",
            y.saturating_sub(GAP)
        );
    }
    let _ = writeln!(
        s,
        "<g class=\"anchor\"><rect x=\"1\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"#f9fafb\" stroke=\"{colour}\" stroke-dasharray=\"5 4\"/><text x=\"20\" y=\"{}\" font-size=\"13\" fill=\"{colour}\">{}</text></g>",
        y + 1,
        W - 2,
        BOX_H - 24,
        y + 24,
        escape(&clip(&text, 110))
    );
    s.push_str("</svg>\n");
    s
}
