//! One diagnosis report in the chosen format (the renderers live in bars-report).

use crate::args::{ReportArgs, ReportFormat};
use bars_report::diag::Report;
use bars_report::Style;

/// The tool's version, shown in markdown and SARIF reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `report` as text, JSON, markdown or SARIF; `inputs` are the files SARIF locates
/// findings in.
pub fn render(report: &Report<'_>, out: &ReportArgs, inputs: &[String]) -> String {
    match out.format {
        ReportFormat::Json => bars_report::diag::render_json(report),
        ReportFormat::Markdown => bars_report::diag::render_markdown(report, VERSION),
        ReportFormat::Sarif => bars_report::sarif::render(report, inputs, VERSION),
        ReportFormat::Text => {
            bars_report::diag::render_text(report, &Style::new(crate::output::use_color(out.color)))
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
