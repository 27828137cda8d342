//! `cargo bench -p scena --bench agents`: jobs on hosts as an operator sees
//! them. `scena serve` runs in its own process (SQLite); the agents are the
//! agent's own code (`scena::agents::client`: enrolment, one WebSocket each,
//! scripts as child processes in their own process groups), up to 200 of
//! them as tasks of this process — simulated hosts on one machine, so every
//! script's fork and exec shares these two cores. It prints:
//! - dispatch: a flow of one `run-script` step running `date +%s%N` on every
//!   host, with 1, 50 and 200 agents connected — from the run's start request
//!   to every host's script started (each script prints when it started),
//!   and to the run's answer with every result in (`run-script` checks its
//!   job every 50 ms, so up to 50 ms of that is its polling);
//! - skew: the `mass-stop` sample (samples/flows) on 200 hosts in three
//!   waves — the spread between the first and last host of one wave starting
//!   its stop script (goal: p99 under 50 ms) — with each wave held by the
//!   agents until its instant, and with every script started as its task
//!   arrives (as before `job.start-at`), each timed by `date` (a process the
//!   script starts) and by bash's own clock; and how late each wave's first
//!   script began after its instant;
//! - a real `scena agent` process's resident memory, connected and idle;
//! - in a cluster of two nodes on PostgreSQL, dispatch to 50 agents connected
//!   to one node, from that node and from the other (through the relay).

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use scena::agents::client::{self, HostFacts};
use serde_json::{Value, json};

mod common;
mod loadgen;
mod served;
use served::{Node, call, memory_mib, publish, scena_binary, start_node};

const TENANT: &str = "/api/v1/tenants/default";

fn now_ns() -> i128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as i128
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// Agent `i`: label `role=bench`, and a `priority` for the mass stop's waves
/// (a quarter low, a quarter medium, the rest high).
fn labels(i: usize) -> std::collections::BTreeMap<String, String> {
    let mut labels = std::collections::BTreeMap::from([("role".to_string(), "bench".to_string())]);
    match i % 4 {
        0 => labels.insert("priority".into(), "low".into()),
        1 => labels.insert("priority".into(), "medium".into()),
        _ => None,
    };
    labels
}

struct Agents {
    server: String,
    token: String,
    dir: PathBuf,
    ids: Vec<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Agents {
    /// Enrol and connect agents until there are `count`.
    async fn grow_to(&mut self, node: &Node, count: usize) {
        while self.ids.len() < count {
            let i = self.ids.len();
            let id = format!("bench-{i:03}");
            let facts = HostFacts { id: id.clone(), hostname: id.clone(), ip: "127.0.0.1".into(), labels: labels(i) };
            let state = self.dir.join(&id);
            let enrolled = client::enrol(&self.server, &self.token, &facts, &state).await.unwrap();
            self.tasks.push(tokio::spawn(async move {
                let _ = client::serve(&enrolled, &state).await;
            }));
            self.ids.push(id);
        }
        for _ in 0..600 {
            let listed = call(node, Method::GET, &format!("{TENANT}/agents"), None).await;
            let connected = listed["agents"].as_array().unwrap().iter().filter(|a| a["connected"] == true).count();
            if connected == count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the agents did not all connect");
    }
}

/// The nanosecond instants the hosts' `date +%s%N` scripts printed.
fn started_at(job: &Value) -> Vec<i128> {
    job["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let printed = h["output"].as_str().unwrap().trim();
            // `date +%s%N` prints nanoseconds, `$EPOCHREALTIME` seconds with microseconds.
            match printed.split_once('.') {
                Some((seconds, micros)) => {
                    seconds.parse::<i128>().unwrap() * 1_000_000_000 + micros.parse::<i128>().unwrap() * 1_000
                }
                None => printed.parse().unwrap_or_else(|_| panic!("{h}")),
            }
        })
        .collect()
}

/// `runs` runs on every host of `hosts`; the figures printed, after `label`, unless it is a warm-up.
async fn dispatch(node: &Node, hosts: &[String], runs: usize, warm_up: bool, label: &str) {
    let path = format!("{TENANT}/flows/dispatch/runs?wait_ms=60000&view=summary");
    let (mut started, mut answered) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (begin, clock) = (now_ns(), Instant::now());
        let run = call(node, Method::POST, &path, Some(json!({"input": {"hosts": hosts}}))).await;
        answered.push(clock.elapsed().as_secs_f64() * 1e3);
        assert_eq!(run["status"], "succeeded", "{run}");
        let last = started_at(&run["output"]).into_iter().max().unwrap();
        started.push((last - begin) as f64 / 1e6);
    }
    if warm_up {
        return;
    }
    let (started, answered) = (sorted(started), sorted(answered));
    println!(
        "  {:>3} agents{label}: every host started p50 {:>7.1} ms  p99 {:>7.1} ms   every result in p50 {:>7.1} ms  p99 {:>7.1} ms  ({runs} runs)",
        hosts.len(),
        percentile(&started, 0.5),
        percentile(&started, 0.99),
        percentile(&answered, 0.5),
        percentile(&answered, 0.99)
    );
}

/// How a wave's scripts are started, for the mass stop's figures.
struct StopMode {
    label: &'static str,
    /// Each wave sent ahead and held until its instant (`run-script`'s `at`),
    /// or every instant already past: each script started as its task
    /// arrives, as before `job.start-at` (WIT 0.1.2).
    held: bool,
    interpreter: &'static str,
    /// Prints when it began: `date` is a process the script starts, bash's
    /// `$EPOCHREALTIME` is read by the shell itself.
    clock: &'static str,
}

const STOP_MODES: [StopMode; 4] = [
    StopMode { label: "held until the instant, sh `date +%s%N`  ", held: true, interpreter: "sh", clock: "date +%s%N" },
    StopMode {
        label: "held until the instant, bash $EPOCHREALTIME",
        held: true,
        interpreter: "bash",
        clock: "echo $EPOCHREALTIME",
    },
    StopMode {
        label: "started on arrival,     sh `date +%s%N`  ",
        held: false,
        interpreter: "sh",
        clock: "date +%s%N",
    },
    StopMode {
        label: "started on arrival,     bash $EPOCHREALTIME",
        held: false,
        interpreter: "bash",
        clock: "echo $EPOCHREALTIME",
    },
];

/// Runs of the mass-stop sample on every host, in each way of starting its
/// waves: each wave's skew, and how late the first stop began after `stop_at`.
async fn mass_stop(node: &Node, runs: usize) {
    let sample =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../samples/flows/mass-stop.json"))
            .unwrap();
    publish(node, serde_json::from_str(&sample).unwrap()).await;
    println!("  mass stop, 200 hosts in waves of 50/50/100 (goal: start skew within a wave p99 < 50 ms):");
    for mode in &STOP_MODES {
        let (mut skews, mut late) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            // Held: the first wave 1.5 s ahead, the next ones 1 s apart (each sent when the one before ended).
            let (stop_at, gap_ms) = if mode.held {
                (SystemTime::now() + Duration::from_millis(1500), 1000)
            } else {
                (SystemTime::now() - Duration::from_secs(1), 0)
            };
            let format = |t: SystemTime| humantime::format_rfc3339_millis(t).to_string();
            let input = json!({"stop_at": format(stop_at), "start_at": format(SystemTime::now() - Duration::from_secs(1)),
                               "selector": "role=bench", "wave_gap_ms": gap_ms, "interpreter": mode.interpreter,
                               "stop_script": mode.clock, "start_script": "true"});
            let run = call(
                node,
                Method::POST,
                &format!("{TENANT}/flows/mass-stop/runs?wait_ms=60000"),
                Some(json!({"input": input})),
            )
            .await;
            assert_eq!(run["status"], "waiting", "the run stops for the confirmation: {run}");
            let stop_at_ns = stop_at.duration_since(UNIX_EPOCH).unwrap().as_nanos() as i128;
            for (k, wave) in ["stop_low", "stop_medium", "stop_high"].into_iter().enumerate() {
                let starts = started_at(&run["nodes"][wave]["output"]);
                let (first, last) = (*starts.iter().min().unwrap(), *starts.iter().max().unwrap());
                skews.push((last - first) as f64 / 1e6);
                if mode.held {
                    late.push((first - stop_at_ns - k as i128 * gap_ms as i128 * 1_000_000) as f64 / 1e6);
                }
            }
            let id = run["id"].as_str().unwrap();
            let approve = format!("{TENANT}/runs/{id}/nodes/confirm/approve");
            call(node, Method::POST, &approve, Some(json!({}))).await;
        }
        let skews = sorted(skews);
        let late = if late.is_empty() {
            String::new()
        } else {
            format!("; first host after its wave's instant p50 {:>5.1} ms", percentile(&sorted(late), 0.5))
        };
        println!(
            "    {}: skew p50 {:>6.1} ms  p99 {:>6.1} ms ({} waves){late}",
            mode.label,
            percentile(&skews, 0.5),
            percentile(&skews, 0.99),
            skews.len()
        );
    }
}

/// A real `scena agent` process, connected and idle: its resident memory.
async fn agent_memory(node: &Node, token: &str, dir: &std::path::Path) {
    let mut child = std::process::Command::new(scena_binary())
        .args(["agent", "--server", &format!("http://{}", node.address), "--token", token, "--id", "idle-agent"])
        .arg("--labels")
        .arg("role=idle")
        .arg("--state-dir")
        .arg(dir.join("idle-agent"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        let listed = call(node, Method::GET, &format!("{TENANT}/agents"), None).await;
        if listed["agents"].as_array().unwrap().iter().any(|a| a["id"] == "idle-agent" && a["connected"] == true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "  one `scena agent` process, connected and idle: resident {:.1} MiB (peak {:.1} MiB)",
        memory_mib(child.id(), "VmRSS"),
        memory_mib(child.id(), "VmHWM")
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::main]
async fn main() {
    println!(
        "scena agents benchmark: `scena serve` in its own process, simulated agents in this one (same client code)"
    );
    let node = start_node(None, "agents", "5s");
    let server = format!("http://{}", node.address);
    let made = call(&node, Method::POST, &format!("{TENANT}/agents/enrolments"), Some(json!({}))).await;
    let token = made["token"].as_str().unwrap().to_string();
    let grants = json!({"hosts": {"*": ["role=bench"]}});
    call(&node, Method::PUT, &format!("{TENANT}/grants"), Some(grants)).await;
    publish(&node, dispatch_flow()).await;

    let dir = std::env::temp_dir().join(format!("scena-bench-agents-{}", uuid::Uuid::new_v4().simple()));
    let mut agents = Agents { server, token: token.clone(), dir: dir.clone(), ids: Vec::new(), tasks: Vec::new() };
    for (count, runs) in [(1, 50), (50, 30), (200, 20)] {
        agents.grow_to(&node, count).await;
        let hosts = agents.ids.clone();
        dispatch(&node, &hosts, 3, true, "").await; // the plugin compiled, the connections open
        dispatch(&node, &hosts, runs, false, "").await;
    }
    mass_stop(&node, 10).await;
    agent_memory(&node, &token, &dir).await;
    for task in &agents.tasks {
        task.abort();
    }
    let _ = std::fs::remove_dir_all(&dir);
    drop(node);
    across_nodes().await;
}

/// Two nodes of a cluster on PostgreSQL (`SCENA_BENCH_DB`, by default the
/// local `test` database), 50 agents connected to the second: the same jobs
/// started through the second node (its own agents) and through the first
/// (each task relayed by the second, the output and outcomes read back).
async fn across_nodes() {
    let url = std::env::var("SCENA_BENCH_DB").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let (scoped, schema) = match scena::store::scratch_schema(&url).await {
        Ok(made) => made,
        Err(error) => return println!("  (no cluster figures: PostgreSQL at SCENA_BENCH_DB is unusable: {error:#})"),
    };
    println!("a cluster of two nodes on PostgreSQL, 50 agents connected to the second:");
    let first = start_node(Some(&scoped), "agents-n1", "5s");
    let second = start_node(Some(&scoped), "agents-n2", "5s");
    let made = call(&second, Method::POST, &format!("{TENANT}/agents/enrolments"), Some(json!({}))).await;
    let token = made["token"].as_str().unwrap().to_string();
    call(&second, Method::PUT, &format!("{TENANT}/grants"), Some(json!({"hosts": {"*": ["role=bench"]}}))).await;
    publish(&first, dispatch_flow()).await;
    let dir = std::env::temp_dir().join(format!("scena-bench-agents-{}", uuid::Uuid::new_v4().simple()));
    let server = format!("http://{}", second.address);
    let mut agents = Agents { server, token, dir: dir.clone(), ids: Vec::new(), tasks: Vec::new() };
    agents.grow_to(&first, 50).await;
    let hosts = agents.ids.clone();
    for (node, label) in [(&second, " (on the node driving the run)"), (&first, " (relayed by the other node)")] {
        dispatch(node, &hosts, 3, true, label).await;
        dispatch(node, &hosts, 30, false, label).await;
    }
    for task in &agents.tasks {
        task.abort();
    }
    drop((first, second));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = scena::store::drop_scratch_schema(&url, &schema).await;
}

/// One `run-script` step running `date +%s%N` on the hosts it is given.
fn dispatch_flow() -> Value {
    json!({"name": "dispatch",
        "inputs": {"type": "object", "properties": {"hosts": {"type": "array", "items": {"type": "string"}}}},
        "nodes": [{"id": "start", "kind": "start"},
                  {"id": "job", "kind": "step", "plugin": "run-script",
                   "input": {"hosts": "${inputs.hosts}", "script": "date +%s%N", "poll_ms": 50}},
                  {"id": "end", "kind": "end", "output": "${steps.job.output}"}],
        "edges": [{"from": "start", "to": "job"}, {"from": "job", "to": "end"}]})
}
