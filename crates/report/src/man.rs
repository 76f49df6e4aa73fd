//! Manual pages (roff), from the same clap definitions as `--help`: one page per command
//! (`bars-certcheck(1)`, `bars-certcheck-check(1)`, `bars-certcheck-ca-fetch(1)`, …), each
//! with its options, its examples and its exit status, and cross-references only to pages
//! that exist.

use std::fmt::Write;

/// One manual page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's name, which is also its file name without `.1` (`bars-certcheck-check`).
    pub name: String,
    /// The roff source.
    pub roff: String,
}

/// The command tree as the pages describe it: no `help` subcommands, names resolved
/// (`bars-certcheck ca fetch` in synopses, `bars-certcheck-ca-fetch` as page names).
fn prepared(cmd: clap::Command) -> clap::Command {
    fn no_help(c: clap::Command) -> clap::Command {
        c.disable_help_subcommand(true).mut_subcommands(no_help)
    }
    let mut cmd = no_help(cmd);
    cmd.build();
    cmd
}

/// The visible subcommands of `cmd`.
fn children(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

fn page_name(cmd: &clap::Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

/// Every page: the top page first, then each command's, depth first.
pub fn pages(cmd: clap::Command) -> Vec<Page> {
    fn walk<'a>(c: &'a clap::Command, out: &mut Vec<&'a clap::Command>) {
        out.push(c);
        for s in children(c) {
            walk(s, out);
        }
    }
    let cmd = prepared(cmd);
    let mut all = Vec::new();
    walk(&cmd, &mut all);
    all.iter().map(|c| render(&cmd, c)).collect()
}

/// The page of the command named by `words` (none: the top page), or a one-line reason.
pub fn page(cmd: clap::Command, words: &[String]) -> Result<Page, String> {
    let cmd = prepared(cmd);
    let mut at = &cmd;
    for w in words {
        at = children(at)
            .find(|c| c.get_name() == w || c.get_all_aliases().any(|a| a == w))
            .ok_or_else(|| {
                let known: Vec<&str> = children(at).map(|c| c.get_name()).collect();
                format!(
                    "no manual page for `{}`: the commands of {} are {}",
                    words.join(" "),
                    at.get_bin_name().unwrap_or_else(|| at.get_name()),
                    known.join(", ")
                )
            })?;
    }
    Ok(render(&cmd, at))
}

/// `s` as roff text: backslashes and hyphens escaped, no line read as a request.
fn roff_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, line) in s.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.starts_with(['.', '\'']) {
            out.push_str("\\&");
        }
        out.push_str(&line.replace('\\', "\\e").replace('-', "\\-"));
    }
    out
}

/// A section of literal lines (examples), kept as written.
fn literal(out: &mut String, lines: &[&str]) {
    out.push_str(".PP\n.nf\n.RS 4\n");
    for l in lines {
        let _ = writeln!(out, "{}", roff_text(l.strip_prefix("  ").unwrap_or(l)));
    }
    out.push_str(".RE\n.fi\n");
}

/// A command's after-help text, taken apart: example lines, other notes, exit status.
#[derive(Default)]
struct AfterHelp<'a> {
    examples: Vec<&'a str>,
    notes: Vec<String>,
    exit: Vec<String>,
}

fn after_help(text: &str) -> AfterHelp<'_> {
    let mut a = AfterHelp::default();
    for para in text.split("\n\n") {
        let mut lines = para.lines().peekable();
        if lines.peek().is_some_and(|l| l.trim() == "Examples:") {
            a.examples.extend(lines.skip(1));
            continue;
        }
        let (mut note, mut exit, mut in_exit) = (Vec::new(), Vec::new(), false);
        for l in lines {
            let rest = l.strip_prefix("Exit codes:");
            in_exit |= rest.is_some();
            if in_exit { &mut exit } else { &mut note }.push(rest.unwrap_or(l).trim());
        }
        if !note.is_empty() {
            a.notes.push(note.join(" "));
        }
        if !exit.is_empty() {
            a.exit.push(exit.join(" "));
        }
    }
    a
}

/// The first example of a command: its first line and the lines continuing it.
fn first_example<'a>(examples: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for l in examples {
        if !out.is_empty() && !l.starts_with("   ") {
            break;
        }
        out.push(l);
    }
    out
}

fn render(root: &clap::Command, cmd: &clap::Command) -> Page {
    let name = page_name(cmd).to_string();
    let man = clap_mangen::Man::new(cmd.clone()).source(format!(
        "bars-certcheck {}",
        root.get_version().unwrap_or_default()
    ));
    let mut buf: Vec<u8> = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut buf);
    let _ = man.render_name_section(&mut buf);
    let _ = man.render_synopsis_section(&mut buf);
    let _ = man.render_description_section(&mut buf);
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut buf);
    }
    if children(cmd).next().is_some() {
        let _ = man.render_subcommands_section(&mut buf);
    }
    // Each section comes with the roff crate's prelude (defining \*(Aq): keep one.
    const PRELUDE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let mut out = String::from_utf8_lossy(&buf).replace(PRELUDE, "");
    out.insert_str(0, PRELUDE);
    let text = cmd
        .get_after_help()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let help = after_help(&text);
    let top = std::ptr::eq(root, cmd);
    if top {
        out.push_str(".SH EXAMPLES\n");
        for leaf in leaves(root) {
            let t = leaf
                .get_after_help()
                .map(|s| s.to_string())
                .unwrap_or_default();
            let example = first_example(&after_help(&t).examples);
            if !example.is_empty() {
                let _ = writeln!(
                    out,
                    ".PP\n{}",
                    roff_text(
                        leaf.get_about()
                            .map(|a| a.to_string())
                            .unwrap_or_default()
                            .as_str()
                    )
                );
                literal(&mut out, &example);
            }
        }
        out.push_str(ENVIRONMENT);
        out.push_str(EXIT_STATUS);
    } else {
        if !help.examples.is_empty() {
            out.push_str(".SH EXAMPLES\n");
            literal(&mut out, &help.examples);
        }
        if !help.notes.is_empty() {
            out.push_str(".SH NOTES\n");
            for n in &help.notes {
                let _ = writeln!(out, ".PP\n{}", roff_text(n));
            }
        }
        out.push_str(".SH \"EXIT STATUS\"\n");
        if help.exit.is_empty() {
            out.push_str("See \\fBbars\\-certcheck\\fR(1).\n");
        }
        for e in &help.exit {
            let _ = writeln!(out, ".PP\n{}", roff_text(e));
        }
    }
    if let Some(v) = root.get_version() {
        let _ = writeln!(out, ".SH VERSION\nv{}", roff_text(v));
    }
    out.push_str(".SH \"SEE ALSO\"\n");
    let mut refs: Vec<String> = Vec::new();
    if !top {
        refs.push(page_name(root).to_string());
        let parent = name.rsplit_once('-').map(|(p, _)| p).unwrap_or_default();
        if parent != page_name(root) && !parent.is_empty() {
            refs.push(parent.to_string());
        }
    }
    refs.extend(children(cmd).map(|c| page_name(c).to_string()));
    let refs: Vec<String> = refs
        .iter()
        .map(|r| format!("\\fB\\%{}\\fR(1)", roff_text(r)))
        .collect();
    let _ = writeln!(out, "{}", refs.join(",\n"));
    Page { name, roff: out }
}

/// The commands that do something (no subcommands of their own), depth first.
fn leaves(cmd: &clap::Command) -> Vec<&clap::Command> {
    let mut out = Vec::new();
    for c in children(cmd) {
        if children(c).next().is_some() {
            out.extend(leaves(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The top page's ENVIRONMENT and FILES sections.
const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
When set and not empty, \fB\-\-color auto\fR (the default) prints no colour.
.TP
\fBHTTPS_PROXY\fR, \fBhttps_proxy\fR, \fBALL_PROXY\fR, \fBHTTP_PROXY\fR
The HTTP CONNECT proxy through which \fBprobe\fR, \fBscan\fR, \fBca fetch\fR and the online checks (\fB\-\-revocation\fR, \fB\-\-fetch\-missing\fR) connect, as curl reads them; \fB\-\-proxy\fR overrides them, and \fB\-\-connect\fR goes direct.
.TP
\fBNO_PROXY\fR, \fBno_proxy\fR
Hosts, domains and addresses reached without the proxy (comma-separated, as curl reads it).
.TP
\fBXDG_CACHE_HOME\fR
The cache directory is \fI$XDG_CACHE_HOME/bars\-certcheck\fR (else \fI~/.cache/bars\-certcheck\fR): downloaded CRLs until their nextUpdate, downloaded issuers for a day. \fB\-\-cache\-dir\fR chooses another, \fB\-\-no\-cache\fR none.
.TP
\fBHOME\fR
Used for the cache directory when \fBXDG_CACHE_HOME\fR is not set.
.PP
A password (of an encrypted key or a PFX) is read from the variable named by \fB\-\-password\-env\fR, never from an argument.
.SH FILES
.TP
\fI$XDG_CACHE_HOME/bars\-certcheck/\fR
The cache of the online checks (see ENVIRONMENT).
"#;

/// The top page's EXIT STATUS section (SPEC "Exit codes").
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
nothing at or above \-\-fail\-on (inspect, explain, ca list: every input was read)
.TP
\fB1\fR
findings at or above \-\-fail\-on; a refusal (bad name, mismatched key, pin mismatch)
.TP
\fB2\fR
usage error or unreadable input (each unreadable input is one line on stderr; the others are still processed)
.TP
\fB3\fR
network failure before any certificate was received
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn cli() -> clap::Command {
        clap::Command::new("tool")
            .version("1.0")
            .about("A tool.")
            .subcommand(
                clap::Command::new("check")
                    .about("Check things.")
                    .arg(clap::Arg::new("file"))
                    .after_help("Examples:\n  tool check a.pem\n  tool check b.pem \\\n      --x\n\nExit codes: 0 fine;\n1 not."),
            )
            .subcommand(
                clap::Command::new("ca")
                    .about("CAs.")
                    .subcommand(clap::Command::new("list").about("List them.")),
            )
    }

    #[test]
    fn one_page_per_command_and_references_only_to_them() {
        let pages = pages(cli());
        let names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["tool", "tool-check", "tool-ca", "tool-ca-list"]);
        for p in &pages {
            assert!(!p.roff.contains("EXTRA"), "{}", p.roff);
            let see_also = p.roff.split(".SH \"SEE ALSO\"").nth(1).unwrap_or_default();
            for r in see_also.split("\\fB").skip(1) {
                let target = r.split("\\fR").next().unwrap_or_default();
                let target = target.replace("\\%", "").replace("\\-", "-");
                assert!(names.contains(&target.as_str()), "{target} in {}", p.name);
            }
        }
        let check = &pages[1].roff;
        assert!(
            check.contains(".SH EXAMPLES\n.PP\n.nf\n.RS 4\ntool check a.pem\n"),
            "{check}"
        );
        assert!(check.contains(".SH \"EXIT STATUS\"\n.PP\n0 fine; 1 not.\n"));
        assert!(pages[0]
            .roff
            .contains("Check things.\n.PP\n.nf\n.RS 4\ntool check a.pem\n.RE"));
    }

    #[test]
    fn a_page_is_found_by_its_words() {
        assert_eq!(
            page(cli(), &["ca".into(), "list".into()]).unwrap().name,
            "tool-ca-list"
        );
        assert_eq!(page(cli(), &[]).unwrap().name, "tool");
        let e = page(cli(), &["nope".into()]).unwrap_err();
        assert!(e.contains("check, ca"), "{e}");
    }
}
