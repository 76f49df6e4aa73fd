//! `inspect`: every format, and one stderr line per bad input with the others still shown.

use crate::util::{base64_decode, fixture, run};

const G2: &str = "nhs-pki/int/nhs-int-authentication-g2.pem";

fn pseudo_random(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn real_nhs_sub_ca_json_matches_the_published_facts() {
    let r = run(&[
        "inspect".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        fixture(G2).as_os_str(),
    ]);
    r.code(0);
    let doc = r.json();
    assert_eq!(doc["schema"], "bars-certcheck/1");
    assert_eq!(doc["command"], "inspect");
    let c = &doc["certificates"][0];
    assert_eq!(c["index"], 0);
    assert_eq!(
        c["subject"],
        "CN=NHS INT Authentication G2,OU=CA,O=nhs,C=GB"
    );
    assert_eq!(c["issuer"], "CN=NHS PTL Root Authority G2,OU=CA,O=nhs,C=GB");
    assert_eq!(c["serial"], "1a3750dce4d2631eb6a129864f2f6d6b");
    assert_eq!(c["is_ca"], true);
    assert_eq!(c["key"]["algorithm"], "RSA");
    assert!(c["source"].as_str().unwrap().starts_with("file:"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("nhs-pki/manifest.json")).unwrap())
            .unwrap();
    let entry = manifest
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["file"]
                .as_str()
                .unwrap()
                .ends_with("nhs-int-authentication-g2.pem")
        })
        .unwrap();
    assert_eq!(c["sha256"], entry["sha256"]);
    assert_eq!(c["sha1"], entry["sha1"]);
}

#[test]
fn a_chain_shows_its_issuance_tree_with_verified_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("chain.pem");
    let mut text = String::new();
    for f in [
        "nhs-pki/int/nhs-int-authentication-g2.pem",
        "nhs-pki/int/nhs-ptl-root-authority-g2.pem",
    ] {
        text.push_str(&std::fs::read_to_string(fixture(f)).unwrap());
    }
    std::fs::write(&bundle, text).unwrap();
    let r = run(&["inspect".as_ref(), bundle.as_os_str()]);
    r.code(0);
    assert!(r.stdout.contains("Issuance tree"), "{r}");
    assert!(
        r.stdout.contains(
            "[1] CN=NHS PTL Root Authority G2,OU=CA,O=nhs,C=GB  self-signed, signature verified"
        ),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("└─ [0] CN=NHS INT Authentication G2,OU=CA,O=nhs,C=GB  signature verified"),
        "{r}"
    );
    assert!(r.stdout.contains("expires in"), "{r}");
}

/// Each bad input: exit 2, exactly one stderr line naming the file, and the good file
/// given after it is still inspected.
#[test]
fn bad_inputs_are_one_line_each_and_do_not_stop_the_others() {
    let good = fixture(G2);
    let dir = tempfile::tempdir().unwrap();
    let real_pem = std::fs::read_to_string(&good).unwrap();
    let der = {
        let r = run(&[
            "inspect".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            good.as_os_str(),
        ]);
        r.code(0);
        // Rebuild the DER from the PEM body.
        let body: String = real_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        base64_decode(&body)
    };
    let truncated_pem = &real_pem[..real_pem.len() / 2];
    let bad_base64 = real_pem.replacen("MII", "M!I", 1);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("truncated-pem", truncated_pem.as_bytes().to_vec()),
        ("bad-base64", bad_base64.into_bytes()),
        ("der-cut-short", der[..der.len() - 100].to_vec()),
        ("random", pseudo_random(4096, 7)),
        ("big-binary", pseudo_random(5 * 1024 * 1024, 11)),
    ];
    let mut paths = Vec::new();
    for (name, bytes) in &cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    paths.push(dir.path().join("does-not-exist.pem"));
    paths.push(dir.path().to_path_buf()); // a directory
    for bad in &paths {
        let r = run(&["inspect".as_ref(), bad.as_os_str(), good.as_os_str()]);
        r.code(2);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one stderr line expected: {r}");
        assert!(lines[0].starts_with("bars-certcheck: "), "{r}");
        assert!(
            lines[0].contains(&bad.display().to_string()),
            "the line names the file: {r}"
        );
        assert!(!r.stderr.contains("panicked"), "{r}");
        assert!(
            r.stdout.contains("CN=NHS INT Authentication G2"),
            "the good file is still shown: {r}"
        );
    }
}

#[test]
fn der_cut_at_every_offset_never_panics() {
    let pem = std::fs::read_to_string(fixture(G2)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64_decode(&body);
    let dir = tempfile::tempdir().unwrap();
    // Many files in one invocation: every one must be refused with its own line.
    let mut args: Vec<std::ffi::OsString> = vec!["inspect".into()];
    let step = 7;
    let mut n = 0;
    for cut in (1..der.len()).step_by(step) {
        let p = dir.path().join(format!("cut-{cut}.der"));
        std::fs::write(&p, &der[..cut]).unwrap();
        args.push(p.into_os_string());
        n += 1;
    }
    let r = run(&args);
    r.code(2);
    assert_eq!(r.stderr.lines().count(), n, "{r}");
    assert!(!r.stderr.contains("panicked"), "{r}");
}

#[test]
fn whole_system_bundle_is_read() {
    let r = run(&[
        "inspect",
        "--format",
        "json",
        "/etc/ssl/certs/ca-certificates.crt",
    ]);
    r.code(0);
    let doc = r.json();
    let n = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt")
        .unwrap()
        .matches("BEGIN CERTIFICATE")
        .count();
    assert_eq!(doc["certificates"].as_array().unwrap().len(), n);
}
