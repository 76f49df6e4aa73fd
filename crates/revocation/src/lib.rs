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
//! Inside the caller's tokio runtime, build one [`Checker`] per run and share it across
//! every analysis (a scan's endpoints share its downloads and its cache):
//!
//! ```no_run
//! # async fn f(input: bars_checks::CheckInput, mut opts: bars_checks::Options) {
//! use bars_revocation::{Checker, Mode, RevocationOptions};
//! let checker = Checker::new(RevocationOptions::new(Mode::Both, opts.at));
//! // --fetch-missing (optional): analyse, fetch missing issuers, analyse again.
//! let done = checker.complete_with_aia(&input, &mut opts).await;
//! let notes = done.notes(); // "fetched, not sent" lines for the report
//! let mut analysis = done.analysis;
//! // --revocation, and an OCSP response the server stapled for certificate 0.
//! let stapled = [(0, vec![/* DER */])];
//! let findings = checker.check_analysis_with(&analysis, &stapled).await;
//! analysis.extend_findings(findings);
//! # let _ = notes; }
//! ```

#![warn(missing_docs)]

mod aia;
mod cache;
mod crl;
mod net;
pub mod ocsp;
mod outcome;
mod util;

pub use aia::{AiaProblem, Completion, FetchedIssuer};
pub use cache::{default_cache_dir, ISSUER_TTL};
pub use crl::{CrlError, CrlStatus, VerifiedCrl};
pub use net::{check_stapled, Checker, Mode, RevocationOptions};
pub use outcome::{findings, Answer, CertOutcome, Evidence, Outcome, Problem, Status, Via};
pub use util::{fmt_time, Reason};

/// Sorts findings as the analysis does: most severe first, then id, certificate, detail.
pub use bars_checks::sort_findings;
