//! Test support for bars-certcheck, a dev-dependency only: servers on 127.0.0.1 that
//! blocking tests can start and stop ([`servers`]), a CA run by `openssl ca` with its
//! CRLs, OCSP responses and HTTP peers ([`ca`]), a CONNECT proxy ([`proxy`]), and the
//! `openssl` runner ([`openssl`]), and the browser and skip helpers of the heavy-tool
//! tests ([`browser`]). Nothing here leaves loopback, and nothing here is part
//! of the product.

#![warn(missing_docs)]

pub mod browser;
pub mod ca;
pub mod openssl;
pub mod proxy;
pub mod servers;

pub use servers::{
    spawn_fleet, spawn_hostile, spawn_tls, ClientAuthMode, ClientCas, FleetKind, Hostile,
    ServerHandle, TestServerError, TlsServerSpec,
};
