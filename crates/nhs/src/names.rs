//! BaRS endpoint naming rules and DNS name comparison.
//!
//! - INT: `BaRS-INT-<ODS>.<Supplier>.thirdparty.nhs.uk`
//! - PROD supplier-hosted: `BaRS-PROD-<ODS>.<Supplier>.thirdparty.nhs.uk`
//! - PROD provider-hosted: `BaRS-PROD-<ODS>[setting].<Provider>[.<more labels>].nhs.uk`
//!
//! DNS names compare case-insensitively and one trailing dot is tolerated.

use crate::Environment;
use serde::Serialize;
use std::fmt;

/// Who hosts a BaRS endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Hosting {
    /// Supplier-hosted (multi-tenant): `….<Supplier>.thirdparty.nhs.uk`.
    Supplier,
    /// Service-provider-hosted: `….<Provider>[.…].nhs.uk` (PROD only).
    Provider,
}

/// A name that has the BaRS shape, split into its parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BarsName {
    /// From the `BaRS-INT-` / `BaRS-PROD-` prefix.
    pub env: Environment,
    /// The ODS code as written (case preserved).
    pub ods_code: String,
    /// A provider-hosted setting suffix written after `-` (`ED` in `BaRS-PROD-RRK-ED…`).
    pub setting_suffix: Option<String>,
    /// Supplier- or provider-hosted.
    pub hosting: Hosting,
    /// The supplier or provider label (`Supplier`, `uhb`).
    pub organisation: String,
    /// The name as given, without a trailing dot.
    pub fqdn: String,
}

impl fmt::Display for BarsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fqdn)
    }
}

/// Why one DNS label is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelProblem {
    /// Two dots in a row, or a leading dot.
    Empty,
    /// Longer than 63 characters.
    TooLong(usize),
    /// A character other than a letter, digit or hyphen.
    BadChar(char),
    /// Starts with `-`.
    LeadingHyphen,
    /// Ends with `-`.
    TrailingHyphen,
}

impl fmt::Display for LabelProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelProblem::Empty => f.write_str("it is empty (two dots in a row or a leading dot)"),
            LabelProblem::TooLong(n) => write!(f, "it is {n} characters long; the limit is 63"),
            LabelProblem::BadChar(c) if c.is_ascii() => write!(
                f,
                "it contains {c:?}; only letters, digits and hyphens are allowed"
            ),
            LabelProblem::BadChar(c) => write!(
                f,
                "it contains the non-ASCII character {c:?}; write internationalised labels in \
                 punycode (xn--…)"
            ),
            LabelProblem::LeadingHyphen => f.write_str("it starts with a hyphen"),
            LabelProblem::TrailingHyphen => f.write_str("it ends with a hyphen"),
        }
    }
}

/// Why an ODS-code label part is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OdsProblem {
    /// Nothing after the prefix.
    Missing,
    /// Not only letters and digits.
    NotAlphanumeric,
    /// Outside the accepted length.
    Length(usize),
    /// A setting suffix where none is allowed (INT, or supplier-hosted PROD).
    SuffixNotAllowed,
    /// A setting suffix that is empty or not letters and digits.
    BadSuffix,
}

/// Why a name is not a well-formed BaRS endpoint FQDN. `Display` says what is wrong and
/// what the right shape is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameProblem {
    /// The name is empty.
    Empty,
    /// Longer than 253 characters (without the trailing dot).
    TooLong(usize),
    /// One label is not a valid DNS label.
    BadLabel {
        /// The label as written.
        label: String,
        /// What is wrong with it.
        problem: LabelProblem,
    },
    /// Not under `nhs.uk`.
    NotNhsUk,
    /// The first label does not start with `BaRS-INT-` or `BaRS-PROD-`.
    NoBarsPrefix {
        /// The first label as written.
        first_label: String,
    },
    /// The ODS code part of the first label is wrong.
    BadOdsCode {
        /// What follows the prefix, as written.
        found: String,
        /// The environment the prefix named.
        env: Environment,
        /// What is wrong.
        problem: OdsProblem,
    },
    /// An INT name that is not under `.thirdparty.nhs.uk`.
    IntMustBeThirdparty,
    /// No supplier or provider label between the BaRS label and the domain.
    MissingOrganisation {
        /// The environment the prefix named.
        env: Environment,
    },
    /// A `.thirdparty.nhs.uk` name with more than one label between the BaRS label and
    /// `thirdparty`.
    ExtraThirdpartyLabels,
}

const INT_SHAPE: &str = "BaRS-INT-<ODS code>.<Supplier name>.thirdparty.nhs.uk";
const PROD_SHAPES: &str = "BaRS-PROD-<ODS code>.<Supplier name>.thirdparty.nhs.uk \
    (supplier-hosted) or BaRS-PROD-<ODS code>[-<setting>].<Provider name>.nhs.uk \
    (provider-hosted)";

/// The BaRS FQDN shape(s) for `env`, as the onboarding guide writes them (for fix texts).
/// `public` has no BaRS shape and gives both NHS shapes.
pub fn expected_shape(env: Environment) -> &'static str {
    match env {
        Environment::Int => INT_SHAPE,
        Environment::Prod => PROD_SHAPES,
        _ => BOTH_SHAPES,
    }
}

const BOTH_SHAPES: &str = "BaRS-INT-<ODS code>.<Supplier name>.thirdparty.nhs.uk (INT), \
    BaRS-PROD-<ODS code>.<Supplier name>.thirdparty.nhs.uk or \
    BaRS-PROD-<ODS code>[-<setting>].<Provider name>.nhs.uk (PROD)";

fn shape(env: Environment) -> &'static str {
    expected_shape(env)
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Empty => write!(
                f,
                "the name is empty; expected {INT_SHAPE} or {PROD_SHAPES}"
            ),
            NameProblem::TooLong(n) => {
                write!(
                    f,
                    "the name is {n} characters long; a DNS name is at most 253"
                )
            }
            NameProblem::BadLabel { label, problem } => {
                write!(f, "the label {label:?} is not a valid DNS label: {problem}")
            }
            NameProblem::NotNhsUk => write!(
                f,
                "the name is not under nhs.uk; NHS certificates are only issued for nhs.uk \
                 names such as {INT_SHAPE}"
            ),
            NameProblem::NoBarsPrefix { first_label } => write!(
                f,
                "the first label {first_label:?} does not start with BaRS-INT- or BaRS-PROD-; \
                 expected {BOTH_SHAPES}"
            ),
            NameProblem::BadOdsCode {
                found,
                env,
                problem,
            } => {
                let what = match problem {
                    OdsProblem::Missing => "there is no ODS code after the prefix".to_string(),
                    OdsProblem::NotAlphanumeric => {
                        format!("the ODS code {found:?} is not only letters and digits")
                    }
                    OdsProblem::Length(n) => format!(
                        "the ODS code {found:?} is {n} character{} long; ODS codes are 3 to 10 \
                         letters and digits",
                        if *n == 1 { "" } else { "s" }
                    ),
                    OdsProblem::SuffixNotAllowed => format!(
                        "{found:?} carries a setting suffix, which only provider-hosted PROD \
                         names (….<Provider>.nhs.uk) may have"
                    ),
                    OdsProblem::BadSuffix => format!(
                        "the setting suffix in {found:?} is empty or not letters and digits"
                    ),
                };
                write!(f, "{what}; expected {}", shape(*env))
            }
            NameProblem::IntMustBeThirdparty => write!(
                f,
                "INT names must be supplier-hosted under .thirdparty.nhs.uk; expected {INT_SHAPE}"
            ),
            NameProblem::MissingOrganisation { env } => write!(
                f,
                "there is no supplier or provider label before the domain; expected {}",
                shape(*env)
            ),
            NameProblem::ExtraThirdpartyLabels => write!(
                f,
                "exactly one supplier label goes between the BaRS label and .thirdparty.nhs.uk; \
                 expected BaRS-<INT|PROD>-<ODS code>.<Supplier name>.thirdparty.nhs.uk"
            ),
        }
    }
}

impl std::error::Error for NameProblem {}

/// Strips one trailing dot.
fn strip_dot(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// Checks one DNS label: LDH, 1–63 characters, no leading or trailing hyphen.
pub fn check_dns_label(label: &str) -> Result<(), LabelProblem> {
    if label.is_empty() {
        return Err(LabelProblem::Empty);
    }
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(LabelProblem::BadChar(c));
    }
    if label.len() > 63 {
        return Err(LabelProblem::TooLong(label.len()));
    }
    if label.starts_with('-') {
        return Err(LabelProblem::LeadingHyphen);
    }
    if label.ends_with('-') {
        return Err(LabelProblem::TrailingHyphen);
    }
    Ok(())
}

/// What the BaRS naming rules say of a name a CSR is about to be made for (`csr new`):
/// the environment whose next steps apply, and why the name is refused, if it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrName {
    /// The environment: `forced`, else the name's own (`BaRS-INT-`/`BaRS-PROD-`).
    pub env: Option<Environment>,
    /// Why the NHS would refuse to sign a request for this name.
    pub problem: Option<String>,
}

/// Judges `fqdn` for a CSR against the rules of `forced` (an `--env`), or of the
/// environment its prefix names.
pub fn judge_csr_name(fqdn: &str, forced: Option<Environment>) -> CsrName {
    match parse_bars_fqdn(fqdn) {
        Ok(name) => match forced {
            Some(want) if want != name.env => CsrName {
                env: Some(want),
                problem: Some(format!(
                    "{fqdn} is named for {} (BaRS-{}-…), but --env {} was given; {} names look like {}",
                    name.env.as_str().to_uppercase(),
                    name.env.as_str().to_uppercase(),
                    want.as_str(),
                    want.as_str().to_uppercase(),
                    expected_shape(want)
                )),
            },
            _ => CsrName {
                env: Some(name.env),
                problem: None,
            },
        },
        Err(problem) => {
            let mut reason = problem.to_string();
            if let Some(want) = forced {
                if !reason.contains("expected") {
                    reason.push_str(&format!("; expected {}", expected_shape(want)));
                }
            }
            CsrName {
                env: forced.or_else(|| env_from_fqdn(fqdn)),
                problem: Some(reason),
            }
        }
    }
}

/// True when `name` is `nhs.uk` or ends with `.nhs.uk` (ASCII case-insensitive, one
/// trailing dot tolerated). `evilnhs.uk` is not.
pub fn is_under_nhs_uk(name: &str) -> bool {
    let n = strip_dot(name).to_ascii_lowercase();
    n == "nhs.uk" || n.ends_with(".nhs.uk")
}

/// The environment named by a `BaRS-INT-` / `BaRS-PROD-` prefix (ASCII case-insensitive),
/// from the prefix alone.
pub fn env_from_fqdn(name: &str) -> Option<Environment> {
    let b = name.as_bytes();
    let has = |prefix: &str| {
        b.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    if has("bars-int-") {
        Some(Environment::Int)
    } else if has("bars-prod-") {
        Some(Environment::Prod)
    } else {
        None
    }
}

/// True when certificate name `pattern` covers host `name`: ASCII case-insensitive, one
/// trailing dot tolerated on either. A single left-most `*` label matches exactly one
/// non-empty label (never across dots); any other `*` (`f*o.example`, `a.*.example`)
/// matches nothing.
pub fn dns_name_matches(pattern: &str, name: &str) -> bool {
    let p = strip_dot(pattern).to_ascii_lowercase();
    let n = strip_dot(name).to_ascii_lowercase();
    if p.is_empty() || n.is_empty() || n.contains('*') || n.split('.').any(str::is_empty) {
        return false;
    }
    match p.strip_prefix("*.") {
        Some(rest) => {
            if rest.is_empty() || rest.contains('*') || rest.split('.').any(str::is_empty) {
                return false;
            }
            match n.split_once('.') {
                Some((first, tail)) => !first.is_empty() && tail == rest,
                None => false,
            }
        }
        None => !p.contains('*') && p == n,
    }
}

const ODS_MIN: usize = 3;
const ODS_MAX: usize = 10;

fn check_ods(found: &str, env: Environment) -> Result<(), NameProblem> {
    let bad = |problem| NameProblem::BadOdsCode {
        found: found.to_string(),
        env,
        problem,
    };
    if found.is_empty() {
        return Err(bad(OdsProblem::Missing));
    }
    if !found.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad(OdsProblem::NotAlphanumeric));
    }
    if !(ODS_MIN..=ODS_MAX).contains(&found.len()) {
        return Err(bad(OdsProblem::Length(found.len())));
    }
    Ok(())
}

/// Parses a BaRS endpoint FQDN (see the module documentation for the shapes).
pub fn parse_bars_fqdn(name: &str) -> Result<BarsName, NameProblem> {
    // No trimming: a CN with stray whitespace is itself a problem worth reporting.
    let fqdn = strip_dot(name);
    if fqdn.is_empty() {
        return Err(NameProblem::Empty);
    }
    if fqdn.len() > 253 {
        return Err(NameProblem::TooLong(fqdn.len()));
    }
    let labels: Vec<&str> = fqdn.split('.').collect();
    for (i, l) in labels.iter().enumerate() {
        match check_dns_label(l) {
            Ok(()) => {}
            // `BaRS-INT-` / `BaRS-PROD-RRK-`: the ODS checks below say what is missing.
            Err(LabelProblem::TrailingHyphen) if i == 0 && env_from_fqdn(l).is_some() => {}
            Err(problem) => {
                return Err(NameProblem::BadLabel {
                    label: (*l).to_string(),
                    problem,
                })
            }
        }
    }
    if !is_under_nhs_uk(fqdn) {
        return Err(NameProblem::NotNhsUk);
    }
    let (first, rest) = match labels.split_first() {
        Some((f, r)) => (*f, r),
        None => return Err(NameProblem::Empty),
    };
    let env = env_from_fqdn(first).ok_or_else(|| NameProblem::NoBarsPrefix {
        first_label: first.to_string(),
    })?;
    let prefix_len = match env {
        Environment::Int => 9,
        _ => 10,
    };
    let ods_part = first.get(prefix_len..).unwrap_or_default();
    // Labels between the BaRS label and the domain.
    let lower: Vec<String> = rest.iter().map(|l| l.to_ascii_lowercase()).collect();
    let thirdparty = lower.len() >= 3
        && lower
            .get(lower.len() - 3..)
            .is_some_and(|t| t == ["thirdparty", "nhs", "uk"]);

    if thirdparty || env == Environment::Int {
        if !thirdparty {
            return Err(NameProblem::IntMustBeThirdparty);
        }
        // rest = [supplier, thirdparty, nhs, uk]
        let between = rest.len() - 3;
        if between == 0 {
            return Err(NameProblem::MissingOrganisation { env });
        }
        if between > 1 {
            return Err(NameProblem::ExtraThirdpartyLabels);
        }
        if ods_part.contains('-') {
            // Check the code before the hyphen first, so a bad code is reported as such.
            let code = ods_part.split('-').next().unwrap_or_default();
            check_ods(code, env)?;
            return Err(NameProblem::BadOdsCode {
                found: ods_part.to_string(),
                env,
                problem: OdsProblem::SuffixNotAllowed,
            });
        }
        check_ods(ods_part, env)?;
        let organisation = rest.first().map(|s| (*s).to_string()).unwrap_or_default();
        return Ok(BarsName {
            env,
            ods_code: ods_part.to_string(),
            setting_suffix: None,
            hosting: Hosting::Supplier,
            organisation,
            fqdn: fqdn.to_string(),
        });
    }

    // PROD provider-hosted: rest = [provider, more…, nhs, uk]
    if rest.len() < 3 {
        return Err(NameProblem::MissingOrganisation { env });
    }
    let (code, suffix) = match ods_part.split_once('-') {
        Some((code, suffix)) => (code, Some(suffix)),
        None => (ods_part, None),
    };
    check_ods(code, env)?;
    if let Some(s) = suffix {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(NameProblem::BadOdsCode {
                found: ods_part.to_string(),
                env,
                problem: OdsProblem::BadSuffix,
            });
        }
    }
    let organisation = rest.first().map(|s| (*s).to_string()).unwrap_or_default();
    Ok(BarsName {
        env,
        ods_code: code.to_string(),
        setting_suffix: suffix.map(str::to_string),
        hosting: Hosting::Provider,
        organisation,
        fqdn: fqdn.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_names_are_judged_per_environment() {
        let int = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
        let prod = "BaRS-PROD-RRK.Supplier.thirdparty.nhs.uk";
        let ok = |env| CsrName {
            env: Some(env),
            problem: None,
        };
        assert_eq!(judge_csr_name(int, None), ok(Environment::Int));
        assert_eq!(
            judge_csr_name(int, Some(Environment::Int)),
            ok(Environment::Int)
        );
        assert_eq!(judge_csr_name(prod, None), ok(Environment::Prod));
        let j = judge_csr_name(prod, Some(Environment::Int));
        assert_eq!(j.env, Some(Environment::Int));
        assert!(j
            .problem
            .unwrap_or_default()
            .contains("is named for PROD (BaRS-PROD-…), but --env int"));
        let j = judge_csr_name(int, Some(Environment::Prod));
        assert!(j.problem.unwrap_or_default().contains("is named for INT"));
        let j = judge_csr_name("receiver.example.com", None);
        assert!(j.problem.unwrap_or_default().contains("not under nhs.uk"));
        let j = judge_csr_name("BaRS-INT-X26.Supplier.nhs.uk", None);
        assert!(j.problem.unwrap_or_default().contains("thirdparty"));
        let j = judge_csr_name("www.example.nhs.uk", Some(Environment::Prod));
        assert_eq!(j.env, Some(Environment::Prod));
        assert!(j.problem.unwrap_or_default().contains("BaRS-PROD-"));
    }

    fn ok(name: &str) -> BarsName {
        parse_bars_fqdn(name).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn bad(name: &str) -> NameProblem {
        match parse_bars_fqdn(name) {
            Ok(n) => panic!("{name} accepted as {n:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn int_good_names() {
        let n = ok("BaRS-INT-X26.Supplier.thirdparty.nhs.uk");
        assert_eq!(n.env, Environment::Int);
        assert_eq!(n.ods_code, "X26");
        assert_eq!(n.setting_suffix, None);
        assert_eq!(n.hosting, Hosting::Supplier);
        assert_eq!(n.organisation, "Supplier");
        assert_eq!(n.fqdn, "BaRS-INT-X26.Supplier.thirdparty.nhs.uk");
        let n = ok("bars-int-x26.supplier.thirdparty.nhs.uk");
        assert_eq!((n.env, n.ods_code.as_str()), (Environment::Int, "x26"));
        let n = ok("BARS-INT-A12345.BarsReceiver.THIRDPARTY.NHS.UK.");
        assert_eq!(n.fqdn, "BARS-INT-A12345.BarsReceiver.THIRDPARTY.NHS.UK");
        assert_eq!(n.organisation, "BarsReceiver");
        assert_eq!(n.to_string(), n.fqdn);
        ok("BaRS-INT-RRK01.xn--bcher-kva.thirdparty.nhs.uk");
    }

    #[test]
    fn prod_good_names() {
        let n = ok("BaRS-PROD-X26.Supplier.thirdparty.nhs.uk");
        assert_eq!((n.env, n.hosting), (Environment::Prod, Hosting::Supplier));
        let n = ok("BaRS-PROD-RRK01.uhb.nhs.uk");
        assert_eq!(
            (n.hosting, n.ods_code.as_str(), n.setting_suffix.as_deref()),
            (Hosting::Provider, "RRK01", None)
        );
        assert_eq!(n.organisation, "uhb");
        let n = ok("BaRS-PROD-RRK-ED.uhb.nhs.uk");
        assert_eq!(
            (n.ods_code.as_str(), n.setting_suffix.as_deref()),
            ("RRK", Some("ED"))
        );
        let n = ok("BaRS-PROD-RRK01-ED.uhb.nhs.uk");
        assert_eq!(
            (n.ods_code.as_str(), n.setting_suffix.as_deref()),
            ("RRK01", Some("ED"))
        );
        let n = ok("BaRS-PROD-RRK.birmingham.west-midlands.nhs.uk");
        assert_eq!(
            (n.hosting, n.organisation.as_str()),
            (Hosting::Provider, "birmingham")
        );
        let n = ok("bars-prod-rrk.UHB.NHS.UK.");
        assert_eq!(n.fqdn, "bars-prod-rrk.UHB.NHS.UK");
    }

    #[test]
    fn int_must_be_thirdparty() {
        assert_eq!(
            bad("BaRS-INT-X26.Supplier.nhs.uk"),
            NameProblem::IntMustBeThirdparty
        );
        assert_eq!(
            bad("BaRS-INT-X26.a.b.nhs.uk"),
            NameProblem::IntMustBeThirdparty
        );
        assert_eq!(bad("BaRS-INT-X26.nhs.uk"), NameProblem::IntMustBeThirdparty);
        let msg = NameProblem::IntMustBeThirdparty.to_string();
        assert!(
            msg.contains("BaRS-INT-<ODS code>.<Supplier name>.thirdparty.nhs.uk"),
            "{msg}"
        );
    }

    #[test]
    fn not_nhs_uk() {
        assert_eq!(
            bad("BaRS-INT-X26.Supplier.thirdparty.nhs.uk.evil.com"),
            NameProblem::NotNhsUk
        );
        assert_eq!(bad("BaRS-INT-X26.evilnhs.uk"), NameProblem::NotNhsUk);
        assert_eq!(bad("BaRS-PROD-X26.example.com"), NameProblem::NotNhsUk);
        assert!(bad("localhost").to_string().contains("not under nhs.uk"));
    }

    #[test]
    fn missing_prefix() {
        assert!(
            matches!(bad("int.api.service.nhs.uk"), NameProblem::NoBarsPrefix { first_label } if first_label == "int")
        );
        assert!(matches!(
            bad("BaRS-DEV-X26.Supplier.thirdparty.nhs.uk"),
            NameProblem::NoBarsPrefix { .. }
        ));
        assert!(matches!(
            bad("BaRSINTX26.Supplier.thirdparty.nhs.uk"),
            NameProblem::NoBarsPrefix { .. }
        ));
        assert!(matches!(bad("nhs.uk"), NameProblem::NoBarsPrefix { .. }));
        // Whitespace is not trimmed away: a CN with a stray space is wrong.
        assert!(matches!(
            bad(" BaRS-INT-X26.s.thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::BadChar(' '),
                ..
            }
        ));
        assert!(matches!(
            bad("BaRS-INT-X26.s.thirdparty.nhs.uk "),
            NameProblem::BadLabel {
                problem: LabelProblem::BadChar(' '),
                ..
            }
        ));
    }

    #[test]
    fn bad_ods_codes() {
        let p = |n: &str| match bad(n) {
            NameProblem::BadOdsCode { problem, .. } => problem,
            other => panic!("{n}: {other:?}"),
        };
        assert_eq!(
            p("BaRS-INT-.Supplier.thirdparty.nhs.uk"),
            OdsProblem::Missing
        );
        assert_eq!(
            p("BaRS-INT-X2.Supplier.thirdparty.nhs.uk"),
            OdsProblem::Length(2)
        );
        assert_eq!(
            p("BaRS-INT-ABCDEFGHIJK.Supplier.thirdparty.nhs.uk"),
            OdsProblem::Length(11)
        );
        // INT never carries a setting suffix; nor does supplier-hosted PROD.
        assert_eq!(
            p("BaRS-INT-X26-ED.Supplier.thirdparty.nhs.uk"),
            OdsProblem::SuffixNotAllowed
        );
        assert_eq!(
            p("BaRS-PROD-X26-ED.Supplier.thirdparty.nhs.uk"),
            OdsProblem::SuffixNotAllowed
        );
        assert_eq!(p("BaRS-PROD-RRK-.uhb.nhs.uk"), OdsProblem::BadSuffix);
        assert_eq!(p("BaRS-PROD-.uhb.nhs.uk"), OdsProblem::Missing);
        assert_eq!(
            p("BaRS-INT-X26-.s.thirdparty.nhs.uk"),
            OdsProblem::SuffixNotAllowed
        );
        assert_eq!(
            p("BaRS-PROD-X26-.s.thirdparty.nhs.uk"),
            OdsProblem::SuffixNotAllowed
        );
        assert!(matches!(
            bad("BaRS-INT-X!6.s.thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::BadChar('!'),
                ..
            }
        ));
        assert_eq!(p("BaRS-PROD-RRK-E-D.uhb.nhs.uk"), OdsProblem::BadSuffix);
        assert_eq!(p("BaRS-PROD--ED.uhb.nhs.uk"), OdsProblem::Missing);
        let msg = bad("BaRS-INT-X26-ED.Supplier.thirdparty.nhs.uk").to_string();
        assert!(
            msg.contains("setting suffix") && msg.contains("expected BaRS-INT-"),
            "{msg}"
        );
    }

    #[test]
    fn bad_labels() {
        let long = "a".repeat(64);
        let name = format!("BaRS-INT-X26.{long}.thirdparty.nhs.uk");
        assert_eq!(
            bad(&name),
            NameProblem::BadLabel {
                label: long.clone(),
                problem: LabelProblem::TooLong(64)
            }
        );
        let ok63 = format!("BaRS-INT-X26.{}.thirdparty.nhs.uk", "a".repeat(63));
        ok(&ok63);
        assert!(matches!(
            bad("BaRS-INT-X26.Sup_plier.thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::BadChar('_'),
                ..
            }
        ));
        assert!(matches!(
            bad("BaRS-INT-X26.-supplier.thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::LeadingHyphen,
                ..
            }
        ));
        assert!(matches!(
            bad("BaRS-INT-X26.supplier-.thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::TrailingHyphen,
                ..
            }
        ));
        assert!(matches!(
            bad("BaRS-INT-X26..thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::Empty,
                ..
            }
        ));
        assert!(matches!(
            bad("BaRS-INT-X26.bücher.thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::BadChar('ü'),
                ..
            }
        ));
        assert!(bad("BaRS-INT-X26.bücher.thirdparty.nhs.uk")
            .to_string()
            .contains("punycode"));
        assert!(matches!(
            bad("BaRS-INT-X26.supplier.thirdparty.nhs.uk.."),
            NameProblem::BadLabel {
                problem: LabelProblem::Empty,
                ..
            }
        ));
        assert!(matches!(
            bad("*.supplier.thirdparty.nhs.uk"),
            NameProblem::BadLabel {
                problem: LabelProblem::BadChar('*'),
                ..
            }
        ));
        let huge = format!(
            "BaRS-INT-X26.{}.thirdparty.nhs.uk",
            vec!["a".repeat(60); 4].join(".")
        );
        assert!(matches!(bad(&huge), NameProblem::TooLong(_)));
    }

    #[test]
    fn empty_and_shape_problems() {
        assert_eq!(bad(""), NameProblem::Empty);
        assert_eq!(bad("."), NameProblem::Empty);
        assert_eq!(
            bad("BaRS-INT-X26.thirdparty.nhs.uk"),
            NameProblem::MissingOrganisation {
                env: Environment::Int
            }
        );
        assert_eq!(
            bad("BaRS-PROD-X26.thirdparty.nhs.uk"),
            NameProblem::MissingOrganisation {
                env: Environment::Prod
            }
        );
        assert_eq!(
            bad("BaRS-PROD-RRK.nhs.uk"),
            NameProblem::MissingOrganisation {
                env: Environment::Prod
            }
        );
        assert_eq!(
            bad("BaRS-PROD-X26.a.b.thirdparty.nhs.uk"),
            NameProblem::ExtraThirdpartyLabels
        );
        assert!(NameProblem::MissingOrganisation {
            env: Environment::Prod
        }
        .to_string()
        .contains("Provider name"));
    }

    #[test]
    fn shapes_for_fix_texts() {
        assert_eq!(
            expected_shape(Environment::Int),
            "BaRS-INT-<ODS code>.<Supplier name>.thirdparty.nhs.uk"
        );
        assert!(expected_shape(Environment::Prod).contains("<Provider name>.nhs.uk"));
        assert!(expected_shape(Environment::Public).contains("BaRS-INT-"));
        assert!(bad("").to_string().contains("BaRS-PROD-"));
    }

    #[test]
    fn under_nhs_uk() {
        for yes in [
            "nhs.uk",
            "NHS.UK",
            "nhs.uk.",
            "a.nhs.uk",
            "BaRS-INT-X26.S.thirdparty.NHS.uk.",
        ] {
            assert!(is_under_nhs_uk(yes), "{yes}");
        }
        for no in [
            "evilnhs.uk",
            "nhs.uk.evil.com",
            "nhs.ukk",
            "uk",
            "",
            "nhs-uk",
            "a.nhs.uk..",
        ] {
            assert!(!is_under_nhs_uk(no), "{no}");
        }
    }

    #[test]
    fn env_prefix() {
        assert_eq!(
            env_from_fqdn("BaRS-INT-X26.s.thirdparty.nhs.uk"),
            Some(Environment::Int)
        );
        assert_eq!(env_from_fqdn("bars-int-x"), Some(Environment::Int));
        assert_eq!(
            env_from_fqdn("BARS-PROD-RRK.uhb.nhs.uk"),
            Some(Environment::Prod)
        );
        assert_eq!(env_from_fqdn("int.api.service.nhs.uk"), None);
        assert_eq!(env_from_fqdn("BaRS-INTX26.nhs.uk"), None);
        assert_eq!(env_from_fqdn("x.BaRS-INT-X26.nhs.uk"), None);
        assert_eq!(env_from_fqdn("BaRS-PRO"), None);
        assert_eq!(env_from_fqdn("BaRS-INT-ü"), Some(Environment::Int));
        assert_eq!(env_from_fqdn("üüüüü"), None);
    }

    #[test]
    fn name_matching() {
        assert!(dns_name_matches(
            "BaRS-INT-X26.S.thirdparty.nhs.uk",
            "bars-int-x26.s.thirdparty.nhs.uk."
        ));
        assert!(dns_name_matches("a.nhs.uk.", "A.NHS.UK"));
        assert!(dns_name_matches("*.s.nhs.uk", "x.s.nhs.uk"));
        assert!(dns_name_matches("*.S.NHS.UK", "X.s.nhs.uk."));
        assert!(!dns_name_matches("*.s.nhs.uk", "s.nhs.uk"));
        assert!(!dns_name_matches("*.s.nhs.uk", "a.b.s.nhs.uk"));
        assert!(!dns_name_matches("f*o.s.nhs.uk", "foo.s.nhs.uk"));
        assert!(!dns_name_matches("a.*.nhs.uk", "a.b.nhs.uk"));
        assert!(!dns_name_matches("*", "a"));
        assert!(!dns_name_matches("*.", "a."));
        assert!(!dns_name_matches("**.s.nhs.uk", "x.s.nhs.uk"));
        assert!(!dns_name_matches("*.s.nhs.uk", "*.s.nhs.uk"));
        assert!(!dns_name_matches("", ""));
        assert!(!dns_name_matches("a.nhs.uk", "b.nhs.uk"));
        assert!(!dns_name_matches("a.nhs.uk", "a.nhs.uk.."));
    }
}
