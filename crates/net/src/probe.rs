//! The TLS probe: one handshake that records what the server sent, and accepts it.
//!
//! Trust is judged later by the checks crate; here the server's chain is recorded exactly as
//! sent (even when the handshake fails afterwards) while the handshake signatures are still
//! verified with the aws-lc-rs provider.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, ProtocolVersion};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant as TokioInstant;

use crate::connect::Dial;
use crate::failure::{
    alert_meaning, alert_name, classify_early, hex_prefix, is_cert_alert, plain_io, rustls_error,
    AlertSeen, ProbeError, Stage,
};
use crate::proxy::Proxies;
use crate::record::{
    with_rec, Recorded, RecordingResolver, RecordingStream, RecordingVerifier, Shared, TicketWatch,
};
use crate::target::Target;

/// A client certificate chain (DER, leaf first) and its PKCS#8 private key (DER).
#[derive(Clone)]
pub struct ClientIdentity {
    /// Certificates, leaf first, DER.
    pub chain: Vec<Vec<u8>>,
    /// PKCS#8 private key, DER.
    pub key_pkcs8: Vec<u8>,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("chain_len", &self.chain.len())
            .field("key_pkcs8", &"<redacted>")
            .finish()
    }
}

/// How to probe.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// `ADDR[:PORT]` to connect to instead of resolving the target's host (port defaults to
    /// the target's).
    pub connect: Option<String>,
    /// SNI name to send; by default the host if it is a DNS name (no SNI for IP literals).
    pub sni: Option<String>,
    /// Bound on DNS + connect + handshake together (and, separately, the request read).
    pub timeout: Duration,
    /// Client certificate to present if the server asks for one.
    pub client_identity: Option<ClientIdentity>,
    /// The HTTP CONNECT proxy rules ([`Proxies::direct`] unless set).
    pub proxies: Proxies,
    /// ALPN protocols to offer (default `h2`, `http/1.1`).
    pub alpn: Vec<Vec<u8>>,
    /// Send `GET /` after the handshake and read the answer (always done when a client
    /// identity is given or the server asked for a client certificate, since TLS 1.3
    /// rejections of client certificates arrive on that first read).
    pub send_request: bool,
    /// Restrict to TLS 1.2 only (for tests and diagnosis); default both 1.2 and 1.3.
    pub tls12_only: bool,
    /// `None`: after the handshake, wait up to `timeout` for the answer to the request.
    /// `Some(wait)`: the request only serves to catch a TLS 1.3 rejection of the client
    /// certificate, which arrives about one round trip after the handshake. It is then
    /// skipped under TLS 1.2 (where a rejection is part of the handshake), and under TLS
    /// 1.3 the wait lasts `wait` (never less than twice the handshake's duration, never
    /// more than `timeout`) and ends soon after the server issues a session ticket, which
    /// it does only once it has accepted the client.
    pub reply_timeout: Option<Duration>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            connect: None,
            sni: None,
            timeout: Duration::from_secs(10),
            client_identity: None,
            proxies: Proxies::direct(),
            alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            send_request: false,
            tls12_only: false,
            reply_timeout: None,
        }
    }
}

/// A handshake that failed after the server's chain was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeFailure {
    /// TLS alert received from the server, if any (e.g. `unknown_ca`).
    pub alert: Option<AlertDescription>,
    /// One plain sentence.
    pub message: String,
}

/// What the request sent after the handshake saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PostHandshake {
    /// The server answered; the first line of its answer.
    Response(String),
    /// The server sent a TLS alert (e.g. `certificate_required`) instead of an answer.
    Alert(AlertDescription),
    /// The server closed the connection without answering.
    Closed,
    /// Nothing arrived before the timeout.
    NoReply,
    /// No answer, but the server issued a TLS 1.3 session ticket, which it does only once
    /// it has accepted the client (certificate or none).
    TicketOnly,
    /// Another error (plain message).
    Error(String),
}

impl PostHandshake {
    /// True when the alert is one that rejects the client certificate.
    pub fn is_client_cert_rejection(&self) -> bool {
        matches!(self, PostHandshake::Alert(a) if is_cert_alert(*a))
    }
}

impl fmt::Display for PostHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostHandshake::Response(l) => write!(f, "the server answered: {l}"),
            PostHandshake::Alert(a) => {
                write!(
                    f,
                    "the server sent the TLS alert {} instead of an answer",
                    alert_name(*a)
                )
            }
            PostHandshake::Closed => {
                write!(f, "the server closed the connection without answering")
            }
            PostHandshake::NoReply => write!(f, "no answer arrived before the timeout"),
            PostHandshake::TicketOnly => write!(
                f,
                "the server completed the handshake and issued a session ticket (accepting the \
                 client) but did not answer the request"
            ),
            PostHandshake::Error(e) => write!(f, "reading the answer failed: {e}"),
        }
    }
}

/// Everything one probe saw.
#[derive(Debug, Clone)]
pub struct ProbeResult {
    /// What was probed.
    pub target: Target,
    /// The address actually connected to (the proxy's when a proxy was used).
    pub peer_addr: Option<SocketAddr>,
    /// SNI sent, if any.
    pub sni: Option<String>,
    /// The server's certificates exactly as sent, in order, DER.
    pub chain: Vec<Vec<u8>>,
    /// The version the server chose (from its ServerHello, so also known when the
    /// handshake failed afterwards).
    pub tls_version: Option<ProtocolVersion>,
    /// Cipher suite as rustls names it (IANA), e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: Option<String>,
    /// ALPN protocol agreed.
    pub alpn: Option<String>,
    /// Whether the server sent a CertificateRequest.
    pub client_auth_requested: bool,
    /// Acceptable client CA names as sent (DER `Name`s).
    pub acceptable_client_cas_der: Vec<Vec<u8>>,
    /// Acceptable client CA names rendered (RFC 4514).
    pub acceptable_client_cas: Vec<String>,
    /// Whether we presented a client certificate.
    pub client_cert_sent: bool,
    /// Set when the handshake failed after the chain arrived.
    pub handshake_error: Option<HandshakeFailure>,
    /// Stapled OCSP response, if any.
    pub ocsp_stapled: Option<Vec<u8>>,
    /// What the request after the handshake saw (when one was sent).
    pub post_handshake: Option<PostHandshake>,
    /// Wall time of the whole probe, ms.
    pub elapsed_ms: u64,
}

/// Renders a DER `Name` as RFC 4514, falling back to x509-parser's rendering, then hex.
pub fn render_dn(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::x509::X509Name::from_der(der) {
        Ok((_, name)) => {
            let s = bars_model::dn_to_rfc4514(&name);
            if s.is_empty() {
                name.to_string()
            } else {
                s
            }
        }
        Err(_) => format!("(undecodable name, DER {})", hex_prefix(der, 64)),
    }
}

/// How long to keep waiting for an answer once the session ticket has arrived, when the
/// request only serves to catch a rejection ([`ProbeOptions::reply_timeout`]) ...
const AFTER_TICKET_QUICK: Duration = Duration::from_millis(250);
/// ... and when the answer itself matters (an HTTP-level refusal, as nginx gives).
const AFTER_TICKET: Duration = Duration::from_secs(2);

fn provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// Builds the certified key for a client identity.
fn certified_key(
    id: &ClientIdentity,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>, String> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_pkcs8.clone()));
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("the client private key cannot be used: {e}"))?;
    if id.chain.is_empty() {
        return Err("the client identity has no certificate".into());
    }
    let chain = id
        .chain
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    Ok(Arc::new(CertifiedKey::new(chain, signing)))
}

/// The SNI to send: `opts.sni`, else the host when it is a DNS name (none for an IP
/// address); and the name rustls verifies against (the IP address without SNI).
fn server_name(
    target: &Target,
    opts: &ProbeOptions,
    dial: &Dial,
) -> Result<(Option<String>, ServerName<'static>), ProbeError> {
    let config = |why: String| ProbeError::Config {
        target: dial.tname.clone(),
        why,
    };
    let sni = match &opts.sni {
        Some(s) => Some(s.clone()),
        None if target.ip().is_none() => Some(target.host.clone()),
        None => None,
    };
    let name = match (&sni, target.ip()) {
        (Some(s), _) => ServerName::try_from(s.clone())
            .map_err(|_| config(format!("{s:?} is not a valid SNI name")))?,
        (None, Some(ip)) => ServerName::IpAddress(ip.into()),
        (None, None) => return Err(config("no server name".into())),
    };
    Ok((sni, name))
}

/// What the handshake records into, and the notice of a TLS 1.3 session ticket.
struct Recorder {
    rec: Shared,
    ticket: Arc<tokio::sync::Notify>,
}

impl Recorder {
    fn snapshot(&self) -> Recorded {
        with_rec(&self.rec, |r| r.clone())
    }
}

/// The client configuration of one probe: the versions asked for, the recording
/// verifier and resolver, ALPN, SNI on or off, and a session store that notes tickets.
fn connector(
    opts: &ProbeOptions,
    with_sni: bool,
    client_key: Option<Arc<CertifiedKey>>,
    dial: &Dial,
) -> Result<(tokio_rustls::TlsConnector, Recorder), ProbeError> {
    let provider = provider();
    let rec: Shared = Arc::new(Mutex::new(Recorded::default()));
    let versions: &[&rustls::SupportedProtocolVersion] = if opts.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| ProbeError::Config {
            target: dial.tname.clone(),
            why: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordingVerifier::new(provider, rec.clone())))
        .with_client_cert_resolver(Arc::new(RecordingResolver::new(client_key, rec.clone())));
    config.alpn_protocols = opts.alpn.clone();
    config.enable_sni = with_sni;
    let ticket = Arc::new(tokio::sync::Notify::new());
    config.resumption = rustls::client::Resumption::store(Arc::new(TicketWatch {
        rec: rec.clone(),
        notify: ticket.clone(),
    }));
    Ok((
        tokio_rustls::TlsConnector::from(Arc::new(config)),
        Recorder { rec, ticket },
    ))
}

/// Probes `target`: connects (directly or through the proxy), shakes hands once with the
/// recording verifier, and, when a client certificate is involved, sends a request and
/// reads the answer (see [`ProbeOptions::reply_timeout`]). `Err` only when no certificate
/// arrived; a handshake that failed after the chain arrived is an `Ok` result with
/// [`ProbeResult::handshake_error`] set.
pub async fn probe(target: &Target, opts: &ProbeOptions) -> Result<ProbeResult, ProbeError> {
    let started = Instant::now();
    let dial = Dial {
        tname: target.to_string(),
        started,
        deadline: TokioInstant::now() + opts.timeout,
    };
    let client_key = match &opts.client_identity {
        Some(id) => Some(
            certified_key(id, &provider()).map_err(|why| ProbeError::Config {
                target: dial.tname.clone(),
                why,
            })?,
        ),
        None => None,
    };
    let (sni, server_name) = server_name(target, opts, &dial)?;
    let (connector, recorder) = connector(opts, sni.is_some(), client_key.clone(), &dial)?;
    let (tcp, peer_addr) = dial.open(target, opts).await?;

    let first = Arc::new(Mutex::new(Vec::new()));
    let reset = Arc::new(AtomicBool::new(false));
    let stream = RecordingStream {
        inner: tcp,
        first: first.clone(),
        reset: reset.clone(),
    };
    let handshake =
        tokio::time::timeout_at(dial.deadline, connector.connect(server_name, stream)).await;
    let seen = Seen {
        target,
        peer_addr,
        sni: sni.clone(),
        first: first.lock().map(|f| f.clone()).unwrap_or_default(),
        reset: reset.load(Ordering::Relaxed),
        started,
    };
    let mut tls = match handshake {
        Err(_) => return seen.stalled(&recorder.snapshot(), &dial),
        Ok(Err(e)) => return seen.failed(&recorder.snapshot(), &e, &dial),
        Ok(Ok(tls)) => tls,
    };
    let mut result = seen.result(&recorder.snapshot());
    {
        let (_, conn) = tls.get_ref();
        result.tls_version = conn.protocol_version();
        result.cipher = conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()));
        result.alpn = conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned());
    }
    let asked = recorder.snapshot().client_auth_requested;
    let tls13 = result.tls_version == Some(ProtocolVersion::TLSv1_3);
    let quick = opts.reply_timeout.is_some();
    // Under TLS 1.2 a quick probe skips the request, except when it was asked for a client
    // certificate and presented none: only the answer tells whether it was let in (nginx
    // completes the handshake and answers 400 under `ssl_verify_client on`).
    let anonymous = asked && !recorder.snapshot().client_cert_sent;
    if (opts.send_request || client_key.is_some() || asked) && (tls13 || !quick || anonymous) {
        let wait = match opts.reply_timeout {
            None => opts.timeout,
            Some(w) => w.max(started.elapsed().saturating_mul(2)).min(opts.timeout),
        };
        let host = sni.as_deref().unwrap_or(&target.host);
        let after_ticket = if quick {
            AFTER_TICKET_QUICK
        } else {
            AFTER_TICKET
        };
        let post = request_and_read(
            &mut tls,
            host,
            TokioInstant::now() + wait,
            &recorder.ticket,
            after_ticket,
        )
        .await;
        record_answer(&mut result, post, &recorder.snapshot());
    }
    result.elapsed_ms = ms(started);
    Ok(result)
}

/// What the request after the handshake saw, into the result: a TLS 1.3 ticket without
/// an answer means the client was let in; a certificate alert is a failed handshake.
fn record_answer(result: &mut ProbeResult, post: PostHandshake, snap: &Recorded) {
    // A TLS 1.3 CertificateRequest can only be seen in the handshake; refresh anyway.
    result.client_cert_sent = snap.client_cert_sent;
    let post = match post {
        PostHandshake::NoReply if snap.tls13_ticket => PostHandshake::TicketOnly,
        other => other,
    };
    if let PostHandshake::Alert(a) = post {
        if is_cert_alert(a) {
            result.handshake_error = Some(HandshakeFailure {
                alert: Some(a),
                message: format!(
                    "the server rejected the connection after the handshake with the TLS alert {}: {}",
                    alert_name(a),
                    alert_meaning(
                        a,
                        AlertSeen {
                            sent_client_cert: snap.client_cert_sent,
                            cert_requested: snap.client_auth_requested,
                            server_hello: true,
                            sni: result.sni.as_deref(),
                        }
                    )
                ),
            });
        }
    }
    result.post_handshake = Some(post);
}

/// What is known of a handshake whatever its end: where it went and the first bytes the
/// server sent (its ServerHello, so the version and cipher it chose).
struct Seen<'a> {
    target: &'a Target,
    peer_addr: Option<SocketAddr>,
    sni: Option<String>,
    first: Vec<u8>,
    /// Sending to the server failed with ECONNRESET or EPIPE.
    reset: bool,
    started: Instant,
}

impl Seen<'_> {
    /// What was seen of the handshake, for explaining an alert.
    fn alert_seen(&self, snap: &Recorded) -> AlertSeen<'_> {
        AlertSeen {
            sent_client_cert: snap.client_cert_sent,
            cert_requested: snap.client_auth_requested,
            server_hello: crate::hello::parse_server_hello(&self.first).is_some(),
            sni: self.sni.as_deref(),
        }
    }

    fn result(&self, snap: &Recorded) -> ProbeResult {
        let hello = crate::hello::parse_server_hello(&self.first);
        ProbeResult {
            target: self.target.clone(),
            peer_addr: self.peer_addr,
            sni: self.sni.clone(),
            chain: snap.chain.clone(),
            tls_version: hello.map(|h| ProtocolVersion::from(h.version)),
            cipher: hello.map(|h| crate::hello::cipher_name(h.cipher)),
            alpn: None,
            client_auth_requested: snap.client_auth_requested,
            acceptable_client_cas: snap.acceptable_cas.iter().map(|d| render_dn(d)).collect(),
            acceptable_client_cas_der: snap.acceptable_cas.clone(),
            client_cert_sent: snap.client_cert_sent,
            handshake_error: None,
            ocsp_stapled: snap.ocsp.clone(),
            post_handshake: None,
            elapsed_ms: ms(self.started),
        }
    }

    /// The deadline passed during the handshake.
    fn stalled(&self, snap: &Recorded, dial: &Dial) -> Result<ProbeResult, ProbeError> {
        if snap.chain.is_empty() {
            return Err(dial.timeout(Stage::Handshake));
        }
        let mut r = self.result(snap);
        r.handshake_error = Some(HandshakeFailure {
            alert: None,
            message: "the server stopped responding after sending its certificate".into(),
        });
        Ok(r)
    }

    /// The handshake failed: no chain is a classified error; a chain received is a
    /// result saying why the handshake failed after it.
    fn failed(
        &self,
        snap: &Recorded,
        e: &std::io::Error,
        dial: &Dial,
    ) -> Result<ProbeResult, ProbeError> {
        let alert = match rustls_error(e) {
            Some(rustls::Error::AlertReceived(a)) => Some(*a),
            _ => None,
        };
        if snap.chain.is_empty() {
            return Err(classify_early(
                &dial.tname,
                e,
                alert,
                &self.first,
                self.alert_seen(snap),
                self.reset,
            ));
        }
        let mut r = self.result(snap);
        let message = match alert {
            Some(a) => format!(
                "the server ended the handshake with the TLS alert {}: {}",
                alert_name(a),
                alert_meaning(a, self.alert_seen(snap))
            ),
            None => format!(
                "the handshake failed after the certificate arrived: {}",
                plain_io(e)
            ),
        };
        r.handshake_error = Some(HandshakeFailure { alert, message });
        Ok(r)
    }
}

fn ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Sends `GET /` and reads the first answer (or alert) until `deadline`; with `ticket`,
/// gives up `after_ticket` after the server issued a session ticket.
async fn request_and_read<S>(
    tls: &mut tokio_rustls::client::TlsStream<S>,
    host: &str,
    deadline: TokioInstant,
    ticket: &tokio::sync::Notify,
    after_ticket: Duration,
) -> PostHandshake
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // GET rather than HEAD: some servers (openssl s_server -www) answer only GET.
    let req = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bars-certcheck\r\nConnection: close\r\n\r\n"
    );
    let io = async {
        // A failed write is not final: the server's alert may already be waiting to be read.
        if tls.write_all(req.as_bytes()).await.is_ok() {
            let _ = tls.flush().await;
        }
        let mut buf = vec![0u8; 4096];
        let n = tls.read(&mut buf).await?;
        Ok::<_, io::Error>(buf.get(..n).map(<[u8]>::to_vec).unwrap_or_default())
    };
    let accepted = async {
        ticket.notified().await;
        tokio::time::sleep(after_ticket).await;
    };
    let outcome = tokio::select! {
        r = tokio::time::timeout_at(deadline, io) => r,
        _ = tokio::time::timeout_at(deadline, accepted) => return PostHandshake::TicketOnly,
    };
    match outcome {
        Err(_) => PostHandshake::NoReply,
        Ok(Ok(bytes)) if bytes.is_empty() => PostHandshake::Closed,
        Ok(Ok(bytes)) => PostHandshake::Response(answer_line(&bytes)),
        Ok(Err(e)) => match rustls_error(&e) {
            Some(rustls::Error::AlertReceived(a)) => PostHandshake::Alert(*a),
            _ if matches!(
                e.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
            ) =>
            {
                PostHandshake::Closed
            }
            _ => PostHandshake::Error(plain_io(&e)),
        },
    }
}

/// The first line of an answer, with the title of its HTML body when it has one (nginx
/// says why it answered 400 only there: "400 No required SSL certificate was sent").
fn answer_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut line: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect();
    let title = text
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(t, _)| t.trim())
        .filter(|t| !t.is_empty() && !line.contains(*t));
    if let Some(t) = title {
        let t: String = t.chars().take(80).collect();
        line.push_str(&format!(" ({t})"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_line_carries_the_title_nginx_explains_itself_in() {
        let nginx = b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>";
        assert_eq!(
            answer_line(nginx),
            "HTTP/1.1 400 Bad Request (400 No required SSL certificate was sent)"
        );
        assert_eq!(answer_line(b"HTTP/1.1 200 OK\r\n\r\nok"), "HTTP/1.1 200 OK");
        assert_eq!(answer_line(b""), "");
    }
}
