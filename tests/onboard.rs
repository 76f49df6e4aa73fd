//! Onboarding helpers: `csr new`, `pfx build`, `ca list`, `ca fetch`. Every artefact is
//! checked by openssl (the independent peer) and by `bars-certcheck check`; downloads go
//! only to files and to a local HTTP server on 127.0.0.1.

use crate::schema::assert_valid;
use crate::util::{fixture, Run};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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

/// openssl with whitespace-separated arguments (none of them holds a space).
#[track_caller]
fn ossl(dir: &Path, args: &str) -> String {
    let args: Vec<&str> = args.split_whitespace().collect();
    openssl_ok(dir, &args)
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

fn nhs(rel: &str) -> PathBuf {
    fixture(&format!("nhs-pki/{rel}"))
}

// ---------------------------------------------------------------------------------------
// csr new

#[test]
fn csr_new_int_defaults_check_clean_and_openssl_agrees() {
    bars_testpki::require_tools!("openssl");
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
    bars_testpki::require_tools!("openssl");
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
    bars_testpki::require_tools!("openssl");
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
    bars_testpki::require_tools!("openssl");
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
    bars_testpki::require_tools!("openssl");
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

// ---------------------------------------------------------------------------------------
// pfx build: a PKI made by openssl, the leaf's key and CSR made by `csr new`.

struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn d(&self) -> &Path {
        self.dir.path()
    }
}

/// root → sub-CA → BaRS INT leaf (O=nhs, OU=Devices, CN=<fqdn>; serverAuth+clientAuth),
/// the leaf's key from `csr new`; another key; a leaf whose openssl key is encrypted
/// with "kpw".
fn pki() -> Pki {
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
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    let rsa = "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048";
    for k in ["root", "sub", "other"] {
        ossl(d, &format!("{rsa} -out {k}.key"));
    }
    ossl(
        d,
        "req -x509 -new -key root.key -subj /C=GB/O=openssl-test/OU=CA/CN=OpenSSL-Test-INT-Root \
         -days 3650 -addext basicConstraints=critical,CA:TRUE \
         -addext keyUsage=critical,keyCertSign,cRLSign -addext subjectKeyIdentifier=hash \
         -out root.pem",
    );
    ossl(
        d,
        "req -new -key sub.key -subj /C=GB/O=openssl-test/OU=CA/CN=OpenSSL-Test-INT-Sub -out sub.csr",
    );
    ossl(
        d,
        "x509 -req -in sub.csr -CA root.pem -CAkey root.key -set_serial 2 -days 3000 \
         -extfile ca.ext -out sub.pem",
    );
    run_in(
        d,
        &[
            "csr",
            "new",
            "--fqdn",
            INT_FQDN,
            "--key-out",
            "leaf.key",
            "--csr-out",
            "leaf.csr",
        ],
        &[],
    )
    .code(0);
    // The NHS issues O=nhs, OU=Devices, CN=<fqdn> from the CN-only request.
    ossl(
        d,
        &format!(
            "x509 -req -in leaf.csr -CA sub.pem -CAkey sub.key -set_serial 3 -days 365 \
             -extfile leaf.ext -subj /O=nhs/OU=Devices/CN={INT_FQDN} -out leaf.cer"
        ),
    );
    ossl(d, &format!("{rsa} -aes256 -pass pass:kpw -out enc.key"));
    ossl(
        d,
        &format!("req -new -key enc.key -passin pass:kpw -subj /CN={INT_FQDN} -out enc.csr"),
    );
    ossl(
        d,
        "x509 -req -in enc.csr -CA sub.pem -CAkey sub.key -set_serial 4 -days 365 \
         -extfile leaf.ext -out enc.cer",
    );
    Pki { dir }
}

const PFX_ENV: [(&str, &str); 2] = [("PFX_PW", "pfx-pass"), ("KEY_PW", "kpw")];

/// `pfx build` with whitespace-separated arguments, in the PKI's directory.
fn pfx_build(p: &Pki, args: &str) -> Run {
    pfx_build_env(p, args, &PFX_ENV)
}

fn pfx_build_env(p: &Pki, args: &str, env: &[(&str, &str)]) -> Run {
    let mut a = vec!["pfx", "build"];
    a.extend(args.split_whitespace());
    run_in(p.d(), &a, env)
}

/// The good inputs of the test PKI, with `out` as --out.
fn good(out: &str) -> String {
    format!(
        "--cert leaf.cer --key leaf.key --chain sub.pem --ca int:root.pem --out {out} \
         --password-env PFX_PW"
    )
}

/// `openssl pkcs12 -info` of `file`, and everything it holds as PEM.
fn pkcs12_info(p: &Pki, file: &str, legacy: bool) -> (String, String) {
    let flag = if legacy { " -legacy" } else { "" };
    let info = ossl(
        p.d(),
        &format!("pkcs12 -info -noout -passin pass:pfx-pass -in {file}{flag}"),
    );
    let dump = ossl(
        p.d(),
        &format!("pkcs12 -in {file} -passin pass:pfx-pass -nodes{flag}"),
    );
    (info, dump)
}

fn check_pfx(p: &Pki, file: &str) -> Run {
    run_in(
        p.d(),
        &[
            "check",
            file,
            "--password-env",
            "PFX_PW",
            "--ca",
            "int:root.pem",
            "--format",
            "json",
            "--fail-on",
            "warning",
        ],
        &PFX_ENV,
    )
}

#[test]
fn pfx_build_modern_and_legacy_open_with_openssl_and_check_clean() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    let r = pfx_build(&p, &good("modern.pfx"));
    r.code(0);
    assert_eq!(mode(&p.d().join("modern.pfx")), 0o600);
    assert!(r.stdout.contains("OpenSSL-Test-INT-Sub"), "{r}");
    let (info, dump) = pkcs12_info(&p, "modern.pfx", false);
    for want in ["AES-256-CBC", "PBKDF2", "hmacWithSHA256", "MAC: sha256"] {
        assert!(info.contains(want), "{want}: {info}");
    }
    // Leaf + intermediate, not the root; one key, linked to the leaf.
    assert_eq!(dump.matches("BEGIN CERTIFICATE").count(), 2, "{dump}");
    let subjects: Vec<&str> = dump.lines().filter(|l| l.starts_with("subject=")).collect();
    assert!(subjects.iter().all(|l| !l.contains("INT-Root")), "{dump}");
    assert!(subjects.iter().any(|l| l.contains("INT-Sub")), "{dump}");
    assert_eq!(dump.matches("BEGIN PRIVATE KEY").count(), 1);
    assert!(dump.matches("localKeyID").count() >= 2, "{dump}");
    // The key inside is the key made by `csr new`.
    std::fs::write(p.d().join("dump.pem"), &dump).unwrap();
    assert_eq!(
        ossl(p.d(), "pkey -in dump.pem -pubout"),
        ossl(p.d(), "pkey -in leaf.key -pubout")
    );
    let r = check_pfx(&p, "modern.pfx");
    r.code(0);
    assert!(serious(&r).is_empty(), "{r}");
    assert_eq!(r.json()["chain"]["complete"], true);
    assert_valid(&r.json());

    let r = pfx_build(&p, &format!("{} --legacy", good("legacy.pfx")));
    r.code(0);
    let (info, dump) = pkcs12_info(&p, "legacy.pfx", true);
    assert!(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{info}");
    assert!(
        info.contains("MAC: sha1") && !info.contains("AES"),
        "{info}"
    );
    assert_eq!(dump.matches("BEGIN CERTIFICATE").count(), 2, "{dump}");
    let r = check_pfx(&p, "legacy.pfx");
    r.code(0);
    assert!(serious(&r).is_empty(), "{r}");
}

#[test]
fn pfx_build_completes_and_orders_the_chain() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    let d = p.d();
    let cat = |name: &str, parts: &[&str]| {
        let text: String = parts
            .iter()
            .map(|f| std::fs::read_to_string(d.join(f)).unwrap())
            .collect();
        std::fs::write(d.join(name), text).unwrap();
    };
    cat("full.pem", &["leaf.cer", "sub.pem", "root.pem"]);
    cat("reversed.pem", &["root.pem", "sub.pem"]);
    ossl(
        d,
        "req -x509 -new -key other.key -subj /CN=Unrelated-CA -days 30 \
         -addext basicConstraints=critical,CA:TRUE -out other-ca.pem",
    );
    let cases = [
        // Intermediates after the leaf in --cert; the root is left out.
        "--cert full.pem",
        // --chain in the wrong order, with the root.
        "--cert leaf.cer --chain reversed.pem",
        // Completed from --ca (as from the embedded NHS CAs).
        "--cert leaf.cer --ca int:sub.pem",
        // An unrelated CA in --chain is left out, and says so.
        "--cert leaf.cer --chain sub.pem --chain other-ca.pem",
    ];
    for (n, case) in cases.iter().enumerate() {
        let out = format!("c{n}.pfx");
        let r = pfx_build(
            &p,
            &format!("{case} --key leaf.key --ca int:root.pem --out {out} --password-env PFX_PW"),
        );
        r.code(0);
        if n == 3 {
            assert!(r.stderr.contains("leaving out CN=Unrelated-CA"), "{r}");
        }
        let (_, dump) = pkcs12_info(&p, &out, false);
        assert_eq!(
            dump.matches("BEGIN CERTIFICATE").count(),
            2,
            "{case}: {dump}"
        );
        let r = check_pfx(&p, &out);
        r.code(0);
        assert!(serious(&r).is_empty(), "{case}: {r}");
    }
}

#[test]
fn pfx_build_refuses_and_writes_nothing() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    let cases = [
        // The wrong key.
        (
            "--key other.key --chain sub.pem --ca int:root.pem",
            "key.mismatch",
        ),
        // The intermediate missing and unknown.
        ("--key leaf.key --ca int:root.pem", "chain.incomplete"),
        // The root unknown: the path ends nowhere the environment trusts.
        (
            "--key leaf.key --chain sub.pem --env int",
            "chain.untrusted",
        ),
        (
            "--key leaf.key --chain sub.pem --chain root.pem --env int",
            "chain.untrusted",
        ),
        // Expired (judged at a later time).
        (
            "--key leaf.key --chain sub.pem --ca int:root.pem --at 2099-01-01T00:00:00Z",
            "cert.expired",
        ),
    ];
    for (args, reason) in cases {
        let r = pfx_build(
            &p,
            &format!("--cert leaf.cer {args} --out x.pfx --password-env PFX_PW"),
        );
        r.code(1);
        assert!(r.stderr.contains(reason), "{reason}: {r}");
        assert!(r.stderr.contains("nothing was written"), "{r}");
        assert!(!p.d().join("x.pfx").exists(), "{r}");
    }
    let r = pfx_build(
        &p,
        "--cert leaf.cer --key leaf.key --ca int:root.pem --out x.pfx --password-env PFX_PW",
    );
    assert!(
        r.stderr.contains("OpenSSL-Test-INT-Sub"),
        "names the missing CA: {r}"
    );
    assert!(files(p.d()).iter().all(|f| !f.contains(".tmp")));

    // An existing --out: refused without --force, replaced with it.
    std::fs::write(p.d().join("x.pfx"), "old").unwrap();
    let r = pfx_build(&p, &good("x.pfx"));
    r.code(1);
    assert!(r.stderr.contains("already exists"), "{r}");
    assert_eq!(std::fs::read_to_string(p.d().join("x.pfx")).unwrap(), "old");
    let r = pfx_build(&p, &format!("{} --force", good("x.pfx")));
    r.code(0);
    assert!(r.stderr.contains("replacing"), "{r}");
    pkcs12_info(&p, "x.pfx", false);
    assert_eq!(mode(&p.d().join("x.pfx")), 0o600);
    // --out naming an input is refused even with --force.
    pfx_build(&p, &format!("{} --force", good("leaf.key"))).code(2);
    ossl(p.d(), "pkey -in leaf.key -noout");
    // No PFX password source and no terminal: usage error, nothing written.
    pfx_build(
        &p,
        "--cert leaf.cer --key leaf.key --chain sub.pem --ca int:root.pem --out y.pfx",
    )
    .code(2);
    assert!(!p.d().join("y.pfx").exists());
    // Unreadable inputs: usage errors.
    pfx_build(&p, &good("z.pfx").replace("leaf.cer", "missing.cer")).code(2);
    pfx_build(
        &p,
        &good("z.pfx").replace("--cert leaf.cer", "--cert sub.pem"),
    )
    .code(2);
    pfx_build(
        &p,
        &good("z.pfx").replace("--key leaf.key", "--key leaf.cer"),
    )
    .code(2);
    assert!(!p.d().join("z.pfx").exists());
}

#[test]
fn pfx_build_real_nhs_leaf_is_completed_from_the_embedded_sub_ca() {
    bars_testpki::require_tools!("openssl");
    // No one has the key of a real NHS leaf: with another key the build is refused for
    // the key alone, the chain having been completed from the embedded G2 sub-CA.
    let p = pki();
    let leaf = nhs("leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem");
    let leaf = leaf.to_str().unwrap();
    let at = "--at 2026-11-23T00:00:00Z";
    let r = pfx_build(
        &p,
        &format!("--cert {leaf} --key leaf.key --out real.pfx --password-env PFX_PW {at}"),
    );
    r.code(1);
    assert!(r.stderr.contains("key.mismatch"), "{r}");
    assert!(!r.stderr.contains("chain.incomplete"), "{r}");
    assert!(
        r.stderr
            .contains("NHS INT Authentication G2 (embedded NHS CA)"),
        "{r}"
    );
    assert!(!p.d().join("real.pfx").exists());
    // An INT certificate built for PROD: the wrong environment's chain.
    let r = pfx_build(
        &p,
        &format!(
            "--cert {leaf} --key leaf.key --out real.pfx --password-env PFX_PW --env prod {at}"
        ),
    );
    r.code(1);
    assert!(r.stderr.contains("chain.wrong-env"), "{r}");
}

#[test]
fn pfx_build_opens_encrypted_and_traditional_keys() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    let base = |key: &str, out: &str| {
        format!(
            "--cert enc.cer --key {key} --chain sub.pem --ca int:root.pem --out {out} \
             --password-env PFX_PW"
        )
    };
    // Its own password source.
    pfx_build(
        &p,
        &format!("{} --key-password-env KEY_PW", base("enc.key", "a.pfx")),
    )
    .code(0);
    let r = check_pfx(&p, "a.pfx");
    assert!(serious(&r).is_empty(), "{r}");
    let r = pfx_build(
        &p,
        &format!("{} --key-password-env PFX_PW", base("enc.key", "w.pfx")),
    );
    r.code(2);
    assert!(r.stderr.contains("wrong password"), "{r}");
    // Without one, the PFX password is tried; it is not this key's: usage error, no file.
    let r = pfx_build(&p, &base("enc.key", "b.pfx"));
    r.code(2);
    assert!(r.stderr.contains("--key-password-env"), "{r}");
    assert!(!p.d().join("b.pfx").exists());
    // The same password for both works without --key-password-env.
    pfx_build_env(&p, &base("enc.key", "b.pfx"), &[("PFX_PW", "kpw")]).code(0);
    // A traditional PKCS#1 key.
    ossl(
        p.d(),
        "pkcs8 -in enc.key -passin pass:kpw -traditional -out trad.key",
    );
    let head = std::fs::read_to_string(p.d().join("trad.key")).unwrap();
    assert!(
        head.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
        "{head}"
    );
    pfx_build(&p, &base("trad.key", "c.pfx")).code(0);
    pkcs12_info(&p, "c.pfx", false);
}

// ---------------------------------------------------------------------------------------
// ca list

#[test]
fn ca_list_shows_the_embedded_cas_in_text_and_json() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["ca", "list"], &[]);
    r.code(0);
    for want in [
        "NHS INT Authentication G2",
        "NHS PTL Root Authority G2",
        "NHS Authentication G2",
        "NHS Root Authority G2",
        "NHS Level 1C",
        "eb17b9fe90a19dbfe962bf41d3c907558f6f787e2fd1602268dfca9d3fdbf857",
        "never trusted",
        "NHS DEP Level 1C",
    ] {
        assert!(r.stdout.contains(want), "{want}: {r}");
    }
    let r = run_in(dir.path(), &["ca", "list", "--format", "json"], &[]);
    r.code(0);
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["schema"], "bars-certcheck/1");
    assert_eq!(doc["command"], "ca list");
    let cas = doc["cas"].as_array().unwrap();
    assert_eq!(cas.iter().filter(|c| c["trusted"] == true).count(), 9);
    assert_eq!(cas.iter().filter(|c| c["trusted"] == false).count(), 9);
    // Every fingerprint is the real file's, as openssl computes it.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(nhs("manifest.json")).unwrap()).unwrap();
    let text = manifest.to_string().to_lowercase();
    for c in cas.iter().filter(|c| c["trusted"] == true) {
        let sha = c["sha256"].as_str().unwrap();
        assert!(text.contains(sha), "{sha} not in the manifest");
    }
    let sub = cas
        .iter()
        .find(|c| c["id"] == "nhs-int-authentication-g2")
        .unwrap();
    assert_eq!(sub["environment"], "int");
    assert_eq!(sub["role"], "intermediate");
    assert_eq!(sub["generation"], "G2");
    assert_eq!(sub["issued_by"], "nhs-ptl-root-authority-g2");
    assert_eq!(sub["url"], "http://pki.nhs.uk/int/G2/auth/NHSINTAuthG2.crt");
    let pem = nhs("int/nhs-int-authentication-g2.pem");
    let fp = openssl_ok(
        dir.path(),
        &[
            "x509",
            "-in",
            pem.to_str().unwrap(),
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
    );
    assert!(
        fp.to_lowercase()
            .replace(':', "")
            .contains(sub["sha256"].as_str().unwrap()),
        "{fp}"
    );
    let old_root = cas
        .iter()
        .find(|c| c["id"] == "nhs-root-authority")
        .unwrap();
    assert_eq!(old_root["expired"], true);
    assert_eq!(old_root["generation"], "legacy");

    let r = run_in(
        dir.path(),
        &["ca", "list", "--env", "prod", "--format", "json"],
        &[],
    );
    r.code(0);
    let doc = r.json();
    assert_valid(&doc);
    let cas = doc["cas"].as_array().unwrap();
    assert_eq!(cas.len(), 4);
    assert!(cas.iter().all(|c| c["environment"] == "prod"));
    let r = run_in(
        dir.path(),
        &["ca", "list", "--env", "public", "--format", "json"],
        &[],
    );
    r.code(0);
    assert_valid(&r.json());
    assert_eq!(r.json()["cas"].as_array().unwrap().len(), 0);
    run_in(dir.path(), &["ca", "list", "--env", "dev"], &[]).code(2);
}

// ---------------------------------------------------------------------------------------
// ca fetch: files and a local HTTP server; never an outside host.

const INT_PIN: &str = "eb17b9fe90a19dbfe962bf41d3c907558f6f787e2fd1602268dfca9d3fdbf857";

fn der_of(dir: &Path, pem: &Path, out: &str) -> PathBuf {
    openssl_ok(
        dir,
        &[
            "x509",
            "-in",
            pem.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            out,
        ],
    );
    dir.join(out)
}

/// SHA-256 of the first certificate in a PEM file, by openssl.
fn fingerprint(dir: &Path, file: &Path) -> String {
    openssl_ok(
        dir,
        &[
            "x509",
            "-in",
            file.to_str().unwrap(),
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
    )
    .trim()
    .rsplit('=')
    .next()
    .unwrap()
    .replace(':', "")
    .to_lowercase()
}

#[test]
fn ca_fetch_from_files_accepts_only_the_pinned_ca() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let int_pem = nhs("int/nhs-int-authentication-g2.pem");
    // PEM, default output name.
    let r = run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            int_pem.to_str().unwrap(),
        ],
        &[],
    );
    r.code(0);
    assert!(r.stdout.contains("pinned"), "{r}");
    let out = d.join("NHSINTAuthG2.pem");
    assert_eq!(fingerprint(d, &out), INT_PIN);
    assert_eq!(
        std::fs::read_to_string(&out)
            .unwrap()
            .matches("BEGIN CERTIFICATE")
            .count(),
        1
    );
    // Again: unchanged, still exit 0.
    let r = run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            int_pem.to_str().unwrap(),
        ],
        &[],
    );
    r.code(0);
    assert!(r.stdout.contains("Unchanged"), "{r}");
    // DER, with the root, to a named file.
    let der = der_of(d, &int_pem, "NHSINTAuthG2.crt");
    let r = run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            der.to_str().unwrap(),
            "--out",
            "bundle.pem",
            "--with-root",
        ],
        &[],
    );
    r.code(0);
    let bundle = std::fs::read_to_string(d.join("bundle.pem")).unwrap();
    assert_eq!(bundle.matches("BEGIN CERTIFICATE").count(), 2);
    let verify = openssl_ok(
        d,
        &[
            "verify",
            "-attime",
            "1795392000",
            "-CAfile",
            "bundle.pem",
            nhs("leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(verify.contains("OK"), "{verify}");
    // PROD, its own pin, into an install directory (one file each).
    std::fs::create_dir(d.join("certs")).unwrap();
    let prod_pem = nhs("prod/nhs-authentication-g2.pem");
    let r = run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "prod",
            "--from",
            prod_pem.to_str().unwrap(),
            "--install-dir",
            "certs",
            "--with-root",
        ],
        &[],
    );
    r.code(0);
    assert_eq!(
        files(&d.join("certs")),
        ["nhs-authentication-g2.crt", "nhs-root-authority-g2.crt"]
    );

    // Refusals: the other environment's genuine CA (named), another NHS environment's
    // CA, a root, a foreign CA (with and without --allow-new), garbage, HTML, a key.
    std::fs::write(d.join("garbage.bin"), [0x30u8, 0x03, 1, 2, 3, 4, 5]).unwrap();
    std::fs::write(
        d.join("page.html"),
        "<!DOCTYPE html><html><body>Sign in</body></html>",
    )
    .unwrap();
    openssl_ok(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "fake.key",
            "-subj",
            "/C=GB/O=nhs/OU=CA/CN=NHS INT Authentication G2",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-out",
            "fake.pem",
        ],
    );
    let cases: Vec<(&str, PathBuf, bool, &str)> = vec![
        (
            "int",
            prod_pem.clone(),
            false,
            "NHS Authentication G2 (prod)",
        ),
        (
            "prod",
            int_pem.clone(),
            true,
            "NHS INT Authentication G2 (int)",
        ),
        (
            "int",
            nhs("other-cas/nhs-dep-level-1c.pem"),
            false,
            "NHS DEP Level 1C",
        ),
        (
            "int",
            nhs("int/nhs-ptl-root-authority-g2.pem"),
            false,
            "NHS PTL Root Authority G2",
        ),
        (
            "int",
            nhs("int/nhs-int-level-1c.pem"),
            false,
            "NHS INT Level 1C",
        ),
        ("int", d.join("fake.pem"), false, "not the pinned"),
        ("int", d.join("fake.pem"), true, "new certificate refused"),
        ("int", d.join("garbage.bin"), false, "not a certificate"),
        ("int", d.join("page.html"), false, "HTML"),
        ("int", d.join("fake.key"), false, "PRIVATE KEY"),
    ];
    for (env, from, allow_new, reason) in cases {
        let mut args = vec![
            "ca",
            "fetch",
            "--env",
            env,
            "--from",
            from.to_str().unwrap(),
            "--out",
            "refused.pem",
        ];
        if allow_new {
            args.push("--allow-new");
        }
        let r = run_in(d, &args, &[]);
        r.code(1);
        assert!(r.stderr.contains(reason), "{reason}: {r}");
        assert!(!d.join("refused.pem").exists(), "{r}");
    }
    // An existing, different file is not replaced without --force.
    let prod_out = d.join("NHSauthG2.pem");
    std::fs::write(&prod_out, "something else").unwrap();
    let args = [
        "ca",
        "fetch",
        "--env",
        "prod",
        "--from",
        prod_pem.to_str().unwrap(),
    ];
    run_in(d, &args, &[]).code(1);
    assert_eq!(
        std::fs::read_to_string(&prod_out).unwrap(),
        "something else"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    run_in(d, &forced, &[]).code(0);
    assert_eq!(
        fingerprint(d, &prod_out),
        "1cb94b89dd6e3cbeb498f43f85aac7f7ea3a833805ba0a37396d669eaa794639"
    );
    // An unreadable --from is an input error; public has no CA to fetch.
    run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            "missing.crt",
            "--out",
            "m.pem",
        ],
        &[],
    )
    .code(2);
    run_in(d, &["ca", "fetch", "--env", "public"], &[]).code(2);
    run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            "ftp://pki.nhs.uk/x.crt",
        ],
        &[],
    )
    .code(2);
    assert!(!d.join("m.pem").exists());
}

/// A tiny HTTP server on 127.0.0.1: `routes` maps a path to a raw response (`None`:
/// accept the connection and never answer).
fn http_server(routes: Vec<(&'static str, Option<Vec<u8>>)>) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let routes = std::sync::Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let routes = routes.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                match routes.iter().find(|(p, _)| *p == path) {
                    Some((_, Some(resp))) => {
                        let _ = s.write_all(resp);
                    }
                    Some((_, None)) => std::thread::sleep(Duration::from_secs(30)),
                    None => {
                        let _ = s.write_all(
                            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found",
                        );
                    }
                }
            });
        }
    });
    port
}

fn ok_response(body: &[u8], ctype: &str) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

#[test]
fn ca_fetch_over_http_from_a_local_server() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let der = std::fs::read(der_of(
        d,
        &nhs("int/nhs-int-authentication-g2.pem"),
        "int.der",
    ))
    .unwrap();
    let prod = std::fs::read(nhs("prod/nhs-authentication-g2.pem")).unwrap();
    let port = http_server(vec![
        ("/int/G2/auth/NHSINTAuthG2.crt", Some(ok_response(&der, "application/pkix-cert"))),
        ("/prod.crt", Some(ok_response(&prod, "application/x-x509-ca-cert"))),
        (
            "/login",
            Some(ok_response(b"<html><body>Please sign in</body></html>", "text/html")),
        ),
        (
            "/moved",
            Some(
                b"HTTP/1.1 302 Found\r\nLocation: /int/G2/auth/NHSINTAuthG2.crt\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            ),
        ),
        ("/stall", None),
    ]);
    let url = |p: &str| format!("http://127.0.0.1:{port}{p}");

    // The URL path, DER over plain HTTP, pinned: accepted.
    let r = run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            &url("/int/G2/auth/NHSINTAuthG2.crt"),
        ],
        &[],
    );
    r.code(0);
    assert_eq!(fingerprint(d, &d.join("NHSINTAuthG2.pem")), INT_PIN);
    // Through a redirect.
    let r = run_in(
        d,
        &[
            "ca",
            "fetch",
            "--env",
            "int",
            "--from",
            &url("/moved"),
            "--out",
            "moved.pem",
        ],
        &[],
    );
    r.code(0);
    assert_eq!(fingerprint(d, &d.join("moved.pem")), INT_PIN);

    // The wrong certificate, an HTML page: refused (1). A 404, a stalled server, nothing
    // listening: no certificate was received (3). Nothing written in any case.
    let refused_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cases: Vec<(String, i32, &str)> = vec![
        (url("/prod.crt"), 1, "NHS Authentication G2 (prod)"),
        (url("/login"), 1, "HTML"),
        (url("/missing.crt"), 3, "404"),
        (url("/stall"), 3, "timed out"),
        (
            format!("http://127.0.0.1:{refused_port}/x.crt"),
            3,
            "refused",
        ),
    ];
    for (from, code, reason) in cases {
        let started = Instant::now();
        let r = run_in(
            d,
            &[
                "ca",
                "fetch",
                "--env",
                "int",
                "--from",
                &from,
                "--out",
                "bad.pem",
                "--timeout",
                "2",
            ],
            &[],
        );
        r.code(code);
        assert!(r.stderr.contains(reason), "{reason}: {r}");
        assert!(!d.join("bad.pem").exists(), "{r}");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{from} took {:?}",
            started.elapsed()
        );
    }
}
