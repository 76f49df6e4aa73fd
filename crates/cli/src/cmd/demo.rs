//! `demo`: an in-process TLS-MA Receiver on 127.0.0.1 with a TEST NHS-like chain minted
//! now and a planted fault, diagnosed exactly as `probe` would, then stopped.

use crate::args::{ReportArgs, ReportFormat};
use crate::exit::Exit;
use anyhow::Context;
use bars_checks::{CheckInfo, ExtraCa, Severity, Usage};
use bars_diagnose::{Endpoint, Judge, Online, Probing, Session};
use bars_forge::mint::DemoFault;
use bars_net::receiver::{ClientAuthMode, ClientCas, Receiver, ReceiverSpec};
use bars_net::{ClientIdentity, Target};
use bars_nhs::{EnvChoice, Environment};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::Args;
use std::time::Duration;
use tokio::runtime::Runtime;

/// `--fault`: the faults bars-forge can plant, by name, each with its description.
fn fault() -> impl TypedValueParser<Value = DemoFault> {
    let values = DemoFault::ALL.map(|(f, name)| PossibleValue::new(name).help(f.describe()));
    PossibleValuesParser::new(values).map(|name: String| {
        DemoFault::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map_or(DemoFault::IncompleteChain, |(f, _)| *f)
    })
}

/// The finding the diagnosis must raise for `fault`.
fn expected(fault: DemoFault) -> Option<&'static CheckInfo> {
    match fault {
        DemoFault::IncompleteChain => Some(&bars_checks::chain::INCOMPLETE),
        DemoFault::NoClientAuth => Some(&bars_checks::tls::NO_CLIENT_AUTH),
        DemoFault::Expired => Some(&bars_checks::cert::EXPIRED),
        DemoFault::WrongHost => Some(&bars_checks::name::HOST_MISMATCH),
        _ => None,
    }
}

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The fault to plant in the demo Receiver.
    #[arg(long, default_value = "incomplete-chain", value_parser = fault())]
    pub fault: DemoFault,

    #[command(flatten)]
    pub output: ReportArgs,
}

pub fn run(args: DemoArgs, rt: &Runtime) -> anyhow::Result<Exit> {
    let now = time::OffsetDateTime::now_utc();
    let demo =
        bars_forge::mint::demo_scenario(args.fault, now).context("demo: making the test PKI")?;
    let name = demo.name;
    let mut judge = Judge::new(now.unix_timestamp());
    judge.env = EnvChoice::Forced(Environment::Int);
    judge.usage = Usage::Server;
    // The tool knows the demo hierarchy the way it knows the NHS CAs, so the missing
    // intermediate is named.
    for (der, path) in [
        (&demo.root, "demo-test-root.pem"),
        (&demo.subca, "demo-test-subca.pem"),
    ] {
        let cert = bars_model::Certificate::from_der(der)
            .map_err(|e| anyhow::anyhow!("demo: reading the test CA: {e}"))?;
        judge.extra_cas.push(ExtraCa {
            env: Some(Environment::Int),
            cert,
            path: path.into(),
            source: None,
        });
    }
    let mut probing = Probing::new(Duration::from_secs(10), Duration::from_secs(1));
    probing.client_identity = Some(ClientIdentity {
        chain: demo.client_chain.clone(),
        key_pkcs8: demo.client_key_pkcs8.clone(),
    });
    let session = Session::new(judge, probing, Online::off(now.unix_timestamp()));
    let client_auth = if demo.requires_client_certificate {
        ClientAuthMode::Required(ClientCas {
            roots: vec![demo.root.clone()],
            advertise: None,
        })
    } else {
        ClientAuthMode::None
    };
    let spec = ReceiverSpec::new(demo.chain.clone(), demo.key_pkcs8.clone(), client_auth);
    let (addr, outcome) = rt.block_on(async {
        let receiver = Receiver::start(&spec)
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
    let mut text = crate::render::render(&report, &args.output, &[], Severity::Error);
    let found = match expected(args.fault) {
        Some(kind) => d.analysis.findings.iter().any(|f| f.is(kind)),
        None => !d
            .analysis
            .findings
            .iter()
            .any(|f| f.severity.at_or_above(Severity::Warning)),
    };
    if args.output.format == ReportFormat::Text {
        text.push_str(&match (found, expected(args.fault)) {
            (true, Some(kind)) => format!(
                "\nThe planted fault was diagnosed ({id}). Run `bars-certcheck explain {id}` for the long form, or another fault, e.g. `bars-certcheck demo --fault expired` (see `bars-certcheck demo --help`).\n",
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
