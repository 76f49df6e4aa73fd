//! `demo`: a local TLS-MA Receiver with a planted fault, probed and diagnosed.

use crate::schema::assert_valid;
use crate::util::run;

#[test]
fn every_planted_fault_is_diagnosed() {
    for (fault, id) in [
        ("incomplete-chain", Some("chain.incomplete")),
        ("no-client-auth", Some("tls.no-client-auth")),
        ("expired", Some("cert.expired")),
        ("wrong-host", Some("name.host-mismatch")),
        ("none", None),
    ] {
        let r = run(&["demo", "--fault", fault, "--format", "json"]);
        r.code(0);
        let doc = r.json();
        assert_valid(&doc);
        assert_eq!(doc["environment"], "int", "{r}");
        assert_eq!(
            doc["tls"]["client_auth_requested"],
            fault != "no-client-auth",
            "{r}"
        );
        let ids: Vec<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        match id {
            Some(id) => {
                assert!(ids.contains(&id), "{fault}: {r}");
                assert_eq!(doc["verdict"], "fail", "{r}");
            }
            None => assert_eq!(doc["verdict"], "pass", "{r}"),
        }
    }
}

#[test]
fn the_default_demo_names_the_missing_intermediate() {
    let r = run(&["demo"]);
    r.code(0);
    assert!(
        r.stdout
            .contains("Planted fault: the server sends its certificate without the intermediate"),
        "{r}"
    );
    assert!(r.stdout.contains("[chain.incomplete]"), "{r}");
    assert!(r.stdout.contains("BaRS TEST INT Authentication"), "{r}");
    assert!(r.stdout.contains("The planted fault was diagnosed"), "{r}");
}

#[test]
fn the_commands_the_demo_suggests_run_as_printed() {
    let r = run(&["demo"]);
    r.code(0);
    let closing = r.stdout.lines().last().unwrap_or_default().to_string();
    let commands: Vec<Vec<&str>> = closing
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|c| c.strip_prefix("bars-certcheck "))
        .map(|c| c.split_whitespace().collect())
        .collect();
    assert_eq!(commands.len(), 3, "{closing}");
    for args in commands {
        assert!(!args.iter().any(|a| a.contains(['<', '>'])), "{closing}");
        let r = run(&args);
        r.code(0);
    }
}
