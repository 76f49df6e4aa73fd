//! Writing to stdout without panicking on a closed pipe (`| head`).

use std::io::Write;

/// Writes `text` to stdout; a closed pipe is not an error worth reporting.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes `bytes` to stdout; binary output (DER) is refused on a terminal (exit 2).
pub fn print_bytes(bytes: &[u8], binary: bool) -> anyhow::Result<crate::exit::Exit> {
    use std::io::IsTerminal;
    if binary && std::io::stdout().is_terminal() {
        anyhow::bail!("DER is binary and standard output is a terminal: give --out FILE (or redirect the output)");
    }
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(crate::exit::Exit::Ok)
}

/// True when `err` is (caused by) a broken pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Colour decided once: `--color`, then `NO_COLOR`, then whether stdout is a terminal.
/// The decision is also forced on the `colored` crate, which would otherwise look at the
/// terminal itself (and print no colour for `--color always` into a pipe).
pub fn use_color(choice: crate::args::ColorChoice) -> bool {
    let on = decide_color(choice);
    colored::control::set_override(on);
    on
}

fn decide_color(choice: crate::args::ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        crate::args::ColorChoice::Always => true,
        crate::args::ColorChoice::Never => false,
        crate::args::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
