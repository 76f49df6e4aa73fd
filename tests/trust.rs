//! `trust` integration tests (being written).
