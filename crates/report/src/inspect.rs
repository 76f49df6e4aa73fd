//! `inspect`: everything in each input, as text or JSON, written as it is read: each
//! certificate is shown (or serialised) and dropped before the next is parsed, so a bundle
//! of 10,000 certificates costs the memory of one (and of the input itself).
//!
//! Feed an [`Inspector`] ([`TextInspector`] or [`JsonInspector`]) with each input's
//! items in order (`bars_model::read_each` gives them one by one), then its problems.

use crate::json::CertJson;
use crate::style::Style;
use crate::tree::{links, Link};
use bars_model::{CertSummary, Certificate, Csr, Item, PrivateKey, ReadError};
use serde::Serialize;
use std::fmt::Write;
use std::io;

/// Something that shows inputs as they are read.
pub trait Inspector {
    /// A new input begins.
    fn input(&mut self, name: &str);
    /// The next item of the current input.
    fn item(&mut self, item: Item);
    /// The current input ends, with these problems.
    fn end_input(&mut self, errors: &[ReadError]);
    /// Every input was given: writes what remains and reports the first write error
    /// (writing stops at the first one).
    fn finish(self) -> io::Result<()>;
}

/// Most certificates in one input for which the issuance tree is drawn: every link costs
/// a signature verification, and a tree of thousands helps nobody.
const TREE_LIMIT: usize = 500;

/// The certificate's role from its own structure: self-issued is a root, another CA an
/// intermediate, anything else a leaf.
fn role(summary: &CertSummary) -> bars_checks::Role {
    if summary.self_issued {
        bars_checks::Role::Root
    } else if summary.is_ca {
        bars_checks::Role::Intermediate
    } else {
        bars_checks::Role::Leaf
    }
}

/// "expires in N days" / "expired N days ago" / "not valid for another N days".
pub fn validity_phrase(summary: &CertSummary, now: i64) -> String {
    let day = 86_400;
    if now < summary.not_before_unix {
        let d = (summary.not_before_unix - now + day - 1) / day;
        format!("not valid for another {d} day{}", plural(d))
    } else if now > summary.not_after_unix {
        let d = (now - summary.not_after_unix) / day;
        format!("expired {d} day{} ago", plural(d))
    } else {
        let d = (summary.not_after_unix - now) / day;
        format!("expires in {d} day{}", plural(d))
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The text view, for a terminal: per input a heading, each certificate as it comes, the
/// issuance tree (inputs of up to [`TREE_LIMIT`] certificates), CSRs, keys and PKCS#12
/// archives, the problems, and what the input held.
pub struct TextInspector<'s, W: io::Write> {
    out: W,
    error: Option<io::Error>,
    buf: String,
    now: i64,
    style: &'s Style,
    /// Index of the next certificate, across inputs.
    index: usize,
    current: Current,
}

/// What the text view keeps of the input being read.
#[derive(Default)]
struct Current {
    /// Index of the input's first certificate.
    base: usize,
    /// The input's certificates, while there are few enough for the tree.
    certs: Vec<Certificate>,
    certificates: usize,
    csrs: usize,
    keys: usize,
    pfx: usize,
    /// Java keystores (JKS, JCEKS), read as PFX but named as what they are.
    keystores: usize,
    /// What is shown after the certificates (CSRs, keys, PKCS#12 summaries).
    after: String,
}

impl<'s, W: io::Write> TextInspector<'s, W> {
    /// Writes to `out`; validity is judged at `now`.
    pub fn new(out: W, now: i64, style: &'s Style) -> Self {
        TextInspector {
            out,
            error: None,
            buf: String::new(),
            now,
            style,
            index: 0,
            current: Current::default(),
        }
    }

    fn flush_buf(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(self.style.glyphs(&self.buf).as_bytes()) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }

    fn certificate(&mut self, cert: Certificate) {
        let s = cert.summary();
        let _ = writeln!(
            self.buf,
            "\n  {} {}  ({})",
            self.style.bold(&format!("[{}]", self.index)),
            self.style.bold(crate::style::name_text(&s.subject)),
            crate::diag::role_name(role(s))
        );
        write_cert(&mut self.buf, s, self.now, self.style);
        self.index += 1;
        self.current.certificates += 1;
        if self.current.certificates <= TREE_LIMIT {
            self.current.certs.push(cert);
        } else if !self.current.certs.is_empty() {
            // Too many for a tree: keep none of them, from now to the end of this input.
            self.current.certs = Vec::new();
        }
        self.flush_buf();
    }
}

impl<W: io::Write> Inspector for TextInspector<'_, W> {
    fn input(&mut self, name: &str) {
        self.current = Current {
            base: self.index,
            ..Current::default()
        };
        let _ = writeln!(self.buf, "{}", self.style.heading(name));
        self.flush_buf();
    }

    fn item(&mut self, item: Item) {
        let style = self.style;
        match item {
            Item::Certificate(c) => self.certificate(c),
            Item::Csr(csr) => {
                self.current.csrs += 1;
                write_csr(&mut self.current.after, &csr, style);
            }
            Item::Key(key) => {
                self.current.keys += 1;
                write_key(&mut self.current.after, &key, style);
            }
            Item::Pfx(pfx) => {
                if pfx.summary.format == "PKCS#12" {
                    self.current.pfx += 1;
                } else {
                    self.current.keystores += 1;
                }
                write_pfx(&mut self.current.after, &pfx, style);
                for c in pfx.certificates {
                    self.certificate(c);
                }
            }
        }
    }

    fn end_input(&mut self, errors: &[ReadError]) {
        let style = self.style;
        let cur = std::mem::take(&mut self.current);
        if cur.certificates > TREE_LIMIT {
            let _ = writeln!(
                self.buf,
                "\n  {} not drawn for {} certificates (more than {TREE_LIMIT})",
                style.bold("Issuance tree:"),
                cur.certificates
            );
        } else if cur.certs.len() > 1 {
            let certs: Vec<&Certificate> = cur.certs.iter().collect();
            let link_list = links(&certs);
            let _ = writeln!(self.buf, "\n  {}", style.bold("Issuance tree"));
            write_tree(&mut self.buf, &certs, &link_list, cur.base, style);
        }
        self.buf.push_str(&cur.after);
        for e in errors {
            let _ = writeln!(self.buf, "\n  {} {}", style.bad("error:"), e.kind);
        }
        let held = describe_counts(cur.certificates, cur.csrs, cur.keys, cur.pfx, cur.keystores);
        let _ = writeln!(self.buf, "\n  {}\n", style.dim(&format!("Held: {held}")));
        self.flush_buf();
    }

    fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}

fn write_pfx(out: &mut String, pfx: &bars_model::Pfx, style: &Style) {
    let p = &pfx.summary;
    let heading = match p.format.as_str() {
        "PKCS#12" => "PKCS#12 archive".to_string(),
        other => format!("Java keystore ({other})"),
    };
    let _ = writeln!(out, "\n  {}", style.bold(&heading));
    field(out, "Encryption", &p.encryption);
    if let Some(mac) = &p.mac {
        field(out, "MAC", mac);
    }
    field(
        out,
        "Holds",
        &format!(
            "{} certificate{}, {} private key{}",
            p.certificate_count,
            plural(count(p.certificate_count)),
            p.key_count,
            plural(count(p.key_count))
        ),
    );
    if let Some(m) = p.key_matches_certificate {
        let text = if m {
            style.good("yes: the key belongs to the certificate")
        } else {
            style.bad("NO: the key does not belong to the certificate")
        };
        field(out, "Key matches", &text);
    }
    for e in &p.entries {
        let kind = match e.kind {
            bars_model::KeystoreEntryKind::PrivateKey => format!(
                "private key with {} certificate{}",
                e.certificates,
                plural(count(e.certificates))
            ),
            _ => "trusted certificate".to_string(),
        };
        field(out, &format!("Entry {:?}", e.alias), &kind);
    }
    for key in &pfx.keys {
        write_key(out, key, style);
    }
}

/// The SHA-1 fingerprint as Windows, IIS and Kestrel show it: uppercase hex, no
/// separators.
pub fn thumbprint(sha1_hex: &str) -> String {
    sha1_hex
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// "3 certificates, 1 CSR" style summary of what an input held (PKCS#12 contents counted
/// among the certificates).
fn describe_counts(c: usize, r: usize, k: usize, p: usize, j: usize) -> String {
    let mut parts = Vec::new();
    for (n, one, many) in [
        (c, "certificate", "certificates"),
        (r, "CSR", "CSRs"),
        (k, "private key", "private keys"),
        (p, "PKCS#12 archive", "PKCS#12 archives"),
        (j, "Java keystore", "Java keystores"),
    ] {
        match n {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            _ => parts.push(format!("{n} {many}")),
        }
    }
    if parts.is_empty() {
        "nothing readable".to_string()
    } else {
        parts.join(", ")
    }
}

/// `      Label:              ` (the label and its colon padded to 20 columns); the
/// caller writes the value and the newline.
fn label(out: &mut String, label: &str) {
    out.push_str("      ");
    out.push_str(label);
    out.push(':');
    for _ in label.chars().count() + 1..20 {
        out.push(' ');
    }
}

/// `      Label:              value`.
fn field(out: &mut String, name: &str, value: &str) {
    label(out, name);
    out.push_str(value);
    out.push('\n');
}

/// A field listing `values` (each written by `write` after its prefix), comma-separated;
/// nothing when there are none.
fn list_field<'v, T: 'v + ?Sized>(
    out: &mut String,
    name: &str,
    values: impl IntoIterator<Item = (&'v str, &'v T)>,
    write: impl Fn(&mut String, &T),
) {
    let mut first = true;
    for (prefix, v) in values {
        if first {
            label(out, name);
            first = false;
        } else {
            out.push_str(", ");
        }
        out.push_str(prefix);
        write(out, v);
    }
    if !first {
        out.push('\n');
    }
}

/// [`list_field`] for plain strings.
fn strings_field(out: &mut String, name: &str, values: &[String]) {
    list_field(
        out,
        name,
        values.iter().map(|v| ("", v.as_str())),
        |o, v| o.push_str(v),
    );
}

fn write_cert(out: &mut String, s: &CertSummary, now: i64, style: &Style) {
    let issuer = if s.issuer.trim().is_empty() {
        "(empty issuer)"
    } else {
        &s.issuer
    };
    field(out, "Issuer", issuer);
    field(out, "Serial", &s.serial);
    let phrase = validity_phrase(s, now);
    let phrase = if now > s.not_after_unix || now < s.not_before_unix {
        style.bad(&phrase)
    } else {
        style.good(&phrase)
    };
    field(out, "Not before", &s.not_before);
    label(out, "Not after");
    let _ = writeln!(out, "{}  ({phrase})", s.not_after);
    field(out, "SHA-256", &s.sha256);
    field(out, "SHA-1", &s.sha1);
    // As Windows, IIS and Kestrel show it (certmgr, `Get-ChildItem Cert:`, appsettings).
    field(out, "Thumbprint", &thumbprint(&s.sha1));
    label(out, "Public key");
    push_key(out, &s.key);
    out.push('\n');
    field(out, "Public key SHA-256", &s.public_key_sha256);
    field(out, "Signature", &s.signature_algorithm);
    if s.has_san {
        list_field(
            out,
            "Subject alt names",
            s.dns_names
                .iter()
                .map(|d| ("DNS:", d.as_str()))
                .chain(s.ip_addresses.iter().map(|d| ("IP:", d.as_str())))
                .chain(s.email_addresses.iter().map(|d| ("email:", d.as_str())))
                .chain(s.uris.iter().map(|d| ("URI:", d.as_str())))
                .chain(s.other_names.iter().map(|d| ("", d.as_str()))),
            |o, v| o.push_str(v),
        );
    } else {
        field(
            out,
            "Subject alt names",
            "(none: the name is only in the CN)",
        );
    }
    strings_field(out, "Key usage", &s.key_usage);
    strings_field(out, "Extended key usage", &s.extended_key_usage);
    if let Some(bc) = &s.basic_constraints {
        label(out, "Basic constraints");
        out.push_str(if bc.ca { "CA:TRUE" } else { "CA:FALSE" });
        if let Some(p) = bc.path_len {
            let _ = write!(out, ", pathlen:{p}");
        }
        out.push_str(if bc.critical {
            " (critical)\n"
        } else {
            " (not critical)\n"
        });
    }
    if let Some(v) = &s.subject_key_id {
        field(out, "Subject key id", v);
    }
    if let Some(v) = &s.authority_key_id {
        field(out, "Authority key id", v);
    }
    strings_field(out, "CA issuers (AIA)", &s.ca_issuers);
    strings_field(out, "OCSP (AIA)", &s.ocsp);
    strings_field(out, "CRL distribution", &s.crl_distribution_points);
    strings_field(out, "Policies", &s.policies);
    list_field(
        out,
        "Other extensions",
        s.extensions.iter().filter(|e| !e.known).map(|e| ("", e)),
        |o, e| {
            o.push_str(&e.oid);
            o.push_str(if e.critical {
                " (critical, not understood)"
            } else {
                " (not understood)"
            });
        },
    );
}

fn key_text(k: &bars_model::PublicKeySummary) -> String {
    let mut t = String::new();
    push_key(&mut t, k);
    t
}

/// `RSA 2048 bits`, `EC P-256 256 bits`.
fn push_key(out: &mut String, k: &bars_model::PublicKeySummary) {
    out.push_str(&k.algorithm);
    if let Some(c) = &k.curve {
        out.push(' ');
        out.push_str(c);
    }
    if let Some(b) = k.bits {
        let _ = write!(out, " {b} bits");
    }
}

fn write_tree(
    out: &mut String,
    certs: &[&Certificate],
    link_list: &[Link],
    base: usize,
    style: &Style,
) {
    // Children of each node; roots are certificates with no parent in the bundle.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); certs.len()];
    let mut tops = Vec::new();
    for (i, l) in link_list.iter().enumerate() {
        match l {
            Link::IssuedBy(p, _) if *p != i => {
                if let Some(c) = children.get_mut(*p) {
                    c.push(i);
                }
            }
            _ => tops.push(i),
        }
    }
    // Guard against cycles: anything not reached from a top is shown as a top as well.
    let mut seen = vec![false; certs.len()];
    let mut stack: Vec<(usize, usize)> = tops.iter().rev().map(|&t| (t, 0)).collect();
    let mut order = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        match seen.get_mut(node) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        order.push((node, depth));
        if let Some(kids) = children.get(node) {
            for &k in kids.iter().rev() {
                stack.push((k, depth + 1));
            }
        }
    }
    for (i, s) in seen.iter().enumerate() {
        if !s {
            order.push((i, 0));
        }
    }
    for (node, depth) in order {
        let (Some(cert), Some(link)) = (certs.get(node), link_list.get(node)) else {
            continue;
        };
        let mark = match link {
            Link::SelfSigned => style.good("self-signed, signature verified"),
            Link::SelfIssuedBadSignature(e) => style.bad(&format!("self-issued, {e}")),
            Link::IssuedBy(_, Ok(())) => style.good("signature verified"),
            Link::IssuedBy(_, Err(e)) => style.bad(&format!("signature FAILS: {e}")),
            Link::IssuerAbsent => style.warn("issuer not in this input"),
        };
        let indent = "   ".repeat(depth);
        let branch = if depth == 0 { "" } else { "└─ " };
        let _ = writeln!(
            out,
            "    {indent}{branch}[{}] {}  {}",
            base + node,
            crate::style::name_text(&cert.summary().subject),
            mark
        );
    }
}

fn write_csr(out: &mut String, csr: &Csr, style: &Style) {
    let s = &csr.summary;
    let _ = writeln!(
        out,
        "\n  {} {}",
        style.bold("Certificate signing request"),
        style.bold(crate::style::name_text(&s.subject))
    );
    let attrs: Vec<String> = s
        .subject_attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    strings_field(out, "Subject fields", &attrs);
    strings_field(out, "DNS names", &s.dns_names);
    strings_field(out, "E-mail addresses", &s.email_addresses);
    field(out, "Public key", &key_text(&s.key));
    field(out, "Public key SHA-256", &s.public_key_sha256);
    field(out, "Signature", &s.signature_algorithm);
    let sig = if s.signature_valid {
        style.good("verifies")
    } else {
        style.bad(&format!(
            "DOES NOT VERIFY{}",
            s.signature_error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ))
    };
    field(out, "Self-signature", &sig);
    let ext: Vec<String> = s
        .requested_extensions
        .iter()
        .map(|e| e.name.clone().unwrap_or_else(|| e.oid.clone()))
        .collect();
    strings_field(out, "Requested extensions", &ext);
    strings_field(out, "Attributes", &s.attributes);
}

fn write_key(out: &mut String, key: &PrivateKey, style: &Style) {
    let s = &key.summary;
    let _ = writeln!(out, "\n  {}", style.bold("Private key"));
    field(out, "Format", &s.format);
    field(
        out,
        "Encrypted",
        &match (&s.encrypted, &s.encryption) {
            (true, Some(e)) => format!("yes ({e})"),
            (true, None) => "yes".to_string(),
            (false, _) => "no (anyone who can read the file has the key)".to_string(),
        },
    );
    match &s.key {
        Some(k) => field(out, "Key", &key_text(k)),
        None => field(out, "Key", "(encrypted: give the password to see more)"),
    }
    if let Some(h) = &s.public_key_sha256 {
        field(out, "Public key SHA-256", h);
    }
}

#[derive(Serialize)]
struct SourcedJson<'a, T: Serialize> {
    source: &'a str,
    #[serde(flatten)]
    summary: &'a T,
}

#[derive(Serialize)]
struct PfxJson<'a> {
    source: &'a str,
    #[serde(flatten)]
    summary: &'a bars_model::PfxSummary,
    certificates: Vec<usize>,
    keys: Vec<&'a bars_model::KeySummary>,
}

/// One input problem in JSON.
#[derive(Serialize)]
pub struct ErrorJson {
    /// The input's name.
    pub source: String,
    /// The one-line message.
    pub message: String,
}

/// The JSON document, streamed: `{ "schema", "command": "inspect", "inputs",
/// "certificates": [ … written one by one … ], "csrs", "keys", "pfx", "errors" }`.
/// An input's certificates come first, then those of its PKCS#12 archives.
pub struct JsonInspector<W: io::Write> {
    out: W,
    error: Option<io::Error>,
    source: String,
    /// Certificates written so far (the next one's index).
    written: usize,
    /// The current input's PKCS#12 archives, whose certificates follow its own.
    pending_pfx: Vec<bars_model::Pfx>,
    /// The rest of the document, serialised as it comes.
    csrs: Vec<String>,
    keys: Vec<String>,
    pfx: Vec<String>,
    errors: Vec<ErrorJson>,
}

/// `value` as pretty JSON indented to sit at `depth` inside the document.
fn nested<T: Serialize>(value: &T, depth: usize) -> String {
    let text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| serde_json::Value::String(format!("unserialisable: {e}")).to_string());
    let pad = "  ".repeat(depth);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&pad);
        out.push_str(line);
    }
    out
}

/// serde_json's pretty layout (two spaces) for a value that sits `depth` levels down in
/// the document, so that a certificate is serialised straight into the output.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn at(depth: usize) -> Nested {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn newline<W: ?Sized + io::Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        /// A comma, a newline and enough indentation for any certificate in one slice.
        const BREAK: &[u8; 66] =
            b",\n                                                                ";
        let width = self.depth.saturating_mul(2);
        match BREAK.get(usize::from(!comma)..width.saturating_add(2)) {
            Some(line) => w.write_all(line),
            None => {
                w.write_all(if comma { b",\n" } else { b"\n" })?;
                for _ in 0..self.depth {
                    w.write_all(b"  ")?;
                }
                Ok(())
            }
        }
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.newline(w, !first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.newline(w, !first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

impl<W: io::Write> JsonInspector<W> {
    /// Starts the document for these inputs on `out`.
    pub fn new(mut out: W, inputs: &[String]) -> Self {
        let head = format!(
            "{{\n  \"schema\": {},\n  \"command\": \"inspect\",\n  \"inputs\": {},\n  \"certificates\": [",
            nested(&crate::json::SCHEMA, 0),
            nested(&inputs, 1).trim_start()
        );
        let error = out.write_all(head.as_bytes()).err();
        JsonInspector {
            out,
            error,
            source: String::new(),
            written: 0,
            pending_pfx: Vec::new(),
            csrs: Vec::new(),
            keys: Vec::new(),
            pfx: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn write(&mut self, text: &str) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(text.as_bytes()) {
                self.error = Some(e);
            }
        }
    }

    fn certificate(&mut self, c: &Certificate) {
        let s = c.summary();
        let item = CertJson {
            index: self.written,
            source: self.source.clone(),
            role: Some(role(s)),
            summary: s,
        };
        let sep = if self.written == 0 {
            "\n    "
        } else {
            ",\n    "
        };
        self.write(sep);
        if self.error.is_none() {
            // Pretty JSON nested two levels down, written straight to the output.
            let mut ser = serde_json::Serializer::with_formatter(&mut self.out, Nested::at(2));
            if let Err(e) = item.serialize(&mut ser) {
                self.error = Some(e.into());
            }
        }
        self.written += 1;
    }
}

impl<W: io::Write> Inspector for JsonInspector<W> {
    fn input(&mut self, name: &str) {
        self.source = format!("file:{name}");
    }

    fn item(&mut self, item: Item) {
        let source = self.source.clone();
        match item {
            Item::Certificate(c) => self.certificate(&c),
            Item::Csr(c) => self.csrs.push(nested(
                &SourcedJson {
                    source: &source,
                    summary: &c.summary,
                },
                2,
            )),
            Item::Key(k) => self.keys.push(nested(
                &SourcedJson {
                    source: &source,
                    summary: &k.summary,
                },
                2,
            )),
            Item::Pfx(p) => self.pending_pfx.push(p),
        }
    }

    fn end_input(&mut self, errors: &[ReadError]) {
        let source = self.source.clone();
        for p in std::mem::take(&mut self.pending_pfx) {
            let first = self.written;
            for c in &p.certificates {
                self.certificate(c);
            }
            self.pfx.push(nested(
                &PfxJson {
                    source: &source,
                    summary: &p.summary,
                    certificates: (first..self.written).collect(),
                    keys: p.keys.iter().map(|k| &k.summary).collect(),
                },
                2,
            ));
        }
        self.errors.extend(errors.iter().map(|e| ErrorJson {
            source: e.source_name.clone(),
            message: e.kind.to_string(),
        }));
    }

    fn finish(mut self) -> io::Result<()> {
        let close = if self.written == 0 { "]" } else { "\n  ]" };
        self.write(close);
        for (key, items) in [
            ("csrs", std::mem::take(&mut self.csrs)),
            ("keys", std::mem::take(&mut self.keys)),
            ("pfx", std::mem::take(&mut self.pfx)),
        ] {
            let body = if items.is_empty() {
                "[]".to_string()
            } else {
                format!("[\n{}\n  ]", items.join(",\n"))
            };
            self.write(&format!(",\n  \"{key}\": {body}"));
        }
        let errors = nested(&self.errors, 1);
        self.write(&format!(",\n  \"errors\": {}\n}}\n", errors.trim_start()));
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}
