//! The validator on rcgen-made paths: each rule's bad case and its good twin.

use super::*;
use crate::testutil::*;

fn ids(j: &Judgement) -> Vec<(usize, &'static str)> {
    let mut v: Vec<(usize, &'static str)> = j.problems.iter().map(|p| (p.pos, p.kind.id)).collect();
    v.sort();
    v
}

fn judge(path: &[&Certificate]) -> Judgement {
    Validator::new(AT, Usage::Server, &Verified::default()).judge(path, Anchor::Last, false, true)
}

#[test]
fn a_good_path_is_accepted_with_nothing_to_say() {
    let r = root("Root");
    let s = sub("Sub", &r, Some(0));
    let l = leaf("host.example.com", &s);
    let j = judge(&[&l, &s.cert, &r.cert]);
    assert!(j.accepted(), "{j:?}");
    assert_eq!(ids(&j), vec![]);
}

#[test]
fn an_end_entity_used_as_issuer_is_not_a_ca() {
    let r = root("Root");
    let mut ee = leaf_params("ee.example.com", &["ee.example.com"]);
    ee.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let ee = ca_with(ee, &r, None);
    let l = leaf("host.example.com", &ee);
    let j = judge(&[&l, &ee.cert, &r.cert]);
    assert!(!j.accepted());
    // cA FALSE (webpki's EndEntityUsedAsCa) and keyUsage without keyCertSign (profile).
    assert_eq!(ids(&j), vec![(1, "chain.not-ca"), (1, "chain.not-ca")]);
}

#[test]
fn a_ca_below_a_pathlen_zero_ca_exceeds_the_path_length() {
    let r = root("Root");
    let s0 = sub("Sub0", &r, Some(0));
    let s1 = sub("Sub1", &s0, None);
    let l = leaf("host.example.com", &s1);
    let j = judge(&[&l, &s1.cert, &s0.cert, &r.cert]);
    assert!(!j.accepted());
    assert_eq!(ids(&j), vec![(2, "chain.path-length")]);
    // pathlen 1 allows it.
    let s0 = sub("Sub0", &r, Some(1));
    let s1 = sub("Sub1", &s0, None);
    let l = leaf("host.example.com", &s1);
    assert!(judge(&[&l, &s1.cert, &s0.cert, &r.cert]).accepted());
}

#[test]
fn an_unknown_critical_extension_is_reported_once_and_a_noncritical_one_not_at_all() {
    let r = root("Root");
    for critical in [true, false] {
        let mut p = leaf_params("host.example.com", &["host.example.com"]);
        p.custom_extensions = vec![unknown_extension(critical)];
        let l = leaf_with(&p, &r);
        let j = judge(&[&l, &r.cert]);
        if critical {
            assert!(!j.accepted());
            assert_eq!(ids(&j), vec![(0, "cert.critical-extension")]);
        } else {
            assert!(j.accepted(), "{j:?}");
            assert_eq!(ids(&j), vec![]);
        }
    }
}

#[test]
fn a_san_outside_the_permitted_subtree_is_refused_by_webpki() {
    let r = root("Root");
    let c = constrained("Constrained", &r, "good.example");
    let bad = leaf("host.bad.example", &c);
    let j = judge(&[&bad, &c.cert, &r.cert]);
    assert!(!j.accepted());
    assert!(
        j.problems.is_empty(),
        "no rule of ours: webpki's error stands"
    );
    assert_eq!(
        j.webpki.as_deref().map(|e| e
            .iter()
            .map(webpki_finding)
            .map(|k| k.id)
            .collect::<Vec<_>>()),
        Some(vec!["chain.name-constraints"])
    );
    let good = leaf("host.good.example", &c);
    assert!(judge(&[&good, &c.cert, &r.cert]).accepted());
}

#[test]
fn a_cn_outside_the_name_constraints_is_refused_when_the_cn_is_the_name() {
    let r = root("Root");
    let c = constrained("Constrained", &r, "good.example");
    let bad = leaf_with(&leaf_params("host.bad.example", &[]), &c);
    let j = judge(&[&bad, &c.cert, &r.cert]);
    assert_eq!(ids(&j), vec![(0, "chain.name-constraints")]);
    // In public the CN is no name.
    let j = Validator::new(AT, Usage::Server, &Verified::default()).judge(
        &[&bad, &c.cert, &r.cert],
        Anchor::Last,
        false,
        false,
    );
    assert_eq!(ids(&j), vec![]);
    let good = leaf_with(&leaf_params("host.good.example", &[]), &c);
    assert_eq!(ids(&judge(&[&good, &c.cert, &r.cert])), vec![]);
}

#[test]
fn a_ca_as_the_leaf_is_refused_unless_self_signed() {
    let r = root("Root");
    let mut p = leaf_params("host.example.com", &["host.example.com"]);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    let l = leaf_with(&p, &r);
    let j = judge(&[&l, &r.cert]);
    assert!(!j.accepted());
    assert_eq!(ids(&j), vec![(0, "cert.ca-as-leaf")]);
    // Self-signed (openssl req -x509): cert.self-signed is the analysis's, not this rule.
    let key = rcgen::KeyPair::generate().unwrap();
    let ss = bars_model::Certificate::from_der(p.self_signed(&key).unwrap().der()).unwrap();
    let j = Validator::new(AT, Usage::Server, &Verified::default()).judge(
        &[&ss],
        Anchor::None,
        false,
        true,
    );
    assert_eq!(ids(&j), vec![]);
}

#[test]
fn a_leaf_key_usage_without_digital_signature_is_not_a_tls_key() {
    let r = root("Root");
    let mut p = leaf_params("host.example.com", &["host.example.com"]);
    p.key_usages = vec![rcgen::KeyUsagePurpose::ContentCommitment];
    let l = leaf_with(&p, &r);
    let j = judge(&[&l, &r.cert]);
    // webpki does not read keyUsage: a profile rule, reported though webpki accepts.
    assert!(j.accepted());
    assert_eq!(ids(&j), vec![(0, "cert.key-usage")]);
}

#[test]
fn a_missing_authority_key_identifier_is_a_profile_rule() {
    let r = root("Root");
    let mut p = leaf_params("host.example.com", &["host.example.com"]);
    p.use_authority_key_identifier_extension = false;
    let l = leaf_with(&p, &r);
    let j = judge(&[&l, &r.cert]);
    assert!(j.accepted());
    assert_eq!(ids(&j), vec![(0, "cert.malformed")]);
}

#[test]
fn the_leaf_must_allow_the_usage_asked_for() {
    let r = root("Root");
    let mut p = leaf_params("host.example.com", &["host.example.com"]);
    p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let l = leaf_with(&p, &r);
    let j = judge(&[&l, &r.cert]);
    assert!(!j.accepted());
    assert_eq!(ids(&j), vec![(0, "cert.eku")]);
    let j = Validator::new(AT, Usage::Client, &Verified::default()).judge(
        &[&l, &r.cert],
        Anchor::Last,
        false,
        true,
    );
    assert!(j.accepted(), "{j:?}");
}

#[test]
fn an_expired_path_is_judged_again_at_a_valid_time_for_what_else_is_wrong() {
    let r = root("Root");
    let c = constrained("Constrained", &r, "good.example");
    let mut p = leaf_params("host.bad.example", &["host.bad.example"]);
    p.not_after = rcgen::date_time_ymd(2026, 6, 1);
    let l = leaf_with(&p, &c);
    let j = judge(&[&l, &c.cert, &r.cert]);
    let kinds: Vec<&str> = j
        .webpki
        .iter()
        .flatten()
        .map(|e| webpki_finding(e).id)
        .collect();
    assert_eq!(kinds, vec!["cert.expired", "chain.name-constraints"]);
}

#[test]
fn the_dns_syntax_of_names() {
    for ok in [
        "a.example",
        "*.example.com",
        "x-1.example.com.",
        "localhost",
    ] {
        assert!(dns_syntax_ok(ok), "{ok}");
    }
    for bad in [
        "",
        "a..b",
        "-a.example",
        "a_b.example",
        "a.*.example",
        "é.example",
    ] {
        assert!(!dns_syntax_ok(bad), "{bad}");
    }
}
