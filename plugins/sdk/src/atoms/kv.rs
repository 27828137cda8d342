//! Durable key/value state of this tenant and plugin (capability `kv`).
//! Writes commit together when the call finishes; see the WIT for the rules.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::bindings::scena::plugin::kv as raw;
use crate::AtomError;

/// The value under `key`, deserialised, or `None` if absent.
pub fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, AtomError> {
    match raw::get(key)? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| AtomError::Invalid(format!("value under `{key}` does not fit the requested type: {e}"))),
    }
}

pub fn set<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), AtomError> {
    Ok(raw::set(key, &to_json(value)?)?)
}

/// True if the key existed.
pub fn delete(key: &str) -> Result<bool, AtomError> {
    Ok(raw::delete(key)?)
}

/// Add `by` (a missing key counts as 0); returns the new value.
pub fn increment(key: &str, by: i64) -> Result<i64, AtomError> {
    Ok(raw::increment(key, by)?)
}

/// Store `value` only if the current value equals `expected` (`None`: absent).
pub fn compare_and_swap<E: Serialize + ?Sized, T: Serialize + ?Sized>(
    key: &str,
    expected: Option<&E>,
    value: &T,
) -> Result<bool, AtomError> {
    let expected = expected.map(to_json).transpose()?;
    Ok(raw::compare_and_swap(key, expected.as_deref(), &to_json(value)?)?)
}

pub fn list_keys(prefix: &str, limit: u32) -> Result<Vec<String>, AtomError> {
    Ok(raw::list_keys(prefix, limit)?)
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, AtomError> {
    serde_json::to_string(value).map_err(|e| AtomError::Invalid(format!("value is not serialisable: {e}")))
}
