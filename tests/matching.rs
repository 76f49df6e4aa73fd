//! `match`: every pairing of three certificates, CSRs and keys (made by openssl).

use crate::util::{openssl, run};
use std::path::Path;

/// Three key/CSR/certificate triples: `kN.key`, `rN.csr` (CN-only), `cN.pem` (self-signed
/// for the same key and CN), and `cX.pem`: certificate 1's key with certificate 2's CN.
fn triples() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for n in 1..=3 {
        let k = format!("k{n}.key");
        let cn = format!("/CN=BaRS-INT-X2{n}.Supplier.thirdparty.nhs.uk");
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &k,
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                &k,
                "-subj",
                &cn,
                "-out",
                &format!("r{n}.csr"),
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-key",
                &k,
                "-subj",
                &cn,
                "-days",
                "30",
                "-out",
                &format!("c{n}.pem"),
            ],
        );
    }
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-key",
            "k1.key",
            "-subj",
            "/CN=BaRS-INT-X22.Supplier.thirdparty.nhs.uk",
            "-days",
            "30",
            "-out",
            "cX.pem",
        ],
    );
    dir
}

fn matched(dir: &Path, files: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["match".to_string(), "--format".into(), "json".into()];
    args.extend(files.iter().map(|f| dir.join(f).display().to_string()));
    let r = run(&args);
    (r.code, r.json())
}

fn finding_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_pairing() {
    bars_testpki::require_tools!("openssl");
    let t = triples();
    let d = t.path();
    // All nine together: three groups of three, nothing wrong (the three key files in
    // the clear are info).
    let all = [
        "c1.pem", "c2.pem", "c3.pem", "r1.csr", "r2.csr", "r3.csr", "k1.key", "k2.key", "k3.key",
    ];
    let (code, doc) = matched(d, &all);
    assert_eq!(code, 0, "{doc:#}");
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3, "{doc:#}");
    for g in groups {
        assert_eq!(g["certificates"].as_array().unwrap().len(), 1);
        assert_eq!(g["csrs"].as_array().unwrap().len(), 1);
        assert_eq!(g["keys"].as_array().unwrap().len(), 1);
    }
    // Every (certificate, CSR, key) triple: right when all three indices agree.
    for c in 1..=3 {
        for r in 1..=3 {
            for k in 1..=3 {
                let files = [
                    format!("c{c}.pem"),
                    format!("r{r}.csr"),
                    format!("k{k}.key"),
                ];
                let refs: Vec<&str> = files.iter().map(String::as_str).collect();
                let (code, doc) = matched(d, &refs);
                let mut ids = finding_ids(&doc);
                // The key file is in the clear: said once, as info, whatever the pairing.
                assert_eq!(ids.pop().as_deref(), Some("key.unencrypted"), "{files:?}");
                assert_eq!(
                    ids.contains(&"csr.cert-mismatch".to_string()),
                    c != r,
                    "{files:?}: {ids:?}"
                );
                assert_eq!(
                    ids.contains(&"key.mismatch".to_string()),
                    k != c && k != r,
                    "{files:?}: {ids:?}"
                );
                assert_eq!(code, if ids.is_empty() { 0 } else { 1 }, "{files:?}");
                // The wrong pair is named in the detail.
                if c != r {
                    let detail = doc["findings"][0]["detail"].as_str().unwrap().to_string();
                    assert!(detail.contains(&format!("r{r}.csr")), "{detail}");
                }
            }
        }
    }
    // Same key, other CN: the certificate does not answer the CSR.
    let (code, doc) = matched(d, &["cX.pem", "r1.csr"]);
    assert_eq!(code, 1);
    assert_eq!(finding_ids(&doc), ["csr.cert-mismatch"]);
    assert!(doc["findings"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("BaRS-INT-X22"));
}

#[test]
fn text_output_groups_and_exit_codes() {
    bars_testpki::require_tools!("openssl");
    let t = triples();
    let d = t.path();
    let r = run(&[
        "match".to_string(),
        d.join("c1.pem").display().to_string(),
        d.join("k1.key").display().to_string(),
    ]);
    r.code(0);
    assert!(
        r.stdout.contains("the key belongs to the certificate"),
        "{r}"
    );
    assert!(!r.stdout.contains("PRIVATE KEY"), "{r}");
    let r = run(&[
        "match".to_string(),
        d.join("nope").display().to_string(),
        d.join("c1.pem").display().to_string(),
    ]);
    r.code(2);
}

#[test]
fn match_says_a_key_file_in_the_clear_as_info_and_still_passes() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::util::openssl(d, &["genpkey", "-algorithm", "RSA", "-out", "clear.key"]);
    crate::util::openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-aes-256-cbc",
            "-pass",
            "pass:pw",
            "-out",
            "locked.key",
        ],
    );
    let clear = d.join("clear.key").display().to_string();
    let locked = d.join("locked.key").display().to_string();
    let r = run(&["match", &clear]);
    r.code(0);
    assert!(r.stdout.contains("info: [key.unencrypted]"), "{r}");
    assert!(
        r.stdout.contains("Everything given that can pair up does."),
        "{r}"
    );
    assert!(!r.stdout.contains("error:"), "{r}");
    let (code, doc) = matched(d, &["clear.key"]);
    assert_eq!(code, 0);
    assert_eq!(finding_ids(&doc), ["key.unencrypted"]);
    assert_eq!(doc["findings"][0]["severity"], "info");
    assert_eq!(doc["verdict"], "pass");
    // An encrypted key file is stored as it should be.
    let r = crate::util::run_with(
        &["match", &locked, "--password-env", "PW", "--format", "json"],
        &[("PW", "pw")],
    );
    r.code(0);
    assert_eq!(finding_ids(&r.json()), Vec::<String>::new(), "{r}");
}
