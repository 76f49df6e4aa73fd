//! An in-memory INT-like TEST PKI for `bars-certcheck demo`, and the client certificates
//! `--mtls-audit` presents.

use super::keys::{self, KeyKind};
use super::pki::{serial_for, Hierarchy, HierarchySpec, LeafSpec, Validity};
use super::Result;
use rcgen::{Certificate, KeyPair};
use time::{Duration, OffsetDateTime};

/// The demo's server name (an INT BaRS Receiver).
pub const DEMO_SERVER_FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
/// The demo's client certificate CN (standing in for the BaRS proxy's).
pub const DEMO_CLIENT_CN: &str = "bars-proxy.test.nhs.uk";

/// A fresh INT-like test PKI: the `BaRS TEST INT` root and sub-CA, a server leaf and a
/// client leaf, each with its key. Nothing is written to disk.
#[derive(Debug)]
pub struct DemoPki {
    /// Root and sub-CA (use it to issue more, e.g. a planted fault).
    pub hierarchy: Hierarchy,
    /// The server leaf for [`DEMO_SERVER_FQDN`]: NHS shape, no SAN, serverAuth + clientAuth.
    pub server: Certificate,
    /// The server leaf's key (RSA-2048).
    pub server_key: KeyPair,
    /// The client leaf for [`DEMO_CLIENT_CN`]: clientAuth only.
    pub client: Certificate,
    /// The client leaf's key (RSA-2048).
    pub client_key: KeyPair,
}

impl DemoPki {
    /// The root certificate, PEM (what a client or `--ca int:` trusts).
    pub fn root_pem(&self) -> String {
        self.hierarchy.root.pem()
    }
    /// The sub-CA certificate, PEM.
    pub fn subca_pem(&self) -> String {
        self.hierarchy.subca.pem()
    }
    /// Server leaf + sub-CA, PEM (what the server must send).
    pub fn server_chain_pem(&self) -> String {
        self.hierarchy.chain_pem(&self.server)
    }
    /// The server key, PKCS#8 PEM.
    pub fn server_key_pem(&self) -> String {
        self.server_key.serialize_pem()
    }
    /// The server key, PKCS#8 DER.
    pub fn server_key_der(&self) -> Vec<u8> {
        self.server_key.serialize_der()
    }
    /// Client leaf + sub-CA, PEM.
    pub fn client_chain_pem(&self) -> String {
        self.hierarchy.chain_pem(&self.client)
    }
    /// The client key, PKCS#8 PEM.
    pub fn client_key_pem(&self) -> String {
        self.client_key.serialize_pem()
    }
    /// The client key, PKCS#8 DER.
    pub fn client_key_der(&self) -> Vec<u8> {
        self.client_key.serialize_der()
    }
}

/// The fault planted in the demo Receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DemoFault {
    /// The server sends its certificate without the intermediate (the commonest fault).
    IncompleteChain,
    /// The server does not ask for a client certificate.
    NoClientAuth,
    /// The server's certificate has expired.
    Expired,
    /// The certificate is for another Receiver's name.
    WrongHost,
    /// No fault: a correctly configured Receiver.
    None,
}

/// Another BaRS INT Receiver's name (the `wrong-host` fault probes it).
pub const DEMO_OTHER_FQDN: &str = "BaRS-INT-Y99.Other.thirdparty.nhs.uk";

impl DemoFault {
    /// Every fault, with its command-line name.
    pub const ALL: [(DemoFault, &'static str); 5] = [
        (DemoFault::IncompleteChain, "incomplete-chain"),
        (DemoFault::NoClientAuth, "no-client-auth"),
        (DemoFault::Expired, "expired"),
        (DemoFault::WrongHost, "wrong-host"),
        (DemoFault::None, "none"),
    ];

    /// What was planted, in words.
    pub fn describe(self) -> &'static str {
        match self {
            DemoFault::IncompleteChain => {
                "the server sends its certificate without the intermediate"
            }
            DemoFault::NoClientAuth => "the server does not ask for a client certificate",
            DemoFault::Expired => "the server's certificate expired yesterday",
            DemoFault::WrongHost => "the server's certificate is for another Receiver",
            DemoFault::None => "none: a correctly configured Receiver",
        }
    }
}

/// A demo Receiver with a planted fault: what it serves, and what the probe presents.
#[derive(Debug)]
pub struct DemoScenario {
    /// The chain the server sends, DER, in order.
    pub chain: Vec<Vec<u8>>,
    /// The key of its first certificate, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
    /// The server requires a client certificate under [`DemoScenario::root`].
    pub requires_client_certificate: bool,
    /// The TEST root, DER.
    pub root: Vec<u8>,
    /// The TEST sub-CA, DER.
    pub subca: Vec<u8>,
    /// The client certificate the probe presents, then the sub-CA, DER.
    pub client_chain: Vec<Vec<u8>>,
    /// Its key, PKCS#8 DER.
    pub client_key_pkcs8: Vec<u8>,
    /// The name the probe judges (SNI).
    pub name: &'static str,
}

/// The demo PKI made now, and the Receiver `fault` plants in it.
pub fn demo_scenario(fault: DemoFault, now: OffsetDateTime) -> Result<DemoScenario> {
    let pki = demo_at(now)?;
    let subca = pki.hierarchy.subca.der().to_vec();
    let root = pki.hierarchy.root.der().to_vec();
    let (leaf, key_pkcs8) = match fault {
        DemoFault::Expired => {
            let key = keys::generate(KeyKind::Rsa2048)?;
            let window = Validity::new(now - Duration::days(366), now - Duration::days(1));
            let spec = LeafSpec::nhs(DEMO_SERVER_FQDN)?.with_validity(window);
            let expired = pki.hierarchy.issue(&spec, &key)?;
            (expired.der().to_vec(), key.serialize_der())
        }
        _ => (pki.server.der().to_vec(), pki.server_key_der()),
    };
    let chain = match fault {
        DemoFault::IncompleteChain => vec![leaf],
        _ => vec![leaf, subca.clone()],
    };
    Ok(DemoScenario {
        chain,
        key_pkcs8,
        requires_client_certificate: fault != DemoFault::NoClientAuth,
        client_chain: vec![pki.client.der().to_vec(), subca.clone()],
        client_key_pkcs8: pki.client_key_der(),
        root,
        subca,
        name: match fault {
            DemoFault::WrongHost => DEMO_OTHER_FQDN,
            _ => DEMO_SERVER_FQDN,
        },
    })
}

/// [`demo_at`] now.
pub fn demo() -> Result<DemoPki> {
    demo_at(OffsetDateTime::now_utc())
}

/// A fresh demo PKI whose certificates are valid around `now`: CAs from a day before to
/// ten years after, leaves from an hour before to a year after. Four RSA-2048 keys are
/// generated (about half a second).
pub fn demo_at(now: OffsetDateTime) -> Result<DemoPki> {
    let ca_window = Validity::around(now, Duration::days(1), Duration::days(3650));
    let leaf_window = Validity::around(now, Duration::hours(1), Duration::days(365));
    let hierarchy = Hierarchy::new(
        &HierarchySpec::test("INT")?.with_validity(ca_window),
        keys::generate(KeyKind::Rsa2048)?,
        keys::generate(KeyKind::Rsa2048)?,
    )?;
    let server_key = keys::generate(KeyKind::Rsa2048)?;
    let server = hierarchy.issue(
        &LeafSpec::nhs(DEMO_SERVER_FQDN)?
            .with_validity(leaf_window)
            .with_serial(serial_for("demo/server")),
        &server_key,
    )?;
    let client_key = keys::generate(KeyKind::Rsa2048)?;
    let client = hierarchy.issue(
        &LeafSpec::client(DEMO_CLIENT_CN)?
            .with_validity(leaf_window)
            .with_serial(serial_for("demo/client")),
        &client_key,
    )?;
    Ok(DemoPki {
        hierarchy,
        server,
        server_key,
        client,
        client_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    #[test]
    fn demo_chain_verifies_and_is_current() {
        let now = OffsetDateTime::now_utc();
        let d = demo_at(now).unwrap();
        let (_, root) = X509Certificate::from_der(d.hierarchy.root.der()).unwrap();
        let (_, subca) = X509Certificate::from_der(d.hierarchy.subca.der()).unwrap();
        let (_, server) = X509Certificate::from_der(d.server.der()).unwrap();
        let (_, client) = X509Certificate::from_der(d.client.der()).unwrap();
        subca.verify_signature(Some(root.public_key())).unwrap();
        server.verify_signature(Some(subca.public_key())).unwrap();
        client.verify_signature(Some(subca.public_key())).unwrap();
        let t = ASN1Time::from(now);
        for c in [&root, &subca, &server, &client] {
            assert!(c.validity().is_valid_at(t));
        }
        assert_eq!(
            server.subject().to_string(),
            format!("O=nhs, OU=Devices, CN={DEMO_SERVER_FQDN}")
        );
        let eku = client.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.client_auth && !eku.server_auth);
        assert!(d
            .server_key_pem()
            .starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(d.server_chain_pem().matches("BEGIN CERTIFICATE").count(), 2);
        assert!(!d.client_key_der().is_empty() && !d.server_key_der().is_empty());
        assert!(d.root_pem() != d.subca_pem());
        assert!(d.client_key_pem() != d.server_key_pem());
        assert_eq!(d.client_chain_pem().matches("BEGIN CERTIFICATE").count(), 2);
    }
}

/// A client certificate (chain, leaf first, DER) with its PKCS#8 key, and what it is.
#[derive(Debug, Clone)]
pub struct AuditIdentity {
    /// What the identity is, for reports (`look-alike NHS INT hierarchy`, …).
    pub label: String,
    /// Client leaf then its issuing sub-CA, DER.
    pub chain: Vec<Vec<u8>>,
    /// The leaf's key, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
}

/// A throwaway self-signed client certificate (P-256, `bars-certcheck-audit.invalid`)
/// made for this run: what a Receiver must refuse.
pub fn throwaway_identity() -> Result<AuditIdentity> {
    let ck = rcgen::generate_simple_self_signed(vec!["bars-certcheck-audit.invalid".to_string()])?;
    Ok(AuditIdentity {
        label: "a throwaway self-signed certificate".into(),
        chain: vec![ck.cert.der().to_vec()],
        key_pkcs8: ck.signing_key.serialize_der(),
    })
}

/// The committed TEST hierarchy of `env` (`"INT"` or `"PROD"`): the CAs of
/// `fixtures/pki/{int,prod}/` rebuilt from their committed keys, byte for byte (RSA
/// signing is deterministic). Its keys are test keys, published on purpose.
pub fn fixture_hierarchy(env: &str) -> Result<Hierarchy> {
    let (root, subca) = if env.eq_ignore_ascii_case("PROD") {
        (
            include_str!("../../../../fixtures/pki/keys/prod-root.pem"),
            include_str!("../../../../fixtures/pki/keys/prod-subca.pem"),
        )
    } else {
        (
            include_str!("../../../../fixtures/pki/keys/int-root.pem"),
            include_str!("../../../../fixtures/pki/keys/int-subca.pem"),
        )
    };
    Hierarchy::new(
        &HierarchySpec::test(&env.to_uppercase())?,
        keys::from_pem(root, "the committed TEST root key")?,
        keys::from_pem(subca, "the committed TEST sub-CA key")?,
    )
}

/// The client certificates `probe --mtls-audit` also tries against a Receiver of `env`
/// (`"INT"` or `"PROD"`): one from a look-alike of that environment's NHS hierarchy (the
/// real CA names and key identifiers, its own keys, made now) and one from the other
/// environment's committed TEST hierarchy ([`fixture_hierarchy`]: a Receiver whose trust
/// file also holds the other environment's CAs accepts it). A Receiver must refuse both.
/// The client leaves are P-256, valid around `now`.
pub fn audit_identities(env: &str, now: OffsetDateTime) -> Result<Vec<AuditIdentity>> {
    let prod = env.eq_ignore_ascii_case("PROD");
    let (lookalike, other) = if prod {
        (HierarchySpec::lookalike_prod()?, "INT")
    } else {
        (HierarchySpec::lookalike_int()?, "PROD")
    };
    let window = Validity::around(now, Duration::days(1), Duration::days(30));
    let lookalike = Hierarchy::new(
        &lookalike.with_validity(Validity::around(
            now,
            Duration::days(1),
            Duration::days(365),
        )),
        keys::generate(KeyKind::P256)?,
        keys::generate(KeyKind::P256)?,
    )?;
    let mut out = Vec::new();
    for (label, h) in [
        (
            format!(
                "a client certificate from a look-alike NHS {} hierarchy",
                env.to_uppercase()
            ),
            lookalike,
        ),
        (
            format!("a client certificate from the {other} TEST hierarchy"),
            fixture_hierarchy(other)?,
        ),
    ] {
        let key = keys::generate(KeyKind::P256)?;
        let leaf = h.issue(
            &LeafSpec::client(DEMO_CLIENT_CN)?.with_validity(window),
            &key,
        )?;
        out.push(AuditIdentity {
            label,
            chain: vec![leaf.der().to_vec(), h.subca.der().to_vec()],
            key_pkcs8: key.serialize_der(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod audit_tests {
    use super::*;

    #[test]
    fn fixture_hierarchies_are_the_committed_cas() {
        for (env, dir) in [("INT", "int"), ("PROD", "prod")] {
            let h = fixture_hierarchy(env).unwrap();
            let root = std::fs::read_to_string(format!(
                "{}/../../fixtures/pki/{dir}/root.pem",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            assert_eq!(h.root.pem().trim(), root.trim(), "{env}");
        }
    }

    #[test]
    fn audit_identities_are_a_lookalike_and_the_other_environment() {
        let ids = audit_identities("INT", OffsetDateTime::now_utc()).unwrap();
        assert_eq!(ids.len(), 2);
        assert!(ids[0].label.contains("look-alike NHS INT"));
        assert!(ids[1].label.contains("PROD TEST"));
        assert!(ids
            .iter()
            .all(|i| i.chain.len() == 2 && !i.key_pkcs8.is_empty()));
    }
}
