//! The per-certificate rules of the validator, each a small function over one
//! certificate (x509-parser) that says what is wrong, or nothing.
//!
//! Two kinds:
//! - **webpki's own rules**, written out so that every broken one is reported, not only
//!   the first webpki meets (basicConstraints of the leaf and of every issuer, path
//!   length, extended key usage, unknown critical extensions, the validity window's
//!   shape, what webpki cannot parse). They explain webpki's verdict and never replace
//!   it: they are reported only when webpki refuses the path (see `super::judge`).
//! - **profile rules** webpki knowingly leaves out (SPEC "One validator"): reported
//!   whenever they fail, and a failure makes the path invalid.
//!
//! Never applied (genuine NHS chains break them): basicConstraints criticality, and
//! extKeyUsage criticality on a leaf.

use crate::catalogue::{cert, chain};
use crate::given::Usage;
use crate::CheckInfo;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Broken {
    /// The finding kind.
    pub kind: &'static CheckInfo,
    /// What is wrong, naming the values (without the certificate's label).
    pub detail: String,
    /// A rule webpki applies itself (reported only when webpki refuses the path).
    pub webpki: bool,
}

fn webpki_rule(kind: &'static CheckInfo, detail: impl Into<String>) -> Broken {
    Broken {
        kind,
        detail: detail.into(),
        webpki: true,
    }
}

fn profile_rule(kind: &'static CheckInfo, detail: impl Into<String>) -> Broken {
    Broken {
        kind,
        detail: detail.into(),
        webpki: false,
    }
}

// The extensions the rules read, as OID content octets (compared without allocating).
const SKI: &[u8] = &[0x55, 0x1d, 0x0e];
const KU: &[u8] = &[0x55, 0x1d, 0x0f];
const SAN: &[u8] = &[0x55, 0x1d, 0x11];
const BC: &[u8] = &[0x55, 0x1d, 0x13];
const NC: &[u8] = &[0x55, 0x1d, 0x1e];
const CRL_DP: &[u8] = &[0x55, 0x1d, 0x1f];
const AKI: &[u8] = &[0x55, 0x1d, 0x23];
const EKU: &[u8] = &[0x55, 0x1d, 0x25];
/// 1.3.6.1.5.5.7.1.1
const AIA: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];
/// 1.3.6.1.4.1.11129.2.4.2
const SCT_LIST: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];
/// The extensions webpki processes (`remember_cert_extension`): any other one marked
/// critical is refused. AKI and SKI are not among them; their criticality is a profile
/// rule of its own.
const PROCESSED: [&[u8]; 7] = [KU, SAN, BC, NC, CRL_DP, EKU, SCT_LIST];

/// Where a certificate stands in the path judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Place {
    /// The end-entity certificate (position 0).
    Leaf,
    /// A CA below the anchor; `below` is how many intermediates stand between it and the
    /// leaf (webpki's count for pathLenConstraint, self-issued ones included).
    Issuer { below: usize },
    /// The trust anchor (webpki reads only its name, key and name constraints).
    Anchor,
    /// A CA checked on its own (`input.ca-only`): its own certificate, first on its path.
    LoneCa,
}

impl Place {
    fn is_ca_role(self) -> bool {
        !matches!(self, Place::Leaf)
    }
}

fn ext<'c, 'a>(c: &'c X509Certificate<'a>, oid: &[u8]) -> Option<&'c X509Extension<'a>> {
    c.extensions().iter().find(|e| e.oid.as_bytes() == oid)
}

fn self_issued(c: &X509Certificate<'_>) -> bool {
    c.subject().as_raw() == c.issuer().as_raw()
}

fn basic_constraints(c: &X509Certificate<'_>) -> Option<(bool, Option<u32>)> {
    match ext(c, BC)?.parsed_extension() {
        ParsedExtension::BasicConstraints(bc) => Some((bc.ca, bc.path_len_constraint)),
        _ => None,
    }
}

/// Every rule for `c` standing at `place`, for a leaf that must allow `usage`.
pub(crate) fn check(c: &X509Certificate<'_>, place: Place, usage: Usage) -> Vec<Broken> {
    let mut out: Vec<Broken> = Vec::new();
    // One finding per kind and certificate: the reasons of a kind are joined.
    let mut add = |b: Option<Broken>| {
        let Some(b) = b else { return };
        match out
            .iter_mut()
            .find(|o| o.kind.id == b.kind.id && o.webpki == b.webpki)
        {
            Some(o) => {
                o.detail.push_str("; ");
                o.detail.push_str(&b.detail);
            }
            None => out.push(b),
        }
    };
    match place {
        Place::Leaf => {
            add(ca_as_leaf(c));
            add(leaf_key_usage(c));
            add(ee_name_constraints(c));
            add(san_criticality(c));
            add(san_dns_syntax(c));
        }
        Place::Issuer { below } => {
            add(not_ca(c, true));
            add(issuer_key_usage(c));
            add(path_length(c, below));
            add(ski_missing(c));
        }
        Place::Anchor | Place::LoneCa => {
            add(not_ca(c, false));
            add(issuer_key_usage(c));
            add(ski_missing(c));
        }
    }
    if place.is_ca_role() {
        add(nc_dns_syntax(c));
        add(nc_empty(c));
    }
    match place {
        Place::Anchor => {
            add(critical_extension(c, false));
            if self_issued(c) {
                add(root_aki(c));
            }
        }
        Place::Leaf | Place::Issuer { .. } => {
            add(critical_extension(c, true));
            add(eku(c, usage));
            add(validity_shape(c));
            add(aki_missing(c));
            add(aia(c));
        }
        Place::LoneCa => {
            add(critical_extension(c, false));
            add(validity_shape(c));
            add(aia(c));
            if self_issued(c) {
                add(root_aki(c));
            } else {
                add(aki_missing(c));
            }
        }
    }
    add(aki_critical(c));
    add(ski_critical(c));
    add(rsa_modulus_octets(c));
    out
}

/// webpki `CaUsedAsEndEntity`: the leaf has basicConstraints cA TRUE. A self-issued one
/// is `cert.self-signed` instead (what `openssl req -x509` makes).
fn ca_as_leaf(c: &X509Certificate<'_>) -> Option<Broken> {
    match basic_constraints(c) {
        Some((true, _)) if !self_issued(c) => Some(webpki_rule(
            &cert::CA_AS_LEAF,
            "basicConstraints cA is TRUE in the end-entity certificate",
        )),
        _ => None,
    }
}

/// A CA certificate: version 3 with basicConstraints cA TRUE (webpki
/// `EndEntityUsedAsCa` for an intermediate; a profile rule for the anchor, which webpki
/// does not read).
fn not_ca(c: &X509Certificate<'_>, webpki: bool) -> Option<Broken> {
    let rule = |kind: &'static CheckInfo, detail: String| {
        if webpki {
            webpki_rule(kind, detail)
        } else {
            profile_rule(kind, detail)
        }
    };
    if c.version().0 < 2 {
        return Some(rule(
            &chain::NOT_CA,
            format!(
                "it is a version {} certificate, so it cannot carry basicConstraints cA TRUE",
                c.version().0 + 1
            ),
        ));
    }
    match basic_constraints(c) {
        Some((true, _)) => None,
        Some((false, _)) => Some(rule(&chain::NOT_CA, "basicConstraints cA is FALSE".into())),
        None if ext(c, BC).is_some() => {
            Some(rule(&chain::NOT_CA, "basicConstraints is malformed".into()))
        }
        None => Some(rule(
            &chain::NOT_CA,
            "it has no basicConstraints extension".into(),
        )),
    }
}

/// RFC 5280 4.2.1.3 / 4.2.1.9: a CA whose keyUsage is present asserts keyCertSign
/// (webpki does not read keyUsage).
fn issuer_key_usage(c: &X509Certificate<'_>) -> Option<Broken> {
    match ext(c, KU)?.parsed_extension() {
        ParsedExtension::KeyUsage(ku) if ku.key_cert_sign() => None,
        ParsedExtension::KeyUsage(ku) => Some(profile_rule(
            &chain::NOT_CA,
            format!("its keyUsage ({ku}) lacks keyCertSign"),
        )),
        _ => Some(profile_rule(&chain::NOT_CA, "its keyUsage is malformed")),
    }
}

/// webpki `PathLenConstraintViolated`: more intermediates below this CA than its
/// pathLenConstraint allows (webpki counts self-issued ones too).
fn path_length(c: &X509Certificate<'_>, below: usize) -> Option<Broken> {
    let (_, Some(len)) = basic_constraints(c)? else {
        return None;
    };
    let allowed = usize::try_from(len).unwrap_or(usize::MAX);
    (below > allowed).then(|| {
        webpki_rule(
            &chain::PATH_LENGTH,
            format!(
                "its pathLenConstraint is {len}, but {below} intermediate CA certificate{} stand{} below it",
                if below == 1 { "" } else { "s" },
                if below == 1 { "s" } else { "" }
            ),
        )
    })
}

/// The leaf's keyUsage allows a TLS key: digitalSignature present, keyCertSign absent
/// (RFC 5280 4.2.1.3, 4.2.1.9).
fn leaf_key_usage(c: &X509Certificate<'_>) -> Option<Broken> {
    let is_ca = matches!(basic_constraints(c), Some((true, _)));
    match ext(c, KU)?.parsed_extension() {
        ParsedExtension::KeyUsage(ku) => {
            if !ku.digital_signature() {
                Some(profile_rule(
                    &cert::KEY_USAGE,
                    format!(
                        "its keyUsage ({ku}) lacks digitalSignature, which a TLS handshake needs"
                    ),
                ))
            } else if ku.key_cert_sign() && !is_ca {
                Some(profile_rule(
                    &cert::KEY_USAGE,
                    format!("its keyUsage ({ku}) asserts keyCertSign, but it is not a CA"),
                ))
            } else {
                None
            }
        }
        _ => Some(profile_rule(&cert::KEY_USAGE, "its keyUsage is malformed")),
    }
}

/// webpki's extended key usage rule, for every certificate below the anchor: when the
/// extension is present it lists every purpose required (anyExtendedKeyUsage does not
/// stand in for one).
fn eku(c: &X509Certificate<'_>, usage: Usage) -> Option<Broken> {
    let e = ext(c, EKU)?;
    let ParsedExtension::ExtendedKeyUsage(eku) = e.parsed_extension() else {
        return Some(webpki_rule(
            &cert::MALFORMED,
            "its extKeyUsage is malformed",
        ));
    };
    let empty = !(eku.any
        || eku.server_auth
        || eku.client_auth
        || eku.code_signing
        || eku.email_protection
        || eku.time_stamping
        || eku.ocsp_signing)
        && eku.other.is_empty();
    if empty {
        return Some(webpki_rule(&cert::MALFORMED, "its extKeyUsage is empty"));
    }
    let missing: Vec<&str> = [
        (usage != Usage::Client && !eku.server_auth).then_some("serverAuth"),
        (usage != Usage::Server && !eku.client_auth).then_some("clientAuth"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!missing.is_empty()).then(|| {
        webpki_rule(
            &cert::EKU,
            format!(
                "its extKeyUsage ({}) lacks {}",
                eku_names(eku),
                missing.join(" and ")
            ),
        )
    })
}

fn eku_names(eku: &x509_parser::extensions::ExtendedKeyUsage<'_>) -> String {
    let mut v: Vec<String> = [
        (eku.any, "anyExtendedKeyUsage"),
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| n.to_string())
    .collect();
    v.extend(eku.other.iter().map(|o| o.to_id_string()));
    v.join(", ")
}

/// RFC 5280 4.2: an extension marked critical that is not processed (webpki
/// `UnsupportedCriticalExtension`; for the anchor, which webpki does not read, a profile
/// rule).
fn critical_extension(c: &X509Certificate<'_>, webpki: bool) -> Option<Broken> {
    let unknown: Vec<String> = c
        .extensions()
        .iter()
        .filter(|e| e.critical)
        .filter(|e| {
            let oid = e.oid.as_bytes();
            !PROCESSED.contains(&oid) && oid != AKI && oid != SKI
        })
        .map(|e| e.oid.to_id_string())
        .map(|oid| match ext_name(&oid) {
            Some(name) => format!("{name} ({oid})"),
            None => oid,
        })
        .collect();
    (!unknown.is_empty()).then(|| {
        let rule = if webpki { webpki_rule } else { profile_rule };
        rule(
            &cert::CRITICAL_EXTENSION,
            format!("it marks as critical {}", unknown.join(", ")),
        )
    })
}

/// The name of an extension a critical flag is often found on.
fn ext_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.9" => "subjectDirectoryAttributes",
        "2.5.29.32" => "certificatePolicies",
        "2.5.29.33" => "policyMappings",
        "2.5.29.36" => "policyConstraints",
        "2.5.29.46" => "freshestCRL",
        "2.5.29.54" => "inhibitAnyPolicy",
        "1.3.6.1.5.5.7.1.1" => "authorityInfoAccess",
        "1.3.6.1.5.5.7.1.11" => "subjectInfoAccess",
        "1.3.6.1.5.5.7.1.24" => "TLS feature",
        _ => return None,
    })
}

/// webpki `InvalidCertValidity`: notBefore after notAfter.
fn validity_shape(c: &X509Certificate<'_>) -> Option<Broken> {
    let v = c.validity();
    (v.not_before.timestamp() > v.not_after.timestamp()).then(|| {
        webpki_rule(
            &cert::MALFORMED,
            format!(
                "its validity starts ({}) after it ends ({})",
                v.not_before, v.not_after
            ),
        )
    })
}

/// RFC 5280 4.2.1.1: the authorityKeyIdentifier (with a keyIdentifier) is present in
/// every certificate but a self-signed one.
fn aki_missing(c: &X509Certificate<'_>) -> Option<Broken> {
    if self_issued(c) {
        return None;
    }
    match ext(c, AKI).map(|e| e.parsed_extension()) {
        Some(ParsedExtension::AuthorityKeyIdentifier(a)) if a.key_identifier.is_some() => None,
        Some(_) => Some(profile_rule(
            &cert::MALFORMED,
            "its authorityKeyIdentifier has no keyIdentifier (RFC 5280 4.2.1.1)",
        )),
        None => Some(profile_rule(
            &cert::MALFORMED,
            "it has no authorityKeyIdentifier (RFC 5280 4.2.1.1: MUST be included)",
        )),
    }
}

/// RFC 5280 4.2.1.1: the authorityKeyIdentifier is non-critical.
fn aki_critical(c: &X509Certificate<'_>) -> Option<Broken> {
    ext(c, AKI).filter(|e| e.critical).map(|_| {
        profile_rule(
            &cert::MALFORMED,
            "its authorityKeyIdentifier is critical (RFC 5280 4.2.1.1: MUST be non-critical)",
        )
    })
}

/// RFC 5280 4.2.1.2: a CA certificate has a subjectKeyIdentifier.
fn ski_missing(c: &X509Certificate<'_>) -> Option<Broken> {
    ext(c, SKI).is_none().then(|| {
        profile_rule(
            &cert::MALFORMED,
            "it is a CA certificate without subjectKeyIdentifier (RFC 5280 4.2.1.2: MUST appear)",
        )
    })
}

/// RFC 5280 4.2.1.2: the subjectKeyIdentifier is non-critical.
fn ski_critical(c: &X509Certificate<'_>) -> Option<Broken> {
    ext(c, SKI).filter(|e| e.critical).map(|_| {
        profile_rule(
            &cert::MALFORMED,
            "its subjectKeyIdentifier is critical (RFC 5280 4.2.1.2: MUST be non-critical)",
        )
    })
}

/// CA/B BR 7.1.2.1.3: a root's authorityKeyIdentifier, when present, is a keyIdentifier
/// equal to its subjectKeyIdentifier, without authorityCertIssuer or serial.
fn root_aki(c: &X509Certificate<'_>) -> Option<Broken> {
    let e = ext(c, AKI)?;
    let ParsedExtension::AuthorityKeyIdentifier(a) = e.parsed_extension() else {
        return Some(profile_rule(
            &cert::MALFORMED,
            "its authorityKeyIdentifier is malformed",
        ));
    };
    if a.authority_cert_issuer.is_some() || a.authority_cert_serial.is_some() {
        return Some(profile_rule(
            &cert::MALFORMED,
            "it is a root whose authorityKeyIdentifier names an authorityCertIssuer or serial (CA/B BR 7.1.2.1.3: MUST NOT)",
        ));
    }
    let kid = a.key_identifier.as_ref();
    match ext(c, SKI).map(|e| e.parsed_extension()) {
        Some(ParsedExtension::SubjectKeyIdentifier(ski)) if kid.is_some_and(|k| ski.0 == k.0) => {
            None
        }
        _ => Some(profile_rule(
            &cert::MALFORMED,
            "it is a root whose authorityKeyIdentifier differs from its subjectKeyIdentifier (CA/B BR 7.1.2.1.3)",
        )),
    }
}

fn name_constraint_names<'c, 'a>(
    c: &'c X509Certificate<'a>,
) -> Option<Result<Vec<&'c GeneralName<'a>>, ()>> {
    match ext(c, NC)?.parsed_extension() {
        ParsedExtension::NameConstraints(nc) => Some(Ok(nc
            .permitted_subtrees
            .iter()
            .chain(nc.excluded_subtrees.iter())
            .flatten()
            .map(|s| &s.base)
            .collect())),
        _ => Some(Err(())),
    }
}

/// Whether `name` is inside the dNSName subtree `base` (RFC 5280 4.2.1.10: the base
/// with zero or more labels added on the left; case-insensitive).
fn in_dns_subtree(name: &str, base: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let base = base.trim_end_matches('.').to_ascii_lowercase();
    base.is_empty()
        || name == base
        || name
            .strip_suffix(&base)
            .is_some_and(|head| head.ends_with('.'))
}

/// Why the dNSName constraints of CA `c` refuse `name`, if they do: outside every
/// permitted dNSName subtree (when there are some), or inside an excluded one.
pub(crate) fn dns_constraints_refuse(c: &X509Certificate<'_>, name: &str) -> Option<String> {
    let ParsedExtension::NameConstraints(nc) = ext(c, NC)?.parsed_extension() else {
        return None;
    };
    let dns = |trees: &Option<Vec<x509_parser::extensions::GeneralSubtree<'_>>>| -> Vec<String> {
        trees
            .iter()
            .flatten()
            .filter_map(|t| match t.base {
                GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect()
    };
    let permitted = dns(&nc.permitted_subtrees);
    let excluded = dns(&nc.excluded_subtrees);
    if let Some(x) = excluded.iter().find(|b| in_dns_subtree(name, b)) {
        return Some(format!("is inside the excluded subtree {x:?}"));
    }
    if !permitted.is_empty() && !permitted.iter().any(|b| in_dns_subtree(name, b)) {
        return Some(format!(
            "is outside the permitted subtrees [{}]",
            permitted.join(", ")
        ));
    }
    None
}

/// RFC 5280 4.2.1.10: a dNSName constraint is a host name, optionally with labels to
/// add on the left: no leading period (URI syntax) and no wildcard.
fn nc_dns_syntax(c: &X509Certificate<'_>) -> Option<Broken> {
    let Some(Ok(names)) = name_constraint_names(c) else {
        return None;
    };
    names.into_iter().find_map(|n| match n {
        GeneralName::DNSName(d) if d.starts_with('.') || d.contains('*') => Some(profile_rule(
            &cert::MALFORMED,
            format!(
                "its dNSName name constraint {d:?} has a leading period or a wildcard (RFC 5280 4.2.1.10)"
            ),
        )),
        _ => None,
    })
}

/// RFC 5280 4.2.1.10 / CA/B BR 7.1.2.5.2: nameConstraints is well formed and has
/// permitted or excluded subtrees.
fn nc_empty(c: &X509Certificate<'_>) -> Option<Broken> {
    match name_constraint_names(c)? {
        Ok(names) if !names.is_empty() => None,
        _ => Some(profile_rule(
            &cert::MALFORMED,
            "its nameConstraints is malformed or has neither permitted nor excluded subtrees",
        )),
    }
}

/// RFC 5280 4.2.1.10: nameConstraints only in CA certificates.
fn ee_name_constraints(c: &X509Certificate<'_>) -> Option<Broken> {
    ext(c, NC).map(|_| {
        profile_rule(
            &cert::MALFORMED,
            "it is an end-entity certificate with nameConstraints (RFC 5280 4.2.1.10: CA certificates only)",
        )
    })
}

/// RFC 5280 4.2.1.6: with an empty subject the SAN is critical; CA/B BR 7.1.2.7.12:
/// otherwise it is not.
fn san_criticality(c: &X509Certificate<'_>) -> Option<Broken> {
    let empty_subject = c.subject().iter().next().is_none();
    match (empty_subject, ext(c, SAN).map(|e| e.critical)) {
        (true, Some(true)) | (false, Some(false) | None) => None,
        (true, _) => Some(profile_rule(
            &cert::MALFORMED,
            "its subject is empty and its subjectAltName is missing or not critical (RFC 5280 4.2.1.6)",
        )),
        (false, Some(true)) => Some(profile_rule(
            &cert::MALFORMED,
            "its subjectAltName is critical although its subject is not empty (CA/B BR 7.1.2.7.12)",
        )),
    }
}

/// RFC 5280 4.2.1.6: a dNSName SAN is a host name in the preferred syntax (RFC 1034 3.5,
/// RFC 1123 2.1): letters, digits and hyphens, labels of 1 to 63, a leading `*.`
/// wildcard label allowed.
fn san_dns_syntax(c: &X509Certificate<'_>) -> Option<Broken> {
    let Some(ParsedExtension::SubjectAlternativeName(san)) =
        ext(c, SAN).map(|e| e.parsed_extension())
    else {
        return None;
    };
    san.general_names.iter().find_map(|n| match n {
        GeneralName::DNSName(d) if !dns_syntax_ok(d) => Some(profile_rule(
            &cert::MALFORMED,
            format!(
                "its dNSName {} is not a valid host name (RFC 5280 4.2.1.6)",
                d.escape_debug()
            ),
        )),
        _ => None,
    })
}

/// Preferred name syntax with an optional leading wildcard label.
pub(crate) fn dns_syntax_ok(name: &str) -> bool {
    let n = name.strip_suffix('.').unwrap_or(name);
    if n.is_empty() || n.len() > 253 {
        return false;
    }
    n.split('.').enumerate().all(|(i, label)| {
        (i == 0 && label == "*")
            || (!label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-'))
    })
}

/// CA/B BR 7.1.2.7.7 (RFC 5280 4.2.2.1): authorityInfoAccess, when present, is a
/// well-formed SEQUENCE of one or more AccessDescriptions.
fn aia(c: &X509Certificate<'_>) -> Option<Broken> {
    match ext(c, AIA)?.parsed_extension() {
        ParsedExtension::AuthorityInfoAccess(a) if !a.accessdescs.is_empty() => None,
        _ => Some(profile_rule(
            &cert::MALFORMED,
            "its authorityInfoAccess is malformed or empty",
        )),
    }
}

/// CA/B BR 6.1.5: an RSA modulus is a whole number of octets.
fn rsa_modulus_octets(c: &X509Certificate<'_>) -> Option<Broken> {
    let spki = c.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    if alg != "1.2.840.113549.1.1.1" && alg != "1.2.840.113549.1.1.10" {
        return None;
    }
    let bits = rsa_modulus_bits(&spki.subject_public_key.data)?;
    (bits % 8 != 0).then(|| {
        profile_rule(
            &cert::MALFORMED,
            format!("its RSA modulus is {bits} bits, not a whole number of octets (CA/B BR 6.1.5)"),
        )
    })
}

/// Bits in the modulus of a DER RSAPublicKey.
fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    use x509_parser::der_parser::asn1_rs::{Any, FromDer};
    let (_, seq) = Any::from_der(der).ok()?;
    let (_, n) = Any::from_der(seq.data).ok()?;
    let first = n.data.iter().position(|b| *b != 0)?;
    let digits = n.data.get(first..)?;
    let top = digits.first()?;
    Some((digits.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
}
