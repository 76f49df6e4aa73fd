//! Fix texts written for the case at hand: the missing certificate's own file and how to
//! get it, and the next action for what the user is doing (`Options::purpose`). A
//! command a fix prints runs as printed: it names real files, never placeholders.

use super::Ctx;
use crate::given::{Purpose, Source};
use crate::shell_word;
use bars_nhs::{CaRole, Environment, Generation, NhsCa};

/// How to name a certificate the user must add, and how to get it.
struct Wanted {
    /// A file name (`NHSINTAuthG2.pem`, the `--ca` file) or a description.
    what: String,
    /// Whether `what` is a file name that a command can use.
    is_file: bool,
    /// How to get it (`write it with ...`), when the tool knows.
    how: Option<String>,
}

fn wanted(cx: &Ctx<'_>, node: Option<usize>, issuer_dn: &str) -> Wanted {
    let n = node.and_then(|m| cx.pool.node(m));
    if let Some(ca) = n.and_then(|n| n.nhs) {
        return Wanted {
            what: format!("{}.pem", ca.published_stem()),
            is_file: true,
            how: Some(format!("write it with `{}`", ca.export_command())),
        };
    }
    match n.map(|n| &n.source) {
        Some(Source::CaOption(path)) => Wanted {
            what: path.clone(),
            is_file: true,
            how: Some("it is the file you gave with --ca".into()),
        },
        Some(Source::Fetched(url)) => Wanted {
            what: format!("the issuer certificate ({issuer_dn})"),
            is_file: false,
            how: Some(format!("its CA publishes it at {url}")),
        },
        _ => Wanted {
            what: format!("the issuer named in the detail ({issuer_dn})"),
            is_file: false,
            how: Some("get it from the CA that issued the certificate".into()),
        },
    }
}

/// The fix of `chain.incomplete` for the certificate `missing` (a pool node, or the
/// unknown issuer `issuer_dn`) of the path from `leaf`. `gap_after` labels the
/// intermediate whose issuer is missing when the gap is in the middle of the path (`None`:
/// the leaf's issuer is missing).
pub(super) fn missing_issuer(
    cx: &Ctx<'_>,
    leaf: usize,
    gap_after: Option<&str>,
    missing: Option<usize>,
    issuer_dn: &str,
) -> String {
    let w = wanted(cx, missing, issuer_dn);
    let how = w.how.map(|h| format!(" ({h})")).unwrap_or_default();
    if let Some(child) = gap_after.filter(|_| cx.opts.purpose != Purpose::PfxBuild) {
        // A gap in the middle: appending the file would put it out of order.
        return format!(
            "Insert {} right after {child} (the certificate it issued) in the certificate file the server sends{how}, so that each certificate is followed by its issuer.",
            w.what
        );
    }
    match cx.opts.purpose {
        Purpose::PfxBuild if w.is_file => format!(
            "Give the missing intermediate with `--chain {}`{how}; the PFX must hold the leaf and every intermediate.",
            shell_word(&w.what)
        ),
        Purpose::PfxBuild => format!(
            "Give {} with --chain FILE{how}; the PFX must hold the leaf and every intermediate.",
            w.what
        ),
        Purpose::Server => format!(
            "Add {} after the leaf in the certificate file (or PFX) the server sends{how}, then reload the server: clients such as the BaRS proxy do not fetch missing intermediates.",
            w.what
        ),
        Purpose::Files => {
            let leaf_file = cx.pool.node(leaf).and_then(|n| match &n.source {
                Source::File(f) if f != "-" => Some(f.clone()),
                _ => None,
            });
            match (w.is_file, leaf_file) {
                (true, Some(f)) => format!(
                    "Add {} after the leaf, e.g. `cat {} {} > chain.pem`{how}, and have the server send that chain.",
                    w.what,
                    shell_word(&f),
                    shell_word(&w.what)
                ),
                _ => format!(
                    "Add {} after the leaf in the certificate file the server sends{how}.",
                    w.what
                ),
            }
        }
    }
}

/// The fix of a path longer than anything a client follows.
pub(super) fn too_long() -> String {
    "Send only the leaf and the intermediates from it up to the environment's root, in that order: the certificates given loop or run through more CAs than any TLS client follows."
        .into()
}

/// The fix of `chain.untrusted` in environment `env`.
pub(super) fn untrusted(env: Option<Environment>) -> String {
    match env {
        Some(Environment::Public) => "Use a certificate issued under a root browsers trust (the Mozilla roots), sent with its intermediates; or, to trust a private root, give it with --ca public:FILE.".into(),
        Some(e) if e.is_nhs() => {
            let sub = endpoint_issuer(e)
                .map(|c| c.common_name)
                .unwrap_or("the environment's NHS sub-CA");
            format!(
                "Obtain a certificate issued by {sub} through the NHS {} onboarding process (make the key and CSR with `bars-certcheck csr new --fqdn FQDN`, FQDN being the endpoint's name), or, when testing a private hierarchy, give its root with --ca {}:FILE.",
                e.as_str().to_uppercase(),
                e.as_str()
            )
        }
        _ => "Judge the certificate in its environment (--env int, prod or public), or give the root it should be trusted under with --ca FILE.".into(),
    }
}

/// The fix of `chain.untrusted` for a leaf from a PKI the environment never trusts.
pub(super) fn foreign(env: Option<Environment>) -> String {
    match env {
        Some(Environment::Public) => "Judge an NHS certificate in its NHS environment: run the same command with --env int (or --env prod). The public environment trusts only the Mozilla roots.".into(),
        Some(e) => {
            let sub = endpoint_issuer(e)
                .map(|c| c.common_name)
                .unwrap_or("the environment's NHS sub-CA");
            format!(
                "A BaRS Receiver in {} needs a certificate issued by {sub}: request one through the NHS onboarding process. If this is a public endpoint, judge it with --env public.",
                e.as_str().to_uppercase()
            )
        }
        None => untrusted(None),
    }
}

/// The current G2 sub-CA that issues endpoint certificates in `env`.
fn endpoint_issuer(env: Environment) -> Option<&'static NhsCa> {
    bars_nhs::EMBEDDED
        .iter()
        .find(|c| c.env == env && c.role == CaRole::Intermediate && c.generation == Generation::G2)
}

/// The fix of `cert.expired` / `cert.not-yet-valid` on a CA certificate of the path (not
/// the endpoint's own): replace the CA certificate, not the endpoint's.
pub(super) fn ca_validity(ca: Option<&'static NhsCa>) -> String {
    match ca {
        Some(ca) if ca.generation == Generation::Legacy => match ca.successor_ca() {
            Some(s) => format!(
                "{} is a retired NHS CA: use its successor {} (write it with `{}`), and a certificate issued under it.",
                ca.common_name,
                s.common_name,
                s.export_command()
            ),
            None => format!(
                "{} is a retired NHS CA: use the current G2 CAs of the environment.",
                ca.common_name
            ),
        },
        Some(ca) => format!(
            "Use the current certificate of {} (write it with `{}`).",
            ca.common_name,
            ca.export_command()
        ),
        None => "Replace the CA certificate named in the detail with the CA's current one: it is not the endpoint's own certificate, which may be fine.".into(),
    }
}

/// The fix of `pfx.no-chain` for the PFX file `pfx`.
pub(super) fn pfx_no_chain(pfx: &Source) -> String {
    let Source::File(path) = pfx else {
        return "Rebuild the PFX with its chain with `bars-certcheck pfx build --cert leaf.pem --key leaf.key --out bundle.pfx --password-env PFX_PASSWORD` (the pfx extract command takes the key and certificate out; the NHS sub-CA is added from the tool's own copy).".into();
    };
    let out = match path.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => format!("{stem}-with-chain.pfx"),
        _ => format!("{path}-with-chain.pfx"),
    };
    let (path, out) = (shell_word(path), shell_word(&out));
    format!(
        "Rebuild it with its chain, with PFX_PASSWORD set to its password: `bars-certcheck pfx extract {path} --password-env PFX_PASSWORD --cert-out leaf.pem --key-out leaf.key`, then `bars-certcheck pfx build --cert leaf.pem --key leaf.key --out {out} --password-env PFX_PASSWORD` (the NHS sub-CA is added from the tool's own copy; give any other intermediate with --chain FILE)."
    )
}
