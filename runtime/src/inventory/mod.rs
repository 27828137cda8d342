//! The host inventory (CMDB) a tenant keeps: hosts with labels, the label
//! selectors that pick them (for listing, for the `cmdb` atom, and for the
//! `hosts` grant), and bulk import/export. Stored by `store::hosts`.

mod import;
mod selector;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use import::{ImportError, export_csv, parse_csv, parse_json};
pub use selector::{Selector, SelectorSet};

/// One host as kept in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub id: String,
    pub hostname: String,
    pub ip: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The agent serving this host, once one enrolled for it.
    #[serde(default, skip_deserializing)]
    pub agent: Option<String>,
    /// When its agent was last heard from.
    #[serde(default, skip_deserializing)]
    pub last_seen: Option<String>,
}

/// What a host id, a label key or value may be: short, printable, no separators
/// the selector syntax uses.
fn check_token(what: &str, text: &str, most: usize) -> Result<(), String> {
    let ok = !text.is_empty()
        && text.len() <= most
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':'));
    if ok { Ok(()) } else { Err(format!("{what} `{text}` must be 1-{most} of a-z A-Z 0-9 - _ . / :")) }
}

impl Host {
    /// Every problem of this host, each naming the field.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(e) = check_token("id", &self.id, 128) {
            problems.push(e);
        }
        let hostname_ok = !self.hostname.is_empty()
            && self.hostname.len() <= 253
            && self.hostname.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !hostname_ok {
            problems.push(format!("hostname `{}` is not a host name", self.hostname));
        }
        if self.ip.parse::<std::net::IpAddr>().is_err() {
            problems.push(format!("ip `{}` is not an IPv4 or IPv6 address", self.ip));
        }
        if self.labels.len() > 64 {
            problems.push(format!("{} labels: at most 64", self.labels.len()));
        }
        for (key, value) in &self.labels {
            if let Err(e) = check_token("label", key, 63) {
                problems.push(e);
            }
            if let Err(e) = check_token(&format!("the value of label `{key}`"), value, 128) {
                problems.push(e);
            }
        }
        problems
    }
}
