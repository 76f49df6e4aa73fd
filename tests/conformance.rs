//! x509-limbo through the real binary, on a sample: the command SPEC "Conformance" names
//! (`check PEER INTERMEDIATES --env public --no-embedded-ca --ca public:ANCHORS --at TIME
//! --expect-fqdn NAME --format json`) gives the expected verdict, or the one
//! `crates/checks/tests/limbo-exceptions.json` records for that case. The whole subset runs
//! in process (the same pipeline) in `crates/checks/tests/limbo.rs`; this keeps the binary
//! honest to it.

use crate::util::{root, run};
use serde_json::Value;
use std::collections::BTreeMap;

/// Every n-th case that `check` can express runs (about 50 cases).
const EVERY: usize = 25;

fn expressible(tc: &Value) -> bool {
    let empty = |k: &str| tc[k].as_array().is_none_or(|a| a.is_empty());
    tc["validation_kind"] == "SERVER"
        && empty("key_usage")
        && empty("signature_algorithms")
        && tc["max_chain_depth"].is_null()
        && tc["extended_key_usage"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e == "serverAuth" || e == "clientAuth")
        && (tc["expected_peer_name"].is_null()
            || matches!(
                tc["expected_peer_name"]["kind"].as_str(),
                Some("DNS" | "IP")
            ))
}

#[test]
fn the_binary_agrees_with_the_conformance_pipeline_on_a_sample() {
    let data = root().join("fixtures/conformance/limbo-subset.json");
    let limbo: Value = serde_json::from_str(
        &std::fs::read_to_string(&data).unwrap_or_else(|e| panic!("{}: {e}", data.display())),
    )
    .unwrap();
    let exceptions: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("crates/checks/tests/limbo-exceptions.json")).unwrap(),
    )
    .unwrap();
    let listed: BTreeMap<&str, &str> = exceptions["exceptions"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, e)| (id.as_str(), e["actual"].as_str().unwrap()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for tc in limbo["testcases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|tc| expressible(tc))
        .step_by(EVERY)
    {
        ran += 1;
        let id = tc["id"].as_str().unwrap();
        let write = |name: &str, pems: Vec<&str>| {
            let p = dir.path().join(name);
            std::fs::write(&p, pems.join("\n")).unwrap();
            p.display().to_string()
        };
        let strs = |k: &str| -> Vec<&str> {
            tc[k]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| v.as_str().unwrap())
                .collect()
        };
        let mut args: Vec<String> = vec![
            "check".into(),
            write("peer.pem", vec![tc["peer_certificate"].as_str().unwrap()]),
        ];
        let inter = strs("untrusted_intermediates");
        if !inter.is_empty() {
            args.push(write("intermediates.pem", inter));
        }
        args.extend(["--env", "public", "--no-embedded-ca"].map(String::from));
        let anchors = strs("trusted_certs");
        if !anchors.is_empty() {
            args.push("--ca".into());
            args.push(format!("public:{}", write("anchors.pem", anchors)));
        }
        if let Some(t) = tc["validation_time"].as_str() {
            args.extend(["--at".into(), t.into()]);
        }
        if let Some(n) = tc["expected_peer_name"]["value"].as_str() {
            args.extend(["--expect-fqdn".into(), n.into()]);
        }
        if tc["extended_key_usage"] == serde_json::json!(["clientAuth"]) {
            args.extend(["--usage".into(), "client".into()]);
        }
        args.extend(["--format".into(), "json".into()]);
        let r = run(&args);
        let accepted = serde_json::from_str::<Value>(&r.stdout).is_ok_and(|doc| {
            doc["chain"]["valid"] == true
                && !doc["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|f| f["id"] == "name.host-mismatch")
        });
        let actual = if accepted { "SUCCESS" } else { "FAILURE" };
        let want = listed
            .get(id)
            .copied()
            .unwrap_or_else(|| tc["expected_result"].as_str().unwrap());
        if actual != want {
            failures.push(format!("{id}: {actual}, expected {want}\n{r}"));
        }
    }
    assert!(ran >= 40, "only {ran} cases ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
