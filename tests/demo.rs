//! `demo` integration tests (being written).
