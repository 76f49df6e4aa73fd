//! `probe` integration tests (being written).
