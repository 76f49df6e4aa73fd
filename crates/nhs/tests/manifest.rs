//! The embedded tables against `fixtures/nhs-pki/manifest.json` and
//! `fixtures/nhs-pki/other-cas/manifest.json` (the real certificates, vendored).

// Test helpers outside `#[test]` functions may panic on a malformed manifest.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use bars_nhs::{CaPurpose, CaRole, Environment, Generation, OtherEnv, EMBEDDED, KNOWN_OTHER};
use serde_json::Value;
use std::path::PathBuf;

fn nhs_pki() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/nhs-pki")
}

fn manifest(rel: &str) -> Vec<Value> {
    let path = nhs_pki().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (vendored test data)", path.display()));
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

fn id_of(entry: &Value) -> String {
    let file = entry["file"].as_str().unwrap();
    file.rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".pem")
        .to_string()
}

fn cn_of(dn: &str) -> &str {
    dn.split(", ").find_map(|p| p.strip_prefix("CN=")).unwrap()
}

#[test]
fn embedded_matches_manifest() {
    let m = manifest("manifest.json");
    assert_eq!(m.len(), EMBEDDED.len());
    for entry in &m {
        let id = id_of(entry);
        let ca = bars_nhs::find_by_id(&id).unwrap_or_else(|| panic!("{id} not embedded"));
        assert_eq!(ca.sha256, entry["sha256"].as_str().unwrap(), "{id}");
        assert_eq!(
            ca.common_name,
            cn_of(entry["subject"].as_str().unwrap()),
            "{id}"
        );
        let env = match entry["env"].as_str().unwrap() {
            "int" => Environment::Int,
            "prod" => Environment::Prod,
            other => panic!("{other}"),
        };
        assert_eq!(ca.env, env, "{id}");
        let role = match entry["role"].as_str().unwrap() {
            "root" => CaRole::Root,
            "intermediate" => CaRole::Intermediate,
            other => panic!("{other}"),
        };
        assert_eq!(ca.role, role, "{id}");
        let generation = match entry["generation"].as_str().unwrap() {
            "legacy" => Generation::Legacy,
            "G2" => Generation::G2,
            other => panic!("{other}"),
        };
        assert_eq!(ca.generation, generation, "{id}");
        assert_eq!(
            ca.role == CaRole::Root,
            ca.purpose == CaPurpose::TrustAnchor,
            "{id}"
        );
        // The embedded bytes are the vendored file's bytes.
        let vendored_pem = std::fs::read_to_string(
            nhs_pki().join(
                entry["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("fixtures/nhs-pki/"),
            ),
        )
        .unwrap();
        assert_eq!(ca.pem, vendored_pem, "{id}");
        let der = ca.der().unwrap();
        assert_eq!(bars_model::sha256_hex(der), ca.sha256, "{id}");
        assert_eq!(
            bars_model::sha1_hex(der),
            entry["sha1"].as_str().unwrap(),
            "{id}"
        );
        // Published URLs the manifest mentions are recorded.
        if let Some(url) = ca.url {
            let text = serde_json::to_string(&m).unwrap();
            assert!(text.contains(url), "{id}: {url} not in manifest");
        }
        // signed_by names the parent; its subject DER equals our issuer DER exactly.
        match entry["signed_by"].as_str() {
            None => {
                assert_eq!(ca.role, CaRole::Root);
                assert_eq!(ca.issuer_der(), ca.subject_der(), "{id} self-issued");
            }
            Some(parent_file) => {
                let parent_id = parent_file
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .trim_end_matches(".pem");
                let parent = bars_nhs::find_by_id(parent_id).unwrap();
                assert_eq!(ca.issuer_der(), parent.subject_der(), "{id}");
                assert_eq!(ca.parent(), Some(parent), "{id}");
            }
        }
    }
}

#[test]
fn known_other_matches_manifest() {
    let m = manifest("other-cas/manifest.json");
    assert_eq!(m.len(), KNOWN_OTHER.len());
    for entry in &m {
        let id = id_of(entry);
        let ca = KNOWN_OTHER
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert_eq!(ca.sha256, entry["sha256"].as_str().unwrap(), "{id}");
        assert_eq!(
            ca.common_name,
            cn_of(entry["subject"].as_str().unwrap()),
            "{id}"
        );
        let other = match entry["env"].as_str().unwrap() {
            "ptl-dep" => OtherEnv::PtlDep,
            "ptl-dev" => OtherEnv::PtlDev,
            "ptl-training" => OtherEnv::PtlTraining,
            "int-pre2019" => OtherEnv::IntPre2019,
            "opentest" => OtherEnv::OpenTest,
            e => panic!("{e}"),
        };
        assert_eq!(ca.other_env, other, "{id}");
        let role = if entry["role"] == "root" {
            CaRole::Root
        } else {
            CaRole::Intermediate
        };
        assert_eq!(ca.role, role, "{id}");
        let vendored_pem = std::fs::read_to_string(
            nhs_pki().join(
                entry["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("fixtures/nhs-pki/"),
            ),
        )
        .unwrap();
        assert_eq!(ca.pem, vendored_pem, "{id}");
        assert_eq!(bars_model::sha256_hex(ca.der().unwrap()), ca.sha256, "{id}");
        assert!(
            bars_nhs::find_by_sha256(ca.sha256).is_none(),
            "{id} must never be trusted"
        );
        assert!(
            bars_nhs::find_by_subject_der(ca.subject_der().unwrap()).is_empty(),
            "{id}"
        );
    }
}

/// Needs bars-model's certificate parser and signature verification.
#[test]
fn embedded_sub_cas_are_signed_by_their_roots() {
    for ca in EMBEDDED {
        let cert = ca
            .certificate()
            .unwrap_or_else(|e| panic!("{}: {e}", ca.id));
        assert_eq!(cert.der(), ca.der().unwrap());
        assert_eq!(cert.subject_der(), ca.subject_der().unwrap(), "{}", ca.id);
        assert_eq!(cert.summary().sha256, ca.sha256);
        let parent = if ca.role == CaRole::Root {
            ca
        } else {
            ca.parent().unwrap()
        };
        let pcert = parent.certificate().unwrap();
        assert_eq!(cert.issuer_der(), pcert.subject_der(), "{}", ca.id);
        cert.verify_issued_by(pcert)
            .unwrap_or_else(|e| panic!("{} by {}: {e}", ca.id, parent.id));
    }
    for ca in KNOWN_OTHER {
        ca.certificate()
            .unwrap_or_else(|e| panic!("{}: {e}", ca.id));
    }
}

/// The real leaves: the environment comes from the issuing sub-CA.
#[test]
fn real_leaves_environment_from_issuer() {
    let m = manifest("leaves/manifest.json");
    for entry in &m {
        let file = entry["file"]
            .as_str()
            .unwrap()
            .trim_start_matches("fixtures/nhs-pki/");
        let text = std::fs::read_to_string(nhs_pki().join(file)).unwrap();
        let der = pem::parse(&text).unwrap().into_contents();
        let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        let issuer = cert.tbs_certificate.issuer.as_raw();
        let got = bars_nhs::environment_of_issuer(issuer);
        let expected = &entry["expected"];
        let want = expected["environment"].as_str().unwrap();
        let issuer_cn = expected["issuer_cn"].as_str().unwrap();
        match (
            want,
            expected["chains_to_embedded_anchor"].as_bool().unwrap(),
        ) {
            (_, true) => match got {
                Some(bars_nhs::EnvOrOther::Nhs { env, ca }) => {
                    assert_eq!(env.as_str(), want, "{file}");
                    assert_eq!(ca.common_name, issuer_cn, "{file}");
                }
                other => panic!("{file}: {other:?}"),
            },
            ("int-pre2019" | "opentest", false) => match got {
                Some(bars_nhs::EnvOrOther::Other(o)) => {
                    let label = if want == "opentest" {
                        "OpenTest"
                    } else {
                        "pre-2019 INT"
                    };
                    assert_eq!(o.label(), label, "{file}");
                    assert_eq!(o.common_name, issuer_cn, "{file}");
                }
                other => panic!("{file}: {other:?}"),
            },
            // Public DigiCert leaves, and a leaf from a CA the tool does not know (NHS INT
            // Signing G2): no environment from the issuer.
            _ => assert_eq!(got, None, "{file}"),
        }
    }
}
