//! What an analysis is given: the inputs with their sources, and the options in force.

use bars_model::{Certificate, Csr, Pfx, PrivateKey};
use bars_nhs::Environment;
use std::fmt;

/// Where a certificate (or other input) came from. `Display` gives the SPEC's JSON
/// `source` strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// Sent by the server (probe).
    Sent,
    /// Read from this file.
    File(String),
    /// The tool's embedded NHS CA set.
    Embedded,
    /// Given with `--ca` (this path).
    CaOption(String),
    /// Downloaded from this URL.
    Fetched(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Sent => f.write_str("sent"),
            // A file given as `-` is standard input.
            Source::File(p) if p == "-" => f.write_str("stdin"),
            Source::File(p) => write!(f, "file:{p}"),
            Source::Embedded => f.write_str("embedded"),
            Source::CaOption(p) => write!(f, "ca-option:{p}"),
            Source::Fetched(u) => write!(f, "fetched:{u}"),
        }
    }
}

/// Everything to check. Certificates are "given" (sent, or in the user's files/PFX): only
/// they count when judging whether the chain is complete.
#[derive(Clone, Debug, Default)]
pub struct CheckInput {
    /// Certificates in input order (file order within a file, sent order for a probe).
    pub certificates: Vec<(Certificate, Source)>,
    /// CSRs.
    pub csrs: Vec<(Csr, Source)>,
    /// Private keys.
    pub keys: Vec<(PrivateKey, Source)>,
    /// Opened PKCS#12 archives (their certificates and keys are given too).
    pub pfx: Vec<(Pfx, Source)>,
    /// PKCS#12 archives that could not be opened, with the reason (`pfx.bad-password`).
    pub pfx_errors: Vec<(Source, String)>,
    /// Inputs (or parts of one) that could not be read: the file as the user named it
    /// (`-` for standard input) and the reason (`input.unreadable`).
    pub unreadable: Vec<(String, String)>,
    /// Encrypted private keys that a wrong password did not open, with the reason
    /// (`key.locked`; a key given with no password at all is a [`PrivateKey`] whose
    /// public half is unknown).
    pub locked_keys: Vec<(Source, String)>,
}

impl CheckInput {
    /// One `key.unencrypted` detail per key file stored without encryption (keys inside a
    /// PFX or keystore are not key files).
    pub fn keys_in_the_clear(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter(|(k, _)| !k.summary.encrypted)
            .map(|(k, s)| {
                let shown = match s {
                    Source::File(f) if f == "-" => "standard input".to_string(),
                    Source::File(f) => f.clone(),
                    other => other.to_string(),
                };
                format!(
                    "the key in {shown} ({}) is stored without encryption",
                    k.summary.format
                )
            })
            .collect()
    }
}

/// A `--ca` certificate, or one downloaded by `--fetch-missing`.
#[derive(Clone, Debug)]
pub struct ExtraCa {
    /// The environment it was given for (`--ca int:FILE`); `None` applies to whatever
    /// environment is in force.
    pub env: Option<Environment>,
    /// The certificate.
    pub cert: Certificate,
    /// The file (or URL) it came from.
    pub path: String,
    /// Where it came from when it is not an `--ca` file: `Some(Source::Fetched(url))` for
    /// a certificate downloaded by `--fetch-missing`, which completes a path but is never
    /// a trust anchor itself. `None` is `Source::CaOption(path)`.
    pub source: Option<Source>,
}

impl ExtraCa {
    /// A certificate downloaded from `url` (AIA caIssuers): it keeps `Source::Fetched`
    /// and is never a trust anchor.
    pub fn fetched(url: &str, cert: Certificate, env: Option<Environment>) -> ExtraCa {
        ExtraCa {
            env,
            cert,
            path: url.to_string(),
            source: Some(Source::Fetched(url.to_string())),
        }
    }
}

/// What the user is doing: fix texts say the next action for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// Checking files (`check`, `match`): the fix is in the files.
    #[default]
    Files,
    /// Diagnosing a live endpoint (`probe`, `scan`, `demo`): the fix is in what the server
    /// sends.
    Server,
    /// Building a PFX (`pfx build`): what is missing is given with `--chain`.
    PfxBuild,
}

/// Which usage the leaf must allow (`cert.eku`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Usage {
    /// serverAuth (a Receiver's endpoint; the default).
    #[default]
    Server,
    /// clientAuth.
    Client,
    /// Both.
    Both,
}

/// How to judge.
#[derive(Clone, Debug)]
pub struct Options {
    /// The environment decided before the analysis (`--env`, or for an endpoint the BaRS
    /// prefix of the name to cover; [`Options::env_source`] says which); `None` is `auto`:
    /// from the leaf's names, else from the issuing sub-CA, else `public` when the chain
    /// ends at a Mozilla root.
    pub env: Option<Environment>,
    /// Where [`Options::env`] came from, when it is set (reported as the analysis's
    /// `environment_source`).
    pub env_source: crate::EnvSource,
    /// `--ca` certificates.
    pub extra_cas: Vec<ExtraCa>,
    /// Use the embedded NHS CAs as anchors and known intermediates (`--no-embedded-ca`
    /// turns it off; known other-environment NHS CAs are still recognised by name).
    pub use_embedded: bool,
    /// The time to judge validity at, Unix seconds.
    pub at: i64,
    /// `cert.expiring-soon` window in days.
    pub warn_days: u32,
    /// `--expect-fqdn`.
    pub expect_fqdn: Option<String>,
    /// The probed host (SNI name or host) when no `--expect-fqdn` is given.
    pub host: Option<String>,
    /// Usage the leaf must allow.
    pub usage: Usage,
    /// The first given certificate is the leaf, whatever its basicConstraints (a probe:
    /// the first certificate the server sent). Otherwise leaves are found by structure
    /// (SPEC "Which certificate is the leaf").
    pub leaf_first: bool,
    /// What the user is doing (fix texts).
    pub purpose: Purpose,
    /// Say how the key files given are stored (`key.unencrypted`): for `check` and
    /// `match`, which are given key files to judge, not for keys a command only uses.
    pub judge_key_files: bool,
}

impl Options {
    /// Defaults: auto environment, embedded CAs, 30-day window, server usage, at `at`.
    pub fn new(at: i64) -> Self {
        Options {
            env: None,
            env_source: crate::EnvSource::Forced,
            extra_cas: Vec::new(),
            use_embedded: true,
            at,
            warn_days: 30,
            expect_fqdn: None,
            host: None,
            usage: Usage::Server,
            leaf_first: false,
            purpose: Purpose::Files,
            judge_key_files: false,
        }
    }
}
