//! `explain [ID]`: what a finding means and how to fix it.

use crate::exit::Exit;
use clap::Args;
use std::fmt::Write;

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
}

fn json(c: &bars_checks::CheckInfo) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "severity": c.severity.as_str(),
        "title": c.title,
        "explanation": c.explanation,
        "fix": c.fix,
    })
}

pub fn run(args: ExplainArgs) -> anyhow::Result<Exit> {
    let json_out = args.format == crate::args::Format::Json;
    let Some(id) = args.id else {
        let all = bars_checks::catalogue();
        let text = if json_out {
            bars_report::json::to_string(&serde_json::json!({
                "schema": bars_report::json::SCHEMA,
                "command": "explain",
                "findings": all.iter().map(json).collect::<Vec<_>>(),
            }))
        } else {
            let mut out = String::new();
            for c in all {
                let _ = writeln!(out, "{:<28} {:<8} {}", c.id, c.severity.as_str(), c.title);
            }
            out
        };
        crate::output::print(&text)?;
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
    let text = if json_out {
        let mut v = json(c);
        if let Some(o) = v.as_object_mut() {
            o.insert("schema".into(), bars_report::json::SCHEMA.into());
            o.insert("command".into(), "explain".into());
        }
        bars_report::json::to_string(&v)
    } else {
        format!(
            "{} ({})\n{}\n\n{}\n\nFix: {}\n",
            c.id,
            c.severity.as_str(),
            c.title,
            c.explanation,
            c.fix
        )
    };
    crate::output::print(&text)?;
    Ok(Exit::Ok)
}
