//! No private-key material (PEM, DER, hex or base64 of it) reaches stdout or stderr, in
//! any command and format; passwords are never taken as plain arguments.

use crate::util::{base64_decode, fixture, run_with};

/// Private keys of the fixtures, every container.
const KEYS: &[&str] = &[
    "pki/int-good/leaf.key",
    "pki/encodings/leaf.pkcs1.key",
    "pki/encodings/leaf.enc-pkcs8.key",
    "pki/encodings/leaf.traditional-enc.key",
    "pki/encodings/ec-leaf.key",
    "pki/encodings/ec-leaf.sec1.key",
];

/// The secret DER (decoded from the unencrypted PEM forms) of each key.
fn secrets() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for k in [
        "pki/int-good/leaf.key",
        "pki/encodings/leaf.pkcs1.key",
        "pki/encodings/ec-leaf.key",
        "pki/encodings/ec-leaf.sec1.key",
    ] {
        let text = std::fs::read_to_string(fixture(k)).unwrap();
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        out.push(base64_decode(&body));
    }
    out
}

/// Every 24-byte window of each secret (step 8) as lowercase hex, uppercase hex and
/// base64, plus every 40-character line of each key file's PEM body.
fn needles() -> Vec<String> {
    let mut n = Vec::new();
    for der in secrets() {
        // Skip the first 40 bytes (headers and the public modulus start) and keep
        // windows from the private parts.
        for start in (40..der.len().saturating_sub(24)).step_by(8) {
            let w = &der[start..start + 24];
            n.push(w.iter().map(|b| format!("{b:02x}")).collect());
            n.push(w.iter().map(|b| format!("{b:02X}")).collect());
        }
    }
    for k in KEYS {
        let text = std::fs::read_to_string(fixture(k)).unwrap();
        for line in text
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        {
            if line.contains(':') {
                continue; // Proc-Type / DEK-Info headers
            }
            n.push(line[..40].to_string());
        }
    }
    n
}

#[test]
fn no_command_or_format_prints_key_material() {
    let needles = needles();
    assert!(needles.len() > 100);
    let chain = fixture("pki/int-good/chain.pem").display().to_string();
    let csr = fixture("pki/int-good/request.csr").display().to_string();
    let pfx = fixture("pki/pfx-good/bundle.pfx").display().to_string();
    let root = format!("int:{}", fixture("pki/int/root.pem").display());
    let keys: Vec<String> = KEYS
        .iter()
        .map(|k| fixture(k).display().to_string())
        .collect();
    let mut runs: Vec<Vec<String>> = Vec::new();
    for format in ["text", "json"] {
        let mut a = vec![
            "inspect".to_string(),
            "--format".into(),
            format.into(),
            pfx.clone(),
        ];
        a.extend(keys.iter().cloned());
        runs.push(a);
        let mut a = vec![
            "match".to_string(),
            "--format".into(),
            format.into(),
            chain.clone(),
            csr.clone(),
            pfx.clone(),
        ];
        a.extend(keys.iter().cloned());
        runs.push(a);
    }
    for format in ["text", "json", "markdown", "sarif"] {
        let mut a = vec![
            "check".to_string(),
            "--format".into(),
            format.into(),
            "--ca".into(),
            root.clone(),
            chain.clone(),
            csr.clone(),
            pfx.clone(),
        ];
        a.extend(keys.iter().cloned());
        runs.push(a);
    }
    // A wrong password too: the error paths must not echo anything secret either.
    for password in ["secret", "hunter2-not-it"] {
        for mut args in runs.clone() {
            args.extend(["--password-env".to_string(), "BARS_TEST_PW".into()]);
            let r = run_with(&args, &[("BARS_TEST_PW", password)]);
            assert!(!r.stderr.contains("panicked"), "{r}");
            for n in &needles {
                assert!(
                    !r.stdout.contains(n.as_str()),
                    "key material {n} on stdout: {r}"
                );
                assert!(
                    !r.stderr.contains(n.as_str()),
                    "key material {n} on stderr: {r}"
                );
            }
            assert!(!r.stdout.contains("PRIVATE KEY-----"), "{r}");
            assert!(
                !r.stdout.contains(password) && !r.stderr.contains(password),
                "the password is echoed: {r}"
            );
        }
    }
}

#[test]
fn passwords_are_never_plain_arguments() {
    let pfx = fixture("pki/pfx-good/bundle.pfx").display().to_string();
    for flag in ["--password", "--pass", "--passin", "-p"] {
        let r = run_with(
            &[
                "inspect".to_string(),
                pfx.clone(),
                flag.to_string(),
                "secret".into(),
            ],
            &[],
        );
        r.code(2);
        assert!(
            !r.stdout.contains("CN="),
            "nothing is read with a password argument: {r}"
        );
    }
}
