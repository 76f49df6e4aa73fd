//! Onboarding helpers: `csr new`, `pfx build`, `ca list`, `ca fetch`. Every artefact is
//! checked by openssl (the independent peer) and by `bars-certcheck check`; downloads go
//! only to files and to a local HTTP server on 127.0.0.1.

use crate::schema::assert_valid;
use crate::util::Run;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const INT_FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
const PROD_FQDN: &str = "BaRS-PROD-RRK.Supplier.thirdparty.nhs.uk";

/// Runs the binary in `dir` with extra environment variables (no proxy, no colour).
fn run_in<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bars-certcheck"));
    cmd.args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
    for v in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(v);
    }
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

fn openssl_in(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .expect("openssl must be installed: it is the independent peer of these tests");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[track_caller]
fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let (ok, out) = openssl_in(dir, args);
    assert!(ok, "openssl {args:?}: {out}");
    out
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Finding ids at warning or above in a `check --format json` run.
fn serious(r: &Run) -> Vec<String> {
    r.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings: {r}"))
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// csr new

#[test]
fn csr_new_int_defaults_check_clean_and_openssl_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run_in(d, &["csr", "new", "--fqdn", INT_FQDN], &[]);
    r.code(0);
    let key = format!("{INT_FQDN}.key");
    let csr = format!("{INT_FQDN}.csr");
    assert_eq!(files(d), [csr.clone(), key.clone()], "{r}");
    assert_eq!(mode(&d.join(&key)), 0o600);
    // What to send where (the onboarding guide, INT).
    for want in [
        "ITOC",
        "Certificate Only (No endpoint)",
        "'BaRS' certificate",
        "N/A",
        "england.bookingandreferralstandard@nhs.net",
        "35.197.254.55",
        &csr,
    ] {
        assert!(r.stdout.contains(want), "{want}: {r}");
    }
    assert!(!r.stdout.contains("PRIVATE KEY") && !r.stderr.contains("PRIVATE KEY"));

    // openssl: the signature verifies, the subject is only the CN, no SAN, no attributes.
    openssl_ok(d, &["req", "-verify", "-noout", "-in", &csr]);
    let subject = openssl_ok(
        d,
        &[
            "req", "-noout", "-subject", "-nameopt", "RFC2253", "-in", &csr,
        ],
    );
    assert_eq!(subject.trim(), format!("subject=CN={INT_FQDN}"));
    let text = openssl_ok(d, &["req", "-noout", "-text", "-in", &csr]);
    assert!(text.contains("(2048 bit)") && text.contains("sha256WithRSAEncryption"));
    assert!(
        !text.contains("Alternative") && !text.contains("emailAddress"),
        "{text}"
    );
    let text = openssl_ok(d, &["pkey", "-in", &key, "-noout", "-text"]);
    assert!(text.contains("2048 bit"), "{text}");
    let kpub = openssl_ok(d, &["pkey", "-in", &key, "-pubout"]);
    let cpub = openssl_ok(d, &["req", "-in", &csr, "-noout", "-pubkey"]);
    assert_eq!(kpub, cpub);

    // bars-certcheck check: nothing at warning or above, alone and with the key.
    for args in [vec!["check", &csr], vec!["check", &csr, "--key", &key]] {
        let mut a = args.clone();
        a.extend(["--format", "json", "--fail-on", "warning"]);
        let r = run_in(d, &a, &[]);
        r.code(0);
        assert!(serious(&r).is_empty(), "{r}");
        assert_eq!(r.json()["environment"], "int");
        assert_valid(&r.json());
    }
}

#[test]
fn csr_new_prod_custom_paths_and_bits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("out")).unwrap();
    let r = run_in(
        d,
        &[
            "csr",
            "new",
            "--fqdn",
            PROD_FQDN,
            "--bits",
            "3072",
            "--key-out",
            "out/private.key",
            "--csr-out",
            "out/request.csr",
        ],
        &[],
    );
    r.code(0);
    assert_eq!(files(&d.join("out")), ["private.key", "request.csr"]);
    for want in [
        "dir@nhs.net",
        "Solution Assurance",
        "BaRS Receiver endpoint",
        "34.89.0.111",
    ] {
        assert!(r.stdout.contains(want), "{want}: {r}");
    }
    assert!(!r.stdout.contains("ITOC"), "{r}");
    let text = openssl_ok(d, &["req", "-noout", "-text", "-in", "out/request.csr"]);
    assert!(text.contains("(3072 bit)"), "{text}");
    let r = run_in(
        d,
        &[
            "check",
            "out/request.csr",
            "out/private.key",
            "--format",
            "json",
        ],
        &[],
    );
    r.code(0);
    assert!(serious(&r).is_empty(), "{r}");
    assert_eq!(r.json()["environment"], "prod");

    // A provider-hosted PROD name with a setting suffix is a BaRS name too.
    let r = run_in(
        d,
        &[
            "csr",
            "new",
            "--fqdn",
            "BaRS-PROD-RRK-ED.uhb.nhs.uk",
            "--env",
            "prod",
        ],
        &[],
    );
    r.code(0);
    let r = run_in(
        d,
        &["csr", "new", "--fqdn", INT_FQDN, "--bits", "1024"],
        &[],
    );
    r.code(2);
}

#[test]
fn csr_new_refuses_names_against_the_rules_and_writes_nothing() {
    let cases: &[(&[&str], &str)] = &[
        (&["--fqdn", PROD_FQDN, "--env", "int"], "--env int"),
        (&["--fqdn", INT_FQDN, "--env", "prod"], "--env prod"),
        (&["--fqdn", "receiver.example.com"], "nhs.uk"),
        (&["--fqdn", "BaRS-INT-X26.Supplier.nhs.uk"], "thirdparty"),
        (&["--fqdn", "www.example.nhs.uk"], "BaRS-INT-"),
        (&["--fqdn", "BaRS-INT-X.Supplier.thirdparty.nhs.uk"], "ODS"),
        (
            &["--fqdn", "www.example.nhs.uk", "--env", "prod"],
            "BaRS-PROD-",
        ),
        // Beyond any --force: not a DNS name, or too long for a CN.
        (&["--fqdn", "bad name.nhs.uk", "--force"], "not a DNS name"),
        (
            &[
                "--fqdn",
                "BaRS-INT-X26.a-very-long-supplier-name-indeed-really.thirdparty.nhs.uk",
                "--force",
            ],
            "at most 64",
        ),
    ];
    for (args, reason) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut a = vec!["csr", "new"];
        a.extend_from_slice(args);
        let r = run_in(dir.path(), &a, &[]);
        r.code(1);
        assert!(r.stderr.contains(reason), "{reason}: {r}");
        assert!(r.stderr.contains("nothing was written"), "{r}");
        assert!(
            files(dir.path()).is_empty(),
            "{args:?} wrote {:?}",
            files(dir.path())
        );
    }
}

#[test]
fn csr_new_force_overrides_the_naming_rules_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run_in(
        d,
        &["csr", "new", "--fqdn", "receiver.example.com", "--force"],
        &[],
    );
    r.code(0);
    assert!(r.stderr.contains("WARNING: --force"), "{r}");
    assert!(r.stderr.contains("name.not-nhs-uk"), "{r}");
    assert!(r.stdout.contains("WARNING"), "{r}");
    let subject = openssl_ok(
        d,
        &[
            "req",
            "-noout",
            "-subject",
            "-nameopt",
            "RFC2253",
            "-in",
            "receiver.example.com.csr",
        ],
    );
    assert_eq!(subject.trim(), "subject=CN=receiver.example.com");
    // A PROD name forced into INT keeps INT's next steps.
    let r = run_in(
        d,
        &["csr", "new", "--fqdn", PROD_FQDN, "--env", "int", "--force"],
        &[],
    );
    r.code(0);
    assert!(r.stderr.contains("WARNING: --force"), "{r}");
}

#[test]
fn csr_new_never_replaces_a_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("private.key"), "precious").unwrap();
    let args = [
        "csr",
        "new",
        "--fqdn",
        INT_FQDN,
        "--key-out",
        "private.key",
        "--csr-out",
        "request.csr",
    ];
    let r = run_in(d, &args, &[]);
    r.code(1);
    assert!(r.stderr.contains("already exists"), "{r}");
    assert_eq!(
        std::fs::read_to_string(d.join("private.key")).unwrap(),
        "precious"
    );
    assert_eq!(files(d), ["private.key"]);
    // The request file existing is refused as well, before any key is made.
    std::fs::remove_file(d.join("private.key")).unwrap();
    std::fs::write(d.join("request.csr"), "old").unwrap();
    run_in(d, &args, &[]).code(1);
    assert_eq!(files(d), ["request.csr"]);
    // --force replaces both, loudly, and the key is still 0600.
    std::fs::write(d.join("private.key"), "precious").unwrap();
    std::fs::set_permissions(
        d.join("private.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let mut forced = args.to_vec();
    forced.push("--force");
    let r = run_in(d, &forced, &[]);
    r.code(0);
    assert!(r.stderr.contains("replacing"), "{r}");
    assert_eq!(mode(&d.join("private.key")), 0o600);
    openssl_ok(d, &["pkey", "-in", "private.key", "-noout"]);
    openssl_ok(d, &["req", "-verify", "-noout", "-in", "request.csr"]);
    assert!(
        files(d).iter().all(|f| !f.contains(".tmp")),
        "{:?}",
        files(d)
    );
    // Same file for both: usage error.
    run_in(
        d,
        &[
            "csr",
            "new",
            "--fqdn",
            INT_FQDN,
            "--key-out",
            "x",
            "--csr-out",
            "x",
        ],
        &[],
    )
    .code(2);
}

#[test]
fn csr_new_encrypted_key_opens_with_its_password_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = [("KEY_PW", "correct horse")];
    let r = run_in(
        d,
        &[
            "csr",
            "new",
            "--fqdn",
            INT_FQDN,
            "--encrypt-key",
            "--password-env",
            "KEY_PW",
        ],
        &env,
    );
    r.code(0);
    let key = format!("{INT_FQDN}.key");
    let pem = std::fs::read_to_string(d.join(&key)).unwrap();
    assert!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{pem}"
    );
    assert_eq!(mode(&d.join(&key)), 0o600);
    let parsed = openssl_ok(d, &["asn1parse", "-in", &key]);
    for want in ["PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc"] {
        assert!(parsed.contains(want), "{want}: {parsed}");
    }
    openssl_ok(
        d,
        &[
            "pkey",
            "-in",
            &key,
            "-passin",
            "pass:correct horse",
            "-noout",
        ],
    );
    assert!(!openssl_in(d, &["pkey", "-in", &key, "-passin", "pass:wrong", "-noout"]).0);
    // check opens it with the same password source and finds it matches the CSR.
    let csr = format!("{INT_FQDN}.csr");
    let r = run_in(
        d,
        &[
            "check",
            &csr,
            "--key",
            &key,
            "--password-env",
            "KEY_PW",
            "--format",
            "json",
        ],
        &env,
    );
    r.code(0);
    assert!(serious(&r).is_empty(), "{r}");

    // From a file.
    std::fs::write(d.join("pw.txt"), "from a file\n").unwrap();
    run_in(
        d,
        &[
            "csr",
            "new",
            "--fqdn",
            PROD_FQDN,
            "--encrypt-key",
            "--password-file",
            "pw.txt",
        ],
        &[],
    )
    .code(0);
    openssl_ok(
        d,
        &[
            "pkey",
            "-in",
            &format!("{PROD_FQDN}.key"),
            "-passin",
            "pass:from a file",
            "-noout",
        ],
    );

    // No password source and no terminal; a password without --encrypt-key; an unset
    // variable: usage errors, nothing written.
    let dir = tempfile::tempdir().unwrap();
    let e = dir.path();
    for (args, env) in [
        (vec!["--encrypt-key"], vec![]),
        (vec!["--password-env", "KEY_PW"], vec![("KEY_PW", "x")]),
        (
            vec!["--encrypt-key", "--password-env", "UNSET_PW_VAR"],
            vec![],
        ),
        (
            vec!["--encrypt-key", "--password-env", "KEY_PW"],
            vec![("KEY_PW", "")],
        ),
    ] {
        let mut a = vec!["csr", "new", "--fqdn", INT_FQDN];
        a.extend(args);
        let r = run_in(e, &a, &env);
        r.code(2);
        assert!(files(e).is_empty(), "{r}");
    }
}
