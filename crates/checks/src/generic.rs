//! Generic X.509 path validation for TLS servers, with no NHS policy: the verdict a
//! standards-following client would reach for a leaf, some untrusted intermediates and a
//! set of trust anchors (the x509-limbo conformance mode).
//!
//! rustls-webpki does the work: path building (decoys, cycles, cross-signs), signatures
//! and algorithm/key strength (aws-lc-rs, RSA >= 2048, no SHA-1), validity, basic
//! constraints and path length, EKU, name constraints, unknown critical extensions, then
//! the peer name against the SAN only (never the subject CN). On top of it, when
//! [`GenericCase::strict`] is set (the default), [`strict`] adds small RFC 5280 / CA/B
//! Forum profile checks where webpki is knowingly lenient. They only ever turn an
//! acceptance into a rejection; the path-dependent ones run inside webpki's path search
//! (its `verify_path` callback), so a rejected candidate path lets the search go on to
//! the next one rather than failing a case another path would pass.
//!
//! [`crate::analyse()`] (the NHS product's policy) does not use this module.

use rustls_pki_types::{CertificateDer, DnsName, ServerName, TrustAnchor, UnixTime};
use std::cell::RefCell;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;
use webpki::{
    EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter, KeyUsage,
    RequiredEkuNotFoundContext, VerifiedPath,
};

pub mod strict;

/// The name the leaf must be valid for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerName {
    /// A DNS name, checked against the dNSName SANs (wildcards per RFC 6125).
    Dns(String),
    /// An IP address, checked against the iPAddress SANs.
    Ip(IpAddr),
}

impl fmt::Display for PeerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerName::Dns(d) => f.write_str(d),
            PeerName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// An extended key usage (RFC 5280 4.2.1.12 key purpose).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Eku {
    /// id-kp-serverAuth.
    ServerAuth,
    /// id-kp-clientAuth.
    ClientAuth,
    /// id-kp-codeSigning.
    CodeSigning,
    /// id-kp-emailProtection.
    EmailProtection,
    /// id-kp-timeStamping.
    TimeStamping,
    /// id-kp-OCSPSigning.
    OcspSigning,
    /// anyExtendedKeyUsage (2.5.29.37.0).
    Any,
}

impl Eku {
    /// The OID's DER content octets.
    pub fn oid(self) -> &'static [u8] {
        match self {
            Eku::ServerAuth => &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01],
            Eku::ClientAuth => &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02],
            Eku::CodeSigning => &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03],
            Eku::EmailProtection => &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04],
            Eku::TimeStamping => &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08],
            Eku::OcspSigning => &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09],
            Eku::Any => &[0x55, 0x1d, 0x25, 0x00],
        }
    }

    /// The RFC 5280 short name (`serverAuth`, ..., `anyExtendedKeyUsage`).
    pub fn name(self) -> &'static str {
        match self {
            Eku::ServerAuth => "serverAuth",
            Eku::ClientAuth => "clientAuth",
            Eku::CodeSigning => "codeSigning",
            Eku::EmailProtection => "emailProtection",
            Eku::TimeStamping => "timeStamping",
            Eku::OcspSigning => "OCSPSigning",
            Eku::Any => "anyExtendedKeyUsage",
        }
    }
}

impl FromStr for Eku {
    type Err = String;

    /// Reads the RFC 5280 short names (the x509-limbo spelling).
    fn from_str(s: &str) -> Result<Eku, String> {
        [
            Eku::ServerAuth,
            Eku::ClientAuth,
            Eku::CodeSigning,
            Eku::EmailProtection,
            Eku::TimeStamping,
            Eku::OcspSigning,
            Eku::Any,
        ]
        .into_iter()
        .find(|e| e.name() == s)
        .ok_or_else(|| format!("unknown extended key usage {s:?}"))
    }
}

/// One validation to run.
#[derive(Clone, Debug)]
pub struct GenericCase {
    /// The end-entity certificate, DER.
    pub leaf: Vec<u8>,
    /// Untrusted certificates that may complete the path, DER, in any order (decoys
    /// allowed).
    pub intermediates: Vec<Vec<u8>>,
    /// The trust anchors, DER certificates.
    pub anchors: Vec<Vec<u8>>,
    /// The time to validate at, Unix seconds.
    pub at: i64,
    /// The name the leaf must be valid for, when one is expected.
    pub peer: Option<PeerName>,
    /// The purposes every certificate of the path that carries an EKU extension must
    /// list (a certificate without the extension allows every purpose). `[ServerAuth]`
    /// by default.
    pub ekus: Vec<Eku>,
    /// The most intermediates the path may have, not counting self-issued ones (RFC
    /// 5280 6.1: they do not add to the logical depth). `None`: webpki's own limit.
    pub max_depth: Option<usize>,
    /// Run the [`strict`] profile checks on top of webpki (default `true`).
    pub strict: bool,
}

impl GenericCase {
    /// A case for `leaf` at `at`: no intermediates or anchors yet, no peer name,
    /// serverAuth, no depth limit, strict checks on.
    pub fn new(leaf: Vec<u8>, at: i64) -> GenericCase {
        GenericCase {
            leaf,
            intermediates: Vec::new(),
            anchors: Vec::new(),
            at,
            peer: None,
            ekus: vec![Eku::ServerAuth],
            max_depth: None,
            strict: true,
        }
    }
}

/// The path that validated: indices into the case's lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPath {
    /// Indices into [`GenericCase::intermediates`], leaf side first.
    pub intermediates: Vec<usize>,
    /// Index into [`GenericCase::anchors`].
    pub anchor: usize,
}

/// Which step refused the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// An input was refused: a leaf or anchor webpki will not read, a time before 1970,
    /// a peer name that is not a DNS name.
    Input,
    /// No acceptable path to an anchor (webpki, or every candidate path was refused by
    /// the depth limit or a strict check).
    Path,
    /// The leaf is not valid for the peer name.
    Name,
    /// A strict check on the leaf alone.
    Leaf,
}

/// Why a case was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The step.
    pub stage: Stage,
    /// Stable id of the check: `webpki` (including a leaf or anchor webpki will not
    /// read), `input` (time or peer name), `max-depth`, or a [`strict`] id.
    pub check: &'static str,
    /// What was wrong.
    pub detail: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.detail)
    }
}

/// The verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenericOutcome {
    /// A path was built and every check passed.
    Valid(ValidPath),
    /// Refused.
    Invalid(Rejection),
}

impl GenericOutcome {
    /// True for [`GenericOutcome::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, GenericOutcome::Valid(_))
    }
}

fn reject(stage: Stage, check: &'static str, detail: impl Into<String>) -> GenericOutcome {
    GenericOutcome::Invalid(Rejection {
        stage,
        check,
        detail: detail.into(),
    })
}

/// Every listed purpose must be in the EKU extension, when there is one.
struct AllOf<'a>(&'a [Eku]);

impl ExtendedKeyUsageValidator for AllOf<'_> {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut present = Vec::new();
        for id in iter {
            present.push(id?);
        }
        if present.is_empty() {
            return Ok(());
        }
        match self
            .0
            .iter()
            .find(|e| !present.contains(&KeyPurposeId::new(e.oid())))
        {
            None => Ok(()),
            Some(missing) => Err(webpki::Error::RequiredEkuNotFoundContext(
                RequiredEkuNotFoundContext {
                    required: KeyUsage::required_if_present(missing.oid()),
                    present: present.iter().map(|p| p.to_decoded_oid()).collect(),
                },
            )),
        }
    }
}

/// What the path callback hands back to webpki for a path over the depth limit, and for
/// one a strict check refused (low-ranked errors, so webpki keeps searching and reports
/// its own more specific errors first).
const DEPTH_REFUSED: webpki::Error = webpki::Error::MaximumPathDepthExceeded;
const STRICT_REFUSED: webpki::Error = webpki::Error::ExtensionValueInvalid;

/// A candidate path refused by the callback, for the report when no path is left.
struct Refusal {
    check: &'static str,
    detail: String,
}

/// The indices in `given` of the path's intermediates, leaf side first.
fn used_intermediates(path: &VerifiedPath<'_>, given: &[Vec<u8>]) -> Vec<usize> {
    path.intermediate_certificates()
        .filter_map(|c| {
            let der = c.der();
            given.iter().position(|g| g.as_slice() == der.as_ref())
        })
        .collect()
}

/// Validates `case`. Never panics; every failure is a [`Rejection`].
pub fn validate(case: &GenericCase) -> GenericOutcome {
    let leaf_der = CertificateDer::from(case.leaf.as_slice());
    let leaf = match EndEntityCert::try_from(&leaf_der) {
        Ok(l) => l,
        Err(e) => return reject(Stage::Input, "webpki", format!("leaf refused: {e}")),
    };
    let anchor_ders: Vec<CertificateDer<'_>> = case
        .anchors
        .iter()
        .map(|a| CertificateDer::from(a.as_slice()))
        .collect();
    let mut anchors: Vec<TrustAnchor<'_>> = Vec::with_capacity(anchor_ders.len());
    for (i, der) in anchor_ders.iter().enumerate() {
        match webpki::anchor_from_trusted_cert(der) {
            Ok(a) => anchors.push(a),
            Err(e) => return reject(Stage::Input, "webpki", format!("anchor {i} refused: {e}")),
        }
    }
    let intermediates: Vec<CertificateDer<'_>> = case
        .intermediates
        .iter()
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let Ok(secs) = u64::try_from(case.at) else {
        return reject(Stage::Input, "input", "validation time before 1970");
    };
    let time = UnixTime::since_unix_epoch(Duration::from_secs(secs));
    let server_name = match &case.peer {
        None => None,
        // Always a DNS name: an IP literal given as `Dns` is not matched as an address.
        Some(PeerName::Dns(d)) => match DnsName::try_from(d.as_str()) {
            Ok(n) => Some(ServerName::DnsName(n)),
            Err(e) => return reject(Stage::Input, "input", format!("peer name {d:?}: {e}")),
        },
        Some(PeerName::Ip(ip)) => Some(ServerName::IpAddress((*ip).into())),
    };

    let strict = if case.strict {
        Some(strict::Prepared::new(case))
    } else {
        None
    };
    let refusals: RefCell<Vec<Refusal>> = RefCell::new(Vec::new());
    let check_path = |p: &VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let used = used_intermediates(p, &case.intermediates);
        let refuse = |check: &'static str, detail: String, error: webpki::Error| {
            refusals.borrow_mut().push(Refusal { check, detail });
            Err(error)
        };
        if let Some(max) = case.max_depth {
            let logical = p
                .intermediate_certificates()
                .filter(|c| c.subject() != c.issuer())
                .count();
            if logical > max {
                return refuse(
                    "max-depth",
                    format!("{logical} intermediates (not counting self-issued), at most {max}"),
                    DEPTH_REFUSED,
                );
            }
        }
        if let Some(s) = &strict {
            let anchor = anchors.iter().position(|a| std::ptr::eq(a, p.anchor()));
            if let Err(v) = s.check_path(&used, anchor) {
                return refuse(v.check, v.detail, STRICT_REFUSED);
            }
        }
        Ok(())
    };

    let verified = match leaf.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &intermediates,
        time,
        AllOf(&case.ekus),
        None,
        Some(&check_path),
    ) {
        Ok(v) => v,
        Err(e) => {
            // A refusal means webpki had built a complete, verified path that only the
            // depth limit or a strict check turned down: the most telling reason. webpki's
            // own error (its most specific over every dead end) is kept beside it.
            let refusals = refusals.borrow();
            return match refusals.first() {
                None => reject(Stage::Path, "webpki", e.to_string()),
                Some(r) => {
                    let more = match refusals.len() {
                        1 => String::new(),
                        n => format!(" ({} other candidate paths refused too)", n - 1),
                    };
                    // The errors handed back to webpki for our refusals say nothing more.
                    let webpki = match e {
                        DEPTH_REFUSED | STRICT_REFUSED => String::new(),
                        e => format!("; webpki: {e}"),
                    };
                    reject(Stage::Path, r.check, format!("{}{more}{webpki}", r.detail))
                }
            };
        }
    };
    let path = ValidPath {
        intermediates: used_intermediates(&verified, &case.intermediates),
        anchor: anchors
            .iter()
            .position(|a| std::ptr::eq(a, verified.anchor()))
            .unwrap_or(0),
    };

    if let Some(name) = &server_name {
        if let Err(e) = leaf.verify_is_valid_for_subject_name(name) {
            let peer = case
                .peer
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default();
            return reject(Stage::Name, "webpki", format!("not valid for {peer}: {e}"));
        }
    }
    if let Some(s) = &strict {
        if let Err(v) = s.check_leaf() {
            return reject(Stage::Leaf, v.check, v.detail);
        }
    }
    GenericOutcome::Valid(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };

    const AT: i64 = 1_800_000_000;

    struct Ca {
        params: CertificateParams,
        key: KeyPair,
        der: Vec<u8>,
    }

    fn ca_params(cn: &str) -> CertificateParams {
        let mut p = CertificateParams::default();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.use_authority_key_identifier_extension = true;
        p
    }

    fn root(cn: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(cn);
        let der = params.self_signed(&key).unwrap().der().to_vec();
        Ca { params, key, der }
    }

    fn sub_ca(cn: &str, by: &Ca) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(cn);
        let der = issue(&params, &key, by);
        Ca { params, key, der }
    }

    fn issue(params: &CertificateParams, key: &KeyPair, by: &Ca) -> Vec<u8> {
        let issuer = Issuer::from_params(&by.params, &by.key);
        params.signed_by(key, &issuer).unwrap().der().to_vec()
    }

    fn leaf_params(sans: &[&str]) -> CertificateParams {
        let mut p =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "leaf");
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
        p
    }

    fn leaf(by: &Ca, edit: impl FnOnce(&mut CertificateParams)) -> Vec<u8> {
        let mut p = leaf_params(&["example.com", "192.0.2.1"]);
        edit(&mut p);
        issue(&p, &KeyPair::generate().unwrap(), by)
    }

    fn case(leaf: Vec<u8>, intermediates: &[&Ca], anchors: &[&Ca]) -> GenericCase {
        let mut c = GenericCase::new(leaf, AT);
        c.intermediates = intermediates.iter().map(|c| c.der.clone()).collect();
        c.anchors = anchors.iter().map(|c| c.der.clone()).collect();
        c.peer = Some(PeerName::Dns("example.com".into()));
        c
    }

    fn refusal(o: &GenericOutcome) -> Option<(Stage, &'static str)> {
        match o {
            GenericOutcome::Valid(_) => None,
            GenericOutcome::Invalid(r) => Some((r.stage, r.check)),
        }
    }

    #[test]
    fn builds_past_decoys_and_reports_the_path() {
        let r = root("Root");
        let decoy = sub_ca("ICA", &root("Other root")); // same name, other key
        let ica = sub_ca("ICA", &r);
        let c = case(leaf(&ica, |_| {}), &[&decoy, &ica], &[&r]);
        assert_eq!(
            validate(&c),
            GenericOutcome::Valid(ValidPath {
                intermediates: vec![1],
                anchor: 0
            })
        );
        // Without the intermediate, or with an unrelated anchor: no path.
        let missing = case(leaf(&ica, |_| {}), &[&decoy], &[&r]);
        assert_eq!(refusal(&validate(&missing)), Some((Stage::Path, "webpki")));
        let other = case(leaf(&ica, |_| {}), &[&ica], &[&root("Root")]);
        assert_eq!(refusal(&validate(&other)), Some((Stage::Path, "webpki")));
    }

    #[test]
    fn peer_names_are_checked_against_the_san_only() {
        let r = root("Root");
        let mut c = case(leaf(&r, |_| {}), &[], &[&r]);
        assert!(validate(&c).is_valid());
        c.peer = Some(PeerName::Ip("192.0.2.1".parse().unwrap()));
        assert!(validate(&c).is_valid());
        c.peer = Some(PeerName::Ip("192.0.2.2".parse().unwrap()));
        assert_eq!(refusal(&validate(&c)), Some((Stage::Name, "webpki")));
        // The subject CN is "leaf": never a name.
        c.peer = Some(PeerName::Dns("leaf".into()));
        assert_eq!(refusal(&validate(&c)), Some((Stage::Name, "webpki")));
        c.peer = Some(PeerName::Dns("not a name".into()));
        assert_eq!(refusal(&validate(&c)), Some((Stage::Input, "input")));
        c.peer = None;
        assert!(validate(&c).is_valid());
    }

    #[test]
    fn validity_time_and_bad_inputs() {
        let r = root("Root");
        let mut c = case(
            leaf(&r, |p| {
                p.not_before = rcgen::date_time_ymd(2020, 1, 1);
                p.not_after = rcgen::date_time_ymd(2021, 1, 1);
            }),
            &[],
            &[&r],
        );
        assert_eq!(refusal(&validate(&c)), Some((Stage::Path, "webpki")));
        c.at = 1_600_000_000;
        assert!(validate(&c).is_valid());
        c.at = -1;
        assert_eq!(refusal(&validate(&c)), Some((Stage::Input, "input")));
        c.at = 1_600_000_000;
        c.anchors.push(vec![0x30, 0x00]);
        assert_eq!(refusal(&validate(&c)), Some((Stage::Input, "webpki")));
        c.leaf = vec![1, 2, 3];
        assert_eq!(refusal(&validate(&c)), Some((Stage::Input, "webpki")));
    }

    #[test]
    fn extended_key_usages() {
        let r = root("Root");
        let client = leaf(&r, |p| {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth]
        });
        let mut c = case(client, &[], &[&r]);
        assert_eq!(refusal(&validate(&c)), Some((Stage::Path, "webpki")));
        c.ekus = vec![Eku::ClientAuth];
        assert!(validate(&c).is_valid());
        c.ekus = vec![Eku::ClientAuth, Eku::ServerAuth];
        assert_eq!(refusal(&validate(&c)), Some((Stage::Path, "webpki")));
        // No EKU extension: every purpose.
        let mut c = case(leaf(&r, |p| p.extended_key_usages = vec![]), &[], &[&r]);
        c.ekus = vec![Eku::ClientAuth, Eku::ServerAuth];
        assert!(validate(&c).is_valid());
        assert_eq!("serverAuth".parse::<Eku>(), Ok(Eku::ServerAuth));
        assert_eq!("OCSPSigning".parse::<Eku>(), Ok(Eku::OcspSigning));
        assert!("server-auth".parse::<Eku>().is_err());
    }

    #[test]
    fn max_depth_counts_intermediates() {
        let r = root("Root");
        let ica = sub_ca("ICA", &r);
        let ica2 = sub_ca("ICA 2", &ica);
        let mut c = case(leaf(&ica2, |_| {}), &[&ica2, &ica], &[&r]);
        assert!(validate(&c).is_valid());
        c.max_depth = Some(2);
        assert!(validate(&c).is_valid());
        c.max_depth = Some(1);
        assert_eq!(refusal(&validate(&c)), Some((Stage::Path, "max-depth")));
        // A shorter path through a cross-sign satisfies the limit.
        let cross = sub_ca_with_key("ICA 2", &ica2, &r);
        c.intermediates.push(cross);
        assert_eq!(
            validate(&c),
            GenericOutcome::Valid(ValidPath {
                intermediates: vec![2],
                anchor: 0
            })
        );
    }

    #[test]
    fn max_depth_does_not_count_self_issued_intermediates() {
        let r = root("Root");
        let ica = sub_ca("ICA", &r);
        let rollover = sub_ca("ICA", &ica); // new key, issued by the old one: self-issued
        let mut c = case(leaf(&rollover, |_| {}), &[&rollover, &ica], &[&r]);
        c.max_depth = Some(1);
        assert_eq!(
            validate(&c),
            GenericOutcome::Valid(ValidPath {
                intermediates: vec![0, 1],
                anchor: 0
            })
        );
        c.max_depth = Some(0);
        assert_eq!(refusal(&validate(&c)), Some((Stage::Path, "max-depth")));
    }

    /// `ca` re-issued (same name and key) by `by`.
    fn sub_ca_with_key(cn: &str, ca: &Ca, by: &Ca) -> Vec<u8> {
        issue(&ca_params(cn), &ca.key, by)
    }

    #[test]
    fn strict_checks_refuse_a_path_but_let_the_search_go_on() {
        // Two roots with the same name and key: one expired, one valid.
        let key = KeyPair::generate().unwrap();
        let mut expired = ca_params("Root");
        expired.not_before = rcgen::date_time_ymd(2000, 1, 1);
        expired.not_after = rcgen::date_time_ymd(2001, 1, 1);
        let expired_der = expired.self_signed(&key).unwrap().der().to_vec();
        let params = ca_params("Root");
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let r = Ca { params, key, der };
        let old = Ca {
            params: expired,
            key: KeyPair::generate().unwrap(),
            der: expired_der,
        };
        let l = leaf(&r, |_| {});
        let both = case(l.clone(), &[], &[&old, &r]);
        assert_eq!(
            validate(&both),
            GenericOutcome::Valid(ValidPath {
                intermediates: vec![],
                anchor: 1
            })
        );
        let mut only_expired = case(l, &[], &[&old]);
        assert_eq!(
            refusal(&validate(&only_expired)),
            Some((Stage::Path, "rfc5280.anchor-validity"))
        );
        // webpki alone does not date-check anchors.
        only_expired.strict = false;
        assert!(validate(&only_expired).is_valid());
    }

    #[test]
    fn strict_leaf_checks_run_after_the_path() {
        let r = root("Root");
        let mut c = case(
            leaf(&r, |p| p.use_authority_key_identifier_extension = false),
            &[],
            &[&r],
        );
        assert_eq!(
            refusal(&validate(&c)),
            Some((Stage::Leaf, "rfc5280.aki-missing"))
        );
        c.strict = false;
        assert!(validate(&c).is_valid());
    }
}
