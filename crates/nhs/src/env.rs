//! Environments, the BaRS proxy's source addresses, and where each environment's NHS CA
//! is published.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// Which trust world a certificate or endpoint belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Environment {
    /// NHS path-to-live integration (PTL roots, INT sub-CAs).
    Int,
    /// NHS live (NHS Root Authority, live sub-CAs).
    Prod,
    /// The public web PKI (Mozilla roots): the API-M endpoints Senders call.
    Public,
}

impl Environment {
    /// Every environment, in display order.
    pub const ALL: [Environment; 3] = [Environment::Int, Environment::Prod, Environment::Public];

    /// The lowercase name used on the command line and in JSON (`int`, `prod`, `public`).
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Int => "int",
            Environment::Prod => "prod",
            Environment::Public => "public",
        }
    }

    /// True for the two NHS PKI environments.
    pub fn is_nhs(self) -> bool {
        matches!(self, Environment::Int | Environment::Prod)
    }

    /// The addresses the BaRS API proxy calls Receivers from in this environment (empty for
    /// `public`): the Receiver's firewall must allow them.
    pub fn proxy_source_addresses(self) -> &'static [Ipv4Addr] {
        match self {
            Environment::Int => &INT_PROXY_ADDRESSES,
            Environment::Prod => &PROD_PROXY_ADDRESSES,
            Environment::Public => &[],
        }
    }

    /// Where this environment's endpoint-issuing NHS CA is published, with the SHA-256 a
    /// download must have (`None` for `public`).
    pub fn fetch_source(self) -> Option<&'static FetchSource> {
        match self {
            Environment::Int => Some(&INT_FETCH),
            Environment::Prod => Some(&PROD_FETCH),
            Environment::Public => None,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An environment name that is not `int`, `prod` or `public`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown environment `{0}`: expected int, prod or public")]
pub struct UnknownEnvironment(pub String);

impl FromStr for Environment {
    type Err = UnknownEnvironment;

    /// Parses `int`, `prod` or `public`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Environment::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownEnvironment(s.to_string()))
    }
}

/// The environment asked for: `--env`, a scan list's `env`, or `auto` (decided from the
/// name to cover, then from the certificates). The one choice every command parses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EnvChoice {
    /// From the BaRS prefix of the name, else from the issuing sub-CA.
    #[default]
    Auto,
    /// This environment, whatever the names say.
    Forced(Environment),
}

impl EnvChoice {
    /// The forced environment, `None` for `auto`.
    pub fn forced(self) -> Option<Environment> {
        match self {
            EnvChoice::Auto => None,
            EnvChoice::Forced(e) => Some(e),
        }
    }

    /// `auto`, `int`, `prod` or `public`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnvChoice::Auto => "auto",
            EnvChoice::Forced(e) => e.as_str(),
        }
    }
}

impl fmt::Display for EnvChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Environment> for EnvChoice {
    fn from(e: Environment) -> Self {
        EnvChoice::Forced(e)
    }
}

impl FromStr for EnvChoice {
    type Err = UnknownEnvironment;

    /// Parses `auto`, `int`, `prod` or `public`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(EnvChoice::Auto);
        }
        s.parse::<Environment>()
            .map(EnvChoice::Forced)
            .map_err(|_| UnknownEnvironment(s.to_string()))
    }
}

/// The BaRS API proxy's INT source addresses.
pub const INT_PROXY_ADDRESSES: [Ipv4Addr; 2] = [
    Ipv4Addr::new(35, 197, 254, 55),
    Ipv4Addr::new(35, 246, 55, 143),
];

/// The BaRS API proxy's PROD source addresses.
pub const PROD_PROXY_ADDRESSES: [Ipv4Addr; 2] =
    [Ipv4Addr::new(34, 89, 0, 111), Ipv4Addr::new(34, 89, 69, 6)];

/// A published NHS CA certificate and the fingerprint a download must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchSource {
    /// The environment it serves.
    pub env: Environment,
    /// The download URL (INT is plain HTTP: the pin is what makes it safe).
    pub url: &'static str,
    /// Lowercase hex SHA-256 of the DER certificate.
    pub sha256: &'static str,
    /// The id of the embedded CA it must equal (see [`crate::EMBEDDED`]).
    pub ca_id: &'static str,
}

/// INT: NHS INT Authentication G2, as the BaRS onboarding guide tells Senders to download it.
pub const INT_FETCH: FetchSource = FetchSource {
    env: Environment::Int,
    url: crate::cas::URL_INT_AUTH_G2,
    sha256: crate::cas::SHA256_INT_AUTH_G2,
    ca_id: "nhs-int-authentication-g2",
};

/// PROD: NHS Authentication G2.
pub const PROD_FETCH: FetchSource = FetchSource {
    env: Environment::Prod,
    url: crate::cas::URL_AUTH_G2,
    sha256: crate::cas::SHA256_AUTH_G2,
    ca_id: "nhs-authentication-g2",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_fromstr_serde_roundtrip() {
        for e in Environment::ALL {
            assert_eq!(e.to_string().parse::<Environment>().unwrap(), e);
            let j = serde_json::to_string(&e).unwrap();
            assert_eq!(j, format!("\"{e}\""));
            assert_eq!(serde_json::from_str::<Environment>(&j).unwrap(), e);
        }
        assert_eq!("INT".parse::<Environment>().unwrap(), Environment::Int);
        assert_eq!("Prod".parse::<Environment>().unwrap(), Environment::Prod);
        let err = "auto".parse::<Environment>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown environment `auto`: expected int, prod or public"
        );
        assert!("".parse::<Environment>().is_err());
        assert!("dev".parse::<Environment>().is_err());
    }

    #[test]
    fn env_choices_parse() {
        assert_eq!("auto".parse::<EnvChoice>().unwrap(), EnvChoice::Auto);
        assert_eq!(
            "INT".parse::<EnvChoice>().unwrap(),
            EnvChoice::Forced(Environment::Int)
        );
        assert_eq!(
            EnvChoice::Forced(Environment::Prod).forced(),
            Some(Environment::Prod)
        );
        assert_eq!(EnvChoice::Auto.forced(), None);
        assert!("dev".parse::<EnvChoice>().is_err());
        assert_eq!(EnvChoice::default().to_string(), "auto");
    }

    #[test]
    fn proxy_addresses() {
        let int: Vec<String> = Environment::Int
            .proxy_source_addresses()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(int, ["35.197.254.55", "35.246.55.143"]);
        let prod: Vec<String> = Environment::Prod
            .proxy_source_addresses()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(prod, ["34.89.0.111", "34.89.69.6"]);
        assert!(Environment::Public.proxy_source_addresses().is_empty());
    }

    #[test]
    fn fetch_sources_point_at_embedded_g2_issuers() {
        let int = Environment::Int.fetch_source().unwrap();
        assert_eq!(int.url, "http://pki.nhs.uk/int/G2/auth/NHSINTAuthG2.crt");
        assert_eq!(
            int.sha256,
            "eb17b9fe90a19dbfe962bf41d3c907558f6f787e2fd1602268dfca9d3fdbf857"
        );
        let prod = Environment::Prod.fetch_source().unwrap();
        assert_eq!(prod.url, "https://pki.nhs.uk/live/G2/auth/NHSauthG2.crt");
        assert_eq!(
            prod.sha256,
            "1cb94b89dd6e3cbeb498f43f85aac7f7ea3a833805ba0a37396d669eaa794639"
        );
        for src in [int, prod] {
            let ca = crate::find_by_id(src.ca_id).unwrap();
            assert_eq!(ca.sha256, src.sha256);
            assert_eq!(ca.env, src.env);
            assert_eq!(ca.url, Some(src.url));
        }
        assert!(Environment::Public.fetch_source().is_none());
    }
}
