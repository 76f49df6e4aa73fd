//! `csr new`: an RSA key and a PKCS#10 request whose subject is exactly `CN=<fqdn>`, the
//! FQDN checked against the BaRS naming rules before anything is generated, the result
//! checked with the same analysis as `check` before anything is written.

use crate::args::{env_choice_of, PasswordArgs};
use crate::exit::Exit;
use crate::password::{Passwords, Provider};
use crate::terminal::{prompt_new_password, refuse, shell_path, write_failed};
use bars_checks::{CheckInput, Options, Severity, Source};
use bars_model::{Item, Limits};
use bars_nhs::{EnvChoice, Environment};
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

/// Most characters in an X.509 CN (RFC 5280 ub-common-name).
const CN_MAX: usize = 64;

/// The environment whose next steps apply, or the reason the name is refused.
fn judge_name(fqdn: &str, env: EnvChoice) -> (Option<Environment>, Option<String>) {
    let forced = env.forced();
    match bars_nhs::parse_bars_fqdn(fqdn) {
        Ok(name) => match forced {
            Some(want) if want != name.env => (
                Some(want),
                Some(format!(
                    "{fqdn} is named for {} (BaRS-{}-…), but --env {} was given; {} names look like {}",
                    name.env.as_str().to_uppercase(),
                    name.env.as_str().to_uppercase(),
                    want.as_str(),
                    want.as_str().to_uppercase(),
                    bars_nhs::expected_shape(want)
                )),
            ),
            _ => (Some(name.env), None),
        },
        Err(problem) => {
            let mut reason = problem.to_string();
            if let Some(want) = forced {
                if !reason.contains("expected") {
                    reason.push_str(&format!(
                        "; expected {}",
                        bars_nhs::expected_shape(want)
                    ));
                }
            }
            (forced.or_else(|| bars_nhs::env_from_fqdn(fqdn)), Some(reason))
        }
    }
}

fn new(args: &CsrNewArgs) -> anyhow::Result<Exit> {
    const WHAT: &str = "csr new";
    // A CN names the host without the root's trailing dot.
    let fqdn = args.fqdn.strip_suffix('.').unwrap_or(&args.fqdn);
    if fqdn != args.fqdn {
        eprintln!("bars-certcheck: note: using {fqdn} (without the trailing dot) as the CN");
    }

    // 1. The name, before anything else.
    if fqdn.len() > CN_MAX {
        return Ok(refuse(
            WHAT,
            &format!(
                "{fqdn} is {} characters long; a certificate's CN holds at most {CN_MAX}, so no CA can issue it (not even with --force)",
                fqdn.len()
            ),
        ));
    }
    if let Some((label, problem)) = fqdn
        .split('.')
        .find_map(|l| bars_nhs::check_dns_label(l).err().map(|p| (l, p)))
    {
        return Ok(refuse(
            WHAT,
            &format!("{fqdn:?} is not a DNS name: the label {label:?} is invalid: {problem} (not even --force makes it one)"),
        ));
    }
    let (env, problem) = judge_name(fqdn, args.env);
    if let Some(p) = &problem {
        if !args.force {
            return Ok(refuse(
                WHAT,
                &format!("{p}. The NHS only signs requests for BaRS names; use --force to generate one anyway"),
            ));
        }
        eprintln!("bars-certcheck: WARNING: --force: generating a request that breaks the BaRS naming rules: {p}");
        eprintln!("bars-certcheck: WARNING: --force: the NHS will refuse to sign this request.");
    }

    // 2. The files.
    let key_out = args
        .key_out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{fqdn}.key")));
    let csr_out = args
        .csr_out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{fqdn}.csr")));
    if key_out == csr_out {
        anyhow::bail!(
            "--key-out and --csr-out name the same file {}",
            key_out.display()
        );
    }
    let key_existed = std::fs::symlink_metadata(&key_out).is_ok();
    let csr_existed = std::fs::symlink_metadata(&csr_out).is_ok();
    for (path, existed, what) in [
        (&key_out, key_existed, "the private key"),
        (&csr_out, csr_existed, "the request"),
    ] {
        if existed && !args.force {
            return Ok(refuse(
                WHAT,
                &format!(
                    "{} already exists; choose another file for {what} or use --force to replace it",
                    path.display()
                ),
            ));
        }
        if existed {
            eprintln!(
                "bars-certcheck: WARNING: --force: replacing the existing {}",
                path.display()
            );
        }
    }

    // 3. The password.
    let given = Passwords::from(&args.password);
    let password = if args.encrypt_key {
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
        Some(pw)
    } else {
        if given.env.is_some() || given.file.is_some() {
            anyhow::bail!(
                "--password-env/--password-file only apply with --encrypt-key (the key would be written unencrypted)"
            );
        }
        None
    };

    // 4. Generate and check in memory.
    eprintln!("bars-certcheck: generating an RSA {}-bit key…", args.bits);
    let spec = bars_forge::csr::CsrSpec {
        fqdn: fqdn.to_string(),
        bits: args.bits,
        key_password: password.clone(),
    };
    let made = match bars_forge::csr::generate(&spec) {
        Ok(m) => m,
        Err(e @ bars_forge::ForgeError::Fqdn(_)) => return Ok(refuse(WHAT, &e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let findings = self_check(
        &made,
        &key_out,
        &csr_out,
        password.as_deref(),
        env,
        problem.is_some(),
    )?;
    let serious: Vec<_> = findings
        .iter()
        .filter(|f| f.severity.at_or_above(Severity::Warning))
        .collect();
    if !serious.is_empty() {
        let mut text = String::new();
        for f in &serious {
            text.push_str(&crate::terminal::finding_text(f));
        }
        if problem.is_none() {
            eprint!("{text}");
            return Ok(refuse(
                WHAT,
                "the generated request does not check clean (a bug: please report it)",
            ));
        }
        eprintln!("bars-certcheck: WARNING: --force: `bars-certcheck check` will report:");
        eprint!("{text}");
    }

    // 5. Write: the key, then the request; never one without the other.
    let write = |path: &Path, bytes: &[u8], mode: u32| {
        bars_forge::write::write_atomic(path, bytes, mode, args.force)
    };
    if let Err(e) = write(
        &key_out,
        made.key_pem.as_bytes(),
        bars_forge::write::MODE_SECRET,
    ) {
        return Ok(write_failed(WHAT, e));
    }
    if let Err(e) = write(
        &csr_out,
        made.csr_pem.as_bytes(),
        bars_forge::write::MODE_PUBLIC,
    ) {
        if !key_existed {
            let _ = std::fs::remove_file(&key_out);
        }
        return Ok(write_failed(WHAT, e));
    }

    crate::output::print(&summary(
        fqdn,
        env,
        &key_out,
        &csr_out,
        &made,
        args.bits,
        password.is_some(),
        problem.is_some(),
    ))?;
    Ok(Exit::Ok)
}

/// Reads the generated key and request back and runs the `check` analysis over them.
fn self_check(
    made: &bars_forge::csr::Generated,
    key_out: &Path,
    csr_out: &Path,
    password: Option<&str>,
    env: Option<Environment>,
    forced: bool,
) -> anyhow::Result<Vec<bars_checks::Finding>> {
    let provider = Provider::new(password.map(str::to_string));
    let limits = Limits::default();
    let mut input = CheckInput::default();
    for (name, bytes) in [
        (csr_out.display().to_string(), made.csr_pem.as_bytes()),
        (key_out.display().to_string(), made.key_pem.as_bytes()),
    ] {
        let parsed = bars_model::read_bytes(&name, bytes, &provider, &limits);
        if let Some(e) = parsed.errors.first() {
            anyhow::bail!("reading back what was generated: {e}");
        }
        for item in parsed.items {
            match item {
                Item::Csr(c) => input.csrs.push((c, Source::File(name.clone()))),
                Item::Key(k) => input.keys.push((k, Source::File(name.clone()))),
                _ => {}
            }
        }
    }
    if input.csrs.len() != 1 || input.keys.len() != 1 {
        anyhow::bail!("reading back what was generated: expected one request and one key");
    }
    let mut opts = Options::new(crate::setup::now_or(None));
    // As `check` would judge it; a forced name keeps the environment it was made for.
    opts.env = if forced { env } else { None };
    Ok(bars_checks::analyse(&input, &opts).findings)
}

#[allow(clippy::too_many_arguments)]
fn summary(
    fqdn: &str,
    env: Option<Environment>,
    key_out: &Path,
    csr_out: &Path,
    made: &bars_forge::csr::Generated,
    bits: u32,
    encrypted: bool,
    forced: bool,
) -> String {
    let pk = bars_model::Csr::from_der(&made.csr_der)
        .map(|c| c.summary.public_key_sha256)
        .unwrap_or_default();
    let key = shell_path(key_out);
    let csr = shell_path(csr_out);
    let cer = shell_path(Path::new(&format!("{fqdn}.cer")));
    let pfx = shell_path(Path::new(&format!("{fqdn}.pfx")));
    let key_pw = if encrypted {
        " --key-password-env KEY_PASSWORD"
    } else {
        ""
    };
    let check_pw = if encrypted {
        " --password-env KEY_PASSWORD"
    } else {
        ""
    };
    let mut out = format!(
        "Wrote the private key {} (RSA {bits}, PKCS#8, {}, mode 0600). Keep it on this machine; never send it.\n\
         Wrote the certificate signing request {} (subject CN={fqdn}; public key SHA-256 {pk}).\n\
         Checked: the subject is only the CN, there is no e-mail address, the signature verifies and the key matches.\n",
        key_out.display(),
        if encrypted {
            "encrypted with AES-256-CBC, PBKDF2-HMAC-SHA256"
        } else {
            "not encrypted"
        },
        csr_out.display(),
    );
    if forced {
        out.push_str("\nWARNING: made with --force: the name breaks the BaRS naming rules and the NHS will not sign it.\n");
    }
    let check = format!("bars-certcheck check {cer} {csr} --key {key}{check_pw}");
    let build = format!("bars-certcheck pfx build --cert {cer} --key {key}{key_pw} --out {pfx}");
    let catalogue = "Email england.bookingandreferralstandard@nhs.net with the Receiver URL for BaRS/API-M to add to the Endpoint Catalogue.";
    match env {
        Some(Environment::Int) => {
            let ips = addresses(Environment::Int);
            out.push_str(&format!(
                "\nNext steps (INT):\n\
                 1. Request a 'certificate only' from ITOC, the integration service desk, with the onboarding form:\n\
                 \x20  'Certificate Only (No endpoint)', 'Integration environment', FQDN {fqdn} (it must match your domain and the CN),\n\
                 \x20  make it clear that this is a request for a 'BaRS' certificate, and write 'N/A' in the Party Key section.\n\
                 \x20  Send {csr} with the request.\n\
                 2. When ITOC sends the certificate, save it (from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----)\n\
                 \x20  as {cer} and check it:\n\
                 \x20    {check}\n\
                 3. Build the .pfx your server loads:\n\
                 \x20    {build}\n\
                 4. {catalogue}\n\
                 5. Allow the BaRS API proxy through the Receiver's firewall: INT calls come from {ips}.\n"
            ));
        }
        Some(Environment::Prod) => {
            let ips = addresses(Environment::Prod);
            out.push_str(&format!(
                "\nNext steps (PROD):\n\
                 1. Once Solution Assurance has issued the Technical Conformance certificate, send {csr} to dir@nhs.net,\n\
                 \x20  indicating that it is for a BaRS Receiver endpoint ({fqdn}).\n\
                 2. When the DIR team sends the certificate, save it as {cer} and check it:\n\
                 \x20    {check}\n\
                 3. Build the .pfx your server loads:\n\
                 \x20    {build}\n\
                 4. {catalogue}\n\
                 5. Allow the BaRS API proxy through the Receiver's firewall: PROD calls come from {ips}.\n"
            ));
        }
        _ => {
            out.push_str(&format!(
                "\nNext steps: the NHS signs BaRS requests only for names of the BaRS shape\n\
                 ({}).\n\
                 When a certificate is issued, check it:\n\
                 \x20    {check}\n",
                bars_nhs::expected_shape(Environment::Public)
            ));
        }
    }
    out
}

fn addresses(env: Environment) -> String {
    env.proxy_source_addresses()
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_judged_per_environment() {
        let int = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
        let prod = "BaRS-PROD-RRK.Supplier.thirdparty.nhs.uk";
        assert_eq!(
            judge_name(int, EnvChoice::Auto),
            (Some(Environment::Int), None)
        );
        assert_eq!(
            judge_name(int, EnvChoice::Forced(Environment::Int)),
            (Some(Environment::Int), None)
        );
        assert_eq!(
            judge_name(prod, EnvChoice::Auto),
            (Some(Environment::Prod), None)
        );
        let (env, why) = judge_name(prod, EnvChoice::Forced(Environment::Int));
        assert_eq!(env, Some(Environment::Int));
        assert!(why
            .unwrap()
            .contains("is named for PROD (BaRS-PROD-…), but --env int"));
        let (_, why) = judge_name(int, EnvChoice::Forced(Environment::Prod));
        assert!(why.unwrap().contains("is named for INT"));
        let (_, why) = judge_name("receiver.example.com", EnvChoice::Auto);
        assert!(why.unwrap().contains("not under nhs.uk"));
        let (_, why) = judge_name("BaRS-INT-X26.Supplier.nhs.uk", EnvChoice::Auto);
        assert!(why.unwrap().contains("thirdparty"));
        let (env, why) = judge_name("www.example.nhs.uk", EnvChoice::Forced(Environment::Prod));
        assert_eq!(env, Some(Environment::Prod));
        assert!(why.unwrap().contains("BaRS-PROD-"));
    }

    #[test]
    fn bits_and_paths() {
        assert_eq!(parse_bits("3072"), Ok(3072));
        assert!(parse_bits("1024").is_err());
    }
}
