//! Notifications: the tenant's channels (a chat robot's webhook, SMTP mail)
//! reached through the `notify` atom only as granted — the channel to the
//! plugin, the channel's host to the tenant — with the step's idempotency key.

use serde_json::{Value, json};

use crate::support::http_fixture::{Fixture, Reply as FixtureReply};
use crate::support::server::{Server, serve};
use crate::support::smtp_sink::SmtpSink;

const TENANT: &str = "/api/v1/tenants/default";

fn notifying(name: &str, channel: &str, to: Value) -> Value {
    json!({"name": name,
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "tell", "kind": "step", "plugin": "notify", "retry": {"max_attempts": 2, "initial_ms": 10},
                 "input": {"channel": channel, "to": to, "subject": "Release 1.4.2", "body": "zone eu-1 is open"}},
                {"id": "end", "kind": "end", "output": {"sent": "${steps.tell.output.sent}"}}],
      "edges": [{"from": "start", "to": "tell"}, {"from": "tell", "to": "end"}]})
}

async fn run(server: &Server, name: &str, channel: &str, to: Value) -> Value {
    assert_eq!(
        server.admin("PUT", &format!("{TENANT}/flows/{name}/draft"), Some(notifying(name, channel, to))).await.status,
        200
    );
    let published = server.admin("POST", &format!("{TENANT}/flows/{name}/versions"), None).await;
    assert!(matches!(published.status, 200 | 201), "{}", published.body);
    let run =
        server.admin("POST", &format!("{TENANT}/flows/{name}/runs?wait_ms=30000"), Some(json!({"input": {}}))).await;
    assert_eq!(run.status, 200, "{}", run.body);
    run.body
}

async fn grant(server: &Server, grants: Value) {
    let put = server.admin("PUT", &format!("{TENANT}/grants"), Some(grants)).await;
    assert_eq!(put.status, 200, "{}", put.body);
}

fn header<'a>(seen: &'a crate::support::http_fixture::Seen, name: &str) -> Option<&'a str> {
    seen.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_robot_gets_the_message_in_its_format_only_when_granted() {
    let server = serve("notify-webhook");
    let robot = Fixture::start(|seen| {
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        match body["text"]["content"].as_str() {
            Some(text) if text.contains("eu-9") => {
                FixtureReply::json(200, r#"{"errcode": 93000, "errmsg": "invalid webhook url"}"#)
            }
            _ if seen.path.contains("busy") => FixtureReply::json(503, "{}"),
            _ => FixtureReply::json(200, r#"{"errcode": 0, "errmsg": "ok"}"#),
        }
    });
    let secret_key = "key=0123456789abcdef";
    let channel =
        json!({"kind": "webhook", "format": "wecom", "url": robot.url(&format!("/cgi-bin/webhook/send?{secret_key}"))});
    assert_eq!(server.admin("PUT", &format!("{TENANT}/channels/ops-chat"), Some(channel)).await.status, 204);
    let listed = server.admin("GET", &format!("{TENANT}/channels"), None).await;
    assert_eq!(listed.body["channels"][0]["target"], "127.0.0.1", "{}", listed.body);
    assert!(!listed.body.to_string().contains(secret_key), "the robot's key is never answered back");

    // The channel is not granted to the plugin: refused, naming the channel; nothing sent.
    let refused = run(&server, "tell", "ops-chat", json!(["alice"])).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    assert!(refused["nodes"]["tell"]["error"].to_string().contains("channel `ops-chat` is not granted"), "{refused}");
    // Granted to the plugin, but its host is not on the tenant's allow-list: refused too.
    grant(&server, json!({"notify": {"notify": ["ops-chat"]}})).await;
    let refused = run(&server, "tell", "ops-chat", json!(["alice"])).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    assert!(refused["nodes"]["tell"]["error"].to_string().contains("allow-list"), "{refused}");
    assert!(robot.seen.lock().unwrap().is_empty());

    grant(&server, json!({"notify": {"notify": ["ops-chat"]}, "http": ["127.0.0.1"]})).await;
    let sent = run(&server, "tell", "ops-chat", json!(["alice"])).await;
    assert_eq!((&sent["status"], &sent["output"]), (&json!("succeeded"), &json!({"sent": true})), "{sent}");
    let seen = robot.seen.lock().unwrap().last().cloned().unwrap();
    let body: Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(
        body,
        json!({"msgtype": "text", "text": {"content": "Release 1.4.2\nzone eu-1 is open", "mentioned_list": ["alice"]}})
    );
    assert!(header(&seen, "idempotency-key").is_some_and(|k| !k.is_empty()), "{seen:?}");

    // A robot's error in a 200 fails the step at once (not worth retrying).
    let mut flow = notifying("tell-bad", "ops-chat", json!([]));
    flow["nodes"][1]["input"]["body"] = json!("zone eu-9 is open");
    assert_eq!(server.admin("PUT", &format!("{TENANT}/flows/tell-bad/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{TENANT}/flows/tell-bad/versions"), None).await.status, 201);
    let failed = server
        .admin("POST", &format!("{TENANT}/flows/tell-bad/runs?wait_ms=30000"), Some(json!({"input": {}})))
        .await
        .body;
    assert_eq!((&failed["status"], &failed["nodes"]["tell"]["attempts"]), (&json!("failed"), &json!(1)), "{failed}");
    assert!(failed["nodes"]["tell"]["error"].to_string().contains("93000"), "{failed}");

    // A busy robot (503) is retried, then fails.
    let busy = json!({"kind": "webhook", "format": "slack", "url": robot.url("/busy")});
    assert_eq!(server.admin("PUT", &format!("{TENANT}/channels/busy"), Some(busy)).await.status, 204);
    grant(&server, json!({"notify": {"*": ["ops-chat", "busy"]}, "http": ["127.0.0.1"]})).await;
    let failed = run(&server, "tell-busy", "busy", json!([])).await;
    assert_eq!((&failed["status"], &failed["nodes"]["tell"]["attempts"]), (&json!("failed"), &json!(2)), "{failed}");

    // Bad channels are refused with the reason, and change nothing.
    for bad in [
        json!({"kind": "webhook", "url": "ftp://x"}),
        json!({"kind": "email", "host": "", "from": "nobody"}),
        json!({"kind": "sms"}),
    ] {
        let refused = server.admin("PUT", &format!("{TENANT}/channels/ops-chat"), Some(bad.clone())).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.body);
    }
    assert_eq!(
        server
            .admin("PUT", &format!("{TENANT}/channels/Bad Name"), Some(json!({"kind": "webhook", "url": "http://x"})))
            .await
            .status,
        422
    );
    assert_eq!(server.admin("DELETE", &format!("{TENANT}/channels/busy"), None).await.status, 204);
    assert_eq!(server.admin("DELETE", &format!("{TENANT}/channels/busy"), None).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_out_over_smtp_with_the_idempotency_key_as_its_message_id() {
    let server = serve("notify-mail");
    let sink = SmtpSink::start();
    let channel = json!({"kind": "email", "host": "127.0.0.1", "port": sink.port, "security": "none", "from": "scena <ops@example.com>"});
    assert_eq!(server.admin("PUT", &format!("{TENANT}/channels/oncall"), Some(channel)).await.status, 204);
    grant(&server, json!({"notify": {"notify": ["oncall"]}, "http": ["127.0.0.1"]})).await;

    let sent = run(&server, "mail", "oncall", json!(["alice@example.com", "bob@example.com"])).await;
    assert_eq!(sent["status"], "succeeded", "{sent}");
    let mail = sink.mails.lock().unwrap().last().cloned().unwrap();
    assert_eq!(mail.to, ["alice@example.com", "bob@example.com"]);
    assert_eq!(mail.from, "<ops@example.com>", "the channel's sender");
    assert!(mail.data.contains("Subject: Release 1.4.2") && mail.data.contains("zone eu-1 is open"), "{}", mail.data);
    assert!(mail.data.contains("Message-ID: <") && mail.data.contains("@scena>"), "{}", mail.data);

    // A recipient the server refuses for good fails the step without retrying.
    let refused = run(&server, "mail-refused", "oncall", json!(["reject@example.com"])).await;
    assert_eq!((&refused["status"], &refused["nodes"]["tell"]["attempts"]), (&json!("failed"), &json!(1)), "{refused}");
    // No recipient is the flow's mistake.
    let empty = run(&server, "mail-empty", "oncall", json!([])).await;
    assert!(empty["nodes"]["tell"]["error"].to_string().contains("at least one recipient"), "{empty}");
}
