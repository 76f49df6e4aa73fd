//! `explain [ID]`: what a finding means and how to fix it.

use crate::exit::Exit;
use clap::Args;

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The finding id (e.g. `chain.incomplete`); without it, every id is listed.
    #[arg(value_name = "ID", conflicts_with = "list")]
    pub id: Option<String>,

    /// List every finding id with its severity and title (as without an ID).
    #[arg(long)]
    pub list: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::args::Format::Text)]
    pub format: crate::args::Format,

    /// Colour: auto (only on a terminal, honouring NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = crate::args::ColorChoice::Auto, value_name = "WHEN")]
    pub color: crate::args::ColorChoice,
}

pub fn run(args: ExplainArgs) -> anyhow::Result<Exit> {
    let json = args.format == crate::args::Format::Json;
    let Some(id) = args.id else {
        crate::output::print(&bars_report::explain::render_all(json))?;
        return Ok(Exit::Ok);
    };
    let key = id.trim().to_ascii_lowercase();
    let Some(c) = bars_checks::lookup(&key) else {
        let family = key.split('.').next().unwrap_or_default().to_string();
        let near: Vec<&str> = bars_checks::catalogue()
            .iter()
            .map(|c| c.id)
            .filter(|i| i.starts_with(&format!("{family}.")) || i.contains(key.as_str()))
            .collect();
        let hint = if near.is_empty() {
            "run `bars-certcheck explain` to list every id".to_string()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        eprintln!("bars-certcheck: explain: no finding `{id}`; {hint}");
        return Ok(Exit::Usage);
    };
    let style = bars_report::Style::new(crate::output::use_color(args.color));
    crate::output::print(&bars_report::explain::render_one(c, json, &style))?;
    Ok(Exit::Ok)
}
