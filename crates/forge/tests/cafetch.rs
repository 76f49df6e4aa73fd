#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bars_forge::cafetch::{verify_fetched, verify_signed_by, CaFetchError};
use bars_nhs::Environment;
use std::process::Command;

const NOW: i64 = 1_767_225_600; // 2026-01-01

fn nhs_pki(p: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/nhs-pki")
        .join(p);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn der_of(pem: &[u8]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("bars-cafetch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let f = dir.join(format!(
        "in{}.pem",
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::write(&f, pem).unwrap();
    let out = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn int_pinned_pem_and_der_accepted() {
    bars_testpki::require_tools!("openssl");
    let pem = nhs_pki("int/nhs-int-authentication-g2.pem");
    for input in [pem.clone(), der_of(&pem)] {
        let a = verify_fetched(Environment::Int, &input, false, NOW).unwrap();
        assert!(a.pinned);
        assert!(a.loud_warning.is_none());
        assert_eq!(a.file_name, "nhs-int-authentication-g2.crt");
        assert_eq!(a.bundle_pem.matches("BEGIN CERTIFICATE").count(), 2);
        // Bundle = sub-CA then the PTL G2 root, byte-identical certificates.
        let root = nhs_pki("int/nhs-ptl-root-authority-g2.pem");
        assert_eq!(der_of(a.bundle_pem.as_bytes()), der_of(&pem));
        let second =
            &a.bundle_pem[a.bundle_pem.find("-----END CERTIFICATE-----\n").unwrap() + 26..];
        assert_eq!(der_of(second.as_bytes()), der_of(&root));
    }
}

#[test]
fn prod_pinned_accepted_and_refused_for_int() {
    let pem = nhs_pki("prod/nhs-authentication-g2.pem");
    let a = verify_fetched(Environment::Prod, &pem, false, NOW).unwrap();
    assert_eq!(a.file_name, "nhs-authentication-g2.crt");
    let e = verify_fetched(Environment::Int, &pem, true, NOW).unwrap_err();
    assert!(matches!(&e, CaFetchError::WrongCa { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("NHS Authentication G2 (prod)") && msg.contains("NHS INT Authentication G2"),
        "{msg}"
    );
    let int = nhs_pki("int/nhs-int-authentication-g2.pem");
    assert!(matches!(
        verify_fetched(Environment::Prod, &int, false, NOW),
        Err(CaFetchError::WrongCa { .. })
    ));
}

#[test]
fn tampered_refused_even_with_allow_new() {
    bars_testpki::require_tools!("openssl");
    let mut der = der_of(&nhs_pki("int/nhs-int-authentication-g2.pem"));
    der[20] ^= 0x01; // inside the serial number, part of the signed TBS
    let e = verify_fetched(Environment::Int, &der, false, NOW).unwrap_err();
    assert!(matches!(e, CaFetchError::NotPinned { .. }), "{e}");
    let e = verify_fetched(Environment::Int, &der, true, NOW).unwrap_err();
    assert!(
        matches!(&e, CaFetchError::NewRefused(m) if m.contains("signature does not verify")),
        "{e}"
    );
}

#[test]
fn html_and_garbage_refused() {
    let e = verify_fetched(
        Environment::Int,
        b"<!DOCTYPE html><html>Sign in</html>",
        false,
        NOW,
    )
    .unwrap_err();
    assert!(e.to_string().contains("HTML"), "{e}");
    assert!(matches!(
        verify_fetched(Environment::Int, b"\x00\x01garbage", false, NOW),
        Err(CaFetchError::NotACertificate(_))
    ));
    assert!(matches!(
        verify_fetched(Environment::Int, b"", false, NOW),
        Err(CaFetchError::NotACertificate(_))
    ));
    assert!(matches!(
        verify_fetched(Environment::Public, b"x", false, NOW),
        Err(CaFetchError::NoSource(_))
    ));
}

#[test]
fn real_sub_ca_verifies_under_its_root_only() {
    bars_testpki::require_tools!("openssl");
    let int = der_of(&nhs_pki("int/nhs-int-authentication-g2.pem"));
    let int_root = der_of(&nhs_pki("int/nhs-ptl-root-authority-g2.pem"));
    let prod_root = der_of(&nhs_pki("prod/nhs-root-authority-g2.pem"));
    verify_signed_by(&int, &int_root).unwrap();
    assert!(verify_signed_by(&int, &prod_root).is_err());
    let prod = der_of(&nhs_pki("prod/nhs-authentication-g2.pem"));
    verify_signed_by(&prod, &prod_root).unwrap();
    let mut bad = int.clone();
    let n = bad.len();
    bad[n - 10] ^= 0x01; // inside the signature
    assert!(verify_signed_by(&bad, &int_root)
        .unwrap_err()
        .contains("does not verify"));
}

#[test]
fn pem_with_text_around_it_and_crlf_is_read() {
    let pem = String::from_utf8(nhs_pki("int/nhs-int-authentication-g2.pem")).unwrap();
    let wrapped = format!(
        "\u{feff}Certificate:\n    Subject: CN=NHS INT Authentication G2\n{}\ntrailing notes\n",
        pem.replace('\n', "\r\n")
    );
    let a = verify_fetched(Environment::Int, wrapped.as_bytes(), false, NOW).unwrap();
    assert!(a.pinned);
    let e = verify_fetched(
        Environment::Int,
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        false,
        NOW,
    )
    .unwrap_err();
    assert!(e.to_string().to_lowercase().contains("private key"), "{e}");
    assert!(matches!(
        verify_fetched(Environment::Int, b" \r\n\t", false, NOW),
        Err(CaFetchError::NotACertificate(m)) if m.contains("empty")
    ));
}

#[test]
fn other_environment_cas_are_named_and_roots_are_not_new_sub_cas() {
    bars_testpki::require_tools!("openssl");
    let dep = nhs_pki("other-cas/nhs-dep-level-1c.pem");
    let e = verify_fetched(Environment::Int, &dep, true, NOW).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("NHS DEP Level 1C, a CA of NHS DEP (path-to-live)"),
        "{msg}"
    );
    // A self-signed CA is never accepted as a new sub-CA, even with --allow-new.
    let dir = std::env::temp_dir().join(format!("bars-cafetch-root-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(dir.join("k.pem"))
        .args([
            "-subj",
            "/C=GB/O=nhs/OU=CA/CN=NHS INT Authentication G2",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ])
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now = time_now();
    let e = verify_fetched(Environment::Int, &out.stdout, true, now).unwrap_err();
    assert!(
        matches!(&e, CaFetchError::NewRefused(m) if m.contains("self-issued")),
        "{e}"
    );
    let e = verify_fetched(Environment::Int, &out.stdout, false, now).unwrap_err();
    assert!(matches!(e, CaFetchError::NotPinned { .. }), "{e}");
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
