//! Renderers for bars-certcheck reports: text (with a chain tree), JSON, markdown, SARIF,
//! and the fleet view of a scan (table, CSV, JSON).
//!
//! Renderers never decide severity, read the clock or probe the terminal: the time and
//! the colour choice arrive as parameters, the judgement arrives as findings.

#![warn(missing_docs)]

pub mod cas;
pub mod diag;
pub mod explain;
pub mod inspect;
pub mod json;
pub mod matching;
pub mod onboarding;
pub mod sarif;
pub mod scan;
pub mod style;
pub mod tree;
pub mod trust;

pub use style::Style;
