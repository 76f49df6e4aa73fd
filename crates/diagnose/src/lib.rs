//! The diagnosis pipeline of bars-certcheck, between the binary and the checks, network
//! and revocation crates (as cargo's `ops` sits under its commands). It owns "diagnose
//! these files" ([`files::diagnose_files`]), "diagnose this endpoint"
//! ([`endpoint::diagnose_endpoint`]: client identity, proxy, `--mtls-audit`, revocation,
//! AIA, the stapled OCSP response) and "diagnose a fleet" ([`scan::scan`]), and maps every
//! diagnosis to the one report the renderers take ([`report`]). `check`, `probe`, `scan`
//! and `demo` are thin callers of these functions, so their documents cannot drift apart.
//!
//! Async inside; the caller owns the one tokio runtime. No printing, no terminal, no
//! exit codes: those are the binary's.

#![warn(missing_docs)]

pub mod cas;
pub mod endpoint;
pub mod env;
mod error;
pub mod files;
pub mod identity;
pub mod judge;
pub mod list;
pub mod online;
pub mod pfx;
pub mod report;
pub mod scan;

pub use endpoint::{diagnose_endpoint, Endpoint, Outcome, Probing, Session};
pub use error::DiagnoseError;
pub use files::diagnose_files;
pub use judge::Judge;
pub use online::Online;

use bars_checks::{Analysis, Role};

/// The chain a server should send for the first leaf with a complete path: the leaf,
/// then the intermediates, without the root (`--write-chain`). `None` when no path is
/// complete.
pub fn chain_to_send(analysis: &Analysis) -> Option<Vec<&[u8]>> {
    let chain = analysis.chains.iter().find(|c| c.anchored)?;
    Some(
        chain
            .path
            .iter()
            .filter_map(|i| analysis.certificates.get(*i))
            .filter(|e| e.role != Role::Root && !e.cert.summary().self_issued)
            .map(|e| e.cert.der())
            .collect(),
    )
}
