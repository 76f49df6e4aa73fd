//! `match FILE...`: which certificates, CSRs, keys and PFX contents belong together.

use crate::args::{ColorChoice, Format, KeyPasswordArgs, PasswordArgs};
use crate::exit::Exit;
use crate::input::read_with;
use bars_report::Style;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Certificates, CSRs, keys and PFX files, in any mix; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour: auto (only on a terminal, honouring NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(flatten)]
    pub password: PasswordArgs,

    #[command(flatten)]
    pub key_password: KeyPasswordArgs,
}

pub fn run(args: MatchArgs) -> anyhow::Result<Exit> {
    let provider = crate::password::provider(&args.password, &args.key_password)?;
    let (parsed, _) = read_with(&args.files, &provider)?;
    let inputs = bars_diagnose::files::inputs(parsed);
    let (input, read_failed) = (inputs.input, inputs.unreadable);
    let m = bars_checks::matching::match_up(&input);
    let mut findings = m.findings.clone();
    for (s, why) in &input.pfx_errors {
        findings.push(bars_checks::pfx::BAD_PASSWORD.finding(None, format!("{s}: {why}")));
    }
    let verdict = bars_checks::verdict(&findings, bars_checks::Severity::Error);
    let text = match args.format {
        Format::Json => bars_report::matching::render_json(
            &args
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>(),
            &m,
            &findings,
            verdict,
        ),
        Format::Text => bars_report::matching::render_text(
            &m,
            &findings,
            &Style::new(crate::output::use_color(args.color)),
        ),
    };
    crate::output::print(&text)?;
    Ok(if verdict == bars_checks::Verdict::Fail {
        Exit::Findings
    } else if read_failed {
        Exit::Usage
    } else {
        Exit::Ok
    })
}
