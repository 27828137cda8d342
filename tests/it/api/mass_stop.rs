//! The mass-stop sample end to end, as a bare `scena serve` publishes it,
//! on six real `scena agent` processes: no wave stops before its instant
//! (each is sent ahead and held by the agents), the waves go low → medium → the rest, an operator confirms, and the
//! restart goes the other way; the run's output is the report.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::on_hosts::agents_granted;
use super::{wait_until, wait_until_over};
use crate::support::TempDir;
use crate::support::server::serve_bare;

const HOSTS: [(&str, &str); 6] = [
    ("low-1", "role=game,priority=low"),
    ("low-2", "role=game,priority=low"),
    ("mid-1", "role=game,priority=medium"),
    ("mid-2", "role=game,priority=medium"),
    ("play-1", "role=game"),
    ("play-2", "role=game,priority=high"),
];

/// The (action, nanoseconds since the epoch) lines a host's scripts wrote.
fn journal(agents: &TempDir, host: &str) -> Vec<(String, u128)> {
    let text = std::fs::read_to_string(agents.path().join(host).join("service.log")).unwrap_or_default();
    text.lines()
        .map(|line| {
            let (action, at) = line.split_once(' ').unwrap();
            (action.to_string(), at.parse().unwrap())
        })
        .collect()
}

/// When each host of `hosts` did `action` (each exactly once).
fn times(agents: &TempDir, hosts: &[&str], action: &str) -> Vec<u128> {
    hosts
        .iter()
        .map(|host| {
            let done: Vec<u128> =
                journal(agents, host).into_iter().filter(|(a, _)| a == action).map(|(_, t)| t).collect();
            assert_eq!(done.len(), 1, "{host} did `{action}` once: {:?}", journal(agents, host));
            done[0]
        })
        .collect()
}

fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mass_stop_sample_stops_in_waves_at_the_instant_asked_and_restarts_in_reverse() {
    let agents = TempDir::new("mass-stop-agents");
    let server = serve_bare("mass-stop");
    let _agents = agents_granted(&server, &agents, &HOSTS, json!({"hosts": {"*": ["role=game"]}})).await;

    // Whole milliseconds, as the instant is written.
    let in_ms = (SystemTime::now() + Duration::from_millis(1500)).duration_since(UNIX_EPOCH).unwrap().as_millis();
    let stop_at = UNIX_EPOCH + Duration::from_millis(in_ms as u64);
    let input = json!({
        "stop_at": rfc3339(stop_at), "start_at": rfc3339(SystemTime::now()), "wave_gap_ms": 300,
        "stop_script": "echo \"stop $(date +%s%N)\" >> service.log",
        "start_script": "echo \"start $(date +%s%N)\" >> service.log",
    });
    let started = server
        .admin("POST", "/api/v1/tenants/default/flows/mass-stop/runs?wait_ms=0", Some(json!({"input": input})))
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let run_path = format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap());
    let waiting = wait_until(&server, &run_path, "waiting").await;
    assert_eq!(waiting["nodes"]["confirm"]["status"], "awaiting_decision", "{waiting}");

    let stop_at_ns = stop_at.duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let low = times(&agents, &["low-1", "low-2"], "stop");
    let medium = times(&agents, &["mid-1", "mid-2"], "stop");
    let high = times(&agents, &["play-1", "play-2"], "stop");
    assert!(low.iter().all(|&t| t >= stop_at_ns), "nothing stops before the instant asked: {low:?} vs {stop_at_ns}");
    // The next wave was sent as soon as the first ended, and held by its agents until its own instant.
    let medium_at_ns = stop_at_ns + 300_000_000;
    assert!(
        medium.iter().all(|&t| t >= medium_at_ns),
        "the second wave waits for its instant: {medium:?} vs {medium_at_ns}"
    );
    let (last_low, last_medium) = (low.iter().max().unwrap(), medium.iter().max().unwrap());
    assert!(medium.iter().all(|t| t > last_low) && high.iter().all(|t| t > last_medium), "{low:?} {medium:?} {high:?}");
    for host in HOSTS.map(|(id, _)| id) {
        assert!(!journal(&agents, host).iter().any(|(a, _)| a == "start"), "no restart before the confirmation");
    }

    let approve = format!("{run_path}/nodes/confirm/approve");
    let approved = server.admin("POST", &approve, Some(json!({"comment": "all stopped"}))).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let done = wait_until_over(&server, &run_path).await;
    assert_eq!(done["status"], "succeeded", "{done}");

    let started_high = times(&agents, &["play-1", "play-2"], "start");
    let started_medium = times(&agents, &["mid-1", "mid-2"], "start");
    let started_low = times(&agents, &["low-1", "low-2"], "start");
    let (last_high, last_medium) = (started_high.iter().max().unwrap(), started_medium.iter().max().unwrap());
    assert!(
        started_medium.iter().all(|t| t > last_high) && started_low.iter().all(|t| t > last_medium),
        "the restart goes high → medium → low"
    );
    let report = &done["output"];
    let wave = |hosts: &[&str]| json!({"hosts": hosts, "failed": Value::Array(vec![])});
    assert_eq!(report["stopped"]["low"], wave(&["low-1", "low-2"]), "{report}");
    assert_eq!(report["stopped"]["high"], wave(&["play-1", "play-2"]), "{report}");
    assert_eq!(report["started"]["medium"], wave(&["mid-1", "mid-2"]), "{report}");
    assert!(report["confirmed_by"].is_string(), "{report}");
}
