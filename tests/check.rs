//! `check`: the real NHS certificates, and a PKI made by openssl (an independent peer) at
//! test time.

use crate::schema::assert_valid;
use crate::util::{fixture, openssl, run, run_with, Run};
use std::path::{Path, PathBuf};

fn ids(r: &Run) -> Vec<String> {
    let doc = r.json();
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {r}"))
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn cat(dir: &Path, name: &str, parts: &[&Path]) -> PathBuf {
    let mut text = String::new();
    for p in parts {
        text.push_str(&std::fs::read_to_string(p).unwrap());
    }
    let out = dir.join(name);
    std::fs::write(&out, text).unwrap();
    out
}

fn nhs(rel: &str) -> PathBuf {
    fixture(&format!("nhs-pki/{rel}"))
}

#[test]
fn real_int_g2_leaf_with_its_sub_ca_is_clean_and_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let chain = cat(
        dir.path(),
        "chain.pem",
        &[
            &nhs("leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem"),
            &nhs("int/nhs-int-authentication-g2.pem"),
        ],
    );
    let r = run(&[
        "check".as_ref(),
        chain.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--at".as_ref(),
        "2026-11-23T00:00:00Z".as_ref(),
    ]);
    // Not a BaRS name (a warning), otherwise clean: exit 0 under --fail-on error.
    r.code(0);
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["environment"], "int");
    assert_eq!(doc["chain"]["complete"], true);
    assert_eq!(doc["chain"]["trusted_by"], "NHS PTL Root Authority G2");
    assert_eq!(doc["chain"]["path"], serde_json::json!([0, 1, 2]));
    assert_eq!(doc["certificates"][2]["source"], "embedded");
    assert_eq!(doc["certificates"][2]["role"], "root");
    assert_eq!(ids(&r), ["name.fqdn-format", "name.no-san"]);
    assert_eq!(doc["verdict"], "warn");
    // --fail-on warning turns the same report into a failure.
    let r = run(&[
        "check".as_ref(),
        chain.as_os_str(),
        "--fail-on".as_ref(),
        "warning".as_ref(),
        "--at".as_ref(),
        "2026-11-23T00:00:00Z".as_ref(),
    ]);
    r.code(1);
}

#[test]
fn real_leaf_alone_is_incomplete_and_names_the_missing_sub_ca() {
    let r = run(&[
        "check".as_ref(),
        nhs("leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--at".as_ref(),
        "2026-11-23T00:00:00Z".as_ref(),
    ]);
    r.code(1);
    let doc = r.json();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "chain.incomplete")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(f["severity"], "error");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("NHS INT Authentication G2"),
        "{r}"
    );
    assert!(!ids(&r).contains(&"chain.untrusted".to_string()));
}

#[test]
fn legacy_chain_warns_and_names_the_g2_successor() {
    let dir = tempfile::tempdir().unwrap();
    let chain = cat(
        dir.path(),
        "chain.pem",
        &[
            &nhs("leaves/int-api-service-nhs-uk-ptl.pem"),
            &nhs("int/nhs-int-level-1c.pem"),
        ],
    );
    let r = run(&[
        "check".as_ref(),
        chain.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--at".as_ref(),
        "2023-06-01T00:00:00Z".as_ref(),
    ]);
    let doc = r.json();
    assert_eq!(doc["environment"], "int", "{r}");
    let legacy: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "chain.legacy")
        .collect();
    assert!(!legacy.is_empty(), "{r}");
    assert!(
        legacy
            .iter()
            .any(|f| f["detail"].as_str().unwrap().contains("G2")),
        "{r}"
    );
}

#[test]
fn other_nhs_environments_are_wrong_env_not_incomplete() {
    for (leaf, sub) in [
        (
            "leaves/vpn-client-1814-opentest-hscic-gov-uk.pem",
            "other-cas/nhsd-opentest-endpoint-issuing-authority.pem",
        ),
        (
            "leaves/ldap-nis1-national-ncrs-nhs-uk.pem",
            "other-cas/nhs-int-pre2019-subca02.pem",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let chain = cat(dir.path(), "chain.pem", &[&nhs(leaf), &nhs(sub)]);
        let r = run(&[
            "check".as_ref(),
            chain.as_os_str(),
            "--env".as_ref(),
            "int".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        r.code(1);
        let got = ids(&r);
        assert!(got.contains(&"chain.wrong-env".to_string()), "{r}");
        assert!(!got.contains(&"chain.incomplete".to_string()), "{r}");
    }
}

#[test]
fn unreadable_input_is_reported_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let chain = cat(
        dir.path(),
        "chain.pem",
        &[
            &nhs("leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem"),
            &nhs("int/nhs-int-authentication-g2.pem"),
        ],
    );
    let missing = dir.path().join("nope.pem");
    let r = run(&[
        "check".as_ref(),
        missing.as_os_str(),
        chain.as_os_str(),
        "--at".as_ref(),
        "2026-11-23T00:00:00Z".as_ref(),
    ]);
    r.code(2);
    assert_eq!(r.stderr.lines().count(), 1, "{r}");
    assert!(r.stderr.contains("nope.pem"), "{r}");
    assert!(r.stdout.contains("NHS INT Authentication G2"), "{r}");
}

#[test]
fn explain_knows_every_id_and_refuses_unknown_ones() {
    let r = run(&["explain"]);
    r.code(0);
    let listed = run(&["explain", "--list"]);
    listed.code(0);
    assert_eq!(listed.stdout, r.stdout);
    for id in [
        "chain.incomplete",
        "chain.wrong-env",
        "cert.weak-key",
        "name.no-san",
        "csr.email",
        "pfx.bad-password",
        "tls.no-client-auth",
        "trust.too-broad",
        "revocation.stale",
    ] {
        assert!(r.stdout.contains(id), "{id} missing: {r}");
        let one = run(&["explain", id]);
        one.code(0);
        assert!(one.stdout.contains("Fix:"), "{one}");
    }
    let r = run(&["explain", "chain.nonsense"]);
    r.code(2);
    assert!(
        r.stderr.contains("chain.incomplete"),
        "suggests the family: {r}"
    );
    let r = run(&["explain", "cert.expired", "--format", "json"]);
    r.code(0);
    assert_eq!(r.json()["severity"], "error");
}

// ---------------------------------------------------------------------------------------
// A PKI made by openssl at test time.

struct OpensslPki {
    dir: tempfile::TempDir,
}

impl OpensslPki {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// root → sub-CA → BaRS INT leaf (CN only, no SAN, serverAuth+clientAuth), plus a leaf
/// from an unrelated root, a second key, and a CSR.
fn openssl_pki() -> OpensslPki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    std::fs::write(
        d.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    for k in ["root", "sub", "leaf", "other", "foreign"] {
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &format!("{k}.key"),
            ],
        );
    }
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "root.key",
            "-subj",
            "/C=GB/O=openssl test/OU=CA/CN=OpenSSL Test INT Root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-addext",
            "subjectKeyIdentifier=hash",
            "-out",
            "root.pem",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "foreign.key",
            "-subj",
            "/CN=Foreign Root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "subjectKeyIdentifier=hash",
            "-out",
            "foreign.pem",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "sub.key",
            "-subj",
            "/C=GB/O=openssl test/OU=CA/CN=OpenSSL Test INT Sub",
            "-out",
            "sub.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "sub.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-set_serial",
            "2",
            "-days",
            "3000",
            "-extfile",
            "ca.ext",
            "-out",
            "sub.pem",
        ],
    );
    let fqdn = "/O=nhs/OU=Devices/CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
    // The NHS issues O=nhs, OU=Devices, CN=<fqdn> from a CN-only request.
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            fqdn,
            "-out",
            "leaf-nhs.csr",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf-nhs.csr",
            "-CA",
            "sub.pem",
            "-CAkey",
            "sub.key",
            "-set_serial",
            "3",
            "-days",
            "365",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.pem",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf-nhs.csr",
            "-CA",
            "foreign.pem",
            "-CAkey",
            "foreign.key",
            "-set_serial",
            "4",
            "-days",
            "365",
            "-extfile",
            "leaf.ext",
            "-out",
            "foreign-leaf.pem",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "other.key",
            "-subj",
            "/CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk",
            "-out",
            "other.csr",
        ],
    );
    OpensslPki { dir }
}

fn check_json(pki: &OpensslPki, files: &[&str], extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec!["check".into()];
    args.extend(files.iter().map(|f| pki.path(f).display().to_string()));
    let root = format!("int:{}", pki.path("root.pem").display());
    args.extend(["--ca".into(), root, "--format".into(), "json".into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    run(&args)
}

#[test]
fn openssl_pki_every_chain_shape() {
    bars_testpki::require_tools!("openssl");
    let pki = openssl_pki();
    let d = pki.dir.path();
    cat(
        d,
        "chain.pem",
        &[&pki.path("leaf.pem"), &pki.path("sub.pem")],
    );
    cat(
        d,
        "reversed.pem",
        &[&pki.path("sub.pem"), &pki.path("leaf.pem")],
    );
    cat(
        d,
        "with-root.pem",
        &[
            &pki.path("leaf.pem"),
            &pki.path("sub.pem"),
            &pki.path("root.pem"),
        ],
    );
    cat(
        d,
        "extra.pem",
        &[
            &pki.path("leaf.pem"),
            &pki.path("sub.pem"),
            &pki.path("foreign.pem"),
        ],
    );

    // Good: complete, trusted by the --ca root, only the informational no-SAN and the
    // unencrypted key file (openssl genpkey writes it in the clear).
    let r = check_json(&pki, &["chain.pem", "leaf.key", "leaf.csr"], &[]);
    r.code(0);
    assert_eq!(ids(&r), ["key.unencrypted", "name.no-san"], "{r}");
    let doc = r.json();
    assert_eq!(doc["environment"], "int");
    assert_eq!(doc["chain"]["trusted_by"], "OpenSSL Test INT Root");
    assert_eq!(
        doc["certificates"][2]["source"].as_str().unwrap(),
        format!("ca-option:{}", pki.path("root.pem").display())
    );
    assert_valid(&doc);

    let cases: &[(&[&str], &[&str], &[&str])] = &[
        (&["leaf.pem"], &["chain.incomplete"], &["chain.untrusted"]),
        (&["reversed.pem"], &["chain.order"], &["chain.incomplete"]),
        (
            &["with-root.pem"],
            &["chain.root-sent"],
            &["chain.incomplete", "chain.order"],
        ),
        (&["extra.pem"], &["chain.unrelated"], &["chain.incomplete"]),
        (
            &["foreign-leaf.pem", "foreign.pem"],
            &["chain.untrusted", "chain.root-sent"],
            &["chain.incomplete"],
        ),
        (&["chain.pem", "other.key"], &["key.mismatch"], &[]),
        (
            &["chain.pem", "other.csr"],
            &["csr.cert-mismatch"],
            &["key.mismatch"],
        ),
    ];
    for (files, present, absent) in cases {
        let r = check_json(&pki, files, &[]);
        let got = ids(&r);
        for p in *present {
            assert!(got.contains(&p.to_string()), "{files:?}: {p} expected: {r}");
        }
        for a in *absent {
            assert!(
                !got.contains(&a.to_string()),
                "{files:?}: {a} unexpected: {r}"
            );
        }
        assert_valid(&r.json());
    }

    // Host and validity windows.
    let r = check_json(
        &pki,
        &["chain.pem"],
        &["--expect-fqdn", "BaRS-INT-Y99.Other.thirdparty.nhs.uk"],
    );
    assert!(ids(&r).contains(&"name.host-mismatch".to_string()), "{r}");
    r.code(1);
    let r = check_json(&pki, &["chain.pem"], &["--warn-days", "400"]);
    assert!(ids(&r).contains(&"cert.expiring-soon".to_string()), "{r}");
    r.code(0);
    let r = check_json(&pki, &["chain.pem"], &["--at", "2099-01-01T00:00:00Z"]);
    assert!(ids(&r).contains(&"cert.expired".to_string()), "{r}");
    r.code(1);
    let r = check_json(&pki, &["chain.pem"], &["--at", "2000-01-01T00:00:00Z"]);
    assert!(ids(&r).contains(&"cert.not-yet-valid".to_string()), "{r}");

    // Without the --ca root, the sub-CA that was sent has an unknown issuer: the path of
    // what was given ends at a foreign CA (untrusted), no intermediate is missing.
    let r = run_with(
        &[
            "check".to_string(),
            pki.path("chain.pem").display().to_string(),
            "--format".into(),
            "json".into(),
            "--env".into(),
            "int".into(),
        ],
        &[],
    );
    let got = ids(&r);
    assert!(got.contains(&"chain.untrusted".to_string()), "{r}");
    assert!(!got.contains(&"chain.incomplete".to_string()), "{r}");

    // The fixed chain: leaf + sub-CA, no root, from a bundle that sent the root too.
    let out = d.join("fixed.pem");
    let r = check_json(
        &pki,
        &["with-root.pem"],
        &["--write-chain", &out.display().to_string()],
    );
    r.code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("BEGIN CERTIFICATE").count(), 2, "{text}");
    let r = check_json(&pki, &["fixed.pem"], &[]);
    assert_eq!(ids(&r), ["name.no-san"], "{r}");
}

#[test]
fn every_format_renders() {
    bars_testpki::require_tools!("openssl");
    let pki = openssl_pki();
    let d = pki.dir.path();
    cat(d, "chain.pem", &[&pki.path("leaf.pem")]);
    let root = format!("int:{}", pki.path("root.pem").display());
    for (format, marker) in [
        ("text", "chain.incomplete"),
        ("markdown", "### Findings"),
        ("sarif", "\"version\": \"2.1.0\""),
    ] {
        let r = run(&[
            "check",
            &pki.path("chain.pem").display().to_string(),
            "--ca",
            &root,
            "--format",
            format,
        ]);
        r.code(1);
        assert!(r.stdout.contains(marker), "{format}: {r}");
        assert!(!r.stdout.contains("PRIVATE KEY"), "{r}");
    }
}

#[test]
fn public_chain_anchors_at_the_mozilla_root_that_was_sent() {
    let r = run(&[
        "check".as_ref(),
        fixture("corpus/58-microsoft-com-chain.pem").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--at".as_ref(),
        "2026-06-01T00:00:00Z".as_ref(),
    ]);
    r.code(0);
    let doc = r.json();
    assert_eq!(doc["environment"], "public", "{r}");
    assert_eq!(doc["chain"]["complete"], true);
    assert_eq!(doc["chain"]["trusted_by"], "DigiCert Global Root G2");
    assert_eq!(doc["chain"]["path"], serde_json::json!([0, 1, 2, 3]));
    assert_eq!(ids(&r), ["chain.root-sent"]);
    assert_valid(&doc);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let chain = nhs("leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem");
    let at = "2026-11-23T00:00:00Z";
    let plain = run(&[
        "check".as_ref(),
        chain.as_os_str(),
        "--at".as_ref(),
        at.as_ref(),
    ]);
    assert!(!plain.stdout.contains('\u{1b}'), "{plain}");
    let forced = run_with(
        &[
            "check",
            &chain.display().to_string(),
            "--at",
            at,
            "--color",
            "always",
        ],
        &[],
    );
    assert!(forced.stdout.contains("\u{1b}["), "{forced}");
    let never = run(&[
        "check",
        &chain.display().to_string(),
        "--at",
        at,
        "--color",
        "never",
    ]);
    assert!(!never.stdout.contains('\u{1b}'), "{never}");
}

#[test]
fn a_name_for_another_environment_says_whether_the_chain_or_only_the_env_option_is_that_environment(
) {
    let leaf = fixture("pki/int-good/leaf.pem").display().to_string();
    let chain = fixture("pki/int-good/chain.pem").display().to_string();
    let prod_root = format!("prod:{}", fixture("pki/int/root.pem").display());
    let detail = |args: &[&str]| {
        let mut a = vec!["check", "--format", "json", "--at", "2027-01-01T00:00:00Z"];
        a.extend(args);
        let r = run(&a);
        r.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "name.env-mismatch")
            .unwrap_or_else(|| panic!("no name.env-mismatch: {r}"))["detail"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The issuer is unknown: only --env says PROD.
    let d = detail(&[&leaf, "--env", "prod"]);
    assert!(
        d.contains("is named for INT") && d.contains("judged in PROD (--env prod)"),
        "{d}"
    );
    assert!(!d.contains("its chain is"), "{d}");
    // The chain runs to a CA given for PROD: the chain is PROD.
    let d = detail(&[&chain, "--env", "prod", "--ca", &prod_root]);
    assert!(d.contains("but its chain is PROD"), "{d}");
}

#[test]
fn an_intermediate_missing_in_the_middle_is_to_be_inserted_after_the_one_it_issued() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    std::fs::write(
        d.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid\nsubjectAltName=DNS:BaRS-INT-X26.Supplier.thirdparty.nhs.uk\n",
    )
    .unwrap();
    let o = |args: &str| openssl(d, &args.split_whitespace().collect::<Vec<_>>());
    o("req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650 -subj /CN=Gap_Root -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
    for (name, parent) in [("upper", "root"), ("lower", "upper")] {
        o(&format!(
            "req -newkey rsa:2048 -nodes -keyout {name}.key -out {name}.csr -subj /CN=Gap_{name}"
        ));
        o(&format!("x509 -req -in {name}.csr -CA {parent}.pem -CAkey {parent}.key -CAcreateserial -out {name}.pem -days 1000 -extfile ca.ext"));
    }
    o("req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk");
    o("x509 -req -in leaf.csr -CA lower.pem -CAkey lower.key -CAcreateserial -out leaf.pem -days 300 -extfile leaf.ext");
    let sent = [
        std::fs::read_to_string(d.join("leaf.pem")).unwrap(),
        std::fs::read_to_string(d.join("lower.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(d.join("sent.pem"), sent).unwrap();
    let p = |n: &str| d.join(n).display().to_string();
    let r = run(&[
        "check",
        &p("sent.pem"),
        "--env",
        "int",
        "--ca",
        &format!("int:{}", p("root.pem")),
        "--ca",
        &format!("int:{}", p("upper.pem")),
        "--format",
        "json",
    ]);
    r.code(1);
    let doc = r.json();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "chain.incomplete")
        .unwrap_or_else(|| panic!("{r}"));
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.contains("right after certificate #1 (CN=Gap_lower)"),
        "{fix}"
    );
    assert!(
        fix.contains("upper.pem") && !fix.contains("after the leaf"),
        "{fix}"
    );
    assert!(
        !fix.contains("cat "),
        "appending would put it out of order: {fix}"
    );
}
