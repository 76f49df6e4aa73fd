//! Policy of `ca fetch` (no I/O): is a downloaded certificate the environment's pinned
//! G2 endpoint sub-CA, and what bundle and file name to write.

use bars_nhs::Environment;
use x509_parser::prelude::FromDer;

/// Why a fetched certificate is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaFetchError {
    /// The environment has no NHS CA to fetch (e.g. `public`).
    #[error("environment {0} has no NHS CA to fetch")]
    NoSource(String),
    /// The bytes are not a certificate at all.
    #[error("not a certificate: {0}")]
    NotACertificate(String),
    /// A known NHS CA, but not the one for this environment.
    #[error("this is {name}, not the {env} CA {expected}; refusing it")]
    WrongCa {
        /// What it is, e.g. `NHS Authentication G2 (prod)`.
        name: String,
        /// The environment asked for.
        env: String,
        /// The CA expected.
        expected: String,
    },
    /// Not the pinned certificate (and `--allow-new` not given).
    #[error("SHA-256 {sha256} is not the pinned {expected} ({pinned}); refusing it (use --allow-new only if the NHS has re-issued the CA)")]
    NotPinned {
        /// Fingerprint of what was fetched.
        sha256: String,
        /// The CA expected.
        expected: String,
        /// Its pinned fingerprint.
        pinned: String,
    },
    /// With `--allow-new`: the certificate does not qualify.
    #[error("new certificate refused: {0}")]
    NewRefused(String),
}

/// An accepted CA certificate.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The sub-CA, DER.
    pub der: Vec<u8>,
    /// Lowercase hex SHA-256 of `der`.
    pub sha256: String,
    /// PEM bundle: the sub-CA, then the environment's root.
    pub bundle_pem: String,
    /// File name for `--install-dir`, e.g. `nhs-int-authentication-g2.crt`.
    pub file_name: String,
    /// True when it equals the pinned fingerprint.
    pub pinned: bool,
    /// Set when accepted under `--allow-new` (not pinned): print it prominently.
    pub loud_warning: Option<String>,
}

/// Every certificate in `bytes`, whatever the container (PEM bundle, possibly with text
/// around it; DER; PKCS#7 in PEM or DER), in order.
fn candidates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CaFetchError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Err(CaFetchError::NotACertificate("it is empty".into()));
    }
    if bars_model::looks_like_html(trimmed) {
        return Err(CaFetchError::NotACertificate(
            "it looks like an HTML page (a login or error page?)".into(),
        ));
    }
    let limits = bars_model::Limits::default();
    let parsed = bars_model::read_bytes("download", bytes, &bars_model::NoPassword, &limits);
    let ders: Vec<Vec<u8>> = parsed.certificates().map(|c| c.der().to_vec()).collect();
    if ders.is_empty() {
        let kind = |i: &bars_model::Item| match i {
            bars_model::Item::Key(_) => "a private key (PRIVATE KEY)",
            bars_model::Item::Csr(_) => "a certificate signing request",
            _ => "no certificate",
        };
        let why = match (parsed.items.first(), parsed.errors.first()) {
            (Some(item), _) => format!("it holds {}, no certificate", kind(item)),
            (None, Some(e)) => e.kind.to_string(),
            (None, None) => "no certificate in it".into(),
        };
        return Err(CaFetchError::NotACertificate(why));
    }
    Ok(ders)
}

/// The file `ca fetch` writes for `env` by default: the published file's name, as PEM.
pub fn default_out(env: Environment) -> &'static str {
    match env {
        Environment::Prod => "NHSauthG2.pem",
        _ => "NHSINTAuthG2.pem",
    }
}

/// Where `ca fetch` writes what it accepted for `env`, and what: into `install_dir` as
/// `<id>.crt` (the root as a file of its own too, with `with_root`), else one PEM file
/// (`out`, else [`default_out`]) holding the sub-CA, then the root with `with_root`.
pub fn files_to_write(
    accepted: &Accepted,
    env: Environment,
    out: Option<&std::path::Path>,
    install_dir: Option<&std::path::Path>,
    with_root: bool,
) -> Result<Vec<(std::path::PathBuf, String)>, CaFetchError> {
    let no_root = || CaFetchError::NoSource(env.as_str().into());
    let root = env
        .fetch_source()
        .and_then(|s| bars_nhs::find_by_id(s.ca_id))
        .and_then(|ca| ca.parent())
        .ok_or_else(no_root)?;
    let root_pem = root
        .der()
        .map(|d| bars_model::pem_encode("CERTIFICATE", d))
        .ok_or_else(no_root)?;
    let sub_pem = bars_model::pem_encode("CERTIFICATE", &accepted.der);
    Ok(match install_dir {
        Some(dir) => {
            let mut files = vec![(dir.join(&accepted.file_name), sub_pem)];
            if with_root {
                files.push((dir.join(format!("{}.crt", root.id)), root_pem));
            }
            files
        }
        None => {
            let out = out.map_or_else(|| default_out(env).into(), std::path::Path::to_path_buf);
            let body = if with_root {
                format!("{sub_pem}{root_pem}")
            } else {
                sub_pem
            };
            vec![(out, body)]
        }
    })
}

/// Sorts `files` (from [`files_to_write`]) into those already holding exactly that
/// content (`.0`, left alone) and those to write (`.1`); an existing file with other
/// contents is refused without `force`, and a missing directory always.
#[allow(clippy::type_complexity)]
pub fn pending(
    files: Vec<(std::path::PathBuf, String)>,
    force: bool,
) -> Result<(Vec<std::path::PathBuf>, Vec<(std::path::PathBuf, String)>), crate::ForgeError> {
    let mut unchanged = Vec::new();
    let mut to_write = Vec::new();
    for (path, body) in files {
        match std::fs::read(&path) {
            Ok(old) if old == body.as_bytes() => unchanged.push(path),
            _ => {
                crate::write::check_destination(&path, force)?;
                to_write.push((path, body));
            }
        }
    }
    Ok((unchanged, to_write))
}

/// Decides whether `bytes` (any certificate container: PEM, DER, PKCS#7) holds the CA to install for `env`. `now` is Unix
/// seconds, used only to refuse an expired certificate under `allow_new`.
pub fn verify_fetched(
    env: Environment,
    bytes: &[u8],
    allow_new: bool,
    now: i64,
) -> Result<Accepted, CaFetchError> {
    let source = env
        .fetch_source()
        .ok_or_else(|| CaFetchError::NoSource(env.as_str().into()))?;
    let expected = bars_nhs::find_by_id(source.ca_id)
        .ok_or_else(|| CaFetchError::NoSource(env.as_str().into()))?;
    let root = expected
        .parent()
        .ok_or_else(|| CaFetchError::NoSource(env.as_str().into()))?;
    let root_der = root
        .der()
        .ok_or_else(|| CaFetchError::NoSource(env.as_str().into()))?;
    let all = candidates(bytes)?;
    let sha_of = |der: &[u8]| {
        bars_model::lower_hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der).as_ref())
    };
    let file_name = format!("{}.crt", expected.id);
    let accepted = |der: Vec<u8>, pinned: bool, loud_warning: Option<String>| Accepted {
        sha256: sha_of(&der),
        bundle_pem: format!(
            "{}{}",
            bars_model::pem_encode("CERTIFICATE", &der),
            bars_model::pem_encode("CERTIFICATE", root_der)
        ),
        der,
        file_name: file_name.clone(),
        pinned,
        loud_warning,
    };
    // The pinned certificate wherever it is in the file (a bundle of root and sub-CA, a
    // .p7b): the others are ignored.
    if let Some(der) = all.iter().find(|d| sha_of(d) == source.sha256) {
        return Ok(accepted(der.clone(), true, None));
    }
    // Otherwise the refusal of the first certificate that is not a root (a bundle's root
    // is not what was asked for, and saying so would hide the sub-CA's problem).
    let mut refusals: Vec<(bool, CaFetchError)> = Vec::new();
    for der in &all {
        let sha = sha_of(der);
        let is_root =
            bars_nhs::find_by_sha256(&sha).is_some_and(|k| k.role == bars_nhs::CaRole::Root);
        let why = if let Some(known) = bars_nhs::find_by_sha256(&sha) {
            // The environment's own root (or a legacy CA) beside the wrong sub-CA: keep
            // looking; refuse on it only when nothing else is there.
            CaFetchError::WrongCa {
                name: format!("{} ({})", known.common_name, known.env.as_str()),
                env: env.as_str().into(),
                expected: expected.common_name.into(),
            }
        } else if let Some(other) = bars_nhs::find_other_by_sha256(&sha) {
            CaFetchError::WrongCa {
                name: format!("{}, a CA of {}", other.common_name, other.label()),
                env: env.as_str().into(),
                expected: expected.common_name.into(),
            }
        } else if !allow_new {
            CaFetchError::NotPinned {
                sha256: sha,
                expected: expected.common_name.into(),
                pinned: source.sha256.into(),
            }
        } else {
            match allow_new_ok(der, root_der, root.common_name, now) {
                Ok(()) => {
                    let loud_warning = Some(format!(
                        "WARNING: this is NOT the pinned {} (SHA-256 {}). It is a CA signed by {}, accepted only because of --allow-new. Fetched SHA-256: {sha}. Confirm it with the NHS before trusting it.",
                        expected.common_name, source.sha256, root.common_name
                    ));
                    return Ok(accepted(der.clone(), false, loud_warning));
                }
                Err(e) => e,
            }
        };
        refusals.push((is_root, why));
    }
    let pick = refusals.iter().position(|(root, _)| !root).unwrap_or(0);
    Err(if pick < refusals.len() {
        refusals.swap_remove(pick).1
    } else {
        CaFetchError::NotACertificate("no certificate in it".into())
    })
}

/// `--allow-new`: a CA, not self-issued, in date at `now`, signed by the embedded root.
fn allow_new_ok(
    der: &[u8],
    root_der: &[u8],
    root_name: &str,
    now: i64,
) -> Result<(), CaFetchError> {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der)
        .map_err(|e| CaFetchError::NotACertificate(format!("not DER X.509 ({e})")))?;
    let is_ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|bc| bc.value.ca);
    if !is_ca {
        return Err(CaFetchError::NewRefused(
            "it is not a CA certificate".into(),
        ));
    }
    if cert.subject().as_raw() == cert.issuer().as_raw() {
        return Err(CaFetchError::NewRefused(
            "it is self-issued (a root), not a sub-CA".into(),
        ));
    }
    let validity = cert.validity();
    if now < validity.not_before.timestamp() || now > validity.not_after.timestamp() {
        return Err(CaFetchError::NewRefused(
            "it is outside its validity period".into(),
        ));
    }
    verify_signed_by(der, root_der)
        .map_err(|why| CaFetchError::NewRefused(format!("{why} ({root_name})")))
}

/// Checks that `cert_der`'s signature verifies under `issuer_der`'s key (the model's one
/// signature check), whatever the name spelling; a SHA-1 or MD5 signature is refused
/// (this decides trust). The error is a short reason.
pub fn verify_signed_by(cert_der: &[u8], issuer_der: &[u8]) -> Result<(), String> {
    let cert = bars_model::Certificate::from_der(cert_der)
        .map_err(|e| format!("certificate unreadable ({e})"))?;
    let issuer = bars_model::Certificate::from_der(issuer_der)
        .map_err(|e| format!("issuer unreadable ({e})"))?;
    let alg = cert.summary().signature_algorithm.to_ascii_lowercase();
    if alg.contains("sha1") || alg.contains("md5") {
        return Err(format!(
            "unsupported signature algorithm {}",
            cert.summary().signature_algorithm
        ));
    }
    // Names are not compared here: the signature is the proof (a look-alike name
    // without the root's signature is refused, a renamed re-issue with it is not).
    cert.verify_issued_by(&issuer)
        .map_err(|_| "its signature does not verify under the root".to_string())
}
