//! `probe`: the real binary against in-process rustls servers, hostile peers and
//! `openssl s_server` (an independent peer), over a test PKI made with rcgen at test time.

use crate::schema::assert_valid;
use crate::util::{run, Run};
use bars_testsupport::{
    spawn_hostile, spawn_tls, ClientAuthMode, ClientCas, Hostile, ServerHandle, TlsServerSpec,
};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
const OTHER_FQDN: &str = "BaRS-INT-Y99.Other.thirdparty.nhs.uk";

// ---------------------------------------------------------------------------------------
// A BaRS-like test PKI: root → sub-CA → leaf (O=nhs, OU=Devices, CN=FQDN, no SAN), a
// client hierarchy, and a stranger; every certificate and key also as a PEM file.

struct Ca {
    der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

struct Leaf {
    der: Vec<u8>,
    key_der: Vec<u8>,
}

fn validity(p: &mut CertificateParams, days: i64) {
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::days(1);
    p.not_after = now + time::Duration::days(days);
}

fn ca(cn: &str, parent: Option<&Ca>) -> Ca {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CountryName, "GB");
    p.distinguished_name
        .push(DnType::OrganizationName, "probe test");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut p, 3000);
    p.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let cert = match parent {
        Some(par) => p.signed_by(&key, &par.issuer).unwrap(),
        None => p.self_signed(&key).unwrap(),
    };
    Ca {
        der: cert.der().to_vec(),
        issuer: Issuer::new(p, key),
    }
}

fn leaf(cn: &str, issuer: &Ca) -> Leaf {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::OrganizationName, "nhs");
    p.distinguished_name
        .push(DnType::OrganizationalUnitName, "Devices");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    validity(&mut p, 365);
    p.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &issuer.issuer).unwrap();
    Leaf {
        der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    bars_model::pem_encode(label, der)
}

fn subject_der(der: &[u8]) -> Vec<u8> {
    bars_model::Certificate::from_der(der)
        .unwrap()
        .subject_der()
        .to_vec()
}

/// The subject in RFC 4514, as the tool renders it.
fn subject(der: &[u8]) -> String {
    bars_model::Certificate::from_der(der)
        .unwrap()
        .summary()
        .subject
        .clone()
}

struct Pki {
    dir: tempfile::TempDir,
    root: Ca,
    sub: Ca,
    leaf: Leaf,
    client_root: Ca,
    client: Leaf,
    stranger: Leaf,
}

impl Pki {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
    /// `--ca int:root.pem`
    fn ca_int(&self) -> String {
        format!("int:{}", self.arg("root.pem"))
    }
    fn write(&self, name: &str, ders: &[&[u8]]) -> PathBuf {
        let text: String = ders.iter().map(|d| pem("CERTIFICATE", d)).collect();
        std::fs::write(self.path(name), text).unwrap();
        self.path(name)
    }
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let root = ca("Probe Test INT Root", None);
    let sub = ca("Probe Test INT Sub", Some(&root));
    let leaf = leaf(FQDN, &sub);
    let client_root = ca("Probe Test Client Root", None);
    let client = self::leaf("client.thirdparty.nhs.uk", &client_root);
    let stranger_root = ca("Stranger Root", None);
    let stranger = self::leaf("client.thirdparty.nhs.uk", &stranger_root);
    let p = Pki {
        dir,
        root,
        sub,
        leaf,
        client_root,
        client,
        stranger,
    };
    p.write("root.pem", &[&p.root.der]);
    p.write("sub.pem", &[&p.sub.der]);
    p.write("leaf.pem", &[&p.leaf.der]);
    p.write("client-root.pem", &[&p.client_root.der]);
    p.write("client.pem", &[&p.client.der]);
    p.write("stranger.pem", &[&p.stranger.der]);
    for (name, key) in [
        ("leaf.key", &p.leaf.key_der),
        ("client.key", &p.client.key_der),
        ("stranger.key", &p.stranger.key_der),
    ] {
        std::fs::write(p.path(name), pem("PRIVATE KEY", key)).unwrap();
    }
    p
}

// ---------------------------------------------------------------------------------------
// Servers.

fn rustls_server(chain: Vec<Vec<u8>>, key: &[u8], auth: ClientAuthMode) -> (String, ServerHandle) {
    let (addr, h) = spawn_tls(&TlsServerSpec {
        chain,
        key_pkcs8: key.to_vec(),
        client_auth: auth,
        tls12_only: false,
        ocsp: None,
    })
    .unwrap();
    (addr.to_string(), h)
}

fn cas(roots: &[&[u8]], advertise: Option<Vec<Vec<u8>>>) -> ClientCas {
    ClientCas {
        roots: roots.iter().map(|r| r.to_vec()).collect(),
        advertise,
    }
}

/// `openssl s_server` on 127.0.0.1 (a free port); killed (by its pid) when dropped.
struct SServer {
    child: Child,
    port: u16,
}

impl SServer {
    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s_server(dir: &Path, args: &[&str]) -> SServer {
    let mut child = Command::new("openssl")
        .arg("s_server")
        .args(["-accept", "127.0.0.1:0"])
        .args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", "/dev/null")
        // Kept open: s_server stops at the end of its input.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("ACCEPT ") {
                let _ = tx.send(addr.to_string());
                break;
            }
        }
        // Keep draining so that the server never blocks on a full pipe.
        for _ in lines {}
    });
    let addr = match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(a) => a,
        Err(_) => {
            let _ = child.kill();
            panic!("openssl s_server {args:?} did not start");
        }
    };
    let port = addr.parse::<SocketAddr>().unwrap().port();
    SServer { child, port }
}

// ---------------------------------------------------------------------------------------
// Running the probe.

fn probe(args: &[&str]) -> Run {
    let mut all = vec!["probe", "--timeout", "5"];
    all.extend_from_slice(args);
    run(&all)
}

fn probe_json(args: &[&str]) -> (Run, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let r = probe(&all);
    let doc = r.json();
    assert_valid(&doc);
    (r, doc)
}

fn ids(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn finding<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {doc:#}"))
}

fn has(doc: &serde_json::Value, id: &str) -> bool {
    ids(doc).iter().any(|i| i == id)
}

// ---------------------------------------------------------------------------------------

#[test]
fn good_chain_with_client_auth_and_the_env_ca_in_the_hints() {
    let p = pki();
    let (addr, _h) = rustls_server(
        vec![p.leaf.der.clone(), p.sub.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::Required(cas(&[&p.root.der], None)),
    );
    let (r, doc) = probe_json(&[&addr, "--sni", FQDN, "--env", "int", "--ca", &p.ca_int()]);
    r.code(0);
    // A Receiver that requires a client certificate refuses this probe, which presents
    // none: as it must (info).
    assert_eq!(ids(&doc), ["name.no-san", "tls.handshake-failed"], "{r}");
    assert_eq!(doc["command"], "probe");
    assert_eq!(doc["target"], addr);
    assert_eq!(doc["environment"], "int");
    assert_eq!(doc["chain"]["complete"], true);
    assert_eq!(doc["chain"]["trusted_by"], "Probe Test INT Root");
    assert_eq!(doc["chain"]["path"], serde_json::json!([0, 1, 2]));
    assert_eq!(doc["certificates"][0]["source"], "sent");
    assert_eq!(doc["certificates"][1]["source"], "sent");
    assert!(doc["certificates"][2]["source"]
        .as_str()
        .unwrap()
        .starts_with("ca-option:"));
    let tls = &doc["tls"];
    assert_eq!(tls["version"], "TLSv1.3");
    assert!(tls["cipher"].as_str().unwrap().starts_with("TLS13_"), "{r}");
    assert_eq!(tls["alpn"], "http/1.1");
    assert_eq!(tls["client_auth_requested"], true);
    assert_eq!(
        tls["acceptable_client_cas"],
        serde_json::json!([subject(&p.root.der)])
    );

    // The text report shows the same facts.
    let r = probe(&[&addr, "--sni", FQDN, "--ca", &p.ca_int()]);
    r.code(0);
    for want in [
        "TLSv1.3",
        "ALPN: http/1.1",
        "client certificate requested: yes",
        &subject(&p.root.der),
        "trusted by: Probe Test INT Root",
    ] {
        assert!(r.stdout.contains(want), "{want}: {r}");
    }
}

#[test]
fn openssl_receiver_requiring_a_client_certificate() {
    bars_testpki::require_tools!("openssl");
    // An independent peer: openssl s_server requiring a client certificate, advertising
    // the environment's root. Probed without one, it refuses us; that is what a Receiver
    // must do, so it is reported as information, not a fault.
    let p = pki();
    p.write("chain.pem", &[&p.sub.der]);
    for version in ["-tls1_2", "-tls1_3"] {
        let s = s_server(
            p.dir.path(),
            &[
                "-cert",
                "leaf.pem",
                "-key",
                "leaf.key",
                "-cert_chain",
                "chain.pem",
                "-Verify",
                "1",
                "-verify_return_error",
                "-CAfile",
                "root.pem",
                version,
            ],
        );
        let (r, doc) = probe_json(&[&s.addr(), "--sni", FQDN, "--ca", &p.ca_int()]);
        r.code(0);
        assert_eq!(doc["environment"], "int");
        assert_eq!(doc["tls"]["client_auth_requested"], true, "{r}");
        assert_eq!(
            doc["tls"]["acceptable_client_cas"],
            serde_json::json!([subject(&p.root.der)]),
            "{r}"
        );
        let want = if version == "-tls1_2" {
            "TLSv1.2"
        } else {
            "TLSv1.3"
        };
        assert_eq!(doc["tls"]["version"], want, "{r}");
        assert!(!has(&doc, "tls.client-ca-hints"), "{r}");
        assert!(!has(&doc, "tls.no-client-auth"), "{r}");
        let f = finding(&doc, "tls.handshake-failed");
        assert_eq!(f["severity"], "info", "{r}");
        assert!(
            f["fix"].as_str().unwrap().starts_with("Nothing to fix"),
            "{r}"
        );
        assert!(
            !r.stdout.contains("Fix the cause named in the detail"),
            "{r}"
        );
        assert!(!r.stdout.contains("\"severity\": \"error\""), "{r}");
        assert_eq!(doc["chain"]["complete"], true, "{r}");
        // The audit's refused attempts are the good outcome: nothing at warning or above.
        let (r, doc) = probe_json(&[
            &s.addr(),
            "--sni",
            FQDN,
            "--ca",
            &p.ca_int(),
            "--mtls-audit",
        ]);
        r.code(0);
        assert_eq!(doc["audit"]["anonymous"]["outcome"], "rejected", "{r}");
        assert_eq!(doc["audit"]["self_signed"]["outcome"], "rejected", "{r}");
        assert_eq!(doc["summary"]["errors"], 0, "{r}");
        assert_eq!(doc["summary"]["warnings"], 0, "{r}");
        assert!(
            !r.stdout.contains("Fix the cause named in the detail"),
            "{r}"
        );
    }
}

/// A server whose RSA-1024 key makes the client abort the handshake is still judged on
/// what it sent first: no CertificateRequest (before its Certificate in TLS 1.3, before
/// ServerHelloDone in TLS 1.2) is `tls.no-client-auth`; with one, it is not.
#[test]
fn a_weak_key_server_that_asks_for_no_client_certificate_is_no_client_auth() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", "weak.key",
        ])
        .args(["-out", "weak.pem", "-days", "30", "-subj"])
        .arg(format!("/CN={FQDN}"))
        .current_dir(dir.path())
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    for version in ["-tls1_3", "-tls1_2"] {
        for asks in [false, true] {
            let mut args = vec![
                "-cert",
                "weak.pem",
                "-key",
                "weak.key",
                version,
                "-cipher",
                "DEFAULT@SECLEVEL=0",
            ];
            if asks {
                args.extend(["-verify", "1", "-CAfile", "weak.pem"]);
            }
            let s = s_server(dir.path(), &args);
            let (r, doc) = probe_json(&[&s.addr(), "--sni", FQDN, "--env", "int"]);
            r.code(1);
            assert!(has(&doc, "tls.handshake-failed"), "{version} {asks}: {r}");
            assert!(has(&doc, "cert.weak-key"), "{version} {asks}: {r}");
            assert_eq!(doc["tls"]["client_auth_requested"], asks, "{version}: {r}");
            assert_eq!(
                has(&doc, "tls.no-client-auth"),
                !asks,
                "{version} {asks}: {r}"
            );
            if !asks {
                let f = finding(&doc, "tls.no-client-auth");
                assert_eq!(f["severity"], "error", "{r}");
                assert!(
                    f["detail"].as_str().unwrap().contains("CertificateRequest"),
                    "{r}"
                );
            }
        }
    }
}

#[test]
fn missing_intermediate_is_incomplete_and_names_it() {
    let p = pki();
    let (addr, _h) = rustls_server(
        vec![p.leaf.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::Required(cas(&[&p.root.der], None)),
    );
    let sub = format!("int:{}", p.arg("sub.pem"));
    let (r, doc) = probe_json(&[&addr, "--sni", FQDN, "--ca", &p.ca_int(), "--ca", &sub]);
    r.code(1);
    let f = finding(&doc, "chain.incomplete");
    assert_eq!(f["severity"], "error");
    assert!(
        f["detail"].as_str().unwrap().contains("Probe Test INT Sub"),
        "{r}"
    );
    assert!(!has(&doc, "chain.untrusted"), "{r}");
    assert_eq!(doc["certificates"].as_array().unwrap().len(), 3, "{r}");

    // --write-chain completes it from --ca: leaf + sub-CA, no root.
    let out = p.path("fixed.pem");
    let r = probe(&[
        &addr,
        "--sni",
        FQDN,
        "--ca",
        &p.ca_int(),
        "--ca",
        &sub,
        "--write-chain",
        &out.display().to_string(),
    ]);
    r.code(1);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text,
        pem("CERTIFICATE", &p.leaf.der) + &pem("CERTIFICATE", &p.sub.der)
    );
}

#[test]
fn no_client_auth_is_an_error_for_a_receiver_only() {
    let p = pki();
    let (addr, _h) = rustls_server(
        vec![p.leaf.der.clone(), p.sub.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::None,
    );
    // The FQDN's prefix makes it INT without --env.
    let (r, doc) = probe_json(&[&addr, "--sni", FQDN, "--ca", &p.ca_int()]);
    r.code(1);
    assert_eq!(doc["environment"], "int");
    assert_eq!(finding(&doc, "tls.no-client-auth")["severity"], "error");
    assert_eq!(doc["tls"]["client_auth_requested"], false);
    assert_eq!(doc["tls"]["acceptable_client_cas"], serde_json::json!([]));
    assert_eq!(doc["verdict"], "fail");
    // In public, neither Receiver rule applies.
    let (_, doc) = probe_json(&[&addr, "--sni", FQDN, "--env", "public"]);
    assert_eq!(doc["environment"], "public");
    assert!(!has(&doc, "tls.no-client-auth"), "{doc:#}");
    assert!(!has(&doc, "tls.client-ca-hints"), "{doc:#}");
}

#[test]
fn hints_without_the_env_ca_warn() {
    let p = pki();
    let (addr, _h) = rustls_server(
        vec![p.leaf.der.clone(), p.sub.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::Required(cas(
            &[&p.client_root.der],
            Some(vec![subject_der(&p.client_root.der)]),
        )),
    );
    let (r, doc) = probe_json(&[&addr, "--sni", FQDN, "--env", "int", "--ca", &p.ca_int()]);
    r.code(0);
    let f = finding(&doc, "tls.client-ca-hints");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("Probe Test Client Root"),
        "{r}"
    );
    assert_eq!(doc["verdict"], "warn");
    // --fail-on warning turns it into a failure.
    let r = probe(&[
        &addr,
        "--sni",
        FQDN,
        "--ca",
        &p.ca_int(),
        "--fail-on",
        "warning",
    ]);
    r.code(1);
}

#[test]
fn host_mismatch_is_the_same_through_sni_and_connect() {
    let p = pki();
    let (addr, _h) = rustls_server(
        vec![p.leaf.der.clone(), p.sub.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::Required(cas(&[&p.root.der], None)),
    );
    let port = addr.rsplit(':').next().unwrap();
    let (r1, a) = probe_json(&[&addr, "--sni", OTHER_FQDN, "--ca", &p.ca_int()]);
    let (r2, b) = probe_json(&[
        &format!("{OTHER_FQDN}:{port}"),
        "--connect",
        "127.0.0.1",
        "--ca",
        &p.ca_int(),
    ]);
    r1.code(1);
    r2.code(1);
    let f = finding(&a, "name.host-mismatch");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains(&OTHER_FQDN.to_ascii_lowercase()),
        "{r1}"
    );
    assert_eq!(a["findings"], b["findings"], "{r1}\n{r2}");
    assert_eq!(a["environment"], b["environment"]);
    // --expect-fqdn overrides the probed name: the certificate's own name is fine.
    let (r, doc) = probe_json(&[
        &addr,
        "--sni",
        OTHER_FQDN,
        "--ca",
        &p.ca_int(),
        "--expect-fqdn",
        FQDN,
    ]);
    r.code(0);
    assert!(!has(&doc, "name.host-mismatch"), "{r}");
}

#[test]
fn client_certificate_rejected_under_tls12_and_tls13() {
    bars_testpki::require_tools!("openssl");
    // openssl s_server trusts only the client root; we present a stranger. The server
    // sends only its leaf, so the chain's own findings must appear too.
    let p = pki();
    for version in ["-tls1_2", "-tls1_3"] {
        let s = s_server(
            p.dir.path(),
            &[
                "-cert",
                "leaf.pem",
                "-key",
                "leaf.key",
                "-Verify",
                "1",
                "-verify_return_error",
                "-CAfile",
                "client-root.pem",
                version,
            ],
        );
        let (r, doc) = probe_json(&[
            &s.addr(),
            "--sni",
            FQDN,
            "--ca",
            &p.ca_int(),
            "--client-cert",
            &p.arg("stranger.pem"),
            "--client-key",
            &p.arg("stranger.key"),
        ]);
        r.code(1);
        let f = finding(&doc, "tls.handshake-failed");
        assert_eq!(f["severity"], "warning", "{version}: {r}");
        let detail = f["detail"].as_str().unwrap();
        assert!(
            detail.contains("unknown_ca") || detail.contains("bad_certificate"),
            "{version}: {r}"
        );
        assert!(has(&doc, "chain.incomplete"), "{version}: {r}");
        assert_eq!(doc["certificates"][0]["source"], "sent");
        assert_eq!(doc["tls"]["client_auth_requested"], true);

        // The right client certificate (from a PFX, as the proxy holds it) goes through.
        if version == "-tls1_3" {
            let pfx = p.path("client.pfx");
            let out = Command::new("openssl")
                .args(["pkcs12", "-export", "-in", "client.pem", "-inkey"])
                .args([
                    "client.key",
                    "-out",
                    "client.pfx",
                    "-passout",
                    "pass:s3cret",
                ])
                .current_dir(p.dir.path())
                .env("OPENSSL_CONF", "/dev/null")
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            let r = crate::util::run_with(
                &[
                    "probe",
                    &s.addr(),
                    "--sni",
                    FQDN,
                    "--ca",
                    &p.ca_int(),
                    "--pfx",
                    &pfx.display().to_string(),
                    "--password-env",
                    "PROBE_PFX_PASSWORD",
                    "--format",
                    "markdown",
                ],
                &[("PROBE_PFX_PASSWORD", "s3cret")],
            );
            r.code(1); // chain.incomplete
            assert!(!r.stdout.contains("tls.handshake-failed"), "{r}");
            assert!(r.stdout.contains("chain.incomplete"), "{r}");
            assert!(r.stdout.contains("### TLS"), "{r}");
            assert!(!r.stdout.contains("PRIVATE KEY"), "{r}");
            assert!(!r.stdout.contains("s3cret"), "{r}");
        }
    }
}

#[test]
fn a_client_key_that_does_not_match_is_a_usage_error() {
    let p = pki();
    let r = run(&[
        "probe",
        "127.0.0.1:9",
        "--client-cert",
        &p.arg("client.pem"),
        "--client-key",
        &p.arg("stranger.key"),
    ]);
    r.code(2);
    assert!(r.stderr.contains("does not belong"), "{r}");
    let r = run(&["probe", "http://x.nhs.uk/"]);
    r.code(2);
    let r = run(&["probe", "x.nhs.uk", "--timeout", "0"]);
    r.code(2);
}

#[test]
fn mtls_audit_finds_a_server_accepting_anonymous_clients() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    // rustls: a client certificate is optional, but a presented one must verify.
    let (addr, _h) = rustls_server(
        vec![p.leaf.der.clone(), p.sub.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::Optional(cas(&[&p.root.der], None)),
    );
    let started = Instant::now();
    let (r, doc) = probe_json(&[&addr, "--sni", FQDN, "--ca", &p.ca_int(), "--mtls-audit"]);
    assert!(started.elapsed() < Duration::from_secs(8), "{r}");
    r.code(1);
    assert_eq!(finding(&doc, "tls.accepts-anonymous")["severity"], "error");
    assert!(!has(&doc, "tls.accepts-foreign-client"), "{r}");
    assert_eq!(doc["audit"]["anonymous"]["outcome"], "accepted", "{r}");
    assert_eq!(doc["audit"]["self_signed"]["outcome"], "rejected", "{r}");

    // openssl s_server -verify without -verify_return_error lets anything in.
    let s = s_server(
        p.dir.path(),
        &[
            "-cert", "leaf.pem", "-key", "leaf.key", "-verify", "1", "-CAfile", "root.pem", "-www",
        ],
    );
    let (r, doc) = probe_json(&[
        &s.addr(),
        "--sni",
        FQDN,
        "--ca",
        &p.ca_int(),
        "--mtls-audit",
    ]);
    r.code(1);
    assert!(has(&doc, "tls.accepts-anonymous"), "{r}");
    assert!(has(&doc, "tls.accepts-foreign-client"), "{r}");

    // A server requiring a certificate from its own CA passes the audit.
    let (addr, _h2) = rustls_server(
        vec![p.leaf.der.clone(), p.sub.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::Required(cas(&[&p.root.der], None)),
    );
    let r = probe(&[&addr, "--sni", FQDN, "--ca", &p.ca_int(), "--mtls-audit"]);
    r.code(0);
    assert!(!r.stdout.contains("tls.accepts-"), "{r}");
    assert!(
        r.stdout
            .contains("mTLS audit, without a client certificate: rejected"),
        "{r}"
    );
}

#[test]
fn save_chain_writes_exactly_what_was_sent() {
    let p = pki();
    // Out of order and with the root: saved as sent, not as it should be.
    let sent = vec![p.leaf.der.clone(), p.root.der.clone(), p.sub.der.clone()];
    let (addr, _h) = rustls_server(sent.clone(), &p.leaf.key_der, ClientAuthMode::None);
    let out = p.path("presented.pem");
    let (r, doc) = probe_json(&[
        &addr,
        "--sni",
        FQDN,
        "--ca",
        &p.ca_int(),
        "--save-chain",
        &out.display().to_string(),
    ]);
    let want: String = sent.iter().map(|d| pem("CERTIFICATE", d)).collect();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), want, "{r}");
    assert!(has(&doc, "chain.order"), "{r}");
    assert!(has(&doc, "chain.root-sent"), "{r}");
    let sent_count = doc["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["source"] == "sent")
        .count();
    assert_eq!(sent_count, 3);
}

#[test]
fn no_chain_at_all_is_exit_3_with_one_line() {
    // Nothing listening.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dead = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let r = probe(&[&dead]);
    r.code(3);
    assert!(started.elapsed() < Duration::from_secs(5), "{r}");
    assert_eq!(r.stderr.lines().count(), 1, "{r}");
    assert!(r.stderr.contains("refused"), "{r}");
    assert!(r.stdout.is_empty(), "{r}");
    let (r, doc) = probe_json(&[&dead]);
    r.code(3);
    assert_eq!(doc["error"]["kind"], "refused");
    assert_eq!(doc["certificates"], serde_json::json!([]));
    assert_eq!(doc["chain"], serde_json::Value::Null);
    assert_eq!(doc["tls"], serde_json::Value::Null);
    assert_eq!(doc["verdict"], "fail");
    // Markdown still gives a report to paste. (Asked at once: the released port is free
    // now, while later another test's server may take it.)
    let r = probe(&[&dead, "--format", "markdown"]);
    r.code(3);
    assert!(r.stdout.contains("No certificate was received"), "{r}");

    // A silent peer: bounded by --timeout.
    let (addr, _h) = spawn_hostile(Hostile::Silent).unwrap();
    let started = Instant::now();
    let r = run(&[
        "probe",
        &addr.to_string(),
        "--timeout",
        "2",
        "--format",
        "json",
    ]);
    let took = started.elapsed();
    r.code(3);
    assert!(took >= Duration::from_millis(1900), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}: {r}");
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["error"]["kind"], "timeout");

    // Not TLS; an alert before any certificate; a TLS 1.0-only server.
    for (kind, want, text) in [
        (Hostile::HttpReply, "not-tls", "does not speak TLS"),
        (Hostile::Garbage, "not-tls", "does not speak TLS"),
        (Hostile::Alert(40), "alert", "handshake_failure"),
        (Hostile::ImmediateClose, "closed", "closed the connection"),
        (Hostile::Reset, "reset", "reset it before sending anything"),
        (
            Hostile::ResetAfterHello,
            "reset",
            "reset it before sending anything",
        ),
        (
            Hostile::TlsLookingGarbage,
            "not-tls",
            "look like TLS records but do not decode",
        ),
        (
            Hostile::Tls10ServerHello,
            "old-protocol",
            "tls.old-protocol",
        ),
    ] {
        let (addr, _h) = spawn_hostile(kind).unwrap();
        let a = addr.to_string();
        let r = probe(&[&a]);
        r.code(3);
        assert_eq!(r.stderr.lines().count(), 1, "{kind:?}: {r}");
        assert!(r.stderr.contains(text), "{kind:?}: {r}");
        let (r, doc) = probe_json(&[&a]);
        r.code(3);
        assert_eq!(doc["error"]["kind"], want, "{kind:?}: {r}");
        if want == "old-protocol" {
            assert!(has(&doc, "tls.old-protocol"), "{r}");
        }
    }
    // A name that does not resolve.
    let started = Instant::now();
    let (r, doc) = probe_json(&["nonexistent.invalid"]);
    r.code(3);
    assert!(started.elapsed() < Duration::from_secs(7), "{r}");
    assert!(
        ["dns", "timeout"].contains(&doc["error"]["kind"].as_str().unwrap()),
        "{r}"
    );
}

#[test]
fn openssl_server_speaking_only_old_tls() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    let s = s_server(
        p.dir.path(),
        &[
            "-cert",
            "leaf.pem",
            "-key",
            "leaf.key",
            "-tls1_1",
            "-cipher",
            "DEFAULT@SECLEVEL=0",
        ],
    );
    let (r, doc) = probe_json(&[&s.addr()]);
    r.code(3);
    assert_eq!(doc["error"]["kind"], "old-protocol", "{r}");
    assert!(has(&doc, "tls.old-protocol"), "{r}");
}

#[test]
fn through_an_http_connect_proxy() {
    let p = pki();
    let (addr, _h) = rustls_server(
        vec![p.leaf.der.clone(), p.sub.der.clone()],
        &p.leaf.key_der,
        ClientAuthMode::Required(cas(&[&p.root.der], None)),
    );
    let port = addr.rsplit(':').next().unwrap().to_string();
    let connect = bars_testsupport::proxy::ConnectProxy::start(None);
    let proxy = connect.url.clone();
    let seen = || connect.seen().len();
    let last = || {
        connect
            .seen()
            .last()
            .map(|c| c.line.clone())
            .unwrap_or_default()
    };

    // --proxy, with --connect naming the address the proxy must reach.
    let (r, doc) = probe_json(&[
        &format!("{FQDN}:{port}"),
        "--connect",
        "127.0.0.1",
        "--proxy",
        &proxy,
        "--ca",
        &p.ca_int(),
    ]);
    r.code(0);
    // A Receiver that requires a client certificate refuses this probe, which presents
    // none: as it must (info).
    assert_eq!(ids(&doc), ["name.no-san", "tls.handshake-failed"], "{r}");
    assert_eq!(last(), format!("CONNECT 127.0.0.1:{port} HTTP/1.1"));

    // HTTPS_PROXY from the environment, and NO_PROXY turning it off.
    let n = seen();
    let args = ["probe", &addr, "--sni", FQDN, "--ca", &p.ca_int()];
    let r = crate::util::run_with(&args, &[("HTTPS_PROXY", &proxy)]);
    r.code(0);
    assert_eq!(seen(), n + 1, "{r}");
    assert_eq!(last(), format!("CONNECT {addr} HTTP/1.1"));
    let r = crate::util::run_with(
        &args,
        &[("HTTPS_PROXY", &proxy), ("NO_PROXY", "localhost,127.0.0.1")],
    );
    r.code(0);
    assert_eq!(seen(), n + 1, "NO_PROXY bypasses: {r}");

    // A proxy that is not there: a classified failure.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (r, doc) = probe_json(&[&addr, "--proxy", &dead]);
    r.code(3);
    assert_eq!(doc["error"]["kind"], "proxy", "{r}");
}

/// The certificates the probe records are exactly those `openssl s_client -showcerts`
/// shows for the same server (order included, the root sent too).
#[test]
fn the_recorded_chain_equals_what_s_client_shows() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    // Wrong order and the root: recorded exactly as sent, whatever it means.
    p.write("chain.pem", &[&p.root.der, &p.sub.der]);
    let s = s_server(
        p.dir.path(),
        &[
            "-cert",
            "leaf.pem",
            "-key",
            "leaf.key",
            "-cert_chain",
            "chain.pem",
            "-www",
        ],
    );
    let out = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &s.addr(),
            "-servername",
            FQDN,
            "-showcerts",
        ])
        .env("OPENSSL_CONF", "/dev/null")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    let blocks = |text: &str| -> Vec<String> {
        text.split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .filter_map(|b| b.split("-----END CERTIFICATE-----").next())
            .map(|b| b.chars().filter(|c| !c.is_whitespace()).collect())
            .collect()
    };
    let s_client = blocks(&shown);
    assert_eq!(s_client.len(), 3, "{shown}");
    let saved = p.path("saved.pem");
    let r = probe(&[
        &s.addr(),
        "--sni",
        FQDN,
        "--save-chain",
        &saved.display().to_string(),
    ]);
    assert!(r.code == 0 || r.code == 1, "{r}");
    let ours = blocks(&std::fs::read_to_string(&saved).unwrap());
    assert_eq!(ours, s_client);
}

/// A BaRS Receiver that cannot be reached: the message names the proxy addresses its
/// firewall must allow.
#[test]
fn an_unreachable_receiver_names_the_proxy_addresses() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = probe(&[&format!("{FQDN}:{port}"), "--connect", "127.0.0.1"]);
    r.code(3);
    assert_eq!(r.stderr.lines().count(), 1, "{r}");
    assert!(
        r.stderr.contains("35.197.254.55") && r.stderr.contains("35.246.55.143"),
        "{r}"
    );
    let r = probe(&[
        &format!("BaRS-PROD-X26.Supplier.thirdparty.nhs.uk:{port}"),
        "--connect",
        "127.0.0.1",
    ]);
    r.code(3);
    assert!(
        r.stderr.contains("34.89.0.111") && r.stderr.contains("34.89.69.6"),
        "{r}"
    );
}

/// A BaRS Receiver that accepted the TCP connection and then reset it, or refused the
/// ClientHello with alert 40: the message says what happened, with no firewall advice (the
/// connection itself got through) and no talk of a client certificate nobody asked for.
#[test]
fn a_receiver_that_connects_then_refuses_is_told_what_happened_not_the_firewall() {
    for (kind, want, text) in [
        (Hostile::Reset, "reset", "reset it before sending anything"),
        (
            Hostile::Alert(40),
            "alert",
            "shares no protocol version (TLS 1.2 or 1.3) or cipher suite with this client, or \
             it does not serve the SNI name sent (bars-int-x26.supplier.thirdparty.nhs.uk)",
        ),
    ] {
        let (addr, _h) = spawn_hostile(kind).unwrap();
        let target = format!("{FQDN}:{}", addr.port());
        let r = probe(&[&target, "--connect", "127.0.0.1"]);
        r.code(3);
        assert_eq!(r.stderr.lines().count(), 1, "{r}");
        assert!(r.stderr.contains(text), "{kind:?}: {r}");
        assert!(!r.stderr.contains("firewall must allow"), "{kind:?}: {r}");
        assert!(!r.stderr.contains("client certificate"), "{kind:?}: {r}");
        assert!(!r.stderr.contains("os error"), "{kind:?}: {r}");
        let (r, doc) = probe_json(&[&target, "--connect", "127.0.0.1"]);
        r.code(3);
        assert_eq!(doc["error"]["kind"], want, "{r}");
    }
}

/// At an INT Receiver, `--mtls-audit` also presents a client certificate from a look-alike
/// NHS INT hierarchy and one from the PROD TEST hierarchy: a Receiver that trusts PROD's
/// CAs too accepts the second, `tls.accepts-foreign-client`.
#[test]
fn mtls_audit_tries_a_lookalike_and_the_other_environment() {
    let fx = |p: &str| crate::util::fixture(&format!("pki/{p}"));
    let der = |p: &str| {
        let text = std::fs::read_to_string(fx(p)).unwrap();
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        crate::util::base64_decode(&body)
    };
    let key = der("int-good/leaf.key");
    let chain = vec![der("int-good/leaf.pem"), der("int/subca.pem")];
    let int_root = der("int/root.pem");
    let prod_root = der("prod/root.pem");
    let ca = format!("int:{}", fx("int/root.pem").display());
    for (roots, foreign) in [
        (vec![int_root.clone()], false),
        (vec![int_root, prod_root], true),
    ] {
        let (addr, _h) = rustls_server(
            chain.clone(),
            &key,
            ClientAuthMode::Required(cas(
                &roots.iter().map(|r| r.as_slice()).collect::<Vec<_>>(),
                None,
            )),
        );
        let (r, doc) = probe_json(&[
            &addr,
            "--sni",
            FQDN,
            "--ca",
            &ca,
            "--env",
            "int",
            "--mtls-audit",
        ]);
        let others = doc["audit"]["others"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        assert_eq!(others.len(), 2, "{r}");
        assert!(
            others[0]["presented"]
                .as_str()
                .unwrap()
                .contains("look-alike NHS INT"),
            "{r}"
        );
        assert_eq!(others[0]["outcome"], "rejected", "{r}");
        assert_eq!(
            others[1]["outcome"],
            if foreign { "accepted" } else { "rejected" },
            "{r}"
        );
        assert_eq!(has(&doc, "tls.accepts-foreign-client"), foreign, "{r}");
        if foreign {
            assert!(
                finding(&doc, "tls.accepts-foreign-client")["detail"]
                    .as_str()
                    .unwrap()
                    .contains("PROD TEST"),
                "{r}"
            );
        }
    }
}

/// `check --write-chain` repairs the wrong-order, root-sent, unrelated-certificate and
/// missing-intermediate cases: `openssl verify` accepts the file, and an `openssl
/// s_server` serving it is probed with no chain finding.
#[test]
fn write_chain_repairs_what_openssl_and_probe_then_accept() {
    bars_testpki::require_tools!("openssl");
    let fx = |p: &str| {
        crate::util::fixture(&format!("pki/{p}"))
            .display()
            .to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = fx("int/root.pem");
    for case in [
        "chain-order/chain.pem",
        "chain-root-sent/chain.pem",
        "chain-unrelated/chain.pem",
        "chain-incomplete/leaf.pem",
    ] {
        let out = d.join("fixed.pem");
        let _ = std::fs::remove_file(&out);
        let r = run(&[
            "check",
            &fx(case),
            "--env",
            "int",
            "--ca",
            &format!("int:{root}"),
            "--ca",
            &format!("int:{}", fx("int/subca.pem")),
            "--at",
            "2027-01-01T00:00:00Z",
            "--write-chain",
            &out.display().to_string(),
        ]);
        assert!(out.exists(), "{case}: {r}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            text.matches("BEGIN CERTIFICATE").count(),
            2,
            "{case}: {text}"
        );
        // openssl verify -CAfile root -untrusted fixed fixed
        let v = Command::new("openssl")
            .args([
                "verify",
                "-attime",
                "1798761600",
                "-CAfile",
                &root,
                "-untrusted",
            ])
            .arg(&out)
            .arg(&out)
            .env("OPENSSL_CONF", "/dev/null")
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "{case}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        // Serve it: the leaf, then the rest as the chain.
        let (leaf, rest) = text.split_at(text.find("-----END CERTIFICATE-----").unwrap() + 26);
        std::fs::write(d.join("leaf-only.pem"), leaf).unwrap();
        std::fs::write(d.join("rest.pem"), rest.trim_start()).unwrap();
        let s = s_server(
            d,
            &[
                "-cert",
                "leaf-only.pem",
                "-key",
                &fx("int-good/leaf.key"),
                "-cert_chain",
                "rest.pem",
                "-www",
            ],
        );
        let (r, doc) = probe_json(&[
            &s.addr(),
            "--sni",
            FQDN,
            "--ca",
            &format!("int:{root}"),
            "--at",
            "2027-01-01T00:00:00Z",
        ]);
        let chain_ids: Vec<String> = ids(&doc)
            .into_iter()
            .filter(|i| i.starts_with("chain."))
            .collect();
        assert!(chain_ids.is_empty(), "{case}: {r}");
        assert_eq!(doc["chain"]["complete"], true, "{case}: {r}");
    }
}

// ---------------------------------------------------------------------------------------
// The validator's scenarios, served: probe reports what check reports of the same chain.

/// The DER of each PEM block labelled `label` in `text`.
fn pem_blocks(text: &str, label: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    text.split(&begin)
        .skip(1)
        .filter_map(|rest| rest.split(&end).next())
        .map(|b64| {
            let clean: String = b64.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(clean)
                .unwrap()
        })
        .collect()
}

#[test]
fn each_bad_chain_served_is_judged_as_check_judges_the_file() {
    let fx = |rel: &str| crate::util::fixture(&format!("pki/{rel}"));
    let root = fx("int/root.pem").display().to_string();
    let root_der = pem_blocks(&std::fs::read_to_string(&root).unwrap(), "CERTIFICATE")
        .pop()
        .unwrap();
    let at = "2027-01-01T00:00:00Z";
    let mut failures = Vec::new();
    for (scenario, chain) in [
        ("chain-not-ca", "chain-not-ca/chain.pem"),
        ("chain-path-length", "chain-path-length/chain.pem"),
        ("chain-name-constraints", "chain-name-constraints/chain.pem"),
        (
            "cert-critical-extension",
            "cert-critical-extension/chain.pem",
        ),
        ("cert-key-usage", "cert-key-usage/chain.pem"),
        ("cert-malformed", "cert-malformed/chain.pem"),
        ("cert-ca-as-leaf", "cert-ca-as-leaf/chain.pem"),
        ("cert-self-signed-ca", "cert-self-signed-ca/leaf.pem"),
    ] {
        let chain_path = fx(chain).display().to_string();
        let ders = pem_blocks(
            &std::fs::read_to_string(&chain_path).unwrap(),
            "CERTIFICATE",
        );
        let key = pem_blocks(
            &std::fs::read_to_string(fx(&format!("keys/{scenario}.pem"))).unwrap(),
            "PRIVATE KEY",
        )
        .pop()
        .unwrap();
        // rustls will not serve every bad certificate (an unknown critical extension):
        // openssl s_server, an independent peer, serves what rustls will not.
        let served = spawn_tls(&TlsServerSpec {
            chain: ders,
            key_pkcs8: key,
            client_auth: ClientAuthMode::Required(cas(&[&root_der], None)),
            tls12_only: false,
            ocsp: None,
        });
        let (_rustls, _openssl);
        let addr = match served {
            Ok((a, h)) => {
                _rustls = h;
                a.to_string()
            }
            Err(_) => {
                let leaf = fx(&format!("{scenario}/leaf.pem")).display().to_string();
                let key = fx(&format!("keys/{scenario}.pem")).display().to_string();
                let s = s_server(
                    &crate::util::root(),
                    &[
                        "-cert",
                        &leaf,
                        "-cert_chain",
                        &chain_path,
                        "-key",
                        &key,
                        "-verify",
                        "1",
                        "-CAfile",
                        &root,
                        "-naccept",
                        "1",
                    ],
                );
                let a = s.addr();
                _openssl = s;
                a
            }
        };
        let common = ["--env", "int", "--ca", &format!("int:{root}"), "--at", at];
        let mut p = vec![addr.as_str(), "--sni", FQDN];
        p.extend(common);
        let (_, probed) = probe_json(&p);
        let mut c = vec!["check", chain_path.as_str()];
        c.extend(common);
        c.extend(["--format", "json"]);
        let checked = run(&c).json();
        let strip = |doc: &serde_json::Value| -> Vec<String> {
            ids(doc)
                .into_iter()
                .filter(|i| !i.starts_with("tls."))
                .collect()
        };
        if strip(&probed) != strip(&checked) {
            failures.push(format!(
                "{scenario}: probe {:?}, check {:?}",
                ids(&probed),
                ids(&checked)
            ));
        }
        if probed["chain"]["valid"] != false {
            failures.push(format!("{scenario}: probe calls the chain valid"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_refused_receiver_is_told_the_proxy_addresses_in_every_output() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("127.0.0.1:{port}");
    let advice = "firewall must allow the proxy's addresses 35.197.254.55 and 35.246.55.143";
    let r = run(&["probe", &target, "--sni", FQDN, "--format", "json"]);
    r.code(3);
    assert!(r.stderr.contains(advice), "{r}");
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["error"]["kind"], "refused", "{r}");
    assert!(
        doc["error"]["message"].as_str().unwrap().contains(advice),
        "{r}"
    );
    let r = run(&["probe", &target, "--sni", FQDN, "--format", "markdown"]);
    assert!(
        r.stdout.contains(advice),
        "the support-desk report too: {r}"
    );
    // Not a Receiver: no such advice.
    let r = run(&[
        "probe",
        &target,
        "--sni",
        "www.example.com",
        "--format",
        "json",
    ]);
    assert!(!r.stdout.contains("35.197.254.55"), "{r}");
    // The scan row of an INT endpoint says it too.
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    std::fs::write(&list, format!("host,port,env\n127.0.0.1,{port},int\n")).unwrap();
    let r = run(&["scan", &list.display().to_string(), "--format", "csv"]);
    r.code(3);
    assert!(r.stdout.contains(advice), "{r}");
}
