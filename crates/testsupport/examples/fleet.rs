//! A fleet of local TLS endpoints for `bench/scan.sh`: N listeners on 127.0.0.1, all in one
//! thread and runtime (`bars_testsupport::spawn_fleet`), each a Receiver serving the
//! committed INT test chain (fixtures/pki/int-good: leaf + sub-CA) and asking for a client
//! certificate under the test INT root.
//!
//! ```sh
//! cargo run --release -p bars-testsupport --example fleet -- 1000 /tmp/fleet.csv [THREADS]
//! ```
//!
//! Run from the repository root. It writes the list (CSV: `host,port,sni`), prints
//! `ready N` on stdout, and serves until it is killed.

use bars_model::{Item, Limits, NoPassword};
use bars_testsupport::{spawn_fleet, ClientAuthMode, ClientCas, FleetKind, TlsServerSpec};
use std::io::Write;
use std::path::Path;

/// The name the test leaf carries: the list's `sni`, so each endpoint is judged as `probe`
/// would judge the real Receiver.
const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";

type Error = Box<dyn std::error::Error>;

fn items(path: &str) -> Result<Vec<Item>, Error> {
    let parsed = bars_model::read_path(Path::new(path), &NoPassword, &Limits::default());
    if let Some(e) = parsed.errors.first() {
        return Err(format!("{path}: {e}").into());
    }
    Ok(parsed.items)
}

fn certificates(path: &str) -> Result<Vec<Vec<u8>>, Error> {
    Ok(items(path)?
        .into_iter()
        .filter_map(|i| match i {
            Item::Certificate(c) => Some(c.der().to_vec()),
            _ => None,
        })
        .collect())
}

fn main() -> Result<(), Error> {
    let usage = "usage: fleet N LIST.csv [THREADS]";
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or(usage)?.parse()?;
    let list = args.next().ok_or(usage)?;
    let threads: usize = match args.next() {
        Some(t) => t.parse()?,
        None => 1,
    };

    let key = items("fixtures/pki/int-good/leaf.key")?
        .into_iter()
        .find_map(|i| match i {
            Item::Key(k) => k.pkcs8_der().map(<[u8]>::to_vec),
            _ => None,
        })
        .ok_or("fixtures/pki/int-good/leaf.key: no private key")?;
    let spec = TlsServerSpec {
        chain: certificates("fixtures/pki/int-good/chain.pem")?,
        key_pkcs8: key,
        client_auth: ClientAuthMode::Optional(ClientCas {
            roots: certificates("fixtures/pki/int/root.pem")?,
            advertise: None,
        }),
        tls12_only: false,
        ocsp: None,
    };
    let (groups, _handle) = spawn_fleet(&[(FleetKind::Tls(spec), n)], threads)?;

    let mut csv = String::from("host,port,sni\n");
    for addr in groups.iter().flatten() {
        csv.push_str(&format!("{},{},{FQDN}\n", addr.ip(), addr.port()));
    }
    let tmp = format!("{list}.tmp");
    std::fs::write(&tmp, csv)?;
    std::fs::rename(&tmp, &list)?;
    println!("ready {n}");
    std::io::stdout().flush()?;
    loop {
        std::thread::park();
    }
}
