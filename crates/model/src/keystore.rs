//! Java keystores: JKS (magic `0xFEEDFEED`) and JCEKS (`0xCECECECE`), read by content.
//!
//! Layout (big-endian, `java.security.KeyStore` "JKS" and "JCEKS" providers): magic,
//! version (1 or 2), entry count; per entry a tag (1 private key, 2 trusted certificate,
//! 3 JCEKS secret key), an alias (Java modified UTF-8), a timestamp (ms), then for a key
//! its protected PKCS#8 and its certificate chain, for a trusted certificate the
//! certificate (version 2 prefixes each certificate with its type, `X.509`). The store
//! ends with a SHA-1 over the password (UTF-16BE), the bytes `Mighty Aphrodite` and
//! everything before it: the integrity check, which is also how a wrong store password
//! is told apart.
//!
//! Key entries: JKS protects them with Sun's key protector (a SHA-1 keystream XOR with
//! a check digest, OID 1.3.6.1.4.1.42.2.17.1.1); JCEKS with `PBEWithMD5AndTripleDES`
//! (OID 1.3.6.1.4.1.42.2.19.1). Both are decrypted here. JCEKS secret-key entries are Java
//! serialised objects and are refused as unsupported.
//!
//! A keystore is returned as a [`Pfx`](crate::Pfx) (certificates, decrypted keys and a
//! summary), so every command that reads PKCS#12 reads keystores the same way.

use crate::pfx::{KeystoreEntry, KeystoreEntryKind};
use crate::{Certificate, Pfx, PfxSummary, PrivateKey, ReadErrorKind};
use aws_lc_rs::digest;
use der::asn1::OctetStringRef;
use der::{Decode, Sequence};
use spki::AlgorithmIdentifierRef;

const TAG_PRIVATE_KEY: u32 = 1;
const TAG_TRUSTED_CERT: u32 = 2;
const TAG_SECRET_KEY: u32 = 3;
const DIGEST_LEN: usize = 20;
const OID_JKS_KEY_PROTECTOR: &str = "1.3.6.1.4.1.42.2.17.1.1";
const OID_JCEKS_KEY_PROTECTOR: &str = "1.3.6.1.4.1.42.2.19.1";
/// Most certificates in one key entry's chain (Java itself has no limit; a real chain has
/// a handful).
const MAX_CHAIN: u32 = 64;
/// Most MD5 rounds of a JCEKS key (JDK default 200,000): a hostile file must not hang us.
const MAX_JCEKS_ITERATIONS: u32 = 5_000_000;

/// Which Java keystore format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeystoreKind {
    /// Sun's JKS.
    Jks,
    /// SunJCE's JCEKS.
    Jceks,
}

impl KeystoreKind {
    /// `JKS` or `JCEKS`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeystoreKind::Jks => "JKS",
            KeystoreKind::Jceks => "JCEKS",
        }
    }

    /// The format of `bytes` when they start with a keystore magic number.
    pub fn sniff(bytes: &[u8]) -> Option<KeystoreKind> {
        // JKS 0xFEEDFEED, JCEKS 0xCECECECE.
        match bytes.get(..4)? {
            [0xfe, 0xed, 0xfe, 0xed] => Some(KeystoreKind::Jks),
            [0xce, 0xce, 0xce, 0xce] => Some(KeystoreKind::Jceks),
            _ => None,
        }
    }

    fn what(self) -> String {
        format!("{} keystore", self.as_str())
    }
}

/// A key entry whose key could not be opened with the passwords given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedKey {
    /// The entry's alias.
    pub alias: String,
}

/// A keystore opened: its contents as a [`Pfx`], plus the key entries whose key password
/// was not the one given (their certificates are in the `Pfx` all the same).
#[derive(Debug)]
pub struct OpenedKeystore {
    /// Certificates (key-entry chains first-to-last, trusted certificates), keys, summary.
    pub pfx: Pfx,
    /// Key entries left locked.
    pub locked: Vec<LockedKey>,
}

/// One entry as stored (before any decryption).
struct RawEntry<'a> {
    alias: String,
    body: RawBody<'a>,
}

enum RawBody<'a> {
    Key {
        protected: &'a [u8],
        chain: Vec<&'a [u8]>,
    },
    Trusted(&'a [u8]),
}

/// The parsed, still-protected store.
struct RawStore<'a> {
    kind: KeystoreKind,
    entries: Vec<RawEntry<'a>>,
    /// Everything the integrity digest covers.
    signed: &'a [u8],
    digest: &'a [u8],
}

/// Whether `password` passes the store's integrity check. Structure errors come first
/// (a damaged file is not a wrong password).
pub fn verify_store_password(bytes: &[u8], password: &str) -> Result<bool, ReadErrorKind> {
    let raw = parse(bytes)?;
    Ok(integrity_ok(&raw, password))
}

/// Opens a JKS or JCEKS store: checks its integrity with `store_password`
/// ([`ReadErrorKind::BadPassword`] when it fails), reads every certificate and decrypts
/// each key entry with the first of `key_passwords`, then the store password, that opens
/// it (Java's default key password is the store password). A key entry that none opens
/// is listed in [`OpenedKeystore::locked`], with its chain still read.
pub fn open_keystore(
    bytes: &[u8],
    store_password: &str,
    key_passwords: &[&str],
) -> Result<OpenedKeystore, ReadErrorKind> {
    let raw = parse(bytes)?;
    if !integrity_ok(&raw, store_password) {
        return Err(ReadErrorKind::BadPassword {
            what: raw.kind.what(),
        });
    }
    let kind = raw.kind;
    // Key entries' chains first, each in its own order (what a Java server sends), then
    // the trusted certificates that are not already there: so that the order of the
    // certificates means what it means in a chain file.
    let mut certificates: Vec<Certificate> = Vec::new();
    let mut trusted: Vec<Certificate> = Vec::new();
    let mut keys = Vec::new();
    let mut locked = Vec::new();
    let mut entries = Vec::with_capacity(raw.entries.len());
    let mut key_matches_certificate = None;
    for entry in raw.entries {
        match entry.body {
            RawBody::Trusted(der) => {
                trusted.push(cert(&entry.alias, der)?);
                entries.push(KeystoreEntry {
                    alias: entry.alias,
                    kind: KeystoreEntryKind::TrustedCertificate,
                    certificates: 1,
                });
            }
            RawBody::Key { protected, chain } => {
                let mut chain_certs = Vec::with_capacity(chain.len());
                for der in &chain {
                    chain_certs.push(cert(&entry.alias, der)?);
                }
                let passwords = key_passwords.iter().copied().chain(Some(store_password));
                let mut opened = None;
                for pw in passwords {
                    if let Some(key) = recover_key(kind, protected, pw)? {
                        opened = Some(key);
                        break;
                    }
                }
                match opened {
                    Some(key) => {
                        if key_matches_certificate.is_none() {
                            key_matches_certificate =
                                match (key.summary.public_key_sha256.as_ref(), chain_certs.first())
                                {
                                    (Some(k), Some(c)) => Some(*k == c.summary().public_key_sha256),
                                    _ => None,
                                };
                        }
                        keys.push(key);
                    }
                    None => locked.push(LockedKey {
                        alias: entry.alias.clone(),
                    }),
                }
                entries.push(KeystoreEntry {
                    alias: entry.alias,
                    kind: KeystoreEntryKind::PrivateKey,
                    certificates: chain_certs.len(),
                });
                certificates.extend(chain_certs);
            }
        }
    }
    for t in trusted {
        if !certificates.iter().any(|c| c.der() == t.der()) {
            certificates.push(t);
        }
    }
    let encryption = match kind {
        KeystoreKind::Jks => "JKS key protector (SHA-1 keystream)",
        KeystoreKind::Jceks => "JCEKS PBEWithMD5AndTripleDES",
    };
    let summary = PfxSummary {
        format: kind.as_str().to_string(),
        encryption: if keys.is_empty() && locked.is_empty() {
            "none (certificates only)".to_string()
        } else {
            encryption.to_string()
        },
        // SHA-1/MD5-based proprietary protection: weaker than PKCS#12 with AES/PBKDF2.
        legacy: true,
        mac: Some("SHA-1 (keystore integrity digest)".to_string()),
        certificate_count: certificates.len(),
        key_count: keys.len(),
        key_matches_certificate,
        entries,
    };
    Ok(OpenedKeystore {
        pfx: Pfx {
            summary,
            certificates,
            keys,
        },
        locked,
    })
}

fn cert(alias: &str, der: &[u8]) -> Result<Certificate, ReadErrorKind> {
    Certificate::from_der(der).map_err(|e| ReadErrorKind::BadDer {
        what: format!("certificate of keystore entry {alias:?}"),
        reason: e.to_string(),
    })
}

fn bad(kind: KeystoreKind, reason: impl Into<String>) -> ReadErrorKind {
    ReadErrorKind::BadDer {
        what: kind.what(),
        reason: reason.into(),
    }
}

/// A bounds-checked big-endian reader: every take is checked, nothing is preallocated
/// from a length read from the file.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    kind: KeystoreKind,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ReadErrorKind> {
        let end = self.pos.checked_add(n);
        match end.and_then(|e| self.data.get(self.pos..e)) {
            Some(s) => {
                self.pos = self.pos.saturating_add(n);
                Ok(s)
            }
            None => Err(bad(
                self.kind,
                format!(
                    "truncated: {what} of {n} bytes at offset {} runs past the end ({} bytes)",
                    self.pos,
                    self.data.len()
                ),
            )),
        }
    }

    fn u16(&mut self, what: &str) -> Result<u16, ReadErrorKind> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        ]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, ReadErrorKind> {
        let b = self.take(4, what)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_be_bytes(a))
    }

    fn len_prefixed(&mut self, what: &str) -> Result<&'a [u8], ReadErrorKind> {
        let n = self.u32(what)?;
        let n = usize::try_from(n).map_err(|_| bad(self.kind, format!("{what} too long")))?;
        self.take(n, what)
    }

    /// Java's `writeUTF`: a 2-byte length and modified UTF-8 (read leniently).
    fn utf(&mut self, what: &str) -> Result<String, ReadErrorKind> {
        let n = self.u16(what)?;
        let b = self.take(usize::from(n), what)?;
        Ok(String::from_utf8_lossy(b).into_owned())
    }

    fn certificate(&mut self, version: u32) -> Result<&'a [u8], ReadErrorKind> {
        if version == 2 {
            let ty = self.utf("certificate type")?;
            if ty != "X.509" {
                return Err(ReadErrorKind::Unsupported(format!(
                    "{} certificate of type {ty:?} (only X.509)",
                    self.kind.what()
                )));
            }
        }
        self.len_prefixed("certificate")
    }
}

fn parse(bytes: &[u8]) -> Result<RawStore<'_>, ReadErrorKind> {
    let kind = KeystoreKind::sniff(bytes).ok_or(ReadErrorKind::Unrecognised)?;
    let mut c = Cursor {
        data: bytes,
        pos: 0,
        kind,
    };
    let _magic = c.u32("magic")?; // JKS_MAGIC or JCEKS_MAGIC: sniffed above
    let version = c.u32("version")?;
    if version != 1 && version != 2 {
        return Err(ReadErrorKind::Unsupported(format!(
            "{} version {version}",
            kind.what()
        )));
    }
    let count = c.u32("entry count")?;
    let mut entries = Vec::new();
    for _ in 0..count {
        let tag = c.u32("entry tag")?;
        let alias = c.utf("alias")?;
        let _timestamp = c.take(8, "timestamp")?;
        let body = match tag {
            TAG_PRIVATE_KEY => {
                let protected = c.len_prefixed("protected key")?;
                let n = c.u32("chain length")?;
                if n > MAX_CHAIN {
                    return Err(bad(
                        kind,
                        format!("entry {alias:?} claims {n} chain certificates (at most {MAX_CHAIN} read)"),
                    ));
                }
                let mut chain = Vec::new();
                for _ in 0..n {
                    chain.push(c.certificate(version)?);
                }
                RawBody::Key { protected, chain }
            }
            TAG_TRUSTED_CERT => RawBody::Trusted(c.certificate(version)?),
            TAG_SECRET_KEY if kind == KeystoreKind::Jceks => {
                return Err(ReadErrorKind::Unsupported(format!(
                    "JCEKS secret-key entry {alias:?} (a serialised Java object); only \
                     trusted-certificate and private-key entries are read"
                )));
            }
            other => {
                return Err(bad(
                    kind,
                    format!("entry {alias:?} has unknown tag {other}"),
                ))
            }
        };
        entries.push(RawEntry { alias, body });
    }
    let signed = bytes.get(..c.pos).unwrap_or_default();
    let digest = c.take(DIGEST_LEN, "integrity digest")?;
    Ok(RawStore {
        kind,
        entries,
        signed,
        digest,
    })
}

fn utf16be(password: &str) -> Vec<u8> {
    password.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

fn integrity_ok(raw: &RawStore<'_>, password: &str) -> bool {
    let mut ctx = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(&utf16be(password));
    ctx.update(b"Mighty Aphrodite");
    ctx.update(raw.signed);
    ctx.finish().as_ref() == raw.digest
}

/// `EncryptedPrivateKeyInfo` with any algorithm (the pkcs8 crate knows only PKCS#5's).
#[derive(Sequence)]
struct AnyEncryptedKey<'a> {
    algorithm: AlgorithmIdentifierRef<'a>,
    data: &'a OctetStringRef,
}

/// PKCS#5 `PBEParameter`, as JCEKS uses it.
#[derive(Sequence)]
struct PbeParameter<'a> {
    salt: &'a OctetStringRef,
    iterations: u32,
}

/// The key of one entry, or `None` when `password` does not open it.
fn recover_key(
    kind: KeystoreKind,
    protected: &[u8],
    password: &str,
) -> Result<Option<PrivateKey>, ReadErrorKind> {
    let epki = AnyEncryptedKey::from_der(protected)
        .map_err(|e| bad(kind, format!("protected key: {e}")))?;
    let oid = epki.algorithm.oid.to_string();
    let data = epki.data.as_bytes();
    let (plain, container, scheme) = match oid.as_str() {
        OID_JKS_KEY_PROTECTOR => (
            jks_unprotect(data, password),
            "JKS private-key entry",
            "JKS key protector (SHA-1 keystream)",
        ),
        OID_JCEKS_KEY_PROTECTOR => {
            let params = epki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<PbeParameter<'_>>().ok())
                .ok_or_else(|| bad(kind, "JCEKS key without PBE parameters"))?;
            (
                jceks_unprotect(params.salt.as_bytes(), params.iterations, data, password)?,
                "JCEKS private-key entry",
                "PBEWithMD5AndTripleDES",
            )
        }
        other => {
            return Err(ReadErrorKind::Unsupported(format!(
                "{} key protection {other}",
                kind.what()
            )))
        }
    };
    let Some(plain) = plain else {
        return Ok(None);
    };
    match PrivateKey::from_pkcs8_der(&plain) {
        Ok(k) => Ok(Some(k.with_container(container, scheme.to_string()))),
        // JCEKS has no check digest: a wrong password shows as a key that does not decode.
        Err(_) if kind == KeystoreKind::Jceks => Ok(None),
        Err(e) => Err(e),
    }
}

/// Sun's JKS `KeyProtector.recover`: salt(20) ‖ encrypted key ‖ check(20); the keystream
/// is SHA-1(password ‖ previous), starting from the salt; the check is
/// SHA-1(password ‖ plain key).
fn jks_unprotect(data: &[u8], password: &str) -> Option<Vec<u8>> {
    let body_len = data.len().checked_sub(2 * DIGEST_LEN)?;
    let salt = data.get(..DIGEST_LEN)?;
    let encrypted = data.get(DIGEST_LEN..DIGEST_LEN + body_len)?;
    let check = data.get(DIGEST_LEN + body_len..)?;
    let pw = utf16be(password);
    let mut block = salt.to_vec();
    let mut plain = Vec::with_capacity(encrypted.len());
    for chunk in encrypted.chunks(DIGEST_LEN) {
        let mut ctx = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
        ctx.update(&pw);
        ctx.update(&block);
        block = ctx.finish().as_ref().to_vec();
        plain.extend(chunk.iter().zip(&block).map(|(c, k)| c ^ k));
    }
    let mut ctx = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(&pw);
    ctx.update(&plain);
    (ctx.finish().as_ref() == check).then_some(plain)
}

/// SunJCE's `PBEWithMD5AndTripleDES` (`PBES1Core.deriveCipherKey` for DESede): each salt
/// half (the first reversed when both are equal) hashed `iterations` times with the
/// password (each char's low 7 bits), giving 24 key bytes and an 8-byte IV; DES-EDE3-CBC.
fn jceks_unprotect(
    salt: &[u8],
    iterations: u32,
    data: &[u8],
    password: &str,
) -> Result<Option<Vec<u8>>, ReadErrorKind> {
    use cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, KeyIvInit};
    use md5::{Digest, Md5};
    if salt.len() != 8 {
        return Err(ReadErrorKind::Unsupported(format!(
            "JCEKS key salt of {} bytes (8 expected)",
            salt.len()
        )));
    }
    if iterations > MAX_JCEKS_ITERATIONS {
        return Err(ReadErrorKind::Unsupported(format!(
            "JCEKS key with {iterations} iterations (more than {MAX_JCEKS_ITERATIONS})"
        )));
    }
    let mut salt = salt.to_vec();
    if salt.get(..4) == salt.get(4..8) {
        salt.swap(0, 3);
        salt.swap(1, 2);
    }
    let pw: Vec<u8> = password
        .chars()
        .map(|c| u8::try_from(u32::from(c) & 0x7f).unwrap_or(0))
        .collect();
    let mut derived = Vec::with_capacity(32);
    for half in salt.chunks(4) {
        let mut h = half.to_vec();
        for _ in 0..iterations {
            let mut md = Md5::new();
            md.update(&h);
            md.update(&pw);
            h = md.finalize().to_vec();
        }
        derived.extend_from_slice(&h);
    }
    let (Some(key), Some(iv)) = (derived.get(..24), derived.get(24..32)) else {
        return Ok(None);
    };
    let Ok(dec) = cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, iv) else {
        return Ok(None);
    };
    Ok(dec.decrypt_padded_vec::<Pkcs7>(data).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_only_the_magic() {
        assert_eq!(
            KeystoreKind::sniff(&[0xfe, 0xed, 0xfe, 0xed, 0]),
            Some(KeystoreKind::Jks)
        );
        assert_eq!(
            KeystoreKind::sniff(&[0xce, 0xce, 0xce, 0xce]),
            Some(KeystoreKind::Jceks)
        );
        assert_eq!(KeystoreKind::sniff(&[0xfe, 0xed]), None);
        assert_eq!(KeystoreKind::sniff(&[0x30, 0x82, 0, 0]), None);
    }

    #[test]
    fn truncations_and_huge_lengths_are_errors_not_panics() {
        // magic, version 2, one trusted entry whose certificate claims 4 GiB.
        let mut b = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        b.extend([0, 1, b'a']);
        b.extend([0; 8]);
        b.extend([0, 5]);
        b.extend(b"X.509");
        b.extend([0xff, 0xff, 0xff, 0xff]);
        for n in 0..=b.len() {
            let r = open_keystore(&b[..n], "x", &[]);
            assert!(r.is_err(), "{n}");
        }
        // A billion entries claimed: refused when the bytes run out, without allocating.
        let b = [0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2, 0x3b, 0x9a, 0xca, 0x00];
        assert!(matches!(
            open_keystore(&b, "", &[]),
            Err(ReadErrorKind::BadDer { .. })
        ));
    }

    #[test]
    fn an_empty_store_checks_its_digest() {
        let mut b = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 0];
        let mut ctx = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
        ctx.update(&utf16be("pw"));
        ctx.update(b"Mighty Aphrodite");
        ctx.update(&b);
        b.extend(ctx.finish().as_ref());
        let ok = open_keystore(&b, "pw", &[]).unwrap();
        assert!(ok.pfx.certificates.is_empty() && ok.locked.is_empty());
        assert_eq!(
            open_keystore(&b, "other", &[]).unwrap_err(),
            ReadErrorKind::BadPassword {
                what: "JKS keystore".into()
            }
        );
    }
}
