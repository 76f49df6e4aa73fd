//! Network edge of bars-certcheck: the TLS probe that records what a server sends, mTLS
//! audit handshakes, the endpoint list of `scan`, and in-process test servers.
//!
//! No policy lives here: results carry raw DER and plain facts; the checks crate judges them.

mod audit;
pub mod endpoints;
mod hello;
mod probe;
mod target;
pub mod testserver;

pub use audit::{audit, audit_async, audit_with, AuditOutcome, AuditResult, NamedIdentity};
pub use endpoints::{parse_endpoint_list, Endpoint, EndpointEnv, LineError, ListFormat};
pub use probe::{
    probe, probe_async, proxy_from_env, render_dn, ClientIdentity, HandshakeFailure, PostHandshake,
    ProbeError, ProbeOptions, ProbeResult, Recorded, RecordingResolver, RecordingVerifier, Stage,
};
pub use target::{Target, TargetError};
