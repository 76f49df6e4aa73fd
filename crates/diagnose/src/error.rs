//! The one error type of the pipeline: what stops a diagnosis before it starts (a usage
//! problem: an unreadable `--ca` file, a client identity that cannot be used, a bad
//! name). What is wrong with the certificates is never an error: it is a finding.

use bars_nhs::HostNameProblem;

/// Why a diagnosis could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiagnoseError {
    /// A `--ca` file could not be read, or holds no certificate.
    #[error("--ca {0}")]
    Ca(String),
    /// `--no-embedded-ca` with nothing else to trust.
    #[error("--no-embedded-ca needs at least one --ca FILE to trust")]
    NothingTrusted,
    /// `--expect-fqdn` is not a name a certificate could cover.
    #[error("--expect-fqdn: {0}")]
    ExpectFqdn(HostNameProblem),
    /// The client certificate and key cannot be used (`--client-cert/--client-key`,
    /// `--pfx`): `what` names the options.
    #[error("{what}: {why}")]
    Identity {
        /// The options that gave it.
        what: &'static str,
        /// Why it cannot be used.
        why: String,
    },
    /// The proxy URL cannot be used (the reason is the source).
    #[error("--proxy")]
    Proxy(#[from] bars_net::ProxyError),
    /// The target is not `HOST[:PORT]` or an `https://` URL.
    #[error(transparent)]
    Target(#[from] bars_net::TargetError),
}
