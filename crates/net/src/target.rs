//! Where to probe: `HOST[:PORT]` or `https://HOST[:PORT]/path`.

use std::fmt;
use std::net::IpAddr;

/// A probe target: a host name or IP literal and a TCP port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name (lower-cased) or IP literal, without brackets.
    pub host: String,
    /// TCP port (443 unless given).
    pub port: u16,
}

/// Why a target string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Nothing was given.
    #[error("the target is empty; give HOST[:PORT] or https://HOST[:PORT]/")]
    Empty,
    /// A URL scheme other than https.
    #[error("the target {0:?} uses a scheme other than https://")]
    Scheme(String),
    /// The port is not a number from 1 to 65535.
    #[error("the port in {0:?} is not a number from 1 to 65535")]
    Port(String),
    /// The host part is malformed.
    #[error("the host in {0:?} is not a valid host name or IP address")]
    Host(String),
}

impl Target {
    /// Parses `HOST`, `HOST:PORT`, `[IPv6]:PORT`, a bare IPv6 literal, or an
    /// `https://HOST[:PORT]/path` URL (path, query and user info ignored).
    pub fn parse(input: &str) -> Result<Target, TargetError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(TargetError::Empty);
        }
        let rest = if let Some(idx) = s.find("://") {
            let scheme = s.get(..idx).unwrap_or_default();
            if !scheme.eq_ignore_ascii_case("https") {
                return Err(TargetError::Scheme(input.to_string()));
            }
            let after = s.get(idx + 3..).unwrap_or_default();
            let end = after.find(['/', '?', '#']).unwrap_or(after.len());
            let auth = after.get(..end).unwrap_or_default();
            auth.rsplit_once('@').map_or(auth, |(_, h)| h)
        } else {
            s.split(['/', '?', '#']).next().unwrap_or_default()
        };
        if rest.is_empty() {
            return Err(TargetError::Host(input.to_string()));
        }
        // Bare IPv6 literal without brackets.
        if let Ok(IpAddr::V6(v6)) = rest.parse::<IpAddr>() {
            return Ok(Target {
                host: v6.to_string(),
                port: 443,
            });
        }
        let (host, port) = if let Some(after_bracket) = rest.strip_prefix('[') {
            let (inside, tail) = after_bracket
                .split_once(']')
                .ok_or_else(|| TargetError::Host(input.to_string()))?;
            if inside.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(TargetError::Host(input.to_string()));
            }
            let port = match tail {
                "" => None,
                t => Some(
                    t.strip_prefix(':')
                        .ok_or_else(|| TargetError::Host(input.to_string()))?,
                ),
            };
            (inside.to_string(), port)
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (rest.to_string(), None),
            }
        };
        let port = match port {
            None => 443,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => n,
                _ => return Err(TargetError::Port(input.to_string())),
            },
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() || !valid_host(&host) {
            return Err(TargetError::Host(input.to_string()));
        }
        Ok(Target { host, port })
    }

    /// The host as an IP address, if it is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

/// A host to connect to: a name a certificate could cover, but no wildcard.
fn valid_host(h: &str) -> bool {
    bars_model::check_host_name(h).is_ok() && !h.contains('*')
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: &str, p: u16) -> Target {
        Target {
            host: h.into(),
            port: p,
        }
    }

    #[test]
    fn parses_forms() {
        assert_eq!(
            Target::parse("example.nhs.uk").unwrap(),
            t("example.nhs.uk", 443)
        );
        assert_eq!(
            Target::parse("Example.NHS.uk:8443").unwrap(),
            t("example.nhs.uk", 8443)
        );
        assert_eq!(
            Target::parse("https://a.b:444/x/y?z").unwrap(),
            t("a.b", 444)
        );
        assert_eq!(Target::parse("https://a.b/").unwrap(), t("a.b", 443));
        assert_eq!(Target::parse("[::1]:8443").unwrap(), t("::1", 8443));
        assert_eq!(Target::parse("::1").unwrap(), t("::1", 443));
        assert_eq!(Target::parse("127.0.0.1:5").unwrap(), t("127.0.0.1", 5));
        assert_eq!(
            Target::parse("[::1]:8443").unwrap().to_string(),
            "[::1]:8443"
        );
    }

    #[test]
    fn rejects_bad() {
        assert_eq!(Target::parse(""), Err(TargetError::Empty));
        assert!(matches!(
            Target::parse("http://a.b"),
            Err(TargetError::Scheme(_))
        ));
        assert!(matches!(Target::parse("a.b:0"), Err(TargetError::Port(_))));
        assert!(matches!(
            Target::parse("a.b:99999"),
            Err(TargetError::Port(_))
        ));
        assert!(matches!(Target::parse("a b"), Err(TargetError::Host(_))));
        assert!(matches!(Target::parse("[zz]:1"), Err(TargetError::Host(_))));
    }
}
