//! `csr new`: an RSA key and a PKCS#10 request whose subject is exactly `CN=<fqdn>`, the
//! FQDN checked against the BaRS naming rules before anything is generated, the result
//! checked with the same analysis as `check` before anything is written.

use crate::args::{env_choice_of, PasswordArgs};
use crate::exit::Exit;
use crate::password::{Passwords, Provider};
use crate::terminal::{prompt_new_password, refuse, shell_path, write_failed};

use bars_nhs::EnvChoice;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// The `csr` subcommands.
#[derive(Debug, Subcommand)]
pub enum CsrCommand {
    /// Make an RSA private key and a certificate signing request whose subject is only
    /// `CN=<fqdn>` (no e-mail, no other fields, no SAN), as the BaRS onboarding guide asks.
    ///
    /// The FQDN is checked against the environment's BaRS naming rules first; a name the
    /// NHS would refuse is refused here, with the reason, before any key is made. The key
    /// is written with mode 0600 and never over an existing file (without --force). Both
    /// files are checked like `bars-certcheck check` before they are written, and the
    /// command ends by saying where to send the request.
    #[command(after_help = "\
Examples:
  bars-certcheck csr new --fqdn BaRS-INT-X26.Supplier.thirdparty.nhs.uk
  bars-certcheck csr new --fqdn BaRS-PROD-RRK.Supplier.thirdparty.nhs.uk --bits 3072
  KEY_PASSWORD=... bars-certcheck csr new --fqdn BaRS-INT-X26.Supplier.thirdparty.nhs.uk \\
      --encrypt-key --password-env KEY_PASSWORD --key-out private.key --csr-out request.csr
  bars-certcheck csr new --fqdn BaRS-INT-X26.Supplier.thirdparty.nhs.uk --key existing.key
      (a renewal: a new request for the RSA key you already have; nothing else is written)

Writes <fqdn>.key and <fqdn>.csr in the current directory unless --key-out/--csr-out say
otherwise. The environment comes from the BaRS-INT-/BaRS-PROD- prefix (--env auto); a
name of the other environment, or one that is not of the BaRS shape, is refused.
--force generates anyway (loudly) and replaces existing files.

Exit codes: 0 key and CSR written; 1 refused (name against the rules, a file already
exists), nothing written; 2 usage error (e.g. --encrypt-key without a password source).")]
    New(CsrNewArgs),
}

/// Arguments of `csr new`.
#[derive(Debug, Args)]
pub struct CsrNewArgs {
    /// The endpoint's fully qualified domain name; it becomes the request's only subject
    /// field, CN=<fqdn>.
    #[arg(long, value_name = "NAME")]
    pub fqdn: String,

    /// Whose naming rules the FQDN must follow: int, prod, or auto (from the
    /// BaRS-INT-/BaRS-PROD- prefix).
    #[arg(long, default_value = "auto", value_parser = env_choice_of(&["auto", "int", "prod"]))]
    pub env: EnvChoice,

    /// Where to write the private key [default: <fqdn>.key].
    #[arg(long, value_name = "FILE")]
    pub key_out: Option<PathBuf>,

    /// Renewal: make the request for this existing RSA key (at least 2048 bits) instead
    /// of a new one; an encrypted key opens with --password-env/--password-file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["key_out", "encrypt_key", "bits"])]
    pub key: Option<PathBuf>,

    /// Where to write the certificate signing request [default: <fqdn>.csr].
    #[arg(long, value_name = "FILE")]
    pub csr_out: Option<PathBuf>,

    /// RSA key size: 2048, 3072 or 4096.
    #[arg(long, value_name = "BITS", default_value_t = 2048, value_parser = parse_bits)]
    pub bits: u32,

    /// Encrypt the key file (PKCS#8, AES-256-CBC with PBKDF2-HMAC-SHA256) with the password
    /// from --password-env, --password-file or a prompt on the terminal.
    #[arg(long)]
    pub encrypt_key: bool,

    /// Generate even when the FQDN breaks the BaRS naming rules, and replace existing
    /// files. Says so loudly: the NHS will not sign such a request.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub password: PasswordArgs,
}

fn parse_bits(s: &str) -> Result<u32, String> {
    match s.trim() {
        "2048" => Ok(2048),
        "3072" => Ok(3072),
        "4096" => Ok(4096),
        _ => Err("the RSA key size must be 2048, 3072 or 4096".into()),
    }
}

pub fn run(command: CsrCommand) -> anyhow::Result<Exit> {
    match command {
        CsrCommand::New(args) => new(&args),
    }
}

const WHAT: &str = "csr new";

/// Step 3, the password: only with `--encrypt-key` (then required, and not empty).
fn key_password(args: &CsrNewArgs, key_out: &Path) -> anyhow::Result<Option<String>> {
    let given = Passwords::from(&args.password);
    if args.key.is_some() {
        return Ok(given.resolve()?); // the password that opens the existing key
    }
    if !args.encrypt_key {
        if given.env.is_some() || given.file.is_some() {
            anyhow::bail!(
                "--password-env/--password-file only apply with --encrypt-key (the key would be written unencrypted)"
            );
        }
        return Ok(None);
    }
    let pw = match given.resolve()? {
        Some(pw) => pw,
        None => prompt_new_password(&key_out.display().to_string())?.ok_or_else(|| {
            anyhow::anyhow!(
                "--encrypt-key needs a password: give --password-env VAR or --password-file FILE (or run on a terminal to be asked)"
            )
        })?,
    };
    if pw.is_empty() {
        anyhow::bail!("--encrypt-key: the password is empty");
    }
    Ok(Some(pw))
}

fn new(args: &CsrNewArgs) -> anyhow::Result<Exit> {
    // A CN names the host without the root's trailing dot.
    let fqdn = args.fqdn.strip_suffix('.').unwrap_or(&args.fqdn);
    if fqdn != args.fqdn {
        eprintln!("bars-certcheck: note: using {fqdn} (without the trailing dot) as the CN");
    }
    let judged = match bars_forge::csr::judge_name(fqdn, args.env.forced(), args.force) {
        Ok((j, warnings)) => {
            warnings
                .iter()
                .for_each(|w| eprintln!("bars-certcheck: WARNING: {w}"));
            j
        }
        Err(why) => return Ok(refuse(WHAT, &why)),
    };
    let forced = judged.problem.is_some();
    let (o, p) = (args.key_out.as_deref(), args.csr_out.as_deref());
    let outs = match bars_forge::csr::outputs(fqdn, o, p, args.key.as_deref(), args.force) {
        Ok(o) => o,
        Err(e) => return Ok(write_failed(WHAT, e)),
    };
    for r in &outs.replaced {
        eprintln!(
            "bars-certcheck: WARNING: --force: replacing the existing {}",
            r.display()
        );
    }
    let (key_out, csr_out) = (outs.key.clone(), outs.csr.clone());
    let password = key_password(args, &key_out)?;

    // 4. Generate (or, for --key, read the key and sign a request with it), and check in
    // memory as `check` will.
    let made = match &args.key {
        Some(path) => match bars_forge::csr::renew(
            path,
            &Provider::new(password.clone()),
            fqdn,
            &crate::input::limits(),
        ) {
            Ok(m) => m,
            Err(e) => return Ok(forge_refusal(e)),
        },
        None => {
            eprintln!("bars-certcheck: generating an RSA {}-bit key...", args.bits);
            let spec = bars_forge::csr::CsrSpec {
                fqdn: fqdn.to_string(),
                bits: args.bits,
                key_password: password.clone(),
            };
            match bars_forge::csr::generate(&spec) {
                Ok(m) => m,
                Err(e) => return Ok(forge_refusal(e)),
            }
        }
    };
    let (key_file, csr_file) = (key_out.display().to_string(), csr_out.display().to_string());
    // As `check` would judge it; a forced name keeps the environment it was made for.
    let serious = bars_diagnose::files::serious_in_made(
        &made,
        (&csr_file, &key_file),
        &Provider::new(password.clone()),
        judged.env.filter(|_| forced),
        crate::setup::now_or(None),
    )
    .map_err(anyhow::Error::msg)?;
    if !serious.is_empty() {
        if forced {
            eprintln!("bars-certcheck: WARNING: --force: `bars-certcheck check` will report:");
        }
        serious
            .iter()
            .for_each(|f| eprint!("{}", crate::terminal::finding_text(f)));
        if !forced {
            let why = "the generated request does not check clean (a bug: please report it)";
            return Ok(refuse(WHAT, why));
        }
    }
    // 5. Write: the key, then the request; never one without the other.
    if let Err(e) = bars_forge::csr::write_made(&made, &outs, args.key.is_some(), args.force) {
        return Ok(write_failed(WHAT, e));
    }
    let pk = bars_model::Csr::from_der(&made.csr_der)
        .map(|c| c.summary.public_key_sha256)
        .unwrap_or_default();
    let written = bars_report::onboarding::CsrWritten {
        fqdn,
        env: judged.env,
        key_file: &key_file,
        csr_file: &csr_file,
        words: bars_report::onboarding::ShellWords {
            key: shell_path(&key_out),
            csr: shell_path(&csr_out),
            cer: shell_path(Path::new(&format!("{fqdn}.cer"))),
            pfx: shell_path(Path::new(&format!("{fqdn}.pfx"))),
        },
        public_key_sha256: &pk,
        bits: made.bits,
        encrypted: made.key_encrypted,
        forced,
        reused_key: args.key.is_some(),
    };
    crate::output::print(&bars_report::onboarding::csr_written(&written))?;
    Ok(Exit::Ok)
}

/// A refusal from making the request (exit 1, nothing written), or a usage error (2).
fn forge_refusal(e: bars_forge::ForgeError) -> Exit {
    use bars_forge::ForgeError as F;
    match e {
        F::Fqdn(_) | F::KeyLocked | F::Locked(_) | F::KeyNotRsa(_) | F::WeakKey { .. } => {
            refuse(WHAT, &e.to_string())
        }
        other => crate::terminal::usage(WHAT, &other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_and_paths() {
        assert_eq!(parse_bits("3072"), Ok(3072));
        assert!(parse_bits("1024").is_err());
    }
}
