//! `cargo bench -p scena --bench cluster` (PostgreSQL at `SCENA_BENCH_DB`,
//! default `postgres://postgres@127.0.0.1:5432/test`): `scena serve` as
//! separate processes — 1, 2 and 3 nodes of a cluster on one PostgreSQL
//! schema, and one node on SQLite for comparison — under the same closed
//! loop (16 keep-alive clients spread over the nodes, `POST
//! …/runs?wait_ms`), printing chain10 / fan50 flows/s with p50/p99; then the
//! failover time: `kill -9` of a node driving runs → every one of them taken
//! over by another node. Load generator and servers share this machine's cores.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
mod loadgen;
mod served;
use common::{chain, fan};
use served::{Node, call, load, publish, start_node, start_path};

async fn measure(label: &str, nodes: &[Node]) {
    publish(&nodes[0], serde_json::to_value(chain(10)).unwrap()).await;
    publish(&nodes[0], serde_json::to_value(fan(50)).unwrap()).await;
    // The other nodes see the versions at once (they read them from the database).
    let addresses: Vec<SocketAddr> = nodes.iter().map(|n| n.address).collect();
    let (ten, fifty) = (json!({"n": 10}), json!({"sum": 50}));
    load(&addresses, &start_path("chain"), &ten, 200, 4).await; // warm-up: compiled plans, pools
    let scale: usize = std::env::var("SCENA_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let cases = [("chain10", "chain", &ten, 3200, 16), ("fan50", "fan", &fifty, 800, 16)];
    for (name, flow, expected, total, clients) in cases {
        let measured = load(&addresses, &start_path(flow), expected, total * scale, clients).await;
        println!(
            "  {label:<26} {name:<8} 16 clients: {:>6.0} flows/s   p50 {:>6.2} ms   p99 {:>6.2} ms",
            measured.rate,
            measured.percentile(0.5),
            measured.percentile(0.99)
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
    let client = scena::tls::client();
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
