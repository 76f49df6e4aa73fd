//! "Diagnose this endpoint": probe it (with the client identity, through the proxy),
//! audit it when asked, and analyse what it sent with every file check, the online
//! checks (its stapled OCSP response always) and the `tls.*` findings. `probe`, `scan`
//! and `demo` all call [`diagnose_endpoint`]: one endpoint, one diagnosis, whoever asks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bars_checks::{
    Analysis, AuditFacts, CheckInput, EnvSource, HandshakeFacts, Options, Source, TlsFacts,
};
use bars_model::Certificate;
use bars_net::{
    AuditIdentities, AuditOutcome, AuditResult, ClientIdentity, NamedIdentity, PostHandshake,
    ProbeError, ProbeOptions, ProbeResult, Proxies, Target,
};
use bars_nhs::{EnvChoice, Environment};
use bars_report::diag::TlsView;

use crate::env::EnvDecision;
use crate::judge::Judge;
use crate::online::Online;

/// After the handshake, how long `probe` waits for a TLS 1.3 rejection of its client
/// certificate (see [`Probing::reply_wait`]).
pub const PROBE_REPLY_WAIT: Duration = Duration::from_secs(3);
/// The same wait for each endpoint of a scan: shorter, so that a fleet scan stays quick;
/// it ends early when the server answers or issues a session ticket.
pub const SCAN_REPLY_WAIT: Duration = Duration::from_secs(1);

/// How every endpoint of a run is probed.
#[derive(Clone, Debug)]
pub struct Probing {
    /// DNS, connect and handshake together (`--timeout`).
    pub timeout: Duration,
    /// After the handshake, the longest wait for a TLS 1.3 rejection of the client
    /// certificate, which arrives on the first read ([`PROBE_REPLY_WAIT`],
    /// [`SCAN_REPLY_WAIT`]); never more than the timeout.
    pub reply_wait: Duration,
    /// The client certificate to present (`--client-cert/--client-key`, `--pfx`).
    pub client_identity: Option<ClientIdentity>,
    /// The proxy rules (`--proxy`, else the environment's).
    pub proxies: Proxies,
    /// `--mtls-audit`: also try without a client certificate and with foreign ones.
    pub mtls_audit: bool,
}

impl Probing {
    /// No client certificate, no proxy, no audit.
    pub fn new(timeout: Duration, reply_wait: Duration) -> Probing {
        Probing {
            timeout,
            reply_wait,
            client_identity: None,
            proxies: Proxies::direct(),
            mtls_audit: false,
        }
    }
}

/// One endpoint to diagnose: a `probe` target, or an entry of a scan list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The line (1-based) of the list the entry starts on (0 for `probe`).
    pub line: usize,
    /// Host and port.
    pub target: Target,
    /// A label shown beside the endpoint (`name`).
    pub name: Option<String>,
    /// The environment asked for by the entry (`env`), over the run's `--env`.
    pub env: Option<EnvChoice>,
    /// The SNI name to send, which is also the name to cover (`--sni`, `sni`).
    pub sni: Option<String>,
    /// Connect here instead of resolving the host (`--connect`, `connect`).
    pub connect: Option<String>,
}

impl Endpoint {
    /// `target` with nothing else said.
    pub fn new(target: Target) -> Endpoint {
        Endpoint {
            line: 0,
            target,
            name: None,
            env: None,
            sni: None,
            connect: None,
        }
    }
}

/// What every endpoint of a run shares: how to judge, how to probe, the online checks
/// (one download cache), and the audit identities (minted once per environment).
#[derive(Debug)]
pub struct Session {
    /// How to judge.
    pub judge: Judge,
    /// How to probe.
    pub probing: Probing,
    /// The online checks.
    pub online: Online,
    audit_ids: Mutex<HashMap<Option<Environment>, Arc<AuditIdentities>>>,
}

impl Session {
    /// A session over these settings.
    pub fn new(judge: Judge, probing: Probing, online: Online) -> Session {
        Session {
            judge,
            probing,
            online,
            audit_ids: Mutex::new(HashMap::new()),
        }
    }

    /// The identities `--mtls-audit` presents at a Receiver of `env`: a throwaway
    /// self-signed certificate, and at an NHS Receiver a look-alike of its hierarchy and
    /// the other environment's TEST hierarchy (valid now, not at `--at`: the server
    /// judges them by its own clock). Minted once per environment and run.
    fn audit_identities(&self, env: Option<Environment>) -> (Arc<AuditIdentities>, Option<String>) {
        let key = env.filter(|e| e.is_nhs());
        let mut cache = self
            .audit_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(ids) = cache.get(&key) {
            return (ids.clone(), None);
        }
        let self_signed = bars_forge::mint::throwaway_identity()
            .map(|i| ClientIdentity {
                chain: i.chain,
                key_pkcs8: i.key_pkcs8,
            })
            .map_err(|e| format!("cannot generate a throwaway certificate: {e}"));
        let mut problem = None;
        let others = match key {
            Some(e) => {
                let now = time::OffsetDateTime::now_utc();
                match bars_forge::mint::audit_identities(&e.as_str().to_uppercase(), now) {
                    Ok(ids) => ids
                        .into_iter()
                        .map(|i| NamedIdentity {
                            label: i.label,
                            identity: ClientIdentity {
                                chain: i.chain,
                                key_pkcs8: i.key_pkcs8,
                            },
                        })
                        .collect(),
                    Err(e) => {
                        problem = Some(format!(
                            "--mtls-audit: cannot make the look-alike identities: {e}"
                        ));
                        Vec::new()
                    }
                }
            }
            None => Vec::new(),
        };
        let ids = Arc::new(AuditIdentities {
            self_signed,
            others,
        });
        cache.insert(key, ids.clone());
        (ids, problem)
    }
}

/// What an endpoint that sent a chain showed.
#[derive(Debug)]
pub struct Diagnosis {
    /// File checks, online checks and `tls.*` findings over the chain as sent.
    pub analysis: Analysis,
    /// The TLS facts as the report shows them.
    pub tls: TlsView,
    /// Lines for the report (where it connected, what it presented, …).
    pub notes: Vec<String>,
    /// Certificates sent that cannot be read (never a pass): one stderr line each.
    pub problems: Vec<String>,
    /// Other lines for stderr that are not findings (an audit identity that could not
    /// be made).
    pub warnings: Vec<String>,
    /// `--mtls-audit` results.
    pub audit: Option<AuditResult>,
    /// The chain exactly as sent, DER (for `--save-chain`).
    pub sent: Vec<Vec<u8>>,
}

/// What an endpoint that sent no certificate showed.
#[derive(Debug)]
pub struct NoChain {
    /// Why, classified.
    pub error: ProbeError,
    /// No certificates, no chain; `tls.old-protocol` for a server that speaks only TLS
    /// 1.0/1.1; the environment decided before the probe.
    pub analysis: Analysis,
    /// The plain one-line message (naming the proxy's source addresses when a BaRS
    /// Receiver's firewall is the likely cause).
    pub message: String,
}

/// The diagnosis of one endpoint.
#[derive(Debug)]
pub enum Outcome {
    /// A chain was received (even if the handshake failed afterwards).
    Chain(Box<Diagnosis>),
    /// No certificate at all: exit 3.
    NoChain(Box<NoChain>),
}

impl Outcome {
    /// The analysis, with or without a chain.
    pub fn analysis(&self) -> &Analysis {
        match self {
            Outcome::Chain(d) => &d.analysis,
            Outcome::NoChain(n) => &n.analysis,
        }
    }
}

/// Probes and diagnoses `ep` under `session`.
pub async fn diagnose_endpoint(session: &Session, ep: &Endpoint) -> Outcome {
    let (name, decision) = session.judge.endpoint(ep);
    let mut opts = session.judge.endpoint_options(&name, decision);
    let popts = probe_options(&session.probing, ep);
    let result = match probe_bounded(&ep.target, &popts).await {
        Ok(r) => r,
        Err(error) => return Outcome::NoChain(Box::new(no_chain(error, decision))),
    };
    let mut warnings = Vec::new();
    let audit = if session.probing.mtls_audit {
        let (ids, problem) = session.audit_identities(decision.map(|d| d.env));
        warnings.extend(problem);
        let aopts = ProbeOptions {
            reply_timeout: None,
            ..popts.clone()
        };
        Some(bars_net::audit(&ep.target, &aopts, &ids).await)
    } else {
        None
    };
    let (input, unreadable) = sent_input(&result);
    let (analysis, online_notes) = session
        .online
        .analyse(&input, &mut opts, result.ocsp_stapled.as_deref())
        .await;
    let mut d = finish(&result, audit, &opts, analysis, unreadable, online_notes);
    d.warnings = warnings;
    Outcome::Chain(Box::new(d))
}

/// The probe's options for `ep`.
fn probe_options(p: &Probing, ep: &Endpoint) -> ProbeOptions {
    ProbeOptions {
        connect: ep.connect.clone(),
        sni: ep.sni.clone(),
        timeout: p.timeout,
        client_identity: p.client_identity.clone(),
        proxies: p.proxies.clone(),
        reply_timeout: Some(p.reply_wait.min(p.timeout)),
        ..ProbeOptions::default()
    }
}

/// The probe, with a guard against the unforeseen (every wait inside is bounded
/// already); a handshake that ended without a certificate is no chain too.
async fn probe_bounded(target: &Target, popts: &ProbeOptions) -> Result<ProbeResult, ProbeError> {
    let guard = popts.timeout.saturating_mul(2) + Duration::from_secs(1);
    let shown = target.to_string();
    match tokio::time::timeout(guard, bars_net::probe(target, popts)).await {
        Ok(Ok(r)) if r.chain.is_empty() => Err(ProbeError::Io {
            target: shown,
            why: "the handshake ended without the server sending a certificate".into(),
        }),
        Ok(other) => other,
        Err(_) => Err(ProbeError::Timeout {
            target: shown,
            stage: bars_net::Stage::Handshake,
            after: guard,
        }),
    }
}

/// The no-chain outcome: the classified error, its message, and an analysis with no
/// certificates (`tls.old-protocol` for a server that speaks only TLS 1.0/1.1).
pub fn no_chain(error: ProbeError, decision: Option<EnvDecision>) -> NoChain {
    let mut findings = Vec::new();
    if let ProbeError::OldProtocol { seen, .. } = &error {
        findings.push(bars_checks::tls::OLD_PROTOCOL.finding(None, seen.clone()));
    }
    let env = decision.map(|d| d.env);
    NoChain {
        message: failure_message(&error, env),
        analysis: Analysis {
            environment: env,
            environment_source: decision.map_or(EnvSource::None, |d| d.source),
            certificates: Vec::new(),
            chains: Vec::new(),
            findings,
        },
        error,
    }
}

/// The one-line message for a probe that received no certificate. A BaRS Receiver that
/// times out or refuses is usually a firewall that does not let the proxy in: the
/// message then says which addresses it must allow.
fn failure_message(e: &ProbeError, env: Option<Environment>) -> String {
    let mut message = e.to_string();
    // Only when the TCP connection itself failed: a firewall that drops or rejects it.
    let firewall = matches!(
        e,
        ProbeError::Timeout {
            stage: bars_net::Stage::Connect,
            ..
        } | ProbeError::Refused { .. }
    );
    if let Some(env) = env.filter(|e| e.is_nhs() && firewall) {
        let addrs: Vec<String> = env
            .proxy_source_addresses()
            .iter()
            .map(|a| a.to_string())
            .collect();
        message.push_str(&format!(
            "; a BaRS {} Receiver's firewall must allow the proxy's addresses {}",
            env.as_str().to_uppercase(),
            addrs.join(" and ")
        ));
    }
    message
}

/// The sent certificates as checks input, and the lines for those that cannot be read.
fn sent_input(r: &ProbeResult) -> (CheckInput, Vec<String>) {
    let mut input = CheckInput::default();
    let mut problems = Vec::new();
    for (i, der) in r.chain.iter().enumerate() {
        match Certificate::from_der(der) {
            Ok(c) => input.certificates.push((c, Source::Sent)),
            Err(e) => problems.push(format!(
                "certificate #{i} sent by {} cannot be read ({e}); it was not checked",
                r.target
            )),
        }
    }
    (input, problems)
}

/// The TLS facts the checks judge.
fn tls_facts(r: &ProbeResult, audit: Option<&AuditResult>) -> TlsFacts {
    TlsFacts {
        version: r.tls_version,
        client_auth_requested: r.client_auth_requested,
        acceptable_client_cas: r.acceptable_client_cas_der.clone(),
        client_cert_sent: r.client_cert_sent,
        handshake_failure: r.handshake_error.as_ref().map(|h| HandshakeFacts {
            alert: h.alert,
            message: h.message.clone(),
        }),
        anonymous_let_in: bars_net::let_in_without_certificate(r),
        audit: audit.map(|a| AuditFacts {
            anonymous_accepted: accepted(&a.anonymous),
            foreign_accepted: accepted(&a.self_signed),
            others_accepted: a
                .extra
                .iter()
                .filter_map(|(what, o)| accepted(o).map(|how| (what.clone(), how)))
                .collect(),
        }),
    }
}

fn accepted(o: &AuditOutcome) -> Option<String> {
    match o {
        AuditOutcome::Accepted(how) => Some(how.clone()),
        _ => None,
    }
}

/// The rest of an endpoint's diagnosis once its certificates are analysed: the `tls.*`
/// findings, the TLS view and the notes.
fn finish(
    r: &ProbeResult,
    audit: Option<AuditResult>,
    opts: &Options,
    mut analysis: Analysis,
    unreadable: Vec<String>,
    online_notes: Vec<String>,
) -> Diagnosis {
    let found = bars_checks::tls_findings(&tls_facts(r, audit.as_ref()), &analysis, opts);
    analysis.extend_findings(found);
    let mut notes = connection_notes(r, opts);
    if let Some(a) = &audit {
        notes.push(format!(
            "mTLS audit, without a client certificate: {}",
            a.anonymous
        ));
        notes.push(format!(
            "mTLS audit, with a throwaway self-signed certificate: {}",
            a.self_signed
        ));
        for (what, o) in &a.extra {
            notes.push(format!("mTLS audit, with {what}: {o}"));
        }
    }
    notes.extend(online_notes);
    notes.extend(unreadable.iter().cloned());
    Diagnosis {
        analysis,
        tls: TlsView {
            version: r.tls_version.map(bars_net::version_name),
            cipher: r.cipher.clone(),
            alpn: r.alpn.clone(),
            client_auth_requested: r.client_auth_requested,
            acceptable_client_cas: r.acceptable_client_cas.clone(),
        },
        notes,
        problems: unreadable,
        warnings: Vec::new(),
        audit,
        sent: r.chain.clone(),
    }
}

/// Where the probe connected, what it presented and what the server answered.
fn connection_notes(r: &ProbeResult, opts: &Options) -> Vec<String> {
    let mut notes = Vec::new();
    let via = match (r.peer_addr, &r.sni) {
        (Some(a), Some(s)) => format!("Connected to {a} (SNI {s})"),
        (Some(a), None) => format!("Connected to {a} (no SNI)"),
        (None, Some(s)) => format!("Connected (SNI {s})"),
        (None, None) => "Connected (no SNI)".to_string(),
    };
    let n = r.chain.len();
    notes.push(format!(
        "{via} in {} ms; {n} certificate{} sent; name to cover: {}",
        r.elapsed_ms,
        if n == 1 { "" } else { "s" },
        opts.expect_fqdn.as_deref().unwrap_or("-")
    ));
    if r.client_cert_sent {
        notes.push("Presented the client certificate given.".into());
    } else if r.client_auth_requested {
        notes.push(
            "The server asked for a client certificate; none was presented \
             (give --pfx or --client-cert/--client-key to present one)."
                .into(),
        );
    }
    if let Some(PostHandshake::Response(line)) = &r.post_handshake {
        notes.push(format!("The server answered the request: {line}"));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receiver_behind_a_firewall_is_told_which_addresses_to_allow() {
        let e = ProbeError::Refused {
            target: "h:443".into(),
        };
        let m = failure_message(&e, Some(Environment::Int));
        assert!(m.contains("35.197.254.55 and 35.246.55.143"), "{m}");
        assert!(!failure_message(&e, Some(Environment::Public)).contains("proxy's addresses"));
        assert!(!failure_message(&e, None).contains("proxy's addresses"));
        // Connected, then no answer or a reset: not the firewall.
        for e in [
            ProbeError::Timeout {
                target: "h:443".into(),
                stage: bars_net::Stage::Handshake,
                after: Duration::from_secs(10),
            },
            ProbeError::Reset {
                target: "h:443".into(),
            },
        ] {
            let m = failure_message(&e, Some(Environment::Int));
            assert!(!m.contains("firewall must allow"), "{m}");
        }
        let e = ProbeError::Timeout {
            target: "h:443".into(),
            stage: bars_net::Stage::Connect,
            after: Duration::from_secs(10),
        };
        assert!(failure_message(&e, Some(Environment::Int)).contains("35.197.254.55"));
    }

    #[test]
    fn no_chain_keeps_the_decided_environment_and_old_protocols() {
        let d = Some(EnvDecision {
            env: Environment::Int,
            source: EnvSource::Fqdn,
        });
        let n = no_chain(
            ProbeError::OldProtocol {
                target: "h:443".into(),
                version: None,
                seen: "it chose TLSv1.0".into(),
            },
            d,
        );
        assert_eq!(n.analysis.environment, Some(Environment::Int));
        assert_eq!(n.analysis.environment_source, EnvSource::Fqdn);
        assert!(n.analysis.findings[0].is(&bars_checks::tls::OLD_PROTOCOL));
        let n = no_chain(
            ProbeError::Refused {
                target: "h:443".into(),
            },
            None,
        );
        assert_eq!(n.analysis.environment_source, EnvSource::None);
        assert!(n.analysis.findings.is_empty());
    }
}
