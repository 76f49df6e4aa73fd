//! `pfx build`: key + issued certificate + chain into a PKCS#12 file, refused unless the
//! key matches the certificate and the chain is complete for the environment. The chain
//! comes from --chain (and intermediates after the leaf in --cert), completed from the
//! embedded NHS CAs and --ca; the built file is read back and analysed exactly as
//! `bars-certcheck check out.pfx` would before it is written.

use crate::args::{env_choice, DiagArgs, FailOn, PasswordArgs, UsageArg};
use crate::exit::Exit;
use crate::password::{Passwords, Provider};
use crate::terminal::{prompt_new_password, refuse, shell_path, write_failed};
use bars_checks::Finding;
use bars_diagnose::pfx;
use bars_model::{Certificate, Limits};
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
    /// 0600, with the --key-password-env/-file password, else the PFX's (the tool says so).
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
    #[arg(long = "ca", value_name = crate::args::CA_VALUE, value_parser = crate::args::parse_ca)]
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
    if let Err(e) = outs.check() {
        return Ok(write_failed(WHAT, e));
    }
    let pfx_password = Passwords::from(&args.password).resolve()?;
    let provider = Provider::new(pfx_password.clone());
    let opened = match pfx::open(&args.file, &provider, &crate::input::limits()) {
        Ok(p) => p,
        Err(pfx::OpenError::Locked(why)) => return Ok(refuse(WHAT, &why)),
        Err(e) => return Ok(crate::terminal::usage(WHAT, &e)),
    };
    let key_password =
        Passwords::of(&args.key_password_env, &args.key_password_file).resolve_as("key-")?;
    let chosen = KeyProtection::choose(
        args.key_out.is_some(),
        args.no_encrypt,
        key_password,
        pfx_password,
    );
    let protection = match (chosen, &args.key_out) {
        (Some(p), _) => p,
        (None, Some(k)) => match prompt_new_password(&k.display().to_string())?.filter(|p| !p.is_empty()) {
            Some(password) => KeyProtection::Encrypt { password, reused_pfx_password: false },
            None => anyhow::bail!("the PFX has no password to reuse for the key: give --key-password-env VAR or --key-password-file FILE (or --no-encrypt)"),
        },
        (None, None) => KeyProtection::Omit,
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

fn certificates_of(path: &Path) -> anyhow::Result<(String, Vec<Certificate>)> {
    let certs = bars_model::certificates_in(path, &Limits::default())?;
    Ok((path.display().to_string(), certs))
}

fn print_findings(findings: &[Finding]) {
    for f in findings {
        eprint!("{}", crate::terminal::finding_text(f));
    }
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
    let inputs: Vec<&Path> = [&args.cert, &args.key]
        .into_iter()
        .chain(&args.chain)
        .map(PathBuf::as_path)
        .collect();
    let out_exists = match pfx::check_out(&args.out, &inputs, args.force) {
        Ok(e) => e,
        Err(pfx::OutError::Forge(e)) => return Ok(write_failed(WHAT, e)),
        Err(e) => anyhow::bail!(e),
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
    let key_password =
        Passwords::of(&args.key_password_env, &args.key_password_file).resolve_as("key-")?;
    let key = pfx::read_key(
        &args.key,
        key_password,
        pfx_password.as_deref(),
        &Provider::new(None),
        &Limits::default(),
    )
    .map_err(anyhow::Error::msg)?;
    let key_name = args.key.display().to_string();
    let plan = match pfx::plan(&selection, &key, &key_name, &cert_name, &opts) {
        Ok(p) => p,
        Err(r) => {
            eprintln!("bars-certcheck: {WHAT}: refused:");
            print_findings(&r.stop);
            eprintln!("bars-certcheck: {}", pfx::refusal_note(&r, &selection.leaf));
            eprintln!("bars-certcheck: nothing was written.");
            return Ok(Exit::Findings);
        }
    };
    for n in pfx::left_out_notes(&plan) {
        eprintln!("bars-certcheck: note: {n}");
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
    let packing = pfx::Packing {
        password: password.clone(),
        legacy: args.legacy,
        friendly_name: args.friendly_name.clone(),
    };
    let name = args.out.display().to_string();
    let assembled = pfx::assemble((&selection, &plan, &key), &name, packing, &opts);
    let (bytes, checked) = match assembled {
        Ok(done) => done,
        Err(pfx::AssembleError::NotClean(stop)) => {
            eprintln!("bars-certcheck: {WHAT}: refused: the PFX would not check clean:");
            print_findings(&stop);
            eprintln!("bars-certcheck: nothing was written.");
            return Ok(Exit::Findings);
        }
        Err(e @ pfx::AssembleError::KeyMismatch(_)) => return Ok(refuse(WHAT, &e.to_string())),
        Err(e) => anyhow::bail!("{}: {e}", args.key.display()),
    };

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
    let done = (&plan, &selection.leaf, &checked);
    let text = pfx::written_text(done, &args.out, args.legacy, &check_options(args));
    crate::output::print(&text)?;
    Ok(Exit::Ok)
}

/// The options `check` needs for the file written: its password source and the --ca.
fn check_options(args: &PfxBuildArgs) -> String {
    let pw = match (&args.password.password_env, &args.password.password_file) {
        (Some(v), _) => format!(" --password-env {v}"),
        (_, Some(f)) => format!(" --password-file {}", shell_path(f)),
        _ => String::new(),
    };
    let ca = args
        .ca
        .iter()
        .map(|c| format!(" --ca {}", shell_path(Path::new(c))));
    pw + &ca.collect::<String>()
}
