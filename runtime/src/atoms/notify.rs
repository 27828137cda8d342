//! `notify`: no backend in this runtime yet; every call says so instead of pretending.

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::notify as wit_notify;
use crate::bindings::wit::AtomError;

impl wit_notify::Host for AtomCall {
    async fn send(&mut self, message: wit_notify::Message) -> AtomResult<()> {
        let result = Err(AtomError::Unavailable("the notify atom is not available in this runtime".into()));
        self.record("notify", format!("send to channel {}", message.channel), &result);
        Ok(result)
    }
}
