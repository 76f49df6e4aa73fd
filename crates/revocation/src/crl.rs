//! Certificate revocation lists (RFC 5280 section 5): parse, verify against the issuing
//! CA, judge freshness, look a serial up. Pure: the bytes come from elsewhere.

use crate::util::{self, Reason};
use bars_model::Certificate;
use std::fmt;
use x509_parser::revocation_list::CertificateRevocationList;

/// Why a CRL cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlError {
    /// Not a DER (or PEM) CRL.
    Malformed(String),
    /// The CRL was issued by someone else than the CA.
    WrongIssuer {
        /// The CRL's issuer, RFC 4514.
        crl_issuer: String,
        /// The CA's subject, RFC 4514.
        ca: String,
    },
    /// The CA's key does not verify the CRL's signature.
    BadSignature {
        /// The CA's subject.
        ca: String,
        /// Why (from the verifier).
        reason: String,
    },
    /// The CA's keyUsage does not allow it to sign CRLs.
    NotCrlSigner {
        /// The CA's subject.
        ca: String,
    },
    /// thisUpdate is after the time judged at.
    NotYetValid {
        /// thisUpdate, Unix seconds.
        this_update: i64,
    },
}

impl fmt::Display for CrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrlError::Malformed(why) => write!(f, "not a CRL ({why})"),
            CrlError::WrongIssuer { crl_issuer, ca } => write!(
                f,
                "the CRL was issued by {crl_issuer}, not by the certificate's issuer {ca}"
            ),
            CrlError::BadSignature { ca, reason } => {
                write!(
                    f,
                    "the CRL's signature does not verify with the key of {ca}"
                )?;
                if reason != "signature does not verify" {
                    write!(f, " ({reason})")?;
                }
                Ok(())
            }
            CrlError::NotCrlSigner { ca } => {
                write!(
                    f,
                    "{ca} is not allowed to sign CRLs (keyUsage lacks cRLSign)"
                )
            }
            CrlError::NotYetValid { this_update } => write!(
                f,
                "the CRL is not valid yet (thisUpdate {})",
                util::fmt_time(*this_update)
            ),
        }
    }
}

impl std::error::Error for CrlError {}

/// What a CRL says about one serial number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlStatus {
    /// Not listed.
    NotRevoked,
    /// Listed.
    Revoked {
        /// revocationDate, Unix seconds.
        at: i64,
        /// The entry's reasonCode extension, when present.
        reason: Option<Reason>,
    },
}

/// A CRL whose issuer and signature were checked against its CA.
#[derive(Clone, Debug)]
pub struct VerifiedCrl {
    /// thisUpdate, Unix seconds.
    pub this_update: i64,
    /// nextUpdate, Unix seconds (`None`: the CRL names none).
    pub next_update: Option<i64>,
    /// The issuer, RFC 4514.
    pub issuer: String,
    /// (serial without leading zeros, revocationDate, reason), in CRL order.
    entries: Vec<(Vec<u8>, i64, Option<Reason>)>,
}

/// The DER of a CRL given as DER or PEM (`-----BEGIN X509 CRL-----`).
pub(crate) fn crl_der(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, CrlError> {
    match bars_model::pem_first(bytes, &["X509 CRL"]) {
        Ok(Some(der)) => Ok(std::borrow::Cow::Owned(der)),
        Ok(None) => Ok(std::borrow::Cow::Borrowed(bytes)),
        Err(why) => Err(CrlError::Malformed(format!("PEM: {why}"))),
    }
}

fn parse(der: &[u8]) -> Result<CertificateRevocationList<'_>, CrlError> {
    let (rest, crl) = x509_parser::parse_x509_crl(der).map_err(|e| {
        let looks_html = if bars_model::looks_like_html(der) {
            " (the body looks like an HTML page)"
        } else {
            ""
        };
        CrlError::Malformed(format!("{e}{looks_html}"))
    })?;
    if !rest.is_empty() {
        return Err(CrlError::Malformed(format!(
            "{} bytes of trailing data",
            rest.len()
        )));
    }
    Ok(crl)
}

/// nextUpdate of a CRL without verifying it (the cache's freshness test).
pub(crate) fn next_update_unverified(bytes: &[u8]) -> Option<i64> {
    let der = crl_der(bytes).ok()?;
    let crl = parse(&der).ok()?;
    crl.next_update().map(|t| t.timestamp())
}

impl VerifiedCrl {
    /// Parses `bytes` (DER or PEM) and checks that `ca` issued them: the CRL's issuer
    /// name equals the CA's subject (DER), the CA may sign CRLs (keyUsage cRLSign when
    /// the CA has a keyUsage), and the CA's key verifies the signature (legacy SHA-1 and
    /// RSA-1024 included).
    pub fn verify(bytes: &[u8], ca: &Certificate) -> Result<VerifiedCrl, CrlError> {
        let der = crl_der(bytes)?;
        let crl = parse(&der)?;
        let ca_subject = util::subject(ca).to_string();
        let issuer = bars_model::dn_to_rfc4514(crl.issuer());
        if crl.issuer().as_raw() != ca.subject_der() {
            return Err(CrlError::WrongIssuer {
                crl_issuer: issuer,
                ca: ca_subject,
            });
        }
        let ku = &ca.summary().key_usage;
        if !ku.is_empty() && !ku.iter().any(|k| k == "cRLSign") {
            return Err(CrlError::NotCrlSigner { ca: ca_subject });
        }
        let parts = util::signed_parts(&der).map_err(|e| CrlError::Malformed(e.to_string()))?;
        bars_model::verify_signature(ca.spki_der(), parts.algorithm, parts.tbs, parts.signature)
            .map_err(|e| CrlError::BadSignature {
                ca: ca_subject,
                reason: e.to_string(),
            })?;
        let entries = crl
            .iter_revoked_certificates()
            .map(|r| {
                (
                    util::trim_serial(r.raw_serial()).to_vec(),
                    r.revocation_date.timestamp(),
                    r.reason_code().map(|(_, code)| Reason(code.0)),
                )
            })
            .collect();
        Ok(VerifiedCrl {
            this_update: crl.last_update().timestamp(),
            next_update: crl.next_update().map(|t| t.timestamp()),
            issuer,
            entries,
        })
    }

    /// `Err(NotYetValid)` when thisUpdate is after `at` (five minutes of clock skew allowed).
    pub fn check_time(&self, at: i64) -> Result<(), CrlError> {
        if self.this_update > at.saturating_add(300) {
            return Err(CrlError::NotYetValid {
                this_update: self.this_update,
            });
        }
        Ok(())
    }

    /// True when nextUpdate has passed at `at`.
    pub fn is_stale(&self, at: i64) -> bool {
        self.next_update.is_some_and(|n| n < at)
    }

    /// What the CRL says about `cert`'s serial number.
    pub fn status_of(&self, cert: &Certificate) -> CrlStatus {
        self.status(&util::serial(cert))
    }

    /// What the CRL says about this serial (INTEGER content octets).
    pub fn status(&self, serial: &[u8]) -> CrlStatus {
        let serial = util::trim_serial(serial);
        self.entries
            .iter()
            .find(|(s, _, _)| s.as_slice() == serial)
            .map(|(_, at, reason)| CrlStatus::Revoked {
                at: *at,
                reason: *reason,
            })
            .unwrap_or(CrlStatus::NotRevoked)
    }

    /// How many entries the CRL lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the CRL lists nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_testsupport::ca::{cert, Ca};

    #[test]
    fn openssl_crl_revokes_with_reason_and_date() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root(dir.path(), "ca", "CRL Test CA");
        let good = ca.issue("good", "good.example", "");
        let bad = ca.issue("bad", "bad.example", "");
        ca.revoke(&bad, "keyCompromise");
        let crl = std::fs::read(ca.gencrl("ca.crl", None)).unwrap();
        let ca_cert = cert(&ca.cert);
        let v = VerifiedCrl::verify(&crl, &ca_cert).unwrap();
        assert_eq!(v.len(), 1);
        assert!(!v.is_stale(util::wall_clock()));
        v.check_time(util::wall_clock()).unwrap();
        assert_eq!(v.status_of(&cert(&good)), CrlStatus::NotRevoked);
        match v.status_of(&cert(&bad)) {
            CrlStatus::Revoked { at, reason } => {
                assert_eq!(reason, Some(Reason(1)));
                assert!((at - util::wall_clock()).abs() < 600, "{at}");
            }
            other => panic!("{other:?}"),
        }
        // PEM is read too.
        let pem = std::fs::read(ca.gencrl_pem("ca.crl.pem")).unwrap();
        assert_eq!(VerifiedCrl::verify(&pem, &ca_cert).unwrap().len(), 1);
    }

    #[test]
    fn stale_wrong_key_wrong_issuer_and_junk_are_told_apart() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root(dir.path(), "ca", "CRL Test CA");
        let ca_cert = cert(&ca.cert);
        let stale =
            std::fs::read(ca.gencrl("stale.crl", Some(("20200101000000Z", "20200201000000Z"))))
                .unwrap();
        let v = VerifiedCrl::verify(&stale, &ca_cert).unwrap();
        assert!(v.is_stale(util::wall_clock()));
        assert!(!v.is_stale(1_579_000_000));
        assert_eq!(v.next_update, Some(1_580_515_200));
        assert!(matches!(
            v.check_time(1_500_000_000),
            Err(CrlError::NotYetValid { .. })
        ));

        // Same name, another key: the signature must not verify.
        let twin = Ca::root(dir.path(), "twin", "CRL Test CA");
        let forged = std::fs::read(twin.gencrl("forged.crl", None)).unwrap();
        let e = VerifiedCrl::verify(&forged, &ca_cert).unwrap_err();
        assert!(matches!(e, CrlError::BadSignature { .. }), "{e}");
        assert!(e.to_string().contains("does not verify"), "{e}");

        let other = Ca::root(dir.path(), "other", "Another CA");
        let theirs = std::fs::read(other.gencrl("other.crl", None)).unwrap();
        let e = VerifiedCrl::verify(&theirs, &ca_cert).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the CRL was issued by CN=Another CA, not by the certificate's issuer CN=CRL Test CA"
        );

        let e = VerifiedCrl::verify(b"<html>Sign in</html>", &ca_cert).unwrap_err();
        assert!(matches!(e, CrlError::Malformed(_)), "{e}");
        assert!(e.to_string().contains("HTML"), "{e}");
        assert!(next_update_unverified(&stale).is_some());
        assert!(next_update_unverified(b"junk").is_none());
    }

    #[test]
    fn a_ca_without_crl_sign_is_refused() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root_with(
            dir.path(),
            "nocrl",
            "No CRL Sign CA",
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n",
        );
        let crl = std::fs::read(ca.gencrl("ca.crl", None)).unwrap();
        let e = VerifiedCrl::verify(&crl, &cert(&ca.cert)).unwrap_err();
        assert!(matches!(e, CrlError::NotCrlSigner { .. }), "{e}");
    }
}
