//! Distinguished names the way the NHS PKI writes them.
//!
//! Real NHS CA and endpoint names are all `PrintableString` (check with
//! `openssl asn1parse`), and issuer/subject are compared as DER bytes, so the string type
//! matters. [`printable`] builds such names; [`utf8`] builds names the way `openssl req`
//! does by default (`UTF8String`), which is what a supplier's CSR usually holds.
//!
//! Entries are given in **DER order** (the order they are encoded), which is the reverse
//! of the RFC 4514 string: `CN=x,OU=Devices,O=nhs` is `[(O, "nhs"), (OU, "Devices"), (CN, x)]`.

use super::{MintError as Error, Result};
use rcgen::string::{Ia5String, PrintableString};
use rcgen::{DistinguishedName, DnType, DnValue};

/// OID of the PKCS#9 `emailAddress` attribute (1.2.840.113549.1.9.1).
pub const EMAIL_ADDRESS_OID: &[u64] = &[1, 2, 840, 113549, 1, 9, 1];

/// One attribute of a name, before encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attr<'a> {
    /// countryName
    C(&'a str),
    /// organizationName
    O(&'a str),
    /// organizationalUnitName
    Ou(&'a str),
    /// commonName
    Cn(&'a str),
    /// emailAddress (always `IA5String`, as openssl writes it)
    Email(&'a str),
}

/// A name whose string attributes are `PrintableString` (like every real NHS name);
/// a value that does not fit PrintableString is refused.
pub fn printable(entries: &[Attr<'_>]) -> Result<DistinguishedName> {
    build(entries, |value| {
        PrintableString::try_from(value)
            .map(DnValue::PrintableString)
            .map_err(|e| Error::BadName {
                what: "a PrintableString",
                value: value.to_owned(),
                reason: e.to_string(),
            })
    })
}

/// A name whose string attributes are `UTF8String` (openssl's default `string_mask`).
pub fn utf8(entries: &[Attr<'_>]) -> Result<DistinguishedName> {
    build(entries, |value| Ok(DnValue::Utf8String(value.to_owned())))
}

/// The subject of an NHS endpoint certificate: `CN=<fqdn>,OU=Devices,O=nhs`
/// (DER order O, OU, CN), PrintableString.
pub fn nhs_device(fqdn: &str) -> Result<DistinguishedName> {
    printable(&[Attr::O("nhs"), Attr::Ou("Devices"), Attr::Cn(fqdn)])
}

/// The subject of a CA in the NHS style: `CN=<cn>,OU=CA,O=<org>,C=GB`, PrintableString.
pub fn ca(cn: &str, org: &str) -> Result<DistinguishedName> {
    printable(&[Attr::C("GB"), Attr::O(org), Attr::Ou("CA"), Attr::Cn(cn)])
}

/// A CN-only subject as `openssl req -subj /CN=<cn>` writes it (UTF8String): what the
/// BaRS onboarding guide asks a CSR to hold.
pub fn cn_only(cn: &str) -> Result<DistinguishedName> {
    utf8(&[Attr::Cn(cn)])
}

fn build(
    entries: &[Attr<'_>],
    string: impl Fn(&str) -> Result<DnValue>,
) -> Result<DistinguishedName> {
    let mut dn = DistinguishedName::new();
    for entry in entries {
        let (ty, value) = match entry {
            Attr::C(v) => (DnType::CountryName, string(v)?),
            Attr::O(v) => (DnType::OrganizationName, string(v)?),
            Attr::Ou(v) => (DnType::OrganizationalUnitName, string(v)?),
            Attr::Cn(v) => (DnType::CommonName, string(v)?),
            Attr::Email(v) => (
                DnType::CustomDnType(EMAIL_ADDRESS_OID.to_vec()),
                DnValue::Ia5String(Ia5String::try_from(*v).map_err(|e| Error::BadName {
                    what: "an emailAddress",
                    value: (*v).to_owned(),
                    reason: e.to_string(),
                })?),
            ),
        };
        if dn.get(&ty).is_some() {
            return Err(Error::BadName {
                what: "a name attribute",
                value: format!("{ty:?}"),
                reason: "given twice (rcgen keeps one value per attribute type)".to_owned(),
            });
        }
        dn.push(ty, value);
    }
    Ok(dn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_device_is_der_ordered_and_printable() {
        let dn = nhs_device("BaRS-INT-X26.Supplier.thirdparty.nhs.uk").unwrap();
        let got: Vec<_> = dn.iter().map(|(t, v)| (t.clone(), v.clone())).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0, DnType::OrganizationName);
        assert_eq!(got[1].0, DnType::OrganizationalUnitName);
        assert_eq!(got[2].0, DnType::CommonName);
        assert!(got
            .iter()
            .all(|(_, v)| matches!(v, DnValue::PrintableString(_))));
    }

    #[test]
    fn printable_refuses_what_does_not_fit() {
        let err = printable(&[Attr::Cn("a_b")]).unwrap_err();
        assert!(err.to_string().contains("a_b"), "{err}");
        assert!(utf8(&[Attr::Cn("a_b")]).is_ok());
    }

    #[test]
    fn duplicate_attribute_refused() {
        assert!(printable(&[Attr::Cn("a"), Attr::Cn("b")]).is_err());
    }
}
