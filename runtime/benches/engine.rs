//! `cargo xtask bench` (or `cargo bench -p scena --bench engine`): the flow
//! engine on a durable SQLite file with real `add`/`echo` components.
//!
//! - chain10: 10 sequential `add` steps, input {"n": 0}, output {"n": 10};
//!   flows/s with one client and with 16 concurrent runs; CPU per step.
//! - fan50: one step, 50 parallel `add` branches, a join, an end summing to 50.
//! - linear 1,000 and 10,000 nodes: wall time of one run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scena::atoms::{FixedGrants, Grants};
use scena::catalog::PluginDir;
use scena::engine::RunStatus;
use scena::flow::Flow;
use scena::sandbox::{Limits, Sandbox, SandboxConfig};
use scena::scheduler::{Scheduler, SilentProgress};
use scena::store::Db;
use serde_json::{Value, json};

mod common;
use common::{chain, component, cpu_time, fan};

async fn run_once(scheduler: &Scheduler, flow: &Flow, input: &Value) -> Value {
    let (_, state) = scheduler.start("bench", flow.clone(), None, input.clone(), &mut SilentProgress).await.unwrap();
    assert_eq!(state.status, RunStatus::Succeeded, "{:?}", state.error);
    state.output.unwrap()
}

/// Run `total` runs of `flow`, `clients` at a time; returns (wall, cpu).
async fn throughput(
    scheduler: &Arc<Scheduler>,
    flow: &Flow,
    expected: &Value,
    total: usize,
    clients: usize,
) -> (Duration, Duration) {
    let (wall, cpu) = (Instant::now(), cpu_time());
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (scheduler, flow, expected) = (scheduler.clone(), flow.clone(), expected.clone());
        let share = total / clients + usize::from(c < total % clients);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                assert_eq!(run_once(&scheduler, &flow, &json!({"n": 0})).await, expected);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    (wall.elapsed(), cpu_time().saturating_sub(cpu))
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("scena-engine-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Db::open(&dir.join("bench.db")).await.unwrap();
    let sandbox = Arc::new(Sandbox::new(SandboxConfig { kv: Some(db.kv()), ..Default::default() }).unwrap());
    let mut catalog = PluginDir::default();
    for name in ["add", "echo"] {
        catalog.add(sandbox.load(&component(name)).await.unwrap());
    }
    let scheduler = Scheduler::new(
        sandbox,
        Arc::new(catalog),
        &db,
        Arc::new(FixedGrants(Arc::new(Grants::default()))),
        Limits::default(),
    );

    println!("scena engine benchmark: durable SQLite (WAL, synchronous=NORMAL) at {}", dir.display());
    let chain10 = chain(10);
    let expected = json!({"n": 10});
    throughput(&scheduler, &chain10, &expected, 20, 1).await; // warm-up
    let runs = 300;
    let (wall, cpu) = throughput(&scheduler, &chain10, &expected, runs, 1).await;
    println!(
        "  chain10, 1 client     : {:>7.0} flows/s   {:>6.2} ms per flow   {:>5.0} µs CPU per step",
        runs as f64 / wall.as_secs_f64(),
        wall.as_secs_f64() * 1e3 / runs as f64,
        cpu.as_secs_f64() * 1e6 / (runs * 10) as f64
    );
    let runs = 800;
    let (wall, cpu) = throughput(&scheduler, &chain10, &expected, runs, 16).await;
    println!(
        "  chain10, 16 concurrent: {:>7.0} flows/s                        {:>5.0} µs CPU per step",
        runs as f64 / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / (runs * 10) as f64
    );
    let fan50 = fan(50);
    let expected = json!({"sum": 50});
    let runs = 100;
    let (wall, _) = throughput(&scheduler, &fan50, &expected, runs, 1).await;
    println!("  fan50, 1 client       : {:>7.0} flows/s", runs as f64 / wall.as_secs_f64());
    let runs = 200;
    let (wall, _) = throughput(&scheduler, &fan50, &expected, runs, 16).await;
    println!("  fan50, 16 concurrent  : {:>7.0} flows/s", runs as f64 / wall.as_secs_f64());
    for size in [1_000usize, 10_000] {
        let flow = chain(size);
        let started = Instant::now();
        let output = run_once(&scheduler, &flow, &json!({"n": 0})).await;
        assert_eq!(output, json!({"n": size}));
        println!(
            "  linear {size:>6} nodes   : {:>7.2} s (validation and planning included)",
            started.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
