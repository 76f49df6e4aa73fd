//! Generates one RSA key + CSR with bars-forge and prints the elapsed milliseconds.
//! Usage: keygen <bits>
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let bits: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2048);
    let t = std::time::Instant::now();
    let g = bars_forge::csr::generate(&bars_forge::csr::CsrSpec {
        fqdn: "bench.example.nhs.uk".into(),
        bits,
        key_password: None,
    })
    .expect("generate");
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(!g.csr_der.is_empty());
    println!("{ms:.1}");
}
