//! `convert`: certificates and CSRs from any container to PEM or DER, checked against
//! openssl-made files; keys never.

use crate::export::{names, openssl_in, run_in};
use crate::util::fixture;
use std::path::Path;

/// An openssl-made self-signed certificate and CSR (PEM) in `d`: `cert.pem`, `req.csr`.
fn openssl_made(d: &Path) {
    openssl_in(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "k.pem",
            "-subj",
            "/CN=convert.example.nhs.uk",
            "-days",
            "30",
            "-out",
            "cert.pem",
        ],
    );
    openssl_in(
        d,
        &[
            "req",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            "/CN=convert.example.nhs.uk",
            "-out",
            "req.csr",
        ],
    );
}

#[test]
fn convert_pem_to_der_and_back_is_byte_identical() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl_made(d);
    for (pem, der, openssl_cmd) in [
        ("cert.pem", "cert.der", "x509"),
        ("req.csr", "req.der", "req"),
    ] {
        let r = run_in(d, &["convert", pem, "--to", "der", "--out", der], &[]);
        r.code(0);
        // The DER is openssl's DER of the same object.
        openssl_in(
            d,
            &[
                openssl_cmd,
                "-in",
                pem,
                "-outform",
                "DER",
                "-out",
                "openssl.der",
            ],
        );
        assert_eq!(
            std::fs::read(d.join(der)).unwrap(),
            std::fs::read(d.join("openssl.der")).unwrap(),
            "{pem}"
        );
        // And back: byte for byte the file openssl wrote.
        let r = run_in(d, &["convert", der, "--to", "pem"], &[]);
        r.code(0);
        assert_eq!(
            r.stdout,
            std::fs::read_to_string(d.join(pem)).unwrap(),
            "{pem}"
        );
    }
}

#[test]
fn convert_reads_pkcs7_pkcs12_and_java_keystores() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let chain = std::fs::read_to_string(fixture("pki/int-good/chain.pem")).unwrap();
    for p7b in ["pki/encodings/chain.p7b", "pki/encodings/chain-der.p7b"] {
        let r = run_in(
            d,
            &["convert", fixture(p7b).to_str().unwrap(), "--to", "pem"],
            &[],
        );
        r.code(0);
        assert_eq!(r.stdout, chain, "{p7b}: the leaf and sub-CA, in order");
    }
    // A PFX: its certificates, never its key (which is said on stderr).
    let pfx = fixture("pki/pfx-good/bundle.pfx");
    let r = run_in(
        d,
        &[
            "convert",
            pfx.to_str().unwrap(),
            "--to",
            "pem",
            "--password-env",
            "PW",
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    assert_eq!(r.stdout.matches("BEGIN CERTIFICATE").count(), 2, "{r}");
    assert!(!r.stdout.contains("PRIVATE KEY"), "{r}");
    assert!(r.stderr.contains("left out 1 private key"), "{r}");
    // A JKS truststore (keytool-made, committed with its script).
    let jks = fixture("keystores/truststore.jks");
    let r = run_in(
        d,
        &[
            "convert",
            jks.to_str().unwrap(),
            "--to",
            "pem",
            "--password-env",
            "PW",
            "--out",
            "trust.pem",
        ],
        &[("PW", "secret")],
    );
    r.code(0);
    let text = openssl_in(d, &["storeutl", "-noout", "-certs", "trust.pem"]);
    assert!(text.contains("Total found: "), "{text}");
    assert!(!text.contains("Total found: 0"), "{text}");
}

#[test]
fn convert_refuses_keys_wrong_passwords_and_several_objects_in_der() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A key file: refused with the reason, pointing at pfx extract; nothing written.
    let key = fixture("pki/int-good/leaf.key");
    let r = run_in(
        d,
        &[
            "convert",
            key.to_str().unwrap(),
            "--to",
            "pem",
            "--out",
            "k.pem",
        ],
        &[],
    );
    r.code(1);
    assert!(
        r.stderr.contains("private key") && r.stderr.contains("pfx extract"),
        "{r}"
    );
    assert!(!r.stdout.contains("PRIVATE KEY"));
    // A wrong PFX password: refused.
    let pfx = fixture("pki/pfx-good/bundle.pfx");
    let r = run_in(
        d,
        &[
            "convert",
            pfx.to_str().unwrap(),
            "--to",
            "pem",
            "--password-env",
            "PW",
            "--out",
            "p.pem",
        ],
        &[("PW", "wrong")],
    );
    r.code(1);
    assert!(r.stderr.contains("wrong password"), "{r}");
    // DER of two certificates: a usage error.
    let chain = fixture("pki/int-good/chain.pem");
    let r = run_in(
        d,
        &[
            "convert",
            chain.to_str().unwrap(),
            "--to",
            "der",
            "--out",
            "c.der",
        ],
        &[],
    );
    r.code(2);
    assert!(r.stderr.contains("has 2"), "{r}");
    // An unreadable input: 2, named.
    std::fs::write(d.join("junk.txt"), "hello").unwrap();
    let r = run_in(
        d,
        &["convert", "junk.txt", "--to", "pem", "--out", "j.pem"],
        &[],
    );
    r.code(2);
    assert!(r.stderr.contains("junk.txt"), "{r}");
    assert_eq!(names(d), ["junk.txt"], "nothing written");
    // An existing --out without --force: 1, unchanged; with --force replaced.
    std::fs::write(d.join("out.pem"), "mine").unwrap();
    let leaf = fixture("pki/int-good/leaf.pem");
    let args = [
        "convert",
        leaf.to_str().unwrap(),
        "--to",
        "pem",
        "--out",
        "out.pem",
    ];
    run_in(d, &args, &[]).code(1);
    assert_eq!(std::fs::read_to_string(d.join("out.pem")).unwrap(), "mine");
    let mut forced = args.to_vec();
    forced.push("--force");
    run_in(d, &forced, &[]).code(0);
    assert_eq!(
        std::fs::read(d.join("out.pem")).unwrap(),
        std::fs::read(&leaf).unwrap()
    );
    // A missing directory: named once, as given.
    let r = run_in(
        d,
        &[
            "convert",
            leaf.to_str().unwrap(),
            "--to",
            "pem",
            "--out",
            "nodir/x.pem",
        ],
        &[],
    );
    r.code(2);
    assert_eq!(r.stderr.matches("nodir").count(), 1, "{r}");
}

#[test]
fn convert_refuses_der_on_a_terminal() {
    // `script` gives the command a pseudo-terminal as standard output.
    let have_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_script {
        eprintln!(
            "SKIPPED (util-linux `script` is not installed: no pseudo-terminal to test with)"
        );
        return;
    }
    let leaf = fixture("pki/int-good/leaf.pem");
    let cmd = format!(
        "{} convert {} --to der; echo EXIT=$?",
        env!("CARGO_BIN_EXE_bars-certcheck"),
        leaf.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("EXIT=2"), "{text}");
    assert!(
        text.contains("terminal") && text.contains("--out"),
        "{text}"
    );
}
