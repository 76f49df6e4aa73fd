//! Java keystores everywhere by content (issue 16): `inspect`, `check`, `match` and
//! `trust lint` read JKS (trusted certificates and private-key entries) and JCEKS, a key
//! entry with its own password opens with `--key-password-env/-file`, and `probe`/`scan
//! --keystore FILE` present a JKS private-key entry and its chain as the client identity
//! (checked by `openssl s_server -Verify 1`, which logs the certificate it verified).
//! Fixtures: fixtures/keystores, made by keytool (make.sh); every store password is
//! `secret`, the key of receiver-keypass.jks is `keysecret`.

use crate::schema::assert_valid;
use crate::util::{fixture, run_with, Run};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
const AT: &str = "2027-01-01T00:00:00Z";
const PW: [(&str, &str); 2] = [("KS_PW", "secret"), ("KEY_PW", "keysecret")];

fn ks(name: &str) -> String {
    fixture(&format!("keystores/{name}")).display().to_string()
}

fn f(rel: &str) -> String {
    fixture(rel).display().to_string()
}

fn run_pw(args: &[&str]) -> Run {
    run_with(args, &PW)
}

/// The ids of a JSON report's findings.
fn ids(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

// ------------------------------------------------------------------ reading commands

#[test]
fn inspect_opens_a_key_entry_with_its_own_key_password() {
    let store = ks("receiver-keypass.jks");
    let base = ["inspect", store.as_str(), "--password-env", "KS_PW"];
    // The store password does not open the key entry: its certificates are shown, the
    // locked entry is one line naming the options that open it, and the exit code is 2.
    let r = run_pw(&[&base[..], &["--format", "json"]].concat());
    r.code(2);
    assert!(r.stderr.contains(&store), "{r}");
    assert!(r.stderr.contains("--key-password-env"), "{r}");
    assert_eq!(r.stderr.lines().count(), 1, "{r}");
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["certificates"].as_array().unwrap().len(), 3, "{r}");
    assert_ne!(doc["pfx"][0]["key_matches_certificate"], true, "{r}");
    // With the key password (from a variable or a file) the key opens and matches.
    let r = run_pw(
        &[
            &base[..],
            &["--key-password-env", "KEY_PW", "--format", "json"],
        ]
        .concat(),
    );
    r.code(0);
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["pfx"][0]["format"], "JKS", "{r}");
    assert_eq!(doc["pfx"][0]["key_matches_certificate"], true, "{r}");
    let dir = tempfile::tempdir().unwrap();
    let pw_file = dir.path().join("key-password");
    std::fs::write(&pw_file, "keysecret\n").unwrap();
    let pw_file = pw_file.display().to_string();
    let r = run_pw(&[&base[..], &["--key-password-file", &pw_file]].concat());
    r.code(0);
    assert!(r.stderr.is_empty(), "{r}");
    // A wrong key password: refused like none.
    let r = run_with(
        &[&base[..], &["--key-password-env", "KEY_PW"]].concat(),
        &[("KS_PW", "secret"), ("KEY_PW", "not-it")],
    );
    r.code(2);
    assert!(
        r.stderr.contains("wrong password for the private key"),
        "{r}"
    );
    // A named but unset variable is a usage error naming the option.
    let r = run_with(
        &[&base[..], &["--key-password-env", "BARS_TEST_UNSET_KEY_PW"]].concat(),
        &[("KS_PW", "secret")],
    );
    r.code(2);
    assert!(
        r.stderr
            .contains("--key-password-env BARS_TEST_UNSET_KEY_PW"),
        "{r}"
    );
    // A JCEKS truststore: its trusted-certificate entries.
    let r = run_pw(&[
        "inspect",
        &ks("truststore.jceks"),
        "--password-env",
        "KS_PW",
        "--format",
        "json",
    ]);
    r.code(0);
    let doc = r.json();
    let subjects: Vec<&str> = doc["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2, "{r}");
    assert!(
        subjects.iter().any(|s| s.contains("BaRS TEST INT Root")),
        "{r}"
    );
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("BaRS TEST INT Authentication")),
        "{r}"
    );
}

#[test]
fn check_judges_jks_and_jceks_key_entries_and_needs_the_key_password() {
    let ca = format!("int:{}", f("pki/int/root.pem"));
    let judge = ["--env", "int", "--ca", &ca, "--at", AT, "--format", "json"];
    let check = |store: &str, extra: &[&str]| {
        let s = ks(store);
        let r = run_pw(
            &[
                &["check", s.as_str(), "--password-env", "KS_PW"][..],
                extra,
                &judge,
            ]
            .concat(),
        );
        let doc = r.json();
        assert_valid(&doc);
        (r, doc)
    };
    // Without its key password the key entry is key.locked (a warning), named as such.
    let (r, doc) = check("receiver-keypass.jks", &[]);
    assert!(ids(&doc).contains(&"key.locked".to_string()), "{r}");
    assert_eq!(doc["verdict"], "warn", "{r}");
    let (r, doc) = check("receiver-keypass.jks", &["--key-password-env", "KEY_PW"]);
    r.code(0);
    assert!(!ids(&doc).contains(&"key.locked".to_string()), "{r}");
    assert_eq!(doc["verdict"], "pass", "{r}");
    assert_eq!(doc["chain"]["complete"], true, "{r}");
    // A JCEKS store's key entry (PBEWithMD5AndTripleDES) opens with the store password.
    let (r, doc) = check("receiver.jceks", &[]);
    r.code(0);
    assert_eq!(doc["verdict"], "pass", "{r}");
    assert_eq!(doc["chain"]["trusted_by"], "BaRS TEST INT Root", "{r}");
    // A wrong store password: pfx.bad-password, exit 1.
    let s = ks("receiver.jceks");
    let r = run_with(
        &[
            &["check", s.as_str(), "--password-env", "KS_PW"][..],
            &judge,
        ]
        .concat(),
        &[("KS_PW", "wrong")],
    );
    r.code(1);
    assert!(
        ids(&r.json()).contains(&"pfx.bad-password".to_string()),
        "{r}"
    );
}

#[test]
fn match_pairs_keystore_key_entries_with_certificates_and_csrs() {
    let cases = [
        ("receiver.jks", f("pki/int-good/request.csr"), &[][..]),
        ("receiver.jceks", f("pki/int-good/leaf.pem"), &[][..]),
        (
            "receiver-keypass.jks",
            f("pki/int-good/request.csr"),
            &["--key-password-env", "KEY_PW"][..],
        ),
    ];
    for (store, other, extra) in cases {
        let s = ks(store);
        let r = run_pw(
            &[
                &[
                    "match",
                    s.as_str(),
                    other.as_str(),
                    "--password-env",
                    "KS_PW",
                    "--format",
                    "json",
                ][..],
                extra,
            ]
            .concat(),
        );
        r.code(0);
        let doc = r.json();
        assert_valid(&doc);
        let groups = doc["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{store}: {r}");
        assert_eq!(
            groups[0]["keys"].as_array().unwrap().len(),
            1,
            "{store}: the key entry: {r}"
        );
        assert!(
            !groups[0]["certificates"].as_array().unwrap().is_empty(),
            "{store}: {r}"
        );
        assert_eq!(doc["verdict"], "pass", "{store}: {r}");
    }
    // Against an unrelated CSR the key entry is a mismatch.
    let s = ks("receiver.jks");
    let r = run_pw(&[
        "match",
        &s,
        &f("pki/csr-good/request.csr"),
        "--password-env",
        "KS_PW",
        "--format",
        "json",
    ]);
    r.code(1);
    assert!(
        ids(&r.json()).iter().any(|i| i.ends_with("mismatch")),
        "{r}"
    );
}

#[test]
fn trust_lint_reads_password_protected_java_truststores() {
    let dir = tempfile::tempdir().unwrap();
    let pw_file = dir.path().join("store-password");
    std::fs::write(&pw_file, "secret\n").unwrap();
    let pw_file = pw_file.display().to_string();
    let sub = format!("int:{}", f("pki/int/subca.pem"));
    let root = format!("int:{}", f("pki/int/root.pem"));
    for store in ["truststore.jks", "truststore.jceks"] {
        let s = ks(store);
        let lint = [
            "trust",
            "lint",
            s.as_str(),
            "--env",
            "int",
            "--no-embedded-ca",
            "--ca",
            &sub,
            "--ca",
            &root,
            "--at",
            AT,
        ];
        for source in [
            ["--password-env", "KS_PW"],
            ["--password-file", pw_file.as_str()],
        ] {
            let r = run_pw(&[&lint[..], &source, &["--format", "json"]].concat());
            r.code(0);
            let doc = r.json();
            assert_valid(&doc);
            assert_eq!(
                doc["certificates"].as_array().unwrap().len(),
                2,
                "{store}: {r}"
            );
            assert_eq!(doc["verdict"], "pass", "{store}: {r}");
        }
        // No password: the store cannot be opened (pfx.bad-password, exit 1 as in check;
        // one line saying how to give it).
        let r = run_pw(&lint);
        r.code(1);
        assert!(
            r.stderr.contains(&s) && r.stderr.contains("--password-env"),
            "{r}"
        );
        let r = run_with(
            &[&lint[..], &["--password-env", "KS_PW"]].concat(),
            &[("KS_PW", "wrong")],
        );
        r.code(1);
        assert!(r.stderr.contains("wrong password"), "{r}");
        assert_eq!(r.stderr.lines().count(), 1, "{r}");
    }
}

// ------------------------------------------------------------------ probe, scan

/// `openssl s_server` on 127.0.0.1 requiring a client certificate issued under the test
/// INT root; everything it prints is kept (the verify lines name the client's chain).
struct SServer {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl SServer {
    fn start() -> SServer {
        let pki = fixture("pki");
        let mut child = Command::new("openssl")
            .arg("s_server")
            .args([
                "-accept",
                "127.0.0.1:0",
                "-Verify",
                "1",
                "-verify_return_error",
            ])
            .arg("-cert")
            .arg(pki.join("int-good/leaf.pem"))
            .arg("-key")
            .arg(pki.join("int-good/leaf.key"))
            .arg("-cert_chain")
            .arg(pki.join("int/subca.pem"))
            .arg("-CAfile")
            .arg(pki.join("int/root.pem"))
            .env("OPENSSL_CONF", "/dev/null")
            // Kept open: s_server stops at the end of its input.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl s_server starts");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        // Both streams: the verify lines (`depth=…`) go to stderr, ACCEPT to stdout.
        let out: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().unwrap());
        let err: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().unwrap());
        for stream in [out, err] {
            let (keep, tx) = (log.clone(), tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(addr) = line.strip_prefix("ACCEPT ") {
                        let _ = tx.send(addr.to_string());
                    }
                    let mut l = keep.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let Ok(addr) = rx.recv_timeout(Duration::from_secs(10)) else {
            let _ = child.kill();
            panic!("openssl s_server did not start");
        };
        SServer {
            child,
            addr: addr.parse().unwrap(),
            log,
        }
    }

    /// Waits (a little) for `needle` in the server's output.
    fn saw(&self, needle: &str) -> bool {
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            if self.log.lock().unwrap().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What s_server prints for the client certificate it verified (the keystore's leaf;
/// depth 1 is the sub-CA, which only the presented chain holds: -CAfile has the root).
const CLIENT_LEAF: &str =
    "depth=0 O = nhs, OU = Devices, CN = BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
const CLIENT_SUBCA: &str =
    "depth=1 C = GB, O = bars-certcheck test, OU = CA, CN = BaRS TEST INT Authentication";

fn probe_args(addr: &str, ca: &str) -> Vec<String> {
    [
        "probe",
        addr,
        "--sni",
        FQDN,
        "--env",
        "int",
        "--ca",
        ca,
        "--at",
        AT,
        "--timeout",
        "5",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn probe_presents_the_private_key_entry_of_a_keystore() {
    bars_testpki::require_tools!("openssl");
    let ca = format!("int:{}", f("pki/int/root.pem"));
    // Without a client certificate the server refuses the handshake.
    let s = SServer::start();
    let addr = s.addr.to_string();
    let args = probe_args(&addr, &ca);
    let r = run_pw(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        ids(&r.json()).contains(&"tls.handshake-failed".to_string()),
        "{r}"
    );
    assert!(!s.log().contains(CLIENT_LEAF), "{}", s.log());
    drop(s);
    for (store, extra) in [
        ("receiver.jks", &[][..]),
        (
            "receiver-keypass.jks",
            &["--key-password-env", "KEY_PW"][..],
        ),
        ("receiver.jceks", &[][..]),
    ] {
        let s = SServer::start();
        let addr = s.addr.to_string();
        let store_path = ks(store);
        let mut args = probe_args(&addr, &ca);
        args.extend(["--keystore", &store_path, "--password-env", "KS_PW"].map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        let r = run_pw(&args.iter().map(String::as_str).collect::<Vec<_>>());
        r.code(0);
        let doc = r.json();
        assert_valid(&doc);
        assert!(
            !ids(&doc).contains(&"tls.handshake-failed".to_string()),
            "{store}: {r}"
        );
        assert!(
            s.saw(CLIENT_LEAF),
            "{store}: the keystore's leaf was presented: {}",
            s.log()
        );
        assert!(s.saw(CLIENT_SUBCA), "{store}: with its chain: {}", s.log());
    }
}

/// A keystore, the environment, extra options, and what the one stderr line says.
type Refusal<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str], &'a str);

#[test]
fn probe_refuses_a_wrong_store_or_key_password_before_connecting() {
    // A listener that records any connection: none may arrive.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let cases: [Refusal; 4] = [
        (
            "receiver.jks",
            &[("KS_PW", "wrong")],
            &[],
            "wrong password for JKS keystore",
        ),
        (
            "receiver-keypass.jks",
            &[("KS_PW", "secret")],
            &[],
            "--key-password-env",
        ),
        (
            "receiver-keypass.jks",
            &[("KS_PW", "secret"), ("KEY_PW", "not-it")],
            &["--key-password-env", "KEY_PW"],
            "wrong password for the private key",
        ),
        (
            "receiver.jceks",
            &[],
            &[],
            "give its password with --password-env",
        ),
    ];
    for (store, env, extra, said) in cases {
        let s = ks(store);
        let mut args = vec![
            "probe",
            addr.as_str(),
            "--keystore",
            s.as_str(),
            "--timeout",
            "3",
        ];
        if env.iter().any(|(k, _)| *k == "KS_PW") {
            args.extend(["--password-env", "KS_PW"]);
        }
        args.extend_from_slice(extra);
        for scan in [false, true] {
            let r = if scan {
                let dir = tempfile::tempdir().unwrap();
                let list = dir.path().join("list.txt");
                std::fs::write(&list, format!("{addr}\n")).unwrap();
                let list = list.display().to_string();
                let mut a = args.clone();
                a[0] = "scan";
                a[1] = list.as_str();
                run_with(&a, env)
            } else {
                run_with(&args, env)
            };
            r.code(1);
            assert!(
                r.stderr.contains(&s) && r.stderr.contains(said),
                "{store}: {r}"
            );
            assert_eq!(r.stderr.lines().count(), 1, "one line: {r}");
            assert!(r.stdout.is_empty(), "{r}");
        }
    }
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "nothing connected"
    );
}

#[test]
fn scan_presents_the_keystore_identity_too() {
    bars_testpki::require_tools!("openssl");
    let s = SServer::start();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        format!("host,port,sni\n127.0.0.1,{},{FQDN}\n", s.addr.port()),
    )
    .unwrap();
    let ca = format!("int:{}", f("pki/int/root.pem"));
    let r = run_pw(&[
        "scan",
        &list.display().to_string(),
        "--env",
        "int",
        "--ca",
        &ca,
        "--at",
        AT,
        "--timeout",
        "5",
        "--keystore",
        &ks("receiver-keypass.jks"),
        "--password-env",
        "KS_PW",
        "--key-password-env",
        "KEY_PW",
        "--format",
        "json",
    ]);
    r.code(0);
    let doc = r.json();
    assert_valid(&doc);
    assert!(
        !ids(&doc["endpoints"][0]).contains(&"tls.handshake-failed".to_string()),
        "{r}"
    );
    assert!(s.saw(CLIENT_LEAF), "{}", s.log());
}
