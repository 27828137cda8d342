//! Several `scena serve` nodes on one PostgreSQL schema: runs driven under
//! leases, a killed or frozen node's runs finished by the others with
//! nothing lost or run twice, operators' events reaching the node driving a
//! run, and what one node stores (plugins) seen by the others.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::cluster::{CLUSTER_KEY, Cluster, signal};
use crate::support::flows::{count_twice_flow, counting_flow};
use crate::support::server::{Server, on_own_runtime};

const FLOWS: &str = "/api/v1/tenants/default/flows";
const RUNS: &str = "/api/v1/tenants/default/runs";

/// Five increments (waits of 250 ms between), three foreach items and two in a subflow.
fn relay_flow() -> Value {
    counting_flow("relay", 5, 3, 250)
}

async fn publish(node: &Server, flow: Value) {
    let name = flow["name"].as_str().unwrap().to_string();
    let saved = node.admin("PUT", &format!("{FLOWS}/{name}/draft"), Some(flow)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let published = node.admin("POST", &format!("{FLOWS}/{name}/versions"), None).await;
    assert_eq!(published.status, 201, "{}", published.body);
}

async fn start_run(node: &Server, flow: &str, input: Value) -> String {
    let started = node.admin("POST", &format!("{FLOWS}/{flow}/runs?wait_ms=0"), Some(json!({"input": input}))).await;
    assert!([201, 202].contains(&started.status), "{}", started.body);
    started.body["id"].as_str().unwrap().to_string()
}

/// Wait (bounded) until every run has ended, asking node `n` of the cluster; their views.
async fn all_over(cluster: &Cluster, n: usize, ids: &[String]) -> Vec<Value> {
    let node = &cluster.nodes[n];
    let mut ended = Vec::new();
    for id in ids {
        let mut last = Value::Null;
        for _ in 0..600 {
            last = node.admin("GET", &format!("{RUNS}/{id}"), None).await.body;
            if ["succeeded", "failed", "cancelled"].contains(&last["status"].as_str().unwrap_or("")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if last["status"] != "succeeded" {
            let logs: Vec<String> = cluster.nodes.iter().map(|node| node.log()).collect();
            panic!("run {id} did not succeed: {last}\nthe nodes' logs:\n{}", logs.join("\n----\n"));
        }
        ended.push(last);
    }
    ended
}

/// Every step call that finished `done`, per (run, node) — as many as there
/// were of it in the logs — and every `kv` counter's value.
fn ledger(cluster_url: &str) -> (HashMap<(String, String), usize>, HashMap<String, String>) {
    let url = cluster_url.to_string();
    on_own_runtime(async move {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(&url).await?;
        let events: Vec<(String, String)> =
            sqlx::query_as("SELECT run_id, event FROM run_events").fetch_all(&mut conn).await?;
        let mut done = HashMap::new();
        for (run, text) in events {
            let event: Value = serde_json::from_str(&text)?;
            if event["type"] == "step_finished" && event["outcome"]["status"] == "done" {
                *done.entry((run, event["node"].as_str().unwrap_or_default().to_string())).or_insert(0) += 1;
            }
        }
        let counters: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM kv_entries").fetch_all(&mut conn).await?;
        Ok((done, counters.into_iter().collect()))
    })
    .unwrap()
}

/// Each run's outputs are all 1 (every increment applied exactly once),
/// every counter is 1, and no step call finished twice.
fn assert_exactly_once(cluster: &Cluster, runs: &[Value]) {
    for run in runs {
        let output = &run["output"];
        let values: Vec<&Value> = output["chain"]
            .as_array()
            .unwrap()
            .iter()
            .chain(output["each"].as_array().unwrap())
            .chain([&output["sub"]["a"], &output["sub"]["b"]])
            .collect();
        assert!(values.iter().all(|v| *v == 1), "run {}: an increment applied twice or lost: {output}", run["id"]);
    }
    let (done, counters) = ledger(&cluster.database_url());
    let twice: Vec<_> = done.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "step calls finished twice: {twice:?}");
    let off: Vec<_> = counters.iter().filter(|(_, v)| v.as_str() != "1").collect();
    assert!(off.is_empty(), "counters not exactly 1: {off:?}");
    assert_eq!(counters.len(), runs.len() * 10, "every increment of every run is counted");
}

/// Where and when nodes die in the kill test: a small xorshift generator
/// whose seed the test prints, so a failure can be replayed
/// (`SCENA_TEST_KILL_SEED`).
struct KillPoints(u64);

impl KillPoints {
    fn seeded() -> KillPoints {
        let seed = std::env::var("SCENA_TEST_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        });
        eprintln!("kill points drawn from SCENA_TEST_KILL_SEED={seed}");
        KillPoints(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_s_runs_are_finished_by_the_others_exactly_once() {
    let mut cluster = Cluster::start("cluster-kill", 3, "1s");
    publish(&cluster.nodes[0], count_twice_flow(150)).await;
    publish(&cluster.nodes[0], relay_flow()).await;
    publish(&cluster.nodes[0], gated_flow()).await;
    let mut at = KillPoints::seeded();
    // Three times while the 300 runs are being started (so some are inside
    // calls, waits, foreach items and child runs at each), n1 or n2 is
    // killed with SIGKILL at a random moment and comes back under a new
    // lease holder; n3 stays up to take the approvals.
    let mut kills: Vec<usize> = (0..3).map(|_| 30 + at.below(240) as usize).collect();
    kills.sort_unstable();
    let (mut ids, mut gated) = (Vec::new(), Vec::new());
    for i in 0..300 {
        if kills.contains(&i) {
            tokio::time::sleep(Duration::from_millis(at.below(400))).await;
            cluster.nodes[at.below(2) as usize].restart();
        }
        let node = &cluster.nodes[i % 3];
        if i % 6 == 0 {
            gated.push(start_run(node, "gated", json!({})).await);
        } else {
            ids.push(start_run(node, "relay", json!({})).await);
        }
    }
    // Last, one dies for good: the others finish what it drove.
    tokio::time::sleep(Duration::from_millis(at.below(400))).await;
    let gone = at.below(2) as usize;
    cluster.nodes[gone].child.kill().unwrap();
    let _ = cluster.nodes[gone].child.wait();

    // Approvals given on the one node never killed, wherever their runs are now.
    for id in &gated {
        let approved = cluster.nodes[2].admin("POST", &format!("{RUNS}/{id}/nodes/gate/approve"), None).await;
        assert_eq!(approved.status, 200, "{}", approved.body);
    }
    all_over(&cluster, 2, &gated).await;
    let runs = all_over(&cluster, 2, &ids).await;
    assert_eq!(runs.len() + gated.len(), 300);
    assert_exactly_once(&cluster, &runs);
    let taken: String = cluster.nodes.iter().map(|node| node.log()).collect();
    assert!(taken.contains("took over a run whose lease expired"), "no node reported a takeover");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_node_is_fenced_and_writes_nothing_stale() {
    let cluster = Cluster::start("cluster-freeze", 2, "1s");
    publish(&cluster.nodes[0], count_twice_flow(150)).await;
    publish(&cluster.nodes[0], relay_flow()).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(start_run(&cluster.nodes[0], "relay", json!({})).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Frozen past its lease: n2 takes its runs over; thawed, n1 must not
    // write to them again (its next write is refused, not duplicated).
    signal(&cluster.nodes[0], "STOP");
    tokio::time::sleep(Duration::from_millis(3000)).await;
    signal(&cluster.nodes[0], "CONT");
    let runs = all_over(&cluster, 1, &ids).await;
    assert_exactly_once(&cluster, &runs);
    assert!(cluster.nodes[1].log().contains("took over a run whose lease expired"), "n2 took nothing over");
    assert!(cluster.nodes[0].log().contains("lost its lease"), "n1 wrote after thawing: {}", cluster.nodes[0].log());
}

/// Flow `steady`: the counting flow without its subflow — six increments
/// with waits of 200 ms between, then three as foreach items.
fn steady_flow() -> Value {
    let mut flow = counting_flow("steady", 6, 3, 200);
    let nodes = flow["nodes"].as_array_mut().unwrap();
    nodes.retain(|node| node["id"] != "sub");
    let end = nodes.iter_mut().find(|node| node["id"] == "end").unwrap();
    end["output"].as_object_mut().unwrap().remove("sub");
    let edges = flow["edges"].as_array_mut().unwrap();
    edges.retain(|edge| edge["from"] != "sub");
    edges.iter_mut().filter(|edge| edge["to"] == "sub").for_each(|edge| edge["to"] = json!("end"));
    flow
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_stopped_by_a_database_fault_are_continued_once_it_passes() {
    let cluster = Cluster::start("cluster-fault", 2, "1s");
    cluster.refuse_run_writes(false);
    publish(&cluster.nodes[0], steady_flow()).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(start_run(&cluster.nodes[i % 2], "steady", json!({})).await);
    }
    // Every run's next write is refused, and so is letting its lease go:
    // the runs stop on the error, and their leases must still come free.
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.refuse_run_writes(true);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.refuse_run_writes(false);

    let runs = all_over(&cluster, 1, &ids).await;
    for run in &runs {
        let output = &run["output"];
        let values: Vec<&Value> =
            output["chain"].as_array().unwrap().iter().chain(output["each"].as_array().unwrap()).collect();
        assert!(values.iter().all(|v| *v == 1), "run {}: an increment applied twice or lost: {output}", run["id"]);
    }
    let (done, counters) = ledger(&cluster.database_url());
    let twice: Vec<_> = done.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "step calls finished twice: {twice:?}");
    assert_eq!(counters.len(), runs.len() * 9, "every increment of every run is counted");
    assert!(counters.values().all(|v| v == "1"), "counters not exactly 1: {counters:?}");
    let logs = cluster.nodes[0].log() + &cluster.nodes[1].log();
    assert!(logs.contains("the run stopped on an error"), "the fault stopped no run: {logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cron_tick_fires_once_however_many_nodes_see_it() {
    let cluster = Cluster::start("cluster-cron", 3, "2s");
    // On a busy machine one tick's run may start late enough to overlap the
    // next's: their increments then conflict, and the one refused (`kv`'s
    // optimistic commit) is retried — each run still counts one tick.
    let tick = json!({"name": "tick", "nodes": [{"id": "start", "kind": "start"},
        {"id": "count", "kind": "step", "plugin": "kv", "input": {"op": "increment", "key": "ticks"},
         "retry": {"max_attempts": 5, "backoff": "exponential", "initial_ms": 50}},
        {"id": "end", "kind": "end", "output": "${steps.count.output.value}"}],
      "edges": [{"from": "start", "to": "count"}, {"from": "count", "to": "end"}]});
    publish(&cluster.nodes[0], tick).await;
    let schedules = format!("{FLOWS}/tick/schedules");
    // Every second (a leading seconds field); all three nodes' clocks see each tick.
    let made = cluster.nodes[0].admin("POST", &schedules, Some(json!({"cron": "* * * * * *"}))).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let began = std::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(30)).await;
    let id = made.body["id"].as_str().unwrap();
    assert_eq!(cluster.nodes[1].admin("DELETE", &format!("{schedules}/{id}"), None).await.status, 204);
    let seconds = began.elapsed().as_secs();
    // A tick claimed just before the removal may start its run just after it.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let listed = cluster.nodes[2].admin("GET", &format!("{RUNS}?flow=tick&limit=100"), None).await;
    let ids: Vec<String> =
        listed.body["runs"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    // One run per tick: three clocks firing each tick would make three times
    // as many. (A tick every node saw late collapses into the next, as
    // missed ticks do, so fewer is possible on a busy machine.)
    assert!(ids.len() as u64 <= seconds + 1, "{} runs in {seconds} s of ticks: {}", ids.len(), listed.body);
    assert!(ids.len() as u64 >= seconds / 2, "{} runs in {seconds} s of ticks: {}", ids.len(), listed.body);
    let runs = all_over(&cluster, 2, &ids).await;
    let mut counted: Vec<u64> = runs.iter().map(|r| r["output"].as_u64().unwrap()).collect();
    counted.sort_unstable();
    assert_eq!(counted, (1..=ids.len() as u64).collect::<Vec<_>>(), "each run counted one tick");
}

/// A run long enough to be driven while someone decides its approval.
fn gated_flow() -> Value {
    json!({"name": "gated", "nodes": [{"id": "start", "kind": "start"}, {"id": "fan", "kind": "parallel"},
        {"id": "hold", "kind": "wait", "duration_ms": 1500},
        {"id": "gate", "kind": "approval", "assignees": ["role:operator"]},
        {"id": "meet", "kind": "join"},
        {"id": "end", "kind": "end", "output": {"by": "${steps.gate.output.by}"}}],
      "edges": [{"from": "start", "to": "fan"}, {"from": "fan", "to": "hold"}, {"from": "fan", "to": "gate"},
        {"from": "hold", "to": "meet"}, {"from": "gate", "to": "meet"}, {"from": "meet", "to": "end"}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_given_on_another_node_reaches_the_run_where_it_is_driven() {
    let cluster = Cluster::start("cluster-approve", 2, "2s");
    let (driver, other) = (&cluster.nodes[0], &cluster.nodes[1]);
    publish(driver, gated_flow()).await;
    let id = start_run(driver, "gated", json!({})).await;
    // While n1 drives it (its wait is in progress), approve through n2.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let approved = other.admin("POST", &format!("{RUNS}/{id}/nodes/gate/approve"), None).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let again = other.admin("POST", &format!("{RUNS}/{id}/nodes/gate/approve"), None).await;
    assert_eq!(again.status, 409, "a second decision is refused: {}", again.body);
    let run = all_over(&cluster, 1, std::slice::from_ref(&id)).await.remove(0);
    assert!(run["output"]["by"].is_string(), "{run}");
    // A run waiting only for people is parked, driven by nobody: any node takes its decision.
    let parked = start_run(other, "gated", json!({})).await;
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let approved = driver.admin("POST", &format!("{RUNS}/{parked}/nodes/gate/approve"), None).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    all_over(&cluster, 0, &[parked]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_uploaded_on_one_node_runs_on_another_and_nodes_share_one_sealing_key() {
    let cluster = Cluster::start("cluster-share", 2, "2s");
    let (first, second) = (&cluster.nodes[0], &cluster.nodes[1]);
    let uploaded = first.upload("default", crate::support::guest_bytes("countdown")).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let name = uploaded.body["name"].as_str().unwrap().to_string();
    let flow = json!({"name": "uses-upload", "nodes": [{"id": "start", "kind": "start"},
        {"id": "count", "kind": "step", "plugin": format!("{name}@*"), "input": {"from": 2}},
        {"id": "end", "kind": "end", "output": "${steps.count.output}"}],
        "edges": [{"from": "start", "to": "count"}, {"from": "count", "to": "end"}]});
    // The second node learns of the upload within a second or so, its bytes from the database.
    let mut published = None;
    for _ in 0..50 {
        let saved = second.admin("PUT", &format!("{FLOWS}/uses-upload/draft"), Some(flow.clone())).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let reply = second.admin("POST", &format!("{FLOWS}/uses-upload/versions"), None).await;
        if reply.status == 201 {
            published = Some(reply);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(published.is_some(), "the second node never saw the upload");
    let id = start_run(second, "uses-upload", json!({})).await;
    all_over(&cluster, 1, &[id]).await;

    let ready = second.admin("GET", "/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.body["checks"]["lease_heartbeat"], "ok");

    let refused = cluster.refused_node(&"0f".repeat(32));
    assert!(refused.contains("does not open this database's secrets"), "{refused}");
    assert_ne!(CLUSTER_KEY, "0f".repeat(32));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_reads_and_repairs_a_cluster_s_runs() {
    let cluster = Cluster::start("cluster-cli", 1, "2s");
    let node = &cluster.nodes[0];
    let mut flow = gated_flow();
    flow["name"] = json!("parked");
    // The gate alone: a run of it waits for a person, driven by nobody.
    flow["nodes"][2]["duration_ms"] = json!(1);
    publish(node, flow).await;
    let id = start_run(node, "parked", json!({})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let dir = crate::support::TempDir::new("cluster-cli-shell");
    let plugins = crate::support::plugin_dir(&dir, &["echo"]);
    let db = cluster.database_url();
    let listed = crate::support::scena(dir.path(), &["flow", "runs", "--db", &db]);
    assert!(listed.code == 0 && listed.stdout.contains(&id), "{listed:?}");
    let approved = crate::support::scena(
        dir.path(),
        &["flow", "approve", &id, "gate", "--plugins", &plugins, "--db", &db, "--by", "ops"],
    );
    assert_eq!(approved.code, 0, "{approved:?}");
    let run = all_over(&cluster, 0, std::slice::from_ref(&id)).await.remove(0);
    assert_eq!(run["output"]["by"], "ops", "{run}");
}
