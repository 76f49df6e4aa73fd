//! Diagnoses into the report every renderer takes ([`bars_report::diag::Report`]): the
//! same mapping for `check`, `probe`, `scan` and `demo`, so that their documents cannot
//! drift apart.

use bars_checks::{Analysis, Severity, Verdict};
use bars_net::{AuditOutcome, AuditResult};
use bars_report::diag::{
    AuditLine, AuditOutcome as Seen, AuditView, CertView, ChainView, ErrorView, Report, TlsView,
};

use crate::endpoint::Outcome;

/// The report of `analysis` for `command` about `target`, its verdict decided from the
/// findings and `fail_on`.
pub fn report<'a>(
    analysis: &'a Analysis,
    command: &'static str,
    target: String,
    tls: Option<TlsView>,
    notes: Vec<String>,
    fail_on: Severity,
    now: i64,
) -> Report<'a> {
    Report {
        command,
        target,
        environment: analysis.environment,
        environment_source: analysis.environment_source,
        certificates: analysis
            .certificates
            .iter()
            .map(|c| CertView {
                source: c.source.to_string(),
                role: c.role,
                summary: c.cert.summary(),
            })
            .collect(),
        chains: analysis
            .chains
            .iter()
            .map(|c| ChainView {
                leaf: c.leaf,
                complete: c.complete,
                valid: c.valid,
                trusted_by: c.trusted_by.clone(),
                path: c.path.clone(),
            })
            .collect(),
        tls,
        findings: analysis.findings.clone(),
        notes,
        verdict: bars_checks::verdict(&analysis.findings, fail_on),
        now,
        audit: None,
        error: None,
    }
}

/// The report of `trust lint` over the client-CA file `target` for a Receiver of `env`.
pub fn trust_report(
    lint: &bars_checks::trust_lint::TrustReport,
    target: String,
    env: bars_nhs::Environment,
    fail_on: Severity,
    now: i64,
) -> Report<'_> {
    Report {
        command: "trust lint",
        target,
        environment: Some(env),
        environment_source: bars_checks::EnvSource::Forced,
        certificates: lint
            .certificates
            .iter()
            .map(|(c, s, role)| CertView {
                source: s.to_string(),
                role: *role,
                summary: c.summary(),
            })
            .collect(),
        chains: Vec::new(),
        tls: None,
        findings: lint.findings.clone(),
        notes: Vec::new(),
        verdict: bars_checks::verdict(&lint.findings, fail_on),
        now,
        audit: None,
        error: None,
    }
}

/// The probe document of one endpoint: the chain's report with its TLS facts and audit,
/// or, with no chain, empty certificates, `chain` and `tls` null, an `error` object and
/// verdict `fail`.
pub fn endpoint_report<'a>(
    outcome: &'a Outcome,
    command: &'static str,
    target: String,
    fail_on: Severity,
    now: i64,
) -> Report<'a> {
    match outcome {
        Outcome::Chain(d) => {
            let mut r = report(
                &d.analysis,
                command,
                target,
                Some(d.tls.clone()),
                d.notes.clone(),
                fail_on,
                now,
            );
            r.audit = d.audit.as_ref().map(audit_view);
            r
        }
        Outcome::NoChain(n) => {
            // `message`: the error, plus the firewall advice when the connection itself
            // failed at a Receiver; the same words as the stderr line.
            let notes = vec![format!("No certificate was received: {}", n.message)];
            let mut r = report(&n.analysis, command, target, None, notes, fail_on, now);
            r.verdict = Verdict::Fail;
            r.error = Some(ErrorView {
                kind: n.error.kind(),
                message: n.message.clone(),
            });
            r
        }
    }
}

fn audit_line(o: &AuditOutcome, presented: Option<&str>) -> AuditLine {
    let (outcome, detail) = match o {
        AuditOutcome::Accepted(d) => (Seen::Accepted, d.as_str()),
        AuditOutcome::Rejected(d) => (Seen::Rejected, d.as_str()),
        AuditOutcome::Inconclusive(d) => (Seen::Inconclusive, d.as_str()),
        // An outcome added later: not judged.
        _ => (Seen::Inconclusive, ""),
    };
    AuditLine {
        outcome,
        detail: detail.to_string(),
        presented: presented.map(str::to_string),
    }
}

/// `--mtls-audit` as the report shows it.
pub fn audit_view(a: &AuditResult) -> AuditView {
    AuditView {
        anonymous: audit_line(&a.anonymous, None),
        self_signed: audit_line(&a.self_signed, None),
        others: a
            .extra
            .iter()
            .map(|(what, o)| audit_line(o, Some(what)))
            .collect(),
    }
}
