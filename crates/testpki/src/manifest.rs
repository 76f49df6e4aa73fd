//! The fixture manifest: one [`Scenario`] per `bars-certcheck check` run, with the
//! findings the SPEC's rules require.
//!
//! `manifest.json` is an array of scenarios:
//!
//! ```json
//! { "name": "chain-incomplete",
//!   "description": "...",
//!   "command": "check",
//!   "args": ["fixtures/pki/chain-incomplete/leaf.pem", "--env", "int",
//!            "--ca", "int:fixtures/pki/int/root.pem", "--at", "2027-01-01T00:00:00Z"],
//!   "env": { "PFX_PASSWORD": "secret" },
//!   "expect": { "present": ["chain.incomplete", "name.no-san"],
//!               "absent": ["chain.untrusted", "..."], "exit": 1 } }
//! ```
//!
//! `args` are every CLI argument after the command, with file paths relative to the
//! repository root; `env` (omitted when empty) holds environment variables to set (the
//! passwords named by `--password-env`). `present` lists every file-based finding id the
//! run must report; `absent` every one it must not. Ids in neither list are left open
//! where the SPEC does not decide (each such case says so in its description). `exit` is
//! the exit code with the default `--fail-on error`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The time every scenario is judged at (`--at`), unless its args say otherwise.
pub const JUDGED_AT: &str = "2027-01-01T00:00:00Z";
/// Password of the PFX files and the encrypted key files.
pub const PASSWORD: &str = "secret";
/// The variable `--password-env` names for the PFX scenarios.
pub const PFX_PASSWORD_VAR: &str = "PFX_PASSWORD";
/// The variable `--password-env` names for the encrypted-key scenarios.
pub const KEY_PASSWORD_VAR: &str = "KEY_PASSWORD";

/// Every finding id (SPEC "Findings") that `check` can report from files alone
/// (no network, no `--revocation`, not `trust lint`).
pub const FILE_FINDING_IDS: &[&str] = &[
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
    "csr.cert-mismatch",
    "key.mismatch",
    "pfx.no-chain",
    "pfx.bad-password",
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

/// One `bars-certcheck` run over fixture files and what it must say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name (usually the directory holding its files).
    pub name: String,
    /// What the files are and why the expectation holds.
    pub description: String,
    /// The subcommand (`check`).
    pub command: String,
    /// Arguments after the subcommand; paths relative to the repository root.
    pub args: Vec<String>,
    /// Environment variables to set for the run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The expected outcome.
    pub expect: Expect,
    /// What `openssl verify -x509_strict -purpose sslserver` says of the same files,
    /// where it has an opinion (the validator's scenarios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openssl_verify: Option<OpensslVerify>,
}

/// An `openssl verify` run over a scenario's files and its expected verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpensslVerify {
    /// Arguments after `openssl verify -x509_strict -purpose sslserver`, paths relative
    /// to the repository root.
    pub args: Vec<String>,
    /// openssl accepts the chain.
    pub ok: bool,
    /// Why openssl and bars-certcheck differ, when they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub differs: Option<String>,
}

/// What a scenario's run must report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Finding ids that must be reported.
    pub present: Vec<String>,
    /// Finding ids that must not be reported.
    pub absent: Vec<String>,
    /// The exit code (default `--fail-on error`).
    pub exit: i32,
}

impl Scenario {
    /// The file arguments (those under `prefix`, the fixture directory as the args spell it).
    pub fn files<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.args.iter().filter_map(move |a| {
            let a = a.split_once(':').map_or(a.as_str(), |(tag, rest)| {
                if tag == "int" || tag == "prod" {
                    rest
                } else {
                    a.as_str()
                }
            });
            a.starts_with(prefix).then_some(a)
        })
    }
}

enum Trust {
    /// `--env int --ca int:<root>`
    Int,
    /// `--env prod --ca prod:<root>`
    Prod,
    /// `--env int --ca int:<int root> --ca prod:<prod root>`
    IntAndProd,
    /// `--env int`, embedded NHS CAs only.
    EmbeddedInt,
}

struct Case<'a> {
    name: &'a str,
    description: &'a str,
    files: &'a [&'a str],
    trust: Trust,
    extra: &'a [&'a str],
    vars: &'a [(&'a str, &'a str)],
    present: &'a [&'a str],
    open: &'a [&'a str],
    exit: i32,
}

/// `openssl verify` for a scenario: the leaf, the untrusted certificates, the trusted
/// root (paths relative to the fixture directory), whether openssl accepts, and why it
/// differs from bars-certcheck when it does.
struct Ossl<'a> {
    scenario: &'a str,
    leaf: &'a str,
    untrusted: &'a str,
    root: &'a str,
    ok: bool,
    differs: Option<&'a str>,
}

impl Ossl<'_> {
    fn build(&self, prefix: &str) -> OpensslVerify {
        OpensslVerify {
            args: vec![
                "-CAfile".into(),
                format!("{prefix}/{}", self.root),
                "-untrusted".into(),
                format!("{prefix}/{}", self.untrusted),
                format!("{prefix}/{}", self.leaf),
            ],
            ok: self.ok,
            differs: self.differs.map(str::to_owned),
        }
    }
}

impl Case<'_> {
    fn build(&self, prefix: &str) -> Scenario {
        let mut args: Vec<String> = self.files.iter().map(|f| format!("{prefix}/{f}")).collect();
        let mut push = |s: &[&str]| args.extend(s.iter().map(|a| (*a).to_owned()));
        match self.trust {
            Trust::Int => push(&[
                "--env",
                "int",
                "--ca",
                &format!("int:{prefix}/int/root.pem"),
            ]),
            Trust::Prod => push(&[
                "--env",
                "prod",
                "--ca",
                &format!("prod:{prefix}/prod/root.pem"),
            ]),
            Trust::IntAndProd => push(&[
                "--env",
                "int",
                "--ca",
                &format!("int:{prefix}/int/root.pem"),
                "--ca",
                &format!("prod:{prefix}/prod/root.pem"),
            ]),
            Trust::EmbeddedInt => push(&["--env", "int"]),
        }
        let extra: Vec<String> = self
            .extra
            .iter()
            .map(|a| a.replace("{P}", prefix))
            .collect();
        if !extra.iter().any(|a| a == "--at") {
            args.extend(["--at".to_owned(), JUDGED_AT.to_owned()]);
        }
        args.extend(extra);
        Scenario {
            name: self.name.to_owned(),
            description: self.description.to_owned(),
            command: "check".to_owned(),
            args,
            env: self
                .vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            expect: Expect {
                present: self.present.iter().map(|s| (*s).to_owned()).collect(),
                absent: FILE_FINDING_IDS
                    .iter()
                    .filter(|id| !self.present.contains(id) && !self.open.contains(id))
                    .map(|s| (*s).to_owned())
                    .collect(),
                exit: self.exit,
            },
            openssl_verify: None,
        }
    }
}

const NO_SAN: &str = "name.no-san";
/// An unencrypted key file given to `check` (info).
const KEY_CLEAR: &str = "key.unencrypted";
/// A PKCS#12 file with legacy encryption (info).
const PFX_LEGACY: &str = "pfx.legacy";
const PFX_VARS: &[(&str, &str)] = &[(PFX_PASSWORD_VAR, PASSWORD)];
const KEY_VARS: &[(&str, &str)] = &[(KEY_PASSWORD_VAR, PASSWORD)];

/// Every scenario, with file paths under `prefix` (the fixture directory relative to the
/// repository root, normally `fixtures/pki`).
pub fn scenarios(prefix: &str) -> Vec<Scenario> {
    let cases = [
        Case {
            name: "int-good",
            description: "INT leaf BaRS-INT-X26.Supplier.thirdparty.nhs.uk (NHS shape: CN,OU=Devices,O=nhs; no SAN; serverAuth+clientAuth) + the INT test sub-CA, with its PKCS#8 key and its CN-only CSR. The CSR's CN is UTF8String (as openssl req writes it) while the certificate's is PrintableString (as the NHS CA writes it): names must be compared as text. Only the informational name.no-san.",
            files: &["int-good/chain.pem", "int-good/leaf.key", "int-good/request.csr"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN, KEY_CLEAR],
            open: &[],
            exit: 0,
        },
        Case {
            name: "int-good-env-auto",
            description: "int-good without --env: the environment comes from the BaRS-INT- prefix of the FQDN.",
            files: &["int-good/chain.pem", "int-good/leaf.key", "int-good/request.csr"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN, KEY_CLEAR],
            open: &[],
            exit: 0,
        },
        Case {
            name: "prod-good",
            description: "PROD leaf BaRS-PROD-X26.Supplier.thirdparty.nhs.uk + the PROD test sub-CA, with its key.",
            files: &["prod-good/chain.pem", "prod-good/leaf.key"],
            trust: Trust::Prod,
            extra: &[],
            vars: &[],
            present: &[NO_SAN, KEY_CLEAR],
            open: &[],
            exit: 0,
        },
        Case {
            name: "chain-incomplete",
            description: "The int-good leaf alone: its issuer (the INT sub-CA) was not sent and the tool does not know it either. An unknown issuer is chain.incomplete, not chain.untrusted.",
            files: &["chain-incomplete/leaf.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.incomplete", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-incomplete-known",
            description: "The int-good leaf alone, with the missing INT sub-CA given through --ca: still chain.incomplete (the server must send it), and the finding names it.",
            files: &["chain-incomplete/leaf.pem"],
            trust: Trust::Int,
            extra: &["--ca", "int:{P}/int/subca.pem"],
            vars: &[],
            present: &["chain.incomplete", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-order",
            description: "INT sub-CA first, then the int-good leaf.",
            files: &["chain-order/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.order", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-root-sent",
            description: "int-good leaf + INT sub-CA + INT root: harmless, informational.",
            files: &["chain-root-sent/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.root-sent", NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "chain-unrelated",
            description: "int-good leaf + INT sub-CA + the foreign (non-NHS) sub-CA, which belongs to no path: a warning.",
            files: &["chain-unrelated/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.unrelated", NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "chain-untrusted",
            description: "A BaRS-INT-named leaf issued by the foreign private sub-CA, sent with that sub-CA; the foreign root is not trusted. The leaf's issuer was sent, so this is chain.untrusted, not chain.incomplete.",
            files: &["chain-untrusted/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.untrusted", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-wrong-env",
            description: "A BaRS-INT-named leaf issued by the PROD test sub-CA, sent with it, judged as INT with both test roots given: chain.wrong-env and name.env-mismatch, not chain.incomplete. Whether chain.untrusted is also reported is left open (the SPEC does not say).",
            files: &["chain-wrong-env/chain.pem"],
            trust: Trust::IntAndProd,
            extra: &[],
            vars: &[],
            present: &["chain.wrong-env", "name.env-mismatch", NO_SAN],
            open: &["chain.untrusted"],
            exit: 1,
        },
        Case {
            name: "chain-bad-signature",
            description: "A leaf naming the INT sub-CA as issuer (same issuer DN bytes, same AKI) but signed with another key, sent with the genuine INT sub-CA. Whether chain.untrusted accompanies chain.bad-signature is left open.",
            files: &["chain-bad-signature/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.bad-signature", NO_SAN],
            open: &["chain.untrusted"],
            exit: 1,
        },
        Case {
            name: "lookalike",
            description: "A leaf issued by the look-alike 'NHS INT Authentication G2' (exact DN bytes and key identifiers of the real CA, its own key), sent with the look-alike sub-CA, judged against the embedded real NHS CAs only: the look-alike's signature does not verify under the real NHS PTL Root Authority G2.",
            files: &["lookalike/chain.pem"],
            trust: Trust::EmbeddedInt,
            extra: &[],
            vars: &[],
            present: &["chain.untrusted", "chain.bad-signature", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-legacy",
            description: "A real NHS leaf (int.api.service.nhs.uk) under the retired NHS INT Level 1C, sent with Level 1C, judged at 2023-06-01 (inside its validity) against the embedded NHS CAs: chain.legacy (warning) and name.fqdn-format (an nhs.uk name not of the BaRS shape). Real public certificates copied from fixtures/nhs-pki.",
            files: &["chain-legacy/chain.pem"],
            trust: Trust::EmbeddedInt,
            extra: &["--at", "2023-06-01T00:00:00Z"],
            vars: &[],
            present: &["chain.legacy", "name.fqdn-format", NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "cert-expired",
            description: "INT leaf valid 2024-01-01 -> 2025-01-01.",
            files: &["cert-expired/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.expired", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-not-yet-valid",
            description: "INT leaf valid 2028-01-01 -> 2029-01-01.",
            files: &["cert-not-yet-valid/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.not-yet-valid", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-expiring-soon",
            description: "INT leaf whose notAfter is 2027-01-15, 14 days after the judging time (default --warn-days 30): a warning.",
            files: &["cert-expiring-soon/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.expiring-soon", NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "cert-weak-key",
            description: "INT leaf with an RSA-1024 key (made with openssl ca), signed sha256 by the INT sub-CA: reported as cert.weak-key, and its signature still verifies (no chain.bad-signature).",
            files: &["cert-weak-key/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.weak-key", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-weak-signature",
            description: "INT leaf (RSA-2048) signed sha1WithRSAEncryption by the INT sub-CA (made with openssl ca -md sha1): cert.weak-signature, and the SHA-1 signature still verifies (no chain.bad-signature).",
            files: &["cert-weak-signature/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.weak-signature", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-eku",
            description: "INT leaf with only the clientAuth EKU, checked with the default (server) usage.",
            files: &["cert-eku/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.eku", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-self-signed",
            description: "A self-signed (non-CA) leaf named BaRS-INT-X26.Supplier.thirdparty.nhs.uk: cert.self-signed and chain.untrusted, never chain.incomplete.",
            files: &["cert-self-signed/leaf.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.self-signed", "chain.untrusted", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "name-not-nhs-uk",
            description: "INT-issued leaf for bars.example.com. Whether name.fqdn-format is also reported is left open (the SPEC's fqdn-format is about nhs.uk names).",
            files: &["name-not-nhs-uk/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["name.not-nhs-uk", NO_SAN],
            open: &["name.fqdn-format"],
            exit: 1,
        },
        Case {
            name: "name-fqdn-format",
            description: "INT-issued leaf for www.example.nhs.uk: under nhs.uk but not of the BaRS shape, a warning.",
            files: &["name-fqdn-format/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["name.fqdn-format", NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "name-cn-san-mismatch",
            description: "INT leaf with CN BaRS-INT-X26.Supplier.thirdparty.nhs.uk and a SAN holding only other.thirdparty.nhs.uk. Whether name.fqdn-format is reported for the SAN name is left open.",
            files: &["name-cn-san-mismatch/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["name.cn-san-mismatch"],
            open: &["name.fqdn-format"],
            exit: 1,
        },
        Case {
            name: "name-env-mismatch",
            description: "A BaRS-PROD-X26.Supplier.thirdparty.nhs.uk leaf issued by the INT sub-CA, judged as INT. Whether name.fqdn-format is also reported is left open.",
            files: &["name-env-mismatch/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["name.env-mismatch", NO_SAN],
            open: &["name.fqdn-format"],
            exit: 1,
        },
        Case {
            name: "name-host-mismatch",
            description: "The int-good chain checked with --expect-fqdn BaRS-INT-Y99.Other.thirdparty.nhs.uk.",
            files: &["int-good/chain.pem"],
            trust: Trust::Int,
            extra: &["--expect-fqdn", "BaRS-INT-Y99.Other.thirdparty.nhs.uk"],
            vars: &[],
            present: &["name.host-mismatch", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "name-host-match",
            description: "The int-good chain checked with --expect-fqdn equal to its CN (the name is only in the CN): covered.",
            files: &["int-good/chain.pem"],
            trust: Trust::Int,
            extra: &["--expect-fqdn", "BaRS-INT-X26.Supplier.thirdparty.nhs.uk"],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "name-san-good",
            description: "INT leaf whose SAN dNSName equals its CN: no name.no-san, nothing at all.",
            files: &["name-san-good/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[],
            open: &[],
            exit: 0,
        },
        Case {
            name: "csr-good",
            description: "A CN-only CSR (/CN=BaRS-INT-X26.Supplier.thirdparty.nhs.uk, RSA-2048) with its key: no findings.",
            files: &["csr-good/request.csr", "csr-good/request.key"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[KEY_CLEAR],
            open: &[],
            exit: 0,
        },
        Case {
            name: "csr-extra-fields",
            description: "A CSR whose subject has O and OU besides the CN.",
            files: &["csr-extra-fields/request.csr"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["csr.extra-fields"],
            open: &[],
            exit: 1,
        },
        Case {
            name: "csr-email",
            description: "A CSR whose subject is the CN plus an emailAddress. Whether csr.extra-fields is reported as well is left open.",
            files: &["csr-email/request.csr"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["csr.email"],
            open: &["csr.extra-fields"],
            exit: 1,
        },
        Case {
            name: "csr-bad-signature",
            description: "The csr-good CSR with the last byte of its signature inverted.",
            files: &["csr-bad-signature/request.csr"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["csr.bad-signature"],
            open: &[],
            exit: 1,
        },
        Case {
            name: "csr-weak-key",
            description: "A CN-only CSR with an RSA-1024 key (made with openssl req): cert.weak-key applies to CSRs too.",
            files: &["csr-weak-key/request.csr"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.weak-key"],
            open: &[],
            exit: 1,
        },
        Case {
            name: "key-mismatch",
            description: "The int-good chain with a different RSA-2048 key.",
            files: &["int-good/chain.pem", "key-mismatch/other.key"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["key.mismatch", NO_SAN, KEY_CLEAR],
            open: &[],
            exit: 1,
        },
        Case {
            name: "csr-cert-mismatch",
            description: "The int-good chain with a CSR for the same CN but another key.",
            files: &["int-good/chain.pem", "csr-cert-mismatch/other.csr"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["csr.cert-mismatch", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "pfx-good",
            description: "int-good leaf + key + INT sub-CA as PKCS#12 (openssl 3 default: AES-256-CBC, PBKDF2, SHA-256 MAC), password in PFX_PASSWORD.",
            files: &["pfx-good/bundle.pfx"],
            trust: Trust::Int,
            extra: &["--password-env", PFX_PASSWORD_VAR],
            vars: PFX_VARS,
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "pfx-legacy",
            description: "The same contents as pfx-good made with openssl pkcs12 -legacy (RC2-40 certificates, 3DES key, SHA-1 MAC): readable, at most informational.",
            files: &["pfx-legacy/bundle.pfx"],
            trust: Trust::Int,
            extra: &["--password-env", PFX_PASSWORD_VAR],
            vars: PFX_VARS,
            present: &[NO_SAN, PFX_LEGACY],
            open: &[],
            exit: 0,
        },
        Case {
            name: "pfx-no-chain",
            description: "PKCS#12 holding only the int-good leaf and key: pfx.no-chain (warning), not an error-level chain.incomplete.",
            files: &["pfx-no-chain/bundle.pfx"],
            trust: Trust::Int,
            extra: &["--password-env", PFX_PASSWORD_VAR],
            vars: PFX_VARS,
            present: &["pfx.no-chain", NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "pfx-bad-password",
            description: "pfx-good opened with the wrong password: pfx.bad-password, and nothing inside can be judged.",
            files: &["pfx-good/bundle.pfx"],
            trust: Trust::Int,
            extra: &["--password-env", PFX_PASSWORD_VAR],
            vars: &[(PFX_PASSWORD_VAR, "wrong-password")],
            present: &["pfx.bad-password"],
            open: &[],
            exit: 1,
        },
        Case {
            name: "encoding-der-leaf",
            description: "The int-good leaf as DER, with the INT sub-CA as a separate PEM file.",
            files: &["encodings/leaf.der", "int/subca.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-p7b-pem",
            description: "The int-good chain as a PKCS#7 certificate bundle, PEM (-----BEGIN PKCS7-----).",
            files: &["encodings/chain.p7b"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-p7b-der",
            description: "The int-good chain as a PKCS#7 certificate bundle, DER.",
            files: &["encodings/chain-der.p7b"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-crlf-bom",
            description: "The int-good chain with a UTF-8 BOM, CRLF line endings and text before, between and after the PEM blocks.",
            files: &["encodings/chain-crlf-bom.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-pkcs1-key",
            description: "The int-good chain with its key as PKCS#1 (-----BEGIN RSA PRIVATE KEY-----).",
            files: &["int-good/chain.pem", "encodings/leaf.pkcs1.key"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN, KEY_CLEAR],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-encrypted-pkcs8-key",
            description: "The int-good chain with its key as encrypted PKCS#8 (PBES2, AES-256-CBC), password in KEY_PASSWORD.",
            files: &["int-good/chain.pem", "encodings/leaf.enc-pkcs8.key"],
            trust: Trust::Int,
            extra: &["--password-env", KEY_PASSWORD_VAR],
            vars: KEY_VARS,
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-traditional-encrypted-key",
            description: "The int-good chain with its key as traditional encrypted PEM (Proc-Type: 4,ENCRYPTED; DEK-Info: AES-256-CBC), password in KEY_PASSWORD.",
            files: &["int-good/chain.pem", "encodings/leaf.traditional-enc.key"],
            trust: Trust::Int,
            extra: &["--password-env", KEY_PASSWORD_VAR],
            vars: KEY_VARS,
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-ec-pkcs8",
            description: "An INT leaf with a P-256 key (BaRS-INT-X27.Supplier.thirdparty.nhs.uk) + INT sub-CA, with its PKCS#8 key. P-256 is not weak.",
            files: &["encodings/ec-chain.pem", "encodings/ec-leaf.key"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN, KEY_CLEAR],
            open: &[],
            exit: 0,
        },
        Case {
            name: "encoding-ec-sec1",
            description: "The P-256 leaf with its key as SEC1 (-----BEGIN EC PRIVATE KEY-----).",
            files: &["encodings/ec-chain.pem", "encodings/ec-leaf.sec1.key"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN, KEY_CLEAR],
            open: &[],
            exit: 0,
        },
        Case {
            name: "chain-not-ca",
            description: "The INT leaf issued by an end-entity certificate (BaRS-INT-X41, cA FALSE, keyUsage digitalSignature + keyEncipherment) that the INT root issued, sent with it: every TLS client refuses (webpki EndEntityUsedAsCa; openssl error 79 'invalid CA certificate').",
            files: &["chain-not-ca/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.not-ca", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-path-length",
            description: "The INT leaf issued by 'BaRS TEST INT Issuing CA 2', a CA the INT sub-CA (pathLenConstraint 0) issued: one CA too many below the sub-CA.",
            files: &["chain-path-length/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.path-length", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-path-length-ok",
            description: "The good twin of chain-path-length: the same issuing CA under a pathLenConstraint-1 CA the INT root issued.",
            files: &["chain-path-length-ok/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "chain-name-constraints",
            description: "The INT leaf (no SAN: its name is its CN, BaRS-INT-X26.Supplier.thirdparty.nhs.uk) issued by a CA whose nameConstraints permit only permitted.thirdparty.nhs.uk.",
            files: &["chain-name-constraints/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["chain.name-constraints", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "chain-name-constraints-ok",
            description: "The good twin of chain-name-constraints: the CA permits thirdparty.nhs.uk, which the leaf's name is inside.",
            files: &["chain-name-constraints-ok/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "cert-critical-extension",
            description: "An INT leaf with an extension no software processes (OID 1.3.6.1.4.1.99999.1) marked critical: RFC 5280 4.2 says refuse it.",
            files: &["cert-critical-extension/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.critical-extension", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-noncritical-extension",
            description: "The good twin of cert-critical-extension: the same extension, not critical, is ignored.",
            files: &["cert-noncritical-extension/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "cert-key-usage",
            description: "An INT leaf whose keyUsage is nonRepudiation only (as a signing certificate): its key cannot sign a TLS handshake.",
            files: &["cert-key-usage/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.key-usage", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-key-usage-ok",
            description: "The good twin of cert-key-usage: keyUsage digitalSignature only.",
            files: &["cert-key-usage-ok/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &[NO_SAN],
            open: &[],
            exit: 0,
        },
        Case {
            name: "cert-malformed",
            description: "An INT leaf without authorityKeyIdentifier (RFC 5280 4.2.1.1: MUST be included), a profile rule of the validator.",
            files: &["cert-malformed/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.malformed", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-ca-as-leaf",
            description: "The INT endpoint certificate issued by the INT sub-CA with basicConstraints cA TRUE: a CA certificate as the leaf (webpki CaUsedAsEndEntity).",
            files: &["cert-ca-as-leaf/chain.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.ca-as-leaf", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "cert-self-signed-ca",
            description: "What `openssl req -x509` makes: a self-signed certificate with cA TRUE named like the endpoint. It is the leaf (it names a host), self-signed and untrusted.",
            files: &["cert-self-signed-ca/leaf.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["cert.self-signed", "chain.untrusted", NO_SAN],
            open: &[],
            exit: 1,
        },
        Case {
            name: "input-unreadable",
            description: "The int-good chain and a PEM file cut short (no END line): the cut file is input.unreadable (exit 2 whatever else), the chain is still checked.",
            files: &["int-good/chain.pem", "input-unreadable/truncated.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["input.unreadable", NO_SAN],
            open: &[],
            exit: 2,
        },
        Case {
            name: "input-ca-only",
            description: "The INT sub-CA alone: no leaf, so input.ca-only; the sub-CA itself is checked as a CA (valid, and under the INT root).",
            files: &["int/subca.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["input.ca-only"],
            open: &[],
            exit: 0,
        },
        Case {
            name: "input-ca-only-untrusted",
            description: "The foreign private sub-CA alone, judged as INT: input.ca-only, and the CA is not under the INT root (chain.untrusted).",
            files: &["foreign/subca.pem"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["input.ca-only", "chain.untrusted"],
            open: &[],
            exit: 1,
        },
        Case {
            name: "key-locked",
            description: "The int-good chain with its key as encrypted PKCS#8 and no password given: the key cannot be matched (key.locked, a warning).",
            files: &["int-good/chain.pem", "encodings/leaf.enc-pkcs8.key"],
            trust: Trust::Int,
            extra: &[],
            vars: &[],
            present: &["key.locked", NO_SAN],
            open: &[],
            exit: 0,
        },
    ];
    let mut out: Vec<Scenario> = cases.iter().map(|c| c.build(prefix)).collect();
    let ossl = [
        Ossl {
            scenario: "int-good",
            leaf: "int-good/leaf.pem",
            untrusted: "int-good/chain.pem",
            root: "int/root.pem",
            ok: true,
            differs: None,
        },
        Ossl {
            scenario: "chain-not-ca",
            leaf: "chain-not-ca/leaf.pem",
            untrusted: "chain-not-ca/chain.pem",
            root: "int/root.pem",
            ok: false,
            differs: None,
        },
        Ossl {
            scenario: "chain-path-length",
            leaf: "chain-path-length/leaf.pem",
            untrusted: "chain-path-length/chain.pem",
            root: "int/root.pem",
            ok: false,
            differs: None,
        },
        Ossl {
            scenario: "chain-path-length-ok",
            leaf: "chain-path-length-ok/leaf.pem",
            untrusted: "chain-path-length-ok/chain.pem",
            root: "int/root.pem",
            ok: true,
            differs: None,
        },
        Ossl {
            scenario: "chain-name-constraints",
            leaf: "chain-name-constraints/leaf.pem",
            untrusted: "chain-name-constraints/chain.pem",
            root: "int/root.pem",
            ok: false,
            differs: None,
        },
        Ossl {
            scenario: "chain-name-constraints-ok",
            leaf: "chain-name-constraints-ok/leaf.pem",
            untrusted: "chain-name-constraints-ok/chain.pem",
            root: "int/root.pem",
            ok: true,
            differs: None,
        },
        Ossl {
            scenario: "cert-critical-extension",
            leaf: "cert-critical-extension/leaf.pem",
            untrusted: "cert-critical-extension/chain.pem",
            root: "int/root.pem",
            ok: false,
            differs: None,
        },
        Ossl {
            scenario: "cert-noncritical-extension",
            leaf: "cert-noncritical-extension/leaf.pem",
            untrusted: "cert-noncritical-extension/chain.pem",
            root: "int/root.pem",
            ok: true,
            differs: None,
        },
        Ossl {
            scenario: "cert-key-usage",
            leaf: "cert-key-usage/leaf.pem",
            untrusted: "cert-key-usage/chain.pem",
            root: "int/root.pem",
            ok: false,
            differs: None,
        },
        Ossl {
            scenario: "cert-key-usage-ok",
            leaf: "cert-key-usage-ok/leaf.pem",
            untrusted: "cert-key-usage-ok/chain.pem",
            root: "int/root.pem",
            ok: true,
            differs: None,
        },
        Ossl {
            scenario: "cert-malformed",
            leaf: "cert-malformed/leaf.pem",
            untrusted: "cert-malformed/chain.pem",
            root: "int/root.pem",
            ok: false,
            differs: None,
        },
        Ossl {
            scenario: "cert-ca-as-leaf",
            leaf: "cert-ca-as-leaf/leaf.pem",
            untrusted: "cert-ca-as-leaf/chain.pem",
            root: "int/root.pem",
            ok: true,
            differs: Some("openssl accepts a CA certificate as the end entity (RFC 5280 does not forbid it); webpki, and so rustls and the BaRS proxy's TLS stack, refuse it (CaUsedAsEndEntity), and bars-certcheck follows webpki"),
        },
        Ossl {
            scenario: "cert-self-signed-ca",
            leaf: "cert-self-signed-ca/leaf.pem",
            untrusted: "cert-self-signed-ca/leaf.pem",
            root: "int/root.pem",
            ok: false,
            differs: None,
        },
    ];
    for o in &ossl {
        if let Some(s) = out.iter_mut().find(|s| s.name == o.scenario) {
            s.openssl_verify = Some(o.build(prefix));
        }
    }
    // int-good-env-auto: the same run without --env.
    if let Some(s) = out.iter_mut().find(|s| s.name == "int-good-env-auto") {
        if let Some(pos) = s.args.iter().position(|a| a == "--env") {
            s.args.drain(pos..pos.saturating_add(2).min(s.args.len()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_unique_and_ids_known() {
        let all = scenarios("fixtures/pki");
        let names: BTreeSet<_> = all.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), all.len());
        for s in &all {
            for id in s.expect.present.iter().chain(&s.expect.absent) {
                assert!(FILE_FINDING_IDS.contains(&id.as_str()), "{}: {id}", s.name);
            }
            for id in &s.expect.present {
                assert!(!s.expect.absent.contains(id), "{}: {id}", s.name);
            }
            assert_eq!(s.command, "check");
            assert!(
                s.args.iter().filter(|a| *a == "--at").count() == 1,
                "{}",
                s.name
            );
            assert!(s.files("fixtures/pki").count() >= 1, "{}", s.name);
        }
    }

    #[test]
    fn every_file_finding_has_a_bad_and_a_good_scenario() {
        let all = scenarios("fixtures/pki");
        for id in FILE_FINDING_IDS {
            assert!(
                all.iter().any(|s| s.expect.present.iter().any(|p| p == id)),
                "no scenario reports {id}"
            );
            assert!(
                all.iter().any(|s| s.expect.absent.iter().any(|p| p == id)),
                "no scenario proves the absence of {id}"
            );
        }
    }

    #[test]
    fn exit_codes_follow_severities() {
        const ERRORS: &[&str] = &[
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
            "csr.cert-mismatch",
            "chain.not-ca",
            "chain.path-length",
            "chain.name-constraints",
            "cert.critical-extension",
            "cert.key-usage",
            "cert.malformed",
            "cert.ca-as-leaf",
        ];
        for s in scenarios("p") {
            let has_error = s
                .expect
                .present
                .iter()
                .any(|p| ERRORS.contains(&p.as_str()));
            let unreadable = s.expect.present.iter().any(|p| p == "input.unreadable");
            let want = if unreadable { 2 } else { i32::from(has_error) };
            assert_eq!(s.expect.exit, want, "{}", s.name);
        }
    }

    #[test]
    fn args_shape() {
        let all = scenarios("fixtures/pki");
        let get = |n: &str| all.iter().find(|s| s.name == n).unwrap().clone();
        let good = get("int-good");
        assert_eq!(
            good.args,
            [
                "fixtures/pki/int-good/chain.pem",
                "fixtures/pki/int-good/leaf.key",
                "fixtures/pki/int-good/request.csr",
                "--env",
                "int",
                "--ca",
                "int:fixtures/pki/int/root.pem",
                "--at",
                JUDGED_AT
            ]
        );
        assert!(!get("int-good-env-auto").args.contains(&"--env".to_owned()));
        assert_eq!(get("pfx-good").env[PFX_PASSWORD_VAR], PASSWORD);
        let legacy = get("chain-legacy");
        assert!(legacy.args.contains(&"2023-06-01T00:00:00Z".to_owned()));
        assert!(!legacy.args.contains(&JUDGED_AT.to_owned()));
        let known = get("chain-incomplete-known");
        let files: Vec<_> = known.files("fixtures/pki").collect();
        assert_eq!(
            files,
            [
                "fixtures/pki/chain-incomplete/leaf.pem",
                "fixtures/pki/int/root.pem",
                "fixtures/pki/int/subca.pem"
            ]
        );
    }
}
