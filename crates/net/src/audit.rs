//! mTLS audit: extra handshakes with no client certificate, a throwaway self-signed one, and
//! any further identities, each followed by a request, to see what the server lets through.

use std::fmt;

use crate::failure::ProbeError;
use crate::probe::{probe, ClientIdentity, PostHandshake, ProbeOptions, ProbeResult};
use crate::target::Target;

/// What one audit handshake showed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditOutcome {
    /// The server answered the request (plain description).
    Accepted(String),
    /// The server refused the connection (reason).
    Rejected(String),
    /// Could not tell (reason).
    Inconclusive(String),
}

impl fmt::Display for AuditOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditOutcome::Accepted(s) => write!(f, "accepted: {s}"),
            AuditOutcome::Rejected(s) => write!(f, "rejected: {s}"),
            AuditOutcome::Inconclusive(s) => write!(f, "inconclusive: {s}"),
        }
    }
}

/// A labelled client identity to try (e.g. a look-alike NHS hierarchy).
#[derive(Debug, Clone)]
pub struct NamedIdentity {
    /// Short label used in reports.
    pub label: String,
    /// The identity.
    pub identity: ClientIdentity,
}

/// Results of the audit handshakes.
#[derive(Debug, Clone)]
pub struct AuditResult {
    /// No client certificate at all.
    pub anonymous: AuditOutcome,
    /// A throwaway self-signed certificate generated for this run.
    pub self_signed: AuditOutcome,
    /// One outcome per extra identity, in the order given.
    pub extra: Vec<(String, AuditOutcome)>,
}

/// The client certificates an audit presents besides none at all: a throwaway
/// self-signed one, and any others (a look-alike NHS hierarchy, …), each labelled.
#[derive(Debug, Clone)]
pub struct AuditIdentities {
    /// A throwaway self-signed certificate made for this run (`None`: it could not be
    /// made, and the reason).
    pub self_signed: Result<ClientIdentity, String>,
    /// More identities, tried in this order.
    pub others: Vec<NamedIdentity>,
}

/// Runs the audit handshakes against `target` with `opts` (whose client identity is
/// ignored): none, the throwaway self-signed certificate, then each other identity, each
/// followed by a request.
pub async fn audit(target: &Target, opts: &ProbeOptions, ids: &AuditIdentities) -> AuditResult {
    let anonymous = attempt(target, opts, None).await;
    let self_signed = match &ids.self_signed {
        Ok(id) => attempt(target, opts, Some(id.clone())).await,
        Err(why) => AuditOutcome::Inconclusive(why.clone()),
    };
    let mut extra = Vec::new();
    for n in &ids.others {
        extra.push((
            n.label.clone(),
            attempt(target, opts, Some(n.identity.clone())).await,
        ));
    }
    AuditResult {
        anonymous,
        self_signed,
        extra,
    }
}

async fn attempt(target: &Target, opts: &ProbeOptions, id: Option<ClientIdentity>) -> AuditOutcome {
    let mut o = opts.clone();
    o.client_identity = id;
    o.send_request = true;
    classify(probe(target, &o).await)
}

/// The status code of an HTTP status line (`HTTP/1.1 403 Forbidden` → 403).
fn http_status(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// How the server let `r` in when the probe presented no client certificate after a
/// CertificateRequest (`None`: it refused, did not ask, or it is unclear): the audit's
/// own judgement of an answer, applied to an ordinary probe.
pub fn let_in_without_certificate(r: &ProbeResult) -> Option<String> {
    if !r.client_auth_requested || r.client_cert_sent {
        return None;
    }
    match classify(Ok(r.clone())) {
        AuditOutcome::Accepted(how) => Some(how),
        _ => None,
    }
}

/// Turns one probe into an audit outcome.
pub(crate) fn classify(r: Result<ProbeResult, ProbeError>) -> AuditOutcome {
    let r = match r {
        Ok(r) => r,
        Err(ProbeError::Alert {
            description,
            meaning,
            ..
        }) => {
            return AuditOutcome::Rejected(format!(
                "TLS alert {} during the handshake ({meaning})",
                crate::failure::alert_name(description)
            ))
        }
        Err(e) => return AuditOutcome::Inconclusive(e.to_string()),
    };
    if let Some(h) = &r.handshake_error {
        return match &h.alert {
            Some(_) => AuditOutcome::Rejected(h.message.clone()),
            None => AuditOutcome::Inconclusive(h.message.clone()),
        };
    }
    let asked = if r.client_auth_requested {
        ""
    } else {
        " (the server never asked for a client certificate)"
    };
    match &r.post_handshake {
        Some(PostHandshake::Response(line)) => match http_status(line) {
            // Refused at the HTTP level: nginx answers a missing or failed client
            // certificate with 400 ("No required SSL certificate was sent", "The SSL
            // certificate error"; 495/496 in its logs) under `ssl_verify_client on`.
            Some(400 | 401 | 403 | 495 | 496) => AuditOutcome::Rejected(format!(
                "the TLS handshake completed but the server refused the request: {line:?}"
            )),
            _ => AuditOutcome::Accepted(format!("the server answered {line:?}{asked}")),
        },
        Some(p @ PostHandshake::Alert(_)) => AuditOutcome::Rejected(p.to_string()),
        Some(p @ PostHandshake::TicketOnly) => AuditOutcome::Accepted(format!("{p}{asked}")),
        // Under TLS 1.2 a refusal of the client is part of the handshake, which completed.
        Some(p @ PostHandshake::NoReply)
            if r.tls_version == Some(rustls::ProtocolVersion::TLSv1_2) =>
        {
            AuditOutcome::Accepted(format!(
                "the TLS 1.2 handshake completed (the server let the client in), then {p}{asked}"
            ))
        }
        Some(p @ PostHandshake::Closed) if r.client_auth_requested => {
            AuditOutcome::Inconclusive(format!("{p}; it may have rejected the client certificate"))
        }
        Some(p) => AuditOutcome::Inconclusive(p.to_string()),
        None => AuditOutcome::Inconclusive("no request was sent".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(line: &str, asked: bool) -> Result<ProbeResult, ProbeError> {
        Ok(ProbeResult {
            target: Target::parse("a.test").map_err(|e| ProbeError::Config {
                target: "a.test".into(),
                why: e.to_string(),
            })?,
            peer_addr: None,
            sni: None,
            chain: vec![vec![1]],
            tls_version: Some(rustls::ProtocolVersion::TLSv1_3),
            cipher: None,
            alpn: None,
            client_auth_requested: asked,
            acceptable_client_cas_der: Vec::new(),
            acceptable_client_cas: Vec::new(),
            client_cert_sent: false,
            handshake_error: None,
            ocsp_stapled: None,
            post_handshake: Some(PostHandshake::Response(line.into())),
            elapsed_ms: 0,
        })
    }

    #[test]
    fn http_answers_are_classified_by_status() {
        assert!(matches!(
            classify(answered("HTTP/1.1 200 OK", true)),
            AuditOutcome::Accepted(_)
        ));
        assert!(matches!(
            classify(answered("HTTP/1.1 404 Not Found", true)),
            AuditOutcome::Accepted(_)
        ));
        assert!(matches!(
            classify(answered("HTTP/1.1 403 Forbidden", true)),
            AuditOutcome::Rejected(_)
        ));
        for refusal in [
            "HTTP/1.1 400 Bad Request (400 No required SSL certificate was sent)",
            "HTTP/1.1 401 Unauthorized",
            "HTTP/1.1 495 SSL Certificate Error",
            "HTTP/1.1 496 SSL Certificate Required",
        ] {
            assert!(
                matches!(classify(answered(refusal, true)), AuditOutcome::Rejected(_)),
                "{refusal}"
            );
        }
        assert!(matches!(
            classify(answered("garbage", false)),
            AuditOutcome::Accepted(_)
        ));
        assert_eq!(http_status("HTTP/1.0 200 ok"), Some(200));
        assert_eq!(http_status("SSH-2.0"), None);
    }
}
