//! `notify`: sends a message to people through one of the tenant's channels
//! (a chat robot, a webhook, mail). The tenant grants which channels this
//! plugin may use; a failure the channel calls temporary is retryable.

use scena_plugin::prelude::*;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// A channel of the tenant, e.g. `ops-chat`, `oncall-mail`.
    pub channel: String,
    /// Users, groups or addresses as the channel understands them (chat mentions, mail recipients).
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub sent: bool,
    pub channel: String,
    pub recipients: usize,
}

pub struct Notify;

impl Step for Notify {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "notify";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Notify";
    const DESCRIPTION: &'static str =
        "Sends a message through one of the tenant's channels: a chat robot (Slack, Feishu, WeCom, DingTalk), a webhook or mail.";
    const CATEGORY: &'static str = "ops";
    const CAPABILITIES: &'static [Capability] = &[Capability::Notify];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        let message = notify::Message {
            channel: input.channel.clone(),
            to: input.to.clone(),
            subject: input.subject,
            body: input.body,
        };
        notify::send(&message)?;
        done(Output { sent: true, channel: input.channel, recipients: input.to.len() })
    }
}

export_step!(Notify);
