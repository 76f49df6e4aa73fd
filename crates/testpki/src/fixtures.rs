//! The fixture generator behind `cargo run -p bars-testpki --bin gen-fixtures`.
//!
//! [`generate`] (re)writes every file under the output directory (normally
//! `fixtures/pki`), reusing the keys in `<out>/keys/`. What rcgen makes is deterministic
//! and rewritten on every run; what `openssl` makes (RSA-1024 and SHA-1 cases, PFX,
//! PKCS#7, PKCS#1/SEC1/encrypted keys) is made when missing, when `force` is set, or when
//! a key had to be generated in this run, and otherwise kept as committed (PFX files and
//! encrypted keys carry random salts, so regenerating them changes their bytes).

use crate::keys::{KeyKind, KeyStore};
use crate::manifest::{self, Scenario, JUDGED_AT, PASSWORD};
use crate::names::{self, Attr};
use crate::openssl::Openssl;
use crate::pki::{
    cn_only_csr, corrupt_signature, csr, issue_with, self_signed_leaf, serial_for, Ca, CaSpec,
    Hierarchy, HierarchySpec, LeafSpec, Validity,
};
use crate::{Error, Result};
use rcgen::{Certificate, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};
use time::macros::datetime;

/// The INT endpoint name used by the good INT fixtures.
pub const INT_FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
/// The PROD endpoint name used by the good PROD fixtures.
pub const PROD_FQDN: &str = "BaRS-PROD-X26.Supplier.thirdparty.nhs.uk";
/// The CN of the client certificates (standing in for the BaRS proxy's).
pub const CLIENT_CN: &str = "bars-proxy.test.nhs.uk";

/// How a fixture file was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// By rcgen (or plain Rust): byte-identical on every run with the same keys.
    Rcgen,
    /// By `openssl`, deterministically from the same inputs (certificates signed with
    /// RSA PKCS#1 v1.5, PKCS#7, unencrypted key conversions).
    OpensslDeterministic,
    /// By `openssl` with random salts or IVs (PFX, encrypted keys): differs on every run.
    OpensslRandom,
    /// Copied from the real NHS certificates in `fixtures/nhs-pki`.
    Copied,
}

/// What happened to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Written (new or changed content).
    Written,
    /// Made again with identical content; left untouched.
    Unchanged,
    /// Not made again: an openssl-made or copied file kept as it was (see `--force`).
    Kept,
}

/// One file of the fixture set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    /// Path relative to the output directory.
    pub path: PathBuf,
    /// How it is made.
    pub origin: Origin,
    /// What this run did with it.
    pub outcome: Outcome,
}

/// What [`generate`] did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Every fixture file (keys excluded), in the order made.
    pub files: Vec<FileRecord>,
    /// Keys that did not exist and were generated (empty on a normal re-run).
    pub keys_created: Vec<String>,
}

/// Options of [`generate`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to write (`fixtures/pki` in the workspace by default).
    pub out_dir: PathBuf,
    /// Remake the openssl-made and copied files too.
    pub force: bool,
    /// How the manifest and README spell the output directory (relative to the
    /// repository root): `fixtures/pki`.
    pub manifest_prefix: String,
    /// The real NHS PKI certificates (`fixtures/nhs-pki`), for the legacy-chain scenario.
    pub nhs_pki_dir: PathBuf,
    /// The openssl program.
    pub openssl: Openssl,
}

impl Options {
    /// Defaults for writing into `out_dir`.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        Options {
            out_dir: out_dir.into(),
            force: false,
            manifest_prefix: "fixtures/pki".to_owned(),
            nhs_pki_dir: default_nhs_pki_dir(),
            openssl: Openssl::new(),
        }
    }
}

/// The workspace root (found from this crate's manifest directory).
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// `<workspace>/fixtures/pki`.
pub fn default_out_dir() -> PathBuf {
    workspace_root().join("fixtures").join("pki")
}

/// `<workspace>/fixtures/nhs-pki` (the real NHS certificates, vendored).
pub fn default_nhs_pki_dir() -> PathBuf {
    workspace_root().join("fixtures").join("nhs-pki")
}

/// Write every fixture, the manifest and the README. See the module docs.
pub fn generate(opts: &Options) -> Result<Report> {
    opts.openssl.version()?;
    let mut g = Gen::new(opts)?;

    let int = g.hierarchy("int", &HierarchySpec::test("INT")?)?;
    let prod = g.hierarchy("prod", &HierarchySpec::test("PROD")?)?;
    let foreign = g.hierarchy("foreign", &HierarchySpec::foreign()?)?;
    let look = g.hierarchy("lookalike", &HierarchySpec::lookalike_int()?)?;
    for (dir, h) in [("int", &int), ("prod", &prod), ("foreign", &foreign)] {
        g.client(dir, h)?;
    }

    // The good INT endpoint, reused by several scenarios.
    let good_key = g.key("int-good", KeyKind::Rsa2048)?;
    let good = int.issue(&leaf(INT_FQDN, "int-good")?, &good_key)?;
    let good_chain = int.chain_pem(&good);
    g.put("int-good/leaf.pem", good.pem(), Origin::Rcgen)?;
    g.put("int-good/leaf.key", good_key.serialize_pem(), Origin::Rcgen)?;
    g.put("int-good/chain.pem", &good_chain, Origin::Rcgen)?;
    g.put(
        "int-good/request.csr",
        cn_only_csr(INT_FQDN, &good_key)?.pem()?,
        Origin::Rcgen,
    )?;

    let prod_key = g.key("prod-good", KeyKind::Rsa2048)?;
    let prod_leaf = prod.issue(&leaf(PROD_FQDN, "prod-good")?, &prod_key)?;
    g.put("prod-good/leaf.pem", prod_leaf.pem(), Origin::Rcgen)?;
    g.put(
        "prod-good/leaf.key",
        prod_key.serialize_pem(),
        Origin::Rcgen,
    )?;
    g.put(
        "prod-good/chain.pem",
        prod.chain_pem(&prod_leaf),
        Origin::Rcgen,
    )?;

    // Chains built from the good leaf.
    g.put("chain-incomplete/leaf.pem", good.pem(), Origin::Rcgen)?;
    g.put(
        "chain-order/chain.pem",
        format!("{}{}", int.subca.pem(), good.pem()),
        Origin::Rcgen,
    )?;
    g.put(
        "chain-root-sent/chain.pem",
        format!("{good_chain}{}", int.root.pem()),
        Origin::Rcgen,
    )?;
    g.put(
        "chain-unrelated/chain.pem",
        format!("{good_chain}{}", foreign.subca.pem()),
        Origin::Rcgen,
    )?;

    // Leaves of their own.
    g.scenario(
        "chain-untrusted",
        &foreign.subca,
        leaf(INT_FQDN, "chain-untrusted")?,
    )?;
    g.scenario(
        "chain-wrong-env",
        &prod.subca,
        leaf(INT_FQDN, "chain-wrong-env")?,
    )?;
    {
        let key = g.key("chain-bad-signature", KeyKind::Rsa2048)?;
        let signer = g.key("chain-bad-signature-signer", KeyKind::Rsa2048)?;
        let cert = issue_with(
            &int.subca.impostor(signer),
            &leaf(INT_FQDN, "chain-bad-signature")?,
            &key,
        )?;
        g.put_leaf("chain-bad-signature", &cert, &int.subca)?;
    }
    g.scenario("lookalike", &look.subca, leaf(INT_FQDN, "lookalike")?)?;
    g.scenario(
        "cert-expired",
        &int.subca,
        leaf(INT_FQDN, "cert-expired")?.with_validity(Validity::new(
            datetime!(2024-01-01 0:00 UTC),
            datetime!(2025-01-01 0:00 UTC),
        )),
    )?;
    g.scenario(
        "cert-not-yet-valid",
        &int.subca,
        leaf(INT_FQDN, "cert-not-yet-valid")?.with_validity(Validity::new(
            datetime!(2028-01-01 0:00 UTC),
            datetime!(2029-01-01 0:00 UTC),
        )),
    )?;
    g.scenario(
        "cert-expiring-soon",
        &int.subca,
        leaf(INT_FQDN, "cert-expiring-soon")?.with_validity(Validity::new(
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2027-01-15 0:00 UTC),
        )),
    )?;
    g.scenario(
        "cert-eku",
        &int.subca,
        leaf(INT_FQDN, "cert-eku")?.with_eku(vec![ExtendedKeyUsagePurpose::ClientAuth]),
    )?;
    {
        let key = g.key("cert-self-signed", KeyKind::Rsa2048)?;
        let cert = self_signed_leaf(&leaf(INT_FQDN, "cert-self-signed")?, &key)?;
        g.put("cert-self-signed/leaf.pem", cert.pem(), Origin::Rcgen)?;
    }
    g.scenario(
        "name-not-nhs-uk",
        &int.subca,
        leaf("bars.example.com", "name-not-nhs-uk")?,
    )?;
    g.scenario(
        "name-fqdn-format",
        &int.subca,
        leaf("www.example.nhs.uk", "name-fqdn-format")?,
    )?;
    g.scenario(
        "name-cn-san-mismatch",
        &int.subca,
        leaf(INT_FQDN, "name-cn-san-mismatch")?.with_dns_names(["other.thirdparty.nhs.uk"]),
    )?;
    g.scenario(
        "name-env-mismatch",
        &int.subca,
        leaf(PROD_FQDN, "name-env-mismatch")?,
    )?;
    g.scenario(
        "name-san-good",
        &int.subca,
        leaf(INT_FQDN, "name-san-good")?.with_dns_names([INT_FQDN]),
    )?;

    g.validator_rules(&int)?;

    // CSRs.
    let csr_key = g.key("csr-good", KeyKind::Rsa2048)?;
    let good_csr = cn_only_csr(INT_FQDN, &csr_key)?;
    g.put("csr-good/request.csr", good_csr.pem()?, Origin::Rcgen)?;
    g.put(
        "csr-good/request.key",
        csr_key.serialize_pem(),
        Origin::Rcgen,
    )?;
    g.put(
        "csr-bad-signature/request.csr",
        pem_lf("CERTIFICATE REQUEST", corrupt_signature(good_csr.der())),
        Origin::Rcgen,
    )?;
    {
        let key = g.key("csr-extra-fields", KeyKind::Rsa2048)?;
        let subject = names::utf8(&[Attr::O("Supplier Ltd"), Attr::Ou("IT"), Attr::Cn(INT_FQDN)])?;
        g.put(
            "csr-extra-fields/request.csr",
            csr(&subject, &key)?.pem()?,
            Origin::Rcgen,
        )?;
        let key = g.key("csr-email", KeyKind::Rsa2048)?;
        let subject = names::utf8(&[Attr::Cn(INT_FQDN), Attr::Email("admin@supplier.example")])?;
        g.put(
            "csr-email/request.csr",
            csr(&subject, &key)?.pem()?,
            Origin::Rcgen,
        )?;
        let key = g.key("key-mismatch", KeyKind::Rsa2048)?;
        g.put("key-mismatch/other.key", key.serialize_pem(), Origin::Rcgen)?;
        let key = g.key("csr-cert-mismatch", KeyKind::Rsa2048)?;
        g.put(
            "csr-cert-mismatch/other.csr",
            cn_only_csr(INT_FQDN, &key)?.pem()?,
            Origin::Rcgen,
        )?;
    }

    // The P-256 leaf and the plain-Rust encodings of int-good.
    let ec_key = g.key("ec-leaf", KeyKind::P256)?;
    let ec = int.issue(
        &leaf(
            "BaRS-INT-X27.Supplier.thirdparty.nhs.uk",
            "encodings/ec-leaf",
        )?
        .with_key_usages(vec![KeyUsagePurpose::DigitalSignature]),
        &ec_key,
    )?;
    g.put("encodings/ec-leaf.pem", ec.pem(), Origin::Rcgen)?;
    g.put("encodings/ec-chain.pem", int.chain_pem(&ec), Origin::Rcgen)?;
    g.put(
        "encodings/ec-leaf.key",
        ec_key.serialize_pem(),
        Origin::Rcgen,
    )?;
    g.put("encodings/leaf.der", good.der(), Origin::Rcgen)?;
    g.put(
        "encodings/chain-crlf-bom.pem",
        crlf_bom_bundle(&good.pem(), &int.subca.pem()),
        Origin::Rcgen,
    )?;

    // Everything openssl makes.
    let o = OpensslInputs {
        leaf: g.scratch_file("good-leaf.pem", good.pem())?,
        key: g.scratch_file("good-leaf.key", good_key.serialize_pem())?,
        subca: g.scratch_file("int-subca.pem", int.subca.pem())?,
        chain: g.scratch_file("good-chain.pem", &good_chain)?,
        ec_key: g.scratch_file("ec-leaf.key", ec_key.serialize_pem())?,
    };
    g.openssl_outputs(&o, &int.subca)?;
    g.legacy_chain()?;

    let scenarios = manifest::scenarios(&opts.manifest_prefix);
    let mut json = serde_json::to_string_pretty(&scenarios)?;
    json.push('\n');
    g.put("manifest.json", json, Origin::Rcgen)?;
    g.put(
        "README.md",
        readme(&opts.manifest_prefix, &scenarios),
        Origin::Rcgen,
    )?;

    g.report.keys_created = g.keys.created().to_vec();
    g.report
        .keys_created
        .extend(g.weak_keys_created.iter().cloned());
    Ok(g.report)
}

/// An NHS-shaped leaf for `fqdn` with the fixtures' validity and a serial derived from `id`.
fn leaf(fqdn: &str, id: &str) -> Result<LeafSpec> {
    Ok(LeafSpec::nhs(fqdn)?.with_serial(serial_for(&format!("{id}/leaf"))))
}

fn pem_lf(label: &str, der: Vec<u8>) -> String {
    pem::encode_config(
        &pem::Pem::new(label, der),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// `leaf` and `subca` as one bundle with a UTF-8 BOM, CRLF line endings and text around
/// and between the blocks (as mail clients and Windows tools leave them).
fn crlf_bom_bundle(leaf: &str, subca: &str) -> Vec<u8> {
    let text = format!(
        "Bag Attributes\n    friendlyName: {INT_FQDN}\nsubject=CN={INT_FQDN},OU=Devices,O=nhs\n\
         issuer=CN=BaRS TEST INT Authentication,OU=CA,O=bars-certcheck test,C=GB\n{leaf}\n\
         The intermediate (issuing) certificate follows.\n\n{subca}\nEnd of bundle.\n"
    );
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    out
}

struct OpensslInputs {
    leaf: PathBuf,
    key: PathBuf,
    subca: PathBuf,
    chain: PathBuf,
    ec_key: PathBuf,
}

struct Gen<'a> {
    opts: &'a Options,
    keys: KeyStore,
    weak_keys_created: Vec<String>,
    scratch: tempfile::TempDir,
    report: Report,
}

impl<'a> Gen<'a> {
    fn new(opts: &'a Options) -> Result<Self> {
        std::fs::create_dir_all(&opts.out_dir).map_err(|e| Error::io(&opts.out_dir, e))?;
        let scratch = tempfile::Builder::new()
            .prefix("bars-testpki-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        Ok(Gen {
            opts,
            keys: KeyStore::dir(opts.out_dir.join("keys")),
            weak_keys_created: Vec::new(),
            scratch,
            report: Report::default(),
        })
    }

    fn key(&mut self, name: &str, kind: KeyKind) -> Result<KeyPair> {
        self.keys.key(name, kind)
    }

    /// openssl-made and copied files are remade when missing, with `--force`, or when
    /// a key was just generated (their inputs may have changed).
    fn remake(&self, rel: &str) -> bool {
        self.opts.force
            || !self.keys.created().is_empty()
            || !self.weak_keys_created.is_empty()
            || !self.opts.out_dir.join(rel).exists()
    }

    fn kept(&mut self, rel: &str, origin: Origin) {
        self.report.files.push(FileRecord {
            path: PathBuf::from(rel),
            origin,
            outcome: Outcome::Kept,
        });
    }

    fn put(&mut self, rel: &str, bytes: impl AsRef<[u8]>, origin: Origin) -> Result<()> {
        let bytes = bytes.as_ref();
        let path = self.opts.out_dir.join(rel);
        let outcome = if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            Outcome::Unchanged
        } else {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
            Outcome::Written
        };
        self.report.files.push(FileRecord {
            path: PathBuf::from(rel),
            origin,
            outcome,
        });
        Ok(())
    }

    fn read(&self, rel: &str) -> Result<Vec<u8>> {
        let path = self.opts.out_dir.join(rel);
        std::fs::read(&path).map_err(|e| Error::io(&path, e))
    }

    fn scratch_file(&self, name: &str, contents: impl AsRef<[u8]>) -> Result<PathBuf> {
        let path = self.scratch.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, contents).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    fn hierarchy(&mut self, dir: &str, spec: &HierarchySpec) -> Result<Hierarchy> {
        let root_key = self.key(&format!("{dir}-root"), KeyKind::Rsa2048)?;
        let subca_key = self.key(&format!("{dir}-subca"), KeyKind::Rsa2048)?;
        let h = Hierarchy::new(spec, root_key, subca_key)?;
        self.put(&format!("{dir}/root.pem"), h.root.pem(), Origin::Rcgen)?;
        self.put(&format!("{dir}/subca.pem"), h.subca.pem(), Origin::Rcgen)?;
        Ok(h)
    }

    fn client(&mut self, dir: &str, h: &Hierarchy) -> Result<()> {
        let key = self.key(&format!("{dir}-client"), KeyKind::Rsa2048)?;
        let spec = LeafSpec::client(CLIENT_CN)?.with_serial(serial_for(&format!("{dir}/client")));
        let cert = h.issue(&spec, &key)?;
        self.put(&format!("{dir}/client.pem"), cert.pem(), Origin::Rcgen)?;
        self.put(
            &format!("{dir}/client.key"),
            key.serialize_pem(),
            Origin::Rcgen,
        )?;
        self.put(
            &format!("{dir}/client-chain.pem"),
            h.chain_pem(&cert),
            Origin::Rcgen,
        )?;
        Ok(())
    }

    /// `dir/leaf.pem` and `dir/chain.pem` (leaf + `ca`) for a leaf issued by `ca` to the
    /// key named `dir`.
    fn scenario(&mut self, dir: &str, ca: &Ca, spec: LeafSpec) -> Result<()> {
        let key = self.key(dir, KeyKind::Rsa2048)?;
        let cert = ca.issue(&spec, &key)?;
        self.put_leaf(dir, &cert, ca)
    }

    fn put_leaf(&mut self, dir: &str, cert: &Certificate, sent_with: &Ca) -> Result<()> {
        self.put(&format!("{dir}/leaf.pem"), cert.pem(), Origin::Rcgen)?;
        self.put(
            &format!("{dir}/chain.pem"),
            format!("{}{}", cert.pem(), sent_with.pem()),
            Origin::Rcgen,
        )
    }

    /// The scenarios of SPEC "One validator": each rule broken once, with a good twin
    /// where one is not already there (`int-good` is the twin of most).
    fn validator_rules(&mut self, int: &Hierarchy) -> Result<()> {
        // chain.not-ca: an end-entity certificate (cA FALSE, keyUsage without
        // keyCertSign) issued by the INT root stands as the leaf's issuer.
        {
            let spec = leaf(
                "BaRS-INT-X41.Supplier.thirdparty.nhs.uk",
                "chain-not-ca/issuer",
            )?;
            let key = self.key("chain-not-ca-issuer", KeyKind::Rsa2048)?;
            let ee = int.root.issue(&spec, &key)?;
            let ee_issuer = rcgen::Issuer::new(spec.params()?, key);
            let leaf_key = self.key("chain-not-ca", KeyKind::Rsa2048)?;
            let cert = issue_with(&ee_issuer, &leaf(INT_FQDN, "chain-not-ca")?, &leaf_key)?;
            self.put("chain-not-ca/leaf.pem", cert.pem(), Origin::Rcgen)?;
            self.put(
                "chain-not-ca/chain.pem",
                format!("{}{}", cert.pem(), ee.pem()),
                Origin::Rcgen,
            )?;
        }
        // chain.path-length: a CA below the INT sub-CA (pathlen 0) issues the leaf; the
        // good twin puts the same two CAs under a pathlen-1 CA.
        for (dir, top_pathlen) in [
            ("chain-path-length", None),
            ("chain-path-length-ok", Some(1)),
        ] {
            let top = match top_pathlen {
                None => None,
                Some(n) => {
                    let key = self.key(&format!("{dir}-top"), KeyKind::Rsa2048)?;
                    let spec =
                        CaSpec::named("BaRS TEST INT Policy CA", &format!("{dir}/top"), Some(n))?;
                    Some(int.root.subordinate(&spec, key)?)
                }
            };
            let parent = top.as_ref().unwrap_or(&int.subca);
            let key = self.key(&format!("{dir}-issuing"), KeyKind::Rsa2048)?;
            let spec = CaSpec::named(
                "BaRS TEST INT Issuing CA 2",
                &format!("{dir}/issuing"),
                None,
            )?;
            let issuing = parent.subordinate(&spec, key)?;
            let leaf_key = self.key(dir, KeyKind::Rsa2048)?;
            let cert = issuing.issue(&leaf(INT_FQDN, dir)?, &leaf_key)?;
            self.put(&format!("{dir}/leaf.pem"), cert.pem(), Origin::Rcgen)?;
            self.put(
                &format!("{dir}/chain.pem"),
                format!("{}{}{}", cert.pem(), issuing.pem(), parent.pem()),
                Origin::Rcgen,
            )?;
        }
        // chain.name-constraints: a CA permitted only permitted.thirdparty.nhs.uk issues
        // the INT leaf, whose name is its CN (no SAN); the twin permits thirdparty.nhs.uk.
        for (dir, permitted) in [
            ("chain-name-constraints", "permitted.thirdparty.nhs.uk"),
            ("chain-name-constraints-ok", "thirdparty.nhs.uk"),
        ] {
            let key = self.key(&format!("{dir}-ca"), KeyKind::Rsa2048)?;
            let spec = CaSpec::named(
                "BaRS TEST INT Constrained CA",
                &format!("{dir}/ca"),
                Some(0),
            )?
            .with_permitted_dns(&[permitted]);
            let ca = int.root.subordinate(&spec, key)?;
            self.scenario(dir, &ca, leaf(INT_FQDN, dir)?)?;
        }
        // cert.critical-extension, and the same extension non-critical (ignored).
        self.scenario(
            "cert-critical-extension",
            &int.subca,
            leaf(INT_FQDN, "cert-critical-extension")?.with_unknown_extension(true),
        )?;
        self.scenario(
            "cert-noncritical-extension",
            &int.subca,
            leaf(INT_FQDN, "cert-noncritical-extension")?.with_unknown_extension(false),
        )?;
        // cert.key-usage: nonRepudiation only (a signing certificate); the twin has
        // digitalSignature only.
        self.scenario(
            "cert-key-usage",
            &int.subca,
            leaf(INT_FQDN, "cert-key-usage")?
                .with_key_usages(vec![KeyUsagePurpose::ContentCommitment]),
        )?;
        self.scenario(
            "cert-key-usage-ok",
            &int.subca,
            leaf(INT_FQDN, "cert-key-usage-ok")?
                .with_key_usages(vec![KeyUsagePurpose::DigitalSignature]),
        )?;
        // cert.malformed: no authorityKeyIdentifier.
        self.scenario(
            "cert-malformed",
            &int.subca,
            leaf(INT_FQDN, "cert-malformed")?.without_authority_key_id(),
        )?;
        // cert.ca-as-leaf: cA TRUE on the endpoint certificate, issued by the INT sub-CA.
        self.scenario(
            "cert-ca-as-leaf",
            &int.subca,
            leaf(INT_FQDN, "cert-ca-as-leaf")?.as_ca(),
        )?;
        // What `openssl req -x509` makes: self-signed, cA TRUE, named like a host.
        {
            let key = self.key("cert-self-signed-ca", KeyKind::Rsa2048)?;
            let cert = self_signed_leaf(&leaf(INT_FQDN, "cert-self-signed-ca")?.as_ca(), &key)?;
            self.put("cert-self-signed-ca/leaf.pem", cert.pem(), Origin::Rcgen)?;
        }
        // input.unreadable: a PEM file cut short (no END line).
        {
            let full = self.read("int-good/leaf.pem")?;
            let cut: Vec<u8> = full.iter().take(full.len() / 2).copied().collect();
            self.put("input-unreadable/truncated.pem", cut, Origin::Rcgen)?;
        }
        Ok(())
    }

    /// `keys/<name>.pem`: an RSA-1024 key made by openssl (rcgen cannot), generated only
    /// when missing.
    fn weak_key(&mut self, name: &str) -> Result<PathBuf> {
        let path = self.opts.out_dir.join("keys").join(format!("{name}.pem"));
        if !path.exists() {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            self.opts.openssl.run(
                [
                    "genpkey".as_ref(),
                    "-algorithm".as_ref(),
                    "RSA".as_ref(),
                    "-pkeyopt".as_ref(),
                    "rsa_keygen_bits:1024".as_ref(),
                    "-out".as_ref(),
                    path.as_os_str(),
                ],
                None,
            )?;
            self.weak_keys_created.push(name.to_owned());
        }
        Ok(path)
    }

    fn openssl_outputs(&mut self, o: &OpensslInputs, int_subca: &Ca) -> Result<()> {
        let weak = self.weak_key("cert-weak-key")?;
        self.openssl_leaf("cert-weak-key", &weak, int_subca, "sha256")?;
        let key = self.key("cert-weak-signature", KeyKind::Rsa2048)?;
        let key_path = self.scratch_file("weak-signature.key", key.serialize_pem())?;
        self.openssl_leaf("cert-weak-signature", &key_path, int_subca, "sha1")?;

        let weak_csr_key = self.weak_key("csr-weak-key")?;
        self.openssl_file(
            "csr-weak-key/request.csr",
            Origin::OpensslDeterministic,
            |g, out| {
                let cnf = g.scratch_file("req-utf8.cnf", REQ_CNF_UTF8)?;
                g.ossl(&[
                    "req".as_ref(),
                    "-new".as_ref(),
                    "-config".as_ref(),
                    cnf.as_os_str(),
                    "-key".as_ref(),
                    weak_csr_key.as_os_str(),
                    "-subj".as_ref(),
                    format!("/CN={INT_FQDN}").as_ref(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ])
            },
        )?;

        let pass = format!("pass:{PASSWORD}");
        for (rel, legacy, chain) in [
            ("pfx-good/bundle.pfx", false, true),
            ("pfx-legacy/bundle.pfx", true, true),
            ("pfx-no-chain/bundle.pfx", false, false),
        ] {
            self.openssl_file(rel, Origin::OpensslRandom, |g, out| {
                let mut args: Vec<&std::ffi::OsStr> = vec![
                    "pkcs12".as_ref(),
                    "-export".as_ref(),
                    "-in".as_ref(),
                    o.leaf.as_os_str(),
                    "-inkey".as_ref(),
                    o.key.as_os_str(),
                    "-name".as_ref(),
                    INT_FQDN.as_ref(),
                    "-passout".as_ref(),
                    pass.as_ref(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ];
                if chain {
                    args.extend(["-certfile".as_ref(), o.subca.as_os_str()]);
                }
                if legacy {
                    args.push("-legacy".as_ref());
                }
                g.ossl(&args)
            })?;
        }

        self.openssl_file(
            "encodings/chain.p7b",
            Origin::OpensslDeterministic,
            |g, out| {
                g.ossl(&[
                    "crl2pkcs7".as_ref(),
                    "-nocrl".as_ref(),
                    "-certfile".as_ref(),
                    o.chain.as_os_str(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ])
            },
        )?;
        self.openssl_file(
            "encodings/chain-der.p7b",
            Origin::OpensslDeterministic,
            |g, out| {
                g.ossl(&[
                    "crl2pkcs7".as_ref(),
                    "-nocrl".as_ref(),
                    "-certfile".as_ref(),
                    o.chain.as_os_str(),
                    "-outform".as_ref(),
                    "DER".as_ref(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ])
            },
        )?;
        self.openssl_file(
            "encodings/leaf.pkcs1.key",
            Origin::OpensslDeterministic,
            |g, out| {
                g.ossl(&[
                    "rsa".as_ref(),
                    "-in".as_ref(),
                    o.key.as_os_str(),
                    "-traditional".as_ref(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ])
            },
        )?;
        self.openssl_file(
            "encodings/leaf.enc-pkcs8.key",
            Origin::OpensslRandom,
            |g, out| {
                g.ossl(&[
                    "pkcs8".as_ref(),
                    "-topk8".as_ref(),
                    "-v2".as_ref(),
                    "aes-256-cbc".as_ref(),
                    "-in".as_ref(),
                    o.key.as_os_str(),
                    "-passout".as_ref(),
                    pass.as_ref(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ])
            },
        )?;
        self.openssl_file(
            "encodings/leaf.traditional-enc.key",
            Origin::OpensslRandom,
            |g, out| {
                g.ossl(&[
                    "rsa".as_ref(),
                    "-in".as_ref(),
                    o.key.as_os_str(),
                    "-aes256".as_ref(),
                    "-traditional".as_ref(),
                    "-passout".as_ref(),
                    pass.as_ref(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ])
            },
        )?;
        self.openssl_file(
            "encodings/ec-leaf.sec1.key",
            Origin::OpensslDeterministic,
            |g, out| {
                g.ossl(&[
                    "ec".as_ref(),
                    "-in".as_ref(),
                    o.ec_key.as_os_str(),
                    "-out".as_ref(),
                    out.as_os_str(),
                ])
            },
        )?;
        Ok(())
    }

    fn ossl(&self, args: &[&std::ffi::OsStr]) -> Result<()> {
        self.opts.openssl.run(args, Some(self.scratch.path()))?;
        Ok(())
    }

    /// Make `rel` with `make(gen, scratch_output_path)` unless it is kept.
    fn openssl_file(
        &mut self,
        rel: &str,
        origin: Origin,
        make: impl FnOnce(&Self, &Path) -> Result<()>,
    ) -> Result<()> {
        if !self.remake(rel) {
            self.kept(rel, origin);
            return Ok(());
        }
        let out = self.scratch.path().join(rel.replace('/', "__"));
        make(self, &out)?;
        let bytes = std::fs::read(&out).map_err(|e| Error::io(&out, e))?;
        self.put(rel, bytes, origin)
    }

    /// `dir/leaf.pem` made by `openssl ca` (for what rcgen cannot: RSA-1024 subject keys,
    /// SHA-1 signatures) with the fixtures' fixed dates and serial, and `dir/chain.pem`.
    fn openssl_leaf(&mut self, dir: &str, key: &Path, ca: &Ca, md: &str) -> Result<()> {
        let rel = format!("{dir}/leaf.pem");
        let serial_hex: String = serial_for(&format!("{dir}/leaf"))
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        self.openssl_file(&rel, Origin::OpensslDeterministic, |g, out| {
            let work = format!("ca-{dir}");
            let ca_pem = g.scratch_file(&format!("{work}/ca.pem"), ca.pem())?;
            let ca_key = g.scratch_file(&format!("{work}/ca.key"), ca.key_pem())?;
            let req_cnf = g.scratch_file(&format!("{work}/req.cnf"), REQ_CNF_PRINTABLE)?;
            let ca_cnf = g.scratch_file(&format!("{work}/ca.cnf"), CA_CNF)?;
            g.scratch_file(&format!("{work}/db/index.txt"), "")?;
            g.scratch_file(&format!("{work}/db/serial"), format!("{serial_hex}\n"))?;
            let csr = g.scratch.path().join(&work).join("req.csr");
            let cwd = g.scratch.path().join(&work);
            g.opts.openssl.run(
                [
                    "req".as_ref(),
                    "-new".as_ref(),
                    "-config".as_ref(),
                    req_cnf.as_os_str(),
                    "-key".as_ref(),
                    key.as_os_str(),
                    "-subj".as_ref(),
                    format!("/O=nhs/OU=Devices/CN={INT_FQDN}").as_ref(),
                    "-out".as_ref(),
                    csr.as_os_str(),
                ] as [&std::ffi::OsStr; 10],
                Some(&cwd),
            )?;
            g.opts.openssl.run(
                [
                    "ca".as_ref(),
                    "-config".as_ref(),
                    ca_cnf.as_os_str(),
                    "-batch".as_ref(),
                    "-notext".as_ref(),
                    "-preserveDN".as_ref(),
                    "-cert".as_ref(),
                    ca_pem.as_os_str(),
                    "-keyfile".as_ref(),
                    ca_key.as_os_str(),
                    "-in".as_ref(),
                    csr.as_os_str(),
                    "-out".as_ref(),
                    out.as_os_str(),
                    "-startdate".as_ref(),
                    "20260101000000Z".as_ref(),
                    "-enddate".as_ref(),
                    "20280101000000Z".as_ref(),
                    "-md".as_ref(),
                    md.as_ref(),
                ] as [&std::ffi::OsStr; 20],
                Some(&cwd),
            )?;
            Ok(())
        })?;
        let mut chain = self.read(&rel)?;
        chain.extend_from_slice(ca.pem().as_bytes());
        self.put(
            &format!("{dir}/chain.pem"),
            chain,
            Origin::OpensslDeterministic,
        )
    }

    /// `chain-legacy/`: a real NHS INT leaf under the retired NHS INT Level 1C, copied from
    /// `fixtures/nhs-pki`.
    fn legacy_chain(&mut self) -> Result<()> {
        const LEAF: &str = "leaves/int-api-service-nhs-uk-ptl.pem";
        const SUBCA: &str = "int/nhs-int-level-1c.pem";
        for rel in ["chain-legacy/leaf.pem", "chain-legacy/chain.pem"] {
            if !self.remake(rel) {
                self.kept(rel, Origin::Copied);
                continue;
            }
            let mut out = String::new();
            let sources: &[&str] = if rel.ends_with("leaf.pem") {
                &[LEAF]
            } else {
                &[LEAF, SUBCA]
            };
            for src in sources {
                out.push_str(&self.nhs_cert_pem(src)?);
            }
            self.put(rel, out, Origin::Copied)?;
        }
        Ok(())
    }

    fn nhs_cert_pem(&self, rel: &str) -> Result<String> {
        let path = self.opts.nhs_pki_dir.join(rel);
        let text = std::fs::read(&path).map_err(|_| Error::MissingSource {
            path: path.clone(),
            what: "the chain-legacy scenario".to_owned(),
        })?;
        let blocks = pem::parse_many(&text).map_err(|source| Error::Pem {
            what: path.display().to_string(),
            source,
        })?;
        Ok(blocks
            .into_iter()
            .filter(|b| b.tag() == "CERTIFICATE")
            .map(|b| pem_lf("CERTIFICATE", b.into_contents()))
            .collect())
    }
}

/// `openssl req` config: PrintableString where possible (like the NHS CA's names).
const REQ_CNF_PRINTABLE: &str =
    "[req]\ndistinguished_name = dn\nstring_mask = default\nprompt = no\n[dn]\n";
/// `openssl req` config with openssl's default string mask (UTF8String).
const REQ_CNF_UTF8: &str =
    "[req]\ndistinguished_name = dn\nstring_mask = utf8only\nprompt = no\n[dn]\n";
/// A minimal `openssl ca` for NHS-shaped leaves with fixed dates and serial.
const CA_CNF: &str = "\
[ca]
default_ca = testca
[testca]
database = db/index.txt
serial = db/serial
new_certs_dir = db
policy = anything
email_in_dn = no
unique_subject = no
copy_extensions = none
x509_extensions = leaf
default_md = sha256
[anything]
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";

/// The fixtures' README.
pub fn readme(prefix: &str, scenarios: &[Scenario]) -> String {
    let mut s = format!(
        "# Test PKI fixtures\n\n\
Generated by `crates/testpki` (do not edit by hand). Regenerate from the workspace root with\n\n\
```sh\ncargo run -p bars-testpki --bin gen-fixtures            # rewrite {prefix}\n\
cargo run -p bars-testpki --bin gen-fixtures -- --force  # also remake the openssl-made files\n```\n\n\
Every certificate here is a TEST certificate from throw-away CAs (`O=bars-certcheck test`,\n\
a private `Example Health Ltd` CA, and a *look-alike* of the NHS INT G2 CAs); none is\n\
issued by the NHS, except the two real public NHS certificates copied into\n\
`chain-legacy/` from `fixtures/nhs-pki`. The private keys are test keys, published on purpose.\n\n\
## How they are made\n\n\
- Keys live in `keys/*.pem` (PKCS#8) and are **reused** when present; delete one to get a\n\
  new key (and new certificates). RSA PKCS#1 v1.5 signing is deterministic, so with the\n\
  committed keys, fixed serials and fixed dates every rcgen-made file comes out\n\
  byte-identical on every run (a test in `crates/testpki/tests/` checks this).\n\
- Fixed dates: CAs 2025-01-01 → 2035-01-01, ordinary leaves 2026-01-01 → 2028-01-01.\n\
  Every scenario is judged with `--at {JUDGED_AT}` (except `chain-legacy`, see below).\n\
- What rcgen cannot make is made with the `openssl` CLI: the RSA-1024 leaf and CSR\n\
  (`cert-weak-key`, `csr-weak-key`, keys `keys/cert-weak-key.pem`, `keys/csr-weak-key.pem`), the\n\
  SHA-1-signed leaf (`cert-weak-signature`, `openssl ca -md sha1`), the PFX files, the\n\
  PKCS#7 bundles, the PKCS#1, SEC1 and encrypted keys. These files are committed and are\n\
  only made again when missing, with `--force`, or when a key had to be generated. PFX\n\
  files and encrypted keys contain random salts, so remaking them changes their bytes.\n\
- Passwords: every PFX and encrypted key uses `{PASSWORD}`; the scenarios pass it with\n\
  `--password-env` and list the variable in `env`.\n\n\
## Shared hierarchies\n\n\
| directory | what |\n|---|---|\n\
| `int/` | `root.pem` `CN=BaRS TEST INT Root,OU=CA,O=bars-certcheck test,C=GB`, `subca.pem` `CN=BaRS TEST INT Authentication,…` (pathlen 0); `client.pem`/`client.key`/`client-chain.pem`: a clientAuth-only leaf `CN={CLIENT_CN},OU=Devices,O=nhs` |\n\
| `prod/` | the same for PROD (`BaRS TEST PROD Root`, `BaRS TEST PROD Authentication`) |\n\
| `foreign/` | a private CA unrelated to the NHS (`Example Private Root CA`, `Example Private Issuing CA`), with its own client certificate |\n\
| `lookalike/` | `root.pem`/`subca.pem` with the exact DN bytes (PrintableString) and key identifiers of `NHS PTL Root Authority G2` / `NHS INT Authentication G2` but their own keys; `chain.pem`/`leaf.pem`: the `lookalike` scenario |\n\
| `encodings/` | int-good in other encodings (DER leaf, PKCS#7 PEM and DER, CRLF + BOM + text, PKCS#1 key, encrypted PKCS#8, traditional encrypted PEM) and a P-256 leaf with PKCS#8 and SEC1 keys |\n\
| `keys/` | every key used (CA keys included, to issue more) |\n\n\
The tool is told about the test roots with `--ca int:{prefix}/int/root.pem` (and\n\
`prod:` likewise); the sub-CA must be sent in the files for a chain to be complete.\n\n\
## Scenarios\n\n\
`manifest.json` lists one `bars-certcheck check` run per scenario: `args` (paths relative\n\
to the repository root), optional `env` (password variables), and `expect`: the finding\n\
ids that must be `present`, those that must be `absent`, and the `exit` code with the\n\
default `--fail-on error`. Ids in neither list are left open where the SPEC does not\n\
decide (the description says so).\n\n\
| scenario | must report | exit | what |\n|---|---|---|---|\n"
    );
    for sc in scenarios {
        let present = if sc.expect.present.is_empty() {
            "nothing".to_owned()
        } else {
            sc.expect
                .present
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            sc.name,
            present,
            sc.expect.exit,
            sc.description.replace('|', "\\|")
        ));
    }
    s
}
