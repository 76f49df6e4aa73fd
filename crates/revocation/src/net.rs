//! The network side: a [`Checker`] downloads CRLs and issuer certificates (GET) and asks
//! OCSP responders (POST) through `bars-fetch` (size cap, connect and total timeout,
//! at most 3 redirects, plain errors), keeps CRLs and issuers in the cache directory,
//! and de-duplicates in process: concurrent lookups of one URL download it once, and one
//! (certificate, issuer) pair is checked once however many endpoints share it.

use crate::cache::{self, DiskCache, Kind};
use crate::crl::VerifiedCrl;
use crate::ocsp::{self, OcspStatus};
use crate::outcome::{Answer, CertOutcome, Evidence, Outcome, Problem, Status, Via};
use crate::util;
use bars_checks::{Analysis, Finding};
use bars_fetch::{FetchError, FetchLimits};
use bars_model::Certificate;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which revocation sources to consult (`--revocation off|crl|ocsp|both`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// Nothing (the default): no network at all.
    #[default]
    Off,
    /// CRL distribution points only.
    Crl,
    /// OCSP responders only.
    Ocsp,
    /// Both, concurrently.
    Both,
}

impl Mode {
    /// `off`, `crl`, `ocsp` or `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Crl => "crl",
            Mode::Ocsp => "ocsp",
            Mode::Both => "both",
        }
    }

    /// CRLs are consulted.
    pub fn crl(self) -> bool {
        matches!(self, Mode::Crl | Mode::Both)
    }

    /// OCSP responders are consulted.
    pub fn ocsp(self) -> bool {
        matches!(self, Mode::Ocsp | Mode::Both)
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" => Ok(Mode::Off),
            "crl" => Ok(Mode::Crl),
            "ocsp" => Ok(Mode::Ocsp),
            "both" => Ok(Mode::Both),
            _ => Err(format!("{s:?} is not off, crl, ocsp or both")),
        }
    }
}

/// How to check.
#[derive(Clone, Debug)]
pub struct RevocationOptions {
    /// Sources to consult.
    pub mode: Mode,
    /// The time to judge freshness at (the analysis's `--at`), Unix seconds. The cache
    /// decides with the wall clock.
    pub at: i64,
    /// Bound of each request (connect and total).
    pub timeout: Duration,
    /// Cache directory; `None` turns the disk cache off (`--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Send a nonce in OCSP requests (default true).
    pub nonce: bool,
    /// OCSP responses stapled by the server: (certificate index, DER). Checked without
    /// any network, whatever the mode.
    pub stapled: Vec<(usize, Vec<u8>)>,
    /// An explicit proxy URL for every download (`--proxy`); `None`: the environment's
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
    pub proxy: Option<String>,
}

impl RevocationOptions {
    /// `mode` at `at`, 10 s timeout, the default cache directory, nonces on.
    pub fn new(mode: Mode, at: i64) -> RevocationOptions {
        RevocationOptions {
            mode,
            at,
            timeout: Duration::from_secs(10),
            cache_dir: cache::default_cache_dir(),
            nonce: true,
            stapled: Vec::new(),
            proxy: None,
        }
    }
}

/// Results computed once per key, shared by concurrent callers.
struct Memo<K, V> {
    cells: Mutex<HashMap<K, Arc<tokio::sync::OnceCell<V>>>>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    fn new() -> Self {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }

    async fn get<F, Fut>(&self, key: K, init: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = V>,
    {
        let cell = {
            let mut cells = self
                .cells
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cells.entry(key).or_default().clone()
        };
        cell.get_or_init(init).await.clone()
    }
}

type Downloaded = Result<Arc<Vec<u8>>, FetchError>;

/// Checks revocation (and fetches missing issuers) with de-duplication and the cache.
/// Share one `Checker` (e.g. in an `Arc`) across the endpoints of a scan: 200 endpoints
/// under one CA download its CRL once.
pub struct Checker {
    opts: RevocationOptions,
    cache: Option<DiskCache>,
    downloads: Memo<String, Downloaded>,
    crls: Memo<(String, String), Result<Arc<VerifiedCrl>, Problem>>,
    pairs: Memo<(String, String), Arc<Vec<Evidence>>>,
    requests: AtomicUsize,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("opts", &self.opts.mode)
            .field("requests", &self.network_requests())
            .finish()
    }
}

impl Checker {
    /// A checker with these options (nothing is contacted until asked).
    pub fn new(opts: RevocationOptions) -> Checker {
        Checker {
            cache: opts.cache_dir.as_deref().map(DiskCache::new),
            opts,
            downloads: Memo::new(),
            crls: Memo::new(),
            pairs: Memo::new(),
            requests: AtomicUsize::new(0),
        }
    }

    /// The options in force.
    pub fn options(&self) -> &RevocationOptions {
        &self.opts
    }

    /// How many HTTP requests this checker has made (cache hits and de-duplicated
    /// lookups make none).
    pub fn network_requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn limits(&self, max_bytes: u64) -> FetchLimits {
        FetchLimits {
            timeout: self.opts.timeout,
            connect_timeout: self.opts.timeout,
            max_bytes,
            max_redirects: 3,
            proxy: self.opts.proxy.clone(),
        }
    }

    /// GETs `url` once per checker, through the cache.
    pub(crate) async fn get(&self, url: &str, kind: Kind) -> Downloaded {
        self.downloads
            .get(url.to_string(), || async {
                if let Some(c) = &self.cache {
                    if let Some(b) = c.load_fresh(kind, url, cache::now()) {
                        return Ok(Arc::new(b));
                    }
                }
                self.requests.fetch_add(1, Ordering::SeqCst);
                let f = bars_fetch::fetch_async(url, &self.limits(kind.max_bytes()), None).await?;
                if let Some(c) = &self.cache {
                    if cache::storable(kind, &f.bytes) {
                        c.store(kind, url, &f.bytes);
                    }
                }
                Ok(Arc::new(f.bytes))
            })
            .await
    }

    /// The CRL at `url`, verified against `issuer` (once per pair of URL and issuer).
    async fn crl(&self, url: &str, issuer: &Certificate) -> Result<Arc<VerifiedCrl>, Problem> {
        let key = (url.to_string(), issuer.summary().sha256.clone());
        self.crls
            .get(key, || async {
                let bytes = self.get(url, Kind::Crl).await?;
                Ok(Arc::new(VerifiedCrl::verify(&bytes, issuer)?))
            })
            .await
    }

    async fn crl_evidence(&self, cert: &Certificate, issuer: &Certificate) -> Vec<Evidence> {
        let mut out = Vec::new();
        for url in &cert.summary().crl_distribution_points {
            let result = if util::is_http(url) {
                match self.crl(url, issuer).await {
                    Ok(crl) => crl
                        .check_time(self.opts.at)
                        .map_err(Problem::from)
                        .map(|()| Answer {
                            status: match crl.status_of(cert) {
                                crate::CrlStatus::Revoked { at, reason } => {
                                    Status::Revoked { at, reason }
                                }
                                _ => Status::Good,
                            },
                            this_update: crl.this_update,
                            next_update: crl.next_update,
                        }),
                    Err(p) => Err(p),
                }
            } else {
                Err(Problem::NotHttp(url.clone()))
            };
            let done = result.is_ok();
            out.push(Evidence {
                via: Via::Crl,
                source: url.clone(),
                result,
            });
            if done {
                break;
            }
        }
        out
    }

    async fn ocsp_one(
        &self,
        url: &str,
        cert: &Certificate,
        issuer: &Certificate,
    ) -> Result<Answer, Problem> {
        let nonce = if self.opts.nonce {
            ocsp::random_nonce()
        } else {
            None
        };
        let req = ocsp::build_request(cert, issuer, nonce.as_ref().map(|n| n.as_slice()))?;
        self.requests.fetch_add(1, Ordering::SeqCst);
        let resp = bars_fetch::post_async(
            url,
            "application/ocsp-request",
            req.der().to_vec(),
            &self.limits(1024 * 1024),
        )
        .await?;
        let a = ocsp::verify_response(&resp.bytes, cert, issuer, Some(&req), self.opts.at)?;
        Ok(ocsp_answer(&a))
    }

    async fn ocsp_evidence(&self, cert: &Certificate, issuer: &Certificate) -> Vec<Evidence> {
        let mut out = Vec::new();
        for url in &cert.summary().ocsp {
            let result = if util::is_http(url) {
                self.ocsp_one(url, cert, issuer).await
            } else {
                Err(Problem::NotHttp(url.clone()))
            };
            let done = result.is_ok();
            out.push(Evidence {
                via: Via::Ocsp,
                source: url.clone(),
                result,
            });
            if done {
                break;
            }
        }
        out
    }

    /// Consults the sources the mode allows for `cert` issued by `issuer` (OCSP and CRL
    /// concurrently in `both`); once per pair for the checker's life.
    pub async fn check_pair(&self, cert: &Certificate, issuer: &Certificate) -> Vec<Evidence> {
        let key = (
            cert.summary().sha256.clone(),
            issuer.summary().sha256.clone(),
        );
        let mode = self.opts.mode;
        let ev = self
            .pairs
            .get(key, || async {
                let ocsp = async {
                    if mode.ocsp() {
                        self.ocsp_evidence(cert, issuer).await
                    } else {
                        Vec::new()
                    }
                };
                let crl = async {
                    if mode.crl() {
                        self.crl_evidence(cert, issuer).await
                    } else {
                        Vec::new()
                    }
                };
                let (mut a, b) = tokio::join!(ocsp, crl);
                a.extend(b);
                Arc::new(a)
            })
            .await;
        ev.as_ref().clone()
    }

    /// What is known about every certificate of every validated path except its root,
    /// each against its issuer in the path. The last certificate of a path that reaches
    /// no anchor cannot be checked (its issuer is unknown) and says so; a path's last
    /// certificate that is itself trusted (an `--ca` intermediate) is not checked.
    pub async fn outcomes(&self, analysis: &Analysis) -> Vec<CertOutcome> {
        self.outcomes_with(analysis, &self.opts.stapled).await
    }

    /// [`Checker::outcomes`] with these stapled OCSP responses (certificate index, DER)
    /// instead of the options' (one checker serves many endpoints, each with its own).
    pub async fn outcomes_with(
        &self,
        analysis: &Analysis,
        stapled: &[(usize, Vec<u8>)],
    ) -> Vec<CertOutcome> {
        let mode = self.opts.mode;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for chain in &analysis.chains {
            for (pos, &idx) in chain.path.iter().enumerate() {
                let Some(entry) = analysis.certificates.get(idx) else {
                    continue;
                };
                if !seen.insert(idx) {
                    continue;
                }
                let stapled = stapled
                    .iter()
                    .find(|(i, _)| *i == idx)
                    .map(|(_, d)| d.as_slice());
                let issuer = chain
                    .path
                    .get(pos + 1)
                    .and_then(|&j| analysis.certificates.get(j).map(|e| (j, &e.cert)));
                let Some((j, issuer)) = issuer else {
                    let s = entry.cert.summary();
                    if mode != Mode::Off && !chain.anchored && !s.self_issued {
                        out.push(CertOutcome {
                            cert: idx,
                            issuer: None,
                            outcome: Outcome::IssuerUnknown,
                        });
                    }
                    continue;
                };
                let mut evidence = Vec::new();
                if let Some(d) = stapled {
                    evidence.push(check_stapled(d, &entry.cert, issuer, self.opts.at));
                }
                if mode != Mode::Off {
                    let s = entry.cert.summary();
                    let names_crl = !s.crl_distribution_points.is_empty();
                    let names_ocsp = !s.ocsp.is_empty();
                    if (mode.crl() && names_crl) || (mode.ocsp() && names_ocsp) {
                        evidence.extend(self.check_pair(&entry.cert, issuer).await);
                    } else if evidence.is_empty() {
                        out.push(CertOutcome {
                            cert: idx,
                            issuer: Some(j),
                            outcome: Outcome::NoSource {
                                names_crl,
                                names_ocsp,
                            },
                        });
                        continue;
                    }
                }
                if !evidence.is_empty() {
                    out.push(CertOutcome {
                        cert: idx,
                        issuer: Some(j),
                        outcome: Outcome::Checked(evidence),
                    });
                }
            }
        }
        out
    }

    /// The revocation findings for `analysis` (see [`crate::findings`]), sorted like the
    /// analysis's own.
    pub async fn check_analysis(&self, analysis: &Analysis) -> Vec<Finding> {
        self.check_analysis_with(analysis, &self.opts.stapled).await
    }

    /// [`Checker::check_analysis`] with these stapled OCSP responses (certificate index,
    /// DER) instead of the options': a stapled response is always judged, whatever the
    /// mode, and needs no network.
    pub async fn check_analysis_with(
        &self,
        analysis: &Analysis,
        stapled: &[(usize, Vec<u8>)],
    ) -> Vec<Finding> {
        if self.opts.mode == Mode::Off && stapled.is_empty() {
            return Vec::new();
        }
        let outcomes = self.outcomes_with(analysis, stapled).await;
        let mut f = crate::outcome::findings(analysis, &outcomes, self.opts.at);
        crate::sort_findings(&mut f);
        f
    }
}

fn ocsp_answer(a: &ocsp::OcspAnswer) -> Answer {
    Answer {
        status: match a.status {
            OcspStatus::Revoked { at, reason } => Status::Revoked { at, reason },
            OcspStatus::Unknown => Status::Unknown,
            _ => Status::Good,
        },
        this_update: a.this_update,
        next_update: a.next_update,
    }
}

/// Checks an OCSP response stapled by a server (DER) for `cert` issued by `issuer` at
/// `at`, with the same rules as a fetched response (no nonce: none was sent). No network.
pub fn check_stapled(der: &[u8], cert: &Certificate, issuer: &Certificate, at: i64) -> Evidence {
    Evidence {
        via: Via::Stapled,
        source: "stapled".into(),
        result: ocsp::verify_response(der, cert, issuer, None, at)
            .map(|a| ocsp_answer(&a))
            .map_err(Problem::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bars_testsupport::ca::{cert, urls_ext, Ca, Peer, Reply};
    use std::time::Instant;

    fn opts(mode: Mode, cache: Option<PathBuf>) -> RevocationOptions {
        RevocationOptions {
            cache_dir: cache,
            timeout: Duration::from_secs(2),
            ..RevocationOptions::new(mode, util::wall_clock())
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn concurrent_lookups_of_one_crl_download_it_once() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer::start();
        let ca = Ca::root(dir.path(), "ca", "Dedup CA");
        let ext = urls_ext(&peer.url("/ca.crl"), "", "");
        let leaves: Vec<Certificate> = (0..8)
            .map(|i| cert(&ca.issue(&format!("l{i}"), &format!("l{i}.example"), &ext)))
            .collect();
        ca.revoke(&ca.dir.join("l3.pem"), "keyCompromise");
        peer.serve_file(
            "/ca.crl",
            &ca.gencrl("ca.crl", None),
            "application/pkix-crl",
        );
        let issuer = Arc::new(cert(&ca.cert));
        let checker = Arc::new(Checker::new(opts(Mode::Crl, None)));
        let statuses = rt().block_on(async {
            let mut set = tokio::task::JoinSet::new();
            for (i, leaf) in leaves.into_iter().enumerate() {
                let (c, iss) = (checker.clone(), issuer.clone());
                set.spawn(async move { (i, c.check_pair(&leaf, &iss).await) });
            }
            let mut v = Vec::new();
            while let Some(r) = set.join_next().await {
                v.push(r.unwrap());
            }
            v.sort_by_key(|(i, _)| *i);
            v
        });
        assert_eq!(peer.hits("/ca.crl"), 1);
        assert_eq!(checker.network_requests(), 1);
        for (i, ev) in statuses {
            let a = ev[0].result.clone().unwrap();
            assert_eq!(
                matches!(a.status, Status::Revoked { .. }),
                i == 3,
                "{i}: {a:?}"
            );
        }
    }

    #[test]
    fn the_cache_directory_serves_a_second_checker() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer::start();
        let ca = Ca::root(dir.path(), "ca", "Cache CA");
        let leaf = cert(&ca.issue(
            "leaf",
            "leaf.example",
            &urls_ext(&peer.url("/ca.crl"), "", ""),
        ));
        peer.serve_file(
            "/ca.crl",
            &ca.gencrl("ca.crl", None),
            "application/pkix-crl",
        );
        let issuer = cert(&ca.cert);
        let cache = dir.path().join("cache");
        let rt = rt();
        for _ in 0..2 {
            let c = Checker::new(opts(Mode::Crl, Some(cache.clone())));
            let ev = rt.block_on(c.check_pair(&leaf, &issuer));
            assert_eq!(ev[0].result.as_ref().unwrap().status, Status::Good);
        }
        assert_eq!(peer.hits("/ca.crl"), 1, "second checker read the cache");
        let c = Checker::new(opts(Mode::Crl, None));
        rt.block_on(c.check_pair(&leaf, &issuer));
        assert_eq!(peer.hits("/ca.crl"), 2, "no cache: downloaded again");
    }

    #[test]
    fn a_stalling_responder_is_unavailable_within_the_timeout() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer::start();
        peer.route("/ocsp", Reply::Stall);
        peer.route("/gone.crl", Reply::Status(404));
        let ca = Ca::root(dir.path(), "ca", "Stall CA");
        let leaf = cert(&ca.issue(
            "leaf",
            "leaf.example",
            &urls_ext(&peer.url("/gone.crl"), &peer.url("/ocsp"), ""),
        ));
        let issuer = cert(&ca.cert);
        let c = Checker::new(opts(Mode::Both, None));
        let t = Instant::now();
        let ev = rt().block_on(c.check_pair(&leaf, &issuer));
        assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
        let texts: Vec<String> = ev
            .iter()
            .map(|e| e.result.clone().unwrap_err().to_string())
            .collect();
        assert_eq!(texts, ["timed out after 2 s", "HTTP 404 Not Found"]);
    }

    #[test]
    fn stapled_responses_are_checked_without_network() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer::start();
        let ca = Ca::root(dir.path(), "ca", "Staple CA");
        let ext = urls_ext(&peer.url("/ca.crl"), &peer.url("/ocsp"), "");
        let leaf_path = ca.issue("leaf", "leaf.example", &ext);
        ca.revoke(&leaf_path, "cessationOfOperation");
        let (leaf, issuer) = (cert(&leaf_path), cert(&ca.cert));
        // What a server would staple: a response produced ahead of time.
        let req = crate::ocsp::build_request(&leaf, &issuer, None).unwrap();
        let reqf = dir.path().join("req.der");
        let respf = dir.path().join("resp.der");
        std::fs::write(&reqf, req.der()).unwrap();
        bars_testsupport::ca::openssl(
            dir.path(),
            &[
                "ocsp",
                "-index",
                ca.index.to_str().unwrap(),
                "-CA",
                ca.cert.to_str().unwrap(),
                "-rsigner",
                ca.cert.to_str().unwrap(),
                "-rkey",
                ca.key.to_str().unwrap(),
                "-reqin",
                reqf.to_str().unwrap(),
                "-respout",
                respf.to_str().unwrap(),
                "-ndays",
                "1",
            ],
        );
        let staple = std::fs::read(&respf).unwrap();
        let ev = check_stapled(&staple, &leaf, &issuer, util::wall_clock());
        assert_eq!(ev.via, Via::Stapled);
        assert!(matches!(
            ev.result,
            Ok(Answer {
                status: Status::Revoked {
                    reason: Some(crate::Reason(5)),
                    ..
                },
                ..
            })
        ));
        // Through an analysis, with the mode off: the staple alone, no connection.
        let input = bars_checks::CheckInput {
            certificates: vec![(leaf, bars_checks::Source::Sent)],
            ..Default::default()
        };
        let mut o = bars_checks::Options::new(util::wall_clock());
        o.extra_cas.push(bars_checks::ExtraCa {
            env: None,
            cert: issuer,
            path: "ca".into(),
            source: None,
        });
        let analysis = bars_checks::analyse(&input, &o);
        let mut ro = opts(Mode::Off, None);
        ro.stapled = vec![(0, staple)];
        let f = rt().block_on(Checker::new(ro.clone()).check_analysis(&analysis));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id(), "revocation.revoked");
        assert!(f[0]
            .detail
            .contains("cessationOfOperation, says the stapled OCSP response"));
        assert_eq!(peer.connections(), 0);
        // Junk stapled bytes are no answer, and say so.
        ro.stapled = vec![(0, b"not ocsp".to_vec())];
        let f = rt().block_on(Checker::new(ro.clone()).check_analysis(&analysis));
        assert_eq!(f[0].id(), "revocation.unavailable");
        assert!(
            f[0].detail
                .contains("the stapled OCSP response: not an OCSP response"),
            "{}",
            f[0].detail
        );
    }

    #[test]
    fn mode_off_contacts_nothing() {
        bars_testpki::require_tools!("openssl");
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer::start();
        let ca = Ca::root(dir.path(), "ca", "Quiet CA");
        let ext = urls_ext(
            &peer.url("/ca.crl"),
            &peer.url("/ocsp"),
            &peer.url("/ca.der"),
        );
        let leaf = ca.issue("leaf", "leaf.example", &ext);
        let input = bars_checks::CheckInput {
            certificates: vec![
                (cert(&leaf), bars_checks::Source::File("leaf".into())),
                (cert(&ca.cert), bars_checks::Source::File("ca".into())),
            ],
            ..Default::default()
        };
        let mut o = bars_checks::Options::new(util::wall_clock());
        o.extra_cas.push(bars_checks::ExtraCa {
            env: None,
            cert: cert(&ca.cert),
            path: "ca".into(),
            source: None,
        });
        let analysis = bars_checks::analyse(&input, &o);
        assert!(analysis.chains[0].anchored);
        assert!(rt()
            .block_on(Checker::new(opts(Mode::Off, None)).check_analysis(&analysis))
            .is_empty());
        assert_eq!(peer.connections(), 0);
        // And with a mode, the leaf (not the root) is checked.
        let f = rt().block_on(Checker::new(opts(Mode::Crl, None)).check_analysis(&analysis));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].id(), "revocation.unavailable");
        assert_eq!(f[0].certificate, Some(0));
        assert!(f[0].detail.contains("HTTP 404"), "{}", f[0].detail);
        assert_eq!(peer.connections(), 1);
    }
}
