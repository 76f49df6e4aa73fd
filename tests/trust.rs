//! `trust lint`: client-CA files built from the real NHS CAs, and the system's public roots.

use crate::schema::assert_valid;
use crate::util::{fixture, run};
use std::path::PathBuf;

fn bundle(dir: &tempfile::TempDir, name: &str, parts: &[&str]) -> PathBuf {
    let mut text = String::new();
    for p in parts {
        text.push_str(&std::fs::read_to_string(fixture(&format!("nhs-pki/{p}"))).unwrap());
    }
    let out = dir.path().join(name);
    std::fs::write(&out, text).unwrap();
    out
}

/// The distinct finding ids of a JSON run, sorted.
fn lint(file: &std::path::Path, env: &str) -> (i32, Vec<String>) {
    let r = run(&[
        "trust",
        "lint",
        &file.display().to_string(),
        "--env",
        env,
        "--format",
        "json",
        "--at",
        "2026-12-01T00:00:00Z",
    ]);
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["command"], "trust lint");
    let mut ids: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    (r.code, ids)
}

#[test]
fn the_right_files_are_clean_and_print_server_settings() {
    let dir = tempfile::tempdir().unwrap();
    let int = bundle(
        &dir,
        "int.pem",
        &[
            "int/nhs-int-authentication-g2.pem",
            "int/nhs-ptl-root-authority-g2.pem",
        ],
    );
    assert_eq!(lint(&int, "int"), (0, vec![]));
    let prod = bundle(
        &dir,
        "prod.pem",
        &[
            "prod/nhs-authentication-g2.pem",
            "prod/nhs-root-authority-g2.pem",
        ],
    );
    assert_eq!(lint(&prod, "prod"), (0, vec![]));
    let r = run(&["trust", "lint", &int.display().to_string(), "--env", "int"]);
    r.code(0);
    for line in [
        "ssl_verify_client      on;",
        "ssl_client_certificate",
        "SSLVerifyClient      require",
        "ClientCertificateMode.RequireCertificate",
        "CN=NHS INT Authentication G2,OU=CA,O=nhs,C=GB",
        "35.197.254.55",
    ] {
        assert!(r.stdout.contains(line), "{line}: {r}");
    }
}

#[test]
fn other_environment_cas() {
    let dir = tempfile::tempdir().unwrap();
    let prod_on_int = bundle(
        &dir,
        "p.pem",
        &[
            "prod/nhs-authentication-g2.pem",
            "prod/nhs-root-authority-g2.pem",
        ],
    );
    assert_eq!(
        lint(&prod_on_int, "int"),
        (
            1,
            vec!["trust.missing-env-ca".into(), "trust.other-env".into()]
        )
    );
    let mixed = bundle(
        &dir,
        "m.pem",
        &[
            "int/nhs-int-authentication-g2.pem",
            "int/nhs-ptl-root-authority-g2.pem",
            "prod/nhs-authentication-g2.pem",
        ],
    );
    assert_eq!(lint(&mixed, "int"), (1, vec!["trust.other-env".into()]));
}

#[test]
fn legacy_root_only() {
    let dir = tempfile::tempdir().unwrap();
    let f = bundle(&dir, "legacy.pem", &["int/nhs-ptl-root-authority.pem"]);
    assert_eq!(
        lint(&f, "int"),
        (
            1,
            vec![
                "trust.legacy".into(),
                "trust.missing-env-ca".into(),
                "trust.too-broad".into()
            ]
        )
    );
    // The right CAs plus the legacy generation: warnings only.
    let f = bundle(
        &dir,
        "both.pem",
        &[
            "int/nhs-int-authentication-g2.pem",
            "int/nhs-ptl-root-authority-g2.pem",
            "int/nhs-int-level-1c.pem",
            "int/nhs-ptl-root-authority.pem",
        ],
    );
    assert_eq!(
        lint(&f, "int"),
        (0, vec!["trust.legacy".into(), "trust.too-broad".into()])
    );
}

#[test]
fn dep_dev_and_training_sub_cas() {
    let dir = tempfile::tempdir().unwrap();
    let f = bundle(
        &dir,
        "ptl.pem",
        &[
            "int/nhs-int-authentication-g2.pem",
            "int/nhs-ptl-root-authority-g2.pem",
            "other-cas/nhs-dep-level-1c.pem",
            "other-cas/nhs-dev-level-1c.pem",
            "other-cas/nhs-tra-level-1c.pem",
        ],
    );
    assert_eq!(lint(&f, "int"), (1, vec!["trust.other-env".into()]));
}

#[test]
fn expired_legacy_prod_root() {
    let dir = tempfile::tempdir().unwrap();
    let f = bundle(
        &dir,
        "prod.pem",
        &[
            "prod/nhs-authentication-g2.pem",
            "prod/nhs-root-authority-g2.pem",
            "prod/nhs-root-authority.pem",
        ],
    );
    assert_eq!(
        lint(&f, "prod"),
        (0, vec!["trust.expired".into(), "trust.legacy".into()])
    );
}

#[test]
fn the_system_public_roots_are_too_broad() {
    let system = PathBuf::from("/etc/ssl/certs/ca-certificates.crt");
    let (code, ids) = lint(&system, "int");
    assert_eq!(code, 1);
    assert!(ids.contains(&"trust.too-broad".to_string()), "{ids:?}");
    assert!(ids.contains(&"trust.missing-env-ca".to_string()), "{ids:?}");
}

#[test]
fn unreadable_trust_file_is_exit_2() {
    let r = run(&["trust", "lint", "/nonexistent/ca.pem", "--env", "int"]);
    r.code(2);
    assert!(r.stderr.contains("/nonexistent/ca.pem"), "{r}");
}
