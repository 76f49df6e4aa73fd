//! `trust lint FILE --env int|prod`: is a Receiver's client-CA file right for its
//! environment?

use crate::args::{environment_of, ColorChoice, FailOn, ReportFormat};
use crate::exit::Exit;
use crate::input::read_all;
use crate::password::Passwords;
use bars_checks::Source;
use bars_nhs::{EnvChoice, Environment};
use bars_report::diag::{CertView, Report};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// The `trust` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Lint the CA file a Receiver's server uses to verify the proxy's client certificates
    /// (nginx ssl_client_certificate, a Java truststore exported to PEM, a Kestrel bundle).
    #[command(after_help = "\
Examples:
  bars-certcheck trust lint /etc/nginx/bars-client-ca.pem --env int
  bars-certcheck trust lint truststore.pem --env prod --format json
  bars-certcheck trust lint test-ca.pem --env int --no-embedded-ca --ca int:my-test-root.pem

It must hold the environment's current NHS CAs (the G2 issuing sub-CA and its root) and
nothing that widens who may connect. The text report ends with nginx, Apache and Kestrel
settings that pin client verification to the right sub-CA.
Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 the file could
not be read or a usage error.")]
    Lint(TrustLintArgs),
}

/// Arguments of `trust lint`.
#[derive(Debug, Args)]
pub struct TrustLintArgs {
    /// The client-CA file (PEM bundle, DER, PKCS#7).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The Receiver's environment.
    #[arg(long, value_parser = environment_of(&["int", "prod"]))]
    pub env: Environment,

    /// CA certificates the file must also hold, for an environment: `int:FILE`,
    /// `prod:FILE` or `FILE` (a private test hierarchy). Repeatable.
    #[arg(long = "ca", value_name = "[int:|prod:]FILE")]
    pub ca: Vec<String>,

    /// Do not require the NHS CAs built into the tool (only the --ca ones).
    #[arg(long)]
    pub no_embedded_ca: bool,

    /// Judge expiry at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = crate::args::parse_time)]
    pub at: Option<i64>,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    pub fail_on: FailOn,

    /// Output format: text, json or markdown.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Colour: auto (only on a terminal, honouring NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

pub fn run(command: TrustCommand) -> anyhow::Result<Exit> {
    match command {
        TrustCommand::Lint(args) => lint(args),
    }
}

fn lint(args: TrustLintArgs) -> anyhow::Result<Exit> {
    let env = args.env;
    let diag_args = crate::args::DiagArgs {
        env: EnvChoice::Forced(env),
        ca: args.ca.clone(),
        no_embedded_ca: args.no_embedded_ca,
        expect_fqdn: None,
        warn_days: 30,
        fail_on: args.fail_on,
        at: args.at,
    };
    let judge = crate::setup::judge(&diag_args, bars_checks::Usage::Server)?;
    let (now, opts) = (judge.at, judge.file_options());
    let (parsed, read_failed) = read_all(&[&args.file], &Passwords::default())?;
    let name = args.file.display().to_string();
    let certs: Vec<_> = parsed
        .iter()
        .flat_map(|(n, p)| {
            p.certificates()
                .map(move |c| (c.clone(), Source::File(n.clone())))
        })
        .collect();
    if certs.is_empty() {
        if !read_failed {
            eprintln!("bars-certcheck: {name}: no certificate in the file");
        }
        return Ok(Exit::Usage);
    }
    let lint = bars_checks::trust_lint::lint(&certs, env, &opts);
    let fail_on = args.fail_on.severity();
    let notes = match args.format {
        ReportFormat::Text | ReportFormat::Markdown => {
            server_config(&name, env, lint.pin_issuer.as_deref())
        }
        _ => Vec::new(),
    };
    let report = Report {
        command: "trust lint",
        target: name.clone(),
        environment: Some(env),
        environment_source: bars_checks::EnvSource::Forced,
        certificates: lint
            .certificates
            .iter()
            .map(|(c, s, role)| CertView {
                source: s.to_string(),
                role: *role,
                summary: c.summary(),
            })
            .collect(),
        chains: Vec::new(),
        tls: None,
        findings: lint.findings.clone(),
        notes: Vec::new(),
        verdict: bars_checks::verdict(&lint.findings, fail_on),
        now,
        audit: None,
        error: None,
    };
    let out = crate::args::ReportArgs {
        format: args.format,
        color: args.color,
    };
    let mut text = crate::render::render(&report, &out, std::slice::from_ref(&name));
    if !notes.is_empty() {
        text.push('\n');
        for n in notes {
            text.push_str(&n);
            text.push('\n');
        }
    }
    crate::output::print(&text)?;
    let failed = bars_checks::verdict(&lint.findings, fail_on) == bars_checks::Verdict::Fail;
    Ok(if failed {
        Exit::Findings
    } else if read_failed {
        Exit::Usage
    } else {
        Exit::Ok
    })
}

/// The settings that make a server verify client certificates against this file and
/// accept only certificates issued by the environment's sub-CA.
fn server_config(file: &str, env: Environment, issuer: Option<&str>) -> Vec<String> {
    let issuer = issuer.unwrap_or("<the issuing sub-CA's DN>");
    let e = env.as_str().to_uppercase();
    let lines = format!(
        "Server settings (client verification pinned to {issuer}):

  nginx:
    ssl_verify_client      on;
    ssl_client_certificate {file};
    ssl_verify_depth       2;
    # accept only certificates issued by the {e} sub-CA
    if ($ssl_client_i_dn != \"{issuer}\") {{ return 403; }}

  Apache httpd (mod_ssl):
    SSLVerifyClient      require
    SSLVerifyDepth       2
    SSLCACertificateFile {file}
    <Location \"/\">
        Require expr %{{SSL_CLIENT_I_DN}} == \"{issuer}\"
    </Location>

  Kestrel (ASP.NET Core):
    builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h =>
        h.ClientCertificateMode = ClientCertificateMode.RequireCertificate));
    builder.Services.AddAuthentication(CertificateAuthenticationDefaults.AuthenticationScheme)
        .AddCertificate(o => {{
            o.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
            o.CustomTrustStore.ImportFromPemFile(\"{file}\");
            o.AllowedCertificateTypes = CertificateTypes.Chained;
            o.Events = new CertificateAuthenticationEvents {{
                OnCertificateValidated = c => {{
                    if (c.ClientCertificate.Issuer != \"{issuer_net}\") c.Fail(\"wrong issuer\");
                    else c.Success();
                    return Task.CompletedTask; }} }};
        }});

The proxy calls {e} Receivers from {addrs}: allow them through the firewall.",
        issuer_net = net_issuer(issuer),
        addrs = env
            .proxy_source_addresses()
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(" and "),
    );
    lines.lines().map(str::to_string).collect()
}

/// .NET prints an issuer DN most specific first with `, ` between RDNs.
fn net_issuer(rfc4514: &str) -> String {
    let mut out = String::with_capacity(rfc4514.len() + 8);
    let mut escaped = false;
    for c in rfc4514.chars() {
        out.push(c);
        if c == ',' && !escaped {
            out.push(' ');
        }
        escaped = c == '\\' && !escaped;
    }
    out
}
