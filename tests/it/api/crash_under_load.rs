//! A server killed (SIGKILL) while clients keep it busy starting chains of
//! `kv` increments and waiting for their ends: after the restart, every run
//! it acknowledged is there as it was answered, every run it had started
//! finishes, and no increment was applied twice.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::support::server::{ADMIN, serve};

const STEPS: usize = 10;

/// start → 10 increments of keys private to the run → end with every value.
fn counting_chain() -> Value {
    let mut nodes = vec![json!({"id": "start", "kind": "start"})];
    let mut edges = Vec::new();
    let mut previous = "start".to_string();
    for i in 1..=STEPS {
        let id = format!("s{i}");
        nodes.push(json!({"id": id, "kind": "step", "plugin": "kv", "input": {"op": "increment", "key": format!("${{run.id}}-{i}")}}));
        edges.push(json!({"from": previous, "to": id}));
        previous = id;
    }
    let values: Vec<String> = (1..=STEPS).map(|i| format!("${{steps.s{i}.output.value}}")).collect();
    nodes.push(json!({"id": "end", "kind": "end", "output": {"values": values}}));
    edges.push(json!({"from": previous, "to": "end"}));
    json!({"name": "crash-chain", "nodes": nodes, "edges": edges})
}

/// Start runs one after another until the server goes away (or 500 starts):
/// the ids and outputs of the runs it answered as succeeded.
async fn client(base: String, acknowledged: Arc<Mutex<Vec<(String, Value)>>>) {
    let http = scena::tls::client();
    let url = format!("{base}{FLOWS}/crash-chain/runs?wait_ms=30000");
    for _ in 0..500 {
        let sent = http.post(&url).bearer_auth(ADMIN).json(&json!({"input": {}})).send().await;
        let Ok(response) = sent else { return };
        let status = response.status().as_u16();
        let Ok(run) = response.json::<Value>().await else { return };
        assert_eq!((status, &run["status"]), (200, &json!("succeeded")), "an answer before the kill: {run}");
        acknowledged.lock().unwrap().push((run["id"].as_str().unwrap().to_string(), run["output"].clone()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_load_keeps_every_acknowledged_run_and_repeats_no_increment() {
    let mut server = serve("api-crash-load");
    server.publish("default", counting_chain()).await;
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..6).map(|_| tokio::spawn(client(server.base.clone(), acknowledged.clone()))).collect();
    for _ in 0..1200 {
        if acknowledged.lock().unwrap().len() >= 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(acknowledged.lock().unwrap().len() >= 40, "the server answered too few runs before the kill");

    tokio::task::block_in_place(|| server.restart()); // SIGKILL, then start again on the same data dir
    for client in clients {
        client.await.unwrap(); // each ends at its first failed request
    }

    let ones = json!({"values": vec![1; STEPS]});
    let acknowledged = acknowledged.lock().unwrap().clone();
    for (id, output) in &acknowledged {
        assert_eq!(output, &ones, "answered before the kill");
        let run = server.admin("GET", &format!("{}/runs/{id}", tenant("default")), None).await;
        assert_eq!((&run.body["status"], &run.body["output"]), (&json!("succeeded"), &ones), "after: {}", run.body);
    }
    // Every run the server had started — those in flight at the kill too — ends, each increment applied once.
    let mut started = Vec::new();
    let mut cursor = String::new();
    loop {
        let page =
            server.admin("GET", &format!("{}/runs?flow=crash-chain&limit=500{cursor}", tenant("default")), None).await;
        started.extend(page.body["runs"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()));
        match page.body["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert!(started.len() >= acknowledged.len(), "{} runs listed, {} acknowledged", started.len(), acknowledged.len());
    eprintln!("{} runs acknowledged before the kill, {} started in all", acknowledged.len(), started.len());
    for id in &started {
        let run = wait_until_over(&server, &format!("{}/runs/{id}", tenant("default"))).await;
        assert_eq!((&run["status"], &run["output"]), (&json!("succeeded"), &ones), "{run}");
    }
}
