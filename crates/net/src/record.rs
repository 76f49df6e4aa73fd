//! What one handshake saw: a server-certificate verifier that records the chain exactly
//! as sent (and accepts it: trust is judged later by the checks crate) while still
//! verifying handshake signatures; a client-certificate resolver that records the
//! CertificateRequest; a session store that notes a TLS 1.3 ticket; and a stream that
//! keeps the first bytes the server sent (its ServerHello, or whatever it is instead).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Shared record of what the verifier and the client-cert resolver saw.
#[derive(Debug, Default, Clone)]
pub(crate) struct Recorded {
    /// Chain as sent.
    pub(crate) chain: Vec<Vec<u8>>,
    /// Stapled OCSP.
    pub(crate) ocsp: Option<Vec<u8>>,
    /// CertificateRequest seen.
    pub(crate) client_auth_requested: bool,
    /// Acceptable CA names (DER).
    pub(crate) acceptable_cas: Vec<Vec<u8>>,
    /// A client certificate was presented.
    pub(crate) client_cert_sent: bool,
    /// The server issued a TLS 1.3 session ticket (after accepting the client).
    pub(crate) tls13_ticket: bool,
}

pub(crate) type Shared = Arc<Mutex<Recorded>>;

/// A session store that stores nothing (every probe is a fresh handshake) but notes the
/// arrival of a TLS 1.3 session ticket.
#[derive(Debug)]
pub(crate) struct TicketWatch {
    pub(crate) rec: Shared,
    pub(crate) notify: Arc<tokio::sync::Notify>,
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

pub(crate) fn with_rec<R>(rec: &Shared, f: impl FnOnce(&mut Recorded) -> R) -> R {
    match rec.lock() {
        Ok(mut g) => f(&mut g),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

/// A `ServerCertVerifier` that records the chain and accepts it, but verifies handshake
/// signatures for real.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
    rec: Shared,
}

impl RecordingVerifier {
    /// New verifier writing into `rec`.
    pub(crate) fn new(provider: Arc<CryptoProvider>, rec: Shared) -> Self {
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
pub(crate) struct RecordingResolver {
    key: Option<Arc<CertifiedKey>>,
    rec: Shared,
}

impl RecordingResolver {
    /// New resolver presenting `key` (if any) and writing into `rec`.
    pub(crate) fn new(key: Option<Arc<CertifiedKey>>, rec: Shared) -> Self {
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

/// TcpStream wrapper keeping a copy of the first bytes read.
///
/// A write that fails because the server already closed (broken pipe, reset) is reported as
/// written: the server's reason (a TLS alert) is usually waiting in the receive queue, and
/// the next read delivers it before the error, so rustls can report the alert. The failure
/// is noted in `reset` (the read after it may only see the end of the stream).
pub(crate) struct RecordingStream {
    pub(crate) inner: TcpStream,
    pub(crate) first: Arc<Mutex<Vec<u8>>>,
    pub(crate) reset: Arc<AtomicBool>,
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
                this.reset.store(true, Ordering::Relaxed);
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
