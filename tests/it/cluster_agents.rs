//! Jobs on hosts in a cluster: an agent's one connection reaches one node,
//! a run is driven by whichever node started it, and the job's tasks, its
//! scripts' output and a revocation find their way between the two — real
//! `scena agent` processes, one of them behind a stand-in load balancer
//! that moves it to another node mid-job.

use std::time::Duration;

use serde_json::{Value, json};

use crate::api::jobs::{enrolment_token, job_lines, start_agent_at, until_connected};
use crate::api::wait_until_over;
use crate::support::TempDir;
use crate::support::cluster::Cluster;
use crate::support::forwarder::Forwarder;
use crate::support::server::Server;

const FLOWS: &str = "/api/v1/tenants/default/flows";

/// `start` → a `run-script` step running `script` on `hosts` → `end`.
fn scripted(name: &str, hosts: &[&str], script: &str) -> Value {
    json!({"name": name,
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "script", "kind": "step", "plugin": "run-script",
                 "input": {"hosts": hosts, "script": script, "timeout_ms": 60000, "poll_ms": 100}},
                {"id": "end", "kind": "end", "output": {"result": "${steps.script.output}"}}],
      "edges": [{"from": "start", "to": "script"}, {"from": "script", "to": "end"}]})
}

/// Publish `flow` through `node` and start a run of it there (so that node drives it): the run's path.
async fn start_on(node: &Server, flow: Value) -> String {
    let name = flow["name"].as_str().unwrap().to_string();
    assert_eq!(node.admin("PUT", &format!("{FLOWS}/{name}/draft"), Some(flow)).await.status, 200);
    assert_eq!(node.admin("POST", &format!("{FLOWS}/{name}/versions"), None).await.status, 201);
    let started = node.admin("POST", &format!("{FLOWS}/{name}/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap())
}

/// The lines the step `script` logged from the hosts' scripts, sorted.
async fn sorted_job_lines(node: &Server, run_path: &str) -> Vec<String> {
    let logs = node.admin("GET", &format!("{run_path}/logs?node=script&limit=500"), None).await.body;
    let mut lines = job_lines(&logs);
    lines.sort();
    lines
}

/// Wait (bounded) until the step has logged every line of `wanted`.
async fn until_logged(node: &Server, run_path: &str, wanted: &[&str]) {
    let mut seen = Vec::new();
    for _ in 0..400 {
        seen = sorted_job_lines(node, run_path).await;
        if wanted.iter().all(|line| seen.iter().any(|s| s == line)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the step never logged {wanted:?}; it logged {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_reach_agents_on_any_node_and_an_agent_moving_node_mid_job_loses_nothing() {
    let cluster = Cluster::start_with("cluster-agents", 2, "2s", &["run-script"], &["--agent-lost-after", "5s"]);
    let (n1, n2) = (&cluster.nodes[0], &cluster.nodes[1]);
    let dir = TempDir::new("cluster-agents");
    let token = enrolment_token(n1, "default").await;
    // `far` reaches the cluster through a balancer pointing at n2; `near` is connected to n1.
    let balancer = Forwarder::to(&n2.base).await;
    let mut far = start_agent_at(&balancer.base, &dir, &token, "far", "zone=eu-1");
    let _near = start_agent_at(&n1.base, &dir, &token, "near", "zone=eu-1");
    // Either node lists both as connected, wherever each is.
    until_connected(n1, "default", &[("far", true), ("near", true)]).await;
    until_connected(n2, "default", &[("far", true), ("near", true)]).await;
    let grants = json!({"hosts": {"*": ["zone=eu-1"]}});
    assert_eq!(n1.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);

    // A job n1 starts reaches `far` through n2; what it prints comes back while it runs, and once.
    let go = dir.path().join("go");
    let script =
        format!("echo first; while [ ! -f {} ]; do sleep 0.1; done; echo last; echo ran >> ran.log", go.display());
    let run = start_on(n1, scripted("both", &["far", "near"], &script)).await;
    until_logged(n1, &run, &["far: first", "near: first"]).await;
    std::fs::write(&go, "").unwrap();
    let ended = wait_until_over(n1, &run).await;
    assert_eq!(ended["status"], "succeeded", "{ended}");
    assert_eq!(sorted_job_lines(n1, &run).await, ["far: first", "far: last", "near: first", "near: last"]);

    // A job n2 drives on `far`; mid-job the balancer moves `far` to n1. n2 does
    // not take the agent for lost (it is connected, elsewhere), the outcome
    // arrives through n1, the output printed after the move too, and the
    // script ran once.
    let go_on = dir.path().join("go-on");
    let script = format!(
        "echo before; while [ ! -f {} ]; do sleep 0.1; done; echo after; echo ran >> moved.log",
        go_on.display()
    );
    let run = start_on(n2, scripted("moving", &["far"], &script)).await;
    until_logged(n2, &run, &["far: before"]).await;
    balancer.point_at(&n1.base);
    // Past the five seconds an agent has to come back: one taken for lost would have failed by now.
    tokio::time::sleep(Duration::from_secs(7)).await;
    until_connected(n2, "default", &[("far", true)]).await;
    std::fs::write(&go_on, "").unwrap();
    let ended = wait_until_over(n2, &run).await;
    assert_eq!(ended["status"], "succeeded", "{ended}");
    assert_eq!(sorted_job_lines(n2, &run).await, ["far: after", "far: before"]);
    let ran = std::fs::read_to_string(dir.path().join("far/moved.log")).unwrap();
    assert_eq!(ran, "ran\n", "the script ran once");

    // Revoked through n2 while connected to n1: cut off at once, refused on
    // reconnecting, and the agent ends with 3.
    assert_eq!(n2.admin("DELETE", "/api/v1/tenants/default/agents/far", None).await.status, 204);
    for _ in 0..400 {
        if let Some(status) = far.0.try_wait().unwrap() {
            assert_eq!(status.code(), Some(3));
            until_connected(n1, "default", &[("far", false), ("near", true)]).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the agent revoked on another node than its own was not cut off");
}
