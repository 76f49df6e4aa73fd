//! The fleet view of `scan`: one row per endpoint (what the table and the CSV show), the
//! totals, and the renderers (text table, CSV for a spreadsheet, the JSON document that
//! holds every endpoint's probe document).

use crate::style::Style;
use bars_checks::{CheckInfo, Severity, Summary, Verdict};
use bars_nhs::Environment;
use serde::Serialize;
use std::time::Duration;

/// The `CHAIN` column: complete, the worst `chain.*` problem, incomplete, or no chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChainState {
    /// What was sent links the leaf to its anchor.
    Complete,
    /// The worst `chain.*` finding at warning or above.
    Problem(&'static CheckInfo),
    /// Not complete, and no `chain.*` finding says why.
    Incomplete,
    /// No certificate was received.
    #[default]
    NoChain,
}

impl ChainState {
    /// `complete`, `incomplete`, `no chain`, or the problem's name (`untrusted`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ChainState::Complete => "complete",
            ChainState::Problem(kind) => kind.short_name(),
            ChainState::Incomplete => "incomplete",
            ChainState::NoChain => "no chain",
        }
    }
}

/// What one endpoint's row shows.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// `host:port`.
    pub target: String,
    /// The list's `name`.
    pub name: Option<String>,
    /// The environment judged against.
    pub environment: Option<Environment>,
    /// The leaf's CN (or subject).
    pub leaf_cn: Option<String>,
    /// The leaf's notAfter, RFC 3339.
    pub not_after: Option<String>,
    /// Days from the time judged at to the leaf's notAfter.
    pub days_left: Option<i64>,
    /// The chain's state.
    pub chain: ChainState,
    /// Whether the server asked for a client certificate (`None`: no handshake).
    pub client_auth: Option<bool>,
    /// The endpoint's verdict.
    pub verdict: Verdict,
    /// The most severe finding.
    pub worst: Option<(Severity, &'static CheckInfo)>,
    /// Findings by severity.
    pub counts: Summary,
    /// No chain: the failure's kind and message.
    pub error: Option<(&'static str, String)>,
    /// A certificate in the path has expired (`cert.expired`).
    pub expired: bool,
    /// A certificate in the path expires within `--warn-days` (`cert.expiring-soon`).
    pub expiring: bool,
}

/// Counts over the whole scan (the JSON `summary`).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// Endpoints scanned.
    pub endpoints: usize,
    /// Verdict pass.
    pub pass: usize,
    /// Verdict warn.
    pub warn: usize,
    /// Verdict fail.
    pub fail: usize,
    /// Endpoints that gave no chain.
    pub no_chain: usize,
    /// Endpoints with an expired certificate.
    pub expired: usize,
    /// Endpoints with a certificate expiring soon.
    pub expiring: usize,
    /// List entries skipped (malformed, repeated).
    pub skipped: usize,
    /// Errors, all endpoints.
    pub errors: usize,
    /// Warnings, all endpoints.
    pub warnings: usize,
    /// Infos, all endpoints.
    pub infos: usize,
}

impl Totals {
    /// The totals of `rows`, `skipped` entries of the list left out.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a Row>, skipped: usize) -> Totals {
        let mut t = Totals {
            skipped,
            ..Totals::default()
        };
        for r in rows {
            t.endpoints += 1;
            match r.verdict {
                Verdict::Pass => t.pass += 1,
                Verdict::Warn => t.warn += 1,
                _ => t.fail += 1,
            }
            t.no_chain += usize::from(r.error.is_some());
            t.expired += usize::from(r.expired);
            t.expiring += usize::from(r.expiring);
            t.errors += r.counts.errors;
            t.warnings += r.counts.warnings;
            t.infos += r.counts.infos;
        }
        t
    }
}

#[derive(Serialize)]
struct ScanDoc<'a> {
    schema: &'static str,
    command: &'static str,
    endpoints: Vec<serde_json::Value>,
    summary: &'a Totals,
}

/// `{ "schema", "command": "scan", "endpoints": [probe documents, list order], "summary" }`.
pub fn render_json(endpoints: Vec<serde_json::Value>, totals: &Totals) -> String {
    crate::json::to_string(&ScanDoc {
        schema: crate::json::SCHEMA,
        command: "scan",
        endpoints,
        summary: totals,
    })
}

/// What the text's last lines say about the run itself.
#[derive(Clone, Copy, Debug)]
pub struct RunInfo {
    /// Wall time of the scan (reported in text only).
    pub elapsed: Duration,
    /// `--concurrency`.
    pub concurrency: u16,
    /// `--warn-days`.
    pub warn_days: u32,
}

fn client_auth_text(c: Option<bool>) -> &'static str {
    match c {
        Some(true) => "requested",
        Some(false) => "not requested",
        None => "-",
    }
}

fn worst_text(r: &Row) -> String {
    match (&r.error, r.worst) {
        (Some((kind, message)), _) => format!("{kind}: {message}"),
        (None, Some((sev, kind))) => format!("{} ({})", kind.id, sev.as_str()),
        (None, None) => "-".into(),
    }
}

fn date(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

fn environment(r: &Row) -> &'static str {
    crate::diag::environment_name(r.environment)
}

/// The text table (rows in the order given), then the totals.
pub fn render_text(rows: &[Row], t: &Totals, info: &RunInfo, style: &Style) -> String {
    let with_names = rows.iter().any(|r| r.name.is_some());
    let mut header = vec!["ENDPOINT"];
    if with_names {
        header.push("NAME");
    }
    header.extend([
        "ENV",
        "LEAF CN",
        "EXPIRES",
        "DAYS",
        "CHAIN",
        "CLIENT AUTH",
        "VERDICT",
        "WORST FINDING",
    ]);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = vec![r.target.clone()];
            if with_names {
                c.push(r.name.clone().unwrap_or_else(|| "-".into()));
            }
            c.extend([
                environment(r).to_string(),
                r.leaf_cn.clone().unwrap_or_else(|| "-".into()),
                r.not_after
                    .as_deref()
                    .map_or_else(|| "-".into(), |d| date(d).to_string()),
                r.days_left.map_or_else(|| "-".into(), |d| d.to_string()),
                r.chain.as_str().to_string(),
                client_auth_text(r.client_auth).into(),
                r.verdict.as_str().into(),
                worst_text(r),
            ]);
            c
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let last = header.len().saturating_sub(1);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut out = String::new();
    let head: Vec<String> = header
        .iter()
        .zip(&widths)
        .enumerate()
        .map(|(i, (h, w))| if i == last { h.to_string() } else { pad(h, *w) })
        .collect();
    out.push_str(&style.bold(head.join("  ").trim_end()));
    out.push('\n');
    let days_col = if with_names { 5 } else { 4 };
    let verdict_col = days_col + 3;
    for (row, r) in cells.iter().zip(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let text = if i == last { c.clone() } else { pad(c, *w) };
                if i == verdict_col {
                    match r.verdict {
                        Verdict::Pass => style.good(&text),
                        Verdict::Warn => style.warn(&text),
                        _ => style.bad(&text),
                    }
                } else if i == days_col {
                    match r.days_left {
                        Some(d) if d < 0 => style.bad(&text),
                        Some(d) if d <= i64::from(info.warn_days) => style.warn(&text),
                        _ => text,
                    }
                } else {
                    text
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&summary_text(rows, t, info));
    style.glyphs(&out).into_owned()
}

/// The totals under the table.
fn summary_text(rows: &[Row], t: &Totals, info: &RunInfo) -> String {
    let mut out = format!(
        "{} scanned in {:.1} s (concurrency {}): {} pass, {} warn, {} fail",
        count(t.endpoints, "endpoint"),
        info.elapsed.as_secs_f64(),
        info.concurrency,
        t.pass,
        t.warn,
        t.fail
    );
    if t.no_chain > 0 {
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for r in rows {
            if let Some((kind, _)) = &r.error {
                match kinds.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, n)) => *n += 1,
                    None => kinds.push((kind, 1)),
                }
            }
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        out.push_str(&format!(
            " ({} with no chain: {})",
            t.no_chain,
            kinds.join(", ")
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "Certificates expired: {}; expiring within {} days: {}. Findings: {}, {}, {}.\n",
        t.expired,
        info.warn_days,
        t.expiring,
        count(t.errors, "error"),
        count(t.warnings, "warning"),
        count(t.infos, "info")
    ));
    if t.skipped > 0 {
        out.push_str(&format!(
            "{} of the list skipped (reported on stderr).\n",
            count(t.skipped, "entry")
        ));
    }
    out
}

fn count(n: usize, what: &str) -> String {
    match (n, what) {
        (1, _) => format!("1 {what}"),
        (_, "entry") => format!("{n} entries"),
        _ => format!("{n} {what}s"),
    }
}

/// The CSV columns.
const CSV_HEADER: [&str; 16] = [
    "endpoint",
    "name",
    "environment",
    "leaf_cn",
    "not_after",
    "days_left",
    "chain",
    "client_auth",
    "verdict",
    "worst_finding",
    "worst_severity",
    "errors",
    "warnings",
    "infos",
    "error_kind",
    "error",
];

/// The CSV: a header row, then one row per endpoint in the order given; CRLF line ends,
/// fields quoted as RFC 4180 needs, and text a spreadsheet would run as a formula
/// defused with a leading `'`.
pub fn render_csv(rows: &[Row]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut ok = w.write_record(CSV_HEADER).is_ok();
    for r in rows {
        let (kind, message) = r.error.as_ref().map_or(("", ""), |(k, m)| (*k, m.as_str()));
        let fields = [
            defuse(&r.target),
            defuse(r.name.as_deref().unwrap_or("")),
            defuse(environment(r)),
            defuse(r.leaf_cn.as_deref().unwrap_or("")),
            defuse(r.not_after.as_deref().unwrap_or("")),
            r.days_left.map(|d| d.to_string()).unwrap_or_default(),
            defuse(r.chain.as_str()),
            match r.client_auth {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            r.verdict.as_str().to_string(),
            r.worst.map(|(_, k)| k.id.to_string()).unwrap_or_default(),
            r.worst
                .map(|(s, _)| s.as_str().to_string())
                .unwrap_or_default(),
            r.counts.errors.to_string(),
            r.counts.warnings.to_string(),
            r.counts.infos.to_string(),
            kind.to_string(),
            defuse(message),
        ];
        ok &= w.write_record(&fields).is_ok();
    }
    let bytes = w.into_inner().unwrap_or_default();
    if !ok {
        return String::new();
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return) gets a leading `'`.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_of(name: &str) -> String {
        let row = Row {
            target: "h:443".into(),
            name: Some(name.into()),
            ..Row::default()
        };
        let out = render_csv(&[row]);
        let line = out.split("\r\n").nth(1).unwrap_or_default().to_string();
        line.strip_prefix("h:443,").unwrap_or_default().to_string()
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert!(csv_of("plain").starts_with("plain,"));
        assert!(csv_of("a,b").starts_with("\"a,b\","));
        assert!(csv_of("say \"hi\"").starts_with("\"say \"\"hi\"\"\","));
        assert!(csv_of("two\nlines").starts_with("\"two\nlines\","));
        assert!(csv_of("=HYPERLINK(\"x\")").starts_with("\"'=HYPERLINK(\"\"x\"\")\","));
        assert!(csv_of("@sum").starts_with("'@sum,"));
        assert!(csv_of("-1").starts_with("'-1,"));
        assert!(render_csv(&[]).starts_with("endpoint,name,environment,leaf_cn,"));
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(count(1, "endpoint"), "1 endpoint");
        assert_eq!(count(3, "endpoint"), "3 endpoints");
        assert_eq!(count(2, "entry"), "2 entries");
    }

    #[test]
    fn totals_count_verdicts_and_failures() {
        let rows = [
            Row {
                verdict: Verdict::Pass,
                ..Row::default()
            },
            Row {
                verdict: Verdict::Fail,
                error: Some(("refused", "x".into())),
                ..Row::default()
            },
        ];
        let t = Totals::of(&rows, 3);
        assert_eq!(
            (t.endpoints, t.pass, t.fail, t.no_chain, t.skipped),
            (2, 1, 1, 1, 3)
        );
    }
}
