//! What was learnt about each certificate, and the findings it makes. Pure.

use crate::crl::CrlError;
use crate::ocsp::OcspError;
use crate::util::{fmt_time, Reason};
use bars_checks::{revocation as rc, Analysis, Finding};
use bars_fetch::FetchError;
use std::fmt;

/// Where a status came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Via {
    /// A CRL from the certificate's CRL distribution point.
    Crl,
    /// An OCSP responder named in the certificate's AIA.
    Ocsp,
    /// An OCSP response stapled by the server in the TLS handshake.
    Stapled,
}

impl Via {
    /// `the CRL`, `the OCSP responder`, `the stapled OCSP response`.
    fn what(self) -> &'static str {
        match self {
            Via::Crl => "the CRL",
            Via::Ocsp => "the OCSP responder",
            Via::Stapled => "the stapled OCSP response",
        }
    }
}

/// A certificate's revocation status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Not revoked.
    Good,
    /// Revoked.
    Revoked {
        /// Revocation time, Unix seconds.
        at: i64,
        /// Reason, when given.
        reason: Option<Reason>,
    },
    /// The OCSP responder does not know the certificate.
    Unknown,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Good => f.write_str("not revoked"),
            Status::Revoked { at, reason } => {
                write!(f, "revoked on {}", fmt_time(*at))?;
                if let Some(r) = reason {
                    write!(f, ", reason {r}")?;
                }
                Ok(())
            }
            Status::Unknown => f.write_str("unknown to the responder"),
        }
    }
}

/// A verified answer (signature, issuer and time checked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The status.
    pub status: Status,
    /// thisUpdate, Unix seconds.
    pub this_update: i64,
    /// nextUpdate, Unix seconds.
    pub next_update: Option<i64>,
}

impl Answer {
    /// True when nextUpdate has passed at `at`.
    pub fn is_stale(&self, at: i64) -> bool {
        self.next_update.is_some_and(|n| n < at)
    }
}

/// Why a source gave no verified answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The download failed (HTTP status, timeout, refused, too large, …).
    Fetch(FetchError),
    /// The certificate names a URL that is not http(s) (e.g. `ldap://`): not fetched.
    NotHttp(String),
    /// The CRL could not be used.
    Crl(CrlError),
    /// The OCSP response could not be used.
    Ocsp(OcspError),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // FetchError names the URL itself; the evidence names it too.
            Problem::Fetch(e) => f.write_str(&fetch_text(e)),
            Problem::NotHttp(u) => write!(f, "{u} is not an http(s) URL, so it was not fetched"),
            Problem::Crl(e) => fmt::Display::fmt(e, f),
            Problem::Ocsp(e) => fmt::Display::fmt(e, f),
        }
    }
}

/// The text of a fetch error without its URL prefix (the evidence names the URL).
fn fetch_text(e: &FetchError) -> String {
    let full = e.to_string();
    full.strip_prefix(&format!("{}: ", e.source))
        .map(str::to_string)
        .unwrap_or(full)
}

impl From<FetchError> for Problem {
    fn from(e: FetchError) -> Self {
        Problem::Fetch(e)
    }
}

impl From<CrlError> for Problem {
    fn from(e: CrlError) -> Self {
        Problem::Crl(e)
    }
}

impl From<OcspError> for Problem {
    fn from(e: OcspError) -> Self {
        Problem::Ocsp(e)
    }
}

/// One attempt at one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// CRL, OCSP or stapled.
    pub via: Via,
    /// The URL (`stapled` for a stapled response).
    pub source: String,
    /// A verified answer, or why there is none.
    pub result: Result<Answer, Problem>,
}

impl Evidence {
    fn what(&self) -> String {
        match self.via {
            Via::Stapled => self.via.what().to_string(),
            v => format!("{} {}", v.what(), self.source),
        }
    }
}

/// What was done for one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The sources consulted, in order.
    Checked(Vec<Evidence>),
    /// The certificate names no source for the mode in force.
    NoSource {
        /// It names a CRL distribution point (not consulted in this mode).
        names_crl: bool,
        /// It names an OCSP responder (not consulted in this mode).
        names_ocsp: bool,
    },
    /// The certificate's issuer is not known, so nothing could be verified.
    IssuerUnknown,
}

/// The outcome for one certificate of the analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertOutcome {
    /// Index in [`Analysis::certificates`].
    pub cert: usize,
    /// Index of the issuer it was checked against.
    pub issuer: Option<usize>,
    /// What was found.
    pub outcome: Outcome,
}

fn label(analysis: &Analysis, i: usize) -> String {
    let subject = analysis
        .certificates
        .get(i)
        .map(|c| c.cert.summary().subject.clone())
        .unwrap_or_default();
    format!("certificate #{i} ({subject})")
}

/// The findings for `outcomes` judged at `at`:
/// - `revocation.revoked` when any verified answer says revoked;
/// - otherwise `revocation.unknown` for each fresh answer of "unknown", and
///   `revocation.stale` for each verified answer past its nextUpdate;
/// - `revocation.unavailable` when no fresh verified answer was obtained and something
///   failed (each failure named), or when the issuer is not known;
/// - `revocation.no-source` when the certificate names nothing to consult.
pub fn findings(analysis: &Analysis, outcomes: &[CertOutcome], at: i64) -> Vec<Finding> {
    let mut out = Vec::new();
    for o in outcomes {
        let l = label(analysis, o.cert);
        let c = Some(o.cert);
        match &o.outcome {
            Outcome::NoSource {
                names_crl,
                names_ocsp,
            } => {
                let detail = match (names_crl, names_ocsp) {
                    (false, false) => {
                        format!("{l} names no CRL distribution point and no OCSP responder")
                    }
                    (true, _) => format!(
                        "{l} names no OCSP responder; it names a CRL distribution point (use --revocation crl or both)"
                    ),
                    (false, true) => format!(
                        "{l} names no CRL distribution point; it names an OCSP responder (use --revocation ocsp or both)"
                    ),
                };
                out.push(rc::NO_SOURCE.finding(c, detail));
            }
            Outcome::IssuerUnknown => {
                let issuer = analysis
                    .certificates
                    .get(o.cert)
                    .map(|e| e.cert.summary().issuer.clone())
                    .unwrap_or_default();
                out.push(rc::UNAVAILABLE.finding(
                    c,
                    format!(
                        "the issuer of {l}, {issuer}, is not known, so no CRL or OCSP response for it can be verified; give the issuer with --ca, or use --fetch-missing"
                    ),
                ));
            }
            Outcome::Checked(evidence) => evidence_findings(&mut out, &l, c, evidence, at),
        }
    }
    out
}

fn evidence_findings(
    out: &mut Vec<Finding>,
    l: &str,
    c: Option<usize>,
    evidence: &[Evidence],
    at: i64,
) {
    let answers: Vec<(&Evidence, &Answer)> = evidence
        .iter()
        .filter_map(|e| e.result.as_ref().ok().map(|a| (e, a)))
        .collect();
    if let Some((e, a)) = answers
        .iter()
        .find(|(_, a)| matches!(a.status, Status::Revoked { .. }))
    {
        out.push(rc::REVOKED.finding(c, format!("{l} is {}, says {}", a.status, e.what())));
        return;
    }
    let mut fresh = false;
    for (e, a) in &answers {
        if a.is_stale(at) {
            let next = a.next_update.map(fmt_time).unwrap_or_default();
            out.push(rc::STALE.finding(
                c,
                format!(
                    "{} for {l} is past its nextUpdate {next} (judged at {}); it says {}",
                    e.what(),
                    fmt_time(at),
                    a.status
                ),
            ));
            continue;
        }
        fresh = true;
        if a.status == Status::Unknown {
            out.push(rc::UNKNOWN.finding(c, format!("{} does not know {l}", e.what())));
        }
    }
    let problems: Vec<String> = evidence
        .iter()
        .filter_map(|e| {
            e.result
                .as_ref()
                .err()
                .map(|p| format!("{}: {p}", e.what()))
        })
        .collect();
    if !fresh && !problems.is_empty() {
        out.push(rc::UNAVAILABLE.finding(
            c,
            format!(
                "the revocation status of {l} could not be established: {}",
                problems.join("; ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_checks::{CheckInput, Options};

    fn analysis() -> Analysis {
        bars_checks::analyse(&CheckInput::default(), &Options::new(0))
    }

    fn ev(via: Via, result: Result<Answer, Problem>) -> Evidence {
        Evidence {
            via,
            source: "http://127.0.0.1:1/x".into(),
            result,
        }
    }

    fn answer(status: Status, next: Option<i64>) -> Answer {
        Answer {
            status,
            this_update: 0,
            next_update: next,
        }
    }

    fn ids(outcome: Outcome, at: i64) -> Vec<(&'static str, String)> {
        findings(
            &analysis(),
            &[CertOutcome {
                cert: 0,
                issuer: Some(1),
                outcome,
            }],
            at,
        )
        .into_iter()
        .map(|f| (f.id(), f.detail))
        .collect()
    }

    #[test]
    fn revoked_wins_and_names_reason_date_and_source() {
        let f = ids(
            Outcome::Checked(vec![
                ev(Via::Ocsp, Ok(answer(Status::Good, Some(100)))),
                ev(
                    Via::Crl,
                    Ok(answer(
                        Status::Revoked {
                            at: 86_400,
                            reason: Some(Reason(1)),
                        },
                        None,
                    )),
                ),
            ]),
            50,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "revocation.revoked");
        assert!(
            f[0].1.contains("revoked on 1970-01-02T00:00:00Z, reason keyCompromise, says the CRL http://127.0.0.1:1/x"),
            "{}",
            f[0].1
        );
    }

    #[test]
    fn fresh_good_hides_other_failures_stale_does_not() {
        let timeout = Problem::NotHttp("ldap://x".into());
        assert!(ids(
            Outcome::Checked(vec![
                ev(Via::Ocsp, Err(timeout.clone())),
                ev(Via::Crl, Ok(answer(Status::Good, Some(100)))),
            ]),
            50
        )
        .is_empty());
        let f = ids(
            Outcome::Checked(vec![
                ev(Via::Ocsp, Err(timeout)),
                ev(Via::Crl, Ok(answer(Status::Good, Some(100)))),
            ]),
            500,
        );
        let got: Vec<&str> = f.iter().map(|x| x.0).collect();
        assert_eq!(got, ["revocation.stale", "revocation.unavailable"]);
        assert!(
            f[1].1.contains("ldap://x is not an http(s) URL"),
            "{}",
            f[1].1
        );
    }

    #[test]
    fn unknown_no_source_and_unknown_issuer() {
        let f = ids(
            Outcome::Checked(vec![ev(Via::Ocsp, Ok(answer(Status::Unknown, None)))]),
            50,
        );
        assert_eq!(f[0].0, "revocation.unknown");
        let f = ids(
            Outcome::NoSource {
                names_crl: false,
                names_ocsp: false,
            },
            0,
        );
        assert_eq!(f[0].0, "revocation.no-source");
        assert!(f[0]
            .1
            .ends_with("names no CRL distribution point and no OCSP responder"));
        let f = ids(
            Outcome::NoSource {
                names_crl: true,
                names_ocsp: false,
            },
            0,
        );
        assert!(
            f[0].1.contains("use --revocation crl or both"),
            "{}",
            f[0].1
        );
        let f = ids(Outcome::IssuerUnknown, 0);
        assert_eq!(f[0].0, "revocation.unavailable");
        assert!(f[0].1.contains("--fetch-missing"));
    }
}
