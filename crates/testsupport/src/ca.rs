//! Revocation fixtures run by an independent implementation: a CA kept by `openssl ca`
//! (certificates, revocations, CRLs, OCSP responses to staple), an `openssl ocsp`
//! responder, and a tiny HTTP server on 127.0.0.1 that counts what it is asked. Nothing
//! here leaves loopback.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub use crate::openssl::openssl;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Reads a PEM or DER certificate file.
pub fn cert(path: &Path) -> bars_model::Certificate {
    let bytes = std::fs::read(path).unwrap();
    let parsed = bars_model::read_bytes(
        &path.display().to_string(),
        &bytes,
        &bars_model::NoPassword,
        &bars_model::Limits::default(),
    );
    let first = parsed.certificates().next().cloned();
    first.unwrap_or_else(|| panic!("no certificate in {}", path.display()))
}

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";
const LEAF_EXT: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";

/// A CA kept by `openssl ca` (EC P-256 keys: fast to make).
#[derive(Clone, Debug)]
pub struct Ca {
    pub dir: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub index: PathBuf,
    cnf: PathBuf,
}

fn new_key_and_csr(dir: &Path, name: &str, cn: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key"));
    let csr = dir.join(format!("{name}.csr"));
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key.to_str().unwrap(),
            "-subj",
            &format!("/CN={cn}"),
            "-out",
            csr.to_str().unwrap(),
        ],
    );
    (key, csr)
}

impl Ca {
    /// A self-signed root CA in `base/name`.
    pub fn root(base: &Path, name: &str, cn: &str) -> Ca {
        Ca::root_with(base, name, cn, CA_EXT)
    }

    /// A root CA with these extensions (openssl extfile lines).
    pub fn root_with(base: &Path, name: &str, cn: &str, ext: &str) -> Ca {
        let ca = Ca::layout(base, name);
        let (key, csr) = new_key_and_csr(&ca.dir, "ca", cn);
        std::fs::rename(&key, &ca.key).unwrap();
        ca.sign(&csr, &ca.cert, ext, true);
        ca
    }

    fn layout(base: &Path, name: &str) -> Ca {
        let dir = base.join(name);
        std::fs::create_dir_all(dir.join("newcerts")).unwrap();
        std::fs::write(dir.join("index.txt"), "").unwrap();
        std::fs::write(dir.join("serial"), "1000\n").unwrap();
        std::fs::write(dir.join("crlnumber"), "01\n").unwrap();
        let cnf = dir.join("ca.cnf");
        std::fs::write(
            &cnf,
            format!(
                "[ca]\ndefault_ca = CA_default\n[CA_default]\ndir = {}\ndatabase = $dir/index.txt\n\
                 new_certs_dir = $dir/newcerts\nserial = $dir/serial\ncrlnumber = $dir/crlnumber\n\
                 certificate = $dir/ca.pem\nprivate_key = $dir/ca.key\ndefault_md = sha256\n\
                 policy = policy_any\ndefault_days = 400\ndefault_crl_days = 7\nunique_subject = no\n\
                 copy_extensions = none\nemail_in_dn = no\n[policy_any]\ncommonName = supplied\n",
                dir.display()
            ),
        )
        .unwrap();
        Ca {
            cert: dir.join("ca.pem"),
            key: dir.join("ca.key"),
            index: dir.join("index.txt"),
            cnf,
            dir,
        }
    }

    fn sign(&self, csr: &Path, out: &Path, ext: &str, selfsign: bool) {
        let extfile = out.with_extension("ext");
        std::fs::write(&extfile, ext).unwrap();
        let mut args = vec![
            "ca",
            "-batch",
            "-notext",
            "-config",
            self.cnf.to_str().unwrap(),
            "-in",
            csr.to_str().unwrap(),
            "-out",
            out.to_str().unwrap(),
            "-extfile",
            extfile.to_str().unwrap(),
        ];
        if selfsign {
            args.push("-selfsign");
        }
        openssl(&self.dir, &args);
    }

    /// A leaf certificate `name.pem` (key `name.key`) for `cn`, with `extra` extfile lines
    /// (CRL DP, AIA, …) after the usual server/client ones.
    pub fn issue(&self, name: &str, cn: &str, extra: &str) -> PathBuf {
        let (_, csr) = new_key_and_csr(&self.dir, name, cn);
        let out = self.dir.join(format!("{name}.pem"));
        self.sign(&csr, &out, &format!("{LEAF_EXT}{extra}"), false);
        out
    }

    /// A sub-CA in `base/name` issued by this CA, with `extra` extfile lines.
    pub fn issue_ca(&self, base: &Path, name: &str, cn: &str, extra: &str) -> Ca {
        let sub = Ca::layout(base, name);
        let (key, csr) = new_key_and_csr(&sub.dir, "ca", cn);
        std::fs::rename(&key, &sub.key).unwrap();
        self.sign(
            &csr,
            &sub.cert,
            &format!("{CA_EXT}authorityKeyIdentifier=keyid\n{extra}"),
            false,
        );
        sub
    }

    /// A delegated OCSP responder certificate (EKU OCSPSigning) and its key.
    pub fn issue_ocsp_signer(&self, name: &str) -> (PathBuf, PathBuf) {
        let (key, csr) = new_key_and_csr(&self.dir, name, &format!("{name} OCSP signer"));
        let out = self.dir.join(format!("{name}.pem"));
        self.sign(
            &csr,
            &out,
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n",
            false,
        );
        (out, key)
    }

    /// A leaf signed with this CA's key but not recorded in its database (so the OCSP
    /// responder does not know it).
    pub fn issue_outside_db(&self, name: &str, cn: &str, extra: &str) -> PathBuf {
        let (_, csr) = new_key_and_csr(&self.dir, name, cn);
        let out = self.dir.join(format!("{name}.pem"));
        let extfile = self.dir.join(format!("{name}.ext"));
        std::fs::write(&extfile, format!("{LEAF_EXT}{extra}")).unwrap();
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                csr.to_str().unwrap(),
                "-CA",
                self.cert.to_str().unwrap(),
                "-CAkey",
                self.key.to_str().unwrap(),
                "-set_serial",
                "0x7777",
                "-days",
                "400",
                "-extfile",
                extfile.to_str().unwrap(),
                "-out",
                out.to_str().unwrap(),
            ],
        );
        out
    }

    /// Revokes `cert` with this reason (`keyCompromise`, `superseded`, …).
    pub fn revoke(&self, cert: &Path, reason: &str) {
        openssl(
            &self.dir,
            &[
                "ca",
                "-config",
                self.cnf.to_str().unwrap(),
                "-revoke",
                cert.to_str().unwrap(),
                "-crl_reason",
                reason,
            ],
        );
    }

    /// A DER CRL in this CA's directory; `dates` sets (lastUpdate, nextUpdate) as
    /// `YYYYMMDDHHMMSSZ`.
    /// An OCSP response (DER) for `cert`, signed by this CA itself, as a server
    /// staples it: `good` or `revoked` as the CA's database says (`openssl ocsp` as a
    /// one-shot responder).
    pub fn ocsp_response(&self, cert: &Path, file: &str) -> Vec<u8> {
        let req = self.dir.join(format!("{file}.req"));
        let resp = self.dir.join(format!("{file}.der"));
        openssl(
            &self.dir,
            &[
                "ocsp",
                "-issuer",
                self.cert.to_str().unwrap(),
                "-cert",
                cert.to_str().unwrap(),
                "-no_nonce",
                "-reqout",
                req.to_str().unwrap(),
            ],
        );
        openssl(
            &self.dir,
            &[
                "ocsp",
                "-index",
                self.index.to_str().unwrap(),
                "-CA",
                self.cert.to_str().unwrap(),
                "-rsigner",
                self.cert.to_str().unwrap(),
                "-rkey",
                self.key.to_str().unwrap(),
                "-reqin",
                req.to_str().unwrap(),
                "-respout",
                resp.to_str().unwrap(),
                "-ndays",
                "1",
            ],
        );
        std::fs::read(resp).unwrap()
    }

    pub fn gencrl(&self, file: &str, dates: Option<(&str, &str)>) -> PathBuf {
        let pem = self.gencrl_pem_with(&format!("{file}.pem"), dates);
        let out = self.dir.join(file);
        openssl(
            &self.dir,
            &[
                "crl",
                "-in",
                pem.to_str().unwrap(),
                "-outform",
                "DER",
                "-out",
                out.to_str().unwrap(),
            ],
        );
        out
    }

    /// A PEM CRL.
    pub fn gencrl_pem(&self, file: &str) -> PathBuf {
        self.gencrl_pem_with(file, None)
    }

    fn gencrl_pem_with(&self, file: &str, dates: Option<(&str, &str)>) -> PathBuf {
        let out = self.dir.join(file);
        let mut args = vec![
            "ca",
            "-gencrl",
            "-config",
            self.cnf.to_str().unwrap(),
            "-out",
            out.to_str().unwrap(),
        ];
        if let Some((last, next)) = dates {
            args.extend(["-crl_lastupdate", last, "-crl_nextupdate", next]);
        }
        openssl(&self.dir, &args);
        out
    }
}

/// What the test HTTP server answers on a path.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200 with this body and Content-Type.
    Body(Vec<u8>, &'static str),
    /// This status, empty body.
    Status(u16),
    /// Read the request, then say nothing for 30 s.
    Stall,
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (one thread per connection, `Connection: close`)
/// that counts connections and requests per path.
#[derive(Clone)]
pub struct Peer {
    pub port: u16,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    connections: Arc<AtomicUsize>,
}

impl Peer {
    /// Binds 127.0.0.1:0 and serves in a background thread.
    pub fn start() -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = Peer {
            port: listener.local_addr().unwrap().port(),
            routes: Arc::default(),
            hits: Arc::default(),
            connections: Arc::default(),
        };
        let p = peer.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                p.connections.fetch_add(1, Ordering::SeqCst);
                let p = p.clone();
                std::thread::spawn(move || {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head);
                    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                    *p.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                    let reply = p.routes.lock().unwrap().get(&path).cloned();
                    let bytes = match reply {
                        Some(Reply::Body(body, ctype)) => {
                            let mut r = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            )
                            .into_bytes();
                            r.extend_from_slice(&body);
                            r
                        }
                        Some(Reply::Status(code)) => format!(
                            "HTTP/1.1 {code} Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        )
                        .into_bytes(),
                        Some(Reply::Stall) => {
                            std::thread::sleep(Duration::from_secs(30));
                            return;
                        }
                        None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                    };
                    let _ = s.write_all(&bytes);
                });
            }
        });
        peer
    }

    /// Serves `reply` on `path`.
    pub fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_string(), reply);
    }

    /// Serves this file's bytes on `path`.
    pub fn serve_file(&self, path: &str, file: &Path, ctype: &'static str) {
        self.route(path, Reply::Body(std::fs::read(file).unwrap(), ctype));
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Requests seen for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// TCP connections accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A port that was free a moment ago on 127.0.0.1 (for a responder whose URL must be in
/// certificates made before it starts).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An `openssl ocsp` responder (killed on drop).
pub struct OcspResponder {
    child: Child,
    pub port: u16,
}

impl OcspResponder {
    /// Starts `openssl ocsp -port PORT -index … -CA … -rsigner … -rkey …` and waits until
    /// it listens.
    pub fn start(port: u16, ca: &Ca, signer: &Path, signer_key: &Path) -> OcspResponder {
        let mut child = Command::new("openssl")
            .args([
                "ocsp",
                "-port",
                &port.to_string(),
                "-index",
                ca.index.to_str().unwrap(),
                "-CA",
                ca.cert.to_str().unwrap(),
                "-rsigner",
                signer.to_str().unwrap(),
                "-rkey",
                signer_key.to_str().unwrap(),
                "-ndays",
                "1",
            ])
            .current_dir(&ca.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("these tests need the openssl command (apt-get install openssl): {e}")
            });
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(
            line.starts_with("ACCEPT"),
            "openssl ocsp did not start: {line:?}"
        );
        // Keep draining stdout so that the responder never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        OcspResponder { child, port }
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for OcspResponder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// extfile lines naming a CRL distribution point and AIA OCSP / caIssuers URLs (any may
/// be empty).
pub fn urls_ext(crl: &str, ocsp: &str, ca_issuers: &str) -> String {
    let mut s = String::new();
    if !crl.is_empty() {
        s.push_str(&format!("crlDistributionPoints=URI:{crl}\n"));
    }
    let mut aia = Vec::new();
    if !ocsp.is_empty() {
        aia.push(format!("OCSP;URI:{ocsp}"));
    }
    if !ca_issuers.is_empty() {
        aia.push(format!("caIssuers;URI:{ca_issuers}"));
    }
    if !aia.is_empty() {
        s.push_str(&format!("authorityInfoAccess={}\n", aia.join(",")));
    }
    s
}
