//! Writes N BaRS INT test leaves (each its own file, issued by the committed INT TEST
//! sub-CA, one shared P-256 key) into DIR, for `bench/check.sh`.
//!
//!     cargo run --release -p bars-testpki --example many-leaves -- 10000 /tmp/leaves

use bars_testpki::keys::{generate, KeyKind};
use bars_testpki::{fixture_hierarchy, serial_for, LeafSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or("usage: many-leaves N DIR")?.parse()?;
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: many-leaves N DIR")?);
    std::fs::create_dir_all(&dir)?;
    let h = fixture_hierarchy("INT")?;
    let key = generate(KeyKind::P256)?;
    for i in 0..n {
        let fqdn = format!("BaRS-INT-X{i:05}.Supplier.thirdparty.nhs.uk");
        let leaf = h.issue(
            &LeafSpec::nhs(&fqdn)?.with_serial(serial_for(&format!("bench/{i}"))),
            &key,
        )?;
        std::fs::write(dir.join(format!("leaf-{i:05}.pem")), leaf.pem())?;
    }
    std::fs::write(dir.join("root.pem"), h.root.pem())?;
    std::fs::write(dir.join("subca.pem"), h.subca.pem())?;
    Ok(())
}
