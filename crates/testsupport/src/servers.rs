//! Test servers on 127.0.0.1 for blocking tests: a TLS receiver (bars-net's, with a
//! chosen chain, client-certificate policy and stapled OCSP response), misbehaving peers,
//! and a fleet of many listeners for scans and benchmarks.
//!
//! Each runs on its own thread with its own tokio runtime, so it can be used from
//! blocking code; dropping the [`ServerHandle`] (or calling [`ServerHandle::shutdown`])
//! stops it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bars_net::receiver::{serve_connection, server_config};
pub use bars_net::receiver::{ClientAuthMode, ClientCas, ReceiverSpec as TlsServerSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Misbehaving peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hostile {
    /// Accept and never send anything.
    Silent,
    /// Send random-looking non-TLS bytes.
    Garbage,
    /// Answer with an HTTP response (plain HTTP on the port).
    HttpReply,
    /// Send an SSH banner.
    SshBanner,
    /// Read the ClientHello, then close the connection cleanly (FIN) without answering.
    ImmediateClose,
    /// Reset the connection (SO_LINGER 0, so an RST) as soon as it is accepted.
    Reset,
    /// Read the ClientHello, then reset the connection (an RST).
    ResetAfterHello,
    /// Answer the ClientHello with bytes that look like TLS records (handshake type,
    /// version 3.3) but whose length is past what TLS allows.
    TlsLookingGarbage,
    /// Read the ClientHello, then send a fatal TLS alert record with this description code
    /// (e.g. 40 handshake_failure).
    Alert(u8),
    /// Answer the ClientHello with a ServerHello choosing TLS 1.0 (a server that only
    /// speaks TLS 1.0 and ignores the client's supported_versions).
    Tls10ServerHello,
}

/// Why a test server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestServerError {
    /// Binding or runtime failure.
    #[error("cannot start the test server: {0}")]
    Io(String),
    /// The TLS configuration was rejected.
    #[error(transparent)]
    Tls(#[from] bars_net::receiver::ReceiverError),
}

/// Running server; stops when dropped.
#[derive(Debug)]
pub struct ServerHandle {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}

fn run_server<F, Fut>(per_conn: F) -> Result<(SocketAddr, ServerHandle), TestServerError>
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| TestServerError::Io(e.to_string()))?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| TestServerError::Io(e.to_string()))?;
    let addr = std_listener
        .local_addr()
        .map_err(|e| TestServerError::Io(e.to_string()))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| TestServerError::Io(e.to_string()))?;
    let (tx, mut rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(format!("bars-testserver-{}", addr.port()))
        .spawn(move || {
            rt.block_on(async move {
                let listener = match TcpListener::from_std(std_listener) {
                    Ok(l) => l,
                    Err(_) => return,
                };
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            if let Ok((tcp, _)) = acc {
                                tokio::spawn(per_conn(tcp));
                            }
                        }
                    }
                }
            });
        })
        .map_err(|e| TestServerError::Io(e.to_string()))?;
    Ok((
        addr,
        ServerHandle {
            stop: Some(tx),
            thread: Some(thread),
        },
    ))
}

/// Starts a TLS server on 127.0.0.1:0 that answers `HTTP/1.1 200 OK` to any request.
pub fn spawn_tls(spec: &TlsServerSpec) -> Result<(SocketAddr, ServerHandle), TestServerError> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(spec)?));
    run_server(move |tcp| serve_connection(acceptor.clone(), tcp))
}

/// Starts a misbehaving peer on 127.0.0.1:0.
pub fn spawn_hostile(kind: Hostile) -> Result<(SocketAddr, ServerHandle), TestServerError> {
    run_server(move |tcp| serve_hostile(kind, tcp))
}

/// What one fleet listener serves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FleetKind {
    /// A TLS server as [`spawn_tls`] starts.
    Tls(TlsServerSpec),
    /// A misbehaving peer as [`spawn_hostile`] starts.
    Hostile(Hostile),
}

/// Starts many listeners on 127.0.0.1 in one thread with one tokio runtime (`threads`
/// worker threads; 1 runs them all on the server's own thread): for each `(kind, count)`
/// group, `count` listeners sharing one TLS configuration. Returns the addresses group by
/// group. Dropping the handle stops every listener.
pub fn spawn_fleet(
    groups: &[(FleetKind, usize)],
    threads: usize,
) -> Result<(Vec<Vec<SocketAddr>>, ServerHandle), TestServerError> {
    let io = |e: std::io::Error| TestServerError::Io(e.to_string());
    let mut addrs = Vec::with_capacity(groups.len());
    let mut listeners = Vec::new();
    for (kind, count) in groups {
        let serve = match kind {
            FleetKind::Tls(spec) => Serve::Tls(tokio_rustls::TlsAcceptor::from(Arc::new(
                server_config(spec)?,
            ))),
            FleetKind::Hostile(h) => Serve::Hostile(*h),
        };
        let mut group = Vec::with_capacity(*count);
        for _ in 0..*count {
            let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(io)?;
            l.set_nonblocking(true).map_err(io)?;
            group.push(l.local_addr().map_err(io)?);
            listeners.push((l, serve.clone()));
        }
        addrs.push(group);
    }
    let rt = if threads > 1 {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .map_err(io)?;
    let (tx, rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("bars-testserver-fleet".into())
        .spawn(move || {
            rt.block_on(async move {
                for (std_listener, serve) in listeners {
                    let Ok(listener) = TcpListener::from_std(std_listener) else {
                        continue;
                    };
                    tokio::spawn(async move {
                        while let Ok((tcp, _)) = listener.accept().await {
                            match &serve {
                                Serve::Tls(a) => tokio::spawn(serve_connection(a.clone(), tcp)),
                                Serve::Hostile(h) => tokio::spawn(serve_hostile(*h, tcp)),
                            };
                        }
                    });
                }
                let _ = rx.await;
            });
            // Dropping the runtime here cancels every listener and connection.
        })
        .map_err(io)?;
    Ok((
        addrs,
        ServerHandle {
            stop: Some(tx),
            thread: Some(thread),
        },
    ))
}

#[derive(Clone)]
enum Serve {
    Tls(tokio_rustls::TlsAcceptor),
    Hostile(Hostile),
}

/// One connection to a misbehaving peer.
async fn serve_hostile(kind: Hostile, mut tcp: tokio::net::TcpStream) {
    match kind {
        Hostile::Silent => {
            let mut buf = [0u8; 1024];
            // Read and discard until the client gives up (bounded).
            let _ = tokio::time::timeout(Duration::from_secs(60), async {
                while let Ok(n) = tcp.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
        }
        Hostile::Garbage => {
            let _ = tcp
                .write_all(&[0x00, 0xde, 0xad, 0xbe, 0xef, 0x42, 0x99, 0x01, 0xff, 0x10])
                .await;
            linger(&mut tcp).await;
        }
        Hostile::HttpReply => {
            let _ = tcp
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            linger(&mut tcp).await;
        }
        Hostile::SshBanner => {
            let _ = tcp.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
            linger(&mut tcp).await;
        }
        Hostile::ImmediateClose => {
            read_hello(&mut tcp).await;
            let _ = tcp.shutdown().await;
            // Read until the client closes too, so that nothing unread turns the close
            // into a reset.
            let mut buf = [0u8; 1024];
            let _ = tokio::time::timeout(Duration::from_secs(5), async {
                while let Ok(n) = tcp.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
        }
        Hostile::Reset => reset(tcp),
        Hostile::ResetAfterHello => {
            read_hello(&mut tcp).await;
            reset(tcp);
        }
        Hostile::TlsLookingGarbage => {
            read_hello(&mut tcp).await;
            let mut junk = vec![0x16, 0x03, 0x03, 0xff, 0xf0];
            junk.extend((0..64u8).map(|i| i.wrapping_mul(37)));
            let _ = tcp.write_all(&junk).await;
            linger(&mut tcp).await;
        }
        Hostile::Tls10ServerHello => {
            let mut buf = [0u8; 2048];
            let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await;
            let _ = tcp.write_all(&tls10_server_hello()).await;
            linger(&mut tcp).await;
        }
        Hostile::Alert(code) => {
            read_hello(&mut tcp).await;
            // TLS record: alert (21), version 3.3, length 2, level fatal (2), description.
            let _ = tcp.write_all(&[21, 3, 3, 0, 2, 2, code]).await;
            linger(&mut tcp).await;
        }
    }
}

/// A TLS 1.0 ServerHello record (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, no extensions).
fn tls10_server_hello() -> Vec<u8> {
    let mut body = vec![3, 1];
    body.extend_from_slice(&[0x42; 32]); // random
    body.push(0); // no session id
    body.extend_from_slice(&[0xc0, 0x13, 0]); // cipher suite, null compression
    let len = u8::try_from(body.len()).unwrap_or(0);
    let mut hs = vec![2, 0, 0, len];
    hs.extend_from_slice(&body);
    let rlen = u8::try_from(hs.len()).unwrap_or(0);
    let mut rec = vec![22, 3, 1, 0, rlen];
    rec.extend_from_slice(&hs);
    rec
}

/// Reads what the client sends first (its ClientHello), for up to 5 s.
async fn read_hello(tcp: &mut tokio::net::TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await;
}

/// Closes with an RST: SO_LINGER 0, then drop.
fn reset(tcp: tokio::net::TcpStream) {
    let _ = tcp.set_zero_linger();
    drop(tcp);
}

async fn linger(tcp: &mut tokio::net::TcpStream) {
    // Let the client read what was sent before the socket closes.
    let mut buf = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_millis(500), tcp.read(&mut buf)).await;
    let _ = tcp.shutdown().await;
}
