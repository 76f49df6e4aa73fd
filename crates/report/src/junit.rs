//! JUnit XML for CI dashboards (GitLab, Jenkins, Azure DevOps show it natively).
//!
//! One `<testsuite>` (inside `<testsuites>`); one `<testcase>` per leaf (named by its file
//! path, or by `host:port` for a probe) and one per input that could not be read; one
//! `<failure type="<finding id>" message="<title>">` per finding at or above the
//! threshold, its text the detail and the fix. Findings below the threshold are listed in
//! the test case's `<system-out>`. A finding that names no certificate of a leaf's path
//! (a CSR, a key) belongs to the first test case of its report.

use crate::diag::Report;
use crate::markup::escape;
use bars_checks::{Finding as FindingView, Severity as Level};
use std::fmt::Write;

/// An input that gave no report: a file that could not be read (`input.unreadable`), or
/// an endpoint that gave no chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputProblem {
    /// The file path or `host:port`.
    pub name: String,
    /// The failure type shown (a finding id such as `input.unreadable`).
    pub id: String,
    /// The one-line reason.
    pub message: String,
}

impl From<&bars_model::ReadError> for InputProblem {
    /// An input the reader could not read (`input.unreadable`), named as the user wrote it.
    fn from(e: &bars_model::ReadError) -> Self {
        InputProblem::unreadable(e.source_name.clone(), e.kind.to_string())
    }
}

impl InputProblem {
    /// A file that could not be read.
    pub fn unreadable(name: impl Into<String>, message: impl Into<String>) -> Self {
        InputProblem {
            name: name.into(),
            id: "input.unreadable".into(),
            message: message.into(),
        }
    }
}

/// One test case before rendering.
struct Case<'a> {
    name: String,
    failures: Vec<&'a FindingView>,
    below: Vec<&'a FindingView>,
    problem: Option<InputProblem>,
}

impl Case<'_> {
    fn new(name: String, problem: Option<InputProblem>) -> Self {
        Case {
            name,
            failures: Vec::new(),
            below: Vec::new(),
            problem,
        }
    }
}

/// Renders `reports` (one per `check` run or probed endpoint) and `problems` as one JUnit
/// test suite named `bars-certcheck <command>`. `fail_on` is the `--fail-on` threshold.
/// A report's finding about an input file rather than a certificate (`input.unreadable`)
/// is that file's own test case; a report with no chain (its `error`) fails its case with
/// the type `network.<kind>`.
pub fn render(
    command: &str,
    reports: &[Report<'_>],
    problems: &[InputProblem],
    fail_on: Level,
) -> String {
    let mut cases: Vec<Case<'_>> = Vec::new();
    for r in reports {
        let first = cases.len();
        let leaf_names = leaf_case_names(r);
        let about_files_only = !r.findings.is_empty()
            && r.findings.iter().all(|f| f.file.is_some())
            && r.error.is_none();
        if leaf_names.is_empty() && !about_files_only {
            let problem = r.error.as_ref().map(|e| InputProblem {
                name: r.target.clone(),
                id: format!("network.{}", e.kind),
                message: e.message.clone(),
            });
            cases.push(Case::new(r.target.clone(), problem));
        }
        cases.extend(leaf_names.into_iter().map(|n| Case::new(n, None)));
        let own = cases.len();
        for f in &r.findings {
            let at = match (&f.file, f.certificate) {
                (Some(file), None) => {
                    let found = cases
                        .iter()
                        .skip(own)
                        .position(|c| c.name == *file)
                        .map(|i| own + i);
                    found.unwrap_or_else(|| {
                        cases.push(Case::new(file.clone(), None));
                        cases.len() - 1
                    })
                }
                _ => {
                    let chain = f.certificate.and_then(|c| {
                        r.chains
                            .iter()
                            .position(|ch| ch.leaf == c)
                            .or_else(|| r.chains.iter().position(|ch| ch.path.contains(&c)))
                    });
                    first + chain.unwrap_or(0)
                }
            };
            let Some(case) = cases.get_mut(at) else {
                continue;
            };
            if f.severity <= fail_on {
                case.failures.push(f);
            } else {
                case.below.push(f);
            }
        }
    }
    cases.extend(
        problems
            .iter()
            .map(|p| Case::new(p.name.clone(), Some(p.clone()))),
    );
    let tests = cases.len();
    let failures = cases
        .iter()
        .filter(|c| !c.failures.is_empty() || c.problem.is_some())
        .count();
    let suite = escape(&format!("bars-certcheck {command}"));
    let class = escape(&format!("bars-certcheck.{}", command.replace(' ', "-")));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for c in &cases {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{class}\"",
            escape(&c.name)
        );
        if c.failures.is_empty() && c.below.is_empty() && c.problem.is_none() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if let Some(p) = &c.problem {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                escape(&p.id),
                escape(&p.message),
                escape(&format!("{}: {}", p.name, p.message))
            );
        }
        for f in &c.failures {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                escape(f.id()),
                escape(&f.title),
                escape(&format!(
                    "{} ({})\n{}\nFix: {}",
                    f.title,
                    f.severity.as_str(),
                    f.detail,
                    f.fix
                ))
            );
        }
        if !c.below.is_empty() {
            let lines: Vec<String> = c
                .below
                .iter()
                .map(|f| {
                    format!(
                        "{} {}: {} ({})",
                        f.severity.as_str(),
                        f.id(),
                        f.title,
                        f.detail
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&lines.join("\n"))
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// One name per chain: the leaf's file path (`file:` stripped), or the report's target
/// for certificates that were sent; made unique with the leaf's subject when two leaves
/// share a file.
fn leaf_case_names(r: &Report<'_>) -> Vec<String> {
    let base: Vec<(String, String)> = r
        .chains
        .iter()
        .map(|ch| {
            let cert = r.certificates.get(ch.leaf);
            let name = cert
                .and_then(|c| c.source.strip_prefix("file:"))
                .map_or_else(|| r.target.clone(), str::to_string);
            let subject = cert.map(|c| c.summary.subject.clone()).unwrap_or_default();
            (name, subject)
        })
        .collect();
    base.iter()
        .map(|(name, subject)| {
            if base.iter().filter(|(n, _)| n == name).count() > 1 {
                format!("{name} ({subject})")
            } else {
                name.clone()
            }
        })
        .collect()
}
