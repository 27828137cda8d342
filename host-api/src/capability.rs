use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An atom a plugin may import, by the name it is declared with in `step-meta.capabilities`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    Log,
    Kv,
    Secrets,
    Http,
    Cmdb,
    Job,
    Notify,
}

impl Capability {
    pub const ALL: [Capability; 7] = [
        Capability::Log,
        Capability::Kv,
        Capability::Secrets,
        Capability::Http,
        Capability::Cmdb,
        Capability::Job,
        Capability::Notify,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Log => "log",
            Capability::Kv => "kv",
            Capability::Secrets => "secrets",
            Capability::Http => "http",
            Capability::Cmdb => "cmdb",
            Capability::Job => "job",
            Capability::Notify => "notify",
        }
    }

    /// Whether a call using it may change something outside scena's own
    /// database: an HTTP request, a job on hosts, a notification. Logs, `kv`
    /// writes (committed with the step's end) and reads of secrets and the
    /// inventory do not.
    pub fn reaches_outside(self) -> bool {
        matches!(self, Capability::Http | Capability::Job | Capability::Notify)
    }

    /// The capability behind a component import name such as
    /// `scena:plugin/http@0.1.0`; `None` for imports that are not scena atoms
    /// (WASI, or a foreign package).
    pub fn from_import(import: &str) -> Option<Capability> {
        let rest = import.strip_prefix("scena:plugin/")?;
        let interface = rest.split('@').next()?;
        interface.parse().ok()
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCapability(pub String);

impl fmt::Display for UnknownCapability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = Capability::ALL.iter().map(|c| c.as_str()).collect();
        write!(f, "unknown capability `{}` (known: {})", self.0, known.join(", "))
    }
}

impl std::error::Error for UnknownCapability {}

impl FromStr for Capability {
    type Err = UnknownCapability;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Capability::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownCapability(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_names_map_to_capabilities() {
        assert_eq!(Capability::from_import("scena:plugin/http@0.1.0"), Some(Capability::Http));
        assert_eq!(Capability::from_import("scena:plugin/kv"), Some(Capability::Kv));
        assert_eq!(Capability::from_import("scena:plugin/types@0.1.0"), None);
        assert_eq!(Capability::from_import("wasi:cli/stdout@0.2.0"), None);
    }

    #[test]
    fn names_round_trip() {
        for c in Capability::ALL {
            assert_eq!(c.as_str().parse::<Capability>(), Ok(c));
        }
        assert!("sockets".parse::<Capability>().unwrap_err().to_string().contains("sockets"));
    }
}
