//! The committed JSON Schema describes real output, and rejects wrong documents.

use crate::util::{fixture, root, run};

/// Validates `doc` against schema/bars-certcheck-1.schema.json, listing every violation.
#[track_caller]
pub fn assert_valid(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/bars-certcheck-1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

#[test]
fn inspect_output_matches_the_schema() {
    let r = run(&[
        "inspect".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        fixture("nhs-pki/int/nhs-int-authentication-g2.pem").as_os_str(),
        fixture("nhs-pki/leaves/int-api-service-nhs-uk-digicert.pem").as_os_str(),
    ]);
    r.code(0);
    assert_valid(&r.json());
}

#[test]
fn the_schema_rejects_a_wrong_document() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/bars-certcheck-1.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad = serde_json::json!({
        "schema": "bars-certcheck/1", "command": "check", "target": "x",
        "environment": "staging", "certificates": [], "chain": null,
        "findings": [{"id": "Chain Incomplete", "severity": "fatal"}],
        "summary": {"errors": 1, "warnings": 0, "infos": 0}, "verdict": "fail"
    });
    assert!(!validator.is_valid(&bad));
}

// ---------------------------------------------------------------------------------------
// Every command, every format it offers, on real inputs: each run ends as the table says,
// prints something, and each JSON document (SARIF included) parses; every bars-certcheck
// document validates against the schema.

const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
const AT: &str = "2027-01-01T00:00:00Z";

/// One row: the command's words, its other arguments, and the exit codes it may end with.
struct Row {
    command: &'static [&'static str],
    args: Vec<String>,
    codes: &'static [i32],
}

fn row(command: &'static [&'static str], args: &[&str], codes: &'static [i32]) -> Row {
    Row {
        command,
        args: args.iter().map(|a| a.to_string()).collect(),
        codes,
    }
}

fn path(rel: &str) -> String {
    fixture(rel).display().to_string()
}

/// The values `command --help` lists for `--format` (so a format added to a command is
/// run here without touching the table).
fn formats_offered(command: &[&str]) -> Vec<String> {
    let mut args: Vec<&str> = command.to_vec();
    args.push("--help");
    let help = run(&args);
    help.code(0);
    let mut block = String::new();
    let mut inside = false;
    for line in help.stdout.lines() {
        let t = line.trim_start();
        let option = t.starts_with("--") || t.starts_with('-') && t.get(2..3) == Some(",");
        if t.starts_with("--format ") {
            inside = true;
        } else if inside && option {
            break;
        }
        if inside {
            block.push(' ');
            block.push_str(t);
        }
    }
    let block = block.split_whitespace().collect::<Vec<_>>().join(" ");
    // Short help: `[possible values: a, b]`; long help (values with their own help): a
    // `Possible values:` list of `- a: …` lines.
    if let Some((_, rest)) = block.split_once("[possible values: ") {
        let values = rest.split_once(']').map_or(rest, |(v, _)| v);
        return values.split(", ").map(str::to_string).collect();
    }
    let list = block
        .split_once("Possible values:")
        .map(|(_, l)| l)
        .unwrap_or_else(|| panic!("no --format values in the help of {command:?}:\n{help}"));
    list.split(" - ")
        .filter_map(|item| item.trim().split([':', ' ']).next())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// A TLS receiver on 127.0.0.1 serving `chain` (with `key`), asking for a client
/// certificate; both under fixtures/.
fn receiver(chain: &str, key: &str) -> (std::net::SocketAddr, bars_testsupport::ServerHandle) {
    use bars_testsupport::{spawn_tls, ClientAuthMode, ClientCas, TlsServerSpec};
    let ders = |rel: &str| {
        let text = std::fs::read_to_string(fixture(rel)).unwrap();
        let mut out = Vec::new();
        let mut body: Option<String> = None;
        for line in text.lines() {
            if line.starts_with("-----BEGIN") {
                body = Some(String::new());
            } else if line.starts_with("-----END") {
                out.push(crate::util::base64_decode(&body.take().unwrap()));
            } else if let Some(b) = body.as_mut() {
                b.push_str(line.trim());
            }
        }
        out
    };
    let spec = TlsServerSpec::new(
        ders(chain),
        ders(key).remove(0),
        ClientAuthMode::Optional(ClientCas {
            roots: ders("pki/int/root.pem"),
            advertise: None,
        }),
    );
    spawn_tls(&spec).unwrap()
}

#[test]
fn every_command_prints_every_format_it_offers_and_its_json_validates() {
    let (addr, _server) = receiver("pki/int-good/chain.pem", "pki/int-good/leaf.key");
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("endpoints.csv");
    std::fs::write(
        &list,
        format!(
            "name,host,port,sni\ngood,{},{},{FQDN}\n",
            addr.ip(),
            addr.port()
        ),
    )
    .unwrap();
    let list = list.display().to_string();
    let addr = addr.to_string();
    let ca = format!("int:{}", path("pki/int/root.pem"));
    let (chain, leaf, key, csr) = (
        path("pki/int-good/chain.pem"),
        path("pki/int-good/leaf.pem"),
        path("pki/int-good/leaf.key"),
        path("pki/int-good/request.csr"),
    );
    let locked = path("pki/encodings/leaf.enc-pkcs8.key");
    let online = ["--at", AT, "--ca", &ca, "--timeout", "5"];
    let table = [
        row(&["inspect"], &[&chain, &csr, &key, &locked], &[0]),
        row(
            &["check"],
            &[&chain, &csr, "--key", &key, "--at", AT, "--ca", &ca],
            &[0, 1],
        ),
        row(
            &["check"],
            &[&path("pki/chain-incomplete/leaf.pem"), "--at", AT],
            &[1],
        ),
        row(
            &["probe"],
            &[&[&addr[..], "--sni", FQDN][..], &online].concat(),
            &[0, 1],
        ),
        row(&["scan"], &[&[&list[..]][..], &online].concat(), &[0, 1]),
        row(&["match"], &[&leaf, &csr, &key, &locked], &[0, 1]),
        row(&["explain"], &[], &[0]),
        row(&["explain"], &["chain.incomplete"], &[0]),
        row(
            &["trust", "lint"],
            &[
                &path("nhs-pki/int/nhs-int-authentication-g2.pem"),
                "--env",
                "int",
            ],
            &[0, 1],
        ),
        row(&["ca", "list"], &[], &[0]),
    ];
    let mut failures = Vec::new();
    let mut runs = 0;
    for r in &table {
        for format in formats_offered(r.command) {
            let mut args: Vec<String> = r.command.iter().map(|w| w.to_string()).collect();
            args.extend(r.args.iter().cloned());
            args.extend(["--format".to_string(), format.clone()]);
            let out = run(&args);
            runs += 1;
            if !r.codes.contains(&out.code) || out.stdout.trim().is_empty() {
                failures.push(format!("unexpected exit or empty output: {out}"));
                continue;
            }
            if format == "json" || format == "sarif" {
                let doc: serde_json::Value = match serde_json::from_str(&out.stdout) {
                    Ok(d) => d,
                    Err(e) => {
                        failures.push(format!("not JSON ({e}): {out}"));
                        continue;
                    }
                };
                if format == "json" {
                    if let Err(e) = std::panic::catch_unwind(|| assert_valid(&doc)) {
                        let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
                        failures.push(format!("{}: {msg}", args.join(" ")));
                    }
                } else if doc["version"] != "2.1.0" || !doc["runs"].is_array() {
                    failures.push(format!("not a SARIF 2.1.0 log: {out}"));
                }
            }
        }
    }
    assert!(runs >= 25, "only {runs} runs");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------
// Markdown that a CommonMark renderer shows as written.

/// The visible text of `markdown` as rendered by markdown-it-py (CommonMark with GitHub
/// tables), tags stripped and entities decoded; None when the renderer is not installed
/// (CI installs it and sets BARS_TEST_COMMONMARK, so there it must run).
fn rendered_text(markdown: &str) -> Option<String> {
    use std::io::Write;
    const SCRIPT: &str = "import sys, re, html, markdown_it\n\
        out = markdown_it.MarkdownIt('commonmark').enable('table').render(sys.stdin.read())\n\
        sys.stdout.write(html.unescape(re.sub(r'<[^>]*>', '', out)))\n";
    let child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let out = child.ok().and_then(|mut c| {
        c.stdin.take()?.write_all(markdown.as_bytes()).ok()?;
        c.wait_with_output().ok()
    });
    match out {
        Some(o) if o.status.success() => Some(String::from_utf8(o.stdout).unwrap()),
        _ if std::env::var_os("BARS_TEST_COMMONMARK").is_some() => {
            panic!("BARS_TEST_COMMONMARK is set but python3 markdown-it-py does not run")
        }
        _ => {
            eprintln!("SKIPPED: no CommonMark renderer (python3 -m pip install markdown-it-py)");
            None
        }
    }
}

/// The markdown report of `args`, and its findings from the JSON of the same run.
fn markdown_and_findings(args: &[&str]) -> (String, Vec<serde_json::Value>) {
    let with = |format: &str| {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        run(&a)
    };
    let md = with("markdown");
    assert!(md.code == 0 || md.code == 1, "{md}");
    let doc = with("json").json();
    (md.stdout, doc["findings"].as_array().unwrap().clone())
}

#[test]
fn markdown_reports_render_finding_text_as_written() {
    let chain = "pki/name-fqdn-format/chain.pem";
    let (addr, _server) = receiver(chain, "pki/keys/name-fqdn-format.pem");
    let addr = addr.to_string();
    let path = path(chain);
    let runs = [
        vec!["check", &path, "--env", "int", "--at", AT],
        vec!["probe", &addr, "--env", "int", "--at", AT, "--timeout", "5"],
    ];
    for args in runs {
        let (md, findings) = markdown_and_findings(&args);
        // The placeholders are escaped, not left as raw tags (outside code spans).
        assert!(md.contains("\\<ODS code\\>"), "{md}");
        let outside_code: String = md.split('`').step_by(2).collect();
        for raw in ["<ODS code>", "<Supplier name>", "<setting>"] {
            assert!(!outside_code.contains(raw), "raw {raw} in:\n{md}");
        }
        let Some(text) = rendered_text(&md) else {
            continue;
        };
        let plain = |s: &str| s.replace('`', "");
        let text = plain(&text);
        assert!(text.contains("BaRS-INT-<ODS code>.<Supplier name>.thirdparty.nhs.uk"));
        for f in &findings {
            for field in ["title", "detail", "fix"] {
                let want = plain(f[field].as_str().unwrap());
                assert!(
                    text.contains(&want),
                    "{args:?}: the {field} of {} does not render as written:\n{want}\n--- rendered:\n{text}",
                    f["id"]
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// SARIF: each result where its certificate is.

#[test]
fn sarif_locates_embedded_ca_findings_by_name_and_keeps_the_fix_apart() {
    let leaf = path("nhs-pki/leaves/int-api-service-nhs-uk-ptl.pem");
    // In 2037 the leaf and the embedded NHS INT Level 1C have both expired.
    let args = ["check", &leaf, "--at", "2037-01-01T00:00:00Z", "--format"];
    let json = run(&[&args[..], &["json"]].concat()).json();
    let sarif = run(&[&args[..], &["sarif"]].concat());
    sarif.code(1);
    let log = sarif.json();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "{sarif}");
    let mut embedded = 0;
    for (res, f) in results.iter().zip(findings) {
        assert_eq!(res["ruleId"], f["id"]);
        let (title, detail, fix) = (&f["title"], &f["detail"], &f["fix"]);
        let want = format!(
            "{}: {}\n\nFix: {}",
            title.as_str().unwrap(),
            detail.as_str().unwrap(),
            fix.as_str().unwrap()
        );
        assert_eq!(res["message"]["text"], want.as_str());
        let cert = &json["certificates"][f["certificate"].as_u64().unwrap() as usize];
        let location = &res["locations"][0];
        if cert["source"] == "embedded" {
            embedded += 1;
            assert!(location.get("physicalLocation").is_none(), "{location}");
            let logical = &location["logicalLocations"][0];
            assert_eq!(logical["name"], cert["subject"], "{location}");
            assert_eq!(logical["kind"], "resource");
        } else {
            assert_eq!(cert["source"], format!("file:{leaf}").as_str());
            assert_eq!(
                location["physicalLocation"]["artifactLocation"]["uri"],
                leaf.as_str()
            );
        }
    }
    assert!(embedded >= 2, "no finding about an embedded CA:\n{sarif}");
    let rule = &log["runs"][0]["tool"]["driver"]["rules"][0];
    assert!(rule["help"]["text"]
        .as_str()
        .unwrap()
        .contains(".\n\nFix: "));
}
