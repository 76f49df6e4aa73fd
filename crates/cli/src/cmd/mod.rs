//! One module per command; `run` dispatches.

pub mod ca;
pub mod check;
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

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Csr(c) => csr::run(c),
        Command::Pfx(c) => pfx::run(c),
        Command::Ca(c) => ca::run(c),
        Command::Trust(c) => trust::run(c),
        Command::Match(args) => matching::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "bars-certcheck", &mut buf);
            crate::output::print(&String::from_utf8_lossy(&buf))?;
            Ok(Exit::Ok)
        }
    }
}

/// Now, or the `--at` time.
pub fn now_or(at: Option<i64>) -> i64 {
    at.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp())
}
