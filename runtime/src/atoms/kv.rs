//! `kv`: the tenant's durable key/value state, private to each plugin. Needs no
//! grant: it reaches only the calling tenant's and plugin's own keys.
//!
//! Reads go to the store (and are remembered); writes stay in the call's
//! [`KvSession`] until the caller commits them with the call's outcome.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::kv as wit_kv;
use crate::bindings::wit::AtomError;
use crate::store::{KvWrite, KvWrites};

const MAX_KEY_BYTES: usize = 512;
const MAX_VALUE_BYTES: usize = 1 << 20;

/// Reads seen and writes made by one call.
#[derive(Debug, Default)]
pub struct KvSession {
    seen: BTreeMap<String, Option<String>>,
    written: BTreeMap<String, KvWrite>,
}

impl KvSession {
    pub fn into_writes(self) -> KvWrites {
        KvWrites { reads: self.seen, writes: self.written }
    }
}

impl AtomCall {
    async fn kv_read(&mut self, key: &str) -> Result<Option<String>, AtomError> {
        check_key(key)?;
        if let Some(write) = self.kv.written.get(key) {
            return Ok(match write {
                KvWrite::Put(value) => Some(value.clone()),
                KvWrite::Delete => None,
            });
        }
        if let Some(seen) = self.kv.seen.get(key) {
            return Ok(seen.clone());
        }
        let store = self
            .services
            .kv
            .as_ref()
            .ok_or_else(|| AtomError::Unavailable("the kv atom has no store in this runtime".into()))?;
        let value = store
            .read(&self.scope, key)
            .await
            .map_err(|e| AtomError::Failed(format!("kv read of `{key}` failed: {e}")))?;
        self.kv.seen.insert(key.to_string(), value.clone());
        Ok(value)
    }

    fn kv_write(&mut self, key: &str, write: KvWrite) -> Result<(), AtomError> {
        check_key(key)?;
        if let KvWrite::Put(value) = &write {
            check_value(value)?;
        }
        self.kv.written.insert(key.to_string(), write);
        Ok(())
    }

    async fn kv_increment(&mut self, key: &str, by: i64) -> Result<i64, AtomError> {
        let current = match self.kv_read(key).await? {
            None => 0,
            Some(text) => text
                .trim()
                .parse::<i64>()
                .map_err(|_| AtomError::Invalid(format!("value under `{key}` is not an integer: {text}")))?,
        };
        let next = current
            .checked_add(by)
            .ok_or_else(|| AtomError::Invalid(format!("incrementing `{key}` by {by} overflows")))?;
        self.kv_write(key, KvWrite::Put(next.to_string()))?;
        Ok(next)
    }

    async fn kv_compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<String>,
        value: String,
    ) -> Result<bool, AtomError> {
        let expected = expected.map(|e| parse_json(&e)).transpose()?;
        let current = self.kv_read(key).await?.map(|c| parse_json(&c)).transpose()?;
        if current != expected {
            return Ok(false);
        }
        self.kv_write(key, KvWrite::Put(value))?;
        Ok(true)
    }

    async fn kv_list_keys(&mut self, prefix: &str, limit: u32) -> Result<Vec<String>, AtomError> {
        let store = self
            .services
            .kv
            .as_ref()
            .ok_or_else(|| AtomError::Unavailable("the kv atom has no store in this runtime".into()))?;
        // Keys this call deleted may hide some stored ones: read enough to fill `limit`.
        let hidden = self.kv.written.values().filter(|w| **w == KvWrite::Delete).count();
        let stored = store
            .list_keys(&self.scope, prefix, limit.saturating_add(hidden as u32))
            .await
            .map_err(|e| AtomError::Failed(format!("kv list failed: {e}")))?;
        let mut keys: std::collections::BTreeSet<String> = stored.into_iter().collect();
        for (key, write) in self.kv.written.range(prefix.to_string()..) {
            if !key.starts_with(prefix) {
                break;
            }
            match write {
                KvWrite::Put(_) => keys.insert(key.clone()),
                KvWrite::Delete => keys.remove(key),
            };
        }
        Ok(keys.into_iter().take(limit as usize).collect())
    }
}

fn check_key(key: &str) -> Result<(), AtomError> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(AtomError::Invalid(format!("kv keys are 1 to {MAX_KEY_BYTES} bytes, got {}", key.len())));
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), AtomError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(AtomError::Invalid(format!("kv values are at most 1 MiB, got {} bytes", value.len())));
    }
    parse_json(value).map(drop)
}

fn parse_json(text: &str) -> Result<Value, AtomError> {
    serde_json::from_str(text).map_err(|e| AtomError::Invalid(format!("kv values are JSON text: {e}")))
}

impl wit_kv::Host for AtomCall {
    async fn get(&mut self, key: String) -> AtomResult<Option<String>> {
        let result = self.kv_read(&key).await;
        self.record("kv", format!("get {key}"), &result);
        Ok(result)
    }

    async fn set(&mut self, key: String, value: String) -> AtomResult<()> {
        let result = self.kv_write(&key, KvWrite::Put(value));
        self.record("kv", format!("set {key}"), &result);
        Ok(result)
    }

    async fn delete(&mut self, key: String) -> AtomResult<bool> {
        let result = match self.kv_read(&key).await {
            Ok(existed) => self.kv_write(&key, KvWrite::Delete).map(|()| existed.is_some()),
            Err(e) => Err(e),
        };
        self.record("kv", format!("delete {key}"), &result);
        Ok(result)
    }

    async fn increment(&mut self, key: String, by: i64) -> AtomResult<i64> {
        let result = self.kv_increment(&key, by).await;
        self.record("kv", format!("increment {key} by {by}"), &result);
        Ok(result)
    }

    async fn compare_and_swap(&mut self, key: String, expected: Option<String>, value: String) -> AtomResult<bool> {
        let result = self.kv_compare_and_swap(&key, expected, value).await;
        self.record("kv", format!("compare-and-swap {key}"), &result);
        Ok(result)
    }

    async fn list_keys(&mut self, prefix: String, limit: u32) -> AtomResult<Vec<String>> {
        let result = self.kv_list_keys(&prefix, limit).await;
        self.record("kv", format!("list-keys {prefix:?} limit {limit}"), &result);
        Ok(result)
    }
}
