//! What an installed tool offers: shell completions and help from the same definitions
//! (the manual pages: tests/man.rs).

use crate::util::run;

const COMMANDS: &[&str] = &[
    "inspect", "check", "probe", "scan", "csr", "pfx", "ca", "trust", "match", "explain", "demo",
];

#[test]
fn completions_for_every_shell_list_every_command() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run(&["completions", shell]);
        r.code(0);
        for c in COMMANDS {
            assert!(r.stdout.contains(c), "{shell}: {c} missing");
        }
    }
    let r = run(&["completions", "tcsh"]);
    r.code(2);
}

#[test]
fn every_command_has_help_with_examples() {
    for c in COMMANDS {
        let r = run(&[c, "--help"]);
        r.code(0);
        assert!(
            r.stdout.contains("Examples:") || r.stdout.contains("Commands:"),
            "{c}: {r}"
        );
    }
    for sub in [
        ["csr", "new"],
        ["pfx", "build"],
        ["ca", "list"],
        ["ca", "fetch"],
        ["trust", "lint"],
    ] {
        let r = run(&[sub[0], sub[1], "--help"]);
        r.code(0);
        assert!(r.stdout.contains("Examples:"), "{sub:?}: {r}");
    }
}
