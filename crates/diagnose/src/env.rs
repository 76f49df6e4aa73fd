//! The one place that decides the environment judged against and the name a certificate
//! must cover, from the one choice clap parses ([`EnvChoice`]).

use bars_checks::{EnvSource, Options};
use bars_nhs::{EnvChoice, Environment};

/// The environment decided before an analysis, and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvDecision {
    /// The environment.
    pub env: Environment,
    /// `forced` or `fqdn`.
    pub source: EnvSource,
}

/// Decides the environment before the analysis: a forced choice (`--env`, a scan list's
/// `env`) wins; else, for an endpoint, the BaRS prefix (`BaRS-INT-`, `BaRS-PROD-`) of the
/// name to cover; else nothing, and the analysis decides from the certificates (their
/// names, then the issuing sub-CA, then a Mozilla root).
pub fn decide(choice: EnvChoice, name_to_cover: Option<&str>) -> Option<EnvDecision> {
    if let Some(env) = choice.forced() {
        return Some(EnvDecision {
            env,
            source: EnvSource::Forced,
        });
    }
    bars_nhs::env_from_fqdn(name_to_cover?).map(|env| EnvDecision {
        env,
        source: EnvSource::Fqdn,
    })
}

/// The name an endpoint's certificate must cover: `--expect-fqdn`, else the SNI name
/// sent (`--sni`, a list's `sni`), else the host. `probe 127.0.0.1:8443 --sni NAME` and
/// `probe NAME:8443 --connect 127.0.0.1` judge the same name.
pub fn name_to_cover(expect_fqdn: Option<&str>, sni: Option<&str>, host: &str) -> String {
    match (expect_fqdn, sni) {
        (Some(e), _) => e.to_string(),
        (None, Some(s)) => s.trim_end_matches('.').to_ascii_lowercase(),
        (None, None) => host.to_string(),
    }
}

/// Puts the decision into the analysis options (nothing decided: `auto`).
pub fn apply(opts: &mut Options, decision: Option<EnvDecision>) {
    opts.env = decision.map(|d| d.env);
    if let Some(d) = decision {
        opts.env_source = d.source;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INT: &str = "BaRS-INT-X26.Supplier.thirdparty.nhs.uk";

    #[test]
    fn forced_wins_then_the_name_then_nothing() {
        let forced = EnvChoice::Forced(Environment::Prod);
        assert_eq!(
            decide(forced, Some(INT)),
            Some(EnvDecision {
                env: Environment::Prod,
                source: EnvSource::Forced
            })
        );
        assert_eq!(
            decide(EnvChoice::Auto, Some(INT)),
            Some(EnvDecision {
                env: Environment::Int,
                source: EnvSource::Fqdn
            })
        );
        assert_eq!(
            decide(EnvChoice::Auto, Some("int.api.service.nhs.uk")),
            None
        );
        assert_eq!(decide(EnvChoice::Auto, None), None);
    }

    #[test]
    fn the_name_to_cover_is_expect_then_sni_then_host() {
        assert_eq!(name_to_cover(None, None, "127.0.0.1"), "127.0.0.1");
        assert_eq!(
            name_to_cover(None, Some(INT), "127.0.0.1"),
            "bars-int-x26.supplier.thirdparty.nhs.uk"
        );
        assert_eq!(name_to_cover(Some("a.nhs.uk"), Some(INT), "h"), "a.nhs.uk");
    }

    #[test]
    fn a_decision_lands_in_the_options_with_its_source() {
        let mut o = Options::new(0);
        apply(&mut o, decide(EnvChoice::Auto, Some(INT)));
        assert_eq!(
            (o.env, o.env_source),
            (Some(Environment::Int), EnvSource::Fqdn)
        );
        apply(&mut o, None);
        assert_eq!(o.env, None);
    }
}
