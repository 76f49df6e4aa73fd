//! "Diagnose these files": parsed inputs into the checks' input, analysed with the
//! online checks the run asked for.

use crate::judge::Judge;
use crate::online::Online;
use bars_checks::{Analysis, CheckInput, Finding, Options, Source};
use bars_model::{Item, Limits, Parsed, PasswordProvider, ReadError, ReadErrorKind};
use bars_nhs::Environment;

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
                kind if kind.is_container_password() => {
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
    // The key files given to check are judged for how they are stored.
    opts.judge_key_files = true;
    let (analysis, notes) = online.analyse(input, &mut opts, None).await;
    FilesDiagnosis { analysis, notes }
}

/// What the tool just made, read back as `check` reads files.
#[derive(Debug)]
pub struct Made {
    /// CSRs read back.
    pub csrs: usize,
    /// Keys read back.
    pub keys: usize,
    /// What `check` will report about them.
    pub findings: Vec<Finding>,
}

/// Reads artefacts the tool just made (`csr new`: the request and the key, each with the
/// file name it will have) back and analyses them at `at` as `check` would; `env` keeps
/// the environment of a name made against the rules (`--force`), else it is decided from
/// the name as `check` decides it.
pub fn check_made(
    made: &[(String, &[u8])],
    passwords: &dyn PasswordProvider,
    env: Option<Environment>,
    at: i64,
) -> Result<Made, ReadError> {
    let mut input = CheckInput::default();
    for (name, bytes) in made {
        let parsed = bars_model::read_bytes(name, bytes, passwords, &Limits::default());
        if let Some(e) = parsed.errors.into_iter().next() {
            return Err(e);
        }
        for item in parsed.items {
            match item {
                Item::Csr(c) => input.csrs.push((c, Source::File(name.clone()))),
                Item::Key(k) => input.keys.push((k, Source::File(name.clone()))),
                _ => {}
            }
        }
    }
    let mut opts = Options::new(at);
    opts.env = env;
    Ok(Made {
        csrs: input.csrs.len(),
        keys: input.keys.len(),
        findings: bars_checks::analyse(&input, &opts).findings,
    })
}

/// `csr new`'s check before writing: the request and key made (`made.csr_pem`,
/// `made.key_pem`, named as they will be written) read back and analysed as `check`
/// would; the findings at warning or above, or why they could not be read back.
pub fn serious_in_made(
    made: &bars_forge::csr::Generated,
    names: (&str, &str),
    passwords: &dyn PasswordProvider,
    env: Option<Environment>,
    at: i64,
) -> Result<Vec<bars_checks::Finding>, String> {
    let files = [
        (names.0.to_string(), made.csr_pem.as_bytes()),
        (names.1.to_string(), made.key_pem.as_bytes()),
    ];
    let back = check_made(&files, passwords, env, at)
        .map_err(|e| format!("reading back what was generated: {e}"))?;
    if back.csrs != 1 || back.keys != 1 {
        return Err("reading back what was generated: expected one request and one key".into());
    }
    Ok(back
        .findings
        .into_iter()
        .filter(|f| f.severity.at_or_above(bars_checks::Severity::Warning))
        .collect())
}
