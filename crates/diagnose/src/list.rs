//! The endpoint list of `scan`: one `host[:port]` or URL per line, a CSV with a `host`
//! column (read with the `csv` crate), or a JSON array, told apart by content.
//!
//! [`parse_endpoint_list`] is a pure function over text that never panics: a malformed
//! entry becomes a [`LineError`] naming its line, and the other entries are still read.

use crate::endpoint::Endpoint;
use bars_net::Target;
use bars_nhs::EnvChoice;
use std::collections::HashMap;
use std::fmt;

/// An entry that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// The line (1-based) the entry starts on.
    pub line: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// How a list is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    /// One `host[:port]` or URL per line, `#` comments, blank lines.
    Lines,
    /// A CSV whose header row has a `host` column (optional `port`, `env`, `name`,
    /// `sni`, `connect`).
    Csv,
    /// A JSON array of strings, or of objects with the CSV's fields.
    Json,
}

impl ListFormat {
    /// `lines`, `CSV`, `JSON`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::Lines => "one endpoint per line",
            ListFormat::Csv => "CSV",
            ListFormat::Json => "JSON",
        }
    }
}

/// Longest `name` label kept (characters).
const MAX_NAME: usize = 120;

/// Tells the format by content: a JSON array starts with `[`; a CSV's first row (after
/// blank and `#` lines) has a field `host`; anything else is one endpoint per line.
pub fn detect_format(text: &str) -> ListFormat {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') {
        return ListFormat::Json;
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    match first {
        Some(l) if split_csv_line(l).iter().any(|f| is_col(f, "host")) => ListFormat::Csv,
        _ => ListFormat::Lines,
    }
}

/// The most of a list read (a list of endpoints is small).
pub const MAX_LIST: u64 = 64 << 20;

/// The text of the list `list` (a file, or `-` for standard input), at most
/// [`MAX_LIST`] bytes, invalid UTF-8 replaced.
pub fn read_list(list: &str) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    if list == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_LIST + 1)
            .read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(list)?
            .take(MAX_LIST + 1)
            .read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > MAX_LIST {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the list is larger than {} MiB", MAX_LIST >> 20),
        ));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads an endpoint list in the format [`detect_format`] finds: the endpoints in list
/// order, and one error per entry that could not be read (or repeats an earlier one).
pub fn parse_endpoint_list(text: &str) -> (Vec<Endpoint>, Vec<LineError>) {
    parse_endpoint_list_as(text, detect_format(text))
}

/// Reads an endpoint list written in `format`.
pub fn parse_endpoint_list_as(text: &str, format: ListFormat) -> (Vec<Endpoint>, Vec<LineError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (entries, mut errors) = match format {
        ListFormat::Lines => parse_lines(text),
        ListFormat::Csv => parse_csv(text),
        ListFormat::Json => parse_json(text),
    };
    // The same probe twice is one probe: later copies are reported and skipped.
    let mut seen: HashMap<(String, u16, Option<String>, Option<String>), usize> = HashMap::new();
    let mut endpoints = Vec::with_capacity(entries.len());
    for e in entries {
        let key = (
            e.target.host.clone(),
            e.target.port,
            e.sni.as_ref().map(|s| s.to_ascii_lowercase()),
            e.connect.clone(),
        );
        if let Some(first) = seen.get(&key) {
            errors.push(LineError {
                line: e.line,
                message: format!("{} repeats line {first}; skipped", e.target),
            });
            continue;
        }
        seen.insert(key, e.line);
        endpoints.push(e);
    }
    errors.sort_by_key(|e| e.line);
    (endpoints, errors)
}

fn is_col(field: &str, name: &str) -> bool {
    field
        .trim()
        .trim_start_matches('\u{feff}')
        .eq_ignore_ascii_case(name)
}

/// The fields of one entry before validation.
#[derive(Default)]
struct Raw<'a> {
    host: Option<&'a str>,
    port: Option<String>,
    env: Option<&'a str>,
    name: Option<&'a str>,
    sni: Option<&'a str>,
    connect: Option<&'a str>,
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Validates one entry.
fn endpoint(line: usize, raw: Raw<'_>) -> Result<Endpoint, LineError> {
    let err = |message: String| LineError { line, message };
    let host = nonempty(raw.host).ok_or_else(|| err("no host".into()))?;
    let mut target = Target::parse(host).map_err(|e| err(e.to_string()))?;
    if let Some(p) = nonempty(raw.port.as_deref()) {
        let port = match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(err(format!(
                    "the port {p:?} is not a number from 1 to 65535"
                )))
            }
        };
        if host_has_port(host) && target.port != port {
            return Err(err(format!(
                "{host:?} names port {} but the port field says {port}",
                target.port
            )));
        }
        target.port = port;
    }
    let env = match nonempty(raw.env) {
        None => None,
        Some(e) => Some(e.parse::<EnvChoice>().map_err(|_| {
            err(format!(
                "the environment {e:?} is not one of int, prod, public, auto"
            ))
        })?),
    };
    let sni = match nonempty(raw.sni) {
        None => None,
        Some(s) => {
            let ok =
                !s.contains([':', '/', '@']) && Target::parse(s).is_ok_and(|t| t.ip().is_none());
            if !ok {
                return Err(err(format!("the SNI name {s:?} is not a DNS name")));
            }
            Some(s.to_string())
        }
    };
    let connect = match nonempty(raw.connect) {
        None => None,
        Some(c) => {
            if c.contains("://") || Target::parse(c).is_err() {
                return Err(err(format!("the connect address {c:?} is not ADDR[:PORT]")));
            }
            Some(c.to_string())
        }
    };
    let name = nonempty(raw.name).map(|n| {
        n.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_NAME)
            .collect::<String>()
    });
    Ok(Endpoint {
        line,
        target,
        name,
        env,
        sni,
        connect,
    })
}

/// Whether a host field names a port itself (`h:8443`, `[::1]:8443`, `https://h:8443/`).
fn host_has_port(host: &str) -> bool {
    let rest = match host.find("://") {
        Some(i) => host.get(i + 3..).unwrap_or_default(),
        None => host,
    };
    let auth = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    if let Some(after) = auth.strip_prefix('[') {
        return after
            .split_once(']')
            .is_some_and(|(_, t)| t.starts_with(':'));
    }
    auth.matches(':').count() == 1
}

// ---------------------------------------------------------------------------------------
// One endpoint per line.

fn parse_lines(text: &str) -> (Vec<Endpoint>, Vec<LineError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let body = strip_comment(raw).trim();
        if body.is_empty() {
            continue;
        }
        if body.split_whitespace().nth(1).is_some() {
            errors.push(LineError {
                line,
                message: format!(
                    "{body:?} holds more than one field; give one host[:port] or URL per line \
                     (or a CSV with a host column)"
                ),
            });
            continue;
        }
        match endpoint(
            line,
            Raw {
                host: Some(body),
                ..Raw::default()
            },
        ) {
            Ok(e) => out.push(e),
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

/// The line without its comment: `#` at the start, or after whitespace (a URL's
/// `#fragment` stays).
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return line.get(..i).unwrap_or_default();
        }
        prev_space = c.is_whitespace();
    }
    line
}

// ---------------------------------------------------------------------------------------
// CSV (RFC 4180 as spreadsheets write it: quoted fields, "" inside quotes, line breaks
// inside quotes, CRLF or LF; blank and # lines skipped between records).

/// One CSV record and the line it starts on.
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Splits the text into records; an unterminated quote is an error for its record.
fn csv_records(text: &str) -> (Vec<Record>, Vec<LineError>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut last_start = 0;
    let mut lines = LineCursor::default();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let byte = record
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .unwrap_or(0);
                let (start, line) = lines.record_start(text, byte);
                last_start = start;
                records.push(Record {
                    line,
                    fields: record.iter().map(str::to_string).collect(),
                });
            }
            Err(e) => {
                let byte = e
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .unwrap_or(0);
                errors.push(LineError {
                    line: lines.record_start(text, byte).1,
                    message: format!("not CSV: {e}"),
                });
                break;
            }
        }
    }
    // Only the last record can run to the end of the list inside a quote.
    if unterminated_quote(text.get(last_start..).unwrap_or_default()) {
        if let Some(last) = records.pop() {
            errors.push(LineError {
                line: last.line,
                message: "a quoted field is not closed before the end of the list".into(),
            });
        }
    }
    (records, errors)
}

/// Line numbers of records. The `csv` crate places a record where the previous one's
/// line end (and any blank or `#` lines after it) begins; the record itself starts after
/// them. Bytes only move forward, so the count is kept as the reader goes.
#[derive(Default)]
struct LineCursor {
    byte: usize,
    line: usize,
}

impl LineCursor {
    /// The byte and line (1-based) where the record the reader placed at `byte` starts.
    fn record_start(&mut self, text: &str, byte: usize) -> (usize, usize) {
        let b = text.as_bytes();
        if byte >= self.byte {
            self.line += b
                .get(self.byte..byte)
                .map_or(0, |s| s.iter().filter(|c| **c == b'\n').count());
            self.byte = byte;
        }
        let (mut pos, mut line) = (self.byte, self.line + 1);
        let at_line_start = |pos: usize| pos == 0 || b.get(pos - 1) == Some(&b'\n');
        loop {
            match b.get(pos) {
                Some(b'\n') => {
                    pos += 1;
                    line += 1;
                }
                Some(b'\r') => pos += 1,
                Some(b'#') if at_line_start(pos) => {
                    match b
                        .get(pos..)
                        .and_then(|r| r.iter().position(|c| *c == b'\n'))
                    {
                        Some(n) => {
                            pos += n + 1;
                            line += 1;
                        }
                        None => pos = b.len(),
                    }
                }
                _ => break,
            }
        }
        (pos, line)
    }
}

/// True when the text of the last record (to the end of the list) opens a quoted field
/// it never closes: the `csv` crate reads that leniently, a spreadsheet would not.
fn unterminated_quote(rest: &str) -> bool {
    let mut open = false;
    let mut at_field_start = true;
    for c in rest.chars() {
        match c {
            '"' if open => open = false,
            '"' if at_field_start => open = true,
            ',' | '\n' if !open => at_field_start = true,
            c if c.is_whitespace() && at_field_start => {}
            _ if !open => at_field_start = false,
            _ => {}
        }
    }
    open
}

/// The fields of a single line (header detection).
fn split_csv_line(line: &str) -> Vec<String> {
    csv_records(line)
        .0
        .into_iter()
        .next()
        .map(|r| r.fields)
        .unwrap_or_default()
}

fn parse_csv(text: &str) -> (Vec<Endpoint>, Vec<LineError>) {
    let (records, mut errors) = csv_records(text);
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return (Vec::new(), errors);
    };
    let col = |name: &str| header.fields.iter().position(|f| is_col(f, name));
    let Some(host_col) = col("host") else {
        errors.push(LineError {
            line: header.line,
            message: "the CSV header has no host column".into(),
        });
        return (Vec::new(), errors);
    };
    let (port, env, name, sni, connect) = (
        col("port"),
        col("env"),
        col("name"),
        col("sni"),
        col("connect"),
    );
    let mut out = Vec::new();
    for r in records {
        if r.fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|i| r.fields.get(i)).map(String::as_str);
        let raw = Raw {
            host: get(Some(host_col)),
            port: get(port).map(str::to_string),
            env: get(env),
            name: get(name),
            sni: get(sni),
            connect: get(connect),
        };
        match endpoint(r.line, raw) {
            Ok(e) => out.push(e),
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

// ---------------------------------------------------------------------------------------
// JSON: the top-level array is split into elements here (so that each element keeps its
// line and a malformed one does not hide the others); serde_json reads each element.

/// Nesting deeper than this inside one element is refused without recursing.
const MAX_DEPTH: usize = 64;

fn parse_json(text: &str) -> (Vec<Endpoint>, Vec<LineError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let (elements, split_errors) = split_json_array(text);
    errors.extend(split_errors);
    for (line, slice) in elements {
        match serde_json::from_str::<serde_json::Value>(slice) {
            Err(e) => errors.push(LineError {
                line: line + e.line().saturating_sub(1),
                message: format!("not a JSON value: {e}"),
            }),
            Ok(v) => match json_endpoint(line, &v) {
                Ok(e) => out.push(e),
                Err(e) => errors.push(e),
            },
        }
    }
    (out, errors)
}

fn json_endpoint(line: usize, v: &serde_json::Value) -> Result<Endpoint, LineError> {
    use serde_json::Value;
    let err = |message: String| LineError { line, message };
    match v {
        Value::String(s) => endpoint(
            line,
            Raw {
                host: Some(s),
                ..Raw::default()
            },
        ),
        Value::Object(map) => {
            let text = |key: &str| -> Result<Option<&str>, LineError> {
                match map.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.as_str())),
                    Some(_) => Err(err(format!("the field {key:?} is not a string"))),
                }
            };
            let port = match map.get("port") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(_) => return Err(err("the field \"port\" is not a number".into())),
            };
            let raw = Raw {
                host: text("host")?,
                port,
                env: text("env")?,
                name: text("name")?,
                sni: text("sni")?,
                connect: text("connect")?,
            };
            if raw.host.is_none() {
                return Err(err("the object has no \"host\" field".into()));
            }
            endpoint(line, raw)
        }
        _ => Err(err(
            "an element is neither a string nor an object with a \"host\" field".into(),
        )),
    }
}

/// The elements of the top-level array, each with the line it starts on.
fn split_json_array(text: &str) -> (Vec<(usize, &str)>, Vec<LineError>) {
    let bytes = text.as_bytes();
    let mut elements = Vec::new();
    let mut errors = Vec::new();
    let mut line = 1usize;
    let mut i = 0usize;
    let at = |i: usize| bytes.get(i).copied();
    // Up to the opening bracket.
    while let Some(b) = at(i) {
        i += 1;
        match b {
            b'\n' => line += 1,
            b'[' => break,
            b if b.is_ascii_whitespace() => {}
            _ => {
                errors.push(LineError {
                    line,
                    message: "the JSON list is not an array".into(),
                });
                return (elements, errors);
            }
        }
    }
    let mut closed = false;
    'elements: loop {
        // Skip whitespace before an element (or the closing bracket).
        while let Some(b) = at(i) {
            if b == b'\n' {
                line += 1;
            }
            if !b.is_ascii_whitespace() {
                break;
            }
            i += 1;
        }
        match at(i) {
            None => break,
            Some(b']') => {
                i += 1;
                closed = true;
                break;
            }
            Some(b',') => {
                errors.push(LineError {
                    line,
                    message: "an empty element (two commas, or a comma first)".into(),
                });
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        let start = i;
        let start_line = line;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut too_deep = false;
        while let Some(b) = at(i) {
            if b == b'\n' {
                line += 1;
            }
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    too_deep |= depth > MAX_DEPTH;
                }
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' | b']' if depth == 0 => {
                    let slice = text.get(start..i).unwrap_or_default().trim_end();
                    if too_deep {
                        errors.push(LineError {
                            line: start_line,
                            message: "an element is nested too deeply".into(),
                        });
                    } else {
                        elements.push((start_line, slice));
                    }
                    i += 1;
                    if b == b']' {
                        closed = true;
                        break 'elements;
                    }
                    // A trailing comma before the closing bracket is tolerated.
                    continue 'elements;
                }
                _ => {}
            }
            i += 1;
        }
        // End of text inside an element.
        let slice = text.get(start..).unwrap_or_default().trim_end();
        if too_deep {
            errors.push(LineError {
                line: start_line,
                message: "an element is nested too deeply".into(),
            });
        } else if !slice.is_empty() {
            elements.push((start_line, slice));
        }
        break;
    }
    if !closed {
        errors.push(LineError {
            line,
            message: "the JSON array is not closed with ]".into(),
        });
    } else if let Some(rest) = text.get(i..) {
        if !rest.trim().is_empty() {
            errors.push(LineError {
                line,
                message: "text after the end of the JSON array".into(),
            });
        }
    }
    (elements, errors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn hosts(v: &[Endpoint]) -> Vec<String> {
        v.iter().map(|e| e.target.to_string()).collect()
    }

    #[test]
    fn lines_with_comments_blank_lines_and_urls() {
        let text = "# fleet\n\nBaRS-INT-X26.Supplier.thirdparty.nhs.uk\n  a.nhs.uk:8443  # lab\nhttps://b.nhs.uk/bars#x\n[::1]:9\n";
        let (v, e) = parse_endpoint_list(text);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            hosts(&v),
            [
                "bars-int-x26.supplier.thirdparty.nhs.uk:443",
                "a.nhs.uk:8443",
                "b.nhs.uk:443",
                "[::1]:9"
            ]
        );
        assert_eq!(v[1].line, 4);
        assert_eq!(detect_format(text), ListFormat::Lines);
    }

    #[test]
    fn a_bad_line_is_reported_with_its_number_and_skipped() {
        let (v, e) = parse_endpoint_list("a.nhs.uk\nhttp://b.nhs.uk\nc.nhs.uk:0\nd e\nf.nhs.uk\n");
        assert_eq!(hosts(&v), ["a.nhs.uk:443", "f.nhs.uk:443"]);
        assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3, 4]);
        assert!(e[0].message.contains("https"), "{}", e[0]);
    }

    #[test]
    fn repeats_are_skipped() {
        let (v, e) = parse_endpoint_list("a.nhs.uk\nA.NHS.UK:443\n");
        assert_eq!(v.len(), 1);
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("repeats line 1"));
    }

    #[test]
    fn csv_with_quotes_and_optional_columns() {
        let text = "Name,host,PORT,env,sni\r\n\"Trust, North\",10.0.0.1,8443,int,BaRS-INT-X26.Supplier.thirdparty.nhs.uk\r\n\"Say \"\"hi\"\"\",b.nhs.uk,,,\r\n,,,,\r\nplain,c.nhs.uk:444,,prod,\n";
        assert_eq!(detect_format(text), ListFormat::Csv);
        let (v, e) = parse_endpoint_list(text);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(hosts(&v), ["10.0.0.1:8443", "b.nhs.uk:443", "c.nhs.uk:444"]);
        assert_eq!(v[0].name.as_deref(), Some("Trust, North"));
        assert_eq!(
            v[0].env,
            Some(EnvChoice::Forced(bars_nhs::Environment::Int))
        );
        assert_eq!(
            v[0].sni.as_deref(),
            Some("BaRS-INT-X26.Supplier.thirdparty.nhs.uk")
        );
        assert_eq!(v[1].name.as_deref(), Some("Say \"hi\""));
        assert_eq!(v[1].env, None);
        assert_eq!(
            v[2].env,
            Some(EnvChoice::Forced(bars_nhs::Environment::Prod))
        );
        assert_eq!(v[2].line, 5);
    }

    #[test]
    fn csv_errors_name_their_line() {
        let text = "host,port,env\na.nhs.uk,99999,\nb.nhs.uk,,staging\n\"multi\nline\",1,\nc.nhs.uk:8443,443,\nd.nhs.uk,443,\n\"open";
        let (v, e) = parse_endpoint_list(text);
        assert_eq!(hosts(&v), ["d.nhs.uk:443"]);
        let lines: Vec<usize> = e.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 6, 8], "{e:?}");
        assert!(e[1].message.contains("staging"));
        assert!(e[3].message.contains("port"), "{}", e[3]);
        assert!(e[4].message.contains("quoted"));
    }

    #[test]
    fn csv_without_host_column_is_lines() {
        assert_eq!(detect_format("hostname,port\n"), ListFormat::Lines);
        let (v, e) = parse_endpoint_list_as("name,port\nx,1\n", ListFormat::Csv);
        assert!(v.is_empty());
        assert!(e[0].message.contains("no host column"));
    }

    #[test]
    fn json_strings_and_objects() {
        let text = "\u{feff} [\n  \"a.nhs.uk\",\n  {\"host\": \"10.0.0.1\", \"port\": 8443, \"name\": \"Lab\", \"env\": \"INT\"},\n  {\"host\": \"b.nhs.uk\", \"port\": \"444\", \"connect\": \"127.0.0.1\", \"sni\": null},\n]\n";
        assert_eq!(detect_format(text), ListFormat::Json);
        let (v, e) = parse_endpoint_list(text);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(hosts(&v), ["a.nhs.uk:443", "10.0.0.1:8443", "b.nhs.uk:444"]);
        assert_eq!(v[1].line, 3);
        assert_eq!(
            v[1].env,
            Some(EnvChoice::Forced(bars_nhs::Environment::Int))
        );
        assert_eq!(v[2].connect.as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn json_bad_elements_are_skipped() {
        let text = "[\n\"a.nhs.uk\",\n42,\n{\"port\": 1},\n{\"host\": 5},\n{\"host\": \"b.nhs.uk\",},\n,\n{\"host\": \"c.nhs.uk\", \"port\": [1]},\n\"d.nhs.uk\"\n]";
        let (v, e) = parse_endpoint_list(text);
        assert_eq!(hosts(&v), ["a.nhs.uk:443", "d.nhs.uk:443"]);
        let lines: Vec<usize> = e.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8], "{e:?}");
    }

    #[test]
    fn json_structure_errors() {
        let (v, e) = parse_endpoint_list("[\"a.nhs.uk\", \"b.nhs.uk\"");
        assert_eq!(v.len(), 2);
        assert!(e[0].message.contains("not closed"));
        let (_, e) = parse_endpoint_list("[\"a.nhs.uk\"] trailing");
        assert!(e[0].message.contains("after the end"));
        let (v, e) = parse_endpoint_list("[]");
        assert!(v.is_empty() && e.is_empty());
        let deep = format!("[{}]", "[".repeat(10_000));
        let (v, e) = parse_endpoint_list(&deep);
        assert!(v.is_empty() && !e.is_empty());
    }

    #[test]
    fn names_are_cleaned_and_bounded() {
        let (v, _) = parse_endpoint_list("host,name\na.nhs.uk,\"x\u{1b}[31my\"\n");
        assert_eq!(v[0].name.as_deref(), Some("x [31my"));
        let long = "n".repeat(500);
        let (v, _) = parse_endpoint_list(&format!("host,name\na.nhs.uk,{long}\n"));
        assert_eq!(
            v[0].name.as_ref().map(|n| n.chars().count()),
            Some(MAX_NAME)
        );
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        let samples = [
            "",
            "\u{feff}",
            "[",
            "]",
            "[,",
            "[\"",
            "[\"\\",
            "[{",
            "host\n\"",
            "host,\"a\"\"",
            "\"\n\"\n",
            "#",
            "[\u{0}]",
            "host\r",
            "\r\r\n",
            "[[[[]]]]",
            "{\"host\":\"a\"}",
            "host,port\n[::1],2\n",
            "::::",
            "https://",
            "é:ü",
            "a:65536",
            "[\"a\"]]]",
        ];
        for s in samples {
            let _ = parse_endpoint_list(s);
            for f in [ListFormat::Lines, ListFormat::Csv, ListFormat::Json] {
                let _ = parse_endpoint_list_as(s, f);
            }
        }
        // Every prefix of a mixed sample.
        let text = "host,port,name\n\"a.nhs.uk\",\"8443\",\"x, y\"\n[{\"host\":\"é\"}]";
        for (i, _) in text.char_indices() {
            let _ = parse_endpoint_list(text.get(..i).unwrap());
        }
    }
}
