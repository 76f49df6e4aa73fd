//! `demo`: not yet implemented (being built).

use crate::exit::Exit;
use clap::Args;

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {}

pub fn run(_args: DemoArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("demo: not yet implemented")
}
