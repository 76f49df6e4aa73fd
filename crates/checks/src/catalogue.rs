//! Every finding the tool can raise: stable id, default severity, title, long
//! explanation (for `explain`) and fix. Ids are never renamed.

use crate::{Finding, Severity};

/// One kind of finding. A [`Finding`] carries its kind: compare kinds with
/// [`Finding::is`] or [`CheckInfo::family`], never ids as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckInfo {
    /// Stable id, `family.name`.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// The long form `explain ID` prints.
    pub explanation: &'static str,
    /// What to do about it.
    pub fix: &'static str,
}

/// The family of a finding kind: the part of its id before the dot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// `cert.*`: one certificate.
    Cert,
    /// `chain.*`: path building.
    Chain,
    /// `csr.*`: certificate signing requests.
    Csr,
    /// `input.*`: the inputs themselves.
    Input,
    /// `key.*`: private keys.
    Key,
    /// `name.*`: names and the BaRS naming rules.
    Name,
    /// `pfx.*`: PKCS#12 files.
    Pfx,
    /// `revocation.*`: CRL and OCSP.
    Revocation,
    /// `tls.*`: what a probe saw of the TLS layer.
    Tls,
    /// `trust.*`: a Receiver's client-CA file.
    Trust,
}

impl CheckInfo {
    /// The family (`chain`, `cert`, …) of this kind.
    pub fn family(&self) -> Family {
        match self.id.split('.').next().unwrap_or_default() {
            "chain" => Family::Chain,
            "csr" => Family::Csr,
            "input" => Family::Input,
            "key" => Family::Key,
            "name" => Family::Name,
            "pfx" => Family::Pfx,
            "revocation" => Family::Revocation,
            "tls" => Family::Tls,
            "trust" => Family::Trust,
            _ => Family::Cert,
        }
    }

    /// The id without its family (`incomplete` for `chain.incomplete`).
    pub fn short_name(&self) -> &'static str {
        self.id.split_once('.').map_or(self.id, |(_, n)| n)
    }

    /// True when `self` and `other` are the same kind.
    pub fn same_kind(&self, other: &CheckInfo) -> bool {
        self.id == other.id
    }

    /// A finding of this kind, about certificate `certificate` (an index into the
    /// analysis's certificate list) with `detail` naming the values involved.
    pub fn finding(
        &'static self,
        certificate: Option<usize>,
        detail: impl Into<String>,
    ) -> Finding {
        Finding {
            kind: self,
            severity: self.severity,
            title: self.title.to_string(),
            detail: detail.into(),
            fix: self.fix.to_string(),
            certificate,
            file: None,
        }
    }

    /// A finding of this kind about the input file `file` (not a certificate).
    pub fn finding_for_file(&'static self, file: &str, detail: impl Into<String>) -> Finding {
        Finding {
            file: Some(file.to_string()),
            ..self.finding(None, detail)
        }
    }
}

macro_rules! check {
    ($name:ident, $id:literal, $sev:ident, $title:literal, $expl:literal, $fix:literal) => {
        #[doc = concat!("`", $id, "`: ", $title)]
        pub const $name: CheckInfo = CheckInfo {
            id: $id,
            severity: Severity::$sev,
            title: $title,
            explanation: $expl,
            fix: $fix,
        };
    };
}

/// Chain (path building) findings.
pub mod chain {
    use super::CheckInfo;
    use crate::Severity;
    check!(INCOMPLETE, "chain.incomplete", Error,
        "The certificates given do not link the leaf to the environment's root",
        "A server (or a file bundle) must present its own certificate followed by every intermediate CA certificate up to, but not necessarily including, the root. Here the issuer of a certificate in the path was not among the certificates given. Clients such as the BaRS proxy do not fetch missing intermediates, so the TLS handshake fails with 'unable to get local issuer certificate'. This is reported even when bars-certcheck itself knows the missing certificate (embedded NHS CA, --ca or fetched): the finding names it so that you can add it.",
        "Append the missing intermediate (named in the detail) after the leaf in the certificate file or PFX the server uses, e.g. `cat leaf.pem NHSINTAuthG2.pem > chain.pem`, and reload the server.");
    check!(ORDER, "chain.order", Error,
        "Certificates are not in leaf-to-issuer order",
        "TLS (RFC 8446 section 4.4.2 and RFC 5246) expects the sender's certificate first, each following certificate certifying the one before it. Some clients tolerate any order; others (including older Java and OpenSSL-based stacks) fail.",
        "Rewrite the file so that the leaf comes first, then its issuing sub-CA, then (optionally) the root.");
    check!(ROOT_SENT, "chain.root-sent", Info,
        "The root certificate was sent",
        "The trust anchor (root) is already held by the client; sending it is harmless but wastes bytes on every handshake.",
        "Optionally remove the self-signed root from the chain file.");
    check!(UNRELATED, "chain.unrelated", Warning,
        "A certificate in the bundle belongs to no path",
        "A certificate was given (sent or in a file) that neither is a leaf nor helps link any leaf to a root. It is usually a stale intermediate left from an earlier generation or another environment.",
        "Remove the certificate named in the detail from the bundle.");
    check!(UNTRUSTED, "chain.untrusted", Error,
        "The path ends at a root that is not the environment's",
        "Following the issuers from the leaf ends at a self-signed root (or a look-alike CA whose signature does not verify) that is not one of the environment's trust anchors: the NHS PTL root for INT, the NHS root for PROD, the Mozilla roots for public. The BaRS proxy will reject the certificate.",
        "Obtain a certificate issued by the environment's NHS sub-CA (INT: NHS INT Authentication G2; PROD: NHS Authentication G2) through the NHS onboarding process, or pass the right CA with --ca if you are testing a private hierarchy.");
    check!(WRONG_ENV, "chain.wrong-env", Error,
        "Issued by another NHS environment's CA",
        "INT and PROD use different NHS CA chains, and the DEP, DEV, training and OpenTest CAs are for other NHS services altogether. A certificate issued by another environment's sub-CA is never accepted by this environment's proxy or Receivers.",
        "Request a certificate from the CA of the environment you are onboarding to (INT: NHS INT Authentication G2; PROD: NHS Authentication G2), using a CSR whose CN is the BaRS FQDN for that environment.");
    check!(LEGACY, "chain.legacy", Warning,
        "The path runs through a retired legacy (Level 1C) CA",
        "The first-generation NHS CAs (NHS INT Level 1C, NHS Level 1C and their roots) are retired: Spine stopped issuing from and accepting them in May 2024. Certificates from them must be replaced by ones from the G2 successor.",
        "Request a new certificate from the G2 sub-CA named in the detail and replace the legacy chain.");
    check!(BAD_SIGNATURE, "chain.bad-signature", Error,
        "A signature in the path does not verify",
        "A certificate names an issuer whose public key does not verify its signature. Either the issuer certificate is a look-alike (same name, different key), or the certificate was damaged or tampered with.",
        "Use the genuine issuing CA certificate (check its SHA-256 against the published one with `bars-certcheck ca list`), or obtain a new certificate.");
    check!(NOT_CA, "chain.not-ca", Error,
        "A certificate that issues another one in the path is not a CA",
        "Only a CA certificate may sign other certificates: a version 3 certificate with basicConstraints cA TRUE, and, when it has a keyUsage extension, with keyCertSign in it (RFC 5280 4.2.1.3 and 4.2.1.9). Every TLS client refuses a path in which an end-entity certificate (or a CA whose keyUsage forbids certificate signing) issued the next certificate; openssl reports 'invalid CA certificate' (error 79/24).",
        "Use the genuine issuing CA certificate of the environment as the intermediate: a server certificate cannot sign another certificate. Get the leaf issued by the environment's CA.");
    check!(PATH_LENGTH, "chain.path-length", Error,
        "A CA's path length constraint is exceeded",
        "A CA's basicConstraints pathLenConstraint limits how many intermediate CAs may follow it in a path (self-issued certificates are not counted, RFC 5280 6.1.4). Here more CAs stand below it than it allows, so every TLS client refuses the path ('path length constraint exceeded').",
        "Have the certificate issued directly by a CA that is allowed to issue it (the environment's issuing sub-CA), not by a CA below one whose path length is exhausted.");
    check!(NAME_CONSTRAINTS, "chain.name-constraints", Error,
        "A name of the leaf is outside a CA's name constraints",
        "A CA with a nameConstraints extension may only certify names inside its permitted subtrees and never names in its excluded subtrees (RFC 5280 4.2.1.10). A leaf whose SAN (or the CN, when it is the name used) breaks the constraint is refused by TLS clients.",
        "Request the certificate for a name the issuing CA is permitted to certify, or from a CA whose constraints allow the name.");
}

/// Per-certificate findings.
pub mod cert {
    use super::CheckInfo;
    use crate::Severity;
    check!(EXPIRED, "cert.expired", Error,
        "A certificate in the path has expired",
        "Its notAfter date is in the past. Every TLS client rejects an expired certificate anywhere in the path.",
        "Renew the certificate named in the detail (for an NHS certificate: new CSR, new request) and deploy it with its current chain.");
    check!(NOT_YET_VALID, "cert.not-yet-valid", Error,
        "A certificate in the path is not valid yet",
        "Its notBefore date is in the future. Either the certificate was just issued with a future start date or a clock is wrong.",
        "Check the system clocks; wait until the start date or reissue.");
    check!(
        EXPIRING_SOON,
        "cert.expiring-soon",
        Warning,
        "A certificate in the path expires soon",
        "Its notAfter date falls within the warning window (--warn-days, default 30).",
        "Plan the renewal now: NHS certificate requests take time to be processed."
    );
    check!(WEAK_KEY, "cert.weak-key", Error,
        "Weak public key",
        "RSA keys below 2048 bits, DSA keys and EC keys on curves other than P-256, P-384 and P-521 are refused by current TLS stacks and by the NHS PKI.",
        "Generate a new RSA key of at least 2048 bits (`bars-certcheck csr new --fqdn FQDN`, FQDN being the endpoint's name), make a new CSR and request a new certificate.");
    check!(
        WEAK_SIGNATURE,
        "cert.weak-signature",
        Error,
        "Weak signature algorithm (SHA-1 or MD5)",
        "SHA-1, MD5 and MD2 signatures can be forged and are refused by current TLS stacks.",
        "Obtain a certificate signed with SHA-256 or stronger."
    );
    check!(EKU, "cert.eku", Error,
        "The certificate lacks the required extended key usage",
        "A TLS server certificate needs serverAuth, a client certificate needs clientAuth, in its extendedKeyUsage extension (when the extension is present). BaRS endpoint certificates from the NHS carry both.",
        "Request a certificate with the right usage (NHS endpoint certificates have serverAuth and clientAuth).");
    check!(SELF_SIGNED, "cert.self-signed", Error,
        "The leaf certificate is self-signed",
        "A self-signed certificate is its own issuer: no environment trusts it. The BaRS proxy only accepts certificates issued by the NHS CA of its environment.",
        "Make a CSR (`bars-certcheck csr new --fqdn FQDN`) and request a certificate from the NHS CA for your environment.");
    check!(CRITICAL_EXTENSION, "cert.critical-extension", Error,
        "A certificate marks as critical an extension that is not processed",
        "RFC 5280 4.2: a certificate-using system must reject a certificate that holds a critical extension it does not recognise. TLS clients (webpki, browsers, openssl: 'unhandled critical extension') refuse such a certificate anywhere in the path, trust anchor included.",
        "Obtain a certificate without the critical extension named in the detail (or with it marked non-critical); it is not a TLS certificate as issued.");
    check!(KEY_USAGE, "cert.key-usage", Error,
        "The leaf's keyUsage does not allow a TLS key",
        "A TLS server or client certificate signs the handshake with its key, so its keyUsage (when present) must include digitalSignature; and keyCertSign is only for CA certificates (RFC 5280 4.2.1.3, 4.2.1.9). A certificate made for another purpose (document signing: nonRepudiation) is not a TLS certificate.",
        "Request a TLS endpoint certificate (keyUsage digitalSignature, keyEncipherment; extendedKeyUsage serverAuth, clientAuth) through the environment's onboarding process.");
    check!(MALFORMED, "cert.malformed", Error,
        "A certificate breaks a certificate profile rule",
        "The certificate breaks a rule of the X.509 profile (RFC 5280, CA/Browser Forum) that TLS clients enforce or that bars-certcheck applies on top of them: a missing or critical authority/subject key identifier, malformed name constraints or authority information access, a SAN that is not a valid DNS name, an RSA modulus that is not a whole number of octets, a duplicate extension, a version 1 certificate or a bad encoding. The detail names the rule.",
        "Have the CA reissue the certificate: it was made by software that does not follow the profile. Nothing in the server configuration can repair it.");
    check!(CA_AS_LEAF, "cert.ca-as-leaf", Error,
        "The leaf is a CA certificate",
        "The end-entity certificate has basicConstraints cA TRUE. TLS clients refuse a CA certificate as the server's or client's own certificate (webpki: CaUsedAsEndEntity). It usually means a CA certificate was configured as the endpoint certificate, or a test certificate was made with CA extensions.",
        "Configure the endpoint's own certificate (the one issued for its FQDN, basicConstraints CA:FALSE), not a CA certificate.");
}

/// Name findings.
pub mod name {
    use super::CheckInfo;
    use crate::Severity;
    check!(NOT_NHS_UK, "name.not-nhs-uk", Error,
        "The name is not under nhs.uk",
        "BaRS endpoint FQDNs must be under nhs.uk: `BaRS-INT-<ODS>.<Supplier>.thirdparty.nhs.uk` in INT, the same or `BaRS-PROD-<ODS>.<Provider>.nhs.uk` in PROD.",
        "Use a BaRS FQDN under nhs.uk as the CN and request a new certificate.");
    check!(FQDN_FORMAT, "name.fqdn-format", Warning,
        "The name is not of the BaRS shape for the environment",
        "An nhs.uk name that does not follow the BaRS naming rules for the environment (prefix, ODS code, supplier or provider label).",
        "Use the BaRS FQDN shape given in the detail for the CN.");
    check!(CN_SAN_MISMATCH, "name.cn-san-mismatch", Error,
        "The SAN does not match the CN",
        "When a certificate has a subjectAltName, clients ignore the CN; a SAN that lacks the CN, or names something else, means the endpoint name is not what the NHS registered.",
        "Request a certificate whose SAN (if any) holds exactly the CN, the BaRS FQDN.");
    check!(NO_SAN, "name.no-san", Info,
        "No subjectAltName: the name is only in the CN",
        "The certificate has no SAN extension, so its name is taken from the CN. This is how every real NHS endpoint certificate is issued; most clients accept it, some strict ones do not.",
        "Nothing to do for NHS-issued certificates.");
    check!(HOST_MISMATCH, "name.host-mismatch", Error,
        "The certificate does not cover the host name",
        "The name the client connects to (--expect-fqdn, the SNI name or the host) is not covered by the certificate's SAN (or CN when there is no SAN). The handshake fails with a host name mismatch.",
        "Serve the certificate issued for this FQDN on this endpoint, or connect with the right name.");
    check!(ENV_MISMATCH, "name.env-mismatch", Error,
        "The name's environment differs from the chain's",
        "A `BaRS-INT-...` name on a certificate from the PROD chain (or the reverse) will never be accepted: each environment's proxy only trusts its own CA and calls its own names.",
        "Request the certificate from the CA of the environment the name is for.");
}

/// CSR findings.
pub mod csr {
    use super::CheckInfo;
    use crate::Severity;
    check!(EXTRA_FIELDS, "csr.extra-fields", Error,
        "The CSR subject holds more than the CN",
        "The NHS requires the CSR subject to hold only the CN (the endpoint FQDN): no O, OU, L, C or other fields.",
        "Make the CSR again with only the CN: `bars-certcheck csr new --fqdn FQDN` (or `-subj \"/CN=<FQDN>\"`).");
    check!(
        EMAIL,
        "csr.email",
        Error,
        "The CSR holds an email address",
        "The email field of a BaRS CSR must be blank.",
        "Make the CSR again without an email address."
    );
    check!(BAD_SIGNATURE, "csr.bad-signature", Error,
        "The CSR's self-signature does not verify",
        "A CSR is signed by its own private key; a signature that does not verify means it is damaged or was altered.",
        "Make the CSR again from the private key.");
    check!(CERT_MISMATCH, "csr.cert-mismatch", Error,
        "The certificate does not answer the CSR",
        "The issued certificate holds another public key or another CN than the CSR: it was issued for a different request.",
        "Check that you have the certificate issued for this CSR; if not, send the right CSR again.");
}

/// Input findings: what could not be used.
pub mod input {
    use super::CheckInfo;
    use crate::Severity;
    check!(UNREADABLE, "input.unreadable", Error,
        "An input could not be read",
        "A file (or part of it, such as one PEM block) could not be read as a certificate, chain, CSR, key or PFX, so nothing in it was checked. The other inputs were still checked; the verdict is fail because something given was not judged.",
        "Check the file named in the detail: the right file, complete (not truncated), in PEM, DER, PKCS#7 or PKCS#12 (`bars-certcheck inspect FILE` shows what it holds).");
    check!(CA_ONLY, "input.ca-only", Info,
        "The input holds only CA certificates",
        "No end-entity certificate was given: every certificate is a CA. Each CA is checked as a CA (validity, key, signature, its path to a root), but there is no leaf whose chain or names could be judged.",
        "To check an endpoint, give its own certificate (the leaf) too, e.g. `bars-certcheck check server.cer chain.pem`.");
}

/// Private-key findings.
pub mod key {
    use super::CheckInfo;
    use crate::Severity;
    check!(LOCKED, "key.locked", Warning,
        "An encrypted private key could not be opened",
        "The private key is encrypted and no password (or a wrong one) was given, so it could not be matched to its certificate or CSR.",
        "Give the key's password with --password-env VAR or --password-file FILE (or run on a terminal to be prompted).");
    check!(UNENCRYPTED, "key.unencrypted", Info,
        "A private key file is stored without encryption",
        "Anyone who can read the file has the key. That is normal for a key a server loads at start-up, but the file must then be readable only by the server's account.",
        "Keep the file readable by its owner only (`chmod 600 FILE`) on the server that uses it, or make keys encrypted from the start with `bars-certcheck csr new --fqdn FQDN --encrypt-key --password-env KEY_PASSWORD`.");
    check!(MISMATCH, "key.mismatch", Error,
        "The private key does not belong to the certificate or CSR",
        "The public key derived from the private key differs from the one in the certificate (or CSR). A server configured with them cannot complete a handshake.",
        "Find the key the CSR was made from (compare `public_key_sha256` with `bars-certcheck match cert.pem request.csr private.key`), or make a new key and CSR.");
}

/// PKCS#12 findings.
pub mod pfx {
    use super::CheckInfo;
    use crate::Severity;
    check!(NO_CHAIN, "pfx.no-chain", Warning,
        "The PFX holds only the leaf, not its intermediates",
        "A server serving from this PFX will send the leaf alone unless the chain is configured elsewhere, and clients will fail with an incomplete chain.",
        "Rebuild it with the chain: `bars-certcheck pfx build --key key.pem --cert cert.pem --chain chain.pem --out bundle.pfx --password-env PFX_PASSWORD` (the pfx extract command takes the key and certificate out of the old file; for an NHS certificate the sub-CA is added without --chain).");
    check!(BAD_PASSWORD, "pfx.bad-password", Error,
        "The PFX cannot be opened",
        "The password given does not open the PKCS#12 file (or it is damaged), so nothing in it could be checked.",
        "Give the right password with --password-env or --password-file.");
    check!(LEGACY, "pfx.legacy", Info,
        "The PFX uses legacy encryption",
        "The PKCS#12 file is protected with legacy algorithms (RC2-40, 3DES, a SHA-1 MAC). Old Windows and .NET stacks need them; OpenSSL 3 opens such a file only with `-legacy`, and the encryption is weak.",
        "Unless an old Windows or .NET server needs it, rebuild the PFX with current encryption (AES-256, PBKDF2): `bars-certcheck pfx build --cert cert.pem --key key.pem --out bundle.pfx --password-env PFX_PASSWORD` writes that by default.");
}

/// TLS findings (raised by the probe).
pub mod tls {
    use super::CheckInfo;
    use crate::Severity;
    check!(NO_CLIENT_AUTH, "tls.no-client-auth", Error,
        "The server does not request a client certificate",
        "A BaRS Receiver must authenticate the proxy with TLS mutual authentication: the server must request (and require) a client certificate.",
        "Enable client certificate verification on the server, trusting only your environment's NHS CA.");
    check!(CLIENT_CA_HINTS, "tls.client-ca-hints", Warning,
        "The advertised client CA names omit the environment's CA",
        "The CertificateRequest lists the CAs the server accepts client certificates from; it does not list the NHS CA of this environment, so the proxy's certificate is probably not trusted.",
        "Configure the server's client-CA file with the environment's NHS CA (`bars-certcheck trust lint client-ca.pem --env int`, or --env prod).");
    check!(ACCEPTS_ANONYMOUS, "tls.accepts-anonymous", Error,
        "The server accepts clients without a certificate",
        "With --mtls-audit the tool connected without a client certificate and the server accepted the request.",
        "Require client certificates (e.g. nginx `ssl_verify_client on`).");
    check!(ACCEPTS_FOREIGN_CLIENT, "tls.accepts-foreign-client", Error,
        "The server accepts a client certificate from a foreign CA",
        "With --mtls-audit the tool presented a throwaway self-signed certificate and the server accepted the request.",
        "Trust only your environment's NHS CA for client certificates.");
    check!(
        OLD_PROTOCOL,
        "tls.old-protocol",
        Error,
        "TLS below 1.2 was negotiated",
        "TLS 1.0 and 1.1 are deprecated (RFC 8996).",
        "Enable TLS 1.2 and 1.3 only."
    );
    check!(HANDSHAKE_FAILED, "tls.handshake-failed", Warning,
        "The handshake failed after the chain was received",
        "The server sent its certificates, then the handshake failed; the detail says why (for example a key too weak for TLS 1.3).",
        "Fix the cause named in the detail.");
}

/// Client-CA (trust store) findings.
pub mod trust {
    use super::CheckInfo;
    use crate::Severity;
    check!(
        MISSING_ENV_CA,
        "trust.missing-env-ca",
        Error,
        "The client-CA file lacks its environment's CA",
        "A Receiver must trust its environment's NHS CA to accept the proxy's client certificate.",
        "Write the environment's G2 issuing sub-CA and its G2 root to a new file and point the server at it: `bars-certcheck ca export --env int --with-root --out bars-int-client-ca.pem` (PROD: `bars-certcheck ca export --env prod --with-root --out bars-prod-client-ca.pem`)."
    );
    check!(
        OTHER_ENV,
        "trust.other-env",
        Error,
        "The client-CA file holds the other environment's CA",
        "A Receiver must accept only its own environment's client certificates.",
        "Remove the other environment's CA from the file."
    );
    check!(TOO_BROAD, "trust.too-broad", Warning,
        "The client-CA file trusts more than its environment",
        "Trusting a root that also anchors other NHS environments (the legacy PTL root) or public roots lets certificates from outside the environment in.",
        "Trust only the environment's G2 issuing sub-CA and its G2 root (INT: NHS INT Authentication G2 and NHS PTL Root Authority G2; PROD: NHS Authentication G2 and NHS Root Authority G2): `bars-certcheck ca export --env int --with-root --out bars-int-client-ca.pem` writes them.");
    check!(
        EXPIRED,
        "trust.expired",
        Warning,
        "The client-CA file holds an expired CA",
        "An expired CA certificate is useless and may hide a missing current one.",
        "Remove it and make sure the current CA is present."
    );
    check!(
        LEGACY,
        "trust.legacy",
        Warning,
        "The client-CA file holds a retired legacy CA",
        "The Level 1C CAs are retired: Spine stopped accepting them in May 2024.",
        "Replace it with the G2 successor."
    );
}

/// Revocation findings (only with --revocation).
pub mod revocation {
    use super::CheckInfo;
    use crate::Severity;
    check!(
        REVOKED,
        "revocation.revoked",
        Error,
        "A certificate in the path is revoked",
        "A CRL or OCSP response from the issuing CA says the certificate is revoked.",
        "Obtain and deploy a new certificate."
    );
    check!(
        UNKNOWN,
        "revocation.unknown",
        Warning,
        "The OCSP responder does not know the certificate",
        "The responder answered 'unknown' for the certificate.",
        "Check that the certificate was issued by the CA it names."
    );
    check!(
        UNAVAILABLE,
        "revocation.unavailable",
        Warning,
        "Revocation status could not be fetched or verified",
        "No CRL or OCSP response could be fetched, or none verified.",
        "Retry later; check network access to the CRL/OCSP addresses."
    );
    check!(
        STALE,
        "revocation.stale",
        Warning,
        "The CRL or OCSP response is past its next update",
        "The revocation data is out of date.",
        "Retry later; report it to the CA if it persists."
    );
    check!(
        NO_SOURCE,
        "revocation.no-source",
        Info,
        "The certificate names no CRL or OCSP source",
        "Without a CRL distribution point or OCSP address, revocation cannot be checked.",
        "Nothing to do."
    );
}

static ALL: [CheckInfo; 56] = [
    chain::INCOMPLETE,
    chain::ORDER,
    chain::ROOT_SENT,
    chain::UNRELATED,
    chain::UNTRUSTED,
    chain::WRONG_ENV,
    chain::LEGACY,
    chain::BAD_SIGNATURE,
    chain::NOT_CA,
    chain::PATH_LENGTH,
    chain::NAME_CONSTRAINTS,
    cert::EXPIRED,
    cert::NOT_YET_VALID,
    cert::EXPIRING_SOON,
    cert::WEAK_KEY,
    cert::WEAK_SIGNATURE,
    cert::EKU,
    cert::SELF_SIGNED,
    cert::CRITICAL_EXTENSION,
    cert::KEY_USAGE,
    cert::MALFORMED,
    cert::CA_AS_LEAF,
    input::UNREADABLE,
    input::CA_ONLY,
    name::NOT_NHS_UK,
    name::FQDN_FORMAT,
    name::CN_SAN_MISMATCH,
    name::NO_SAN,
    name::HOST_MISMATCH,
    name::ENV_MISMATCH,
    csr::EXTRA_FIELDS,
    csr::EMAIL,
    csr::BAD_SIGNATURE,
    csr::CERT_MISMATCH,
    key::MISMATCH,
    key::LOCKED,
    key::UNENCRYPTED,
    pfx::NO_CHAIN,
    pfx::BAD_PASSWORD,
    pfx::LEGACY,
    tls::NO_CLIENT_AUTH,
    tls::CLIENT_CA_HINTS,
    tls::ACCEPTS_ANONYMOUS,
    tls::ACCEPTS_FOREIGN_CLIENT,
    tls::OLD_PROTOCOL,
    tls::HANDSHAKE_FAILED,
    trust::MISSING_ENV_CA,
    trust::OTHER_ENV,
    trust::TOO_BROAD,
    trust::EXPIRED,
    trust::LEGACY,
    revocation::REVOKED,
    revocation::UNKNOWN,
    revocation::UNAVAILABLE,
    revocation::STALE,
    revocation::NO_SOURCE,
];

/// Every finding kind, in family order.
pub fn catalogue() -> &'static [CheckInfo] {
    &ALL
}

/// The finding kind with this id.
pub fn lookup(id: &str) -> Option<&'static CheckInfo> {
    ALL.iter().find(|c| c.id == id)
}

impl serde::Serialize for CheckInfo {
    /// A kind serialises as its id.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const SPEC_IDS: &[&str] = &[
        "chain.incomplete",
        "chain.order",
        "chain.root-sent",
        "chain.unrelated",
        "chain.untrusted",
        "chain.wrong-env",
        "chain.legacy",
        "chain.bad-signature",
        "cert.expired",
        "cert.not-yet-valid",
        "cert.expiring-soon",
        "cert.weak-key",
        "cert.weak-signature",
        "cert.eku",
        "cert.self-signed",
        "name.not-nhs-uk",
        "name.fqdn-format",
        "name.cn-san-mismatch",
        "name.no-san",
        "name.host-mismatch",
        "name.env-mismatch",
        "csr.extra-fields",
        "csr.email",
        "csr.bad-signature",
        "key.mismatch",
        "pfx.no-chain",
        "pfx.bad-password",
        "tls.no-client-auth",
        "tls.client-ca-hints",
        "tls.accepts-anonymous",
        "tls.accepts-foreign-client",
        "tls.old-protocol",
        "tls.handshake-failed",
        "csr.cert-mismatch",
        "trust.missing-env-ca",
        "trust.other-env",
        "trust.too-broad",
        "trust.expired",
        "trust.legacy",
        "revocation.revoked",
        "revocation.unknown",
        "revocation.unavailable",
        "revocation.stale",
        "revocation.no-source",
        "chain.not-ca",
        "chain.path-length",
        "chain.name-constraints",
        "cert.critical-extension",
        "cert.key-usage",
        "cert.malformed",
        "cert.ca-as-leaf",
        "input.unreadable",
        "input.ca-only",
        "key.locked",
        "key.unencrypted",
        "pfx.legacy",
    ];

    const SPEC_ERRORS: &[&str] = &[
        "chain.incomplete",
        "chain.order",
        "chain.untrusted",
        "chain.wrong-env",
        "chain.bad-signature",
        "cert.expired",
        "cert.not-yet-valid",
        "cert.weak-key",
        "cert.weak-signature",
        "cert.eku",
        "cert.self-signed",
        "name.not-nhs-uk",
        "name.host-mismatch",
        "name.env-mismatch",
        "name.cn-san-mismatch",
        "csr.extra-fields",
        "csr.email",
        "csr.bad-signature",
        "key.mismatch",
        "pfx.bad-password",
        "tls.no-client-auth",
        "tls.accepts-anonymous",
        "tls.accepts-foreign-client",
        "tls.old-protocol",
        "revocation.revoked",
        "csr.cert-mismatch",
        "trust.missing-env-ca",
        "trust.other-env",
        "chain.not-ca",
        "chain.path-length",
        "chain.name-constraints",
        "cert.critical-extension",
        "cert.key-usage",
        "cert.malformed",
        "cert.ca-as-leaf",
        "input.unreadable",
    ];
    const SPEC_INFOS: &[&str] = &[
        "chain.root-sent",
        "name.no-san",
        "revocation.no-source",
        "input.ca-only",
        "key.unencrypted",
        "pfx.legacy",
    ];

    #[test]
    fn ids_are_unique_and_equal_the_spec_set() {
        let ids: BTreeSet<&str> = catalogue().iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), catalogue().len(), "duplicate id");
        let spec: BTreeSet<&str> = SPEC_IDS.iter().copied().collect();
        assert_eq!(ids, spec);
    }

    #[test]
    fn severities_are_the_spec_defaults() {
        for c in catalogue() {
            let want = if SPEC_ERRORS.contains(&c.id) {
                Severity::Error
            } else if SPEC_INFOS.contains(&c.id) {
                Severity::Info
            } else {
                Severity::Warning
            };
            assert_eq!(c.severity, want, "{}", c.id);
        }
    }

    #[test]
    fn each_has_title_explanation_and_fix() {
        for c in catalogue() {
            assert!(
                !c.title.is_empty() && c.explanation.len() > 30 && !c.fix.is_empty(),
                "{}",
                c.id
            );
            assert_eq!(lookup(c.id).map(|x| x.id), Some(c.id));
        }
        assert!(lookup("chain.nope").is_none());
    }
}
