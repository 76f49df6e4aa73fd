//! `ca list`: the NHS CAs built into the tool. `ca fetch`: download an environment's NHS
//! endpoint sub-CA and trust it only when its SHA-256 is the pinned one (or, with
//! --allow-new, when it verifiably chains to the environment's embedded G2 root).

use crate::args::{environment_of, Format, OutputArgs};
use crate::exit::Exit;
use crate::setup::now_or;
use crate::terminal::{shell_path, write_failed};
use bars_fetch::{FetchErrorKind, FetchLimits};
use bars_forge::cafetch::default_out;
use bars_nhs::Environment;
use bars_report::Style;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::time::Duration;
use tokio::runtime::Runtime;

/// The `ca` subcommands.
#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// List the NHS CA certificates built into the tool: environment, role, generation,
    /// validity and SHA-256; and the other NHS environments' CAs it recognises but never
    /// trusts.
    #[command(after_help = "\
Examples:
  bars-certcheck ca list
  bars-certcheck ca list --env int
  bars-certcheck ca list --format json | jq -r '.cas[] | select(.trusted) | .sha256'

The public environment trusts the Mozilla root programme (webpki-roots) and no NHS CA.
Exit codes: 0 always (this is not a gate); 2 usage error.")]
    List(CaListArgs),

    /// Download an environment's NHS endpoint sub-CA ("NHS INT Authentication G2" or "NHS
    /// Authentication G2") and write it only if it is the pinned certificate.
    ///
    /// Accepted only when its SHA-256 equals the fingerprint pinned in the tool for that
    /// environment (the INT URL is plain HTTP: the pin is what makes it safe). The other
    /// environment's CA, or any other NHS CA, is refused and named; an HTML page, garbage,
    /// or an unknown certificate is refused with the reason. With --allow-new, a CA
    /// certificate whose signature verifies under the environment's embedded G2 root is
    /// accepted with a loud warning (for when the NHS re-issues the sub-CA).
    #[command(after_help = "\
Examples:
  bars-certcheck ca fetch --env int
  bars-certcheck ca fetch --env prod --out /etc/bars/NHSauthG2.pem --with-root
  sudo bars-certcheck ca fetch --env int --with-root \\
      --install-dir /usr/local/share/ca-certificates && sudo update-ca-certificates
  bars-certcheck ca fetch --env int --from ./NHSINTAuthG2.crt      (a file already downloaded)

Default sources: INT http://pki.nhs.uk/int/G2/auth/NHSINTAuthG2.crt,
PROD https://pki.nhs.uk/live/G2/auth/NHSauthG2.crt (DER or PEM). Writes PEM to --out
(default NHSINTAuthG2.pem / NHSauthG2.pem) or <id>.crt into --install-dir, atomically.
Proxies: HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.

Exit codes: 0 accepted and written (or already up to date); 1 refused (not the pinned
certificate, the other environment's CA, not a certificate, an existing different file
without --force), nothing written; 2 usage error or --from FILE unreadable; 3 network
failure before any certificate was received (DNS, refused, timeout, HTTP error status).")]
    Fetch(CaFetchArgs),

    /// Write the NHS CAs built into the tool, offline: by default the environment's
    /// current G2 issuing sub-CA (what a chain.incomplete fix names).
    #[command(after_help = "\
Examples:
  bars-certcheck ca export --env int --out NHSINTAuthG2.pem
  bars-certcheck ca export --env prod --with-root > nhs-prod-chain.pem
  bars-certcheck ca export --env int --der --out NHSINTAuthG2.crt
  sudo bars-certcheck ca export --env int --with-root \\
      --install-dir /usr/local/share/ca-certificates && sudo update-ca-certificates

--with-root adds the root, --legacy the retired Level 1C generation. Without --out, PEM
goes to standard output; --der takes one certificate per file (--install-dir: <name>.crt
per CA). Files are written atomically, never over an existing one without --force.

Exit codes: 0 written; 1 an output exists (without --force), nothing written; 2 usage
error (--der with more than one certificate in one file, a missing directory).")]
    Export(CaExportArgs),
}

/// Arguments of `ca export`.
#[derive(Debug, Args)]
pub struct CaExportArgs {
    /// The environment whose CAs to write: int or prod.
    #[arg(long, value_parser = environment_of(&["int", "prod"]))]
    pub env: Environment,

    /// Add the root of each generation written.
    #[arg(long)]
    pub with_root: bool,

    /// Add the retired legacy (Level 1C) generation.
    #[arg(long)]
    pub legacy: bool,

    /// Write DER (one certificate per file) instead of PEM.
    #[arg(long)]
    pub der: bool,

    /// The file to write [default: standard output].
    #[arg(long, value_name = "FILE", conflicts_with = "install_dir")]
    pub out: Option<PathBuf>,

    /// Write <name>.crt per CA into this directory instead.
    #[arg(long, value_name = "DIR")]
    pub install_dir: Option<PathBuf>,

    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `ca list`.
#[derive(Debug, Args)]
pub struct CaListArgs {
    /// Only this environment's CAs: int, prod or public [default: all, and the other NHS
    /// environments' CAs that are recognised but never trusted].
    #[arg(long, value_parser = environment_of(&["int", "prod", "public"]))]
    pub env: Option<Environment>,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Judge validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = crate::args::parse_time)]
    pub at: Option<i64>,
}

/// Arguments of `ca fetch`.
#[derive(Debug, Args)]
pub struct CaFetchArgs {
    /// The environment whose CA to fetch: int or prod. Only that environment's pinned
    /// certificate is accepted.
    #[arg(long, value_parser = environment_of(&["int", "prod"]))]
    pub env: Environment,

    /// Where to get it: an http(s) URL or a local file [default: the NHS publication URL
    /// of the environment].
    #[arg(long, value_name = "URL|FILE")]
    pub from: Option<String>,

    /// The PEM file to write [default: NHSINTAuthG2.pem or NHSauthG2.pem].
    #[arg(long, value_name = "FILE", conflicts_with = "install_dir")]
    pub out: Option<PathBuf>,

    /// Write <id>.crt (PEM) into this directory instead, e.g. /usr/local/share/ca-certificates.
    #[arg(long, value_name = "DIR")]
    pub install_dir: Option<PathBuf>,

    /// Also write the environment's embedded G2 root (after the sub-CA in --out, as its
    /// own <id>.crt in --install-dir): OpenSSL-based clients need the root to trust.
    #[arg(long)]
    pub with_root: bool,

    /// Accept a certificate that is not the pinned one if it is a CA, in date, and its
    /// signature verifies under the environment's embedded G2 root. Says so loudly.
    #[arg(long)]
    pub allow_new: bool,

    /// Replace an existing, different output file.
    #[arg(long)]
    pub force: bool,

    /// Give up on the download after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,

    /// Judge validity (for --allow-new) at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = crate::args::parse_time)]
    pub at: Option<i64>,
}

pub fn run(command: CaCommand, rt: &Runtime) -> anyhow::Result<Exit> {
    match command {
        CaCommand::List(args) => list(&args),
        CaCommand::Fetch(args) => fetch(&args, rt),
        CaCommand::Export(args) => export(&args),
    }
}

// ---------------------------------------------------------------------------------------
// ca export

fn export(args: &CaExportArgs) -> anyhow::Result<Exit> {
    use bars_forge::caexport::{self, CaEncoding, CaSelection};
    let (env, with_root, legacy) = (args.env, args.with_root, args.legacy);
    let sel = CaSelection {
        env,
        with_root,
        legacy,
    };
    let enc = CaEncoding::der_if(args.der);
    let written = match (&args.install_dir, &args.out) {
        (Some(dir), _) => caexport::install(dir, &caexport::files(sel, enc)?, args.force),
        (None, out) => {
            let bytes = match caexport::bundle(sel, enc) {
                Ok(b) => b,
                Err(e) => return Ok(crate::terminal::usage("ca export", &e)),
            };
            let Some(out) = out else {
                return crate::output::print_bytes(&bytes, args.der);
            };
            let mode = bars_forge::write::MODE_PUBLIC;
            bars_forge::write::write_atomic(out, &bytes, mode, args.force)
                .map(|()| vec![out.clone()])
        }
    };
    let paths = match written {
        Ok(p) => p
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>(),
        Err(e) => return Ok(write_failed("ca export", e)),
    };
    eprintln!(
        "bars-certcheck: wrote {} ({})",
        paths.join(", "),
        caexport::names(sel)
    );
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------------------------------
// ca list

fn list(args: &CaListArgs) -> anyhow::Result<Exit> {
    let style = Style::new(crate::output::use_color(args.output.color));
    let json = args.output.format == Format::Json;
    crate::output::print(&bars_report::cas::render(
        args.env,
        now_or(args.at),
        json,
        &style,
    ))?;
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------------------------------
// ca fetch

fn fetch(args: &CaFetchArgs, rt: &Runtime) -> anyhow::Result<Exit> {
    const WHAT: &str = "ca fetch";
    let env = args.env;
    let source = env
        .fetch_source()
        .ok_or_else(|| anyhow::anyhow!("{env} has no NHS CA to fetch"))?;
    let expected = bars_nhs::find_by_id(source.ca_id)
        .ok_or_else(|| anyhow::anyhow!("{env}: no embedded CA {}", source.ca_id))?;
    let from = args.from.clone().unwrap_or_else(|| source.url.to_string());
    if from.contains("://") && !bars_fetch::is_url(&from) {
        anyhow::bail!(
            "--from {from}: only http:// and https:// URLs (or a local file) are supported"
        );
    }
    if let Some(dir) = &args.install_dir {
        if !dir.is_dir() {
            anyhow::bail!("--install-dir {}: not a directory", dir.display());
        }
    }
    let out = args.out.clone().unwrap_or_else(|| default_out(env).into());
    if args.install_dir.is_none() && !bars_forge::dir_of(&out).is_dir() {
        return Ok(write_failed(WHAT, bars_forge::ForgeError::NoDirectory(out)));
    }

    // 1. Download (or read) within limits.
    let timeout = Duration::from_secs(args.timeout);
    let limits = FetchLimits {
        timeout,
        connect_timeout: timeout.min(Duration::from_secs(10)),
        ..FetchLimits::default()
    };
    let is_url = bars_fetch::is_url(&from);
    if is_url {
        eprintln!("bars-certcheck: fetching {from}...");
    }
    let fetched = match rt.block_on(bars_fetch::fetch(&from, &limits, None)) {
        Ok(f) => f,
        Err(e) => {
            return Ok(match &e.kind {
                FetchErrorKind::TooLarge(_) => refuse(&format!("{e}: not a CA certificate")),
                FetchErrorKind::Io(_) => {
                    eprintln!("bars-certcheck: {WHAT}: --from {e}");
                    Exit::Usage
                }
                FetchErrorKind::BadUrl(_) => {
                    eprintln!("bars-certcheck: {WHAT}: {e}");
                    Exit::Usage
                }
                _ => {
                    eprintln!("bars-certcheck: {WHAT}: download failed: {e}");
                    eprintln!("bars-certcheck: no certificate was received; nothing was written.");
                    Exit::Network
                }
            });
        }
    };
    if fetched.final_url != fetched.source {
        eprintln!("bars-certcheck: (redirected to {})", fetched.final_url);
    }

    // 2. The pin (or, with --allow-new, the root's signature).
    let now = now_or(args.at);
    let accepted =
        match bars_forge::cafetch::verify_fetched(env, &fetched.bytes, args.allow_new, now) {
            Ok(a) => a,
            Err(e) => return Ok(refuse(&format!("{from}: {e}"))),
        };
    if let Some(w) = &accepted.loud_warning {
        let bar = "!".repeat(78);
        eprintln!("{bar}\n{w}\n{bar}");
    }

    // 3. What to write where: never over a file with other contents without --force.
    let files = bars_forge::cafetch::files_to_write(
        &accepted,
        env,
        args.out.as_deref(),
        args.install_dir.as_deref(),
        args.with_root,
    )?;
    let (unchanged, to_write) = match bars_forge::cafetch::pending(files, args.force) {
        Ok(p) => p,
        Err(e) => return Ok(write_failed(WHAT, e)),
    };
    for (path, body) in &to_write {
        let mode = bars_forge::write::MODE_PUBLIC;
        if let Err(e) = bars_forge::write::write_atomic(path, body.as_bytes(), mode, args.force) {
            return Ok(write_failed(WHAT, e));
        }
    }

    // 4. Say what happened.
    let root = expected
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{}: no embedded root", expected.id))?;
    let shown = |p: &PathBuf| p.display().to_string();
    let text = bars_report::onboarding::ca_fetched(&bars_report::onboarding::CaFetched {
        expected: expected.common_name,
        env,
        sha256: &accepted.sha256,
        pinned: accepted.pinned,
        root: (root.common_name, root.sha256),
        from: &from,
        is_url,
        written: to_write.iter().map(|(p, _)| shown(p)).collect(),
        unchanged: unchanged.iter().map(shown).collect(),
        with_root: args.with_root,
        install_dir: args.install_dir.as_deref().map(shell_path),
    });
    crate::output::print(&text)?;
    Ok(Exit::Ok)
}

fn refuse(reason: &str) -> Exit {
    crate::terminal::refuse("ca fetch", reason)
}
