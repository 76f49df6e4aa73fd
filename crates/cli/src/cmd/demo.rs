//! `demo`: an in-process TLS-MA Receiver on 127.0.0.1 with a TEST NHS-like chain minted
//! now and a planted fault, diagnosed exactly as `probe` would, then stopped.

use crate::args::{ReportArgs, ReportFormat};
use crate::exit::Exit;
use anyhow::Context;
use bars_checks::{CheckInfo, ExtraCa, Severity, Usage};
use bars_diagnose::{Endpoint, Judge, Online, Probing, Session};
use bars_forge::mint::{keys, LeafSpec, Validity, DEMO_SERVER_FQDN};
use bars_net::receiver::{ClientAuthMode, ClientCas, Receiver, ReceiverSpec};
use bars_net::{ClientIdentity, Target};
use bars_nhs::{EnvChoice, Environment};
use clap::{Args, ValueEnum};
use std::time::Duration;
use tokio::runtime::Runtime;

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
    fn expected(self) -> Option<&'static CheckInfo> {
        match self {
            Fault::IncompleteChain => Some(&bars_checks::chain::INCOMPLETE),
            Fault::NoClientAuth => Some(&bars_checks::tls::NO_CLIENT_AUTH),
            Fault::Expired => Some(&bars_checks::cert::EXPIRED),
            Fault::WrongHost => Some(&bars_checks::name::HOST_MISMATCH),
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

/// The demo Receiver's chain, key and client-certificate policy for `fault`, and the
/// client identity and CAs it is probed with.
struct Planted {
    spec: ReceiverSpec,
    client: ClientIdentity,
    cas: Vec<ExtraCa>,
}

fn plant(fault: Fault, now: time::OffsetDateTime) -> anyhow::Result<Planted> {
    let pki = bars_forge::mint::demo_at(now).context("demo: making the test PKI")?;
    let sub = pki.hierarchy.subca.der().to_vec();
    let root = pki.hierarchy.root.der().to_vec();
    let (leaf_der, leaf_key) = match fault {
        Fault::Expired => {
            let key = keys::generate(keys::KeyKind::Rsa2048).context("demo: making a key")?;
            let window = Validity::new(
                now - time::Duration::days(366),
                now - time::Duration::days(1),
            );
            let spec = LeafSpec::nhs(DEMO_SERVER_FQDN)
                .context("demo: leaf")?
                .with_validity(window);
            let expired = pki
                .hierarchy
                .issue(&spec, &key)
                .context("demo: issuing the expired leaf")?;
            (expired.der().to_vec(), key.serialize_der())
        }
        _ => (pki.server.der().to_vec(), pki.server_key_der()),
    };
    let chain = match fault {
        Fault::IncompleteChain => vec![leaf_der],
        _ => vec![leaf_der, sub.clone()],
    };
    let client_auth = match fault {
        Fault::NoClientAuth => ClientAuthMode::None,
        _ => ClientAuthMode::Required(ClientCas {
            roots: vec![root.clone()],
            advertise: None,
        }),
    };
    // The tool knows the demo hierarchy the way it knows the NHS CAs, so the missing
    // intermediate is named.
    let mut cas = Vec::new();
    for (der, path) in [(&root, "demo-test-root.pem"), (&sub, "demo-test-subca.pem")] {
        let cert = bars_model::Certificate::from_der(der)
            .map_err(|e| anyhow::anyhow!("demo: reading the test CA: {e}"))?;
        cas.push(ExtraCa {
            env: Some(Environment::Int),
            cert,
            path: path.into(),
            source: None,
        });
    }
    Ok(Planted {
        spec: ReceiverSpec::new(chain, leaf_key, client_auth),
        client: ClientIdentity {
            chain: vec![pki.client.der().to_vec(), sub],
            key_pkcs8: pki.client_key_der(),
        },
        cas,
    })
}

pub fn run(args: DemoArgs, rt: &Runtime) -> anyhow::Result<Exit> {
    let now = time::OffsetDateTime::now_utc();
    let planted = plant(args.fault, now)?;
    let name = match args.fault {
        Fault::WrongHost => "BaRS-INT-Y99.Other.thirdparty.nhs.uk",
        _ => DEMO_SERVER_FQDN,
    };
    let mut judge = Judge::new(now.unix_timestamp());
    judge.env = EnvChoice::Forced(Environment::Int);
    judge.usage = Usage::Server;
    judge.extra_cas = planted.cas;
    let mut probing = Probing::new(Duration::from_secs(10), Duration::from_secs(1));
    probing.client_identity = Some(planted.client);
    let session = Session::new(judge, probing, Online::off(now.unix_timestamp()));
    let (addr, outcome) = rt.block_on(async {
        let receiver = Receiver::start(&planted.spec)
            .await
            .context("demo: starting the local Receiver")?;
        let addr = receiver.addr();
        let ep = Endpoint {
            sni: Some(name.to_string()),
            connect: Some(addr.to_string()),
            ..Endpoint::new(Target::parse(&format!("{name}:{}", addr.port()))?)
        };
        let outcome = bars_diagnose::diagnose_endpoint(&session, &ep).await;
        receiver.stop();
        anyhow::Ok((addr, outcome))
    })?;
    let d = match &outcome {
        bars_diagnose::Outcome::Chain(d) => d,
        bars_diagnose::Outcome::NoChain(n) => {
            anyhow::bail!("demo: probing the local Receiver: {}", n.error)
        }
    };
    let target = format!("{}:{}", name.to_ascii_lowercase(), addr.port());
    let mut notes = vec![
        format!(
            "Demo: a local TLS-MA Receiver on {addr} with a TEST NHS-like chain (BaRS TEST INT root and sub-CA, generated now; not NHS certificates), probed as the BaRS proxy would: with a client certificate, SNI {name}, environment int."
        ),
        format!("Planted fault: {}.", args.fault.describe()),
    ];
    notes.extend(d.notes.iter().cloned());
    let mut report = bars_diagnose::report::endpoint_report(
        &outcome,
        "demo",
        target,
        Severity::Error,
        now.unix_timestamp(),
    );
    report.notes = notes;
    let mut text = crate::render::render(&report, &args.output, &[]);
    let found = match args.fault.expected() {
        Some(kind) => d.analysis.findings.iter().any(|f| f.is(kind)),
        None => !d
            .analysis
            .findings
            .iter()
            .any(|f| f.severity.at_or_above(Severity::Warning)),
    };
    if args.output.format == ReportFormat::Text {
        text.push_str(&match (found, args.fault.expected()) {
            (true, Some(kind)) => format!(
                "\nThe planted fault was diagnosed ({id}). Run `bars-certcheck explain {id}` for the long form, or `bars-certcheck demo --fault <other>` for another fault.\n",
                id = kind.id
            ),
            (true, None) => "\nNo fault planted and none found.\n".to_string(),
            (false, _) => "\nThe planted fault was NOT diagnosed: this is a bug in bars-certcheck.\n"
                .to_string(),
        });
    }
    crate::output::print(&text)?;
    Ok(if found { Exit::Ok } else { Exit::Findings })
}
