//! The embedded NHS CA certificates: the nine INT/PROD CAs ([`EMBEDDED`]) and nine genuine
//! NHS CAs of other environments that are known but never trusted ([`KNOWN_OTHER`]).

use crate::Environment;
use bars_model::{Certificate, ReadErrorKind};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

pub(crate) const URL_INT_AUTH_G2: &str = "http://pki.nhs.uk/int/G2/auth/NHSINTAuthG2.crt";
pub(crate) const SHA256_INT_AUTH_G2: &str =
    "eb17b9fe90a19dbfe962bf41d3c907558f6f787e2fd1602268dfca9d3fdbf857";
pub(crate) const URL_AUTH_G2: &str = "https://pki.nhs.uk/live/G2/auth/NHSauthG2.crt";
pub(crate) const SHA256_AUTH_G2: &str =
    "1cb94b89dd6e3cbeb498f43f85aac7f7ea3a833805ba0a37396d669eaa794639";

/// Root or intermediate (sub-CA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CaRole {
    /// A self-signed trust anchor.
    Root,
    /// A sub-CA signed by a root.
    Intermediate,
}

/// NHS PKI generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Generation {
    /// The retired first generation ("Level 1C" sub-CAs, the 2004/2019 roots). Spine stopped
    /// issuing and accepting them in May 2024.
    #[serde(rename = "legacy")]
    Legacy,
    /// The current generation (2022 roots, "Authentication G2" sub-CAs).
    #[serde(rename = "G2")]
    G2,
}

/// What a CA is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CaPurpose {
    /// A root: anchors the environment's sub-CAs.
    TrustAnchor,
    /// A sub-CA that issues endpoint (device, TLS) certificates: the BaRS issuers.
    EndpointTls,
    /// A sub-CA for people (smartcards): never a TLS endpoint issuer.
    People,
}

/// One embedded INT or PROD NHS CA certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NhsCa {
    /// Stable short id (the file name without `.pem`), e.g. `nhs-int-authentication-g2`.
    pub id: &'static str,
    /// The subject CN, e.g. `NHS INT Authentication G2`.
    pub common_name: &'static str,
    /// `Int` or `Prod`.
    pub env: Environment,
    /// Root or intermediate.
    pub role: CaRole,
    /// Legacy or G2.
    pub generation: Generation,
    /// What it issues.
    pub purpose: CaPurpose,
    /// Pinned lowercase hex SHA-256 of the DER certificate.
    pub sha256: &'static str,
    /// The certificate, PEM.
    pub pem: &'static str,
    /// Where the NHS publishes it, when known.
    pub url: Option<&'static str>,
    /// For a legacy CA, the id of its G2 replacement.
    pub successor: Option<&'static str>,
}

/// The nine INT and PROD NHS CAs (roots and sub-CAs, legacy and G2). Checked against
/// `fixtures/nhs-pki/manifest.json` by this crate's tests.
pub static EMBEDDED: &[NhsCa] = &[
    NhsCa {
        id: "nhs-ptl-root-authority",
        common_name: "NHS PTL Root Authority",
        env: Environment::Int,
        role: CaRole::Root,
        generation: Generation::Legacy,
        purpose: CaPurpose::TrustAnchor,
        sha256: "7759a087977a9e37793093561149ee40b299c7027f4fa2a1c4e9eefeabc1b7d8",
        pem: include_str!("../data/nhs-ptl-root-authority.pem"),
        url: None,
        successor: Some("nhs-ptl-root-authority-g2"),
    },
    NhsCa {
        id: "nhs-int-level-1c",
        common_name: "NHS INT Level 1C",
        env: Environment::Int,
        role: CaRole::Intermediate,
        generation: Generation::Legacy,
        purpose: CaPurpose::EndpointTls,
        sha256: "67465bf8d72d1493d441ad1bc8f08b1ec2de9771c1cc40bb09b11bb72de14c0e",
        pem: include_str!("../data/nhs-int-level-1c.pem"),
        url: None,
        successor: Some("nhs-int-authentication-g2"),
    },
    NhsCa {
        id: "nhs-int-level-1d",
        common_name: "NHS INT Level 1D",
        env: Environment::Int,
        role: CaRole::Intermediate,
        generation: Generation::Legacy,
        purpose: CaPurpose::People,
        sha256: "943820bca78dcb3c891d65b7ee26f1a0370b67e3e298d311e1db0b90aed74009",
        pem: include_str!("../data/nhs-int-level-1d.pem"),
        url: None,
        successor: None,
    },
    NhsCa {
        id: "nhs-ptl-root-authority-g2",
        common_name: "NHS PTL Root Authority G2",
        env: Environment::Int,
        role: CaRole::Root,
        generation: Generation::G2,
        purpose: CaPurpose::TrustAnchor,
        sha256: "540f7cd6111510ef8a4a78939b39a075c71a68f0ce71bbf28141f7c6be357f8f",
        pem: include_str!("../data/nhs-ptl-root-authority-g2.pem"),
        url: Some("http://pki.nhs.uk/PTL/G2/root/NHSPTLRootAuthorityG2.crt"),
        successor: None,
    },
    NhsCa {
        id: "nhs-int-authentication-g2",
        common_name: "NHS INT Authentication G2",
        env: Environment::Int,
        role: CaRole::Intermediate,
        generation: Generation::G2,
        purpose: CaPurpose::EndpointTls,
        sha256: SHA256_INT_AUTH_G2,
        pem: include_str!("../data/nhs-int-authentication-g2.pem"),
        url: Some(URL_INT_AUTH_G2),
        successor: None,
    },
    NhsCa {
        id: "nhs-root-authority",
        common_name: "NHS Root Authority",
        env: Environment::Prod,
        role: CaRole::Root,
        generation: Generation::Legacy,
        purpose: CaPurpose::TrustAnchor,
        sha256: "cb7f39edd261631fe95995030f793c90d3db6d84912b0ff7a1a96fedea6d9f10",
        pem: include_str!("../data/nhs-root-authority.pem"),
        url: None,
        successor: Some("nhs-root-authority-g2"),
    },
    NhsCa {
        id: "nhs-level-1c",
        common_name: "NHS Level 1C",
        env: Environment::Prod,
        role: CaRole::Intermediate,
        generation: Generation::Legacy,
        purpose: CaPurpose::EndpointTls,
        sha256: "b2a983f5284f267c9e7705af4a69387b8d2af5e281e194e6a279e033b06c7fdf",
        pem: include_str!("../data/nhs-level-1c.pem"),
        url: None,
        successor: Some("nhs-authentication-g2"),
    },
    NhsCa {
        id: "nhs-root-authority-g2",
        common_name: "NHS Root Authority G2",
        env: Environment::Prod,
        role: CaRole::Root,
        generation: Generation::G2,
        purpose: CaPurpose::TrustAnchor,
        sha256: "c418cfa50aad03d826fa1a6932b8187be18193f4b25a7a56f30df45d5f89f8f7",
        pem: include_str!("../data/nhs-root-authority-g2.pem"),
        url: Some("http://pki.nhs.uk/live/G2/root/NHSRootAuthorityG2.crt"),
        successor: None,
    },
    NhsCa {
        id: "nhs-authentication-g2",
        common_name: "NHS Authentication G2",
        env: Environment::Prod,
        role: CaRole::Intermediate,
        generation: Generation::G2,
        purpose: CaPurpose::EndpointTls,
        sha256: SHA256_AUTH_G2,
        pem: include_str!("../data/nhs-authentication-g2.pem"),
        url: Some(URL_AUTH_G2),
        successor: None,
    },
];

/// The world a known-but-untrusted NHS CA belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OtherEnv {
    /// Path-to-live DEP (deployment), under the legacy PTL root.
    PtlDep,
    /// Path-to-live DEV, under the legacy PTL root.
    PtlDev,
    /// Path-to-live training, under the legacy PTL root.
    PtlTraining,
    /// The INT PKI before 2019 (`CN=RootCA`, `CN=SubCA02`), expired.
    IntPre2019,
    /// The OpenTest PKIs (HSCIC and NHS Digital).
    OpenTest,
}

impl OtherEnv {
    /// A human label: `NHS DEP (path-to-live)`, `NHS DEV`, `NHS training`, `pre-2019 INT`,
    /// `OpenTest`.
    pub fn label(self) -> &'static str {
        match self {
            OtherEnv::PtlDep => "NHS DEP (path-to-live)",
            OtherEnv::PtlDev => "NHS DEV",
            OtherEnv::PtlTraining => "NHS training",
            OtherEnv::IntPre2019 => "pre-2019 INT",
            OtherEnv::OpenTest => "OpenTest",
        }
    }
}

impl fmt::Display for OtherEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A genuine NHS CA of another environment: recognised (to say `chain.wrong-env` with a
/// clear name) but never trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OtherCa {
    /// Stable short id (the file name without `.pem`).
    pub id: &'static str,
    /// The subject CN.
    pub common_name: &'static str,
    /// Which world it belongs to.
    pub other_env: OtherEnv,
    /// Root or intermediate.
    pub role: CaRole,
    /// Pinned lowercase hex SHA-256 of the DER certificate.
    pub sha256: &'static str,
    /// The certificate, PEM.
    pub pem: &'static str,
}

impl OtherCa {
    /// The human label of its environment (see [`OtherEnv::label`]).
    pub fn label(&self) -> &'static str {
        self.other_env.label()
    }
}

/// Nine genuine NHS CAs that must never be trusted as INT or PROD.
pub static KNOWN_OTHER: &[OtherCa] = &[
    OtherCa {
        id: "nhs-dep-level-1c",
        common_name: "NHS DEP Level 1C",
        other_env: OtherEnv::PtlDep,
        role: CaRole::Intermediate,
        sha256: "7e1c6b1244af68ec864f3af7fd020d052c2a096f3e58b6dec21c07a584d8ca41",
        pem: include_str!("../data/other/nhs-dep-level-1c.pem"),
    },
    OtherCa {
        id: "nhs-dev-level-1c",
        common_name: "NHS DEV Level 1C",
        other_env: OtherEnv::PtlDev,
        role: CaRole::Intermediate,
        sha256: "ca6dfb3bcdb1672d45d6c2a2baae4a6854e3dd23411a92363db35c4b505c01e8",
        pem: include_str!("../data/other/nhs-dev-level-1c.pem"),
    },
    OtherCa {
        id: "nhs-tra-level-1c",
        common_name: "NHS TRA Level 1C",
        other_env: OtherEnv::PtlTraining,
        role: CaRole::Intermediate,
        sha256: "4980388036338ff0ba4e5f7e9ce8a73de0818c2f842e484bbe7d943ae498b9a9",
        pem: include_str!("../data/other/nhs-tra-level-1c.pem"),
    },
    OtherCa {
        id: "nhs-int-pre2019-rootca",
        common_name: "RootCA",
        other_env: OtherEnv::IntPre2019,
        role: CaRole::Root,
        sha256: "3575b04356d61ca0ffe4c97b3f89db48b675b4e3319ca0f8d4b42c9bd85a5313",
        pem: include_str!("../data/other/nhs-int-pre2019-rootca.pem"),
    },
    OtherCa {
        id: "nhs-int-pre2019-subca02",
        common_name: "SubCA02",
        other_env: OtherEnv::IntPre2019,
        role: CaRole::Intermediate,
        sha256: "0065c0b77bc859936b672f687069cdc81349fdc3677998649bdb9441dcc9954a",
        pem: include_str!("../data/other/nhs-int-pre2019-subca02.pem"),
    },
    OtherCa {
        id: "hscic-opentest-rootca",
        common_name: "RootCA",
        other_env: OtherEnv::OpenTest,
        role: CaRole::Root,
        sha256: "0fd92d60a8ad5320aa9c8fc296cd9c37d05a8e0ea60b8276ff741937ef9abd89",
        pem: include_str!("../data/other/hscic-opentest-rootca.pem"),
    },
    OtherCa {
        id: "hscic-opentest-subca02",
        common_name: "SubCA02",
        other_env: OtherEnv::OpenTest,
        role: CaRole::Intermediate,
        sha256: "a511156ca41b592aa161414626629947f3ed2946ee5b1fdd78fe46734fd56797",
        pem: include_str!("../data/other/hscic-opentest-subca02.pem"),
    },
    OtherCa {
        id: "nhsd-opentest-root-authority",
        common_name: "Opentest Root Authority",
        other_env: OtherEnv::OpenTest,
        role: CaRole::Root,
        sha256: "488b55844664ecac689c3e3fa472cccf96ef98d919089ec5a4cdad57e783c36d",
        pem: include_str!("../data/other/nhsd-opentest-root-authority.pem"),
    },
    OtherCa {
        id: "nhsd-opentest-endpoint-issuing-authority",
        common_name: "Opentest Endpoint Issuing Authority",
        other_env: OtherEnv::OpenTest,
        role: CaRole::Intermediate,
        sha256: "f5443b9ce97e22f089d9c35079a3e6f496596975c6cb0bce76341d6a0bbd1ecb",
        pem: include_str!("../data/other/nhsd-opentest-endpoint-issuing-authority.pem"),
    },
];

/// An embedded PEM decoded once: DER, subject and issuer Name DER, and the parsed
/// certificate on first request.
struct Decoded {
    der: Vec<u8>,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    cert: OnceLock<Result<Certificate, ReadErrorKind>>,
}

fn decode(pem_text: &str) -> Option<Decoded> {
    let der = bars_model::pem_first(pem_text.as_bytes(), &["CERTIFICATE"]).ok()??;
    let (subject, issuer) = {
        let (_, c) = x509_parser::parse_x509_certificate(&der).ok()?;
        (
            c.tbs_certificate.subject.as_raw().to_vec(),
            c.tbs_certificate.issuer.as_raw().to_vec(),
        )
    };
    Some(Decoded {
        der,
        subject,
        issuer,
        cert: OnceLock::new(),
    })
}

fn decoded(id: &str) -> Option<&'static Decoded> {
    static CACHE: OnceLock<HashMap<&'static str, Decoded>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            let nhs = EMBEDDED.iter().map(|c| (c.id, c.pem));
            let other = KNOWN_OTHER.iter().map(|c| (c.id, c.pem));
            nhs.chain(other)
                .filter_map(|(id, p)| decode(p).map(|d| (id, d)))
                .collect()
        })
        .get(id)
}

fn certificate_of(id: &str) -> Result<&'static Certificate, ReadErrorKind> {
    let d = decoded(id).ok_or_else(|| ReadErrorKind::BadPem {
        block: 1,
        reason: format!("embedded certificate `{id}` does not decode"),
    })?;
    d.cert
        .get_or_init(|| Certificate::from_der(&d.der))
        .as_ref()
        .map_err(Clone::clone)
}

macro_rules! decoded_accessors {
    () => {
        /// The certificate, DER (`None` only if the embedded PEM were damaged).
        pub fn der(&self) -> Option<&'static [u8]> {
            decoded(self.id).map(|d| d.der.as_slice())
        }

        /// The subject Name, DER, for exact comparison with a child's issuer.
        pub fn subject_der(&self) -> Option<&'static [u8]> {
            decoded(self.id).map(|d| d.subject.as_slice())
        }

        /// The issuer Name, DER.
        pub fn issuer_der(&self) -> Option<&'static [u8]> {
            decoded(self.id).map(|d| d.issuer.as_slice())
        }

        /// The parsed certificate (parsed once, on first use).
        pub fn certificate(&self) -> Result<&'static Certificate, ReadErrorKind> {
            certificate_of(self.id)
        }
    };
}

impl NhsCa {
    decoded_accessors!();

    /// A sub-CA that issues BaRS endpoint (TLS) certificates.
    pub fn is_endpoint_issuer(&self) -> bool {
        self.role == CaRole::Intermediate && self.purpose == CaPurpose::EndpointTls
    }

    /// The file name stem the NHS publishes it under (`NHSINTAuthG2` from
    /// `…/NHSINTAuthG2.crt`), else its id: the name fix texts use (`NHSINTAuthG2.pem`).
    pub fn published_stem(&self) -> &'static str {
        self.url
            .and_then(|u| u.rsplit('/').next())
            .and_then(|f| f.strip_suffix(".crt"))
            .filter(|s| !s.is_empty())
            .unwrap_or(self.id)
    }

    /// The command that writes this CA offline as `<published_stem>.pem`, for fix texts:
    /// `bars-certcheck ca export --env int --out NHSINTAuthG2.pem`. A root is exported
    /// with its sub-CA (`--with-root`), a legacy CA with the current one (`--legacy`).
    pub fn export_command(&self) -> String {
        let mut cmd = format!("bars-certcheck ca export --env {}", self.env.as_str());
        if self.role == CaRole::Root {
            cmd.push_str(" --with-root");
        }
        if self.generation == Generation::Legacy {
            cmd.push_str(" --legacy");
        }
        cmd.push_str(&format!(" --out {}.pem", self.published_stem()));
        cmd
    }

    /// The G2 replacement of a legacy CA.
    pub fn successor_ca(&self) -> Option<&'static NhsCa> {
        self.successor.and_then(find_by_id)
    }

    /// For an intermediate, the embedded root whose subject equals its issuer.
    pub fn parent(&self) -> Option<&'static NhsCa> {
        if self.role == CaRole::Root {
            return None;
        }
        let issuer = self.issuer_der()?;
        EMBEDDED
            .iter()
            .find(|c| c.role == CaRole::Root && c.subject_der() == Some(issuer))
    }
}

impl OtherCa {
    decoded_accessors!();
}

/// The embedded INT/PROD CA with this id.
pub fn find_by_id(id: &str) -> Option<&'static NhsCa> {
    EMBEDDED.iter().find(|c| c.id == id)
}

/// The embedded INT/PROD CA whose DER has this SHA-256 (hex, any case; `:` separators
/// allowed).
pub fn find_by_sha256(sha256_hex: &str) -> Option<&'static NhsCa> {
    let want = normalise_hex(sha256_hex);
    EMBEDDED.iter().find(|c| c.sha256 == want)
}

/// The known-but-untrusted CA whose DER has this SHA-256 (hex, any case).
pub fn find_other_by_sha256(sha256_hex: &str) -> Option<&'static OtherCa> {
    let want = normalise_hex(sha256_hex);
    KNOWN_OTHER.iter().find(|c| c.sha256 == want)
}

fn normalise_hex(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| *c != ':')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The embedded INT/PROD CAs whose subject Name DER equals `subject_der` byte for byte (no
/// case folding: live roots say `O=NHS`, sub-CAs `O=nhs`).
pub fn find_by_subject_der(subject_der: &[u8]) -> Vec<&'static NhsCa> {
    EMBEDDED
        .iter()
        .filter(|c| c.subject_der() == Some(subject_der))
        .collect()
}

/// The known-but-untrusted CAs whose subject Name DER equals `subject_der`.
pub fn find_other_by_subject_der(subject_der: &[u8]) -> Vec<&'static OtherCa> {
    KNOWN_OTHER
        .iter()
        .filter(|c| c.subject_der() == Some(subject_der))
        .collect()
}

/// The embedded CAs of `env` (roots and intermediates, both generations; empty for
/// `public`).
pub fn cas_for(env: Environment) -> Vec<&'static NhsCa> {
    EMBEDDED.iter().filter(|c| c.env == env).collect()
}

/// Where a certificate's issuer places it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvOrOther {
    /// Issued by this INT/PROD sub-CA.
    Nhs {
        /// The sub-CA's environment.
        env: Environment,
        /// The issuing sub-CA.
        ca: &'static NhsCa,
    },
    /// Issued by a known CA of another NHS environment (DEP, DEV, training, pre-2019 INT,
    /// OpenTest): never trusted.
    Other(&'static OtherCa),
}

impl EnvOrOther {
    /// `int` / `prod`, or the other environment's label (`NHS DEP (path-to-live)`, …).
    pub fn label(&self) -> &'static str {
        match self {
            EnvOrOther::Nhs { env, .. } => env.as_str(),
            EnvOrOther::Other(o) => o.label(),
        }
    }

    /// The issuing CA's common name.
    pub fn issuer_common_name(&self) -> &'static str {
        match self {
            EnvOrOther::Nhs { ca, .. } => ca.common_name,
            EnvOrOther::Other(o) => o.common_name,
        }
    }
}

impl fmt::Display for EnvOrOther {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The environment of a certificate whose issuer Name DER is `issuer_subject_der`,
/// judged from the issuing **sub-CA** only. A certificate issued directly by an INT/PROD
/// root gives `None`: the legacy PTL root also anchors the DEP, DEV and training sub-CAs,
/// so a root alone never decides the environment. A known other-environment CA (root or
/// sub-CA) gives [`EnvOrOther::Other`].
pub fn environment_of_issuer(issuer_subject_der: &[u8]) -> Option<EnvOrOther> {
    if let Some(ca) = EMBEDDED
        .iter()
        .find(|c| c.role == CaRole::Intermediate && c.subject_der() == Some(issuer_subject_der))
    {
        return Some(EnvOrOther::Nhs { env: ca.env, ca });
    }
    KNOWN_OTHER
        .iter()
        .find(|c| c.subject_der() == Some(issuer_subject_der))
        .map(EnvOrOther::Other)
}

#[cfg(test)]
mod tests {

    #[test]
    fn published_names_and_export_commands() {
        let g2 = find_by_id("nhs-int-authentication-g2").unwrap();
        assert_eq!(g2.published_stem(), "NHSINTAuthG2");
        assert_eq!(
            g2.export_command(),
            "bars-certcheck ca export --env int --out NHSINTAuthG2.pem"
        );
        let prod = find_by_id("nhs-authentication-g2").unwrap();
        assert_eq!(prod.published_stem(), "NHSauthG2");
        let root = find_by_id("nhs-root-authority-g2").unwrap();
        assert_eq!(
            root.export_command(),
            "bars-certcheck ca export --env prod --with-root --out NHSRootAuthorityG2.pem"
        );
        // No published URL: the id.
        let legacy = find_by_id("nhs-int-level-1c").unwrap();
        assert_eq!(
            legacy.export_command(),
            "bars-certcheck ca export --env int --legacy --out nhs-int-level-1c.pem"
        );
    }

    use super::*;

    #[test]
    fn every_embedded_pem_decodes_and_matches_its_pin() {
        for c in EMBEDDED {
            let der = c
                .der()
                .unwrap_or_else(|| panic!("{} does not decode", c.id));
            assert_eq!(bars_model::sha256_hex(der), c.sha256, "{}", c.id);
            assert!(c.subject_der().is_some_and(|s| !s.is_empty()));
        }
        for c in KNOWN_OTHER {
            let der = c
                .der()
                .unwrap_or_else(|| panic!("{} does not decode", c.id));
            assert_eq!(bars_model::sha256_hex(der), c.sha256, "{}", c.id);
        }
    }

    #[test]
    fn ids_unique_and_successors_are_g2_of_same_env() {
        let mut ids: Vec<&str> = EMBEDDED
            .iter()
            .map(|c| c.id)
            .chain(KNOWN_OTHER.iter().map(|c| c.id))
            .collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(EMBEDDED.len(), 9);
        assert_eq!(KNOWN_OTHER.len(), 9);
        for c in EMBEDDED {
            match c.generation {
                Generation::Legacy if c.purpose != CaPurpose::People => {
                    let s = c.successor_ca().unwrap();
                    assert_eq!(s.generation, Generation::G2);
                    assert_eq!(s.env, c.env);
                    assert_eq!(s.role, c.role);
                }
                _ => assert!(c.successor.is_none(), "{}", c.id),
            }
        }
        assert_eq!(
            find_by_id("nhs-int-level-1c").unwrap().successor,
            Some("nhs-int-authentication-g2")
        );
        assert_eq!(
            find_by_id("nhs-level-1c").unwrap().successor,
            Some("nhs-authentication-g2")
        );
    }

    #[test]
    fn level_1d_is_not_an_endpoint_issuer() {
        let d = find_by_id("nhs-int-level-1d").unwrap();
        assert!(!d.is_endpoint_issuer());
        let issuers: Vec<&str> = EMBEDDED
            .iter()
            .filter(|c| c.is_endpoint_issuer())
            .map(|c| c.id)
            .collect();
        assert_eq!(
            issuers,
            [
                "nhs-int-level-1c",
                "nhs-int-authentication-g2",
                "nhs-level-1c",
                "nhs-authentication-g2"
            ]
        );
    }

    #[test]
    fn lookups() {
        let g2 = find_by_sha256(&SHA256_INT_AUTH_G2.to_uppercase()).unwrap();
        assert_eq!(g2.common_name, "NHS INT Authentication G2");
        assert!(find_by_sha256("00").is_none());
        assert!(
            find_by_sha256("7e1c6b1244af68ec864f3af7fd020d052c2a096f3e58b6dec21c07a584d8ca41")
                .is_none()
        );
        let dep = find_other_by_sha256(
            "7e1c6b1244af68ec864f3af7fd020d052c2a096f3e58b6dec21c07a584d8ca41",
        )
        .unwrap();
        assert_eq!(dep.label(), "NHS DEP (path-to-live)");
        assert_eq!(cas_for(Environment::Int).len(), 5);
        assert_eq!(cas_for(Environment::Prod).len(), 4);
        assert!(cas_for(Environment::Public).is_empty());
        for c in EMBEDDED {
            let found = find_by_subject_der(c.subject_der().unwrap());
            assert_eq!(found, vec![c]);
        }
        assert!(find_by_subject_der(b"").is_empty());
    }

    #[test]
    fn subject_comparison_is_exact_der() {
        // Live root says O=NHS; its sub-CA's subject says O=nhs. The issuer of the sub-CA
        // equals the root's subject exactly, and differs from the sub-CA's own O=nhs form.
        let root = find_by_id("nhs-root-authority-g2").unwrap();
        let sub = find_by_id("nhs-authentication-g2").unwrap();
        assert_eq!(sub.issuer_der(), root.subject_der());
        assert_eq!(sub.parent(), Some(root));
        let root_subject = root.subject_der().unwrap().to_vec();
        let folded = String::from_utf8_lossy(&root_subject)
            .replace("NHS", "nhs")
            .into_bytes();
        assert_ne!(folded, root_subject);
        assert!(find_by_subject_der(&folded).is_empty());
    }

    #[test]
    fn environment_from_issuing_sub_ca_never_root() {
        let sub = |id: &str| find_by_id(id).unwrap().subject_der().unwrap();
        for (id, env) in [
            ("nhs-int-level-1c", Environment::Int),
            ("nhs-int-authentication-g2", Environment::Int),
            ("nhs-int-level-1d", Environment::Int),
            ("nhs-level-1c", Environment::Prod),
            ("nhs-authentication-g2", Environment::Prod),
        ] {
            match environment_of_issuer(sub(id)) {
                Some(EnvOrOther::Nhs { env: e, ca }) => {
                    assert_eq!(e, env);
                    assert_eq!(ca.id, id);
                }
                other => panic!("{id}: {other:?}"),
            }
        }
        for root in ["nhs-ptl-root-authority", "nhs-root-authority-g2"] {
            assert_eq!(environment_of_issuer(sub(root)), None, "{root}");
        }
        for o in KNOWN_OTHER {
            assert_eq!(
                environment_of_issuer(o.subject_der().unwrap()),
                Some(EnvOrOther::Other(o))
            );
        }
        assert_eq!(environment_of_issuer(b"\x30\x00"), None);
    }

    #[test]
    fn wrong_env_labels() {
        let dep = KNOWN_OTHER
            .iter()
            .find(|c| c.id == "nhs-dep-level-1c")
            .unwrap();
        let e = environment_of_issuer(dep.subject_der().unwrap()).unwrap();
        assert_eq!(e.to_string(), "NHS DEP (path-to-live)");
        assert_eq!(e.issuer_common_name(), "NHS DEP Level 1C");
        let labels: Vec<&str> = KNOWN_OTHER.iter().map(|c| c.label()).collect();
        for want in ["NHS DEV", "NHS training", "pre-2019 INT", "OpenTest"] {
            assert!(labels.contains(&want), "{want}");
        }
        let g2 = find_by_id("nhs-authentication-g2").unwrap();
        let e = environment_of_issuer(g2.subject_der().unwrap()).unwrap();
        assert_eq!(
            (e.label(), e.issuer_common_name()),
            ("prod", "NHS Authentication G2")
        );
    }

    #[test]
    fn other_ptl_sub_cas_share_the_legacy_ptl_root() {
        let ptl = find_by_id("nhs-ptl-root-authority")
            .unwrap()
            .subject_der()
            .unwrap();
        for id in ["nhs-dep-level-1c", "nhs-dev-level-1c", "nhs-tra-level-1c"] {
            let o = KNOWN_OTHER.iter().find(|c| c.id == id).unwrap();
            assert_eq!(o.issuer_der(), Some(ptl), "{id}");
        }
    }
}
