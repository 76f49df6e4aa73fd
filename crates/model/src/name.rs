//! Distinguished names: RFC 4514 rendering and CN extraction.
//!
//! The rendering follows what `openssl x509 -nameopt RFC2253,-esc_msb` prints, so that a
//! person can compare our output with openssl's:
//!
//! - RDNs in reverse DER order (most specific first), `,` between RDNs, `+` between the
//!   attributes of a multi-valued RDN (kept in DER order); an empty RDN (`SET {}`, which
//!   DER allows) contributes nothing, as in openssl, and the RDNs after it are kept;
//! - attribute types by OpenSSL's short name (`CN`, `O`, `street`, `emailAddress`,
//!   `jurisdictionC`, …); any other type as its dotted OID with the value as `#` and the
//!   uppercase hex of its DER encoding (RFC 4514 §2.4);
//! - string values decoded to UTF-8: UTF8String, BMPString (UTF-16BE), UniversalString
//!   (UTF-32BE); the one-byte types (PrintableString, IA5String, T61String, VisibleString,
//!   NumericString, …) byte for character as Latin-1, like OpenSSL, accepting characters
//!   outside their nominal alphabet (`*` in a PrintableString);
//! - values that are not strings, or strings that do not decode, as `#` + hex of the DER;
//! - escaping per RFC 4514: `,` `+` `"` `\` `<` `>` `;` with a backslash, a leading `#` or
//!   space and a trailing space with a backslash, control characters (NUL included) as
//!   `\XX`.

use x509_parser::der_parser::asn1_rs::{Any, Class, FromDer, Length, Tag};
use x509_parser::x509::{AttributeTypeAndValue, RelativeDistinguishedName, X509Name};

/// DER of the commonName OID 2.5.4.3 (content octets).
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];

/// RFC 4514 string of a name: RDNs most specific first, `,` between RDNs, `+` inside a
/// multi-valued RDN, special characters escaped, unknown attribute types as `1.2.3=#hex`.
pub fn dn_to_rfc4514(name: &X509Name<'_>) -> String {
    // Every certificate has two names: written into one string, no string per attribute.
    let rdns: Vec<_> = name
        .iter()
        .filter(|rdn| rdn.iter().next().is_some())
        .collect();
    let mut out = String::with_capacity(96);
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            push_atv(&mut out, atv);
        }
    }
    out
}

/// Reads the X.501 Name at the start of `der`, keeping every RDN; returns the bytes after
/// it and the name (whose `as_raw()` is the whole Name TLV).
///
/// Use this rather than x509-parser's `X509Name::from_der`: that one stops at the first
/// empty RDN (`SET {}`: it wants at least one attribute in a SET) and silently drops every
/// RDN after it, the CN included, while the name as a whole still parses (and its
/// `as_raw()` then ends at the empty RDN). An empty RDN is legal DER and openssl keeps the
/// RDNs around it; here it is an RDN with no attribute, which [`dn_to_rfc4514`] skips.
/// When an RDN cannot be read as `SET OF AttributeTypeAndValue`, x509-parser's view is
/// returned (it holds the RDNs before the bad one, like x509-parser everywhere else).
pub fn parse_name(der: &[u8]) -> Option<(&[u8], X509Name<'_>)> {
    let (rest, seq) = Any::from_der(der).ok()?;
    let whole = der.get(..der.len().checked_sub(rest.len())?)?;
    match walk_rdns(&seq) {
        Some(rdns) => Some((rest, X509Name::new(rdns, whole))),
        None => X509Name::from_der(der).ok(),
    }
}

/// `name` (from x509-parser, as found inside `buffer`) with every RDN: see [`parse_name`].
/// A name not inside `buffer`, or one that cannot be re-read, is returned as it was.
pub(crate) fn complete_name<'a>(name: &X509Name<'a>, buffer: &'a [u8]) -> X509Name<'a> {
    crate::asn1::range_in(buffer, name.as_raw())
        .and_then(|r| buffer.get(r.start..))
        .and_then(parse_name)
        .map_or_else(|| name.clone(), |(_, n)| n)
}

/// `Name ::= SEQUENCE OF RelativeDistinguishedName`, `RDN ::= SET OF
/// AttributeTypeAndValue` (empty SETs included), read to the end.
fn walk_rdns<'a>(seq: &Any<'a>) -> Option<Vec<RelativeDistinguishedName<'a>>> {
    if seq.class() != Class::Universal || seq.tag() != Tag::Sequence || !seq.header.is_constructed()
    {
        return None;
    }
    let mut out = Vec::new();
    let mut rest = seq.data;
    while !rest.is_empty() {
        let (after, set) = Any::from_der(rest).ok()?;
        if set.class() != Class::Universal || set.tag() != Tag::Set || !set.header.is_constructed()
        {
            return None;
        }
        let mut atvs = Vec::new();
        let mut inner = set.data;
        while !inner.is_empty() {
            let (next, atv) = AttributeTypeAndValue::from_der(inner).ok()?;
            if next.len() >= inner.len() {
                return None;
            }
            atvs.push(atv);
            inner = next;
        }
        out.push(RelativeDistinguishedName::new(atvs));
        rest = after;
    }
    Some(out)
}

/// Every commonName value in the name, decoded to UTF-8, in DER order. A value that is not
/// a decodable string is given as `#` + hex of its DER, as in [`dn_to_rfc4514`].
pub fn name_common_names(name: &X509Name<'_>) -> Vec<String> {
    name.iter_attributes()
        .filter(|atv| atv.attr_type().as_bytes() == OID_CN)
        .map(|atv| decode_string(atv.attr_value()).unwrap_or_else(|| hex_der(atv.attr_value())))
        .collect()
}

/// Every attribute of the name in DER order, as (OpenSSL short name or dotted OID, decoded
/// value or `#hex`).
pub(crate) fn name_attributes(name: &X509Name<'_>) -> Vec<(String, String)> {
    name.iter_attributes()
        .map(|atv| {
            let value = atv.attr_value();
            let v = decode_string(value).unwrap_or_else(|| hex_der(value));
            match short_name(atv.attr_type().as_bytes()) {
                Some(sn) => (sn.to_string(), v),
                None => (dotted_oid(atv), v),
            }
        })
        .collect()
}

/// A dNSName as shown: each byte that is printable ASCII other than `\` (0x21–0x7E: all
/// of every host name, and of the ASCII junk that is not one) as itself, every other byte
/// as `\xHH` (two uppercase hex digits): UTF-8 `café` is `caf\xC3\xA9`, Latin-1
/// `café` is `caf\xE9`, a space `\x20`, a backslash `\x5C`.
///
/// Byte by byte, not character by character, because a dNSName is an IA5String and its
/// bytes may be in any encoding, or none; openssl's `-ext subjectAltName` output is the
/// closest reference and prints the bytes as they are (UTF-8 shows as `é`, Latin-1 as a
/// broken character), so each `\xHH` here is exactly one byte of openssl's line. The
/// escaped form always holds a backslash, which no host name (letters, digits, `-`, `.`,
/// and the `*` and `_` some certificates use) can hold, so it never equals, or matches, a
/// valid host name, and unescaping is unambiguous.
pub(crate) fn dns_name_text(bytes: &[u8]) -> String {
    let plain = |b: u8| (0x21..=0x7e).contains(&b) && b != b'\\';
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// DER of the PKCS#9 emailAddress OID 1.2.840.113549.1.9.1 (content octets).
const OID_EMAIL: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];

/// Every emailAddress value in the name.
pub(crate) fn name_emails(name: &X509Name<'_>) -> Vec<String> {
    name.iter_attributes()
        .filter(|atv| atv.attr_type().as_bytes() == OID_EMAIL)
        .map(|atv| decode_string(atv.attr_value()).unwrap_or_else(|| hex_der(atv.attr_value())))
        .collect()
}

fn push_atv(out: &mut String, atv: &AttributeTypeAndValue<'_>) {
    let value = atv.attr_value();
    match short_name(atv.attr_type().as_bytes()) {
        Some(sn) => {
            out.push_str(sn);
            out.push('=');
            match decode_str(value) {
                Some(s) => push_escaped(out, &s),
                None => out.push_str(&hex_der(value)),
            }
        }
        None => {
            out.push_str(&dotted_oid(atv));
            out.push('=');
            out.push_str(&hex_der(value));
        }
    }
}

/// Decodes a string-typed value, or `None` when the value is not a string type or does not
/// decode.
fn decode_string(value: &Any<'_>) -> Option<String> {
    decode_str(value).map(std::borrow::Cow::into_owned)
}

/// [`decode_string`], borrowing the value when it is UTF-8 (or ASCII) already.
fn decode_str<'a>(value: &Any<'a>) -> Option<std::borrow::Cow<'a, str>> {
    use std::borrow::Cow;
    if value.class() != Class::Universal || value.header.is_constructed() {
        return None;
    }
    let data: &'a [u8] = value.data;
    if (one_byte(value.tag()) && data.is_ascii()) || value.tag() == Tag::Utf8String {
        return std::str::from_utf8(data).ok().map(Cow::Borrowed);
    }
    decode_other(value).map(Cow::Owned)
}

/// String types of one byte per character.
fn one_byte(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::NumericString
            | Tag::PrintableString
            | Tag::T61String
            | Tag::VideotexString
            | Tag::Ia5String
            | Tag::UtcTime
            | Tag::GeneralizedTime
            | Tag::GraphicString
            | Tag::VisibleString
            | Tag::GeneralString
    )
}

/// The string types that need converting: Latin-1 bytes, BMPString, UniversalString.
fn decode_other(value: &Any<'_>) -> Option<String> {
    let data = value.data;
    match value.tag() {
        // One byte per character, read as Latin-1 (what OpenSSL does for all of these).
        tag if one_byte(tag) => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if data.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| Some(u16::from_be_bytes(c.try_into().ok()?)))
                .collect::<Option<Vec<u16>>>()?;
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => {
            if data.len() % 4 != 0 {
                return None;
            }
            data.chunks_exact(4)
                .map(|c| {
                    let b: [u8; 4] = c.try_into().ok()?;
                    char::from_u32(u32::from_be_bytes(b))
                })
                .collect()
        }
        _ => None,
    }
}

/// RFC 4514 escaping of a decoded value, as OpenSSL's RFC 2253 mode does it.
/// `s` onto `out`, escaped per RFC 4514 as OpenSSL's RFC 2253 mode does it.
fn push_escaped(out: &mut String, s: &str) {
    let count = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        let first = i == 0;
        let last = i + 1 == count;
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            '#' if first => out.push_str("\\#"),
            ' ' if first || last => out.push_str("\\ "),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
}

/// `#` + uppercase hex of the value's DER encoding (header re-encoded in DER form).
fn hex_der(value: &Any<'_>) -> String {
    let mut der = Vec::with_capacity(value.data.len() + 6);
    let class_bits: u8 = match value.class() {
        Class::Universal => 0x00,
        Class::Application => 0x40,
        Class::ContextSpecific => 0x80,
        Class::Private => 0xc0,
    };
    let cons: u8 = if value.header.is_constructed() {
        0x20
    } else {
        0
    };
    let tag = value.tag().0;
    if tag < 31 {
        der.push(class_bits | cons | (tag as u8));
    } else {
        der.push(class_bits | cons | 0x1f);
        let mut groups = Vec::new();
        let mut t = tag;
        loop {
            groups.push((t & 0x7f) as u8);
            t >>= 7;
            if t == 0 {
                break;
            }
        }
        let n = groups.len();
        for (i, g) in groups.into_iter().rev().enumerate() {
            der.push(if i + 1 < n { g | 0x80 } else { g });
        }
    }
    let len = match value.header.length() {
        Length::Definite(l) => l,
        Length::Indefinite => value.data.len(),
    };
    if len < 0x80 {
        der.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        der.push(0x80 | significant.len() as u8);
        der.extend_from_slice(significant);
    }
    der.extend_from_slice(value.data);
    format!("#{}", hex::encode_upper(der))
}

/// Dotted form of the attribute type's OID.
fn dotted_oid(atv: &AttributeTypeAndValue<'_>) -> String {
    crate::asn1::dotted(atv.attr_type())
}

/// OpenSSL's short name (or long name where it has no short one) for the attribute types
/// in the arcs names use: X.520 (2.5.4), PKCS#9 (1.2.840.113549.1.9), COSINE/pilot
/// (0.9.2342.19200300.100.1) and the EV jurisdiction attributes. Taken from OpenSSL 3.0's
/// `obj_mac.h`.
fn short_name(oid: &[u8]) -> Option<&'static str> {
    match oid {
        [0x55, 0x04, arc] => x520_name(*arc),
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, arc] => pkcs9_name(*arc),
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, arc] => pilot_name(*arc),
        [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, arc] => match arc {
            1 => Some("jurisdictionL"),
            2 => Some("jurisdictionST"),
            3 => Some("jurisdictionC"),
            _ => None,
        },
        _ => None,
    }
}

fn x520_name(arc: u8) -> Option<&'static str> {
    Some(match arc {
        3 => "CN",
        4 => "SN",
        5 => "serialNumber",
        6 => "C",
        7 => "L",
        8 => "ST",
        9 => "street",
        10 => "O",
        11 => "OU",
        12 => "title",
        13 => "description",
        14 => "searchGuide",
        15 => "businessCategory",
        16 => "postalAddress",
        17 => "postalCode",
        18 => "postOfficeBox",
        19 => "physicalDeliveryOfficeName",
        20 => "telephoneNumber",
        21 => "telexNumber",
        22 => "teletexTerminalIdentifier",
        23 => "facsimileTelephoneNumber",
        24 => "x121Address",
        25 => "internationaliSDNNumber",
        26 => "registeredAddress",
        27 => "destinationIndicator",
        28 => "preferredDeliveryMethod",
        29 => "presentationAddress",
        30 => "supportedApplicationContext",
        31 => "member",
        32 => "owner",
        33 => "roleOccupant",
        34 => "seeAlso",
        35 => "userPassword",
        36 => "userCertificate",
        37 => "cACertificate",
        38 => "authorityRevocationList",
        39 => "certificateRevocationList",
        40 => "crossCertificatePair",
        41 => "name",
        42 => "GN",
        43 => "initials",
        44 => "generationQualifier",
        45 => "x500UniqueIdentifier",
        46 => "dnQualifier",
        47 => "enhancedSearchGuide",
        48 => "protocolInformation",
        49 => "distinguishedName",
        50 => "uniqueMember",
        51 => "houseIdentifier",
        52 => "supportedAlgorithms",
        53 => "deltaRevocationList",
        54 => "dmdName",
        65 => "pseudonym",
        72 => "role",
        97 => "organizationIdentifier",
        98 => "c3",
        99 => "n3",
        100 => "dnsName",
        _ => return None,
    })
}

fn pkcs9_name(arc: u8) -> Option<&'static str> {
    Some(match arc {
        1 => "emailAddress",
        2 => "unstructuredName",
        3 => "contentType",
        4 => "messageDigest",
        5 => "signingTime",
        6 => "countersignature",
        7 => "challengePassword",
        8 => "unstructuredAddress",
        9 => "extendedCertificateAttributes",
        14 => "extReq",
        15 => "SMIME-CAPS",
        16 => "SMIME",
        20 => "friendlyName",
        21 => "localKeyID",
        _ => return None,
    })
}

fn pilot_name(arc: u8) -> Option<&'static str> {
    Some(match arc {
        1 => "UID",
        2 => "textEncodedORAddress",
        3 => "mail",
        4 => "info",
        5 => "favouriteDrink",
        6 => "roomNumber",
        7 => "photo",
        8 => "userClass",
        9 => "host",
        10 => "manager",
        11 => "documentIdentifier",
        12 => "documentTitle",
        13 => "documentVersion",
        14 => "documentAuthor",
        15 => "documentLocation",
        20 => "homeTelephoneNumber",
        21 => "secretary",
        22 => "otherMailbox",
        23 => "lastModifiedTime",
        24 => "lastModifiedBy",
        25 => "DC",
        26 => "aRecord",
        27 => "pilotAttributeType27",
        28 => "mXRecord",
        29 => "nSRecord",
        30 => "sOARecord",
        31 => "cNAMERecord",
        37 => "associatedDomain",
        38 => "associatedName",
        39 => "homePostalAddress",
        40 => "personalTitle",
        41 => "mobileTelephoneNumber",
        42 => "pagerTelephoneNumber",
        43 => "friendlyCountryName",
        44 => "uid",
        45 => "organizationalStatus",
        46 => "janetMailbox",
        47 => "mailPreferenceOption",
        48 => "buildingName",
        49 => "dSAQuality",
        50 => "singleLevelQuality",
        51 => "subtreeMinimumQuality",
        52 => "subtreeMaximumQuality",
        53 => "personalSignature",
        54 => "dITRedirect",
        55 => "audio",
        56 => "documentPublisher",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::FromDer;

    /// DER TLV with a short or long definite length.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = content.len();
        if n < 0x80 {
            v.push(n as u8);
        } else if n < 0x100 {
            v.extend_from_slice(&[0x81, n as u8]);
        } else {
            v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
        }
        v.extend_from_slice(content);
        v
    }

    /// One attribute: (OID content octets, value TLV).
    fn atv(oid: &[u8], value: Vec<u8>) -> Vec<u8> {
        let mut c = tlv(0x06, oid);
        c.extend(value);
        tlv(0x30, &c)
    }

    fn rdn(atvs: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x31, &atvs.concat())
    }

    fn name(rdns: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &rdns.concat())
    }

    const CN: &[u8] = &[0x55, 0x04, 0x03];
    const O: &[u8] = &[0x55, 0x04, 0x0a];
    const OU: &[u8] = &[0x55, 0x04, 0x0b];
    const C: &[u8] = &[0x55, 0x04, 0x06];
    const SERIAL: &[u8] = &[0x55, 0x04, 0x05];
    const EMAIL: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
    const DC: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19];
    const JUR_C: &[u8] = &[
        0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03,
    ];
    const ORG_ID: &[u8] = &[0x55, 0x04, 0x61];
    const STREET: &[u8] = &[0x55, 0x04, 0x09];

    fn utf8(s: &str) -> Vec<u8> {
        tlv(0x0c, s.as_bytes())
    }
    fn printable(s: &str) -> Vec<u8> {
        tlv(0x13, s.as_bytes())
    }

    fn render(der: &[u8]) -> String {
        let (rest, n) = parse_name(der).expect("name parses");
        assert!(rest.is_empty());
        assert_eq!(n.as_raw(), der);
        dn_to_rfc4514(&n)
    }

    fn cns(der: &[u8]) -> Vec<String> {
        let (_, n) = parse_name(der).expect("name parses");
        name_common_names(&n)
    }

    #[test]
    fn order_is_reversed_and_separators_plain() {
        let der = name(&[
            rdn(&[atv(C, printable("GB"))]),
            rdn(&[atv(O, utf8("NHS"))]),
            rdn(&[atv(OU, utf8("BaRS"))]),
            rdn(&[atv(CN, utf8("host.nhs.uk"))]),
        ]);
        assert_eq!(render(&der), "CN=host.nhs.uk,OU=BaRS,O=NHS,C=GB");
        assert_eq!(cns(&der), vec!["host.nhs.uk"]);
    }

    #[test]
    fn empty_name_is_empty_string() {
        assert_eq!(render(&name(&[])), "");
        assert!(cns(&name(&[])).is_empty());
    }

    #[test]
    fn multi_valued_rdn_joined_with_plus_in_der_order() {
        let der = name(&[
            rdn(&[atv(C, printable("US"))]),
            rdn(&[atv(CN, utf8("fidelity.com")), atv(SERIAL, printable("042"))]),
        ]);
        assert_eq!(render(&der), "CN=fidelity.com+serialNumber=042,C=US");
    }

    #[test]
    fn special_characters_are_escaped() {
        let der = name(&[
            rdn(&[atv(O, utf8("GoDaddy.com, Inc."))]),
            rdn(&[atv(OU, utf8("a+b\"c\\d<e>f;g"))]),
            rdn(&[atv(CN, utf8("#lead and trail "))]),
        ]);
        assert_eq!(
            render(&der),
            "CN=\\#lead and trail\\ ,OU=a\\+b\\\"c\\\\d\\<e\\>f\\;g,O=GoDaddy.com\\, Inc."
        );
    }

    #[test]
    fn leading_space_nul_and_control_characters_are_escaped() {
        let der = name(&[rdn(&[atv(CN, utf8(" a\0b\x1fc\x7f#"))])]);
        assert_eq!(render(&der), "CN=\\ a\\00b\\1Fc\\7F#");
        // A lone space is both first and last: escaped once.
        let der = name(&[rdn(&[atv(CN, utf8(" "))])]);
        assert_eq!(render(&der), "CN=\\ ");
        // '=' and a non-leading '#' need no escape.
        let der = name(&[rdn(&[atv(CN, utf8("a=b#c"))])]);
        assert_eq!(render(&der), "CN=a=b#c");
    }

    #[test]
    fn non_ascii_is_kept_as_utf8() {
        let der = name(&[rdn(&[atv(CN, utf8("Főtanúsítvány İı"))])]);
        assert_eq!(render(&der), "CN=Főtanúsítvány İı");
    }

    #[test]
    fn printable_string_with_asterisk_accepted() {
        let der = name(&[rdn(&[atv(CN, printable("*.wordpress.com"))])]);
        assert_eq!(render(&der), "CN=*.wordpress.com");
        assert_eq!(cns(&der), vec!["*.wordpress.com"]);
    }

    #[test]
    fn each_string_type_decodes() {
        // T61String as Latin-1.
        let t61 = name(&[rdn(&[atv(CN, tlv(0x14, b"Jo\xe3o *.terra"))])]);
        assert_eq!(render(&t61), "CN=João *.terra");
        // IA5String.
        let ia5 = name(&[rdn(&[atv(EMAIL, tlv(0x16, b"a@b.example"))])]);
        assert_eq!(render(&ia5), "emailAddress=a@b.example");
        // VisibleString.
        let vis = name(&[rdn(&[atv(CN, tlv(0x1a, b"visible"))])]);
        assert_eq!(render(&vis), "CN=visible");
        // NumericString.
        let num = name(&[rdn(&[atv(SERIAL, tlv(0x12, b"0123 456"))])]);
        assert_eq!(render(&num), "serialNumber=0123 456");
        // BMPString: UTF-16BE, with a surrogate pair.
        let bmp: Vec<u8> = "Zürich 😀"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let bmp = name(&[rdn(&[atv(CN, tlv(0x1e, &bmp))])]);
        assert_eq!(render(&bmp), "CN=Zürich 😀");
        assert_eq!(cns(&bmp), vec!["Zürich 😀"]);
        // UniversalString: UTF-32BE.
        let uni: Vec<u8> = "Ωmega"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let uni = name(&[rdn(&[atv(CN, tlv(0x1c, &uni))])]);
        assert_eq!(render(&uni), "CN=Ωmega");
        // Latin-1 bytes in a PrintableString are read as Latin-1, like OpenSSL.
        let pr = name(&[rdn(&[atv(O, tlv(0x13, b"caf\xe9"))])]);
        assert_eq!(render(&pr), "O=café");
    }

    #[test]
    fn invalid_encodings_fall_back_to_hex() {
        // Odd-length BMPString.
        let der = name(&[rdn(&[atv(CN, tlv(0x1e, &[0x00, 0x41, 0x00]))])]);
        assert_eq!(render(&der), "CN=#1E03004100");
        // Lone surrogate in a BMPString.
        let der = name(&[rdn(&[atv(CN, tlv(0x1e, &[0xd8, 0x00]))])]);
        assert_eq!(render(&der), "CN=#1E02D800");
        // UniversalString beyond U+10FFFF and of bad length.
        let der = name(&[rdn(&[atv(CN, tlv(0x1c, &[0x00, 0x11, 0x00, 0x00]))])]);
        assert_eq!(render(&der), "CN=#1C0400110000");
        let der = name(&[rdn(&[atv(CN, tlv(0x1c, &[0x00, 0x00, 0x41]))])]);
        assert_eq!(render(&der), "CN=#1C03000041");
        assert_eq!(cns(&der), vec!["#1C03000041"]);
        // Invalid UTF-8 in a UTF8String.
        let der = name(&[rdn(&[atv(CN, tlv(0x0c, &[0x61, 0xff]))])]);
        assert_eq!(render(&der), "CN=#0C0261FF");
        // Non-string types: INTEGER, OCTET STRING, a SEQUENCE, a context tag.
        let der = name(&[rdn(&[atv(CN, tlv(0x02, &[0x01, 0x00]))])]);
        assert_eq!(render(&der), "CN=#02020100");
        let der = name(&[rdn(&[atv(O, tlv(0x04, b"ab"))])]);
        assert_eq!(render(&der), "O=#04026162");
        let der = name(&[rdn(&[atv(O, tlv(0x30, &utf8("x")))])]);
        assert_eq!(render(&der), "O=#30030C0178");
        let der = name(&[rdn(&[atv(O, tlv(0x80, b"z"))])]);
        assert_eq!(render(&der), "O=#80017A");
    }

    #[test]
    fn long_values_hex_with_long_length() {
        let long = vec![0xabu8; 200];
        let der = name(&[rdn(&[atv(CN, tlv(0x04, &long))])]);
        assert_eq!(render(&der), format!("CN=#0481C8{}", "AB".repeat(200)));
    }

    #[test]
    fn unknown_oid_is_dotted_with_hex_der_value() {
        // 1.2.3.4 with a UTF8String "hi".
        let der = name(&[
            rdn(&[atv(&[0x2a, 0x03, 0x04], utf8("hi"))]),
            rdn(&[atv(CN, utf8("x"))]),
        ]);
        assert_eq!(render(&der), "CN=x,1.2.3.4=#0C026869");
        // Large arcs: 1.3.6.1.4.1.311.21.8.4294967297 (beyond 32 bits).
        let der = name(&[rdn(&[atv(
            &[
                0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x90, 0x80, 0x80, 0x80, 0x01,
            ],
            printable("t"),
        )])]);
        assert_eq!(render(&der), "1.3.6.1.4.1.311.21.8.4294967297=#130174");
        // 2.999.1 (first subidentifier above 80).
        let der = name(&[rdn(&[atv(&[0x88, 0x37, 0x01], printable("t"))])]);
        assert_eq!(render(&der), "2.999.1=#130174");
    }

    #[test]
    fn openssl_short_names() {
        let der = name(&[
            rdn(&[atv(DC, tlv(0x16, b"uk"))]),
            rdn(&[atv(JUR_C, printable("GB"))]),
            rdn(&[atv(ORG_ID, utf8("NTRGB-123"))]),
            rdn(&[atv(STREET, utf8("1 Road"))]),
            rdn(&[atv(EMAIL, tlv(0x16, b"x@y"))]),
        ]);
        assert_eq!(
            render(&der),
            "emailAddress=x@y,street=1 Road,organizationIdentifier=NTRGB-123,jurisdictionC=GB,DC=uk"
        );
    }

    #[test]
    fn several_common_names_in_der_order() {
        let der = name(&[
            rdn(&[atv(CN, utf8("first"))]),
            rdn(&[atv(O, utf8("org")), atv(CN, tlv(0x14, b"sec\xf6nd"))]),
        ]);
        assert_eq!(cns(&der), vec!["first", "secönd"]);
        assert_eq!(render(&der), "O=org+CN=secönd,CN=first");
    }

    #[test]
    fn an_empty_rdn_keeps_the_rdns_after_it() {
        let empty = tlv(0x31, &[]);
        // C, {}, O, CN: x509-parser alone stops at the empty SET and loses O and CN.
        let der = name(&[
            rdn(&[atv(C, printable("GB"))]),
            empty.clone(),
            rdn(&[atv(O, utf8("Org"))]),
            rdn(&[atv(CN, utf8("host.example"))]),
        ]);
        let (_, x) = X509Name::from_der(&der).expect("name parses");
        assert_eq!(x.iter().count(), 1, "x509-parser's own view (the defect)");
        assert!(x.as_raw().len() < der.len(), "and its raw bytes stop early");
        assert_eq!(render(&der), "CN=host.example,O=Org,C=GB");
        // complete_name recovers the whole name from the buffer it lies in.
        let mut buffer = vec![0x04, 0x00];
        buffer.extend_from_slice(&der);
        let (_, inside) = X509Name::from_der(buffer.get(2..).expect("in range")).expect("parses");
        let whole = complete_name(&inside, &buffer);
        assert_eq!(whole.as_raw(), &der[..]);
        assert_eq!(dn_to_rfc4514(&whole), "CN=host.example,O=Org,C=GB");
        let (_, n) = parse_name(&der).expect("name parses");
        assert_eq!(n.iter().count(), 4);
        assert_eq!(name_common_names(&n), vec!["host.example"]);
        assert_eq!(cns(&der), vec!["host.example"]);
        assert_eq!(
            name_attributes(&n),
            vec![
                ("C".to_string(), "GB".to_string()),
                ("O".to_string(), "Org".to_string()),
                ("CN".to_string(), "host.example".to_string()),
            ]
        );
        // First, last, several, and nothing but empty RDNs.
        let der = name(&[empty.clone(), rdn(&[atv(CN, utf8("a"))]), empty.clone()]);
        assert_eq!(render(&der), "CN=a");
        assert_eq!(cns(&der), vec!["a"]);
        let der = name(&[
            empty.clone(),
            empty.clone(),
            rdn(&[atv(EMAIL, tlv(0x16, b"x@y"))]),
            empty.clone(),
            rdn(&[atv(O, utf8("o")), atv(CN, utf8("b"))]),
        ]);
        assert_eq!(render(&der), "O=o+CN=b,emailAddress=x@y");
        let (_, n) = parse_name(&der).expect("name parses");
        assert_eq!(name_emails(&n), vec!["x@y"]);
        assert_eq!(name_common_names(&n), vec!["b"]);
        let der = name(&[empty.clone(), empty]);
        assert_eq!(render(&der), "");
        assert!(cns(&der).is_empty());
    }

    #[test]
    fn a_name_the_walk_cannot_read_falls_back_to_x509_parsers_view() {
        // A SET holding a non-ATV (an INTEGER) after a good RDN: x509-parser keeps the
        // RDNs before it, and so do we (never less than before).
        let der = name(&[rdn(&[atv(CN, utf8("a"))]), tlv(0x31, &tlv(0x02, &[1]))]);
        let (_, x) = X509Name::from_der(&der).expect("x509-parser reads it");
        let (_, n) = parse_name(&der).expect("parse_name reads it");
        assert_eq!(n, x);
        assert_eq!(dn_to_rfc4514(&n), "CN=a");
        assert_eq!(name_common_names(&n), vec!["a"]);
    }

    #[test]
    fn an_escaped_dns_name_never_equals_a_host_name() {
        let host_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '*' | '_');
        for b in 0..=255u8 {
            let bytes = [b'a', b, b'.', b'e', b'x'];
            let shown = dns_name_text(&bytes);
            if (0x21..=0x7e).contains(&b) && b != b'\\' {
                assert_eq!(shown.as_bytes(), &bytes[..], "byte {b:#04x}");
            } else {
                assert_eq!(shown, format!("a\\x{b:02X}.ex"));
                assert!(!shown.chars().all(host_char), "{shown}");
            }
            assert!(shown.is_ascii());
        }
        assert_eq!(
            dns_name_text(b"caf\xc3\xa9.example"),
            "caf\\xC3\\xA9.example"
        );
        assert_eq!(dns_name_text(b"x\xe9y.example"), "x\\xE9y.example");
        assert_eq!(dns_name_text(b"a\\x41.example"), "a\\x5Cx41.example");
        assert_eq!(dns_name_text(b"\0"), "\\x00");
        assert_eq!(dns_name_text(b""), "");
        assert_eq!(
            dns_name_text(b"*.BaRS-INT-X26.nhs.uk"),
            "*.BaRS-INT-X26.nhs.uk"
        );
    }

    #[test]
    fn mutated_names_never_panic() {
        let base = name(&[
            rdn(&[atv(C, printable("GB"))]),
            rdn(&[
                atv(CN, tlv(0x1e, &[0x00, 0x41])),
                atv(O, tlv(0x1c, &[0, 0, 0, 0x42])),
            ]),
            rdn(&[atv(&[0x2a, 0x03], tlv(0x0c, b"x,y"))]),
            rdn(&[atv(EMAIL, tlv(0x16, b" #\\"))]),
        ]);
        let mut rendered = 0;
        for pos in 0..base.len() {
            for v in [0x00u8, 0x01, 0x1f, 0x30, 0x7f, 0x80, 0x81, 0xff] {
                let mut m = base.clone();
                m[pos] = v;
                if let Ok((_, n)) = X509Name::from_der(&m) {
                    let _ = dn_to_rfc4514(&n);
                    let _ = name_common_names(&n);
                    rendered += 1;
                }
                if let Some((_, n)) = parse_name(&m) {
                    let _ = dn_to_rfc4514(&n);
                    let _ = name_common_names(&n);
                    let _ = complete_name(&n, &m);
                }
            }
        }
        assert!(rendered > 50, "only {rendered} mutants parsed");
    }
}
