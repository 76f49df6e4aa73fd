//! `csr new --key`: a renewal request for an existing (openssl-made) RSA key; keys that
//! are too small or not RSA refused; destinations checked before any key is made.

use crate::export::{names, openssl_in, run_in};

const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";

#[test]
fn csr_new_key_makes_a_renewal_request_for_the_existing_key() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl_in(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "old.key",
        ],
    );
    let before = std::fs::read(d.join("old.key")).unwrap();
    let r = run_in(d, &["csr", "new", "--fqdn", FQDN, "--key", "old.key"], &[]);
    r.code(0);
    let csr = format!("{FQDN}.csr");
    assert_eq!(
        names(d),
        [csr.clone(), "old.key".into()],
        "only the request is written"
    );
    assert_eq!(
        std::fs::read(d.join("old.key")).unwrap(),
        before,
        "the key is unchanged"
    );
    assert!(r.stdout.contains("existing private key old.key"), "{r}");
    assert!(!r.stderr.contains("generating"), "{r}");
    openssl_in(d, &["req", "-verify", "-noout", "-in", &csr]);
    let subject = openssl_in(
        d,
        &[
            "req", "-noout", "-subject", "-nameopt", "RFC2253", "-in", &csr,
        ],
    );
    assert_eq!(subject.trim(), format!("subject=CN={FQDN}"));
    assert_eq!(
        openssl_in(d, &["pkey", "-in", "old.key", "-pubout"]),
        openssl_in(d, &["req", "-in", &csr, "-noout", "-pubkey"])
    );
    // check agrees: the request and the key belong together, nothing at warning or above.
    let r = run_in(
        d,
        &["check", &csr, "--key", "old.key", "--fail-on", "warning"],
        &[],
    );
    r.code(0);

    // An encrypted key opens with --password-env, as elsewhere; without it, refused.
    openssl_in(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-aes-256-cbc",
            "-pass",
            "pass:kpw",
            "-out",
            "enc.key",
        ],
    );
    let args = [
        "csr",
        "new",
        "--fqdn",
        FQDN,
        "--key",
        "enc.key",
        "--csr-out",
        "enc.csr",
    ];
    let r = run_in(d, &args, &[]);
    r.code(1);
    assert!(r.stderr.contains("--password-env"), "{r}");
    assert!(!d.join("enc.csr").exists());
    let mut with_pw = args.to_vec();
    with_pw.extend(["--password-env", "KPW"]);
    let r = run_in(d, &with_pw, &[("KPW", "kpw")]);
    r.code(0);
    assert!(
        r.stdout.contains("--password-env KEY_PASSWORD"),
        "next steps open the key: {r}"
    );
    openssl_in(d, &["req", "-verify", "-noout", "-in", "enc.csr"]);
}

#[test]
fn csr_new_key_refuses_rsa_1024_and_ec_keys_with_the_reason() {
    bars_testpki::require_tools!("openssl");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl_in(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
            "small.key",
        ],
    );
    openssl_in(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ec.key",
        ],
    );
    for (key, why) in [("small.key", "1024 bits"), ("ec.key", "not RSA")] {
        let r = run_in(d, &["csr", "new", "--fqdn", FQDN, "--key", key], &[]);
        r.code(1);
        assert!(
            r.stderr.contains(why) && r.stderr.contains("nothing was written"),
            "{r}"
        );
    }
    assert_eq!(names(d), ["ec.key", "small.key"]);
}

#[test]
fn csr_new_checks_its_destinations_before_making_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A missing directory: the path as given, once; no key generated, nothing written.
    let r = run_in(
        d,
        &["csr", "new", "--fqdn", FQDN, "--key-out", "gone/x.key"],
        &[],
    );
    r.code(2);
    assert_eq!(r.stderr.matches("gone/x.key").count(), 1, "{r}");
    assert!(
        !r.stderr.contains(".tmp") && !r.stderr.contains("generating"),
        "{r}"
    );
    let r = run_in(
        d,
        &["csr", "new", "--fqdn", FQDN, "--csr-out", "gone/x.csr"],
        &[],
    );
    r.code(2);
    assert!(!r.stderr.contains("generating"), "{r}");
    // An existing request without --force: refused before a key is made.
    std::fs::write(d.join(format!("{FQDN}.csr")), "mine").unwrap();
    let r = run_in(d, &["csr", "new", "--fqdn", FQDN], &[]);
    r.code(1);
    assert!(!r.stderr.contains("generating"), "{r}");
    assert_eq!(names(d), [format!("{FQDN}.csr")]);
}
