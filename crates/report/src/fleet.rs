//! The `scan` fleet view: one small serialisable row per endpoint, built from the
//! endpoint's probe [`Report`] (or from the failure that gave no chain), and its
//! renderers: OpenMetrics text for the node exporter's textfile collector and for
//! scraping ([`render_openmetrics`]), and one self-contained HTML page with a sortable
//! table and an SVG expiry timeline ([`render_html`]).

use crate::diag::Report;
use crate::html::{clip, finding_article, page};
use crate::markup::escape;
use bars_checks::{Severity as Level, Summary as Counts};
use serde::Serialize;
use std::fmt::Write;

/// One finding of an endpoint, as the fleet view shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FleetFinding {
    /// Stable id.
    pub id: String,
    /// Severity.
    pub severity: Level,
    /// One line.
    pub title: String,
    /// What to do.
    pub fix: String,
}

/// One endpoint of a scan.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FleetEndpoint {
    /// `host:port`.
    pub target: String,
    /// The list's name for it, if any.
    pub name: Option<String>,
    /// `int`, `prod`, `public` or `unknown`.
    pub environment: String,
    /// The leaf's CN (its subject when it has no CN).
    pub leaf_cn: Option<String>,
    /// The leaf's notAfter, Unix seconds.
    pub leaf_not_after: Option<i64>,
    /// The earliest notAfter on the leaf's path (when the chain stops working), Unix seconds.
    pub chain_not_after: Option<i64>,
    /// A chain was received.
    pub probe_success: bool,
    /// Why no chain was received.
    pub error: Option<String>,
    /// `pass`, `warn` or `fail`.
    pub verdict: String,
    /// Findings by severity.
    pub counts: Counts,
    /// Findings, most severe first.
    pub findings: Vec<FleetFinding>,
}

impl FleetEndpoint {
    /// The row of an endpoint that sent a chain, from its probe report.
    pub fn from_report(r: &Report<'_>, name: Option<String>) -> FleetEndpoint {
        let chain = r.chains.first();
        let leaf = chain
            .and_then(|c| r.certificates.get(c.leaf))
            .or_else(|| {
                r.certificates
                    .iter()
                    .find(|c| c.role == bars_checks::Role::Leaf)
            })
            .or_else(|| r.certificates.first());
        let chain_not_after = chain.and_then(|c| {
            c.path
                .iter()
                .filter_map(|i| r.certificates.get(*i))
                .map(|c| c.summary.not_after_unix)
                .min()
        });
        FleetEndpoint {
            target: r.target.clone(),
            name,
            environment: crate::diag::environment_name(r.environment).to_string(),
            leaf_cn: leaf.map(|c| {
                c.summary
                    .subject_cns
                    .first()
                    .cloned()
                    .unwrap_or_else(|| c.summary.subject.clone())
            }),
            leaf_not_after: leaf.map(|c| c.summary.not_after_unix),
            chain_not_after: chain_not_after.or(leaf.map(|c| c.summary.not_after_unix)),
            probe_success: true,
            error: None,
            verdict: r.verdict.as_str().to_string(),
            counts: r.counts(),
            findings: findings_of(r),
        }
    }

    /// The row of an endpoint that gave no chain: `error` says why (`timeout: …`);
    /// `report` is its failure report, when there is one (for its environment and
    /// findings).
    pub fn no_chain(
        target: impl Into<String>,
        name: Option<String>,
        error: impl Into<String>,
        report: Option<&Report<'_>>,
    ) -> FleetEndpoint {
        FleetEndpoint {
            target: target.into(),
            name,
            environment: report.map_or_else(
                || "unknown".into(),
                |r| crate::diag::environment_name(r.environment).to_string(),
            ),
            leaf_cn: None,
            leaf_not_after: None,
            chain_not_after: None,
            probe_success: false,
            error: Some(error.into()),
            verdict: "fail".into(),
            counts: report.map(Report::counts).unwrap_or_default(),
            findings: report.map(findings_of).unwrap_or_default(),
        }
    }
}

fn findings_of(r: &Report<'_>) -> Vec<FleetFinding> {
    r.findings
        .iter()
        .map(|f| FleetFinding {
            id: f.id().to_string(),
            severity: f.severity,
            title: f.title.clone(),
            fix: f.fix.clone(),
        })
        .collect()
}

/// A whole scan.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Fleet {
    /// Endpoints, in list order.
    pub endpoints: Vec<FleetEndpoint>,
    /// When the scan was judged (Unix seconds): the timeline's "now".
    pub now: i64,
    /// `--warn-days`: the timeline's warning band.
    pub warn_days: u32,
}

// ------------------------------------------------------------------ OpenMetrics

/// A label value escaped for the Prometheus text format and OpenMetrics alike
/// (backslash, double quote, newline).
fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn labels(e: &FleetEndpoint, extra: Option<(&str, &str)>) -> String {
    let mut l = format!(
        "endpoint=\"{}\",name=\"{}\",environment=\"{}\",leaf_cn=\"{}\"",
        label_value(&e.target),
        label_value(e.name.as_deref().unwrap_or("")),
        label_value(&e.environment),
        label_value(e.leaf_cn.as_deref().unwrap_or(""))
    );
    if let Some((k, v)) = extra {
        let _ = write!(l, ",{k}=\"{}\"", label_value(v));
    }
    l
}

/// The verdict as a gauge value: 0 pass, 1 warn, 2 fail.
fn verdict_value(v: &str) -> u8 {
    match v {
        "pass" => 0,
        "warn" => 1,
        _ => 2,
    }
}

/// The scan as OpenMetrics text, which the Prometheus text parser reads too: gauges
/// only, no timestamps, `# EOF` last. Every series is labelled `endpoint`, `name`,
/// `environment` and `leaf_cn` (empty when unknown). Expiry gauges are given only for
/// endpoints that sent a chain.
pub fn render_openmetrics(f: &Fleet) -> String {
    let mut out = String::new();
    let mut family = |name: &str, help: &str, samples: Vec<(String, i64)>| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for (l, v) in samples {
            let _ = writeln!(out, "{name}{{{l}}} {v}");
        }
    };
    let with_chain = |get: fn(&FleetEndpoint) -> Option<i64>| -> Vec<(String, i64)> {
        f.endpoints
            .iter()
            .filter_map(|e| get(e).map(|v| (labels(e, None), v)))
            .collect()
    };
    family(
        "bars_certcheck_leaf_not_after_seconds",
        "notAfter of the endpoint's leaf certificate, Unix time.",
        with_chain(|e| e.leaf_not_after),
    );
    family(
        "bars_certcheck_chain_not_after_seconds",
        "Earliest notAfter of any certificate on the leaf's path, Unix time.",
        with_chain(|e| e.chain_not_after),
    );
    family(
        "bars_certcheck_probe_success",
        "1 when the endpoint sent a certificate chain, 0 when it gave none.",
        f.endpoints
            .iter()
            .map(|e| (labels(e, None), i64::from(e.probe_success)))
            .collect(),
    );
    let mut findings = Vec::new();
    for e in &f.endpoints {
        for (sev, n) in [
            ("error", e.counts.errors),
            ("warning", e.counts.warnings),
            ("info", e.counts.infos),
        ] {
            findings.push((
                labels(e, Some(("severity", sev))),
                i64::try_from(n).unwrap_or(i64::MAX),
            ));
        }
    }
    family(
        "bars_certcheck_findings",
        "Findings at the endpoint, by severity.",
        findings,
    );
    family(
        "bars_certcheck_verdict",
        "The endpoint's verdict: 0 pass, 1 warn, 2 fail (fail: a finding at or above --fail-on, or no chain).",
        f.endpoints
            .iter()
            .map(|e| (labels(e, None), i64::from(verdict_value(&e.verdict))))
            .collect(),
    );
    out.push_str("# EOF\n");
    out
}

// ------------------------------------------------------------------ HTML

const DAY: i64 = 86_400;

fn date(unix: i64) -> String {
    bars_model::rfc3339(unix)
        .get(..10)
        .unwrap_or_default()
        .to_string()
}

/// A few lines of inline script: click a column header to sort by it (numbers by their
/// `data-sort` value), click again to reverse.
const SORT_JS: &str = "
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var tbody = th.closest('table').tBodies[0];
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    th.closest('tr').querySelectorAll('th').forEach(function(h){ h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var key = function(tr){ var td = tr.cells[col]; var v = td.getAttribute('data-sort'); return v === null ? td.textContent.trim().toLowerCase() : parseFloat(v); };
    Array.from(tbody.rows).sort(function(a, b){ var x = key(a), y = key(b); var c = x < y ? -1 : x > y ? 1 : 0; return asc ? c : -c; }).forEach(function(tr){ tbody.appendChild(tr); });
  });
});
";

/// The scan as one self-contained HTML page: totals, an SVG expiry timeline (which
/// endpoints stop working when, which are already broken), and a sortable table with
/// each endpoint's findings and their fixes.
pub fn render_html(f: &Fleet, tool_version: &str) -> String {
    let mut b = String::new();
    let (mut pass, mut warn, mut fail, mut no_chain) = (0usize, 0usize, 0usize, 0usize);
    for e in &f.endpoints {
        match e.verdict.as_str() {
            "pass" => pass += 1,
            "warn" => warn += 1,
            _ => fail += 1,
        }
        no_chain += usize::from(!e.probe_success);
    }
    let _ = writeln!(
        b,
        "<header><h1>bars-certcheck scan</h1><p class=\"muted\">{} endpoint(s): {pass} pass, {warn} warn, {fail} fail ({no_chain} with no chain) · judged at {} · warning window {} days</p></header>",
        f.endpoints.len(),
        escape(&bars_model::rfc3339(f.now)),
        f.warn_days
    );
    b.push_str("<section id=\"timeline\"><h2>Expiry timeline</h2>\n");
    b.push_str(&timeline_svg(f));
    b.push_str("</section>\n<section id=\"endpoints\"><h2>Endpoints</h2>\n<p class=\"muted\">Click a column to sort.</p>\n");
    b.push_str("<table class=\"sortable\"><thead><tr><th>endpoint</th><th>name</th><th>env</th><th>leaf CN</th><th>leaf expires</th><th>chain expires</th><th>days left</th><th>verdict</th><th>findings</th></tr></thead><tbody>\n");
    for (i, e) in f.endpoints.iter().enumerate() {
        let days = e.chain_not_after.map(|t| (t - f.now).div_euclid(DAY));
        let ids: Vec<String> = e
            .findings
            .iter()
            .map(|x| {
                format!(
                    "<code class=\"{}\" data-finding-id=\"{}\">{}</code>",
                    x.severity.as_str(),
                    escape(&x.id),
                    escape(&x.id)
                )
            })
            .collect();
        let error = e
            .error
            .as_deref()
            .map(|m| format!("<div class=\"muted\">no chain: {}</div>", escape(m)))
            .unwrap_or_default();
        let _ = writeln!(
            b,
            "<tr id=\"endpoint-{i}\"><td><a href=\"#detail-{i}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td data-sort=\"{}\">{}</td><td data-sort=\"{}\">{}</td><td class=\"num\" data-sort=\"{}\">{}</td><td data-sort=\"{}\"><span class=\"verdict {v}\">{}</span></td><td data-sort=\"{}\">{}{error}</td></tr>",
            escape(&e.target),
            escape(e.name.as_deref().unwrap_or("-")),
            escape(&e.environment),
            escape(e.leaf_cn.as_deref().unwrap_or("-")),
            e.leaf_not_after.unwrap_or(i64::MIN),
            e.leaf_not_after.map_or_else(|| "-".into(), date),
            e.chain_not_after.unwrap_or(i64::MIN),
            e.chain_not_after.map_or_else(|| "-".into(), date),
            days.unwrap_or(i64::MIN),
            days.map_or_else(|| "-".into(), |d| d.to_string()),
            verdict_value(&e.verdict),
            escape(&e.verdict.to_uppercase()),
            e.counts.errors * 10_000 + e.counts.warnings * 100 + e.counts.infos,
            ids.join(" "),
            v = escape(&e.verdict),
        );
    }
    b.push_str(
        "</tbody></table></section>\n<section id=\"details\"><h2>Findings by endpoint</h2>\n",
    );
    for (i, e) in f.endpoints.iter().enumerate() {
        if e.findings.is_empty() && e.error.is_none() {
            continue;
        }
        let _ = writeln!(
            b,
            "<h3 id=\"detail-{i}\"><code>{}</code> <span class=\"verdict {v}\">{}</span></h3>",
            escape(&e.target),
            escape(&e.verdict.to_uppercase()),
            v = escape(&e.verdict)
        );
        if let Some(m) = &e.error {
            let _ = writeln!(b, "<p class=\"note\">No chain: {}</p>", escape(m));
        }
        for x in &e.findings {
            finding_article(&mut b, None, &x.id, x.severity, &x.title, None, &x.fix);
        }
    }
    b.push_str("</section>\n");
    page("bars-certcheck scan", &b, tool_version, Some(SORT_JS))
}

/// One row per endpoint, soonest chain expiry first: a bar from now to the chain's
/// notAfter (green, amber inside the warning window, red when already expired), and a
/// red cross on the "now" line for endpoints that are broken (no chain, or failing).
fn timeline_svg(f: &Fleet) -> String {
    const W: i64 = 960;
    const LEFT: i64 = 260;
    const RIGHT: i64 = 30;
    const ROW: i64 = 24;
    const TOP: i64 = 34;
    let mut rows: Vec<&FleetEndpoint> = f.endpoints.iter().collect();
    rows.sort_by_key(|e| (e.chain_not_after.is_some(), e.chain_not_after));
    let expiries: Vec<i64> = rows.iter().filter_map(|e| e.chain_not_after).collect();
    let warn = i64::from(f.warn_days) * DAY;
    // The axis: from a little before the earliest expiry (or now) to the latest expiry,
    // at most three years ahead (later ones run off the right edge with an arrow).
    let start = expiries.iter().copied().min().unwrap_or(f.now).min(f.now) - 15 * DAY;
    let end = expiries
        .iter()
        .copied()
        .max()
        .unwrap_or(f.now)
        .max(f.now + warn + 30 * DAY)
        .min(f.now + 3 * 365 * DAY);
    let span = (end - start).max(DAY);
    let x = |t: i64| LEFT + (t.clamp(start, end) - start) * (W - LEFT - RIGHT) / span;
    let height = TOP + ROW * i64::try_from(rows.len()).unwrap_or(0) + 30;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"timeline\" role=\"img\" aria-label=\"expiry timeline\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\">"
    );
    // Month ticks (every 1, 3 or 6 months to keep about a dozen).
    let months = span / (30 * DAY);
    let step = if months <= 14 {
        1
    } else if months <= 40 {
        3
    } else {
        6
    };
    let mut t = start;
    let mut n = 0;
    while t <= end && n < 200 {
        let d = date(t);
        if d.ends_with("-01") {
            let m = d.get(5..7).and_then(|m| m.parse::<i64>().ok()).unwrap_or(1);
            if (m - 1) % step == 0 {
                let xx = x(t);
                let _ = writeln!(
                    s,
                    "<line x1=\"{xx}\" y1=\"{}\" x2=\"{xx}\" y2=\"{}\" stroke=\"#eaecf0\"/><text x=\"{xx}\" y=\"{}\" font-size=\"11\" fill=\"#475467\" text-anchor=\"middle\">{}</text>",
                    TOP - 6,
                    height - 24,
                    height - 8,
                    escape(d.get(..7).unwrap_or_default())
                );
            }
        }
        t += DAY;
        n = if d.ends_with("-01") { n + 1 } else { n };
    }
    let now_x = x(f.now);
    let warn_x = x(f.now + warn);
    let _ = writeln!(
        s,
        "<rect x=\"{now_x}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fffaeb\"/><line x1=\"{now_x}\" y1=\"{}\" x2=\"{now_x}\" y2=\"{}\" stroke=\"#101828\" stroke-width=\"2\"/><text x=\"{now_x}\" y=\"14\" font-size=\"12\" text-anchor=\"middle\" font-weight=\"600\">now {}</text><text x=\"{warn_x}\" y=\"28\" font-size=\"11\" fill=\"#b54708\" text-anchor=\"middle\">+{} days</text>",
        TOP - 6,
        (warn_x - now_x).max(0),
        height - TOP - 24,
        TOP - 10,
        height - 24,
        escape(&date(f.now)),
        f.warn_days
    );
    for (i, e) in rows.iter().enumerate() {
        let y = TOP + ROW * i64::try_from(i).unwrap_or(0);
        let label = e.name.clone().unwrap_or_else(|| e.target.clone());
        let broken = !e.probe_success || e.verdict == "fail";
        let _ = write!(
            s,
            "<g class=\"row{}\"><title>{}</title><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            if broken { " broken" } else { "" },
            escape(&format!(
                "{}: {}{}",
                e.target,
                e.chain_not_after
                    .map_or_else(|| "no chain".to_string(), |t| format!("chain expires {}", date(t))),
                if e.findings.is_empty() {
                    String::new()
                } else {
                    format!(
                        " · {}",
                        e.findings.iter().map(|x| x.id.as_str()).collect::<Vec<_>>().join(", ")
                    )
                }
            )),
            LEFT - 10,
            y + 15,
            escape(&clip(&label, 36))
        );
        if let Some(t) = e.chain_not_after {
            let colour = if t < f.now {
                "#b42318"
            } else if t < f.now + warn {
                "#f79009"
            } else {
                "#17b26a"
            };
            let (a, z) = if t < f.now {
                (x(t), now_x)
            } else {
                (now_x, x(t))
            };
            let _ = write!(
                s,
                "<rect x=\"{a}\" y=\"{}\" width=\"{}\" height=\"12\" rx=\"3\" fill=\"{colour}\"/><circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#101828\"/>",
                y + 5,
                (z - a).max(2),
                x(t),
                y + 11
            );
            if t > end {
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\">→ {}</text>",
                    W - RIGHT + 2,
                    y + 15,
                    escape(date(t).get(..4).unwrap_or_default())
                );
            }
        }
        if broken {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"16\" font-weight=\"700\" fill=\"#b42318\" text-anchor=\"middle\">✗</text>",
                now_x,
                y + 16
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}
