//! An in-process TLS receiver on 127.0.0.1: it sends a chosen chain exactly as given
//! (and a stapled OCSP response, if any), asks for a client certificate or not, and
//! answers `HTTP/1.1 200 OK` to a request. `demo` probes one with a planted fault; the
//! test support crate runs them on threads of their own.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::aws_lc_rs;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{DistinguishedName, RootCertStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Client-certificate policy of a receiver.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientAuthMode {
    /// Never send a CertificateRequest.
    None,
    /// Request a client certificate; accept connections without one.
    Optional(ClientCas),
    /// Require a client certificate issued under one of the roots.
    Required(ClientCas),
}

/// Roots trusted for client certificates and the CA names advertised.
#[derive(Debug, Clone, Default)]
pub struct ClientCas {
    /// Trusted roots, DER.
    pub roots: Vec<Vec<u8>>,
    /// CA names (DER `Name`s) advertised in the CertificateRequest; `None` advertises the
    /// roots' subjects, `Some(vec![])` advertises none.
    pub advertise: Option<Vec<Vec<u8>>>,
}

/// What a receiver serves.
#[derive(Debug, Clone)]
pub struct ReceiverSpec {
    /// Chain sent exactly as given (DER, in this order).
    pub chain: Vec<Vec<u8>>,
    /// PKCS#8 key of the first certificate, DER.
    pub key_pkcs8: Vec<u8>,
    /// Client-certificate policy.
    pub client_auth: ClientAuthMode,
    /// Offer TLS 1.2 only (default: 1.2 and 1.3).
    pub tls12_only: bool,
    /// An OCSP response (DER) to staple, as sent whatever it says.
    pub ocsp: Option<Vec<u8>>,
}

impl ReceiverSpec {
    /// Serves `chain` with `key_pkcs8`, TLS 1.2 and 1.3, no stapled response.
    pub fn new(chain: Vec<Vec<u8>>, key_pkcs8: Vec<u8>, client_auth: ClientAuthMode) -> Self {
        ReceiverSpec {
            chain,
            key_pkcs8,
            client_auth,
            tls12_only: false,
            ocsp: None,
        }
    }
}

/// Why a receiver could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiverError {
    /// Binding failed.
    #[error("cannot start the receiver: {0}")]
    Io(String),
    /// The TLS configuration was rejected.
    #[error("the receiver's TLS configuration is unusable: {0}")]
    Tls(String),
}

/// A running receiver: it stops when this is dropped (or [`Receiver::stop`] is called).
#[derive(Debug)]
pub struct Receiver {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver on 127.0.0.1 (a free port) as a task of the current tokio
    /// runtime.
    pub async fn start(spec: &ReceiverSpec) -> Result<Receiver, ReceiverError> {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(spec)?));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| ReceiverError::Io(e.to_string()))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ReceiverError::Io(e.to_string()))?;
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(serve_connection(acceptor.clone(), tcp));
            }
        });
        Ok(Receiver { addr, task })
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections.
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The rustls configuration serving `spec`.
pub fn server_config(spec: &ReceiverSpec) -> Result<rustls::ServerConfig, ReceiverError> {
    let provider = Arc::new(aws_lc_rs::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if spec.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| ReceiverError::Tls(e.to_string()))?;
    let builder = match &spec.client_auth {
        ClientAuthMode::None => builder.with_no_client_auth(),
        ClientAuthMode::Optional(cas) | ClientAuthMode::Required(cas) => {
            let mut roots = RootCertStore::empty();
            for r in &cas.roots {
                roots
                    .add(CertificateDer::from(r.clone()))
                    .map_err(|e| ReceiverError::Tls(e.to_string()))?;
            }
            let mut vb =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
            if let Some(names) = &cas.advertise {
                vb = vb.clear_root_hint_subjects().add_root_hint_subjects(
                    names.iter().map(|n| DistinguishedName::from(n.clone())),
                );
            }
            if matches!(spec.client_auth, ClientAuthMode::Optional(_)) {
                vb = vb.allow_unauthenticated();
            }
            let verifier = vb.build().map_err(|e| ReceiverError::Tls(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let chain = spec
        .chain
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(spec.key_pkcs8.clone()));
    let mut cfg = builder
        .with_single_cert_with_ocsp(chain, key, spec.ocsp.clone().unwrap_or_default())
        .map_err(|e| ReceiverError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

/// Serves one TLS connection: handshake, read a request, answer `200 OK`, close (30 s at most).
pub async fn serve_connection(acceptor: tokio_rustls::TlsAcceptor, tcp: tokio::net::TcpStream) {
    let serve = async {
        let mut tls = acceptor.accept(tcp).await.ok()?;
        let mut req = Vec::new();
        let mut buf = [0u8; 1024];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < 16384 {
            let n = tls.read(&mut buf).await.ok()?;
            if n == 0 {
                break;
            }
            req.extend_from_slice(buf.get(..n)?);
        }
        let _ = tls
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
        let _ = tls.shutdown().await;
        Some(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(30), serve).await;
}
