//! A notification channel as a tenant configures it: a webhook (plain JSON
//! or a chat robot's format) or SMTP mail. The whole configuration is sealed
//! at rest (a robot's URL and a mail password are credentials); listings show
//! only `ChannelView`.

use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// `{"channel", "to", "subject", "body", "idempotency_key"}`
    #[default]
    Json,
    Slack,
    Feishu,
    Wecom,
    Dingtalk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    #[default]
    Tls,
    /// Plain, then STARTTLS, required (port 587).
    Starttls,
    /// No encryption: only for a relay on loopback or a private network.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Channel {
    Webhook {
        url: String,
        #[serde(default)]
        format: WebhookFormat,
    },
    Email {
        host: String,
        port: Option<u16>,
        #[serde(default)]
        security: SmtpSecurity,
        username: Option<String>,
        password: Option<String>,
        from: String,
    },
}

/// What a listing shows of a channel: never a URL's path or query, never a password.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ChannelView {
    #[schemars(extend("enum" = ["webhook", "email"]))]
    pub kind: &'static str,
    pub format: Option<WebhookFormat>,
    /// The host a webhook posts to, or the SMTP server as `host:port`.
    pub target: String,
    pub from: Option<String>,
}

impl Channel {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        match self {
            Channel::Webhook { url, .. } => match Url::parse(url) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
                Ok(url) => problems.push(format!("url: only http(s) URLs with a host, not `{}`", url.scheme())),
                Err(e) => problems.push(format!("url: {e}")),
            },
            Channel::Email { host, from, username, password, .. } => {
                if host.is_empty() || host.contains(['/', ' ', '@']) {
                    problems.push(format!("host: `{host}` is not a host name or address"));
                }
                if from.parse::<lettre::message::Mailbox>().is_err() {
                    problems.push(format!("from: `{from}` is not a mail address"));
                }
                if username.is_some() != password.is_some() {
                    problems.push("username and password go together".into());
                }
            }
        }
        problems
    }

    pub fn view(&self) -> ChannelView {
        match self {
            Channel::Webhook { url, format } => ChannelView {
                kind: "webhook",
                format: Some(*format),
                target: Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default(),
                from: None,
            },
            Channel::Email { host, port, security, from, .. } => ChannelView {
                kind: "email",
                format: None,
                target: format!("{host}:{}", port.unwrap_or(default_port(*security))),
                from: Some(from.clone()),
            },
        }
    }
}

pub fn default_port(security: SmtpSecurity) -> u16 {
    match security {
        SmtpSecurity::Tls => 465,
        SmtpSecurity::Starttls => 587,
        SmtpSecurity::None => 25,
    }
}
