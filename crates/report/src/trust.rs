//! The server settings `trust lint` prints: nginx, Apache httpd and Kestrel verifying
//! client certificates against the linted file, pinned to the environment's sub-CA, and
//! the proxy's source addresses to allow.

use bars_nhs::Environment;

/// The settings that make a server verify client certificates against `file` and accept
/// only certificates issued by the environment's sub-CA. `fixed`: `file` is the new file
/// the findings' fix writes (the linted one must not be used as it is).
pub fn server_settings(
    file: &str,
    env: Environment,
    issuer: Option<&str>,
    fixed: bool,
) -> Vec<String> {
    let issuer = issuer.unwrap_or("<the issuing sub-CA's DN>");
    let e = env.as_str().to_uppercase();
    let which = if fixed {
        format!(" for {file}, once the fix above has written it")
    } else {
        String::new()
    };
    let lines = format!(
        "Server settings{which} (client verification pinned to {issuer}):

  nginx:
    ssl_verify_client      on;
    ssl_client_certificate {file};
    ssl_verify_depth       2;
    # accept only certificates issued by the {e} sub-CA
    if ($ssl_client_i_dn != \"{issuer}\") {{ return 403; }}

  Apache httpd (mod_ssl):
    SSLVerifyClient      require
    SSLVerifyDepth       2
    SSLCACertificateFile {file}
    <Location \"/\">
        Require expr %{{SSL_CLIENT_I_DN}} == \"{issuer}\"
    </Location>

  Kestrel (ASP.NET Core):
    builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h =>
        h.ClientCertificateMode = ClientCertificateMode.RequireCertificate));
    builder.Services.AddAuthentication(CertificateAuthenticationDefaults.AuthenticationScheme)
        .AddCertificate(o => {{
            o.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
            o.CustomTrustStore.ImportFromPemFile(\"{file}\");
            o.AllowedCertificateTypes = CertificateTypes.Chained;
            o.Events = new CertificateAuthenticationEvents {{
                OnCertificateValidated = c => {{
                    if (c.ClientCertificate.Issuer != \"{issuer_net}\") c.Fail(\"wrong issuer\");
                    else c.Success();
                    return Task.CompletedTask; }} }};
        }});

The proxy calls {e} Receivers from {addrs}: allow them through the firewall.",
        issuer_net = net_issuer(issuer),
        addrs = env
            .proxy_source_addresses()
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(" and "),
    );
    lines.lines().map(str::to_string).collect()
}

/// .NET prints an issuer DN most specific first with `, ` between RDNs.
fn net_issuer(rfc4514: &str) -> String {
    let mut out = String::with_capacity(rfc4514.len() + 8);
    let mut escaped = false;
    for c in rfc4514.chars() {
        out.push(c);
        if c == ',' && !escaped {
            out.push(' ');
        }
        escaped = c == '\\' && !escaped;
    }
    out
}
