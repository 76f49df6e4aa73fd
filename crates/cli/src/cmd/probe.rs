//! `probe HOST[:PORT]|URL`: fetch a live endpoint's chain (exactly as sent, even when it
//! does not validate or the handshake fails afterwards) and diagnose it with every file
//! check plus the TLS findings.

use crate::args::{DiagArgs, PasswordArgs, ReportArgs, ReportFormat};
use crate::diag;
use crate::exit::Exit;
use crate::input::read_all;
use crate::password::Passwords;
use anyhow::Context;
use bars_checks::{Analysis, AuditFacts, CheckInput, HandshakeFacts, Options, Source, TlsFacts};
use bars_model::{Certificate, Item, PrivateKey};
use bars_net::{AuditOutcome, AuditResult, ClientIdentity, ProbeError, ProbeOptions, ProbeResult};
use bars_report::diag::TlsView;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The endpoint: HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/path (port 443
    /// unless given).
    #[arg(value_name = "HOST[:PORT]|URL")]
    pub target: String,

    /// Connect to this address instead of resolving the host (the port defaults to the
    /// target's). The SNI and the name to cover stay the target's host.
    #[arg(long, value_name = "ADDR[:PORT]")]
    pub connect: Option<String>,

    /// The SNI name to send (default: the host; none for an IP address). It is also the
    /// name the certificate must cover, unless --expect-fqdn is given.
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,

    /// Seconds allowed for DNS, connect and the TLS handshake together (decimals allowed).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: Duration,

    /// Present this client certificate (PEM/DER, leaf first; intermediates may follow),
    /// as the BaRS proxy does. Needs --client-key.
    #[arg(
        long,
        value_name = "FILE",
        requires = "client_key",
        conflicts_with = "pfx"
    )]
    pub client_cert: Option<PathBuf>,

    /// The private key of --client-cert (PKCS#8, PKCS#1, SEC1; encrypted keys take
    /// --password-env/--password-file).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,

    /// Present the client certificate, key and chain held in this PKCS#12 file.
    #[arg(long, value_name = "FILE")]
    pub pfx: Option<PathBuf>,

    /// Also try without a client certificate and with a throwaway self-signed one, and
    /// report the server accepting either (tls.accepts-anonymous,
    /// tls.accepts-foreign-client).
    #[arg(long)]
    pub mtls_audit: bool,

    /// Connect through this HTTP CONNECT proxy (http://HOST:PORT). Without it,
    /// HTTPS_PROXY/NO_PROXY apply (but not with --connect).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Write the chain exactly as the server sent it (PEM, in the order sent).
    #[arg(long, value_name = "FILE")]
    pub save_chain: Option<PathBuf>,

    /// Write the fixed chain (the leaf, then exactly the intermediates to send, without
    /// the root, completed from the embedded/--ca CAs) to this PEM file.
    #[arg(long, value_name = "FILE")]
    pub write_chain: Option<PathBuf>,

    #[command(flatten)]
    pub diag: DiagArgs,

    #[command(flatten)]
    pub online: super::check::OnlineArgs,

    #[command(flatten)]
    pub output: ReportArgs,

    #[command(flatten)]
    pub password: PasswordArgs,
}

/// Parses `--timeout`: a positive number of seconds, at most a day.
pub(crate) fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !v.is_finite() || v <= 0.0 || v > 86_400.0 {
        return Err("the timeout must be more than 0 and at most 86400 seconds".into());
    }
    Ok(Duration::from_secs_f64(v))
}

/// How long the main probe waits after the handshake for a TLS 1.3 rejection of the
/// client certificate (see `ProbeOptions::reply_timeout`).
const REJECTION_WAIT: Duration = Duration::from_secs(3);

pub fn run(args: ProbeArgs) -> anyhow::Result<Exit> {
    let target = bars_net::Target::parse(&args.target)?;
    let now = super::now_or(args.diag.at);
    let fail_on = args.diag.fail_on.severity();
    let mut opts = diag::options(&args.diag, now, bars_checks::Usage::Server)?;
    let name = name_to_cover(&target, args.sni.as_deref());
    opts.host = Some(name.clone());
    opts.leaf_first = true;
    opts.purpose = bars_checks::Purpose::Server;
    if opts.env.is_none() {
        // `--env auto`: the probed FQDN's prefix first (BaRS-INT-…, BaRS-PROD-…).
        opts.env = bars_nhs::env_from_fqdn(opts.expect_fqdn.as_deref().unwrap_or(&name));
    }
    let identity = match client_identity(&args)? {
        Ok(id) => id,
        Err(exit) => return Ok(exit),
    };
    let popts = ProbeOptions {
        connect: args.connect.clone(),
        sni: args.sni.clone(),
        timeout: args.timeout,
        client_identity: identity,
        proxy: args.proxy.clone(),
        reply_timeout: Some(REJECTION_WAIT),
        ..ProbeOptions::default()
    }
    .with_env();
    let shown = target.to_string();

    let result = match require_chain(bars_net::probe(&target, &popts), &shown) {
        Ok(r) => r,
        Err(e) => return network_failure(&e, &shown, &opts, &args.output, now),
    };
    let audit = args.mtls_audit.then(|| {
        let aopts = ProbeOptions {
            reply_timeout: None,
            ..popts.clone()
        };
        // At a Receiver, also present a certificate from a look-alike of its NHS
        // hierarchy and one from the other environment's TEST hierarchy.
        let extra = match opts.env {
            Some(env) if env.is_nhs() => audit_identities(env),
            _ => Vec::new(),
        };
        bars_net::audit_with(&target, &aopts, &extra)
    });

    let rev = args.online.options(now);
    let mut d = diagnose_online(
        &result,
        audit.as_ref(),
        &mut opts,
        &rev,
        args.online.fetch_missing,
    );
    for line in &d.problems {
        eprintln!("bars-certcheck: {line}");
    }
    let mut output_failed = false;
    if let Some(path) = &args.save_chain {
        match save_chain(&result.chain, path) {
            Ok(()) => d.notes.push(format!(
                "Saved the chain as sent ({}) to {}",
                count(result.chain.len(), "certificate"),
                path.display()
            )),
            Err(e) => {
                eprintln!("bars-certcheck: {e:#}");
                output_failed = true;
            }
        }
    }
    if let Some(path) = &args.write_chain {
        match diag::write_chain(&d.analysis, path) {
            Ok(n) => d.notes.push(format!(
                "Wrote the chain to send ({}) to {}",
                count(n, "certificate"),
                path.display()
            )),
            Err(e) => {
                eprintln!("bars-certcheck: {e:#}");
                output_failed = true;
            }
        }
    }
    let report = diag::report(
        &d.analysis,
        "probe",
        shown.clone(),
        Some(d.tls.clone()),
        d.notes.clone(),
        fail_on,
        now,
    );
    let text = match (&audit, args.output.format) {
        (Some(a), ReportFormat::Json) => {
            let mut doc = bars_report::diag::to_json_value(&report);
            if let Some(obj) = doc.as_object_mut() {
                obj.insert("audit".into(), audit_json(a));
            }
            bars_report::json::to_string(&doc)
        }
        _ => diag::render(&report, &args.output, &[shown]),
    };
    crate::output::print(&text)?;
    let exit = diag::exit_code(&d.analysis, fail_on, output_failed);
    // A certificate the tool cannot read was not checked: never a pass.
    Ok(if d.problems.is_empty() || exit != Exit::Ok {
        exit
    } else {
        Exit::Findings
    })
}

/// A handshake that ended without the server sending a certificate is no chain too.
pub fn require_chain(
    result: Result<ProbeResult, ProbeError>,
    shown: &str,
) -> Result<ProbeResult, ProbeError> {
    match result {
        Ok(r) if r.chain.is_empty() => Err(ProbeError::Io {
            target: shown.to_string(),
            why: "the handshake ended without the server sending a certificate".into(),
        }),
        other => other,
    }
}

/// The name the certificate must cover: the `--sni` name when given, else the host.
pub fn name_to_cover(target: &bars_net::Target, sni: Option<&str>) -> String {
    match sni {
        Some(s) => s.trim_end_matches('.').to_ascii_lowercase(),
        None => target.host.clone(),
    }
}

/// A probe's diagnosis: the analysis (file checks plus `tls.*` findings), the TLS view,
/// notes for the report, and problems to print on stderr (certificates that cannot be
/// read).
pub struct Diagnosis {
    pub analysis: Analysis,
    pub tls: TlsView,
    pub notes: Vec<String>,
    pub problems: Vec<String>,
}

/// Diagnoses what one probe (and, with `--mtls-audit`, its audit) saw, under `opts`
/// (`opts.host` is the name to cover). Offline: nothing is contacted.
pub fn diagnose(r: &ProbeResult, audit: Option<&AuditResult>, opts: &Options) -> Diagnosis {
    let (input, problems) = probe_input(r);
    let analysis = bars_checks::analyse(&input, opts);
    finish(r, audit, opts, analysis, problems, Vec::new())
}

/// [`diagnose`] plus the online checks: missing issuers from AIA (`fetch_missing`), CRL
/// and OCSP as `rev.mode` says, and the OCSP response the server stapled (always checked:
/// it needs no network).
pub fn diagnose_online(
    r: &ProbeResult,
    audit: Option<&AuditResult>,
    opts: &mut Options,
    rev: &bars_revocation::RevocationOptions,
    fetch_missing: bool,
) -> Diagnosis {
    let (input, problems) = probe_input(r);
    let mut notes = Vec::new();
    let mut analysis = if fetch_missing {
        let done = bars_revocation::complete_with_aia(&input, opts, rev);
        notes.extend(done.notes());
        done.analysis
    } else {
        bars_checks::analyse(&input, opts)
    };
    let mut rev = rev.clone();
    if let Some(staple) = &r.ocsp_stapled {
        // The staple answers for the server's own certificate: the first leaf.
        if let Some(leaf) = analysis.chains.first().map(|c| c.leaf) {
            rev.stapled.push((leaf, staple.clone()));
            notes.push("The server stapled an OCSP response; it was checked.".into());
        }
    }
    let found = bars_revocation::check_analysis(&analysis, &rev);
    bars_revocation::add_findings(&mut analysis, found);
    finish(r, audit, opts, analysis, problems, notes)
}

/// The sent certificates as checks input, and those that cannot be read.
pub fn probe_input(r: &ProbeResult) -> (CheckInput, Vec<String>) {
    let mut input = CheckInput::default();
    let mut problems = Vec::new();
    for (i, der) in r.chain.iter().enumerate() {
        match Certificate::from_der(der) {
            Ok(c) => input.certificates.push((c, Source::Sent)),
            Err(e) => problems.push(format!(
                "certificate #{i} sent by {} cannot be read ({e}); it was not checked",
                r.target
            )),
        }
    }
    (input, problems)
}

/// The rest of a probe's diagnosis once its analysis is made: the `tls.*` findings, the
/// TLS view and the notes.
pub fn finish(
    r: &ProbeResult,
    audit: Option<&AuditResult>,
    opts: &Options,
    mut analysis: Analysis,
    problems: Vec<String>,
    online_notes: Vec<String>,
) -> Diagnosis {
    let facts = TlsFacts {
        version: r.tls_version.clone(),
        client_auth_requested: r.client_auth_requested,
        acceptable_client_cas: r.acceptable_client_cas_der.clone(),
        client_cert_sent: r.client_cert_sent,
        handshake_failure: r.handshake_error.as_ref().map(|h| HandshakeFacts {
            alert: h.alert.clone(),
            message: h.message.clone(),
        }),
        audit: audit.map(|a| AuditFacts {
            anonymous_accepted: accepted(&a.anonymous),
            foreign_accepted: accepted(&a.self_signed),
            others_accepted: a
                .extra
                .iter()
                .filter_map(|(what, o)| accepted(o).map(|how| (what.clone(), how)))
                .collect(),
        }),
    };
    let tls_findings = bars_checks::tls_findings(&facts, &analysis, opts);
    analysis.extend_findings(tls_findings);

    let mut notes = Vec::new();
    let via = match (r.peer_addr, &r.sni) {
        (Some(a), Some(s)) => format!("Connected to {a} (SNI {s})"),
        (Some(a), None) => format!("Connected to {a} (no SNI)"),
        (None, Some(s)) => format!("Connected (SNI {s})"),
        (None, None) => "Connected (no SNI)".to_string(),
    };
    notes.push(format!(
        "{via} in {} ms; {} sent; name to cover: {}",
        r.elapsed_ms,
        count(r.chain.len(), "certificate"),
        opts.expect_fqdn
            .as_deref()
            .or(opts.host.as_deref())
            .unwrap_or("-")
    ));
    if r.client_cert_sent {
        notes.push("Presented the client certificate given.".into());
    } else if r.client_auth_requested {
        notes.push(
            "The server asked for a client certificate; none was presented \
             (give --pfx or --client-cert/--client-key to present one)."
                .into(),
        );
    }
    if let Some(bars_net::PostHandshake::Response(line)) = &r.post_handshake {
        notes.push(format!("The server answered the request: {line}"));
    }
    if let Some(a) = audit {
        notes.push(format!(
            "mTLS audit, without a client certificate: {}",
            a.anonymous
        ));
        notes.push(format!(
            "mTLS audit, with a throwaway self-signed certificate: {}",
            a.self_signed
        ));
        for (what, o) in &a.extra {
            notes.push(format!("mTLS audit, with {what}: {o}"));
        }
    }
    notes.extend(online_notes);
    notes.extend(problems.iter().cloned());
    let tls = TlsView {
        version: r.tls_version.clone(),
        cipher: r.cipher.clone(),
        alpn: r.alpn.clone(),
        client_auth_requested: r.client_auth_requested,
        acceptable_client_cas: r.acceptable_client_cas.clone(),
    };
    Diagnosis {
        analysis,
        tls,
        notes,
        problems,
    }
}

/// The extra audit identities for a Receiver of `env`: a look-alike of its NHS hierarchy
/// and the other environment's TEST hierarchy (none if that fails, said on stderr).
fn audit_identities(env: bars_nhs::Environment) -> Vec<bars_net::NamedIdentity> {
    // Valid now (not at --at): the server judges them by its own clock.
    let at = time::OffsetDateTime::now_utc();
    match bars_testpki::audit_identities(&env.as_str().to_uppercase(), at) {
        Ok(ids) => ids
            .into_iter()
            .map(|i| bars_net::NamedIdentity {
                label: i.label,
                identity: ClientIdentity {
                    chain: i.chain,
                    key_pkcs8: i.key_pkcs8,
                },
            })
            .collect(),
        Err(e) => {
            eprintln!("bars-certcheck: --mtls-audit: cannot make the look-alike identities: {e}");
            Vec::new()
        }
    }
}

/// `--mtls-audit` in the JSON document: `{"anonymous": {"outcome", "detail"},
/// "self_signed": {...}}`, outcome `accepted`, `rejected` or `inconclusive`.
pub fn audit_json(a: &AuditResult) -> serde_json::Value {
    let one = |o: &AuditOutcome| {
        let (outcome, detail) = match o {
            AuditOutcome::Accepted(d) => ("accepted", d.as_str()),
            AuditOutcome::Rejected(d) => ("rejected", d.as_str()),
            AuditOutcome::Inconclusive(d) => ("inconclusive", d.as_str()),
            // An outcome added later: not judged.
            _ => ("inconclusive", ""),
        };
        serde_json::json!({ "outcome": outcome, "detail": detail })
    };
    let extra: Vec<serde_json::Value> = a
        .extra
        .iter()
        .map(|(what, o)| {
            let mut v = one(o);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("presented".into(), what.clone().into());
            }
            v
        })
        .collect();
    serde_json::json!({
        "anonymous": one(&a.anonymous),
        "self_signed": one(&a.self_signed),
        "others": extra,
    })
}

fn accepted(o: &AuditOutcome) -> Option<String> {
    match o {
        AuditOutcome::Accepted(how) => Some(how.clone()),
        _ => None,
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// No certificate was received: one plain line on stderr, exit 3. `--format json` still
/// prints a document (empty `certificates`, `chain` and `tls` null, an `error` object with
/// the failure's `kind` and `message`, verdict `fail`); markdown and SARIF print their
/// report with the error; text prints nothing on stdout.
fn network_failure(
    e: &ProbeError,
    shown: &str,
    opts: &Options,
    out: &ReportArgs,
    now: i64,
) -> anyhow::Result<Exit> {
    eprintln!("bars-certcheck: {}", failure_message(e, opts));
    if out.format == ReportFormat::Text {
        return Ok(Exit::Network);
    }
    let analysis = failure_analysis(e, opts);
    let report = failure_report(&analysis, e, shown, now);
    let text = match out.format {
        ReportFormat::Json => bars_report::json::to_string(&failure_json(&report, e)),
        _ => diag::render(&report, out, &[shown.to_string()]),
    };
    crate::output::print(&text)?;
    Ok(Exit::Network)
}

/// The one-line message for a probe that received no certificate. A BaRS Receiver that
/// times out or refuses is usually a firewall that does not let the proxy in: the message
/// then says which addresses it must allow.
pub fn failure_message(e: &ProbeError, opts: &Options) -> String {
    let mut message = e.to_string();
    let firewall = matches!(e, ProbeError::Timeout { .. } | ProbeError::Refused { .. });
    if let Some(env) = opts.env.filter(|e| e.is_nhs() && firewall) {
        let addrs: Vec<String> = env
            .proxy_source_addresses()
            .iter()
            .map(|a| a.to_string())
            .collect();
        message.push_str(&format!(
            "; a BaRS {} Receiver's firewall must allow the proxy's addresses {}",
            env.as_str().to_uppercase(),
            addrs.join(" and ")
        ));
    }
    message
}

/// The analysis of a probe that received no certificate: no certificates, no chain, and
/// `tls.old-protocol` for a server that speaks only TLS 1.0/1.1.
pub fn failure_analysis(e: &ProbeError, opts: &Options) -> Analysis {
    let mut findings = Vec::new();
    if let ProbeError::OldProtocol { seen, .. } = e {
        findings.push(bars_checks::tls::OLD_PROTOCOL.finding(None, seen.clone()));
    }
    Analysis {
        environment: opts.env,
        environment_source: if opts.env.is_some() {
            bars_checks::EnvSource::Forced
        } else {
            bars_checks::EnvSource::None
        },
        certificates: Vec::new(),
        chains: Vec::new(),
        findings,
    }
}

/// The report of a probe that received no certificate (verdict `fail`).
pub fn failure_report<'a>(
    analysis: &'a Analysis,
    e: &ProbeError,
    shown: &str,
    now: i64,
) -> bars_report::diag::Report<'a> {
    let notes = vec![format!("No certificate was received: {e}")];
    let mut report = diag::report(
        analysis,
        "probe",
        shown.to_string(),
        None,
        notes,
        bars_checks::Severity::Error,
        now,
    );
    report.verdict = "fail";
    report
}

/// The JSON document of a probe that received no certificate: `tls` null and an `error`
/// object with the failure's `kind` and `message`.
pub fn failure_json(report: &bars_report::diag::Report<'_>, e: &ProbeError) -> serde_json::Value {
    let mut doc = bars_report::diag::to_json_value(report);
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("tls".into(), serde_json::Value::Null);
        obj.insert(
            "error".into(),
            serde_json::json!({ "kind": e.kind(), "message": e.to_string() }),
        );
    }
    doc
}

/// Writes the chain exactly as sent, as PEM, atomically.
fn save_chain(chain: &[Vec<u8>], path: &std::path::Path) -> anyhow::Result<()> {
    let pem: String = chain
        .iter()
        .map(|der| diag::pem_block("CERTIFICATE", der))
        .collect();
    bars_forge::write::write_atomic(path, pem.as_bytes(), bars_forge::write::MODE_PUBLIC, true)
        .with_context(|| format!("--save-chain {}", path.display()))
}

/// The client identity from `--client-cert/--client-key` or `--pfx`. `Ok(Err(exit))` when
/// an input could not be read (the reason is already on stderr).
fn client_identity(args: &ProbeArgs) -> anyhow::Result<Result<Option<ClientIdentity>, Exit>> {
    let files: Vec<PathBuf> = match (&args.pfx, &args.client_cert, &args.client_key) {
        (Some(p), _, _) => vec![p.clone()],
        (None, Some(c), Some(k)) => vec![c.clone(), k.clone()],
        _ => return Ok(Ok(None)),
    };
    let passwords = Passwords::from(&args.password);
    let (parsed, failed) = read_all(&files, &passwords)?;
    if failed {
        return Ok(Err(Exit::Usage));
    }
    let what = if args.pfx.is_some() {
        "--pfx"
    } else {
        "--client-cert/--client-key"
    };
    let mut certs: Vec<Certificate> = Vec::new();
    let mut keys: Vec<PrivateKey> = Vec::new();
    for (_, p) in parsed {
        for item in p.items {
            match item {
                Item::Certificate(c) => certs.push(c),
                Item::Key(k) => keys.push(k),
                Item::Pfx(x) => {
                    certs.extend(x.certificates);
                    keys.extend(x.keys);
                }
                Item::Csr(_) => {}
            }
        }
    }
    let key = keys
        .into_iter()
        .next()
        .with_context(|| format!("{what}: no private key found"))?;
    let pkcs8 = key.pkcs8_der().map(<[u8]>::to_vec).with_context(|| {
        format!("{what}: the private key is encrypted; give --password-env or --password-file")
    })?;
    let key_id = key.summary.public_key_sha256.clone();
    let leaf_pos = certs
        .iter()
        .position(|c| Some(&c.summary().public_key_sha256) == key_id.as_ref())
        .with_context(|| {
            format!(
                "{what}: the private key does not belong to any certificate given ({})",
                count(certs.len(), "certificate")
            )
        })?;
    let leaf = certs.remove(leaf_pos);
    let mut chain = vec![leaf.der().to_vec()];
    for c in certs {
        if !chain.iter().any(|d| d.as_slice() == c.der()) {
            chain.push(c.der().to_vec());
        }
    }
    Ok(Ok(Some(ClientIdentity {
        chain,
        key_pkcs8: pkcs8,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse() {
        assert_eq!(parse_secs("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_secs("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("nan").is_err());
        assert!(parse_secs("soon").is_err());
    }

    #[test]
    fn the_name_to_cover_is_the_sni_else_the_host() {
        let t = bars_net::Target::parse("127.0.0.1:8443").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(name_to_cover(&t, None), "127.0.0.1");
        assert_eq!(
            name_to_cover(&t, Some("BaRS-INT-X26.Supplier.thirdparty.nhs.uk")),
            "bars-int-x26.supplier.thirdparty.nhs.uk"
        );
    }
}
