//! Serialise-only JSON types shared by every command's document.
//!
//! Wire format (`--format json`): one document on stdout, described in README.md
//! ("JSON output") and by `schema/bars-certcheck-1.schema.json`. The `schema` string
//! changes only with a breaking change; fields may be added.

use bars_checks::{Finding, Role, Severity};
use bars_model::CertSummary;
use serde::Serialize;

/// The schema identifier of every document.
pub const SCHEMA: &str = "bars-certcheck/1";

/// The fields every document starts with.
#[derive(Serialize)]
pub struct Envelope<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The command that produced the document.
    pub command: &'a str,
}

impl<'a> Envelope<'a> {
    /// The envelope for `command`.
    pub fn new(command: &'a str) -> Self {
        Envelope {
            schema: SCHEMA,
            command,
        }
    }
}

/// A certificate in a document: its place and origin, then its summary.
#[derive(Serialize)]
pub struct CertJson<'a> {
    /// Position in the document's `certificates`.
    pub index: usize,
    /// `sent`, `file:<path>`, `embedded`, `ca-option:<path>` or `fetched:<url>`.
    pub source: String,
    /// `leaf`, `intermediate` or `root`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Everything else.
    #[serde(flatten)]
    pub summary: &'a CertSummary,
}

/// A finding in a document: `id`, `severity`, `title`, `detail`, `fix`, and the
/// `certificate` index or the input `file` it is about (omitted when it is about neither).
#[derive(Serialize)]
pub struct FindingJson<'a> {
    /// Stable id.
    pub id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One line.
    pub title: &'a str,
    /// Which certificate and which values.
    pub detail: &'a str,
    /// What to do.
    pub fix: &'a str,
    /// Index of the certificate concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<usize>,
    /// The input file concerned (`input.unreadable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
}

impl<'a> From<&'a Finding> for FindingJson<'a> {
    fn from(f: &'a Finding) -> Self {
        FindingJson {
            id: f.id(),
            severity: f.severity,
            title: &f.title,
            detail: &f.detail,
            fix: &f.fix,
            certificate: f.certificate,
            file: f.file.as_deref(),
        }
    }
}

/// Pretty JSON with a trailing newline. Serialising these plain structs cannot fail;
/// should it ever, the error is reported inside a valid document.
pub fn to_string<T: Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!(
            "{{\"schema\":\"{SCHEMA}\",\"error\":{}}}\n",
            serde_json::Value::String(e.to_string())
        ),
    }
}
