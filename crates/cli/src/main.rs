//! `bars-certcheck`: diagnose TLS certificates and chains for NHS BaRS endpoints.
//!
//! The binary only wires the library crates together: parse arguments, resolve them once,
//! call the diagnosis pipeline (`bars-diagnose`) on the one tokio runtime it owns, hand
//! the result to a renderer (`bars-report`), pick the exit code.

mod args;
mod cmd;
mod exit;
mod input;
mod output;
mod password;
mod render;
mod setup;
mod terminal;

use clap::{CommandFactory, FromArgMatches};
use exit::Exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    let matches = args::Cli::command().get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    input::set_max_input_bytes(args::max_input_size(&matches));
    let code = match runtime().and_then(|rt| {
        let done = cmd::run(cli, &rt);
        // A name lookup that never returns must not hold the process.
        rt.shutdown_timeout(std::time::Duration::from_millis(100));
        done
    }) {
        Ok(code) => code,
        Err(err) => {
            if output::is_broken_pipe(&err) {
                Exit::Ok
            } else {
                eprintln!("bars-certcheck: {err:#}");
                Exit::Usage
            }
        }
    };
    code.into()
}

/// The one runtime every network wait of the run shares.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the runtime: {e}"))
}
