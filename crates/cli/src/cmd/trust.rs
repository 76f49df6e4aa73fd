//! `trust lint`: not yet implemented (being built).

use crate::exit::Exit;
use clap::{Args, Subcommand};

/// The `trust` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Not yet implemented.
    Lint(TrustLintArgs),
}

/// Arguments of `trust lint`.
#[derive(Debug, Args)]
pub struct TrustLintArgs {}

pub fn run(command: TrustCommand) -> anyhow::Result<Exit> {
    match command {
        TrustCommand::Lint(_) => anyhow::bail!("trust lint: not yet implemented"),
    }
}
