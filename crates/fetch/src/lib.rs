//! HTTP(S) downloads with size, time and redirect limits (NHS CA fetch, CRLs, AIA issuers),
//! or a local file read under the same size limit. Proxies come from `HTTPS_PROXY`,
//! `HTTP_PROXY` and `NO_PROXY` (reqwest reads them with hyper-util's matcher, the rules the
//! probe uses too), or from an explicit proxy URL, which then applies to every download
//! whatever `NO_PROXY` says (credentials in it are sent as `Proxy-Authorization: Basic`).
//! Async only: the caller owns the runtime.

use std::time::Duration;

/// Bounds for one download, and the proxy to go through.
#[derive(Clone, Debug)]
pub struct FetchLimits {
    /// Whole request, body included.
    pub timeout: Duration,
    /// TCP/TLS connection establishment.
    pub connect_timeout: Duration,
    /// Largest body accepted, bytes; larger bodies are aborted as soon as they pass it.
    pub max_bytes: u64,
    /// Most redirects followed.
    pub max_redirects: usize,
    /// An explicit proxy URL (`--proxy`); `None`: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
    pub proxy: Option<String>,
}

impl Default for FetchLimits {
    /// 1 MiB (enough for any CA certificate), 30 s total, 10 s connect, 3 redirects.
    fn default() -> Self {
        FetchLimits {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_bytes: 1024 * 1024,
            max_redirects: 3,
            proxy: None,
        }
    }
}

/// A successful download.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The URL (or path) asked for.
    pub source: String,
    /// The final URL after redirects (same as `source` for files).
    pub final_url: String,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub bytes: Vec<u8>,
}

/// Why a download failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// The server answered with a non-success status.
    Status {
        /// Status code.
        code: u16,
        /// Canonical reason phrase.
        reason: String,
    },
    /// The body passed the limit.
    TooLarge(u64),
    /// The whole request took longer than the limit (seconds).
    Timeout(u64),
    /// Nothing listens at the address.
    ConnectionRefused,
    /// More redirects than allowed.
    TooManyRedirects(usize),
    /// Not a usable URL.
    BadUrl(String),
    /// Other connection or protocol failures.
    Network(String),
    /// A local file could not be read.
    Io(String),
}

/// A failed download, naming the URL or path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchError {
    /// The URL or path asked for.
    pub source: String,
    /// What went wrong.
    pub kind: FetchErrorKind,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.source)?;
        match &self.kind {
            FetchErrorKind::Status { code, reason } => write!(f, "HTTP {code} {reason}"),
            FetchErrorKind::TooLarge(n) => write!(f, "body larger than {n} bytes"),
            FetchErrorKind::Timeout(s) => write!(f, "timed out after {s} s"),
            FetchErrorKind::ConnectionRefused => write!(f, "connection refused"),
            FetchErrorKind::TooManyRedirects(n) => write!(f, "more than {n} redirects"),
            FetchErrorKind::BadUrl(d) => write!(f, "invalid URL ({d})"),
            FetchErrorKind::Network(d) => write!(f, "{d}"),
            FetchErrorKind::Io(d) => write!(f, "{d}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Progress hook: (bytes so far, total from Content-Length if known). `Send`, so that a
/// download can run in a spawned task.
pub type Progress<'a> = &'a mut (dyn FnMut(u64, Option<u64>) + Send);

/// True when `s` is an http:// or https:// URL (otherwise it is treated as a file path).
pub fn is_url(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Fetches a URL, or reads a local file, within `limits`.
pub async fn fetch(
    source: &str,
    limits: &FetchLimits,
    progress: Option<Progress<'_>>,
) -> Result<Fetched, FetchError> {
    if !is_url(source) {
        return read_file(source, limits);
    }
    fetch_async(source, limits, progress).await
}

fn read_file(path: &str, limits: &FetchLimits) -> Result<Fetched, FetchError> {
    use std::io::Read;
    let err = |kind| FetchError {
        source: path.to_string(),
        kind,
    };
    let file = std::fs::File::open(path).map_err(|e| err(FetchErrorKind::Io(e.to_string())))?;
    let mut bytes = Vec::new();
    file.take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(FetchErrorKind::Io(e.to_string())))?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(err(FetchErrorKind::TooLarge(limits.max_bytes)));
    }
    Ok(Fetched {
        source: path.to_string(),
        final_url: path.to_string(),
        content_type: None,
        bytes,
    })
}

fn classify(e: &reqwest::Error, limits: &FetchLimits) -> FetchErrorKind {
    if e.is_timeout() {
        return FetchErrorKind::Timeout(limits.timeout.as_secs());
    }
    if e.is_redirect() {
        return FetchErrorKind::TooManyRedirects(limits.max_redirects);
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return FetchErrorKind::ConnectionRefused;
            }
            if io.kind() == std::io::ErrorKind::TimedOut {
                return FetchErrorKind::Timeout(limits.timeout.as_secs());
            }
        }
        src = s.source();
    }
    if e.is_builder() {
        return FetchErrorKind::BadUrl(e.to_string());
    }
    let mut text = e.to_string();
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        text.push_str(": ");
        text.push_str(&s.to_string());
        src = s.source();
    }
    FetchErrorKind::Network(text)
}

/// Fetches an http(s) URL within `limits`, streaming the body and aborting past `max_bytes`.
pub async fn fetch_async(
    url: &str,
    limits: &FetchLimits,
    progress: Option<Progress<'_>>,
) -> Result<Fetched, FetchError> {
    send_limited(url, limits, progress, None).await
}

/// POSTs `body` (with this `Content-Type`) to an http(s) URL under the same limits as
/// [`fetch_async`] (OCSP requests: `application/ocsp-request`).
pub async fn post_async(
    url: &str,
    content_type: &str,
    body: Vec<u8>,
    limits: &FetchLimits,
) -> Result<Fetched, FetchError> {
    send_limited(url, limits, None, Some((content_type, body))).await
}

async fn send_limited(
    url: &str,
    limits: &FetchLimits,
    mut progress: Option<Progress<'_>>,
    post: Option<(&str, Vec<u8>)>,
) -> Result<Fetched, FetchError> {
    let err = |kind| FetchError {
        source: url.to_string(),
        kind,
    };
    let mut builder = reqwest::Client::builder()
        .timeout(limits.timeout)
        .connect_timeout(limits.connect_timeout)
        .redirect(reqwest::redirect::Policy::limited(limits.max_redirects))
        .user_agent(concat!("bars-certcheck/", env!("CARGO_PKG_VERSION")));
    if let Some(p) = &limits.proxy {
        // An explicit proxy replaces the environment's rules (NO_PROXY included).
        let proxy = reqwest::Proxy::all(p.as_str())
            .map_err(|e| err(FetchErrorKind::BadUrl(format!("the proxy: {e}"))))?;
        builder = builder.proxy(proxy);
    }
    let client = builder
        .build()
        .map_err(|e| err(FetchErrorKind::Network(e.to_string())))?;
    let request = match post {
        None => client.get(url),
        Some((content_type, body)) => client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body),
    };
    let work = async {
        let mut resp = request
            .send()
            .await
            .map_err(|e| err(classify(&e, limits)))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(err(FetchErrorKind::Status {
                code: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
            }));
        }
        let total = resp.content_length();
        if total.is_some_and(|t| t > limits.max_bytes) {
            return Err(err(FetchErrorKind::TooLarge(limits.max_bytes)));
        }
        let final_url = resp.url().to_string();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| err(classify(&e, limits)))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > limits.max_bytes {
                return Err(err(FetchErrorKind::TooLarge(limits.max_bytes)));
            }
            if let Some(p) = progress.as_mut() {
                p(bytes.len() as u64, total);
            }
        }
        Ok(Fetched {
            source: url.to_string(),
            final_url,
            content_type,
            bytes,
        })
    };
    // Belt and braces: the client timeout covers the body too, this bounds everything.
    match tokio::time::timeout(limits.timeout.saturating_add(Duration::from_secs(1)), work).await {
        Ok(r) => r,
        Err(_) => Err(err(FetchErrorKind::Timeout(limits.timeout.as_secs()))),
    }
}
