//! "Diagnose these files": parsed inputs into the checks' input, analysed with the
//! online checks the run asked for.

use crate::judge::Judge;
use crate::online::Online;
use bars_checks::{Analysis, CheckInput, Source};
use bars_model::{Item, Parsed, ReadErrorKind};

/// What the files gave, and whether one of them could not be read.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The checks' input.
    pub input: CheckInput,
    /// An input (or a part of one) could not be read: exit 2 whatever else is found.
    pub unreadable: bool,
}

/// The parsed inputs (named as the user named them) as the checks' input. An unopenable
/// PKCS#12 becomes a `pfx.bad-password` finding, a key a wrong password did not open
/// `key.locked`; any other problem is an `input.unreadable` finding and sets
/// [`Inputs::unreadable`].
pub fn inputs(parsed: Vec<(String, Parsed)>) -> Inputs {
    let mut out = Inputs::default();
    for (name, p) in parsed {
        for e in &p.errors {
            match &e.kind {
                ReadErrorKind::NeedPassword { what } | ReadErrorKind::BadPassword { what }
                    if what.starts_with("PKCS#12") =>
                {
                    out.input
                        .pfx_errors
                        .push((Source::File(name.clone()), e.kind.to_string()));
                }
                ReadErrorKind::BadPassword { what } if what.contains("private key") => {
                    out.input
                        .locked_keys
                        .push((Source::File(name.clone()), e.kind.to_string()));
                }
                kind => {
                    out.unreadable = true;
                    out.input.unreadable.push((name.clone(), kind.to_string()));
                }
            }
        }
        for item in p.items {
            let source = Source::File(name.clone());
            match item {
                Item::Certificate(c) => out.input.certificates.push((c, source)),
                Item::Csr(c) => out.input.csrs.push((c, source)),
                Item::Key(k) => out.input.keys.push((k, source)),
                Item::Pfx(x) => out.input.pfx.push((x, source)),
            }
        }
    }
    out
}

/// A diagnosis of files.
#[derive(Debug)]
pub struct FilesDiagnosis {
    /// The analysis, online findings included.
    pub analysis: Analysis,
    /// Lines for the report ("fetched, not sent", …).
    pub notes: Vec<String>,
}

/// Diagnoses `input` as `check` does: every applicable check, then the online checks
/// `online` asks for.
pub async fn diagnose_files(input: &CheckInput, judge: &Judge, online: &Online) -> FilesDiagnosis {
    let mut opts = judge.file_options();
    let (analysis, notes) = online.analyse(input, &mut opts, None).await;
    FilesDiagnosis { analysis, notes }
}
