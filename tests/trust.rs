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

/// The text report of `trust lint`.
fn lint_text(file: &std::path::Path, env: &str) -> crate::util::Run {
    run(&[
        "trust",
        "lint",
        &file.display().to_string(),
        "--env",
        env,
        "--at",
        "2026-12-01T00:00:00Z",
    ])
}

#[test]
fn a_file_of_the_sub_ca_alone_is_told_to_write_sub_ca_and_root_to_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let sub = bundle(&dir, "sub.pem", &["int/nhs-int-authentication-g2.pem"]);
    let fixed = dir
        .path()
        .join("bars-int-client-ca.pem")
        .display()
        .to_string();
    let r = lint_text(&sub, "int");
    r.code(1);
    let cmd = format!("`bars-certcheck ca export --env int --with-root --out {fixed}`");
    assert!(r.stdout.contains(&cmd), "{cmd}: {r}");
    assert!(r.stdout.contains("NHS PTL Root Authority G2"), "{r}");
    assert!(!r.stdout.contains("<env>"), "{r}");
    assert!(!r.stdout.contains("ca fetch"), "{r}");
    // The server settings point at the file the fix writes, never at the one that failed.
    assert!(
        r.stdout
            .contains(&format!("ssl_client_certificate {fixed};")),
        "{r}"
    );
    assert!(
        r.stdout.contains(&format!("SSLCACertificateFile {fixed}")),
        "{r}"
    );
    assert!(
        !r.stdout
            .contains(&format!("ssl_client_certificate {};", sub.display())),
        "{r}"
    );
    // A PROD file is sent to the PROD export, next to it.
    let sub = bundle(&dir, "p.pem", &["prod/nhs-authentication-g2.pem"]);
    let r = lint_text(&sub, "prod");
    r.code(1);
    let fixed = dir
        .path()
        .join("bars-prod-client-ca.pem")
        .display()
        .to_string();
    assert!(
        r.stdout.contains(&format!(
            "`bars-certcheck ca export --env prod --with-root --out {fixed}`"
        )),
        "{r}"
    );
    // A right file keeps its own name in the settings.
    let right = bundle(
        &dir,
        "bars-int-client-ca.pem",
        &[
            "int/nhs-int-authentication-g2.pem",
            "int/nhs-ptl-root-authority-g2.pem",
        ],
    );
    let r = lint_text(&right, "int");
    r.code(0);
    assert!(
        r.stdout
            .contains(&format!("ssl_client_certificate {};", right.display())),
        "{r}"
    );
}

#[test]
fn too_broad_advice_keeps_the_sub_ca_and_the_root() {
    let dir = tempfile::tempdir().unwrap();
    // The legacy PTL root widens the file; the advice is sub-CA and root, never the
    // sub-CA alone (which then fails trust.missing-env-ca).
    let f = bundle(
        &dir,
        "bars-int-client-ca.pem",
        &[
            "int/nhs-int-authentication-g2.pem",
            "int/nhs-ptl-root-authority-g2.pem",
            "int/nhs-ptl-root-authority.pem",
        ],
    );
    let r = run(&[
        "trust",
        "lint",
        &f.display().to_string(),
        "--env",
        "int",
        "--format",
        "json",
        "--at",
        "2026-12-01T00:00:00Z",
    ]);
    let doc = r.json();
    assert_valid(&doc);
    let broad: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "trust.too-broad")
        .collect();
    assert!(!broad.is_empty(), "{r}");
    // The file is already named bars-int-client-ca.pem: the new one is another.
    let fixed = dir
        .path()
        .join("bars-int-client-ca-g2.pem")
        .display()
        .to_string();
    for f in broad {
        let fix = f["fix"].as_str().unwrap();
        assert!(fix.contains("issuing sub-CA (NHS INT Authentication G2) and its G2 root (NHS PTL Root Authority G2)"), "{fix}");
        assert!(
            !fix.contains("only the environment's issuing sub-CA"),
            "{fix}"
        );
        assert!(
            fix.contains(&format!("--with-root --out {fixed}`")),
            "{fix}"
        );
    }
    // What the general advice says too.
    let r = run(&["explain", "trust.too-broad"]);
    assert!(r.stdout.contains("sub-CA and its G2 root"), "{r}");
    assert!(r.stdout.contains("--with-root"), "{r}");
    let r = run(&["explain", "trust.missing-env-ca"]);
    assert!(
        r.stdout.contains("ca export --env int --with-root --out"),
        "{r}"
    );
    assert!(!r.stdout.contains("<env>"), "{r}");
}

#[test]
fn nhs_cas_plus_the_system_roots_are_summarised_once() {
    let system = PathBuf::from("/etc/ssl/certs/ca-certificates.crt");
    let Ok(roots) = std::fs::read_to_string(&system) else {
        eprintln!("SKIPPED: {} is absent", system.display());
        return;
    };
    let n = roots.matches("-----BEGIN CERTIFICATE-----").count();
    assert!(n > 10, "{n}");
    let dir = tempfile::tempdir().unwrap();
    let f = bundle(
        &dir,
        "everything.pem",
        &[
            "int/nhs-int-authentication-g2.pem",
            "int/nhs-ptl-root-authority-g2.pem",
        ],
    );
    let mut text = std::fs::read_to_string(&f).unwrap();
    text.push_str(&roots);
    std::fs::write(&f, text).unwrap();
    let r = run(&[
        "trust",
        "lint",
        &f.display().to_string(),
        "--env",
        "int",
        "--format",
        "json",
        "--at",
        "2026-12-01T00:00:00Z",
    ]);
    let doc = r.json();
    assert_valid(&doc);
    let broad: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "trust.too-broad")
        .collect();
    assert_eq!(broad.len(), 1, "{r}");
    let detail = broad[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "trusts {n} public roots: any public certificate would be let in"
        )),
        "{detail}"
    );
    // Far fewer findings than certificates (only the expired ones are named singly).
    let all = doc["findings"].as_array().unwrap().len();
    assert!(all < 20, "{all}: {r}");
    let r = run(&[
        "trust",
        "lint",
        &f.display().to_string(),
        "--env",
        "int",
        "--at",
        "2026-12-01T00:00:00Z",
    ]);
    assert_eq!(r.stdout.matches("[trust.too-broad]").count(), 1, "{r}");
}

#[test]
fn a_private_hierarchy_given_by_its_root_accepts_its_own_sub_ca_only() {
    let read = |p: &str| std::fs::read_to_string(fixture(&format!("pki/{p}"))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, body: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let root = format!("int:{}", fixture("pki/int/root.pem").display());
    let lint = |f: &str| {
        let r = run(&[
            "trust",
            "lint",
            f,
            "--env",
            "int",
            "--no-embedded-ca",
            "--ca",
            &root,
            "--format",
            "json",
        ]);
        let ids: Vec<String> = r.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        (r, ids)
    };
    // The test INT sub-CA and the root given with --ca: the file is right.
    let right = file(
        "right.pem",
        format!("{}{}", read("int/subca.pem"), read("int/root.pem")),
    );
    let (r, ids) = lint(&right);
    r.code(0);
    assert!(ids.is_empty(), "{r}");
    // The PROD test sub-CA is not issued by that root: still too broad.
    let broad = file(
        "broad.pem",
        format!("{}{}", read("int/root.pem"), read("prod/subca.pem")),
    );
    let (r, ids) = lint(&broad);
    assert_eq!(ids, ["trust.too-broad"], "{r}");
    // The server settings pin the hierarchy's own sub-CA, found in the file: no
    // placeholder to fill in.
    let mixed = file(
        "mixed.pem",
        format!(
            "{}{}{}",
            read("int/subca.pem"),
            read("int/root.pem"),
            read("prod/root.pem")
        ),
    );
    let r = run(&[
        "trust",
        "lint",
        &mixed,
        "--env",
        "int",
        "--no-embedded-ca",
        "--ca",
        &root,
    ]);
    assert!(
        r.stdout.contains("ssl_client_i_dn != \"") && !r.stdout.contains("<the issuing"),
        "{r}"
    );
}
