//! `pfx extract`: a PKCS#12 (or Java keystore) opened by `bars-model` split into the leaf
//! certificate, its chain and its key, as PEM — what `openssl pkcs12 -nodes` is used for,
//! without the unencrypted-key habit: the key is written as encrypted PKCS#8 (PBES2:
//! PBKDF2-HMAC-SHA256, AES-256-CBC) unless the caller asks for it in the clear.
//!
//! Two steps, so that nothing is written when anything would be refused: [`extract`]
//! makes the PEM texts (no I/O), [`write_extracted`] checks every output first, then
//! writes each atomically (keys mode 0600).

use crate::write::{write_atomic, MODE_PUBLIC, MODE_SECRET};
use crate::ForgeError;
use bars_model::{Certificate, Pfx};
use std::path::{Path, PathBuf};

/// How the extracted key is protected.
#[derive(Clone)]
#[non_exhaustive]
pub enum KeyProtection {
    /// `ENCRYPTED PRIVATE KEY` with this password.
    Encrypt {
        /// The password.
        password: String,
        /// True when it is the PFX's own password, reused because no key password was
        /// given: the command must say so.
        reused_pfx_password: bool,
    },
    /// `PRIVATE KEY`, unencrypted (`--no-encrypt`).
    Plain,
    /// The key is not taken out (no `--key-out`).
    Omit,
}

impl std::fmt::Debug for KeyProtection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyProtection::Encrypt {
                reused_pfx_password,
                ..
            } => f
                .debug_struct("Encrypt")
                .field("password", &"<redacted>")
                .field("reused_pfx_password", reused_pfx_password)
                .finish(),
            KeyProtection::Plain => f.write_str("Plain"),
            KeyProtection::Omit => f.write_str("Omit"),
        }
    }
}

impl KeyProtection {
    /// The protection `pfx extract` uses: none needed without a key file (`key_out`
    /// false); `--no-encrypt`; the key password; else the PFX's own password, when it is
    /// not empty. `None`: a new password must be asked for.
    pub fn choose(
        key_out: bool,
        no_encrypt: bool,
        key_password: Option<String>,
        pfx_password: Option<String>,
    ) -> Option<KeyProtection> {
        let encrypt = |password, reused_pfx_password| KeyProtection::Encrypt {
            password,
            reused_pfx_password,
        };
        match (key_out, no_encrypt, key_password, pfx_password) {
            (false, ..) => Some(KeyProtection::Omit),
            (_, true, ..) => Some(KeyProtection::Plain),
            (_, _, Some(pw), _) => Some(encrypt(pw, false)),
            (_, _, None, Some(pw)) if !pw.is_empty() => Some(encrypt(pw, true)),
            _ => None,
        }
    }
}

/// The PEM texts taken out of a PFX.
#[derive(Clone)]
pub struct Extracted {
    /// The leaf (the certificate of the key, else the first non-CA certificate).
    pub cert_pem: String,
    /// The other certificates, ordered from the leaf's issuer up (PEM; empty when none).
    pub chain_pem: String,
    /// How many certificates `chain_pem` holds.
    pub chain_len: usize,
    /// The key, encrypted unless [`KeyProtection::Plain`]; `None` when the PFX has no key.
    pub key_pem: Option<String>,
    /// Plain-English notes for stderr (the password reuse, certificates left aside).
    pub notes: Vec<String>,
}

impl std::fmt::Debug for Extracted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extracted")
            .field("cert_pem", &self.cert_pem)
            .field("chain_len", &self.chain_len)
            .field("key_pem", &self.key_pem.as_ref().map(|_| "<redacted>"))
            .field("notes", &self.notes)
            .finish()
    }
}

/// Where to write what [`extract`] made.
#[derive(Clone, Debug, Default)]
pub struct ExtractOutputs {
    /// The leaf certificate (`--cert-out`).
    pub cert_out: PathBuf,
    /// The chain (`--chain-out`).
    pub chain_out: Option<PathBuf>,
    /// The key (`--key-out`).
    pub key_out: Option<PathBuf>,
    /// Replace existing files (`--force`).
    pub force: bool,
}

impl ExtractOutputs {
    /// Checks every output before anything is read or made: each directory exists, no
    /// file exists (unless `force`), no path is given twice.
    pub fn check(&self) -> Result<(), ForgeError> {
        let all = [
            Some(&self.cert_out),
            self.chain_out.as_ref(),
            self.key_out.as_ref(),
        ];
        check_targets(all.into_iter().flatten().map(PathBuf::as_path), self.force)
    }
}

/// Splits an opened PFX into leaf, chain and key. The leaf is the certificate whose public
/// key is the (first) key's; without a key, the first certificate that is not a CA. The
/// chain is the rest, ordered by issuer from the leaf up, with unrelated certificates
/// after it. Refuses a PFX without certificates, or whose key matches none of them.
pub fn extract(pfx: &Pfx, key: &KeyProtection) -> Result<Extracted, ForgeError> {
    let mut notes = Vec::new();
    let first_key = pfx.keys.first();
    let leaf_index = match first_key.and_then(|k| k.summary.public_key_sha256.as_ref()) {
        Some(pk) => pfx
            .certificates
            .iter()
            .position(|c| c.summary().public_key_sha256 == *pk)
            .ok_or(ForgeError::KeyMismatch)?,
        None => pfx
            .certificates
            .iter()
            .position(|c| !c.summary().is_ca)
            .or(if pfx.certificates.is_empty() {
                None
            } else {
                Some(0)
            })
            .ok_or_else(|| ForgeError::Input {
                what: "PFX".into(),
                detail: "it holds no certificate".into(),
            })?,
    };
    let Some(leaf) = pfx.certificates.get(leaf_index) else {
        return Err(ForgeError::Input {
            what: "PFX".into(),
            detail: "it holds no certificate".into(),
        });
    };
    if pfx.keys.len() > 1 {
        notes.push(format!(
            "the PFX holds {} private keys; only the key of {} was extracted",
            pfx.keys.len(),
            leaf.summary().subject
        ));
    }
    // Each certificate once (a keystore may hold a root both in a key entry's chain and as
    // a trusted entry).
    let mut others: Vec<&Certificate> = Vec::new();
    for c in &pfx.certificates {
        if c.der() != leaf.der() && !others.iter().any(|o| o.der() == c.der()) {
            others.push(c);
        }
    }
    let chain = order_chain(leaf, others);
    let chain_pem: String = chain
        .iter()
        .map(|c| crate::pem::certificate(c.der()))
        .collect();
    let key_pem = match first_key {
        None => None,
        Some(_) if matches!(key, KeyProtection::Omit) => None,
        Some(k) => {
            let der = k.pkcs8_der().ok_or_else(|| ForgeError::Input {
                what: "PFX private key".into(),
                detail: "it could not be decrypted".into(),
            })?;
            Some(match key {
                KeyProtection::Encrypt {
                    password,
                    reused_pfx_password,
                } => {
                    if *reused_pfx_password {
                        notes.push(
                            "the key is encrypted with the PFX's password (no key password \
                             was given)"
                                .into(),
                        );
                    }
                    crate::csr::encrypt_key_pem(der, password)?
                }
                KeyProtection::Plain => {
                    notes.push(
                        "the key is written WITHOUT encryption (--no-encrypt): keep the file \
                         mode 0600 and off shared disks"
                            .into(),
                    );
                    crate::pem::encode("PRIVATE KEY", der)
                }
                KeyProtection::Omit => return Err(ForgeError::KeyLocked),
            })
        }
    };
    Ok(Extracted {
        cert_pem: crate::pem::certificate(leaf.der()),
        chain_len: chain.len(),
        chain_pem,
        key_pem,
        notes,
    })
}

/// The leaf's issuer first, then its issuer, …; what is on no such path follows in the
/// order it was stored.
fn order_chain<'a>(leaf: &Certificate, mut rest: Vec<&'a Certificate>) -> Vec<&'a Certificate> {
    let mut out = Vec::with_capacity(rest.len());
    let mut issuer_name = leaf.issuer_der().to_vec();
    let mut current_subject = leaf.subject_der().to_vec();
    while current_subject != issuer_name {
        let Some(pos) = rest.iter().position(|c| c.subject_der() == issuer_name) else {
            break;
        };
        let next = rest.remove(pos);
        current_subject = next.subject_der().to_vec();
        issuer_name = next.issuer_der().to_vec();
        out.push(next);
    }
    out.extend(rest);
    out
}

/// Writes the extracted texts: certificate and chain mode 0644, key 0600, each atomically.
/// Every target is checked before anything is written: an existing one without `force`
/// (or a key asked for when the PFX has none, or a chain file for an empty chain) writes
/// nothing. Returns the paths written.
pub fn write_extracted(e: &Extracted, out: &ExtractOutputs) -> Result<Vec<PathBuf>, ForgeError> {
    let mut plan: Vec<(&Path, &[u8], u32)> =
        vec![(&out.cert_out, e.cert_pem.as_bytes(), MODE_PUBLIC)];
    if let Some(p) = &out.chain_out {
        if e.chain_len == 0 {
            return Err(ForgeError::Input {
                what: "PFX".into(),
                detail: format!("it holds no chain certificate to write to {}", p.display()),
            });
        }
        plan.push((p, e.chain_pem.as_bytes(), MODE_PUBLIC));
    }
    if let Some(p) = &out.key_out {
        let Some(key) = &e.key_pem else {
            return Err(ForgeError::Input {
                what: "PFX".into(),
                detail: format!("it holds no private key to write to {}", p.display()),
            });
        };
        plan.push((p, key.as_bytes(), MODE_SECRET));
    }
    check_targets(plan.iter().map(|(p, _, _)| *p), out.force)?;
    let mut written = Vec::with_capacity(plan.len());
    for (path, bytes, mode) in plan {
        if let Err(err) = write_atomic(path, bytes, mode, out.force) {
            // Leave nothing half-done: what this call newly created goes again (with
            // --force a replaced file is not restored, and so is left as written).
            if !out.force {
                for w in &written {
                    let _ = std::fs::remove_file(w);
                }
            }
            return Err(err);
        }
        written.push(path.to_path_buf());
    }
    Ok(written)
}

/// Refuses, before anything is written, a target that exists (without `force`) or the
/// same path given twice.
pub fn check_targets<'a>(
    paths: impl IntoIterator<Item = &'a Path>,
    force: bool,
) -> Result<(), ForgeError> {
    let mut seen: Vec<&Path> = Vec::new();
    for p in paths {
        if seen.contains(&p) {
            return Err(ForgeError::Input {
                what: "outputs".into(),
                detail: format!("{} is given for two outputs", p.display()),
            });
        }
        crate::write::check_destination(p, force)?;
        seen.push(p);
    }
    Ok(())
}
