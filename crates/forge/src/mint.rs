//! Minting TEST certificates at run time: the NHS-like TEST hierarchy of `demo` (and of
//! the fixture generator, which builds on this module), and the client certificates
//! `--mtls-audit` presents (a throwaway self-signed one, a look-alike of the NHS
//! hierarchy, the other environment's committed TEST hierarchy). Never NHS certificates:
//! every key here is made now, or is a published test key.
//!
//! Modules: [`names`] (DNs with the NHS string types), [`keys`] (generate or load keys),
//! [`pki`] (CAs, hierarchies, leaves, CSRs), [`demo`] (the demo PKI and the audit
//! identities).

pub mod demo;
pub mod keys;
pub mod names;
pub mod pki;

pub use demo::{
    audit_identities, demo, demo_at, demo_scenario, fixture_hierarchy, throwaway_identity,
    AuditIdentity, DemoFault, DemoPki, DemoScenario, DEMO_CLIENT_CN, DEMO_OTHER_FQDN,
    DEMO_SERVER_FQDN,
};
pub use pki::{
    cn_only_csr, common_name, corrupt_signature, csr, issue_with, self_signed_leaf, serial_for, Ca,
    CaSpec, Hierarchy, HierarchySpec, LeafSpec, Validity, NHS_AUTH_G2_KEY_ID,
    NHS_INT_AUTH_G2_KEY_ID, NHS_PTL_ROOT_G2_KEY_ID, NHS_ROOT_G2_KEY_ID,
};

/// Why a TEST certificate could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MintError {
    /// A value cannot be encoded in a distinguished name or a subjectAltName.
    #[error("`{value}` cannot be used as {what}: {reason}")]
    BadName {
        /// What the value was meant to be (`"a dNSName"`, `"an emailAddress"`).
        what: &'static str,
        /// The offending value.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// rcgen refused to build or sign something.
    #[error("rcgen: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// A private key could not be read.
    #[error("{what}: not a usable private key: {source}")]
    Key {
        /// Which key (a file, or `<memory>`).
        what: String,
        /// What rcgen said.
        #[source]
        source: rcgen::Error,
    },
}

/// `Result` with [`MintError`].
pub type Result<T, E = MintError> = std::result::Result<T, E>;
