//! `gen-fixtures [--force] [OUT_DIR]`: (re)write the test PKI fixtures.
//!
//! OUT_DIR defaults to `fixtures/pki` in the workspace. Committed keys in
//! `OUT_DIR/keys/` are reused; the openssl-made files are kept unless `--force`.
//! Exit 0 on success, 1 when generation failed, 2 on a usage error.

use bars_testpki::fixtures::{self, Options, Outcome};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: gen-fixtures [--force] [OUT_DIR]
  Write the bars-certcheck test PKI fixtures (default OUT_DIR: <workspace>/fixtures/pki).
  Keys in OUT_DIR/keys are reused; openssl-made files (PFX, PKCS#7, RSA-1024, SHA-1,
  encrypted keys) are kept unless --force (or missing).";

fn main() -> ExitCode {
    let mut force = false;
    let mut out: Option<PathBuf> = None;
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--force") => force = true,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Some(a) if a.starts_with('-') => {
                eprintln!("gen-fixtures: unknown option {a}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ if out.is_some() => {
                eprintln!("gen-fixtures: more than one OUT_DIR\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => out = Some(PathBuf::from(arg)),
        }
    }
    let mut opts = Options::new(out.unwrap_or_else(fixtures::default_out_dir));
    opts.force = force;
    match fixtures::generate(&opts) {
        Ok(report) => {
            let count = |o: Outcome| report.files.iter().filter(|f| f.outcome == o).count();
            println!(
                "gen-fixtures: {}: {} written, {} unchanged, {} kept (openssl-made or copied; --force remakes them)",
                opts.out_dir.display(),
                count(Outcome::Written),
                count(Outcome::Unchanged),
                count(Outcome::Kept),
            );
            for f in report
                .files
                .iter()
                .filter(|f| f.outcome == Outcome::Written)
            {
                println!("  wrote {}", f.path.display());
            }
            if !report.keys_created.is_empty() {
                println!(
                    "  new keys (commit them): {}",
                    report.keys_created.join(", ")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-fixtures: {e}");
            ExitCode::FAILURE
        }
    }
}
