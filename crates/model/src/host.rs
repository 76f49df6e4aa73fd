//! The syntax of a host name: what a certificate can cover and a probe can connect to.

use std::fmt;

/// Why a name cannot be one a certificate covers (`--expect-fqdn`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostNameProblem {
    /// Nothing was given.
    Empty,
    /// More than 253 characters.
    TooLong {
        /// Its length.
        len: usize,
        /// How many labels it has.
        labels: usize,
    },
    /// A label (1-based `index`) that is empty or longer than 63 characters.
    LabelLength {
        /// Which label, from 1.
        index: usize,
        /// The label.
        label: String,
    },
    /// A label holding characters a DNS name cannot.
    LabelChars(String),
}

impl fmt::Display for HostNameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostNameProblem::Empty => f.write_str("empty name"),
            HostNameProblem::TooLong { len, labels } => write!(
                f,
                "a DNS name is at most 253 characters; this one has {len} ({labels} labels)"
            ),
            HostNameProblem::LabelLength { index, label } => {
                write!(f, "label {index} ({label:?}) must be 1 to 63 characters")
            }
            HostNameProblem::LabelChars(label) => {
                write!(f, "label {label:?} holds characters a DNS name cannot")
            }
        }
    }
}

impl std::error::Error for HostNameProblem {}

/// Checks a name a certificate could cover: an IP address, or a DNS name of at most 253
/// characters whose labels hold 1 to 63 letters, digits, hyphens or underscores (a
/// leading `*.` allowed; one trailing dot tolerated).
pub fn check_host_name(name: &str) -> Result<(), HostNameProblem> {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let n = name.trim_end_matches('.');
    if n.is_empty() {
        return Err(HostNameProblem::Empty);
    }
    if n.len() > 253 {
        return Err(HostNameProblem::TooLong {
            len: n.len(),
            labels: n.split('.').count(),
        });
    }
    for (i, label) in n.split('.').enumerate() {
        if label.is_empty() || label.len() > 63 {
            return Err(HostNameProblem::LabelLength {
                index: i + 1,
                label: label.to_string(),
            });
        }
        let wildcard = label == "*" && i == 0;
        let plain = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !wildcard && !plain {
            return Err(HostNameProblem::LabelChars(label.to_string()));
        }
    }
    Ok(())
}
