//! Network edge of bars-certcheck: the TLS probe that records what a server sends, mTLS
//! audit handshakes, the proxy rules shared with downloads, and the in-process TLS
//! receiver of `demo`.
//!
//! No policy lives here: results carry raw DER and plain facts; the checks crate judges
//! them. Everything is async: the caller owns the one tokio runtime.

mod audit;
mod connect;
mod failure;
mod hello;
mod probe;
mod proxy;
pub mod receiver;
mod record;
mod target;

pub use audit::{
    audit, let_in_without_certificate, AuditIdentities, AuditOutcome, AuditResult, NamedIdentity,
};
pub use failure::{alert_name, version_name, ProbeError, Stage};
pub use probe::{
    probe, render_dn, ClientIdentity, HandshakeFailure, PostHandshake, ProbeOptions, ProbeResult,
};
pub use proxy::{Proxies, ProxyError};
pub use target::{Target, TargetError};
