//! Colour, decided once by the CLI and passed in: renderers never probe the terminal.

use colored::Colorize;

/// Text styling for one render.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Styling with colour on or off.
    pub fn new(color: bool) -> Self {
        Style { color }
    }

    /// Whether colour is on.
    pub fn color(&self) -> bool {
        self.color
    }

    fn paint(&self, s: &str, f: impl Fn(&str) -> colored::ColoredString) -> String {
        if self.color {
            f(s).to_string()
        } else {
            s.to_string()
        }
    }

    /// A heading.
    pub fn heading(&self, s: &str) -> String {
        self.paint(s, |s| s.bold().underline())
    }

    /// Emphasis.
    pub fn bold(&self, s: &str) -> String {
        self.paint(s, |s| s.bold())
    }

    /// Something fine.
    pub fn good(&self, s: &str) -> String {
        self.paint(s, |s| s.green())
    }

    /// Something worth a look.
    pub fn warn(&self, s: &str) -> String {
        self.paint(s, |s| s.yellow())
    }

    /// Something wrong.
    pub fn bad(&self, s: &str) -> String {
        self.paint(s, |s| s.red().bold())
    }

    /// Secondary information.
    pub fn dim(&self, s: &str) -> String {
        self.paint(s, |s| s.dimmed())
    }
}
