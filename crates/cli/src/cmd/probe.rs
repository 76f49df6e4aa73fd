//! `probe`: not yet implemented (being built).

use crate::exit::Exit;
use clap::Args;

/// Arguments of `probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {}

pub fn run(_args: ProbeArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("probe: not yet implemented")
}
