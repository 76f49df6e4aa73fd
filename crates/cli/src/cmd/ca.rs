//! `ca list`: the NHS CAs built into the tool. `ca fetch`: download an environment's NHS
//! endpoint sub-CA and trust it only when its SHA-256 is the pinned one (or, with
//! --allow-new, when it verifiably chains to the environment's embedded G2 root).

use crate::args::{environment_of, ColorChoice, Format, OutputArgs};
use crate::exit::Exit;
use crate::setup::now_or;
use crate::terminal::{shell_path, write_failed};
use bars_fetch::{FetchErrorKind, FetchLimits};
use bars_nhs::{CaPurpose, CaRole, Environment, Generation, NhsCa, OtherCa};
use bars_report::Style;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::{Path, PathBuf};
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
}

/// The default `ca fetch --out` file name (the published file's name, as PEM).
fn default_out(env: Environment) -> &'static str {
    match env {
        Environment::Prod => "NHSauthG2.pem",
        _ => "NHSINTAuthG2.pem",
    }
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
    }
}

// ---------------------------------------------------------------------------------------
// ca list

/// One CA in `ca list --format json`.
#[derive(Serialize)]
struct CaJson {
    id: &'static str,
    name: &'static str,
    subject: String,
    issuer: String,
    /// `int`, `prod`, or `other` (recognised, never trusted).
    environment: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    other_environment: Option<&'static str>,
    trusted: bool,
    role: CaRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation: Option<Generation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose: Option<CaPurpose>,
    not_before: String,
    not_after: String,
    expired: bool,
    sha256: &'static str,
    sha1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    successor: Option<&'static str>,
}

#[derive(Serialize)]
struct ListJson<'a> {
    #[serde(flatten)]
    envelope: bars_report::json::Envelope<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'static str>,
    cas: Vec<CaJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
}

const PUBLIC_NOTE: &str = "The public environment trusts the Mozilla root programme (webpki-roots built into the tool), not NHS CAs.";

struct Facts {
    subject: String,
    issuer: String,
    not_before: String,
    not_after: String,
    not_after_unix: i64,
    sha1: String,
    validity: String,
}

fn facts(cert: Option<&bars_model::Certificate>, now: i64) -> Facts {
    match cert {
        Some(c) => {
            let s = c.summary();
            Facts {
                subject: s.subject.clone(),
                issuer: s.issuer.clone(),
                not_before: s.not_before.clone(),
                not_after: s.not_after.clone(),
                not_after_unix: s.not_after_unix,
                sha1: s.sha1.clone(),
                validity: bars_report::inspect::validity_phrase(s, now),
            }
        }
        None => Facts {
            subject: String::new(),
            issuer: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            not_after_unix: 0,
            sha1: String::new(),
            validity: "unreadable".into(),
        },
    }
}

fn nhs_json(ca: &'static NhsCa, now: i64) -> (CaJson, String) {
    let f = facts(ca.certificate().ok(), now);
    (
        CaJson {
            id: ca.id,
            name: ca.common_name,
            subject: f.subject,
            issuer: f.issuer,
            environment: ca.env.as_str(),
            other_environment: None,
            trusted: true,
            role: ca.role,
            generation: Some(ca.generation),
            purpose: Some(ca.purpose),
            not_before: f.not_before,
            not_after: f.not_after,
            expired: now > f.not_after_unix,
            sha256: ca.sha256,
            sha1: f.sha1,
            url: ca.url,
            issued_by: ca.parent().map(|p| p.id),
            successor: ca.successor,
        },
        f.validity,
    )
}

fn other_json(ca: &'static OtherCa, now: i64) -> (CaJson, String) {
    let f = facts(ca.certificate().ok(), now);
    (
        CaJson {
            id: ca.id,
            name: ca.common_name,
            subject: f.subject,
            issuer: f.issuer,
            environment: "other",
            other_environment: Some(ca.label()),
            trusted: false,
            role: ca.role,
            generation: None,
            purpose: None,
            not_before: f.not_before,
            not_after: f.not_after,
            expired: now > f.not_after_unix,
            sha256: ca.sha256,
            sha1: f.sha1,
            url: None,
            issued_by: None,
            successor: None,
        },
        f.validity,
    )
}

fn role_text(c: &CaJson) -> String {
    let role = match c.role {
        CaRole::Root => "root",
        _ => "intermediate",
    };
    let generation = match c.generation {
        Some(Generation::G2) => ", G2",
        Some(Generation::Legacy) => ", legacy (retired)",
        _ => "",
    };
    let purpose = match c.purpose {
        Some(CaPurpose::EndpointTls) => ", issues endpoint (TLS) certificates",
        Some(CaPurpose::People) => ", issues smartcards for people: not a TLS issuer",
        Some(CaPurpose::TrustAnchor) => ", trust anchor",
        _ => "",
    };
    format!("{role}{generation}{purpose}")
}

fn list(args: &CaListArgs) -> anyhow::Result<Exit> {
    let now = now_or(args.at);
    let env = args.env;
    let mut rows: Vec<(CaJson, String)> = bars_nhs::EMBEDDED
        .iter()
        .filter(|c| env.is_none_or(|e| c.env == e))
        .map(|c| nhs_json(c, now))
        .collect();
    if env.is_none() {
        rows.extend(bars_nhs::KNOWN_OTHER.iter().map(|c| other_json(c, now)));
    }
    let note = (env == Some(Environment::Public)).then_some(PUBLIC_NOTE);
    let text = match args.output.format {
        Format::Json => {
            let doc = ListJson {
                envelope: bars_report::json::Envelope::new("ca list"),
                environment: env.map(Environment::as_str),
                cas: rows.into_iter().map(|(c, _)| c).collect(),
                note,
            };
            bars_report::json::to_string(&doc)
        }
        Format::Text => list_text(&rows, note, args.output.color),
    };
    crate::output::print(&text)?;
    Ok(Exit::Ok)
}

fn list_text(rows: &[(CaJson, String)], note: Option<&str>, color: ColorChoice) -> String {
    let style = Style::new(crate::output::use_color(color));
    let mut out = String::new();
    let mut group = "";
    for (c, validity) in rows {
        if c.environment != group {
            group = c.environment;
            let heading = match group {
                "int" => "INT (path-to-live): trusted for --env int",
                "prod" => "PROD (live): trusted for --env prod",
                _ => "Other NHS environments: recognised (to name them), never trusted",
            };
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&style.heading(heading));
            out.push('\n');
        }
        let env = c.other_environment.unwrap_or(c.environment);
        out.push_str(&format!(
            "  {}  [{env}, {}]\n",
            style.bold(c.name),
            role_text(c)
        ));
        out.push_str(&format!("    subject   {}\n", c.subject));
        let issuer = if c.role == CaRole::Root {
            "self-signed".to_string()
        } else {
            c.issuer.clone()
        };
        out.push_str(&format!("    issuer    {issuer}\n"));
        let validity = if c.expired {
            style.bad(validity)
        } else {
            validity.clone()
        };
        out.push_str(&format!(
            "    valid     {} to {} ({validity})\n",
            c.not_before, c.not_after
        ));
        out.push_str(&format!("    sha256    {}\n", c.sha256));
        if let Some(u) = c.url {
            out.push_str(&format!("    published {u}\n"));
        }
        if let Some(s) = c.successor.and_then(bars_nhs::find_by_id) {
            out.push_str(&format!("    successor {}\n", s.common_name));
        }
    }
    if let Some(n) = note {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(n);
        out.push('\n');
    }
    out
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

    // 1. Download (or read) within limits.
    let timeout = Duration::from_secs(args.timeout);
    let limits = FetchLimits {
        timeout,
        connect_timeout: timeout.min(Duration::from_secs(10)),
        ..FetchLimits::default()
    };
    let is_url = bars_fetch::is_url(&from);
    if is_url {
        eprintln!("bars-certcheck: fetching {from} …");
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

    // 3. What to write where.
    let sub_pem = bars_model::pem_encode("CERTIFICATE", &accepted.der);
    let root = expected
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{}: no embedded root", expected.id))?;
    let root_pem = root
        .der()
        .map(|d| bars_model::pem_encode("CERTIFICATE", d))
        .ok_or_else(|| anyhow::anyhow!("{}: embedded root unreadable", root.id))?;
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    match &args.install_dir {
        Some(dir) => {
            files.push((dir.join(&accepted.file_name), sub_pem));
            if args.with_root {
                files.push((dir.join(format!("{}.crt", root.id)), root_pem));
            }
        }
        None => {
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from(default_out(env)));
            let body = if args.with_root {
                format!("{sub_pem}{root_pem}")
            } else {
                sub_pem
            };
            files.push((out, body));
        }
    }
    let mut unchanged = Vec::new();
    let mut to_write = Vec::new();
    for (path, body) in files {
        match std::fs::read(&path) {
            Ok(old) if old == body.as_bytes() => unchanged.push(path),
            Ok(_) if !args.force => {
                return Ok(refuse(&format!(
                    "{} already exists with other contents; use --force to replace it",
                    path.display()
                )))
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound && !args.force => {
                return Ok(refuse(&format!("{}: {e}", path.display())))
            }
            _ => to_write.push((path, body)),
        }
    }
    for (path, body) in &to_write {
        if let Err(e) = bars_forge::write::write_atomic(
            path,
            body.as_bytes(),
            bars_forge::write::MODE_PUBLIC,
            args.force,
        ) {
            return Ok(write_failed(WHAT, e));
        }
    }

    // 4. Say what happened.
    let mut text = if accepted.pinned {
        format!(
            "Accepted {} ({}): its SHA-256 {} is the pinned fingerprint.\n",
            expected.common_name, env, accepted.sha256
        )
    } else {
        format!(
            "Accepted a NEW, NOT PINNED CA for {env} (--allow-new): SHA-256 {}; its signature verifies under {}.\n",
            accepted.sha256, root.common_name
        )
    };
    if is_url {
        text.push_str(&format!("Source: {from}\n"));
    } else {
        text.push_str(&format!("Source: file {from}\n"));
    }
    for (path, _) in &to_write {
        text.push_str(&format!("Wrote {}\n", path.display()));
    }
    for path in &unchanged {
        text.push_str(&format!(
            "Unchanged (already this certificate): {}\n",
            path.display()
        ));
    }
    if args.with_root {
        text.push_str(&format!(
            "With the root {} (embedded, SHA-256 {}).\n",
            root.common_name, root.sha256
        ));
    } else {
        text.push_str(&format!(
            "Note: OpenSSL-based clients also need the root {} to trust it; add --with-root to write it too.\n",
            root.common_name
        ));
    }
    if let Some(dir) = &args.install_dir {
        text.push_str(&format!(
            "If {} is the system CA directory, run `update-ca-certificates` next.\n",
            shell(dir)
        ));
    }
    crate::output::print(&text)?;
    Ok(Exit::Ok)
}

fn shell(p: &Path) -> String {
    shell_path(p)
}

fn refuse(reason: &str) -> Exit {
    crate::terminal::refuse("ca fetch", reason)
}
