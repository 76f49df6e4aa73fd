//! The policy of `pfx build`: which of the certificates given are the leaf and its
//! chain, what refuses the build, what goes into the file, and the check of the file
//! built, exactly as `check out.pfx` would judge it.

use bars_checks::{Analysis, CheckInput, Family, Finding, Options, Role, Severity, Source};
use bars_model::{Certificate, Item, Limits, PasswordProvider, PfxSummary, PrivateKey};
use std::collections::BTreeSet;

/// Why the certificates given cannot be packaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// More than one end-entity certificate in `--cert`.
    #[error("--cert {0}: more than one end-entity certificate; give the one issued for your key")]
    SeveralLeaves(String),
    /// Only CA certificates in `--cert`.
    #[error("--cert {0}: no end-entity certificate (only CA certificates)")]
    NoLeaf(String),
}

/// The leaf and the CA certificates offered for its chain.
#[derive(Debug)]
pub struct Selection {
    /// The first end-entity certificate of `--cert`.
    pub leaf: Certificate,
    /// CA certificates after it in `--cert`, then those of `--chain`, without repeats.
    pub candidates: Vec<(Certificate, Source)>,
    /// What was ignored, in words (a non-CA certificate in `--chain`).
    pub notes: Vec<String>,
}

/// Picks the leaf from `cert` (the `--cert` file's name and certificates) and the chain
/// candidates from it and from `chain` (each `--chain` file's).
pub fn select(
    cert: (&str, Vec<Certificate>),
    chain: Vec<(String, Vec<Certificate>)>,
) -> Result<Selection, SelectError> {
    let (cert_name, certs) = cert;
    let mut leaf: Option<Certificate> = None;
    let mut candidates = Vec::new();
    for c in certs {
        if c.summary().is_ca {
            candidates.push((c, Source::File(cert_name.to_string())));
        } else if leaf.is_none() {
            leaf = Some(c);
        } else {
            return Err(SelectError::SeveralLeaves(cert_name.to_string()));
        }
    }
    let leaf = leaf.ok_or_else(|| SelectError::NoLeaf(cert_name.to_string()))?;
    let mut notes = Vec::new();
    for (name, certs) in chain {
        for c in certs {
            if c.summary().is_ca {
                candidates.push((c, Source::File(name.clone())));
            } else if c.summary().sha256 != leaf.summary().sha256 {
                notes.push(format!(
                    "--chain {name}: ignoring {}: not a CA certificate",
                    c.summary().subject
                ));
            }
        }
    }
    let mut seen = BTreeSet::new();
    candidates.retain(|(c, _)| seen.insert(c.summary().sha256.clone()));
    Ok(Selection {
        leaf,
        candidates,
        notes,
    })
}

/// Why a PFX (or keystore) cannot be opened for `pfx extract`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// No password, or a wrong one: a refusal (exit 1).
    #[error("{0}")]
    Locked(String),
    /// Unreadable, or not a PFX at all (exit 2).
    #[error("{0}")]
    Unreadable(String),
}

/// Opens the one PKCS#12 file or Java keystore at `path` with `passwords`.
pub fn open(
    path: &std::path::Path,
    passwords: &dyn PasswordProvider,
    limits: &Limits,
) -> Result<bars_model::Pfx, OpenError> {
    use bars_model::ReadErrorKind as K;
    let parsed = bars_model::read_path(path, passwords, limits);
    if let Some(e) = parsed.errors.first() {
        return Err(match e.kind {
            K::NeedPassword { .. } | K::BadPassword { .. } => OpenError::Locked(format!(
                "{e} (give the PFX password with --password-env VAR or --password-file FILE)"
            )),
            _ => OpenError::Unreadable(e.to_string()),
        });
    }
    parsed
        .items
        .into_iter()
        .find_map(|i| match i {
            Item::Pfx(p) => Some(p),
            _ => None,
        })
        .ok_or_else(|| {
            OpenError::Unreadable(format!(
                "{}: not a PKCS#12 file or Java keystore",
                path.display()
            ))
        })
}

/// Findings that stop the build. The name of an issued certificate cannot be changed by
/// packaging it, so `name.*` findings are reported, not refused; the chain is rebuilt
/// from the path (`rebuilt`), so its order and completeness as given do not matter when
/// a path exists.
pub fn blocks(f: &Finding, rebuilt: bool) -> bool {
    f.severity == Severity::Error
        && f.family() != Family::Name
        && !(rebuilt && (f.is(&bars_checks::chain::INCOMPLETE) || f.is(&bars_checks::chain::ORDER)))
}

/// What goes into the file.
#[derive(Debug)]
pub struct Plan {
    /// The analysis of the leaf, its candidates and the key (index 0 is the leaf).
    pub analysis: Analysis,
    /// The leaf's path (analysis indices).
    pub path: Vec<usize>,
    /// The certificates after the leaf in the file.
    pub included: Vec<usize>,
    /// The root left out, if any.
    pub root: Option<usize>,
    /// Certificates given that are not on the path (left out).
    pub left_out: Vec<usize>,
}

/// Why the build is refused before anything is made.
#[derive(Debug)]
pub struct Refusal {
    /// The analysis.
    pub analysis: Analysis,
    /// The findings that stop it (the errors, when only completeness does).
    pub stop: Vec<Finding>,
    /// The path when it is complete (something else stopped the build).
    pub complete_path: Option<Vec<usize>>,
}

/// Plans the file: the key and the path from what was given, completed from the
/// embedded and `--ca` CAs, judged under `opts`.
pub fn plan(
    selection: &Selection,
    key: &PrivateKey,
    key_name: &str,
    cert_name: &str,
    opts: &Options,
) -> Result<Plan, Box<Refusal>> {
    let mut input = CheckInput::default();
    input
        .certificates
        .push((selection.leaf.clone(), Source::File(cert_name.to_string())));
    input
        .certificates
        .extend(selection.candidates.iter().cloned());
    input
        .keys
        .push((key.clone(), Source::File(key_name.to_string())));
    let analysis = bars_checks::analyse(&input, opts);
    let chain = analysis.chains.iter().find(|c| c.leaf == 0);
    let complete = chain.is_some_and(|c| c.anchored);
    let path: Vec<usize> = chain.map(|c| c.path.clone()).unwrap_or_default();
    let mut stop: Vec<Finding> = analysis
        .findings
        .iter()
        .filter(|f| blocks(f, complete))
        .cloned()
        .collect();
    if !complete || !stop.is_empty() {
        if stop.is_empty() {
            stop = analysis
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .cloned()
                .collect();
        }
        return Err(Box::new(Refusal {
            complete_path: complete.then_some(path),
            analysis,
            stop,
        }));
    }
    let (included, root) = split_path(&analysis, &path);
    let left_out = (1..analysis.certificates.len())
        .filter(|i| {
            analysis
                .certificates
                .get(*i)
                .is_some_and(|e| e.source != Source::Embedded && !path.contains(i))
        })
        .collect();
    Ok(Plan {
        analysis,
        path,
        included,
        root,
        left_out,
    })
}

/// The certificates of `path` (analysis indices) to put after the leaf: the
/// intermediates, or the root when the leaf hangs directly off it (so that the file still
/// holds the leaf's issuer); and the root left out, if any.
pub fn split_path(analysis: &Analysis, path: &[usize]) -> (Vec<usize>, Option<usize>) {
    let mut included = Vec::new();
    let mut root = None;
    for &i in path.iter().skip(1) {
        let Some(e) = analysis.certificates.get(i) else {
            continue;
        };
        if e.role == Role::Root || e.cert.summary().self_issued {
            root = Some(i);
        } else {
            included.push(i);
        }
    }
    if included.is_empty() {
        if let Some(r) = root.take() {
            included.push(r);
        }
    }
    (included, root)
}

/// The file built, read back and analysed as `check out.pfx` would.
#[derive(Debug)]
pub struct Checked {
    /// What the archive says of itself (encryption, MAC).
    pub summary: PfxSummary,
    /// The analysis.
    pub analysis: Analysis,
}

/// A fixed password, never a prompt.
struct Given<'a>(&'a str);

impl PasswordProvider for Given<'_> {
    fn password(&self, _what: &str) -> Option<String> {
        Some(self.0.to_string())
    }
}

/// Reads `bytes` (the PFX just built, to be written as `name`) back with `password` and
/// analyses it under `opts`; `None` when it cannot be read back (a bug).
pub fn check_built(bytes: &[u8], name: &str, password: &str, opts: &Options) -> Option<Checked> {
    let parsed = bars_model::read_bytes(name, bytes, &Given(password), &Limits::default());
    let summary = parsed.items.iter().find_map(|i| match i {
        Item::Pfx(p) => Some(p.summary.clone()),
        _ => None,
    })?;
    let read = crate::files::inputs(vec![(name.to_string(), parsed)]);
    if read.unreadable {
        return None;
    }
    Some(Checked {
        summary,
        analysis: bars_checks::analyse(&read.input, opts),
    })
}

/// Where a certificate of the plan came from, in words.
pub fn source_label(s: &Source) -> String {
    match s {
        Source::File(p) => format!("from {p}"),
        Source::Embedded => "embedded NHS CA".into(),
        Source::CaOption(p) => format!("from --ca {p}"),
        other => other.to_string(),
    }
}

/// A certificate's CN, else its subject.
pub fn cn_or_subject(c: &Certificate) -> String {
    let s = c.summary();
    s.subject_cns
        .first()
        .cloned()
        .unwrap_or_else(|| s.subject.clone())
}

/// `leaf (where from) → sub-CA (where from) → root (where from)`.
pub fn describe_path(analysis: &Analysis, path: &[usize]) -> String {
    path.iter()
        .filter_map(|&i| analysis.certificates.get(i))
        .map(|e| format!("{} ({})", cn_or_subject(&e.cert), source_label(&e.source)))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Why the file built is not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssembleError {
    /// The key does not belong to the leaf (a refusal).
    #[error("key.mismatch: {0}")]
    KeyMismatch(bars_forge::ForgeError),
    /// Building or reading back failed (a bug, or an encrypted key).
    #[error("{0}")]
    Failed(String),
    /// The file would not check clean: these findings (a refusal).
    #[error("the PFX would not check clean")]
    NotClean(Vec<Finding>),
}

/// How the PFX is protected and named.
#[derive(Clone)]
pub struct Packing {
    /// The PFX password.
    pub password: String,
    /// The legacy form (3DES, SHA-1 MAC).
    pub legacy: bool,
    /// The key entry's friendlyName (empty: the certificate's CN).
    pub friendly_name: Option<String>,
}

/// Builds the PFX of `plan` (the leaf, the included intermediates, `key`) as `packing`
/// says, reads it back and checks it as `check out.pfx` would (as `out_name`): the bytes
/// to write and what the check says, or why not.
pub fn assemble(
    (selection, plan, key): (&Selection, &Plan, &PrivateKey),
    out_name: &str,
    packing: Packing,
    opts: &Options,
) -> Result<(Vec<u8>, Checked), AssembleError> {
    let Packing {
        password,
        legacy,
        friendly_name,
    } = packing;
    let password = password.as_str();
    let key_der = key
        .pkcs8_der()
        .ok_or_else(|| AssembleError::Failed("the key is still encrypted".into()))?;
    let spec = bars_forge::pfx::PfxSpec {
        key_pkcs8_der: key_der.to_vec(),
        leaf_der: selection.leaf.der().to_vec(),
        chain_der: plan
            .included
            .iter()
            .filter_map(|&i| plan.analysis.certificates.get(i))
            .map(|e| e.cert.der().to_vec())
            .collect(),
        password: password.to_string(),
        legacy,
        friendly_name: friendly_name.unwrap_or_default(),
    };
    let bytes = match bars_forge::pfx::build(&spec) {
        Ok(b) => b,
        Err(e @ bars_forge::ForgeError::KeyMismatch) => return Err(AssembleError::KeyMismatch(e)),
        Err(e) => return Err(AssembleError::Failed(e.to_string())),
    };
    let checked = check_built(&bytes, out_name, password, opts).ok_or_else(|| {
        AssembleError::Failed(
            "the PFX just built cannot be read back (a bug: please report it)".into(),
        )
    })?;
    let stop: Vec<Finding> = checked
        .analysis
        .findings
        .iter()
        .filter(|f| blocks(f, false))
        .cloned()
        .collect();
    if stop.is_empty() {
        Ok((bytes, checked))
    } else {
        Err(AssembleError::NotClean(stop))
    }
}

/// The plan's certificates that were given but are not on the path, in words.
pub fn left_out_notes(plan: &Plan) -> Vec<String> {
    plan.left_out
        .iter()
        .filter_map(|&i| plan.analysis.certificates.get(i))
        .map(|e| {
            format!(
                "leaving out {} ({}): it is not on the certificate's path",
                e.cert.summary().subject,
                source_label(&e.source)
            )
        })
        .collect()
}

/// What `pfx build` says when it has written `out`: what the file holds, how it is
/// protected, what `check` will say, and the command that checks it (`check_options`:
/// the password and `--ca` options as given, quoted for a shell).
pub fn written_text(
    (plan, leaf, checked): (&Plan, &Certificate, &Checked),
    out: &std::path::Path,
    legacy: bool,
    check_options: &str,
) -> String {
    use bars_report::onboarding::{finding_text, shell_path};
    let (certificates, root) = contents(plan, leaf);
    let notes: String = checked
        .analysis
        .findings
        .iter()
        .filter(|f| f.severity.at_or_above(Severity::Warning))
        .map(finding_text)
        .collect();
    bars_report::onboarding::pfx_written(&bars_report::onboarding::PfxWritten {
        out: &out.display().to_string(),
        certificates,
        root,
        encryption: &checked.summary.encryption,
        mac: checked.summary.mac.as_deref(),
        legacy,
        environment: checked.analysis.environment,
        notes: &notes,
        check: &format!("bars-certcheck check {}{check_options}", shell_path(out)),
    })
}

/// A password that is given, or none; never a prompt.
struct Fixed(Option<String>);

impl PasswordProvider for Fixed {
    fn password(&self, _what: &str) -> Option<String> {
        self.0.clone()
    }
}

/// The one private key of `pfx build --key`, opened: with `key_password`
/// (`--key-password-*`) when given; else the PFX password, then `prompt` (a terminal).
/// The error is one line naming the file and what to give.
pub fn read_key(
    path: &std::path::Path,
    key_password: Option<String>,
    pfx_password: Option<&str>,
    prompt: &dyn PasswordProvider,
    limits: &Limits,
) -> Result<PrivateKey, String> {
    let explicit = key_password.is_some();
    let first = key_password.or_else(|| pfx_password.map(str::to_string));
    let tried = first.is_some();
    let open = |pw: &dyn PasswordProvider| match bars_model::private_key_in(path, pw, limits) {
        Ok(k) if k.pkcs8_der().is_some() => Ok(Ok(k)),
        Ok(_) => Ok(Err(None)),
        Err(bars_model::FileError::Locked(e)) => Ok(Err(Some(e.to_string()))),
        Err(e) => Err(e.to_string()),
    };
    let mut key = open(&Fixed(first))?;
    if !explicit && key.is_err() {
        // The PFX password did not open it (or there was none): ask on the terminal.
        key = open(prompt)?;
    }
    key.map_err(|why| {
        let why = why.unwrap_or_else(|| match tried {
            true => format!("{}: wrong password for the encrypted private key", path.display()),
            false => format!("{}: the private key is encrypted", path.display()),
        });
        format!("{why}; give its password with --key-password-env VAR or --key-password-file FILE (without them the PFX password is tried, then a prompt on a terminal)")
    })
}

/// Why `--out` cannot be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutError {
    /// `--out` names one of the inputs (a usage error).
    #[error("--out {0} is one of the inputs; refusing to overwrite it")]
    IsInput(String),
    /// Its directory is missing, or it exists without `--force`.
    #[error(transparent)]
    Forge(#[from] bars_forge::ForgeError),
}

/// `--out` is never one of `inputs`, and never replaced without `force`: `Ok(true)` when
/// it exists (and will be replaced).
pub fn check_out(
    out: &std::path::Path,
    inputs: &[&std::path::Path],
    force: bool,
) -> Result<bool, OutError> {
    let same = |a: &std::path::Path, b: &std::path::Path| matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y);
    if inputs.iter().any(|i| same(out, i)) {
        return Err(OutError::IsInput(out.display().to_string()));
    }
    Ok(bars_forge::write::check_destination(out, force)?)
}

/// Why the plan was refused, after its findings: whether the chain itself was complete,
/// else what to give.
pub fn refusal_note(r: &Refusal, leaf: &Certificate) -> String {
    let a = &r.analysis;
    match &r.complete_path {
        Some(path) => format!("(the chain itself is complete: {})", describe_path(a, path)),
        None => {
            let env = a
                .environment
                .map(|e| format!("the {} environment", e.as_str().to_uppercase()))
                .unwrap_or_else(|| "any known environment".into());
            let tag = a
                .environment
                .filter(|e| e.is_nhs())
                .map(|e| format!("{}:", e.as_str()))
                .unwrap_or_default();
            format!(
                "the chain from {} does not reach a trusted root of {env}: give missing intermediates with --chain FILE, and trust a root the tool does not know (a private test hierarchy) with --ca {tag}FILE",
                cn_or_subject(leaf),
            )
        }
    }
}

/// The certificates of the built file in words: the leaf, then each included one with
/// where it came from; and the root left out, if any.
pub fn contents(plan: &Plan, leaf: &Certificate) -> (Vec<String>, Option<String>) {
    let label = |i: usize| {
        plan.analysis
            .certificates
            .get(i)
            .map(|e| format!("{} ({})", cn_or_subject(&e.cert), source_label(&e.source)))
    };
    let mut certificates = vec![format!("{} (leaf)", cn_or_subject(leaf))];
    certificates.extend(plan.included.iter().filter_map(|&i| label(i)));
    (certificates, plan.root.and_then(label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_checks::{cert, chain, name};
    use bars_forge::mint::{demo_at, keys};

    fn certificate(der: &[u8]) -> Certificate {
        Certificate::from_der(der).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn names_do_not_stop_a_build_and_a_rebuilt_chain_forgives_order_and_gaps() {
        let f = |kind: &'static bars_checks::CheckInfo| kind.finding(Some(0), "x");
        assert!(!blocks(&f(&name::HOST_MISMATCH), false));
        assert!(blocks(&f(&cert::EXPIRED), true));
        assert!(blocks(&f(&chain::INCOMPLETE), false));
        assert!(!blocks(&f(&chain::INCOMPLETE), true));
        assert!(!blocks(&f(&chain::ORDER), true));
        assert!(!blocks(&f(&chain::LEGACY), false), "warnings never stop it");
    }

    #[test]
    fn the_leaf_is_the_one_end_entity_certificate_and_chains_hold_only_cas() {
        let pki = demo_at(time::OffsetDateTime::now_utc()).unwrap_or_else(|e| panic!("{e}"));
        let leaf = certificate(pki.server.der());
        let sub = certificate(pki.hierarchy.subca.der());
        let other = certificate(pki.client.der());
        let s = select(
            ("leaf.cer", vec![leaf.clone(), sub.clone()]),
            vec![(
                "chain.pem".into(),
                vec![sub.clone(), other.clone(), leaf.clone()],
            )],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.leaf.summary().sha256, leaf.summary().sha256);
        assert_eq!(s.candidates.len(), 1, "the sub-CA once");
        assert_eq!(
            s.notes.len(),
            1,
            "the client certificate is ignored, the leaf again is not"
        );
        assert_eq!(
            select(("two.pem", vec![leaf.clone(), other]), Vec::new()).err(),
            Some(SelectError::SeveralLeaves("two.pem".into()))
        );
        assert_eq!(
            select(("cas.pem", vec![sub]), Vec::new()).err(),
            Some(SelectError::NoLeaf("cas.pem".into()))
        );
    }

    #[test]
    fn a_complete_chain_is_planned_without_its_root_and_an_incomplete_one_refused() {
        let now = time::OffsetDateTime::now_utc();
        let pki = demo_at(now).unwrap_or_else(|e| panic!("{e}"));
        let leaf = certificate(pki.server.der());
        let sub = certificate(pki.hierarchy.subca.der());
        let root = certificate(pki.hierarchy.root.der());
        let key = bars_model::PrivateKey::from_pkcs8_der(&pki.server_key_der())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut opts = Options::new(now.unix_timestamp());
        opts.extra_cas.push(bars_checks::ExtraCa {
            env: Some(bars_nhs::Environment::Int),
            cert: root.clone(),
            path: "root.pem".into(),
            source: None,
        });
        let given = select(
            ("leaf.cer", vec![leaf.clone()]),
            vec![("sub.pem".into(), vec![sub])],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let plan = plan(&given, &key, "leaf.key", "leaf.cer", &opts)
            .unwrap_or_else(|r| panic!("{:?}", r.stop));
        assert_eq!(plan.included.len(), 1, "the sub-CA");
        assert!(plan.root.is_some(), "the root is left out");
        let alone = select(("leaf.cer", vec![leaf]), Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        let refused = super::plan(&alone, &key, "leaf.key", "leaf.cer", &opts).err();
        let refused = refused.unwrap_or_else(|| panic!("no sub-CA known: refused"));
        assert!(refused.complete_path.is_none());
        assert!(refused.stop.iter().any(|f| f.is(&chain::INCOMPLETE)));
        // A key of another certificate stops it too.
        let stranger = keys::generate(keys::KeyKind::P256).unwrap_or_else(|e| panic!("{e}"));
        let other_key = bars_model::PrivateKey::from_pkcs8_der(&stranger.serialize_der())
            .unwrap_or_else(|e| panic!("{e}"));
        let r = super::plan(&given, &other_key, "other.key", "leaf.cer", &opts).err();
        assert!(r.is_some_and(|r| r.stop.iter().any(|f| f.is(&bars_checks::key::MISMATCH))));
    }
}
