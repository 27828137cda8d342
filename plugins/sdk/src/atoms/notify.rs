//! Notifications to people (capability `notify`).

use crate::bindings::scena::plugin::notify as raw;
use crate::AtomError;

pub use raw::Message;

pub fn send(message: &Message) -> Result<(), AtomError> {
    Ok(raw::send(message)?)
}
