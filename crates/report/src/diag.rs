//! The diagnosis report of `check` and `probe`: one view model, rendered as text,
//! markdown or JSON (SARIF lives in [`crate::sarif`]).

use crate::json::{CertJson, Envelope, FindingJson};
use crate::style::Style;
use bars_checks::{EnvSource, Finding, Role, Severity, Summary, Verdict};
use bars_model::CertSummary;
use bars_nhs::Environment;
use serde::Serialize;
use std::fmt::Write;

/// One certificate in the report.
#[derive(Clone, Debug)]
pub struct CertView<'a> {
    /// Where it came from (`sent`, `file:…`, `embedded`, `ca-option:…`, `fetched:…`).
    pub source: String,
    /// Its place in the analysis.
    pub role: Role,
    /// Its summary.
    pub summary: &'a CertSummary,
}

/// `leaf`, `intermediate` or `root`.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Leaf => "leaf",
        Role::Root => "root",
        _ => "intermediate",
    }
}

/// `int`, `prod`, `public`, or `unknown` for no environment.
pub fn environment_name(env: Option<Environment>) -> &'static str {
    env.map_or("unknown", Environment::as_str)
}

/// One chain in the report.
#[derive(Clone, Debug, Serialize)]
pub struct ChainView {
    /// Index of the leaf.
    pub leaf: usize,
    /// What was given was enough to link the leaf to its anchor (false whenever
    /// `chain.incomplete` is reported).
    pub complete: bool,
    /// The path judged reaches a trust anchor and nothing on it invalidates it.
    pub valid: bool,
    /// The anchor that terminates the path, or null.
    pub trusted_by: Option<String>,
    /// Indexes of the path's certificates, leaf first.
    pub path: Vec<usize>,
}

/// TLS details of a probe.
#[derive(Clone, Debug, Serialize)]
pub struct TlsView {
    /// `TLSv1.3`, `TLSv1.2`, …
    pub version: Option<String>,
    /// Negotiated cipher suite.
    pub cipher: Option<String>,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// The server sent a CertificateRequest.
    pub client_auth_requested: bool,
    /// The CA names it advertised, RFC 4514.
    pub acceptable_client_cas: Vec<String>,
}

/// What one `--mtls-audit` handshake showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    /// The server let the client in.
    Accepted,
    /// The server refused it.
    Rejected,
    /// Could not tell.
    Inconclusive,
}

/// One audit handshake in the report.
#[derive(Clone, Debug, Serialize)]
pub struct AuditLine {
    /// What the server did.
    pub outcome: AuditOutcome,
    /// How, in words.
    pub detail: String,
    /// What was presented (the extra identities only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presented: Option<String>,
}

/// `--mtls-audit` in the report.
#[derive(Clone, Debug, Serialize)]
pub struct AuditView {
    /// No client certificate.
    pub anonymous: AuditLine,
    /// A throwaway self-signed client certificate.
    pub self_signed: AuditLine,
    /// Other client certificates presented, in order.
    pub others: Vec<AuditLine>,
}

/// Why a probe received no certificate (the document's `error`).
#[derive(Clone, Debug, Serialize)]
pub struct ErrorView {
    /// `dns`, `refused`, `timeout`, `not-tls`, `alert`, `reset`, `closed`, `proxy`, `config`,
    /// `old-protocol` or `io`.
    pub kind: &'static str,
    /// One plain sentence.
    pub message: String,
}

/// Everything a diagnosis report shows.
#[derive(Clone, Debug)]
pub struct Report<'a> {
    /// `check` or `probe`.
    pub command: &'static str,
    /// What was examined (files, or host:port).
    pub target: String,
    /// The environment judged against (`None`: unknown).
    pub environment: Option<Environment>,
    /// Where the environment came from.
    pub environment_source: EnvSource,
    /// Certificates, by index.
    pub certificates: Vec<CertView<'a>>,
    /// One chain per leaf.
    pub chains: Vec<ChainView>,
    /// TLS details (probe only).
    pub tls: Option<TlsView>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Lines of context shown under the header (e.g. "fetched, not sent" notes).
    pub notes: Vec<String>,
    /// The gate's answer (decided from the findings and `--fail-on`, never here).
    pub verdict: Verdict,
    /// Unix time the report was judged at (for "expires in N days").
    pub now: i64,
    /// `--mtls-audit` results (probe documents only).
    pub audit: Option<AuditView>,
    /// Why no certificate was received (probe documents only; `tls` is then null).
    pub error: Option<ErrorView>,
}

impl Report<'_> {
    /// Counts by severity.
    pub fn counts(&self) -> Summary {
        bars_checks::summarise(&self.findings)
    }
}

#[derive(Serialize)]
struct ReportJson<'a> {
    #[serde(flatten)]
    envelope: Envelope<'a>,
    target: &'a str,
    environment: &'static str,
    environment_source: EnvSource,
    certificates: Vec<CertJson<'a>>,
    chain: Option<&'a ChainView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chains: Option<&'a [ChainView]>,
    /// Absent from file reports; `null` in a probe document that received nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<Option<&'a TlsView>>,
    findings: Vec<FindingJson<'a>>,
    summary: Summary,
    verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<&'a AuditView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a ErrorView>,
}

fn report_json<'a>(r: &'a Report<'_>) -> ReportJson<'a> {
    ReportJson {
        envelope: Envelope::new(r.command),
        target: &r.target,
        environment: environment_name(r.environment),
        environment_source: r.environment_source,
        certificates: r
            .certificates
            .iter()
            .enumerate()
            .map(|(index, c)| CertJson {
                index,
                source: c.source.clone(),
                role: Some(c.role),
                summary: c.summary,
            })
            .collect(),
        chain: r.chains.first(),
        chains: (r.chains.len() > 1).then_some(r.chains.as_slice()),
        tls: match (&r.tls, &r.error) {
            (Some(t), _) => Some(Some(t)),
            (None, Some(_)) => Some(None),
            (None, None) => None,
        },
        findings: r.findings.iter().map(FindingJson::from).collect(),
        summary: r.counts(),
        verdict: r.verdict,
        audit: r.audit.as_ref(),
        error: r.error.as_ref(),
    }
}

/// The report as a JSON value (the SPEC's document shape); `scan` nests these.
pub fn to_json_value(r: &Report<'_>) -> serde_json::Value {
    serde_json::to_value(report_json(r)).unwrap_or(serde_json::Value::Null)
}

/// The report as a JSON document (serialised directly: no intermediate value tree).
pub fn render_json(r: &Report<'_>) -> String {
    crate::json::to_string(&report_json(r))
}

fn finding_marks(r: &Report<'_>, index: usize) -> Option<Severity> {
    r.findings
        .iter()
        .filter(|f| f.certificate == Some(index))
        .map(|f| f.severity)
        .min()
}

/// The report as text for a terminal or a ticket: header, chain tree with a mark on each
/// link, TLS details, then findings grouped by severity, each with its fix.
pub fn render_text(r: &Report<'_>, style: &Style) -> String {
    let mut out = String::new();
    let verdict = match r.verdict {
        Verdict::Pass => style.good("PASS"),
        Verdict::Warn => style.warn("WARN"),
        _ => style.bad("FAIL"),
    };
    // A file given as `-` is standard input.
    let target = if r.target == "-" { "stdin" } else { &r.target };
    let _ = writeln!(out, "{}  {}", style.heading(target), verdict);
    let _ = writeln!(out, "Environment: {}", environment_name(r.environment));
    for n in &r.notes {
        let _ = writeln!(out, "{n}");
    }
    for chain in &r.chains {
        let _ = writeln!(out, "\n{}", style.bold("Chain"));
        for (depth, idx) in chain.path.iter().enumerate() {
            let Some(c) = r.certificates.get(*idx) else {
                continue;
            };
            let mark = match finding_marks(r, *idx) {
                None | Some(Severity::Info) => style.good("✓"),
                Some(Severity::Warning) => style.warn("!"),
                Some(_) => style.bad("✗"),
            };
            let indent = "   ".repeat(depth);
            let branch = if depth == 0 { "" } else { "└─ " };
            let s = c.summary;
            let _ = writeln!(
                out,
                "  {indent}{branch}{mark} [{idx}] {}  ({}, {}, {})",
                crate::style::name_text(&s.subject),
                role_name(c.role),
                c.source,
                crate::inspect::validity_phrase(s, r.now)
            );
        }
        if !chain.complete {
            let _ = writeln!(
                out,
                "  {}",
                style.bad(
                    "✗ what was given does not link the leaf to its anchor (chain.incomplete)"
                )
            );
        }
        match (&chain.trusted_by, chain.valid) {
            (Some(t), true) => {
                let _ = writeln!(out, "  trusted by: {t}");
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  trusted by: {}",
                    style.bad("nothing (the path is not valid: see the errors below)")
                );
            }
        }
    }
    let path_members: Vec<usize> = r
        .chains
        .iter()
        .flat_map(|c| c.path.iter().copied())
        .collect();
    let others: Vec<(usize, &CertView<'_>)> = r
        .certificates
        .iter()
        .enumerate()
        .filter(|(i, _)| !path_members.contains(i))
        .collect();
    if !others.is_empty() {
        let heading = if r.chains.is_empty() {
            "Certificates"
        } else {
            "Other certificates"
        };
        let _ = writeln!(out, "\n{}", style.bold(heading));
        for (i, c) in others {
            let _ = writeln!(
                out,
                "  [{i}] {}  ({}, {})",
                crate::style::name_text(&c.summary.subject),
                role_name(c.role),
                c.source
            );
        }
    }
    if let Some(t) = &r.tls {
        let _ = writeln!(out, "\n{}", style.bold("TLS"));
        let _ = writeln!(
            out,
            "  version: {}   cipher: {}   ALPN: {}",
            t.version.as_deref().unwrap_or("-"),
            t.cipher.as_deref().unwrap_or("-"),
            t.alpn.as_deref().unwrap_or("-")
        );
        let _ = writeln!(
            out,
            "  client certificate requested: {}",
            if t.client_auth_requested { "yes" } else { "no" }
        );
        if t.client_auth_requested {
            if t.acceptable_client_cas.is_empty() {
                let _ = writeln!(out, "  acceptable client CAs: (none advertised)");
            } else {
                let _ = writeln!(out, "  acceptable client CAs:");
                for ca in &t.acceptable_client_cas {
                    let _ = writeln!(out, "    - {ca}");
                }
            }
        }
    }
    let _ = writeln!(out);
    if r.findings.is_empty() {
        let _ = writeln!(out, "{}", style.good("No findings."));
    }
    for level in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == level).collect();
        if group.is_empty() {
            continue;
        }
        let heading = match level {
            Severity::Error => style.bad(&format!("Errors ({})", group.len())),
            Severity::Warning => style.warn(&format!("Warnings ({})", group.len())),
            _ => style.bold(&format!("Info ({})", group.len())),
        };
        let _ = writeln!(out, "{heading}");
        for f in group {
            let _ = writeln!(
                out,
                "  {} {}",
                style.bold(&format!("[{}]", f.id())),
                f.title
            );
            let _ = writeln!(out, "      {}", f.detail);
            let _ = writeln!(out, "      fix: {}", f.fix);
        }
        let _ = writeln!(out);
    }
    let c = r.counts();
    let _ = writeln!(
        out,
        "{} error{}, {} warning{}, {} info",
        c.errors,
        if c.errors == 1 { "" } else { "s" },
        c.warnings,
        if c.warnings == 1 { "" } else { "s" },
        c.infos
    );
    style.glyphs(&out).into_owned()
}

/// The report as markdown to paste into a support ticket (no key material, ever: the
/// report holds none).
pub fn render_markdown(r: &Report<'_>, tool_version: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## bars-certcheck {}: {}\n",
        r.command,
        crate::markup::markdown_code(&r.target)
    );
    let c = r.counts();
    let _ = writeln!(
        out,
        "**Verdict: {}** — {} error(s), {} warning(s), {} info. Environment: `{}`. Tool: bars-certcheck {tool_version}.\n",
        r.verdict.as_str().to_uppercase(),
        c.errors,
        c.warnings,
        c.infos,
        environment_name(r.environment)
    );
    for n in &r.notes {
        let _ = writeln!(out, "> {}\n", md_escape(n));
    }
    let _ = writeln!(out, "### Certificates\n");
    let _ = writeln!(
        out,
        "| # | role | subject | issuer | not after | SHA-256 | source |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for (i, cv) in r.certificates.iter().enumerate() {
        let s = cv.summary;
        let _ = writeln!(
            out,
            "| {i} | {} | {} | {} | {} | `{}` | {} |",
            role_name(cv.role),
            md_escape(&s.subject),
            md_escape(&s.issuer),
            s.not_after,
            s.sha256,
            md_escape(&cv.source)
        );
    }
    for chain in &r.chains {
        let path: Vec<String> = chain.path.iter().map(|i| i.to_string()).collect();
        let _ = writeln!(
            out,
            "\nChain from certificate {}: path {} — {}; trusted by {}.",
            chain.leaf,
            path.join(" → "),
            match (chain.complete, chain.valid) {
                (true, true) => "complete and valid",
                (false, true) => "valid, but **incomplete** as given",
                (true, false) => "**not valid**",
                (false, false) => "**incomplete and not valid**",
            },
            chain
                .trusted_by
                .as_deref()
                .map(md_escape)
                .unwrap_or_else(|| "**nothing**".into())
        );
    }
    if let Some(t) = &r.tls {
        let _ = writeln!(out, "\n### TLS\n");
        let _ = writeln!(
            out,
            "- Version: {}; cipher: {}; ALPN: {}",
            t.version.as_deref().unwrap_or("-"),
            t.cipher.as_deref().unwrap_or("-"),
            t.alpn.as_deref().unwrap_or("-")
        );
        let _ = writeln!(
            out,
            "- Client certificate requested: {}",
            if t.client_auth_requested {
                "yes"
            } else {
                "**no**"
            }
        );
        for ca in &t.acceptable_client_cas {
            let _ = writeln!(out, "- Acceptable client CA: {}", md_escape(ca));
        }
    }
    let _ = writeln!(out, "\n### Findings\n");
    if r.findings.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for f in &r.findings {
        let _ = writeln!(
            out,
            "- **{}** `{}` — {}\n  - {}\n  - Fix: {}",
            f.severity.as_str(),
            f.id(),
            md_escape(&f.title),
            md_escape(&f.detail),
            md_escape(&f.fix)
        );
    }
    out
}

fn md_escape(s: &str) -> String {
    crate::markup::markdown_text(s)
}
