//! `notify`: messages to people through the tenant's channels — a webhook
//! (JSON, or a Slack, Feishu/Lark, WeCom or DingTalk robot) or SMTP mail. A
//! plugin sends only to channels the tenant granted it (`notify` in the grant
//! document), and a channel reaches only hosts the tenant's `http` grant
//! admits, checked as the `http` atom checks them. Sending is at least once:
//! the step's idempotency key travels with every message, for receivers
//! that deduplicate.

mod channel;
mod email;
mod webhook;

pub use channel::{Channel, ChannelView, SmtpSecurity, WebhookFormat};

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::notify as wit_notify;
use crate::bindings::wit::AtomError;

/// The most a message's subject and body may hold, and the most recipients.
const MAX_SUBJECT: usize = 1_000;
const MAX_BODY: usize = 64 << 10;
const MAX_RECIPIENTS: usize = 100;

impl AtomCall {
    async fn notify(&self, message: &wit_notify::Message) -> Result<(), AtomError> {
        if message.subject.len() > MAX_SUBJECT || message.body.len() > MAX_BODY || message.to.len() > MAX_RECIPIENTS {
            return Err(AtomError::Invalid(format!(
                "a message has at most a {MAX_SUBJECT}-byte subject, a {MAX_BODY}-byte body and {MAX_RECIPIENTS} recipients"
            )));
        }
        let channel = self.grants.channels.get(&message.channel).ok_or_else(|| {
            AtomError::Denied(format!(
                "channel `{}` is not granted to plugin `{}` of tenant `{}` (or does not exist)",
                message.channel, self.scope.plugin, self.scope.tenant
            ))
        })?;
        match channel {
            Channel::Webhook { url, format } => webhook::send(self, url, *format, message).await,
            Channel::Email { .. } => email::send(self, channel, message).await,
        }
    }
}

impl wit_notify::Host for AtomCall {
    async fn send(&mut self, message: wit_notify::Message) -> AtomResult<()> {
        let result = self.notify(&message).await;
        self.record(
            "notify",
            format!("send to channel {} ({} recipients)", message.channel, message.to.len()),
            &result,
        );
        Ok(result)
    }
}
