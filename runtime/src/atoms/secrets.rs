//! `secrets`: values granted to the tenant. The grant check is the lookup:
//! a secret that is not granted does not exist for the plugin.

use std::collections::BTreeMap;

use super::{AtomCall, AtomResult};
use crate::sandbox::bindings::scena::plugin::secrets as wit_secrets;
use crate::sandbox::bindings::wit::AtomError;

/// Secret names: a letter or `_`, then letters, digits, `_`, `.`, `-`; at most 128.
pub fn valid_secret_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && name.len() <= 128
}

/// Secret name → value, as granted to the calling tenant.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretGrants(BTreeMap<String, String>);

impl SecretGrants {
    pub fn grant(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.to_string());
    }

    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

// Never print values, not even in debug output.
impl std::fmt::Debug for SecretGrants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl wit_secrets::Host for AtomCall {
    async fn get(&mut self, name: String) -> AtomResult<String> {
        let result = match self.grants.secrets.lookup(&name) {
            Some(value) => Ok(value.to_string()),
            None => Err(AtomError::Denied(format!(
                "secret `{name}` is not granted to tenant `{}`",
                self.scope.tenant
            ))),
        };
        self.record("secrets", format!("get {name}"), &result);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_values() {
        let mut grants = SecretGrants::default();
        grants.grant("API_TOKEN", "hunter2");
        let shown = format!("{grants:?}");
        assert!(shown.contains("API_TOKEN"));
        assert!(!shown.contains("hunter2"));
    }
}
