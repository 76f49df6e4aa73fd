//! `trust lint FILE --env int|prod`: is a Receiver's client-CA file right for its
//! environment?

use crate::args::{environment_of, ColorChoice, FailOn, PasswordArgs, ReportFormat};
use crate::exit::Exit;
use crate::input::read_all;
use crate::password::Passwords;
use bars_checks::Source;
use bars_nhs::{EnvChoice, Environment};
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
Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it, or a keystore its
password does not open; 2 the file could not be read or a usage error.")]
    #[command(arg = crate::args::input_size_arg())]
    Lint(TrustLintArgs),
}

/// Arguments of `trust lint`.
#[derive(Debug, Args)]
pub struct TrustLintArgs {
    /// The client-CA file (PEM bundle, DER, PKCS#7, Java truststore: JKS, JCEKS).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The Receiver's environment.
    #[arg(long, value_parser = environment_of(&["int", "prod"]))]
    pub env: Environment,

    /// CA certificates the file must also hold, for an environment: `int:FILE`,
    /// `prod:FILE` or `FILE` (a private test hierarchy). Repeatable.
    #[arg(long = "ca", value_name = "[int:|prod:]FILE", value_parser = crate::args::parse_nhs_ca)]
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

    /// Output format: text, json, markdown, sarif, junit or html.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    #[command(flatten)]
    pub password: PasswordArgs,

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
    let (parsed, read_failed) = read_all(&[&args.file], &Passwords::from(&args.password))?;
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
        // A store its password did not open is pfx.bad-password, as in check: exit 1.
        let mut errors = parsed.iter().flat_map(|(_, p)| &p.errors).peekable();
        let locked = errors.peek().is_some() && errors.all(|e| e.kind.is_container_password());
        return Ok(if locked { Exit::Findings } else { Exit::Usage });
    }
    let lint = bars_checks::trust_lint::lint(&certs, env, &opts);
    let fail_on = args.fail_on.severity();
    let notes = match args.format {
        ReportFormat::Text | ReportFormat::Markdown => {
            let file = lint.fixed_file.as_deref().unwrap_or(&name);
            let fixed = lint.fixed_file.is_some();
            bars_report::trust::server_settings(file, env, lint.pin_issuer.as_deref(), fixed)
        }
        _ => Vec::new(),
    };
    let report = bars_diagnose::report::trust_report(&lint, name.clone(), env, fail_on, now);
    let out = crate::args::ReportArgs {
        format: args.format,
        color: args.color,
    };
    let mut text = crate::render::render(&report, &out, std::slice::from_ref(&name), fail_on);
    if !notes.is_empty() {
        text.push('\n');
        for n in notes {
            text.push_str(&n);
            text.push('\n');
        }
    }
    crate::output::print(&text)?;
    Ok(if report.verdict == bars_checks::Verdict::Fail {
        Exit::Findings
    } else if read_failed {
        Exit::Usage
    } else {
        Exit::Ok
    })
}
