//! `secrets`: values granted to the tenant. The grant check is the lookup:
//! a secret that is not granted does not exist for the plugin.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::secrets as wit_secrets;
use crate::bindings::wit::AtomError;

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

/// The secret values handed to one call. They are masked in everything the
/// call leaves behind — output, pending state, error, log lines, captured
/// stdout/stderr, atom records — so a plugin may use a secret but cannot
/// publish it into run history.
#[derive(Default)]
pub struct Revealed(Vec<String>);

impl Revealed {
    pub const MASK: &'static str = "[secret]";
    /// Shorter values are left alone: masking every `ab` would garble output
    /// and protect nothing.
    pub const MIN_LEN: usize = 4;

    fn note(&mut self, value: &str) {
        if value.len() >= Self::MIN_LEN && !self.0.iter().any(|v| v == value) {
            self.0.push(value.to_string());
            // Longest first, so a secret containing another is masked whole.
            self.0.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn mask(&self, text: &mut String) {
        for value in &self.0 {
            if text.contains(value.as_str()) {
                *text = text.replace(value.as_str(), Self::MASK);
            }
        }
    }

    /// Mask every string and object key in `value`.
    pub fn mask_json(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(text) => self.mask(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.mask_json(item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (mut key, mut item) in entries {
                    self.mask(&mut key);
                    self.mask_json(&mut item);
                    map.insert(key, item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

impl wit_secrets::Host for AtomCall {
    async fn get(&mut self, name: String) -> AtomResult<String> {
        let result = match self.grants.secrets.lookup(&name) {
            Some(value) => {
                self.revealed.note(value);
                Ok(value.to_string())
            }
            None => Err(AtomError::Denied(format!("secret `{name}` is not granted to tenant `{}`", self.scope.tenant))),
        };
        self.record("secrets", format!("get {name}"), &result);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revealed_values_are_masked_in_text_keys_and_nested_json() {
        let mut revealed = Revealed::default();
        revealed.note("hunter2");
        revealed.note("hunter2-and-more");
        revealed.note("abc"); // too short to mask
        let mut value =
            serde_json::json!({"hunter2": ["x hunter2-and-more y", {"k": "hunter2hunter2"}], "n": 7, "abc": "abc"});
        revealed.mask_json(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"[secret]": ["x [secret] y", {"k": "[secret][secret]"}], "n": 7, "abc": "abc"})
        );
        let mut text = "token=hunter2;".to_string();
        revealed.mask(&mut text);
        assert_eq!(text, "token=[secret];");
    }

    #[test]
    fn debug_output_hides_values() {
        let mut grants = SecretGrants::default();
        grants.grant("API_TOKEN", "hunter2");
        let shown = format!("{grants:?}");
        assert!(shown.contains("API_TOKEN"));
        assert!(!shown.contains("hunter2"));
    }
}
