//! What the benchmarks share: the components they run and the flows they
//! measure (chain10 and fan50 are defined once, for the engine and the HTTP
//! benchmarks alike).
#![allow(dead_code)] // each benchmark uses a different part

use std::path::PathBuf;
use std::time::Duration;

use scena::flow::{Flow, load_flow};
use serde_json::json;

pub fn component(name: &str) -> Vec<u8> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join(format!("wasm32-wasip2/release/{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask bench`, which builds it)", path.display()))
}

pub fn chain(steps: usize) -> Flow {
    let mut nodes = vec![json!({"id": "start", "kind": "start"})];
    let mut edges = Vec::new();
    let mut previous = "start".to_string();
    for i in 1..=steps {
        let id = format!("s{i}");
        let n = if i == 1 { "${inputs.n}".to_string() } else { format!("${{steps.s{}.output.n}}", i - 1) };
        nodes.push(json!({"id": id, "kind": "step", "plugin": "add", "input": {"n": n}}));
        edges.push(json!({"from": previous, "to": id}));
        previous = id;
    }
    nodes.push(json!({"id": "end", "kind": "end", "output": format!("${{steps.{previous}.output}}")}));
    edges.push(json!({"from": previous, "to": "end"}));
    load_flow(&json!({"name": "chain", "nodes": nodes, "edges": edges}).to_string()).unwrap()
}

pub fn fan(branches: usize) -> Flow {
    let mut nodes = vec![
        json!({"id": "start", "kind": "start"}),
        json!({"id": "first", "kind": "step", "plugin": "echo", "input": {"n": "${inputs.n}"}}),
        json!({"id": "fan", "kind": "parallel"}),
        json!({"id": "meet", "kind": "join"}),
    ];
    let mut edges = vec![json!({"from": "start", "to": "first"}), json!({"from": "first", "to": "fan"})];
    let mut sum = Vec::new();
    for i in 1..=branches {
        let id = format!("b{i}");
        nodes.push(json!({"id": id, "kind": "step", "plugin": "add", "input": {"n": "${steps.first.output.n}"}}));
        edges.push(json!({"from": "fan", "to": id}));
        edges.push(json!({"from": id, "to": "meet"}));
        sum.push(format!("steps.{id}.output.n"));
    }
    nodes.push(json!({"id": "end", "kind": "end", "output": {"sum": format!("${{{}}}", sum.join(" + "))}}));
    edges.push(json!({"from": "meet", "to": "end"}));
    load_flow(&json!({"name": "fan", "nodes": nodes, "edges": edges}).to_string()).unwrap()
}

/// User + system CPU time of this process, from /proc (Linux).
pub fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: u64 = fields.get(11..13).map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}
