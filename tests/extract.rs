//! `pfx extract`: a PFX split into leaf, chain and an encrypted key that openssl opens;
//! extract then build gives a PFX `check` finds identical in content.

use crate::export::{mode, names, openssl_in, run_in};
use crate::util::fixture;
use std::path::Path;

const AT: &str = "2027-01-01T00:00:00Z";

fn pfx_good() -> String {
    fixture("pki/pfx-good/bundle.pfx").display().to_string()
}

fn root_ca() -> String {
    format!("int:{}", fixture("pki/int/root.pem").display())
}

/// What `check` says of a PFX: (certificate fingerprints with their roles, the path,
/// finding ids), run in `d` with the PFX password in PW.
fn content(d: &Path, pfx: &str) -> (Vec<(String, String)>, serde_json::Value, Vec<String>) {
    let r = run_in(
        d,
        &[
            "check",
            pfx,
            "--password-env",
            "PW",
            "--ca",
            &root_ca(),
            "--at",
            AT,
            "--format",
            "json",
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    let j = r.json();
    crate::schema::assert_valid(&j);
    let certs = j["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["sha256"].as_str().unwrap().into(),
                c["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut ids: Vec<String> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().into())
        .collect();
    ids.sort();
    (certs, j["chain"]["path"].clone(), ids)
}

#[test]
fn pfx_extract_then_build_gives_a_pfx_check_finds_identical() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run_in(
        d,
        &[
            "pfx",
            "extract",
            &pfx_good(),
            "--password-env",
            "PW",
            "--cert-out",
            "leaf.pem",
            "--chain-out",
            "chain.pem",
            "--key-out",
            "leaf.key",
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    assert_eq!(names(d), ["chain.pem", "leaf.key", "leaf.pem"]);
    assert_eq!(mode(&d.join("leaf.key")), 0o600);
    assert_eq!(mode(&d.join("leaf.pem")), 0o644);
    // No key password given: the PFX's is reused, and the tool says so.
    assert!(r.stderr.contains("PFX's password"), "{r}");
    let key = std::fs::read_to_string(d.join("leaf.key")).unwrap();
    assert!(
        key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{key}"
    );
    assert!(!r.stdout.contains("PRIVATE KEY") && !r.stderr.contains("PRIVATE KEY"));
    // openssl opens it with that password (and not without), and says how it is sealed.
    openssl_in(
        d,
        &[
            "pkey",
            "-in",
            "leaf.key",
            "-passin",
            "pass:secret",
            "-noout",
        ],
    );
    let asn1 = openssl_in(d, &["asn1parse", "-in", "leaf.key"]);
    for want in ["PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc"] {
        assert!(asn1.contains(want), "{want}: {asn1}");
    }
    let wrong = std::process::Command::new("openssl")
        .args(["pkey", "-in", "leaf.key", "-passin", "pass:nope", "-noout"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    // The leaf is the key's certificate; the chain its issuer.
    let kpub = openssl_in(
        d,
        &[
            "pkey",
            "-in",
            "leaf.key",
            "-passin",
            "pass:secret",
            "-pubout",
        ],
    );
    let cpub = openssl_in(d, &["x509", "-in", "leaf.pem", "-noout", "-pubkey"]);
    assert_eq!(kpub, cpub);

    // Build it again and compare what check finds in both.
    let r = run_in(
        d,
        &[
            "pfx",
            "build",
            "--cert",
            "leaf.pem",
            "--key",
            "leaf.key",
            "--chain",
            "chain.pem",
            "--ca",
            &root_ca(),
            "--out",
            "again.pfx",
            "--password-env",
            "PW",
            "--at",
            AT,
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    let original = content(d, &pfx_good());
    let rebuilt = content(d, "again.pfx");
    assert_eq!(original, rebuilt);
    assert!(!rebuilt.2.iter().any(|id| id == "key.mismatch"));
}

#[test]
fn pfx_extract_key_password_options_and_no_encrypt() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("kp.txt"), "key-secret\n").unwrap();
    let r = run_in(
        d,
        &[
            "pfx",
            "extract",
            &pfx_good(),
            "--password-env",
            "PW",
            "--cert-out",
            "a.pem",
            "--key-out",
            "a.key",
            "--key-password-file",
            "kp.txt",
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    assert!(!r.stderr.contains("PFX's password"), "{r}");
    openssl_in(
        d,
        &[
            "pkey",
            "-in",
            "a.key",
            "-passin",
            "pass:key-secret",
            "-noout",
        ],
    );
    // --no-encrypt: PKCS#8 in the clear, still mode 0600, said loudly.
    let r = run_in(
        d,
        &[
            "pfx",
            "extract",
            &pfx_good(),
            "--password-env",
            "PW",
            "--cert-out",
            "b.pem",
            "--key-out",
            "b.key",
            "--no-encrypt",
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    assert!(r.stderr.contains("WITHOUT encryption"), "{r}");
    assert_eq!(mode(&d.join("b.key")), 0o600);
    let key = std::fs::read_to_string(d.join("b.key")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
    openssl_in(d, &["pkey", "-in", "b.key", "-noout"]);
    // A Java keystore's key entry, too.
    let jks = fixture("keystores/receiver.jks");
    let r = run_in(
        d,
        &[
            "pfx",
            "extract",
            jks.to_str().unwrap(),
            "--password-env",
            "PW",
            "--cert-out",
            "j.pem",
            "--key-out",
            "j.key",
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    openssl_in(
        d,
        &["pkey", "-in", "j.key", "-passin", "pass:secret", "-noout"],
    );
}

#[test]
fn pfx_extract_refuses_a_wrong_password_and_existing_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "pfx",
        "extract",
        &pfx_good(),
        "--password-env",
        "PW",
        "--cert-out",
        "c.pem",
        "--chain-out",
        "ch.pem",
        "--key-out",
        "c.key",
    ]
    .map(String::from);
    let r = run_in(d, &args, &[("PW", "wrong")]);
    r.code(1);
    assert!(
        r.stderr.contains("wrong password") && r.stderr.contains("nothing was written"),
        "{r}"
    );
    assert!(names(d).is_empty(), "{:?}", names(d));
    // One output exists: refused before anything is read, nothing else written.
    std::fs::write(d.join("ch.pem"), "mine").unwrap();
    let r = run_in(d, &args, &[("PW", "secret")]);
    r.code(1);
    assert!(
        r.stderr.contains("ch.pem") && r.stderr.contains("--force"),
        "{r}"
    );
    assert_eq!(names(d), ["ch.pem"]);
    assert_eq!(std::fs::read_to_string(d.join("ch.pem")).unwrap(), "mine");
    let mut forced = args.to_vec();
    forced.push("--force".into());
    run_in(d, &forced, &[("PW", "secret")]).code(0);
    assert_eq!(names(d), ["c.key", "c.pem", "ch.pem"]);
    // A missing directory: named once, before the PFX is opened.
    let r = run_in(
        d,
        &["pfx", "extract", &pfx_good(), "--cert-out", "none/x.pem"],
        &[],
    );
    r.code(2);
    assert_eq!(r.stderr.matches("none/x.pem").count(), 1, "{r}");
}
