//! Tenant secrets (capability `secrets`). Never log what you read.

use crate::bindings::scena::plugin::secrets as raw;
use crate::AtomError;

pub fn get(name: &str) -> Result<String, AtomError> {
    Ok(raw::get(name)?)
}
