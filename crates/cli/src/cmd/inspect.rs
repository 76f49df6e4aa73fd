//! `inspect FILE...`: show everything in each input, written as it is read.

use crate::args::{Format, InspectArgs};
use crate::exit::Exit;
use crate::password::Provider;
use bars_report::inspect::{Inspector, JsonInspector, TextInspector};
use bars_report::Style;
use std::io::Write;

pub fn run(args: InspectArgs) -> anyhow::Result<Exit> {
    let provider = crate::password::provider(&args.password, &args.key_password)?;
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let failed = match args.output.format {
        Format::Json => {
            let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
            show(&args, &provider, JsonInspector::new(out, &names))?
        }
        Format::Text => {
            let style = Style::new(crate::output::use_color(args.output.color));
            let now = crate::setup::now_or(args.at);
            show(&args, &provider, TextInspector::new(out, now, &style))?
        }
    };
    std::io::stdout().flush()?;
    Ok(if failed { Exit::Usage } else { Exit::Ok })
}

/// Reads each input and hands its items to `inspector` one by one; each problem is also
/// one line on stderr. True when an input had a problem.
fn show(
    args: &InspectArgs,
    provider: &Provider,
    mut inspector: impl Inspector,
) -> anyhow::Result<bool> {
    let limits = crate::input::limits();
    let mut failed = false;
    for path in &args.files {
        let name = path.display().to_string();
        inspector.input(&name);
        let errors = match bars_model::read_limited(path, &limits) {
            Ok(bytes) => bars_model::read_each(&name, &bytes, provider, &limits, &mut |item| {
                inspector.item(item)
            }),
            Err(kind) => vec![bars_model::ReadError::new(name.clone(), kind)],
        };
        for e in &errors {
            eprintln!("bars-certcheck: {e}");
            failed = true;
        }
        inspector.end_input(&errors);
    }
    inspector.finish()?;
    Ok(failed)
}
