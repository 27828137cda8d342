//! Flows the crash tests share: increments of `kv` keys private to the run,
//! with waits between them, as foreach items and in a subflow, so a kill
//! (of a CLI process or of a cluster's node) lands inside calls, between
//! steps, during waits and inside a child run. Every value in its output is
//! 1 when each increment was applied exactly once.

use serde_json::{Value, json};

/// Flow `name`: `chain` increments with a wait of `wait_ms` after each, then
/// `items` increments as foreach items (two at a time), then `count-twice`.
pub fn counting_flow(name: &str, chain: usize, items: usize, wait_ms: u64) -> Value {
    let mut nodes = vec![json!({"id": "start", "kind": "start"})];
    let mut edges = Vec::new();
    let mut previous = "start".to_string();
    let mut outputs = Vec::new();
    for i in 1..=chain {
        let (inc, nap) = (format!("inc{i}"), format!("nap{i}"));
        nodes.push(json!({"id": inc, "kind": "step", "plugin": "kv", "input": {"op": "increment", "key": format!("${{run.id}}-{i}")}}));
        nodes.push(json!({"id": nap, "kind": "wait", "duration_ms": wait_ms}));
        edges.push(json!({"from": previous, "to": inc}));
        edges.push(json!({"from": inc, "to": nap}));
        outputs.push(format!("${{steps.{inc}.output.value}}"));
        previous = nap;
    }
    let items: Vec<usize> = (1..=items).collect();
    nodes.push(
        json!({"id": "each", "kind": "foreach", "items": serde_json::to_string(&items).unwrap(), "concurrency": 2,
        "body": {"plugin": "kv", "input": {"op": "increment", "key": "${run.id}-each-${item}"}}}),
    );
    edges.push(json!({"from": previous, "to": "each"}));
    nodes.push(json!({"id": "sub", "kind": "subflow", "flow": "count-twice", "input": {"key": "${run.id}-sub"}}));
    edges.push(json!({"from": "each", "to": "sub"}));
    let output =
        json!({"chain": outputs, "each": "${steps.each.output.map(o, o.value)}", "sub": "${steps.sub.output}"});
    nodes.push(json!({"id": "end", "kind": "end", "output": output}));
    edges.push(json!({"from": "sub", "to": "end"}));
    json!({"name": name, "nodes": nodes, "edges": edges})
}

/// The subflow of the counting flow: two increments with a wait of `wait_ms` between.
pub fn count_twice_flow(wait_ms: u64) -> Value {
    let inc = |id: &str| json!({"id": id, "kind": "step", "plugin": "kv", "input": {"op": "increment", "key": format!("${{inputs.key}}-{id}")}});
    json!({"name": "count-twice", "nodes": [{"id": "start", "kind": "start"}, inc("a"), {"id": "nap", "kind": "wait", "duration_ms": wait_ms}, inc("b"),
        {"id": "end", "kind": "end", "output": {"a": "${steps.a.output.value}", "b": "${steps.b.output.value}"}}],
      "edges": [{"from": "start", "to": "a"}, {"from": "a", "to": "nap"}, {"from": "nap", "to": "b"}, {"from": "b", "to": "end"}]})
}
