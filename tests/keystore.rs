//! Java keystores (issue 16) reach every reading command through the ordinary reader: no
//! command code knows about them. Fixtures: fixtures/keystores (made by keytool).

use crate::schema::assert_valid;
use crate::util::{fixture, run_with};

const PW: [(&str, &str); 1] = [("KS_PW", "secret")];

#[test]
fn inspect_reads_a_jks_keystore_by_content() {
    let ks = fixture("keystores/receiver.jks");
    let r = run_with(
        &[
            "inspect",
            &ks.display().to_string(),
            "--password-env",
            "KS_PW",
            "--format",
            "json",
        ],
        &PW,
    );
    r.code(0);
    let doc = r.json();
    assert_valid(&doc);
    let pfx = &doc["pfx"][0];
    assert_eq!(pfx["format"], "JKS", "{r}");
    assert_eq!(pfx["key_matches_certificate"], true);
    assert_eq!(doc["certificates"].as_array().unwrap().len(), 3);
    let text = run_with(
        &[
            "inspect",
            &ks.display().to_string(),
            "--password-env",
            "KS_PW",
        ],
        &PW,
    );
    text.code(0);
    assert!(text.stdout.contains("Java keystore (JKS)"), "{text}");
    assert!(text.stdout.contains("Entry \"receiver\""), "{text}");
    // The Windows thumbprint: uppercase SHA-1, no separators; JSON keeps lowercase.
    let sha1 = doc["certificates"][0]["sha1"].as_str().unwrap();
    assert_eq!(sha1, sha1.to_lowercase());
    assert!(text.stdout.contains(&sha1.to_uppercase()), "{text}");
}

#[test]
fn check_judges_the_key_entry_of_a_jks_keystore() {
    let ks = fixture("keystores/receiver.jks");
    let root = fixture("pki/int/root.pem");
    let r = run_with(
        &[
            "check",
            &ks.display().to_string(),
            "--password-env",
            "KS_PW",
            "--env",
            "int",
            "--ca",
            &format!("int:{}", root.display()),
            "--at",
            "2027-01-01T00:00:00Z",
            "--format",
            "json",
        ],
        &PW,
    );
    let doc = r.json();
    assert_valid(&doc);
    assert_eq!(doc["chain"]["complete"], true, "{r}");
    assert_eq!(doc["chain"]["trusted_by"], "BaRS TEST INT Root", "{r}");
    assert_eq!(doc["verdict"], "pass", "{r}");
    r.code(0);
    let ids: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&"key.mismatch") && !ids.contains(&"chain.incomplete"),
        "{r}"
    );
}

#[test]
fn trust_lint_reads_a_java_truststore_and_a_wrong_password_is_refused() {
    // A truststore with Java's default password opens without --password-env/-file
    // (tests/keystore_identity.rs gives them for the `secret` stores).
    let ts = fixture("keystores/truststore-changeit.jks");
    let r = run_with(
        &[
            "trust",
            "lint",
            &ts.display().to_string(),
            "--env",
            "int",
            "--format",
            "json",
        ],
        &PW,
    );
    assert_ne!(r.code, 2, "the truststore was read: {r}");
    let doc = r.json();
    assert_valid(&doc);
    // It holds only the test root: the INT NHS CA is missing.
    assert!(r.stdout.contains("trust.missing-env-ca"), "{r}");
    let r = run_with(
        &[
            "inspect",
            &fixture("keystores/receiver.jks").display().to_string(),
            "--password-env",
            "KS_PW",
        ],
        &[("KS_PW", "wrong")],
    );
    r.code(2);
    assert!(r.stderr.contains("wrong password for JKS keystore"), "{r}");
}
