//! Advice a supplier can follow (issue 15): every `bars-certcheck …` command that a fix
//! or a next step prints parses and runs as printed, and `csr new`'s next steps succeed
//! for a certificate correctly issued from its request.

use crate::export::{names, openssl_in, run_in};
use crate::util::{fixture, root, run_with};
use std::collections::BTreeSet;
use std::path::Path;

const FQDN: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";
const AT: &str = "2027-01-01T00:00:00Z";

/// Every `` `bars-certcheck …` `` quoted in `text`.
fn quoted_commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("bars-certcheck "))
        .map(str::to_string)
        .collect()
}

/// The words of a printed command as a shell would split them (whitespace, '…' quotes),
/// without the leading `bars-certcheck`.
fn words(cmd: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in cmd.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    assert_eq!(
        out.first().map(String::as_str),
        Some("bars-certcheck"),
        "{cmd}"
    );
    out.split_off(1)
}

/// True when the run ended in a clap usage error (the command does not parse).
fn usage_error(r: &crate::util::Run) -> bool {
    r.code == 2 && (r.stderr.contains("Usage:") || r.stderr.contains("For more information"))
}

const OUTPUT_OPTIONS: &[&str] = &[
    "--out",
    "--cert-out",
    "--chain-out",
    "--key-out",
    "--csr-out",
    "--save-chain",
    "--install-dir",
];

/// Makes the inputs `args` names exist in `dir`: repository files are copied to the same
/// relative path; other names get a fixture of their kind (a key, a PFX, a CSR, a sub-CA
/// for --chain, else a leaf). Outputs are left alone.
fn stage_inputs(dir: &Path, args: &[String]) {
    let mut prev = "";
    for a in args {
        let path = a
            .strip_prefix("int:")
            .or_else(|| a.strip_prefix("prod:"))
            .or_else(|| a.strip_prefix("public:"))
            .unwrap_or(a);
        let is_output = OUTPUT_OPTIONS.contains(&prev);
        prev = a;
        let kind = Path::new(path).extension().and_then(|e| e.to_str());
        if is_output || a.starts_with('-') || dir.join(path).exists() {
            if is_output && !a.starts_with('-') {
                if let Some(parent) = dir.join(path).parent() {
                    std::fs::create_dir_all(parent).unwrap();
                }
            }
            continue;
        }
        let from = if root().join(path).is_file() {
            root().join(path)
        } else {
            let fixture_of = match (args_prev(args, a), kind) {
                (Some("--key"), _) | (_, Some("key")) => "pki/int-good/leaf.key",
                (Some("--chain"), _) => "pki/int/subca.pem",
                (_, Some("pfx" | "p12")) => "pki/pfx-good/bundle.pfx",
                (_, Some("csr")) => "pki/int-good/request.csr",
                (_, Some("pem" | "cer" | "crt" | "der")) => "pki/int-good/leaf.pem",
                _ => continue,
            };
            fixture(fixture_of)
        };
        let to = dir.join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

fn args_prev<'a>(args: &'a [String], a: &str) -> Option<&'a str> {
    let i = args.iter().position(|x| x == a)?;
    i.checked_sub(1).map(|p| args[p].as_str())
}

/// Runs a printed command in a fresh directory where its inputs exist (passwords of the
/// fixtures in PFX_PASSWORD and KEY_PASSWORD): it must parse, and `ca export` must write.
/// `Err` says what went wrong.
fn runs_as_printed(cmd: &str) -> Result<(), String> {
    std::panic::catch_unwind(|| runs(cmd)).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| cmd.to_string())
    })
}

fn runs(cmd: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = words(cmd);
    stage_inputs(d, &args);
    let r = run_in(
        d,
        &args,
        &[("PFX_PASSWORD", "secret"), ("KEY_PASSWORD", "secret")],
    );
    assert!(
        !usage_error(&r),
        "printed command does not parse: {cmd}\n{r}"
    );
    assert!((0..=3).contains(&r.code), "{cmd}\n{r}");
    assert!(!r.stderr.contains("panicked"), "{cmd}\n{r}");
    if args.starts_with(&["ca".into(), "export".into()]) {
        r.code(0);
        let out = args.iter().skip_while(|a| *a != "--out").nth(1).unwrap();
        assert!(d.join(out).is_file(), "{cmd} wrote nothing: {:?}", names(d));
    }
}

/// The fix texts of a JSON report.
fn fixes(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["fix"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_command_a_fix_prints_parses_and_runs() {
    let mut texts: Vec<String> = Vec::new();
    let mut lint_dirs = Vec::new();
    // The catalogue, as `explain` shows it.
    let r = run_with(&["explain", "--format", "json"], &[]);
    r.code(0);
    for f in r.json()["findings"].as_array().unwrap() {
        for field in ["fix", "explanation"] {
            texts.extend(f[field].as_str().map(str::to_string));
        }
    }
    let catalogue = texts.len();
    // Every fixture scenario, as `check` judges it.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("pki/manifest.json")).unwrap())
            .unwrap();
    for s in manifest.as_array().unwrap() {
        let mut args: Vec<String> = vec![s["command"].as_str().unwrap().into()];
        args.extend(
            s["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string()),
        );
        args.extend(["--format".into(), "json".into()]);
        let env: Vec<(String, String)> = s["env"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = run_with(&args, &env);
        if let Ok(doc) = serde_json::from_str::<serde_json::Value>(&r.stdout) {
            texts.extend(fixes(&doc));
        }
    }
    // Real NHS certificates: a G2 leaf sent alone, a legacy-generation one.
    for leaf in [
        "nhs-pki/leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem",
        "nhs-pki/leaves/int-api-service-nhs-uk-ptl.pem",
        "nhs-pki/leaves/bars-proxy-spineservices-nhs-uk.pem",
    ] {
        let leaf = fixture(leaf);
        let r = run_with(
            &[
                "check",
                leaf.to_str().unwrap(),
                "--at",
                "2024-01-01T00:00:00Z",
                "--format",
                "json",
            ],
            &[],
        );
        texts.extend(fixes(&r.json()));
    }
    // trust lint over a few client-CA files, each a copy in its own directory: the fixes
    // write their new file beside the linted one, never into fixtures/.
    for (file, env) in [
        ("pki/int/subca.pem", "int"),
        ("nhs-pki/int/nhs-int-authentication-g2.pem", "int"),
        ("nhs-pki/prod/nhs-root-authority-g2.pem", "prod"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("client-ca.pem");
        std::fs::copy(fixture(file), &f).unwrap();
        lint_dirs.push(dir);
        let r = run_with(
            &[
                "trust",
                "lint",
                f.to_str().unwrap(),
                "--env",
                env,
                "--format",
                "json",
            ],
            &[],
        );
        if let Ok(doc) = serde_json::from_str::<serde_json::Value>(&r.stdout) {
            texts.extend(fixes(&doc));
        }
    }
    // A pfx build refusal prints its fixes on stderr.
    let r = run_with(
        &[
            "pfx",
            "build",
            "--cert",
            fixture("pki/chain-incomplete/leaf.pem").to_str().unwrap(),
            "--key",
            fixture("pki/int-good/leaf.key").to_str().unwrap(),
            "--out",
            "/tmp/never-written.pfx",
            "--env",
            "int",
            "--at",
            AT,
        ],
        &[],
    );
    r.code(1);
    texts.push(r.stderr.clone());

    let commands: BTreeSet<String> = texts.iter().flat_map(|t| quoted_commands(t)).collect();
    assert!(catalogue > 40, "the catalogue was read");
    for want in [
        "ca export --env int --out NHSINTAuthG2.pem",
        "pfx extract",
        "pfx build --cert",
    ] {
        assert!(
            commands.iter().any(|c| c.contains(want)),
            "no printed command has {want:?}: {commands:#?}"
        );
    }
    eprintln!("{} printed commands:\n{commands:#?}", commands.len());
    let failed: Vec<String> = commands
        .iter()
        .filter_map(|c| runs_as_printed(c).err())
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
    drop(lint_dirs); // the linted copies lived until their fixes had run
}

#[test]
fn the_chain_incomplete_fix_writes_the_missing_nhs_sub_ca_as_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        fixture("nhs-pki/leaves/inttif-checkuphealth-thirdparty-nhs-uk.pem"),
        d.join("leaf.pem"),
    )
    .unwrap();
    let at = "2026-12-01T00:00:00Z";
    let r = run_in(
        d,
        &[
            "check", "leaf.pem", "--env", "int", "--at", at, "--format", "json",
        ],
        &[],
    );
    r.code(1);
    let fix = fixes(&r.json())
        .into_iter()
        .find(|f| f.contains("NHSINTAuthG2.pem"))
        .unwrap();
    for cmd in quoted_commands(&fix) {
        let r = run_in(d, &words(&cmd), &[]);
        r.code(0);
    }
    // The fix's own example, then check again: complete.
    let r = run_in(
        d,
        &[
            "check",
            "leaf.pem",
            "NHSINTAuthG2.pem",
            "--env",
            "int",
            "--at",
            at,
            "--format",
            "json",
        ],
        &[],
    );
    r.code(0);
    assert!(!r.stdout.contains("chain.incomplete"), "{r}");
    assert_eq!(r.json()["chain"]["complete"], true);
}

#[test]
fn the_pfx_no_chain_fix_rebuilds_the_pfx_with_its_chain() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("pki/pfx-no-chain/bundle.pfx"), d.join("old.pfx")).unwrap();
    std::fs::copy(fixture("pki/int/root.pem"), d.join("root.pem")).unwrap();
    std::fs::copy(fixture("pki/int/subca.pem"), d.join("subca.pem")).unwrap();
    let pw = [("PFX_PASSWORD", "secret")];
    let ca = ["--ca", "int:root.pem", "--ca", "int:subca.pem"];
    let check = |file: &str| {
        let mut a = vec![
            "check",
            file,
            "--password-env",
            "PFX_PASSWORD",
            "--at",
            AT,
            "--format",
            "json",
        ];
        a.extend(ca);
        run_in(d, &a, &pw)
    };
    let r = check("old.pfx");
    let fix = fixes(&r.json())
        .into_iter()
        .find(|f| f.contains("pfx extract"))
        .unwrap();
    let commands = quoted_commands(&fix);
    assert_eq!(commands.len(), 2, "{fix}");
    for cmd in commands {
        let mut args = words(&cmd);
        if args[0] == "pfx" && args[1] == "build" {
            // The test CA is not the NHS's: the sub-CA comes from --ca, as a user's would.
            args.extend(ca.iter().map(|s| s.to_string()));
            args.extend(["--at".into(), AT.into()]);
        }
        run_in(d, &args, &pw).code(0);
    }
    let r = check("old-with-chain.pfx");
    r.code(0);
    assert!(!r.stdout.contains("pfx.no-chain"), "{r}");
    assert!(
        r.json()["certificates"].as_array().unwrap().len() >= 2,
        "{r}"
    );
}

/// Signs `csr` in `d` with the INT test sub-CA, as a CA would (a v3 certificate with
/// basicConstraints, keyUsage, EKU, SAN), into `cer`.
fn issue(d: &Path, csr: &str, cer: &str) {
    std::fs::write(
        d.join("ext.cnf"),
        format!(
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\n\
             authorityKeyIdentifier=keyid\nsubjectAltName=DNS:{FQDN}\n"
        ),
    )
    .unwrap();
    let (ca, key) = (
        fixture("pki/int/subca.pem"),
        fixture("pki/keys/int-subca.pem"),
    );
    openssl_in(
        d,
        &[
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca.to_str().unwrap(),
            "-CAkey",
            key.to_str().unwrap(),
            "-set_serial",
            "0x5eed",
            "-days",
            "200",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-out",
            cer,
        ],
    );
}

#[test]
fn csr_new_next_steps_succeed_for_a_certificate_issued_from_the_request() {
    bars_testpki::require_tools!("openssl");
    for encrypted in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::copy(fixture("pki/int/root.pem"), d.join("root.pem")).unwrap();
        std::fs::copy(fixture("pki/int/subca.pem"), d.join("subca.pem")).unwrap();
        let env = [("KEY_PASSWORD", "key-pw"), ("PFX_PASSWORD", "pfx-pw")];
        let mut args = vec!["csr", "new", "--fqdn", FQDN];
        if encrypted {
            args.extend(["--encrypt-key", "--password-env", "KEY_PASSWORD"]);
        }
        let r = run_in(d, &args, &env);
        r.code(0);
        issue(d, &format!("{FQDN}.csr"), &format!("{FQDN}.cer"));
        // The steps, exactly as printed: each line that is a command.
        let steps: Vec<String> = r
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("bars-certcheck "))
            .map(str::to_string)
            .collect();
        assert_eq!(steps.len(), 2, "{r}");
        assert!(steps[0].starts_with("bars-certcheck match "), "{steps:?}");
        assert!(steps[1].starts_with("bars-certcheck pfx build ") && steps[1].contains("--out"));
        for step in &steps {
            let mut args = words(step);
            if args[0] == "pfx" {
                // A test CA, not the NHS's: its root and sub-CA come in with --ca.
                args.extend(["--ca", "int:root.pem", "--ca", "int:subca.pem"].map(String::from));
            }
            let r = run_in(d, &args, &env);
            r.code(0);
            // And the step pfx build prints in turn ("Check it: bars-certcheck check …").
            let then: Vec<&str> = r
                .stdout
                .lines()
                .filter_map(|l| l.split_once("Check it:").map(|c| c.1.trim()))
                .collect();
            assert_eq!(then.len(), usize::from(args[0] == "pfx"), "{r}");
            for next in then {
                run_in(d, &words(next), &env).code(0);
            }
        }
        // The PFX built checks clean, with its chain.
        let pfx = format!("{FQDN}.pfx");
        let r = run_in(
            d,
            &[
                "check",
                &pfx,
                "--password-env",
                "PFX_PASSWORD",
                "--ca",
                "int:root.pem",
                "--fail-on",
                "warning",
            ],
            &env,
        );
        r.code(0);
        assert!(!r.stdout.contains("chain.incomplete"), "{r}");
    }
}
