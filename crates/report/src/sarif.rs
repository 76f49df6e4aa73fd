//! SARIF 2.1.0 for code-scanning dashboards: one rule per finding id, one result per
//! finding, located at the input file the certificate came from; a certificate that came
//! from no file (an embedded NHS CA, a downloaded issuer) has a logical location only.

use crate::diag::{environment_name, Report};
use bars_checks::Severity;
use serde_json::{json, Value};

fn sarif_level(l: Severity) -> &'static str {
    match l {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "note",
    }
}

/// Where a finding about a certificate from no file is: the certificate itself, named by
/// its origin (`embedded`, `fetched:<url>`) and subject.
fn logical_location(source: &str, subject: Option<&str>) -> Value {
    let subject = subject.unwrap_or_default();
    let origin = if source == "embedded" {
        "embedded NHS CA"
    } else {
        source
    };
    json!({
        "logicalLocations": [ {
            "name": subject,
            "fullyQualifiedName": format!("{source}/{subject}"),
            "kind": "resource"
        } ],
        "message": { "text": format!("{origin}: {subject}") }
    })
}

/// Renders the report as a SARIF 2.1.0 log: one rule per kind of the checks' catalogue;
/// `inputs` are the files given, used when a finding names no certificate.
pub fn render(r: &Report<'_>, inputs: &[String], tool_version: &str) -> String {
    let rules = bars_checks::catalogue();
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|rule| {
            let help = format!("{}\n\nFix: {}", rule.explanation, rule.fix);
            json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": help },
                "help": { "text": help },
                "defaultConfiguration": { "level": sarif_level(rule.severity) },
                "properties": { "tags": ["security", "tls", "certificates"] }
            })
        })
        .collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let cert = f.certificate.and_then(|i| r.certificates.get(i));
            let location = match cert.map(|c| c.source.as_str()) {
                Some(src) if src == "embedded" || src.starts_with("fetched:") => {
                    logical_location(src, cert.map(|c| c.summary.subject.as_str()))
                }
                src => {
                    let uri = f
                        .file
                        .clone()
                        .or_else(|| {
                            src.and_then(|s| {
                                s.strip_prefix("file:")
                                    .or_else(|| s.strip_prefix("ca-option:"))
                            })
                            .map(str::to_string)
                        })
                        .or_else(|| inputs.first().cloned())
                        .unwrap_or_else(|| r.target.clone());
                    json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } })
                }
            };
            let mut result = json!({
                "ruleId": f.id(),
                "level": sarif_level(f.severity),
                "message": { "text": format!("{}: {}\n\nFix: {}", f.title, f.detail, f.fix) },
                "locations": [ location ]
            });
            if let Some(obj) = result.as_object_mut() {
                if let Some(index) = rules.iter().position(|rule| f.is(rule)) {
                    obj.insert("ruleIndex".into(), json!(index));
                }
                if let Some(c) = f.certificate.and_then(|i| r.certificates.get(i)) {
                    obj.insert(
                        "properties".into(),
                        json!({
                            "certificate": f.certificate,
                            "source": c.source,
                            "subject": c.summary.subject,
                            "sha256": c.summary.sha256,
                            "fix": f.fix
                        }),
                    );
                }
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": "bars-certcheck",
                "version": tool_version,
                "informationUri": "https://digital.nhs.uk/developer/api-catalogue/booking-and-referral-fhir",
                "rules": rule_values
            } },
            "results": results,
            "properties": {
                "environment": environment_name(r.environment),
                "verdict": r.verdict
            }
        } ]
    });
    crate::json::to_string(&log)
}
