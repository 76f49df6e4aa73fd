//! `probe HOST[:PORT]|URL`: fetch a live endpoint's chain (exactly as sent, even when it
//! does not validate or the handshake fails afterwards) and diagnose it with every file
//! check plus the TLS findings.

use crate::args::{parse_secs, ConnectArgs, DiagArgs, OnlineArgs, ReportArgs, ReportFormat};
use crate::exit::Exit;
use crate::render::{render, write_pem};
use anyhow::Context;
use bars_checks::Verdict;
use bars_diagnose::endpoint::PROBE_REPLY_WAIT;
use bars_diagnose::{Endpoint, Outcome, Session};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::runtime::Runtime;

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

    /// Write the chain exactly as the server sent it (PEM, in the order sent).
    #[arg(long, value_name = "FILE")]
    pub save_chain: Option<PathBuf>,

    /// Write the fixed chain (the leaf, then exactly the intermediates to send, without
    /// the root, completed from the embedded/--ca CAs) to this PEM file.
    #[arg(long, value_name = "FILE")]
    pub write_chain: Option<PathBuf>,

    #[command(flatten)]
    pub connect_args: ConnectArgs,

    #[command(flatten)]
    pub diag: DiagArgs,

    #[command(flatten)]
    pub online: OnlineArgs,

    #[command(flatten)]
    pub output: ReportArgs,
}

pub fn run(args: ProbeArgs, rt: &Runtime) -> anyhow::Result<Exit> {
    let target = bars_net::Target::parse(&args.target)?;
    let judge = crate::setup::judge(&args.diag, bars_checks::Usage::Server)?;
    let probing = match crate::setup::probing(&args.connect_args, args.timeout, PROBE_REPLY_WAIT)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let online = crate::setup::online(&args.online, judge.at, args.connect_args.proxy.as_deref());
    let session = Session::new(judge, probing, online);
    let ep = Endpoint {
        sni: args.sni.clone(),
        connect: args.connect.clone(),
        ..Endpoint::new(target)
    };
    let shown = ep.target.to_string();
    let mut outcome = rt.block_on(bars_diagnose::diagnose_endpoint(&session, &ep));
    let (fail_on, now) = (session.judge.fail_on, session.judge.at);
    let mut output_failed = false;
    match &mut outcome {
        Outcome::NoChain(n) => {
            eprintln!("bars-certcheck: {}", n.message);
            if args.output.format == ReportFormat::Text {
                return Ok(Exit::Network);
            }
        }
        Outcome::Chain(d) => {
            for line in d.problems.iter().chain(&d.warnings) {
                eprintln!("bars-certcheck: {line}");
            }
            let sent: Vec<&[u8]> = d.sent.iter().map(Vec::as_slice).collect();
            let chain = bars_diagnose::chain_to_send(&d.analysis);
            let writes = [
                (
                    &args.save_chain,
                    Some(sent),
                    "--save-chain",
                    "Saved the chain as sent",
                ),
                (
                    &args.write_chain,
                    chain,
                    "--write-chain",
                    "Wrote the chain to send",
                ),
            ];
            for (path, ders, flag, said) in writes {
                let Some(path) = path else { continue };
                match write_chain(path, ders, flag) {
                    Ok(n) => d.notes.push(format!(
                        "{said} ({n} certificate{}) to {}",
                        if n == 1 { "" } else { "s" },
                        path.display()
                    )),
                    Err(e) => {
                        eprintln!("bars-certcheck: {e:#}");
                        output_failed = true;
                    }
                }
            }
        }
    }
    let report =
        bars_diagnose::report::endpoint_report(&outcome, "probe", shown.clone(), fail_on, now);
    crate::output::print(&render(&report, &args.output, &[shown], fail_on))?;
    Ok(match &outcome {
        Outcome::NoChain(_) => Exit::Network,
        Outcome::Chain(_) if output_failed => Exit::Usage,
        Outcome::Chain(_) if report.verdict == Verdict::Fail => Exit::Findings,
        // A certificate the tool cannot read was not checked: never a pass.
        Outcome::Chain(d) if !d.problems.is_empty() => Exit::Findings,
        Outcome::Chain(_) => Exit::Ok,
    })
}

/// Writes `ders` as PEM to `path` (`None`: there is nothing to write).
fn write_chain(path: &Path, ders: Option<Vec<&[u8]>>, flag: &str) -> anyhow::Result<usize> {
    let ders = ders.with_context(|| {
        format!("{flag}: no complete path to a trusted root, so no chain to write")
    })?;
    write_pem(path, &ders).with_context(|| format!("{flag} {}", path.display()))?;
    Ok(ders.len())
}
