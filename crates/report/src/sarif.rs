//! SARIF 2.1.0 for code-scanning dashboards: one rule per finding id, one result per
//! finding, located at the input file the certificate came from.

use crate::diag::{Level, Report};
use serde_json::{json, Value};

/// A rule's metadata, from the checks' catalogue.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Finding id.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Long explanation.
    pub help: String,
    /// Default severity.
    pub level: Level,
}

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}

/// Renders the report as a SARIF 2.1.0 log. `rules` is the whole catalogue (one rule per
/// id); `inputs` are the files given, used when a finding names no certificate.
pub fn render(r: &Report<'_>, rules: &[Rule], inputs: &[String], tool_version: &str) -> String {
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rule.help },
                "help": { "text": rule.help },
                "defaultConfiguration": { "level": sarif_level(rule.level) },
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
                "ruleId": f.id,
                "level": sarif_level(f.severity),
                "message": { "text": format!("{}: {} Fix: {}", f.title, f.detail, f.fix) },
                "locations": [ { "physicalLocation": { "artifactLocation": { "uri": uri } } } ]
            });
            if let Some(obj) = result.as_object_mut() {
                if let Some(index) = rules.iter().position(|rule| rule.id == f.id) {
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
            "properties": { "environment": r.environment, "verdict": r.verdict }
        } ]
    });
    crate::json::to_string(&log)
}
