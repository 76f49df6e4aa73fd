//! Resource bounds: oversized files, floods of PEM blocks, absurd names, deep nesting,
//! long chains — each refused or bounded quickly, with a clear message.

use crate::util::{fixture, run, Run};
use std::time::{Duration, Instant};

/// Runs and asserts the run took less than two seconds.
fn quick(args: &[String]) -> Run {
    let start = Instant::now();
    let r = run(args);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}: {r}",
        start.elapsed()
    );
    assert!(!r.stderr.contains("panicked"), "{r}");
    r
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pem");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(17 * 1024 * 1024).unwrap(); // sparse: nothing to read in 2 s anyway
    let r = quick(&args(&["inspect", &big.display().to_string()]));
    r.code(2);
    assert!(
        r.stderr.contains("larger than the 16777216-byte limit"),
        "{r}"
    );
    // Configurable.
    let small = dir.path().join("small.pem");
    std::fs::write(&small, vec![b'A'; 4096]).unwrap();
    let r = quick(&args(&[
        "inspect",
        "--max-input-size",
        "1K",
        &small.display().to_string(),
    ]));
    r.code(2);
    assert!(r.stderr.contains("larger than the 1024-byte limit"), "{r}");
    let r = quick(&args(&[
        "check",
        "--max-input-size",
        "1KiB",
        &small.display().to_string(),
    ]));
    r.code(2);
}

#[test]
fn a_hundred_thousand_pem_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let flood = dir.path().join("flood.pem");
    let block = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    std::fs::write(&flood, block.repeat(100_000)).unwrap();
    let r = quick(&args(&["inspect", &flood.display().to_string()]));
    r.code(2);
    assert!(r.stderr.lines().count() <= 12, "{r}");
    assert!(
        r.stderr.contains("the rest of the file was not read"),
        "{r}"
    );
    let r = quick(&args(&["check", &flood.display().to_string()]));
    r.code(2);
}

#[test]
fn a_name_of_ten_thousand_labels() {
    let name = vec!["a"; 10_000].join(".");
    let chain = fixture("nhs-pki/leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem");
    let r = quick(&args(&[
        "check",
        &chain.display().to_string(),
        "--expect-fqdn",
        &name,
    ]));
    r.code(2);
    assert!(r.stderr.contains("at most 253 characters"), "{r}");
    let r = quick(&args(&["probe", &format!("{name}:443"), "--timeout", "1"]));
    r.code(2);
    let r = quick(&args(&["csr", "new", "--fqdn", &name]));
    assert_ne!(r.code, 0, "{r}");
}

#[test]
fn deeply_nested_asn1() {
    let dir = tempfile::tempdir().unwrap();
    // 2 MB of indefinite-length SEQUENCE openings, and a definite nesting 10,000 deep.
    let indefinite = dir.path().join("indefinite.der");
    std::fs::write(&indefinite, [0x30u8, 0x80].repeat(1024 * 1024)).unwrap();
    let mut definite = Vec::new();
    for _ in 0..10_000 {
        let len = definite.len();
        let mut wrapped = vec![0x30, 0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8];
        wrapped.extend_from_slice(&definite);
        definite = wrapped;
    }
    let definite_path = dir.path().join("definite.der");
    std::fs::write(&definite_path, &definite).unwrap();
    // The same inside a PKCS#7 signedData OID (the BER fallback scan).
    let mut p7 = vec![
        0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    p7.extend([0x30u8, 0x82, 0xff, 0xff].repeat(500_000));
    let p7_path = dir.path().join("nested.p7b");
    std::fs::write(&p7_path, &p7).unwrap();
    for f in [&indefinite, &definite_path, &p7_path] {
        let r = quick(&args(&["inspect", &f.display().to_string()]));
        r.code(2);
        assert_eq!(r.stderr.lines().count(), 1, "{r}");
    }
}

#[test]
fn a_chain_longer_than_sixteen_certificates() {
    let chain = fixture("corpus/59-pathological-101-cert-chain.pem");
    let r = quick(&args(&[
        "check",
        &chain.display().to_string(),
        "--format",
        "json",
    ]));
    let doc = r.json();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "chain.incomplete")
        .unwrap_or_else(|| panic!("{r}"));
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("past 16 certificates"),
        "{r}"
    );
    let r = quick(&args(&[
        "inspect",
        &chain.display().to_string(),
        "--format",
        "json",
    ]));
    r.code(0);
    assert_eq!(r.json()["certificates"].as_array().unwrap().len(), 101);
}
