//! `ca list`: the NHS CAs built into the tool (and the other NHS environments' CAs it
//! recognises but never trusts), as text grouped by environment or as JSON.

use crate::style::Style;
use bars_nhs::{CaPurpose, CaRole, Environment, Generation, NhsCa, OtherCa};
use serde::Serialize;

/// One CA in `ca list --format json`.
#[derive(Serialize)]
struct CaJson {
    id: &'static str,
    name: &'static str,
    subject: String,
    issuer: String,
    /// `int`, `prod`, or `other` (recognised, never trusted).
    environment: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    other_environment: Option<&'static str>,
    trusted: bool,
    role: CaRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation: Option<Generation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose: Option<CaPurpose>,
    not_before: String,
    not_after: String,
    expired: bool,
    sha256: &'static str,
    sha1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    successor: Option<&'static str>,
}

#[derive(Serialize)]
struct ListJson<'a> {
    #[serde(flatten)]
    envelope: crate::json::Envelope<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'static str>,
    cas: Vec<CaJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
}

const PUBLIC_NOTE: &str = "The public environment trusts the Mozilla root programme (webpki-roots built into the tool), not NHS CAs.";

struct Facts {
    subject: String,
    issuer: String,
    not_before: String,
    not_after: String,
    not_after_unix: i64,
    sha1: String,
    validity: String,
}

fn facts(cert: Option<&bars_model::Certificate>, now: i64) -> Facts {
    match cert {
        Some(c) => {
            let s = c.summary();
            Facts {
                subject: s.subject.clone(),
                issuer: s.issuer.clone(),
                not_before: s.not_before.clone(),
                not_after: s.not_after.clone(),
                not_after_unix: s.not_after_unix,
                sha1: s.sha1.clone(),
                validity: crate::inspect::validity_phrase(s, now),
            }
        }
        None => Facts {
            subject: String::new(),
            issuer: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            not_after_unix: 0,
            sha1: String::new(),
            validity: "unreadable".into(),
        },
    }
}

fn nhs_json(ca: &'static NhsCa, now: i64) -> (CaJson, String) {
    let f = facts(ca.certificate().ok(), now);
    (
        CaJson {
            id: ca.id,
            name: ca.common_name,
            subject: f.subject,
            issuer: f.issuer,
            environment: ca.env.as_str(),
            other_environment: None,
            trusted: true,
            role: ca.role,
            generation: Some(ca.generation),
            purpose: Some(ca.purpose),
            not_before: f.not_before,
            not_after: f.not_after,
            expired: now > f.not_after_unix,
            sha256: ca.sha256,
            sha1: f.sha1,
            url: ca.url,
            issued_by: ca.parent().map(|p| p.id),
            successor: ca.successor,
        },
        f.validity,
    )
}

fn other_json(ca: &'static OtherCa, now: i64) -> (CaJson, String) {
    let f = facts(ca.certificate().ok(), now);
    (
        CaJson {
            id: ca.id,
            name: ca.common_name,
            subject: f.subject,
            issuer: f.issuer,
            environment: "other",
            other_environment: Some(ca.label()),
            trusted: false,
            role: ca.role,
            generation: None,
            purpose: None,
            not_before: f.not_before,
            not_after: f.not_after,
            expired: now > f.not_after_unix,
            sha256: ca.sha256,
            sha1: f.sha1,
            url: None,
            issued_by: None,
            successor: None,
        },
        f.validity,
    )
}

fn role_text(c: &CaJson) -> String {
    let role = match c.role {
        CaRole::Root => "root",
        _ => "intermediate",
    };
    let generation = match c.generation {
        Some(Generation::G2) => ", G2",
        Some(Generation::Legacy) => ", legacy (retired)",
        _ => "",
    };
    let purpose = match c.purpose {
        Some(CaPurpose::EndpointTls) => ", issues endpoint (TLS) certificates",
        Some(CaPurpose::People) => ", issues smartcards for people: not a TLS issuer",
        Some(CaPurpose::TrustAnchor) => ", trust anchor",
        _ => "",
    };
    format!("{role}{generation}{purpose}")
}

/// The CAs `ca list` shows for `env` (every environment, and the recognised others,
/// when `None`), validity judged at `now`: text (`style`) or, with `json`, the document.
pub fn render(env: Option<Environment>, now: i64, json: bool, style: &Style) -> String {
    let mut rows: Vec<(CaJson, String)> = bars_nhs::EMBEDDED
        .iter()
        .filter(|c| env.is_none_or(|e| c.env == e))
        .map(|c| nhs_json(c, now))
        .collect();
    if env.is_none() {
        rows.extend(bars_nhs::KNOWN_OTHER.iter().map(|c| other_json(c, now)));
    }
    let note = (env == Some(Environment::Public)).then_some(PUBLIC_NOTE);
    if json {
        let doc = ListJson {
            envelope: crate::json::Envelope::new("ca list"),
            environment: env.map(Environment::as_str),
            cas: rows.into_iter().map(|(c, _)| c).collect(),
            note,
        };
        crate::json::to_string(&doc)
    } else {
        style.glyphs(&list_text(&rows, note, style)).into_owned()
    }
}

fn list_text(rows: &[(CaJson, String)], note: Option<&str>, style: &Style) -> String {
    let mut out = String::new();
    let mut group = "";
    for (c, validity) in rows {
        if c.environment != group {
            group = c.environment;
            let heading = match group {
                "int" => "INT (path-to-live): trusted for --env int",
                "prod" => "PROD (live): trusted for --env prod",
                _ => "Other NHS environments: recognised (to name them), never trusted",
            };
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&style.heading(heading));
            out.push('\n');
        }
        let env = c.other_environment.unwrap_or(c.environment);
        out.push_str(&format!(
            "  {}  [{env}, {}]\n",
            style.bold(c.name),
            role_text(c)
        ));
        out.push_str(&format!("    subject   {}\n", c.subject));
        let issuer = if c.role == CaRole::Root {
            "self-signed".to_string()
        } else {
            c.issuer.clone()
        };
        out.push_str(&format!("    issuer    {issuer}\n"));
        let validity = if c.expired {
            style.bad(validity)
        } else {
            validity.clone()
        };
        out.push_str(&format!(
            "    valid     {} to {} ({validity})\n",
            c.not_before, c.not_after
        ));
        out.push_str(&format!("    sha256    {}\n", c.sha256));
        if let Some(u) = c.url {
            out.push_str(&format!("    published {u}\n"));
        }
        if let Some(s) = c.successor.and_then(bars_nhs::find_by_id) {
            out.push_str(&format!("    successor {}\n", s.common_name));
        }
    }
    if let Some(n) = note {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(n);
        out.push('\n');
    }
    out
}
