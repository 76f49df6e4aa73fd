//! Escaping for the XML and HTML renderers (JUnit, HTML, SVG) and for markdown.

/// `s` made safe as XML/HTML text or a double- or single-quoted attribute value: `&`, `<`,
/// `>`, `"` and `'` become references, and characters XML 1.0 forbids (C0 controls other
/// than tab, LF and CR; U+FFFE, U+FFFF) become U+FFFD, so that any certificate string
/// renders as text and never as markup.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` as CommonMark (and GitHub table) inline text that renders as written: `<ODS code>`
/// is not swallowed as an HTML tag, `*`, `_`, `|`, `[`, `\\`, `&` and a lone backtick are
/// not read as emphasis, a table column, a link, an escape, an entity or a code span.
/// Code spans (a pair of backticks) and autolinks (`<https://…>`) are kept as they are;
/// a line break becomes a space.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let kept = match c {
            '`' => rest
                .get(1..)
                .and_then(|r| r.find('`'))
                .filter(|end| *end > 0)
                .map(|end| end + 2),
            '<' => autolink_len(rest),
            _ => None,
        };
        if let Some((span, after)) = kept.and_then(|n| Some((rest.get(..n)?, rest.get(n..)?))) {
            out.push_str(&span.replace(['\n', '\r'], " "));
            rest = after;
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '|' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    out
}

/// The length of the CommonMark autolink `<http://…>` or `<https://…>` at the start of
/// `s` (no space, `<` or control character inside), if there is one.
fn autolink_len(s: &str) -> Option<usize> {
    let body = s.get(1..)?;
    if !(body.starts_with("https://") || body.starts_with("http://")) {
        return None;
    }
    let end = body.find(|c: char| c == '>' || c == '<' || c.is_whitespace() || c.is_control())?;
    (body.get(end..)?.starts_with('>')).then_some(end + 2)
}

/// `s` as a markdown code span (shown literally): fenced by more backticks than any run in
/// it, line breaks as spaces, `|` escaped for a table cell.
pub fn markdown_code(s: &str) -> String {
    let text = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_escapes_what_commonmark_would_read_as_markup() {
        assert_eq!(
            markdown_text("BaRS-INT-<ODS code>.<Supplier name>.nhs.uk"),
            "BaRS-INT-\\<ODS code\\>.\\<Supplier name\\>.nhs.uk"
        );
        assert_eq!(
            markdown_text("a*b_c|d [e] & f\nline"),
            "a\\*b\\_c\\|d \\[e\\] \\& f line"
        );
        assert_eq!(markdown_text("lone ` tick"), "lone \\` tick");
    }

    #[test]
    fn markdown_text_keeps_code_spans_and_autolinks() {
        assert_eq!(
            markdown_text("run `cat a_b.pem > c.pem` then see <https://x.nhs.uk/a_b>"),
            "run `cat a_b.pem > c.pem` then see <https://x.nhs.uk/a_b>"
        );
        assert_eq!(markdown_text("<https://no end"), "\\<https://no end");
        assert_eq!(markdown_text("``"), "\\`\\`");
    }

    #[test]
    fn markdown_code_is_one_literal_span() {
        assert_eq!(markdown_code("a|b"), "`a\\|b`");
        assert_eq!(markdown_code("x`y"), "``x`y``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
    }

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "a\u{fffd}b\u{fffd}c\nd");
    }
}
