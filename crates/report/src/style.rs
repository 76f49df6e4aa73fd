//! Colour, decided once by the CLI and passed in: renderers never probe the terminal.
//! The character set comes from the locale: the tree and mark glyphs (`✓ ✗ └─ →`) fall
//! back to ASCII when it is not UTF-8.

use std::borrow::Cow;

use colored::Colorize;

/// Text styling for one render.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
    unicode: bool,
}

/// The glyphs the text renderers use, and their ASCII stand-ins.
const GLYPHS: &[(char, &str)] = &[
    ('✓', "+"),
    ('✗', "x"),
    ('└', "`"),
    ('├', "|"),
    ('─', "-"),
    ('│', "|"),
    ('→', "->"),
    ('…', "..."),
    ('—', "--"),
    ('–', "-"),
    ('⚠', "!"),
    ('•', "*"),
    ('≥', ">="),
    ('≤', "<="),
];

/// A distinguished name as text shows it: an empty one is `(empty subject)`, never blank.
pub fn name_text(dn: &str) -> &str {
    if dn.trim().is_empty() {
        "(empty subject)"
    } else {
        dn
    }
}

/// True when the locale's character set is UTF-8: the first of `LC_ALL`, `LC_CTYPE` and
/// `LANG` that is set and not empty names it ("UTF-8" or "utf8", in any case); none set
/// is the C locale, which is ASCII.
pub fn locale_is_utf8(var: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| var(k).filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

impl Style {
    /// Styling with colour on or off, and the glyphs the locale can show (read from the
    /// environment: see [`locale_is_utf8`]).
    pub fn new(color: bool) -> Self {
        Style {
            color,
            unicode: locale_is_utf8(|k| std::env::var(k).ok()),
        }
    }

    /// The same styling with UTF-8 glyphs on or off, whatever the locale.
    pub fn with_unicode(self, unicode: bool) -> Self {
        Style { unicode, ..self }
    }

    /// Whether colour is on.
    pub fn color(&self) -> bool {
        self.color
    }

    /// Whether the tree and mark glyphs are printed as they are (else as ASCII).
    pub fn unicode(&self) -> bool {
        self.unicode
    }

    /// `text` as the terminal can show it: when the locale is not UTF-8, the renderers'
    /// glyphs become ASCII and any other non-ASCII character (in a certificate's name,
    /// say) is escaped as its UTF-8 bytes, `\C4\9F`, as RFC 4514 and `openssl -nameopt
    /// esc_msb` write them.
    pub fn glyphs<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.unicode || text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match GLYPHS.iter().find(|(g, _)| *g == c) {
                Some((_, ascii)) => out.push_str(ascii),
                None if c.is_ascii() => out.push(c),
                None => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\{b:02X}"));
                    }
                }
            }
        }
        Cow::Owned(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_locale_is_read_lc_all_then_lc_ctype_then_lang() {
        assert!(locale_is_utf8(env(&[("LANG", "en_GB.UTF-8")])));
        assert!(locale_is_utf8(env(&[("LANG", "C.utf8")])));
        assert!(!locale_is_utf8(env(&[("LANG", "C")])));
        assert!(!locale_is_utf8(env(&[])));
        assert!(!locale_is_utf8(env(&[
            ("LC_ALL", "C"),
            ("LANG", "en_GB.UTF-8")
        ])));
        assert!(locale_is_utf8(env(&[
            ("LC_ALL", ""),
            ("LC_CTYPE", "C.UTF-8"),
            ("LANG", "C")
        ])));
        assert!(!locale_is_utf8(env(&[
            ("LC_CTYPE", "POSIX"),
            ("LANG", "en_GB.UTF-8")
        ])));
    }

    #[test]
    fn glyphs_fall_back_to_ascii() {
        let ascii = Style::new(false).with_unicode(false);
        assert_eq!(ascii.glyphs("  └─ ✓ [1] a → b…"), "  `- + [1] a -> b...");
        // Other characters are escaped, never sent as bytes the terminal cannot show.
        assert_eq!(ascii.glyphs("✗ E-Tuğra"), "x E-Tu\\C4\\9Fra");
        assert!(ascii.glyphs("Főtanúsítvány €").is_ascii());
        let utf8 = Style::new(false).with_unicode(true);
        assert_eq!(utf8.glyphs("└─ ✓"), "└─ ✓");
    }
}
