//! The CI, monitoring and picture formats of issue 16 over real certificates
//! (`fixtures/pki`): JUnit parsed by a real XML parser, OpenMetrics by the Prometheus
//! client's two parsers (`BARS_TEST_PROMETHEUS=1`), HTML rendered by headless Chromium
//! (`BARS_TEST_BROWSER=1`). The heavy checks print a loud `SKIPPED (why)` line when their
//! tool is not installed; `.ci/run` installs both and sets the variables.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bars_checks::{EnvSource, Finding as FindingView, Role, Severity as Level, Verdict};
use bars_model::{read_path, Certificate, Limits, NoPassword};
use bars_nhs::Environment;
use bars_report::diag::{CertView, ChainView, Report, TlsView};
use bars_report::fleet::{render_html, render_openmetrics, Fleet, FleetEndpoint};
use bars_report::junit::{self, InputProblem};
use bars_testsupport::browser::{render_in_chromium, tool_gate};
use std::path::PathBuf;
use std::process::Command;

/// 2027-01-01T00:00:00Z: every fixture leaf is valid then.
const NOW: i64 = 1_798_761_600;
const NASTY: &str = "<script>alert('x')</script> & \"quoted\"";

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn certs(rel: &str) -> Vec<Certificate> {
    read_path(&fixture(rel), &NoPassword, &Limits::default())
        .certificates()
        .cloned()
        .collect()
}

fn finding(id: &str, severity: Level, certificate: Option<usize>, detail: &str) -> FindingView {
    let kind = bars_checks::lookup(id).unwrap_or_else(|| panic!("{id} is in the catalogue"));
    let mut f = kind.finding(certificate, detail).with_fix(format!(
        "fix for {id}: run `bars-certcheck ca export --env int`"
    ));
    f.severity = severity;
    f.title = format!("title of {id}");
    f
}

/// A `check` over the int-good chain (leaf, sub-CA) with the test root, and a few
/// findings, one of them carrying markup.
fn check_report<'a>(chain: &'a [Certificate], root: &'a [Certificate]) -> Report<'a> {
    let mut certificates = vec![
        CertView {
            source: "file:certs/leaf & chain.pem".into(),
            role: Role::Leaf,
            summary: chain[0].summary(),
        },
        CertView {
            source: "file:certs/leaf & chain.pem".into(),
            role: Role::Intermediate,
            summary: chain[1].summary(),
        },
    ];
    certificates.push(CertView {
        source: "ca-option:root.pem".into(),
        role: Role::Root,
        summary: root[0].summary(),
    });
    Report {
        command: "check",
        target: "certs/leaf & chain.pem".into(),
        environment: Some(Environment::Int),
        environment_source: EnvSource::Forced,
        certificates,
        chains: vec![ChainView {
            leaf: 0,
            complete: false,
            valid: false,
            trusted_by: None,
            path: vec![0, 1, 2],
        }],
        tls: None,
        findings: vec![
            finding("chain.incomplete", Level::Error, Some(1), NASTY),
            finding(
                "cert.expiring-soon",
                Level::Warning,
                Some(0),
                "expires soon",
            ),
            finding("name.no-san", Level::Info, Some(0), "CN only"),
            finding("key.mismatch", Level::Error, None, "the key of key.pem"),
        ],
        notes: vec!["fetched, not sent: http://pki.nhs.uk/int/G2/auth/NHSINTAuthG2.crt".into()],
        verdict: Verdict::Fail,
        now: NOW,
        audit: None,
        error: None,
    }
}

fn probe_report<'a>(
    chain: &'a [Certificate],
    target: &str,
    findings: Vec<FindingView>,
) -> Report<'a> {
    Report {
        command: "probe",
        target: target.into(),
        environment: Some(Environment::Int),
        environment_source: EnvSource::Forced,
        certificates: chain
            .iter()
            .enumerate()
            .map(|(i, c)| CertView {
                source: "sent".into(),
                role: if i == 0 {
                    Role::Leaf
                } else {
                    Role::Intermediate
                },
                summary: c.summary(),
            })
            .collect(),
        chains: vec![ChainView {
            leaf: 0,
            complete: true,
            valid: true,
            trusted_by: Some("BaRS TEST INT Root".into()),
            path: (0..chain.len()).collect(),
        }],
        tls: Some(TlsView {
            version: Some("TLSv1.3".into()),
            cipher: Some("TLS13_AES_256_GCM_SHA384".into()),
            alpn: None,
            client_auth_requested: true,
            acceptable_client_cas: vec!["CN=BaRS TEST INT Root".into()],
        }),
        verdict: if findings.iter().any(|f| f.severity == Level::Error) {
            Verdict::Fail
        } else if findings.iter().any(|f| f.severity == Level::Warning) {
            Verdict::Warn
        } else {
            Verdict::Pass
        },
        findings,
        notes: Vec::new(),
        now: NOW,
        audit: None,
        error: None,
    }
}

fn fleet(chain: &[Certificate]) -> (Fleet, Vec<String>) {
    let good = probe_report(
        chain,
        "bars-int.example.nhs.uk:443",
        vec![finding("name.no-san", Level::Info, Some(0), "CN only")],
    );
    let expiring = probe_report(
        chain,
        "10.0.0.5:8443",
        vec![finding(
            "cert.expiring-soon",
            Level::Warning,
            Some(0),
            "soon",
        )],
    );
    let mut bad = probe_report(
        chain,
        "receiver.example.nhs.uk:443",
        vec![
            finding(
                "tls.no-client-auth",
                Level::Error,
                None,
                "no CertificateRequest",
            ),
            finding("cert.expired", Level::Error, Some(0), "expired"),
        ],
    );
    bad.now = NOW;
    let endpoints = vec![
        FleetEndpoint::from_report(&good, Some("GP \"North\" \\ East".into())),
        FleetEndpoint::from_report(&expiring, None),
        FleetEndpoint::from_report(&bad, Some(NASTY.into())),
        FleetEndpoint::no_chain(
            "down.example.nhs.uk:443",
            None,
            "timeout: no answer in 5 s",
            None,
        ),
    ];
    let ids = vec![
        "name.no-san".to_string(),
        "cert.expiring-soon".into(),
        "tls.no-client-auth".into(),
        "cert.expired".into(),
    ];
    (
        Fleet {
            endpoints,
            now: NOW,
            warn_days: 30,
        },
        ids,
    )
}

// ------------------------------------------------------------------ JUnit

#[test]
fn junit_is_well_formed_with_a_case_per_leaf_and_per_unreadable_input() {
    let chain = certs("pki/int-good/chain.pem");
    let root = certs("pki/int/root.pem");
    let r = check_report(&chain, &root);
    let problems = [InputProblem::from(&bars_model::ReadError::new(
        "broken <1>.pem",
        bars_model::ReadErrorKind::BadPem {
            block: 1,
            reason: "bad base64".into(),
        },
    ))];
    let xml = junit::render("check", std::slice::from_ref(&r), &problems, Level::Error);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].attribute("tests"), Some("2"));
    assert_eq!(suites[0].attribute("failures"), Some("2"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(names, ["certs/leaf & chain.pem", "broken <1>.pem"]);
    let failures = |c: &roxmltree::Node<'_, '_>| -> Vec<(String, String)> {
        c.children()
            .filter(|n| n.has_tag_name("failure"))
            .map(|n| {
                (
                    n.attribute("type").unwrap().to_string(),
                    n.attribute("message").unwrap().to_string(),
                )
            })
            .collect()
    };
    // Errors fail (the one naming no certificate too); the warning and info are output.
    assert_eq!(
        failures(&cases[0]),
        [
            (
                "chain.incomplete".to_string(),
                "title of chain.incomplete".to_string()
            ),
            (
                "key.mismatch".to_string(),
                "title of key.mismatch".to_string()
            )
        ]
    );
    let text: String = cases[0]
        .descendants()
        .filter(|n| n.is_text())
        .map(|n| n.text().unwrap())
        .collect();
    assert!(text.contains(NASTY), "markup survives as text: {text}");
    assert!(text.contains("cert.expiring-soon") && text.contains("name.no-san"));
    assert_eq!(
        failures(&cases[1]),
        [(
            "input.unreadable".to_string(),
            "PEM block 1: bad base64".to_string()
        )]
    );
    // --fail-on warning: the warning becomes a failure too.
    let xml = junit::render("check", &[r], &[], Level::Warning);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let n = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(n, 3);
}

#[test]
fn junit_for_a_scan_names_each_endpoint() {
    let chain = certs("pki/int-good/chain.pem");
    let reports = vec![
        probe_report(&chain, "a.example.nhs.uk:443", vec![]),
        probe_report(
            &chain,
            "b.example.nhs.uk:8443",
            vec![finding("tls.no-client-auth", Level::Error, None, "x")],
        ),
    ];
    let problems = [InputProblem {
        name: "c.example.nhs.uk:443".into(),
        id: "network.timeout".into(),
        message: "no answer in 5 s".into(),
    }];
    let xml = junit::render("scan", &reports, &problems, Level::Error);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "a.example.nhs.uk:443",
            "b.example.nhs.uk:8443",
            "c.example.nhs.uk:443"
        ]
    );
    assert!(
        xml.contains("<testcase name=\"a.example.nhs.uk:443\" classname=\"bars-certcheck.scan\"/>")
    );
}

// ------------------------------------------------------------------ HTML

/// No `src`, no `<link>`, no CSS `url()`, no `@import`: nothing is fetched from anywhere.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in [
        " src=", "<link", "url(", "@import", "<iframe", "<img", "<object", "<embed",
    ] {
        assert!(!lower.contains(banned), "{banned} in the page");
    }
    assert!(lower.starts_with("<!doctype html>"));
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let chain = certs("pki/int-good/chain.pem");
    let root = certs("pki/int/root.pem");
    let r = check_report(&chain, &root);
    let html = bars_report::html::render(&r, "0.1.0");
    assert_self_contained(&html);
    assert!(!html.contains("<script>alert"), "finding text is escaped");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;")
    );
    for f in &r.findings {
        assert!(
            html.contains(&format!("data-finding-id=\"{}\"", f.id())),
            "{}",
            f.id()
        );
        assert!(html.contains(&f.fix), "{}", f.fix);
    }
    // The chain diagram: a node per certificate of the path, each with its mark.
    assert_eq!(html.matches("<g class=\"node ").count(), 3);
    assert!(html.contains("<g class=\"node error\" data-certificate=\"1\">"));
    assert!(html.contains("<g class=\"node warning\" data-certificate=\"0\">"));
    assert!(html.contains("no complete path to a trusted root"));
    let fleet_html = render_html(&fleet(&chain).0, "0.1.0");
    assert_self_contained(&fleet_html);
    assert!(!fleet_html.contains("<script>alert"));
    assert_eq!(
        fleet_html.matches("<script>").count(),
        1,
        "the sort script only"
    );
}

// ------------------------------------------------------------------ OpenMetrics

#[test]
fn openmetrics_shape() {
    let chain = certs("pki/int-good/chain.pem");
    let (f, _) = fleet(&chain);
    let text = render_openmetrics(&f);
    assert!(text.ends_with("# EOF\n"));
    assert_eq!(text.matches("# EOF").count(), 1);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        // name{labels} value: no timestamp after the value.
        let value_part = line.rsplit_once("} ").unwrap().1;
        assert!(!value_part.contains(' '), "{line}");
        value_part.parse::<i64>().unwrap();
    }
    for family in [
        "bars_certcheck_leaf_not_after_seconds",
        "bars_certcheck_chain_not_after_seconds",
        "bars_certcheck_probe_success",
        "bars_certcheck_findings",
        "bars_certcheck_verdict",
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} gauge\n")),
            "{family}"
        );
    }
    assert!(!text.contains("counter") && !text.contains("histogram"));
    // The endpoint with no chain has no expiry series, but is there with success 0.
    assert!(text.contains("bars_certcheck_probe_success{endpoint=\"down.example.nhs.uk:443\",name=\"\",environment=\"unknown\",leaf_cn=\"\"} 0"));
    assert!(!text.contains("bars_certcheck_leaf_not_after_seconds{endpoint=\"down"));
    assert!(text.contains("name=\"GP \\\"North\\\" \\\\ East\""));
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bars-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn openmetrics_parses_with_both_prometheus_parsers() {
    if !tool_gate(
        "BARS_TEST_PROMETHEUS",
        "the Prometheus Python client (pip install prometheus-client)",
    ) {
        return;
    }
    let chain = certs("pki/int-good/chain.pem");
    let (f, _) = fleet(&chain);
    let d = tmpdir("metrics");
    let path = d.join("scan.prom");
    std::fs::write(&path, render_openmetrics(&f)).unwrap();
    let script = r#"
import sys
from prometheus_client.parser import text_string_to_metric_families as prom
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
text = open(sys.argv[1]).read()
for name, parse in (("prometheus", prom), ("openmetrics", om)):
    fams = list(parse(text))
    assert sorted(f.name for f in fams) == sorted([
        "bars_certcheck_leaf_not_after_seconds", "bars_certcheck_chain_not_after_seconds",
        "bars_certcheck_probe_success", "bars_certcheck_findings", "bars_certcheck_verdict"]), (name, [f.name for f in fams])
    for f in fams:
        assert f.type == "gauge", (name, f.name, f.type)
        for s in f.samples:
            assert s.timestamp is None, (name, s)
            assert set(s.labels) >= {"endpoint", "name", "environment", "leaf_cn"}, (name, s)
    names = {s.labels["name"] for f in fams for s in f.samples}
    assert 'GP "North" \\ East' in names, (name, names)
    print(name, "ok", sum(len(f.samples) for f in fams), "samples")
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&d);
}

// ------------------------------------------------------------------ browser

#[test]
fn html_reports_render_in_a_real_browser() {
    if !tool_gate(
        "BARS_TEST_BROWSER",
        "headless Chromium (Debian package chromium)",
    ) {
        return;
    }
    let chain = certs("pki/int-good/chain.pem");
    let root = certs("pki/int/root.pem");
    let d = tmpdir("browser");
    let r = check_report(&chain, &root);
    let ids: Vec<String> = r.findings.iter().map(|f| f.id().to_string()).collect();
    render_in_chromium(&d, "check", &bars_report::html::render(&r, "test"), &ids).unwrap();
    let p = probe_report(
        &chain,
        "bars-int.example.nhs.uk:443",
        vec![finding(
            "tls.client-ca-hints",
            Level::Warning,
            None,
            "hints",
        )],
    );
    render_in_chromium(
        &d,
        "probe",
        &bars_report::html::render(&p, "test"),
        &["tls.client-ca-hints".into()],
    )
    .unwrap();
    let (f, ids) = fleet(&chain);
    render_in_chromium(&d, "scan", &render_html(&f, "test"), &ids).unwrap();
    let _ = std::fs::remove_dir_all(&d);
}
