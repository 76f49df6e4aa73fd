//! `--ca [int:|prod:|public:]FILE`: more CA certificates, read once per run.

use crate::DiagnoseError;
use bars_checks::ExtraCa;
use bars_model::Limits;
use bars_nhs::Environment;

/// Splits `[int:|prod:|public:]FILE` into its environment tag and the path.
pub fn split_ca_arg(arg: &str) -> (Option<Environment>, &str) {
    for env in Environment::ALL {
        if let Some(rest) = arg
            .strip_prefix(env.as_str())
            .and_then(|r| r.strip_prefix(':'))
        {
            return (Some(env), rest);
        }
    }
    (None, arg)
}

/// Reads every `--ca` argument into the CAs of the analysis; a bare `FILE` applies to
/// `forced` (the `--env` given; `None`: whatever environment is decided). A file that
/// cannot be read, or that holds no certificate, is an error.
pub fn load(
    args: &[String],
    forced: Option<Environment>,
    limits: &Limits,
) -> Result<Vec<ExtraCa>, DiagnoseError> {
    let mut out = Vec::new();
    for arg in args {
        let (tag, path) = split_ca_arg(arg);
        let certs = bars_model::certificates_in(std::path::Path::new(path), limits)
            .map_err(|e| DiagnoseError::Ca(e.to_string()))?;
        out.extend(certs.into_iter().map(|cert| ExtraCa {
            env: tag.or(forced),
            cert,
            path: path.to_string(),
            source: None,
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_arguments_carry_their_environment() {
        assert_eq!(split_ca_arg("int:a.pem"), (Some(Environment::Int), "a.pem"));
        assert_eq!(
            split_ca_arg("prod:b.pem"),
            (Some(Environment::Prod), "b.pem")
        );
        assert_eq!(
            split_ca_arg("public:c.pem"),
            (Some(Environment::Public), "c.pem")
        );
        assert_eq!(split_ca_arg("int.pem"), (None, "int.pem"));
        assert_eq!(split_ca_arg("/x/int:y"), (None, "/x/int:y"));
    }

    #[test]
    fn unreadable_ca_files_are_errors() {
        let e = load(&["/nonexistent/ca.pem".into()], None, &Limits::default());
        assert!(matches!(e, Err(DiagnoseError::Ca(_))));
    }
}
