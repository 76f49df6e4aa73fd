//! Online checks for bars-certcheck: is a certificate of the validated path revoked (CRL,
//! OCSP, stapled OCSP), and `--fetch-missing` (an issuer nobody sent, fetched through
//! the certificate's AIA caIssuers URL). Nothing is contacted unless asked: with
//! [`Mode::Off`] and no stapled response, [`check_analysis`] returns at once.
//!
//! Layers:
//! - pure: [`VerifiedCrl`] (parse, issuer name, signature, thisUpdate/nextUpdate, serial
//!   lookup), [`ocsp`] (request building, response verification: signed by the issuer
//!   or by a delegated responder it certified for OCSPSigning, freshness, nonce),
//!   [`findings`] (outcomes into `revocation.*` findings);
//! - network: [`Checker`] (GET CRLs and issuers, POST OCSP, through `bars-fetch`'s
//!   limits; a cache directory; in-process de-duplication).
//!
//! # Wiring a command
//!
//! ```no_run
//! # fn f(input: bars_checks::CheckInput, mut opts: bars_checks::Options) {
//! use bars_revocation::{Mode, RevocationOptions};
//! let rev = RevocationOptions::new(Mode::Both, opts.at);
//! // --fetch-missing (optional): analyse, fetch missing issuers, analyse again.
//! let done = bars_revocation::complete_with_aia(&input, &mut opts, &rev);
//! let mut analysis = done.analysis.clone();
//! let notes = done.notes(); // "fetched, not sent" lines for the report
//! // --revocation: findings for every certificate of each validated path but its root.
//! let findings = bars_revocation::check_analysis(&analysis, &rev);
//! bars_revocation::add_findings(&mut analysis, findings);
//! # }
//! ```
//!
//! Inside a tokio runtime (probe, scan), build one [`Checker`] and share it (`Arc`)
//! across endpoints: `checker.check_analysis(&analysis).await`,
//! `checker.complete_with_aia(&input, &mut opts).await`. Stapled OCSP responses go in
//! [`RevocationOptions::stapled`] as (certificate index, DER), or through
//! [`check_stapled`].

#![warn(missing_docs)]

mod aia;
mod cache;
mod crl;
mod net;
pub mod ocsp;
mod outcome;
mod util;

#[cfg(test)]
mod testsupport;

pub use aia::{complete_with_aia, AiaProblem, Completion, FetchedIssuer};
pub use cache::{default_cache_dir, ISSUER_TTL};
pub use crl::{CrlError, CrlStatus, VerifiedCrl};
pub use net::{check_stapled, Checker, Mode, RevocationOptions};
pub use outcome::{findings, Answer, CertOutcome, Evidence, Outcome, Problem, Status, Via};
pub use util::{fmt_time, Reason};

use bars_checks::{Analysis, Finding};

/// The revocation findings for `analysis` (blocking; do not call from inside a tokio
/// runtime, use [`Checker::check_analysis`] there). Every certificate of each validated
/// path except the root is checked against its issuer in the path, with the sources
/// `opts.mode` allows; [`Mode::Off`] without stapled responses contacts nothing and
/// returns nothing.
pub fn check_analysis(analysis: &Analysis, opts: &RevocationOptions) -> Vec<Finding> {
    if opts.mode == Mode::Off && opts.stapled.is_empty() {
        return Vec::new();
    }
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(check_analysis_async(analysis, opts)),
        Err(e) => vec![bars_checks::revocation::UNAVAILABLE
            .finding(None, format!("cannot start the network runtime: {e}"))],
    }
}

/// [`check_analysis`] for callers already in a tokio runtime (a fresh [`Checker`]: use
/// one shared `Checker` instead to de-duplicate across analyses).
pub async fn check_analysis_async(analysis: &Analysis, opts: &RevocationOptions) -> Vec<Finding> {
    Checker::new(opts.clone()).check_analysis(analysis).await
}

/// Sorts findings as the analysis does: most severe first, then id, certificate, detail.
pub use bars_checks::sort_findings;

/// Adds `findings` to `analysis.findings`, keeping its order.
pub fn add_findings(analysis: &mut Analysis, findings: Vec<Finding>) {
    analysis.extend_findings(findings);
}
