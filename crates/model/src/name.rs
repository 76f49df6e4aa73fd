//! Distinguished names: RFC 4514 rendering and CN extraction.

use x509_parser::x509::X509Name;

/// RFC 4514 string of a name: RDNs most specific first, `,` between RDNs, `+` inside a
/// multi-valued RDN, special characters escaped, unknown attribute types as `1.2.3=#hex`.
pub fn dn_to_rfc4514(name: &X509Name<'_>) -> String {
    let _ = name;
    String::new()
}

/// Every commonName value in the name, decoded to UTF-8, in DER order.
pub fn name_common_names(name: &X509Name<'_>) -> Vec<String> {
    let _ = name;
    Vec::new()
}
