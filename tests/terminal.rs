//! What a terminal shows: ASCII glyphs when the locale is not UTF-8, standard input named
//! `stdin`, an empty subject said in words, and grammar ("an INT name", "1 character").

use crate::schema::assert_valid;
use crate::util::{fixture, run, run_with};
use std::io::Write;
use std::process::{Command, Stdio};

const GLYPHS: [char; 4] = ['✓', '✗', '└', '─'];

fn check_int_good(env: &[(&str, &str)]) -> crate::util::Run {
    let root = format!("int:{}", fixture("pki/int/root.pem").display());
    let chain = fixture("pki/int-good/chain.pem").display().to_string();
    let r = run_with(
        &[
            "check",
            &chain,
            "--env",
            "int",
            "--ca",
            &root,
            "--at",
            "2027-01-01T00:00:00Z",
        ],
        env,
    );
    r.code(0);
    r
}

#[test]
fn the_chain_tree_is_ascii_when_the_locale_is_not_utf8() {
    // LANG=C, and LC_ALL=C over a UTF-8 LANG: ASCII only.
    for env in [
        vec![("LANG", "C")],
        vec![("LC_ALL", "C"), ("LANG", "en_GB.UTF-8")],
        vec![("LC_CTYPE", "POSIX"), ("LANG", "C.UTF-8")],
    ] {
        let r = check_int_good(&env);
        assert!(r.stdout.is_ascii(), "{env:?}: {r}");
        assert!(r.stdout.contains("  + [0] CN=BaRS-INT-X26"), "{env:?}: {r}");
        assert!(
            r.stdout
                .contains("   `- + [1] CN=BaRS TEST INT Authentication"),
            "{env:?}: {r}"
        );
        let r = run_with(
            &[
                "inspect",
                &fixture("pki/int-good/chain.pem").display().to_string(),
            ],
            &env,
        );
        r.code(0);
        assert!(r.stdout.is_ascii(), "{env:?}: {r}");
        assert!(r.stdout.contains("`- [0]"), "{env:?}: {r}");
    }
    // A UTF-8 locale in any spelling, LC_ALL first: the glyphs.
    for env in [
        vec![("LC_ALL", "C.UTF-8"), ("LANG", "C")],
        vec![("LC_CTYPE", "en_GB.utf8"), ("LANG", "C")],
        vec![("LANG", "en_GB.Utf-8")],
    ] {
        let r = check_int_good(&env);
        assert!(r.stdout.contains("  ✓ [0] CN=BaRS-INT-X26"), "{env:?}: {r}");
        assert!(r.stdout.contains("└─ ✓ [1]"), "{env:?}: {r}");
    }
    // JSON is the same document whatever the locale.
    let json = |env: &[(&str, &str)]| {
        let chain = fixture("pki/int-good/chain.pem").display().to_string();
        run_with(
            &[
                "check",
                &chain,
                "--format",
                "json",
                "--at",
                "2027-01-01T00:00:00Z",
            ],
            env,
        )
        .stdout
    };
    assert_eq!(json(&[("LANG", "C")]), json(&[("LANG", "C.UTF-8")]));
    assert!(!GLYPHS.iter().any(|g| json(&[("LANG", "C")]).contains(*g)));
}

/// `bars-certcheck ARGS < stdin`.
fn with_stdin(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bars-certcheck"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn standard_input_is_named_stdin() {
    let chain = std::fs::read(fixture("pki/int-good/chain.pem")).unwrap();
    let root = format!("int:{}", fixture("pki/int/root.pem").display());
    let args = [
        "check",
        "-",
        "--env",
        "int",
        "--ca",
        &root,
        "--at",
        "2027-01-01T00:00:00Z",
    ];
    let (code, out, err) = with_stdin(&args, &chain);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("stdin  PASS"), "{out}");
    assert!(out.contains("(leaf, stdin, expires"), "{out}");
    assert!(!out.contains("file:-"), "{out}");
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let (_, out, _) = with_stdin(&json, &chain);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["certificates"][0]["source"], "stdin", "{out}");
    assert_eq!(doc["certificates"][1]["source"], "stdin", "{out}");
    // Nothing on standard input: the error names it too.
    let (code, _, err) = with_stdin(&["check", "-"], b"");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("stdin: "), "{err}");
    assert!(!err.contains("bars-certcheck: -:"), "{err}");
}

#[test]
fn an_empty_subject_is_said_in_words() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "e.key",
        ])
        .args(["-out", "empty.pem", "-days", "30", "-subj", "/", "-addext"])
        .arg("subjectAltName=critical,DNS:bars-int-x26.supplier.thirdparty.nhs.uk")
        .current_dir(dir.path())
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let cert = dir.path().join("empty.pem").display().to_string();
    let r = run(&["check", &cert, "--env", "int"]);
    assert!(r.stdout.contains("✗ [0] (empty subject)  (leaf,"), "{r}");
    let r = run(&["inspect", &cert]);
    r.code(0);
    assert!(r.stdout.contains("[0] (empty subject)  (root)"), "{r}");
    assert!(
        r.stdout.contains("Issuer:             (empty issuer)"),
        "{r}"
    );
}

#[test]
fn texts_say_an_int_name_and_one_character() {
    let csr = fixture("pki/csr-good/request.csr").display().to_string();
    let r = run(&["check", &csr, "--env", "prod"]);
    assert!(
        r.stdout
            .contains(", an INT name, but the environment is PROD"),
        "{r}"
    );
    assert!(!r.stdout.contains(" a INT "), "{r}");
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("x.key").display().to_string();
    let out = dir.path().join("x.csr").display().to_string();
    let r = run(&[
        "csr",
        "new",
        "--fqdn",
        "BaRS-INT-X.Supplier.thirdparty.nhs.uk",
        "--key-out",
        &key,
        "--csr-out",
        &out,
    ]);
    r.code(1);
    assert!(r.stderr.contains("is 1 character long;"), "{r}");
    assert!(!r.stderr.contains("1 characters"), "{r}");
}

#[test]
fn names_outside_ascii_are_escaped_when_the_locale_is_not_utf8() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    crate::util::openssl(
        dir.path(),
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-days",
            "30",
            "-utf8",
            "-subj",
            "/O=NetLock Kft./CN=Főtanúsítvány Tuğra",
        ],
    );
    let cert = dir.path().join("c.pem").display().to_string();
    for args in [
        vec!["inspect", &cert],
        vec!["check", &cert, "--env", "int"],
        vec!["trust", "lint", &cert, "--env", "int"],
    ] {
        let r = run_with(&args, &[("LANG", "C")]);
        assert!(r.stdout.is_ascii(), "{r}");
        // 'ő' is C5 91, 'ğ' is C4 9F in UTF-8.
        assert!(r.stdout.contains("F\\C5\\91tan"), "{r}");
        assert!(r.stdout.contains("Tu\\C4\\9Fra"), "{r}");
        let r = run_with(&args, &[("LANG", "C.UTF-8")]);
        assert!(r.stdout.contains("Főtanúsítvány Tuğra"), "{r}");
    }
}
