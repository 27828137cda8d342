//! `cargo xtask bench` (or `cargo bench -p scena --bench http`): the HTTP API
//! end to end over loopback — `POST …/flows/{name}/runs?wait_ms` for chain10
//! and fan50 (the engine benchmark's flows) with 1 and 16 concurrent
//! clients, each run durable in SQLite and each request authenticated,
//! authorized and audited. Prints p50/p99 latency and flows/s. The load
//! generator (`loadgen/`: one keep-alive connection per client) runs in the
//! same process, on the same two cores.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scena::api::{AppState, router};
use scena::catalog::PluginDir;
use scena::flow::Flow;
use scena::sandbox::{Limits, Sandbox, SandboxConfig};
use scena::store::{Db, SealingKey};
use serde_json::{Value, json};

mod common;
mod loadgen;
use common::{chain, component, fan};

const TOKEN: &str = "bench-admin-token";

/// One flow's start request, as sent to `address`.
struct Target {
    address: SocketAddr,
    request: Vec<u8>,
}

impl Target {
    fn new(address: SocketAddr, flow: &str) -> Target {
        let path = format!("/api/v1/tenants/default/flows/{flow}/runs?wait_ms=30000");
        Target { address, request: loadgen::post(address, &path, TOKEN, r#"{"input": {"n": 0}}"#) }
    }

    async fn run(&self, connection: &mut loadgen::Connection, expected: &Value) -> Duration {
        let started = Instant::now();
        let response = connection.send(&self.request).await.unwrap();
        let text = || String::from_utf8_lossy(&response.body).into_owned();
        assert_eq!(response.status, 200, "{}", text());
        // Only what is checked is taken out: the client shares the server's cores.
        let run: Ended = serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("{e}: {}", text()));
        assert_eq!((run.status.as_str(), &run.output), ("succeeded", expected), "{}", text());
        started.elapsed()
    }
}

/// What the benchmark checks of a run's answer.
#[derive(serde::Deserialize)]
struct Ended {
    status: String,
    output: Value,
}

/// `total` runs, `clients` at a time: (latencies, wall time).
async fn load(target: &Arc<Target>, expected: &Value, total: usize, clients: usize) -> (Vec<Duration>, Duration) {
    let wall = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (target, expected) = (target.clone(), expected.clone());
        let share = total / clients + usize::from(c < total % clients);
        tasks.push(tokio::spawn(async move {
            let mut connection = loadgen::Connection::open(target.address).await.unwrap();
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                latencies.push(target.run(&mut connection, &expected).await);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    latencies.sort();
    (latencies, wall.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1e3
}

async fn report(label: &str, target: &Arc<Target>, expected: &Value, total: usize, clients: usize) {
    let (latencies, wall) = load(target, expected, total, clients).await;
    println!(
        "  {label:<22}: {:>7.0} flows/s   p50 {:>6.2} ms   p99 {:>6.2} ms",
        total as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
}

async fn publish(db: &Db, flow: &Flow) {
    db.flows().save_draft("default", flow).await.unwrap();
    db.flows().publish("default", &flow.name).await.unwrap();
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("scena-http-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // `SCENA_BENCH_DB=postgres://…` measures PostgreSQL (in a scratch schema) instead of SQLite.
    let postgres = std::env::var("SCENA_BENCH_DB").ok();
    let (db, database) = match &postgres {
        Some(url) => (Db::scratch_postgres(url).await.unwrap(), "PostgreSQL"),
        None => (Db::open(&dir.join("bench.db")).await.unwrap(), "SQLite"),
    };
    db.identity().ensure_tenant("default").await.unwrap();
    db.identity().set_admin_token(TOKEN).await.unwrap();
    let sandbox = Arc::new(Sandbox::new(SandboxConfig { kv: Some(db.kv()), ..Default::default() }).unwrap());
    let mut catalog = PluginDir::default();
    for name in ["add", "echo"] {
        catalog.add(sandbox.load(&component(name)).await.unwrap());
    }
    let (chain10, fan50) = (chain(10), fan(50));
    publish(&db, &chain10).await;
    publish(&db, &fan50).await;
    let key = Arc::new(SealingKey::load_or_create(&dir).unwrap());
    let (app, _) = AppState::build(db, sandbox, catalog, &dir, key, Limits::default()).await.unwrap();
    let app = router(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    println!(
        "scena HTTP benchmark: POST …/runs?wait_ms over loopback, durable {database} (data dir {})",
        dir.display()
    );
    let chain = Arc::new(Target::new(address, &chain10.name));
    let fan = Arc::new(Target::new(address, &fan50.name));
    let (ten, fifty) = (json!({"n": 10}), json!({"sum": 50}));
    load(&chain, &ten, 100, 4).await; // warm-up
    // `cargo bench --bench http -- WORDS`: only the cases whose label holds one of them.
    let words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let chosen = |label: &str| words.is_empty() || words.iter().any(|w| label.contains(w.as_str()));
    // A second or two per case on a fast day: shorter cases swung ±30 % from run to run.
    let cases = [
        ("chain10, 1 client", &chain, &ten, 1200, 1),
        ("chain10, 16 clients", &chain, &ten, 3200, 16),
        ("fan50, 1 client", &fan, &fifty, 400, 1),
        ("fan50, 16 clients", &fan, &fifty, 800, 16),
    ];
    // `SCENA_BENCH_SCALE=N` makes every case N times longer (steadier figures, profiling).
    let scale: usize = std::env::var("SCENA_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    for (label, target, expected, total, clients) in cases {
        if chosen(label) {
            report(label, target, expected, total * scale, clients).await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
