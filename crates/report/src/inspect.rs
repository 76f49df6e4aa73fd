//! `inspect`: everything in each input, as text or JSON.

use crate::json::{CertJson, Envelope};
use crate::style::Style;
use crate::tree::{links, Link};
use bars_model::{CertSummary, Certificate, Csr, Item, PrivateKey, ReadError};
use serde::Serialize;
use std::fmt::Write;

/// What was read from one input.
#[derive(Debug)]
pub struct InspectedInput {
    /// The input's name as the user wrote it.
    pub name: String,
    /// Items found, in input order.
    pub items: Vec<Item>,
    /// Problems met (the CLI also prints these on stderr).
    pub errors: Vec<ReadError>,
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

/// Renders the inspected inputs as human-readable text.
pub fn render_text(inputs: &[InspectedInput], now: i64, style: &Style) -> String {
    let mut out = String::new();
    let mut index = 0usize;
    for input in inputs {
        let certs = certificates_of(&input.items);
        let _ = writeln!(
            out,
            "{}",
            style.heading(&format!("{}: {}", input.name, describe_items(&input.items)))
        );
        for (i, cert) in certs.iter().enumerate() {
            let s = cert.summary();
            let _ = writeln!(
                out,
                "\n  {} {}  ({})",
                style.bold(&format!("[{}]", index + i)),
                style.bold(&s.subject),
                crate::diag::role_name(role(s))
            );
            write_cert(&mut out, s, now, style);
        }
        if certs.len() > TREE_LIMIT {
            let _ = writeln!(
                out,
                "\n  {} not drawn for {} certificates (more than {TREE_LIMIT})",
                style.bold("Issuance tree:"),
                certs.len()
            );
        } else if certs.len() > 1 {
            let link_list = links(&certs);
            let _ = writeln!(out, "\n  {}", style.bold("Issuance tree"));
            write_tree(&mut out, &certs, &link_list, index, style);
        }
        index += certs.len();
        for item in &input.items {
            match item {
                Item::Csr(csr) => write_csr(&mut out, csr, style),
                Item::Key(key) => write_key(&mut out, key, style),
                Item::Pfx(pfx) => {
                    let p = &pfx.summary;
                    let _ = writeln!(out, "\n  {}", style.bold("PKCS#12 archive"));
                    field(&mut out, "Encryption", &p.encryption);
                    if let Some(mac) = &p.mac {
                        field(&mut out, "MAC", mac);
                    }
                    field(
                        &mut out,
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
                        field(&mut out, "Key matches", &text);
                    }
                    for key in &pfx.keys {
                        write_key(&mut out, key, style);
                    }
                }
                Item::Certificate(_) => {}
            }
        }
        for e in &input.errors {
            let _ = writeln!(out, "\n  {} {}", style.bad("error:"), e.kind);
        }
        out.push('\n');
    }
    out
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// "3 certificates, 1 key" style summary of a file's items.
fn describe_items(items: &[Item]) -> String {
    let (mut c, mut r, mut k, mut p) = (0usize, 0usize, 0usize, 0usize);
    for item in items {
        match item {
            Item::Certificate(_) => c += 1,
            Item::Csr(_) => r += 1,
            Item::Key(_) => k += 1,
            Item::Pfx(x) => {
                p += 1;
                c += x.certificates.len();
            }
        }
    }
    let mut parts = Vec::new();
    for (n, one, many) in [
        (c, "certificate", "certificates"),
        (r, "CSR", "CSRs"),
        (k, "private key", "private keys"),
        (p, "PKCS#12 archive", "PKCS#12 archives"),
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

/// Every certificate of the input, PFX contents included, in order.
fn certificates_of(items: &[Item]) -> Vec<&Certificate> {
    let mut v = Vec::new();
    for item in items {
        match item {
            Item::Certificate(c) => v.push(c),
            Item::Pfx(p) => v.extend(p.certificates.iter()),
            _ => {}
        }
    }
    v
}

fn field(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "      {:<20}{}", format!("{label}:"), value);
}

fn list_field(out: &mut String, label: &str, values: &[String]) {
    if !values.is_empty() {
        field(out, label, &values.join(", "));
    }
}

fn write_cert(out: &mut String, s: &CertSummary, now: i64, style: &Style) {
    field(out, "Issuer", &s.issuer);
    field(out, "Serial", &s.serial);
    let phrase = validity_phrase(s, now);
    let phrase = if now > s.not_after_unix || now < s.not_before_unix {
        style.bad(&phrase)
    } else {
        style.good(&phrase)
    };
    field(out, "Not before", &s.not_before);
    field(out, "Not after", &format!("{}  ({phrase})", s.not_after));
    field(out, "SHA-256", &s.sha256);
    field(out, "SHA-1", &s.sha1);
    field(out, "Public key", &key_text(&s.key));
    field(out, "Public key SHA-256", &s.public_key_sha256);
    field(out, "Signature", &s.signature_algorithm);
    let mut sans: Vec<String> = Vec::new();
    sans.extend(s.dns_names.iter().map(|d| format!("DNS:{d}")));
    sans.extend(s.ip_addresses.iter().map(|d| format!("IP:{d}")));
    sans.extend(s.email_addresses.iter().map(|d| format!("email:{d}")));
    sans.extend(s.uris.iter().map(|d| format!("URI:{d}")));
    sans.extend(s.other_names.iter().cloned());
    if s.has_san {
        list_field(out, "Subject alt names", &sans);
    } else {
        field(
            out,
            "Subject alt names",
            "(none: the name is only in the CN)",
        );
    }
    list_field(out, "Key usage", &s.key_usage);
    list_field(out, "Extended key usage", &s.extended_key_usage);
    if let Some(bc) = &s.basic_constraints {
        let mut text = format!("CA:{}", if bc.ca { "TRUE" } else { "FALSE" });
        if let Some(p) = bc.path_len {
            let _ = write!(text, ", pathlen:{p}");
        }
        text.push_str(if bc.critical {
            " (critical)"
        } else {
            " (not critical)"
        });
        field(out, "Basic constraints", &text);
    }
    if let Some(v) = &s.subject_key_id {
        field(out, "Subject key id", v);
    }
    if let Some(v) = &s.authority_key_id {
        field(out, "Authority key id", v);
    }
    list_field(out, "CA issuers (AIA)", &s.ca_issuers);
    list_field(out, "OCSP (AIA)", &s.ocsp);
    list_field(out, "CRL distribution", &s.crl_distribution_points);
    list_field(out, "Policies", &s.policies);
    let others: Vec<String> = s
        .extensions
        .iter()
        .filter(|e| !e.known)
        .map(|e| {
            format!(
                "{}{}",
                e.oid,
                if e.critical {
                    " (critical, not understood)"
                } else {
                    " (not understood)"
                }
            )
        })
        .collect();
    list_field(out, "Other extensions", &others);
}

fn key_text(k: &bars_model::PublicKeySummary) -> String {
    let mut t = k.algorithm.clone();
    if let Some(c) = &k.curve {
        let _ = write!(t, " {c}");
    }
    if let Some(b) = k.bits {
        let _ = write!(t, " {b} bits");
    }
    t
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
            cert.summary().subject,
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
        style.bold(&s.subject)
    );
    let attrs: Vec<String> = s
        .subject_attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    list_field(out, "Subject fields", &attrs);
    list_field(out, "DNS names", &s.dns_names);
    list_field(out, "E-mail addresses", &s.email_addresses);
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
    list_field(out, "Requested extensions", &ext);
    list_field(out, "Attributes", &s.attributes);
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

/// The JSON document for `inspect`.
#[derive(Serialize)]
struct InspectJson<'a> {
    #[serde(flatten)]
    envelope: Envelope<'a>,
    inputs: Vec<&'a str>,
    certificates: Vec<CertJson<'a>>,
    csrs: Vec<SourcedJson<'a, bars_model::CsrSummary>>,
    keys: Vec<SourcedJson<'a, bars_model::KeySummary>>,
    pfx: Vec<PfxJson<'a>>,
    errors: Vec<ErrorJson>,
}

#[derive(Serialize)]
struct SourcedJson<'a, T: Serialize> {
    source: String,
    #[serde(flatten)]
    summary: &'a T,
}

#[derive(Serialize)]
struct PfxJson<'a> {
    source: String,
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

/// Renders the inspected inputs as the JSON document (pretty-printed, newline-terminated).
pub fn render_json(inputs: &[InspectedInput]) -> String {
    let mut doc = InspectJson {
        envelope: Envelope::new("inspect"),
        inputs: inputs.iter().map(|i| i.name.as_str()).collect(),
        certificates: Vec::new(),
        csrs: Vec::new(),
        keys: Vec::new(),
        pfx: Vec::new(),
        errors: Vec::new(),
    };
    for input in inputs {
        let source = format!("file:{}", input.name);
        let certs = certificates_of(&input.items);
        let base = doc.certificates.len();
        for (i, cert) in certs.iter().enumerate() {
            let s = cert.summary();
            doc.certificates.push(CertJson {
                index: base + i,
                source: source.clone(),
                role: Some(role(s)),
                summary: s,
            });
        }
        let mut pfx_base = base
            + input
                .items
                .iter()
                .filter(|i| matches!(i, Item::Certificate(_)))
                .count();
        for item in &input.items {
            match item {
                Item::Csr(c) => doc.csrs.push(SourcedJson {
                    source: source.clone(),
                    summary: &c.summary,
                }),
                Item::Key(k) => doc.keys.push(SourcedJson {
                    source: source.clone(),
                    summary: &k.summary,
                }),
                Item::Pfx(p) => {
                    let n = p.certificates.len();
                    doc.pfx.push(PfxJson {
                        source: source.clone(),
                        summary: &p.summary,
                        certificates: (pfx_base..pfx_base + n).collect(),
                        keys: p.keys.iter().map(|k| &k.summary).collect(),
                    });
                    pfx_base += n;
                }
                Item::Certificate(_) => {}
            }
        }
        doc.errors.extend(input.errors.iter().map(|e| ErrorJson {
            source: e.source_name.clone(),
            message: e.kind.to_string(),
        }));
    }
    crate::json::to_string(&doc)
}
