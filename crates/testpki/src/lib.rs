//! NHS-like **test** PKIs for bars-certcheck: a small API over rcgen (aws-lc-rs) that
//! makes CA hierarchies, NHS-shaped endpoint leaves, client certificates and CSRs, the
//! in-memory PKI of `bars-certcheck demo`, and the generator of the committed fixtures in
//! `fixtures/pki` (with their `manifest.json`).
//!
//! ```no_run
//! use bars_testpki::{Hierarchy, HierarchySpec, LeafSpec, keys::{self, KeyKind}};
//! # fn main() -> bars_testpki::Result<()> {
//! let int = Hierarchy::generate(&HierarchySpec::test("INT")?)?;
//! let key = keys::generate(KeyKind::Rsa2048)?;
//! let leaf = int.issue(&LeafSpec::nhs("BaRS-INT-X26.Supplier.thirdparty.nhs.uk")?, &key)?;
//! let chain_pem = int.chain_pem(&leaf);          // leaf + sub-CA
//! let trust_pem = int.root.pem();                // for --ca int:
//! # let _ = (chain_pem, trust_pem); Ok(()) }
//! ```
//!
//! What rcgen cannot make (RSA-1024 keys, SHA-1 signatures, PKCS#12, PKCS#7) the fixture
//! generator makes with the `openssl` CLI ([`openssl::Openssl`]); no OpenSSL library is
//! linked.
//!
//! Modules: [`names`] (DNs with the NHS string types), [`keys`] (generate / load / keep
//! keys), [`demo`], [`manifest`] (the fixture scenarios and their expected findings),
//! [`fixtures`] (the generator), [`openssl`] (the CLI runner), [`tools`] (tests that need
//! `openssl` or `nginx` skip loudly without them: [`require_tools!`]).
#![deny(missing_docs)]

mod error;
pub mod fixtures;
pub mod keys;
pub mod manifest;
pub mod openssl;
pub mod tools;

/// The demo PKI and the audit identities (minted by `bars-forge`, which the product uses).
pub use bars_forge::mint::demo;
/// DNs with the NHS string types (from `bars-forge`'s minting).
pub use bars_forge::mint::names;
/// CAs, hierarchies, leaves and CSRs (minted by `bars-forge`).
pub use bars_forge::mint::pki;
pub use bars_forge::mint::{
    audit_identities, cn_only_csr, common_name, corrupt_signature, csr, demo_at, fixture_hierarchy,
    issue_with, self_signed_leaf, serial_for, AuditIdentity, Ca, CaSpec, DemoPki, Hierarchy,
    HierarchySpec, LeafSpec, Validity, NHS_AUTH_G2_KEY_ID, NHS_INT_AUTH_G2_KEY_ID,
    NHS_PTL_ROOT_G2_KEY_ID, NHS_ROOT_G2_KEY_ID,
};
pub use error::{Error, Result};
/// The rcgen this crate builds on (for `Certificate`, `KeyPair`, `Issuer`, …).
pub use rcgen;
