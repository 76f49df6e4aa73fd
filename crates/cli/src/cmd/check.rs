//! `check FILE...`: the CI gate over certificate files.

use crate::args::{DiagArgs, PasswordArgs, ReportArgs, UsageArg};
use crate::diag;
use crate::exit::Exit;
use crate::input::read_all;
use crate::password::Passwords;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

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
}

/// Online checks. Off by default: without `--revocation` or `--fetch-missing` nothing
/// is contacted, whatever URLs the certificates name. (Shared by probe and scan.)
#[derive(Debug, Args, Clone)]
pub struct OnlineArgs {
    /// Check whether the certificates of the path (all but the root) are revoked: off
    /// (nothing is contacted), crl (download the CRLs their CRL distribution points
    /// name), ocsp (ask the OCSP responders their AIA names) or both.
    #[arg(long, value_enum, default_value_t = RevocationArg::Off, value_name = "MODE")]
    pub revocation: RevocationArg,

    /// When the chain is incomplete and no known CA completes it, download the missing
    /// issuer from the AIA caIssuers URL of the certificate that needs it; only a
    /// certificate that verifiably issued it is used, shown as `fetched:<url>`.
    /// chain.incomplete is still reported: BaRS clients do not fetch.
    #[arg(long)]
    pub fetch_missing: bool,

    /// Directory caching downloaded CRLs (until their nextUpdate) and issuers (a day);
    /// default $XDG_CACHE_HOME/bars-certcheck, else ~/.cache/bars-certcheck.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Neither read nor write the cache directory.
    #[arg(long)]
    pub no_cache: bool,

    /// Bound of each CRL, OCSP or issuer download (connect and total), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub revocation_timeout: u64,
}

/// `--revocation` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RevocationArg {
    Off,
    Crl,
    Ocsp,
    Both,
}

impl OnlineArgs {
    /// The revocation options, judging freshness at `at`.
    pub fn options(&self, at: i64) -> bars_revocation::RevocationOptions {
        use bars_revocation::Mode;
        let mode = match self.revocation {
            RevocationArg::Off => Mode::Off,
            RevocationArg::Crl => Mode::Crl,
            RevocationArg::Ocsp => Mode::Ocsp,
            RevocationArg::Both => Mode::Both,
        };
        let mut o = bars_revocation::RevocationOptions::new(mode, at);
        o.timeout = Duration::from_secs(self.revocation_timeout);
        o.cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir
                .clone()
                .or_else(bars_revocation::default_cache_dir)
        };
        o
    }
}

pub fn run(args: CheckArgs) -> anyhow::Result<Exit> {
    let now = super::now_or(args.diag.at);
    let mut opts = diag::options(&args.diag, now, args.usage.into())?;
    opts.judge_key_files = true;
    let rev = args.online.options(now);
    let passwords = Passwords::from(&args.password);
    let mut files = args.files.clone();
    files.extend(args.key.iter().cloned());
    let (parsed, _) = read_all(&files, &passwords)?;
    let (input, read_failed) = diag::check_input(parsed);
    let mut notes = Vec::new();
    let mut analysis = if args.online.fetch_missing {
        let done = bars_revocation::complete_with_aia(&input, &mut opts, &rev);
        notes.extend(done.notes());
        done.analysis
    } else {
        bars_checks::analyse(&input, &opts)
    };
    let revocation = bars_revocation::check_analysis(&analysis, &rev);
    bars_revocation::add_findings(&mut analysis, revocation);
    let fail_on = args.diag.fail_on.severity();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
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
