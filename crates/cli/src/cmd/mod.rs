//! One module per command (each parses, calls the libraries, prints); `run` dispatches.
//! No command module imports another: what they share lives outside `cmd/`.

pub mod ca;
pub mod check;
pub mod convert;
pub mod csr;
pub mod demo;
pub mod explain;
mod inspect;
pub mod matching;
pub mod pfx;
pub mod probe;
pub mod scan;
pub mod trust;

use crate::args::{Cli, Command};
use crate::exit::Exit;
use clap::CommandFactory;
use tokio::runtime::Runtime;

/// Runs the parsed command line on `rt`.
pub fn run(cli: Cli, rt: &Runtime) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Check(args) => check::run(args, rt),
        Command::Explain(args) => explain::run(args),
        Command::Probe(args) => probe::run(args, rt),
        Command::Scan(args) => scan::run(args, rt),
        Command::Csr(c) => csr::run(c),
        Command::Pfx(c) => pfx::run(c),
        Command::Ca(c) => ca::run(c, rt),
        Command::Trust(c) => trust::run(c),
        Command::Convert(args) => convert::run(&args),
        Command::Match(args) => matching::run(args),
        Command::Demo(args) => demo::run(args, rt),
        Command::Man(args) => man(args),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "bars-certcheck", &mut buf);
            // clap_complete 4.6 names bash's case arms `bars__subcmd__certcheck…` but
            // sets `cmd` to `bars__certcheck…`: make them agree, or only names complete.
            let script =
                String::from_utf8_lossy(&buf).replace("bars__subcmd__certcheck", "bars__certcheck");
            crate::output::print(&script)?;
            Ok(Exit::Ok)
        }
    }
}

/// `man [COMMAND]...`: one page on stdout, or `--out-dir`: every page written there.
fn man(args: crate::args::ManArgs) -> anyhow::Result<Exit> {
    let Some(dir) = args.out_dir else {
        return Ok(
            match bars_report::man::page(Cli::command(), &args.command) {
                Ok(page) => crate::output::print(&page.roff).map(|()| Exit::Ok)?,
                Err(why) => {
                    eprintln!("bars-certcheck: man: {why}");
                    Exit::Usage
                }
            },
        );
    };
    for page in bars_report::man::pages(Cli::command()) {
        let path = dir.join(format!("{}.1", page.name));
        std::fs::write(&path, &page.roff)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        crate::output::print(&format!("{}\n", path.display()))?;
    }
    Ok(Exit::Ok)
}
