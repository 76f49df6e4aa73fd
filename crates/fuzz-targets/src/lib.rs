//! What each fuzz target does with its input, as plain functions: `fuzz/fuzz_targets/*.rs`
//! call them under libFuzzer, and this crate's test replays the committed corpus
//! (`fuzz/corpus/<target>/`) through them in CI. Each must return for any input without
//! panicking; they return a small number so the work cannot be optimised away.

use bars_checks::{CheckInput, Options, Source};
use bars_model::{read_bytes, Item, Limits, PasswordProvider};

/// Gives one fixed password (the fuzzer chooses it).
struct Fixed(String);

impl PasswordProvider for Fixed {
    fn password(&self, _what: &str) -> Option<String> {
        Some(self.0.clone())
    }
}

/// Splits `data` at the first NUL into (password, bytes); no NUL: empty password.
fn split_password(data: &[u8]) -> (String, &[u8]) {
    match data.iter().position(|b| *b == 0) {
        Some(i) => (
            String::from_utf8_lossy(data.get(..i).unwrap_or_default()).into_owned(),
            data.get(i + 1..).unwrap_or_default(),
        ),
        None => (String::new(), data),
    }
}

/// Format detection and parsing of any file's bytes (with a password for what is
/// encrypted), then every summary the reports print.
pub fn read(data: &[u8]) -> usize {
    let (password, bytes) = split_password(data);
    let parsed = read_bytes("fuzz", bytes, &Fixed(password), &Limits::default());
    let mut n = parsed
        .errors
        .iter()
        .map(|e| e.to_string().len())
        .sum::<usize>();
    for item in &parsed.items {
        n += match item {
            Item::Certificate(c) => c.summary().subject.len() + c.tbs_der().len(),
            Item::Csr(c) => c.summary.subject.len(),
            Item::Key(k) => k.summary.format.len(),
            Item::Pfx(p) => p.certificates.len() + p.keys.len(),
        };
    }
    n
}

/// The `check` rules over whatever the bytes parse to (a chain, CSRs, keys), in every
/// environment, with the host name taken from the first line.
pub fn check(data: &[u8]) -> usize {
    let (host, bytes) = split_password(data);
    let parsed = read_bytes("fuzz", bytes, &Fixed("secret".into()), &Limits::default());
    let mut input = CheckInput::default();
    for item in parsed.items {
        let s = Source::Sent;
        match item {
            Item::Certificate(c) => input.certificates.push((c, s)),
            Item::Csr(c) => input.csrs.push((c, s)),
            Item::Key(k) => input.keys.push((k, s)),
            Item::Pfx(p) => input.pfx.push((p, s)),
        }
    }
    let mut n = 0;
    for env in [
        None,
        Some(bars_nhs::Environment::Int),
        Some(bars_nhs::Environment::Public),
    ] {
        let mut opts = Options::new(1_800_000_000);
        opts.env = env;
        if !host.is_empty() {
            opts.host = Some(host.clone());
        }
        let a = bars_checks::analyse(&input, &opts);
        n += a.findings.len() + a.chains.len();
        n += bars_checks::matching::match_up(&input).findings.len();
        if let Some(e) = env.filter(|e| e.is_nhs()) {
            let certs: Vec<_> = input.certificates.clone();
            n += bars_checks::trust_lint::lint(&certs, e, &opts)
                .findings
                .len();
        }
    }
    n
}

/// A PKCS#12 archive from arbitrary bytes and password.
pub fn pfx(data: &[u8]) -> usize {
    let (password, bytes) = split_password(data);
    match bars_model::Pfx::open(bytes, &password) {
        Ok(p) => p.certificates.len() + p.keys.len() + p.summary.encryption.len(),
        Err(e) => e.to_string().len(),
    }
}

/// A probe target (`host[:port]` or URL) as typed on the command line or in a scan list.
pub fn target(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data);
    text.lines()
        .map(|l| match bars_net::Target::parse(l) {
            Ok(t) => t.host.len() + usize::from(t.port),
            Err(e) => e.to_string().len(),
        })
        .sum()
}
