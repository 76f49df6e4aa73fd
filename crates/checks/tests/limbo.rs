//! x509-limbo conformance of the generic validation mode (`bars_checks::generic`).
//!
//! Runs every SERVER case of the x509-limbo subset (`fixtures/conformance`, vendored),
//! compares each verdict with `expected_result`, prints the agreement beside OpenSSL's
//! (`openssl-3.0.19-cli-results.json`, same folder) and fails when:
//! (a) fewer cases agree than `minimum_agreeing` in `tests/limbo-exceptions.json`,
//! (b) a case that is not listed there disagrees, or
//! (c) a listed case now agrees, is skipped or is gone (so the list stays honest).
//!
//! The data is required: a missing file fails the test. `LIMBO_RESULTS=<file>` also
//! writes our results in the upstream harness format (`{version, harness, results}`).

use bars_checks::generic::{validate, Eku, GenericCase, GenericOutcome, PeerName};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Deserialize)]
struct Limbo {
    categories: BTreeMap<String, Vec<String>>,
    testcases: Vec<Testcase>,
}

#[derive(Deserialize)]
struct Testcase {
    id: String,
    features: Vec<String>,
    validation_kind: String,
    trusted_certs: Vec<String>,
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    validation_time: Option<String>,
    signature_algorithms: Vec<String>,
    key_usage: Vec<String>,
    extended_key_usage: Vec<String>,
    expected_result: String,
    expected_peer_name: Option<PeerNameJson>,
    max_chain_depth: Option<usize>,
}

#[derive(Deserialize)]
struct PeerNameJson {
    kind: String,
    value: String,
}

#[derive(Deserialize)]
struct Reference {
    results: Vec<ReferenceResult>,
}

#[derive(Deserialize)]
struct ReferenceResult {
    id: String,
    actual_result: String,
}

#[derive(Deserialize)]
struct Exceptions {
    minimum_agreeing: usize,
    skipped_features: BTreeMap<String, String>,
    exceptions: BTreeMap<String, Exception>,
}

#[derive(Deserialize)]
struct Exception {
    expected: String,
    actual: String,
    reason: String,
}

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {e}. The x509-limbo subset is required (fixtures/conformance)",
            path.display()
        )
    })
}

fn pem(s: &str) -> Result<Vec<u8>, String> {
    CertificateDer::from_pem_slice(s.as_bytes())
        .map(|c| c.as_ref().to_vec())
        .map_err(|e| format!("PEM: {e}"))
}

/// The case as our API sees it; `Err` is an input we refuse (a FAILURE result).
fn case_of(tc: &Testcase, now: i64) -> Result<GenericCase, String> {
    let at = match &tc.validation_time {
        None => now,
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("validation_time {t}: {e}"))?
            .unix_timestamp(),
    };
    let mut case = GenericCase::new(pem(&tc.peer_certificate)?, at);
    case.intermediates = tc
        .untrusted_intermediates
        .iter()
        .map(|s| pem(s))
        .collect::<Result<_, _>>()?;
    case.anchors = tc
        .trusted_certs
        .iter()
        .map(|s| pem(s))
        .collect::<Result<_, _>>()?;
    case.peer = match &tc.expected_peer_name {
        None => None,
        Some(p) if p.kind == "DNS" => Some(PeerName::Dns(p.value.clone())),
        Some(p) if p.kind == "IP" => Some(PeerName::Ip(
            p.value
                .parse()
                .map_err(|e| format!("IP {:?}: {e}", p.value))?,
        )),
        Some(p) => return Err(format!("peer name kind {} not supported", p.kind)),
    };
    if !tc.extended_key_usage.is_empty() {
        case.ekus = tc
            .extended_key_usage
            .iter()
            .map(|e| e.parse::<Eku>())
            .collect::<Result<_, _>>()?;
    }
    case.max_depth = tc.max_chain_depth;
    Ok(case)
}

/// Why we skip a case, if we do.
fn skip_reason(tc: &Testcase, skipped_features: &BTreeMap<String, String>) -> Option<String> {
    if tc.validation_kind != "SERVER" {
        return Some("not a SERVER case".into());
    }
    if !tc.key_usage.is_empty() {
        return Some(
            "key_usage constraints are not implemented (as the rustls/OpenSSL harnesses)".into(),
        );
    }
    if !tc.signature_algorithms.is_empty() {
        return Some("signature_algorithms constraints are not implemented".into());
    }
    tc.features
        .iter()
        .find(|f| skipped_features.contains_key(*f))
        .map(|f| format!("feature {f}"))
}

fn verdict(o: &GenericOutcome) -> &'static str {
    if o.is_valid() {
        "SUCCESS"
    } else {
        "FAILURE"
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    cases: usize,
    agree: usize,
    skipped: usize,
    openssl_agree: usize,
    openssl_skipped: usize,
    webpki_agree: usize,
}

#[test]
fn limbo_conformance() {
    let started = Instant::now();
    let dir = conformance_dir();
    let load = |path: &Path| read(path).unwrap_or_else(|e| panic!("{e}"));
    let limbo: Limbo =
        serde_json::from_str(&load(&dir.join("limbo-subset.json"))).expect("limbo-subset.json");
    let reference: Reference =
        serde_json::from_str(&load(&dir.join("openssl-3.0.19-cli-results.json")))
            .expect("openssl-3.0.19-cli-results.json");
    let exceptions: Exceptions = serde_json::from_str(&load(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/limbo-exceptions.json"),
    ))
    .expect("tests/limbo-exceptions.json");
    for (id, e) in &exceptions.exceptions {
        assert!(
            !e.reason.trim().is_empty() && e.expected != e.actual,
            "exception {id}: needs a reason and expected != actual"
        );
    }
    let openssl: BTreeMap<&str, &str> = reference
        .results
        .iter()
        .map(|r| (r.id.as_str(), r.actual_result.as_str()))
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;

    let mut total = Tally::default();
    let mut by_id: BTreeMap<&str, bool> = BTreeMap::new(); // agrees
    let mut skipped: BTreeMap<&str, String> = BTreeMap::new();
    let mut disagree: BTreeMap<&str, (String, String)> = BTreeMap::new(); // actual, context
    let mut results = Vec::new();
    for tc in &limbo.testcases {
        total.cases += 1;
        match openssl.get(tc.id.as_str()).copied() {
            Some(r) if r == tc.expected_result => total.openssl_agree += 1,
            Some("SUCCESS" | "FAILURE") => {}
            _ => total.openssl_skipped += 1,
        }
        if let Some(why) = skip_reason(tc, &exceptions.skipped_features) {
            total.skipped += 1;
            results
                .push(serde_json::json!({"id": tc.id, "actual_result": "SKIPPED", "context": why}));
            skipped.insert(&tc.id, why);
            continue;
        }
        let (actual, context) = match case_of(tc, now) {
            Err(e) => ("FAILURE", format!("input: {e}")),
            Ok(mut case) => {
                let ours = validate(&case);
                // webpki alone, for the record, and to hold the strict checks to their
                // promise: they may refuse what webpki accepts, never the reverse.
                case.strict = false;
                let plain = validate(&case);
                assert!(
                    plain.is_valid() || !ours.is_valid(),
                    "{}: the strict checks accepted what webpki refused ({plain:?})",
                    tc.id
                );
                if verdict(&plain) == tc.expected_result {
                    total.webpki_agree += 1;
                }
                let context = match &ours {
                    GenericOutcome::Valid(p) => format!(
                        "path: intermediates {:?}, anchor {}",
                        p.intermediates, p.anchor
                    ),
                    GenericOutcome::Invalid(r) => r.to_string(),
                };
                (verdict(&ours), context)
            }
        };
        let agree = actual == tc.expected_result;
        if agree {
            total.agree += 1;
        } else {
            disagree.insert(&tc.id, (actual.to_string(), context.clone()));
        }
        by_id.insert(&tc.id, agree);
        results.push(serde_json::json!({"id": tc.id, "actual_result": actual, "context": context}));
    }
    let elapsed = started.elapsed();

    let pct = |n: usize, d: usize| {
        if d == 0 {
            0.0
        } else {
            100.0 * n as f64 / d as f64
        }
    };
    println!(
        "x509-limbo subset: {} cases. Ours: {} agree ({:.1}%), {} disagree ({} listed), {} skipped \
         [webpki alone: {} agree]. OpenSSL 3.0.19: {} agree ({:.1}%), {} skipped. {:.2?}",
        total.cases,
        total.agree,
        pct(total.agree, total.cases),
        disagree.len(),
        disagree
            .keys()
            .filter(|id| exceptions.exceptions.contains_key(**id))
            .count(),
        total.skipped,
        total.webpki_agree,
        total.openssl_agree,
        pct(total.openssl_agree, total.cases),
        total.openssl_skipped,
        elapsed
    );
    let expected: BTreeMap<&str, &str> = limbo
        .testcases
        .iter()
        .map(|t| (t.id.as_str(), t.expected_result.as_str()))
        .collect();
    // OpenSSL agreement over the cases we ran, and over all of them.
    let os_agrees = |id: &str| {
        let e = expected.get(id);
        e.is_some() && openssl.get(id) == e
    };
    let os_same = by_id.keys().filter(|id| os_agrees(id)).count();
    println!(
        "On the {} cases we ran: ours {}, OpenSSL {}.",
        by_id.len(),
        total.agree,
        os_same
    );
    println!(
        "{:<30} {:>6} {:>8} {:>6} {:>14} {:>13}",
        "category", "cases", "skipped", "ours", "openssl (same)", "openssl (all)"
    );
    for (cat, ids) in &limbo.categories {
        let ran: Vec<&str> = ids
            .iter()
            .map(String::as_str)
            .filter(|id| by_id.contains_key(id))
            .collect();
        let ours = ran
            .iter()
            .filter(|id| by_id.get(*id) == Some(&true))
            .count();
        let same = ran.iter().filter(|id| os_agrees(id)).count();
        let all = ids.iter().filter(|id| os_agrees(id)).count();
        println!(
            "{cat:<30} {:>6} {:>8} {ours:>6} {same:>14} {all:>13}",
            ids.len(),
            ids.len() - ran.len()
        );
    }
    for (id, (actual, ctx)) in &disagree {
        let listed = if exceptions.exceptions.contains_key(*id) {
            "listed"
        } else {
            "NEW"
        };
        println!("disagree [{listed}] {id}: {actual} ({ctx})");
    }
    for (id, why) in &skipped {
        println!("skipped {id}: {why}");
    }
    if let Ok(out) = std::env::var("LIMBO_RESULTS") {
        let doc = serde_json::json!({"version": 1, "harness": "bars-certcheck-generic", "results": results});
        std::fs::write(&out, serde_json::to_string_pretty(&doc).expect("json"))
            .expect("write results");
    }

    let mut problems = Vec::new();
    if total.agree < exceptions.minimum_agreeing {
        problems.push(format!(
            "(a) {} cases agree, below the recorded minimum {}",
            total.agree, exceptions.minimum_agreeing
        ));
    }
    for (id, (actual, ctx)) in &disagree {
        match exceptions.exceptions.get(*id) {
            None => problems.push(format!(
                "(b) {id}: {actual}, not in limbo-exceptions.json ({ctx})"
            )),
            Some(e) if e.actual != *actual => {
                problems.push(format!("(b) {id}: {actual}, listed as {}", e.actual))
            }
            Some(_) => {}
        }
    }
    for feature in exceptions.skipped_features.keys() {
        if !limbo.testcases.iter().any(|t| t.features.contains(feature)) {
            problems.push(format!("(c) skipped feature {feature}: no case carries it"));
        }
    }
    for (id, e) in &exceptions.exceptions {
        let id = id.as_str();
        if expected.get(id).is_some_and(|x| *x != e.expected) {
            problems.push(format!(
                "(c) {id}: listed as expecting {}, the data says otherwise",
                e.expected
            ));
        }
        if !expected.contains_key(id) {
            problems.push(format!("(c) {id}: listed but not in the data"));
        } else if skipped.contains_key(id) {
            problems.push(format!("(c) {id}: listed but skipped"));
        } else if !disagree.contains_key(id) {
            problems.push(format!("(c) {id}: listed but now agrees; remove it"));
        }
    }
    assert!(
        problems.is_empty(),
        "limbo conformance:\n{}",
        problems.join("\n")
    );
}
