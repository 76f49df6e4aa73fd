//! OCSP (RFC 6960): build a request for one certificate, verify a response (fetched or
//! stapled) against the certificate's issuer. Pure: the bytes travel elsewhere.
//!
//! The ASN.1 is RFC 6960's, derived with the `der` crate (no released `x509-ocsp`
//! works with the workspace's `der 0.8`): only the types needed here, owned, with raw
//! `Any` where a value is only compared or re-parsed (names, certificates).

use crate::util::{self, Reason};
use bars_model::Certificate;
use der::asn1::{Any, BitString, Int, Null, ObjectIdentifier, OctetString};
use der::{
    Choice, Decode, DecodeValue, Encode, EncodeValue, Enumerated, FixedTag, Header, Length, Reader,
    Sequence, Tag, Writer,
};
use std::fmt;

const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const ID_PKIX_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");

/// Clock skew tolerated on thisUpdate, seconds.
const SKEW: i64 = 300;

// ---------------------------------------------------------------------------------------
// RFC 6960 ASN.1 (module OCSP-2013-88, EXPLICIT TAGS).

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct AlgorithmIdentifier {
    algorithm: ObjectIdentifier,
    #[asn1(optional = "true")]
    parameters: Option<Any>,
}

/// `CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash OCTET STRING,
/// issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifier,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: Int,
}

/// `Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Extension {
    extn_id: ObjectIdentifier,
    #[asn1(default = "bool::default")]
    critical: bool,
    extn_value: OctetString,
}

/// `Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Request {
    req_cert: CertId,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    single_request_extensions: Option<Vec<Extension>>,
}

/// `TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1]
/// EXPLICIT GeneralName OPTIONAL, requestList SEQUENCE OF Request, requestExtensions [2]
/// EXPLICIT Extensions OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsRequest {
    #[asn1(context_specific = "0", default = "u8::default", tag_mode = "EXPLICIT")]
    version: u8,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    requestor_name: Option<Any>,
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", optional = "true", tag_mode = "EXPLICIT")]
    request_extensions: Option<Vec<Extension>>,
}

/// `OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspRequestAsn1 {
    tbs_request: TbsRequest,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    optional_signature: Option<Any>,
}

/// `OCSPResponseStatus ::= ENUMERATED { successful (0), malformedRequest (1),
/// internalError (2), tryLater (3), sigRequired (5), unauthorized (6) }`
#[derive(Clone, Copy, Debug, Eq, PartialEq, Enumerated)]
#[repr(u32)]
enum ResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

/// `OCSPResponse ::= SEQUENCE { responseStatus, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspResponseAsn1 {
    response_status: ResponseStatus,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    response_bytes: Option<ResponseBytes>,
}

/// `ResponseBytes ::= SEQUENCE { responseType OID, response OCTET STRING }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

/// `BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm,
/// signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }`; the
/// signed data and the algorithm are kept raw (they are verified byte for byte).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct BasicOcspResponse {
    tbs_response_data: Any,
    signature_algorithm: Any,
    signature: BitString,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    certs: Option<Vec<Any>>,
}

/// `ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID,
/// producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
/// responseExtensions [1] EXPLICIT Extensions OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseData {
    #[asn1(context_specific = "0", default = "u8::default", tag_mode = "EXPLICIT")]
    version: u8,
    responder_id: ResponderId,
    produced_at: OcspTime,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    response_extensions: Option<Vec<Extension>>,
}

/// `ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }`
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
enum ResponderId {
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Any),
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

/// `SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate GeneralizedTime,
/// nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT
/// Extensions OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    cert_status: CertStatus,
    this_update: OcspTime,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    next_update: Option<OcspTime>,
    #[asn1(context_specific = "1", optional = "true", tag_mode = "EXPLICIT")]
    single_extensions: Option<Vec<Extension>>,
}

/// `CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
/// unknown [2] IMPLICIT UnknownInfo }`
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
enum CertStatus {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// `RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0]
/// EXPLICIT CRLReason OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RevokedInfo {
    revocation_time: OcspTime,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    revocation_reason: Option<ReasonCode>,
}

/// A GeneralizedTime as Unix seconds; unlike `der`'s own type it accepts fractional
/// seconds (`YYYYMMDDHHMMSS.fffZ`), which some responders send.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
struct OcspTime(i64);

impl FixedTag for OcspTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for OcspTime {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_vec(header.length())?;
        match parse_generalized_time(&bytes) {
            Some(t) => Ok(OcspTime(t)),
            None => Err(reader.error(Tag::GeneralizedTime.value_error())),
        }
    }
}

impl EncodeValue for OcspTime {
    fn value_len(&self) -> der::Result<Length> {
        Ok(Length::new(15))
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        let t = time::OffsetDateTime::from_unix_timestamp(self.0)
            .map_err(|_| der::Error::from(Tag::GeneralizedTime.value_error()))?;
        let s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        writer.write(s.as_bytes())
    }
}

/// `YYYYMMDDHHMMSS[.f+]Z` as Unix seconds (fraction dropped).
fn parse_generalized_time(bytes: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(bytes).ok()?.strip_suffix('Z')?;
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    if main.len() != 14 || !main.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| main.get(r).and_then(|x| x.parse::<u16>().ok());
    let month = time::Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::from(num(0..4)?),
        month,
        u8::try_from(num(6..8)?).ok()?,
    )
    .ok()?;
    let t = date
        .with_hms(
            u8::try_from(num(8..10)?).ok()?,
            u8::try_from(num(10..12)?).ok()?,
            u8::try_from(num(12..14)?).ok()?,
        )
        .ok()?;
    Some(t.assume_utc().unix_timestamp())
}

/// A CRLReason ENUMERATED, any value (unknown codes are reported, not refused).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
struct ReasonCode(u8);

impl FixedTag for ReasonCode {
    const TAG: Tag = Tag::Enumerated;
}

impl<'a> DecodeValue<'a> for ReasonCode {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_vec(header.length())?;
        match bytes.as_slice() {
            [b] if *b < 0x80 => Ok(ReasonCode(*b)),
            _ => Err(reader.error(Tag::Enumerated.value_error())),
        }
    }
}

impl EncodeValue for ReasonCode {
    fn value_len(&self) -> der::Result<Length> {
        Ok(Length::new(1))
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&[self.0])
    }
}

// ---------------------------------------------------------------------------------------
// The API.

/// Why an OCSP request could not be made or a response cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspError {
    /// The request could not be encoded (e.g. a serial number that is not a valid INTEGER).
    Request(String),
    /// The response is not DER OCSP.
    Malformed(String),
    /// The responder answered with an error status (`tryLater`, `unauthorized`, …).
    Status(&'static str),
    /// The response is not a basic OCSP response.
    NotBasic(String),
    /// The response holds no answer for the certificate asked about.
    NoAnswerForCertificate,
    /// Nothing that may sign for the issuer signed it.
    UntrustedResponder(String),
    /// The signer's key does not verify the signature.
    BadSignature(String),
    /// The response's nonce differs from the request's (a replayed response?).
    NonceMismatch,
    /// thisUpdate is after the time judged at.
    NotYetValid {
        /// thisUpdate, Unix seconds.
        this_update: i64,
    },
}

impl fmt::Display for OcspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OcspError::Request(w) => write!(f, "cannot build the OCSP request ({w})"),
            OcspError::Malformed(w) => write!(f, "not an OCSP response ({w})"),
            OcspError::Status(s) => write!(f, "the OCSP responder answered {s}"),
            OcspError::NotBasic(oid) => write!(f, "unsupported OCSP response type {oid}"),
            OcspError::NoAnswerForCertificate => {
                write!(f, "the OCSP response does not answer for this certificate")
            }
            OcspError::UntrustedResponder(w) => write!(
                f,
                "the OCSP response is not signed by the issuer or by a responder it authorised ({w})"
            ),
            OcspError::BadSignature(w) if w == "signature does not verify" => {
                write!(f, "the OCSP response's signature does not verify")
            }
            OcspError::BadSignature(w) => {
                write!(f, "the OCSP response's signature does not verify ({w})")
            }
            OcspError::NonceMismatch => write!(
                f,
                "the OCSP response's nonce differs from the request's (a replayed response?)"
            ),
            OcspError::NotYetValid { this_update } => write!(
                f,
                "the OCSP response is not valid yet (thisUpdate {})",
                util::fmt_time(*this_update)
            ),
        }
    }
}

impl std::error::Error for OcspError {}

/// An OCSP request for one certificate, ready to POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspRequest {
    der: Vec<u8>,
    /// extnValue of the nonce extension sent (DER OCTET STRING holding the nonce).
    nonce_value: Option<Vec<u8>>,
}

impl OcspRequest {
    /// The DER `OCSPRequest` (body of `POST` with `Content-Type: application/ocsp-request`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// True when the request carries a nonce.
    pub fn has_nonce(&self) -> bool {
        self.nonce_value.is_some()
    }
}

/// A certificate's status in a verified response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspStatus {
    /// Not revoked.
    Good,
    /// Revoked.
    Revoked {
        /// revocationTime, Unix seconds.
        at: i64,
        /// revocationReason, when given.
        reason: Option<Reason>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// Who signed a verified response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signer {
    /// The certificate's issuer itself.
    Issuer,
    /// A delegated responder certificate (subject given) issued by the issuer, with
    /// extendedKeyUsage OCSPSigning, included in the response.
    Delegated(String),
}

/// What the nonce check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonceCheck {
    /// No nonce was sent (stapled responses, or nonces turned off).
    NotSent,
    /// The response echoed the request's nonce.
    Matched,
    /// A nonce was sent; the response has none (many responders pre-produce responses).
    Absent,
}

/// A response verified for one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspAnswer {
    /// The status.
    pub status: OcspStatus,
    /// thisUpdate, Unix seconds.
    pub this_update: i64,
    /// nextUpdate, Unix seconds (`None`: newer information is always available).
    pub next_update: Option<i64>,
    /// producedAt, Unix seconds.
    pub produced_at: i64,
    /// Who signed.
    pub signer: Signer,
    /// The nonce check.
    pub nonce: NonceCheck,
}

impl OcspAnswer {
    /// True when nextUpdate has passed at `at`.
    pub fn is_stale(&self, at: i64) -> bool {
        self.next_update.is_some_and(|n| n < at)
    }
}

/// 16 random bytes for a nonce (what OpenSSL sends), `None` if the system RNG fails.
pub fn random_nonce() -> Option<[u8; 16]> {
    use aws_lc_rs::rand::SecureRandom;
    let mut n = [0u8; 16];
    aws_lc_rs::rand::SystemRandom::new().fill(&mut n).ok()?;
    Some(n)
}

fn digest_for(alg: &ObjectIdentifier) -> Option<&'static aws_lc_rs::digest::Algorithm> {
    use aws_lc_rs::digest as d;
    [
        (ID_SHA1, &d::SHA1_FOR_LEGACY_USE_ONLY),
        (ID_SHA256, &d::SHA256),
        (ID_SHA384, &d::SHA384),
        (ID_SHA512, &d::SHA512),
    ]
    .into_iter()
    .find(|(oid, _)| oid == alg)
    .map(|(_, d)| d)
}

fn hash(alg: &'static aws_lc_rs::digest::Algorithm, bytes: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(alg, bytes).as_ref().to_vec()
}

fn der_err(e: der::Error) -> OcspError {
    OcspError::Malformed(e.to_string())
}

/// Builds a request for `cert` issued by `issuer`: one CertID with SHA-1 hashes of the
/// issuer's name and key (what every responder understands) and the serial number, and
/// the nonce extension when `nonce` is given. Without a nonce the bytes are what
/// `openssl ocsp -no_nonce -reqout` writes.
pub fn build_request(
    cert: &Certificate,
    issuer: &Certificate,
    nonce: Option<&[u8]>,
) -> Result<OcspRequest, OcspError> {
    let key = util::public_key_bits(issuer.spki_der())
        .ok_or_else(|| OcspError::Request("cannot read the issuer's public key".into()))?;
    let raw_serial = cert
        .parsed()
        .map(|p| p.raw_serial().to_vec())
        .ok_or_else(|| OcspError::Request("cannot read the serial number".into()))?;
    let req_err = |e: der::Error| OcspError::Request(e.to_string());
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifier {
            algorithm: ID_SHA1,
            parameters: Some(Any::null()),
        },
        issuer_name_hash: OctetString::new(util::sha1(issuer.subject_der())).map_err(req_err)?,
        issuer_key_hash: OctetString::new(util::sha1(&key)).map_err(req_err)?,
        serial_number: Int::new(&raw_serial).map_err(req_err)?,
    };
    let nonce_value = match nonce {
        Some(n) => Some(
            OctetString::new(n)
                .and_then(|o| o.to_der())
                .map_err(req_err)?,
        ),
        None => None,
    };
    let request_extensions = match &nonce_value {
        Some(v) => Some(vec![Extension {
            extn_id: ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: OctetString::new(v.clone()).map_err(req_err)?,
        }]),
        None => None,
    };
    let req = OcspRequestAsn1 {
        tbs_request: TbsRequest {
            version: 0,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions,
        },
        optional_signature: None,
    };
    Ok(OcspRequest {
        der: req.to_der().map_err(req_err)?,
        nonce_value,
    })
}

fn response_status_name(s: ResponseStatus) -> &'static str {
    match s {
        ResponseStatus::Successful => "successful",
        ResponseStatus::MalformedRequest => "malformedRequest (it could not read the request)",
        ResponseStatus::InternalError => "internalError",
        ResponseStatus::TryLater => "tryLater (it is busy or cannot answer now)",
        ResponseStatus::SigRequired => "sigRequired (it wants signed requests)",
        ResponseStatus::Unauthorized => {
            "unauthorized (it does not answer for this CA, or not to anonymous clients)"
        }
    }
}

/// Does `id` name `cert` issued by `issuer`? (hash algorithm as the responder chose).
fn cert_id_matches(id: &CertId, issuer: &Certificate, issuer_key: &[u8], serial: &[u8]) -> bool {
    let Some(alg) = digest_for(&id.hash_algorithm.algorithm) else {
        return false;
    };
    util::trim_serial(id.serial_number.as_bytes()) == serial
        && id.issuer_name_hash.as_bytes() == hash(alg, issuer.subject_der()).as_slice()
        && id.issuer_key_hash.as_bytes() == hash(alg, issuer_key).as_slice()
}

/// Checks that a delegated responder certificate may sign for `issuer` at `at`.
fn check_delegate(d: &Certificate, issuer: &Certificate, at: i64) -> Result<(), String> {
    let s = d.summary();
    if d.issuer_der() != issuer.subject_der() {
        return Err(format!(
            "the response's signer {} was issued by {}, not by {}",
            s.subject,
            s.issuer,
            util::subject(issuer)
        ));
    }
    d.verify_issued_by(issuer).map_err(|e| {
        format!(
            "the responder certificate {} is not signed by {}: {e}",
            s.subject,
            util::subject(issuer)
        )
    })?;
    if !s
        .extended_key_usage
        .iter()
        .any(|e| e == "OCSPSigning" || e == "1.3.6.1.5.5.7.3.9")
    {
        return Err(format!(
            "the responder certificate {} lacks extendedKeyUsage OCSPSigning",
            s.subject
        ));
    }
    if s.not_after_unix < at || s.not_before_unix > at {
        return Err(format!(
            "the responder certificate {} is not valid at {} ({} to {})",
            s.subject,
            util::fmt_time(at),
            s.not_before,
            s.not_after
        ));
    }
    Ok(())
}

/// Verifies an OCSP response (fetched or stapled) for `cert` issued by `issuer` at time
/// `at`: responder status, a basic response, a SingleResponse for this certificate,
/// signed by the issuer or by a delegated responder certificate included in the
/// response (issued and signed by the issuer, extendedKeyUsage OCSPSigning, valid at
/// `at`), thisUpdate not in the future, and, when `request` carried a nonce, an echoed
/// nonce equal to it. Staleness (nextUpdate passed) is left to the caller:
/// [`OcspAnswer::is_stale`].
pub fn verify_response(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    request: Option<&OcspRequest>,
    at: i64,
) -> Result<OcspAnswer, OcspError> {
    let looks_html = bars_model::looks_like_html(der);
    let resp = OcspResponseAsn1::from_der(der).map_err(|e| {
        OcspError::Malformed(if looks_html {
            format!("{e}; the body looks like an HTML page")
        } else {
            e.to_string()
        })
    })?;
    if resp.response_status != ResponseStatus::Successful {
        return Err(OcspError::Status(response_status_name(
            resp.response_status,
        )));
    }
    let bytes = resp
        .response_bytes
        .ok_or_else(|| OcspError::Malformed("successful, but no response bytes".into()))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(OcspError::NotBasic(bytes.response_type.to_string()));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(der_err)?;
    let tbs = basic.tbs_response_data.to_der().map_err(der_err)?;
    let alg = basic.signature_algorithm.to_der().map_err(der_err)?;
    let data = ResponseData::from_der(&tbs).map_err(der_err)?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or_else(|| OcspError::Malformed("signature BIT STRING has unused bits".to_string()))?;

    // The answer for this certificate.
    let issuer_key = util::public_key_bits(issuer.spki_der())
        .ok_or_else(|| OcspError::Malformed("cannot read the issuer's public key".into()))?;
    let serial = util::serial(cert);
    let single = data
        .responses
        .iter()
        .find(|s| cert_id_matches(&s.cert_id, issuer, &issuer_key, &serial))
        .ok_or(OcspError::NoAnswerForCertificate)?;

    // Who signed.
    let included: Vec<Certificate> = basic
        .certs
        .iter()
        .flatten()
        .filter_map(|a| a.to_der().ok())
        .filter_map(|d| Certificate::from_der(&d).ok())
        .collect();
    let by_issuer = match &data.responder_id {
        ResponderId::ByName(n) => n.to_der().ok().as_deref() == Some(issuer.subject_der()),
        ResponderId::ByKey(h) => h.as_bytes() == util::sha1(&issuer_key).as_slice(),
    };
    let (spki, signer) = if by_issuer {
        (issuer.spki_der().to_vec(), Signer::Issuer)
    } else {
        let delegate = included
            .iter()
            .find(|c| match &data.responder_id {
                ResponderId::ByName(n) => n.to_der().ok().as_deref() == Some(c.subject_der()),
                ResponderId::ByKey(h) => util::public_key_bits(c.spki_der())
                    .is_some_and(|k| h.as_bytes() == util::sha1(&k).as_slice()),
            })
            .ok_or_else(|| {
                OcspError::UntrustedResponder(
                    "its responder is neither the issuer nor a certificate included in the response"
                        .into(),
                )
            })?;
        check_delegate(delegate, issuer, at).map_err(OcspError::UntrustedResponder)?;
        (
            delegate.spki_der().to_vec(),
            Signer::Delegated(delegate.summary().subject.clone()),
        )
    };
    bars_model::verify_signature(&spki, &alg, &tbs, signature)
        .map_err(|e| OcspError::BadSignature(e.to_string()))?;

    // Nonce and time.
    let nonce = match request.and_then(|r| r.nonce_value.as_ref()) {
        None => NonceCheck::NotSent,
        Some(sent) => {
            let echoed = data
                .response_extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == ID_PKIX_OCSP_NONCE);
            match echoed {
                None => NonceCheck::Absent,
                Some(e) => {
                    let v = e.extn_value.as_bytes();
                    // Some old responders echo the bare nonce instead of an OCTET STRING.
                    let bare = OctetString::from_der(sent).ok();
                    if v == sent.as_slice() || bare.is_some_and(|b| b.as_bytes() == v) {
                        NonceCheck::Matched
                    } else {
                        return Err(OcspError::NonceMismatch);
                    }
                }
            }
        }
    };
    if single.this_update.0 > at.saturating_add(SKEW) {
        return Err(OcspError::NotYetValid {
            this_update: single.this_update.0,
        });
    }
    let status = match &single.cert_status {
        CertStatus::Good(_) => OcspStatus::Good,
        CertStatus::Revoked(info) => OcspStatus::Revoked {
            at: info.revocation_time.0,
            reason: info.revocation_reason.map(|r| Reason(r.0)),
        },
        CertStatus::Unknown(_) => OcspStatus::Unknown,
    };
    Ok(OcspAnswer {
        status,
        this_update: single.this_update.0,
        next_update: single.next_update.map(|t| t.0),
        produced_at: data.produced_at.0,
        signer,
        nonce,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_testsupport::ca::{cert, openssl, Ca};
    use std::path::Path;

    fn now() -> i64 {
        util::wall_clock()
    }

    /// Answers `req` offline with `openssl ocsp -reqin … -respout …`.
    fn respond(ca: &Ca, signer: (&Path, &Path), req: &[u8], extra: &[&str]) -> Vec<u8> {
        let reqf = ca.dir.join("req.der");
        let respf = ca.dir.join("resp.der");
        std::fs::write(&reqf, req).unwrap();
        let mut args = vec![
            "ocsp",
            "-index",
            ca.index.to_str().unwrap(),
            "-CA",
            ca.cert.to_str().unwrap(),
            "-rsigner",
            signer.0.to_str().unwrap(),
            "-rkey",
            signer.1.to_str().unwrap(),
            "-reqin",
            reqf.to_str().unwrap(),
            "-respout",
            respf.to_str().unwrap(),
            "-ndays",
            "1",
        ];
        args.extend_from_slice(extra);
        openssl(&ca.dir, &args);
        std::fs::read(respf).unwrap()
    }

    #[test]
    fn request_without_nonce_is_byte_identical_to_openssls() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root(dir.path(), "ca", "OCSP Test CA");
        let leaf = ca.issue("leaf", "leaf.example", "");
        let out = ca.dir.join("openssl-req.der");
        openssl(
            &ca.dir,
            &[
                "ocsp",
                "-issuer",
                ca.cert.to_str().unwrap(),
                "-cert",
                leaf.to_str().unwrap(),
                "-no_nonce",
                "-reqout",
                out.to_str().unwrap(),
            ],
        );
        let ours = build_request(&cert(&leaf), &cert(&ca.cert), None).unwrap();
        assert_eq!(ours.der(), std::fs::read(out).unwrap().as_slice());
        assert!(!ours.has_nonce());
        // With a nonce openssl reads it back.
        let with = build_request(&cert(&leaf), &cert(&ca.cert), Some(&[7u8; 16])).unwrap();
        let f = ca.dir.join("ours.der");
        std::fs::write(&f, with.der()).unwrap();
        let text = String::from_utf8(openssl(
            &ca.dir,
            &["ocsp", "-reqin", f.to_str().unwrap(), "-req_text"],
        ))
        .unwrap();
        assert!(text.contains("OCSP Nonce"), "{text}");
        assert!(text.contains("0707070707070707"), "{text}");
    }

    #[test]
    fn issuer_signed_good_revoked_unknown_and_nonce() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root(dir.path(), "ca", "OCSP Test CA");
        let good = ca.issue("good", "good.example", "");
        let bad = ca.issue("bad", "bad.example", "");
        let stranger = ca.issue_outside_db("stranger", "stranger.example", "");
        ca.revoke(&bad, "superseded");
        let issuer = cert(&ca.cert);
        let signer = (ca.cert.as_path(), ca.key.as_path());

        let req = build_request(&cert(&good), &issuer, Some(&[1u8; 16])).unwrap();
        let resp = respond(&ca, signer, req.der(), &[]);
        let a = verify_response(&resp, &cert(&good), &issuer, Some(&req), now()).unwrap();
        assert_eq!(a.status, OcspStatus::Good);
        assert_eq!(a.signer, Signer::Issuer);
        assert_eq!(a.nonce, NonceCheck::Matched);
        assert!(!a.is_stale(now()));
        assert!(a.is_stale(now() + 2 * 86_400));
        // The same response for another certificate answers nothing.
        assert_eq!(
            verify_response(&resp, &cert(&bad), &issuer, None, now()),
            Err(OcspError::NoAnswerForCertificate)
        );
        // Another request's nonce does not match (replay).
        let other = build_request(&cert(&good), &issuer, Some(&[2u8; 16])).unwrap();
        assert_eq!(
            verify_response(&resp, &cert(&good), &issuer, Some(&other), now()),
            Err(OcspError::NonceMismatch)
        );
        // Judged before it was produced.
        assert!(matches!(
            verify_response(&resp, &cert(&good), &issuer, Some(&req), now() - 86_400),
            Err(OcspError::NotYetValid { .. })
        ));

        let req = build_request(&cert(&bad), &issuer, None).unwrap();
        let resp = respond(&ca, signer, req.der(), &["-resp_key_id"]);
        let a = verify_response(&resp, &cert(&bad), &issuer, Some(&req), now()).unwrap();
        assert!(
            matches!(a.status, OcspStatus::Revoked { reason: Some(Reason(4)), at } if (at - now()).abs() < 600),
            "{a:?}"
        );
        assert_eq!(a.nonce, NonceCheck::NotSent);

        let req = build_request(&cert(&stranger), &issuer, Some(&[3u8; 16])).unwrap();
        let resp = respond(&ca, signer, req.der(), &[]);
        let a = verify_response(&resp, &cert(&stranger), &issuer, Some(&req), now()).unwrap();
        assert_eq!(a.status, OcspStatus::Unknown);

        // A corrupted signature (no certificates: the signature is the last thing).
        let req = build_request(&cert(&good), &issuer, None).unwrap();
        let mut resp = respond(&ca, signer, req.der(), &["-resp_no_certs"]);
        verify_response(&resp, &cert(&good), &issuer, None, now()).unwrap();
        *resp.last_mut().unwrap() ^= 0x55;
        let e = verify_response(&resp, &cert(&good), &issuer, None, now()).unwrap_err();
        assert!(matches!(e, OcspError::BadSignature(_)), "{e}");
    }

    #[test]
    fn delegated_responders_must_be_authorised_by_the_issuer() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root(dir.path(), "ca", "OCSP Test CA");
        let leaf = ca.issue("leaf", "leaf.example", "");
        let (rcert, rkey) = ca.issue_ocsp_signer("responder");
        let issuer = cert(&ca.cert);
        let req = build_request(&cert(&leaf), &issuer, None).unwrap();
        let resp = respond(&ca, (&rcert, &rkey), req.der(), &[]);
        let a = verify_response(&resp, &cert(&leaf), &issuer, None, now()).unwrap();
        assert_eq!(
            a.signer,
            Signer::Delegated("CN=responder OCSP signer".into())
        );
        assert_eq!(a.status, OcspStatus::Good);

        // Without the responder certificate in the response, nothing says who it is.
        let resp = respond(&ca, (&rcert, &rkey), req.der(), &["-resp_no_certs"]);
        let e = verify_response(&resp, &cert(&leaf), &issuer, None, now()).unwrap_err();
        assert!(matches!(e, OcspError::UntrustedResponder(_)), "{e}");

        // A leaf certificate (no OCSPSigning) cannot sign for its CA.
        let leaf_key = ca.dir.join("leaf.key");
        let resp = respond(&ca, (&leaf, &leaf_key), req.der(), &[]);
        let e = verify_response(&resp, &cert(&leaf), &issuer, None, now()).unwrap_err();
        assert!(
            e.to_string().contains("lacks extendedKeyUsage OCSPSigning"),
            "{e}"
        );

        // A responder certified by another CA cannot either.
        let other = Ca::root(dir.path(), "other", "Other CA");
        let (ocert, okey) = other.issue_ocsp_signer("foreign");
        let resp = respond(&ca, (&ocert, &okey), req.der(), &[]);
        let e = verify_response(&resp, &cert(&leaf), &issuer, None, now()).unwrap_err();
        assert!(e.to_string().contains("not by CN=OCSP Test CA"), "{e}");
    }

    #[test]
    fn junk_and_error_statuses_are_plain_errors() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::root(dir.path(), "ca", "OCSP Test CA");
        let leaf = cert(&ca.issue("leaf", "leaf.example", ""));
        let issuer = cert(&ca.cert);
        let e = verify_response(b"<html>hi</html>", &leaf, &issuer, None, now()).unwrap_err();
        assert!(e.to_string().contains("HTML"), "{e}");
        // OCSPResponse { responseStatus tryLater }
        let e = verify_response(&[0x30, 0x03, 0x0a, 0x01, 0x03], &leaf, &issuer, None, now())
            .unwrap_err();
        assert_eq!(
            e,
            OcspError::Status(response_status_name(ResponseStatus::TryLater))
        );
        assert!(verify_response(&[], &leaf, &issuer, None, now()).is_err());
    }

    #[test]
    fn generalized_times_with_fractions() {
        assert_eq!(parse_generalized_time(b"19700102000000Z"), Some(86_400));
        assert_eq!(parse_generalized_time(b"19700102000000.123Z"), Some(86_400));
        assert_eq!(parse_generalized_time(b"19700102000000."), None);
        assert_eq!(parse_generalized_time(b"1970010200000Z"), None);
        assert_eq!(parse_generalized_time(b"19701302000000Z"), None);
        let t = OcspTime(86_400).to_der().unwrap();
        assert_eq!(OcspTime::from_der(&t).unwrap(), OcspTime(86_400));
    }
}
