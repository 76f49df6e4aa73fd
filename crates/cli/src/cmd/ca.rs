//! `ca list|fetch`: not yet implemented (being built).

use crate::exit::Exit;
use clap::{Args, Subcommand};

/// The `ca` subcommands.
#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Not yet implemented.
    List(CaListArgs),
    /// Not yet implemented.
    Fetch(CaFetchArgs),
}

/// Arguments of `ca list`.
#[derive(Debug, Args)]
pub struct CaListArgs {}

/// Arguments of `ca fetch`.
#[derive(Debug, Args)]
pub struct CaFetchArgs {}

pub fn run(command: CaCommand) -> anyhow::Result<Exit> {
    match command {
        CaCommand::List(_) | CaCommand::Fetch(_) => anyhow::bail!("ca: not yet implemented"),
    }
}
