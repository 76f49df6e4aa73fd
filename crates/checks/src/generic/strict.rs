//! Profile checks on top of webpki, for the RFC 5280 and CA/Browser Forum rules webpki
//! knowingly does not enforce (rustls/webpki lists them as its x509-limbo exceptions).
//!
//! Each check is one small function over one certificate (x509-parser), named by a
//! stable id (`rfc5280.*` or `cabf.*`) and justified by the x509-limbo case it answers.
//! They only ever refuse. Which certificates a check applies to follows the rule it
//! implements, and was checked against the whole conformance subset: a rule that would
//! also refuse certificates of cases expected to pass is not here (for example the
//! CA/B "subject CN must be a SAN" rule: 105 valid cases have a CN outside the SAN).
//!
//! - every certificate of the path: `rfc5280.aki-critical`, `rfc5280.ski-critical`,
//!   `cabf.key`;
//! - leaf and intermediates: `rfc5280.aki-missing`, `rfc5280.serial`, `cabf.aia`;
//! - CA certificates (intermediates and the anchor): `rfc5280.bc-critical`,
//!   `rfc5280.ski-missing`, `rfc5280.ca-subject`, `rfc5280.ca-keycertsign`,
//!   `rfc5280.nc-dns-syntax`, `cabf.nc-empty`;
//! - the anchor (webpki uses only its name, key and name constraints):
//!   `rfc5280.anchor-validity`, `rfc5280.anchor-bc`, `rfc5280.anchor-critical-extension`;
//!   when self-issued (a root) also `cabf.root-aki` and `cabf.root-eku`;
//! - the leaf: `rfc5280.ee-name-constraints`, `rfc5280.ee-keycertsign`,
//!   `rfc5280.san-critical`, `cabf.san-critical`, `rfc5280.dns-syntax`, `cabf.ee-eku`.

use super::GenericCase;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};
use x509_parser::prelude::FromDer;

/// A refused certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Violation {
    /// Stable id of the check.
    pub(super) check: &'static str,
    /// What was wrong.
    pub(super) detail: String,
}

type Checked = Result<(), Violation>;

fn violation(check: &'static str, detail: impl Into<String>) -> Checked {
    Err(Violation {
        check,
        detail: detail.into(),
    })
}

/// The verdicts of the checks on every certificate of a case, by role, computed once
/// before the path search.
pub(super) struct Prepared {
    leaf: Checked,
    intermediates: Vec<Checked>,
    anchors: Vec<Checked>,
}

impl Prepared {
    pub(super) fn new(case: &GenericCase) -> Prepared {
        Prepared {
            leaf: with_cert("leaf", &case.leaf, leaf_checks),
            intermediates: case
                .intermediates
                .iter()
                .enumerate()
                .map(|(i, der)| {
                    with_cert("intermediate", der, intermediate_checks)
                        .map_err(|v| prefix(v, &format!("intermediate {i}")))
                })
                .collect(),
            anchors: case
                .anchors
                .iter()
                .enumerate()
                .map(|(i, der)| {
                    with_cert("anchor", der, |c| anchor_checks(c, case.at))
                        .map_err(|v| prefix(v, &format!("anchor {i}")))
                })
                .collect(),
        }
    }

    /// The checks on a candidate path's intermediates (indices into the case's list) and
    /// anchor.
    pub(super) fn check_path(&self, used: &[usize], anchor: Option<usize>) -> Checked {
        for &i in used {
            if let Some(Err(v)) = self.intermediates.get(i) {
                return Err(v.clone());
            }
        }
        match anchor.and_then(|a| self.anchors.get(a)) {
            Some(Err(v)) => Err(v.clone()),
            _ => Ok(()),
        }
    }

    /// The checks on the leaf.
    pub(super) fn check_leaf(&self) -> Checked {
        self.leaf.clone().map_err(|v| prefix(v, "leaf"))
    }
}

fn prefix(v: Violation, who: &str) -> Violation {
    Violation {
        check: v.check,
        detail: format!("{who}: {}", v.detail),
    }
}

/// Parses `der` and runs `checks`; a certificate webpki read but x509-parser cannot is
/// refused (`rfc5280.der`).
fn with_cert(role: &str, der: &[u8], checks: impl Fn(&X509Certificate<'_>) -> Checked) -> Checked {
    match X509Certificate::from_der(der) {
        Ok((_, c)) => checks(&c),
        Err(e) => violation(
            "rfc5280.der",
            format!("{role} is not a valid certificate: {e}"),
        ),
    }
}

// OIDs (dotted) used below.
const AKI: &str = "2.5.29.35";
const SKI: &str = "2.5.29.14";
const KU: &str = "2.5.29.15";
const SAN: &str = "2.5.29.17";
const BC: &str = "2.5.29.19";
const NC: &str = "2.5.29.30";
const CRL_DP: &str = "2.5.29.31";
const EKU: &str = "2.5.29.37";
const AIA: &str = "1.3.6.1.5.5.7.1.1";
const SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";
/// The extensions webpki understands (`remember_cert_extension`): the only ones an
/// anchor may mark critical.
const UNDERSTOOD: [&str; 7] = [KU, SAN, BC, NC, CRL_DP, EKU, SCT_LIST];

fn ext<'c, 'a>(c: &'c X509Certificate<'a>, oid: &str) -> Option<&'c X509Extension<'a>> {
    c.extensions().iter().find(|e| e.oid.to_id_string() == oid)
}

fn self_issued(c: &X509Certificate<'_>) -> bool {
    c.subject().as_raw() == c.issuer().as_raw()
}

fn leaf_checks(c: &X509Certificate<'_>) -> Checked {
    every_cert(c)?;
    not_anchor(c)?;
    ee_name_constraints(c)?;
    ee_keycertsign(c)?;
    san_critical(c)?;
    dns_syntax(c)?;
    ee_eku(c)
}

fn intermediate_checks(c: &X509Certificate<'_>) -> Checked {
    every_cert(c)?;
    not_anchor(c)?;
    bc_critical(c)?;
    ski_missing(c)?;
    ca_checks(c)
}

fn anchor_checks(c: &X509Certificate<'_>, at: i64) -> Checked {
    every_cert(c)?;
    anchor_validity(c, at)?;
    anchor_bc(c)?;
    anchor_critical_extension(c)?;
    ski_missing(c)?;
    ca_checks(c)?;
    if self_issued(c) {
        root_aki(c)?;
        root_eku(c)?;
    }
    Ok(())
}

fn every_cert(c: &X509Certificate<'_>) -> Checked {
    aki_critical(c)?;
    ski_critical(c)?;
    key(c)
}

fn not_anchor(c: &X509Certificate<'_>) -> Checked {
    aki_missing(c)?;
    serial(c)?;
    aia(c)
}

fn ca_checks(c: &X509Certificate<'_>) -> Checked {
    ca_subject(c)?;
    ca_keycertsign(c)?;
    nc_dns_syntax(c)?;
    nc_empty(c)
}

/// RFC 5280 4.2.1.1: "Conforming CAs MUST mark this extension as non-critical"
/// (`rfc5280::aki::critical-aki`).
fn aki_critical(c: &X509Certificate<'_>) -> Checked {
    match ext(c, AKI) {
        Some(e) if e.critical => violation(
            "rfc5280.aki-critical",
            "authorityKeyIdentifier is critical (RFC 5280 4.2.1.1: MUST be non-critical)",
        ),
        _ => Ok(()),
    }
}

/// RFC 5280 4.2.1.2: "Conforming CAs MUST mark this extension as non-critical"
/// (`rfc5280::ski::critical-ski`).
fn ski_critical(c: &X509Certificate<'_>) -> Checked {
    match ext(c, SKI) {
        Some(e) if e.critical => violation(
            "rfc5280.ski-critical",
            "subjectKeyIdentifier is critical (RFC 5280 4.2.1.2: MUST be non-critical)",
        ),
        _ => Ok(()),
    }
}

/// RFC 5280 4.2.1.1: the keyIdentifier of the AKI "MUST be included in all certificates
/// generated by conforming CAs", self-signed ones excepted
/// (`rfc5280::aki::leaf-missing-aki`, `intermediate-missing-aki`).
fn aki_missing(c: &X509Certificate<'_>) -> Checked {
    if self_issued(c) {
        return Ok(());
    }
    match ext(c, AKI).map(|e| e.parsed_extension()) {
        Some(ParsedExtension::AuthorityKeyIdentifier(a)) if a.key_identifier.is_some() => Ok(()),
        Some(_) => violation(
            "rfc5280.aki-missing",
            "authorityKeyIdentifier has no keyIdentifier (RFC 5280 4.2.1.1)",
        ),
        None => violation(
            "rfc5280.aki-missing",
            "no authorityKeyIdentifier (RFC 5280 4.2.1.1: MUST be included)",
        ),
    }
}

/// RFC 5280 4.2.1.2: the SKI "MUST appear in all conforming CA certificates"
/// (`rfc5280::ski::root-missing-ski`, `intermediate-missing-ski`). Some BetterTLS cases
/// offer SKI-less intermediates as decoys: refusing a path through one lets the search
/// find the right one.
fn ski_missing(c: &X509Certificate<'_>) -> Checked {
    match ext(c, SKI) {
        Some(_) => Ok(()),
        None => violation(
            "rfc5280.ski-missing",
            "CA certificate without subjectKeyIdentifier (RFC 5280 4.2.1.2: MUST appear)",
        ),
    }
}

/// RFC 5280 4.1.2.2: a positive integer of at most 20 octets
/// (`rfc5280::serial::too-long`, `zero`).
fn serial(c: &X509Certificate<'_>) -> Checked {
    let raw = c.raw_serial();
    let positive = raw.first().is_some_and(|b| b & 0x80 == 0) && raw.iter().any(|b| *b != 0);
    if !positive {
        return violation(
            "rfc5280.serial",
            "serial number is not a positive integer (RFC 5280 4.1.2.2)",
        );
    }
    // A leading 0x00 only carries the sign of a 20-octet value.
    let len = raw.len() - usize::from(raw.len() > 1 && raw.first() == Some(&0));
    if len > 20 {
        return violation(
            "rfc5280.serial",
            format!("serial number is {len} octets (RFC 5280 4.1.2.2: at most 20)"),
        );
    }
    Ok(())
}

/// CA/B BR 7.1.2.7.7 (and RFC 5280 4.2.2.1): authorityInfoAccess, when present, is a
/// well-formed SEQUENCE of one or more AccessDescriptions (`webpki::malformed-aia`).
fn aia(c: &X509Certificate<'_>) -> Checked {
    match ext(c, AIA).map(|e| e.parsed_extension()) {
        None => Ok(()),
        Some(ParsedExtension::AuthorityInfoAccess(a)) if !a.accessdescs.is_empty() => Ok(()),
        Some(_) => violation(
            "cabf.aia",
            "authorityInfoAccess is malformed or empty (MUST contain one or more AccessDescriptions)",
        ),
    }
}

/// The public key is one a TLS verifier can use, at CA/B sizes: RSA of 2048 to 8192
/// bits in whole octets (BR 6.1.5), ECDSA on P-256, P-384 or P-521 (BR 6.1.5), or a key
/// type webpki verifies (Ed25519, ML-DSA) (`webpki::forbidden-p192-leaf`,
/// `forbidden-dsa-leaf`, `forbidden-weak-rsa-in-leaf`,
/// `forbidden-rsa-key-not-divisible-by-8-in-leaf`, `forbidden-rsa-not-divisible-by-8-in-root`).
/// webpki checks the keys that verify signatures, never the leaf's own.
fn key(c: &X509Certificate<'_>) -> Checked {
    let spki = c.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        // rsaEncryption, RSASSA-PSS
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            let bits = rsa_modulus_bits(&spki.subject_public_key.data).unwrap_or(0);
            if !(2048..=8192).contains(&bits) || bits % 8 != 0 {
                return violation(
                    "cabf.key",
                    format!("RSA key of {bits} bits (CA/B BR 6.1.5: 2048 to 8192, divisible by 8)"),
                );
            }
            Ok(())
        }
        // id-ecPublicKey
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            match curve.as_str() {
                "1.2.840.10045.3.1.7" | "1.3.132.0.34" | "1.3.132.0.35" => Ok(()),
                other => violation(
                    "cabf.key",
                    format!("EC key on curve {other:?} (CA/B BR 6.1.5: P-256, P-384 or P-521)"),
                ),
            }
        }
        // Ed25519, ML-DSA-44/65/87
        "1.3.101.112"
        | "2.16.840.1.101.3.4.3.17"
        | "2.16.840.1.101.3.4.3.18"
        | "2.16.840.1.101.3.4.3.19" => Ok(()),
        other => violation(
            "cabf.key",
            format!("public key algorithm {other} is not usable for TLS (CA/B BR 6.1.5)"),
        ),
    }
}

/// Bits in the modulus of a DER RSAPublicKey.
fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    use x509_parser::der_parser::asn1_rs::Any;
    let (_, seq) = Any::from_der(der).ok()?;
    let (_, n) = Any::from_der(seq.data).ok()?;
    let digits: &[u8] = {
        let first = n.data.iter().position(|b| *b != 0)?;
        n.data.get(first..)?
    };
    let top = digits.first()?;
    Some((digits.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
}

/// RFC 5280 4.2.1.9: CAs "MUST mark the extension as critical"
/// (`rfc5280::root-non-critical-basic-constraints`; intermediates too).
fn bc_critical(c: &X509Certificate<'_>) -> Checked {
    match ext(c, BC) {
        Some(e) if !e.critical => violation(
            "rfc5280.bc-critical",
            "basicConstraints is not critical (RFC 5280 4.2.1.9: MUST be critical in CA certificates)",
        ),
        _ => Ok(()),
    }
}

/// RFC 5280 4.2.1.9 for the anchor, which webpki does not read: basicConstraints
/// present, critical, cA TRUE (`rfc5280::root-missing-basic-constraints`,
/// `root-non-critical-basic-constraints`).
fn anchor_bc(c: &X509Certificate<'_>) -> Checked {
    match ext(c, BC).map(|e| (e.critical, e.parsed_extension())) {
        Some((true, ParsedExtension::BasicConstraints(bc))) if bc.ca => Ok(()),
        Some((false, _)) => bc_critical(c),
        Some(_) => violation("rfc5280.anchor-bc", "anchor basicConstraints has cA FALSE"),
        None => violation(
            "rfc5280.anchor-bc",
            "anchor has no basicConstraints (RFC 5280 4.2.1.9: MUST be included in CA certificates)",
        ),
    }
}

/// RFC 5280 4.2: a certificate with an unrecognised critical extension must be refused;
/// webpki applies it to every certificate but the anchor
/// (`rfc5280::unknown-critical-extension-root`).
fn anchor_critical_extension(c: &X509Certificate<'_>) -> Checked {
    for e in c.extensions() {
        let oid = e.oid.to_id_string();
        if e.critical && !UNDERSTOOD.contains(&oid.as_str()) {
            return violation(
                "rfc5280.anchor-critical-extension",
                format!("anchor has unrecognised critical extension {oid} (RFC 5280 4.2)"),
            );
        }
    }
    Ok(())
}

/// RFC 5280 6.1.3 (a)(2) applied to the anchor, which webpki does not date-check
/// (`rfc5280::validity::expired-root`); notAfter inclusive, whole seconds.
fn anchor_validity(c: &X509Certificate<'_>, at: i64) -> Checked {
    let v = c.validity();
    let (from, to) = (v.not_before.timestamp(), v.not_after.timestamp());
    if at < from || at > to {
        return violation(
            "rfc5280.anchor-validity",
            format!("anchor not valid at {at} (valid {from} to {to}, Unix seconds)"),
        );
    }
    Ok(())
}

/// RFC 5280 4.1.2.6: a CA's subject "MUST be populated with a non-empty distinguished
/// name" (`rfc5280::ca-empty-subject`).
fn ca_subject(c: &X509Certificate<'_>) -> Checked {
    if c.subject().iter().next().is_none() {
        return violation(
            "rfc5280.ca-subject",
            "CA certificate with an empty subject (RFC 5280 4.1.2.6)",
        );
    }
    Ok(())
}

/// RFC 5280 4.2.1.3 / 4.2.1.9: a CA whose keyUsage is present must assert keyCertSign;
/// webpki does not read keyUsage (`rfc5280::root-inconsistent-ca-extensions`).
fn ca_keycertsign(c: &X509Certificate<'_>) -> Checked {
    match ext(c, KU).map(|e| e.parsed_extension()) {
        None => Ok(()),
        Some(ParsedExtension::KeyUsage(ku)) if ku.key_cert_sign() => Ok(()),
        Some(_) => violation(
            "rfc5280.ca-keycertsign",
            "CA certificate whose keyUsage lacks keyCertSign (RFC 5280 4.2.1.3, 4.2.1.9)",
        ),
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

/// RFC 5280 4.2.1.10: a dNSName constraint is a host name, optionally with labels
/// added on the left; a leading period is URI-constraint syntax only
/// (`rfc5280::nc::invalid-dnsname-leading-period`).
fn nc_dns_syntax(c: &X509Certificate<'_>) -> Checked {
    let Some(Ok(names)) = name_constraint_names(c) else {
        return Ok(());
    };
    for n in names {
        if let GeneralName::DNSName(d) = n {
            if d.starts_with('.') {
                return violation(
                    "rfc5280.nc-dns-syntax",
                    format!(
                        "dNSName name constraint {d:?} has a leading period (RFC 5280 4.2.1.10)"
                    ),
                );
            }
        }
    }
    Ok(())
}

/// CA/B BR 7.1.2.5.2 (and RFC 5280 4.2.1.10: "either the permittedSubtrees field or the
/// excludedSubtrees MUST be present"): nameConstraints is well formed and not empty
/// (`webpki::nc::intermediate-permitted-excluded-subtrees-both-null`,
/// `both-empty-sequences`).
fn nc_empty(c: &X509Certificate<'_>) -> Checked {
    match name_constraint_names(c) {
        None => Ok(()),
        Some(Ok(names)) if !names.is_empty() => Ok(()),
        Some(_) => violation(
            "cabf.nc-empty",
            "nameConstraints is malformed or has neither permitted nor excluded subtrees",
        ),
    }
}

/// CA/B BR 7.1.2.1.3: a root's authorityKeyIdentifier, when present, has a keyIdentifier
/// equal to its subjectKeyIdentifier and neither authorityCertIssuer nor
/// authorityCertSerialNumber (`webpki::aki::root-with-aki-*`).
fn root_aki(c: &X509Certificate<'_>) -> Checked {
    let Some(e) = ext(c, AKI) else {
        return Ok(());
    };
    let ParsedExtension::AuthorityKeyIdentifier(a) = e.parsed_extension() else {
        return violation("cabf.root-aki", "root authorityKeyIdentifier is malformed");
    };
    if a.authority_cert_issuer.is_some() || a.authority_cert_serial.is_some() {
        return violation(
            "cabf.root-aki",
            "root authorityKeyIdentifier has authorityCertIssuer or authorityCertSerialNumber (CA/B BR 7.1.2.1.3: MUST NOT)",
        );
    }
    let Some(kid) = &a.key_identifier else {
        return violation(
            "cabf.root-aki",
            "root authorityKeyIdentifier has no keyIdentifier (CA/B BR 7.1.2.1.3)",
        );
    };
    match ext(c, SKI).map(|e| e.parsed_extension()) {
        Some(ParsedExtension::SubjectKeyIdentifier(ski)) if ski.0 == kid.0 => Ok(()),
        _ => violation(
            "cabf.root-aki",
            "root authorityKeyIdentifier does not match its subjectKeyIdentifier (CA/B BR 7.1.2.1.3)",
        ),
    }
}

/// CA/B BR 7.1.2.1.2: a root "MUST NOT" carry extKeyUsage (`webpki::eku::root-has-eku`).
fn root_eku(c: &X509Certificate<'_>) -> Checked {
    match ext(c, EKU) {
        Some(_) => violation(
            "cabf.root-eku",
            "root certificate has extKeyUsage (CA/B BR 7.1.2.1.2: MUST NOT)",
        ),
        None => Ok(()),
    }
}

/// RFC 5280 4.2.1.10: nameConstraints "MUST be used only in a CA certificate"
/// (`rfc5280::nc::not-allowed-in-ee-critical`, `not-allowed-in-ee-noncritical`).
fn ee_name_constraints(c: &X509Certificate<'_>) -> Checked {
    match ext(c, NC) {
        Some(_) => violation(
            "rfc5280.ee-name-constraints",
            "end-entity certificate has nameConstraints (RFC 5280 4.2.1.10: CA certificates only)",
        ),
        None => Ok(()),
    }
}

/// RFC 5280 4.2.1.9: "If the cA boolean is not asserted, then the keyCertSign bit in the
/// key usage extension MUST NOT be asserted" (`rfc5280::leaf-ku-keycertsign`).
fn ee_keycertsign(c: &X509Certificate<'_>) -> Checked {
    match ext(c, KU).map(|e| e.parsed_extension()) {
        Some(ParsedExtension::KeyUsage(ku)) if ku.key_cert_sign() => violation(
            "rfc5280.ee-keycertsign",
            "end-entity certificate asserts keyCertSign (RFC 5280 4.2.1.9)",
        ),
        _ => Ok(()),
    }
}

/// RFC 5280 4.2.1.6: with an empty subject the SAN MUST be critical
/// (`rfc5280::san::noncritical-with-empty-subject`); CA/B BR 7.1.2.7.12: otherwise it
/// MUST NOT be (`webpki::san::san-critical-with-nonempty-subject`).
fn san_critical(c: &X509Certificate<'_>) -> Checked {
    let empty_subject = c.subject().iter().next().is_none();
    match (empty_subject, ext(c, SAN).map(|e| e.critical)) {
        (true, Some(true)) | (false, Some(false) | None) => Ok(()),
        (true, _) => violation(
            "rfc5280.san-critical",
            "empty subject without a critical subjectAltName (RFC 5280 4.2.1.6)",
        ),
        (false, Some(true)) => violation(
            "cabf.san-critical",
            "critical subjectAltName with a non-empty subject (CA/B BR 7.1.2.7.12: MUST NOT)",
        ),
    }
}

/// RFC 5280 4.2.1.6: a dNSName is in the preferred name syntax (RFC 1034 3.5, RFC 1123
/// 2.1): letters, digits and hyphens, so no underscore (`rfc5280::san::underscore-dns`).
/// The rest of the syntax is webpki's.
fn dns_syntax(c: &X509Certificate<'_>) -> Checked {
    if let Some(ParsedExtension::SubjectAlternativeName(san)) =
        ext(c, SAN).map(|e| e.parsed_extension())
    {
        for n in &san.general_names {
            if let GeneralName::DNSName(d) = n {
                if d.contains('_') {
                    return violation(
                        "rfc5280.dns-syntax",
                        format!("dNSName {d:?} has an underscore (RFC 5280 4.2.1.6, RFC 1034 3.5)"),
                    );
                }
            }
        }
    }
    Ok(())
}

/// CA/B BR 7.1.2.7.10: a subscriber's extKeyUsage is non-critical (7.1.2.7.6) and
/// "anyExtendedKeyUsage MUST NOT be present" (`webpki::eku::ee-critical-eku`,
/// `ee-anyeku`). Its presence (`ee-without-eku`) is not required: RFC 5280 lets a leaf
/// omit it (`rfc5280::eku::ee-without-eku` is expected to pass).
fn ee_eku(c: &X509Certificate<'_>) -> Checked {
    let Some(e) = ext(c, EKU) else {
        return Ok(());
    };
    if e.critical {
        return violation(
            "cabf.ee-eku",
            "end-entity extKeyUsage is critical (CA/B BR 7.1.2.7.6: MUST NOT)",
        );
    }
    match e.parsed_extension() {
        ParsedExtension::ExtendedKeyUsage(eku) if eku.any => violation(
            "cabf.ee-eku",
            "end-entity extKeyUsage has anyExtendedKeyUsage (CA/B BR 7.1.2.7.10: MUST NOT)",
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
        ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        NameConstraints, SerialNumber,
    };

    fn ca_params(cn: &str) -> CertificateParams {
        let mut p = CertificateParams::default();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p
    }

    fn leaf_params() -> CertificateParams {
        let mut p = CertificateParams::new(vec!["example.com".to_string()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, "example.com");
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
        p
    }

    fn self_signed(p: &CertificateParams) -> Vec<u8> {
        p.self_signed(&KeyPair::generate().unwrap())
            .unwrap()
            .der()
            .to_vec()
    }

    /// `p` issued by a fresh CA.
    fn issued(p: &CertificateParams) -> Vec<u8> {
        let ca_key = KeyPair::generate().unwrap();
        let issuer = Issuer::new(ca_params("CA"), ca_key);
        p.signed_by(&KeyPair::generate().unwrap(), &issuer)
            .unwrap()
            .der()
            .to_vec()
    }

    fn custom(oid: &[u64], content: Vec<u8>, critical: bool) -> CustomExtension {
        let mut e = CustomExtension::from_oid_content(oid, content);
        e.set_criticality(critical);
        e
    }

    /// The id of the check that refuses `der`, `None` when all pass.
    fn refused(
        der: &[u8],
        checks: impl Fn(&X509Certificate<'_>) -> Checked,
    ) -> Option<&'static str> {
        with_cert("test", der, checks).err().map(|v| v.check)
    }

    const AT: i64 = 1_800_000_000;

    #[test]
    fn conforming_certificates_pass() {
        assert_eq!(refused(&issued(&leaf_params()), leaf_checks), None);
        let mut int = ca_params("ICA");
        int.use_authority_key_identifier_extension = true;
        assert_eq!(refused(&issued(&int), intermediate_checks), None);
        assert_eq!(
            refused(&self_signed(&ca_params("Root")), |c| anchor_checks(c, AT)),
            None
        );
    }

    #[test]
    fn aki_is_required_below_the_root_and_never_critical() {
        let mut p = leaf_params();
        p.use_authority_key_identifier_extension = false;
        assert_eq!(
            refused(&issued(&p), leaf_checks),
            Some("rfc5280.aki-missing")
        );
        // Self-signed: no AKI needed.
        assert_eq!(refused(&self_signed(&p), aki_missing), None);
        let mut root = ca_params("Root");
        // AKI SEQUENCE { [0] keyIdentifier }
        root.custom_extensions = vec![custom(
            &[2, 5, 29, 35],
            vec![0x30, 0x03, 0x80, 0x01, 0x01],
            true,
        )];
        assert_eq!(
            refused(&self_signed(&root), aki_critical),
            Some("rfc5280.aki-critical")
        );
    }

    #[test]
    fn ski_is_required_in_cas_and_never_critical() {
        let mut root = ca_params("Root");
        root.is_ca = IsCa::NoCa; // rcgen then writes neither SKI nor BC
        let bc = custom(&[2, 5, 29, 19], vec![0x30, 0x03, 0x01, 0x01, 0xff], true);
        root.custom_extensions = vec![bc.clone()];
        assert_eq!(
            refused(&self_signed(&root), |c| anchor_checks(c, AT)),
            Some("rfc5280.ski-missing")
        );
        root.custom_extensions = vec![bc, custom(&[2, 5, 29, 14], vec![0x04, 0x01, 0x07], true)];
        assert_eq!(
            refused(&self_signed(&root), |c| anchor_checks(c, AT)),
            Some("rfc5280.ski-critical")
        );
    }

    #[test]
    fn anchor_basic_constraints() {
        let mut root = ca_params("Root");
        root.is_ca = IsCa::NoCa;
        root.custom_extensions = vec![custom(&[2, 5, 29, 14], vec![0x04, 0x01, 0x07], false)];
        assert_eq!(
            refused(&self_signed(&root), anchor_bc),
            Some("rfc5280.anchor-bc")
        );
        root.custom_extensions.push(custom(
            &[2, 5, 29, 19],
            vec![0x30, 0x03, 0x01, 0x01, 0xff],
            false,
        ));
        assert_eq!(
            refused(&self_signed(&root), anchor_bc),
            Some("rfc5280.bc-critical")
        );
        root.custom_extensions.pop();
        root.custom_extensions
            .push(custom(&[2, 5, 29, 19], vec![0x30, 0x00], true));
        assert_eq!(
            refused(&self_signed(&root), anchor_bc),
            Some("rfc5280.anchor-bc")
        );
    }

    #[test]
    fn anchor_validity_and_unknown_critical_extensions() {
        let mut root = ca_params("Root");
        root.not_before = rcgen::date_time_ymd(2020, 1, 1);
        root.not_after = rcgen::date_time_ymd(2021, 1, 1);
        let der = self_signed(&root);
        assert_eq!(
            refused(&der, |c| anchor_checks(c, AT)),
            Some("rfc5280.anchor-validity")
        );
        // notAfter is inclusive.
        assert_eq!(refused(&der, |c| anchor_validity(c, 1_609_459_200)), None);
        assert_eq!(
            refused(&der, |c| anchor_validity(c, 1_609_459_201)),
            Some("rfc5280.anchor-validity")
        );
        let mut root = ca_params("Root");
        root.custom_extensions = vec![custom(
            &[1, 3, 6, 1, 4, 1, 55738, 666, 1],
            vec![0x05, 0x00],
            true,
        )];
        assert_eq!(
            refused(&self_signed(&root), |c| anchor_checks(c, AT)),
            Some("rfc5280.anchor-critical-extension")
        );
        root.custom_extensions = vec![custom(
            &[1, 3, 6, 1, 4, 1, 55738, 666, 1],
            vec![0x05, 0x00],
            false,
        )];
        assert_eq!(refused(&self_signed(&root), |c| anchor_checks(c, AT)), None);
    }

    #[test]
    fn serial_numbers() {
        let mut p = leaf_params();
        p.serial_number = Some(SerialNumber::from_slice(&[0x00]));
        assert_eq!(refused(&issued(&p), serial), Some("rfc5280.serial"));
        p.serial_number = Some(SerialNumber::from_slice(&[0x01; 21]));
        assert_eq!(refused(&issued(&p), serial), Some("rfc5280.serial"));
        p.serial_number = Some(SerialNumber::from_slice(&[0x7f; 20]));
        assert_eq!(refused(&issued(&p), serial), None);
        // 20 octets with the sign octet in front.
        p.serial_number = Some(SerialNumber::from_slice(&[0xff; 20]));
        assert_eq!(refused(&issued(&p), serial), None);
    }

    #[test]
    fn authority_information_access() {
        let mut p = leaf_params();
        p.custom_extensions = vec![custom(
            &[1, 3, 6, 1, 5, 5, 7, 1, 1],
            vec![0x30, 0x00],
            false,
        )];
        assert_eq!(refused(&issued(&p), leaf_checks), Some("cabf.aia"));
        // SEQUENCE { SEQUENCE { caIssuers, [6] "http://x/" } }
        let mut ad = vec![
            0x30, 0x13, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02,
        ];
        ad.extend([0x86, 0x07]);
        ad.extend(b"http:/x");
        let mut aia = vec![0x30, 0x15];
        aia.extend(ad);
        p.custom_extensions = vec![custom(&[1, 3, 6, 1, 5, 5, 7, 1, 1], aia, false)];
        assert_eq!(refused(&issued(&p), leaf_checks), None);
    }

    #[test]
    fn key_types_and_sizes() {
        assert_eq!(refused(&issued(&leaf_params()), key), None);
        let ed = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let der = leaf_params().self_signed(&ed).unwrap().der().to_vec();
        assert_eq!(refused(&der, key), None);
        // RSAPublicKey { n, e } with n of 2052 and 2048 bits.
        let rsa = |n: &[u8]| {
            let mut int = vec![0x02, 0x82];
            int.extend(u16::try_from(n.len()).unwrap().to_be_bytes());
            int.extend(n);
            let mut seq = vec![0x30, 0x82];
            seq.extend(u16::try_from(int.len() + 5).unwrap().to_be_bytes());
            seq.extend(int);
            seq.extend([0x02, 0x03, 0x01, 0x00, 0x01]);
            seq
        };
        let mut n = vec![0x0f];
        n.extend([0xff; 256]);
        assert_eq!(rsa_modulus_bits(&rsa(&n)), Some(2052));
        let mut n = vec![0x00];
        n.extend([0xff; 256]);
        assert_eq!(rsa_modulus_bits(&rsa(&n)), Some(2048));
        assert_eq!(rsa_modulus_bits(&[0x30, 0x00]), None);
    }

    #[test]
    fn ca_subject_key_usage_and_name_constraints() {
        let mut p = ca_params("ICA");
        p.distinguished_name = DistinguishedName::new();
        assert_eq!(refused(&issued(&p), ca_checks), Some("rfc5280.ca-subject"));
        let mut p = ca_params("ICA");
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        assert_eq!(
            refused(&issued(&p), ca_checks),
            Some("rfc5280.ca-keycertsign")
        );
        let mut p = ca_params("ICA");
        p.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![GeneralSubtree::DnsName(".example.com".into())],
            excluded_subtrees: vec![],
        });
        assert_eq!(
            refused(&issued(&p), ca_checks),
            Some("rfc5280.nc-dns-syntax")
        );
        p.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
            excluded_subtrees: vec![],
        });
        assert_eq!(refused(&issued(&p), ca_checks), None);
        p.name_constraints = None;
        p.custom_extensions = vec![custom(&[2, 5, 29, 30], vec![0x30, 0x00], true)];
        assert_eq!(refused(&issued(&p), ca_checks), Some("cabf.nc-empty"));
    }

    #[test]
    fn root_aki_and_eku() {
        let key = KeyPair::generate().unwrap();
        let mut root = ca_params("Root");
        root.use_authority_key_identifier_extension = true; // keyIdentifier = own SKI
        let der = root.self_signed(&key).unwrap().der().to_vec();
        assert_eq!(refused(&der, |c| anchor_checks(c, AT)), None);
        let mut root = ca_params("Root");
        root.custom_extensions = vec![custom(
            &[2, 5, 29, 35],
            vec![0x30, 0x03, 0x80, 0x01, 0x01],
            false,
        )];
        assert_eq!(
            refused(&self_signed(&root), root_aki),
            Some("cabf.root-aki")
        );
        // authorityCertSerialNumber only: no keyIdentifier.
        root.custom_extensions = vec![custom(
            &[2, 5, 29, 35],
            vec![0x30, 0x03, 0x82, 0x01, 0x01],
            false,
        )];
        assert_eq!(
            refused(&self_signed(&root), root_aki),
            Some("cabf.root-aki")
        );
        let mut root = ca_params("Root");
        root.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        assert_eq!(
            refused(&self_signed(&root), |c| anchor_checks(c, AT)),
            Some("cabf.root-eku")
        );
    }

    #[test]
    fn leaf_profile() {
        let mut p = leaf_params();
        p.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
            excluded_subtrees: vec![],
        });
        assert_eq!(
            refused(&issued(&p), leaf_checks),
            Some("rfc5280.ee-name-constraints")
        );
        let mut p = leaf_params();
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
        ];
        assert_eq!(
            refused(&issued(&p), leaf_checks),
            Some("rfc5280.ee-keycertsign")
        );
        let mut p = CertificateParams::new(vec!["foo_bar.example.com".to_string()]).unwrap();
        p.use_authority_key_identifier_extension = true;
        assert_eq!(
            refused(&issued(&p), leaf_checks),
            Some("rfc5280.dns-syntax")
        );
        let mut p = leaf_params();
        p.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::Any,
        ];
        assert_eq!(refused(&issued(&p), leaf_checks), Some("cabf.ee-eku"));
        let mut p = leaf_params();
        p.extended_key_usages = vec![];
        // SEQUENCE { serverAuth }
        let eku = vec![
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
        ];
        p.custom_extensions = vec![custom(&[2, 5, 29, 37], eku.clone(), true)];
        assert_eq!(refused(&issued(&p), leaf_checks), Some("cabf.ee-eku"));
        p.custom_extensions = vec![custom(&[2, 5, 29, 37], eku, false)];
        assert_eq!(refused(&issued(&p), leaf_checks), None);
        // No EKU at all is RFC 5280's "any purpose".
        p.custom_extensions = vec![];
        assert_eq!(refused(&issued(&p), leaf_checks), None);
    }

    #[test]
    fn san_criticality_follows_the_subject() {
        // rcgen marks the SAN critical exactly when the subject is empty.
        let mut p = leaf_params();
        p.distinguished_name = DistinguishedName::new();
        assert_eq!(refused(&issued(&p), san_critical), None);
        assert_eq!(refused(&issued(&leaf_params()), san_critical), None);
        // SEQUENCE { [2] "example.com" }
        let mut san = vec![0x30, 0x0d, 0x82, 0x0b];
        san.extend(b"example.com");
        let mut p = leaf_params();
        p.subject_alt_names = vec![];
        p.custom_extensions = vec![custom(&[2, 5, 29, 17], san.clone(), true)];
        assert_eq!(
            refused(&issued(&p), san_critical),
            Some("cabf.san-critical")
        );
        p.distinguished_name = DistinguishedName::new();
        p.custom_extensions = vec![custom(&[2, 5, 29, 17], san, false)];
        assert_eq!(
            refused(&issued(&p), san_critical),
            Some("rfc5280.san-critical")
        );
    }

    #[test]
    fn unreadable_certificates_are_refused() {
        assert_eq!(refused(&[0x30, 0x00], leaf_checks), Some("rfc5280.der"));
    }
}
