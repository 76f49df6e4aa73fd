//! The online checks of a run: one revocation checker (so one download cache and one
//! in-process memo for every input and endpoint of the run) and `--fetch-missing`.

use bars_checks::{Analysis, CheckInput, Options};
use bars_revocation::{Checker, Mode, RevocationOptions};

/// CRL/OCSP, stapled OCSP responses and missing issuers via AIA.
#[derive(Debug)]
pub struct Online {
    checker: Checker,
    fetch_missing: bool,
}

impl Online {
    /// With these revocation options and `--fetch-missing`.
    pub fn new(revocation: RevocationOptions, fetch_missing: bool) -> Online {
        Online {
            checker: Checker::new(revocation),
            fetch_missing,
        }
    }

    /// Nothing is contacted (a stapled response is still judged), freshness at `at`.
    pub fn off(at: i64) -> Online {
        let mut o = RevocationOptions::new(Mode::Off, at);
        o.cache_dir = None;
        Online::new(o, false)
    }

    /// The checker (its options, how many requests it made).
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Analyses `input` with the online checks: missing issuers fetched through AIA (with
    /// `--fetch-missing`), then revocation as the mode says, and the OCSP response the
    /// server stapled for its own certificate (the first leaf), which needs no network.
    /// Returns the analysis and the notes for the report; `opts` gains the issuers
    /// fetched.
    pub async fn analyse(
        &self,
        input: &CheckInput,
        opts: &mut Options,
        stapled: Option<&[u8]>,
    ) -> (Analysis, Vec<String>) {
        let mut notes = Vec::new();
        let mut analysis = if self.fetch_missing {
            let done = self.checker.complete_with_aia(input, opts).await;
            notes.extend(done.notes());
            done.analysis
        } else {
            bars_checks::analyse(input, opts)
        };
        let mut staples = Vec::new();
        if let Some(der) = stapled {
            if let Some(leaf) = analysis.chains.first().map(|c| c.leaf) {
                staples.push((leaf, der.to_vec()));
                notes.push("The server stapled an OCSP response; it was checked.".into());
            }
        }
        let found = self.checker.check_analysis_with(&analysis, &staples).await;
        analysis.extend_findings(found);
        (analysis, notes)
    }
}
