//! A minimal HTTP CONNECT proxy on 127.0.0.1 that records every CONNECT it is asked
//! for, and can insist on `Proxy-Authorization: Basic` credentials (407 otherwise).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One CONNECT request the proxy saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connect {
    /// The request line, e.g. `CONNECT 127.0.0.1:8443 HTTP/1.1`.
    pub line: String,
    /// The `Proxy-Authorization` header's value, if any.
    pub authorization: Option<String>,
    /// Whether the tunnel was opened.
    pub allowed: bool,
}

/// A running proxy (it serves until the process ends).
#[derive(Clone, Debug)]
pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    credentials: Option<(String, String)>,
    seen: Arc<Mutex<Vec<Connect>>>,
}

impl ConnectProxy {
    /// Starts a proxy; with `credentials`, a CONNECT without them (as Basic) gets 407.
    pub fn start(credentials: Option<(&str, &str)>) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = ConnectProxy {
            url: format!("http://{}", listener.local_addr().unwrap()),
            credentials: credentials.map(|(u, p)| (u.to_string(), p.to_string())),
            seen: Arc::default(),
        };
        let expected = proxy.credentials.as_ref().map(|(u, p)| {
            use base64::Engine;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        });
        let seen = proxy.seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                let (seen, expected) = (seen.clone(), expected.clone());
                std::thread::spawn(move || serve(client, &seen, expected.as_deref()));
            }
        });
        proxy
    }

    /// The URL with the credentials in it (`http://user:password@127.0.0.1:PORT`).
    pub fn url_with_credentials(&self) -> String {
        match &self.credentials {
            Some((u, p)) => self.url.replacen("http://", &format!("http://{u}:{p}@"), 1),
            None => self.url.clone(),
        }
    }

    /// Every CONNECT seen so far.
    pub fn seen(&self) -> Vec<Connect> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(mut client: TcpStream, seen: &Mutex<Vec<Connect>>, expected: Option<&str>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default().to_string();
    let authorization = text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_string())
    });
    let allowed = expected.is_none_or(|e| authorization.as_deref() == Some(e));
    seen.lock().unwrap().push(Connect {
        line: line.clone(),
        authorization,
        allowed,
    });
    if !allowed {
        let _ = client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
        );
        return;
    }
    let Some(authority) = line.split_whitespace().nth(1) else {
        return;
    };
    let Ok(upstream) = TcpStream::connect(authority) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let _ = upstream.set_read_timeout(Some(Duration::from_secs(10)));
    let (Ok(mut c2), Ok(mut u2)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(std::net::Shutdown::Write);
    });
    let mut upstream = upstream;
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
}
