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
