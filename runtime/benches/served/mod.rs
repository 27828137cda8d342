//! Servers as processes of their own, and the closed loop that measures
//! them: what the `cluster` and `external` benchmarks share. The load
//! generator (`loadgen/`) stays in the benchmark's process, so the server's
//! figures carry no load generator inside its own process.
#![allow(dead_code)] // each benchmark uses a different part

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use crate::loadgen;

pub const TOKEN: &str = "bench-admin-token";
const KEY: &str = "be7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7cbe7c";

/// A server process: killed and its data dir removed when dropped.
pub struct Node {
    pub child: Child,
    pub address: SocketAddr,
    dir: Option<PathBuf>,
    /// How a `scena serve` node was started (database, node id, lease), to start it again.
    serve: Option<(Option<String>, String, String)>,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Node {
    pub fn peak_rss_mib(&self) -> f64 {
        memory_mib(self.child.id(), "VmHWM")
    }

    pub fn rss_mib(&self) -> f64 {
        memory_mib(self.child.id(), "VmRSS")
    }
}

/// A memory figure of process `pid` from `/proc/PID/status` (`VmHWM`: the
/// most it has held; `VmRSS`: what it holds now), in MiB.
pub fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Start `scena serve` (on the PostgreSQL database at `db`, or SQLite) and wait until it listens.
pub fn start_node(db: Option<&str>, id: &str, lease_ttl: &str) -> Node {
    let dir = std::env::temp_dir().join(format!("scena-bench-{id}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    serve_in(dir, db, id, lease_ttl)
}

impl Node {
    /// Stop the node (SIGKILL) and start it again on the same data dir and database.
    pub fn restart(&mut self) {
        let (db, id, lease_ttl) = self.serve.clone().expect("only a `scena serve` node restarts");
        let _ = self.child.kill();
        let _ = self.child.wait();
        let again = serve_in(self.dir.take().expect("a node has its data dir"), db.as_deref(), &id, &lease_ttl);
        *self = again;
    }
}

fn serve_in(dir: PathBuf, db: Option<&str>, id: &str, lease_ttl: &str) -> Node {
    let mut command = Command::new(scena_binary());
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--no-samples", "--node-id", id, "--lease-ttl", lease_ttl])
        .env("SCENA_DATA_DIR", &dir)
        .env("SCENA_ADMIN_TOKEN", TOKEN)
        .env("SCENA_SECRET_KEY", KEY)
        .env("SCENA_LOG", "warn");
    if let Some(url) = db {
        command.env("SCENA_DB", url);
    }
    let (child, address) = listening(command, "listening on http://", "scena serve");
    let serve = Some((db.map(str::to_string), id.to_string(), lease_ttl.to_string()));
    Node { child, address, dir: Some(dir), serve }
}

/// The `scena` this build made, or the one `SCENA_BENCH_BINARY` names — a
/// build of another commit, to measure two versions back to back.
pub fn scena_binary() -> PathBuf {
    std::env::var_os("SCENA_BENCH_BINARY").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_scena")), PathBuf::from)
}

/// Start `command` (stderr piped) and wait for the line holding `marker`
/// followed by the address it listens on.
pub fn start_process(command: Command, marker: &str, what: &str) -> Node {
    let (child, address) = listening(command, marker, what);
    Node { child, address, dir: None, serve: None }
}

fn listening(mut command: Command, marker: &str, what: &str) -> (Child, SocketAddr) {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split(marker).nth(1) {
            let address = rest.split_whitespace().next().unwrap().parse().unwrap();
            // Keep reading stderr so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, address);
        }
    }
    let _ = child.wait();
    panic!("{what} did not start (is the binary built with its standard plugins? run `cargo xtask bench`)");
}

pub async fn call(node: &Node, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut request = scena::tls::client()
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

/// Save `flow` as the default tenant's draft and publish it.
pub async fn publish(node: &Node, flow: Value) {
    let name = flow["name"].as_str().unwrap().to_string();
    let flows = "/api/v1/tenants/default/flows";
    call(node, reqwest::Method::PUT, &format!("{flows}/{name}/draft"), Some(flow)).await;
    call(node, reqwest::Method::POST, &format!("{flows}/{name}/versions"), None).await;
}

/// What a closed loop measured: latencies (ms, sorted) and flows per second.
pub struct Measured {
    pub latencies: Vec<f64>,
    pub rate: f64,
}

impl Measured {
    pub fn percentile(&self, p: f64) -> f64 {
        self.latencies[((self.latencies.len() as f64 - 1.0) * p).round() as usize]
    }
}

/// What the benchmark checks of a run's answer.
#[derive(serde::Deserialize)]
struct Ended {
    status: String,
    output: Value,
}

/// `total` starts of flow `flow` at `path_suffix` (e.g. `?wait_ms=30000`),
/// `clients` at a time, client `c` on its own keep-alive connection to
/// `addresses[c % len]`; every answer must be a succeeded run with output `expected`.
pub async fn load(addresses: &[SocketAddr], path: &str, expected: &Value, total: usize, clients: usize) -> Measured {
    let wall = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let address = addresses[c % addresses.len()];
        let request = Arc::new(loadgen::post(address, path, TOKEN, r#"{"input": {"n": 0}}"#));
        let expected = expected.clone();
        let share = total / clients + usize::from(c < total % clients);
        tasks.push(tokio::spawn(async move {
            let mut connection = loadgen::Connection::open(address).await.unwrap();
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                let started = Instant::now();
                let response = connection.send(&request).await.unwrap();
                let text = || String::from_utf8_lossy(&response.body).into_owned();
                // Only what is checked is taken out: the client shares the server's cores.
                let run: Ended = serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("{e}: {}", text()));
                assert_eq!(
                    (response.status, run.status.as_str(), &run.output),
                    (200, "succeeded", &expected),
                    "{}",
                    text()
                );
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
    Measured { latencies, rate: total as f64 / wall.elapsed().as_secs_f64() }
}

/// The path starting a run of the default tenant's flow `flow` and waiting for its end.
pub fn start_path(flow: &str) -> String {
    format!("/api/v1/tenants/default/flows/{flow}/runs?wait_ms=30000")
}
