//! `scan LIST`: diagnose many endpoints concurrently, each exactly as `probe` does; an
//! expiry and health overview as text, CSV, JSON, JUnit, OpenMetrics or HTML.

use crate::args::{parse_secs, ColorChoice, ConnectArgs, DiagArgs, OnlineArgs};
use crate::exit::Exit;
use anyhow::Context;
use bars_diagnose::endpoint::SCAN_REPLY_WAIT;
use bars_diagnose::scan::{documents, fleet, junit, sorted_rows, Status};
use bars_diagnose::Session;
use bars_report::fleet::{render_html, render_openmetrics};
use bars_report::scan::{RunInfo, Totals};
use bars_report::Style;
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

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

    /// Output format: text (one row per endpoint, soonest expiry first), csv, json (every
    /// endpoint's probe document), junit, openmetrics (gauges) or html (table, timeline).
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,

    /// Colour: auto (only on a terminal, honouring NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(flatten)]
    pub connect_args: ConnectArgs,

    #[command(flatten)]
    pub diag: DiagArgs,

    #[command(flatten)]
    pub online: OnlineArgs,
}

/// Output formats of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Csv,
    Junit,
    Openmetrics,
    Html,
}

pub fn run(args: ScanArgs, rt: &Runtime) -> anyhow::Result<Exit> {
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
    let text = bars_diagnose::list::read_list(&args.list)
        .with_context(|| format!("cannot read {shown_list}"))?;
    let (endpoints, errors) = bars_diagnose::list::parse_endpoint_list(&text);
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
    let judge = crate::setup::judge(&args.diag, bars_checks::Usage::Server)?;
    let probing = match crate::setup::probing(&args.connect_args, args.timeout, SCAN_REPLY_WAIT)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let online = crate::setup::online(&args.online, judge.at, args.connect_args.proxy.as_deref());
    let session = Arc::new(Session::new(judge, probing, online));

    let started = Instant::now();
    let bar = progress_bar(endpoints.len());
    let keep = matches!(args.format, ScanFormat::Json | ScanFormat::Junit);
    let scanned = rt.block_on(bars_diagnose::scan::scan(
        session.clone(),
        endpoints,
        usize::from(args.concurrency),
        keep,
        |one| {
            for p in &one.problems {
                bar.suspend(|| eprintln!("bars-certcheck: {p}"));
            }
            bar.inc(1);
        },
    ));
    bar.finish_and_clear();
    let elapsed = started.elapsed();

    let exit = if scanned.iter().any(|o| o.status == Status::Findings) {
        Exit::Findings
    } else if scanned.iter().any(|o| o.status == Status::NoChain) {
        Exit::Network
    } else {
        Exit::Ok
    };
    let totals = Totals::of(scanned.iter().map(|o| &o.row), errors.len());
    let (judge, warn_days) = (&session.judge, args.diag.warn_days);
    let text = match args.format {
        ScanFormat::Junit => junit(scanned, judge),
        ScanFormat::Openmetrics => render_openmetrics(&fleet(scanned, judge.at, warn_days)),
        ScanFormat::Html => {
            render_html(&fleet(scanned, judge.at, warn_days), crate::render::VERSION)
        }
        ScanFormat::Json => bars_report::scan::render_json(documents(scanned, judge), &totals),
        ScanFormat::Csv => bars_report::scan::render_csv(&sorted_rows(scanned)),
        ScanFormat::Text => {
            let style = Style::new(crate::output::use_color(args.color));
            let info = RunInfo {
                elapsed,
                concurrency: args.concurrency,
                warn_days,
            };
            bars_report::scan::render_text(&sorted_rows(scanned), &totals, &info, &style)
        }
    };
    crate::output::print(&text)?;
    Ok(exit)
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
