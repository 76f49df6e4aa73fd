//! Java keystores read through the ordinary reader, against fixtures made by the real
//! `keytool` (`fixtures/keystores/make.sh`, committed with its outputs: no Java needed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bars_model::{
    read_bytes, read_path, Item, KeystoreEntryKind, Limits, NoPassword, Parsed, PasswordProvider,
    Pfx, ReadErrorKind,
};
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

/// `--password-env` and `--key-password-env` as the CLI would give them.
struct Given {
    store: Option<&'static str>,
    key: Option<&'static str>,
}

impl PasswordProvider for Given {
    fn password(&self, _what: &str) -> Option<String> {
        self.store.map(String::from)
    }
    fn key_password(&self, _what: &str) -> Option<String> {
        self.key.map(String::from)
    }
}

fn read(rel: &str, store: Option<&'static str>, key: Option<&'static str>) -> Parsed {
    read_path(&fixture(rel), &Given { store, key }, &Limits::default())
}

fn only_pfx(p: &Parsed) -> &Pfx {
    match p.items.as_slice() {
        [Item::Pfx(x)] => x,
        other => panic!("expected one keystore, got {other:?} / {:?}", p.errors),
    }
}

fn leaf_key_pkcs8() -> Vec<u8> {
    let p = read_path(
        &fixture("pki/int-good/leaf.key"),
        &NoPassword,
        &Limits::default(),
    );
    match p.items.as_slice() {
        [Item::Key(k)] => k.pkcs8_der().unwrap().to_vec(),
        other => panic!("{other:?}"),
    }
}

fn subjects(x: &Pfx) -> Vec<String> {
    x.certificates
        .iter()
        .map(|c| c.summary().subject_cns.join(","))
        .collect()
}

#[test]
fn jks_key_entry_with_chain_and_a_trusted_certificate() {
    let p = read("keystores/receiver.jks", Some("secret"), None);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let x = only_pfx(&p);
    assert_eq!(x.summary.format, "JKS");
    // The key entry's chain in its order (leaf, sub-CA, root); the trusted root is the same
    // certificate, so it is not repeated.
    assert_eq!(
        subjects(x),
        [
            "BaRS-INT-X26.Supplier.thirdparty.nhs.uk",
            "BaRS TEST INT Authentication",
            "BaRS TEST INT Root",
        ]
    );
    assert_eq!(x.keys.len(), 1);
    let key = &x.keys[0];
    // The decrypted key is exactly the key keytool imported.
    assert_eq!(key.pkcs8_der().unwrap(), leaf_key_pkcs8().as_slice());
    assert_eq!(key.summary.format, "JKS private-key entry");
    assert!(key.summary.encrypted);
    assert_eq!(x.summary.key_matches_certificate, Some(true));
    let mut entries: Vec<(String, KeystoreEntryKind, usize)> = x
        .summary
        .entries
        .iter()
        .map(|e| (e.alias.clone(), e.kind, e.certificates))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        entries,
        [
            (
                "int-root".to_string(),
                KeystoreEntryKind::TrustedCertificate,
                1
            ),
            ("receiver".to_string(), KeystoreEntryKind::PrivateKey, 3)
        ]
    );
    // Serialised summaries never carry key material.
    let json = format!("{:?}", x.keys);
    assert!(json.contains("redacted"));
}

#[test]
fn wrong_or_missing_store_password_is_a_clear_error() {
    let p = read("keystores/receiver.jks", Some("wrong"), None);
    assert!(p.items.is_empty());
    assert_eq!(
        p.errors[0].kind,
        ReadErrorKind::BadPassword {
            what: "JKS keystore".into()
        }
    );
    assert!(p.errors[0]
        .to_string()
        .ends_with("receiver.jks: wrong password for JKS keystore (or the file is damaged)"));
    let p = read("keystores/receiver.jks", None, None);
    assert_eq!(
        p.errors[0].kind,
        ReadErrorKind::NeedPassword {
            what: "JKS keystore".into()
        }
    );
    assert!(p.errors[0].kind.is_container_password());
}

#[test]
fn a_damaged_store_fails_its_integrity_check() {
    let mut bytes = std::fs::read(fixture("keystores/truststore.jks")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    let p = read_bytes(
        "t.jks",
        &bytes,
        &Given {
            store: Some("secret"),
            key: None,
        },
        &Limits::default(),
    );
    assert!(p.items.is_empty());
    assert!(matches!(
        p.errors[0].kind,
        ReadErrorKind::BadPassword { .. }
    ));
}

#[test]
fn key_entry_with_its_own_password() {
    // Store password only: the certificates are read, the key entry is named as locked.
    let p = read("keystores/receiver-keypass.jks", Some("secret"), None);
    let x = only_pfx(&p);
    assert_eq!(x.certificates.len(), 3);
    assert!(x.keys.is_empty());
    assert_eq!(p.errors.len(), 1);
    let msg = p.errors[0].to_string();
    assert!(
        msg.contains("\"receiver\"") && msg.contains("--key-password-env"),
        "{msg}"
    );
    // A locked key entry is not the store's password problem.
    assert!(!p.errors[0].kind.is_container_password());
    // With the key password, the key opens.
    let p = read(
        "keystores/receiver-keypass.jks",
        Some("secret"),
        Some("keysecret"),
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let x = only_pfx(&p);
    assert_eq!(x.keys[0].pkcs8_der().unwrap(), leaf_key_pkcs8().as_slice());
}

#[test]
fn truststores_jks_and_jceks() {
    for rel in ["keystores/truststore.jks", "keystores/truststore.jceks"] {
        let p = read(rel, Some("secret"), None);
        assert!(p.errors.is_empty(), "{rel}: {:?}", p.errors);
        let x = only_pfx(&p);
        let mut subs = subjects(x);
        subs.sort();
        assert_eq!(
            subs,
            ["BaRS TEST INT Authentication", "BaRS TEST INT Root"],
            "{rel}"
        );
        assert!(x.keys.is_empty());
        assert_eq!(x.summary.encryption, "none (certificates only)");
        assert!(x
            .summary
            .entries
            .iter()
            .all(|e| e.kind == KeystoreEntryKind::TrustedCertificate));
    }
    let p = read("keystores/truststore.jceks", Some("nope"), None);
    assert_eq!(
        p.errors[0].kind,
        ReadErrorKind::BadPassword {
            what: "JCEKS keystore".into()
        }
    );
}

#[test]
fn jceks_private_key_entry() {
    let p = read("keystores/receiver.jceks", Some("secret"), None);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let x = only_pfx(&p);
    assert_eq!(x.summary.format, "JCEKS");
    assert_eq!(x.keys.len(), 1);
    assert_eq!(x.keys[0].pkcs8_der().unwrap(), leaf_key_pkcs8().as_slice());
    assert_eq!(
        x.keys[0].summary.encryption.as_deref(),
        Some("PBEWithMD5AndTripleDES")
    );
    assert_eq!(x.summary.key_matches_certificate, Some(true));
}

#[test]
fn javas_default_password_needs_no_prompt() {
    let p = read("keystores/truststore-changeit.jks", None, None);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(only_pfx(&p).certificates.len(), 1);
}

#[test]
fn every_truncation_is_an_error_never_a_panic() {
    for rel in ["keystores/receiver.jks", "keystores/receiver.jceks"] {
        let bytes = std::fs::read(fixture(rel)).unwrap();
        let given = Given {
            store: Some("secret"),
            key: None,
        };
        // Every prefix up to the end of the entries (a step of 7 keeps it quick), and a few
        // bytes before the end.
        let cuts = (4..bytes.len() - 1)
            .step_by(7)
            .chain(bytes.len() - 21..bytes.len());
        for n in cuts {
            let p = read_bytes("t", &bytes[..n], &given, &Limits::default());
            assert!(
                p.items.is_empty() && !p.errors.is_empty(),
                "{rel} cut at {n}"
            );
        }
    }
}
