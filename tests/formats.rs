//! The CI, monitoring and picture formats of issue 16 through the binary: `--format junit`
//! and `--format html` for `check` and `probe`, and `junit`, `openmetrics` and `html` for
//! `scan`, over the committed test PKI (fixtures/pki, judged at 2027-01-01 with the test
//! INT root given by --ca) and real TLS servers on 127.0.0.1. JUnit is read by a real XML
//! parser; OpenMetrics by the Prometheus client's two parsers (`BARS_TEST_PROMETHEUS=1`);
//! HTML rendered by headless Chromium (`BARS_TEST_BROWSER=1`). Without their tool, those
//! two print a loud SKIPPED line (as crates/report/tests/formats.rs does); `.ci/run`
//! installs both and sets the variables.

use crate::util::{base64_decode, fixture, run, Run};
use bars_testsupport::browser::{render_in_chromium, tool_gate};
use bars_testsupport::{spawn_tls, ClientAuthMode, ClientCas, ServerHandle, TlsServerSpec};
use std::path::{Path, PathBuf};
use std::process::Command;

const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
const AT: &str = "2027-01-01T00:00:00Z";

/// The DER blocks of a PEM file under fixtures/.
fn pem_ders(rel: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(fixture(rel)).unwrap();
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("-----BEGIN") {
            body = Some(String::new());
        } else if line.starts_with("-----END") {
            out.push(base64_decode(&body.take().unwrap()));
        } else if let Some(b) = body.as_mut() {
            b.push_str(line.trim());
        }
    }
    out
}

/// A Receiver on 127.0.0.1 serving `chain` (asking for a client certificate, advertising
/// the test INT root).
fn receiver(chain: &str, key: &str) -> (String, ServerHandle) {
    let spec = TlsServerSpec {
        chain: pem_ders(chain),
        key_pkcs8: pem_ders(key).remove(0),
        client_auth: ClientAuthMode::Required(ClientCas {
            roots: pem_ders("pki/int/root.pem"),
            advertise: None,
        }),
        tls12_only: false,
        ocsp: None,
    };
    let (addr, h) = spawn_tls(&spec).unwrap();
    (addr.to_string(), h)
}

/// A port on 127.0.0.1 with nothing listening (bound, then closed).
fn dead_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

fn ca_int() -> String {
    format!("int:{}", fixture("pki/int/root.pem").display())
}

fn f(rel: &str) -> String {
    fixture(rel).display().to_string()
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bars-cli-formats-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One `<testcase>`: its name and its failures as (type, message).
#[derive(Debug, PartialEq, Eq)]
struct Case {
    name: String,
    failures: Vec<(String, String)>,
}

/// Parses a JUnit document with a real XML parser: one suite, whose `tests` and
/// `failures` counts agree with its test cases.
#[track_caller]
fn junit_cases(r: &Run) -> Vec<Case> {
    let doc = roxmltree::Document::parse(&r.stdout)
        .unwrap_or_else(|e| panic!("not well-formed XML ({e}): {r}"));
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1, "{r}");
    let cases: Vec<Case> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|c| Case {
            name: c.attribute("name").unwrap().to_string(),
            failures: c
                .children()
                .filter(|n| n.has_tag_name("failure"))
                .map(|n| {
                    (
                        n.attribute("type").unwrap().to_string(),
                        n.attribute("message").unwrap().to_string(),
                    )
                })
                .collect(),
        })
        .collect();
    assert_eq!(
        suites[0].attribute("tests"),
        Some(cases.len().to_string().as_str()),
        "{r}"
    );
    let failing = cases.iter().filter(|c| !c.failures.is_empty()).count();
    assert_eq!(
        suites[0].attribute("failures"),
        Some(failing.to_string().as_str()),
        "{r}"
    );
    cases
}

fn failure_types(c: &Case) -> Vec<&str> {
    c.failures.iter().map(|(t, _)| t.as_str()).collect()
}

/// The same command in each format: the exit code does not depend on the format.
#[track_caller]
fn same_exit_in_every_format(args: &[&str], formats: &[&str]) -> i32 {
    let codes: Vec<(String, i32)> = formats
        .iter()
        .map(|fmt| {
            let mut a = args.to_vec();
            a.extend(["--format", fmt]);
            (fmt.to_string(), run(&a).code)
        })
        .collect();
    let first = codes[0].1;
    assert!(
        codes.iter().all(|(_, c)| *c == first),
        "exit codes differ by format: {codes:?} for {args:?}"
    );
    first
}

// ------------------------------------------------------------------ JUnit

#[test]
fn check_junit_has_a_case_per_leaf_and_per_unreadable_input() {
    let d = tmpdir("junit-check");
    let broken = d.join("broken <1>.pem");
    std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
    let broken = broken.display().to_string();
    let (good, expired) = (f("pki/int-good/leaf.pem"), f("pki/cert-expired/chain.pem"));
    let ca = ca_int();
    let base = [
        "check",
        good.as_str(),
        &f("pki/int/subca.pem"),
        expired.as_str(),
        broken.as_str(),
        "--env",
        "int",
        "--ca",
        &ca,
        "--at",
        AT,
    ];
    let mut args = base.to_vec();
    args.extend(["--format", "junit"]);
    let r = run(&args);
    r.code(2); // an unreadable input, as in every format
    let cases = junit_cases(&r);
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [good.as_str(), expired.as_str(), broken.as_str()],
        "{r}"
    );
    assert_eq!(failure_types(&cases[0]), Vec::<&str>::new(), "{r}");
    assert_eq!(failure_types(&cases[1]), ["cert.expired"], "{r}");
    assert_eq!(
        cases[1].failures[0].1, "A certificate in the path has expired",
        "the message is the finding's title: {r}"
    );
    assert_eq!(failure_types(&cases[2]), ["input.unreadable"], "{r}");
    assert_eq!(
        same_exit_in_every_format(&base, &["text", "json", "junit", "html"]),
        2
    );

    // Without the unreadable input: exit 1 for the expired leaf, in every format; with
    // --fail-on warning the info finding (name.no-san) still does not fail a case.
    let readable = &base[..base.len() - 7];
    let mut args = readable.to_vec();
    args.extend(["--env", "int", "--ca", &ca, "--at", AT]);
    assert_eq!(
        same_exit_in_every_format(&args, &["text", "junit", "html"]),
        1
    );
    args.extend(["--fail-on", "warning", "--format", "junit"]);
    let r = run(&args);
    r.code(1);
    let cases = junit_cases(&r);
    assert_eq!(cases.len(), 2, "{r}");
    assert!(cases[0].failures.is_empty(), "{r}");
    assert!(
        r.stdout.contains("name.no-san"),
        "below the threshold, as output: {r}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn probe_junit_fails_on_findings_and_on_no_chain() {
    let (addr, _h) = receiver("pki/chain-incomplete/leaf.pem", "pki/int-good/leaf.key");
    let ca = ca_int();
    let args = [
        "probe",
        &addr,
        "--sni",
        FQDN,
        "--ca",
        &ca,
        "--at",
        AT,
        "--timeout",
        "5",
    ];
    let code = same_exit_in_every_format(&args, &["text", "json", "junit", "html"]);
    assert_eq!(code, 1);
    let mut a = args.to_vec();
    a.extend(["--format", "junit"]);
    let r = run(&a);
    r.code(1);
    let cases = junit_cases(&r);
    assert_eq!(cases.len(), 1, "{r}");
    assert_eq!(cases[0].name, addr, "the case is named host:port: {r}");
    assert!(
        failure_types(&cases[0]).contains(&"chain.incomplete"),
        "{r}"
    );

    // No chain at all: exit 3 in every format, and a failing case naming the endpoint.
    let dead = dead_port();
    let args = ["probe", &dead, "--timeout", "2"];
    assert_eq!(
        same_exit_in_every_format(&args, &["text", "json", "junit", "html"]),
        3
    );
    let r = run(&["probe", &dead, "--timeout", "2", "--format", "junit"]);
    r.code(3);
    let cases = junit_cases(&r);
    assert_eq!(cases.len(), 1, "{r}");
    assert_eq!(cases[0].name, dead, "{r}");
    assert_eq!(failure_types(&cases[0]), ["network.refused"], "{r}");
}

// ------------------------------------------------------------------ scan

/// A fleet on 127.0.0.1: a good Receiver, an expired one, one sending no intermediate,
/// and a dead port; the CSV list names each.
struct Fleet {
    _servers: Vec<ServerHandle>,
    addrs: Vec<String>,
    list: PathBuf,
    dir: PathBuf,
}

fn fleet(name: &str) -> Fleet {
    let (good, h1) = receiver("pki/int-good/chain.pem", "pki/int-good/leaf.key");
    let (expired, h2) = receiver("pki/cert-expired/chain.pem", "pki/keys/cert-expired.pem");
    let (incomplete, h3) = receiver("pki/chain-incomplete/leaf.pem", "pki/int-good/leaf.key");
    let dead = dead_port();
    let addrs = vec![good, expired, incomplete, dead];
    let dir = tmpdir(name);
    let mut csv = String::from("name,host,port,sni\n");
    for (a, label) in addrs
        .iter()
        .zip(["GP \"North\" \\ East", "expired", "incomplete", "down"])
    {
        let (host, port) = a.rsplit_once(':').unwrap();
        let quoted = label.replace('"', "\"\"");
        csv.push_str(&format!("\"{quoted}\",{host},{port},{FQDN}\n"));
    }
    let list = dir.join("receivers.csv");
    std::fs::write(&list, csv).unwrap();
    Fleet {
        _servers: vec![h1, h2, h3],
        addrs,
        list,
        dir,
    }
}

fn scan_args(fl: &Fleet) -> Vec<String> {
    [
        "scan",
        &fl.list.display().to_string(),
        "--ca",
        &ca_int(),
        "--at",
        AT,
        "--timeout",
        "3",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn scan(fl: &Fleet, format: &str) -> Run {
    let mut a = scan_args(fl);
    a.extend(["--format".to_string(), format.to_string()]);
    run(&a)
}

#[test]
fn scan_junit_has_a_case_per_endpoint_in_list_order() {
    let fl = fleet("scan-junit");
    let r = scan(&fl, "junit");
    r.code(1);
    let cases = junit_cases(&r);
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, fl.addrs, "{r}");
    assert!(cases[0].failures.is_empty(), "{r}");
    assert!(failure_types(&cases[1]).contains(&"cert.expired"), "{r}");
    assert!(
        failure_types(&cases[2]).contains(&"chain.incomplete"),
        "{r}"
    );
    assert_eq!(failure_types(&cases[3]), ["network.refused"], "{r}");
    let args = scan_args(&fl);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(
        same_exit_in_every_format(
            &args,
            &["text", "csv", "json", "junit", "openmetrics", "html"]
        ),
        1
    );
    let _ = std::fs::remove_dir_all(&fl.dir);
}

/// The samples of an OpenMetrics text: (metric name, labels text, value).
fn samples(text: &str) -> Vec<(String, String, i64)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (series, value) = l.rsplit_once("} ").unwrap_or_else(|| panic!("{l}"));
            let (name, labels) = series.split_once('{').unwrap();
            (name.to_string(), labels.to_string(), value.parse().unwrap())
        })
        .collect()
}

#[test]
fn scan_openmetrics_from_real_servers() {
    let fl = fleet("scan-metrics");
    let r = scan(&fl, "openmetrics");
    r.code(1);
    let text = &r.stdout;
    assert!(text.ends_with("# EOF\n"), "{r}");
    assert_eq!(text.matches("# EOF").count(), 1);
    for family in [
        "bars_certcheck_leaf_not_after_seconds",
        "bars_certcheck_chain_not_after_seconds",
        "bars_certcheck_probe_success",
        "bars_certcheck_findings",
        "bars_certcheck_verdict",
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} gauge\n")),
            "{family}: {r}"
        );
    }
    let s = samples(text);
    let value = |name: &str, endpoint: &str| {
        s.iter()
            .find(|(n, l, _)| n == name && l.contains(&format!("endpoint=\"{endpoint}\"")))
            .map(|(_, _, v)| *v)
    };
    // int-good's leaf expires 2028-01-01; the dead port has no expiry and success 0.
    let good = &fl.addrs[0];
    assert_eq!(
        value("bars_certcheck_leaf_not_after_seconds", good),
        Some(1_830_297_600),
        "{r}"
    );
    assert_eq!(value("bars_certcheck_probe_success", good), Some(1), "{r}");
    assert_eq!(value("bars_certcheck_verdict", good), Some(0), "{r}");
    assert_eq!(
        value("bars_certcheck_verdict", &fl.addrs[1]),
        Some(2),
        "{r}"
    );
    let dead = &fl.addrs[3];
    assert_eq!(value("bars_certcheck_probe_success", dead), Some(0), "{r}");
    assert_eq!(
        value("bars_certcheck_leaf_not_after_seconds", dead),
        None,
        "{r}"
    );
    assert!(
        text.contains(&format!(
            "bars_certcheck_probe_success{{endpoint=\"{good}\",name=\"GP \\\"North\\\" \\\\ East\",environment=\"int\",leaf_cn=\"{FQDN}\"}} 1"
        )),
        "labels endpoint, name (escaped), environment, leaf_cn: {r}"
    );
    for (_, labels, _) in &s {
        for l in ["endpoint=", "name=", "environment=", "leaf_cn="] {
            assert!(labels.contains(l), "{labels}");
        }
    }
    if tool_gate(
        "BARS_TEST_PROMETHEUS",
        "the Prometheus Python client (pip install prometheus-client)",
    ) {
        let path = fl.dir.join("scan.prom");
        std::fs::write(&path, text).unwrap();
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
    n = 0
    for f in fams:
        assert f.type == "gauge", (name, f.name, f.type)
        for s in f.samples:
            n += 1
            assert s.timestamp is None, (name, s)
            assert set(s.labels) >= {"endpoint", "name", "environment", "leaf_cn"}, (name, s)
    names = {s.labels["name"] for f in fams for s in f.samples}
    assert 'GP "North" \\ East' in names, (name, names)
    print(name, "ok", n, "samples")
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
    }
    let _ = std::fs::remove_dir_all(&fl.dir);
}

// ------------------------------------------------------------------ HTML

/// Nothing is fetched from anywhere: no `src`, no `<link>`, no CSS `url()` or `@import`
/// (so no `http(s)://` in any of them).
#[track_caller]
fn assert_self_contained(r: &Run) {
    let lower = r.stdout.to_ascii_lowercase();
    assert!(lower.starts_with("<!doctype html>"), "{r}");
    for banned in [
        " src=", "<link", "url(", "@import", "<iframe", "<img", "<object", "<embed",
    ] {
        assert!(!lower.contains(banned), "{banned} in the page: {r}");
    }
}

/// The finding ids of a JSON document (`check`/`probe`), or of every endpoint of a
/// `scan --format json`.
fn finding_ids(doc: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let docs = match doc["endpoints"].as_array() {
        Some(eps) => eps.clone(),
        None => vec![doc.clone()],
    };
    for d in docs {
        for f in d["findings"].as_array().unwrap() {
            let id = f["id"].as_str().unwrap().to_string();
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// `args` as HTML (self-contained, every finding id of its JSON twin in it), rendered in
/// Chromium when it is installed.
fn html_case(dir: &Path, name: &str, args: &[String]) {
    let with = |fmt: &str| {
        let mut a = args.to_vec();
        a.extend(["--format".to_string(), fmt.to_string()]);
        run(&a)
    };
    let html = with("html");
    let json = with("json");
    assert_eq!(html.code, json.code, "{html}");
    assert_self_contained(&html);
    let ids = finding_ids(&json.json());
    assert!(!ids.is_empty(), "{json}");
    for id in &ids {
        assert!(
            html.stdout.contains(&format!("data-finding-id=\"{id}\"")),
            "{name}: {id} not in the page: {html}"
        );
    }
    if std::env::var("BARS_TEST_BROWSER").as_deref() == Ok("1") {
        render_in_chromium(dir, name, &html.stdout, &ids).unwrap();
    }
}

#[test]
fn html_of_check_probe_and_scan_is_self_contained_and_renders_in_a_browser() {
    let browser = tool_gate(
        "BARS_TEST_BROWSER",
        "headless Chromium (Debian package chromium)",
    );
    let d = tmpdir("html");
    let ca = ca_int();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    html_case(
        &d,
        "check",
        &s(&[
            "check",
            &f("pki/chain-incomplete/leaf.pem"),
            &f("pki/cert-expired/chain.pem"),
            "--env",
            "int",
            "--ca",
            &ca,
            "--at",
            AT,
        ]),
    );
    let (addr, _h) = receiver("pki/chain-incomplete/leaf.pem", "pki/int-good/leaf.key");
    html_case(
        &d,
        "probe",
        &s(&["probe", &addr, "--sni", FQDN, "--ca", &ca, "--at", AT]),
    );
    let fl = fleet("html-scan");
    html_case(&d, "scan", &scan_args(&fl));
    if browser {
        // The screenshots and DOM dumps were checked in html_case.
        assert!(d.join("scan.png").exists() && d.join("check.png").exists());
    }
    let _ = std::fs::remove_dir_all(&fl.dir);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn help_lists_the_new_formats() {
    for (cmd, formats) in [
        ("check", &["junit", "html"][..]),
        ("probe", &["junit", "html"][..]),
        ("scan", &["junit", "openmetrics", "html"][..]),
    ] {
        let r = run(&[cmd, "--help"]);
        r.code(0);
        // The --format entry, its wrapped lines joined.
        let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        let (_, entry) = text
            .split_once("--format <FORMAT>")
            .unwrap_or_else(|| panic!("no --format in {cmd} --help: {r}"));
        let (described, rest) = entry
            .split_once("[possible values: ")
            .unwrap_or_else(|| panic!("{cmd}: {entry}"));
        let values = rest.split_once(']').unwrap().0;
        let values: Vec<&str> = values.split(", ").collect();
        for fmt in formats {
            assert!(
                values.contains(fmt),
                "{cmd} --help: {fmt} not in {values:?}"
            );
            assert!(
                described.contains(fmt),
                "{cmd} --help describes {fmt}: {described}"
            );
        }
    }
}

// ------------------------------------------------------------------ tools
