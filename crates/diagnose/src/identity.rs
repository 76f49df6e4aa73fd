//! The client certificate a probe presents (`--client-cert/--client-key`, `--pfx` or
//! `--keystore`: a PKCS#12 file or a Java keystore's private-key entry), as the BaRS
//! proxy does: the key must belong to one of the certificates given.

use crate::DiagnoseError;
use bars_model::{Certificate, Item, Parsed, PrivateKey, ReadErrorKind};

/// Whether reading the identity's files failed for want of the right password (a wrong
/// or missing PKCS#12 or keystore password, a key entry or key its password did not
/// open): a refusal before connecting (exit 1), not an unreadable input (exit 2).
pub fn password_refused(parsed: &[(String, Parsed)]) -> bool {
    parsed.iter().flat_map(|(_, p)| &p.errors).any(|e| {
        matches!(
            e.kind,
            ReadErrorKind::BadPassword { .. } | ReadErrorKind::NeedPassword { .. }
        )
    })
}
use bars_net::ClientIdentity;

/// The identity in `items` (read from the files `what` names): the certificate whose
/// public key the (first) private key holds, then the other certificates as its chain.
pub fn client_identity(
    items: Vec<Item>,
    what: &'static str,
) -> Result<ClientIdentity, DiagnoseError> {
    let err = |why: String| DiagnoseError::Identity { what, why };
    let mut certs: Vec<Certificate> = Vec::new();
    let mut keys: Vec<PrivateKey> = Vec::new();
    for item in items {
        match item {
            Item::Certificate(c) => certs.push(c),
            Item::Key(k) => keys.push(k),
            Item::Pfx(x) => {
                certs.extend(x.certificates);
                keys.extend(x.keys);
            }
            Item::Csr(_) => {}
        }
    }
    let key = keys
        .into_iter()
        .next()
        .ok_or_else(|| err("no private key found".into()))?;
    let pkcs8 = key.pkcs8_der().map(<[u8]>::to_vec).ok_or_else(|| {
        err("the private key is encrypted; give --password-env or --password-file".into())
    })?;
    let key_id = key.summary.public_key_sha256.clone();
    let leaf_pos = certs
        .iter()
        .position(|c| Some(&c.summary().public_key_sha256) == key_id.as_ref())
        .ok_or_else(|| {
            err(format!(
                "the private key does not belong to any certificate given ({} certificate{})",
                certs.len(),
                if certs.len() == 1 { "" } else { "s" }
            ))
        })?;
    let leaf = certs.remove(leaf_pos);
    let mut chain = vec![leaf.der().to_vec()];
    for c in certs {
        if !chain.iter().any(|d| d.as_slice() == c.der()) {
            chain.push(c.der().to_vec());
        }
    }
    Ok(ClientIdentity {
        chain,
        key_pkcs8: pkcs8,
    })
}
