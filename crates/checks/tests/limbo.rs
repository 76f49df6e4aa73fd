//! x509-limbo conformance of the shipped path: each SERVER case of the subset goes
//! through exactly what
//! `check PEER INTERMEDIATES --env public --no-embedded-ca --ca public:ANCHORS --at TIME
//! --expect-fqdn NAME --format json` does — the files read by `bars_model::read_bytes`,
//! the `--ca` certificates as public anchors, `bars_checks::analyse` — in process and in
//! parallel. A case is accepted when `chain.valid` is true and no `name.host-mismatch` is
//! reported (SPEC "Conformance is measured on the shipped path"). Cases `check` cannot
//! express (a maximum chain depth, key usage or signature algorithm constraints, purposes
//! other than serverAuth/clientAuth) are skipped.
//!
//! Runs every SERVER case of the x509-limbo subset (`fixtures/conformance`, vendored),
//! compares each verdict with `expected_result`, prints the agreement beside OpenSSL's
//! (`openssl-3.0.19-cli-results.json`, same folder) and fails when:
//! (a) fewer cases agree than `minimum_agreeing` in `tests/limbo-exceptions.json`,
//! (b) a case that is not listed there disagrees, or
//! (c) a listed case now agrees, is skipped or is gone (so the list stays honest).
//!
//! `LIMBO_RESULTS=<file>` also writes our results in the upstream harness format.

use bars_checks::{analyse, CheckInput, ExtraCa, Options, Source, Usage};
use bars_model::{read_bytes, Limits, NoPassword};
use bars_nhs::Environment;
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

/// What `check` says of the case: `Ok((accepted, context))`, or `Err` for an input the
/// command refuses before judging (exit 2, no document: a FAILURE).
fn run_case(tc: &Testcase, now: i64) -> Result<(bool, String), String> {
    let at = match &tc.validation_time {
        None => now,
        Some(t) => time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("validation_time {t}: {e}"))?
            .unix_timestamp(),
    };
    let limits = Limits::default();
    let mut input = CheckInput::default();
    let mut files = vec![("peer.pem", tc.peer_certificate.clone())];
    if !tc.untrusted_intermediates.is_empty() {
        files.push(("intermediates.pem", tc.untrusted_intermediates.join("\n")));
    }
    for (name, pem) in files {
        let parsed = read_bytes(name, pem.as_bytes(), &NoPassword, &limits);
        for e in &parsed.errors {
            input
                .unreadable
                .push((name.to_string(), e.kind.to_string()));
        }
        for c in parsed.certificates() {
            input
                .certificates
                .push((c.clone(), Source::File(name.to_string())));
        }
    }
    let mut opts = Options::new(at);
    opts.env = Some(Environment::Public);
    opts.use_embedded = false;
    opts.usage = match tc.extended_key_usage.as_slice() {
        [] => Usage::Server,
        [one] if one == "serverAuth" => Usage::Server,
        [one] if one == "clientAuth" => Usage::Client,
        _ => Usage::Both,
    };
    if !tc.trusted_certs.is_empty() {
        let anchors = tc.trusted_certs.join("\n");
        let parsed = read_bytes("anchors.pem", anchors.as_bytes(), &NoPassword, &limits);
        if let Some(e) = parsed.errors.first() {
            return Err(format!("--ca {e}"));
        }
        for cert in parsed.certificates() {
            opts.extra_cas.push(ExtraCa {
                env: Some(Environment::Public),
                cert: cert.clone(),
                path: "anchors.pem".into(),
                source: None,
            });
        }
    }
    if let Some(p) = &tc.expected_peer_name {
        opts.expect_fqdn = Some(p.value.clone());
    }
    let analysis = analyse(&input, &opts);
    if std::env::var("LIMBO_CASE").is_ok_and(|c| c == tc.id) {
        for (i, c) in analysis.certificates.iter().enumerate() {
            eprintln!(
                "#{i} {} {:?} {}",
                c.cert.summary().subject,
                c.role,
                c.source
            );
        }
        eprintln!("chains {:?}", analysis.chains);
        for f in &analysis.findings {
            eprintln!("{} {:?}: {}", f.id(), f.certificate, f.detail);
        }
    }
    let valid = analysis.chains.first().is_some_and(|c| c.valid);
    let mismatch = analysis
        .findings
        .iter()
        .any(|f| f.id() == "name.host-mismatch");
    let errors: Vec<String> = analysis
        .findings
        .iter()
        .filter(|f| f.severity == bars_checks::Severity::Error)
        .map(|f| format!("{}: {}", f.id(), f.detail))
        .collect();
    let context = if valid && !mismatch {
        "chain.valid".to_string()
    } else if errors.is_empty() {
        format!("chain.valid {valid}, no error findings")
    } else {
        errors.join("; ")
    };
    Ok((valid && !mismatch, context))
}

/// Why we skip a case, if we do.
fn skip_reason(tc: &Testcase, skipped_features: &BTreeMap<String, String>) -> Option<String> {
    if tc.validation_kind != "SERVER" {
        return Some("not a SERVER case".into());
    }
    if !tc.key_usage.is_empty() {
        return Some("key_usage constraints cannot be given to check".into());
    }
    if !tc.signature_algorithms.is_empty() {
        return Some("signature_algorithms constraints cannot be given to check".into());
    }
    if tc.max_chain_depth.is_some() {
        return Some("a maximum chain depth cannot be given to check".into());
    }
    if tc
        .extended_key_usage
        .iter()
        .any(|e| e != "serverAuth" && e != "clientAuth")
    {
        return Some("check's --usage expresses serverAuth and clientAuth only".into());
    }
    if let Some(p) = &tc.expected_peer_name {
        if p.kind != "DNS" && p.kind != "IP" {
            return Some(format!(
                "peer name kind {} cannot be given to check",
                p.kind
            ));
        }
    }
    tc.features
        .iter()
        .find(|f| skipped_features.contains_key(*f))
        .map(|f| {
            format!(
                "feature {f}: {}",
                skipped_features.get(f.as_str()).map_or("", |w| w.as_str())
            )
        })
}

#[derive(Default, Clone, Copy)]
struct Tally {
    cases: usize,
    agree: usize,
    skipped: usize,
    openssl_agree: usize,
    openssl_skipped: usize,
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

    // Every case that runs, in parallel (each is independent).
    let runnable: Vec<&Testcase> = limbo
        .testcases
        .iter()
        .filter(|tc| skip_reason(tc, &exceptions.skipped_features).is_none())
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = runnable.len().div_ceil(threads).max(1);
    let outcomes: BTreeMap<&str, Result<(bool, String), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = runnable
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|tc| (tc.id.as_str(), run_case(tc, now)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a case panicked"))
            .collect()
    });

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
        let (actual, context) = match outcomes.get(tc.id.as_str()) {
            Some(Ok((true, ctx))) => ("SUCCESS", ctx.clone()),
            Some(Ok((false, ctx))) => ("FAILURE", ctx.clone()),
            Some(Err(e)) => ("FAILURE", format!("refused before judging: {e}")),
            None => ("FAILURE", "not run".to_string()),
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
        "x509-limbo subset: {} cases. check: {} agree ({:.1}% of all, {:.1}% of the {} run), {} disagree ({} listed), {} skipped. \
         OpenSSL 3.0.19: {} agree ({:.1}%), {} skipped. {:.2?}",
        total.cases,
        total.agree,
        pct(total.agree, total.cases),
        pct(total.agree, total.cases - total.skipped),
        total.cases - total.skipped,
        disagree.len(),
        disagree
            .keys()
            .filter(|id| exceptions.exceptions.contains_key(**id))
            .count(),
        total.skipped,
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
        let doc = serde_json::json!({"version": 1, "harness": "bars-certcheck-check", "results": results});
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
