//! Who issued whom inside one bundle: matched by name and key id, signature verified.

use bars_model::Certificate;

/// How a certificate links to its issuer inside the same bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// Subject and issuer are the same name and the certificate's own key verifies it.
    SelfSigned,
    /// Subject and issuer are the same name but the self-signature does not verify.
    SelfIssuedBadSignature(String),
    /// Issued by the certificate at this index; `Ok(())` when the signature verified.
    IssuedBy(usize, Result<(), String>),
    /// The issuer is not in the bundle.
    IssuerAbsent,
}

/// For each certificate, its link to an issuer within `certs`.
///
/// A candidate issuer must have the child's issuer name as its subject (DER bytes
/// compared exactly); when both carry key identifiers they must agree. Among several
/// candidates the one whose signature verifies wins.
pub fn links(certs: &[&Certificate]) -> Vec<Link> {
    certs
        .iter()
        .enumerate()
        .map(|(i, child)| link_one(i, child, certs))
        .collect()
}

fn link_one(i: usize, child: &Certificate, certs: &[&Certificate]) -> Link {
    if child.subject_der() == child.issuer_der() {
        return match child.verify_issued_by(child) {
            Ok(()) => Link::SelfSigned,
            Err(e) => {
                // A self-issued certificate might still be issued by another key with the
                // same name (key rollover); prefer such a parent when one verifies.
                match best_parent(i, child, certs) {
                    Some(Link::IssuedBy(p, Ok(()))) => Link::IssuedBy(p, Ok(())),
                    _ => Link::SelfIssuedBadSignature(e.to_string()),
                }
            }
        };
    }
    best_parent(i, child, certs).unwrap_or(Link::IssuerAbsent)
}

fn best_parent(i: usize, child: &Certificate, certs: &[&Certificate]) -> Option<Link> {
    let aki = child.summary().authority_key_id.as_deref();
    let mut fallback = None;
    for (j, parent) in certs.iter().enumerate() {
        if j == i || parent.subject_der() != child.issuer_der() {
            continue;
        }
        if let (Some(aki), Some(ski)) = (aki, parent.summary().subject_key_id.as_deref()) {
            if aki != ski {
                continue;
            }
        }
        match child.verify_issued_by(parent) {
            Ok(()) => return Some(Link::IssuedBy(j, Ok(()))),
            Err(e) => {
                fallback.get_or_insert(Link::IssuedBy(j, Err(e.to_string())));
            }
        }
    }
    fallback
}
