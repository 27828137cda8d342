//! Webhook channels: one POST per message, in the receiver's format, through
//! the `http` atom's client (so the tenant's egress rules hold). A 2xx whose
//! body reports an error (chat robots answer `{"errcode": 93000, …}` with
//! 200) is a failure too.

use serde_json::{Value, json};

use super::WebhookFormat;
use crate::atoms::AtomCall;
use crate::bindings::scena::plugin::http as wit_http;
use crate::bindings::scena::plugin::notify::Message;
use crate::bindings::wit::AtomError;

fn text(message: &Message) -> String {
    if message.subject.is_empty() { message.body.clone() } else { format!("{}\n{}", message.subject, message.body) }
}

/// The body a receiver of `format` expects.
pub fn body(format: WebhookFormat, message: &Message, idempotency_key: &str) -> Value {
    match format {
        WebhookFormat::Json => json!({
            "channel": message.channel, "to": message.to, "subject": message.subject,
            "body": message.body, "idempotency_key": idempotency_key,
        }),
        WebhookFormat::Slack => {
            let mentions: String = message.to.iter().map(|u| format!("<@{u}> ")).collect();
            json!({"text": format!("{mentions}*{}*\n{}", message.subject, message.body)})
        }
        WebhookFormat::Feishu => json!({"msg_type": "text", "content": {"text": text(message)}}),
        WebhookFormat::Wecom => {
            json!({"msgtype": "text", "text": {"content": text(message), "mentioned_list": message.to}})
        }
        WebhookFormat::Dingtalk => {
            json!({"msgtype": "text", "text": {"content": text(message)}, "at": {"atUserIds": message.to}})
        }
    }
}

/// An error a robot reports in a 2xx body: WeCom and DingTalk `errcode`, Feishu `code`.
fn reported_error(answer: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(answer).ok()?;
    let code = value.get("errcode").or_else(|| value.get("code")).and_then(Value::as_i64)?;
    (code != 0).then(|| {
        let message = value.get("errmsg").or_else(|| value.get("msg")).and_then(Value::as_str).unwrap_or("");
        format!("error {code}: {message}")
    })
}

pub async fn send(call: &AtomCall, url: &str, format: WebhookFormat, message: &Message) -> Result<(), AtomError> {
    let key = call.idempotency_key.clone();
    let request = wit_http::Request {
        method: "POST".into(),
        url: url.to_string(),
        headers: vec![("content-type".into(), "application/json".into()), ("idempotency-key".into(), key.clone())],
        body: Some(body(format, message, &key).to_string().into_bytes()),
        timeout_ms: Some(10_000),
    };
    let channel = &message.channel;
    let response = call.http_send(request).await.map_err(|e| match e {
        AtomError::Denied(why) => AtomError::Denied(format!("channel `{channel}`: {why}")),
        AtomError::Failed(why) => AtomError::Failed(format!("channel `{channel}`: {why}")),
        other => other,
    })?;
    let status = response.status;
    if status == 429 || status >= 500 {
        return Err(AtomError::Failed(format!("channel `{channel}` answered {status}; try again")));
    }
    if !(200..300).contains(&status) {
        let answer = String::from_utf8_lossy(&response.body[..response.body.len().min(300)]).into_owned();
        return Err(AtomError::Invalid(format!("channel `{channel}` refused the message with {status}: {answer}")));
    }
    match reported_error(&response.body) {
        Some(why) => Err(AtomError::Invalid(format!("channel `{channel}` refused the message: {why}"))),
        None => Ok(()),
    }
}
