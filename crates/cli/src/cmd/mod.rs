//! One module per command (each parses, calls the libraries, prints); `run` dispatches.
//! No command module imports another: what they share lives outside `cmd/`.

pub mod ca;
pub mod check;
pub mod convert;
pub mod csr;
pub mod demo;
pub mod explain;
mod inspect;
pub mod matching;
pub mod pfx;
pub mod probe;
pub mod scan;
pub mod trust;

use crate::args::{Cli, Command};
use crate::exit::Exit;
use clap::CommandFactory;
use tokio::runtime::Runtime;

/// Runs the parsed command line on `rt`.
pub fn run(cli: Cli, rt: &Runtime) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Check(args) => check::run(args, rt),
        Command::Explain(args) => explain::run(args),
        Command::Probe(args) => probe::run(args, rt),
        Command::Scan(args) => scan::run(args, rt),
        Command::Csr(c) => csr::run(c),
        Command::Pfx(c) => pfx::run(c),
        Command::Ca(c) => ca::run(c, rt),
        Command::Trust(c) => trust::run(c),
        Command::Convert(args) => convert::run(&args),
        Command::Match(args) => matching::run(args),
        Command::Demo(args) => demo::run(args, rt),
        Command::Man => {
            crate::output::print(&String::from_utf8_lossy(&man_page()?))?;
            Ok(Exit::Ok)
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "bars-certcheck", &mut buf);
            crate::output::print(&String::from_utf8_lossy(&buf))?;
            Ok(Exit::Ok)
        }
    }
}

/// The manual page: clap_mangen's page for the whole command, then the options of every
/// subcommand (and of `csr new`, `ca fetch`, …), then the exit status.
fn man_page() -> anyhow::Result<Vec<u8>> {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    let mut stack: Vec<(String, clap::Command)> = cmd
        .get_subcommands()
        .map(|s| (s.get_name().to_string(), s.clone()))
        .collect();
    stack.reverse();
    while let Some((path, sub)) = stack.pop() {
        if sub.get_name() == "help" || sub.is_hide_set() {
            continue;
        }
        let children: Vec<(String, clap::Command)> = sub
            .get_subcommands()
            .map(|c| (format!("{path} {}", c.get_name()), c.clone()))
            .collect();
        if children.is_empty() {
            buf.extend_from_slice(
                format!(".SH \"BARS-CERTCHECK {}\"\n", path.to_uppercase()).as_bytes(),
            );
            if let Some(about) = sub.get_about() {
                buf.extend_from_slice(format!("{about}\n").as_bytes());
            }
            let mut options = Vec::new();
            clap_mangen::Man::new(sub).render_options_section(&mut options)?;
            let options = String::from_utf8_lossy(&options).replace(".SH OPTIONS", ".SS Options");
            buf.extend_from_slice(options.as_bytes());
        } else {
            stack.extend(children.into_iter().rev());
        }
    }
    buf.extend_from_slice(EXIT_STATUS.as_bytes());
    Ok(buf)
}

/// The man page's EXIT STATUS section (SPEC "Exit codes").
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
nothing at or above \-\-fail\-on (inspect, explain, ca list: every input was read)
.TP
\fB1\fR
findings at or above \-\-fail\-on; a refusal (bad name, mismatched key, pin mismatch)
.TP
\fB2\fR
usage error or unreadable input (each unreadable input is one line on stderr; the others are still processed)
.TP
\fB3\fR
network failure before any certificate was received
"#;
