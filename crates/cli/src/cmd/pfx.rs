//! `pfx build`: key + issued certificate + chain into a PKCS#12 file, refused unless the
//! key matches the certificate and the chain is complete for the environment. The chain
//! comes from --chain (and intermediates after the leaf in --cert), completed from the
//! embedded NHS CAs and --ca; the built file is read back and analysed exactly as
//! `bars-certcheck check out.pfx` would before it is written.

use crate::args::{env_choice, DiagArgs, FailOn, PasswordArgs, UsageArg};
use crate::exit::Exit;
use crate::password::{Passwords, Provider};
use crate::terminal::{prompt_new_password, refuse, shell_path, write_failed};
use bars_checks::{Analysis, CheckInput, Finding, Role, Severity, Source};
use bars_model::{Certificate, Item, Limits, PasswordProvider, PrivateKey, ReadErrorKind};
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
    }
}

const WHAT: &str = "pfx build";

/// A fixed password, never a prompt.
struct Given(Option<String>);

impl PasswordProvider for Given {
    fn password(&self, _what: &str) -> Option<String> {
        self.0.clone()
    }
}

fn certificates_of(path: &Path) -> anyhow::Result<Vec<Certificate>> {
    let parsed = bars_model::read_path(path, &bars_model::NoPassword, &Limits::default());
    if let Some(e) = parsed.errors.first() {
        anyhow::bail!("{e}");
    }
    let certs: Vec<Certificate> = parsed.certificates().cloned().collect();
    if certs.is_empty() {
        anyhow::bail!("{}: no certificate in the file", path.display());
    }
    Ok(certs)
}

fn password_problem(kind: &ReadErrorKind) -> bool {
    matches!(
        kind,
        ReadErrorKind::NeedPassword { .. } | ReadErrorKind::BadPassword { .. }
    )
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
    let locked = |k: &Result<PrivateKey, String>| match k {
        Ok(k) => k.pkcs8_der().is_none(),
        Err(_) => true,
    };
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
    let parsed = bars_model::read_path(&args.key, passwords, &Limits::default());
    if let Some(e) = parsed.errors.first() {
        if password_problem(&e.kind) {
            return Ok(Err(e.to_string()));
        }
        anyhow::bail!("{e}");
    }
    let mut keys: Vec<PrivateKey> = Vec::new();
    for item in parsed.items {
        match item {
            Item::Key(k) => keys.push(k),
            Item::Pfx(p) => keys.extend(p.keys),
            _ => {}
        }
    }
    match keys.len() {
        0 => anyhow::bail!("{}: no private key in the file", args.key.display()),
        1 => keys
            .pop()
            .map(Ok)
            .ok_or_else(|| anyhow::anyhow!("{}: no private key", args.key.display())),
        n => anyhow::bail!(
            "{}: {n} private keys in the file; give the one made with the CSR",
            args.key.display()
        ),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn source_label(s: &Source) -> String {
    match s {
        Source::File(p) => format!("from {p}"),
        Source::Embedded => "embedded NHS CA".into(),
        Source::CaOption(p) => format!("from --ca {p}"),
        other => other.to_string(),
    }
}

fn cn_or_subject(c: &Certificate) -> String {
    let s = c.summary();
    s.subject_cns
        .first()
        .cloned()
        .unwrap_or_else(|| s.subject.clone())
}

/// Findings that stop the build. The name of an issued certificate cannot be changed by
/// packaging it, so `name.*` findings are reported, not refused; the chain is rebuilt
/// from the path, so its order and completeness as given do not matter when a path exists.
fn blocks(f: &Finding, rebuilt: bool) -> bool {
    f.severity == Severity::Error
        && f.family() != bars_checks::Family::Name
        && !(rebuilt && (f.is(&bars_checks::chain::INCOMPLETE) || f.is(&bars_checks::chain::ORDER)))
}

fn print_findings(findings: &[&Finding]) {
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
    let opts = crate::setup::judge(&diag_args, args.usage.into())?.file_options();

    // The output: never an input, never over an existing file without --force.
    for input in std::iter::once(&args.cert)
        .chain(std::iter::once(&args.key))
        .chain(args.chain.iter())
    {
        if same_file(&args.out, input) {
            anyhow::bail!(
                "--out {} is one of the inputs; refusing to overwrite it",
                args.out.display()
            );
        }
    }
    let out_exists = std::fs::symlink_metadata(&args.out).is_ok();
    if out_exists && !args.force {
        return Ok(refuse(
            WHAT,
            &format!(
                "{} already exists; use --force to replace it",
                args.out.display()
            ),
        ));
    }

    // The inputs.
    let pfx_password = Passwords::from(&args.password).resolve()?;
    let cert_name = args.cert.display().to_string();
    let mut leaf: Option<Certificate> = None;
    let mut candidates: Vec<(Certificate, Source)> = Vec::new();
    for c in certificates_of(&args.cert)? {
        if c.summary().is_ca {
            candidates.push((c, Source::File(cert_name.clone())));
        } else if leaf.is_none() {
            leaf = Some(c);
        } else {
            anyhow::bail!(
                "--cert {cert_name}: more than one end-entity certificate; give the one issued for your key"
            );
        }
    }
    let leaf = leaf.ok_or_else(|| {
        anyhow::anyhow!("--cert {cert_name}: no end-entity certificate (only CA certificates)")
    })?;
    for path in &args.chain {
        let name = path.display().to_string();
        for c in certificates_of(path)? {
            if !c.summary().is_ca {
                if c.summary().sha256 != leaf.summary().sha256 {
                    eprintln!(
                        "bars-certcheck: note: --chain {name}: ignoring {}: not a CA certificate",
                        c.summary().subject
                    );
                }
                continue;
            }
            candidates.push((c, Source::File(name.clone())));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    candidates.retain(|(c, _)| seen.insert(c.summary().sha256.clone()));
    let key = read_key(args, pfx_password.as_deref())?;
    let key_name = args.key.display().to_string();

    // 1. Plan: the key and the path from what was given, completed from embedded/--ca.
    let mut input = CheckInput::default();
    input
        .certificates
        .push((leaf.clone(), Source::File(cert_name.clone())));
    input.certificates.extend(candidates.iter().cloned());
    input.keys.push((key.clone(), Source::File(key_name)));
    let plan = bars_checks::analyse(&input, &opts);
    let chain = plan.chains.iter().find(|c| c.leaf == 0);
    let complete = chain.is_some_and(|c| c.complete);
    let stop: Vec<&Finding> = plan
        .findings
        .iter()
        .filter(|f| blocks(f, complete))
        .collect();
    if !complete || !stop.is_empty() {
        let mut stop = stop;
        if stop.is_empty() {
            stop = plan
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
        }
        eprintln!("bars-certcheck: {WHAT}: refused:");
        print_findings(&stop);
        if complete {
            let path: Vec<usize> = chain.map(|c| c.path.clone()).unwrap_or_default();
            eprintln!(
                "bars-certcheck: (the chain itself is complete: {})",
                describe_path(&plan, &path)
            );
        } else {
            let env = plan
                .environment
                .map(|e| format!("the {} environment", e.as_str().to_uppercase()))
                .unwrap_or_else(|| "any known environment".into());
            eprintln!(
                "bars-certcheck: the chain from {} does not reach a trusted root of {env}: give missing intermediates with --chain FILE, and trust a root the tool does not know (a private test hierarchy) with --ca {}FILE",
                cn_or_subject(&leaf),
                plan.environment
                    .filter(|e| e.is_nhs())
                    .map(|e| format!("{}:", e.as_str()))
                    .unwrap_or_default()
            );
        }
        eprintln!("bars-certcheck: nothing was written.");
        return Ok(Exit::Findings);
    }
    let path: Vec<usize> = chain.map(|c| c.path.clone()).unwrap_or_default();
    let (included, root) = split_path(&plan, &path);
    for (i, entry) in plan.certificates.iter().enumerate() {
        if i != 0 && entry.source != Source::Embedded && !path.contains(&i) {
            eprintln!(
                "bars-certcheck: note: leaving out {} ({}): it is not on the certificate's path",
                entry.cert.summary().subject,
                source_label(&entry.source)
            );
        }
    }

    // 2. The password, asked only once the inputs pass.
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
        leaf_der: leaf.der().to_vec(),
        chain_der: included
            .iter()
            .filter_map(|&i| plan.certificates.get(i))
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
    let parsed = bars_model::read_bytes(
        &out_name,
        &bytes,
        &Given(Some(password.clone())),
        &Limits::default(),
    );
    let summary = parsed.items.iter().find_map(|i| match i {
        Item::Pfx(p) => Some(p.summary.clone()),
        _ => None,
    });
    let read = bars_diagnose::files::inputs(vec![(out_name.clone(), parsed)]);
    let (input, failed) = (read.input, read.unreadable);
    let check = bars_checks::analyse(&input, &opts);
    let Some(summary) = summary.filter(|_| !failed) else {
        anyhow::bail!("the PFX just built cannot be read back (a bug: please report it)");
    };
    let stop: Vec<&Finding> = check.findings.iter().filter(|f| blocks(f, false)).collect();
    if !stop.is_empty() {
        eprintln!("bars-certcheck: {WHAT}: refused: the PFX would not check clean:");
        print_findings(&stop);
        eprintln!("bars-certcheck: nothing was written.");
        return Ok(Exit::Findings);
    }
    let notes: Vec<&Finding> = check
        .findings
        .iter()
        .filter(|f| f.severity.at_or_above(Severity::Warning))
        .collect();

    // 4. Write.
    if out_exists {
        eprintln!(
            "bars-certcheck: WARNING: --force: replacing the existing {}",
            args.out.display()
        );
    }
    if let Err(e) = bars_forge::write::write_atomic(
        &args.out,
        &bytes,
        bars_forge::write::MODE_SECRET,
        args.force,
    ) {
        return Ok(write_failed(WHAT, e));
    }

    let mut text = String::new();
    let mut names = vec![format!("{} (leaf)", cn_or_subject(&leaf))];
    for &i in &included {
        if let Some(e) = plan.certificates.get(i) {
            names.push(format!(
                "{} ({})",
                cn_or_subject(&e.cert),
                source_label(&e.source)
            ));
        }
    }
    text.push_str(&format!(
        "Wrote {} (PKCS#12, mode 0600): the private key and {} certificate{}: {}.\n",
        args.out.display(),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(" → ")
    ));
    if let Some(r) = root.and_then(|i| plan.certificates.get(i)) {
        text.push_str(&format!(
            "The root {} ({}) is not included: clients must already trust it.\n",
            cn_or_subject(&r.cert),
            source_label(&r.source)
        ));
    }
    text.push_str(&format!(
        "Protection: {}{}{}.\n",
        summary.encryption,
        summary
            .mac
            .as_ref()
            .map(|m| format!(", {m} MAC"))
            .unwrap_or_default(),
        if args.legacy {
            " (legacy form for old Windows/.NET stacks)"
        } else {
            ""
        }
    ));
    if let Some(env) = check.environment {
        text.push_str(&format!("Environment: {}.\n", env.as_str()));
    }
    if notes.is_empty() {
        text.push_str(
            "Checked: key matches certificate, chain complete, nothing at warning or above.\n",
        );
    } else {
        text.push_str("Checked: key matches certificate and the chain is complete, but `bars-certcheck check` will report:\n");
        for f in &notes {
            text.push_str(&crate::terminal::finding_text(f));
        }
    }
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
    text.push_str(&format!(
        "Check it:  bars-certcheck check {}{pw_hint}{ca_hint}\n",
        shell_path(&args.out)
    ));
    crate::output::print(&text)?;
    Ok(Exit::Ok)
}

/// `leaf → sub-CA (where from) → root (where from)`.
fn describe_path(analysis: &Analysis, path: &[usize]) -> String {
    path.iter()
        .filter_map(|&i| analysis.certificates.get(i))
        .map(|e| format!("{} ({})", cn_or_subject(&e.cert), source_label(&e.source)))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The certificates of `path` (analysis indices) to put after the leaf: the
/// intermediates, or the root when the leaf hangs directly off it (so that the file still
/// holds the leaf's issuer); and the root left out, if any.
fn split_path(analysis: &Analysis, path: &[usize]) -> (Vec<usize>, Option<usize>) {
    let mut included = Vec::new();
    let mut root = None;
    for &i in path.iter().skip(1) {
        let Some(e) = analysis.certificates.get(i) else {
            continue;
        };
        if e.role == Role::Root || e.cert.summary().self_issued {
            root = Some(i);
        } else {
            included.push(i);
        }
    }
    if included.is_empty() {
        if let Some(r) = root.take() {
            included.push(r);
        }
    }
    (included, root)
}
