//! `matching` integration tests (being written).
