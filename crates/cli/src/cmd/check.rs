//! `check FILE...`: the CI gate over certificate files.

use crate::args::{DiagArgs, KeyPasswordArgs, OnlineArgs, PasswordArgs, ReportArgs, UsageArg};
use crate::exit::Exit;
use crate::input::read_with;
use crate::render::{render, write_pem};
use anyhow::Context;
use bars_checks::Verdict;
use clap::Args;
use std::path::PathBuf;
use tokio::runtime::Runtime;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files to check, in any mix: certificates, chains, CSRs, keys, PFX (PEM, DER,
    /// PKCS#7, PKCS#12); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// A private key to match against the certificate or CSR (same as giving it as a FILE).
    #[arg(long, value_name = "FILE")]
    pub key: Vec<PathBuf>,

    /// Which usage the leaf must allow (extendedKeyUsage): server (a Receiver's
    /// endpoint), client (a TLS-MA client certificate) or both.
    #[arg(long, value_enum, default_value_t = UsageArg::Server)]
    pub usage: UsageArg,

    /// Write the fixed chain (the leaf, then exactly the intermediates to send, without
    /// the root, completed from the embedded/--ca CAs) to this PEM file.
    #[arg(long, value_name = "FILE")]
    pub write_chain: Option<PathBuf>,

    #[command(flatten)]
    pub diag: DiagArgs,

    #[command(flatten)]
    pub online: OnlineArgs,

    #[command(flatten)]
    pub output: ReportArgs,

    #[command(flatten)]
    pub password: PasswordArgs,

    #[command(flatten)]
    pub key_password: KeyPasswordArgs,
}

pub fn run(args: CheckArgs, rt: &Runtime) -> anyhow::Result<Exit> {
    let judge = crate::setup::judge(&args.diag, args.usage.into())?;
    let online = crate::setup::online(&args.online, judge.at, None);
    let mut files = args.files.clone();
    files.extend(args.key.iter().cloned());
    let provider = crate::password::provider(&args.password, &args.key_password)?;
    let (parsed, _) = read_with(&files, &provider)?;
    let inputs = bars_diagnose::files::inputs(parsed);
    let d = rt.block_on(bars_diagnose::diagnose_files(
        &inputs.input,
        &judge,
        &online,
    ));
    let mut notes = d.notes;
    if let Some(path) = &args.write_chain {
        let chain = bars_diagnose::chain_to_send(&d.analysis)
            .context("--write-chain: no complete path to a trusted root, so no chain to write")?;
        write_pem(path, &chain).with_context(|| format!("--write-chain {}", path.display()))?;
        notes.push(format!(
            "Wrote the chain to send ({} certificate{}) to {}",
            chain.len(),
            if chain.len() == 1 { "" } else { "s" },
            path.display()
        ));
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let report = bars_diagnose::report::report(
        &d.analysis,
        "check",
        names.join(" "),
        None,
        notes,
        judge.fail_on,
        judge.at,
    );
    crate::output::print(&render(&report, &args.output, &names, judge.fail_on))?;
    Ok(if inputs.unreadable {
        Exit::Usage
    } else if report.verdict == Verdict::Fail {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
