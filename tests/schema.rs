//! The committed JSON Schema describes real output, and rejects wrong documents.

use crate::util::{fixture, root, run};

/// Validates `doc` against schema/bars-certcheck-1.schema.json, listing every violation.
#[track_caller]
pub fn assert_valid(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/bars-certcheck-1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

#[test]
fn inspect_output_matches_the_schema() {
    let r = run(&[
        "inspect".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        fixture("nhs-pki/int/nhs-int-authentication-g2.pem").as_os_str(),
        fixture("nhs-pki/leaves/int-api-service-nhs-uk-digicert.pem").as_os_str(),
    ]);
    r.code(0);
    assert_valid(&r.json());
}

#[test]
fn the_schema_rejects_a_wrong_document() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/bars-certcheck-1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad = serde_json::json!({
        "schema": "bars-certcheck/1", "command": "check", "target": "x",
        "environment": "staging", "certificates": [], "chain": null,
        "findings": [{"id": "Chain Incomplete", "severity": "fatal"}],
        "summary": {"errors": 1, "warnings": 0, "infos": 0}, "verdict": "fail"
    });
    assert!(!validator.is_valid(&bad));
}
