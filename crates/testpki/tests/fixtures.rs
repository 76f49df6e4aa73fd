//! Independent checks (the `openssl` CLI) of the committed fixtures in `fixtures/pki`,
//! and proof that the generator reproduces them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bars_testpki::fixtures::{self, Options, Origin, Outcome};
use bars_testpki::manifest::{self, Scenario};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use x509_parser::prelude::*;

/// 2027-01-01T00:00:00Z, the time every scenario is judged at.
const AT: &str = "1798761600";

fn dir() -> PathBuf {
    fixtures::default_out_dir()
}

fn read(rel: &str) -> Vec<u8> {
    let p = dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Run openssl in the fixture directory; (success, stdout + stderr).
fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir())
        .output()
        .expect("openssl must be installed (CI installs it): could not run `openssl`");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn openssl_ok(args: &[&str]) -> String {
    let (ok, text) = openssl(args);
    assert!(ok, "openssl {} failed:\n{text}", args.join(" "));
    text
}

/// `openssl verify -attime AT -CAfile ca [-untrusted chain] [extra] leaf`.
fn verify(ca: &str, chain: Option<&str>, leaf: &str, extra: &[&str]) -> Result<(), String> {
    let mut args = vec!["verify", "-attime", AT, "-CAfile", ca];
    if let Some(c) = chain {
        args.extend(["-untrusted", c]);
    }
    args.extend(extra);
    args.push(leaf);
    let (ok, text) = openssl(&args);
    if ok && text.contains(": OK") {
        Ok(())
    } else {
        Err(text)
    }
}

fn assert_verifies(ca: &str, chain: Option<&str>, leaf: &str, extra: &[&str]) {
    if let Err(text) = verify(ca, chain, leaf, extra) {
        panic!("{leaf} should verify against {ca}:\n{text}");
    }
}

/// Verification fails with openssl error `code` (e.g. 20: unable to get local issuer).
fn assert_fails(ca: &str, chain: Option<&str>, leaf: &str, extra: &[&str], code: u32) {
    match verify(ca, chain, leaf, extra) {
        Ok(()) => panic!("{leaf} should NOT verify against {ca}"),
        Err(text) => assert!(
            text.contains(&format!("error {code} at")),
            "{leaf}: expected openssl error {code}, got:\n{text}"
        ),
    }
}

fn nhs(rel: &str) -> String {
    fixtures::default_nhs_pki_dir()
        .join(rel)
        .display()
        .to_string()
}

fn pem_blocks(rel: &str) -> Vec<Vec<u8>> {
    let bytes = read(rel);
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    ::pem::parse_many(bytes)
        .unwrap()
        .into_iter()
        .filter(|p| p.tag() == "CERTIFICATE")
        .map(|p| p.into_contents())
        .collect()
}

fn subject_of(der: &[u8]) -> String {
    X509Certificate::from_der(der)
        .unwrap()
        .1
        .subject()
        .to_string()
}

#[test]
fn good_chains_verify() {
    bars_testpki::require_tools!("openssl");
    assert_verifies(
        "int/root.pem",
        Some("int-good/chain.pem"),
        "int-good/leaf.pem",
        &["-purpose", "sslserver"],
    );
    assert_verifies(
        "int/root.pem",
        Some("int-good/chain.pem"),
        "int-good/leaf.pem",
        &["-purpose", "sslclient"],
    );
    assert_verifies(
        "prod/root.pem",
        Some("prod-good/chain.pem"),
        "prod-good/leaf.pem",
        &["-purpose", "sslserver"],
    );
    // order, root sent, an unrelated extra: openssl still builds the path
    for chain in [
        "chain-order/chain.pem",
        "chain-root-sent/chain.pem",
        "chain-unrelated/chain.pem",
    ] {
        assert_verifies("int/root.pem", Some(chain), "int-good/leaf.pem", &[]);
    }
    for d in [
        "cert-expiring-soon",
        "name-not-nhs-uk",
        "name-fqdn-format",
        "name-cn-san-mismatch",
        "name-env-mismatch",
        "name-san-good",
    ] {
        assert_verifies(
            "int/root.pem",
            Some(&format!("{d}/chain.pem")),
            &format!("{d}/leaf.pem"),
            &["-purpose", "sslserver"],
        );
    }
    assert_verifies(
        "int/root.pem",
        Some("encodings/ec-chain.pem"),
        "encodings/ec-leaf.pem",
        &[],
    );
    // the real legacy chain, inside its validity (2023-06-01)
    let legacy_root = nhs("int/nhs-ptl-root-authority.pem");
    let (ok, text) = openssl(&[
        "verify",
        "-attime",
        "1685577600",
        "-CAfile",
        &legacy_root,
        "-untrusted",
        "chain-legacy/chain.pem",
        "chain-legacy/leaf.pem",
    ]);
    assert!(ok, "{text}");
}

#[test]
fn client_certificates() {
    bars_testpki::require_tools!("openssl");
    for (env, root) in [
        ("int", "int/root.pem"),
        ("prod", "prod/root.pem"),
        ("foreign", "foreign/root.pem"),
    ] {
        let chain = format!("{env}/client-chain.pem");
        let leaf = format!("{env}/client.pem");
        assert_verifies(root, Some(&chain), &leaf, &["-purpose", "sslclient"]);
        assert_fails(root, Some(&chain), &leaf, &["-purpose", "sslserver"], 26);
        let text = openssl_ok(&[
            "x509", "-in", &leaf, "-noout", "-subject", "-nameopt", "RFC2253",
        ]);
        assert!(
            text.contains("CN=bars-proxy.test.nhs.uk,OU=Devices,O=nhs"),
            "{text}"
        );
        assert_same_public_key(&leaf, &format!("{env}/client.key"));
    }
    // an INT client is not accepted under the PROD root, nor the foreign one under INT
    assert_fails(
        "prod/root.pem",
        Some("int/client-chain.pem"),
        "int/client.pem",
        &[],
        20,
    );
    assert_fails(
        "int/root.pem",
        Some("foreign/client-chain.pem"),
        "foreign/client.pem",
        &[],
        20,
    );
}

#[test]
fn bad_chains_fail_for_the_right_reason() {
    bars_testpki::require_tools!("openssl");
    // 20: unable to get local issuer certificate
    assert_fails("int/root.pem", None, "chain-incomplete/leaf.pem", &[], 20);
    assert_fails(
        "int/root.pem",
        Some("chain-untrusted/chain.pem"),
        "chain-untrusted/leaf.pem",
        &[],
        20,
    );
    assert_verifies(
        "foreign/root.pem",
        Some("chain-untrusted/chain.pem"),
        "chain-untrusted/leaf.pem",
        &[],
    );
    assert_fails(
        "int/root.pem",
        Some("chain-wrong-env/chain.pem"),
        "chain-wrong-env/leaf.pem",
        &[],
        20,
    );
    assert_verifies(
        "prod/root.pem",
        Some("chain-wrong-env/chain.pem"),
        "chain-wrong-env/leaf.pem",
        &[],
    );
    // 7: certificate signature failure
    assert_fails(
        "int/root.pem",
        Some("chain-bad-signature/chain.pem"),
        "chain-bad-signature/leaf.pem",
        &[],
        7,
    );
    let real_root = nhs("int/nhs-ptl-root-authority-g2.pem");
    assert_fails(
        &real_root,
        Some("lookalike/chain.pem"),
        "lookalike/leaf.pem",
        &[],
        7,
    );
    assert_verifies(
        "lookalike/root.pem",
        Some("lookalike/chain.pem"),
        "lookalike/leaf.pem",
        &[],
    );
    // 10 expired, 9 not yet valid
    assert_fails(
        "int/root.pem",
        Some("cert-expired/chain.pem"),
        "cert-expired/leaf.pem",
        &[],
        10,
    );
    assert_fails(
        "int/root.pem",
        Some("cert-not-yet-valid/chain.pem"),
        "cert-not-yet-valid/leaf.pem",
        &[],
        9,
    );
    // expiring soon: valid at AT, expired a fortnight later
    assert_fails(
        "int/root.pem",
        Some("cert-expiring-soon/chain.pem"),
        "cert-expiring-soon/leaf.pem",
        &["-attime", "1800057600"],
        10,
    );
    // 26: unsuitable certificate purpose (clientAuth only)
    assert_fails(
        "int/root.pem",
        Some("cert-eku/chain.pem"),
        "cert-eku/leaf.pem",
        &["-purpose", "sslserver"],
        26,
    );
    assert_verifies(
        "int/root.pem",
        Some("cert-eku/chain.pem"),
        "cert-eku/leaf.pem",
        &["-purpose", "sslclient"],
    );
    // 18: self-signed certificate
    assert_fails("int/root.pem", None, "cert-self-signed/leaf.pem", &[], 18);
    assert_verifies(
        "cert-self-signed/leaf.pem",
        None,
        "cert-self-signed/leaf.pem",
        &[],
    );
    // 62: hostname mismatch. openssl falls back to the CN only when there is no SAN.
    let chain = Some("int-good/chain.pem");
    assert_verifies(
        "int/root.pem",
        chain,
        "int-good/leaf.pem",
        &[
            "-verify_hostname",
            "BaRS-INT-X26.Supplier.thirdparty.nhs.uk",
        ],
    );
    assert_fails(
        "int/root.pem",
        chain,
        "int-good/leaf.pem",
        &["-verify_hostname", "BaRS-INT-Y99.Other.thirdparty.nhs.uk"],
        62,
    );
    assert_fails(
        "int/root.pem",
        Some("name-cn-san-mismatch/chain.pem"),
        "name-cn-san-mismatch/leaf.pem",
        &[
            "-verify_hostname",
            "BaRS-INT-X26.Supplier.thirdparty.nhs.uk",
        ],
        62,
    );
    assert_verifies(
        "int/root.pem",
        Some("name-san-good/chain.pem"),
        "name-san-good/leaf.pem",
        &[
            "-verify_hostname",
            "BaRS-INT-X26.Supplier.thirdparty.nhs.uk",
        ],
    );
}

#[test]
fn weak_cases_have_good_signatures() {
    bars_testpki::require_tools!("openssl");
    // Signatures verify (so a tool must report weakness, not a bad signature) ...
    assert_verifies(
        "int/root.pem",
        Some("cert-weak-key/chain.pem"),
        "cert-weak-key/leaf.pem",
        &["-auth_level", "0"],
    );
    assert_verifies(
        "int/root.pem",
        Some("cert-weak-signature/chain.pem"),
        "cert-weak-signature/leaf.pem",
        &["-auth_level", "0"],
    );
    // ... and stricter openssl levels call them weak.
    assert_fails(
        "int/root.pem",
        Some("cert-weak-key/chain.pem"),
        "cert-weak-key/leaf.pem",
        &["-auth_level", "2"],
        66,
    );
    assert_fails(
        "int/root.pem",
        Some("cert-weak-signature/chain.pem"),
        "cert-weak-signature/leaf.pem",
        &["-auth_level", "2"],
        68,
    );
    let text = openssl_ok(&["x509", "-in", "cert-weak-key/leaf.pem", "-noout", "-text"]);
    assert!(text.contains("Public-Key: (1024 bit)"), "{text}");
    assert!(text.contains("Signature Algorithm: sha256WithRSAEncryption"));
    let text = openssl_ok(&[
        "x509",
        "-in",
        "cert-weak-signature/leaf.pem",
        "-noout",
        "-text",
    ]);
    assert!(
        text.contains("Signature Algorithm: sha1WithRSAEncryption"),
        "{text}"
    );
    assert!(text.contains("Public-Key: (2048 bit)"));
    for rel in ["cert-weak-key/leaf.pem", "cert-weak-signature/leaf.pem"] {
        let text = openssl_ok(&["x509", "-in", rel, "-noout", "-text"]);
        assert!(
            text.contains("Not Before: Jan  1 00:00:00 2026 GMT"),
            "{text}"
        );
        assert!(text.contains("Not After : Jan  1 00:00:00 2028 GMT"));
        assert!(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"));
        // same NHS-shaped subject (DER order O, OU, CN), PrintableString like the rcgen leaves
        let der = &pem_blocks(rel)[0];
        let good = &pem_blocks("int-good/leaf.pem")[0];
        let (_, c) = X509Certificate::from_der(der).unwrap();
        let (_, g) = X509Certificate::from_der(good).unwrap();
        assert_eq!(c.subject().as_raw(), g.subject().as_raw(), "{rel}");
        assert_eq!(c.issuer().as_raw(), g.issuer().as_raw(), "{rel}");
    }
    let text = openssl_ok(&["req", "-in", "csr-weak-key/request.csr", "-noout", "-text"]);
    assert!(text.contains("Public-Key: (1024 bit)"), "{text}");
}

#[test]
fn names_and_string_types() {
    bars_testpki::require_tools!("openssl");
    let leaf = &pem_blocks("int-good/leaf.pem")[0];
    let (_, c) = X509Certificate::from_der(leaf).unwrap();
    assert_eq!(
        c.subject().to_string(),
        "O=nhs, OU=Devices, CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk"
    );
    assert!(c.subject_alternative_name().unwrap().is_none());
    let text = openssl_ok(&["asn1parse", "-in", "int-good/leaf.pem"]);
    assert!(!text.contains("UTF8STRING"), "{text}");
    let text = openssl_ok(&[
        "x509",
        "-in",
        "int/subca.pem",
        "-noout",
        "-subject",
        "-issuer",
        "-nameopt",
        "RFC2253",
    ]);
    assert!(
        text.contains("subject=CN=BaRS TEST INT Authentication,OU=CA,O=bars-certcheck test,C=GB"),
        "{text}"
    );
    assert!(
        text.contains("issuer=CN=BaRS TEST INT Root,OU=CA,O=bars-certcheck test,C=GB"),
        "{text}"
    );
    let text = openssl_ok(&["x509", "-in", "int/subca.pem", "-noout", "-text"]);
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
    assert!(text.contains("Certificate Sign, CRL Sign"));
    let text = openssl_ok(&[
        "x509",
        "-in",
        "prod/root.pem",
        "-noout",
        "-subject",
        "-nameopt",
        "RFC2253",
    ]);
    assert!(
        text.contains("CN=BaRS TEST PROD Root,OU=CA,O=bars-certcheck test,C=GB"),
        "{text}"
    );
    let text = openssl_ok(&[
        "x509",
        "-in",
        "name-cn-san-mismatch/leaf.pem",
        "-noout",
        "-ext",
        "subjectAltName",
    ]);
    assert!(text.contains("DNS:other.thirdparty.nhs.uk"), "{text}");
}

#[test]
fn lookalike_copies_real_nhs_names_byte_for_byte() {
    let pairs = [
        ("lookalike/root.pem", "int/nhs-ptl-root-authority-g2.pem"),
        ("lookalike/subca.pem", "int/nhs-int-authentication-g2.pem"),
    ];
    for (fake, real) in pairs {
        let fake_der = &pem_blocks(fake)[0];
        let real_der = ::pem::parse(std::fs::read(nhs(real)).unwrap())
            .unwrap()
            .into_contents();
        let (_, f) = X509Certificate::from_der(fake_der).unwrap();
        let (_, r) = X509Certificate::from_der(&real_der).unwrap();
        assert_eq!(f.subject().as_raw(), r.subject().as_raw(), "{fake} subject");
        assert_eq!(f.issuer().as_raw(), r.issuer().as_raw(), "{fake} issuer");
        let ski = |c: &X509Certificate<'_>| {
            c.iter_extensions()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                    _ => None,
                })
                .unwrap()
        };
        assert_eq!(ski(&f), ski(&r), "{fake} SKI");
        assert_ne!(
            f.public_key().raw,
            r.public_key().raw,
            "{fake} must have its own key"
        );
    }
}

fn pubkey_of_cert(rel: &str) -> String {
    openssl_ok(&["x509", "-in", rel, "-noout", "-pubkey"])
}

fn pubkey_of_key(rel: &str, pass: Option<&str>) -> String {
    let mut args = vec!["pkey", "-in", rel, "-pubout"];
    let p;
    if let Some(pw) = pass {
        p = format!("pass:{pw}");
        args.extend(["-passin", &p]);
    }
    openssl_ok(&args)
}

fn assert_same_public_key(cert: &str, key: &str) {
    assert_eq!(
        pubkey_of_cert(cert),
        pubkey_of_key(key, None),
        "{cert} vs {key}"
    );
}

#[test]
fn csrs_and_keys() {
    bars_testpki::require_tools!("openssl");
    for rel in [
        "int-good/request.csr",
        "csr-good/request.csr",
        "csr-extra-fields/request.csr",
        "csr-email/request.csr",
        "csr-weak-key/request.csr",
        "csr-cert-mismatch/other.csr",
    ] {
        let text = openssl_ok(&["req", "-verify", "-noout", "-in", rel]);
        assert!(text.contains("verify OK"), "{rel}: {text}");
    }
    let (ok, text) = openssl(&[
        "req",
        "-verify",
        "-noout",
        "-in",
        "csr-bad-signature/request.csr",
    ]);
    // (openssl 3.0 prints the failure but may still exit 0)
    let _ = ok;
    assert!(
        text.contains("verify failure") && !text.contains("verify OK"),
        "{text}"
    );
    let subject = |rel: &str| {
        openssl_ok(&[
            "req", "-noout", "-subject", "-nameopt", "RFC2253", "-in", rel,
        ])
        .trim()
        .to_owned()
    };
    let cn_only = "subject=CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
    for rel in [
        "int-good/request.csr",
        "csr-good/request.csr",
        "csr-bad-signature/request.csr",
        "csr-weak-key/request.csr",
        "csr-cert-mismatch/other.csr",
    ] {
        assert_eq!(subject(rel), cn_only, "{rel}");
    }
    assert_eq!(
        subject("csr-extra-fields/request.csr"),
        "subject=CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk,OU=IT,O=Supplier Ltd"
    );
    assert_eq!(
        subject("csr-email/request.csr"),
        "subject=emailAddress=admin@supplier.example,CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk"
    );

    // every encoding of the int-good key is the int-good leaf's key
    let leaf = pubkey_of_cert("int-good/leaf.pem");
    for (rel, pass) in [
        ("int-good/leaf.key", None),
        ("encodings/leaf.pkcs1.key", None),
        ("encodings/leaf.enc-pkcs8.key", Some("secret")),
        ("encodings/leaf.traditional-enc.key", Some("secret")),
    ] {
        assert_eq!(pubkey_of_key(rel, pass), leaf, "{rel}");
    }
    let csr_key = openssl_ok(&["req", "-in", "int-good/request.csr", "-noout", "-pubkey"]);
    assert_eq!(csr_key, leaf);
    assert_same_public_key("prod-good/leaf.pem", "prod-good/leaf.key");
    assert_same_public_key("encodings/ec-leaf.pem", "encodings/ec-leaf.key");
    assert_same_public_key("encodings/ec-leaf.pem", "encodings/ec-leaf.sec1.key");
    let csr_good = openssl_ok(&["req", "-in", "csr-good/request.csr", "-noout", "-pubkey"]);
    assert_eq!(csr_good, pubkey_of_key("csr-good/request.key", None));
    // the mismatches really mismatch
    assert_ne!(pubkey_of_key("key-mismatch/other.key", None), leaf);
    let other = openssl_ok(&[
        "req",
        "-in",
        "csr-cert-mismatch/other.csr",
        "-noout",
        "-pubkey",
    ]);
    assert_ne!(other, leaf);
    // encrypted keys need the password
    let (ok, _) = openssl(&[
        "pkey",
        "-in",
        "encodings/leaf.enc-pkcs8.key",
        "-passin",
        "pass:wrong",
        "-noout",
    ]);
    assert!(!ok);

    // the labels the reader must recognise
    let first_line = |rel: &str| {
        String::from_utf8(read(rel))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        first_line("int-good/leaf.key"),
        "-----BEGIN PRIVATE KEY-----"
    );
    assert_eq!(
        first_line("encodings/leaf.pkcs1.key"),
        "-----BEGIN RSA PRIVATE KEY-----"
    );
    assert_eq!(
        first_line("encodings/leaf.enc-pkcs8.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----"
    );
    assert_eq!(
        first_line("encodings/ec-leaf.sec1.key"),
        "-----BEGIN EC PRIVATE KEY-----"
    );
    let trad = String::from_utf8(read("encodings/leaf.traditional-enc.key")).unwrap();
    assert!(trad.contains("Proc-Type: 4,ENCRYPTED") && trad.contains("DEK-Info: AES-256-CBC,"));
    let text = openssl_ok(&["asn1parse", "-in", "encodings/leaf.enc-pkcs8.key"]);
    assert!(
        text.contains("PBES2") && text.contains("aes-256-cbc"),
        "{text}"
    );
}

#[test]
fn pfx_files() {
    bars_testpki::require_tools!("openssl");
    let good_leaf = pem_blocks("int-good/leaf.pem");
    let subca = pem_blocks("int/subca.pem");
    for (rel, legacy, certs) in [
        ("pfx-good/bundle.pfx", false, 2),
        ("pfx-legacy/bundle.pfx", true, 2),
        ("pfx-no-chain/bundle.pfx", false, 1),
    ] {
        let mut args = vec![
            "pkcs12",
            "-info",
            "-noout",
            "-in",
            rel,
            "-passin",
            "pass:secret",
        ];
        if legacy {
            args.push("-legacy");
        }
        let info = openssl_ok(&args);
        if legacy {
            assert!(info.contains("pbeWithSHA1And40BitRC2-CBC"), "{info}");
            assert!(info.contains("MAC: sha1"), "{info}");
        } else {
            assert!(info.contains("PBES2, PBKDF2, AES-256-CBC"), "{info}");
            assert!(info.contains("MAC: sha256"), "{info}");
        }
        let mut args = vec!["pkcs12", "-nokeys", "-in", rel, "-passin", "pass:secret"];
        if legacy {
            args.push("-legacy");
        }
        let out = openssl_ok(&args);
        let found: Vec<Vec<u8>> = ::pem::parse_many(out.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| p.into_contents())
            .collect();
        assert_eq!(found.len(), certs, "{rel}");
        assert!(
            found.contains(&good_leaf[0]),
            "{rel} holds the int-good leaf"
        );
        assert_eq!(found.contains(&subca[0]), certs == 2, "{rel} sub-CA");
        // and its key is the leaf's key
        let mut args = vec![
            "pkcs12",
            "-nocerts",
            "-nodes",
            "-in",
            rel,
            "-passin",
            "pass:secret",
        ];
        if legacy {
            args.push("-legacy");
        }
        let key = openssl_ok(&args);
        let start = key.find("-----BEGIN PRIVATE KEY-----").unwrap();
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), &key[start..]).unwrap();
        let path = tmp.path().display().to_string();
        assert_eq!(
            pubkey_of_key(&path, None),
            pubkey_of_cert("int-good/leaf.pem"),
            "{rel}"
        );
    }
    let (ok, text) = openssl(&[
        "pkcs12",
        "-info",
        "-noout",
        "-in",
        "pfx-good/bundle.pfx",
        "-passin",
        "pass:wrong-password",
    ]);
    assert!(!ok && text.contains("verify error"), "{text}");
}

#[test]
fn bundles_and_encodings() {
    bars_testpki::require_tools!("openssl");
    let good = pem_blocks("int-good/chain.pem");
    assert_eq!(good.len(), 2);
    assert_eq!(pem_blocks("int-good/leaf.pem")[0], good[0]);
    assert_eq!(pem_blocks("int/subca.pem")[0], good[1]);
    assert_eq!(read("encodings/leaf.der"), good[0]);
    assert_eq!(
        pem_blocks("chain-incomplete/leaf.pem"),
        vec![good[0].clone()]
    );
    assert_eq!(
        pem_blocks("chain-order/chain.pem"),
        vec![good[1].clone(), good[0].clone()]
    );
    let root = pem_blocks("int/root.pem");
    assert_eq!(
        pem_blocks("chain-root-sent/chain.pem"),
        vec![good[0].clone(), good[1].clone(), root[0].clone()]
    );
    let foreign_subca = pem_blocks("foreign/subca.pem");
    assert_eq!(
        pem_blocks("chain-unrelated/chain.pem"),
        vec![good[0].clone(), good[1].clone(), foreign_subca[0].clone()]
    );
    assert_eq!(pem_blocks("chain-untrusted/chain.pem")[1], foreign_subca[0]);
    assert_eq!(
        pem_blocks("chain-wrong-env/chain.pem")[1],
        pem_blocks("prod/subca.pem")[0]
    );
    assert_eq!(pem_blocks("chain-bad-signature/chain.pem")[1], good[1]);
    assert_eq!(
        pem_blocks("lookalike/chain.pem")[1],
        pem_blocks("lookalike/subca.pem")[0]
    );
    assert!(subject_of(&pem_blocks("chain-legacy/chain.pem")[1]).contains("NHS INT Level 1C"));

    // CRLF + BOM + text: the same two certificates
    let raw = read("encodings/chain-crlf-bom.pem");
    assert!(raw.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.contains("-----END CERTIFICATE-----\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "only CRLF line endings"
    );
    assert!(text.contains("\r\nThe intermediate (issuing) certificate follows.\r\n"));
    assert_eq!(pem_blocks("encodings/chain-crlf-bom.pem"), good);

    // PKCS#7, PEM and DER
    for (rel, form) in [
        ("encodings/chain.p7b", "PEM"),
        ("encodings/chain-der.p7b", "DER"),
    ] {
        let out = openssl_ok(&["pkcs7", "-inform", form, "-in", rel, "-print_certs"]);
        let certs: Vec<Vec<u8>> = ::pem::parse_many(out.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| p.into_contents())
            .collect();
        assert_eq!(certs, good, "{rel}");
    }
    assert!(String::from_utf8(read("encodings/chain.p7b"))
        .unwrap()
        .starts_with("-----BEGIN PKCS7-----"));
    assert_eq!(read("encodings/chain-der.p7b").first(), Some(&0x30));
}

#[test]
fn manifest_is_current_and_its_files_exist() {
    let text = String::from_utf8(read("manifest.json")).unwrap();
    let committed: Vec<Scenario> = serde_json::from_str(&text).unwrap();
    assert_eq!(committed, manifest::scenarios("fixtures/pki"));
    let root = fixtures::workspace_root();
    for s in &committed {
        for f in s.files("fixtures/pki") {
            assert!(root.join(f).is_file(), "{}: {f} missing", s.name);
        }
        for (i, a) in s.args.iter().enumerate() {
            if a == "--password-env" {
                assert!(s.env.contains_key(&s.args[i + 1]), "{}: env var", s.name);
            }
        }
    }
    // every scenario directory is used by some scenario
    let used: BTreeSet<String> = committed
        .iter()
        .flat_map(|s| {
            s.files("fixtures/pki")
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter_map(|f| {
            f.strip_prefix("fixtures/pki/")
                .and_then(|r| r.split('/').next())
                .map(str::to_owned)
        })
        .collect();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !["keys", "foreign"].contains(&name.as_str()) {
            assert!(used.contains(&name), "directory {name} is in no scenario");
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn committed_files(base: &Path, rel: &Path, out: &mut BTreeSet<PathBuf>) {
    for entry in std::fs::read_dir(base.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let r = rel.join(entry.file_name());
        if entry.path().is_dir() {
            if r != Path::new("keys") {
                committed_files(base, &r, out);
            }
        } else {
            out.insert(r);
        }
    }
}

#[test]
fn regeneration_with_committed_keys_is_byte_identical() {
    bars_testpki::require_tools!("openssl");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&dir().join("keys"), &tmp.path().join("keys"));
    let report = fixtures::generate(&Options::new(tmp.path())).unwrap();
    assert!(report.keys_created.is_empty(), "{:?}", report.keys_created);

    let mut committed = BTreeSet::new();
    committed_files(&dir(), Path::new(""), &mut committed);
    let made: BTreeSet<PathBuf> = report.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(made, committed, "generated files vs committed files");

    for f in &report.files {
        assert_eq!(f.outcome, Outcome::Written, "{}", f.path.display());
        let new = std::fs::read(tmp.path().join(&f.path)).unwrap();
        let old = std::fs::read(dir().join(&f.path)).unwrap();
        match f.origin {
            Origin::OpensslRandom => assert!(!new.is_empty()),
            _ => assert!(
                new == old,
                "{} differs from the committed file",
                f.path.display()
            ),
        }
    }

    // a second run writes nothing
    let again = fixtures::generate(&Options::new(tmp.path())).unwrap();
    for f in &again.files {
        assert_ne!(f.outcome, Outcome::Written, "{}", f.path.display());
    }
    assert!(again
        .files
        .iter()
        .any(|f| f.outcome == Outcome::Kept && f.origin == Origin::OpensslRandom));
}

#[test]
fn generator_binary_usage_and_errors() {
    let bin = env!("CARGO_BIN_EXE_gen-fixtures");
    let out = Command::new(bin).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--force"));
    let out = Command::new(bin).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown option --bogus"));
    // an output directory that is a file: a printed error and exit 1
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new(bin).arg(file.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("gen-fixtures: "), "{err}");
}
