//! The NHS PKI as BaRS sees it, with no I/O: the embedded INT and PROD NHS CA certificates
//! with pinned fingerprints ([`EMBEDDED`]), the genuine NHS CAs of other environments that
//! are recognised but never trusted ([`KNOWN_OTHER`]), [`Environment`] and its proxy source
//! addresses and CA download source, environment detection from the issuing sub-CA
//! ([`environment_of_issuer`]), and the BaRS endpoint naming rules ([`parse_bars_fqdn`]).

#![warn(missing_docs)]

mod cas;
mod env;
mod names;

/// The syntax of host names (from bars-model, shared with the probe's targets).
pub use bars_model::{check_host_name, HostNameProblem};
pub use cas::{
    cas_for, environment_of_issuer, find_by_id, find_by_sha256, find_by_subject_der,
    find_other_by_sha256, find_other_by_subject_der, CaPurpose, CaRole, EnvOrOther, Generation,
    NhsCa, OtherCa, OtherEnv, EMBEDDED, KNOWN_OTHER,
};
pub use env::{
    EnvChoice, Environment, FetchSource, UnknownEnvironment, INT_FETCH, INT_PROXY_ADDRESSES,
    PROD_FETCH, PROD_PROXY_ADDRESSES,
};
pub use names::{
    check_dns_label, dns_name_matches, env_from_fqdn, expected_shape, is_under_nhs_uk,
    judge_csr_name, parse_bars_fqdn, BarsName, CsrName, Hosting, LabelProblem, NameProblem,
    OdsProblem,
};
