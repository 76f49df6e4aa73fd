//! `explain`: what a finding means and how to fix it, from the checks' catalogue.

use bars_checks::CheckInfo;
use std::fmt::Write;

fn json(c: &CheckInfo) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "severity": c.severity.as_str(),
        "title": c.title,
        "explanation": c.explanation,
        "fix": c.fix,
    })
}

/// Every finding kind: one line each (id, severity, title), or the JSON document.
pub fn render_all(as_json: bool) -> String {
    let all = bars_checks::catalogue();
    if as_json {
        return crate::json::to_string(&serde_json::json!({
            "schema": crate::json::SCHEMA,
            "command": "explain",
            "findings": all.iter().map(json).collect::<Vec<_>>(),
        }));
    }
    let mut out = String::new();
    for c in all {
        let _ = writeln!(out, "{:<28} {:<8} {}", c.id, c.severity.as_str(), c.title);
    }
    out
}

/// The long form of one kind: its explanation and fix, as text or JSON.
pub fn render_one(c: &CheckInfo, as_json: bool, style: &crate::Style) -> String {
    if as_json {
        let mut v = json(c);
        if let Some(o) = v.as_object_mut() {
            o.insert("schema".into(), crate::json::SCHEMA.into());
            o.insert("command".into(), "explain".into());
        }
        return crate::json::to_string(&v);
    }
    format!(
        "{}\n{}\n\n{}\n\n{} {}\n",
        style.heading(&format!("{} ({})", c.id, c.severity.as_str())),
        c.title,
        c.explanation,
        style.bold("Fix:"),
        c.fix
    )
}
