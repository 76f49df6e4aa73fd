//! `check FILE...`: the CI gate over certificate files.

use crate::args::{DiagArgs, PasswordArgs, ReportArgs, UsageArg};
use crate::diag;
use crate::exit::Exit;
use crate::input::read_all;
use crate::password::Passwords;
use clap::Args;
use std::path::PathBuf;

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
    pub output: ReportArgs,

    #[command(flatten)]
    pub password: PasswordArgs,
}

pub fn run(args: CheckArgs) -> anyhow::Result<Exit> {
    let now = super::now_or(args.diag.at);
    let opts = diag::options(&args.diag, now, args.usage.into())?;
    let passwords = Passwords::from(&args.password);
    let mut files = args.files.clone();
    files.extend(args.key.iter().cloned());
    let (parsed, _) = read_all(&files, &passwords)?;
    let (input, read_failed) = diag::check_input(parsed);
    let analysis = bars_checks::analyse(&input, &opts);
    let fail_on = args.diag.fail_on.severity();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut notes = Vec::new();
    if let Some(path) = &args.write_chain {
        let n = diag::write_chain(&analysis, path)?;
        notes.push(format!(
            "Wrote the chain to send ({n} certificate{}) to {}",
            if n == 1 { "" } else { "s" },
            path.display()
        ));
    }
    let report = diag::report(
        &analysis,
        "check",
        names.join(" "),
        None,
        notes,
        fail_on,
        now,
    );
    crate::output::print(&diag::render(&report, &args.output, &names))?;
    Ok(diag::exit_code(&analysis, fail_on, read_failed))
}
