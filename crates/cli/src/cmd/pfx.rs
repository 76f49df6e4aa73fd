//! `pfx build`: not yet implemented (being built).

use crate::exit::Exit;
use clap::{Args, Subcommand};

/// The `pfx` subcommands.
#[derive(Debug, Subcommand)]
pub enum PfxCommand {
    /// Not yet implemented.
    Build(PfxBuildArgs),
}

/// Arguments of `pfx build`.
#[derive(Debug, Args)]
pub struct PfxBuildArgs {}

pub fn run(command: PfxCommand) -> anyhow::Result<Exit> {
    match command {
        PfxCommand::Build(_) => anyhow::bail!("pfx build: not yet implemented"),
    }
}
