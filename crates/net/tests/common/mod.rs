#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
use bars_net::ClientIdentity;
use bars_testsupport::{spawn_tls, ClientAuthMode, ServerHandle, TlsServerSpec};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::net::SocketAddr;

pub struct Ca {
    pub der: Vec<u8>,
    pub issuer: Issuer<'static, KeyPair>,
}

pub struct Leaf {
    pub der: Vec<u8>,
    pub key: Vec<u8>,
}

pub fn ca(cn: &str, parent: Option<&Ca>) -> Ca {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "Test Org");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let cert = match parent {
        Some(par) => p.signed_by(&key, &par.issuer).unwrap(),
        None => p.self_signed(&key).unwrap(),
    };
    Ca {
        der: cert.der().to_vec(),
        issuer: Issuer::new(p, key),
    }
}

pub fn leaf(cn: &str, issuer: &Ca, client: bool) -> Leaf {
    let mut p = CertificateParams::new(vec![cn.to_string()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![if client {
        ExtendedKeyUsagePurpose::ClientAuth
    } else {
        ExtendedKeyUsagePurpose::ServerAuth
    }];
    p.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &issuer.issuer).unwrap();
    Leaf {
        der: cert.der().to_vec(),
        key: key.serialize_der(),
    }
}

/// root → intermediate → leaf for a server.
pub struct Pki {
    pub root: Ca,
    pub inter: Ca,
    pub leaf: Leaf,
}

pub fn pki(name: &str) -> Pki {
    let root = ca(&format!("{name} Root"), None);
    let inter = ca(&format!("{name} Issuing"), Some(&root));
    let leaf = leaf("bars.test", &inter, false);
    Pki { root, inter, leaf }
}

pub fn subject_der(cert: &[u8]) -> Vec<u8> {
    use x509_parser::prelude::FromDer;
    let (_, c) = x509_parser::certificate::X509Certificate::from_der(cert).unwrap();
    c.subject().as_raw().to_vec()
}

pub fn serve(
    chain: Vec<Vec<u8>>,
    key: Vec<u8>,
    client_auth: ClientAuthMode,
    tls12_only: bool,
) -> (SocketAddr, ServerHandle) {
    spawn_tls(&TlsServerSpec {
        chain,
        key_pkcs8: key,
        client_auth,
        tls12_only,
        ocsp: None,
    })
    .unwrap()
}

pub fn identity(l: &Leaf, extra: &[&[u8]]) -> ClientIdentity {
    let mut chain = vec![l.der.clone()];
    chain.extend(extra.iter().map(|c| c.to_vec()));
    ClientIdentity {
        chain,
        key_pkcs8: l.key.clone(),
    }
}
