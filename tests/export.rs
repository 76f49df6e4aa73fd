//! `ca export`: the embedded NHS CAs written offline, checked against the real NHS
//! certificates in fixtures/nhs-pki and by openssl. Also the helpers the issue-16 command
//! tests share (`run_in`, `openssl_in`).

use crate::util::{fixture, Run};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// Runs the binary in `dir` with extra environment variables (no proxy, no colour).
pub fn run_in<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bars-certcheck"));
    cmd.args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run bars-certcheck");
    Run {
        args: args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `openssl` in `dir` (no config file) and returns its stdout; panics on failure.
pub fn openssl_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .expect("openssl must be installed: it is the independent peer of these tests");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The file mode bits.
pub fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// openssl's SHA-256 of the certificate in `file` (PEM or DER), lowercase, no colons.
pub fn sha256_of(dir: &Path, file: &str, der: bool) -> String {
    let mut args = vec!["x509", "-noout", "-fingerprint", "-sha256", "-in", file];
    if der {
        args.extend(["-inform", "DER"]);
    }
    let out = openssl_in(dir, &args);
    out.trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_lowercase()
}

/// The SHA-256 of each certificate `inspect` finds in `file`.
fn subjects_and_fingerprints(dir: &Path, file: &str) -> Vec<(String, String)> {
    let r = run_in(dir, &["inspect", file, "--format", "json"], &[]);
    r.code(0);
    r.json()["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["subject"].as_str().unwrap().to_string(),
                c["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn ca_export_writes_the_int_sub_ca_the_chain_incomplete_fix_names() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Exactly the command nhs::export_command prints for the INT G2 sub-CA.
    let r = run_in(
        d,
        &["ca", "export", "--env", "int", "--out", "NHSINTAuthG2.pem"],
        &[],
    );
    r.code(0);
    assert!(r.stderr.contains("NHS INT Authentication G2"), "{r}");
    assert_eq!(names(d), ["NHSINTAuthG2.pem"]);
    assert_eq!(mode(&d.join("NHSINTAuthG2.pem")), 0o644);
    let real = fixture("nhs-pki/int/nhs-int-authentication-g2.pem");
    assert_eq!(
        sha256_of(d, "NHSINTAuthG2.pem", false),
        sha256_of(d, real.to_str().unwrap(), false)
    );

    // An existing file is never replaced without --force: exit 1, unchanged.
    std::fs::write(d.join("NHSINTAuthG2.pem"), "mine").unwrap();
    let r = run_in(
        d,
        &["ca", "export", "--env", "int", "--out", "NHSINTAuthG2.pem"],
        &[],
    );
    r.code(1);
    assert!(
        r.stderr.contains("already exists") && r.stderr.contains("--force"),
        "{r}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("NHSINTAuthG2.pem")).unwrap(),
        "mine"
    );
    let r = run_in(
        d,
        &[
            "ca",
            "export",
            "--env",
            "int",
            "--out",
            "NHSINTAuthG2.pem",
            "--force",
        ],
        &[],
    );
    r.code(0);
    assert_eq!(names(d), ["NHSINTAuthG2.pem"], "no temporary file left");
    assert_eq!(
        sha256_of(d, "NHSINTAuthG2.pem", false),
        sha256_of(d, real.to_str().unwrap(), false)
    );
}

#[test]
fn ca_export_selects_root_and_legacy_generation_on_request() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // PEM to standard output: the sub-CA, then its root.
    let r = run_in(d, &["ca", "export", "--env", "prod", "--with-root"], &[]);
    r.code(0);
    std::fs::write(d.join("prod.pem"), &r.stdout).unwrap();
    let got = subjects_and_fingerprints(d, "prod.pem");
    let want: Vec<String> = ["nhs-authentication-g2.pem", "nhs-root-authority-g2.pem"]
        .iter()
        .map(|f| {
            let p = fixture(&format!("nhs-pki/prod/{f}"));
            sha256_of(d, p.to_str().unwrap(), false)
        })
        .collect();
    assert_eq!(
        got.iter().map(|g| g.1.clone()).collect::<Vec<_>>(),
        want,
        "{got:?}"
    );
    assert!(names(d) == ["prod.pem"], "nothing written without --out");

    // --legacy adds the Level 1C generation; without --with-root no root at all.
    let r = run_in(d, &["ca", "export", "--env", "prod", "--legacy"], &[]);
    r.code(0);
    std::fs::write(d.join("legacy.pem"), &r.stdout).unwrap();
    let got = subjects_and_fingerprints(d, "legacy.pem");
    let subjects: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(
        subjects[0].contains("NHS Authentication G2"),
        "{subjects:?}"
    );
    assert!(subjects[1].contains("NHS Level 1C"), "{subjects:?}");
    assert!(!subjects.iter().any(|s| s.contains("Root")), "{subjects:?}");
}

#[test]
fn ca_export_der_holds_one_certificate_per_file() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two certificates cannot go into one DER file: a usage error with the reason.
    let r = run_in(
        d,
        &[
            "ca",
            "export",
            "--env",
            "int",
            "--with-root",
            "--der",
            "--out",
            "both.der",
        ],
        &[],
    );
    r.code(2);
    assert!(
        r.stderr.contains("one certificate per file") && r.stderr.contains("--install-dir"),
        "{r}"
    );
    assert!(names(d).is_empty(), "nothing written: {:?}", names(d));

    let r = run_in(
        d,
        &["ca", "export", "--env", "int", "--der", "--out", "sub.der"],
        &[],
    );
    r.code(0);
    let real = fixture("nhs-pki/int/nhs-int-authentication-g2.pem");
    assert_eq!(
        sha256_of(d, "sub.der", true),
        sha256_of(d, real.to_str().unwrap(), false)
    );

    // --install-dir: one <name>.crt per CA, DER when asked.
    std::fs::create_dir(d.join("certs")).unwrap();
    let r = run_in(
        d,
        &[
            "ca",
            "export",
            "--env",
            "int",
            "--with-root",
            "--der",
            "--install-dir",
            "certs",
        ],
        &[],
    );
    r.code(0);
    let files = names(&d.join("certs"));
    assert_eq!(
        files,
        [
            "nhs-int-authentication-g2.crt",
            "nhs-ptl-root-authority-g2.crt"
        ]
    );
    let root = fixture("nhs-pki/int/nhs-ptl-root-authority-g2.pem");
    assert_eq!(
        sha256_of(d, "certs/nhs-ptl-root-authority-g2.crt", true),
        sha256_of(d, root.to_str().unwrap(), false)
    );
    // Again without --force: refused, nothing changed.
    let before = std::fs::read(d.join("certs/nhs-int-authentication-g2.crt")).unwrap();
    let r = run_in(
        d,
        &["ca", "export", "--env", "int", "--install-dir", "certs"],
        &[],
    );
    r.code(1);
    assert_eq!(
        std::fs::read(d.join("certs/nhs-int-authentication-g2.crt")).unwrap(),
        before
    );
}

#[test]
fn a_missing_output_directory_is_named_once_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        vec!["ca", "export", "--env", "int", "--out", "no-such-dir/x.pem"],
        vec![
            "ca",
            "export",
            "--env",
            "int",
            "--install-dir",
            "no-such-dir",
        ],
        vec![
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            "/dev/null",
            "--out",
            "no-such-dir/x.pem",
        ],
    ] {
        let r = run_in(d, &args, &[]);
        r.code(2);
        assert_eq!(r.stderr.matches("no-such-dir").count(), 1, "{r}");
        assert!(
            !r.stderr.contains(".tmp") && r.stderr.contains("does not exist"),
            "{r}"
        );
    }
    assert!(names(d).is_empty());
}

#[test]
fn ca_fetch_from_takes_the_pinned_certificate_out_of_any_container() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = fixture("nhs-pki/int/nhs-ptl-root-authority-g2.pem");
    let sub = fixture("nhs-pki/int/nhs-int-authentication-g2.pem");
    // A bundle with the root first, then the sub-CA; the same as PKCS#7, PEM and DER.
    let bundle = format!(
        "{}{}",
        std::fs::read_to_string(&root).unwrap(),
        std::fs::read_to_string(&sub).unwrap()
    );
    std::fs::write(d.join("bundle.pem"), bundle).unwrap();
    for (form, file) in [("PEM", "bundle-pem.p7b"), ("DER", "bundle-der.p7b")] {
        openssl_in(
            d,
            &[
                "crl2pkcs7",
                "-nocrl",
                "-certfile",
                "bundle.pem",
                "-outform",
                form,
                "-out",
                file,
            ],
        );
    }
    let want = sha256_of(d, sub.to_str().unwrap(), false);
    for from in ["bundle.pem", "bundle-pem.p7b", "bundle-der.p7b"] {
        let out = format!("{from}.out.pem");
        let r = run_in(
            d,
            &["ca", "fetch", "--env", "int", "--from", from, "--out", &out],
            &[],
        );
        r.code(0);
        assert_eq!(sha256_of(d, &out, false), want, "{from}: {r}");
        assert!(r.stdout.contains("pinned"), "{r}");
    }
    // The other environment's bundle: refused, naming what it holds (not its root).
    let prod = format!(
        "{}{}",
        std::fs::read_to_string(fixture("nhs-pki/prod/nhs-root-authority-g2.pem")).unwrap(),
        std::fs::read_to_string(fixture("nhs-pki/prod/nhs-authentication-g2.pem")).unwrap()
    );
    std::fs::write(d.join("prod.pem"), prod).unwrap();
    let r = run_in(
        d,
        &[
            "ca", "fetch", "--env", "int", "--from", "prod.pem", "--out", "x.pem",
        ],
        &[],
    );
    r.code(1);
    assert!(r.stderr.contains("NHS Authentication G2 (prod)"), "{r}");
    // A file that is no certificate at all: said in words.
    std::fs::write(d.join("hostname"), "receiver-01\n").unwrap();
    let r = run_in(
        d,
        &[
            "ca", "fetch", "--env", "int", "--from", "hostname", "--out", "y.pem",
        ],
        &[],
    );
    r.code(1);
    assert!(
        r.stderr.contains("not PEM, DER, PKCS#7") && !r.stderr.contains("Error("),
        "{r}"
    );
    assert!(!d.join("x.pem").exists() && !d.join("y.pem").exists());
}

#[test]
fn pfx_build_names_a_missing_output_directory_before_reading_anything() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (leaf, key) = (
        fixture("pki/int-good/leaf.pem"),
        fixture("pki/int-good/leaf.key"),
    );
    let r = run_in(
        d,
        &[
            "pfx",
            "build",
            "--cert",
            leaf.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--out",
            "absent/r.pfx",
            "--password-env",
            "PW",
        ],
        &[("PW", "secret")],
    );
    r.code(2);
    assert_eq!(r.stderr.matches("absent").count(), 1, "{r}");
    assert!(
        r.stderr.contains("does not exist") && !r.stderr.contains(".tmp"),
        "{r}"
    );
}
