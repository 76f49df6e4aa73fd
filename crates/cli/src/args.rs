//! Command-line arguments: what the user typed, validated by clap, nothing built yet.

use bars_nhs::{EnvChoice, Environment};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

const EXIT_CODES: &str = "\
Exit codes:
  0  nothing at or above --fail-on (or: the command succeeded)
  1  findings at or above --fail-on; a refusal (bad name, mismatched key, pin mismatch)
  2  usage error or unreadable input
  3  network failure before any certificate was received";

/// Diagnose TLS certificates and chains for NHS BaRS endpoints.
///
/// Reads certificates, chains, CSRs, keys and PFX files by content, checks them against
/// the BaRS onboarding rules and the NHS PKI, and says what is wrong and how to fix it.
#[derive(Debug, Parser)]
#[command(name = "bars-certcheck", version, propagate_version = true)]
#[command(after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pretty-print any certificate, chain, CSR, key or PFX.
    #[command(after_help = "\
Examples:
  bars-certcheck inspect barsintreceiver.cer
  bars-certcheck inspect chain.pem request.csr private.key
  bars-certcheck inspect receiver.pfx --password-env PFX_PASSWORD
  bars-certcheck inspect bundle.p7b --format json | jq '.certificates[].subject'

Exit codes: 0 every input was read; 2 an input could not be read (the others are
still shown).")]
    #[command(arg = input_size_arg())]
    Inspect(InspectArgs),

    /// CI gate over files: run every applicable check on certificates, chains, CSRs, keys
    /// and PFX files.
    #[command(after_help = "\
Examples:
  bars-certcheck check barsintreceiver.cer intermediate.pem --env int
  bars-certcheck check chain.pem --key private.key request.csr --warn-days 60
  bars-certcheck check receiver.pfx --password-env PFX_PASSWORD --format json
  bars-certcheck check chain.pem --ca int:NHSINTAuthG2.pem --format sarif > certs.sarif
  bars-certcheck check chain.pem --format markdown > ticket.md

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 an input could
not be read (the others are still checked) or a usage error.")]
    #[command(arg = input_size_arg())]
    Check(crate::cmd::check::CheckArgs),

    /// Fetch and diagnose a live endpoint (like `openssl s_client -showcerts`), TLS mutual
    /// authentication included.
    #[command(after_help = "\
Examples:
  bars-certcheck probe BaRS-INT-X26.Supplier.thirdparty.nhs.uk:443
  bars-certcheck probe 127.0.0.1:8443 --sni BaRS-INT-X26.Supplier.thirdparty.nhs.uk --env int
  bars-certcheck probe https://receiver.example.nhs.uk/bars --connect 10.0.0.5 --format json
  bars-certcheck probe receiver:8443 --pfx proxy-client.pfx --password-env PFX_PASSWORD
  bars-certcheck probe receiver:8443 --client-cert client.pem --client-key client.key
  bars-certcheck probe receiver:8443 --mtls-audit --save-chain presented.pem
  bars-certcheck probe int.api.service.nhs.uk --env public --format markdown > ticket.md

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it (a chain received
before a failed handshake is still diagnosed); 2 usage error; 3 no certificate was
received (DNS, refused, timeout, not TLS, alert).")]
    #[command(arg = input_size_arg())]
    Probe(crate::cmd::probe::ProbeArgs),

    /// Probe many endpoints concurrently: an expiry and health overview.
    #[command(after_help = "\
Examples:
  bars-certcheck scan endpoints.txt
  bars-certcheck scan catalogue.csv --concurrency 64 --timeout 3 --format csv > health.csv
  bars-certcheck scan receivers.csv --env int --warn-days 60 --fail-on warning
  cat endpoints.json | bars-certcheck scan - --format json | jq .summary

LIST (a file, or - for standard input) holds one host[:port] or URL per line (# comments,
blank lines), or a CSV whose header has a `host` column (optional `port`, `env`, `name`,
and `sni`/`connect` as in probe), or a JSON array of strings or of objects with those
fields; the format is told by content. A malformed entry is reported on stderr with its
line number and skipped. Each endpoint is diagnosed as `probe` would (the environment
from the entry's env, else --env, else its BaRS-INT-/BaRS-PROD- name); text rows come
with no chain first, then by days to expiry.

Exit codes: 1 if any endpoint has findings at or above --fail-on, else 3 if any endpoint
gave no chain, else 0; 2 usage error (unreadable LIST, nothing valid in it).")]
    #[command(mut_arg("expect_fqdn", |a| a.hide(true)), arg = input_size_arg())]
    Scan(crate::cmd::scan::ScanArgs),

    /// Make an RSA key and a correct CSR (replaces openssl genpkey + openssl req).
    #[command(subcommand)]
    Csr(crate::cmd::csr::CsrCommand),

    /// Make a .pfx from key + certificate + chain (checked first), or take one apart.
    #[command(subcommand)]
    Pfx(crate::cmd::pfx::PfxCommand),

    /// The embedded NHS CAs: list them, export them offline, or download and pin-verify one.
    #[command(subcommand)]
    Ca(crate::cmd::ca::CaCommand),

    /// Is a Receiver's client-CA file right for its environment?
    #[command(subcommand)]
    Trust(crate::cmd::trust::TrustCommand),

    /// Certificates and CSRs from any container (PEM, DER, PKCS#7, PKCS#12, JKS) to PEM
    /// or DER; private keys are never written.
    #[command(after_help = "\
Examples:
  bars-certcheck convert bundle.p7b --to pem > chain.pem
  bars-certcheck convert receiver.cer --to der --out receiver.der
  bars-certcheck convert receiver.pfx --password-env PFX_PASSWORD --to pem --out certs.pem

Exit codes: 0 written; 1 refused (a private key given, a wrong password, --out exists
without --force); 2 usage error (DER of more than one object, DER on a terminal) or an
input that cannot be read.")]
    Convert(crate::cmd::convert::ConvertArgs),

    /// Which certificate, CSR, key and PFX belong together.
    #[command(after_help = "\
Examples:
  bars-certcheck match barsintreceiver.cer request.csr private.key
  bars-certcheck match *.pem *.csr *.key receiver.pfx --password-env PFX_PASSWORD --format json

Exit codes: 0 everything given belongs together (or was matched); 1 a mismatch such as
csr.cert-mismatch; 2 an input could not be read.")]
    #[command(arg = input_size_arg())]
    Match(crate::cmd::matching::MatchArgs),

    /// What a finding means and how to fix it (without an id: list every id).
    #[command(after_help = "\
Examples:
  bars-certcheck explain chain.incomplete
  bars-certcheck explain --list
  bars-certcheck explain name.fqdn-format --format json")]
    Explain(crate::cmd::explain::ExplainArgs),

    /// A local TLS-MA receiver with a planted fault, probed and diagnosed.
    #[command(after_help = "\
Examples:
  bars-certcheck demo
  bars-certcheck demo --fault incomplete-chain --format json")]
    Demo(crate::cmd::demo::DemoArgs),

    /// Print a manual page (roff), generated from the same definitions as --help.
    #[command(after_help = "\
Examples:
  bars-certcheck man | man -l -
  bars-certcheck man ca fetch | man -l -
  bars-certcheck man --out-dir /usr/local/share/man/man1")]
    Man(ManArgs),

    /// Print shell completions for bash, zsh, fish, elvish or PowerShell.
    #[command(after_help = "\
Examples:
  bars-certcheck completions bash > /etc/bash_completion.d/bars-certcheck
  bars-certcheck completions zsh > \"${fpath[1]}/_bars-certcheck\"")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (e.g. `check`, `ca fetch`); none: the top page.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,

    /// Write every page (bars-certcheck.1, bars-certcheck-check.1, …) into this directory.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

/// `--max-input-size`, added to the commands that read input files (read back by
/// [`max_input_size`]).
pub fn input_size_arg() -> clap::Arg {
    clap::Arg::new("max_input_size")
        .long("max-input-size")
        .value_name("SIZE")
        .default_value("16MiB")
        .value_parser(parse_size)
        .help(
            "Largest input file accepted, in bytes or with a K/KiB, M/MiB suffix; larger \
             files are refused before they are read",
        )
}

/// The `--max-input-size` of the command run, when it takes one.
pub fn max_input_size(m: &clap::ArgMatches) -> Option<u64> {
    let mut m = m;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m.try_get_one::<u64>("max_input_size")
        .ok()
        .flatten()
        .copied()
}

/// `--env`: auto, int, prod or public, parsed into the one [`EnvChoice`].
pub fn env_choice() -> impl TypedValueParser<Value = EnvChoice> {
    env_choice_of(&["auto", "int", "prod", "public"])
}

/// `--env` limited to `values` (a subset of auto, int, prod, public).
pub fn env_choice_of(values: &'static [&'static str]) -> impl TypedValueParser<Value = EnvChoice> {
    PossibleValuesParser::new(values.iter().map(|v| possible(v)))
        .try_map(|s| s.parse::<EnvChoice>())
}

/// An environment (no `auto`) among `values`.
pub fn environment_of(
    values: &'static [&'static str],
) -> impl TypedValueParser<Value = Environment> {
    PossibleValuesParser::new(values.iter().map(|v| possible(v)))
        .try_map(|s| s.parse::<Environment>())
}

/// A value of `--env`.
fn possible(v: &'static str) -> PossibleValue {
    PossibleValue::new(v)
}

/// Options shared by the commands that diagnose (check, probe, scan).
#[derive(Debug, Args, Clone)]
pub struct DiagArgs {
    /// Environment: int, prod, public, or auto (from the FQDN prefix, else from the
    /// issuing sub-CA; never from the root alone).
    #[arg(long, default_value = "auto", value_parser = env_choice())]
    pub env: EnvChoice,

    /// More CA certificates (roots or intermediates) for an environment: `int:FILE`,
    /// `prod:FILE`, `public:FILE`, or `FILE` for the --env in force. Repeatable.
    #[arg(long = "ca", value_name = CA_VALUE, value_parser = parse_ca)]
    pub ca: Vec<String>,

    /// Use only the --ca certificates, not the NHS CAs built into the tool.
    #[arg(long)]
    pub no_embedded_ca: bool,

    /// The name the certificate must cover (default for probe: the --sni name, else the host).
    #[arg(long, value_name = "NAME")]
    pub expect_fqdn: Option<String>,

    /// Warn when a certificate in the path expires within this many days.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub warn_days: u32,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    pub fail_on: FailOn,

    /// Judge validity at this time (RFC 3339, or a date for its midnight UTC) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<i64>,
}

/// Output options of the diagnosing commands.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Output format: text, json, markdown (for a ticket), sarif, junit or html (one page).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Colour: auto (only on a terminal, honouring NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// Online checks. Off by default: without `--revocation` or `--fetch-missing` nothing
/// is contacted, whatever URLs the certificates name. (check, probe, scan.)
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

/// How endpoints are reached and what is presented to them (probe, scan).
#[derive(Debug, Args, Clone)]
pub struct ConnectArgs {
    /// Present this client certificate (PEM/DER, leaf first; intermediates may follow),
    /// as the BaRS proxy does. Needs --client-key.
    #[arg(
        long,
        value_name = "FILE",
        requires = "client_key",
        conflicts_with = "pfx"
    )]
    pub client_cert: Option<PathBuf>,

    /// The private key of --client-cert (PKCS#8, PKCS#1, SEC1; encrypted keys take
    /// --password-env/--password-file).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,

    /// Present the certificate, key and chain of this PKCS#12 file or Java keystore (JKS, JCEKS).
    #[arg(long, value_name = "FILE", visible_alias = "keystore")]
    pub pfx: Option<PathBuf>,

    /// Also try without a client certificate and with a throwaway self-signed one (and,
    /// at an int/prod Receiver, look-alike NHS ones), and report the server accepting
    /// any (tls.accepts-anonymous, tls.accepts-foreign-client).
    #[arg(long)]
    pub mtls_audit: bool,

    /// Connect through this HTTP CONNECT proxy, http://[USER:PASSWORD@]HOST[:PORT], for
    /// every target whatever NO_PROXY says (credentials are sent up front as
    /// Proxy-Authorization: Basic). Without it, HTTPS_PROXY/NO_PROXY apply (but not with
    /// --connect).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    #[command(flatten)]
    pub password: PasswordArgs,

    #[command(flatten)]
    pub key_password: KeyPasswordArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UsageArg {
    Server,
    Client,
    Both,
}

impl From<UsageArg> for bars_checks::Usage {
    fn from(u: UsageArg) -> Self {
        match u {
            UsageArg::Server => bars_checks::Usage::Server,
            UsageArg::Client => bars_checks::Usage::Client,
            UsageArg::Both => bars_checks::Usage::Both,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
    Sarif,
    Junit,
    Html,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Files to read (PEM, DER, PKCS#7, PKCS#12, CSR, key); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub password: PasswordArgs,

    #[command(flatten)]
    pub key_password: KeyPasswordArgs,

    /// Time to measure validity against (RFC 3339), instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<i64>,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour: auto (only on a terminal, honouring NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Args, Clone, Default)]
pub struct PasswordArgs {
    /// Read the password (encrypted key, PFX, Java keystore) from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,

    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// The password of a Java keystore's key entry, when not the store password.
#[derive(Debug, Args, Clone, Default)]
pub struct KeyPasswordArgs {
    /// Read a keystore key entry's password from this environment variable (default: the
    /// store password).
    #[arg(long, value_name = "VAR", conflicts_with = "key_password_file")]
    pub key_password_env: Option<String>,

    /// Read a keystore key entry's password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Parses `16MiB`, `512K`, `1048576` into bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("not a size (e.g. 16MiB, 512K, 1048576): {s:?}"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        other => return Err(format!("unknown size unit {other:?} (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| format!("size out of range: {s:?}"))
}

/// Parses `--timeout`: a positive number of seconds, at most a day.
pub fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !v.is_finite() || v <= 0.0 || v > 86_400.0 {
        return Err("the timeout must be more than 0 and at most 86400 seconds".into());
    }
    Ok(Duration::from_secs_f64(v))
}

/// Parses an RFC 3339 time (or a bare date, its midnight UTC) into Unix seconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    let t = s.trim();
    let date = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::parse(t, &Rfc3339)
        .or_else(|_| time::Date::parse(t, date).map(|d| d.midnight().assume_utc()))
        .map(|t| t.unix_timestamp())
        .map_err(|_| {
            "not a time: use RFC 3339, e.g. 2028-01-01T00:00:00Z (or a date, 2028-01-01)".into()
        })
}

/// The value name of `--ca`.
pub const CA_VALUE: &str = "[int:|prod:|public:]FILE";

/// Parses `--ca [int:|prod:|public:]FILE`: a `WORD:` prefix that names no environment is
/// refused, unless a file of that whole name exists.
pub fn parse_ca(s: &str) -> Result<String, String> {
    parse_ca_of(s, "int:, prod: or public:")
}

/// [`parse_ca`] for `trust lint`, whose files are INT's or PROD's: `public:` is refused.
pub fn parse_nhs_ca(s: &str) -> Result<String, String> {
    parse_ca_of(s, "int: or prod:")
}

fn parse_ca_of(s: &str, allowed: &str) -> Result<String, String> {
    let prefix = s.split_once(':').map(|(p, _)| p).unwrap_or_default();
    let known = matches!(bars_diagnose::cas::split_ca_arg(s).0, Some(e) if allowed.contains(&format!("{}:", e.as_str())));
    let word = !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_alphanumeric());
    if !known && word && !std::path::Path::new(s).exists() {
        return Err(format!(
            "unknown environment prefix `{prefix}:` (use {allowed}, or a FILE alone)"
        ));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parse_size_units() {
        assert_eq!(parse_size("16MiB"), Ok(16 * 1024 * 1024));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn timeouts_parse() {
        assert_eq!(parse_secs("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_secs("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("nan").is_err());
        assert!(parse_secs("soon").is_err());
    }

    #[test]
    fn environments_parse_into_the_one_choice() {
        let p = env_choice();
        let cmd = clap::Command::new("t");
        let parse = |v: &str| p.parse_ref(&cmd, None, std::ffi::OsStr::new(v));
        assert_eq!(parse("auto").ok(), Some(EnvChoice::Auto));
        assert_eq!(
            parse("prod").ok(),
            Some(EnvChoice::Forced(Environment::Prod))
        );
        assert!(parse("dev").is_err());
    }

    #[test]
    fn parse_time_accepts_rfc3339_and_dates_and_rejects_junk() {
        assert_eq!(parse_time("1970-01-02T00:00:00Z"), Ok(86_400));
        assert_eq!(parse_time("1970-01-02"), Ok(86_400));
        assert!(parse_time("yesterday").is_err_and(|e| e.contains("2028-01-01T00:00:00Z")));
    }
}
