//! The TLS probe: one handshake that records what the server sent, and accepts it.
//!
//! Trust is judged later by the checks crate; here the server's chain is recorded exactly as
//! sent (even when the handshake fails afterwards) while the handshake signatures are still
//! verified with the aws-lc-rs provider.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant as TokioInstant;

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
    /// HTTP CONNECT proxy URL (`http://host:port`). When `None`, [`proxy_from_env`] is applied
    /// to `env_https_proxy`/`env_no_proxy`.
    pub proxy: Option<String>,
    /// Value of `HTTPS_PROXY`/`https_proxy` (see [`ProbeOptions::with_env`]).
    pub env_https_proxy: Option<String>,
    /// Value of `NO_PROXY`/`no_proxy`.
    pub env_no_proxy: Option<String>,
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
            proxy: None,
            env_https_proxy: None,
            env_no_proxy: None,
            alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            send_request: false,
            tls12_only: false,
            reply_timeout: None,
        }
    }
}

impl ProbeOptions {
    /// Fills `env_https_proxy`/`env_no_proxy` from the process environment
    /// (`HTTPS_PROXY` then `https_proxy`; `NO_PROXY` then `no_proxy`).
    pub fn with_env(mut self) -> Self {
        let get = |a: &str, b: &str| {
            std::env::var(a)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var(b).ok())
        };
        self.env_https_proxy = get("HTTPS_PROXY", "https_proxy");
        self.env_no_proxy = get("NO_PROXY", "no_proxy");
        self
    }
}

/// The proxy to use for `host`, given the values of `HTTPS_PROXY` and `NO_PROXY`.
///
/// `NO_PROXY` is a comma-separated list: `*` disables the proxy; an entry matches the host
/// exactly or as a domain suffix (`.nhs.uk` or `nhs.uk` both match `a.nhs.uk`); an IP entry
/// matches that IP. Ports in entries are ignored.
pub fn proxy_from_env(
    https_proxy: Option<&str>,
    no_proxy: Option<&str>,
    host: &str,
) -> Option<String> {
    let proxy = https_proxy.map(str::trim).filter(|p| !p.is_empty())?;
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some(np) = no_proxy {
        for entry in np.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                return None;
            }
            let entry = entry.trim_start_matches('[');
            let entry = match entry.split_once(']') {
                Some((inside, _)) => inside,
                None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(entry),
                None => entry,
            };
            let entry = entry
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if host == entry || host.ends_with(&format!(".{entry}")) {
                return None;
            }
        }
    }
    Some(proxy.to_string())
}

/// A handshake that failed after the server's chain was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeFailure {
    /// TLS alert name received from the server, if any (e.g. `unknown_ca`).
    pub alert: Option<String>,
    /// One plain sentence.
    pub message: String,
}

/// What the request sent after the handshake saw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PostHandshake {
    /// The server answered; the first line of its answer.
    Response(String),
    /// The server sent a TLS alert (name, e.g. `certificate_required`) instead of an answer.
    Alert(String),
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
        matches!(self, PostHandshake::Alert(a) if is_cert_alert(a))
    }
}

fn is_cert_alert(a: &str) -> bool {
    matches!(
        a,
        "certificate_required"
            | "bad_certificate"
            | "unknown_ca"
            | "certificate_unknown"
            | "unsupported_certificate"
            | "certificate_revoked"
            | "certificate_expired"
            | "access_denied"
            | "handshake_failure"
            | "decrypt_error"
    )
}

impl fmt::Display for PostHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostHandshake::Response(l) => write!(f, "the server answered: {l}"),
            PostHandshake::Alert(a) => {
                write!(f, "the server sent the TLS alert {a} instead of an answer")
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
    /// `TLSv1.3` or `TLSv1.2` when the handshake completed.
    pub tls_version: Option<String>,
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
    #[error("{target} ended the handshake with the TLS alert {description}: {meaning}")]
    Alert {
        /// host:port
        target: String,
        /// Alert name, e.g. `handshake_failure`.
        description: String,
        /// BaRS translation.
        meaning: String,
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
        /// The version the server chose (`TLSv1.0`, ...), when it chose one.
        version: Option<String>,
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
    /// `alert`, `closed`, `proxy`, `config`, `old-protocol` or `io`.
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeError::Dns { .. } => "dns",
            ProbeError::Refused { .. } => "refused",
            ProbeError::Timeout { .. } => "timeout",
            ProbeError::NotTls { .. } => "not-tls",
            ProbeError::Alert { .. } => "alert",
            ProbeError::ClosedMidHandshake { .. } => "closed",
            ProbeError::Proxy { .. } => "proxy",
            ProbeError::Config { .. } => "config",
            ProbeError::OldProtocol { .. } => "old-protocol",
            ProbeError::Io { .. } => "io",
        }
    }
}

/// Shared record of what the verifier and the client-cert resolver saw.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    /// Chain as sent.
    pub chain: Vec<Vec<u8>>,
    /// Stapled OCSP.
    pub ocsp: Option<Vec<u8>>,
    /// CertificateRequest seen.
    pub client_auth_requested: bool,
    /// Acceptable CA names (DER).
    pub acceptable_cas: Vec<Vec<u8>>,
    /// A client certificate was presented.
    pub client_cert_sent: bool,
    /// The server issued a TLS 1.3 session ticket (after accepting the client).
    pub tls13_ticket: bool,
}

type Shared = Arc<Mutex<Recorded>>;

/// A session store that stores nothing (every probe is a fresh handshake) but notes the
/// arrival of a TLS 1.3 session ticket.
#[derive(Debug)]
struct TicketWatch {
    rec: Shared,
    notify: Arc<tokio::sync::Notify>,
}

impl rustls::client::ClientSessionStore for TicketWatch {
    fn set_kx_hint(&self, _: ServerName<'static>, _: rustls::NamedGroup) {}
    fn kx_hint(&self, _: &ServerName<'_>) -> Option<rustls::NamedGroup> {
        None
    }
    fn set_tls12_session(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }
    fn tls12_session(&self, _: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        None
    }
    fn remove_tls12_session(&self, _: &ServerName<'static>) {}
    fn insert_tls13_ticket(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
        with_rec(&self.rec, |r| r.tls13_ticket = true);
        self.notify.notify_one();
    }
    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        None
    }
}

/// How long to keep waiting for an answer once the session ticket has arrived, when the
/// request only serves to catch a rejection ([`ProbeOptions::reply_timeout`]) ...
const AFTER_TICKET_QUICK: Duration = Duration::from_millis(250);
/// ... and when the answer itself matters (an HTTP-level refusal, as nginx gives).
const AFTER_TICKET: Duration = Duration::from_secs(2);

fn with_rec<R>(rec: &Shared, f: impl FnOnce(&mut Recorded) -> R) -> R {
    match rec.lock() {
        Ok(mut g) => f(&mut g),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

/// A `ServerCertVerifier` that records the chain and accepts it, but verifies handshake
/// signatures for real.
#[derive(Debug)]
pub struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
    rec: Shared,
}

impl RecordingVerifier {
    /// New verifier writing into `rec`.
    pub fn new(provider: Arc<CryptoProvider>, rec: Arc<Mutex<Recorded>>) -> Self {
        RecordingVerifier { provider, rec }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        with_rec(&self.rec, |r| {
            r.chain = std::iter::once(end_entity)
                .chain(intermediates.iter())
                .map(|c| c.as_ref().to_vec())
                .collect();
            r.ocsp = (!ocsp_response.is_empty()).then(|| ocsp_response.to_vec());
        });
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A `ResolvesClientCert` that records the CertificateRequest and presents the identity.
#[derive(Debug)]
pub struct RecordingResolver {
    key: Option<Arc<CertifiedKey>>,
    rec: Shared,
}

impl RecordingResolver {
    /// New resolver presenting `key` (if any) and writing into `rec`.
    pub fn new(key: Option<Arc<CertifiedKey>>, rec: Arc<Mutex<Recorded>>) -> Self {
        RecordingResolver { key, rec }
    }
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        with_rec(&self.rec, |r| {
            r.client_auth_requested = true;
            r.acceptable_cas = root_hint_subjects.iter().map(|s| s.to_vec()).collect();
            r.client_cert_sent = self.key.is_some();
        });
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        // Always true so that rustls consults us on every CertificateRequest.
        true
    }
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

fn hex_prefix(b: &[u8], n: usize) -> String {
    b.iter().take(n).map(|x| format!("{x:02x}")).collect()
}

/// TcpStream wrapper keeping a copy of the first bytes read.
///
/// A write that fails because the server already closed (broken pipe, reset) is reported as
/// written: the server's reason (a TLS alert) is usually waiting in the receive queue, and
/// the next read delivers it before the error, so rustls can report the alert.
struct RecordingStream {
    inner: TcpStream,
    first: Arc<Mutex<Vec<u8>>>,
}

/// Enough for a ServerHello with its extensions.
const KEEP_FIRST: usize = 512;

impl AsyncRead for RecordingStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let res = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = res {
            if let Ok(mut first) = this.first.lock() {
                if first.len() < KEEP_FIRST {
                    let fresh = buf.filled().get(before..).unwrap_or_default();
                    let take = (KEEP_FIRST - first.len()).min(fresh.len());
                    first.extend_from_slice(fresh.get(..take).unwrap_or_default());
                }
            }
        }
        res
    }
}

impl AsyncWrite for RecordingStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Err(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                ) =>
            {
                Poll::Ready(Ok(buf.len()))
            }
            other => other,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Blocking probe: builds a current-thread tokio runtime and runs [`probe_async`].
pub fn probe(target: &Target, opts: &ProbeOptions) -> Result<ProbeResult, ProbeError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ProbeError::Io {
            target: target.to_string(),
            why: format!("cannot start the runtime: {e}"),
        })?;
    rt.block_on(probe_async(target, opts))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// Builds the certified key for a client identity.
pub(crate) fn certified_key(
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

fn alert_name(a: &AlertDescription) -> String {
    let dbg = format!("{a:?}");
    // CamelCase → snake_case (rustls names: UnknownCA, CertificateRequired, ...).
    let mut out = String::new();
    let chars: Vec<char> = dbg.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && chars.get(i - 1).is_some_and(|p| p.is_ascii_lowercase());
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

fn alert_meaning(alert: &str, sent_client_cert: bool) -> String {
    match alert {
        "unknown_ca" if sent_client_cert => {
            "the Receiver does not trust the issuer of the client certificate you presented".into()
        }
        "certificate_required" | "handshake_failure" if !sent_client_cert => {
            "the Receiver insists on a client certificate".into()
        }
        "bad_certificate" | "certificate_unknown" | "unsupported_certificate" if sent_client_cert => {
            "the Receiver rejected the client certificate you presented".into()
        }
        "protocol_version" => "no TLS version in common (the server may only offer TLS 1.0/1.1)".into(),
        "handshake_failure" => {
            "no cipher suite or signature algorithm in common, or the client certificate was rejected".into()
        }
        "unrecognized_name" => "the server does not know the SNI name sent".into(),
        other => format!("the server refused the handshake ({other})"),
    }
}

fn describe_first_bytes(b: &[u8]) -> String {
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

fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// Async probe (see [`probe`]).
pub async fn probe_async(target: &Target, opts: &ProbeOptions) -> Result<ProbeResult, ProbeError> {
    let provider = provider();
    let client_key = match &opts.client_identity {
        Some(id) => Some(
            certified_key(id, &provider).map_err(|why| ProbeError::Config {
                target: target.to_string(),
                why,
            })?,
        ),
        None => None,
    };
    probe_with_key(target, opts, provider, client_key).await
}

pub(crate) async fn probe_with_key(
    target: &Target,
    opts: &ProbeOptions,
    provider: Arc<CryptoProvider>,
    client_key: Option<Arc<CertifiedKey>>,
) -> Result<ProbeResult, ProbeError> {
    let started = Instant::now();
    let deadline = TokioInstant::now() + opts.timeout;
    let tname = target.to_string();
    let timeout_err = |stage| ProbeError::Timeout {
        target: tname.clone(),
        stage,
        after: started.elapsed(),
    };

    // SNI / server name.
    let sni = match &opts.sni {
        Some(s) => Some(s.clone()),
        None if target.ip().is_none() => Some(target.host.clone()),
        None => None,
    };
    let server_name: ServerName<'static> = match &sni {
        Some(s) => ServerName::try_from(s.clone()).map_err(|_| ProbeError::Config {
            target: tname.clone(),
            why: format!("{s:?} is not a valid SNI name"),
        })?,
        None => match target.ip() {
            Some(ip) => ServerName::IpAddress(ip.into()),
            None => {
                return Err(ProbeError::Config {
                    target: tname.clone(),
                    why: "no server name".into(),
                })
            }
        },
    };

    // TLS config.
    let rec: Shared = Arc::new(Mutex::new(Recorded::default()));
    let versions: &[&rustls::SupportedProtocolVersion] = if opts.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| ProbeError::Config {
            target: tname.clone(),
            why: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordingVerifier::new(
            provider.clone(),
            rec.clone(),
        )))
        .with_client_cert_resolver(Arc::new(RecordingResolver::new(
            client_key.clone(),
            rec.clone(),
        )));
    config.alpn_protocols = opts.alpn.clone();
    config.enable_sni = sni.is_some();
    let ticket = Arc::new(tokio::sync::Notify::new());
    config.resumption = rustls::client::Resumption::store(Arc::new(TicketWatch {
        rec: rec.clone(),
        notify: ticket.clone(),
    }));
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));

    // Proxy decision.
    let proxy = match &opts.proxy {
        Some(p) => Some(p.clone()),
        None if opts.connect.is_none() => proxy_from_env(
            opts.env_https_proxy.as_deref(),
            opts.env_no_proxy.as_deref(),
            &target.host,
        ),
        None => None,
    };

    // TCP (or proxy tunnel).
    let (tcp, peer_addr) = match &proxy {
        Some(p) => {
            // Through the proxy, --connect names the address the proxy is asked to reach.
            let via = match &opts.connect {
                Some(c) => {
                    let (host, port) =
                        split_connect(c, target.port).ok_or_else(|| ProbeError::Config {
                            target: tname.clone(),
                            why: format!("{c:?} is not ADDR[:PORT]"),
                        })?;
                    Target { host, port }
                }
                None => target.clone(),
            };
            let (tcp, addr) = connect_via_proxy(&via, &tname, p, deadline, &timeout_err).await?;
            (tcp, Some(addr))
        }
        None => {
            let (host, port) = match &opts.connect {
                Some(c) => split_connect(c, target.port).ok_or_else(|| ProbeError::Config {
                    target: tname.clone(),
                    why: format!("{c:?} is not ADDR[:PORT]"),
                })?,
                None => (target.host.clone(), target.port),
            };
            let addrs = resolve(&host, port, deadline, &tname, &timeout_err).await?;
            let tcp = connect_any(&addrs, deadline, &tname, &timeout_err).await?;
            let addr = tcp.peer_addr().ok();
            (tcp, addr)
        }
    };

    let first = Arc::new(Mutex::new(Vec::new()));
    let stream = RecordingStream {
        inner: tcp,
        first: first.clone(),
    };
    let handshake = tokio::time::timeout_at(deadline, connector.connect(server_name, stream)).await;
    let snapshot = with_rec(&rec, |r| r.clone());
    let first_bytes = first.lock().map(|f| f.clone()).unwrap_or_default();
    // What the server chose, known even when the handshake fails later.
    let hello = crate::hello::parse_server_hello(&first_bytes);
    let base = |snap: &Recorded| ProbeResult {
        target: target.clone(),
        peer_addr,
        sni: sni.clone(),
        chain: snap.chain.clone(),
        tls_version: hello.map(|h| crate::hello::version_name(h.version)),
        cipher: hello.map(|h| crate::hello::cipher_name(h.cipher)),
        alpn: None,
        client_auth_requested: snap.client_auth_requested,
        acceptable_client_cas: snap.acceptable_cas.iter().map(|d| render_dn(d)).collect(),
        acceptable_client_cas_der: snap.acceptable_cas.clone(),
        client_cert_sent: snap.client_cert_sent,
        handshake_error: None,
        ocsp_stapled: snap.ocsp.clone(),
        post_handshake: None,
        elapsed_ms: 0,
    };
    let mut tls = match handshake {
        Err(_) => {
            if snapshot.chain.is_empty() {
                return Err(timeout_err(Stage::Handshake));
            }
            let mut r = base(&snapshot);
            r.handshake_error = Some(HandshakeFailure {
                alert: None,
                message: "the server stopped responding after sending its certificate".into(),
            });
            r.elapsed_ms = ms(started);
            return Ok(r);
        }
        Ok(Err(e)) => {
            let alert = match rustls_error(&e) {
                Some(rustls::Error::AlertReceived(a)) => Some(alert_name(a)),
                _ => None,
            };
            if snapshot.chain.is_empty() {
                return Err(classify_early(
                    &tname,
                    &e,
                    alert,
                    &first_bytes,
                    snapshot.client_cert_sent,
                ));
            }
            let mut r = base(&snapshot);
            let message = match &alert {
                Some(a) => format!(
                    "the server ended the handshake with the TLS alert {a}: {}",
                    alert_meaning(a, snapshot.client_cert_sent)
                ),
                None => format!(
                    "the handshake failed after the certificate arrived: {}",
                    plain_io(&e)
                ),
            };
            r.handshake_error = Some(HandshakeFailure { alert, message });
            r.elapsed_ms = ms(started);
            return Ok(r);
        }
        Ok(Ok(tls)) => tls,
    };

    let mut result = base(&with_rec(&rec, |r| r.clone()));
    {
        let (_, conn) = tls.get_ref();
        result.tls_version = conn.protocol_version().map(|v| match v {
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
            rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
            other => format!("{other:?}"),
        });
        result.cipher = conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()));
        result.alpn = conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned());
    }

    let asked = with_rec(&rec, |r| r.client_auth_requested);
    let tls13 = result.tls_version.as_deref() == Some("TLSv1.3");
    let quick = opts.reply_timeout.is_some();
    if (opts.send_request || client_key.is_some() || asked) && (tls13 || !quick) {
        let wait = match opts.reply_timeout {
            None => opts.timeout,
            Some(w) => w.max(started.elapsed().saturating_mul(2)).min(opts.timeout),
        };
        let read_deadline = TokioInstant::now() + wait;
        let host = sni.as_deref().unwrap_or(&target.host);
        let post = request_and_read(
            &mut tls,
            host,
            read_deadline,
            ticket.as_ref(),
            if quick {
                AFTER_TICKET_QUICK
            } else {
                AFTER_TICKET
            },
        )
        .await;
        // A TLS 1.3 CertificateRequest can only be seen in the handshake; refresh anyway.
        let snap = with_rec(&rec, |r| r.clone());
        result.client_cert_sent = snap.client_cert_sent;
        let post = match post {
            PostHandshake::NoReply if snap.tls13_ticket => PostHandshake::TicketOnly,
            other => other,
        };
        if let PostHandshake::Alert(a) = &post {
            if is_cert_alert(a) {
                result.handshake_error = Some(HandshakeFailure {
                    alert: Some(a.clone()),
                    message: format!(
                        "the server rejected the connection after the handshake with the TLS alert {a}: {}",
                        alert_meaning(a, snap.client_cert_sent)
                    ),
                });
            }
        }
        result.post_handshake = Some(post);
    }
    result.elapsed_ms = ms(started);
    Ok(result)
}

fn ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn plain_io(e: &io::Error) -> String {
    match rustls_error(e) {
        Some(r) => r.to_string(),
        None => e.to_string(),
    }
}

fn classify_early(
    tname: &str,
    e: &io::Error,
    alert: Option<String>,
    first: &[u8],
    sent_client_cert: bool,
) -> ProbeError {
    let target = tname.to_string();
    // A server that chose a version below TLS 1.2 (rustls refuses it), or that answered
    // our offer of TLS 1.2 and 1.3 with protocol_version.
    if let Some(h) = crate::hello::parse_server_hello(first).filter(|h| h.version < 0x0303) {
        let version = crate::hello::version_name(h.version);
        return ProbeError::OldProtocol {
            target,
            seen: format!("it chose {version}"),
            version: Some(version),
        };
    }
    if alert.as_deref() == Some("protocol_version") {
        return ProbeError::OldProtocol {
            target,
            version: None,
            seen: "it answered the offer of TLS 1.2 and 1.3 with the alert protocol_version \
                   (it probably speaks only TLS 1.0/1.1)"
                .into(),
        };
    }
    if let Some(description) = alert {
        let meaning = alert_meaning(&description, sent_client_cert);
        return ProbeError::Alert {
            target,
            description,
            meaning,
        };
    }
    let looks_tls =
        first.first().is_some_and(|b| (0x14..=0x18).contains(b)) && first.get(1) == Some(&3);
    match rustls_error(e) {
        Some(rustls::Error::InvalidMessage(_)) if !looks_tls && !first.is_empty() => {
            return ProbeError::NotTls {
                target,
                seen: describe_first_bytes(first),
            }
        }
        _ => {}
    }
    if !first.is_empty() && !looks_tls {
        return ProbeError::NotTls {
            target,
            seen: describe_first_bytes(first),
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
        Ok(Ok(bytes)) => {
            let line = String::from_utf8_lossy(&bytes)
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(120)
                .collect();
            PostHandshake::Response(line)
        }
        Ok(Err(e)) => match rustls_error(&e) {
            Some(rustls::Error::AlertReceived(a)) => PostHandshake::Alert(alert_name(a)),
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

fn split_connect(c: &str, default_port: u16) -> Option<(String, u16)> {
    let t = Target::parse(c).ok()?;
    let has_port = c.trim().ends_with(&format!(":{}", t.port));
    Some((t.host, if has_port { t.port } else { default_port }))
}

async fn resolve(
    host: &str,
    port: u16,
    deadline: TokioInstant,
    tname: &str,
    timeout_err: &impl Fn(Stage) -> ProbeError,
) -> Result<Vec<SocketAddr>, ProbeError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let lookup = tokio::net::lookup_host((host.to_string(), port));
    match tokio::time::timeout_at(deadline, lookup).await {
        Err(_) => Err(timeout_err(Stage::Dns)),
        Ok(Err(e)) => Err(ProbeError::Dns {
            target: tname.to_string(),
            why: e.to_string(),
        }),
        Ok(Ok(it)) => {
            let v: Vec<SocketAddr> = it.collect();
            if v.is_empty() {
                Err(ProbeError::Dns {
                    target: tname.to_string(),
                    why: "the name has no addresses".into(),
                })
            } else {
                Ok(v)
            }
        }
    }
}

async fn connect_any(
    addrs: &[SocketAddr],
    deadline: TokioInstant,
    tname: &str,
    timeout_err: &impl Fn(Stage) -> ProbeError,
) -> Result<TcpStream, ProbeError> {
    let mut last: Option<io::Error> = None;
    for a in addrs {
        match tokio::time::timeout_at(deadline, TcpStream::connect(a)).await {
            Err(_) => return Err(timeout_err(Stage::Connect)),
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Ok(Err(e)) => last = Some(e),
        }
    }
    match last {
        Some(e) if e.kind() == io::ErrorKind::ConnectionRefused => Err(ProbeError::Refused {
            target: tname.to_string(),
        }),
        Some(e) => Err(ProbeError::Io {
            target: tname.to_string(),
            why: format!("cannot connect: {e}"),
        }),
        None => Err(ProbeError::Dns {
            target: tname.to_string(),
            why: "no addresses".into(),
        }),
    }
}

async fn connect_via_proxy(
    via: &Target,
    tname: &str,
    proxy: &str,
    deadline: TokioInstant,
    timeout_err: &impl Fn(Stage) -> ProbeError,
) -> Result<(TcpStream, SocketAddr), ProbeError> {
    let authority = via.to_string();
    let perr = |why: String| ProbeError::Proxy {
        target: tname.to_string(),
        proxy: proxy.to_string(),
        why,
    };
    let rest = match proxy.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
        Some((scheme, _)) => {
            return Err(perr(format!(
                "only http:// proxies are supported, not {scheme}://"
            )))
        }
        None => proxy,
    };
    let hostport = rest.split('/').next().unwrap_or_default();
    let hostport = hostport.rsplit_once('@').map_or(hostport, |(_, h)| h);
    let (phost, pport) = match split_connect(hostport, 0) {
        Some((h, p)) if p != 0 => (h, p),
        Some((h, _)) => (h, 3128),
        None => return Err(perr("the proxy address is not HOST:PORT".into())),
    };
    let addrs = resolve(&phost, pport, deadline, tname, timeout_err)
        .await
        .map_err(|e| match e {
            ProbeError::Dns { why, .. } => perr(format!("cannot resolve the proxy: {why}")),
            other => other,
        })?;
    let mut tcp = connect_any(&addrs, deadline, tname, timeout_err)
        .await
        .map_err(|e| match e {
            ProbeError::Refused { .. } => perr("the proxy refused the connection".into()),
            ProbeError::Io { why, .. } => perr(why),
            other => other,
        })?;
    let paddr = tcp.peer_addr().map_err(|e| perr(e.to_string()))?;
    let req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
    let exchange = async {
        tcp.write_all(req.as_bytes()).await?;
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        // Byte by byte so no TLS bytes after the header are swallowed.
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 8192 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the proxy's answer header is too long",
                ));
            }
            let n = tcp.read(&mut byte).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the proxy closed the connection",
                ));
            }
            head.extend_from_slice(&byte);
        }
        Ok(head)
    };
    let head = match tokio::time::timeout_at(deadline, exchange).await {
        Err(_) => return Err(timeout_err(Stage::Connect)),
        Ok(Err(e)) => return Err(perr(e.to_string())),
        Ok(Ok(h)) => h,
    };
    let status_line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    if !code.starts_with('2') {
        return Err(perr(format!("the proxy answered {status_line:?}")));
    }
    Ok((tcp, paddr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names() {
        assert_eq!(alert_name(&AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(&AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(
            alert_name(&AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(
            alert_name(&AlertDescription::ProtocolVersion),
            "protocol_version"
        );
    }

    #[test]
    fn env_proxy() {
        assert_eq!(proxy_from_env(None, None, "a.nhs.uk"), None);
        assert_eq!(
            proxy_from_env(Some("http://p:3128"), None, "a.nhs.uk").as_deref(),
            Some("http://p:3128")
        );
        assert_eq!(
            proxy_from_env(Some("http://p:3128"), Some("*"), "a.nhs.uk"),
            None
        );
        assert_eq!(
            proxy_from_env(Some("http://p:3128"), Some("x.org, .nhs.uk"), "a.nhs.uk"),
            None
        );
        assert_eq!(
            proxy_from_env(Some("http://p:3128"), Some("nhs.uk"), "a.nhs.uk"),
            None
        );
        assert_eq!(
            proxy_from_env(Some("http://p:3128"), Some("nhs.uk:443"), "nhs.uk"),
            None
        );
        assert!(proxy_from_env(Some("http://p:3128"), Some("hs.uk"), "a.nhs.uk").is_some());
        assert_eq!(
            proxy_from_env(Some("http://p:3128"), Some("127.0.0.1"), "127.0.0.1"),
            None
        );
        assert_eq!(
            proxy_from_env(Some("http://p:3128"), Some("[::1]:8443"), "::1"),
            None
        );
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
