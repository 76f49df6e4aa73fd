//! Which HTTP CONNECT proxy a connection goes through, and the tunnel itself.
//!
//! One set of rules for the probe and for downloads: hyper-util's proxy matcher (the one
//! reqwest uses), reading `HTTPS_PROXY`/`ALL_PROXY` and `NO_PROXY` as curl does, or an
//! explicit proxy URL that applies to every target whatever `NO_PROXY` says. Credentials
//! in the proxy URL (`http://user:password@proxy:3128`) are sent up front as
//! `Proxy-Authorization: Basic`; the CONNECT exchange is hyper-util's tunnel.

use std::error::Error as StdError;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::target::Target;

/// Why a proxy URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// Not an `http://HOST[:PORT]` URL.
    #[error("the proxy {0:?} is not an http://[USER:PASSWORD@]HOST[:PORT] URL")]
    Url(String),
    /// A scheme other than `http://` (the tunnel to the proxy is plain TCP).
    #[error("only http:// proxies are supported, not {0}://")]
    Scheme(String),
}

/// The proxy rules of a run (cheap to clone: share one across endpoints).
#[derive(Clone, Default)]
pub struct Proxies {
    rules: Rules,
}

#[derive(Clone, Default)]
enum Rules {
    /// Connect directly.
    #[default]
    Direct,
    /// `HTTPS_PROXY`/`ALL_PROXY` and `NO_PROXY`, except for connections to an address
    /// given with `--connect` ("connect here directly").
    Env(Arc<Matcher>),
    /// `--proxy URL`: every target, whatever `NO_PROXY` says; asked for the `--connect`
    /// address when one is given.
    Explicit {
        shown: String,
        url: String,
        via: Intercept,
    },
}

impl std::fmt::Debug for Proxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the credentials.
        match &self.rules {
            Rules::Direct => f.write_str("Proxies::Direct"),
            Rules::Env(m) => write!(f, "Proxies::Env({m:?})"),
            Rules::Explicit { shown, .. } => write!(f, "Proxies::Explicit({shown})"),
        }
    }
}

/// Where a connection goes when it is tunnelled.
#[derive(Clone)]
pub(crate) struct Route {
    /// The proxy, as shown in messages (no credentials).
    pub(crate) shown: String,
    /// What to CONNECT to, `host:port`.
    pub(crate) authority: Target,
    via: Intercept,
}

impl Proxies {
    /// No proxy at all.
    pub fn direct() -> Proxies {
        Proxies::default()
    }

    /// `HTTPS_PROXY` (or `https_proxy`, `ALL_PROXY`) and `NO_PROXY` from the process
    /// environment, read now.
    pub fn from_env() -> Proxies {
        Proxies {
            rules: Rules::Env(Arc::new(Matcher::from_env())),
        }
    }

    /// An explicit proxy, `http://[USER:PASSWORD@]HOST[:PORT]` (port 3128 when none is
    /// given), for every target whatever `NO_PROXY` says.
    pub fn explicit(url: &str) -> Result<Proxies, ProxyError> {
        let url = url.trim();
        let scheme = url.split_once("://").map(|(s, _)| s);
        if let Some(s) = scheme.filter(|s| !s.eq_ignore_ascii_case("http")) {
            return Err(ProxyError::Scheme(s.to_string()));
        }
        let with_scheme = if scheme.is_some() {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        let authority = with_scheme
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
            .unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let has_port =
            Target::parse(host_port).is_ok_and(|t| host_port.ends_with(&format!(":{}", t.port)));
        let with_port = if has_port || host_port.is_empty() {
            with_scheme.clone()
        } else {
            with_scheme.replacen(host_port, &format!("{host_port}:3128"), 1)
        };
        let matcher = Matcher::builder()
            .http(with_port.clone())
            .https(with_port.clone())
            .build();
        let probe_uri = http::Uri::from_static("https://example.invalid/");
        let via = matcher
            .intercept(&probe_uri)
            .filter(|i| i.uri().host().is_some())
            .ok_or_else(|| ProxyError::Url(shown_url(url)))?;
        Ok(Proxies {
            rules: Rules::Explicit {
                shown: shown_url(url),
                url: with_port,
                via,
            },
        })
    }

    /// True when no proxy can apply.
    pub fn is_direct(&self) -> bool {
        matches!(self.rules, Rules::Direct)
    }

    /// The explicit proxy URL as given (credentials included), for a download client
    /// that must use the same proxy; `None` when the rules come from the environment or
    /// there is no proxy.
    pub fn explicit_url(&self) -> Option<&str> {
        match &self.rules {
            Rules::Explicit { url, .. } => Some(url),
            _ => None,
        }
    }

    /// The tunnel for `target`, or `None` to connect directly. `connect` is the address
    /// given with `--connect`: the environment's proxy never applies to it, an explicit
    /// proxy is asked for it instead of the target.
    pub(crate) fn route(&self, target: &Target, connect: Option<&Target>) -> Option<Route> {
        match &self.rules {
            Rules::Direct => None,
            Rules::Env(_) if connect.is_some() => None,
            Rules::Env(m) => {
                let host = match target.ip() {
                    Some(std::net::IpAddr::V6(v6)) => format!("[{v6}]"),
                    _ => target.host.clone(),
                };
                let uri: http::Uri = format!("https://{host}:{}/", target.port).parse().ok()?;
                let via = m.intercept(&uri)?;
                Some(Route {
                    shown: shown_uri(via.uri()),
                    authority: target.clone(),
                    via,
                })
            }
            Rules::Explicit { shown, via, .. } => Some(Route {
                shown: shown.clone(),
                authority: connect.cloned().unwrap_or_else(|| target.clone()),
                via: via.clone(),
            }),
        }
    }
}

/// A proxy URL without its credentials.
fn shown_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) if !host.contains('/') || host.find('/') > rest.find('@') => {
                format!("{scheme}://{host}")
            }
            _ => url.to_string(),
        },
        None => url.rsplit_once('@').map_or(url, |(_, h)| h).to_string(),
    }
}

fn shown_uri(uri: &http::Uri) -> String {
    match uri.authority() {
        Some(a) => format!("http://{a}"),
        None => uri.to_string(),
    }
}

/// Why the tunnel failed: the proxy could not be reached (the inner failure), or it
/// refused or botched the CONNECT.
#[derive(Debug)]
pub(crate) enum TunnelFailure<E> {
    /// Reaching the proxy failed.
    Reach(E),
    /// The CONNECT exchange failed (plain words).
    Connect(String),
}

/// Opens a TCP connection to the proxy of `route` with `reach` (which bounds its own
/// wait), then asks it to CONNECT to the route's authority. Returns the tunnelled stream
/// and the proxy's address.
pub(crate) async fn tunnel<E, F, Fut>(
    route: &Route,
    reach: F,
) -> Result<(TcpStream, Option<SocketAddr>), TunnelFailure<E>>
where
    E: StdError + Clone + Send + Sync + 'static,
    F: FnOnce(String, u16) -> Fut + Send + 'static,
    Fut: Future<Output = Result<TcpStream, E>> + Send + 'static,
{
    let proxy_uri = route.via.uri().clone();
    let host = proxy_uri
        .host()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_string();
    let port = proxy_uri.port_u16().unwrap_or(3128);
    let connector = Reach {
        once: Some((host, port, reach)),
    };
    let mut tunnel = Tunnel::new(proxy_uri, connector);
    if let Some(auth) = route.via.basic_auth() {
        tunnel = tunnel.with_auth(auth.clone());
    }
    let a = &route.authority;
    let dst_host = match a.ip() {
        Some(std::net::IpAddr::V6(v6)) => format!("[{v6}]"),
        _ => a.host.clone(),
    };
    let dst: http::Uri = format!("https://{dst_host}:{}/", a.port)
        .parse()
        .map_err(|e: http::uri::InvalidUri| TunnelFailure::Connect(e.to_string()))?;
    match tunnel.call(dst).await {
        Ok(io) => {
            let tcp = io.into_inner();
            let addr = tcp.peer_addr().ok();
            Ok((tcp, addr))
        }
        Err(e) => Err(tunnel_failure::<E>(&e)),
    }
}

/// Classifies hyper-util's tunnel error (whose type it does not export): the reach
/// failure it wraps, or the CONNECT exchange's failure in plain words.
fn tunnel_failure<E: StdError + Clone + Send + Sync + 'static>(
    e: &(dyn StdError + 'static),
) -> TunnelFailure<E> {
    let mut cause = e.source();
    while let Some(c) = cause {
        if let Some(ReachError::Inner(inner)) = c.downcast_ref::<ReachError<E>>() {
            return TunnelFailure::Reach(inner.clone());
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return TunnelFailure::Connect(io.to_string());
        }
        cause = c.source();
    }
    let text = e.to_string();
    TunnelFailure::Connect(if text.contains("authorization required") {
        "the proxy answered 407: it needs credentials (give them in the proxy URL, \
         http://USER:PASSWORD@HOST:PORT), or refused the ones given"
            .into()
    } else if text.contains("unsuccessful") {
        "the proxy refused to open the tunnel (CONNECT)".into()
    } else if text.contains("end of file") {
        "the proxy closed the connection".into()
    } else if text.contains("too long") {
        "the proxy's answer header is too long".into()
    } else {
        text
    })
}

/// A connector that reaches the proxy once, with the caller's bounded connect.
struct Reach<F> {
    once: Option<(String, u16, F)>,
}

type Reaching<E> = Pin<Box<dyn Future<Output = Result<TokioIo<TcpStream>, ReachError<E>>> + Send>>;

/// The caller's error, or a second use of the one-shot connector.
#[derive(Debug)]
enum ReachError<E> {
    Inner(E),
    Used,
}

impl<E: StdError> std::fmt::Display for ReachError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReachError::Inner(e) => std::fmt::Display::fmt(e, f),
            ReachError::Used => f.write_str("the proxy connection was already used"),
        }
    }
}

impl<E: StdError + 'static> StdError for ReachError<E> {}

impl<E, F, Fut> Service<http::Uri> for Reach<F>
where
    E: StdError + Send + Sync + 'static,
    F: FnOnce(String, u16) -> Fut + Send + 'static,
    Fut: Future<Output = Result<TcpStream, E>> + Send + 'static,
{
    type Response = TokioIo<TcpStream>;
    type Error = ReachError<E>;
    type Future = Reaching<E>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _proxy: http::Uri) -> Self::Future {
        match self.once.take() {
            Some((host, port, reach)) => Box::pin(async move {
                reach(host, port)
                    .await
                    .map(TokioIo::new)
                    .map_err(ReachError::Inner)
            }),
            None => Box::pin(async { Err(ReachError::Used) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn explicit_proxies_apply_to_every_target_and_keep_credentials_out_of_sight() {
        let p = Proxies::explicit("http://user:pa%20ss@proxy.test:8080").unwrap();
        let r = p.route(&t("a.nhs.uk:443"), None).unwrap();
        assert_eq!(r.shown, "http://proxy.test:8080");
        assert_eq!(r.authority, t("a.nhs.uk:443"));
        assert_eq!(
            r.via.basic_auth().map(|h| h.to_str().unwrap().to_string()),
            Some("Basic dXNlcjpwYSBzcw==".to_string())
        );
        assert!(!format!("{p:?}").contains("user"));
        // --connect: the proxy is asked for that address.
        let r = p
            .route(&t("a.nhs.uk:443"), Some(&t("10.0.0.5:8443")))
            .unwrap();
        assert_eq!(r.authority, t("10.0.0.5:8443"));
        // A bare host:port, and the default port.
        let r = Proxies::explicit("proxy.test").unwrap();
        let r = r.route(&t("a.nhs.uk"), None).unwrap();
        assert_eq!(r.via.uri().port_u16(), Some(3128));
        assert!(r.via.basic_auth().is_none());
    }

    #[test]
    fn bad_proxies_are_refused() {
        assert_eq!(
            Proxies::explicit("socks5://p:1080").unwrap_err(),
            ProxyError::Scheme("socks5".into())
        );
        assert!(Proxies::explicit("http://").is_err());
    }

    #[test]
    fn env_rules_follow_no_proxy_and_never_apply_to_connect() {
        let m = Matcher::builder()
            .https("http://p:3128")
            .no("x.org, .nhs.uk, 127.0.0.1")
            .build();
        let p = Proxies {
            rules: Rules::Env(Arc::new(m)),
        };
        assert!(p.route(&t("a.nhs.uk"), None).is_none());
        assert!(p.route(&t("nhs.uk"), None).is_none());
        assert!(p.route(&t("127.0.0.1:8443"), None).is_none());
        assert!(p.route(&t("hs.uk"), None).is_some());
        assert!(p.route(&t("a.example"), Some(&t("10.0.0.1"))).is_none());
        let all = Proxies {
            rules: Rules::Env(Arc::new(
                Matcher::builder().https("http://p:3128").no("*").build(),
            )),
        };
        assert!(all.route(&t("a.nhs.uk"), None).is_none());
        assert!(Proxies::direct().route(&t("a.nhs.uk"), None).is_none());
    }
}
