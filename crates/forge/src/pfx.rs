//! PKCS#12 (PFX) building: key + leaf + chain, modern (AES-256/SHA-256) or legacy (3DES/SHA-1).

use crate::ForgeError;
use p12_keystore::{
    Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
    PrivateKeyChain,
};

/// What to put in the PFX.
#[derive(Clone)]
pub struct PfxSpec {
    /// The private key, unencrypted PKCS#8 DER.
    pub key_pkcs8_der: Vec<u8>,
    /// The leaf certificate, DER.
    pub leaf_der: Vec<u8>,
    /// Issuer certificates, DER, leaf's issuer first, root last.
    pub chain_der: Vec<Vec<u8>>,
    /// Import password.
    pub password: String,
    /// Legacy form (pbeWithSHA1And3-KeyTripleDES-CBC, SHA-1 MAC) for old Windows/.NET stacks.
    pub legacy: bool,
    /// friendlyName of the key entry (the alias); defaults to the leaf CN when empty.
    pub friendly_name: String,
}

impl std::fmt::Debug for PfxSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PfxSpec")
            .field("chain_len", &self.chain_der.len())
            .field("legacy", &self.legacy)
            .field("friendly_name", &self.friendly_name)
            .finish_non_exhaustive()
    }
}

/// SHA-256 of the DER SubjectPublicKeyInfo of a PKCS#8 key.
pub fn key_spki_sha256(key_pkcs8_der: &[u8]) -> Result<[u8; 32], ForgeError> {
    let kp = rcgen::KeyPair::try_from(key_pkcs8_der).map_err(|e| ForgeError::Input {
        what: "private key".into(),
        detail: e.to_string(),
    })?;
    Ok(sha256(&rcgen::PublicKeyData::subject_public_key_info(&kp)))
}

/// SHA-256 of the DER SubjectPublicKeyInfo of a certificate.
pub fn cert_spki_sha256(cert_der: &[u8]) -> Result<[u8; 32], ForgeError> {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(cert_der).map_err(|e| {
        ForgeError::Input {
            what: "certificate".into(),
            detail: e.to_string(),
        }
    })?;
    Ok(sha256(cert.public_key().raw))
}

fn sha256(b: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

fn leaf_cn(cert_der: &[u8]) -> Option<String> {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(cert_der).ok()?;
    let cn = cert
        .subject()
        .iter_common_name()
        .next()?
        .as_str()
        .ok()?
        .to_string();
    Some(cn)
}

/// Builds the PKCS#12 bytes. Refuses a key that does not match the leaf
/// ([`ForgeError::KeyMismatch`]). The key bag and the leaf share a localKeyId (SHA-1 of the leaf).
pub fn build(spec: &PfxSpec) -> Result<Vec<u8>, ForgeError> {
    if key_spki_sha256(&spec.key_pkcs8_der)? != cert_spki_sha256(&spec.leaf_der)? {
        return Err(ForgeError::KeyMismatch);
    }
    let key = PrivateKey::from_der(&spec.key_pkcs8_der).map_err(|e| ForgeError::Input {
        what: "private key".into(),
        detail: e.to_string(),
    })?;
    let mut certs = Vec::with_capacity(spec.chain_der.len().saturating_add(1));
    for (i, der) in std::iter::once(&spec.leaf_der)
        .chain(spec.chain_der.iter())
        .enumerate()
    {
        certs.push(Certificate::from_der(der).map_err(|e| ForgeError::Input {
            what: if i == 0 {
                "leaf certificate".into()
            } else {
                format!("chain certificate {i}")
            },
            detail: e.to_string(),
        })?);
    }
    let local_key_id =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &spec.leaf_der)
            .as_ref()
            .to_vec();
    let alias = if spec.friendly_name.is_empty() {
        leaf_cn(&spec.leaf_der).unwrap_or_else(|| "bars".to_string())
    } else {
        spec.friendly_name.clone()
    };
    let chain = PrivateKeyChain::new(local_key_id, key, certs);
    let mut store = KeyStore::new();
    store.add_entry(&alias, KeyStoreEntry::PrivateKeyChain(chain));
    let writer = store.writer(&spec.password);
    let writer = if spec.legacy {
        writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .mac_algorithm(MacAlgorithm::HmacSha1)
            .encryption_iterations(2048)
            .mac_iterations(2048)
    } else {
        writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
            .mac_algorithm(MacAlgorithm::HmacSha256)
            .encryption_iterations(2048)
            .mac_iterations(2048)
    };
    writer.write().map_err(|e| ForgeError::Pfx(e.to_string()))
}
