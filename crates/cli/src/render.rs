//! One diagnosis report in the chosen format (the renderers live in bars-report).

use crate::args::{ReportArgs, ReportFormat};
use bars_checks::Severity;
use bars_report::{diag::Report, junit, Style};

/// The tool's version, shown in markdown and SARIF reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `r` in the chosen format; `inputs` are the files SARIF locates findings in;
/// JUnit fails the findings at or above `fail_on`.
pub fn render(r: &Report<'_>, out: &ReportArgs, inputs: &[String], fail_on: Severity) -> String {
    match out.format {
        ReportFormat::Junit => junit::render(r.command, std::slice::from_ref(r), &[], fail_on),
        ReportFormat::Html => bars_report::html::render(r, VERSION),
        ReportFormat::Json => bars_report::diag::render_json(r),
        ReportFormat::Markdown => bars_report::diag::render_markdown(r, VERSION),
        ReportFormat::Sarif => bars_report::sarif::render(r, inputs, VERSION),
        ReportFormat::Text => {
            bars_report::diag::render_text(r, &Style::new(crate::output::use_color(out.color)))
        }
    }
}

/// Writes the DER certificates as one PEM file, atomically (`--save-chain`,
/// `--write-chain`, `ca fetch`).
pub fn write_pem(path: &std::path::Path, ders: &[&[u8]]) -> Result<(), bars_forge::ForgeError> {
    let pem: String = ders
        .iter()
        .map(|d| bars_model::pem_encode("CERTIFICATE", d))
        .collect();
    bars_forge::write::write_atomic(path, pem.as_bytes(), bars_forge::write::MODE_PUBLIC, true)
}
