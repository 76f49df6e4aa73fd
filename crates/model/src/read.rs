//! Recognising and reading any supported input by content.
//!
//! PEM is split by a tolerant reader of our own (any labels, text between blocks, CRLF,
//! a UTF-8 BOM, `Proc-Type`/`DEK-Info` headers), because the common PEM crates skip
//! labels they do not know. Binary input is tried as each DER format in turn.

use crate::asn1::tlv_len;
use crate::cert::declared_len;
use crate::traditional;
use crate::{
    Certificate, Csr, KeystoreKind, PasswordProvider, Pfx, PrivateKey, ReadError, ReadErrorKind,
};
use std::io::Read;
use std::path::Path;
use x509_parser::der_parser::asn1_rs::{Any, Class, FromDer, Oid, Tag};

/// One thing found in an input.
// Certificates are by far the most common item; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Item {
    /// An X.509 certificate (from PEM, DER, PKCS#7).
    Certificate(Certificate),
    /// A PKCS#10 certificate signing request.
    Csr(Csr),
    /// A private key (possibly still encrypted when no password was available).
    Key(PrivateKey),
    /// A PKCS#12 archive with what it holds.
    Pfx(Pfx),
}

/// What one input gave: the items that could be read and the problems met. A file can
/// give both (a good certificate followed by a truncated PEM block).
#[derive(Debug, Default)]
pub struct Parsed {
    /// Items in file order.
    pub items: Vec<Item>,
    /// Problems, each naming the input.
    pub errors: Vec<ReadError>,
}

impl Parsed {
    /// Every certificate, PFX contents included, in order.
    pub fn certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.items.iter().flat_map(|i| match i {
            Item::Certificate(c) => std::slice::from_ref(c).iter(),
            Item::Pfx(p) => p.certificates.iter(),
            _ => [].iter(),
        })
    }
}

/// Resource bounds for reading.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest input accepted, in bytes (refused before it is read whole).
    pub max_file_bytes: u64,
    /// Most items taken from one input.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_items: 20_000,
        }
    }
}

/// Why a file that must give certificates, or one private key, does not.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file (or a part of it) could not be read: the first problem.
    #[error(transparent)]
    Read(ReadError),
    /// A private key is encrypted and no password, or a wrong one, was given.
    #[error(transparent)]
    Locked(ReadError),
    /// The file holds no certificate.
    #[error("{0}: no certificate in the file")]
    NoCertificate(String),
    /// The file holds no private key.
    #[error("{0}: no private key in the file")]
    NoKey(String),
    /// The file holds more than one private key.
    #[error("{path}: {count} private keys in the file; give the one made with the CSR")]
    SeveralKeys {
        /// The file.
        path: String,
        /// How many.
        count: usize,
    },
}

/// The certificates of `path` (PKCS#12 contents included; no password asked): a file
/// that cannot be read, or holds none, is an error.
pub fn certificates_in(path: &Path, limits: &Limits) -> Result<Vec<Certificate>, FileError> {
    let parsed = read_path(path, &crate::NoPassword, limits);
    if let Some(e) = parsed.errors.into_iter().next() {
        return Err(FileError::Read(e));
    }
    let certs: Vec<Certificate> = parsed
        .items
        .into_iter()
        .flat_map(|i| match i {
            Item::Certificate(c) => vec![c],
            Item::Pfx(p) => p.certificates,
            _ => Vec::new(),
        })
        .collect();
    if certs.is_empty() {
        return Err(FileError::NoCertificate(path.display().to_string()));
    }
    Ok(certs)
}

/// The one private key in `path` (a key file, or a PKCS#12 archive), opened with
/// `passwords`. A key still encrypted (no password was given) comes back as it is.
pub fn private_key_in(
    path: &Path,
    passwords: &dyn PasswordProvider,
    limits: &Limits,
) -> Result<PrivateKey, FileError> {
    let parsed = read_path(path, passwords, limits);
    if let Some(e) = parsed.errors.into_iter().next() {
        return Err(match e.kind {
            ReadErrorKind::NeedPassword { .. } | ReadErrorKind::BadPassword { .. } => {
                FileError::Locked(e)
            }
            _ => FileError::Read(e),
        });
    }
    let mut keys: Vec<PrivateKey> = Vec::new();
    for item in parsed.items {
        match item {
            Item::Key(k) => keys.push(k),
            Item::Pfx(p) => keys.extend(p.keys),
            _ => {}
        }
    }
    let path = path.display().to_string();
    match (keys.len(), keys.pop()) {
        (1, Some(k)) => Ok(k),
        (0, _) => Err(FileError::NoKey(path)),
        (count, _) => Err(FileError::SeveralKeys { path, count }),
    }
}

/// Reads `path` (a regular file, or `-` for standard input) and parses everything in it.
pub fn read_path(path: &Path, passwords: &dyn PasswordProvider, limits: &Limits) -> Parsed {
    let name = if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    };
    match read_limited(path, limits) {
        Ok(bytes) => read_bytes(&name, &bytes, passwords, limits),
        Err(kind) => Parsed {
            items: Vec::new(),
            errors: vec![ReadError::new(name, kind)],
        },
    }
}

/// The file's bytes, refusing directories and anything over the size limit without
/// reading it whole.
pub fn read_limited(path: &Path, limits: &Limits) -> Result<Vec<u8>, ReadErrorKind> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadErrorKind::NotFound,
        std::io::ErrorKind::PermissionDenied => ReadErrorKind::Io("permission denied".into()),
        _ => ReadErrorKind::Io(e.to_string()),
    };
    let limit = limits.max_file_bytes;
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Err(ReadErrorKind::IsDirectory);
        }
        if meta.is_file() && meta.len() > limit {
            return Err(ReadErrorKind::TooLarge {
                size: meta.len(),
                limit,
            });
        }
        // The size is known: one allocation, no copies while reading.
        let expected = usize::try_from(meta.len().min(limit)).unwrap_or(0);
        bytes.reserve_exact(expected.saturating_add(1));
        std::fs::File::open(path)
            .map_err(io)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limit {
        return Err(ReadErrorKind::TooLarge { size, limit });
    }
    Ok(bytes)
}

/// Parses `bytes`, naming them `name` in errors.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    passwords: &dyn PasswordProvider,
    limits: &Limits,
) -> Parsed {
    let mut items = Vec::new();
    let errors = read_each(name, bytes, passwords, limits, &mut |item| items.push(item));
    Parsed { items, errors }
}

/// Parses `bytes` item by item: `each` gets every item as soon as it is read, in input
/// order (so that a caller can show and drop one certificate of a 10,000-certificate
/// bundle before the next is read); the problems come back at the end, each naming
/// `name`.
pub fn read_each(
    name: &str,
    bytes: &[u8],
    passwords: &dyn PasswordProvider,
    limits: &Limits,
    each: &mut dyn FnMut(Item),
) -> Vec<ReadError> {
    let mut r = Reader {
        name,
        passwords,
        limits,
        each,
        items: 0,
        errors: Vec::new(),
        full: false,
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        r.error(ReadErrorKind::Empty);
    } else if let Some(kind) = KeystoreKind::sniff(bytes) {
        r.keystore(kind, bytes);
    } else if contains(bytes, b"-----BEGIN ") {
        r.pem(bytes);
    } else if let Some(der) = bare_base64(bytes) {
        r.der(&der);
    } else {
        r.der(bytes);
    }
    r.errors
}

/// The DER of the first PEM block in `bytes` whose label is one of `labels` (text around
/// and between blocks allowed, base64 read leniently). `Ok(None)` when `bytes` hold no
/// PEM at all (DER, say); an error names what was found instead.
pub fn pem_first(bytes: &[u8], labels: &[&str]) -> Result<Option<Vec<u8>>, String> {
    use base64::Engine;
    if !contains(bytes, b"-----BEGIN ") {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(bytes);
    let mut found: Vec<String> = Vec::new();
    let mut body: Option<(String, String)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            body = Some((label.to_string(), String::new()));
        } else if let Some(label) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            let Some((open, b64)) = body.take() else {
                continue;
            };
            if open == label && labels.contains(&label) {
                return lenient_base64()
                    .decode(b64.as_bytes())
                    .map(Some)
                    .map_err(|e| format!("bad PEM ({label}: {e})"));
            }
            found.push(open);
        } else if let Some((_, b64)) = body.as_mut() {
            if !line.contains(':') {
                b64.push_str(line);
            }
        }
    }
    Err(if found.is_empty() {
        "bad PEM (no complete block)".into()
    } else {
        format!(
            "PEM block is {}, not {}",
            found.join(", "),
            labels.join(" or ")
        )
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Base64 text without PEM armour (a certificate pasted from an e-mail), decoded.
fn bare_base64(bytes: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let text: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if text.len() < 64
        || !text
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let der = lenient_base64().decode(&text).ok()?;
    (der.first() == Some(&0x30)).then_some(der)
}

fn lenient_base64() -> base64::engine::GeneralPurpose {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

/// Most problems reported for one input; then reading stops (a file of 100,000 broken
/// PEM blocks gives a dozen lines, not 100,000).
const MAX_ERRORS: usize = 10;

/// One PEM block as split from the text.
struct Block<'t> {
    number: usize,
    label: &'t str,
    headers: Vec<(&'t str, &'t str)>,
}

struct Reader<'a> {
    name: &'a str,
    passwords: &'a dyn PasswordProvider,
    limits: &'a Limits,
    /// Where each item goes.
    each: &'a mut dyn FnMut(Item),
    /// Items given so far.
    items: usize,
    errors: Vec<ReadError>,
    full: bool,
}

impl Reader<'_> {
    fn error(&mut self, kind: ReadErrorKind) {
        if self.errors.len() >= MAX_ERRORS {
            if !self.full {
                self.full = true;
                self.errors.push(ReadError::new(
                    self.name,
                    ReadErrorKind::TooManyProblems { limit: MAX_ERRORS },
                ));
            }
            return;
        }
        self.errors.push(ReadError::new(self.name, kind));
    }

    fn block_error(&mut self, block: usize, kind: ReadErrorKind) {
        let kind = match kind {
            k @ (ReadErrorKind::NeedPassword { .. }
            | ReadErrorKind::BadPassword { .. }
            | ReadErrorKind::TooManyItems { .. }
            | ReadErrorKind::TooManyProblems { .. }) => k,
            ReadErrorKind::BadPem { reason, .. } => ReadErrorKind::BadPem { block, reason },
            other => ReadErrorKind::BadPem {
                block,
                reason: other.to_string(),
            },
        };
        self.error(kind);
    }

    /// Adds an item unless the limit is reached (then says so, once).
    fn push(&mut self, item: Item) -> bool {
        if self.items >= self.limits.max_items {
            if !self.full {
                self.full = true;
                let limit = self.limits.max_items;
                self.error(ReadErrorKind::TooManyItems { limit });
            }
            return false;
        }
        self.items += 1;
        (self.each)(item);
        true
    }

    fn password(&self, what: &str) -> Option<String> {
        self.passwords.password(&format!("{} ({what})", self.name))
    }

    // ------------------------------------------------------------------ PEM

    fn pem(&mut self, bytes: &[u8]) {
        // Borrowed when the file is UTF-8 (nearly always); lossy only for odd text.
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let mut current: Option<Block<'_>> = None;
        // One body and one DER buffer for every block: no allocation per certificate.
        let mut body = String::new();
        let mut der = Vec::new();
        let mut in_headers = false;
        let mut number = 0usize;
        for raw_line in text.split('\n') {
            if self.full {
                return;
            }
            let line = raw_line.trim_end_matches('\r').trim();
            if let Some(label) = line
                .strip_prefix("-----BEGIN ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                if let Some(open) = current.take() {
                    self.block_error(
                        open.number,
                        bad_pem(format!(
                            "{} block has no END line before the next BEGIN",
                            open.label
                        )),
                    );
                }
                number += 1;
                current = Some(Block {
                    number,
                    label,
                    headers: Vec::new(),
                });
                body.clear();
                in_headers = true;
                continue;
            }
            let Some(block) = current.as_mut() else {
                continue; // text between blocks
            };
            if let Some(label) = line
                .strip_prefix("-----END ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                let Some(done) = current.take() else { continue };
                if label != done.label {
                    self.block_error(
                        done.number,
                        bad_pem(format!("BEGIN {} ends with END {label}", done.label)),
                    );
                } else {
                    self.pem_block(done, &body, &mut der);
                }
                continue;
            }
            if in_headers {
                if let Some((k, v)) = line.split_once(':') {
                    block.headers.push((k.trim(), v.trim()));
                    continue;
                }
                in_headers = false;
            }
            body.push_str(line);
        }
        if let Some(open) = current {
            self.block_error(
                open.number,
                bad_pem(format!(
                    "{} block has no END line (the file is cut short?)",
                    open.label
                )),
            );
        }
    }

    /// Decodes block `b` (base64 `body`, into the reused buffer `der`) and reads it.
    fn pem_block(&mut self, b: Block<'_>, body: &str, der: &mut Vec<u8>) {
        use base64::Engine;
        // Lines were trimmed as they were read; only odd files have spaces inside a line.
        der.clear();
        let decoded = lenient_base64().decode_vec(body, der).or_else(|_| {
            der.clear();
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            lenient_base64().decode_vec(clean.as_bytes(), der)
        });
        if let Err(e) = decoded {
            return self.block_error(b.number, bad_pem(format!("bad base64: {e}")));
        }
        let der: &[u8] = der;
        if der.is_empty() {
            return self.block_error(b.number, bad_pem(format!("empty {} block", b.label)));
        }
        let result = match b.label {
            "CERTIFICATE" | "X509 CERTIFICATE" => self.der_certificates(der),
            "TRUSTED CERTIFICATE" => {
                // OpenSSL's trusted form: the certificate, then its trust settings.
                Certificate::from_der_prefix(der).map(|(c, _)| {
                    self.push(Item::Certificate(c));
                })
            }
            "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" | "CERTIFICATE CHAIN" => self.pkcs7(der),
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => Csr::from_der(der).map(|c| {
                self.push(Item::Csr(c));
            }),
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(der).map(|k| {
                self.push(Item::Key(k));
            }),
            "ENCRYPTED PRIVATE KEY" => self.encrypted_pkcs8(der),
            "RSA PRIVATE KEY" | "EC PRIVATE KEY" => self.traditional_key(&b, der),
            "PKCS12" => self.pfx(der),
            "EC PARAMETERS" | "DH PARAMETERS" | "X9.42 DH PARAMETERS" => Ok(()),
            "DSA PRIVATE KEY" => Err(ReadErrorKind::Unsupported("DSA private keys".into())),
            "PUBLIC KEY" | "RSA PUBLIC KEY" => Err(ReadErrorKind::Unsupported(
                "a bare public key (give the certificate, CSR or private key)".into(),
            )),
            "X509 CRL" => Err(ReadErrorKind::Unsupported(
                "certificate revocation lists in inputs".into(),
            )),
            other => Err(ReadErrorKind::Unsupported(format!("PEM label {other:?}"))),
        };
        if let Err(kind) = result {
            self.block_error(b.number, kind);
        }
    }

    fn traditional_key(&mut self, b: &Block<'_>, der: &[u8]) -> Result<(), ReadErrorKind> {
        let rsa = b.label == "RSA PRIVATE KEY";
        let header = |k: &str| {
            b.headers
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(k))
                .map(|(_, v)| *v)
        };
        let decode = |plain: &[u8]| {
            if rsa {
                PrivateKey::from_pkcs1_der(plain)
            } else {
                PrivateKey::from_sec1_der(plain)
            }
        };
        let encrypted = header("Proc-Type").is_some_and(|v| v.contains("ENCRYPTED"));
        if !encrypted {
            let key = decode(der)?;
            self.push(Item::Key(key));
            return Ok(());
        }
        let dek = traditional::parse_dek_info(
            header("DEK-Info").ok_or_else(|| bad_pem("Proc-Type ENCRYPTED without DEK-Info"))?,
        )?;
        let format = if rsa {
            "traditional encrypted PEM (PKCS#1)"
        } else {
            "traditional encrypted PEM (SEC1)"
        };
        let Some(password) = self.password("encrypted private key") else {
            self.push(Item::Key(PrivateKey::still_encrypted(
                format,
                Some(dek.name.clone()),
            )));
            return Ok(());
        };
        let plain = traditional::decrypt(&dek, &password, der)?;
        let key = decode(&plain).map_err(|_| ReadErrorKind::BadPassword {
            what: "encrypted private key".into(),
        })?;
        self.push(Item::Key(key.with_container(format, dek.name)));
        Ok(())
    }

    fn encrypted_pkcs8(&mut self, der: &[u8]) -> Result<(), ReadErrorKind> {
        let password = self.password("encrypted private key");
        let key = PrivateKey::from_encrypted_pkcs8_der(der, password.as_deref())?;
        self.push(Item::Key(key));
        Ok(())
    }

    fn pfx(&mut self, der: &[u8]) -> Result<(), ReadErrorKind> {
        // An empty password is common (and is not a secret worth a prompt).
        if let Ok(p) = Pfx::open(der, "") {
            self.push(Item::Pfx(p));
            return Ok(());
        }
        let Some(password) = self.password("PKCS#12") else {
            return Err(ReadErrorKind::NeedPassword {
                what: "PKCS#12 archive".into(),
            });
        };
        let p = Pfx::open(der, &password)?;
        self.push(Item::Pfx(p));
        Ok(())
    }

    /// A Java keystore (JKS or JCEKS), as a [`Pfx`]. The store password is found as for
    /// PKCS#12: the empty password and Java's well-known default `changeit` are tried
    /// first (neither is a secret worth a prompt), then the provider is asked. Key entries
    /// open with the store password, else with the provider's key password; an entry that
    /// stays locked is one error naming its alias (its certificates are still read).
    fn keystore(&mut self, kind: KeystoreKind, bytes: &[u8]) {
        if let Err(e) = self.keystore_inner(kind, bytes) {
            self.error(e);
        }
    }

    fn keystore_inner(&mut self, kind: KeystoreKind, bytes: &[u8]) -> Result<(), ReadErrorKind> {
        let what = format!("{} keystore", kind.as_str());
        let mut store_password = None;
        for known in ["", "changeit"] {
            if crate::verify_store_password(bytes, known)? {
                store_password = Some(known.to_string());
                break;
            }
        }
        let store_password = match store_password {
            Some(p) => p,
            None => self
                .password(&what)
                .ok_or_else(|| ReadErrorKind::NeedPassword { what: what.clone() })?,
        };
        let mut opened = crate::open_keystore(bytes, &store_password, &[])?;
        if !opened.locked.is_empty() {
            let key_password = self
                .passwords
                .key_password(&format!("{} (key entries of the {what})", self.name));
            if let Some(k) = key_password {
                opened = crate::open_keystore(bytes, &store_password, &[k.as_str()])?;
            }
        }
        self.push(Item::Pfx(opened.pfx));
        for locked in opened.locked {
            self.error(ReadErrorKind::BadPassword {
                what: format!(
                    "the private key of entry {:?} in the {what}; give its key password \
                     with --key-password-env or --key-password-file",
                    locked.alias
                ),
            });
        }
        Ok(())
    }

    /// One or more concatenated DER certificates.
    fn der_certificates(&mut self, der: &[u8]) -> Result<(), ReadErrorKind> {
        let mut rest = der;
        let mut first = true;
        while !rest.is_empty() && !self.full {
            if !first && rest.iter().all(|b| *b == 0 || b.is_ascii_whitespace()) {
                break;
            }
            match Certificate::from_der_prefix(rest) {
                Ok((c, used)) => {
                    self.push(Item::Certificate(c));
                    rest = rest.get(used..).unwrap_or_default();
                }
                Err(e) if first => return Err(e),
                Err(_) => {
                    return Err(ReadErrorKind::BadDer {
                        what: "certificate".into(),
                        reason: format!(
                            "{} bytes after the last certificate are not a certificate",
                            rest.len()
                        ),
                    })
                }
            }
            first = false;
        }
        Ok(())
    }

    fn pkcs7(&mut self, der: &[u8]) -> Result<(), ReadErrorKind> {
        let certs = pkcs7_certificates(der).ok_or_else(|| ReadErrorKind::BadDer {
            what: "PKCS#7".into(),
            reason: "not a signedData with certificates".into(),
        })?;
        for c in certs {
            let cert = Certificate::from_der(c)?;
            if !self.push(Item::Certificate(cert)) {
                break;
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ DER

    fn der(&mut self, bytes: &[u8]) {
        if let Err(kind) = self.der_inner(bytes) {
            self.error(kind);
        }
    }

    fn der_inner(&mut self, bytes: &[u8]) -> Result<(), ReadErrorKind> {
        if bytes.first() != Some(&0x30) {
            return Err(ReadErrorKind::Unrecognised);
        }
        let Some(declared) = declared_len(bytes) else {
            return Err(ReadErrorKind::Unrecognised);
        };
        if declared > bytes.len() {
            return Err(ReadErrorKind::BadDer {
                what: "DER input".into(),
                reason: format!(
                    "truncated: the outer structure declares {declared} bytes but the file has {}",
                    bytes.len()
                ),
            });
        }
        let first = bytes.get(..declared).unwrap_or_default();
        if let Ok((c, used)) = Certificate::from_der_prefix(bytes) {
            self.push(Item::Certificate(c));
            if let Some(rest) = bytes.get(used..).filter(|r| !r.is_empty()) {
                return self.der_certificates(rest);
            }
            return Ok(());
        }
        if Pfx::sniff(first) {
            return self.pfx(first);
        }
        if is_pkcs7(first) {
            return self.pkcs7(bytes);
        }
        match Csr::from_der(first) {
            Ok(c) => {
                self.push(Item::Csr(c));
                return Ok(());
            }
            Err(e) if looks_like_csr(first) => return Err(e),
            Err(_) => {}
        }
        if pkcs8_encrypted_shape(first) {
            return self.encrypted_pkcs8(first);
        }
        for parse in [
            PrivateKey::from_pkcs8_der,
            PrivateKey::from_pkcs1_der,
            PrivateKey::from_sec1_der,
        ] {
            if let Ok(k) = parse(first) {
                self.push(Item::Key(k));
                return Ok(());
            }
        }
        // Say what the structure most likely was meant to be.
        Err(match Certificate::from_der(first) {
            Err(e @ ReadErrorKind::BadDer { .. }) if looks_like_certificate(first) => e,
            _ => ReadErrorKind::BadDer {
                what: "DER input".into(),
                reason:
                    "a DER structure that is not a certificate, PKCS#7, PKCS#12, CSR or private key"
                        .into(),
            },
        })
    }
}

fn bad_pem(reason: impl Into<String>) -> ReadErrorKind {
    ReadErrorKind::BadPem {
        block: 0,
        reason: reason.into(),
    }
}

/// The contents of the SEQUENCE at the start of `der`.
fn seq_body(der: &[u8]) -> Option<&[u8]> {
    let (_, any) = Any::from_der(der).ok()?;
    (any.tag() == Tag::Sequence).then_some(any.data)
}

/// `SEQUENCE { SEQUENCE { [0] version? ...` : a certificate's opening.
fn looks_like_certificate(der: &[u8]) -> bool {
    seq_body(der)
        .and_then(seq_body)
        .is_some_and(|tbs| tbs.first() == Some(&0xa0) || tbs.first() == Some(&0x02))
}

/// `SEQUENCE { SEQUENCE { INTEGER 0, Name, SubjectPublicKeyInfo, [0] attributes } ...`.
fn looks_like_csr(der: &[u8]) -> bool {
    seq_body(der)
        .and_then(seq_body)
        .is_some_and(|cri| cri.starts_with(&[0x02, 0x01, 0x00, 0x30]))
}

/// `SEQUENCE { SEQUENCE { OID pbe-scheme, ... }, OCTET STRING }`.
fn pkcs8_encrypted_shape(der: &[u8]) -> bool {
    let Some(body) = seq_body(der) else {
        return false;
    };
    let Ok((rest, alg)) = Any::from_der(body) else {
        return false;
    };
    let Ok((_, oid)) = Oid::from_der(alg.data) else {
        return false;
    };
    let s = oid.to_id_string();
    (s.starts_with("1.2.840.113549.1.5.") || s.starts_with("1.2.840.113549.1.12.1."))
        && Any::from_der(rest).is_ok_and(|(_, o)| o.tag() == Tag::OctetString)
}

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

fn is_pkcs7(der: &[u8]) -> bool {
    seq_body(der)
        .and_then(|b| Oid::from_der(b).ok())
        .is_some_and(|(_, oid)| oid.to_id_string() == OID_SIGNED_DATA)
}

/// The certificates of a PKCS#7/CMS signedData, in the order they are stored. DER is
/// walked exactly; BER (indefinite lengths, as some Windows tools write) falls back to
/// finding each embedded certificate.
fn pkcs7_certificates(der: &[u8]) -> Option<Vec<&[u8]>> {
    pkcs7_der_walk(der).or_else(|| {
        if !contains(
            der,
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
            ],
        ) {
            return None;
        }
        let mut out = Vec::new();
        let mut i = 0usize;
        while i < der.len() {
            let rest = der.get(i..).unwrap_or_default();
            // A certificate is a SEQUENCE with a long-form length (it is over 127 bytes).
            if rest.first() == Some(&0x30) && matches!(rest.get(1), Some(0x81..=0x84)) {
                if let Ok((c, used)) = Certificate::from_der_prefix(rest) {
                    drop(c);
                    out.push(rest.get(..used).unwrap_or_default());
                    i += used.max(1);
                    continue;
                }
            }
            i += 1;
        }
        (!out.is_empty()).then_some(out)
    })
}

fn pkcs7_der_walk(der: &[u8]) -> Option<Vec<&[u8]>> {
    let body = seq_body(der)?;
    let (rest, oid) = Oid::from_der(body).ok()?;
    if oid.to_id_string() != OID_SIGNED_DATA {
        return None;
    }
    let (_, explicit) = Any::from_der(rest).ok()?;
    let mut sd = seq_body(explicit.data)?;
    // version, digestAlgorithms, encapContentInfo
    for _ in 0..3 {
        let n = tlv_len(sd)?;
        sd = sd.get(n..)?;
    }
    let mut out = Vec::new();
    let Ok((_, certs)) = Any::from_der(sd) else {
        return Some(out); // no certificates field: an empty bundle
    };
    if certs.class() != Class::ContextSpecific || certs.tag() != Tag(0) {
        return Some(out);
    }
    let mut d = certs.data;
    while !d.is_empty() {
        let n = tlv_len(d)?;
        let one = d.get(..n)?;
        if one.first() == Some(&0x30) {
            out.push(one);
        }
        d = d.get(n..)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoPassword;

    fn read(bytes: &[u8]) -> Parsed {
        read_bytes("t", bytes, &NoPassword, &Limits::default())
    }

    #[test]
    fn empty_and_whitespace_are_empty() {
        for b in [&b""[..], b"  \r\n", b"\xef\xbb\xbf\n"] {
            let p = read(b);
            assert!(p.items.is_empty());
            assert_eq!(p.errors.len(), 1);
            assert_eq!(p.errors[0].kind, ReadErrorKind::Empty);
        }
    }

    #[test]
    fn pem_problems_name_their_block() {
        let p = read(b"-----BEGIN CERTIFICATE-----\nMIIB\n");
        assert_eq!(p.errors.len(), 1);
        assert!(matches!(
            p.errors[0].kind,
            ReadErrorKind::BadPem { block: 1, .. }
        ));
        let p = read(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        assert!(p.errors[0].to_string().contains("base64"), "{:?}", p.errors);
        let p = read(b"-----BEGIN FOO-----\nAAAA\n-----END BAR-----\n");
        assert!(
            p.errors[0].to_string().contains("END BAR"),
            "{:?}",
            p.errors
        );
        let p = read(b"-----BEGIN WIDGET-----\nAAAA\n-----END WIDGET-----\n");
        assert!(p.errors[0].to_string().contains("WIDGET"), "{:?}", p.errors);
    }

    #[test]
    fn parameters_blocks_are_skipped() {
        let p =
            read(b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n");
        assert!(p.errors.is_empty() && p.items.is_empty());
    }

    #[test]
    fn random_bytes_are_unrecognised() {
        let p = read(&[0x01, 0x02, 0x03, 0xff]);
        assert_eq!(p.errors[0].kind, ReadErrorKind::Unrecognised);
        let p = read(&[0x30, 0x82, 0x05, 0x00, 0x01]);
        assert!(p.errors[0].to_string().contains("truncated"));
    }
}
