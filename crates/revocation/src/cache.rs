//! The local cache directory: downloaded CRLs and issuer certificates, one file per URL
//! (named by the URL's SHA-256). A CRL is reused until its nextUpdate, an issuer
//! certificate for a day. Best effort: a cache that cannot be read or written is simply
//! not used.

use crate::util::{self, sha256_hex};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How long a downloaded issuer certificate is reused, seconds.
pub const ISSUER_TTL: i64 = 86_400;

/// What a cached file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// A CRL (reused until its nextUpdate).
    Crl,
    /// An AIA caIssuers download (reused for [`ISSUER_TTL`]).
    Issuer,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Crl => "crl",
            Kind::Issuer => "issuer",
        }
    }

    /// Largest body accepted.
    pub(crate) fn max_bytes(self) -> u64 {
        match self {
            // NHS and public CA CRLs are a few MB at most.
            Kind::Crl => 20 * 1024 * 1024,
            Kind::Issuer => 1024 * 1024,
        }
    }
}

/// The default cache directory: `$XDG_CACHE_HOME/bars-certcheck`, else
/// `$HOME/.cache/bars-certcheck` (`None` when neither is set).
pub fn default_cache_dir() -> Option<PathBuf> {
    let abs = |v: std::ffi::OsString| {
        let p = PathBuf::from(v);
        p.is_absolute().then_some(p)
    };
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").and_then(abs) {
        return Some(x.join("bars-certcheck"));
    }
    std::env::var_os("HOME")
        .and_then(abs)
        .map(|h| h.join(".cache").join("bars-certcheck"))
}

#[derive(Debug)]
pub(crate) struct DiskCache {
    dir: PathBuf,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl DiskCache {
    pub(crate) fn new(dir: &Path) -> DiskCache {
        DiskCache {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self, kind: Kind, url: &str) -> PathBuf {
        self.dir
            .join(format!("{}-{}", kind.prefix(), sha256_hex(url.as_bytes())))
    }

    /// The cached body for `url` when it is still fresh at wall-clock time `now`.
    pub(crate) fn load_fresh(&self, kind: Kind, url: &str, now: i64) -> Option<Vec<u8>> {
        use std::io::Read;
        let path = self.path(kind, url);
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > kind.max_bytes() {
            return None;
        }
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .ok()?
            .take(kind.max_bytes())
            .read_to_end(&mut bytes)
            .ok()?;
        let fresh = match kind {
            Kind::Crl => crate::crl::next_update_unverified(&bytes).is_some_and(|n| n > now),
            Kind::Issuer => {
                let written = meta
                    .modified()
                    .ok()?
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()
                    .and_then(|d| i64::try_from(d.as_secs()).ok())?;
                // Written within the last day (and not in the future).
                now.checked_sub(written)
                    .is_some_and(|age| (-300..ISSUER_TTL).contains(&age))
            }
        };
        fresh.then_some(bytes)
    }

    /// Stores `bytes` for `url` (write to a temporary file, then rename). Errors are
    /// ignored: the cache is an optimisation.
    pub(crate) fn store(&self, kind: Kind, url: &str, bytes: &[u8]) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let path = self.path(kind, url);
        let tmp = self.dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// True when `bytes` are worth caching as `kind` (a CRL with a nextUpdate; anything
/// holding a certificate).
pub(crate) fn storable(kind: Kind, bytes: &[u8]) -> bool {
    match kind {
        Kind::Crl => crate::crl::next_update_unverified(bytes).is_some(),
        Kind::Issuer => bars_model::read_bytes(
            "cache",
            bytes,
            &bars_model::NoPassword,
            &bars_model::Limits::default(),
        )
        .certificates()
        .next()
        .is_some(),
    }
}

/// Wall-clock now for cache decisions.
pub(crate) fn now() -> i64 {
    util::wall_clock()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_testsupport::ca::Ca;

    #[test]
    fn crl_until_next_update_issuer_for_a_day() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root(dir.path(), "ca", "Cache CA");
        let crl = std::fs::read(ca.gencrl("ca.crl", None)).unwrap();
        let next = crate::crl::next_update_unverified(&crl).unwrap();
        let cache = DiskCache::new(&dir.path().join("cache"));
        let url = "http://127.0.0.1:1/ca.crl";
        assert!(cache.load_fresh(Kind::Crl, url, now()).is_none());
        assert!(storable(Kind::Crl, &crl));
        cache.store(Kind::Crl, url, &crl);
        assert_eq!(cache.load_fresh(Kind::Crl, url, now()), Some(crl.clone()));
        assert!(cache.load_fresh(Kind::Crl, url, next + 1).is_none());
        // Keyed by URL and kind.
        assert!(cache
            .load_fresh(Kind::Crl, "http://127.0.0.1:1/other.crl", now())
            .is_none());
        assert!(cache.load_fresh(Kind::Issuer, url, now()).is_none());

        let pem = std::fs::read(&ca.cert).unwrap();
        assert!(storable(Kind::Issuer, &pem));
        assert!(!storable(Kind::Issuer, b"<html></html>"));
        assert!(!storable(Kind::Crl, b"<html></html>"));
        cache.store(Kind::Issuer, url, &pem);
        assert!(cache.load_fresh(Kind::Issuer, url, now()).is_some());
        assert!(cache
            .load_fresh(Kind::Issuer, url, now() + ISSUER_TTL + 1)
            .is_none());
        // No temporary files left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path().join("cache"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().all(|n| !n.starts_with(".tmp")));
    }

    #[test]
    fn an_unwritable_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        let cache = DiskCache::new(&file.join("sub"));
        cache.store(Kind::Issuer, "http://127.0.0.1:1/x", b"abc");
        assert!(cache
            .load_fresh(Kind::Issuer, "http://127.0.0.1:1/x", now())
            .is_none());
    }
}
