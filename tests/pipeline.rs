//! Issue 14, "One diagnosis pipeline: a thin binary over libraries that cannot drift
//! apart": `scan` gives per endpoint exactly the document `probe` gives, whatever the
//! endpoint (every `demo` fault, a server stapling a revoked OCSP response, a Receiver
//! that requires a client certificate), with a client certificate, `--mtls-audit` and an
//! HTTP CONNECT proxy that requires `Proxy-Authorization`.

use crate::schema::assert_valid;
use crate::util::{run, Run};
use bars_forge::mint::{demo_at, keys, LeafSpec, Validity, DEMO_SERVER_FQDN};
use bars_testsupport::ca::{cert, Ca};
use bars_testsupport::proxy::ConnectProxy;
use bars_testsupport::{spawn_tls, ClientAuthMode, ClientCas, ServerHandle, TlsServerSpec};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;

const OTHER_FQDN: &str = "BaRS-INT-Y99.Other.thirdparty.nhs.uk";
const REVOKED_NAME: &str = "revoked.example";

/// One local endpoint: how the list and `probe` name it.
struct Local {
    what: &'static str,
    addr: SocketAddr,
    sni: &'static str,
    env: &'static str,
    _server: ServerHandle,
}

fn serve(
    chain: Vec<Vec<u8>>,
    key: Vec<u8>,
    auth: ClientAuthMode,
    ocsp: Option<Vec<u8>>,
) -> (SocketAddr, ServerHandle) {
    spawn_tls(&TlsServerSpec {
        chain,
        key_pkcs8: key,
        client_auth: auth,
        tls12_only: false,
        ocsp,
    })
    .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn pkcs8(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let parsed = bars_model::read_bytes(
        "key",
        &bytes,
        &bars_model::NoPassword,
        &bars_model::Limits::default(),
    );
    match parsed.items.first() {
        Some(bars_model::Item::Key(k)) => k.pkcs8_der().unwrap().to_vec(),
        other => panic!("{}: {other:?}", path.display()),
    }
}

#[test]
fn issue_14_scan_and_probe_give_the_same_documents_through_an_authenticating_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let now = time::OffsetDateTime::now_utc();

    // The demo's TEST hierarchy, and each demo fault as a Receiver of its own.
    let pki = demo_at(now).unwrap();
    let sub = pki.hierarchy.subca.der().to_vec();
    let root = pki.hierarchy.root.der().to_vec();
    let requires = || {
        ClientAuthMode::Required(ClientCas {
            roots: vec![root.clone()],
            advertise: None,
        })
    };
    let expired_key = keys::generate(keys::KeyKind::Rsa2048).unwrap();
    let expired = pki
        .hierarchy
        .issue(
            &LeafSpec::nhs(DEMO_SERVER_FQDN)
                .unwrap()
                .with_validity(Validity::new(
                    now - time::Duration::days(366),
                    now - time::Duration::days(1),
                )),
            &expired_key,
        )
        .unwrap();
    let leaf = pki.server.der().to_vec();
    let key = pki.server_key_der();
    let mut locals = Vec::new();
    for (what, chain, key, auth, sni) in [
        (
            "incomplete-chain",
            vec![leaf.clone()],
            key.clone(),
            requires(),
            DEMO_SERVER_FQDN,
        ),
        (
            "no-client-auth",
            vec![leaf.clone(), sub.clone()],
            key.clone(),
            ClientAuthMode::None,
            DEMO_SERVER_FQDN,
        ),
        (
            "expired",
            vec![expired.der().to_vec(), sub.clone()],
            expired_key.serialize_der(),
            requires(),
            DEMO_SERVER_FQDN,
        ),
        (
            "wrong-host",
            vec![leaf.clone(), sub.clone()],
            key.clone(),
            requires(),
            OTHER_FQDN,
        ),
        // No fault: a Receiver that lets in only the client certificate it trusts.
        (
            "client-certificate Receiver",
            vec![leaf.clone(), sub.clone()],
            key.clone(),
            requires(),
            DEMO_SERVER_FQDN,
        ),
    ] {
        let (addr, server) = serve(chain, key, auth, None);
        locals.push(Local {
            what,
            addr,
            sni,
            env: "int",
            _server: server,
        });
    }

    // A server stapling an OCSP response that says its certificate is revoked (made by
    // `openssl ca` and `openssl ocsp`, an independent implementation).
    let ca = Ca::root(d, "ocsp-ca", "Stapling Test CA");
    let revoked = ca.issue(
        "revoked",
        REVOKED_NAME,
        &format!("subjectAltName=DNS:{REVOKED_NAME}\n"),
    );
    ca.revoke(&revoked, "keyCompromise");
    let staple = ca.ocsp_response(&revoked, "revoked-ocsp");
    let (addr, server) = serve(
        vec![cert(&revoked).der().to_vec()],
        pkcs8(&ca.dir.join("revoked.key")),
        ClientAuthMode::None,
        Some(staple),
    );
    locals.push(Local {
        what: "stapled revoked",
        addr,
        sni: REVOKED_NAME,
        env: "public",
        _server: server,
    });

    // What every run shares: the client certificate, the CAs, the proxy, the audit.
    let proxy = ConnectProxy::start(Some(("bars", "s3cret")));
    let client = write(d, "client.pem", &pki.client_chain_pem());
    let client_key = write(d, "client.key", &pki.client_key_pem());
    let root_pem = write(d, "root.pem", &pki.root_pem());
    let sub_pem = write(d, "sub.pem", &pki.subca_pem());
    let proxy_url = proxy.url_with_credentials();
    let common: Vec<String> = [
        "--timeout",
        "5",
        "--client-cert",
        &client,
        "--client-key",
        &client_key,
        "--ca",
        &format!("int:{root_pem}"),
        "--ca",
        &format!("int:{sub_pem}"),
        "--ca",
        &format!("public:{}", ca.cert.display()),
        "--proxy",
        &proxy_url,
        "--mtls-audit",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();

    let mut list = String::from("name,host,port,sni,env\n");
    for l in &locals {
        list.push_str(&format!(
            "{},{},{},{},{}\n",
            l.what,
            l.addr.ip(),
            l.addr.port(),
            l.sni,
            l.env
        ));
    }
    let list = write(d, "list.csv", &list);
    let mut args = vec!["scan".to_string(), list];
    args.extend(common.iter().cloned());
    let scan = run(&args);
    scan.code(1);
    let doc = scan.json();
    assert_valid(&doc);
    let endpoints = doc["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), locals.len(), "{scan}");

    for (l, scanned) in locals.iter().zip(endpoints) {
        let mut args: Vec<String> = ["probe", &l.addr.to_string(), "--sni", l.sni, "--env", l.env]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(common.iter().cloned());
        let probe: Run = run(&args);
        let probed = probe.json();
        assert_valid(&probed);
        assert_eq!(
            &probed, scanned,
            "{}: scan and probe differ\n{probe}",
            l.what
        );
    }

    // Each fault was diagnosed (so the documents compared above say something).
    let ids = |d: &Value| -> Vec<String> {
        d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let by = |what: &str| &endpoints[locals.iter().position(|l| l.what == what).unwrap()];
    assert!(ids(by("incomplete-chain")).contains(&"chain.incomplete".to_string()));
    let no_auth = ids(by("no-client-auth"));
    assert!(
        no_auth.contains(&"tls.no-client-auth".to_string())
            && no_auth.contains(&"tls.accepts-anonymous".to_string()),
        "{no_auth:?}"
    );
    assert!(ids(by("expired")).contains(&"cert.expired".to_string()));
    assert!(ids(by("wrong-host")).contains(&"name.host-mismatch".to_string()));
    let good = by("client-certificate Receiver");
    assert_eq!(good["verdict"], "pass", "{good}");
    assert_eq!(good["audit"]["anonymous"]["outcome"], "rejected", "{good}");
    assert_eq!(good["environment_source"], "forced");
    let stapled = ids(by("stapled revoked"));
    assert!(
        stapled.contains(&"revocation.revoked".to_string()),
        "{stapled:?}"
    );

    // Every connection went through the proxy, credentials sent up front.
    let seen = proxy.seen();
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|c| c.allowed && c.authorization.as_deref() == Some("Basic YmFyczpzM2NyZXQ=")),
        "{seen:?}"
    );
    // Without the credentials, the proxy refuses: a classified failure, exit 3.
    let l = &locals[0];
    let r = run(&[
        "probe",
        &l.addr.to_string(),
        "--sni",
        l.sni,
        "--proxy",
        &proxy.url,
        "--format",
        "json",
    ]);
    r.code(3);
    assert_eq!(r.json()["error"]["kind"], "proxy", "{r}");
    assert!(r.stderr.contains("407"), "{r}");
}
