//! Every bars-certcheck finding (stable id, severity, explanation, fix) and the pure
//! analysis that raises them over certificates, CSRs, keys and PFX contents.
//!
//! No I/O and no printing: the caller reads the inputs (`bars-model`), passes the time
//! ([`Options::at`]) and renders the [`Analysis`].

#![warn(missing_docs)]

mod analyse;
mod catalogue;
mod given;
pub mod matching;
mod path;
mod shell;
mod tls_checks;
pub mod trust_lint;
mod validate;

#[cfg(test)]
mod testutil;

pub use analyse::{analyse, Analysis, CertEntry, ChainResult, EnvSource, Role};
pub use catalogue::{
    catalogue, cert, chain, csr, input, key, lookup, name, pfx, revocation, tls, trust, CheckInfo,
    Family,
};
pub use given::{CheckInput, ExtraCa, Options, Purpose, Source, Usage};
/// The TLS vocabulary of [`TlsFacts`] (rustls' types, shared with the probe).
pub use rustls::{AlertDescription, ProtocolVersion};
pub use shell::shell_word;
pub use tls_checks::{tls_findings, AuditFacts, HandshakeFacts, TlsFacts};

use serde::Serialize;
use std::fmt;

/// How serious a finding is. Ordered most serious first (`Error < Warning < Info`), so
/// sorting puts errors first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Must be fixed: the endpoint will not work or is unsafe.
    Error,
    /// Should be fixed.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// True when `self` is as serious as `threshold` or more.
    pub fn at_or_above(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One diagnosis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Its kind in the [`catalogue`] (serialised as the stable id).
    #[serde(rename = "id")]
    pub kind: &'static CheckInfo,
    /// Severity.
    pub severity: Severity,
    /// One-line title.
    pub title: String,
    /// Names the certificate (index and subject) and the values involved.
    pub detail: String,
    /// What to do.
    pub fix: String,
    /// Index of the certificate concerned in [`Analysis::certificates`], when one is.
    pub certificate: Option<usize>,
    /// The input file concerned, for a finding about a file rather than a certificate
    /// (`input.unreadable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Finding {
    /// The same finding with a fix written for its case (the catalogue's fix is the
    /// general one).
    pub fn with_fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = fix.into();
        self
    }

    /// The stable id, e.g. `chain.incomplete`.
    pub fn id(&self) -> &'static str {
        self.kind.id
    }

    /// True when this finding is of `kind` (e.g. `f.is(&cert::EXPIRED)`).
    pub fn is(&self, kind: &CheckInfo) -> bool {
        self.kind.same_kind(kind)
    }

    /// The family of its kind.
    pub fn family(&self) -> Family {
        self.kind.family()
    }
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

/// The gate's answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Verdict {
    /// Nothing at warning or above.
    #[default]
    Pass,
    /// Warnings (or anything below `fail_on`) but nothing at or above `fail_on`.
    Warn,
    /// Something at or above `fail_on`.
    Fail,
}

impl Verdict {
    /// `pass`, `warn` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

/// Most severe first, then by id, certificate and detail; exact repeats removed (the
/// order of every findings list the tool prints).
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (a.severity, a.id(), a.certificate, &a.detail).cmp(&(
            b.severity,
            b.id(),
            b.certificate,
            &b.detail,
        ))
    });
    findings
        .dedup_by(|a, b| a.is(b.kind) && a.certificate == b.certificate && a.detail == b.detail);
}

/// Counts `findings` by severity.
pub fn summarise(findings: &[Finding]) -> Summary {
    let mut s = Summary::default();
    for f in findings {
        match f.severity {
            Severity::Error => s.errors += 1,
            Severity::Warning => s.warnings += 1,
            Severity::Info => s.infos += 1,
        }
    }
    s
}

/// `fail` when any finding is at or above `fail_on`, else `warn` when any is a warning
/// or error, else `pass`.
pub fn verdict(findings: &[Finding], fail_on: Severity) -> Verdict {
    if findings.iter().any(|f| f.severity.at_or_above(fail_on)) {
        Verdict::Fail
    } else if findings
        .iter()
        .any(|f| f.severity.at_or_above(Severity::Warning))
    {
        Verdict::Warn
    } else {
        Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_follows_fail_on() {
        let w = chain::LEGACY.finding(None, "x");
        let e = chain::ORDER.finding(None, "x");
        let i = chain::ROOT_SENT.finding(None, "x");
        assert_eq!(
            verdict(std::slice::from_ref(&i), Severity::Error),
            Verdict::Pass
        );
        assert_eq!(
            verdict(&[i.clone(), w.clone()], Severity::Error),
            Verdict::Warn
        );
        assert_eq!(
            verdict(std::slice::from_ref(&w), Severity::Warning),
            Verdict::Fail
        );
        assert_eq!(
            verdict(std::slice::from_ref(&e), Severity::Error),
            Verdict::Fail
        );
        assert_eq!(
            summarise(&[e, w, i]),
            Summary {
                errors: 1,
                warnings: 1,
                infos: 1
            }
        );
        assert!(Severity::Error < Severity::Warning && Severity::Warning < Severity::Info);
    }
}
