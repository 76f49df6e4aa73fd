//! `--help` says what each command takes, and argument errors say what to type instead.

use crate::util::{fixture, run, Run};
use std::process::Command;

fn help(command: &[&str]) -> String {
    let mut args = command.to_vec();
    args.push("--help");
    let r = run(&args);
    r.code(0);
    r.stdout
}

/// The help text of `option` in `help` (its lines up to the next option).
fn option_help(help: &str, option: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in help.lines() {
        let t = line.trim_start();
        if t.starts_with(&format!("{option} ")) {
            inside = true;
        } else if inside && (t.starts_with('-') || t.is_empty()) {
            break;
        }
        if inside {
            out.push_str(t);
            out.push(' ');
        }
    }
    assert!(!out.is_empty(), "no {option} in:\n{help}");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn scan_help_does_not_offer_expect_fqdn_and_scan_still_refuses_it() {
    assert!(!help(&["scan"]).contains("--expect-fqdn"));
    assert!(help(&["check"]).contains("--expect-fqdn"));
    let r = run(&["scan", "-", "--expect-fqdn", "x.nhs.uk"]);
    r.code(2);
    assert!(
        r.stderr.contains("--expect-fqdn does not apply to scan"),
        "{r}"
    );
}

#[test]
fn format_help_names_every_format_it_accepts() {
    for command in [&["trust", "lint"][..], &["check"], &["probe"]] {
        let h = option_help(&help(command), "--format");
        let (described, values) = h.split_once("[default").unwrap();
        let values = values.split_once("[possible values: ").unwrap().1;
        for v in values.trim_end_matches(']').split(", ") {
            assert!(
                described.contains(v),
                "{command:?} --format: {v} not described: {h}"
            );
        }
    }
}

#[test]
fn max_input_size_is_an_option_of_the_commands_that_read_files_only() {
    let readers: &[&[&str]] = &[
        &["inspect"],
        &["check"],
        &["probe"],
        &["scan"],
        &["match"],
        &["trust", "lint"],
    ];
    for c in readers {
        assert!(help(c).contains("--max-input-size <SIZE>"), "{c:?}");
    }
    let others: &[&[&str]] = &[
        &["ca", "list"],
        &["ca", "fetch"],
        &["explain"],
        &["completions"],
        &["man"],
        &["demo"],
        &["csr", "new"],
        &["pfx", "build"],
    ];
    for c in others {
        assert!(!help(c).contains("--max-input-size"), "{c:?}");
    }
    let r = run(&["explain", "--max-input-size", "1K"]);
    r.code(2);
    assert!(
        r.stderr.contains("unexpected argument '--max-input-size'"),
        "{r}"
    );
    // Where it is offered, it is honoured.
    let chain = fixture("pki/int-good/chain.pem");
    let r = run(&[
        "check".as_ref(),
        chain.as_os_str(),
        "--max-input-size".as_ref(),
        "100".as_ref(),
    ]);
    r.code(2);
    assert!(r.stderr.contains("larger than the 100-byte limit"), "{r}");
}

#[test]
fn ca_help_names_every_environment_prefix() {
    for c in ["check", "probe", "scan"] {
        let h = option_help(&help(&[c]), "--ca");
        assert!(h.starts_with("--ca <[int:|prod:|public:]FILE>"), "{c}: {h}");
        assert!(h.contains("`public:FILE`"), "{c}: {h}");
    }
}

#[test]
fn explain_takes_color() {
    let always = run(&["explain", "chain.incomplete", "--color", "always"]);
    always.code(0);
    assert!(always.stdout.contains("\u{1b}["), "{always}");
    let never = run(&["explain", "chain.incomplete", "--color", "never"]);
    never.code(0);
    assert!(!never.stdout.contains('\u{1b}'), "{never}");
    assert!(
        never.stdout.starts_with("chain.incomplete (error)\n"),
        "{never}"
    );
}

// ---------------------------------------------------------------------------------------
// Argument errors.

fn check_at(at: &str) -> Run {
    let chain = fixture("pki/int-good/chain.pem");
    let ca = format!("int:{}", fixture("pki/int/root.pem").display());
    run(&[
        "check".as_ref(),
        chain.as_os_str(),
        "--ca".as_ref(),
        ca.as_ref(),
        "--at".as_ref(),
        at.as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ])
}

fn ids(r: &Run) -> Vec<String> {
    r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn at_takes_a_bare_date_as_its_midnight_utc() {
    // The int-good leaf is valid until 2028-01-01T00:00:00Z.
    let date = check_at("2028-01-02");
    assert_eq!(date.json(), check_at("2028-01-02T00:00:00Z").json());
    assert!(ids(&date).contains(&"cert.expired".to_string()), "{date}");
    let before = check_at("2027-12-31");
    before.code(0);
    assert!(
        !ids(&before).contains(&"cert.expired".to_string()),
        "{before}"
    );
}

#[test]
fn at_that_is_no_time_says_to_use_rfc_3339() {
    for bad in ["2028-13-01", "next tuesday", "2028-01-01 00:00"] {
        let r = check_at(bad);
        r.code(2);
        assert!(
            r.stderr.contains("use RFC 3339, e.g. 2028-01-01T00:00:00Z"),
            "{bad}: {r}"
        );
        assert!(!r.stderr.contains("component"), "{bad}: {r}");
    }
}

#[test]
fn ca_with_an_unknown_prefix_is_refused_by_its_prefix() {
    let chain = fixture("pki/int-good/chain.pem");
    let r = run(&[
        "check".as_ref(),
        chain.as_os_str(),
        "--ca".as_ref(),
        "dev:foo.pem".as_ref(),
    ]);
    r.code(2);
    assert!(
        r.stderr.contains("unknown environment prefix `dev:`")
            && r.stderr.contains("int:, prod: or public:"),
        "{r}"
    );
    assert!(!r.stderr.contains("no such file"), "{r}");
}

#[test]
fn ca_file_whose_name_holds_a_colon_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("pki/int/root.pem"), dir.path().join("dev:root.pem")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bars-certcheck"))
        .arg("check")
        .arg(fixture("pki/int-good/chain.pem"))
        .args(["--ca", "dev:root.pem", "--env", "int", "--no-embedded-ca"])
        .args(["--at", "2027-01-01T00:00:00Z", "--format", "json"])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["chain"]["trusted_by"], "BaRS TEST INT Root", "{doc:#}");
}

#[test]
fn trust_lint_ca_takes_the_nhs_environments_only_and_says_so() {
    let file = fixture("pki/int/subca.pem");
    for bad in ["public:x.pem", "dev:x.pem"] {
        let r = run(&[
            "trust",
            "lint",
            file.to_str().unwrap(),
            "--env",
            "int",
            "--ca",
            bad,
        ]);
        r.code(2);
        assert!(r.stderr.contains("(use int: or prod:"), "{bad}: {r}");
        assert!(!r.stderr.contains("public:,"), "{bad}: {r}");
    }
    let help = run(&["trust", "lint", "--help"]);
    assert!(help.stdout.contains("[int:|prod:]FILE"), "{help}");
    // pfx build takes every environment's CAs, and says so.
    let help = run(&["pfx", "build", "--help"]);
    assert!(help.stdout.contains("[int:|prod:|public:]FILE"), "{help}");
}
