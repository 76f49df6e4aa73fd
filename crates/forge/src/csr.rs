//! RSA key and PKCS#10 CSR with subject exactly `CN=<fqdn>`: no SAN, no e-mail, no attributes.

use crate::ForgeError;
use pkcs8::der::pem::LineEnding;
use pkcs8::pkcs5::pbes2;
use pkcs8::PrivateKeyInfoRef;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, RsaKeySize, PKCS_RSA_SHA256};

/// PBKDF2 iterations for an encrypted key (OpenSSL 3 uses 2048; more is fine).
pub const PBKDF2_ITERATIONS: u32 = 100_000;

/// What to generate.
#[derive(Clone, Debug)]
pub struct CsrSpec {
    /// The FQDN that becomes the only subject attribute (`CN=<fqdn>`).
    pub fqdn: String,
    /// RSA modulus size: 2048, 3072 or 4096.
    pub bits: u32,
    /// When set, the key PEM is `ENCRYPTED PRIVATE KEY` (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC).
    pub key_password: Option<String>,
}

/// A generated key and CSR.
#[derive(Clone)]
pub struct Generated {
    /// PKCS#8 `PRIVATE KEY` or `ENCRYPTED PRIVATE KEY` PEM text.
    pub key_pem: String,
    /// Unencrypted PKCS#8 DER of the key (keep in memory only).
    pub key_pkcs8_der: Vec<u8>,
    /// `CERTIFICATE REQUEST` PEM text.
    pub csr_pem: String,
    /// CSR DER.
    pub csr_der: Vec<u8>,
    /// The key's size in bits.
    pub bits: u32,
    /// The key file is (or, for a renewal, was already) encrypted.
    pub key_encrypted: bool,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("csr_pem", &self.csr_pem)
            .finish_non_exhaustive()
    }
}

fn check_fqdn(fqdn: &str) -> Result<(), ForgeError> {
    // A CN of at most 64 characters whose labels are DNS labels (the BaRS rules' own
    // label check).
    let ok = !fqdn.is_empty()
        && fqdn.len() <= 64
        && fqdn
            .split('.')
            .all(|label| bars_nhs::check_dns_label(label).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ForgeError::Fqdn(fqdn.to_string()))
    }
}

/// Generates an RSA key and a CSR for `spec.fqdn`, signed with sha256WithRSAEncryption.
pub fn generate(spec: &CsrSpec) -> Result<Generated, ForgeError> {
    check_fqdn(&spec.fqdn)?;
    let size = match spec.bits {
        2048 => RsaKeySize::_2048,
        3072 => RsaKeySize::_3072,
        4096 => RsaKeySize::_4096,
        other => return Err(ForgeError::KeySize(other)),
    };
    let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, size)
        .map_err(|e| ForgeError::Generate(e.to_string()))?;
    let (csr_pem, csr_der) = cn_only_csr(&key, &spec.fqdn)?;
    let key_pkcs8_der = key.serialize_der();
    let key_pem = match &spec.key_password {
        None => key.serialize_pem(),
        Some(pw) => encrypt_key_pem(&key_pkcs8_der, pw)?,
    };
    Ok(Generated {
        key_pem,
        key_pkcs8_der,
        csr_pem,
        csr_der,
        bits: spec.bits,
        key_encrypted: spec.key_password.is_some(),
    })
}

/// `csr new --key FILE`: reads the existing key at `path` (an encrypted one opened with
/// `passwords`) and makes its renewal request for `fqdn` ([`csr_from_key`]'s refusals
/// apply). The result's `key_pem` is the key unencrypted, in memory only, for checking:
/// the key file itself is never written.
pub fn renew(
    path: &std::path::Path,
    passwords: &dyn bars_model::PasswordProvider,
    fqdn: &str,
    limits: &bars_model::Limits,
) -> Result<Generated, ForgeError> {
    let key = match bars_model::private_key_in(path, passwords, limits) {
        Ok(k) => k,
        Err(bars_model::FileError::Locked(e)) => return Err(ForgeError::Locked(e.to_string())),
        Err(e) => {
            return Err(ForgeError::Input {
                what: "the key".into(),
                detail: e.to_string(),
            })
        }
    };
    let r = csr_from_key(&key, fqdn)?;
    let der = key.pkcs8_der().ok_or(ForgeError::KeyLocked)?.to_vec();
    Ok(Generated {
        key_pem: crate::pem::encode("PRIVATE KEY", &der),
        key_pkcs8_der: der,
        csr_pem: r.csr_pem,
        csr_der: r.csr_der,
        bits: r.bits,
        key_encrypted: key.summary.encrypted,
    })
}

/// A CSR whose subject is exactly `CN=<fqdn>` (no SAN, no attributes), signed by `key`.
fn cn_only_csr(key: &KeyPair, fqdn: &str) -> Result<(String, Vec<u8>), ForgeError> {
    let mut params = CertificateParams::default();
    // Replace rcgen's default "CN=rcgen self signed cert", never add to it.
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, fqdn);
    params.distinguished_name = dn;
    params.subject_alt_names = Vec::new();
    let csr = params
        .serialize_request(key)
        .map_err(|e| ForgeError::Generate(e.to_string()))?;
    let pem = csr.pem().map_err(|e| ForgeError::Generate(e.to_string()))?;
    Ok((pem, csr.der().to_vec()))
}

/// Most characters in an X.509 CN (RFC 5280 ub-common-name).
pub const CN_MAX: usize = 64;

/// `csr new`'s first step, before anything else: the name judged for `env` (`None`:
/// from the BaRS prefix), with the warnings to print when `force` lets a name against
/// the BaRS rules through; or the refusal. A CN no CA could issue is refused always.
pub fn judge_name(
    fqdn: &str,
    env: Option<bars_nhs::Environment>,
    force: bool,
) -> Result<(bars_nhs::CsrName, Vec<String>), String> {
    if fqdn.len() > CN_MAX {
        return Err(format!(
            "{fqdn} is {} characters long; a certificate's CN holds at most {CN_MAX}, so no CA can issue it (not even with --force)",
            fqdn.len()
        ));
    }
    if let Some((label, problem)) = fqdn
        .split('.')
        .find_map(|l| bars_nhs::check_dns_label(l).err().map(|p| (l, p)))
    {
        return Err(format!("{fqdn:?} is not a DNS name: the label {label:?} is invalid: {problem} (not even --force makes it one)"));
    }
    let judged = bars_nhs::judge_csr_name(fqdn, env);
    let warnings = match (&judged.problem, force) {
        (None, _) => Vec::new(),
        (Some(p), false) => {
            return Err(format!(
            "{p}. The NHS only signs requests for BaRS names; use --force to generate one anyway"
        ))
        }
        (Some(p), true) => vec![
            format!("--force: generating a request that breaks the BaRS naming rules: {p}"),
            "--force: the NHS will refuse to sign this request.".into(),
        ],
    };
    Ok((judged, warnings))
}

/// Where `csr new` writes, checked before any key is made.
#[derive(Clone, Debug)]
pub struct Outputs {
    /// The key file (for a renewal, the existing key, which is not written).
    pub key: std::path::PathBuf,
    /// The request file.
    pub csr: std::path::PathBuf,
    /// The key file to be written exists already (replaced under `force`).
    pub key_existed: bool,
    /// Existing files that `force` will replace (say so).
    pub replaced: Vec<std::path::PathBuf>,
}

/// The outputs of `csr new` for `fqdn` (`<fqdn>.key`, `<fqdn>.csr` unless given), each
/// checked: its directory exists, and it does not, unless `force`. With `renewal_key`
/// only the request is written.
pub fn outputs(
    fqdn: &str,
    key_out: Option<&std::path::Path>,
    csr_out: Option<&std::path::Path>,
    renewal_key: Option<&std::path::Path>,
    force: bool,
) -> Result<Outputs, ForgeError> {
    let or = |p: Option<&std::path::Path>, ext: &str| {
        p.map_or_else(
            || format!("{fqdn}.{ext}").into(),
            std::path::Path::to_path_buf,
        )
    };
    let key = or(renewal_key.or(key_out), "key");
    let csr = or(csr_out, "csr");
    if key == csr {
        return Err(ForgeError::Input {
            what: "outputs".into(),
            detail: format!("the key and the request would both be {}", key.display()),
        });
    }
    let mut out = Outputs {
        key_existed: false,
        replaced: Vec::new(),
        key,
        csr,
    };
    let written = [&out.key, &out.csr]
        .into_iter()
        .skip(usize::from(renewal_key.is_some()));
    for path in written {
        if crate::write::check_destination(path, force)? {
            out.replaced.push(path.clone());
        }
    }
    out.key_existed = renewal_key.is_none() && out.replaced.contains(&out.key);
    Ok(out)
}

/// Writes what [`generate`] (or [`renew`]) made to `outs`: the key (mode 0600; not for a
/// renewal, whose key is the user's), then the request (0644), each atomically; a key
/// newly written is removed again when the request cannot be.
pub fn write_made(
    made: &Generated,
    outs: &Outputs,
    renewal: bool,
    force: bool,
) -> Result<(), ForgeError> {
    use crate::write::{write_atomic, MODE_PUBLIC, MODE_SECRET};
    if !renewal {
        write_atomic(&outs.key, made.key_pem.as_bytes(), MODE_SECRET, force)?;
    }
    write_atomic(&outs.csr, made.csr_pem.as_bytes(), MODE_PUBLIC, force).inspect_err(|_| {
        if !renewal && !outs.key_existed {
            let _ = std::fs::remove_file(&outs.key);
        }
    })
}

/// Smallest RSA modulus accepted for a renewal CSR (the NHS CA's minimum).
pub const MIN_RSA_BITS: u32 = 2048;

/// A renewal CSR made from a key the user already has (`csr new --key`).
#[derive(Clone, Debug)]
pub struct RenewalCsr {
    /// `CERTIFICATE REQUEST` PEM text.
    pub csr_pem: String,
    /// CSR DER.
    pub csr_der: Vec<u8>,
    /// The key's size in bits.
    pub bits: u32,
}

/// Makes a CN-only CSR for `fqdn`, signed (sha256WithRSAEncryption) by an existing key as
/// read by `bars-model` (an encrypted key must have been opened with its password).
/// Refuses, with the reason, a key that is still locked, is not RSA, or is below
/// [`MIN_RSA_BITS`].
pub fn csr_from_key(key: &bars_model::PrivateKey, fqdn: &str) -> Result<RenewalCsr, ForgeError> {
    check_fqdn(fqdn)?;
    let der = key.pkcs8_der().ok_or(ForgeError::KeyLocked)?;
    let Some(summary) = &key.summary.key else {
        return Err(ForgeError::KeyLocked);
    };
    if summary.algorithm != "RSA" {
        return Err(ForgeError::KeyNotRsa(summary.algorithm.clone()));
    }
    let bits = summary.bits.unwrap_or(0);
    if bits < MIN_RSA_BITS {
        return Err(ForgeError::WeakKey { bits });
    }
    let pkcs8 = rustls_pki_types::PrivatePkcs8KeyDer::from(der);
    let pair = KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &PKCS_RSA_SHA256).map_err(|e| {
        ForgeError::Input {
            what: "private key".into(),
            detail: e.to_string(),
        }
    })?;
    let (csr_pem, csr_der) = cn_only_csr(&pair, fqdn)?;
    Ok(RenewalCsr {
        csr_pem,
        csr_der,
        bits,
    })
}

/// Encrypts a PKCS#8 DER key to an `ENCRYPTED PRIVATE KEY` PEM (PBES2: PBKDF2-HMAC-SHA256,
/// AES-256-CBC, random 16-byte salt and IV).
pub fn encrypt_key_pem(pkcs8_der: &[u8], password: &str) -> Result<String, ForgeError> {
    let enc = |e: &dyn std::fmt::Display| ForgeError::Encrypt(e.to_string());
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    aws_lc_rs::rand::SecureRandom::fill(&rng, &mut salt).map_err(|e| enc(&e))?;
    aws_lc_rs::rand::SecureRandom::fill(&rng, &mut iv).map_err(|e| enc(&e))?;
    let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, iv)
        .map_err(|e| enc(&e))?;
    let info = PrivateKeyInfoRef::try_from(pkcs8_der).map_err(|e| enc(&e))?;
    let doc = info
        .encrypt_with_params(params, password.as_bytes())
        .map_err(|e| enc(&e))?;
    let pem = doc
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map_err(|e| enc(&e))?;
    Ok(pem.to_string())
}
