//! `cargo bench -p scena --bench cluster` (PostgreSQL at `SCENA_BENCH_DB`,
//! default `postgres://postgres@127.0.0.1:5432/test`): `scena serve` as
//! separate processes — 1, 2 and 3 nodes of a cluster on one PostgreSQL
//! schema, and one node on SQLite for comparison — under the same closed
//! loop (16 keep-alive clients spread over the nodes, `POST
//! …/runs?wait_ms`), printing chain10 / fan50 flows/s with p50/p99; then the
//! failover time: `kill -9` of a node driving runs → every one of them taken
//! over by another node. Load generator and servers share this machine's cores.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
mod loadgen;
use common::{chain, fan};

const TOKEN: &str = "bench-admin-token";
const KEY: &str = "be7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7c";

struct Node {
    child: Child,
    address: SocketAddr,
    dir: PathBuf,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Start `scena serve` (on the PostgreSQL database at `db`, or SQLite) and wait until it listens.
fn start_node(db: Option<&str>, id: &str, lease_ttl: &str) -> Node {
    let dir = std::env::temp_dir().join(format!("scena-bench-cluster-{id}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_scena"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--no-samples", "--node-id", id, "--lease-ttl", lease_ttl])
        .env("SCENA_DATA_DIR", &dir)
        .env("SCENA_ADMIN_TOKEN", TOKEN)
        .env("SCENA_SECRET_KEY", KEY)
        .env("SCENA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(url) = db {
        command.env("SCENA_DB", url);
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let address = rest.split_whitespace().next().unwrap().parse().unwrap();
            // Keep reading stderr so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return Node { child, address, dir };
        }
    }
    let _ = child.wait();
    panic!("scena serve did not start (is the binary built with its standard plugins? run `cargo xtask bench`)");
}

async fn call(node: &Node, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, format!("http://{}{path}", node.address))
        .header("Authorization", format!("Bearer {TOKEN}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn publish(node: &Node, flow: Value) {
    let name = flow["name"].as_str().unwrap().to_string();
    let flows = "/api/v1/tenants/default/flows";
    call(node, reqwest::Method::PUT, &format!("{flows}/{name}/draft"), Some(flow)).await;
    call(node, reqwest::Method::POST, &format!("{flows}/{name}/versions"), None).await;
}

/// `total` runs of `flow`, `clients` at a time, client `c` talking to node `c % nodes`.
async fn load(addresses: &[SocketAddr], flow: &str, expected: &Value, total: usize, clients: usize) -> (Vec<f64>, f64) {
    let wall = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let address = addresses[c % addresses.len()];
        let path = format!("/api/v1/tenants/default/flows/{flow}/runs?wait_ms=30000");
        let request = Arc::new(loadgen::post(address, &path, TOKEN, r#"{"input": {"n": 0}}"#));
        let expected = expected.clone();
        let share = total / clients + usize::from(c < total % clients);
        tasks.push(tokio::spawn(async move {
            let mut connection = loadgen::Connection::open(address).await.unwrap();
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                let started = Instant::now();
                let response = connection.send(&request).await.unwrap();
                let run: Value = serde_json::from_slice(&response.body).unwrap();
                assert_eq!((response.status, &run["status"], &run["output"]), (200, &json!("succeeded"), &expected));
                latencies.push(started.elapsed().as_secs_f64() * 1e3);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    latencies.sort_by(f64::total_cmp);
    (latencies, total as f64 / wall.elapsed().as_secs_f64())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(label: &str, nodes: &[Node]) {
    publish(&nodes[0], serde_json::to_value(chain(10)).unwrap()).await;
    publish(&nodes[0], serde_json::to_value(fan(50)).unwrap()).await;
    // The other nodes see the versions at once (they read them from the database).
    let addresses: Vec<SocketAddr> = nodes.iter().map(|n| n.address).collect();
    let (ten, fifty) = (json!({"n": 10}), json!({"sum": 50}));
    load(&addresses, "chain", &ten, 200, 4).await; // warm-up: compiled plans, pools
    let scale: usize = std::env::var("SCENA_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let cases = [("chain10", "chain", &ten, 3200, 16), ("fan50", "fan", &fifty, 800, 16)];
    for (name, flow, expected, total, clients) in cases {
        let (latencies, rate) = load(&addresses, flow, expected, total * scale, clients).await;
        println!(
            "  {label:<26} {name:<8} 16 clients: {rate:>6.0} flows/s   p50 {:>6.2} ms   p99 {:>6.2} ms",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99)
        );
    }
}

/// Runs driven by one node, that node killed: how long until another node took them all over.
async fn failover(db: &str) {
    let ttl = "2s";
    let (victim, survivor) = (start_node(Some(db), "victim", ttl), start_node(Some(db), "survivor", ttl));
    let waits: Vec<Value> =
        (0..10).map(|i| json!({"id": format!("w{i}"), "kind": "wait", "duration_ms": 500})).collect();
    let mut nodes = vec![json!({"id": "start", "kind": "start"})];
    nodes.extend(waits);
    nodes.push(json!({"id": "end", "kind": "end"}));
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    let edges: Vec<Value> = ids.windows(2).map(|w| json!({"from": w[0], "to": w[1]})).collect();
    publish(&victim, json!({"name": "slow", "nodes": nodes, "edges": edges})).await;
    const RUNS: usize = 50;
    for _ in 0..RUNS {
        let path = "/api/v1/tenants/default/flows/slow/runs?wait_ms=0";
        call(&victim, reqwest::Method::POST, path, Some(json!({"input": {}}))).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut victim = victim;
    victim.child.kill().unwrap();
    let killed = Instant::now();
    let client = reqwest::Client::new();
    loop {
        let metrics =
            client.get(format!("http://{}/metrics", survivor.address)).send().await.unwrap().text().await.unwrap();
        let taken: f64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("scena_lease_takeovers_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0);
        if taken as usize >= RUNS {
            break;
        }
        assert!(killed.elapsed() < Duration::from_secs(60), "the survivor took over {taken} of {RUNS} runs");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "  failover (lease {ttl}): kill -9 of a node driving {RUNS} runs → all taken over by another node in {:.2} s",
        killed.elapsed().as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let url = std::env::var("SCENA_BENCH_DB").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    println!("scena cluster benchmark: nodes as processes, 16 clients spread over them (one machine, shared cores)");
    let words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let chosen = |label: &str| words.is_empty() || words.iter().any(|w| label.contains(w.as_str()));
    if chosen("sqlite") {
        measure("SQLite, 1 node", &[start_node(None, "solo", "5s")]).await;
    }
    for count in 1..=3 {
        let label = format!("PostgreSQL, {count} node{}", if count == 1 { "" } else { "s" });
        if !chosen(&label) && !chosen("postgres") {
            continue;
        }
        let (scoped, schema) = scena::store::scratch_schema(&url).await.unwrap();
        {
            let nodes: Vec<Node> = (1..=count).map(|n| start_node(Some(&scoped), &format!("n{n}"), "5s")).collect();
            measure(&label, &nodes).await;
        }
        scena::store::drop_scratch_schema(&url, &schema).await.unwrap();
    }
    if chosen("failover") {
        let (scoped, schema) = scena::store::scratch_schema(&url).await.unwrap();
        failover(&scoped).await;
        scena::store::drop_scratch_schema(&url, &schema).await.unwrap();
    }
}
