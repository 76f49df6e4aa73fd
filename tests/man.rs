//! What `bars-certcheck man` and `bars-certcheck completions` install: manual pages that
//! render and point only at pages that exist, and a bash completion that completes option
//! values (run in a real bash).

use crate::util::run;
use std::path::Path;
use std::process::Command;

/// What bash's completion offers for `words` (the last one being completed), with the
/// script `bars-certcheck completions bash` prints sourced, through the function it
/// registers for `bars-certcheck`.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let prev = words.len().checked_sub(2).map_or("", |i| words[i]);
    let program = format!(
        "source '{}'\n\
         f=$(complete -p bars-certcheck | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         \"$f\" bars-certcheck '{}' '{prev}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" "),
        words.len() - 1,
        words.last().unwrap(),
    );
    let out = Command::new("bash")
        .args(["-c", &program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn bash_completion_completes_option_values_and_commands() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bars-certcheck.bash");
    let r = run(&["completions", "bash"]);
    r.code(0);
    std::fs::write(&script, &r.stdout).unwrap();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["bars-certcheck", "check", "--env", ""],
            &["auto", "int", "prod", "public"],
        ),
        (
            &["bars-certcheck", "probe", "--revocation", ""],
            &["both", "crl", "ocsp", "off"],
        ),
        (&["bars-certcheck", "check", "--fail-on", "w"], &["warning"]),
        (
            &["bars-certcheck", "trust", "lint", "--env", "p"],
            &["prod"],
        ),
        (&["bars-certcheck", "completions", "f"], &["fish"]),
        (
            &["bars-certcheck", "check", "--no-emb"],
            &["--no-embedded-ca"],
        ),
        (&["bars-certcheck", "ins"], &["inspect"]),
    ];
    for (words, want) in cases {
        assert_eq!(
            bash_completes(&script, words),
            s(want),
            "completing {words:?}"
        );
    }
}

/// The pages `name(1)` that `roff` refers to, its own name included.
fn references(roff: &str) -> Vec<String> {
    let plain = roff
        .replace("\\%", "")
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "");
    let mut out = Vec::new();
    for (i, _) in plain.match_indices("(1)") {
        let head = &plain[..i];
        let start = head
            .rfind(|c: char| !(c.is_ascii_lowercase() || c == '-'))
            .map_or(0, |p| p + 1);
        if head[start..].starts_with("bars-certcheck") {
            out.push(head[start..].to_string());
        }
    }
    out
}

/// `man -l FILE` as plain text, or None when man-db is not installed (CI installs it and
/// sets BARS_REQUIRE_TOOLS, so there it must run). Fails on any troff warning.
fn man_renders(file: &Path) -> Option<String> {
    let out = Command::new("man")
        .args(["--warnings", "-l", "-P", "cat"])
        .arg(file)
        .env("MANWIDTH", "100")
        .env("LC_ALL", "C.UTF-8")
        .output();
    match out {
        Ok(o) => {
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(
                o.status.success() && stderr.trim().is_empty(),
                "man -l {}: {stderr}",
                file.display()
            );
            Some(String::from_utf8(o.stdout).unwrap())
        }
        Err(_) if std::env::var_os("BARS_REQUIRE_TOOLS").is_some() => {
            panic!("man is not installed")
        }
        Err(_) => {
            eprintln!("SKIPPED: man -l (man-db is not installed); the roff is still checked");
            None
        }
    }
}

#[test]
fn one_man_page_per_command_renders_and_refers_only_to_pages_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["man".as_ref(), "--out-dir".as_ref(), dir.path().as_os_str()]);
    r.code(0);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(r.stdout.lines().count(), names.len(), "{r}");
    for want in [
        "bars-certcheck",
        "bars-certcheck-inspect",
        "bars-certcheck-check",
        "bars-certcheck-probe",
        "bars-certcheck-scan",
        "bars-certcheck-csr-new",
        "bars-certcheck-pfx-build",
        "bars-certcheck-ca-list",
        "bars-certcheck-ca-fetch",
        "bars-certcheck-trust-lint",
        "bars-certcheck-match",
        "bars-certcheck-explain",
        "bars-certcheck-demo",
    ] {
        assert!(
            names.contains(&format!("{want}.1")),
            "no {want}.1 in {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    for name in &names {
        let file = dir.path().join(name);
        let roff = std::fs::read_to_string(&file).unwrap();
        let page = name.trim_end_matches(".1");
        assert!(
            roff.contains(&format!("\n.TH {page} 1 ")),
            "{name}:\n{roff}"
        );
        assert_eq!(roff.matches(".TH ").count(), 1, "{name}");
        assert!(!roff.contains("EXTRA"), "{name} has an EXTRA section");
        for target in references(&roff) {
            assert!(
                names.contains(&format!("{target}.1")),
                "{name} refers to {target}(1)"
            );
        }
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "SEE ALSO"] {
            assert!(
                roff.contains(&format!(".SH {section}\n"))
                    || roff.contains(&format!(".SH \"{section}\"\n")),
                "{name}: no {section}"
            );
        }
        if let Some(text) = man_renders(&file) {
            assert!(
                text.contains("SEE ALSO") && text.contains("EXIT STATUS"),
                "{name}:\n{text}"
            );
        }
    }
    // `man` prints the top page, `man WORDS` a command's: the same as the files.
    let top = run(&["man"]);
    top.code(0);
    assert_eq!(
        top.stdout,
        std::fs::read_to_string(dir.path().join("bars-certcheck.1")).unwrap()
    );
    let fetch = run(&["man", "ca", "fetch"]);
    fetch.code(0);
    assert_eq!(
        fetch.stdout,
        std::fs::read_to_string(dir.path().join("bars-certcheck-ca-fetch.1")).unwrap()
    );
    let check = std::fs::read_to_string(dir.path().join("bars-certcheck-check.1")).unwrap();
    assert!(
        check.contains(".SH EXAMPLES") && check.contains("\\-\\-password\\-env"),
        "{check}"
    );
    let unknown = run(&["man", "nonsense"]);
    unknown.code(2);
    assert!(
        unknown.stderr.contains("no manual page for `nonsense`"),
        "{unknown}"
    );
}

#[test]
fn the_top_man_page_has_examples_and_the_environment() {
    let r = run(&["man"]);
    r.code(0);
    let roff = &r.stdout;
    let section = |name: &str| {
        let start = roff
            .find(&format!(".SH {name}\n"))
            .unwrap_or_else(|| panic!("no {name}:\n{roff}"));
        let rest = &roff[start + 4..];
        rest[..rest.find("\n.SH ").unwrap_or(rest.len())].replace("\\-", "-")
    };
    let examples = section("EXAMPLES");
    for c in [
        "bars-certcheck check ",
        "bars-certcheck probe ",
        "bars-certcheck ca fetch ",
    ] {
        assert!(examples.contains(c), "no `{c}` example:\n{examples}");
    }
    let env = section("ENVIRONMENT");
    for v in [
        "NO_COLOR",
        "HTTPS_PROXY",
        "NO_PROXY",
        "$XDG_CACHE_HOME/bars-certcheck",
    ] {
        assert!(env.contains(v), "{v} missing:\n{env}");
    }
}
