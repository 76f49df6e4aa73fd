//! The TCP connection of a probe: name resolution, connect, or the proxy tunnel, all
//! within the probe's one deadline, each failure classified.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use tokio::net::TcpStream;
use tokio::time::Instant as TokioInstant;

use crate::failure::{ProbeError, Stage};
use crate::probe::ProbeOptions;
use crate::proxy::TunnelFailure;
use crate::target::Target;

/// One probe's connection attempt: its name (for errors), start and deadline.
#[derive(Clone, Debug)]
pub(crate) struct Dial {
    /// `host:port` as shown.
    pub(crate) tname: String,
    /// When the probe started.
    pub(crate) started: Instant,
    /// DNS, connect and handshake together end here.
    pub(crate) deadline: TokioInstant,
}

impl Dial {
    /// Gave up during `stage`.
    pub(crate) fn timeout(&self, stage: Stage) -> ProbeError {
        ProbeError::Timeout {
            target: self.tname.clone(),
            stage,
            after: self.started.elapsed(),
        }
    }

    fn config(&self, why: String) -> ProbeError {
        ProbeError::Config {
            target: self.tname.clone(),
            why,
        }
    }

    /// The TCP stream to the server (directly, or through the proxy `opts.proxies`
    /// names for it) and the address actually connected to.
    pub(crate) async fn open(
        &self,
        target: &Target,
        opts: &ProbeOptions,
    ) -> Result<(TcpStream, Option<SocketAddr>), ProbeError> {
        let connect = match &opts.connect {
            Some(c) => Some(
                split_connect(c, target.port)
                    .ok_or_else(|| self.config(format!("{c:?} is not ADDR[:PORT]")))?,
            ),
            None => None,
        };
        if let Some(route) = opts.proxies.route(target, connect.as_ref()) {
            let dial = self.clone();
            let tunnel = crate::proxy::tunnel(&route, move |h, p| dial.reach(h, p));
            let perr = |why: String| ProbeError::Proxy {
                target: self.tname.clone(),
                proxy: route.shown.clone(),
                why,
            };
            return match tokio::time::timeout_at(self.deadline, tunnel).await {
                Err(_) => Err(self.timeout(Stage::Connect)),
                Ok(Ok(done)) => Ok(done),
                Ok(Err(TunnelFailure::Connect(why))) => Err(perr(why)),
                Ok(Err(TunnelFailure::Reach(e))) => Err(match e {
                    ProbeError::Dns { why, .. } => perr(format!("cannot resolve the proxy: {why}")),
                    ProbeError::Refused { .. } => perr("the proxy refused the connection".into()),
                    ProbeError::Io { why, .. } => perr(why),
                    other => other,
                }),
            };
        }
        let dest = connect.unwrap_or_else(|| target.clone());
        let tcp = self.clone().reach(dest.host, dest.port).await?;
        let addr = tcp.peer_addr().ok();
        Ok((tcp, addr))
    }

    /// Resolves `host` and connects to the first address that answers.
    pub(crate) async fn reach(self, host: String, port: u16) -> Result<TcpStream, ProbeError> {
        let addrs = self.resolve(&host, port).await?;
        self.connect_any(&addrs).await
    }

    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, ProbeError> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let dns = |why: String| ProbeError::Dns {
            target: self.tname.clone(),
            why,
        };
        let lookup = tokio::net::lookup_host((host.to_string(), port));
        match tokio::time::timeout_at(self.deadline, lookup).await {
            Err(_) => Err(self.timeout(Stage::Dns)),
            Ok(Err(e)) => Err(dns(e.to_string())),
            Ok(Ok(it)) => {
                let v: Vec<SocketAddr> = it.collect();
                if v.is_empty() {
                    Err(dns("the name has no addresses".into()))
                } else {
                    Ok(v)
                }
            }
        }
    }

    async fn connect_any(&self, addrs: &[SocketAddr]) -> Result<TcpStream, ProbeError> {
        let mut last: Option<io::Error> = None;
        for a in addrs {
            match tokio::time::timeout_at(self.deadline, TcpStream::connect(a)).await {
                Err(_) => return Err(self.timeout(Stage::Connect)),
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Ok(Err(e)) => last = Some(e),
            }
        }
        let target = self.tname.clone();
        Err(match last {
            Some(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                ProbeError::Refused { target }
            }
            // Accepted, then reset before the connect call returned.
            Some(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                ) =>
            {
                ProbeError::Reset { target }
            }
            Some(e) => ProbeError::Io {
                target,
                why: format!("cannot connect: {e}"),
            },
            None => ProbeError::Dns {
                target,
                why: "no addresses".into(),
            },
        })
    }
}

/// `ADDR[:PORT]` (the port defaults to `default_port`).
pub(crate) fn split_connect(c: &str, default_port: u16) -> Option<Target> {
    let t = Target::parse(c).ok()?;
    let has_port = c.trim().ends_with(&format!(":{}", t.port));
    Some(Target {
        port: if has_port { t.port } else { default_port },
        host: t.host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_addresses_take_the_target_port_by_default() {
        let t = split_connect("10.0.0.5", 8443).unwrap_or_else(|| panic!("parses"));
        assert_eq!((t.host.as_str(), t.port), ("10.0.0.5", 8443));
        let t = split_connect("10.0.0.5:9443", 8443).unwrap_or_else(|| panic!("parses"));
        assert_eq!(t.port, 9443);
        let t = split_connect("[::1]:443", 8443).unwrap_or_else(|| panic!("parses"));
        assert_eq!((t.host.as_str(), t.port), ("::1", 443));
        assert!(split_connect("", 1).is_none());
    }
}
