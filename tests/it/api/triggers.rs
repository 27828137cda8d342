//! Runs started without a person: webhooks and cron schedules.

use std::time::Duration;

use serde_json::{Value, json};
use sha2::Digest as _;

use super::*;
use crate::support::server::{Reply, serve, serve_logging, serve_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_starts_runs_until_it_is_rotated_or_removed() {
    // Logging every request, to show the ids stay out of the server's log too.
    let server = serve_logging("api-webhook", &["echo", "kv"], &[], Some("debug"));
    let hook_of = |reply: &Reply| reply.body["path"].as_str().unwrap().to_string();
    assert_eq!(
        server.admin("PUT", &format!("{FLOWS}/zones/webhook"), None).await.status,
        404,
        "no published version yet"
    );
    server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    let first = hook_of(&server.admin("PUT", &format!("{FLOWS}/zones/webhook"), None).await);

    let fired = server.call("POST", &first, None, Some(json!({"zone": "hooked"}).to_string())).await;
    assert_eq!(fired.status, 202, "{}", fired.body);
    let run = wait_until(
        &server,
        &format!("/api/v1/tenants/default/runs/{}", fired.body["run"].as_str().unwrap()),
        "waiting",
    )
    .await;
    assert_eq!(run["input"], json!({"zone": "hooked"}));
    let bad = server.call("POST", &first, None, Some(json!({"zone": 5}).to_string())).await;
    assert_eq!((bad.status, bad.body["error"]["code"].as_str()), (422, Some("invalid_input")));
    assert_eq!(server.call("POST", &first, None, Some("{oops".into())).await.status, 400);

    let id = first.trim_start_matches("/hooks/");
    let hashed = hex::encode(sha2::Sha256::digest(id.as_bytes()));
    assert!(!server.database_holds(id) && server.database_holds(&hashed), "a webhook id is stored as its sha256 only");
    let second = hook_of(&server.admin("PUT", &format!("{FLOWS}/zones/webhook"), None).await);
    assert_ne!(first, second);
    assert_eq!(server.call("POST", &first, None, Some("{}".into())).await.status, 404, "the rotated id stops working");
    assert_eq!(server.call("POST", &second, None, Some(json!({"zone": "b"}).to_string())).await.status, 202);
    assert_eq!(server.admin("DELETE", &format!("{FLOWS}/zones/webhook"), None).await.status, 204);
    assert_eq!(server.call("POST", &second, None, Some("{}".into())).await.status, 404);

    let log = server.admin("GET", "/api/v1/tenants/default/audit", None).await.body["entries"].clone();
    let hooks: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["resource"] == "/hooks/…").collect();
    assert!(hooks.iter().any(|e| e["who"] == "webhook of zones" && e["status"] == 202), "{log}");
    assert!(!log.to_string().contains(second.trim_start_matches("/hooks/")), "webhook ids stay out of the audit log");
    for _ in 0..600 {
        if server.log().contains("path=/hooks/…") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let server_log = server.log();
    assert!(server_log.contains("path=/hooks/…"), "requests are logged at debug level: {server_log}");
    for id in [&first, &second] {
        assert!(!server_log.contains(id.trim_start_matches("/hooks/")), "webhook ids stay out of the server's log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_schedules_start_runs_until_removed() {
    let server = serve_with("api-cron", &["kv"], &[]);
    let mut flow = one_step("tick", "kv", json!({"op": "increment", "key": "ticks"}));
    flow["inputs"] =
        json!({"type": "object", "properties": {"zone": {"type": "string"}}, "additionalProperties": false});
    server.publish("default", flow).await;
    let schedules = format!("{}/flows/tick/schedules", tenant("default"));
    for (body, why) in [
        (json!({"cron": "61 * * * *"}), "a bad expression"),
        (json!({"cron": "* * * * *", "timezone": "Mars/Olympus"}), "a bad zone"),
        (json!({"cron": "* * * * *", "input": {"extra": 1}}), "an input the flow refuses"),
    ] {
        let refused = server.admin("POST", &schedules, Some(body)).await;
        assert_eq!(refused.status, 422, "{why}: {}", refused.body);
    }
    assert_eq!(
        server
            .admin("POST", &format!("{}/flows/nope/schedules", tenant("default")), Some(json!({"cron": "* * * * *"})))
            .await
            .status,
        404
    );

    // Every second (a leading seconds field), so the test need not wait a minute.
    let made = server
        .admin(
            "POST",
            &schedules,
            Some(json!({"cron": "* * * * * *", "timezone": "Europe/Paris", "input": {"zone": "a"}})),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_string();
    let mut started = 0;
    for _ in 0..100 {
        started = runs_of(&server).await;
        if started >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(started >= 2, "the schedule started runs: {started}");
    let listed = server.admin("GET", &schedules, None).await;
    assert!(listed.body["schedules"][0]["last_run"].is_string(), "{}", listed.body);
    // Each run a schedule starts is in the audit log as the schedule's doing
    // (the first run's row is written before the second tick fires).
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    let by_schedule =
        |e: &&Value| e["who"] == format!("cron schedule {id}") && e["status"] == 201 && e["action"] == "run";
    assert!(audit.body["entries"].as_array().unwrap().iter().any(|e| by_schedule(&e)), "{}", audit.body);

    // A second schedule is the witness of time passing on the server's own
    // clock: once it has ticked three more times, the removed one would have
    // ticked at least twice (one tick claimed before the removal may still run).
    server.publish("default", one_step("witness", "kv", json!({"op": "increment", "key": "witness"}))).await;
    let witness = format!("{}/flows/witness/schedules", tenant("default"));
    assert_eq!(server.admin("POST", &witness, Some(json!({"cron": "* * * * * *"}))).await.status, 201);
    assert_eq!(server.admin("DELETE", &format!("{schedules}/{id}"), None).await.status, 204);
    let removed_at = runs_of(&server).await;
    let witness_runs = || async {
        server.admin("GET", &format!("{}/runs?flow=witness", tenant("default")), None).await.body["runs"]
            .as_array()
            .unwrap()
            .len()
    };
    let witnessed = witness_runs().await;
    for _ in 0..200 {
        if witness_runs().await >= witnessed + 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(witness_runs().await >= witnessed + 3, "the witness schedule kept ticking");
    assert!(runs_of(&server).await <= removed_at + 1, "no runs after the schedule is removed");
    assert_eq!(server.admin("DELETE", &format!("{schedules}/{id}"), None).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_preview_lists_its_next_ticks_in_its_zone() {
    let server = serve("schedule-preview");
    let preview = "/api/v1/tenants/default/schedules/preview";
    let shown =
        server.admin("GET", &format!("{preview}?cron=30%209%20*%20*%20*&timezone=Asia/Shanghai&count=3"), None).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    let next: Vec<&str> = shown.body["next"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(next.len(), 3, "{next:?}");
    assert!(next.iter().all(|t| t.contains("T09:30:00") && t.ends_with("+08:00")), "{next:?}");
    assert!(next.windows(2).all(|w| w[0] < w[1]), "in order: {next:?}");
    for bad in ["?cron=61%20*%20*%20*%20*", "?cron=*%20*%20*%20*%20*&timezone=Mars/Olympus", "?timezone=UTC"] {
        let refused = server.admin("GET", &format!("{preview}{bad}"), None).await;
        assert!(matches!(refused.status, 400 | 422), "{bad}: {}", refused.body);
    }
}
