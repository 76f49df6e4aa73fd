#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bars_forge::csr::{generate, CsrSpec};
use bars_forge::pfx::{build, PfxSpec};
use bars_forge::write::{write_atomic, MODE_PUBLIC, MODE_SECRET};
use bars_forge::ForgeError;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bars-forge-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn check_csr(bits: u32, password: Option<&str>) {
    let fqdn = "bars-int.example.nhs.uk";
    let g = generate(&CsrSpec {
        fqdn: fqdn.into(),
        bits,
        key_password: password.map(String::from),
    })
    .unwrap();
    let d = tmpdir(&format!("csr{bits}"));
    let csr = d.join("x.csr");
    let key = d.join("x.key");
    std::fs::write(&csr, &g.csr_pem).unwrap();
    std::fs::write(&key, &g.key_pem).unwrap();
    let p = csr.to_str().unwrap();
    let (ok, out) = openssl(&["req", "-verify", "-noout", "-in", p]);
    assert!(ok, "{out}");
    let (ok, out) = openssl(&["req", "-noout", "-subject", "-nameopt", "RFC2253", "-in", p]);
    assert!(ok);
    assert_eq!(out.trim(), format!("subject=CN={fqdn}"));
    let (_, text) = openssl(&["req", "-noout", "-text", "-in", p]);
    assert!(text.contains("sha256WithRSAEncryption"), "{text}");
    assert!(text.contains(&format!("({bits} bit)")), "{text}");
    assert!(!text.contains("Alternative"), "{text}");
    assert!(
        text.contains("Attributes:\n            (none)") && !text.contains("X509v3"),
        "{text}"
    );
    let k = key.to_str().unwrap();
    match password {
        Some(pw) => {
            assert!(g
                .key_pem
                .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
            let (ok, out) =
                openssl(&["pkey", "-in", k, "-passin", &format!("pass:{pw}"), "-noout"]);
            assert!(ok, "{out}");
            let (ok, _) = openssl(&["pkey", "-in", k, "-passin", "pass:wrong", "-noout"]);
            assert!(!ok);
        }
        None => assert!(g.key_pem.starts_with("-----BEGIN PRIVATE KEY-----")),
    }
    // The key's public key equals the CSR's.
    let pass = format!("pass:{}", password.unwrap_or(""));
    let (_, kpub) = openssl(&["pkey", "-in", k, "-passin", &pass, "-pubout"]);
    let (_, cpub) = openssl(&["req", "-in", p, "-noout", "-pubkey"]);
    assert!(kpub.contains("BEGIN PUBLIC KEY"));
    assert_eq!(kpub, cpub);
}

#[test]
fn csr_2048_plain() {
    bars_testpki::require_tools!("openssl");
    check_csr(2048, None);
}

#[test]
fn csr_4096_encrypted() {
    bars_testpki::require_tools!("openssl");
    check_csr(4096, Some("s3cret pass"));
}

#[test]
fn csr_refuses_bad_size_and_fqdn() {
    assert!(matches!(
        generate(&CsrSpec {
            fqdn: "a.b".into(),
            bits: 1024,
            key_password: None
        }),
        Err(ForgeError::KeySize(1024))
    ));
    assert!(matches!(
        generate(&CsrSpec {
            fqdn: "a b,CN=x".into(),
            bits: 2048,
            key_password: None
        }),
        Err(ForgeError::Fqdn(_))
    ));
}

struct Pki {
    key: Vec<u8>,
    leaf: Vec<u8>,
    chain: Vec<Vec<u8>>,
}

fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, RsaKeySize,
        PKCS_RSA_SHA256,
    };
    let root_key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
    let mut rp = CertificateParams::new(Vec::<String>::new()).unwrap();
    rp.distinguished_name.push(DnType::CommonName, "Test Root");
    rp.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let root = rp.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(rp, root_key);
    let leaf_key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
    let mut lp = CertificateParams::new(vec!["leaf.example".to_string()]).unwrap();
    lp.distinguished_name
        .push(DnType::CommonName, "leaf.example");
    let leaf = lp.signed_by(&leaf_key, &root_issuer).unwrap();
    Pki {
        key: leaf_key.serialize_der(),
        leaf: leaf.der().to_vec(),
        chain: vec![root.der().to_vec()],
    }
}

#[test]
fn pfx_modern_and_legacy_open_with_openssl() {
    bars_testpki::require_tools!("openssl");
    let p = pki();
    let d = tmpdir("pfx");
    for legacy in [false, true] {
        let bytes = build(&PfxSpec {
            key_pkcs8_der: p.key.clone(),
            leaf_der: p.leaf.clone(),
            chain_der: p.chain.clone(),
            password: "pw123".into(),
            legacy,
            friendly_name: String::new(),
        })
        .unwrap();
        let f = d.join(format!("x{legacy}.pfx"));
        std::fs::write(&f, &bytes).unwrap();
        let fs = f.to_str().unwrap();
        let mut args = vec![
            "pkcs12",
            "-info",
            "-noout",
            "-passin",
            "pass:pw123",
            "-in",
            fs,
        ];
        if legacy {
            args.push("-legacy");
        }
        let (ok, out) = openssl(&args);
        assert!(ok, "legacy={legacy}: {out}");
        if legacy {
            assert!(
                out.contains("3-key triple DES")
                    || out.contains("pbeWithSHA1And3-KeyTripleDES-CBC"),
                "{out}"
            );
            assert!(out.contains("sha1"), "{out}");
        } else {
            assert!(out.contains("AES-256-CBC"), "{out}");
            assert!(out.contains("sha256"), "{out}");
        }
        // Key and two certificates, key linked to the leaf by localKeyId.
        let (ok, out) = openssl(&[
            "pkcs12",
            "-in",
            fs,
            "-passin",
            "pass:pw123",
            "-nodes",
            "-legacy",
        ]);
        assert!(ok, "{out}");
        assert_eq!(out.matches("BEGIN CERTIFICATE").count(), 2, "{out}");
        assert_eq!(out.matches("BEGIN PRIVATE KEY").count(), 1, "{out}");
        assert!(out.matches("localKeyID").count() >= 2, "{out}");
        let (ok, _) = openssl(&[
            "pkcs12",
            "-info",
            "-noout",
            "-passin",
            "pass:wrong",
            "-in",
            fs,
            "-legacy",
        ]);
        assert!(!ok);
    }
}

#[test]
fn pfx_refuses_mismatched_key() {
    let p = pki();
    let other = pki();
    let r = build(&PfxSpec {
        key_pkcs8_der: other.key,
        leaf_der: p.leaf,
        chain_der: p.chain,
        password: "x".into(),
        legacy: false,
        friendly_name: "n".into(),
    });
    assert!(matches!(r, Err(ForgeError::KeyMismatch)), "{r:?}");
}

fn leftovers(d: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect()
}

#[test]
fn write_atomic_modes_and_refusal() {
    let d = tmpdir("write");
    let key = d.join("k.pem");
    write_atomic(&key, b"secret", MODE_SECRET, false).unwrap();
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let csr = d.join("c.csr");
    write_atomic(&csr, b"public", MODE_PUBLIC, false).unwrap();
    assert_eq!(
        std::fs::metadata(&csr).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let e = write_atomic(&key, b"new", MODE_SECRET, false).unwrap_err();
    assert!(matches!(&e, ForgeError::Exists(p) if p == &key));
    assert!(e.to_string().contains("k.pem"));
    assert_eq!(std::fs::read(&key).unwrap(), b"secret");
    write_atomic(&key, b"new", MODE_SECRET, true).unwrap();
    assert_eq!(std::fs::read(&key).unwrap(), b"new");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Missing directory: error, nothing left behind.
    assert!(matches!(
        write_atomic(&d.join("no/such/x"), b"x", MODE_SECRET, false),
        Err(ForgeError::NoDirectory(p)) if p.ends_with("no/such/x")
    ));
    assert!(leftovers(&d).is_empty(), "{:?}", leftovers(&d));
}
