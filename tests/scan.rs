//! `scan` integration tests (being written).
