//! Why a probe got no chain ([`ProbeError`], one class per cause) and the plain words for
//! TLS alerts and versions.

use std::fmt;
use std::io;
use std::time::Duration;

use rustls::{AlertDescription, ProtocolVersion};

/// Stage a timeout happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Name resolution.
    Dns,
    /// TCP connect (or proxy CONNECT).
    Connect,
    /// TLS handshake.
    Handshake,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Dns => "resolving the name",
            Stage::Connect => "connecting",
            Stage::Handshake => "the TLS handshake",
        })
    }
}

/// A probe that received no certificate chain.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// Name resolution failed.
    #[error("could not resolve {target}: {why}")]
    Dns {
        /// host:port
        target: String,
        /// Why.
        why: String,
    },
    /// TCP connection refused.
    #[error(
        "{target} refused the connection (nothing listens on that port, or a firewall rejects it)"
    )]
    Refused {
        /// host:port
        target: String,
    },
    /// Gave up waiting.
    #[error("{target} did not respond in time: gave up during {stage} after {after:.1?}")]
    Timeout {
        /// host:port
        target: String,
        /// Where.
        stage: Stage,
        /// Elapsed time.
        after: Duration,
    },
    /// The server does not speak TLS on that port.
    #[error("{target} does not speak TLS on that port: it sent {seen}")]
    NotTls {
        /// host:port
        target: String,
        /// What was seen ("an HTTP response", "an SSH banner", "plain text", or hex).
        seen: String,
    },
    /// The server sent a TLS alert before its certificate.
    #[error("{target} ended the handshake with the TLS alert {}: {meaning}", alert_name(*.description))]
    Alert {
        /// host:port
        target: String,
        /// The alert, e.g. `handshake_failure`.
        description: AlertDescription,
        /// BaRS translation.
        meaning: String,
    },
    /// The server (or something in front of it) reset the TCP connection before sending
    /// a single byte: ECONNRESET, or EPIPE on sending the ClientHello.
    #[error(
        "{target} accepted the TCP connection, then the server reset it before sending anything: \
         something on that port (a firewall, load balancer or TLS terminator) dropped the TLS \
         connection"
    )]
    Reset {
        /// host:port
        target: String,
    },
    /// The server closed the connection during the handshake.
    #[error(
        "{target} closed the connection during the TLS handshake, before sending a certificate"
    )]
    ClosedMidHandshake {
        /// host:port
        target: String,
    },
    /// The HTTP CONNECT proxy failed.
    #[error("could not reach {target} through the proxy {proxy}: {why}")]
    Proxy {
        /// host:port
        target: String,
        /// The proxy.
        proxy: String,
        /// Why.
        why: String,
    },
    /// A client identity or option was unusable.
    #[error("cannot probe {target}: {why}")]
    Config {
        /// host:port
        target: String,
        /// Why.
        why: String,
    },
    /// The server speaks only TLS versions below 1.2 (it chose one, or answered
    /// `protocol_version` to an offer of TLS 1.2 and 1.3).
    #[error("{target} does not speak TLS 1.2 or 1.3: {seen}; TLS 1.0 and 1.1 are deprecated (RFC 8996) and the BaRS proxy will not connect (tls.old-protocol)")]
    OldProtocol {
        /// host:port
        target: String,
        /// The version the server chose, when it chose one.
        version: Option<ProtocolVersion>,
        /// What the server did, in words.
        seen: String,
    },
    /// Other I/O or TLS error.
    #[error("probing {target} failed: {why}")]
    Io {
        /// host:port
        target: String,
        /// Why.
        why: String,
    },
}

impl ProbeError {
    /// A stable one-word class of the failure: `dns`, `refused`, `timeout`, `not-tls`,
    /// `alert`, `reset`, `closed`, `proxy`, `config`, `old-protocol` or `io`.
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeError::Dns { .. } => "dns",
            ProbeError::Refused { .. } => "refused",
            ProbeError::Timeout { .. } => "timeout",
            ProbeError::NotTls { .. } => "not-tls",
            ProbeError::Alert { .. } => "alert",
            ProbeError::Reset { .. } => "reset",
            ProbeError::ClosedMidHandshake { .. } => "closed",
            ProbeError::Proxy { .. } => "proxy",
            ProbeError::Config { .. } => "config",
            ProbeError::OldProtocol { .. } => "old-protocol",
            ProbeError::Io { .. } => "io",
        }
    }
}

/// The name of a TLS alert as RFC 8446 writes it: `unknown_ca`, `certificate_required`, ….
pub fn alert_name(a: AlertDescription) -> String {
    let Some(camel) = a.as_str() else {
        return format!("alert {}", u8::from(a));
    };
    // rustls names the variants in CamelCase (UnknownCA, CertificateRequired, ...).
    let mut out = String::with_capacity(camel.len() + 4);
    let mut prev_lower = false;
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase();
        }
    }
    out
}

/// The name of a TLS version as reports show it: `TLSv1.3`, `TLSv1.2`, `TLSv1.1`,
/// `TLSv1.0`, `SSLv3`, or the number in hex.
pub fn version_name(v: ProtocolVersion) -> String {
    match v {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        ProtocolVersion::TLSv1_1 => "TLSv1.1".into(),
        ProtocolVersion::TLSv1_0 => "TLSv1.0".into(),
        ProtocolVersion::SSLv3 => "SSLv3".into(),
        other => format!("0x{:04x}", u16::from(other)),
    }
}

/// What the probe knew when an alert arrived, to explain it by what was seen only.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AlertSeen<'a> {
    /// A client certificate was presented.
    pub(crate) sent_client_cert: bool,
    /// The server sent a CertificateRequest.
    pub(crate) cert_requested: bool,
    /// The server's ServerHello arrived before the alert.
    pub(crate) server_hello: bool,
    /// The SNI name sent, if any.
    pub(crate) sni: Option<&'a str>,
}

pub(crate) fn alert_meaning(alert: AlertDescription, seen: AlertSeen<'_>) -> String {
    use AlertDescription as A;
    let sent = seen.sent_client_cert;
    match alert {
        A::UnknownCA if sent => {
            "the Receiver does not trust the issuer of the client certificate you presented".into()
        }
        A::CertificateRequired if !sent => "the Receiver insists on a client certificate".into(),
        A::HandshakeFailure if !sent && seen.cert_requested => {
            "the Receiver asked for a client certificate and refuses a client without one".into()
        }
        A::BadCertificate | A::CertificateUnknown | A::UnsupportedCertificate if sent => {
            "the Receiver rejected the client certificate you presented".into()
        }
        A::ProtocolVersion => "no TLS version in common (the server may only offer TLS 1.0/1.1)".into(),
        A::HandshakeFailure if !seen.server_hello => {
            let sni = match seen.sni {
                Some(s) => format!("does not serve the SNI name sent ({s})"),
                None => "needs an SNI name and none was sent (give --sni NAME)".into(),
            };
            format!(
                "the server refused the ClientHello before answering it: it shares no protocol \
                 version (TLS 1.2 or 1.3) or cipher suite with this client, or it {sni}"
            )
        }
        A::HandshakeFailure if sent => {
            "no cipher suite or signature algorithm in common, or the client certificate was rejected".into()
        }
        A::HandshakeFailure => {
            "no signature algorithm or key exchange group in common with this client".into()
        }
        A::UnrecognisedName => "the server does not know the SNI name sent".into(),
        other => format!("the server refused the handshake ({})", alert_name(other)),
    }
}

pub(crate) fn describe_first_bytes(b: &[u8]) -> String {
    if b.starts_with(b"HTTP/") {
        "an HTTP response".into()
    } else if b.starts_with(b"SSH-") {
        "an SSH banner".into()
    } else if !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_graphic() || c.is_ascii_whitespace())
    {
        let text: String = String::from_utf8_lossy(b).chars().take(40).collect();
        format!("plain text ({:?})", text.trim())
    } else {
        format!("bytes that are not TLS (hex {})", hex_prefix(b, 16))
    }
}

pub(crate) fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// True for the alerts with which a server rejects a client certificate (or its absence).
pub(crate) fn is_cert_alert(a: AlertDescription) -> bool {
    matches!(
        a,
        AlertDescription::CertificateRequired
            | AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::AccessDenied
            | AlertDescription::HandshakeFailure
            | AlertDescription::DecryptError
    )
}

pub(crate) fn plain_io(e: &io::Error) -> String {
    match rustls_error(e) {
        Some(r) => r.to_string(),
        None => e.to_string(),
    }
}

/// Classifies a handshake that ended before any certificate arrived. `reset`: sending
/// the ClientHello failed with ECONNRESET or EPIPE.
pub(crate) fn classify_early(
    tname: &str,
    e: &io::Error,
    alert: Option<AlertDescription>,
    first: &[u8],
    seen: AlertSeen<'_>,
    reset: bool,
) -> ProbeError {
    let target = tname.to_string();
    // A server that chose a version below TLS 1.2 (rustls refuses it), or that answered
    // our offer of TLS 1.2 and 1.3 with protocol_version.
    if let Some(h) = crate::hello::parse_server_hello(first).filter(|h| h.version < 0x0303) {
        let version = ProtocolVersion::from(h.version);
        return ProbeError::OldProtocol {
            target,
            seen: format!("it chose {}", version_name(version)),
            version: Some(version),
        };
    }
    if alert == Some(AlertDescription::ProtocolVersion) {
        return ProbeError::OldProtocol {
            target,
            version: None,
            seen: "it answered the offer of TLS 1.2 and 1.3 with the alert protocol_version \
                   (it probably speaks only TLS 1.0/1.1)"
                .into(),
        };
    }
    if let Some(description) = alert {
        let seen = AlertSeen {
            server_hello: crate::hello::parse_server_hello(first).is_some(),
            ..seen
        };
        return ProbeError::Alert {
            target,
            description,
            meaning: alert_meaning(description, seen),
        };
    }
    // Nothing at all from the server, and the connection was reset (on sending the
    // ClientHello, or on reading the answer).
    let reset_kind = matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    );
    if first.is_empty() && (reset || reset_kind) {
        return ProbeError::Reset { target };
    }
    let looks_tls =
        first.first().is_some_and(|b| (0x14..=0x18).contains(b)) && first.get(1) == Some(&3);
    if !first.is_empty() && !looks_tls {
        return ProbeError::NotTls {
            target,
            seen: describe_first_bytes(first),
        };
    }
    // Records with a TLS header whose contents are not TLS (a length past the limit, a
    // message that does not decode), before any ServerHello.
    let garbled = matches!(
        rustls_error(e),
        Some(
            rustls::Error::InvalidMessage(_)
                | rustls::Error::InappropriateMessage { .. }
                | rustls::Error::InappropriateHandshakeMessage { .. }
        )
    );
    if garbled && crate::hello::parse_server_hello(first).is_none() {
        return ProbeError::NotTls {
            target,
            seen: format!(
                "bytes that look like TLS records but do not decode as TLS (hex {}; {})",
                hex_prefix(first, 16),
                plain_io(e)
            ),
        };
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => ProbeError::ClosedMidHandshake { target },
        _ => ProbeError::Io {
            target,
            why: plain_io(e),
        },
    }
}

pub(crate) fn hex_prefix(b: &[u8], n: usize) -> String {
    b.iter().take(n).map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names() {
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(
            alert_name(AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(
            alert_name(AlertDescription::ProtocolVersion),
            "protocol_version"
        );
        assert_eq!(
            alert_name(AlertDescription::UnrecognisedName),
            "unrecognised_name"
        );
        assert_eq!(version_name(ProtocolVersion::TLSv1_0), "TLSv1.0");
        assert_eq!(version_name(ProtocolVersion::from(0x0305)), "0x0305");
    }

    #[test]
    fn first_bytes() {
        assert_eq!(
            describe_first_bytes(b"HTTP/1.1 400 Bad"),
            "an HTTP response"
        );
        assert_eq!(describe_first_bytes(b"SSH-2.0-OpenSSH"), "an SSH banner");
        assert!(describe_first_bytes(b"220 smtp ready").starts_with("plain text"));
        assert!(describe_first_bytes(&[0, 1, 0xff]).contains("0001ff"));
    }
}
