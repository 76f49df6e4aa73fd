//! Reading the server's ServerHello from the first bytes it sent, so that the version and
//! cipher suite it chose are known even when the handshake fails later (or when rustls
//! refuses the version, e.g. a server that only speaks TLS 1.0).
//!
//! Only what one TLS record holds is read; anything malformed or fragmented gives `None`.

/// What the ServerHello said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerHello {
    /// The protocol version chosen (the supported_versions extension when present, else
    /// the legacy version field), e.g. `0x0304`.
    pub version: u16,
    /// The cipher suite chosen (IANA number).
    pub cipher: u16,
}

const HANDSHAKE: u8 = 0x16;
const SERVER_HELLO: u8 = 0x02;
const SUPPORTED_VERSIONS: u16 = 0x002b;

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (self.b.get(..n)?, self.b.get(n..)?);
        self.b = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        let s = self.take(2)?;
        Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
    }
    fn u24(&mut self) -> Option<usize> {
        let s = self.take(3)?;
        Some(
            (usize::from(*s.first()?) << 16)
                | (usize::from(*s.get(1)?) << 8)
                | usize::from(*s.get(2)?),
        )
    }
}

/// Parses the ServerHello at the start of `first` (the first bytes the server sent).
pub(crate) fn parse_server_hello(first: &[u8]) -> Option<ServerHello> {
    let mut r = Reader { b: first };
    if r.u8()? != HANDSHAKE {
        return None;
    }
    let _record_version = r.u16()?;
    let record_len = usize::from(r.u16()?);
    let mut rec = Reader {
        b: r.take(record_len).or(Some(r.b))?,
    };
    if rec.u8()? != SERVER_HELLO {
        return None;
    }
    let body_len = rec.u24()?;
    let mut h = Reader {
        b: rec.take(body_len).or(Some(rec.b))?,
    };
    let legacy_version = h.u16()?;
    h.take(32)?; // random
    let sid_len = usize::from(h.u8()?);
    h.take(sid_len)?;
    let cipher = h.u16()?;
    let _compression = h.u8()?;
    let mut version = legacy_version;
    if let Some(ext_len) = h.u16() {
        let mut exts = Reader {
            b: h.take(usize::from(ext_len)).unwrap_or(h.b),
        };
        while let (Some(kind), Some(len)) = (exts.u16(), exts.u16()) {
            let Some(data) = exts.take(usize::from(len)) else {
                break;
            };
            if kind == SUPPORTED_VERSIONS {
                if let Some(v) = (Reader { b: data }).u16() {
                    version = v;
                }
            }
        }
    }
    Some(ServerHello { version, cipher })
}

/// The cipher suite's IANA name as rustls spells it (e.g. `TLS13_AES_128_GCM_SHA256`).
pub(crate) fn cipher_name(c: u16) -> String {
    let s = rustls::CipherSuite::from(c);
    let name = format!("{s:?}");
    if name.starts_with("Unknown") || name.contains('(') {
        format!("0x{c:04x}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(legacy: u16, cipher: u16, exts: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&legacy.to_be_bytes());
        body.extend_from_slice(&[7u8; 32]);
        body.push(32);
        body.extend_from_slice(&[9u8; 32]);
        body.extend_from_slice(&cipher.to_be_bytes());
        body.push(0);
        if !exts.is_empty() {
            body.extend_from_slice(&u16::try_from(exts.len()).unwrap().to_be_bytes());
            body.extend_from_slice(exts);
        }
        let mut hs = vec![SERVER_HELLO];
        let l = body.len();
        hs.extend_from_slice(&[(l >> 16) as u8, (l >> 8) as u8, l as u8]);
        hs.extend_from_slice(&body);
        let mut rec = vec![HANDSHAKE, 3, 3];
        rec.extend_from_slice(&u16::try_from(hs.len()).unwrap().to_be_bytes());
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn reads_tls13_tls12_and_tls10_hellos() {
        let tls13 = hello(0x0303, 0x1302, &[0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
        assert_eq!(
            parse_server_hello(&tls13),
            Some(ServerHello {
                version: 0x0304,
                cipher: 0x1302
            })
        );
        assert_eq!(cipher_name(0x1302), "TLS13_AES_256_GCM_SHA384");
        let tls12 = hello(0x0303, 0xc02f, &[0xff, 0x01, 0x00, 0x01, 0x00]);
        assert_eq!(parse_server_hello(&tls12).unwrap().version, 0x0303);
        let tls10 = hello(0x0301, 0xc014, &[]);
        let h = parse_server_hello(&tls10).unwrap();
        assert_eq!(h.version, 0x0301);
        assert_eq!(cipher_name(0xfefe), "0xfefe");
    }

    #[test]
    fn never_panics_on_truncated_or_junk_input() {
        let full = hello(0x0303, 0x1301, &[0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
        for n in 0..full.len() {
            let _ = parse_server_hello(&full[..n]);
        }
        assert_eq!(parse_server_hello(b"HTTP/1.1 200 OK"), None);
        assert_eq!(parse_server_hello(&[0x15, 3, 3, 0, 2, 2, 40]), None);
        let mut odd = full.clone();
        odd[3] = 0xff; // record length beyond the data
        let _ = parse_server_hello(&odd);
    }
}
