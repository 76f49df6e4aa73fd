#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use bars_net::{PostHandshake, ProbeOptions, Target};
use bars_testsupport::{ClientAuthMode, ClientCas};
use common::*;

/// The probe, on a runtime of this test's own.
fn probe(t: &Target, o: &ProbeOptions) -> Result<bars_net::ProbeResult, bars_net::ProbeError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(bars_net::probe(t, o))
}

fn opts() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_secs(2),
        ..ProbeOptions::default()
    }
}

fn local(addr: std::net::SocketAddr) -> Target {
    Target::parse(&addr.to_string()).unwrap()
}

#[test]
fn full_chain_recorded_exactly() {
    let p = pki("Full");
    let chain = vec![p.leaf.der.clone(), p.inter.der.clone(), p.root.der.clone()];
    let (addr, _h) = serve(
        chain.clone(),
        p.leaf.key.clone(),
        ClientAuthMode::None,
        false,
    );
    let r = probe(&local(addr), &opts()).unwrap();
    assert_eq!(r.chain, chain);
    assert_eq!(r.tls_version, Some(rustls::ProtocolVersion::TLSv1_3));
    assert!(
        r.cipher.as_deref().unwrap().starts_with("TLS13_"),
        "{:?}",
        r.cipher
    );
    assert_eq!(r.alpn.as_deref(), Some("http/1.1"));
    assert!(!r.client_auth_requested);
    assert!(r.acceptable_client_cas.is_empty());
    assert!(r.handshake_error.is_none());
    assert_eq!(r.sni, None, "no SNI for an IP literal");
    assert_eq!(r.peer_addr, Some(addr));
    assert!(r.post_handshake.is_none());
}

#[test]
fn leaf_only_and_wrong_order_recorded_as_sent() {
    let p = pki("Order");
    let (addr, _h) = serve(
        vec![p.leaf.der.clone()],
        p.leaf.key.clone(),
        ClientAuthMode::None,
        false,
    );
    assert_eq!(
        probe(&local(addr), &opts()).unwrap().chain,
        vec![p.leaf.der.clone()]
    );

    let wrong = vec![p.leaf.der.clone(), p.root.der.clone(), p.inter.der.clone()];
    let (addr, _h2) = serve(
        wrong.clone(),
        p.leaf.key.clone(),
        ClientAuthMode::None,
        true,
    );
    let r = probe(&local(addr), &opts()).unwrap();
    assert_eq!(r.chain, wrong);
    assert_eq!(r.tls_version, Some(rustls::ProtocolVersion::TLSv1_2));
}

#[test]
fn sni_and_connect_override() {
    let p = pki("Sni");
    let (addr, _h) = serve(
        vec![p.leaf.der.clone()],
        p.leaf.key.clone(),
        ClientAuthMode::None,
        false,
    );
    let t = Target::parse(&format!("https://bars.test:{}/x", addr.port())).unwrap();
    let o = ProbeOptions {
        connect: Some("127.0.0.1".into()),
        send_request: true,
        ..opts()
    };
    let r = probe(&t, &o).unwrap();
    assert_eq!(r.sni.as_deref(), Some("bars.test"));
    assert_eq!(
        r.post_handshake,
        Some(PostHandshake::Response("HTTP/1.1 200 OK".into()))
    );
    let o = ProbeOptions {
        connect: Some("127.0.0.1".into()),
        sni: Some("other.test".into()),
        ..opts()
    };
    assert_eq!(probe(&t, &o).unwrap().sni.as_deref(), Some("other.test"));
}

#[test]
fn advertised_client_cas_and_rejection_without_cert() {
    for tls12 in [false, true] {
        let p = pki("Srv");
        let client_root = ca("Client Root", None);
        let other = ca("Other Advertised CA", None);
        let cas = ClientCas {
            roots: vec![client_root.der.clone()],
            advertise: Some(vec![subject_der(&client_root.der), subject_der(&other.der)]),
        };
        let (addr, _h) = serve(
            vec![p.leaf.der.clone()],
            p.leaf.key.clone(),
            ClientAuthMode::Required(cas),
            tls12,
        );
        let started = Instant::now();
        let r = probe(&local(addr), &opts()).unwrap();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(r.client_auth_requested, "tls12={tls12}");
        assert!(!r.client_cert_sent);
        assert_eq!(
            r.acceptable_client_cas_der,
            vec![subject_der(&client_root.der), subject_der(&other.der)]
        );
        assert_eq!(r.acceptable_client_cas.len(), 2);
        assert!(
            r.acceptable_client_cas[0].contains("Client Root"),
            "{:?}",
            r.acceptable_client_cas
        );
        assert_eq!(
            r.chain,
            vec![p.leaf.der.clone()],
            "chain recorded even though the server rejects us"
        );
        let h = r
            .handshake_error
            .expect("the server requires a client certificate");
        let alert = bars_net::alert_name(h.alert.unwrap());
        assert!(
            [
                "certificate_required",
                "handshake_failure",
                "bad_certificate"
            ]
            .contains(&alert.as_str()),
            "tls12={tls12} alert={alert}"
        );
        assert!(
            h.message.contains("insists on a client certificate"),
            "{}",
            h.message
        );
    }
}

#[test]
fn client_cert_accepted_and_rejected_tls13_and_tls12() {
    for tls12 in [false, true] {
        let p = pki("Srv");
        let client_root = ca("Client Root", None);
        let client_inter = ca("Client Issuing", Some(&client_root));
        let good = leaf("client.bars.test", &client_inter, true);
        let stranger_root = ca("Stranger Root", None);
        let bad = leaf("client.bars.test", &stranger_root, true);
        let cas = ClientCas {
            roots: vec![client_root.der.clone()],
            advertise: None,
        };
        let (addr, _h) = serve(
            vec![p.leaf.der.clone()],
            p.leaf.key.clone(),
            ClientAuthMode::Required(cas),
            tls12,
        );

        let o = ProbeOptions {
            client_identity: Some(identity(&good, &[&client_inter.der])),
            ..opts()
        };
        let r = probe(&local(addr), &o).unwrap();
        assert!(r.client_cert_sent);
        assert!(
            r.handshake_error.is_none(),
            "tls12={tls12}: {:?}",
            r.handshake_error
        );
        assert_eq!(
            r.post_handshake,
            Some(PostHandshake::Response("HTTP/1.1 200 OK".into()))
        );
        assert_eq!(
            r.acceptable_client_cas_der,
            vec![subject_der(&client_root.der)]
        );

        let o = ProbeOptions {
            client_identity: Some(identity(&bad, &[])),
            ..opts()
        };
        let r = probe(&local(addr), &o).unwrap();
        assert!(r.client_cert_sent);
        assert_eq!(r.chain, vec![p.leaf.der.clone()]);
        let h = r.handshake_error.expect("rejected");
        assert_eq!(
            h.alert,
            Some(rustls::AlertDescription::UnknownCA),
            "tls12={tls12}"
        );
        assert!(
            h.message
                .contains("does not trust the issuer of the client certificate"),
            "{}",
            h.message
        );
        if !tls12 {
            assert_eq!(
                r.post_handshake,
                Some(PostHandshake::Alert(rustls::AlertDescription::UnknownCA))
            );
        }
    }
}

#[test]
fn peers_that_send_no_certificate_are_classified() {
    use bars_net::ProbeError;
    use bars_testsupport::{spawn_hostile, Hostile};
    let cases: &[(Hostile, &str)] = &[
        (Hostile::Silent, "timeout"),
        (Hostile::Garbage, "not-tls"),
        (Hostile::HttpReply, "not-tls"),
        (Hostile::SshBanner, "not-tls"),
        (Hostile::ImmediateClose, "closed"),
        (Hostile::Reset, "reset"),
        (Hostile::ResetAfterHello, "reset"),
        (Hostile::TlsLookingGarbage, "not-tls"),
        (Hostile::Alert(40), "alert"),
        (Hostile::Alert(70), "old-protocol"),
        (Hostile::Tls10ServerHello, "old-protocol"),
    ];
    for (kind, want) in cases {
        let (addr, _h) = spawn_hostile(*kind).unwrap();
        let started = Instant::now();
        let o = ProbeOptions {
            timeout: Duration::from_secs(1),
            ..opts()
        };
        let e = probe(&local(addr), &o).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{kind:?}");
        assert_eq!(e.kind(), *want, "{kind:?}: {e}");
        if let ProbeError::OldProtocol { version, .. } = &e {
            if *kind == Hostile::Tls10ServerHello {
                assert_eq!(*version, Some(rustls::ProtocolVersion::TLSv1_0));
            }
            assert!(e.to_string().contains("tls.old-protocol"), "{e}");
        }
    }
    // Nothing listening.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let t = Target::parse(&format!("127.0.0.1:{port}")).unwrap();
    assert_eq!(probe(&t, &opts()).unwrap_err().kind(), "refused");
}

/// A reset is `reset` and a clean close is `closed` on every run, whatever the timing of
/// the RST against the ClientHello; an alert 40 straight after the ClientHello is not
/// blamed on a client certificate nobody asked for.
#[test]
fn resets_closes_and_early_alerts_are_named_the_same_on_every_run() {
    use bars_testsupport::{spawn_hostile, Hostile};
    for (kind, want, text) in [
        (Hostile::Reset, "reset", "reset it before sending anything"),
        (
            Hostile::ResetAfterHello,
            "reset",
            "reset it before sending anything",
        ),
        (Hostile::ImmediateClose, "closed", "closed the connection"),
        (
            Hostile::TlsLookingGarbage,
            "not-tls",
            "look like TLS records",
        ),
        (Hostile::Alert(40), "alert", "no protocol version"),
    ] {
        let (addr, _h) = spawn_hostile(kind).unwrap();
        for _ in 0..20 {
            let e = probe(&local(addr), &opts()).unwrap_err();
            assert_eq!(e.kind(), want, "{kind:?}: {e}");
            let m = e.to_string();
            assert!(m.contains(text), "{kind:?}: {m}");
            assert!(!m.contains("os error"), "{kind:?}: {m}");
            assert!(!m.contains("client certificate"), "{kind:?}: {m}");
        }
    }
    // With a name to send, the early alert names it as one possible cause.
    let (addr, _h) = spawn_hostile(Hostile::Alert(40)).unwrap();
    let o = ProbeOptions {
        connect: Some(addr.to_string()),
        ..opts()
    };
    let e = probe(&Target::parse("bars-int-x.example.nhs.uk:443").unwrap(), &o).unwrap_err();
    assert!(
        e.to_string()
            .contains("does not serve the SNI name sent (bars-int-x.example.nhs.uk)"),
        "{e}"
    );
}

#[test]
fn quick_reply_mode_still_catches_a_tls13_rejection() {
    let p = pki("Quick");
    let client_root = ca("Client Root", None);
    let good = leaf("client.bars.test", &client_root, true);
    let stranger = ca("Stranger Root", None);
    let bad = leaf("client.bars.test", &stranger, true);
    for tls12 in [false, true] {
        let (addr, _h) = serve(
            vec![p.leaf.der.clone()],
            p.leaf.key.clone(),
            ClientAuthMode::Required(ClientCas {
                roots: vec![client_root.der.clone()],
                advertise: None,
            }),
            tls12,
        );
        let quick = |id| ProbeOptions {
            client_identity: Some(id),
            reply_timeout: Some(Duration::from_millis(500)),
            ..opts()
        };
        let r = probe(&local(addr), &quick(identity(&bad, &[]))).unwrap();
        let h = r.handshake_error.expect("rejected");
        assert_eq!(
            h.alert,
            Some(rustls::AlertDescription::UnknownCA),
            "tls12={tls12}"
        );
        let started = Instant::now();
        let r = probe(&local(addr), &quick(identity(&good, &[]))).unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(r.handshake_error.is_none(), "tls12={tls12}: {r:?}");
        if tls12 {
            assert_eq!(r.post_handshake, None, "no request needed under TLS 1.2");
            assert_eq!(r.tls_version, Some(rustls::ProtocolVersion::TLSv1_2));
        } else {
            assert!(r.post_handshake.is_some());
        }
    }
}

#[test]
fn version_and_cipher_known_when_the_handshake_fails() {
    let p = pki("Fail");
    let client_root = ca("Client Root", None);
    let (addr, _h) = serve(
        vec![p.leaf.der.clone()],
        p.leaf.key.clone(),
        ClientAuthMode::Required(ClientCas {
            roots: vec![client_root.der.clone()],
            advertise: None,
        }),
        true,
    );
    let r = probe(&local(addr), &opts()).unwrap();
    assert!(r.handshake_error.is_some());
    assert_eq!(r.tls_version, Some(rustls::ProtocolVersion::TLSv1_2));
    assert!(
        r.cipher.as_deref().unwrap().starts_with("TLS_ECDHE_"),
        "{:?}",
        r.cipher
    );
}
