//! `pfx build`: key + issued certificate + chain into a PKCS#12 file, refused unless the
//! key matches the certificate and the chain is complete for the environment. The chain
//! comes from --chain (and intermediates after the leaf in --cert), completed from the
//! embedded NHS CAs and --ca; the built file is read back and analysed exactly as
//! `bars-certcheck check out.pfx` would before it is written.

use crate::args::{env_choice, DiagArgs, FailOn, PasswordArgs, UsageArg};
use crate::exit::Exit;
use crate::password::{Passwords, Provider};
use crate::terminal::{prompt_new_password, refuse, shell_path, write_failed};
use bars_checks::{Finding, Severity};
use bars_diagnose::pfx;
use bars_model::{Certificate, Limits, PasswordProvider, PrivateKey};
use bars_nhs::EnvChoice;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// The `pfx` subcommands.
#[derive(Debug, Subcommand)]
pub enum PfxCommand {
    /// Build a .pfx (PKCS#12) from the private key, the issued certificate and its chain,
    /// checked first (replaces `openssl pkcs12 -export`).
    ///
    /// Refused, with nothing written, when the key does not belong to the certificate
    /// (key.mismatch) or the chain cannot be completed to the environment's root. The
    /// intermediates come from --chain and from any certificates after the leaf in
    /// --cert; missing ones are taken from the embedded NHS CAs and --ca, so the issued
    /// .cer alone is enough for an NHS certificate. The PFX holds the key, the leaf and
    /// the intermediates (not the root: servers need not send it). The file is read back
    /// and checked like `bars-certcheck check` before it is written (atomically, mode 0600).
    #[command(after_help = "\
Examples:
  bars-certcheck pfx build --cert barsintreceiver.cer --key barsintreceiver.key \\
      --out barsintreceiver.pfx --password-env PFX_PASSWORD
  bars-certcheck pfx build --cert receiver.cer --key receiver.key --chain NHSINTAuthG2.pem \\
      --out receiver.pfx --password-file pfx-password.txt
  bars-certcheck pfx build --cert receiver.cer --key private.key --legacy \\
      --key-password-env KEY_PASSWORD --out receiver.pfx --password-env PFX_PASSWORD

Passwords: the PFX password comes from --password-env, --password-file or a prompt (asked
twice). An encrypted --key is opened with --key-password-env/--key-password-file; without
them the PFX password is tried, then a prompt on a terminal.
Encryption: AES-256-CBC with PBKDF2-HMAC-SHA256 and a SHA-256 MAC (OpenSSL 3's default);
--legacy writes 3DES with a SHA-1 MAC for old Windows and .NET Framework stacks.

Exit codes: 0 the PFX was written; 1 refused (key.mismatch, incomplete or untrusted chain,
expired certificate, --out exists without --force), nothing written; 2 usage error or an
input that cannot be read.")]
    Build(PfxBuildArgs),

    /// Split a .pfx (or Java keystore) into the leaf certificate, its chain and its key,
    /// as PEM (what `openssl pkcs12 -nodes` is used for, without the unencrypted key).
    ///
    /// The key is written as encrypted PKCS#8 (AES-256-CBC, PBKDF2-HMAC-SHA256), mode
    /// 0600, with the password from --key-password-env/--key-password-file, else the PFX's
    /// own password (and the tool says so); --no-encrypt writes it in the clear.
    #[command(after_help = "\
Examples:
  bars-certcheck pfx extract receiver.pfx --password-env PFX_PASSWORD \\
      --cert-out receiver.pem --chain-out chain.pem --key-out receiver.key
  bars-certcheck pfx extract receiver.pfx --password-file pfx.txt --cert-out leaf.pem \\
      --key-out leaf.key --key-password-env KEY_PASSWORD

Exit codes: 0 written; 1 refused (wrong PFX password, an output exists without --force),
nothing written; 2 usage error or an input that cannot be read.")]
    Extract(PfxExtractArgs),
}

/// Arguments of `pfx extract`.
#[derive(Debug, Args)]
pub struct PfxExtractArgs {
    /// The PKCS#12 file (.pfx, .p12) or Java keystore.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Where to write the leaf certificate (PEM).
    #[arg(long, value_name = "FILE")]
    pub cert_out: PathBuf,

    /// Where to write the chain: the other certificates, from the leaf's issuer up (PEM).
    #[arg(long, value_name = "FILE")]
    pub chain_out: Option<PathBuf>,

    /// Where to write the private key (encrypted PKCS#8, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub key_out: Option<PathBuf>,

    /// Write the key unencrypted (PKCS#8 `PRIVATE KEY`, mode 0600).
    #[arg(long, requires = "key_out")]
    pub no_encrypt: bool,

    /// Encrypt the key with the password in this environment variable [default: the
    /// PFX password].
    #[arg(long, value_name = "VAR", conflicts_with_all = ["key_password_file", "no_encrypt"])]
    pub key_password_env: Option<String>,

    /// Encrypt the key with the first line of this file [default: the PFX password].
    #[arg(long, value_name = "FILE", conflicts_with = "no_encrypt")]
    pub key_password_file: Option<PathBuf>,

    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,

    /// The PFX password.
    #[command(flatten)]
    pub password: PasswordArgs,
}

/// Arguments of `pfx build`.
#[derive(Debug, Args)]
pub struct PfxBuildArgs {
    /// The issued certificate (PEM or DER), e.g. the .cer the NHS sent. Intermediates after
    /// it in the same file are used as the chain.
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,

    /// The private key made with the CSR (PEM or DER; PKCS#8, PKCS#1 or SEC1; encrypted
    /// or not).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,

    /// Intermediate CA certificates to include (repeatable). Without it the chain is
    /// completed from the embedded NHS CAs and --ca.
    #[arg(long, value_name = "FILE")]
    pub chain: Vec<PathBuf>,

    /// The PFX file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Environment whose chain the certificate must have: int, prod, public, or auto
    /// (from the FQDN prefix, else from the issuing sub-CA).
    #[arg(long, default_value = "auto", value_parser = env_choice())]
    pub env: EnvChoice,

    /// More CA certificates (roots or intermediates) for an environment: `int:FILE`,
    /// `prod:FILE`, or `FILE` for the --env in force. Repeatable.
    #[arg(long = "ca", value_name = "[int:|prod:]FILE")]
    pub ca: Vec<String>,

    /// Use only the --ca certificates, not the NHS CAs built into the tool.
    #[arg(long)]
    pub no_embedded_ca: bool,

    /// Which usage the certificate must allow: server (a Receiver's endpoint), client or both.
    #[arg(long, value_enum, default_value_t = UsageArg::Server)]
    pub usage: UsageArg,

    /// Write the legacy form (pbeWithSHA1And3-KeyTripleDES-CBC, SHA-1 MAC) that old
    /// Windows and .NET Framework stacks read.
    #[arg(long)]
    pub legacy: bool,

    /// The friendlyName (alias) of the key entry [default: the certificate's CN].
    #[arg(long, value_name = "NAME")]
    pub friendly_name: Option<String>,

    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,

    /// Judge validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = crate::args::parse_time)]
    pub at: Option<i64>,

    /// The PFX password.
    #[command(flatten)]
    pub password: PasswordArgs,

    /// Read the password of an encrypted --key from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "key_password_file")]
    pub key_password_env: Option<String>,

    /// Read the password of an encrypted --key from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub key_password_file: Option<PathBuf>,
}

pub fn run(command: PfxCommand) -> anyhow::Result<Exit> {
    match command {
        PfxCommand::Build(args) => build(&args),
        PfxCommand::Extract(args) => extract(&args),
    }
}

fn extract(args: &PfxExtractArgs) -> anyhow::Result<Exit> {
    use bars_forge::extract::{self as ex, ExtractOutputs, KeyProtection};
    const WHAT: &str = "pfx extract";
    let outs = ExtractOutputs {
        cert_out: args.cert_out.clone(),
        chain_out: args.chain_out.clone(),
        key_out: args.key_out.clone(),
        force: args.force,
    };
    let targets = [
        Some(&outs.cert_out),
        outs.chain_out.as_ref(),
        outs.key_out.as_ref(),
    ];
    if let Err(e) = ex::check_targets(
        targets.into_iter().flatten().map(|p| p.as_path()),
        args.force,
    ) {
        return Ok(write_failed(WHAT, e));
    }
    let pfx_password = Passwords::from(&args.password).resolve()?;
    let provider = Provider::new(pfx_password.clone());
    let opened = match pfx::open(&args.file, &provider, &crate::input::limits()) {
        Ok(p) => p,
        Err(pfx::OpenError::Locked(why)) => return Ok(refuse(WHAT, &why)),
        Err(e) => return Ok(crate::terminal::usage(WHAT, &e)),
    };
    let key_password = Passwords {
        env: args.key_password_env.clone(),
        file: args.key_password_file.clone(),
    }
    .resolve()?;
    let protection = match (&args.key_out, args.no_encrypt, key_password, pfx_password) {
        (None, ..) => KeyProtection::Omit,
        (_, true, ..) => KeyProtection::Plain,
        (_, _, Some(password), _) => KeyProtection::Encrypt { password, reused_pfx_password: false },
        (_, _, None, Some(pw)) if !pw.is_empty() => KeyProtection::Encrypt { password: pw, reused_pfx_password: true },
        (Some(k), ..) => match prompt_new_password(&k.display().to_string())? {
            Some(password) if !password.is_empty() => KeyProtection::Encrypt { password, reused_pfx_password: false },
            _ => anyhow::bail!("the PFX has no password to reuse for the key: give --key-password-env VAR or --key-password-file FILE (or --no-encrypt)"),
        },
    };
    let made = match ex::extract(&opened, &protection) {
        Ok(m) => m,
        Err(e) => return Ok(refuse(WHAT, &format!("{}: {e}", args.file.display()))),
    };
    let written = match ex::write_extracted(&made, &outs) {
        Ok(w) => w,
        Err(e) => return Ok(write_failed(WHAT, e)),
    };
    for n in &made.notes {
        eprintln!("bars-certcheck: note: {n}");
    }
    let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    eprintln!("bars-certcheck: wrote {}", files.join(", "));
    Ok(Exit::Ok)
}

const WHAT: &str = "pfx build";

/// A fixed password, never a prompt.
struct Given(Option<String>);

impl PasswordProvider for Given {
    fn password(&self, _what: &str) -> Option<String> {
        self.0.clone()
    }
}

fn certificates_of(path: &Path) -> anyhow::Result<(String, Vec<Certificate>)> {
    let certs = bars_model::certificates_in(path, &Limits::default())?;
    Ok((path.display().to_string(), certs))
}

/// The one private key in --key, decrypted: with the key password, else the PFX
/// password, else a prompt on a terminal.
fn read_key(args: &PfxBuildArgs, pfx_password: Option<&str>) -> anyhow::Result<PrivateKey> {
    let key_password = Passwords {
        env: args.key_password_env.clone(),
        file: args.key_password_file.clone(),
    }
    .resolve()?;
    let explicit = key_password.is_some();
    let first = key_password.or_else(|| pfx_password.map(str::to_string));
    let tried = first.is_some();
    let mut key = key_from(args, &Given(first))?;
    let locked =
        |k: &Result<PrivateKey, String>| k.as_ref().map_or(true, |k| k.pkcs8_der().is_none());
    if !explicit && locked(&key) {
        // The PFX password did not open it (or there was none): ask on the terminal.
        key = key_from(args, &Provider::new(None))?;
    }
    match key {
        Ok(k) if k.pkcs8_der().is_some() => Ok(k),
        other => {
            let why = match other {
                Err(e) => e,
                Ok(_) if tried => format!(
                    "{}: wrong password for the encrypted private key",
                    args.key.display()
                ),
                Ok(_) => format!("{}: the private key is encrypted", args.key.display()),
            };
            anyhow::bail!(
                "{why}; give its password with --key-password-env VAR or --key-password-file FILE (without them the PFX password is tried, then a prompt on a terminal)"
            )
        }
    }
}

/// Reads the one key in --key with `passwords`: the outer error is a usage problem, the
/// inner one a password problem.
fn key_from(
    args: &PfxBuildArgs,
    passwords: &dyn PasswordProvider,
) -> anyhow::Result<Result<PrivateKey, String>> {
    match bars_model::private_key_in(&args.key, passwords, &Limits::default()) {
        Ok(k) => Ok(Ok(k)),
        Err(bars_model::FileError::Locked(e)) => Ok(Err(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn print_findings(findings: &[Finding]) {
    for f in findings {
        eprint!("{}", crate::terminal::finding_text(f));
    }
}

/// `--out` is never an input, and never replaced without `--force`: `Ok(true)` when it
/// exists (and will be replaced), `Err(exit)` when refused.
fn check_out(args: &PfxBuildArgs) -> anyhow::Result<Result<bool, Exit>> {
    let inputs = std::iter::once(&args.cert)
        .chain(std::iter::once(&args.key))
        .chain(args.chain.iter());
    for input in inputs {
        if same_file(&args.out, input) {
            anyhow::bail!(
                "--out {} is one of the inputs; refusing to overwrite it",
                args.out.display()
            );
        }
    }
    let exists = std::fs::symlink_metadata(&args.out).is_ok();
    if exists && !args.force {
        let why = format!(
            "{} already exists; use --force to replace it",
            args.out.display()
        );
        return Ok(Err(refuse(WHAT, &why)));
    }
    Ok(Ok(exists))
}

/// Says why the plan was refused.
fn refused(r: &pfx::Refusal, leaf: &Certificate) -> Exit {
    eprintln!("bars-certcheck: {WHAT}: refused:");
    print_findings(&r.stop);
    let a = &r.analysis;
    match &r.complete_path {
        Some(path) => eprintln!(
            "bars-certcheck: (the chain itself is complete: {})",
            pfx::describe_path(a, path)
        ),
        None => {
            let env = a
                .environment
                .map(|e| format!("the {} environment", e.as_str().to_uppercase()))
                .unwrap_or_else(|| "any known environment".into());
            let tag = a
                .environment
                .filter(|e| e.is_nhs())
                .map(|e| format!("{}:", e.as_str()))
                .unwrap_or_default();
            eprintln!(
                "bars-certcheck: the chain from {} does not reach a trusted root of {env}: give missing intermediates with --chain FILE, and trust a root the tool does not know (a private test hierarchy) with --ca {tag}FILE",
                pfx::cn_or_subject(leaf),
            );
        }
    }
    eprintln!("bars-certcheck: nothing was written.");
    Exit::Findings
}

fn build(args: &PfxBuildArgs) -> anyhow::Result<Exit> {
    let diag_args = DiagArgs {
        env: args.env,
        ca: args.ca.clone(),
        no_embedded_ca: args.no_embedded_ca,
        expect_fqdn: None,
        warn_days: 30,
        fail_on: FailOn::Error,
        at: args.at,
    };
    let mut opts = crate::setup::judge(&diag_args, args.usage.into())?.file_options();
    opts.purpose = bars_checks::Purpose::PfxBuild;
    let out_exists = match check_out(args)? {
        Ok(e) => e,
        Err(exit) => return Ok(exit),
    };

    // 1. The inputs, and the plan: the key and the path from what was given, completed
    // from the embedded and --ca CAs.
    let pfx_password = Passwords::from(&args.password).resolve()?;
    let (cert_name, certs) = certificates_of(&args.cert)?;
    let chain = args
        .chain
        .iter()
        .map(|p| certificates_of(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let selection = pfx::select((&cert_name, certs), chain)?;
    for n in &selection.notes {
        eprintln!("bars-certcheck: note: {n}");
    }
    let key = read_key(args, pfx_password.as_deref())?;
    let key_name = args.key.display().to_string();
    let plan = match pfx::plan(&selection, &key, &key_name, &cert_name, &opts) {
        Ok(p) => p,
        Err(r) => return Ok(refused(&r, &selection.leaf)),
    };
    for e in plan
        .left_out
        .iter()
        .filter_map(|&i| plan.analysis.certificates.get(i))
    {
        eprintln!(
            "bars-certcheck: note: leaving out {} ({}): it is not on the certificate's path",
            e.cert.summary().subject,
            pfx::source_label(&e.source)
        );
    }

    // 2. The password, asked only once the inputs pass; the file, made in memory.
    let password = match pfx_password {
        Some(p) => p,
        None => prompt_new_password(&args.out.display().to_string())?.ok_or_else(
            || {
                anyhow::anyhow!(
                    "a PFX password is needed: give --password-env VAR or --password-file FILE (or run on a terminal to be asked)"
                )
            },
        )?,
    };
    if password.is_empty() {
        eprintln!("bars-certcheck: WARNING: the PFX password is empty: anyone who gets the file gets the private key");
    }
    let key_der = key
        .pkcs8_der()
        .ok_or_else(|| anyhow::anyhow!("{}: the key is still encrypted", args.key.display()))?;
    let spec = bars_forge::pfx::PfxSpec {
        key_pkcs8_der: key_der.to_vec(),
        leaf_der: selection.leaf.der().to_vec(),
        chain_der: plan
            .included
            .iter()
            .filter_map(|&i| plan.analysis.certificates.get(i))
            .map(|e| e.cert.der().to_vec())
            .collect(),
        password: password.clone(),
        legacy: args.legacy,
        friendly_name: args.friendly_name.clone().unwrap_or_default(),
    };
    let bytes = match bars_forge::pfx::build(&spec) {
        Ok(b) => b,
        Err(e @ bars_forge::ForgeError::KeyMismatch) => {
            return Ok(refuse(WHAT, &format!("key.mismatch: {e}")))
        }
        Err(e) => return Err(e.into()),
    };

    // 3. Read it back and check it as `check out.pfx` would.
    let out_name = args.out.display().to_string();
    let Some(checked) = pfx::check_built(&bytes, &out_name, &password, &opts) else {
        anyhow::bail!("the PFX just built cannot be read back (a bug: please report it)");
    };
    let stop: Vec<Finding> = checked
        .analysis
        .findings
        .iter()
        .filter(|f| pfx::blocks(f, false))
        .cloned()
        .collect();
    if !stop.is_empty() {
        eprintln!("bars-certcheck: {WHAT}: refused: the PFX would not check clean:");
        print_findings(&stop);
        eprintln!("bars-certcheck: nothing was written.");
        return Ok(Exit::Findings);
    }

    // 4. Write.
    if out_exists {
        eprintln!(
            "bars-certcheck: WARNING: --force: replacing the existing {}",
            args.out.display()
        );
    }
    let mode = bars_forge::write::MODE_SECRET;
    if let Err(e) = bars_forge::write::write_atomic(&args.out, &bytes, mode, args.force) {
        return Ok(write_failed(WHAT, e));
    }
    crate::output::print(&built_text(args, &selection.leaf, &plan, &checked))?;
    Ok(Exit::Ok)
}

/// What was written, how it is protected, what `check` will say, how to check it.
fn built_text(
    args: &PfxBuildArgs,
    leaf: &Certificate,
    plan: &pfx::Plan,
    checked: &pfx::Checked,
) -> String {
    let label = |i: usize| {
        plan.analysis.certificates.get(i).map(|e| {
            format!(
                "{} ({})",
                pfx::cn_or_subject(&e.cert),
                pfx::source_label(&e.source)
            )
        })
    };
    let mut certificates = vec![format!("{} (leaf)", pfx::cn_or_subject(leaf))];
    certificates.extend(plan.included.iter().filter_map(|&i| label(i)));
    let pw_hint = match (&args.password.password_env, &args.password.password_file) {
        (Some(v), _) => format!(" --password-env {v}"),
        (_, Some(f)) => format!(" --password-file {}", shell_path(f)),
        _ => String::new(),
    };
    let ca_hint: String = args
        .ca
        .iter()
        .map(|c| format!(" --ca {}", shell_path(Path::new(c))))
        .collect();
    let notes: String = checked
        .analysis
        .findings
        .iter()
        .filter(|f| f.severity.at_or_above(Severity::Warning))
        .map(crate::terminal::finding_text)
        .collect();
    bars_report::onboarding::pfx_written(&bars_report::onboarding::PfxWritten {
        out: &args.out.display().to_string(),
        certificates,
        root: plan.root.and_then(label),
        encryption: &checked.summary.encryption,
        mac: checked.summary.mac.as_deref(),
        legacy: args.legacy,
        environment: checked.analysis.environment,
        notes: &notes,
        check: &format!(
            "bars-certcheck check {}{pw_hint}{ca_hint}",
            shell_path(&args.out)
        ),
    })
}
