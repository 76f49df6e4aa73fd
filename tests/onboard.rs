//! `onboard` integration tests (being written).
