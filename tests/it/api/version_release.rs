//! The version release on real hosts, as a bare `scena serve` publishes it:
//! three `scena agent` processes (two game hosts, one DB host) and stand-ins
//! for Alertmanager, the website's notices and the change tickets on
//! loopback. A release goes through every step in order on every host, posts
//! its notice, lifts its silence and closes its ticket; a release whose
//! verification fails on one host rolls back on all of them, posts no notice,
//! and lifts its silence and closes its ticket too.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::jobs::{enrolment_token, start_agent, until_connected};
use super::wait_until_over;
use crate::support::TempDir;
use crate::support::http_fixture::{Fixture, Reply, Seen};
use crate::support::server::{Server, serve_bare};

const HOSTS: [(&str, &str); 3] = [("game-1", "role=game"), ("game-2", "role=game"), ("db-1", "role=db")];

/// What a host's scripts wrote, a line each.
fn journal(agents: &TempDir, host: &str) -> Vec<String> {
    let text = std::fs::read_to_string(agents.path().join(host).join("release.log")).unwrap_or_default();
    text.lines().map(str::to_string).collect()
}

/// Answers as Alertmanager's API does (a silence made gets an id, deleting a
/// known one is 200), and takes notices and ticket updates.
fn services() -> Fixture {
    let made = Mutex::new(0u32);
    Fixture::start(move |seen: &Seen| match (seen.method.as_str(), seen.path.as_str()) {
        ("POST", "/api/v2/silences") => {
            let mut made = made.lock().unwrap();
            *made += 1;
            Reply::json(200, &json!({"silenceID": format!("silence-{made}")}).to_string())
        }
        ("DELETE", path) if path.starts_with("/api/v2/silence/silence-") => Reply::json(200, "{}"),
        ("POST", "/news" | "/tickets/CHG-7") => Reply::json(200, "{}"),
        _ => Reply::json(404, "{}"),
    })
}

async fn release(server: &Server, input: Value) -> Value {
    let path = "/api/v1/tenants/default/flows/version-release-on-hosts/runs?wait_ms=0";
    let started = server.admin("POST", path, Some(json!({"input": input}))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let run_path = format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap());
    wait_until_over(server, &run_path).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_version_release_runs_on_real_hosts_and_rolls_back_when_a_host_fails_verification() {
    let agents = TempDir::new("version-release-agents");
    let server = serve_bare("version-release");
    let alerts = services();
    let token = enrolment_token(&server, "default").await;
    let _agents: Vec<_> = HOSTS.iter().map(|(id, labels)| start_agent(&server, &agents, &token, id, labels)).collect();
    until_connected(&server, "default", &HOSTS.map(|(id, _)| (id, true))).await;
    let grants = json!({"hosts": {"*": ["role=game", "role=db"]}, "http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    let window = json!({
        "alertmanager": alerts.url(""),
        "maintenance_from": "2026-12-06T02:00:00Z",
        "maintenance_until": "2026-12-06T04:00:00Z",
        "notice_url": alerts.url("/news"),
        "ticket_url": alerts.url("/tickets/CHG-7"),
    });
    let with = |fields: Value| {
        let mut input = window.clone();
        input.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        input
    };

    // Verification reads back what the update wrote.
    let verify = "grep -qx \"update $VERSION\" release.log && echo verify >> release.log";
    let done =
        release(&server, with(json!({"version": "2.1.0", "previous_version": "2.0.9", "verify_script": verify}))).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        done["output"],
        json!({"result": "released", "version": "2.1.0", "hosts": ["game-1", "game-2"], "db_hosts": ["db-1"], "silence": "silence-1"}),
    );
    let released = ["backup", "close-entry", "stop", "update 2.1.0", "start", "verify", "open-entry"];
    for host in ["game-1", "game-2"] {
        assert_eq!(journal(&agents, host), released, "{host} went through the release in order");
    }
    assert_eq!(journal(&agents, "db-1"), ["backup-db", "db 2.1.0"], "the data is backed up and changed on the DB host");
    let calls: Vec<Seen> = alerts.seen.lock().unwrap().clone();
    let called: Vec<(&str, &str)> = calls.iter().map(|c| (c.method.as_str(), c.path.as_str())).collect();
    assert_eq!(
        called,
        [
            ("POST", "/api/v2/silences"),
            ("POST", "/news"),
            ("DELETE", "/api/v2/silence/silence-1"),
            ("POST", "/tickets/CHG-7")
        ]
    );
    let ticket: Value = serde_json::from_slice(&calls[3].body).unwrap();
    assert_eq!(ticket, json!({"state": "closed", "result": "released", "version": "2.1.0"}));
    let made: Value = serde_json::from_slice(&calls[0].body).unwrap();
    assert_eq!(made["startsAt"], "2026-12-06T02:00:00Z", "{made}");
    assert_eq!(made["comment"], "release 2.1.0", "{made}");
    assert_eq!(made["matchers"][0]["name"], "role", "{made}");

    // game-2 fails its verification: every game host goes back to the previous version.
    let failing = "[ \"$(basename \"$PWD\")\" != game-2 ] && echo verify >> release.log";
    let done =
        release(&server, with(json!({"version": "2.2.0", "previous_version": "2.1.0", "verify_script": failing})))
            .await;
    assert_eq!(done["status"], "succeeded", "the rollback route ends the run well: {done}");
    assert_eq!(done["output"]["result"], "rolled back", "{done}");
    assert_eq!(done["output"]["version"], "2.1.0", "{done}");
    assert!(done["output"]["failed"].as_str().is_some_and(|why| why.contains("game-2")), "{done}");
    assert_eq!(done["nodes"]["open_entry"]["status"], "skipped", "{done}");
    let second_run = |host: &str| journal(&agents, host)[released.len()..].to_vec();
    let verified = |ok: bool| if ok { vec!["verify"] } else { vec![] };
    for (host, passed) in [("game-1", true), ("game-2", false)] {
        let expected: Vec<&str> = ["backup", "close-entry", "stop", "update 2.2.0", "start"]
            .into_iter()
            .chain(verified(passed))
            .chain(["rollback 2.1.0", "start", "open-entry"])
            .collect();
        assert_eq!(second_run(host), expected, "{host}");
    }
    let calls = alerts.seen.lock().unwrap()[4..].to_vec();
    let called: Vec<(&str, &str)> = calls.iter().map(|c| (c.method.as_str(), c.path.as_str())).collect();
    assert_eq!(
        called,
        [("POST", "/api/v2/silences"), ("DELETE", "/api/v2/silence/silence-2"), ("POST", "/tickets/CHG-7")],
        "no notice for a release rolled back; its silence lifted and its ticket closed"
    );
    let ticket: Value = serde_json::from_slice(&calls[2].body).unwrap();
    assert_eq!(ticket, json!({"state": "closed", "result": "rolled back", "version": "2.2.0"}));
}
