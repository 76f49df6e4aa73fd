//! `match`: not yet implemented (being built).

use crate::exit::Exit;
use clap::Args;

/// Arguments of `match`.
#[derive(Debug, Args)]
pub struct MatchArgs {}

pub fn run(_args: MatchArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("match: not yet implemented")
}
