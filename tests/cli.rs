//! Integration tests that run the real `bars-certcheck` binary (one test binary, one
//! module per area; see tests/util.rs for the harness).

mod util;

mod inspect;
mod schema;
