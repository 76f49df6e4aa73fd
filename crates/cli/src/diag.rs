//! The pipeline shared by the diagnosing commands (check, probe, scan): options from the
//! command line, inputs into a `CheckInput`, the analysis into a report, the exit code.

use crate::args::{DiagArgs, EnvArg, FailOn, ReportArgs, ReportFormat};
use crate::exit::Exit;
use anyhow::Context;
use bars_checks::{Analysis, CheckInput, ExtraCa, Options, Severity, Source, Usage};
use bars_model::{Item, Parsed, ReadErrorKind};
use bars_nhs::Environment;
use bars_report::diag::{CertView, ChainView, FindingView, Level, Report, TlsView};
use bars_report::Style;

/// The tool's version, shown in markdown and SARIF reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl EnvArg {
    /// The forced environment, `None` for auto.
    pub fn forced(self) -> Option<Environment> {
        match self {
            EnvArg::Auto => None,
            EnvArg::Int => Some(Environment::Int),
            EnvArg::Prod => Some(Environment::Prod),
            EnvArg::Public => Some(Environment::Public),
        }
    }
}

impl FailOn {
    /// As a severity threshold.
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        }
    }
}

/// Splits `[int:|prod:|public:]FILE`.
pub fn split_ca_arg(arg: &str) -> (Option<Environment>, &str) {
    for (prefix, env) in [
        ("int:", Environment::Int),
        ("prod:", Environment::Prod),
        ("public:", Environment::Public),
    ] {
        if let Some(rest) = arg.strip_prefix(prefix) {
            return (Some(env), rest);
        }
    }
    (None, arg)
}

/// A name a certificate could cover: at most 253 characters, labels of 1 to 63 (a
/// leading `*.` allowed), or an IP address.
pub fn check_dns_name(name: &str) -> Result<(), String> {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let n = name.trim_end_matches('.');
    if n.is_empty() {
        return Err("empty name".into());
    }
    if n.len() > 253 {
        return Err(format!(
            "a DNS name is at most 253 characters; this one has {} ({} labels)",
            n.len(),
            n.split('.').count()
        ));
    }
    for (i, label) in n.split('.').enumerate() {
        if label.is_empty() || label.len() > 63 {
            return Err(format!(
                "label {} ({label:?}) must be 1 to 63 characters",
                i + 1
            ));
        }
        let wildcard = label == "*" && i == 0;
        let plain = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !wildcard && !plain {
            return Err(format!(
                "label {label:?} holds characters a DNS name cannot"
            ));
        }
    }
    Ok(())
}

/// The analysis options for `diag` at time `at`. `--ca` files are read here; a file that
/// cannot be read, or that holds no certificate, is a usage error.
pub fn options(diag: &DiagArgs, at: i64, usage: Usage) -> anyhow::Result<Options> {
    let mut opts = Options::new(at);
    opts.env = diag.env.forced();
    opts.use_embedded = !diag.no_embedded_ca;
    opts.warn_days = diag.warn_days;
    if let Some(name) = &diag.expect_fqdn {
        check_dns_name(name).map_err(|why| anyhow::anyhow!("--expect-fqdn: {why}"))?;
    }
    opts.expect_fqdn = diag.expect_fqdn.clone();
    opts.usage = usage;
    for arg in &diag.ca {
        let (tag, path) = split_ca_arg(arg);
        // A bare --ca applies to the environment in force.
        let env = tag.or(opts.env);
        let parsed = bars_model::read_path(
            std::path::Path::new(path),
            &bars_model::NoPassword,
            &crate::input::limits(),
        );
        if let Some(e) = parsed.errors.first() {
            anyhow::bail!("--ca {e}");
        }
        let certs: Vec<_> = parsed.certificates().cloned().collect();
        if certs.is_empty() {
            anyhow::bail!("--ca {path}: no certificate in the file");
        }
        for cert in certs {
            opts.extra_cas.push(ExtraCa {
                env,
                cert,
                path: path.to_string(),
                source: None,
            });
        }
    }
    if diag.no_embedded_ca && opts.extra_cas.is_empty() && opts.env != Some(Environment::Public) {
        anyhow::bail!("--no-embedded-ca needs at least one --ca FILE to trust");
    }
    Ok(opts)
}

/// The parsed inputs as the checks' input (their read problems were already printed,
/// one stderr line each). An unopenable PKCS#12 becomes a `pfx.bad-password` finding, a
/// key a wrong password did not open `key.locked`; any other problem is an
/// `input.unreadable` finding and makes the returned flag true (exit 2).
pub fn check_input(parsed: Vec<(String, Parsed)>) -> (CheckInput, bool) {
    let mut input = CheckInput::default();
    let mut failed = false;
    for (name, p) in parsed {
        for e in &p.errors {
            match &e.kind {
                kind if kind.is_container_password() => {
                    input
                        .pfx_errors
                        .push((Source::File(name.clone()), e.kind.to_string()));
                }
                ReadErrorKind::BadPassword { what } if what.contains("private key") => {
                    input
                        .locked_keys
                        .push((Source::File(name.clone()), e.kind.to_string()));
                }
                kind => {
                    failed = true;
                    input.unreadable.push((name.clone(), kind.to_string()));
                }
            }
        }
        for item in p.items {
            let source = Source::File(name.clone());
            match item {
                Item::Certificate(c) => input.certificates.push((c, source)),
                Item::Csr(c) => input.csrs.push((c, source)),
                Item::Key(k) => input.keys.push((k, source)),
                Item::Pfx(x) => input.pfx.push((x, source)),
            }
        }
    }
    (input, failed)
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        _ => Level::Info,
    }
}

/// The report view of one finding.
pub fn finding_view(f: &bars_checks::Finding) -> FindingView {
    FindingView {
        id: f.id.to_string(),
        severity: level(f.severity),
        title: f.title.clone(),
        detail: f.detail.clone(),
        fix: f.fix.clone(),
        certificate: f.certificate,
        file: f.file.clone(),
    }
}

/// The report view of an analysis.
pub fn report<'a>(
    analysis: &'a Analysis,
    command: &'static str,
    target: String,
    tls: Option<TlsView>,
    notes: Vec<String>,
    fail_on: Severity,
    now: i64,
) -> Report<'a> {
    Report {
        command,
        target,
        environment: analysis
            .environment
            .map(|e| e.as_str().to_string())
            .unwrap_or_else(|| "unknown".into()),
        environment_source: analysis.environment_source.as_str(),
        certificates: analysis
            .certificates
            .iter()
            .map(|c| CertView {
                source: c.source.to_string(),
                role: match c.role {
                    bars_checks::Role::Leaf => "leaf",
                    bars_checks::Role::Root => "root",
                    _ => "intermediate",
                },
                summary: c.cert.summary(),
            })
            .collect(),
        chains: analysis
            .chains
            .iter()
            .map(|c| ChainView {
                leaf: c.leaf,
                complete: c.complete,
                valid: c.valid,
                trusted_by: c.trusted_by.clone(),
                path: c.path.clone(),
            })
            .collect(),
        tls,
        findings: analysis.findings.iter().map(finding_view).collect(),
        notes,
        verdict: bars_checks::verdict(&analysis.findings, fail_on).as_str(),
        now,
    }
}

/// Every finding kind as a SARIF rule.
pub fn sarif_rules() -> Vec<bars_report::sarif::Rule> {
    bars_checks::catalogue()
        .iter()
        .map(|c| bars_report::sarif::Rule {
            id: c.id.to_string(),
            title: c.title.to_string(),
            help: format!("{} Fix: {}", c.explanation, c.fix),
            level: level(c.severity),
        })
        .collect()
}

/// Renders `report` in the chosen format.
pub fn render(report: &Report<'_>, out: &ReportArgs, inputs: &[String]) -> String {
    match out.format {
        ReportFormat::Json => bars_report::diag::render_json(report),
        ReportFormat::Markdown => bars_report::diag::render_markdown(report, VERSION),
        ReportFormat::Sarif => bars_report::sarif::render(report, &sarif_rules(), inputs, VERSION),
        ReportFormat::Text => {
            bars_report::diag::render_text(report, &Style::new(crate::output::use_color(out.color)))
        }
    }
}

/// The gate's exit code: 2 when an input could not be read (whatever else was found),
/// else 1 for findings at or above `--fail-on`, else 0.
pub fn exit_code(analysis: &Analysis, fail_on: Severity, read_failed: bool) -> Exit {
    if read_failed {
        Exit::Usage
    } else if bars_checks::verdict(&analysis.findings, fail_on) == bars_checks::Verdict::Fail {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// Writes the path of the first complete chain (leaf, then the intermediates, without
/// the root) as PEM to `path`, atomically. Refused when no complete path exists.
pub fn write_chain(analysis: &Analysis, path: &std::path::Path) -> anyhow::Result<usize> {
    let chain = analysis
        .chains
        .iter()
        .find(|c| c.anchored)
        .context("--write-chain: no complete path to a trusted root, so no chain to write")?;
    let mut pem = String::new();
    let mut n = 0;
    for idx in &chain.path {
        let Some(entry) = analysis.certificates.get(*idx) else {
            continue;
        };
        if entry.role == bars_checks::Role::Root || entry.cert.summary().self_issued {
            continue;
        }
        pem.push_str(&pem_block("CERTIFICATE", entry.cert.der()));
        n += 1;
    }
    bars_forge::write::write_atomic(path, pem.as_bytes(), bars_forge::write::MODE_PUBLIC, true)
        .with_context(|| format!("--write-chain {}", path.display()))?;
    Ok(n)
}

/// A PEM block with 64-column base64.
pub fn pem_block(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// One finding as indented plain text (the refusals and notes of `csr new` / `pfx build`).
pub fn finding_text(f: &bars_checks::Finding) -> String {
    format!(
        "  {:<7} {}: {}\n          {}\n          fix: {}\n",
        f.severity.as_str(),
        f.id,
        f.title,
        f.detail,
        f.fix
    )
}
