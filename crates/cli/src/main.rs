//! `bars-certcheck`: diagnose TLS certificates and chains for NHS BaRS endpoints.
//!
//! The binary only wires the library crates together: parse arguments, read inputs,
//! call the checks, hand the result to a renderer, pick the exit code.

mod args;
mod cmd;
mod diag;
mod exit;
mod input;
mod output;
mod password;

use clap::Parser;
use exit::Exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    input::set_max_input_bytes(cli.max_input_size);
    let code = match cmd::run(cli) {
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
