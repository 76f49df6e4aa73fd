//! `scan LIST`: probe many endpoints concurrently on one tokio runtime and diagnose each
//! exactly as `probe` does; an expiry and health overview as text, CSV or JSON.

use crate::args::{ColorChoice, DiagArgs};
use crate::cmd::probe::{self, parse_secs};
use crate::diag;
use crate::exit::Exit;
use anyhow::Context;
use bars_checks::{Options, Role, Severity};
use bars_net::{Endpoint, EndpointEnv, ProbeError, ProbeOptions};
use bars_nhs::Environment;
use bars_report::Style;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::{IsTerminal, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The endpoint list, or `-` for standard input: one host[:port] or URL per line, a
    /// CSV with a `host` column, or a JSON array (told apart by content).
    #[arg(value_name = "LIST")]
    pub list: String,

    /// How many endpoints to probe at once.
    #[arg(long, value_name = "N", default_value_t = 32,
          value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub concurrency: u16,

    /// Seconds allowed per endpoint for DNS, connect and the TLS handshake together
    /// (decimals allowed); the short wait after the handshake is bounded by it too.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub timeout: Duration,

    /// Output format: text (one row per endpoint, soonest expiry first), csv, or json
    /// (every endpoint's probe document).
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,

    /// Colour: auto (only on a terminal, honouring NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(flatten)]
    pub diag: DiagArgs,

    #[command(flatten)]
    pub online: super::check::OnlineArgs,
}

/// Output formats of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Csv,
}

/// How long to wait after the handshake for a TLS 1.3 rejection of the (absent) client
/// certificate: shorter than `probe`'s 3 s so that a fleet scan stays quick; it ends
/// early when the server answers or issues a session ticket.
const REJECTION_WAIT: Duration = Duration::from_secs(1);

/// The most of the list read (a list of endpoints is small).
const MAX_LIST: u64 = 64 << 20;

pub fn run(args: ScanArgs) -> anyhow::Result<Exit> {
    if args.diag.expect_fqdn.is_some() {
        anyhow::bail!(
            "--expect-fqdn does not apply to scan: each endpoint is judged against its own \
             name (its host, or the sni column of a CSV/JSON list)"
        );
    }
    let shown_list = if args.list == "-" {
        "<stdin>".to_string()
    } else {
        args.list.clone()
    };
    let text = read_list(&args.list).with_context(|| format!("cannot read {shown_list}"))?;
    let (endpoints, errors) = bars_net::parse_endpoint_list(&text);
    drop(text);
    for e in &errors {
        eprintln!("bars-certcheck: {shown_list}:{}: {}", e.line, e.message);
    }
    if endpoints.is_empty() {
        eprintln!(
            "bars-certcheck: {shown_list}: no endpoint to scan (one host[:port] or URL per \
             line, a CSV with a host column, or a JSON array)"
        );
        return Ok(Exit::Usage);
    }

    let now = super::now_or(args.diag.at);
    let fail_on = args.diag.fail_on.severity();
    let opts = diag::options(&args.diag, now, bars_checks::Usage::Server)?;
    let popts = ProbeOptions {
        timeout: args.timeout,
        reply_timeout: Some(REJECTION_WAIT.min(args.timeout)),
        ..ProbeOptions::default()
    }
    .with_env();
    let rev = args.online.options(now);
    let online = (rev.mode != bars_revocation::Mode::Off || args.online.fetch_missing)
        .then(|| bars_revocation::Checker::new(rev));
    let ctx = Arc::new(Ctx {
        opts,
        popts,
        online,
        fetch_missing: args.online.fetch_missing,
        fail_on,
        now,
        keep_documents: args.format == ScanFormat::Json,
    });

    let started = Instant::now();
    let outcomes = scan_all(endpoints, &ctx, usize::from(args.concurrency))?;
    let elapsed = started.elapsed();

    let exit = if outcomes.iter().any(|o| o.exit == Exit::Findings) {
        Exit::Findings
    } else if outcomes.iter().any(|o| o.exit == Exit::Network) {
        Exit::Network
    } else {
        Exit::Ok
    };
    let totals = Totals::of(&outcomes, errors.len());
    let text = match args.format {
        ScanFormat::Json => render_json(outcomes, &totals),
        ScanFormat::Csv => render_csv(sorted_rows(outcomes)),
        ScanFormat::Text => {
            let color = crate::output::use_color(args.color);
            let style = Style::new(color);
            let info = RunInfo {
                elapsed,
                concurrency: args.concurrency,
                warn_days: args.diag.warn_days,
            };
            render_text(&sorted_rows(outcomes), &totals, &info, &style)
        }
    };
    crate::output::print(&text)?;
    Ok(exit)
}

fn read_list(list: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    if list == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_LIST + 1)
            .read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(list)?
            .take(MAX_LIST + 1)
            .read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > MAX_LIST {
        anyhow::bail!("the list is larger than {} MiB", MAX_LIST >> 20);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// What every endpoint's probe shares.
struct Ctx {
    opts: Options,
    popts: ProbeOptions,
    /// CRL/OCSP and AIA lookups, shared by every endpoint (`--revocation`, `--fetch-missing`).
    online: Option<bars_revocation::Checker>,
    fetch_missing: bool,
    fail_on: Severity,
    now: i64,
    keep_documents: bool,
}

/// One endpoint's result, compact: its row, and its probe document only for JSON.
struct Outcome {
    index: usize,
    row: Row,
    doc: Option<serde_json::Value>,
    exit: Exit,
    /// Certificates sent that cannot be read (for stderr).
    problems: Vec<String>,
}

/// What a row shows.
#[derive(Debug, Default)]
struct Row {
    target: String,
    name: Option<String>,
    environment: String,
    leaf_cn: Option<String>,
    /// notAfter, RFC 3339.
    not_after: Option<String>,
    days_left: Option<i64>,
    chain: String,
    client_auth: Option<bool>,
    verdict: &'static str,
    worst: Option<(Severity, &'static str)>,
    counts: bars_report::diag::Counts,
    /// No chain: the failure's kind and message.
    error: Option<(&'static str, String)>,
    /// A certificate in the path has expired (`cert.expired`).
    expired: bool,
    /// A certificate in the path expires within --warn-days (`cert.expiring-soon`).
    expiring: bool,
}

/// Probes every endpoint, `concurrency` at a time, on one runtime.
fn scan_all(
    endpoints: Vec<Endpoint>,
    ctx: &Arc<Ctx>,
    concurrency: usize,
) -> anyhow::Result<Vec<Outcome>> {
    let total = endpoints.len();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let bar = progress_bar(total);
    let outcomes = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        // Task id → (index, target), to report a task that died as that endpoint's failure.
        let mut running = std::collections::HashMap::new();
        let mut queue = endpoints.into_iter().enumerate();
        let mut out = Vec::with_capacity(total);
        loop {
            while set.len() < concurrency {
                let Some((index, ep)) = queue.next() else {
                    break;
                };
                let who = (index, ep.target.to_string(), ep.name.clone());
                let handle = set.spawn(scan_one(index, ep, ctx.clone()));
                running.insert(handle.id(), who);
            }
            let Some(done) = set.join_next_with_id().await else {
                break;
            };
            let outcome = match done {
                Ok((id, o)) => {
                    running.remove(&id);
                    o
                }
                Err(e) => {
                    let Some((index, target, name)) = running.remove(&e.id()) else {
                        continue;
                    };
                    let err = ProbeError::Io {
                        target: target.clone(),
                        why: format!("the probe stopped unexpectedly ({e})"),
                    };
                    failed(index, &target, name, &err, &ctx.opts, ctx)
                }
            };
            for p in &outcome.problems {
                bar.suspend(|| eprintln!("bars-certcheck: {p}"));
            }
            bar.inc(1);
            out.push(outcome);
        }
        out
    });
    bar.finish_and_clear();
    // A name lookup that never returns must not hold the process.
    rt.shutdown_timeout(Duration::from_millis(100));
    Ok(outcomes)
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
fn progress_bar(total: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "scanning {bar:30} {pos}/{len} endpoints, {elapsed} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Probes and diagnoses one endpoint, as `probe` would with the same options.
async fn scan_one(index: usize, ep: Endpoint, ctx: Arc<Ctx>) -> Outcome {
    let target = ep.target;
    let shown = target.to_string();
    let mut opts = ctx.opts.clone();
    let name = probe::name_to_cover(&target, ep.sni.as_deref());
    opts.host = Some(name.clone());
    opts.leaf_first = true;
    opts.purpose = bars_checks::Purpose::Server;
    opts.env = match ep.env {
        None => opts.env,
        Some(EndpointEnv::Auto) => None,
        Some(EndpointEnv::Int) => Some(Environment::Int),
        Some(EndpointEnv::Prod) => Some(Environment::Prod),
        Some(EndpointEnv::Public) => Some(Environment::Public),
    };
    if opts.env.is_none() {
        opts.env = bars_nhs::env_from_fqdn(&name);
    }
    let popts = ProbeOptions {
        connect: ep.connect,
        sni: ep.sni,
        ..ctx.popts.clone()
    };
    // Every wait inside the probe is bounded; this only guards against the unforeseen.
    let guard = ctx.popts.timeout.saturating_mul(2) + Duration::from_secs(1);
    let result = match tokio::time::timeout(guard, bars_net::probe_async(&target, &popts)).await {
        Ok(r) => probe::require_chain(r, &shown),
        Err(_) => Err(ProbeError::Timeout {
            target: shown.clone(),
            stage: bars_net::Stage::Handshake,
            after: guard,
        }),
    };
    let r = match result {
        Ok(r) => r,
        Err(e) => return failed(index, &shown, ep.name, &e, &opts, &ctx),
    };
    let d = match &ctx.online {
        None => probe::diagnose(&r, None, &opts),
        // One checker for the whole scan: each CRL, issuer and OCSP answer is fetched once
        // however many endpoints share it.
        Some(checker) => {
            let (input, problems) = probe::probe_input(&r);
            let (mut analysis, notes) = if ctx.fetch_missing {
                let done = checker.complete_with_aia(&input, &mut opts).await;
                let notes = done.notes();
                (done.analysis, notes)
            } else {
                (bars_checks::analyse(&input, &opts), Vec::new())
            };
            if checker.options().mode != bars_revocation::Mode::Off {
                let found = checker.check_analysis(&analysis).await;
                analysis.extend_findings(found);
            }
            probe::finish(&r, None, &opts, analysis, problems, notes)
        }
    };
    drop(r);
    let report = diag::report(
        &d.analysis,
        "probe",
        shown.clone(),
        Some(d.tls.clone()),
        d.notes.clone(),
        ctx.fail_on,
        ctx.now,
    );
    let doc = ctx
        .keep_documents
        .then(|| bars_report::diag::to_json_value(&report));
    let mut exit = diag::exit_code(&d.analysis, ctx.fail_on, false);
    // A certificate the tool cannot read was not checked: never a pass (as in probe).
    if !d.problems.is_empty() {
        exit = Exit::Findings;
    }
    let a = &d.analysis;
    let leaf = a
        .chains
        .first()
        .and_then(|c| a.certificates.get(c.leaf))
        .or_else(|| a.certificates.iter().find(|c| c.role == Role::Leaf))
        .or_else(|| a.certificates.first())
        .map(|c| c.cert.summary());
    let chain_finding = a
        .findings
        .iter()
        .find(|f| f.id.starts_with("chain.") && f.severity.at_or_above(Severity::Warning));
    let complete = a.chains.first().is_some_and(|c| c.complete);
    let chain = match chain_finding {
        Some(f) => f.id.trim_start_matches("chain.").to_string(),
        None if complete => "complete".into(),
        None => "incomplete".into(),
    };
    let row = Row {
        target: shown,
        name: ep.name,
        environment: report.environment.clone(),
        leaf_cn: leaf.map(|s| {
            s.subject_cns
                .first()
                .cloned()
                .unwrap_or_else(|| s.subject.clone())
        }),
        not_after: leaf.map(|s| s.not_after.clone()),
        days_left: leaf.map(|s| (s.not_after_unix - ctx.now).div_euclid(86_400)),
        chain,
        client_auth: Some(d.tls.client_auth_requested),
        verdict: report.verdict,
        worst: a.findings.first().map(|f| (f.severity, f.id)),
        counts: report.counts(),
        error: None,
        expired: a.findings.iter().any(|f| f.id == "cert.expired"),
        expiring: a.findings.iter().any(|f| f.id == "cert.expiring-soon"),
    };
    Outcome {
        index,
        row,
        doc,
        exit,
        problems: d.problems,
    }
}

/// The outcome of an endpoint that gave no chain: `probe`'s no-chain document, exit 3.
fn failed(
    index: usize,
    shown: &str,
    name: Option<String>,
    e: &ProbeError,
    opts: &Options,
    ctx: &Ctx,
) -> Outcome {
    let analysis = probe::failure_analysis(e, opts);
    let report = probe::failure_report(&analysis, e, shown, ctx.now);
    let doc = ctx.keep_documents.then(|| probe::failure_json(&report, e));
    let row = Row {
        target: shown.to_string(),
        name,
        environment: report.environment.clone(),
        chain: "no chain".into(),
        verdict: "fail",
        worst: analysis.findings.first().map(|f| (f.severity, f.id)),
        counts: report.counts(),
        error: Some((e.kind(), e.to_string())),
        ..Row::default()
    };
    Outcome {
        index,
        row,
        doc,
        exit: Exit::Network,
        problems: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Totals and output.

/// Counts over the whole scan (the JSON `summary`).
#[derive(Debug, Default, Serialize)]
struct Totals {
    endpoints: usize,
    pass: usize,
    warn: usize,
    fail: usize,
    no_chain: usize,
    expired: usize,
    expiring: usize,
    skipped: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

impl Totals {
    fn of(outcomes: &[Outcome], skipped: usize) -> Totals {
        let mut t = Totals {
            endpoints: outcomes.len(),
            skipped,
            ..Totals::default()
        };
        for o in outcomes {
            let r = &o.row;
            match r.verdict {
                "pass" => t.pass += 1,
                "warn" => t.warn += 1,
                _ => t.fail += 1,
            }
            t.no_chain += usize::from(r.error.is_some());
            t.expired += usize::from(r.expired);
            t.expiring += usize::from(r.expiring);
            t.errors += r.counts.errors;
            t.warnings += r.counts.warnings;
            t.infos += r.counts.infos;
        }
        t
    }
}

#[derive(Serialize)]
struct ScanDoc<'a> {
    schema: &'static str,
    command: &'static str,
    endpoints: Vec<serde_json::Value>,
    summary: &'a Totals,
}

/// `{ "schema", "command": "scan", "endpoints": [probe documents, list order], "summary" }`.
fn render_json(mut outcomes: Vec<Outcome>, totals: &Totals) -> String {
    outcomes.sort_by_key(|o| o.index);
    let doc = ScanDoc {
        schema: bars_report::json::SCHEMA,
        command: "scan",
        endpoints: outcomes.into_iter().filter_map(|o| o.doc).collect(),
        summary: totals,
    };
    bars_report::json::to_string(&doc)
}

/// Rows, endpoints with no chain first, then by days to expiry, then by list order.
fn sorted_rows(mut outcomes: Vec<Outcome>) -> Vec<Row> {
    outcomes.sort_by_key(|o| {
        (
            o.row.error.is_none(),
            o.row.days_left.unwrap_or(i64::MIN),
            o.index,
        )
    });
    outcomes.into_iter().map(|o| o.row).collect()
}

struct RunInfo {
    elapsed: Duration,
    concurrency: u16,
    warn_days: u32,
}

fn client_auth_text(c: Option<bool>) -> &'static str {
    match c {
        Some(true) => "requested",
        Some(false) => "not requested",
        None => "-",
    }
}

fn worst_text(r: &Row) -> String {
    match (&r.error, r.worst) {
        (Some((kind, message)), _) => format!("{kind}: {message}"),
        (None, Some((sev, id))) => format!("{id} ({})", sev.as_str()),
        (None, None) => "-".into(),
    }
}

fn date(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// The text table: one row per endpoint, then the totals.
fn render_text(rows: &[Row], t: &Totals, info: &RunInfo, style: &Style) -> String {
    let with_names = rows.iter().any(|r| r.name.is_some());
    let mut header = vec!["ENDPOINT"];
    if with_names {
        header.push("NAME");
    }
    header.extend([
        "ENV",
        "LEAF CN",
        "EXPIRES",
        "DAYS",
        "CHAIN",
        "CLIENT AUTH",
        "VERDICT",
        "WORST FINDING",
    ]);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = vec![r.target.clone()];
            if with_names {
                c.push(r.name.clone().unwrap_or_else(|| "-".into()));
            }
            c.extend([
                r.environment.clone(),
                r.leaf_cn.clone().unwrap_or_else(|| "-".into()),
                r.not_after
                    .as_deref()
                    .map_or_else(|| "-".into(), |d| date(d).to_string()),
                r.days_left.map_or_else(|| "-".into(), |d| d.to_string()),
                r.chain.clone(),
                client_auth_text(r.client_auth).into(),
                r.verdict.into(),
                worst_text(r),
            ]);
            c
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let last = header.len().saturating_sub(1);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut out = String::new();
    let head: Vec<String> = header
        .iter()
        .zip(&widths)
        .enumerate()
        .map(|(i, (h, w))| if i == last { h.to_string() } else { pad(h, *w) })
        .collect();
    out.push_str(&style.bold(head.join("  ").trim_end()));
    out.push('\n');
    let days_col = if with_names { 5 } else { 4 };
    let verdict_col = days_col + 3;
    for (row, r) in cells.iter().zip(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let text = if i == last { c.clone() } else { pad(c, *w) };
                if i == verdict_col {
                    match r.verdict {
                        "pass" => style.good(&text),
                        "warn" => style.warn(&text),
                        _ => style.bad(&text),
                    }
                } else if i == days_col {
                    match r.days_left {
                        Some(d) if d < 0 => style.bad(&text),
                        Some(d) if d <= i64::from(info.warn_days) => style.warn(&text),
                        _ => text,
                    }
                } else {
                    text
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&format!(
        "{} scanned in {:.1} s (concurrency {}): {} pass, {} warn, {} fail",
        count(t.endpoints, "endpoint"),
        info.elapsed.as_secs_f64(),
        info.concurrency,
        t.pass,
        t.warn,
        t.fail
    ));
    if t.no_chain > 0 {
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for r in rows {
            if let Some((kind, _)) = &r.error {
                match kinds.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, n)) => *n += 1,
                    None => kinds.push((kind, 1)),
                }
            }
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        out.push_str(&format!(
            " ({} with no chain: {})",
            t.no_chain,
            kinds.join(", ")
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "Certificates expired: {}; expiring within {} days: {}. Findings: {}, {}, {}.\n",
        t.expired,
        info.warn_days,
        t.expiring,
        count(t.errors, "error"),
        count(t.warnings, "warning"),
        count(t.infos, "info")
    ));
    if t.skipped > 0 {
        out.push_str(&format!(
            "{} of the list skipped (reported on stderr).\n",
            count(t.skipped, "entry")
        ));
    }
    out
}

fn count(n: usize, what: &str) -> String {
    match (n, what) {
        (1, _) => format!("1 {what}"),
        (_, "entry") => format!("{n} entries"),
        _ => format!("{n} {what}s"),
    }
}

/// The CSV: a header row, then one row per endpoint in the text order.
fn render_csv(rows: Vec<Row>) -> String {
    let mut out = String::from(
        "endpoint,name,environment,leaf_cn,not_after,days_left,chain,client_auth,verdict,\
         worst_finding,worst_severity,errors,warnings,infos,error_kind,error\r\n",
    );
    for r in rows {
        let (kind, message) = r.error.as_ref().map_or(("", ""), |(k, m)| (*k, m.as_str()));
        let fields = [
            csv_text(&r.target),
            csv_text(r.name.as_deref().unwrap_or("")),
            csv_text(&r.environment),
            csv_text(r.leaf_cn.as_deref().unwrap_or("")),
            csv_text(r.not_after.as_deref().unwrap_or("")),
            r.days_left.map(|d| d.to_string()).unwrap_or_default(),
            csv_text(&r.chain),
            match r.client_auth {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            r.verdict.to_string(),
            r.worst.map(|(_, id)| id.to_string()).unwrap_or_default(),
            r.worst
                .map(|(s, _)| s.as_str().to_string())
                .unwrap_or_default(),
            r.counts.errors.to_string(),
            r.counts.warnings.to_string(),
            r.counts.infos.to_string(),
            kind.to_string(),
            csv_text(message),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A text field for CSV: quoted when it holds a comma, quote, line break or edge space
/// (quotes doubled); one that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`)
/// is prefixed with `'`.
fn csv_text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_text("plain"), "plain");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_text("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_text(" edge"), "\" edge\"");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_text("@sum"), "'@sum");
    }

    #[test]
    fn rows_sort_failures_first_then_by_days_left() {
        let mk = |index: usize, days: Option<i64>, failed: bool| Outcome {
            index,
            row: Row {
                target: format!("h{index}:443"),
                days_left: days,
                error: failed.then(|| ("refused", "refused".to_string())),
                ..Row::default()
            },
            doc: None,
            exit: Exit::Ok,
            problems: Vec::new(),
        };
        let rows = sorted_rows(vec![
            mk(0, Some(300), false),
            mk(1, None, true),
            mk(2, Some(-5), false),
            mk(3, Some(14), false),
            mk(4, None, true),
        ]);
        let order: Vec<&str> = rows.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(order, ["h1:443", "h4:443", "h2:443", "h3:443", "h0:443"]);
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(count(1, "endpoint"), "1 endpoint");
        assert_eq!(count(3, "endpoint"), "3 endpoints");
        assert_eq!(count(2, "entry"), "2 entries");
    }
}
