//! Test support for bars-certcheck, a dev-dependency only: servers on 127.0.0.1 that
//! blocking tests can start and stop ([`servers`]). Nothing here leaves loopback, and
//! nothing here is part of the product.

#![warn(missing_docs)]

pub mod servers;

pub use servers::{
    spawn_fleet, spawn_hostile, spawn_tls, ClientAuthMode, ClientCas, FleetKind, Hostile,
    ServerHandle, TestServerError, TlsServerSpec,
};
