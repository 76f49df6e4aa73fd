//! `ca export`: the embedded NHS CAs written offline (no download, no `--from`).
//!
//! Selection: the environment's current G2 endpoint sub-CA; `with_root` adds its root;
//! `legacy` adds the retired legacy generation (its endpoint sub-CA, and its root with
//! `with_root`). Output: one PEM bundle, one DER certificate, or one file per CA
//! (`<id>.crt`, the name `ca fetch --install-dir` uses).

use crate::ForgeError;
use bars_nhs::{CaPurpose, CaRole, Environment, Generation, NhsCa, EMBEDDED};
use std::path::{Path, PathBuf};

/// Which CAs to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaSelection {
    /// `Int` or `Prod`.
    pub env: Environment,
    /// Add the root of each generation exported.
    pub with_root: bool,
    /// Add the legacy (Level 1C) generation.
    pub legacy: bool,
}

/// How the certificates are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaEncoding {
    /// PEM (`CERTIFICATE` blocks).
    Pem,
    /// DER (one certificate per file).
    Der,
}

/// Why an export is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaExportError {
    /// Only `int` and `prod` have NHS CAs.
    #[error("environment {0} has no NHS CAs to export (use int or prod)")]
    NoCas(String),
    /// DER holds one certificate; the selection has more.
    #[error(
        "--der writes one certificate per file and the selection has {count} ({names}); use \
         --install-dir DIR for one file each, or PEM"
    )]
    DerNeedsOne {
        /// How many were selected.
        count: usize,
        /// Their names.
        names: String,
    },
    /// An embedded certificate does not decode (a damaged build).
    #[error("embedded certificate {0} does not decode")]
    Damaged(String),
}

/// One exported CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportedCa {
    /// The embedded CA.
    pub ca: &'static NhsCa,
    /// `<id>.crt`, e.g. `nhs-int-authentication-g2.crt` (for `--install-dir`).
    pub file_name: String,
    /// The bytes in the chosen encoding.
    pub bytes: Vec<u8>,
}

/// The CAs of `sel`, in the order they belong in a bundle: the G2 sub-CA, its root, then
/// the legacy sub-CA and its root.
pub fn select(sel: CaSelection) -> Result<Vec<&'static NhsCa>, CaExportError> {
    if !matches!(sel.env, Environment::Int | Environment::Prod) {
        return Err(CaExportError::NoCas(sel.env.as_str().into()));
    }
    let mut generations = vec![Generation::G2];
    if sel.legacy {
        generations.push(Generation::Legacy);
    }
    let mut out = Vec::new();
    for g in generations {
        let of = |role: CaRole, purpose: CaPurpose| {
            EMBEDDED
                .iter()
                .filter(move |c| c.env == sel.env && c.generation == g)
                .filter(move |c| c.role == role && c.purpose == purpose)
        };
        out.extend(of(CaRole::Intermediate, CaPurpose::EndpointTls));
        if sel.with_root {
            out.extend(of(CaRole::Root, CaPurpose::TrustAnchor));
        }
    }
    Ok(out)
}

impl CaEncoding {
    /// DER when `der` (`--der`), else PEM.
    pub fn der_if(der: bool) -> Self {
        if der {
            CaEncoding::Der
        } else {
            CaEncoding::Pem
        }
    }
}

/// The common names of the selection, for saying what was written.
pub fn names(sel: CaSelection) -> String {
    select(sel)
        .map(|cas| {
            cas.iter()
                .map(|c| c.common_name)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn der_of(ca: &'static NhsCa) -> Result<&'static [u8], CaExportError> {
    ca.der().ok_or_else(|| CaExportError::Damaged(ca.id.into()))
}

/// The selection as one output (`--out FILE` or stdout): a PEM bundle in [`select`]
/// order, or a single DER certificate ([`CaExportError::DerNeedsOne`] for more).
pub fn bundle(sel: CaSelection, encoding: CaEncoding) -> Result<Vec<u8>, CaExportError> {
    let cas = select(sel)?;
    match encoding {
        CaEncoding::Pem => {
            let mut out = String::new();
            for ca in cas {
                out.push_str(&crate::pem::certificate(der_of(ca)?));
            }
            Ok(out.into_bytes())
        }
        CaEncoding::Der => match cas.as_slice() {
            [one] => Ok(der_of(one)?.to_vec()),
            many => Err(CaExportError::DerNeedsOne {
                count: many.len(),
                names: many
                    .iter()
                    .map(|c| c.common_name)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        },
    }
}

/// The selection as one file per CA (`--install-dir DIR`): `<id>.crt`, PEM or DER.
pub fn files(sel: CaSelection, encoding: CaEncoding) -> Result<Vec<ExportedCa>, CaExportError> {
    select(sel)?
        .into_iter()
        .map(|ca| {
            let der = der_of(ca)?;
            Ok(ExportedCa {
                ca,
                file_name: format!("{}.crt", ca.id),
                bytes: match encoding {
                    CaEncoding::Der => der.to_vec(),
                    CaEncoding::Pem => crate::pem::certificate(der).into_bytes(),
                },
            })
        })
        .collect()
}

/// Writes `files` into `dir` (`--install-dir`), each atomically with mode 0644. Every
/// target is checked first: one that exists (without `force`) writes nothing.
pub fn install(dir: &Path, files: &[ExportedCa], force: bool) -> Result<Vec<PathBuf>, ForgeError> {
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.file_name)).collect();
    crate::extract::check_targets(paths.iter().map(PathBuf::as_path), force)?;
    let mut written = Vec::with_capacity(files.len());
    for (path, f) in paths.iter().zip(files) {
        crate::write::write_atomic(path, &f.bytes, crate::write::MODE_PUBLIC, force)?;
        written.push(path.clone());
    }
    Ok(written)
}
