//! What the artefact-making commands say when they are done: the files written and the
//! onboarding steps that follow.

use bars_nhs::Environment;
use std::path::Path;

/// Quotes `p` for a shell command line when it needs it (the commands the tool prints
/// must run as printed).
pub fn shell_path(p: &Path) -> String {
    bars_checks::shell_word(&p.display().to_string())
}

/// One finding as indented plain text (the refusals and notes of `csr new` / `pfx build`).
pub fn finding_text(f: &bars_checks::Finding) -> String {
    format!(
        "  {:<7} {}: {}\n          {}\n          fix: {}\n",
        f.severity.as_str(),
        f.id(),
        f.title,
        f.detail,
        f.fix
    )
}

/// What `csr new` wrote, for the closing text.
#[derive(Clone, Debug)]
pub struct CsrWritten<'a> {
    /// The FQDN (the request's CN).
    pub fqdn: &'a str,
    /// The environment whose next steps apply.
    pub env: Option<Environment>,
    /// The key file as written, and as a shell word.
    pub key_file: &'a str,
    /// The request file as written, and as a shell word.
    pub csr_file: &'a str,
    /// Shell words of the key, request, the certificate to come and the PFX to build.
    pub words: ShellWords,
    /// The request's public-key SHA-256.
    pub public_key_sha256: &'a str,
    /// RSA key size.
    pub bits: u32,
    /// The key file is encrypted.
    pub encrypted: bool,
    /// Made with `--force` against the naming rules.
    pub forced: bool,
    /// The key existed (`csr new --key`, a renewal): it was read, not written.
    pub reused_key: bool,
}

/// File names as the suggested commands spell them (quoted for a shell when needed).
#[derive(Clone, Debug, Default)]
pub struct ShellWords {
    /// The key.
    pub key: String,
    /// The request.
    pub csr: String,
    /// The certificate the NHS will send (`<fqdn>.cer`).
    pub cer: String,
    /// The PFX to build (`<fqdn>.pfx`).
    pub pfx: String,
}

/// What was written and what to do next, from the onboarding guide: INT, ask ITOC for a
/// "certificate only"; PROD, send the request to dir@nhs.net once Solution Assurance
/// has issued the Technical Conformance certificate; then check the certificate, build
/// the PFX, ask for the Endpoint Catalogue entry, open the firewall to the proxy.
pub fn csr_written(w: &CsrWritten<'_>) -> String {
    let (fqdn, env, bits, encrypted, forced, pk) = (
        w.fqdn,
        w.env,
        w.bits,
        w.encrypted,
        w.forced,
        w.public_key_sha256,
    );
    let ShellWords { key, csr, cer, pfx } = &w.words;
    let key_pw = if encrypted {
        " --key-password-env KEY_PASSWORD"
    } else {
        ""
    };
    let check_pw = if encrypted {
        " --password-env KEY_PASSWORD"
    } else {
        ""
    };
    let key_line = if w.reused_key {
        format!(
            "Used the existing private key {} (RSA {bits}, {}); it was not changed. Keep it on this machine; never send it.\n",
            w.key_file,
            if encrypted { "encrypted" } else { "not encrypted" }
        )
    } else {
        format!(
            "Wrote the private key {} (RSA {bits}, PKCS#8, {}, mode 0600). Keep it on this machine; never send it.\n",
            w.key_file,
            if encrypted {
                "encrypted with AES-256-CBC, PBKDF2-HMAC-SHA256"
            } else {
                "not encrypted"
            },
        )
    };
    let mut out = format!(
        "{key_line}\
         Wrote the certificate signing request {} (subject CN={fqdn}; public key SHA-256 {pk}).\n\
         Checked: the subject is only the CN, there is no e-mail address, the signature verifies and the key matches.\n",
        w.csr_file,
    );
    if forced {
        out.push_str("\nWARNING: made with --force: the name breaks the BaRS naming rules and the NHS will not sign it.\n");
    }
    // Steps a correctly issued certificate passes: `match` (certificate, request and key
    // belong together) needs no chain, and `pfx build` completes the chain from the
    // embedded sub-CA (a `check` of the leaf alone would report chain.incomplete).
    let check = format!("bars-certcheck match {cer} {csr} {key}{check_pw}");
    let build = format!(
        "bars-certcheck pfx build --cert {cer} --key {key}{key_pw} --out {pfx} --password-env PFX_PASSWORD"
    );
    let catalogue = "Email england.bookingandreferralstandard@nhs.net with the Receiver URL for BaRS/API-M to add to the Endpoint Catalogue.";
    match env {
        Some(Environment::Int) => {
            let ips = addresses(Environment::Int);
            out.push_str(&format!(
                "\nNext steps (INT):\n\
                 1. Request a 'certificate only' from ITOC, the integration service desk, with the onboarding form:\n\
                 \x20  'Certificate Only (No endpoint)', 'Integration environment', FQDN {fqdn} (it must match your domain and the CN),\n\
                 \x20  make it clear that this is a request for a 'BaRS' certificate, and write 'N/A' in the Party Key section.\n\
                 \x20  Send {csr} with the request.\n\
                 2. When ITOC sends the certificate, save it (from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----)\n\
                 \x20  as {cer} and check that it answers the request and the key:\n\
                 \x20    {check}\n\
                 3. Build the .pfx your server loads (with the chain; set PFX_PASSWORD to the password it will have):\n\
                 \x20    {build}\n\
                 4. {catalogue}\n\
                 5. Allow the BaRS API proxy through the Receiver's firewall: INT calls come from {ips}.\n"
            ));
        }
        Some(Environment::Prod) => {
            let ips = addresses(Environment::Prod);
            out.push_str(&format!(
                "\nNext steps (PROD):\n\
                 1. Once Solution Assurance has issued the Technical Conformance certificate, send {csr} to dir@nhs.net,\n\
                 \x20  indicating that it is for a BaRS Receiver endpoint ({fqdn}).\n\
                 2. When the DIR team sends the certificate, save it as {cer} and check that it answers the request and the key:\n\
                 \x20    {check}\n\
                 3. Build the .pfx your server loads (with the chain; set PFX_PASSWORD to the password it will have):\n\
                 \x20    {build}\n\
                 4. {catalogue}\n\
                 5. Allow the BaRS API proxy through the Receiver's firewall: PROD calls come from {ips}.\n"
            ));
        }
        _ => {
            out.push_str(&format!(
                "\nNext steps: the NHS signs BaRS requests only for names of the BaRS shape\n\
                 ({}).\n\
                 When a certificate is issued, check that it answers the request and the key:\n\
                 \x20    {check}\n",
                bars_nhs::expected_shape(Environment::Public)
            ));
        }
    }
    out
}

fn addresses(env: Environment) -> String {
    env.proxy_source_addresses()
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What `ca fetch` did, for its closing text.
#[derive(Clone, Debug)]
pub struct CaFetched<'a> {
    /// The CA expected (its common name).
    pub expected: &'a str,
    /// The environment.
    pub env: Environment,
    /// The fetched certificate's SHA-256.
    pub sha256: &'a str,
    /// It is the pinned certificate (else accepted with `--allow-new`).
    pub pinned: bool,
    /// The environment's root: its common name and SHA-256.
    pub root: (&'a str, &'a str),
    /// Where it came from, and whether that was a URL.
    pub from: &'a str,
    /// The source is a URL (else a file).
    pub is_url: bool,
    /// Files written, and files that already held exactly this.
    pub written: Vec<String>,
    /// Files left as they were (already this certificate).
    pub unchanged: Vec<String>,
    /// `--with-root`.
    pub with_root: bool,
    /// `--install-dir`, as a shell word.
    pub install_dir: Option<String>,
}

/// The closing text of `ca fetch`: what was accepted and why, what was written, and what
/// OpenSSL-based clients still need.
pub fn ca_fetched(f: &CaFetched<'_>) -> String {
    let (root_name, root_sha) = f.root;
    let mut text = if f.pinned {
        format!(
            "Accepted {} ({}): its SHA-256 {} is the pinned fingerprint.\n",
            f.expected, f.env, f.sha256
        )
    } else {
        format!(
            "Accepted a NEW, NOT PINNED CA for {} (--allow-new): SHA-256 {}; its signature verifies under {root_name}.\n",
            f.env, f.sha256
        )
    };
    if f.is_url {
        text.push_str(&format!("Source: {}\n", f.from));
    } else {
        text.push_str(&format!("Source: file {}\n", f.from));
    }
    for path in &f.written {
        text.push_str(&format!("Wrote {path}\n"));
    }
    for path in &f.unchanged {
        text.push_str(&format!("Unchanged (already this certificate): {path}\n"));
    }
    if f.with_root {
        text.push_str(&format!(
            "With the root {root_name} (embedded, SHA-256 {root_sha}).\n"
        ));
    } else {
        text.push_str(&format!(
            "Note: OpenSSL-based clients also need the root {root_name} to trust it; add --with-root to write it too.\n"
        ));
    }
    if let Some(dir) = &f.install_dir {
        text.push_str(&format!(
            "If {dir} is the system CA directory, run `update-ca-certificates` next.\n"
        ));
    }
    text
}

/// What `pfx build` wrote, for its closing text.
#[derive(Clone, Debug)]
pub struct PfxWritten<'a> {
    /// The file.
    pub out: &'a str,
    /// The certificates in it, leaf first, each with where it came from.
    pub certificates: Vec<String>,
    /// The root left out, if any.
    pub root: Option<String>,
    /// Its encryption, and its MAC.
    pub encryption: &'a str,
    /// Its MAC.
    pub mac: Option<&'a str>,
    /// The legacy form (`--legacy`).
    pub legacy: bool,
    /// The environment the check judged against.
    pub environment: Option<Environment>,
    /// What `check` will report at warning or above, as indented text (empty: nothing).
    pub notes: &'a str,
    /// The command that checks it.
    pub check: &'a str,
}

/// The closing text of `pfx build`.
pub fn pfx_written(w: &PfxWritten<'_>) -> String {
    let n = w.certificates.len();
    let mut text = format!(
        "Wrote {} (PKCS#12, mode 0600): the private key and {n} certificate{}: {}.\n",
        w.out,
        if n == 1 { "" } else { "s" },
        w.certificates.join(" → ")
    );
    if let Some(root) = &w.root {
        text.push_str(&format!(
            "The root {root} is not included: clients must already trust it.\n"
        ));
    }
    text.push_str(&format!(
        "Protection: {}{}{}.\n",
        w.encryption,
        w.mac.map(|m| format!(", {m} MAC")).unwrap_or_default(),
        if w.legacy {
            " (legacy form for old Windows/.NET stacks)"
        } else {
            ""
        }
    ));
    if let Some(env) = w.environment {
        text.push_str(&format!("Environment: {}.\n", env.as_str()));
    }
    if w.notes.is_empty() {
        text.push_str(
            "Checked: key matches certificate, chain complete, nothing at warning or above.\n",
        );
    } else {
        text.push_str("Checked: key matches certificate and the chain is complete, but `bars-certcheck check` will report:\n");
        text.push_str(w.notes);
    }
    text.push_str(&format!("Check it:  {}\n", w.check));
    text
}

#[cfg(test)]
mod tests {
    use super::shell_path;
    use std::path::Path;

    #[test]
    fn paths_are_quoted_for_the_shell_when_needed() {
        assert_eq!(shell_path(Path::new("a/b.key")), "a/b.key");
        assert_eq!(shell_path(Path::new("my key")), "'my key'");
        assert_eq!(shell_path(Path::new("it's")), "'it'\\''s'");
    }
}
