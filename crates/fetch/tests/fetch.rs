#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bars_fetch::{FetchErrorKind, FetchLimits, Fetched, Progress};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The download, on a runtime of this test's own.
fn fetch(
    source: &str,
    limits: &FetchLimits,
    progress: Option<Progress<'_>>,
) -> Result<Fetched, bars_fetch::FetchError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(bars_fetch::fetch(source, limits, progress))
}

/// Serves each connection with `handler(path) -> raw response bytes` (None = stall).
fn server(handler: fn(&str, u16) -> Option<Vec<u8>>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                match handler(&path, port) {
                    Some(resp) => {
                        let _ = s.write_all(&resp);
                    }
                    None => std::thread::sleep(Duration::from_secs(20)),
                }
            });
        }
    });
    port
}

fn ok(body: &[u8], ctype: &str) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn handler(path: &str, port: u16) -> Option<Vec<u8>> {
    if path == "/ca.der" {
        return Some(ok(
            &[0x30, 0x82, 0x01, 0x00, 1, 2, 3],
            "application/pkix-cert",
        ));
    }
    if path == "/html" {
        return Some(ok(b"<html><body>Sign in</body></html>", "text/html"));
    }
    if path == "/big" {
        // 10 MB without Content-Length: must be cut off by streaming.
        let mut r = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        r.extend(std::iter::repeat_n(b'A', 10 * 1024 * 1024));
        return Some(r);
    }
    if path == "/bigcl" {
        let r = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            10 * 1024 * 1024
        );
        return Some(r.into_bytes());
    }
    if path == "/stall" {
        return None;
    }
    if let Some(n) = path.strip_prefix("/r/") {
        let n: u32 = n.parse().unwrap();
        let loc = if n == 0 {
            "/ca.der".to_string()
        } else {
            format!("/r/{}", n - 1)
        };
        return Some(
            format!("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}{loc}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        );
    }
    Some(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec())
}

fn url(port: u16, p: &str) -> String {
    format!("http://127.0.0.1:{port}{p}")
}

#[test]
fn der_body_and_progress() {
    let port = server(handler);
    let mut seen = Vec::new();
    let mut cb = |n: u64, t: Option<u64>| seen.push((n, t));
    let f = fetch(
        &url(port, "/ca.der"),
        &FetchLimits::default(),
        Some(&mut cb),
    )
    .unwrap();
    assert_eq!(f.bytes, vec![0x30, 0x82, 0x01, 0x00, 1, 2, 3]);
    assert_eq!(f.content_type.as_deref(), Some("application/pkix-cert"));
    assert_eq!(seen.last(), Some(&(7, Some(7))));
}

#[test]
fn not_found() {
    let port = server(handler);
    let u = url(port, "/x");
    let e = fetch(&u, &FetchLimits::default(), None).unwrap_err();
    assert_eq!(e.to_string(), format!("{u}: HTTP 404 Not Found"));
}

#[test]
fn ten_megabytes_refused_early() {
    let port = server(handler);
    for p in ["/big", "/bigcl"] {
        let u = url(port, p);
        let mut max = 0;
        let mut cb = |n: u64, _| max = n;
        let e = fetch(&u, &FetchLimits::default(), Some(&mut cb)).unwrap_err();
        assert_eq!(e.kind, FetchErrorKind::TooLarge(1_048_576));
        assert_eq!(
            e.to_string(),
            format!("{u}: body larger than 1048576 bytes")
        );
        assert!(max <= 1_048_576);
    }
}

#[test]
fn stall_times_out_within_bounds() {
    let port = server(handler);
    let u = url(port, "/stall");
    let limits = FetchLimits {
        timeout: Duration::from_secs(2),
        ..FetchLimits::default()
    };
    let t = Instant::now();
    let e = fetch(&u, &limits, None).unwrap_err();
    let el = t.elapsed();
    assert!(
        el >= Duration::from_millis(1900) && el < Duration::from_secs(5),
        "{el:?}"
    );
    assert_eq!(e.to_string(), format!("{u}: timed out after 2 s"));
}

#[test]
fn redirects_limited() {
    let port = server(handler);
    let f = fetch(&url(port, "/r/2"), &FetchLimits::default(), None).unwrap();
    assert!(f.final_url.ends_with("/ca.der"));
    let e = fetch(&url(port, "/r/4"), &FetchLimits::default(), None).unwrap_err();
    assert_eq!(e.kind, FetchErrorKind::TooManyRedirects(3), "{e}");
}

#[test]
fn html_page_is_returned() {
    let port = server(handler);
    let f = fetch(&url(port, "/html"), &FetchLimits::default(), None).unwrap();
    assert!(f.bytes.starts_with(b"<html>"));
    assert_eq!(f.content_type.as_deref(), Some("text/html"));
}

#[test]
fn connection_refused() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let u = url(port, "/x");
    let e = fetch(&u, &FetchLimits::default(), None).unwrap_err();
    assert_eq!(e.to_string(), format!("{u}: connection refused"));
    let _ = TcpStream::connect(("127.0.0.1", port)).is_err();
}

#[test]
fn local_file_and_its_limit() {
    let d = std::env::temp_dir().join(format!("bars-fetch-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join("ca.der");
    std::fs::write(&p, b"abc").unwrap();
    let f = fetch(p.to_str().unwrap(), &FetchLimits::default(), None).unwrap();
    assert_eq!(f.bytes, b"abc");
    let small = FetchLimits {
        max_bytes: 2,
        ..FetchLimits::default()
    };
    let e = fetch(p.to_str().unwrap(), &small, None).unwrap_err();
    assert_eq!(e.kind, FetchErrorKind::TooLarge(2));
    let e = fetch(d.join("missing").to_str().unwrap(), &small, None).unwrap_err();
    assert!(matches!(e.kind, FetchErrorKind::Io(_)));
}

#[test]
fn post_sends_body_and_content_type() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        // Read the head, then the 5-byte body.
        while !req.ends_with(b"hello") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            req.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&req).to_lowercase();
        let ok_req = text.starts_with("post /ocsp ")
            && text.contains("content-type: application/ocsp-request")
            && text.ends_with("hello");
        let body: &[u8] = if ok_req { b"answer" } else { b"wrong" };
        let _ = s.write_all(&ok(body, "application/ocsp-response"));
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = rt
        .block_on(bars_fetch::post_async(
            &url(port, "/ocsp"),
            "application/ocsp-request",
            b"hello".to_vec(),
            &FetchLimits::default(),
        ))
        .unwrap();
    assert_eq!(f.bytes, b"answer");
    assert_eq!(f.content_type.as_deref(), Some("application/ocsp-response"));
}
