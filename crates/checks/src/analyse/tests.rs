//! The analysis on rcgen-made inputs: leaf identification, path search and trust
//! anchors, as SPEC "Chain rules" sets them out.

use super::*;
use crate::given::ExtraCa;
use crate::testutil::*;

fn file(c: &Certificate, name: &str) -> (Certificate, Source) {
    (c.clone(), Source::File(name.to_string()))
}

fn public_opts(anchors: &[&Certificate]) -> Options {
    let mut o = Options::new(AT);
    o.env = Some(Environment::Public);
    o.use_embedded = false;
    o.extra_cas = anchors
        .iter()
        .map(|c| ExtraCa {
            env: Some(Environment::Public),
            cert: (*c).clone(),
            path: "anchors.pem".into(),
            source: None,
        })
        .collect();
    o
}

fn run(given: &[(&Certificate, &str)], opts: &Options) -> Analysis {
    let input = CheckInput {
        certificates: given.iter().map(|(c, n)| file(c, n)).collect(),
        ..CheckInput::default()
    };
    analyse(&input, opts)
}

fn ids(a: &Analysis) -> Vec<&'static str> {
    a.findings.iter().map(|f| f.id()).collect()
}

#[test]
fn a_valid_path_is_found_past_an_expired_copy_of_the_intermediate() {
    let r = root("Root");
    let current = sub("Sub", &r, None);
    let mut old = ca_params("Sub", None);
    old.not_before = rcgen::date_time_ymd(2020, 1, 1);
    old.not_after = rcgen::date_time_ymd(2021, 1, 1);
    // The same name and key, expired: tried first (it comes first), refused, passed over.
    let expired = ca_with(
        old,
        &r,
        Some(rcgen::KeyPair::try_from(current.key.serialize_der()).unwrap()),
    );
    let l = leaf("host.example.com", &current);
    let a = run(
        &[
            (&l, "leaf.pem"),
            (&expired.cert, "chain.pem"),
            (&current.cert, "chain.pem"),
        ],
        &public_opts(&[&r.cert]),
    );
    let chain = &a.chains[0];
    assert!(chain.valid, "{:?} {:?}", a.chains, a.findings);
    assert_eq!(chain.path, vec![0, 2, 3]);
    // The other copy is an alternative, not unrelated, and its expiry is not this path's.
    assert_eq!(ids(&a), Vec::<&str>::new());
}

#[test]
fn a_self_issued_key_rollover_intermediate_is_not_a_root() {
    let r = root("Root");
    let old = sub("Sub", &r, None);
    // Same name, new key, signed by the old key: self-issued, not self-signed.
    let new = ca_with(ca_params("Sub", None), &old, None);
    let l = leaf("host.example.com", &new);
    let a = run(
        &[
            (&l, "chain.pem"),
            (&new.cert, "chain.pem"),
            (&old.cert, "chain.pem"),
        ],
        &public_opts(&[&r.cert]),
    );
    assert!(a.chains[0].valid, "{:?}", a.findings);
    assert_eq!(a.chains[0].path, vec![0, 1, 2, 3]);
    assert!(!ids(&a).contains(&"chain.root-sent"));
    assert_eq!(a.certificates[1].role, Role::Intermediate);
}

#[test]
fn cross_signed_loops_end() {
    let a_root = root("A");
    let b_root = root("B");
    // A cross-signed by B and B cross-signed by A: a loop the search must not follow
    // forever; the leaf under A is anchored at A.
    let a_by_b = ca_with(
        a_root.params.clone(),
        &b_root,
        Some(rcgen::KeyPair::try_from(a_root.key.serialize_der()).unwrap()),
    );
    let b_by_a = ca_with(
        b_root.params.clone(),
        &a_root,
        Some(rcgen::KeyPair::try_from(b_root.key.serialize_der()).unwrap()),
    );
    let l = leaf("host.example.com", &a_root);
    let an = run(
        &[
            (&l, "chain.pem"),
            (&a_by_b.cert, "chain.pem"),
            (&b_by_a.cert, "chain.pem"),
        ],
        &public_opts(&[&a_root.cert]),
    );
    assert!(an.chains[0].valid, "{:?}", an.findings);
}

#[test]
fn a_ca_option_intermediate_does_not_end_the_path_when_its_root_is_known() {
    let r = root("Root");
    let s = sub("Sub", &r, None);
    let l = leaf("host.example.com", &s);
    let mut o = Options::new(AT);
    o.env = Some(Environment::Int);
    o.use_embedded = false;
    for c in [&s.cert, &r.cert] {
        o.extra_cas.push(ExtraCa {
            env: Some(Environment::Int),
            cert: c.clone(),
            path: "ca.pem".into(),
            source: None,
        });
    }
    // Sent as leaf, root, sub-CA: the path runs to the root (sent: root-sent, not
    // unrelated) and the order is wrong.
    let a = run(&[(&l, "c.pem"), (&r.cert, "c.pem"), (&s.cert, "c.pem")], &o);
    assert_eq!(a.chains[0].path, vec![0, 2, 1]);
    assert_eq!(a.chains[0].trusted_by.as_deref(), Some("Root"));
    let found = ids(&a);
    assert!(
        found.contains(&"chain.order") && found.contains(&"chain.root-sent"),
        "{found:?}"
    );
    assert!(!found.contains(&"chain.unrelated"), "{found:?}");
    // Without the root known, the --ca sub-CA is the anchor (valid, trusted by it); in
    // int it must still be sent.
    o.extra_cas.truncate(1);
    let a = run(&[(&l, "c.pem")], &o);
    assert_eq!(a.chains[0].trusted_by.as_deref(), Some("Sub"));
    assert!(a.chains[0].valid && !a.chains[0].complete);
    assert!(ids(&a).contains(&"chain.incomplete"), "{:?}", a.findings);
}

#[test]
fn a_ca_named_like_a_host_is_a_leaf_and_cas_alone_are_ca_only() {
    let r = root("Root");
    let mut p = leaf_params("host.example.com", &["host.example.com"]);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    let ca_leaf = leaf_with(&p, &r);
    let a = run(&[(&ca_leaf, "leaf.pem")], &public_opts(&[&r.cert]));
    assert_eq!(a.certificates[0].role, Role::Leaf);
    assert!(ids(&a).contains(&"cert.ca-as-leaf"), "{:?}", a.findings);
    assert!(!a.chains[0].valid);

    let s = sub("Sub", &r, None);
    let a = run(&[(&s.cert, "sub.pem")], &public_opts(&[&r.cert]));
    assert!(a.chains.is_empty());
    assert_eq!(ids(&a), vec!["input.ca-only"]);
    // An untrusted CA alone is still judged.
    let other = root("Other");
    let stray = sub("Stray", &other, None);
    let a = run(&[(&stray.cert, "sub.pem")], &public_opts(&[&r.cert]));
    assert_eq!(ids(&a), vec!["chain.untrusted", "input.ca-only"]);
}

#[test]
fn an_unreadable_input_is_a_finding_and_the_rest_is_checked() {
    let r = root("Root");
    let l = leaf("host.example.com", &r);
    let input = CheckInput {
        certificates: vec![file(&l, "leaf.pem")],
        unreadable: vec![("broken.pem".into(), "PEM block 1: no END line".into())],
        ..CheckInput::default()
    };
    let a = analyse(&input, &public_opts(&[&r.cert]));
    let f = a
        .findings
        .iter()
        .find(|f| f.id() == "input.unreadable")
        .unwrap();
    assert_eq!(f.file.as_deref(), Some("broken.pem"));
    assert!(a.chains[0].valid);
    assert_eq!(
        crate::verdict(&a.findings, crate::Severity::Error),
        crate::Verdict::Fail
    );
}

#[test]
fn names_follow_the_environment() {
    let r = root("Root");
    // A public multi-SAN certificate: no cn-san-mismatch, no no-san in public.
    let l = leaf_with(
        &leaf_params("a.example.com", &["a.example.com", "b.example.com"]),
        &r,
    );
    let mut o = public_opts(&[&r.cert]);
    o.expect_fqdn = Some("b.example.com".into());
    assert_eq!(ids(&run(&[(&l, "l.pem")], &o)), Vec::<&str>::new());
    // In public the CN is no name.
    let cn_only = leaf_with(&leaf_params("a.example.com", &[]), &r);
    o.expect_fqdn = Some("a.example.com".into());
    assert_eq!(
        ids(&run(&[(&cn_only, "l.pem")], &o)),
        vec!["name.host-mismatch"]
    );
    // An IP address matches iPAddress SANs only.
    let ip = leaf_with(&leaf_params("192.0.2.1", &["192.0.2.1"]), &r);
    o.expect_fqdn = Some("192.0.2.1".into());
    assert_eq!(ids(&run(&[(&ip, "l.pem")], &o)), Vec::<&str>::new());
    o.expect_fqdn = Some("192.0.2.2".into());
    assert_eq!(ids(&run(&[(&ip, "l.pem")], &o)), vec!["name.host-mismatch"]);
}
