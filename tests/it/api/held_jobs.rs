//! Jobs started at an instant (`run-script`'s `at`, the `job` atom's
//! `start-at`) while their agent comes and goes: a script the server gave up
//! on while its agent was away never runs when the agent comes back holding it.

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::jobs::{enrolment_token, scripted, start_agent_at, start_run, until_connected};
use crate::support::TempDir;
use crate::support::forwarder::Forwarder;
use crate::support::server::serve_with;

/// The base of a loopback port nothing listens on: connections are refused.
async fn nowhere() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_script_whose_host_failed_while_its_agent_was_away_never_runs() {
    let server = serve_with("jobs-held-away", &["echo"], &["--agent-lost-after", "1s"]);
    let dir = TempDir::new("jobs-held-away");
    let token = enrolment_token(&server, "default").await;
    let balancer = Forwarder::to(&server.base).await;
    let _agent = start_agent_at(&balancer.base, &dir, &token, "game-1", "zone=eu-1");
    until_connected(&server, "default", &[("game-1", true)]).await;
    let grants = json!({"hosts": {"*": ["zone=eu-1"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);

    let at = SystemTime::now() + Duration::from_secs(20);
    let mut flow = scripted("held", json!("${steps.find.output.ids}"), "echo ran > ran.log");
    flow["nodes"][2]["input"]["at"] = json!(humantime::format_rfc3339_millis(at).to_string());
    let run_path = start_run(&server, flow).await;
    // The agent holds the script (a record per running job in its state dir).
    let held = dir.path().join("game-1").join("state").join("running");
    for _ in 0..400 {
        if std::fs::read_dir(&held).is_ok_and(|mut d| d.next().is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(std::fs::read_dir(&held).is_ok_and(|mut d| d.next().is_some()), "the agent got the task");

    // It goes away for longer than the server waits: its host fails, and the step with it.
    balancer.point_at(&nowhere().await);
    let ended = super::wait_until_over(&server, &run_path).await;
    assert_eq!(ended["status"], "failed", "{ended}");
    assert!(ended["nodes"]["script"]["error"].to_string().contains("game-1 (failed"), "{ended}");

    // It comes back before the instant, still holding the script: it is told to stop it.
    balancer.point_at(&server.base);
    until_connected(&server, "default", &[("game-1", true)]).await;
    let ran = dir.path().join("game-1").join("ran.log");
    let left = at.duration_since(SystemTime::now()).expect("the agent came back before the instant");
    tokio::time::sleep(left + Duration::from_secs(2)).await;
    assert!(!ran.exists(), "the script the server gave up on ran at its instant");
    assert!(std::fs::read_dir(&held).is_ok_and(|mut d| d.next().is_none()), "the agent let it go");
}
