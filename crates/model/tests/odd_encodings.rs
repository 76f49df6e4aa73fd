//! Certificates and CSRs with encodings RFC 5280 forbids or discourages but real and test
//! certificates carry, read by bars-model and, where it has an opinion, by the `openssl`
//! CLI as an independent checker (issue 12):
//!
//! - an empty RDN (`SET {}`) inside a Name;
//! - validity times x509-parser refuses: fractional seconds, an offset, no `Z`, a comma,
//!   UTCTime without seconds;
//! - dNSName SANs holding bytes outside printable ASCII.
//!
//! Each DER is built here field by field and signed with a fresh ECDSA P-256 key
//! (aws-lc-rs), so the fixtures are exact and need no committed files. Without `openssl`
//! on the PATH, each test still checks our side and prints `SKIPPED (openssl missing)`
//! for the comparison.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use bars_model::{Certificate, Csr};
use std::io::Write;
use std::process::{Command, Stdio};

// ---------------------------------------------------------------------------------------
// DER building

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend_from_slice(&[0x81, n as u8]);
    } else {
        v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(content);
    v
}

const CN: &[u8] = &[0x55, 0x04, 0x03];
const C: &[u8] = &[0x55, 0x04, 0x06];
const O: &[u8] = &[0x55, 0x04, 0x0a];
const OU: &[u8] = &[0x55, 0x04, 0x0b];

/// A one-attribute RDN with a UTF8String value.
fn rdn(oid: &[u8], value: &str) -> Vec<u8> {
    let atv = [tlv(0x06, oid), tlv(0x0c, value.as_bytes())].concat();
    tlv(0x31, &tlv(0x30, &atv))
}

fn empty_rdn() -> Vec<u8> {
    tlv(0x31, &[])
}

fn name(rdns: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &rdns.concat())
}

fn gtime(text: &str) -> Vec<u8> {
    tlv(0x18, text.as_bytes())
}

fn utctime(text: &str) -> Vec<u8> {
    tlv(0x17, text.as_bytes())
}

/// ecdsa-with-SHA256.
fn ecdsa_sha256() -> Vec<u8> {
    tlv(
        0x30,
        &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]),
    )
}

struct Signer {
    key: EcdsaKeyPair,
}

impl Signer {
    fn new() -> Signer {
        Signer {
            key: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("P-256 key"),
        }
    }

    fn spki(&self) -> Vec<u8> {
        let alg = [
            tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
        ]
        .concat();
        let point = [&[0u8][..], self.key.public_key().as_ref()].concat();
        tlv(0x30, &[tlv(0x30, &alg), tlv(0x03, &point)].concat())
    }

    /// `SEQUENCE { tbs, ecdsa-with-SHA256, BIT STRING signature }`.
    fn sign(&self, tbs: Vec<u8>) -> Vec<u8> {
        let sig = self
            .key
            .sign(&SystemRandom::new(), &tbs)
            .expect("signature");
        let bits = [&[0u8][..], sig.as_ref()].concat();
        tlv(0x30, &[tbs, ecdsa_sha256(), tlv(0x03, &bits)].concat())
    }
}

struct CertSpec {
    issuer: Vec<u8>,
    subject: Vec<u8>,
    not_before: Vec<u8>,
    not_after: Vec<u8>,
    /// The contents of the SAN's GeneralNames SEQUENCE.
    san: Option<Vec<u8>>,
}

impl CertSpec {
    fn new() -> CertSpec {
        CertSpec {
            issuer: name(&[rdn(CN, "Test CA")]),
            subject: name(&[rdn(CN, "host.example")]),
            not_before: utctime("240101000000Z"),
            not_after: utctime("340101000000Z"),
            san: None,
        }
    }

    /// The TBSCertificate DER.
    fn tbs(&self, signer: &Signer) -> Vec<u8> {
        let mut tbs = [
            tlv(0xa0, &tlv(0x02, &[0x02])),
            tlv(0x02, &[0x01]),
            ecdsa_sha256(),
            self.issuer.clone(),
            tlv(
                0x30,
                &[self.not_before.clone(), self.not_after.clone()].concat(),
            ),
            self.subject.clone(),
            signer.spki(),
        ]
        .concat();
        if let Some(san) = &self.san {
            let ext = [tlv(0x06, &[0x55, 0x1d, 0x11]), tlv(0x04, &tlv(0x30, san))].concat();
            tbs.extend(tlv(0xa3, &tlv(0x30, &tlv(0x30, &ext))));
        }
        tlv(0x30, &tbs)
    }

    fn build(&self, signer: &Signer) -> Vec<u8> {
        signer.sign(self.tbs(signer))
    }
}

fn read(der: &[u8]) -> Certificate {
    Certificate::from_der(der).unwrap_or_else(|e| panic!("refused: {e}"))
}

// ---------------------------------------------------------------------------------------
// openssl

/// `openssl <args>` over `stdin`; `None` (after a loud line) when openssl is not installed.
fn openssl(args: &[&str], stdin: &[u8]) -> Option<Vec<u8>> {
    let child = Command::new("openssl")
        .args(args)
        .env("OPENSSL_CONF", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("SKIPPED (openssl missing): openssl {}", args.join(" "));
            return None;
        }
        Err(e) => panic!("cannot run openssl: {e}"),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("writing to openssl");
    let out = child.wait_with_output().expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

/// The value of `key=` on openssl's output lines, as text.
fn field(out: &[u8], key: &str) -> String {
    let text = String::from_utf8(out.to_vec()).expect("UTF-8 from openssl");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in {text:?}"))
        .to_string()
}

/// openssl's notBefore/notAfter (`-dateopt iso_8601`: `2024-01-01 12:34:56.789Z`) as Unix
/// seconds with the fraction dropped; `None` for `Bad time value`.
fn openssl_time(value: &str) -> Option<i64> {
    if value == "Bad time value" {
        return None;
    }
    let (whole, _fraction) = value.split_once('.').unwrap_or((value, ""));
    let whole = whole.trim_end_matches('Z');
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t = time::PrimitiveDateTime::parse(whole, &fmt)
        .unwrap_or_else(|e| panic!("openssl date {value:?}: {e}"));
    Some(t.assume_utc().unix_timestamp())
}

// ---------------------------------------------------------------------------------------
// 1. Empty RDNs

#[test]
fn an_empty_rdn_keeps_the_rdns_after_it() {
    let signer = Signer::new();
    let mut spec = CertSpec::new();
    spec.subject = name(&[
        rdn(C, "GB"),
        empty_rdn(),
        rdn(O, "Org"),
        rdn(CN, "BaRS-INT-X26.supplier.thirdparty.nhs.uk"),
    ]);
    spec.issuer = name(&[empty_rdn(), rdn(O, "NHS"), empty_rdn(), rdn(CN, "Test CA")]);
    let der = spec.build(&signer);
    let cert = read(&der);
    let s = cert.summary();
    assert_eq!(
        s.subject,
        "CN=BaRS-INT-X26.supplier.thirdparty.nhs.uk,O=Org,C=GB"
    );
    assert_eq!(s.issuer, "CN=Test CA,O=NHS");
    assert_eq!(
        s.subject_cns,
        vec!["BaRS-INT-X26.supplier.thirdparty.nhs.uk"]
    );
    // The raw names are the whole Names (path building compares them byte for byte).
    assert_eq!(cert.subject_der(), &spec.subject[..]);
    assert_eq!(cert.issuer_der(), &spec.issuer[..]);
    let (_, again) = bars_model::parse_name(cert.subject_der()).expect("name");
    assert_eq!(bars_model::name_common_names(&again), s.subject_cns);

    let Some(out) = openssl(
        &[
            "x509",
            "-inform",
            "DER",
            "-noout",
            "-subject",
            "-issuer",
            "-nameopt",
            "RFC2253,-esc_msb",
        ],
        &der,
    ) else {
        return;
    };
    assert_eq!(field(&out, "subject"), s.subject);
    assert_eq!(field(&out, "issuer"), s.issuer);
}

#[test]
fn an_empty_rdn_does_not_make_different_names_equal() {
    // Before the fix both names were cut at the empty RDN to the same bytes: the
    // certificate looked self-issued and its issuer's name matched any "C=GB, {}, …".
    let signer = Signer::new();
    let mut spec = CertSpec::new();
    spec.subject = name(&[rdn(C, "GB"), empty_rdn(), rdn(CN, "leaf.example")]);
    spec.issuer = name(&[rdn(C, "GB"), empty_rdn(), rdn(CN, "ca00.example")]);
    let cert = read(&spec.build(&signer));
    assert!(!cert.summary().self_issued);
    assert_ne!(cert.subject_der(), cert.issuer_der());
    assert_eq!(cert.summary().issuer, "CN=ca00.example,C=GB");

    // Same name on both sides: self-issued, and the signature checks against itself.
    spec.issuer = spec.subject.clone();
    let cert = read(&spec.build(&signer));
    assert!(cert.summary().self_issued);
    cert.verify_issued_by(&cert).expect("self-signed");
}

#[test]
fn a_csr_with_an_empty_rdn_shows_the_fields_after_it() {
    // csr.extra-fields must see O and OU even when an empty RDN comes first.
    let signer = Signer::new();
    let subject = name(&[
        rdn(CN, "BaRS-INT-X26.supplier.thirdparty.nhs.uk"),
        empty_rdn(),
        rdn(O, "Extra"),
        rdn(OU, "More"),
    ]);
    let cri = tlv(
        0x30,
        &[tlv(0x02, &[0x00]), subject, signer.spki(), tlv(0xa0, &[])].concat(),
    );
    let der = signer.sign(cri);
    let csr = Csr::from_der(&der).unwrap_or_else(|e| panic!("refused: {e}"));
    let s = &csr.summary;
    assert_eq!(
        s.subject,
        "OU=More,O=Extra,CN=BaRS-INT-X26.supplier.thirdparty.nhs.uk"
    );
    assert_eq!(s.subject_attributes.len(), 3);
    assert_eq!(
        s.subject_cns,
        vec!["BaRS-INT-X26.supplier.thirdparty.nhs.uk"]
    );
    assert!(s.signature_valid, "{:?}", s.signature_error);

    let Some(out) = openssl(
        &[
            "req",
            "-inform",
            "DER",
            "-noout",
            "-subject",
            "-nameopt",
            "RFC2253,-esc_msb",
        ],
        &der,
    ) else {
        return;
    };
    assert_eq!(field(&out, "subject"), s.subject);
}

// ---------------------------------------------------------------------------------------
// 2. Validity times

/// Reads a certificate with these two times; checks our dates against `expected` (RFC
/// 3339) and against openssl where openssl can read the time. Returns the certificate.
fn check_times(not_before: Vec<u8>, not_after: Vec<u8>, expected: (&str, &str)) -> Certificate {
    let signer = Signer::new();
    let mut spec = CertSpec::new();
    spec.not_before = not_before;
    spec.not_after = not_after;
    spec.san = Some(tlv(0x82, b"host.example"));
    let der = spec.build(&signer);
    let cert = read(&der);
    let s = cert.summary();
    assert_eq!((s.not_before.as_str(), s.not_after.as_str()), expected);
    assert_eq!(bars_model::rfc3339(s.not_before_unix), s.not_before);
    assert_eq!(bars_model::rfc3339(s.not_after_unix), s.not_after);
    // Everything else is the original certificate's: its bytes, its signature, its SAN.
    assert_eq!(cert.der(), &der[..]);
    assert_eq!(s.sha256, bars_model::sha256_hex(&der));
    assert_eq!(s.subject, "CN=host.example");
    assert_eq!(s.dns_names, vec!["host.example"]);
    assert_eq!(cert.subject_der(), &spec.subject[..]);
    cert.verify_issued_by(&cert)
        .expect("the signature over the original TBS verifies");
    let parsed = cert.parsed().expect("x509-parser's view");
    assert_eq!(parsed.validity().not_before.timestamp(), s.not_before_unix);
    assert_eq!(parsed.validity().not_after.timestamp(), s.not_after_unix);

    if let Some(out) = openssl(
        &[
            "x509", "-inform", "DER", "-noout", "-dates", "-dateopt", "iso_8601",
        ],
        &der,
    ) {
        for (key, ours) in [
            ("notBefore", s.not_before_unix),
            ("notAfter", s.not_after_unix),
        ] {
            let theirs = field(&out, key);
            match openssl_time(&theirs) {
                Some(t) => assert_eq!(t, ours, "{key}: openssl {theirs}, ours {ours}"),
                None => println!("openssl has no opinion on {key}: {theirs}"),
            }
        }
    }
    cert
}

#[test]
fn fractional_seconds_keep_the_whole_second() {
    // Up to three digits x509-parser reads; more made it refuse the whole certificate.
    check_times(
        gtime("20240101123456.789Z"),
        gtime("20341231235959.999Z"),
        ("2024-01-01T12:34:56Z", "2034-12-31T23:59:59Z"),
    );
    check_times(
        gtime("20240101123456.5Z"),
        gtime("20341231235959.1Z"),
        ("2024-01-01T12:34:56Z", "2034-12-31T23:59:59Z"),
    );
    let cert = check_times(
        gtime("20240101123456.123456Z"),
        gtime("20491231235959.9999999Z"),
        ("2024-01-01T12:34:56Z", "2049-12-31T23:59:59Z"),
    );
    assert_eq!(cert.summary().not_after_unix, 2_524_607_999);
}

#[test]
fn a_generalized_time_without_z_is_read_as_utc() {
    // openssl 3.0 prints "Bad time value" for these (no opinion); we take them as UTC.
    let cert = check_times(
        gtime("20240101123456"),
        gtime("20341231235959"),
        ("2024-01-01T12:34:56Z", "2034-12-31T23:59:59Z"),
    );
    assert_eq!(cert.summary().not_after_unix, 2_051_222_399);
    check_times(
        gtime("20240101123456.5"),
        gtime("20341231235959,25"),
        ("2024-01-01T12:34:56Z", "2034-12-31T23:59:59Z"),
    );
    // UTCTime with no zone (x509-parser reads an offset itself, but not this).
    check_times(
        utctime("240101123456"),
        utctime("3412312359"),
        ("2024-01-01T12:34:56Z", "2034-12-31T23:59:00Z"),
    );
    // One odd time beside a normal one.
    check_times(
        utctime("240101000000Z"),
        gtime("20341231235959"),
        ("2024-01-01T00:00:00Z", "2034-12-31T23:59:59Z"),
    );
}

#[test]
fn a_time_with_an_offset_is_converted_to_utc() {
    check_times(
        gtime("20240101123456+0130"),
        gtime("20341231235959-0200"),
        ("2024-01-01T11:04:56Z", "2035-01-01T01:59:59Z"),
    );
    // (x509-parser reads UTCTime offsets itself.)
    check_times(
        utctime("240101000000+0100"),
        utctime("3401010000-0030"),
        ("2023-12-31T23:00:00Z", "2034-01-01T00:30:00Z"),
    );
    // UTCTime without seconds (x509-parser reads the Z form itself).
    check_times(
        utctime("2401011234Z"),
        utctime("491231235959Z"),
        ("2024-01-01T12:34:00Z", "2049-12-31T23:59:59Z"),
    );
}

#[test]
fn an_unreadable_time_is_still_refused() {
    let signer = Signer::new();
    for bad in [
        gtime("2024010112"),           // no minutes
        gtime("20240101123456Q"),      // stray character
        gtime("20240230123456"),       // 30 February
        gtime("20240101243456"),       // hour 24
        gtime("20240101123460Z"),      // leap second
        gtime("20240101123456+1300"),  // offset beyond openssl's 12 hours
        gtime("20240101123456+01"),    // short offset
        utctime("240101000000.5Z"),    // fraction in a UTCTime
        tlv(0x04, b"20240101123456Z"), // not a time at all
    ] {
        let mut spec = CertSpec::new();
        spec.not_after = bad.clone();
        let der = spec.build(&signer);
        let err = Certificate::from_der(&der).expect_err(&String::from_utf8_lossy(&bad));
        assert!(err.to_string().contains("date"), "{err}");
    }
}

#[test]
fn a_time_repair_never_accepts_another_defect() {
    let signer = Signer::new();
    let mut spec = CertSpec::new();
    spec.not_after = gtime("20341231235959");
    let tbs = spec.tbs(&signer);
    // The TBS length in a non-minimal long form (BER, not DER): x509-parser refuses it,
    // and re-encoding the lengths must not quietly repair it.
    let mut ber_tbs = vec![0x30, 0x82, 0x00];
    assert_eq!(tbs[1], 0x81, "this TBS has a one-byte long-form length");
    let len = tbs.len() - 3;
    assert!(len < 0x100);
    ber_tbs.push(len as u8);
    ber_tbs.extend_from_slice(&tbs[3..]);
    let der = signer.sign(ber_tbs);
    assert!(Certificate::from_der(&der).is_err());
    // The same certificate with DER lengths is read.
    assert!(Certificate::from_der(&signer.sign(tbs)).is_ok());
}

#[test]
fn mutated_odd_certificates_never_panic() {
    let signer = Signer::new();
    let mut spec = CertSpec::new();
    spec.subject = name(&[rdn(C, "GB"), empty_rdn(), rdn(CN, "x")]);
    spec.not_before = gtime("20240101123456.5");
    spec.not_after = gtime("20341231235959+0100");
    spec.san = Some([tlv(0x82, b"caf\xc3\xa9"), tlv(0x82, b"x\xe9")].concat());
    let base = spec.build(&signer);
    let mut read_ok = 0;
    for pos in 0..base.len() {
        for v in [0x00u8, 0x2b, 0x2e, 0x30, 0x5a, 0x7f, 0x80, 0xff] {
            let mut m = base.clone();
            m[pos] = v;
            if let Ok(c) = Certificate::from_der(&m) {
                let _ = c.parsed();
                let _ = c.summary().subject.len();
                read_ok += 1;
            }
            let _ = Certificate::from_der(&m[..pos]);
        }
    }
    assert!(read_ok > 100, "only {read_ok} mutants read");
}

// ---------------------------------------------------------------------------------------
// 3. dNSName SANs outside ASCII

/// `\xHH` back to bytes (the inverse of the display form).
fn unescape(shown: &str) -> Vec<u8> {
    let b = shown.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            assert_eq!(b[i + 1], b'x', "{shown}");
            let hex = std::str::from_utf8(&b[i + 2..i + 4]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn a_non_ascii_dns_name_is_shown_escaped() {
    let signer = Signer::new();
    let raw: Vec<&[u8]> = vec![
        b"caf\xc3\xa9.example",    // UTF-8 (x509-parser passed it through as is)
        b"ok.example",             // plain
        b"x\xe9y.example",         // Latin-1 (x509-parser gave up: hidden before)
        b"a\\x41.example",         // a literal backslash: must not read as an escape
        b"sp ace.example\x7f\x01", // a space, DEL and a control character
    ];
    let mut spec = CertSpec::new();
    spec.san = Some(
        raw.iter()
            .map(|d| tlv(0x82, d))
            .collect::<Vec<_>>()
            .concat(),
    );
    let der = spec.build(&signer);
    let cert = read(&der);
    let s = cert.summary();
    assert_eq!(
        s.dns_names,
        vec![
            "caf\\xC3\\xA9.example",
            "ok.example",
            "x\\xE9y.example",
            "a\\x5Cx41.example",
            "sp\\x20ace.example\\x7F\\x01",
        ]
    );
    assert!(s.other_names.is_empty(), "{:?}", s.other_names);
    for (shown, bytes) in s.dns_names.iter().zip(&raw) {
        assert_eq!(&unescape(shown), bytes);
        assert!(shown.is_ascii());
    }

    // openssl prints the bytes as they are: each of ours, unescaped, is one of its names.
    let Some(out) = openssl(
        &["x509", "-inform", "DER", "-noout", "-ext", "subjectAltName"],
        &der,
    ) else {
        return;
    };
    let line = out
        .split(|b| *b == b'\n')
        .find(|l| l.trim_ascii_start().starts_with(b"DNS:"))
        .expect("a DNS line")
        .trim_ascii();
    let theirs: Vec<Vec<u8>> = line
        .split(|b| *b == b',')
        .map(|part| {
            let part = part.strip_prefix(b" ").unwrap_or(part);
            part.strip_prefix(b"DNS:").expect("DNS:").to_vec()
        })
        .collect();
    let ours: Vec<Vec<u8>> = s.dns_names.iter().map(|d| unescape(d)).collect();
    assert_eq!(theirs, ours);
}
