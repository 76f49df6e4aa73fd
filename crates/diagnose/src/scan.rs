//! "Diagnose a fleet": every endpoint of a list through [`diagnose_endpoint`], a bounded
//! number at a time on the caller's runtime, each kept as a compact row and fleet entry
//! (and its whole outcome only when the output needs it: JSON, JUnit).

use std::collections::HashMap;
use std::sync::Arc;

use bars_checks::{cert, Analysis, Family, Role, Severity, Verdict};
use bars_net::ProbeError;
use bars_report::fleet::{Fleet, FleetEndpoint};
use bars_report::scan::{ChainState, Row};

use crate::endpoint::{diagnose_endpoint, no_chain, Endpoint, Outcome, Session};
use crate::judge::Judge;
use crate::report::endpoint_report;
use bars_report::diag::Report;

/// How an endpoint ends the scan's exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing at or above `--fail-on`.
    Clean,
    /// Findings at or above `--fail-on`, or a certificate that cannot be read.
    Findings,
    /// No certificate was received.
    NoChain,
}

/// One endpoint's result.
#[derive(Debug)]
pub struct Scanned {
    /// Its position in the list.
    pub index: usize,
    /// What its row shows.
    pub row: Row,
    /// What the fleet views (OpenMetrics, HTML) show of it.
    pub fleet: FleetEndpoint,
    /// Its outcome (only when outcomes are kept).
    pub outcome: Option<Outcome>,
    /// How it ends the exit code.
    pub status: Status,
    /// Lines for stderr (certificates that cannot be read, audit problems).
    pub problems: Vec<String>,
}

/// Diagnoses every endpoint, `concurrency` at a time, calling `done` as each finishes
/// (progress), and returns them in the order they finished. With `keep_outcomes`, each
/// keeps its outcome (for [`documents`] and [`junit`]).
pub async fn scan(
    session: Arc<Session>,
    endpoints: Vec<Endpoint>,
    concurrency: usize,
    keep_outcomes: bool,
    mut done: impl FnMut(&Scanned),
) -> Vec<Scanned> {
    let total = endpoints.len();
    let mut set = tokio::task::JoinSet::new();
    // Task id → the endpoint, to report a task that died as that endpoint's failure.
    let mut running = HashMap::new();
    let mut queue = endpoints.into_iter().enumerate();
    let mut out = Vec::with_capacity(total);
    loop {
        while set.len() < concurrency.max(1) {
            let Some((index, ep)) = queue.next() else {
                break;
            };
            let s = session.clone();
            let task = ep.clone();
            let handle = set.spawn(async move {
                let outcome = diagnose_endpoint(&s, &task).await;
                scanned(index, &task, outcome, &s, keep_outcomes)
            });
            running.insert(handle.id(), (index, ep));
        }
        let Some(finished) = set.join_next_with_id().await else {
            break;
        };
        let one = match finished {
            Ok((id, one)) => {
                running.remove(&id);
                one
            }
            Err(e) => {
                let Some((index, ep)) = running.remove(&e.id()) else {
                    continue;
                };
                let error = ProbeError::Io {
                    target: ep.target.to_string(),
                    why: format!("the probe stopped unexpectedly ({e})"),
                };
                let (_, decision) = session.judge.endpoint(&ep);
                let outcome = Outcome::NoChain(Box::new(no_chain(error, decision)));
                scanned(index, &ep, outcome, &session, keep_outcomes)
            }
        };
        done(&one);
        out.push(one);
    }
    out
}

/// The compact result of one endpoint.
fn scanned(
    index: usize,
    ep: &Endpoint,
    outcome: Outcome,
    session: &Session,
    keep_outcome: bool,
) -> Scanned {
    let judge = &session.judge;
    let shown = ep.target.to_string();
    let report = endpoint_report(&outcome, "probe", shown.clone(), judge.fail_on, judge.at);
    let fleet = match &outcome {
        Outcome::Chain(_) => FleetEndpoint::from_report(&report, ep.name.clone()),
        Outcome::NoChain(n) => FleetEndpoint::no_chain(
            shown.clone(),
            ep.name.clone(),
            format!("{}: {}", n.error.kind(), n.message),
            Some(&report),
        ),
    };
    let (status, problems) = match &outcome {
        Outcome::NoChain(_) => (Status::NoChain, Vec::new()),
        Outcome::Chain(d) => {
            // A certificate the tool cannot read was not checked: never a pass.
            let status = if report.verdict == Verdict::Fail || !d.problems.is_empty() {
                Status::Findings
            } else {
                Status::Clean
            };
            let mut p = d.problems.clone();
            p.extend(d.warnings.iter().cloned());
            (status, p)
        }
    };
    let mut row = row(outcome.analysis(), judge.at);
    row.target = shown;
    row.name = ep.name.clone();
    row.verdict = report.verdict;
    row.counts = report.counts();
    drop(report);
    match &outcome {
        Outcome::NoChain(n) => {
            row.chain = ChainState::NoChain;
            row.error = Some((n.error.kind(), n.message.clone()));
        }
        Outcome::Chain(d) => row.client_auth = Some(d.tls.client_auth_requested),
    }
    Scanned {
        index,
        row,
        fleet,
        outcome: keep_outcome.then_some(outcome),
        status,
        problems,
    }
}

/// The row of an analysis judged at `now` (target, name, verdict and counts are the
/// caller's).
fn row(a: &Analysis, now: i64) -> Row {
    let leaf = a
        .chains
        .first()
        .and_then(|c| a.certificates.get(c.leaf))
        .or_else(|| a.certificates.iter().find(|c| c.role == Role::Leaf))
        .or_else(|| a.certificates.first())
        .map(|c| c.cert.summary());
    let chain_problem = a
        .findings
        .iter()
        .find(|f| f.family() == Family::Chain && f.severity.at_or_above(Severity::Warning));
    let chain = match chain_problem {
        Some(f) => ChainState::Problem(f.kind),
        None if a.chains.first().is_some_and(|c| c.complete) => ChainState::Complete,
        None => ChainState::Incomplete,
    };
    Row {
        environment: a.environment,
        leaf_cn: leaf.map(|s| {
            s.subject_cns
                .first()
                .cloned()
                .unwrap_or_else(|| s.subject.clone())
        }),
        not_after: leaf.map(|s| s.not_after.clone()),
        days_left: leaf.map(|s| (s.not_after_unix - now).div_euclid(86_400)),
        chain,
        worst: a.findings.first().map(|f| (f.severity, f.kind)),
        expired: a.findings.iter().any(|f| f.is(&cert::EXPIRED)),
        expiring: a.findings.iter().any(|f| f.is(&cert::EXPIRING_SOON)),
        ..Row::default()
    }
}

/// The rows for the table and the CSV: endpoints with no chain first, then by days to
/// expiry (soonest first), then in list order.
pub fn sorted_rows(mut scanned: Vec<Scanned>) -> Vec<Row> {
    scanned.sort_by_key(|o| {
        (
            o.row.error.is_none(),
            o.row.days_left.unwrap_or(i64::MIN),
            o.index,
        )
    });
    scanned.into_iter().map(|o| o.row).collect()
}

/// The fleet view (OpenMetrics, HTML) in list order, judged at `now` with the
/// `--warn-days` band `warn_days`.
pub fn fleet(mut scanned: Vec<Scanned>, now: i64, warn_days: u32) -> Fleet {
    scanned.sort_by_key(|o| o.index);
    Fleet {
        endpoints: scanned.into_iter().map(|o| o.fleet).collect(),
        now,
        warn_days,
    }
}

/// The probe reports of the endpoints whose outcomes were kept, in list order, as
/// `judge` judged them.
fn reports<'a>(scanned: &'a mut [Scanned], judge: &Judge) -> Vec<Report<'a>> {
    scanned.sort_by_key(|o| o.index);
    scanned
        .iter()
        .filter_map(|o| {
            let outcome = o.outcome.as_ref()?;
            let target = o.row.target.clone();
            Some(endpoint_report(
                outcome,
                "probe",
                target,
                judge.fail_on,
                judge.at,
            ))
        })
        .collect()
}

/// The scan as one JUnit suite (outcomes kept): a test case per endpoint in list order,
/// failing on findings at or above `--fail-on` or on no chain.
pub fn junit(mut scanned: Vec<Scanned>, judge: &Judge) -> String {
    let reports = reports(&mut scanned, judge);
    bars_report::junit::render("scan", &reports, &[], judge.fail_on)
}

/// The documents for the JSON output (outcomes kept), in list order: each exactly what
/// `probe HOST:PORT --format json` prints.
pub fn documents(mut scanned: Vec<Scanned>, judge: &Judge) -> Vec<serde_json::Value> {
    let reports = reports(&mut scanned, judge);
    reports
        .iter()
        .map(bars_report::diag::to_json_value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sort_failures_first_then_by_days_left() {
        let mk = |index: usize, days: Option<i64>, failed: bool| Scanned {
            index,
            row: Row {
                target: format!("h{index}:443"),
                days_left: days,
                error: failed.then(|| ("refused", "refused".to_string())),
                ..Row::default()
            },
            fleet: FleetEndpoint::no_chain(format!("h{index}:443"), None, "-", None),
            outcome: None,
            status: Status::Clean,
            problems: Vec::new(),
        };
        let rows = sorted_rows(vec![
            mk(0, Some(300), false),
            mk(1, None, true),
            mk(2, Some(-5), false),
            mk(3, Some(14), false),
            mk(4, None, true),
        ]);
        let order: Vec<&str> = rows.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(order, ["h1:443", "h4:443", "h2:443", "h3:443", "h0:443"]);
    }
}
