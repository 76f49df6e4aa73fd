//! `scan`: the real binary against a fleet of in-process servers on 127.0.0.1 (one thread,
//! one runtime, many listeners), over the committed test PKI (fixtures/pki, judged at
//! 2027-01-01 with the test INT root given by --ca).

use crate::schema::assert_valid;
use crate::util::{base64_decode, fixture, run, Run};
use bars_testsupport::{
    spawn_fleet, ClientAuthMode, ClientCas, FleetKind, Hostile, ServerHandle, TlsServerSpec,
};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

fn spec(chain: &str, key: &str, client_auth: ClientAuthMode) -> TlsServerSpec {
    TlsServerSpec {
        chain: pem_ders(chain),
        key_pkcs8: pem_ders(key).remove(0),
        client_auth,
        tls12_only: false,
        ocsp: None,
    }
}

/// A Receiver: requires a client certificate, advertises the test INT root.
fn receiver() -> ClientAuthMode {
    ClientAuthMode::Required(ClientCas {
        roots: pem_ders("pki/int/root.pem"),
        advertise: None,
    })
}

/// The kinds of endpoint in the fleet, and how many of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Good,
    Expired,
    Expiring,
    Incomplete,
    NoClientAuth,
    /// No client auth, judged as `public` by the row's env column.
    NoClientAuthPublic,
    Dead,
    Silent,
}

fn fleet_kind(k: Kind) -> FleetKind {
    let good = "pki/int-good/leaf.key";
    match k {
        Kind::Good => FleetKind::Tls(spec("pki/int-good/chain.pem", good, receiver())),
        Kind::Expired => FleetKind::Tls(spec(
            "pki/cert-expired/chain.pem",
            "pki/keys/cert-expired.pem",
            receiver(),
        )),
        Kind::Expiring => FleetKind::Tls(spec(
            "pki/cert-expiring-soon/chain.pem",
            "pki/keys/cert-expiring-soon.pem",
            receiver(),
        )),
        Kind::Incomplete => FleetKind::Tls(spec("pki/chain-incomplete/leaf.pem", good, receiver())),
        Kind::NoClientAuth | Kind::NoClientAuthPublic => {
            FleetKind::Tls(spec("pki/int-good/chain.pem", good, ClientAuthMode::None))
        }
        Kind::Silent => FleetKind::Hostile(Hostile::Silent),
        Kind::Dead => unreachable!("dead ports have no listener"),
    }
}

/// Listeners for each kind (dead ports: bound, then closed), one thread for them all.
fn start(counts: &[(Kind, usize)]) -> (Vec<(Kind, SocketAddr)>, ServerHandle) {
    let live: Vec<(Kind, usize)> = counts
        .iter()
        .copied()
        .filter(|(k, _)| *k != Kind::Dead)
        .collect();
    let groups: Vec<(FleetKind, usize)> = live.iter().map(|(k, n)| (fleet_kind(*k), *n)).collect();
    let (addrs, handle) = spawn_fleet(&groups, 1).unwrap();
    let mut out = Vec::new();
    for ((kind, _), group) in live.iter().zip(addrs) {
        out.extend(group.into_iter().map(|a| (*kind, a)));
    }
    // All dead ports are held until every one is chosen: a port closed at once could be
    // handed out again by the next bind, and a repeated address is scanned only once.
    let mut dead = Vec::new();
    for (kind, n) in counts {
        if *kind == Kind::Dead {
            for _ in 0..*n {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                out.push((Kind::Dead, l.local_addr().unwrap()));
                dead.push(l);
            }
        }
    }
    drop(dead);
    // Interleave the kinds so that the list order is not the kind order.
    out.sort_by_key(|(_, a)| (u32::from(a.port()) * 7919) % 65_521);
    (out, handle)
}

/// A CSV list: host, port, sni, env (only the public rows), name.
fn csv_list(endpoints: &[(Kind, SocketAddr)]) -> String {
    let mut csv = String::from("name,host,port,sni,env\n");
    for (i, (kind, addr)) in endpoints.iter().enumerate() {
        let env = if *kind == Kind::NoClientAuthPublic {
            "public"
        } else {
            ""
        };
        csv.push_str(&format!(
            "\"{kind:?}, #{i}\",{},{},{FQDN},{env}\n",
            addr.ip(),
            addr.port()
        ));
    }
    csv
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn ca_int() -> String {
    format!("int:{}", fixture("pki/int/root.pem").display())
}

fn scan(list: &str, extra: &[&str]) -> Run {
    let ca = ca_int();
    let mut args = vec!["scan", list, "--at", AT, "--ca", &ca, "--timeout", "2"];
    args.extend_from_slice(extra);
    run(&args)
}

fn ids(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// Runs the binary with `stdin` as its standard input.
fn run_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bars-certcheck"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .current_dir(crate::util::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn two_hundred_endpoints_each_diagnosed_within_the_time_bound() {
    let counts = [
        (Kind::Good, 40),
        (Kind::Expired, 25),
        (Kind::Expiring, 25),
        (Kind::Incomplete, 25),
        (Kind::NoClientAuth, 20),
        (Kind::NoClientAuthPublic, 5),
        (Kind::Dead, 30),
        (Kind::Silent, 30),
    ];
    let (endpoints, _servers) = start(&counts);
    assert_eq!(endpoints.len(), 200);
    let dir = tempfile::tempdir().unwrap();
    // Two malformed rows among them: reported with their line numbers, skipped.
    let mut csv = csv_list(&endpoints);
    csv.push_str("bad,127.0.0.1,99999,,\nworse,,,,\n");
    let list = write(dir.path(), "fleet.csv", &csv);

    let (concurrency, timeout) = (50usize, 2.0f64);
    let started = Instant::now();
    let r = scan(&list, &["--concurrency", "50", "--format", "json"]);
    let took = started.elapsed();
    r.code(1);
    let bound = Duration::from_secs_f64((200 / concurrency + 1) as f64 * timeout);
    assert!(
        took < bound,
        "200 endpoints took {took:?} (bound {bound:?})"
    );
    assert!(r.stderr.contains(":202:"), "{}", r.stderr);
    assert!(r.stderr.contains(":203: no host"), "{}", r.stderr);

    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["command"], "scan");
    let docs = doc["endpoints"].as_array().unwrap();
    assert_eq!(docs.len(), 200);
    // In list order, each with its host:port as target.
    for ((kind, addr), d) in endpoints.iter().zip(docs) {
        assert_eq!(d["command"], "probe");
        assert_eq!(d["target"], addr.to_string(), "{kind:?}");
        let found = ids(d);
        let has = |id: &str| found.iter().any(|f| f == id);
        let why = format!("{kind:?} {addr}: {d:#}");
        match kind {
            Kind::Good => {
                assert_eq!(d["verdict"], "pass", "{why}");
                // It requires a client certificate, so it refused the probe (info).
                assert_eq!(found, ["name.no-san", "tls.handshake-failed"], "{why}");
                assert_eq!(d["environment"], "int", "{why}");
                assert_eq!(d["tls"]["client_auth_requested"], true, "{why}");
                assert_eq!(d["chain"]["complete"], true, "{why}");
            }
            Kind::Expired => {
                assert!(has("cert.expired"), "{why}");
                assert_eq!(d["verdict"], "fail", "{why}");
            }
            Kind::Expiring => {
                assert!(has("cert.expiring-soon"), "{why}");
                assert_eq!(d["verdict"], "warn", "{why}");
            }
            Kind::Incomplete => {
                assert!(has("chain.incomplete"), "{why}");
                assert_eq!(d["verdict"], "fail", "{why}");
            }
            Kind::NoClientAuth => {
                assert!(has("tls.no-client-auth"), "{why}");
                assert_eq!(d["tls"]["client_auth_requested"], false, "{why}");
                assert_eq!(d["verdict"], "fail", "{why}");
            }
            Kind::NoClientAuthPublic => {
                assert_eq!(d["environment"], "public", "{why}");
                assert!(!has("tls.no-client-auth"), "{why}");
            }
            Kind::Dead | Kind::Silent => {
                let want = if *kind == Kind::Dead {
                    "refused"
                } else {
                    "timeout"
                };
                assert_eq!(d["error"]["kind"], want, "{why}");
                assert_eq!(d["certificates"], serde_json::json!([]), "{why}");
                assert!(d["chain"].is_null() && d["tls"].is_null(), "{why}");
                assert_eq!(d["verdict"], "fail", "{why}");
            }
        }
    }
    let s = &doc["summary"];
    assert_eq!(s["endpoints"], 200);
    assert_eq!(s["no_chain"], 60);
    assert_eq!(s["pass"], 40);
    assert_eq!(s["warn"], 25);
    assert_eq!(s["fail"], 135);
    assert_eq!(s["expired"], 25);
    assert_eq!(s["expiring"], 25);
    assert_eq!(s["skipped"], 2);
}

#[test]
fn each_endpoint_document_is_what_probe_prints() {
    let (endpoints, _servers) = start(&[(Kind::Good, 1), (Kind::Incomplete, 1), (Kind::Dead, 1)]);
    let dir = tempfile::tempdir().unwrap();
    let list = write(dir.path(), "list.csv", &csv_list(&endpoints));
    let r = scan(&list, &["--format", "json"]);
    r.code(1);
    let doc = r.json();
    assert_valid(&doc);
    let ca = ca_int();
    for ((kind, addr), d) in endpoints.iter().zip(doc["endpoints"].as_array().unwrap()) {
        let a = addr.to_string();
        let p = run(&[
            "probe",
            &a,
            "--sni",
            FQDN,
            "--at",
            AT,
            "--ca",
            &ca,
            "--timeout",
            "2",
            "--format",
            "json",
        ]);
        assert_eq!(&p.json(), d, "{kind:?}: probe and scan differ");
    }
}

#[test]
fn text_rows_sorted_by_expiry_with_failures_first_and_totals() {
    let (endpoints, _servers) = start(&[
        (Kind::Good, 1),
        (Kind::Expiring, 1),
        (Kind::Expired, 1),
        (Kind::Dead, 1),
    ]);
    let by_kind: HashMap<Kind, SocketAddr> = endpoints.iter().copied().collect();
    let dir = tempfile::tempdir().unwrap();
    let list = write(dir.path(), "list.csv", &csv_list(&endpoints));
    let r = scan(&list, &[]);
    r.code(1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("ENDPOINT"), "{r}");
    for col in [
        "NAME",
        "ENV",
        "LEAF CN",
        "EXPIRES",
        "DAYS",
        "CHAIN",
        "CLIENT AUTH",
        "VERDICT",
    ] {
        assert!(lines[0].contains(col), "{col}: {r}");
    }
    let row = |k: Kind| {
        lines
            .iter()
            .position(|l| l.starts_with(&by_kind[&k].to_string()))
            .unwrap_or_else(|| panic!("no row for {k:?}: {r}"))
    };
    let (dead, expired, expiring, good) = (
        row(Kind::Dead),
        row(Kind::Expired),
        row(Kind::Expiring),
        row(Kind::Good),
    );
    assert!(
        dead < expired && expired < expiring && expiring < good,
        "{r}"
    );
    let expired_row = lines[expired];
    for part in [
        "int",
        FQDN,
        "2025-01-01",
        "-730",
        "complete",
        "requested",
        "fail",
        "cert.expired",
    ] {
        assert!(expired_row.contains(part), "{part:?} in {expired_row:?}");
    }
    let expiring_row = lines[expiring];
    for part in ["2027-01-15", " 14 ", "warn", "cert.expiring-soon (warning)"] {
        assert!(expiring_row.contains(part), "{part:?} in {expiring_row:?}");
    }
    assert!(lines[good].contains("pass"), "{r}");
    assert!(
        lines[dead].contains("no chain") && lines[dead].contains("refused"),
        "{r}"
    );
    assert!(
        r.stdout.contains("4 endpoints scanned in")
            && r.stdout
                .contains("1 pass, 1 warn, 2 fail (1 with no chain: 1 refused)"),
        "{r}"
    );
    assert!(
        r.stdout.contains("expired: 1; expiring within 30 days: 1"),
        "{r}"
    );
    // No progress bar when stderr is not a terminal, no colour when stdout is not one.
    assert!(r.stderr.is_empty(), "{r}");
    assert!(!r.stdout.contains('\x1b'), "{r}");
    let r = scan(&list, &["--color", "always"]);
    assert!(r.stdout.contains("\x1b[32mpass"), "{r}");
}

#[test]
fn csv_output_quotes_fields() {
    let (endpoints, _servers) = start(&[(Kind::Good, 1), (Kind::Dead, 1)]);
    let dir = tempfile::tempdir().unwrap();
    let list = write(dir.path(), "list.csv", &csv_list(&endpoints));
    let r = scan(&list, &["--format", "csv"]);
    r.code(3);
    let lines: Vec<&str> = r.stdout.split("\r\n").collect();
    assert!(
        lines[0].starts_with("endpoint,name,environment,leaf_cn,not_after,days_left,chain,"),
        "{r}"
    );
    let good = endpoints.iter().find(|(k, _)| *k == Kind::Good).unwrap().1;
    let dead = endpoints.iter().find(|(k, _)| *k == Kind::Dead).unwrap().1;
    // No chain first; the name holds a comma, so it is quoted.
    assert!(lines[1].starts_with(&format!("{dead},\"Dead, #")), "{r}");
    assert!(
        lines[1].contains(",fail,") && lines[1].contains(",refused,"),
        "{r}"
    );
    assert!(lines[2].starts_with(&format!("{good},\"Good, #")), "{r}");
    assert!(
        lines[2].contains(&format!(
            ",int,{FQDN},2028-01-01T00:00:00Z,365,complete,yes,pass,name.no-san,info,0,0,2,,"
        )),
        "{r}"
    );
}

#[test]
fn exit_codes() {
    let (endpoints, _servers) = start(&[(Kind::Good, 1), (Kind::Expiring, 1), (Kind::Dead, 1)]);
    let addr = |k: Kind| endpoints.iter().find(|(e, _)| *e == k).unwrap().1;
    let dir = tempfile::tempdir().unwrap();
    let rows = |kinds: &[Kind]| {
        let sel: Vec<(Kind, SocketAddr)> = kinds.iter().map(|k| (*k, addr(*k))).collect();
        csv_list(&sel)
    };
    // Only good and expiring: 0 (a warning is below --fail-on error) ...
    let ok = write(dir.path(), "ok.csv", &rows(&[Kind::Good, Kind::Expiring]));
    scan(&ok, &[]).code(0);
    // ... 1 with --fail-on warning ...
    scan(&ok, &["--fail-on", "warning"]).code(1);
    // ... 3 when an endpoint gave no chain and nothing else fails ...
    let dead = write(dir.path(), "dead.csv", &rows(&[Kind::Good, Kind::Dead]));
    scan(&dead, &[]).code(3);
    scan(&dead, &["--fail-on", "warning"]).code(3);
    // ... and 1 when both.
    let all = write(dir.path(), "all.csv", &rows(&[Kind::Expiring, Kind::Dead]));
    scan(&all, &["--fail-on", "warning"]).code(1);

    // Usage errors: 2.
    let r = scan("/nonexistent/list.txt", &[]);
    r.code(2);
    assert!(
        r.stderr.contains("cannot read /nonexistent/list.txt"),
        "{r}"
    );
    let empty = write(dir.path(), "empty.txt", "# nothing\n\nnot a host!\n");
    let r = scan(&empty, &[]);
    r.code(2);
    assert!(r.stderr.contains("empty.txt:3:"), "{r}");
    assert!(r.stderr.contains("no endpoint to scan"), "{r}");
    let r = scan(&ok, &["--expect-fqdn", FQDN]);
    r.code(2);
    assert!(r.stderr.contains("--expect-fqdn"), "{r}");
}

#[test]
fn lines_and_json_lists_from_stdin() {
    let (endpoints, _servers) = start(&[(Kind::Good, 1), (Kind::Dead, 1)]);
    let good = endpoints.iter().find(|(k, _)| *k == Kind::Good).unwrap().1;
    let dead = endpoints.iter().find(|(k, _)| *k == Kind::Dead).unwrap().1;
    let ca = ca_int();
    let args = [
        "scan",
        "-",
        "--at",
        AT,
        "--ca",
        &ca,
        "--timeout",
        "2",
        "--format",
        "json",
    ];
    // One per line: no SNI, so the IP address is the name judged.
    let r = run_stdin(&args, &format!("# lab\n{good}\n\nhttps://{dead}/bars\n"));
    r.code(1);
    let doc = r.json();
    assert_valid(&doc);
    let docs = doc["endpoints"].as_array().unwrap();
    assert_eq!(docs[0]["target"], good.to_string());
    assert!(
        ids(&docs[0]).iter().any(|i| i == "name.host-mismatch"),
        "{r}"
    );
    assert_eq!(docs[1]["error"]["kind"], "refused");

    // JSON: strings and objects; env per entry overrides --env.
    let list = format!(
        "[\n  {{\"host\": \"{}\", \"port\": {}, \"sni\": \"{FQDN}\", \"name\": \"Lab\"}},\n  \"{dead}\",\n  {{\"port\": 1}}\n]",
        good.ip(),
        good.port()
    );
    let mut env_args = args.to_vec();
    env_args.extend(["--env", "public"]);
    let r = run_stdin(&env_args, &list);
    r.code(1);
    assert!(
        r.stderr
            .contains("<stdin>:4: the object has no \"host\" field"),
        "{r}"
    );
    let doc = r.json();
    let docs = doc["endpoints"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["environment"], "public", "{r}");
    let list = list.replace("\"name\": \"Lab\"", "\"name\": \"Lab\", \"env\": \"int\"");
    let r = run_stdin(&env_args, &list);
    let doc = r.json();
    assert_eq!(doc["endpoints"][0]["environment"], "int", "{r}");
    assert_eq!(doc["endpoints"][0]["verdict"], "pass", "{r}");
}

#[test]
fn the_schema_holds_scan_documents_to_their_shape() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::util::root().join("schema/bars-certcheck-1.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let summary = serde_json::json!({ "endpoints": 1, "pass": 0, "warn": 0, "fail": 1,
        "no_chain": 1, "expired": 0, "expiring": 0, "skipped": 0,
        "errors": 0, "warnings": 0, "infos": 0 });
    let endpoint = serde_json::json!({ "schema": "bars-certcheck/1", "command": "probe",
        "target": "127.0.0.1:1", "environment": "unknown", "environment_source": "none",
        "certificates": [], "chain": null,
        "tls": null, "findings": [], "summary": { "errors": 0, "warnings": 0, "infos": 0 },
        "verdict": "fail", "error": { "kind": "refused", "message": "refused" } });
    let doc = |endpoint: Value, summary: Value| {
        serde_json::json!({ "schema": "bars-certcheck/1", "command": "scan",
            "endpoints": [endpoint], "summary": summary })
    };
    assert!(validator.is_valid(&doc(endpoint.clone(), summary.clone())));
    // An endpoint that is not a probe document, one without its target, a summary
    // without the endpoint counts: rejected.
    let mut not_probe = endpoint.clone();
    not_probe["command"] = "check".into();
    assert!(!validator.is_valid(&doc(not_probe, summary.clone())));
    let mut no_target = endpoint.clone();
    no_target.as_object_mut().unwrap().remove("target");
    assert!(!validator.is_valid(&doc(no_target, summary)));
    let plain = serde_json::json!({ "errors": 0, "warnings": 0, "infos": 0 });
    assert!(!validator.is_valid(&doc(endpoint, plain)));
}
