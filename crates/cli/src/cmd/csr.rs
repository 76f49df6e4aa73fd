//! `csr new`: not yet implemented (being built).

use crate::exit::Exit;
use clap::{Args, Subcommand};

/// The `csr` subcommands.
#[derive(Debug, Subcommand)]
pub enum CsrCommand {
    /// Not yet implemented.
    New(CsrNewArgs),
}

/// Arguments of `csr new`.
#[derive(Debug, Args)]
pub struct CsrNewArgs {}

pub fn run(command: CsrCommand) -> anyhow::Result<Exit> {
    match command {
        CsrCommand::New(_) => anyhow::bail!("csr new: not yet implemented"),
    }
}
