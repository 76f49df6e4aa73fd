//! The `tls.*` findings: pure judgements over what a probe saw of the TLS layer (the
//! probe itself lives in bars-net; this module never touches the network).

use crate::catalogue::tls;
use crate::given::Options;
use crate::{Analysis, Finding, Role, Severity};
use bars_nhs::{CaPurpose, Environment, Generation};
use rustls::{AlertDescription, ProtocolVersion};
use x509_parser::prelude::FromDer;

/// A handshake that failed after the server's chain arrived.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HandshakeFacts {
    /// The TLS alert the server sent, if any (`unknown_ca`, `certificate_required`, …).
    pub alert: Option<AlertDescription>,
    /// What happened, one plain sentence.
    pub message: String,
}

/// What `--mtls-audit` found: for each extra handshake, `Some(what the server did)` when
/// it accepted the connection, `None` when it refused or the result was unclear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFacts {
    /// Accepted without any client certificate.
    pub anonymous_accepted: Option<String>,
    /// Accepted a throwaway self-signed client certificate.
    pub foreign_accepted: Option<String>,
    /// Other foreign client certificates accepted (a look-alike NHS hierarchy, the other
    /// environment's TEST hierarchy): (what was presented, how it was accepted).
    pub others_accepted: Vec<(String, String)>,
}

/// The TLS facts of one probe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsFacts {
    /// Protocol version the server chose, if known.
    pub version: Option<ProtocolVersion>,
    /// The server sent a CertificateRequest.
    pub client_auth_requested: bool,
    /// The acceptable client CA names it advertised (DER `Name`s, as sent).
    pub acceptable_client_cas: Vec<Vec<u8>>,
    /// The probe presented a client certificate.
    pub client_cert_sent: bool,
    /// Set when the handshake failed after the chain arrived (including a TLS 1.3
    /// rejection of the client certificate on the first read after the handshake).
    pub handshake_failure: Option<HandshakeFacts>,
    /// `--mtls-audit` results, when the audit ran.
    pub audit: Option<AuditFacts>,
    /// The probe itself presented no client certificate after a CertificateRequest and
    /// the server let it in anyway: how (its answer). Evidence without `--mtls-audit`.
    pub anonymous_let_in: Option<String>,
}

/// Alerts with which a server refuses a client that presented no certificate.
const NO_CERT_ALERTS: &[AlertDescription] = &[
    AlertDescription::CertificateRequired,
    AlertDescription::HandshakeFailure,
    AlertDescription::BadCertificate,
    AlertDescription::AccessDenied,
];

/// The name of `v` when it is below TLS 1.2 (`tls.old-protocol`).
fn old_version(v: ProtocolVersion) -> Option<&'static str> {
    match v {
        ProtocolVersion::TLSv1_1 => Some("TLSv1.1"),
        ProtocolVersion::TLSv1_0 => Some("TLSv1.0"),
        ProtocolVersion::SSLv3 => Some("SSLv3"),
        ProtocolVersion::SSLv2 => Some("SSLv2"),
        _ => None,
    }
}

/// A name (DER) in RFC 4514, or `None` when it does not decode.
fn rfc4514(der: &[u8]) -> Option<String> {
    x509_parser::x509::X509Name::from_der(der)
        .ok()
        .map(|(_, n)| bars_model::dn_to_rfc4514(&n))
}

fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    // The same name in another string encoding (PrintableString vs UTF8String).
    match (rfc4514(a), rfc4514(b)) {
        (Some(x), Some(y)) => !x.is_empty() && x.eq_ignore_ascii_case(&y),
        _ => false,
    }
}

/// One CA the environment's client certificates can chain to.
struct EnvCa {
    name: String,
    subject: Vec<u8>,
    legacy: bool,
}

/// The CAs a Receiver of `env` should name as acceptable: the embedded NHS CAs of the
/// environment (unless `--no-embedded-ca`; not the people-card sub-CA), every `--ca`
/// certificate given for it, and the CAs on the server's own complete path to the
/// environment's anchors (a sub-CA of a `--ca int:root.pem` hierarchy).
fn env_cas(env: Environment, opts: &Options, analysis: &Analysis) -> Vec<EnvCa> {
    let mut out = Vec::new();
    if opts.use_embedded {
        for ca in bars_nhs::cas_for(env) {
            if ca.purpose == CaPurpose::People {
                continue;
            }
            if let Some(subject) = ca.subject_der() {
                out.push(EnvCa {
                    name: ca.common_name.to_string(),
                    subject: subject.to_vec(),
                    legacy: ca.generation == Generation::Legacy,
                });
            }
        }
    }
    for extra in &opts.extra_cas {
        if extra.env.is_none_or(|e| e == env) {
            out.push(EnvCa {
                name: extra.cert.summary().subject.clone(),
                subject: extra.cert.subject_der().to_vec(),
                legacy: false,
            });
        }
    }
    if analysis.environment == Some(env) {
        for chain in analysis.chains.iter().filter(|c| c.anchored) {
            for entry in chain
                .path
                .iter()
                .filter_map(|&i| analysis.certificates.get(i))
            {
                if entry.role == Role::Leaf || !entry.cert.summary().is_ca {
                    continue;
                }
                let subject = entry.cert.subject_der().to_vec();
                if out.iter().any(|c| c.subject == subject) {
                    continue;
                }
                let legacy = bars_nhs::find_by_subject_der(&subject)
                    .iter()
                    .any(|c| c.generation == Generation::Legacy);
                out.push(EnvCa {
                    name: entry.cert.summary().subject.clone(),
                    subject,
                    legacy,
                });
            }
        }
    }
    out
}

/// The server's own key when it is too weak for a modern client to accept its handshake
/// signature (RSA below 2048 bits).
fn weak_leaf_key(analysis: &Analysis) -> Option<String> {
    let leaf = analysis
        .chains
        .first()
        .map(|c| c.leaf)
        .and_then(|i| analysis.certificates.get(i))
        .or_else(|| analysis.certificates.first())?;
    let k = &leaf.cert.summary().key;
    let bits = k.bits?;
    (k.algorithm.eq_ignore_ascii_case("RSA") && bits < 2048).then(|| format!("RSA {bits}-bit"))
}

/// `tls.handshake-failed`, with the fix for its case. A Receiver refusing a probe that
/// presented no certificate is doing its job: information, with nothing to fix.
fn handshake_failed(h: &HandshakeFacts, facts: &TlsFacts, analysis: &Analysis) -> Finding {
    let weak = if h.alert.is_none() {
        weak_leaf_key(analysis)
    } else {
        None
    };
    let refusal = match h.alert {
        Some(a) => NO_CERT_ALERTS.contains(&a),
        // Closed or reset without an alert: a refusal too, unless the server's own key
        // explains the failure.
        None => weak.is_none(),
    };
    if !facts.client_cert_sent && facts.client_auth_requested && refusal {
        let mut f = tls::HANDSHAKE_FAILED
            .finding(
                None,
                format!(
                    "{}: the server asked for a client certificate and refused the probe, which \
                     presented none; that is what a BaRS Receiver must do",
                    h.message
                ),
            )
            .with_fix(
                "Nothing to fix. To complete the handshake as the BaRS proxy does, probe again \
                 with a client certificate the Receiver trusts (--pfx FILE, or --client-cert \
                 FILE --client-key FILE).",
            );
        f.severity = Severity::Info;
        f.title = "The server refused a client without a certificate, as a Receiver must".into();
        return f;
    }
    let mut detail = h.message.clone();
    if let Some(k) = &weak {
        let how = if facts.version == Some(ProtocolVersion::TLSv1_3) {
            " for TLS 1.3"
        } else {
            ""
        };
        detail.push_str(&format!(
            "; the server's {k} key is too weak{how}: modern TLS clients (rustls, the BaRS \
             proxy) refuse handshake signatures from RSA keys below 2048 bits"
        ));
    }
    let f = tls::HANDSHAKE_FAILED.finding(None, detail);
    match (weak, facts.client_cert_sent) {
        (Some(k), _) => f.with_fix(format!(
            "Replace the server's {k} key and certificate: make a new RSA key of at least 2048 \
             bits and a CSR for the same name, have the certificate issued, and serve it."
        )),
        (None, true) => f.with_fix(
            "The Receiver refused the client certificate presented: check that it is the \
             environment's client certificate, issued by the CA the Receiver trusts (see the \
             alert in the detail).",
        ),
        (None, false) => f,
    }
}

/// Every `tls.*` finding for a probe whose certificates gave `analysis` under `opts`.
/// The Receiver rules (`tls.no-client-auth`, `tls.client-ca-hints`) apply only when the
/// analysis's environment is `int` or `prod`.
pub fn tls_findings(facts: &TlsFacts, analysis: &Analysis, opts: &Options) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(v) = facts.version.and_then(old_version) {
        out.push(tls::OLD_PROTOCOL.finding(
            None,
            format!("the server negotiated {v}; only TLS 1.2 and 1.3 are acceptable"),
        ));
    }

    if let Some(env) = analysis.environment.filter(|e| e.is_nhs()) {
        let label = env.as_str().to_uppercase();
        // The chain is recorded only once every message that may carry a
        // CertificateRequest has arrived (TLS 1.3: it comes before the Certificate; TLS
        // 1.2: before ServerHelloDone), so its absence is known even when the handshake
        // failed afterwards (an RSA-1024 key refused by the client).
        if !facts.client_auth_requested {
            let how = match (&facts.handshake_failure, facts.version) {
                (None, _) => "the handshake completed without a CertificateRequest",
                (Some(_), Some(ProtocolVersion::TLSv1_3)) => {
                    "the server sent its Certificate with no CertificateRequest before it (the \
                     handshake then failed, see tls.handshake-failed)"
                }
                (Some(_), _) => {
                    "the server's hello ended (ServerHelloDone) without a CertificateRequest (the \
                     handshake then failed, see tls.handshake-failed)"
                }
            };
            out.push(tls::NO_CLIENT_AUTH.finding(
                None,
                format!(
                    "{how}: the server does not ask for a client certificate, so it cannot \
                     authenticate the {label} BaRS proxy"
                ),
            ));
        }
        if facts.client_auth_requested && !facts.acceptable_client_cas.is_empty() {
            let cas = env_cas(env, opts, analysis);
            let matched: Vec<&EnvCa> = cas
                .iter()
                .filter(|ca| {
                    facts
                        .acceptable_client_cas
                        .iter()
                        .any(|n| same_name(n, &ca.subject))
                })
                .collect();
            if matched.iter().all(|ca| ca.legacy) {
                let advertised: Vec<String> = facts
                    .acceptable_client_cas
                    .iter()
                    .map(|n| rfc4514(n).unwrap_or_else(|| "(an undecodable name)".into()))
                    .collect();
                let wanted: Vec<&str> = cas
                    .iter()
                    .filter(|c| !c.legacy)
                    .map(|c| c.name.as_str())
                    .collect();
                let mut detail = format!(
                    "the server advertises {} acceptable client CA name{} [{}], none of them a current {label} CA",
                    advertised.len(),
                    if advertised.len() == 1 { "" } else { "s" },
                    advertised.join("; ")
                );
                if !matched.is_empty() {
                    let legacy: Vec<&str> = matched.iter().map(|c| c.name.as_str()).collect();
                    detail.push_str(&format!(" (only the retired legacy {})", legacy.join(", ")));
                }
                if !wanted.is_empty() {
                    detail.push_str(&format!("; expected one of: {}", wanted.join(", ")));
                }
                out.push(tls::CLIENT_CA_HINTS.finding(None, detail));
            }
        }
    }

    if let Some(h) = &facts.handshake_failure {
        out.push(handshake_failed(h, facts, analysis));
    }

    // Evidence is never ignored: the probe itself, with no client certificate, was let
    // into a Receiver (said once: the audit's own attempt says it otherwise).
    let audit_saw_it = facts
        .audit
        .as_ref()
        .is_some_and(|a| a.anonymous_accepted.is_some());
    if let (Some(how), false) = (&facts.anonymous_let_in, audit_saw_it) {
        if analysis.environment.is_some_and(|e| e.is_nhs()) {
            out.push(tls::ACCEPTS_ANONYMOUS.finding(
                None,
                format!(
                    "the probe presented no client certificate when the server asked for one, \
                     and was let in: {how}"
                ),
            ));
        }
    }

    if let Some(a) = &facts.audit {
        if let Some(how) = &a.anonymous_accepted {
            out.push(tls::ACCEPTS_ANONYMOUS.finding(
                None,
                format!("connected without a client certificate: {how}"),
            ));
        }
        if let Some(how) = &a.foreign_accepted {
            out.push(tls::ACCEPTS_FOREIGN_CLIENT.finding(
                None,
                format!("presented a throwaway self-signed client certificate: {how}"),
            ));
        }
        for (what, how) in &a.others_accepted {
            out.push(tls::ACCEPTS_FOREIGN_CLIENT.finding(None, format!("presented {what}: {how}")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyse, CheckInput, ExtraCa, Source};
    use bars_model::Certificate;

    fn embedded(id: &str) -> &'static bars_nhs::NhsCa {
        bars_nhs::find_by_id(id).unwrap_or_else(|| panic!("{id} is embedded"))
    }

    fn subject(id: &str) -> Vec<u8> {
        embedded(id).subject_der().unwrap_or_default().to_vec()
    }

    fn analysis(env: Option<Environment>) -> Analysis {
        Analysis {
            environment: env,
            environment_source: crate::EnvSource::None,
            certificates: Vec::new(),
            chains: Vec::new(),
            findings: Vec::new(),
        }
    }

    fn ids(f: &[Finding]) -> Vec<&'static str> {
        f.iter().map(|f| f.id()).collect()
    }

    fn opts() -> Options {
        Options::new(1_800_000_000)
    }

    fn requested(cas: Vec<Vec<u8>>) -> TlsFacts {
        TlsFacts {
            version: Some(ProtocolVersion::TLSv1_3),
            client_auth_requested: true,
            acceptable_client_cas: cas,
            ..TlsFacts::default()
        }
    }

    #[test]
    fn receiver_rules_apply_in_int_and_prod_only() {
        let none = TlsFacts {
            version: Some(ProtocolVersion::TLSv1_3),
            ..TlsFacts::default()
        };
        for env in [Environment::Int, Environment::Prod] {
            assert_eq!(
                ids(&tls_findings(&none, &analysis(Some(env)), &opts())),
                ["tls.no-client-auth"]
            );
        }
        assert!(tls_findings(&none, &analysis(Some(Environment::Public)), &opts()).is_empty());
        assert!(tls_findings(&none, &analysis(None), &opts()).is_empty());
        let foreign = requested(vec![subject("nhs-authentication-g2")]);
        assert!(tls_findings(&foreign, &analysis(Some(Environment::Public)), &opts()).is_empty());
    }

    #[test]
    fn client_ca_hints_must_name_a_current_ca_of_the_environment() {
        let int = analysis(Some(Environment::Int));
        // The INT sub-CA or root: fine.
        for id in ["nhs-int-authentication-g2", "nhs-ptl-root-authority-g2"] {
            let f = requested(vec![subject("nhs-authentication-g2"), subject(id)]);
            assert!(tls_findings(&f, &int, &opts()).is_empty(), "{id}");
        }
        // Only PROD's CA: wrong.
        let f = requested(vec![subject("nhs-authentication-g2")]);
        let got = tls_findings(&f, &int, &opts());
        assert_eq!(ids(&got), ["tls.client-ca-hints"]);
        assert_eq!(got[0].severity, Severity::Warning);
        assert!(got[0].detail.contains("NHS Authentication G2"), "{got:?}");
        assert!(
            got[0].detail.contains("NHS INT Authentication G2"),
            "{got:?}"
        );
        // Only the retired legacy INT CA: still wrong, and said so.
        let f = requested(vec![subject("nhs-int-level-1c")]);
        let got = tls_findings(&f, &int, &opts());
        assert_eq!(ids(&got), ["tls.client-ca-hints"]);
        assert!(got[0].detail.contains("legacy"), "{got:?}");
        // No names advertised (any CA): not judged.
        assert!(tls_findings(&requested(vec![]), &int, &opts()).is_empty());
        // Without the embedded set the NHS names do not count.
        let mut o = opts();
        o.use_embedded = false;
        let f = requested(vec![subject("nhs-int-authentication-g2")]);
        assert_eq!(ids(&tls_findings(&f, &int, &o)), ["tls.client-ca-hints"]);
    }

    #[test]
    fn a_ca_option_for_the_environment_counts_in_any_encoding() {
        let ca = embedded("nhs-int-authentication-g2")
            .certificate()
            .unwrap_or_else(|e| panic!("{e}"))
            .clone();
        let mut o = opts();
        o.use_embedded = false;
        o.extra_cas.push(ExtraCa {
            env: Some(Environment::Int),
            cert: ca.clone(),
            path: "int.pem".into(),
            source: None,
        });
        let int = analysis(Some(Environment::Int));
        let f = requested(vec![ca.subject_der().to_vec()]);
        assert!(tls_findings(&f, &int, &o).is_empty());
        // Tagged for PROD: does not count for INT.
        o.extra_cas[0].env = Some(Environment::Prod);
        assert_eq!(ids(&tls_findings(&f, &int, &o)), ["tls.client-ca-hints"]);
        // The same name spelt as UTF8String instead of PrintableString matches.
        assert!(same_name(
            &name_der(&[(&[85, 4, 3], 0x13, b"NHS X")]),
            &name_der(&[(&[85, 4, 3], 0x0c, b"NHS X")])
        ));
        assert!(!same_name(
            &name_der(&[(&[85, 4, 3], 0x13, b"NHS X")]),
            &name_der(&[(&[85, 4, 3], 0x13, b"NHS Y")])
        ));
    }

    /// A Name DER from (oid body, string tag, value) attributes (short lengths only).
    fn name_der(attrs: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
        let tlv = |tag: u8, body: &[u8]| {
            let mut v = vec![tag, u8::try_from(body.len()).unwrap_or(0)];
            v.extend_from_slice(body);
            v
        };
        let mut rdns = Vec::new();
        for (oid, stag, val) in attrs {
            let mut atv = tlv(0x06, oid);
            atv.extend(tlv(*stag, val));
            rdns.extend(tlv(0x31, &tlv(0x30, &atv)));
        }
        tlv(0x30, &rdns)
    }

    #[test]
    fn old_protocol_and_audit() {
        let f = TlsFacts {
            version: Some(ProtocolVersion::TLSv1_0),
            client_auth_requested: true,
            audit: Some(AuditFacts {
                anonymous_accepted: Some("the server answered \"HTTP/1.1 200 OK\"".into()),
                foreign_accepted: Some("the server answered \"HTTP/1.1 200 OK\"".into()),
                others_accepted: Vec::new(),
            }),
            ..TlsFacts::default()
        };
        let got = tls_findings(&f, &analysis(Some(Environment::Public)), &opts());
        assert_eq!(
            ids(&got),
            [
                "tls.old-protocol",
                "tls.accepts-anonymous",
                "tls.accepts-foreign-client"
            ]
        );
        assert!(got.iter().all(|f| f.severity == Severity::Error));
        let f = TlsFacts {
            audit: Some(AuditFacts::default()),
            ..requested(vec![])
        };
        assert!(tls_findings(&f, &analysis(None), &opts()).is_empty());
    }

    #[test]
    fn a_probe_let_in_without_a_certificate_is_accepts_anonymous_in_nhs_environments_once() {
        let let_in = TlsFacts {
            anonymous_let_in: Some("the server answered \"HTTP/1.1 200 OK\"".into()),
            ..requested(vec![subject("nhs-int-authentication-g2")])
        };
        let int = analysis(Some(Environment::Int));
        let got = tls_findings(&let_in, &int, &opts());
        assert_eq!(ids(&got), ["tls.accepts-anonymous"]);
        assert!(got[0].detail.contains("200 OK"));
        // Not a Receiver in public.
        assert!(tls_findings(&let_in, &analysis(Some(Environment::Public)), &opts()).is_empty());
        // The audit saw it too: said once.
        let both = TlsFacts {
            audit: Some(AuditFacts {
                anonymous_accepted: Some("the server answered \"HTTP/1.1 200 OK\"".into()),
                ..AuditFacts::default()
            }),
            ..let_in
        };
        assert_eq!(
            ids(&tls_findings(&both, &int, &opts())),
            ["tls.accepts-anonymous"]
        );
    }

    #[test]
    fn handshake_failures_say_why() {
        let int = analysis(Some(Environment::Int));
        // Our certificate rejected: a warning naming the alert.
        let f = TlsFacts {
            client_cert_sent: true,
            handshake_failure: Some(HandshakeFacts {
                alert: Some(AlertDescription::UnknownCA),
                message: "the server ended the handshake with the TLS alert unknown_ca".into(),
            }),
            ..requested(vec![subject("nhs-int-authentication-g2")])
        };
        let got = tls_findings(&f, &int, &opts());
        assert_eq!(ids(&got), ["tls.handshake-failed"]);
        assert_eq!(got[0].severity, Severity::Warning);
        assert!(got[0].detail.contains("unknown_ca"));
        // No certificate presented to a server that requires one: expected, info.
        let f = TlsFacts {
            client_cert_sent: false,
            handshake_failure: Some(HandshakeFacts {
                alert: Some(AlertDescription::CertificateRequired),
                message: "rejected".into(),
            }),
            ..requested(vec![subject("nhs-int-authentication-g2")])
        };
        let got = tls_findings(&f, &int, &opts());
        assert_eq!(ids(&got), ["tls.handshake-failed"]);
        assert_eq!(got[0].severity, Severity::Info);
        assert!(got[0].fix.starts_with("Nothing to fix"), "{got:?}");
        assert!(!got[0].fix.contains("cause named in the detail"), "{got:?}");
        // The same refusal as a close without an alert.
        let f = TlsFacts {
            handshake_failure: Some(HandshakeFacts {
                alert: None,
                message: "the server closed the connection".into(),
            }),
            ..f
        };
        assert_eq!(tls_findings(&f, &int, &opts())[0].severity, Severity::Info);
        // A failure after a chain with no CertificateRequest before it: the server does
        // not ask for a client certificate, whatever failed afterwards.
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let f = TlsFacts {
                version: Some(version),
                handshake_failure: Some(HandshakeFacts {
                    alert: None,
                    message: "bad signature".into(),
                }),
                ..TlsFacts::default()
            };
            let got = tls_findings(&f, &int, &opts());
            assert_eq!(ids(&got), ["tls.no-client-auth", "tls.handshake-failed"]);
            assert!(
                got[0].detail.contains("without a CertificateRequest")
                    || got[0].detail.contains("no CertificateRequest before it"),
                "{got:?}"
            );
        }
    }

    fn read_cert(rel: &str) -> Certificate {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel);
        let parsed = bars_model::read_path(
            &path,
            &bars_model::NoPassword,
            &bars_model::Limits::default(),
        );
        let first = parsed.certificates().next().cloned();
        first.unwrap_or_else(|| panic!("{}: {:?}", path.display(), parsed.errors))
    }

    #[test]
    fn the_sub_ca_on_the_servers_own_path_counts() {
        // Only the root is given (as --ca int:root.pem); the sub-CA comes in the chain.
        let root = embedded("nhs-ptl-root-authority-g2")
            .certificate()
            .unwrap_or_else(|e| panic!("{e}"))
            .clone();
        let mut o = Options::new(1_795_000_000); // 2026-11
        o.use_embedded = false;
        o.env = Some(Environment::Int);
        o.extra_cas.push(ExtraCa {
            env: Some(Environment::Int),
            cert: root,
            path: "root.pem".into(),
            source: None,
        });
        let leaf = read_cert("nhs-pki/leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem");
        let sub = read_cert("nhs-pki/int/nhs-int-authentication-g2.pem");
        let input = CheckInput {
            certificates: vec![(leaf.clone(), Source::Sent), (sub.clone(), Source::Sent)],
            ..CheckInput::default()
        };
        let a = analyse(&input, &o);
        assert!(a.chains[0].anchored, "{:?}", a.chains);
        let f = requested(vec![sub.subject_der().to_vec()]);
        assert!(tls_findings(&f, &a, &o).is_empty());
        // The leaf itself is no CA.
        let f = requested(vec![leaf.subject_der().to_vec()]);
        assert_eq!(ids(&tls_findings(&f, &a, &o)), ["tls.client-ca-hints"]);
    }

    #[test]
    fn a_weak_server_key_is_named_as_the_cause() {
        let failure = TlsFacts {
            handshake_failure: Some(HandshakeFacts {
                alert: None,
                message: "the handshake failed after the certificate arrived".into(),
            }),
            ..TlsFacts::default()
        };
        // A real 2048-bit CA certificate: no remark.
        let strong = embedded("nhs-int-authentication-g2")
            .certificate()
            .unwrap_or_else(|e| panic!("{e}"))
            .clone();
        let input = CheckInput {
            certificates: vec![(strong, Source::Sent)],
            ..CheckInput::default()
        };
        let got = tls_findings(&failure, &analyse(&input, &opts()), &opts());
        assert!(!got[0].detail.contains("too weak"), "{got:?}");
        // An RSA-1024 leaf (from the vendored corpus).
        let weak = read_cert("corpus/14-ip-san.pem");
        let input = CheckInput {
            certificates: vec![(weak, Source::Sent)],
            ..CheckInput::default()
        };
        let got = tls_findings(&failure, &analyse(&input, &opts()), &opts());
        assert!(
            got[0].detail.contains("RSA 1024-bit key is too weak"),
            "{got:?}"
        );
        assert!(got[0].fix.contains("at least 2048 bits"), "{got:?}");
    }
}
