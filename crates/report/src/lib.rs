//! Renderers for bars-certcheck reports: text (with a chain tree), JSON, markdown, SARIF,
//! JUnit XML, self-contained HTML, and for `scan` a fleet view with OpenMetrics and HTML.
//!
//! Renderers never decide severity, read the clock or probe the terminal: the time and
//! the colour choice arrive as parameters, the judgement arrives as findings.

#![warn(missing_docs)]

pub mod diag;
pub mod fleet;
pub mod html;
pub mod inspect;
pub mod json;
pub mod junit;
pub mod markup;
pub mod sarif;
pub mod style;
pub mod tree;

pub use style::Style;
