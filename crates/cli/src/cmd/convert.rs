//! `convert`: certificates and CSRs from any readable container (PEM, DER, PKCS#7,
//! PKCS#12, Java keystores) to PEM or DER. Keys are never written (`pfx extract` does,
//! encrypted).

use crate::args::PasswordArgs;
use crate::exit::Exit;
use crate::password::{Passwords, Provider};
use crate::terminal::{refuse, usage, write_failed};
use bars_forge::convert::{self, Encoding, InputError};
use clap::Args;
use std::path::PathBuf;

const WHAT: &str = "convert";

/// Arguments of `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Files to read (PEM, DER, PKCS#7, PKCS#12, JKS); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output encoding: pem, or der (exactly one certificate or CSR).
    #[arg(long, value_name = "FORMAT", value_parser = ["pem", "der"])]
    pub to: String,

    /// The file to write [default: standard output; DER is refused on a terminal].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,

    /// The password of a PFX or keystore input.
    #[command(flatten)]
    pub password: PasswordArgs,
}

pub fn run(args: &ConvertArgs) -> anyhow::Result<Exit> {
    if let Some(out) = &args.out {
        if let Err(e) = bars_forge::write::check_destination(out, args.force) {
            return Ok(write_failed(WHAT, e));
        }
    }
    let provider = Provider::new(Passwords::from(&args.password).resolve()?);
    let items = match convert::read_inputs(&args.files, &provider, &crate::input::limits()) {
        Ok(items) => items,
        Err(e @ InputError::Unreadable(_)) => return Ok(usage(WHAT, &e)),
        Err(e) => return Ok(refuse(WHAT, &e.to_string())),
    };
    let der = args.to == "der";
    let encoding = if der { Encoding::Der } else { Encoding::Pem };
    let made = match convert::convert(&items, encoding) {
        Ok(m) => m,
        Err(e) => return Ok(usage(WHAT, &e)),
    };
    if made.keys_left_out > 0 {
        eprintln!("bars-certcheck: note: left out {} private key(s): convert never writes keys (the pfx extract command writes one encrypted)", made.keys_left_out);
    }
    let Some(out) = &args.out else {
        return crate::output::print_bytes(&made.bytes, der);
    };
    let mode = bars_forge::write::MODE_PUBLIC;
    if let Err(e) = bars_forge::write::write_atomic(out, &made.bytes, mode, args.force) {
        return Ok(write_failed(WHAT, e));
    }
    eprintln!(
        "bars-certcheck: wrote {} ({} certificate(s), {} CSR(s))",
        out.display(),
        made.certificates,
        made.csrs
    );
    Ok(Exit::Ok)
}
