//! Private keys: generated with rcgen (aws-lc-rs), loaded from PEM, or kept in a directory.
//!
//! RSA key generation is random, so everything that must be reproducible (the committed
//! fixtures) takes its keys from a [`KeyStore`] backed by a directory: a key that exists
//! there is reused, a missing one is generated once and written as PKCS#8 PEM.
//! With fixed keys, serials and dates, RSA PKCS#1 v1.5 signatures are deterministic and
//! the certificates come out byte-identical on every run.

use crate::{Error, Result};
pub use bars_forge::mint::keys::KeyKind;
use rcgen::KeyPair;
use std::path::{Path, PathBuf};

/// A fresh random key of that kind (RSA-2048 takes ~150 ms).
pub fn generate(kind: KeyKind) -> Result<KeyPair> {
    Ok(bars_forge::mint::keys::generate(kind)?)
}

/// A key from PEM (PKCS#8 `PRIVATE KEY`; RSA keys sign with SHA-256).
pub fn from_pem(pem: &str) -> Result<KeyPair> {
    KeyPair::from_pem(pem).map_err(|source| Error::Key {
        path: PathBuf::from("<memory>"),
        source,
    })
}

/// A key from a PEM file.
pub fn from_file(path: &Path) -> Result<KeyPair> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    KeyPair::from_pem(&text).map_err(|source| Error::Key {
        path: path.to_owned(),
        source,
    })
}

/// Where keys come from: fresh every time, or a directory of `<name>.pem` files.
#[derive(Debug, Default)]
pub struct KeyStore {
    dir: Option<PathBuf>,
    created: Vec<String>,
}

impl KeyStore {
    /// Every key freshly generated, nothing written (for the demo and unit tests).
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// Keys read from `dir/<name>.pem` when present, else generated and written there.
    pub fn dir(dir: impl Into<PathBuf>) -> Self {
        KeyStore {
            dir: Some(dir.into()),
            created: Vec::new(),
        }
    }

    /// The file that holds (or will hold) key `name`, when backed by a directory.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{name}.pem")))
    }

    /// The key called `name`: loaded if its file exists, else generated (and saved).
    ///
    /// A loaded key is used as it is, whatever `kind` says.
    pub fn key(&mut self, name: &str, kind: KeyKind) -> Result<KeyPair> {
        let Some(path) = self.path(name) else {
            return generate(kind);
        };
        if path.exists() {
            return from_file(&path);
        }
        let key = generate(kind)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, key.serialize_pem()).map_err(|e| Error::io(&path, e))?;
        self.created.push(name.to_owned());
        Ok(key)
    }

    /// Names of the keys this store generated and wrote (empty when all were reused).
    pub fn created(&self) -> &[String] {
        &self.created
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_store_reuses_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = KeyStore::dir(dir.path());
        let a = store.key("leaf", KeyKind::P256).unwrap();
        assert_eq!(store.created(), ["leaf"]);
        let mut again = KeyStore::dir(dir.path());
        let b = again.key("leaf", KeyKind::P256).unwrap();
        assert!(again.created().is_empty());
        assert_eq!(a.public_key_raw(), b.public_key_raw());
        let text = std::fs::read_to_string(store.path("leaf").unwrap()).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"));
    }

    #[test]
    fn bad_pem_is_a_typed_error() {
        assert!(matches!(from_pem("nope"), Err(Error::Key { .. })));
    }
}
