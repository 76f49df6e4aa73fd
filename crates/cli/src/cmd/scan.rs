//! `scan`: not yet implemented (being built).

use crate::exit::Exit;
use clap::Args;

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {}

pub fn run(_args: ScanArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("scan: not yet implemented")
}
