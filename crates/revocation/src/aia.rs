//! `--fetch-missing`: when a path stops at a certificate whose issuer nobody gave and
//! the tool does not know, follow that certificate's AIA caIssuers URL, accept only a
//! certificate that verifiably issued it (subject = its issuer, signature verifies), and
//! add it to the analysis as an extra CA with `Source::Fetched(url)`. It completes the
//! path but is never a trust anchor, and `chain.incomplete` is still reported: BaRS
//! clients do not fetch.

use crate::cache::Kind;
use crate::net::Checker;
use crate::util;
use bars_checks::{Analysis, CheckInput, ExtraCa, Options};
use bars_model::Certificate;
use std::collections::HashSet;

/// Most rounds of fetching (each round fetches the issuers of the current dangling
/// ends, then analyses again); a real chain needs one, rarely two.
const MAX_ROUNDS: usize = 4;

/// A certificate downloaded from an AIA caIssuers URL that verifiably issued `for_cert`.
#[derive(Clone, Debug)]
pub struct FetchedIssuer {
    /// The URL it came from.
    pub url: String,
    /// Subject of the certificate whose AIA named the URL.
    pub for_subject: String,
    /// The issuer certificate.
    pub cert: Certificate,
}

/// Why no issuer was fetched for a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AiaProblem {
    /// Subject of the certificate whose issuer was sought.
    pub for_subject: String,
    /// The URL tried, if any.
    pub url: Option<String>,
    /// What went wrong, in plain words.
    pub reason: String,
}

/// The analysis after `--fetch-missing`, with what was fetched and what failed.
#[derive(Clone, Debug)]
pub struct Completion {
    /// The final analysis (fetched certificates have source `fetched:<url>`).
    pub analysis: Analysis,
    /// What was fetched and used, in order.
    pub fetched: Vec<FetchedIssuer>,
    /// What could not be fetched.
    pub problems: Vec<AiaProblem>,
}

impl Completion {
    /// One line per fetched certificate ("fetched, not sent") and per problem, for the
    /// report's notes.
    pub fn notes(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .fetched
            .iter()
            .map(|f| {
                format!(
                    "Fetched, not sent: {} was downloaded from {} (AIA caIssuers of {}); BaRS clients do not fetch missing intermediates, so the server must send it",
                    f.cert.summary().subject,
                    f.url,
                    f.for_subject
                )
            })
            .collect();
        out.extend(self.problems.iter().map(|p| match &p.url {
            Some(u) => format!(
                "--fetch-missing: no issuer of {} from {u}: {}",
                p.for_subject, p.reason
            ),
            None => format!("--fetch-missing: {}: {}", p.for_subject, p.reason),
        }));
        out
    }
}

impl Checker {
    /// Follows `child`'s AIA caIssuers URLs (in order) and returns the first certificate
    /// found there that issued `child` (its subject is `child`'s issuer and its key
    /// verifies `child`'s signature). The body may be DER, PEM or PKCS#7.
    pub async fn fetch_issuer(
        &self,
        child: &Certificate,
    ) -> Result<FetchedIssuer, Vec<AiaProblem>> {
        let s = child.summary();
        let problem = |url: Option<&str>, reason: String| AiaProblem {
            for_subject: s.subject.clone(),
            url: url.map(str::to_string),
            reason,
        };
        if s.ca_issuers.is_empty() {
            return Err(vec![problem(
                None,
                "names no AIA caIssuers URL to fetch its issuer from".into(),
            )]);
        }
        let mut problems = Vec::new();
        for url in &s.ca_issuers {
            if !util::is_http(url) {
                problems.push(problem(
                    Some(url),
                    "not an http(s) URL, so it was not fetched".into(),
                ));
                continue;
            }
            let bytes = match self.get(url, Kind::Issuer).await {
                Ok(b) => b,
                Err(e) => {
                    let text = e.to_string();
                    let text = text
                        .strip_prefix(&format!("{url}: "))
                        .map(str::to_string)
                        .unwrap_or(text);
                    problems.push(problem(Some(url), text));
                    continue;
                }
            };
            let parsed = bars_model::read_bytes(
                url,
                &bytes,
                &bars_model::NoPassword,
                &bars_model::Limits::default(),
            );
            let certs: Vec<&Certificate> = parsed.certificates().collect();
            if certs.is_empty() {
                let why = if bars_model::looks_like_html(&bytes) {
                    "the server answered with an HTML page, not a certificate".to_string()
                } else {
                    format!(
                        "not a certificate (DER, PEM or PKCS#7): {}",
                        parsed
                            .errors
                            .first()
                            .map(|e| e.kind.to_string())
                            .unwrap_or_else(|| "nothing readable".into())
                    )
                };
                problems.push(problem(Some(url), why));
                continue;
            }
            if let Some(c) = certs.iter().find(|c| {
                c.subject_der() == child.issuer_der() && child.verify_issued_by(c).is_ok()
            }) {
                return Ok(FetchedIssuer {
                    url: url.clone(),
                    for_subject: s.subject.clone(),
                    cert: (*c).clone(),
                });
            }
            let why = certs
                .iter()
                .map(|c| {
                    let cs = c.summary();
                    if c.subject_der() == child.issuer_der() {
                        format!(
                            "{} has the issuer's name but its key does not verify the signature",
                            cs.subject
                        )
                    } else {
                        format!("{} is not the issuer ({})", cs.subject, s.issuer)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            problems.push(problem(
                Some(url),
                format!("nothing there issued it: {why}"),
            ));
        }
        Err(problems)
    }

    /// Analyses `input`, then, while some path stops at a certificate whose issuer is
    /// not known, fetches that issuer through AIA (see [`Checker::fetch_issuer`]), adds
    /// it to `opts.extra_cas` as [`ExtraCa::fetched`] and analyses again.
    pub async fn complete_with_aia(&self, input: &CheckInput, opts: &mut Options) -> Completion {
        let mut analysis = bars_checks::analyse(input, opts);
        let mut fetched = Vec::new();
        let mut problems = Vec::new();
        let mut tried: HashSet<String> = HashSet::new();
        for _ in 0..MAX_ROUNDS {
            let ends = dangling_ends(&analysis);
            let mut added = false;
            for end in ends {
                if !tried.insert(end.summary().sha256.clone()) {
                    continue;
                }
                match self.fetch_issuer(&end).await {
                    Ok(f) => {
                        let sha = &f.cert.summary().sha256;
                        if !opts
                            .extra_cas
                            .iter()
                            .any(|x| &x.cert.summary().sha256 == sha)
                        {
                            opts.extra_cas
                                .push(ExtraCa::fetched(&f.url, f.cert.clone(), opts.env));
                            added = true;
                        }
                        fetched.push(f);
                    }
                    Err(p) => problems.extend(p),
                }
            }
            if !added {
                break;
            }
            analysis = bars_checks::analyse(input, opts);
        }
        Completion {
            analysis,
            fetched,
            problems,
        }
    }
}

/// The last certificate of each path that reaches no anchor, when it is not self-issued
/// and no certificate of the analysis carries its issuer's name (a known issuer whose
/// signature failed is a different problem, not a missing one).
fn dangling_ends(analysis: &Analysis) -> Vec<Certificate> {
    let mut out: Vec<Certificate> = Vec::new();
    for chain in analysis.chains.iter().filter(|c| !c.anchored) {
        let Some(end) = chain
            .path
            .last()
            .and_then(|&i| analysis.certificates.get(i))
        else {
            continue;
        };
        let c = &end.cert;
        let known = analysis
            .certificates
            .iter()
            .any(|o| o.cert.subject_der() == c.issuer_der());
        if !c.summary().self_issued
            && !known
            && !out.iter().any(|o| o.summary().sha256 == c.summary().sha256)
        {
            out.push(c.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_checks::Source;
    use bars_testsupport::ca::{cert, openssl, urls_ext, Ca, Peer, Reply};
    use std::time::Duration;

    fn checker() -> Checker {
        Checker::new(crate::RevocationOptions {
            cache_dir: None,
            timeout: Duration::from_secs(2),
            ..crate::RevocationOptions::new(crate::Mode::Off, util::wall_clock())
        })
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn only_a_certificate_that_issued_the_child_is_accepted() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer::start();
        let root = Ca::root(dir.path(), "root", "AIA Root");
        let sub = root.issue_ca(dir.path(), "sub", "AIA Sub CA", "");
        let twin = Ca::root(dir.path(), "twin", "AIA Sub CA");
        let mk = |name: &str, path: &str| {
            cert(&sub.issue(
                name,
                &format!("{name}.example"),
                &urls_ext("", "", &peer.url(path)),
            ))
        };
        peer.serve_file("/sub.der", &sub.cert, "application/pkix-cert");
        // A PKCS#7 bundle holding the root and the sub-CA.
        let p7 = dir.path().join("bundle.p7c");
        openssl(
            dir.path(),
            &[
                "crl2pkcs7",
                "-nocrl",
                "-certfile",
                root.cert.to_str().unwrap(),
                "-certfile",
                sub.cert.to_str().unwrap(),
                "-outform",
                "DER",
                "-out",
                p7.to_str().unwrap(),
            ],
        );
        peer.serve_file("/bundle.p7c", &p7, "application/pkcs7-mime");
        peer.serve_file("/root.der", &root.cert, "application/pkix-cert");
        peer.serve_file("/twin.der", &twin.cert, "application/pkix-cert");
        peer.route(
            "/page",
            Reply::Body(b"<!DOCTYPE html><html>Sign in</html>".to_vec(), "text/html"),
        );
        let rt = rt();
        let c = checker();

        for path in ["/sub.der", "/bundle.p7c"] {
            let f = rt.block_on(c.fetch_issuer(&mk("ok", path))).unwrap();
            assert_eq!(f.cert.summary().subject, "CN=AIA Sub CA");
            assert_eq!(f.url, peer.url(path));
        }
        let e = rt
            .block_on(c.fetch_issuer(&mk("wrong", "/root.der")))
            .unwrap_err();
        assert!(
            e[0].reason
                .contains("CN=AIA Root is not the issuer (CN=AIA Sub CA)"),
            "{e:?}"
        );
        let e = rt
            .block_on(c.fetch_issuer(&mk("twin", "/twin.der")))
            .unwrap_err();
        assert!(e[0].reason.contains("its key does not verify"), "{e:?}");
        let e = rt
            .block_on(c.fetch_issuer(&mk("html", "/page")))
            .unwrap_err();
        assert_eq!(
            e[0].reason,
            "the server answered with an HTML page, not a certificate"
        );
        let e = rt
            .block_on(c.fetch_issuer(&mk("missing", "/nothing")))
            .unwrap_err();
        assert_eq!(e[0].reason, "HTTP 404 Not Found");
        let none = cert(&sub.issue("none", "none.example", ""));
        let e = rt.block_on(c.fetch_issuer(&none)).unwrap_err();
        assert!(e[0].reason.contains("names no AIA caIssuers URL"), "{e:?}");
    }

    #[test]
    fn a_fetched_issuer_completes_the_path_but_is_no_anchor() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer::start();
        let root = Ca::root(dir.path(), "root", "AIA Root");
        let sub = root.issue_ca(dir.path(), "sub", "AIA Sub CA", "");
        peer.serve_file("/sub.der", &sub.cert, "application/pkix-cert");
        let leaf = cert(&sub.issue(
            "leaf",
            "leaf.example",
            &urls_ext("", "", &peer.url("/sub.der")),
        ));
        let input = CheckInput {
            certificates: vec![(leaf, Source::File("leaf.pem".into()))],
            ..Default::default()
        };
        let rt = rt();
        let c = checker();

        // Root trusted with --ca: the fetched sub-CA links the leaf to it.
        let mut opts = Options::new(util::wall_clock());
        opts.extra_cas.push(ExtraCa {
            env: None,
            cert: cert(&root.cert),
            path: "root.pem".into(),
            source: None,
        });
        let done = rt.block_on(c.complete_with_aia(&input, &mut opts));
        assert_eq!(done.fetched.len(), 1);
        let chain = &done.analysis.chains[0];
        assert!(chain.anchored, "{chain:?}");
        assert_eq!(chain.trusted_by.as_deref(), Some("AIA Root"));
        let fetched = &done.analysis.certificates[chain.path[1]];
        assert_eq!(
            fetched.source.to_string(),
            format!("fetched:{}", peer.url("/sub.der"))
        );
        assert!(done
            .analysis
            .findings
            .iter()
            .any(|f| f.is(&bars_checks::chain::INCOMPLETE) && f.detail.contains("fetched:")));
        assert!(done.notes()[0].starts_with("Fetched, not sent: CN=AIA Sub CA"));

        // Nothing trusted: the fetched certificate alone does not make the path complete.
        let mut opts = Options::new(util::wall_clock());
        let done = rt.block_on(checker().complete_with_aia(&input, &mut opts));
        assert_eq!(done.fetched.len(), 1);
        assert!(!done.analysis.chains[0].anchored);
        assert_eq!(peer.hits("/sub.der"), 2);
    }
}
