//! How a run judges, decided once from the command line and the same for every input.

use crate::env::{self, EnvDecision};
use crate::DiagnoseError;
use bars_checks::{ExtraCa, Options, Severity, Usage};
use bars_nhs::{EnvChoice, Environment};

/// Everything the analysis needs besides the inputs.
#[derive(Clone, Debug)]
pub struct Judge {
    /// `--env`.
    pub env: EnvChoice,
    /// `--ca` certificates ([`crate::cas::load`]).
    pub extra_cas: Vec<ExtraCa>,
    /// Use the embedded NHS CAs (`--no-embedded-ca` turns it off).
    pub use_embedded: bool,
    /// The time judged at, Unix seconds (`--at`, else now).
    pub at: i64,
    /// `cert.expiring-soon` window (`--warn-days`).
    pub warn_days: u32,
    /// The name the certificate must cover (`--expect-fqdn`).
    pub expect_fqdn: Option<String>,
    /// The usage the leaf must allow (`--usage`).
    pub usage: Usage,
    /// The lowest severity that fails the gate (`--fail-on`).
    pub fail_on: Severity,
}

impl Judge {
    /// `auto`, the embedded CAs, 30 days, server usage, failing on errors, at `at`.
    pub fn new(at: i64) -> Judge {
        Judge {
            env: EnvChoice::Auto,
            extra_cas: Vec::new(),
            use_embedded: true,
            at,
            warn_days: 30,
            expect_fqdn: None,
            usage: Usage::Server,
            fail_on: Severity::Error,
        }
    }

    /// Refuses what cannot be judged: `--expect-fqdn` that is not a name a certificate
    /// could cover, `--no-embedded-ca` with nothing to trust (outside `public`).
    pub fn validate(&self) -> Result<(), DiagnoseError> {
        if let Some(name) = &self.expect_fqdn {
            bars_nhs::check_host_name(name).map_err(DiagnoseError::ExpectFqdn)?;
        }
        if !self.use_embedded
            && self.extra_cas.is_empty()
            && self.env != EnvChoice::Forced(Environment::Public)
        {
            return Err(DiagnoseError::NothingTrusted);
        }
        Ok(())
    }

    fn base(&self) -> Options {
        let mut o = Options::new(self.at);
        o.extra_cas = self.extra_cas.clone();
        o.use_embedded = self.use_embedded;
        o.warn_days = self.warn_days;
        o.usage = self.usage;
        o
    }

    /// The analysis options for files: the environment forced or `auto` (decided from
    /// the certificates), the name `--expect-fqdn` gives.
    pub fn file_options(&self) -> Options {
        let mut o = self.base();
        env::apply(&mut o, env::decide(self.env, None));
        o.expect_fqdn = self.expect_fqdn.clone();
        o
    }

    /// The name `ep`'s certificate must cover and the environment decided for it: the
    /// one place both are decided for an endpoint.
    pub fn endpoint(&self, ep: &crate::Endpoint) -> (String, Option<EnvDecision>) {
        let name = env::name_to_cover(
            self.expect_fqdn.as_deref(),
            ep.sni.as_deref(),
            &ep.target.host,
        );
        let decision = env::decide(ep.env.unwrap_or(self.env), Some(&name));
        (name, decision)
    }

    /// The analysis options for an endpoint whose certificate must cover `name` (see
    /// [`env::name_to_cover`]), its environment decided by `decision`.
    ///
    /// Endpoint-only analysis rules: the first certificate sent is the leaf, whatever its
    /// basicConstraints, and fixes speak of what the server sends.
    pub fn endpoint_options(&self, name: &str, decision: Option<EnvDecision>) -> Options {
        let mut o = self.base();
        env::apply(&mut o, decision);
        o.expect_fqdn = Some(name.to_string());
        o.leaf_first = true;
        o.purpose = bars_checks::Purpose::Server;
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_refuses_bad_names_and_an_empty_trust_set() {
        let mut j = Judge::new(0);
        assert!(j.validate().is_ok());
        j.expect_fqdn = Some("a..b".into());
        assert!(matches!(j.validate(), Err(DiagnoseError::ExpectFqdn(_))));
        j.expect_fqdn = None;
        j.use_embedded = false;
        assert!(matches!(j.validate(), Err(DiagnoseError::NothingTrusted)));
        j.env = EnvChoice::Forced(Environment::Public);
        assert!(j.validate().is_ok());
    }

    #[test]
    fn endpoints_cover_their_name_and_files_their_expected_one() {
        let mut j = Judge::new(0);
        j.expect_fqdn = Some("a.nhs.uk".into());
        assert_eq!(j.file_options().expect_fqdn.as_deref(), Some("a.nhs.uk"));
        let o = j.endpoint_options("b.nhs.uk", None);
        assert_eq!(o.expect_fqdn.as_deref(), Some("b.nhs.uk"));
        assert_eq!(o.env, None);
    }
}
