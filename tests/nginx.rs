//! `probe --mtls-audit` against nginx (Debian's package, started by the test on
//! 127.0.0.1) as a BaRS Receiver with `ssl_verify_client on`: with the right client-CA
//! file nothing gets in; with one that also trusts the PROD CAs, the audit's PROD TEST
//! client certificate does (`tls.accepts-foreign-client`).

use crate::util::{fixture, run, Run};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";

struct Nginx {
    child: Child,
    port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx(dir: &Path, trust: &str) -> Nginx {
    nginx_with(dir, trust, "on", "TLSv1.2 TLSv1.3")
}

/// nginx with `ssl_verify_client {verify}` and `ssl_protocols {protocols}`.
fn nginx_with(dir: &Path, trust: &str, verify: &str, protocols: &str) -> Nginx {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fx = |p: &str| fixture(&format!("pki/{p}")).display().to_string();
    std::fs::write(dir.join("trust.pem"), trust).unwrap();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
         error_log {d}/error.log;\nevents {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           server {{\n    listen 127.0.0.1:{port} ssl;\n    server_name {FQDN};\n\
             ssl_certificate {chain};\n    ssl_certificate_key {key};\n\
             ssl_protocols {protocols};\n    ssl_verify_client {verify};\n    ssl_client_certificate {d}/trust.pem;\n    ssl_verify_depth 2;\n\
             location / {{ return 200 \"ok\\n\"; }}\n  }}\n}}\n",
        chain = fx("int-good/chain.pem"),
        key = fx("int-good/leaf.key"),
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new("nginx")
        .args(["-p", &d.to_string(), "-c", &format!("{d}/nginx.conf")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx is installed (.ci/run installs it)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Nginx { child, port }
}

fn audit(n: &Nginx) -> (Run, serde_json::Value) {
    let r = run(&[
        "probe",
        &format!("127.0.0.1:{}", n.port),
        "--sni",
        FQDN,
        "--env",
        "int",
        "--ca",
        &format!("int:{}", fixture("pki/int/root.pem").display()),
        "--mtls-audit",
        "--at",
        "2027-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    let doc = r.json();
    (r, doc)
}

fn ids(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn nginx_receiver_with_the_right_and_a_too_broad_trust_file() {
    bars_testpki::require_tools!("nginx");
    let read = |p: &str| std::fs::read_to_string(fixture(&format!("pki/{p}"))).unwrap();
    let right = format!("{}{}", read("int/subca.pem"), read("int/root.pem"));
    let broad = format!("{right}{}{}", read("prod/subca.pem"), read("prod/root.pem"));

    let dir = tempfile::tempdir().unwrap();
    let n = nginx(dir.path(), &right);
    let (r, doc) = audit(&n);
    let got = ids(&doc);
    assert!(!got.iter().any(|i| i.starts_with("tls.accepts-")), "{r}");
    assert!(!got.contains(&"tls.no-client-auth".to_string()), "{r}");
    assert_eq!(doc["tls"]["client_auth_requested"], true, "{r}");
    // nginx refuses with "400 No required SSL certificate was sent" (or "The SSL
    // certificate error"): every attempt is a refusal, none inconclusive.
    for attempt in ["anonymous", "self_signed"] {
        assert_eq!(
            doc["audit"][attempt]["outcome"], "rejected",
            "{attempt}: {r}"
        );
    }
    assert!(
        doc["audit"]["anonymous"]["detail"]
            .as_str()
            .unwrap()
            .contains("No required SSL certificate was sent"),
        "{r}"
    );
    let text = run(&[
        "probe",
        &format!("127.0.0.1:{}", n.port),
        "--sni",
        FQDN,
        "--env",
        "int",
        "--ca",
        &format!("int:{}", fixture("pki/int/root.pem").display()),
        "--mtls-audit",
        "--at",
        "2027-01-01T00:00:00Z",
    ]);
    text.code(0);
    assert!(!text.stdout.contains("inconclusive"), "{text}");
    assert!(
        text.stdout
            .contains("mTLS audit, without a client certificate: rejected"),
        "{text}"
    );
    drop(n);

    let dir = tempfile::tempdir().unwrap();
    let n = nginx(dir.path(), &broad);
    let (r, doc) = audit(&n);
    let got = ids(&doc);
    assert!(
        got.contains(&"tls.accepts-foreign-client".to_string()),
        "{r}"
    );
    assert!(!got.contains(&"tls.accepts-anonymous".to_string()), "{r}");
    r.code(1);
}

/// A probe without `--mtls-audit` of nginx as a Receiver, in JSON.
fn plain_probe(n: &Nginx) -> (Run, serde_json::Value) {
    let r = run(&[
        "probe",
        &format!("127.0.0.1:{}", n.port),
        "--sni",
        FQDN,
        "--env",
        "int",
        "--ca",
        &format!("int:{}", fixture("pki/int/root.pem").display()),
        "--at",
        "2027-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    let doc = r.json();
    (r, doc)
}

#[test]
fn a_receiver_that_lets_in_a_probe_without_a_certificate_is_flagged_without_the_audit() {
    bars_testpki::require_tools!("nginx");
    let read = |p: &str| std::fs::read_to_string(fixture(&format!("pki/{p}"))).unwrap();
    let right = format!("{}{}", read("int/subca.pem"), read("int/root.pem"));
    for protocols in ["TLSv1.2", "TLSv1.3"] {
        // `optional`: nginx asks, the probe presents nothing, and nginx answers 200.
        let dir = tempfile::tempdir().unwrap();
        let n = nginx_with(dir.path(), &right, "optional", protocols);
        let (r, doc) = plain_probe(&n);
        r.code(1);
        assert!(
            ids(&doc).contains(&"tls.accepts-anonymous".to_string()),
            "{protocols}: {r}"
        );
        let f = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "tls.accepts-anonymous")
            .unwrap();
        assert_eq!(f["severity"], "error");
        assert!(f["detail"].as_str().unwrap().contains("200"), "{r}");
        drop(n);
        // `on`: the same probe is answered 400, a refusal: nothing to report.
        let dir = tempfile::tempdir().unwrap();
        let n = nginx_with(dir.path(), &right, "on", protocols);
        let (r, doc) = plain_probe(&n);
        r.code(0);
        assert!(
            !ids(&doc).iter().any(|i| i.starts_with("tls.accepts-")),
            "{protocols}: {r}"
        );
    }
}
