//! `convert`: certificates and CSRs from whatever was read (PEM, DER, PKCS#7, PKCS#12,
//! Java keystores) to PEM or DER bytes. Keys are never converted: they are counted and
//! left out, so that a PFX can be turned into its certificates without its key leaking
//! into a file that is treated as public.

use bars_model::Item;

/// The output encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// PEM blocks (`CERTIFICATE`, `CERTIFICATE REQUEST`), in input order.
    Pem,
    /// DER: exactly one certificate or CSR, as stored in the input.
    Der,
}

/// Why nothing can be converted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// DER holds one object; the input has more (a usage error: exit 2).
    #[error(
        "DER holds exactly one certificate or CSR and the input has {count}; use --to pem, \
         or extract the one you need first"
    )]
    DerNeedsOne {
        /// Certificates and CSRs found.
        count: usize,
    },
    /// No certificate or CSR at all.
    #[error("no certificate or CSR to convert")]
    Nothing,
    /// Only private keys: they are never converted.
    #[error("only private keys ({0}) to convert: keys are never converted (`pfx extract` writes a key encrypted)")]
    OnlyKeys(usize),
}

/// Why the inputs of `convert` are not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// An input could not be read (each problem, one line): exit 2.
    #[error("{}", .0.join("\n"))]
    Unreadable(Vec<String>),
    /// A PFX or keystore did not open (no password, or a wrong one): a refusal.
    #[error("{0} (give the password with --password-env VAR or --password-file FILE)")]
    Locked(String),
    /// A private key file was given: keys are never converted (a refusal).
    #[error("{0} holds a private key: convert never writes keys (the pfx extract command writes the key of a PFX, encrypted)")]
    Key(String),
}

/// Reads every input by content (`-` is standard input): refuses a private key file, and
/// a PFX that does not open.
pub fn read_inputs(
    inputs: &[std::path::PathBuf],
    passwords: &dyn bars_model::PasswordProvider,
    limits: &bars_model::Limits,
) -> Result<Vec<Item>, InputError> {
    use bars_model::ReadErrorKind as K;
    let mut items = Vec::new();
    let mut unreadable = Vec::new();
    for path in inputs {
        let parsed = bars_model::read_path(path, passwords, limits);
        for e in parsed.errors {
            if matches!(e.kind, K::NeedPassword { .. } | K::BadPassword { .. }) {
                return Err(InputError::Locked(e.to_string()));
            }
            unreadable.push(e.to_string());
        }
        if parsed.items.iter().any(|i| matches!(i, Item::Key(_))) {
            return Err(InputError::Key(path.display().to_string()));
        }
        items.extend(parsed.items);
    }
    if unreadable.is_empty() {
        Ok(items)
    } else {
        Err(InputError::Unreadable(unreadable))
    }
}

/// What `convert` produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converted {
    /// The output bytes (PEM text or one DER object).
    pub bytes: Vec<u8>,
    /// Certificates written.
    pub certificates: usize,
    /// CSRs written.
    pub csrs: usize,
    /// Private keys met and left out (say so on stderr).
    pub keys_left_out: usize,
}

/// Converts every certificate (PFX and keystore contents included) and CSR of `items`, in
/// order, to `encoding`.
pub fn convert<'a>(
    items: impl IntoIterator<Item = &'a Item>,
    encoding: Encoding,
) -> Result<Converted, ConvertError> {
    let mut objects: Vec<(&'static str, &[u8])> = Vec::new();
    let mut keys = 0usize;
    let mut certificates = 0usize;
    let mut csrs = 0usize;
    for item in items {
        match item {
            Item::Certificate(c) => {
                certificates += 1;
                objects.push(("CERTIFICATE", c.der()));
            }
            Item::Csr(c) => {
                csrs += 1;
                objects.push(("CERTIFICATE REQUEST", c.der()));
            }
            Item::Key(_) => keys += 1,
            Item::Pfx(p) => {
                keys += p.keys.len();
                for c in &p.certificates {
                    certificates += 1;
                    objects.push(("CERTIFICATE", c.der()));
                }
            }
        }
    }
    let bytes = match (encoding, objects.as_slice()) {
        (_, []) if keys > 0 => return Err(ConvertError::OnlyKeys(keys)),
        (_, []) => return Err(ConvertError::Nothing),
        (Encoding::Der, [(_, der)]) => der.to_vec(),
        (Encoding::Der, many) => return Err(ConvertError::DerNeedsOne { count: many.len() }),
        (Encoding::Pem, all) => all
            .iter()
            .map(|(label, der)| crate::pem::encode(label, der))
            .collect::<String>()
            .into_bytes(),
    };
    Ok(Converted {
        bytes,
        certificates,
        csrs,
        keys_left_out: keys,
    })
}
