//! `demo`: an in-process TLS-MA Receiver on 127.0.0.1 with a generated TEST NHS-like
//! chain and a planted fault, probed and diagnosed exactly as `probe` would, then stopped.

use crate::args::ReportArgs;
use crate::diag;
use crate::exit::Exit;
use anyhow::Context;
use bars_checks::{ExtraCa, Options, Usage};
use bars_net::testserver::{spawn_tls, ClientAuthMode, ClientCas, TlsServerSpec};
use bars_net::{ClientIdentity, ProbeOptions, Target};
use bars_nhs::Environment;
use bars_testpki::{demo::DEMO_SERVER_FQDN, LeafSpec, Validity};
use clap::{Args, ValueEnum};
use std::time::Duration;

/// The fault planted in the demo Receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Fault {
    /// The server sends its certificate without the intermediate (the commonest fault).
    IncompleteChain,
    /// The server does not ask for a client certificate.
    NoClientAuth,
    /// The server's certificate has expired.
    Expired,
    /// The certificate is for another Receiver's name.
    WrongHost,
    /// No fault: a correctly configured Receiver.
    None,
}

impl Fault {
    /// What was planted, in words.
    fn describe(self) -> &'static str {
        match self {
            Fault::IncompleteChain => "the server sends its certificate without the intermediate",
            Fault::NoClientAuth => "the server does not ask for a client certificate",
            Fault::Expired => "the server's certificate expired yesterday",
            Fault::WrongHost => "the server's certificate is for another Receiver",
            Fault::None => "none: a correctly configured Receiver",
        }
    }

    /// The finding the diagnosis must raise.
    fn expected(self) -> Option<&'static str> {
        match self {
            Fault::IncompleteChain => Some("chain.incomplete"),
            Fault::NoClientAuth => Some("tls.no-client-auth"),
            Fault::Expired => Some("cert.expired"),
            Fault::WrongHost => Some("name.host-mismatch"),
            Fault::None => None,
        }
    }
}

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The fault to plant in the demo Receiver.
    #[arg(long, value_enum, default_value_t = Fault::IncompleteChain)]
    pub fault: Fault,

    #[command(flatten)]
    pub output: ReportArgs,
}

pub fn run(args: DemoArgs) -> anyhow::Result<Exit> {
    let now = time::OffsetDateTime::now_utc();
    let pki = bars_testpki::demo_at(now).context("demo: making the test PKI")?;
    let sub = pki.hierarchy.subca.der().to_vec();
    let root = pki.hierarchy.root.der().to_vec();
    let (leaf_der, leaf_key) = match args.fault {
        Fault::Expired => {
            let key = bars_testpki::keys::generate(bars_testpki::keys::KeyKind::Rsa2048)
                .context("demo: making a key")?;
            let expired = pki
                .hierarchy
                .issue(
                    &LeafSpec::nhs(DEMO_SERVER_FQDN)
                        .context("demo: leaf")?
                        .with_validity(Validity::new(
                            now - time::Duration::days(366),
                            now - time::Duration::days(1),
                        )),
                    &key,
                )
                .context("demo: issuing the expired leaf")?;
            (expired.der().to_vec(), key.serialize_der())
        }
        _ => (pki.server.der().to_vec(), pki.server_key_der()),
    };
    let chain = match args.fault {
        Fault::IncompleteChain => vec![leaf_der],
        _ => vec![leaf_der, sub.clone()],
    };
    let client_auth = match args.fault {
        Fault::NoClientAuth => ClientAuthMode::None,
        _ => ClientAuthMode::Required(ClientCas {
            roots: vec![root.clone()],
            advertise: None,
        }),
    };
    let (addr, server) = spawn_tls(&TlsServerSpec {
        chain,
        key_pkcs8: leaf_key,
        client_auth,
        tls12_only: false,
    })
    .context("demo: starting the local Receiver")?;

    let name = match args.fault {
        Fault::WrongHost => "BaRS-INT-Y99.Other.thirdparty.nhs.uk".to_string(),
        _ => DEMO_SERVER_FQDN.to_string(),
    };
    let target = Target::parse(&format!("{name}:{}", addr.port()))?;
    let root_cert = bars_model::Certificate::from_der(&root)
        .map_err(|e| anyhow::anyhow!("demo: reading the test root: {e}"))?;
    let mut opts = Options::new(now.unix_timestamp());
    opts.env = Some(Environment::Int);
    opts.usage = Usage::Server;
    opts.host = Some(name.clone());
    opts.leaf_first = true;
    opts.purpose = bars_checks::Purpose::Server;
    // The tool knows the demo hierarchy the way it knows the NHS CAs, so the missing
    // intermediate is named.
    let sub_cert = bars_model::Certificate::from_der(&sub)
        .map_err(|e| anyhow::anyhow!("demo: reading the test sub-CA: {e}"))?;
    for (cert, path) in [
        (root_cert, "demo-test-root.pem"),
        (sub_cert, "demo-test-subca.pem"),
    ] {
        opts.extra_cas.push(ExtraCa {
            env: Some(Environment::Int),
            cert,
            path: path.into(),
            source: None,
        });
    }
    let popts = ProbeOptions {
        connect: Some(addr.to_string()),
        sni: Some(name.clone()),
        timeout: Duration::from_secs(10),
        client_identity: Some(ClientIdentity {
            chain: vec![pki.client.der().to_vec(), sub.clone()],
            key_pkcs8: pki.client_key_der(),
        }),
        reply_timeout: Some(Duration::from_secs(1)),
        ..ProbeOptions::default()
    };
    let result = bars_net::probe(&target, &popts);
    server.shutdown();
    let result = result.map_err(|e| anyhow::anyhow!("demo: probing the local Receiver: {e}"))?;

    let mut d = super::probe::diagnose(&result, None, &opts);
    let mut notes = vec![
        format!(
            "Demo: a local TLS-MA Receiver on {addr} with a TEST NHS-like chain (BaRS TEST INT root and sub-CA, generated now; not NHS certificates), probed as the BaRS proxy would: with a client certificate, SNI {name}, environment int."
        ),
        format!("Planted fault: {}.", args.fault.describe()),
    ];
    notes.append(&mut d.notes);
    let report = diag::report(
        &d.analysis,
        "demo",
        target.to_string(),
        Some(d.tls.clone()),
        notes,
        bars_checks::Severity::Error,
        now.unix_timestamp(),
    );
    let mut text = diag::render(&report, &args.output, &[]);
    let found = match args.fault.expected() {
        Some(id) => d.analysis.findings.iter().any(|f| f.id == id),
        None => !d
            .analysis
            .findings
            .iter()
            .any(|f| f.severity.at_or_above(bars_checks::Severity::Warning)),
    };
    if args.output.format == crate::args::ReportFormat::Text {
        text.push_str(&match (found, args.fault.expected()) {
            (true, Some(id)) => format!(
                "\nThe planted fault was diagnosed ({id}). Run `bars-certcheck explain {id}` for the long form, or `bars-certcheck demo --fault <other>` for another fault.\n"
            ),
            (true, None) => "\nNo fault planted and none found.\n".to_string(),
            (false, _) => "\nThe planted fault was NOT diagnosed: this is a bug in bars-certcheck.\n"
                .to_string(),
        });
    }
    crate::output::print(&text)?;
    Ok(if found { Exit::Ok } else { Exit::Findings })
}
