//! PKCS#12 archives (.pfx/.p12), opened through p12-keystore's `Pkcs12Archive` (which reads
//! OpenSSL 3's AES-256/PBKDF2 files and `-legacy` RC2/3DES ones alike) and described from
//! the archive's own structure (pkcs12 crate types): which algorithms protect what.

use crate::{Certificate, PrivateKey, ReadErrorKind};
use der::asn1::OctetString;
use der::{Decode, Encode};
use serde::Serialize;

/// What a PKCS#12 archive holds, once opened.
#[derive(Clone, Debug)]
pub struct Pfx {
    /// What can be shown.
    pub summary: PfxSummary,
    /// Certificates in archive order.
    pub certificates: Vec<Certificate>,
    /// Keys (decrypted).
    pub keys: Vec<PrivateKey>,
}

/// Shareable facts about a PKCS#12 archive or a Java keystore.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PfxSummary {
    /// Container format: `PKCS#12`, `JKS` or `JCEKS`.
    pub format: String,
    /// Encryption of the key/certificate bags, e.g. `AES-256-CBC, PBKDF2-SHA256` or
    /// `legacy: pbeWithSHA1And40BitRC2-CBC, pbeWithSHA1And3-KeyTripleDES-CBC`.
    pub encryption: String,
    /// True when any legacy (RC2/3DES/SHA-1 PBE) algorithm is used.
    pub legacy: bool,
    /// MAC algorithm (`SHA-256`, `SHA-1`) when the archive has a MAC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Number of certificates.
    pub certificate_count: usize,
    /// Number of private keys.
    pub key_count: usize,
    /// Whether the (first) key matches the (first non-CA / leaf) certificate, when both exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_matches_certificate: Option<bool>,
    /// A Java keystore's entries, in store order (empty for PKCS#12).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<KeystoreEntry>,
}

/// One entry of a Java keystore (no secret: the alias, its kind, how many certificates).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct KeystoreEntry {
    /// The entry's alias.
    pub alias: String,
    /// Private key (with its chain) or trusted certificate.
    pub kind: KeystoreEntryKind,
    /// Certificates in the entry (a key entry's chain, or 1).
    pub certificates: usize,
}

/// What a keystore entry holds.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KeystoreEntryKind {
    /// A private key and its certificate chain (`PrivateKeyEntry`).
    PrivateKey,
    /// A trusted certificate (`trustedCertEntry`).
    TrustedCertificate,
}

/// The algorithms found in an archive's structure (readable without the password).
#[derive(Debug, Default)]
struct Layout {
    cert_algs: Vec<String>,
    key_algs: Vec<String>,
    legacy: bool,
    mac: Option<String>,
}

impl Pfx {
    /// True when `der` has the shape of a PKCS#12 PFX (checked without a password).
    pub fn sniff(der: &[u8]) -> bool {
        pkcs12::pfx::Pfx::from_der(der).is_ok()
    }

    /// Opens the archive with `password`: verifies its MAC, decrypts its bags and reads
    /// every certificate and key.
    pub fn open(der: &[u8], password: &str) -> Result<Pfx, ReadErrorKind> {
        let layout = layout(der)?;
        let archive = p12_keystore::Pkcs12Archive::from_pkcs12(der, password).map_err(|e| {
            use p12_keystore::error::Error as E;
            match e {
                E::MacError(_) | E::UnpadError | E::Pkcs5Error(_) | E::InvalidPrivateKey => {
                    ReadErrorKind::BadPassword {
                        what: "PKCS#12".into(),
                    }
                }
                E::UnsupportedEncryptionScheme | E::UnsupportedMacAlgorithm => {
                    ReadErrorKind::Unsupported(format!("PKCS#12 {e}"))
                }
                E::InvalidParameters => ReadErrorKind::Unsupported(
                    "PKCS#12 parameters out of bounds (iteration count too high)".into(),
                ),
                other => ReadErrorKind::BadDer {
                    what: "PKCS#12".into(),
                    reason: other.to_string(),
                },
            }
        })?;
        let mut certificates = Vec::with_capacity(archive.certs.len());
        for bag in &archive.certs {
            certificates.push(Certificate::from_der(bag.cert.as_der())?);
        }
        let key_scheme = layout.key_algs.first().cloned();
        let mut keys = Vec::with_capacity(archive.keys.len());
        for bag in &archive.keys {
            let key = PrivateKey::from_pkcs8_der(bag.key.as_der())?;
            keys.push(match &key_scheme {
                Some(s) => key.with_container("PKCS#8 in PKCS#12", s.clone()),
                None => key,
            });
        }
        let leaf = certificates
            .iter()
            .find(|c| !c.summary().is_ca)
            .or(certificates.first());
        let key_matches_certificate = match (keys.first(), leaf) {
            (Some(k), Some(c)) => k
                .summary
                .public_key_sha256
                .as_ref()
                .map(|h| *h == c.summary().public_key_sha256),
            _ => None,
        };
        let summary = PfxSummary {
            format: "PKCS#12".into(),
            encryption: describe(&layout),
            legacy: layout.legacy,
            mac: layout.mac,
            certificate_count: certificates.len(),
            key_count: keys.len(),
            key_matches_certificate,
            entries: Vec::new(),
        };
        Ok(Pfx {
            summary,
            certificates,
            keys,
        })
    }
}

fn describe(l: &Layout) -> String {
    let join = |v: &[String]| {
        let mut v = v.to_vec();
        v.dedup();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(" + ")
        }
    };
    let certs = join(&l.cert_algs);
    let keys = join(&l.key_algs);
    let body = if certs == keys {
        certs
    } else {
        format!("certificates: {certs}; keys: {keys}")
    };
    if l.legacy {
        format!("legacy: {body}")
    } else {
        body
    }
}

fn structure_error(reason: impl std::fmt::Display) -> ReadErrorKind {
    ReadErrorKind::BadDer {
        what: "PKCS#12".into(),
        reason: reason.to_string(),
    }
}

/// Walks the unencrypted outer layers: MAC algorithm, the algorithm of each encrypted
/// safe (certificates) and of each shrouded key bag.
fn layout(der: &[u8]) -> Result<Layout, ReadErrorKind> {
    use pkcs12::safe_bag::SafeContents;
    let pfx = pkcs12::pfx::Pfx::from_der(der).map_err(structure_error)?;
    let mut l = Layout {
        mac: pfx.mac_data.as_ref().map(|m| {
            digest_name(&m.mac.algorithm.oid.to_string())
                .map(str::to_string)
                .unwrap_or_else(|| m.mac.algorithm.oid.to_string())
        }),
        ..Layout::default()
    };
    if l.mac.as_deref() == Some("SHA-1") {
        l.legacy = true;
    }
    let outer = pfx.auth_safe.content.to_der().map_err(structure_error)?;
    let outer = OctetString::from_der(&outer).map_err(structure_error)?;
    let safes: Vec<cms::content_info::ContentInfo> =
        Vec::from_der(outer.as_bytes()).map_err(structure_error)?;
    for safe in safes {
        match safe.content_type.to_string().as_str() {
            // encryptedData: the certificates, usually.
            "1.2.840.113549.1.7.6" => {
                let body = safe.content.to_der().map_err(structure_error)?;
                let enc =
                    cms::encrypted_data::EncryptedData::from_der(&body).map_err(structure_error)?;
                let alg = &enc.enc_content_info.content_enc_alg;
                l.cert_algs.push(algorithm_name(alg, &mut l.legacy));
            }
            // data: plain SafeContents, usually holding the shrouded key bag.
            "1.2.840.113549.1.7.1" => {
                let body = safe.content.to_der().map_err(structure_error)?;
                let octets = OctetString::from_der(&body).map_err(structure_error)?;
                let bags = SafeContents::from_der(octets.as_bytes()).map_err(structure_error)?;
                for bag in bags {
                    match bag.bag_id.to_string().as_str() {
                        "1.2.840.113549.1.12.10.1.2" => {
                            // bag_value is the whole `[0] EXPLICIT` TLV.
                            let inner = der::asn1::AnyRef::from_der(&bag.bag_value)
                                .map(|a| a.value())
                                .unwrap_or_default();
                            if let Ok(epki) =
                                pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(inner)
                            {
                                let name =
                                    algorithm_name(&epki.encryption_algorithm, &mut l.legacy);
                                l.key_algs.push(name);
                            }
                        }
                        "1.2.840.113549.1.12.10.1.3" => l.cert_algs.push("none".into()),
                        "1.2.840.113549.1.12.10.1.1" => l.key_algs.push("none".into()),
                        _ => {}
                    }
                }
            }
            other => l.cert_algs.push(format!("content type {other}")),
        }
    }
    Ok(l)
}

fn digest_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.3.14.3.2.26" => "SHA-1",
        "2.16.840.1.101.3.4.2.4" => "SHA-224",
        "2.16.840.1.101.3.4.2.1" => "SHA-256",
        "2.16.840.1.101.3.4.2.2" => "SHA-384",
        "2.16.840.1.101.3.4.2.3" => "SHA-512",
        "1.2.840.113549.2.7" => "SHA-1",
        "1.2.840.113549.2.9" => "SHA-256",
        "1.2.840.113549.2.10" => "SHA-384",
        "1.2.840.113549.2.11" => "SHA-512",
        _ => return None,
    })
}

/// `AES-256-CBC, PBKDF2-SHA256` for PBES2, the PKCS#12 PBE name otherwise.
fn algorithm_name(alg: &spki::AlgorithmIdentifierOwned, legacy: &mut bool) -> String {
    let oid = alg.oid.to_string();
    let pkcs12_pbe = match oid.as_str() {
        "1.2.840.113549.1.12.1.1" => Some("pbeWithSHA1And128BitRC4"),
        "1.2.840.113549.1.12.1.2" => Some("pbeWithSHA1And40BitRC4"),
        "1.2.840.113549.1.12.1.3" => Some("pbeWithSHA1And3-KeyTripleDES-CBC"),
        "1.2.840.113549.1.12.1.4" => Some("pbeWithSHA1And2-KeyTripleDES-CBC"),
        "1.2.840.113549.1.12.1.5" => Some("pbeWithSHA1And128BitRC2-CBC"),
        "1.2.840.113549.1.12.1.6" => Some("pbeWithSHA1And40BitRC2-CBC"),
        _ => None,
    };
    if let Some(n) = pkcs12_pbe {
        *legacy = true;
        return n.to_string();
    }
    if oid != "1.2.840.113549.1.5.13" {
        return oid;
    }
    let Some(params) = alg
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pbes2Params>().ok())
    else {
        return "PBES2".into();
    };
    let cipher = match params.encryption.oid.to_string().as_str() {
        "2.16.840.1.101.3.4.1.2" => "AES-128-CBC".to_string(),
        "2.16.840.1.101.3.4.1.22" => "AES-192-CBC".to_string(),
        "2.16.840.1.101.3.4.1.42" => "AES-256-CBC".to_string(),
        "1.2.840.113549.3.7" => {
            *legacy = true;
            "DES-EDE3-CBC".to_string()
        }
        other => other.to_string(),
    };
    let kdf = match params
        .kdf
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pbkdf2Params>().ok())
    {
        Some(k) => {
            let prf = match k.prf.oid.to_string().as_str() {
                "1.2.840.113549.2.7" => "SHA1",
                "1.2.840.113549.2.8" => "SHA224",
                "1.2.840.113549.2.9" => "SHA256",
                "1.2.840.113549.2.10" => "SHA384",
                "1.2.840.113549.2.11" => "SHA512",
                _ => "?",
            };
            format!("PBKDF2-{prf}")
        }
        None => params.kdf.oid.to_string(),
    };
    format!("{cipher}, {kdf}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_pfx() {
        assert!(!Pfx::sniff(&[0x30, 0x03, 0x02, 0x01, 0x03]));
        assert!(Pfx::open(&[0x30, 0x00], "x").is_err());
        assert!(Pfx::open(&[], "").is_err());
    }
}
