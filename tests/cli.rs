//! Integration tests that run the real `bars-certcheck` binary (one test binary, one
//! module per area; see tests/util.rs for the harness).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod util;

mod advice;
mod bounds;
mod check;
mod conformance;
mod convert;
mod demo;
mod export;
mod extract;
mod formats;
mod help;
mod inspect;
mod install;
mod keystore;
mod keystore_identity;
mod man;
mod matching;
mod nginx;
mod onboard;
mod pipeline;
mod probe;
mod renewal;
mod revocation;
mod scan;
mod scenarios;
mod schema;
mod secrets;
mod terminal;
mod trust;
