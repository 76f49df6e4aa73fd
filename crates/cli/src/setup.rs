//! What the command line resolves into, once (ripgrep's high-level arguments): the
//! judgement, the online checks and the probing of a run, built from what clap parsed.

use crate::args::{ConnectArgs, DiagArgs, FailOn, OnlineArgs, RevocationArg};
use crate::exit::Exit;
use crate::input::{limits, read_with};
use bars_checks::{Severity, Usage};
use bars_diagnose::{DiagnoseError, Judge, Online, Probing};
use bars_net::Proxies;
use std::path::PathBuf;
use std::time::Duration;

/// Now, or the `--at` time.
pub fn now_or(at: Option<i64>) -> i64 {
    at.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp())
}

impl FailOn {
    /// As a severity threshold.
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        }
    }
}

/// The judgement of `diag` (its `--ca` files read, its names checked).
pub fn judge(diag: &DiagArgs, usage: Usage) -> Result<Judge, DiagnoseError> {
    let mut j = Judge::new(now_or(diag.at));
    j.env = diag.env;
    j.extra_cas = bars_diagnose::cas::load(&diag.ca, diag.env.forced(), &limits())?;
    j.use_embedded = !diag.no_embedded_ca;
    j.warn_days = diag.warn_days;
    j.expect_fqdn = diag.expect_fqdn.clone();
    j.usage = usage;
    j.fail_on = diag.fail_on.severity();
    j.validate()?;
    Ok(j)
}

/// The online checks of `online`, freshness judged at `at`, downloads through `proxy`
/// when one is given.
pub fn online(online: &OnlineArgs, at: i64, proxy: Option<&str>) -> Online {
    use bars_revocation::Mode;
    let mode = match online.revocation {
        RevocationArg::Off => Mode::Off,
        RevocationArg::Crl => Mode::Crl,
        RevocationArg::Ocsp => Mode::Ocsp,
        RevocationArg::Both => Mode::Both,
    };
    let mut o = bars_revocation::RevocationOptions::new(mode, at);
    o.timeout = Duration::from_secs(online.revocation_timeout);
    o.cache_dir = if online.no_cache {
        None
    } else {
        online
            .cache_dir
            .clone()
            .or_else(bars_revocation::default_cache_dir)
    };
    o.proxy = proxy.map(str::to_string);
    Online::new(o, online.fetch_missing)
}

/// How endpoints are probed: `timeout`, the wait for a TLS 1.3 rejection, the client
/// identity from `--client-cert/--client-key` or `--pfx`, the proxy rules, the audit.
/// `Ok(Err(exit))` when the identity's files could not be read (already said on stderr):
/// 1 for a wrong or missing password, else 2.
pub fn probing(
    c: &ConnectArgs,
    timeout: Duration,
    reply_wait: Duration,
) -> anyhow::Result<Result<Probing, Exit>> {
    let mut p = Probing::new(timeout, reply_wait);
    p.mtls_audit = c.mtls_audit;
    p.proxies = match &c.proxy {
        Some(url) => Proxies::explicit(url).map_err(DiagnoseError::from)?,
        None => Proxies::from_env(),
    };
    let (files, what): (Vec<PathBuf>, &'static str) = match (&c.pfx, &c.client_cert, &c.client_key)
    {
        (Some(x), _, _) => (vec![x.clone()], "--pfx/--keystore"),
        (None, Some(cert), Some(key)) => (
            vec![cert.clone(), key.clone()],
            "--client-cert/--client-key",
        ),
        _ => return Ok(Ok(p)),
    };
    let provider = crate::password::provider(&c.password, &c.key_password)?;
    let (parsed, failed) = read_with(&files, &provider)?;
    if failed {
        let refused = bars_diagnose::identity::password_refused(&parsed);
        return Ok(Err(if refused { Exit::Findings } else { Exit::Usage }));
    }
    let items = parsed.into_iter().flat_map(|(_, p)| p.items).collect();
    p.client_identity = Some(bars_diagnose::identity::client_identity(items, what)?);
    Ok(Ok(p))
}
