//! `inspect FILE...`: show everything in each input.

use crate::args::{Format, InspectArgs};
use crate::exit::Exit;
use crate::input::read_all;
use crate::password::Passwords;
use bars_report::inspect::{render_json, render_text, InspectedInput};
use bars_report::Style;

pub fn run(args: InspectArgs) -> anyhow::Result<Exit> {
    let passwords = Passwords::from(&args.password);
    let (parsed, failed) = read_all(&args.files, &passwords)?;
    let inputs: Vec<InspectedInput> = parsed
        .into_iter()
        .map(|(name, p)| InspectedInput {
            name,
            items: p.items,
            errors: p.errors,
        })
        .collect();
    let text = match args.output.format {
        Format::Json => render_json(&inputs),
        Format::Text => {
            let style = Style::new(crate::output::use_color(args.output.color));
            render_text(&inputs, crate::setup::now_or(args.at), &style)
        }
    };
    crate::output::print(&text)?;
    Ok(if failed { Exit::Usage } else { Exit::Ok })
}
