//! SARIF 2.1.0 for code-scanning dashboards: one rule per finding id, one result per
//! finding, located at the input file the certificate came from.

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

/// Renders the report as a SARIF 2.1.0 log: one rule per kind of the checks' catalogue;
/// `inputs` are the files given, used when a finding names no certificate.
pub fn render(r: &Report<'_>, inputs: &[String], tool_version: &str) -> String {
    let rules = bars_checks::catalogue();
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|rule| {
            let help = format!("{} Fix: {}", rule.explanation, rule.fix);
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
            let uri = f
                .file
                .clone()
                .or_else(|| {
                    f.certificate
                        .and_then(|i| r.certificates.get(i))
                        .and_then(|c| c.source.strip_prefix("file:").map(str::to_string))
                })
                .or_else(|| inputs.first().cloned())
                .unwrap_or_else(|| r.target.clone());
            let mut result = json!({
                "ruleId": f.id(),
                "level": sarif_level(f.severity),
                "message": { "text": format!("{}: {} Fix: {}", f.title, f.detail, f.fix) },
                "locations": [ { "physicalLocation": { "artifactLocation": { "uri": uri } } } ]
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
                            "subject": c.summary.subject,
                            "sha256": c.summary.sha256
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
