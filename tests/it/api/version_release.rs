//! The version release on real hosts, as a bare `scena serve` publishes it:
//! three `scena agent` processes (two game hosts, one DB host) and an
//! Alertmanager stand-in on loopback. A release goes through every step in
//! order on every host and lifts its silence; a release whose verification
//! fails on one host rolls back on all of them, and lifts its silence too.

use std::sync::{Arc, Mutex};

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

/// Answers as Alertmanager's API does: a silence made gets an id, deleting a known one is 200.
fn alertmanager() -> (Fixture, Arc<Mutex<u32>>) {
    let made = Arc::new(Mutex::new(0u32));
    let count = made.clone();
    let fixture = Fixture::start(move |seen: &Seen| match (seen.method.as_str(), seen.path.as_str()) {
        ("POST", "/api/v2/silences") => {
            let mut made = count.lock().unwrap();
            *made += 1;
            Reply::json(200, &json!({"silenceID": format!("silence-{made}")}).to_string())
        }
        ("DELETE", path) if path.starts_with("/api/v2/silence/silence-") => Reply::json(200, "{}"),
        _ => Reply::json(404, "{}"),
    });
    (fixture, made)
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
    let (alerts, _) = alertmanager();
    let token = enrolment_token(&server, "default").await;
    let _agents: Vec<_> = HOSTS.iter().map(|(id, labels)| start_agent(&server, &agents, &token, id, labels)).collect();
    until_connected(&server, "default", &HOSTS.map(|(id, _)| (id, true))).await;
    let grants = json!({"hosts": {"*": ["role=game", "role=db"]}, "http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    let window = json!({
        "alertmanager": alerts.url(""),
        "maintenance_from": "2026-12-06T02:00:00Z",
        "maintenance_until": "2026-12-06T04:00:00Z",
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
    let released = ["close-entry", "stop", "update 2.1.0", "start", "verify", "open-entry"];
    for host in ["game-1", "game-2"] {
        assert_eq!(journal(&agents, host), released, "{host} went through the release in order");
    }
    assert_eq!(journal(&agents, "db-1"), ["db 2.1.0"], "the database change ran on the DB host alone");
    let calls: Vec<Seen> = alerts.seen.lock().unwrap().clone();
    let made: Value = serde_json::from_slice(&calls[0].body).unwrap();
    assert_eq!((calls[0].method.as_str(), calls[0].path.as_str()), ("POST", "/api/v2/silences"));
    assert_eq!(made["startsAt"], "2026-12-06T02:00:00Z", "{made}");
    assert_eq!(made["comment"], "release 2.1.0", "{made}");
    assert_eq!(made["matchers"][0]["name"], "role", "{made}");
    assert_eq!((calls[1].method.as_str(), calls[1].path.as_str()), ("DELETE", "/api/v2/silence/silence-1"));
    assert_eq!(calls.len(), 2, "one silence made and lifted");

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
        let expected: Vec<&str> = ["close-entry", "stop", "update 2.2.0", "start"]
            .into_iter()
            .chain(verified(passed))
            .chain(["rollback 2.1.0", "start", "open-entry"])
            .collect();
        assert_eq!(second_run(host), expected, "{host}");
    }
    let calls = alerts.seen.lock().unwrap().clone();
    assert_eq!(calls.len(), 4, "the second silence is lifted too: {calls:?}");
    assert_eq!((calls[3].method.as_str(), calls[3].path.as_str()), ("DELETE", "/api/v2/silence/silence-2"));
}
