//! `check --revocation` and `--fetch-missing` against real local peers: a CA kept by
//! `openssl ca` (CRLs with `-gencrl`, `-revoke`), an `openssl ocsp` responder, and a
//! small HTTP server thread that counts what it is asked. Every URL is on 127.0.0.1;
//! proxies are turned off for every run.

use crate::schema::assert_valid;
use crate::util::{run_with, Run};
use bars_testsupport::ca::{
    self as testsupport, free_port, urls_ext, Ca, OcspResponder, Peer, Reply,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The test PKI: root → sub-CA → leaves, each leaf naming its own CRL / OCSP / AIA URLs.
struct Pki {
    _dir: tempfile::TempDir,
    root: Ca,
    sub: Ca,
    peer: Peer,
    ocsp_port: u16,
    cache: PathBuf,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        let peer = Peer::start();
        let ocsp_port = free_port();
        let ocsp = format!("http://127.0.0.1:{ocsp_port}/");
        let root = Ca::root(base, "root", "Revocation Test Root");
        let sub = root.issue_ca(
            base,
            "sub",
            "Revocation Test Sub CA",
            &urls_ext(&peer.url("/root.crl"), "", ""),
        );
        let leaf = |name: &str, crl: &str, ocsp: &str, aia: &str| {
            sub.issue(
                name,
                &format!("{name}.example"),
                &urls_ext(&peer.url(crl), ocsp, &peer.url(aia)),
            )
        };
        leaf("good", "/sub.crl", &ocsp, "/sub.der");
        let revoked = leaf("revoked", "/sub.crl", &ocsp, "/sub.der");
        sub.revoke(&revoked, "keyCompromise");
        sub.issue_outside_db(
            "stranger",
            "stranger.example",
            &urls_ext(&peer.url("/sub.crl"), &ocsp, ""),
        );
        leaf("stale", "/stale.crl", "", "/sub.der");
        leaf("forged", "/forged.crl", "", "/sub.der");
        leaf("stall", "/sub.crl", &peer.url("/stall"), "/sub.der");
        leaf("aia-wrong", "/sub.crl", "", "/wrong.der");
        leaf("aia-html", "/sub.crl", "", "/page.html");
        peer.serve_file(
            "/sub.crl",
            &sub.gencrl("sub.crl", None),
            "application/pkix-crl",
        );
        peer.serve_file(
            "/root.crl",
            &root.gencrl("root.crl", None),
            "application/pkix-crl",
        );
        peer.serve_file(
            "/stale.crl",
            &sub.gencrl("stale.crl", Some(("20200101000000Z", "20200201000000Z"))),
            "application/pkix-crl",
        );
        // Same issuer name, another key.
        let twin = Ca::root(base, "twin", "Revocation Test Sub CA");
        peer.serve_file(
            "/forged.crl",
            &twin.gencrl("forged.crl", None),
            "application/pkix-crl",
        );
        peer.serve_file("/sub.der", &sub.cert, "application/pkix-cert");
        peer.serve_file("/wrong.der", &twin.cert, "application/pkix-cert");
        peer.route(
            "/page.html",
            Reply::Body(
                b"<!DOCTYPE html><html><body>Please sign in</body></html>".to_vec(),
                "text/html",
            ),
        );
        peer.route("/stall", Reply::Stall);
        Pki {
            cache: base.join("cache"),
            _dir: dir,
            root,
            sub,
            peer,
            ocsp_port,
        }
    }

    fn leaf(&self, name: &str) -> PathBuf {
        self.sub.dir.join(format!("{name}.pem"))
    }

    /// `check FILES --ca root.pem [--cache-dir <cache>] [--format json] ARGS`.
    fn check(&self, files: &[&Path], args: &[&str]) -> Run {
        let mut a: Vec<String> = vec!["check".into()];
        a.extend(files.iter().map(|f| f.display().to_string()));
        a.extend(["--ca".into(), self.root.cert.display().to_string()]);
        if !args.contains(&"--no-cache") {
            a.extend(["--cache-dir".into(), self.cache.display().to_string()]);
        }
        if !args.contains(&"--format") {
            a.extend(["--format".to_string(), "json".to_string()]);
        }
        a.extend(args.iter().map(|s| s.to_string()));
        run_with(&a, &[("NO_PROXY", "*"), ("no_proxy", "*")])
    }
}

/// The revocation.* findings: (id, certificate, detail).
fn revocation(r: &Run) -> Vec<(String, i64, String)> {
    let doc = r.json();
    assert_valid(&doc);
    doc["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings: {r}"))
        .iter()
        .filter(|f| f["id"].as_str().unwrap().starts_with("revocation."))
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["certificate"].as_i64().unwrap_or(-1),
                f["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids(r: &Run) -> Vec<String> {
    revocation(r).into_iter().map(|(id, _, _)| id).collect()
}

#[test]
fn crl_says_good_revoked_stale_or_forged_and_is_downloaded_once() {
    bars_testpki::require_tools!("openssl");
    let pki = Pki::new();
    let sub = pki.sub.cert.as_path();

    // Good: the leaf (against the sub-CA's CRL) and the sub-CA (against the root's).
    let r = pki.check(&[&pki.leaf("good"), sub], &["--revocation", "crl"]);
    r.code(0);
    assert_eq!(revocation(&r), vec![], "{r}");
    assert_eq!(
        (pki.peer.hits("/sub.crl"), pki.peer.hits("/root.crl")),
        (1, 1)
    );

    // The cache directory serves the next run; --no-cache downloads again.
    let r = pki.check(&[&pki.leaf("good"), sub], &["--revocation", "crl"]);
    assert_eq!(revocation(&r), vec![], "{r}");
    assert_eq!(pki.peer.hits("/sub.crl"), 1, "second run reads the cache");
    // Two leaves under one CA in one run, no cache: one download of its CRL.
    let r = pki.check(
        &[&pki.leaf("good"), &pki.leaf("revoked"), sub],
        &["--revocation", "crl", "--no-cache"],
    );
    assert_eq!(pki.peer.hits("/sub.crl"), 2, "{r}");

    // Revoked: an error naming the reason and the date, on the leaf.
    let r = pki.check(&[&pki.leaf("revoked"), sub], &["--revocation", "crl"]);
    r.code(1);
    let f = revocation(&r);
    assert_eq!(f.len(), 1, "{r}");
    let (id, cert, detail) = &f[0];
    assert_eq!((id.as_str(), *cert), ("revocation.revoked", 0));
    assert!(detail.contains("reason keyCompromise"), "{detail}");
    assert!(detail.contains("revoked on 20"), "{detail}");
    assert!(detail.contains(&pki.peer.url("/sub.crl")), "{detail}");

    // Stale: a warning, the gate still passes.
    let r = pki.check(&[&pki.leaf("stale"), sub], &["--revocation", "crl"]);
    r.code(0);
    let f = revocation(&r);
    assert_eq!(ids(&r), ["revocation.stale"], "{r}");
    assert!(
        f[0].2.contains("past its nextUpdate 2020-02-01T00:00:00Z"),
        "{}",
        f[0].2
    );

    // Signed by another key under the same name: unavailable, saying why.
    let r = pki.check(&[&pki.leaf("forged"), sub], &["--revocation", "crl"]);
    r.code(0);
    let f = revocation(&r);
    assert_eq!(ids(&r), ["revocation.unavailable"], "{r}");
    assert!(f[0].2.contains("signature does not verify"), "{}", f[0].2);
    // --fail-on warning makes it fail.
    let r = pki.check(
        &[&pki.leaf("forged"), sub],
        &["--revocation", "crl", "--fail-on", "warning"],
    );
    r.code(1);
}

#[test]
fn ocsp_says_good_revoked_or_unknown_and_a_stalling_responder_times_out() {
    bars_testpki::require_tools!("openssl");
    let pki = Pki::new();
    let (signer, key) = pki.sub.issue_ocsp_signer("responder");
    let _responder = OcspResponder::start(pki.ocsp_port, &pki.sub, &signer, &key);
    let sub = pki.sub.cert.as_path();

    let r = pki.check(&[&pki.leaf("good"), sub], &["--revocation", "ocsp"]);
    r.code(0);
    // The sub-CA names only a CRL: with OCSP alone it has no source.
    let f = revocation(&r);
    assert_eq!(ids(&r), ["revocation.no-source"], "{r}");
    assert_eq!(f[0].1, 1);
    assert!(f[0].2.contains("names no OCSP responder"), "{}", f[0].2);

    let r = pki.check(&[&pki.leaf("good"), sub], &["--revocation", "both"]);
    r.code(0);
    assert_eq!(revocation(&r), vec![], "{r}");

    let r = pki.check(&[&pki.leaf("revoked"), sub], &["--revocation", "ocsp"]);
    r.code(1);
    let f = revocation(&r);
    let revoked: Vec<_> = f.iter().filter(|x| x.0 == "revocation.revoked").collect();
    assert_eq!(revoked.len(), 1, "{r}");
    assert!(
        revoked[0].2.contains("reason keyCompromise"),
        "{}",
        revoked[0].2
    );
    assert!(
        revoked[0].2.contains("the OCSP responder"),
        "{}",
        revoked[0].2
    );

    let r = pki.check(&[&pki.leaf("stranger"), sub], &["--revocation", "ocsp"]);
    r.code(0);
    let f = revocation(&r);
    assert!(
        f.iter()
            .any(|(id, c, d)| id == "revocation.unknown" && *c == 0 && d.contains("does not know")),
        "{r}"
    );

    let t = Instant::now();
    let r = pki.check(
        &[&pki.leaf("stall"), sub],
        &["--revocation", "ocsp", "--revocation-timeout", "1"],
    );
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let f = revocation(&r);
    assert!(
        f.iter().any(|(id, c, d)| id == "revocation.unavailable"
            && *c == 0
            && d.contains("timed out after 1 s")),
        "{r}"
    );
}

#[test]
fn fetch_missing_uses_only_the_real_issuer_and_still_reports_the_gap() {
    bars_testpki::require_tools!("openssl");
    let pki = Pki::new();
    let r = pki.check(
        &[&pki.leaf("good")],
        &["--fetch-missing", "--revocation", "crl"],
    );
    let doc = r.json();
    assert_valid(&doc);
    // The fetched issuer completes the path (valid, trusted) but was not sent: the
    // chain as given is incomplete.
    assert_eq!(doc["chain"]["complete"], false, "{r}");
    assert_eq!(doc["chain"]["valid"], true, "{r}");
    assert_eq!(doc["chain"]["trusted_by"], "Revocation Test Root", "{r}");
    let fetched = &doc["certificates"][1];
    assert_eq!(
        fetched["source"],
        format!("fetched:{}", pki.peer.url("/sub.der"))
    );
    assert_eq!(fetched["subject"], "CN=Revocation Test Sub CA");
    let all: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(all.contains(&"chain.incomplete"), "{r}");
    // With the fetched issuer, the leaf's revocation could be checked.
    assert_eq!(revocation(&r), vec![], "{r}");
    r.code(1);

    // The text report says it was fetched, not sent.
    let r = pki.check(
        &[&pki.leaf("good")],
        &["--fetch-missing", "--format", "text"],
    );
    assert!(
        r.stdout
            .contains("Fetched, not sent: CN=Revocation Test Sub CA"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains(&format!("fetched:{}", pki.peer.url("/sub.der"))),
        "{r}"
    );

    // A wrong certificate or an HTML page is not used, and the report says why.
    for (leaf, why) in [
        (
            "aia-wrong",
            "has the issuer's name but its key does not verify the signature",
        ),
        (
            "aia-html",
            "the server answered with an HTML page, not a certificate",
        ),
    ] {
        let r = pki.check(&[&pki.leaf(leaf)], &["--fetch-missing", "--format", "text"]);
        r.code(1);
        assert!(r.stdout.contains(why), "{r}");
        assert!(!r.stdout.contains("Fetched, not sent"), "{r}");
        let r = pki.check(&[&pki.leaf(leaf)], &["--fetch-missing"]);
        let doc = r.json();
        assert_eq!(doc["chain"]["complete"], false, "{r}");
        assert_eq!(doc["certificates"].as_array().unwrap().len(), 1, "{r}");
    }

    // Without --fetch-missing the leaf alone cannot be checked for revocation.
    let r = pki.check(&[&pki.leaf("good")], &["--revocation", "crl"]);
    let f = revocation(&r);
    assert_eq!(ids(&r), ["revocation.unavailable"], "{r}");
    assert!(f[0].2.contains("--fetch-missing"), "{}", f[0].2);
}

#[test]
fn nothing_is_contacted_without_revocation_or_fetch_missing() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let quiet = Peer::start();
    let root = Ca::root(dir.path(), "root", "Quiet Root");
    let sub = root.issue_ca(
        dir.path(),
        "sub",
        "Quiet Sub CA",
        &urls_ext(
            &quiet.url("/root.crl"),
            &quiet.url("/ocsp"),
            &quiet.url("/root.der"),
        ),
    );
    let leaf = sub.issue(
        "leaf",
        "leaf.example",
        &urls_ext(
            &quiet.url("/sub.crl"),
            &quiet.url("/ocsp"),
            &quiet.url("/sub.der"),
        ),
    );
    let files = [leaf.to_str().unwrap(), sub.cert.to_str().unwrap()];
    let ca = root.cert.to_str().unwrap();
    let cache = dir.path().join("cache");
    for extra in [
        vec![],
        vec!["--revocation", "off"],
        vec![
            "--cache-dir",
            cache.to_str().unwrap(),
            "--revocation-timeout",
            "2",
        ],
    ] {
        // Complete chain, and the leaf alone (incomplete: an issuer to fetch, if asked).
        for given in [&files[..], &files[..1]] {
            let mut a = vec!["check"];
            a.extend_from_slice(given);
            a.extend(["--ca", ca, "--format", "json"]);
            a.extend(&extra);
            let r = run_with(&a, &[("NO_PROXY", "*"), ("no_proxy", "*")]);
            assert!(ids(&r).is_empty(), "{r}");
        }
    }
    assert_eq!(
        quiet.connections(),
        0,
        "a connection was made without being asked"
    );
    assert!(!cache.exists());
}

/// `probe --revocation crl` checks the chain the server sent, against the CRLs it names.
#[test]
fn probe_checks_the_revocation_of_what_the_server_sent() {
    bars_testpki::require_tools!("openssl");
    use bars_testsupport::{spawn_tls, ClientAuthMode, TlsServerSpec};
    let pki = Pki::new();
    let der = |p: &Path| testsupport::cert(p).der().to_vec();
    for (name, want) in [("revoked", Some("revocation.revoked")), ("good", None)] {
        let key_path = pki.sub.dir.join(format!("{name}.key"));
        let parsed = bars_model::read_path(&key_path, &bars_model::NoPassword, &Default::default());
        let key = match parsed.items.first() {
            Some(bars_model::Item::Key(k)) => k.pkcs8_der().unwrap().to_vec(),
            other => panic!("{key_path:?}: {other:?}"),
        };
        let (addr, server) = spawn_tls(&TlsServerSpec {
            chain: vec![der(&pki.leaf(name)), der(&pki.sub.cert)],
            key_pkcs8: key,
            client_auth: ClientAuthMode::None,
            tls12_only: false,
            ocsp: None,
        })
        .unwrap();
        let args: Vec<String> = [
            "probe",
            &addr.to_string(),
            "--sni",
            &format!("{name}.example"),
            "--ca",
            &pki.root.cert.display().to_string(),
            "--revocation",
            "crl",
            "--cache-dir",
            &pki.cache.display().to_string(),
            "--format",
            "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let r = run_with(&args, &[("NO_PROXY", "*"), ("no_proxy", "*")]);
        server.shutdown();
        let got = ids(&r);
        match want {
            Some(id) => {
                assert!(got.contains(&id.to_string()), "{name}: {r}");
                r.code(1);
            }
            None => assert!(got.is_empty(), "{name}: {r}"),
        }
    }
}

/// `scan --revocation crl`: every endpoint's chain is checked, and endpoints under one CA
/// share one download of its CRL.
#[test]
fn scan_checks_revocation_and_downloads_each_crl_once() {
    bars_testpki::require_tools!("openssl");
    use bars_testsupport::{spawn_tls, ClientAuthMode, TlsServerSpec};
    let pki = Pki::new();
    let der = |p: &Path| testsupport::cert(p).der().to_vec();
    let mut servers = Vec::new();
    let mut list = String::new();
    for name in ["revoked", "good", "good", "good"] {
        let key_path = pki.sub.dir.join(format!("{name}.key"));
        let parsed = bars_model::read_path(&key_path, &bars_model::NoPassword, &Default::default());
        let key = match parsed.items.first() {
            Some(bars_model::Item::Key(k)) => k.pkcs8_der().unwrap().to_vec(),
            other => panic!("{key_path:?}: {other:?}"),
        };
        let (addr, server) = spawn_tls(&TlsServerSpec {
            chain: vec![der(&pki.leaf(name)), der(&pki.sub.cert)],
            key_pkcs8: key,
            client_auth: ClientAuthMode::None,
            tls12_only: false,
            ocsp: None,
        })
        .unwrap();
        list.push_str(&format!("{addr},{name}.example\n"));
        servers.push(server);
    }
    let list_path = pki.cache.with_extension("csv");
    std::fs::write(&list_path, format!("connect,host\n{list}")).unwrap();
    let before = pki.peer.hits("/sub.crl");
    let args: Vec<String> = [
        "scan",
        &list_path.display().to_string(),
        "--ca",
        &pki.root.cert.display().to_string(),
        "--revocation",
        "crl",
        "--no-cache",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let r = run_with(&args, &[("NO_PROXY", "*"), ("no_proxy", "*")]);
    drop(servers);
    r.code(1);
    let doc = r.json();
    assert_valid(&doc);
    let endpoints = doc["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 4, "{r}");
    let revoked: Vec<bool> = endpoints
        .iter()
        .map(|e| {
            e["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "revocation.revoked")
        })
        .collect();
    assert_eq!(revoked, [true, false, false, false], "{r}");
    assert_eq!(
        pki.peer.hits("/sub.crl") - before,
        1,
        "one download for four endpoints: {r}"
    );
}
