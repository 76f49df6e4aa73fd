//! Renderers for bars-certcheck reports: text (with a chain tree), JSON, markdown, SARIF,
//! JUnit XML, self-contained HTML, and the fleet view of a scan (table, CSV, JSON,
//! OpenMetrics, HTML).
//!
//! Renderers never decide severity, read the clock or probe the terminal: the time and
//! the colour choice arrive as parameters, the judgement arrives as findings.

#![warn(missing_docs)]

pub mod cas;
pub mod diag;
pub mod explain;
pub mod fleet;
pub mod html;
pub mod inspect;
pub mod json;
pub mod junit;
pub mod man;
pub mod markup;
pub mod matching;
pub mod onboarding;
pub mod sarif;
pub mod scan;
pub mod style;
pub mod tree;
pub mod trust;

pub use style::Style;
