//! `scena flow validate`: a good flow passes; a bad one gets every problem
//! at once, one line each, with its node id.

use crate::support::{TempDir, plugin_dir, scena};
use serde_json::{Value, json};

/// A directory holding the standard plugins only.
fn standard_plugins(dir: &TempDir) -> String {
    plugin_dir(dir, &["echo", "kv", "http-request"])
}

fn write(dir: &TempDir, name: &str, flow: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, flow).unwrap();
    path.display().to_string()
}

fn good_flow() -> Value {
    json!({
        "name": "count-and-call",
        "inputs": {"type": "object", "required": ["zone"], "properties": {"zone": {"type": "string"}}},
        "nodes": [
            {"id": "start", "kind": "start", "ui": {"x": 0, "y": 0}},
            {"id": "count", "kind": "step", "plugin": "kv@^0.1", "input": {"op": "increment", "key": "runs-${inputs.zone}"}},
            {"id": "fan", "kind": "parallel"},
            {"id": "left", "kind": "step", "plugin": "echo", "input": {"n": "${steps.count.output.value}"}},
            {"id": "right", "kind": "step", "plugin": "echo@0.1.0", "input": "${inputs}",
             "retry": {"max_attempts": 3, "backoff": "exponential", "initial_ms": 100}},
            {"id": "meet", "kind": "join"},
            {"id": "route", "kind": "switch",
             "cases": [{"when": "steps.left.output.n > 10", "to": "big"}], "default": "small"},
            {"id": "big", "kind": "end", "output": {"size": "big", "n": "${steps.left.output.n}"}},
            {"id": "small", "kind": "end", "output": {"size": "small"}}
        ],
        "edges": [
            {"from": "start", "to": "count"}, {"from": "count", "to": "fan"},
            {"from": "fan", "to": "left"}, {"from": "fan", "to": "right"},
            {"from": "left", "to": "meet"}, {"from": "right", "to": "meet"},
            {"from": "meet", "to": "route"}
        ]
    })
}

#[test]
fn a_good_flow_is_ok() {
    let dir = TempDir::new("flow-good");
    let plugins = standard_plugins(&dir);
    let file = write(&dir, "good.json", &good_flow().to_string());
    let ran = scena(dir.path(), &["flow", "validate", &file, "--plugins", &plugins]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.stdout.trim(), "ok");
}

#[test]
fn yaml_flows_are_accepted() {
    let dir = TempDir::new("flow-yaml");
    let file = write(
        &dir,
        "hello.yaml",
        "name: hello\nnodes:\n  - id: start\n    kind: start\n  - id: say\n    kind: step\n    plugin: echo\n    input:\n      greeting: \"hello ${inputs.name}\"\n  - id: done\n    kind: end\n    output: \"${steps.say.output}\"\nedges:\n  - {from: start, to: say}\n  - {from: say, to: done}\n",
    );
    let ran = scena(dir.path(), &["flow", "validate", &file]);
    assert_eq!(ran.code, 0, "{ran:?}");
}

#[test]
fn every_problem_is_reported_at_once_with_its_node() {
    let dir = TempDir::new("flow-bad");
    let plugins = standard_plugins(&dir);
    let flow = json!({
        "name": "broken",
        "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "start2", "kind": "start"},
            {"id": "a", "kind": "step", "plugin": "echo", "input": {"x": "${steps.b.output}"}},
            {"id": "a", "kind": "step", "plugin": "echo"},
            {"id": "b", "kind": "step", "plugin": "kv", "input": {"op": "explode", "key": "${inputs.k}"}},
            {"id": "c", "kind": "step", "plugin": "no-such-plugin"},
            {"id": "d", "kind": "step", "plugin": "echo@^2", "input": {"bad": "${1 +}"}},
            {"id": "fan", "kind": "parallel"},
            {"id": "p1", "kind": "step", "plugin": "echo"},
            {"id": "p2", "kind": "step", "plugin": "echo"},
            {"id": "x", "kind": "step", "plugin": "echo"},
            {"id": "y", "kind": "step", "plugin": "echo"},
            {"id": "island", "kind": "step", "plugin": "echo"},
            {"id": "done", "kind": "end"}
        ],
        "edges": [
            {"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "c"},
            {"from": "c", "to": "d"}, {"from": "d", "to": "fan"},
            {"from": "fan", "to": "p1"}, {"from": "fan", "to": "p2"},
            {"from": "p1", "to": "done"}, {"from": "p2", "to": "x"},
            {"from": "x", "to": "y"}, {"from": "y", "to": "x"},
            {"from": "start2", "to": "ghost"},
            {"from": "island", "to": "done"}
        ]
    });
    let file = write(&dir, "broken.json", &flow.to_string());
    let ran = scena(dir.path(), &["flow", "validate", &file, "--plugins", &plugins]);
    assert_eq!(ran.code, 1, "{ran:?}");
    let expected = [
        "node a: duplicate node id",
        "node start2: a second start node (a flow has exactly one)",
        "node start2: edge to unknown node `ghost`",
        "node island: unreachable from the start node",
        "node x: part of a cycle x → y → x",
        "node fan: its branches never meet at a join",
        "node a: /input/x: refers to steps.b, which does not run before this node",
        "node b: /input/op: \"explode\" is not one of",
        "node c: /plugin: unknown plugin `no-such-plugin`",
        "node d: /plugin: no version of `echo` matches `^2` (have 0.1.0)",
        "node d: /input/bad: `1 +`: does not parse",
    ];
    for line in expected {
        assert!(ran.stdout.lines().any(|l| l.starts_with(line)), "missing `{line}` in:\n{}", ran.stdout);
    }
    // The `key` of b is an expression: it is not checked against the schema, and not reported.
    assert!(!ran.stdout.contains("/input/key"), "{}", ran.stdout);
    assert!(ran.reason().contains("problem(s)"), "{ran:?}");
}

#[test]
fn json_output_is_for_machines() {
    let dir = TempDir::new("flow-json");
    let flow = json!({"name": "no-end", "nodes": [{"id": "start", "kind": "start"}], "edges": []});
    let file = write(&dir, "no-end.json", &flow.to_string());
    let ran = scena(dir.path(), &["flow", "validate", "--json", &file]);
    assert_eq!(ran.code, 1, "{ran:?}");
    let report = ran.json();
    assert_eq!(report["ok"], false);
    let problems = report["problems"].as_array().unwrap();
    assert!(problems.contains(&json!({"message": "no end node"})), "{problems:?}");
    assert!(problems.iter().any(|p| p["node"] == "start"), "{problems:?}");

    let file = write(&dir, "good.json", &good_flow().to_string());
    let ran = scena(dir.path(), &["flow", "validate", "--json", &file]);
    assert_eq!(ran.json(), json!({"ok": true, "problems": []}));
}

#[test]
fn documents_that_break_the_schema_are_reported_by_node() {
    let dir = TempDir::new("flow-schema");
    let flow = json!({
        "name": "Bad Name",
        "nodes": [{"id": "start", "kind": "start"}, {"id": "w", "kind": "teleport"}, {"id": "s", "kind": "step", "plugin": "echo", "retries": 3}],
        "edges": []
    });
    let file = write(&dir, "schema.json", &flow.to_string());
    let ran = scena(dir.path(), &["flow", "validate", &file]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.stdout.contains("flow: /name:"), "{}", ran.stdout);
    assert!(ran.stdout.lines().any(|l| l.starts_with("node w: /nodes/1/kind:")), "{}", ran.stdout);
    assert!(ran.stdout.lines().any(|l| l.starts_with("node s: /nodes/2:") && l.contains("retries")), "{}", ran.stdout);

    let file = write(&dir, "garbage.json", "{ this is not a flow");
    let ran = scena(dir.path(), &["flow", "validate", &file]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.stdout.starts_with("flow: not valid JSON"), "{ran:?}");
}

#[test]
fn a_command_whose_reader_goes_away_ends_quietly() {
    use std::io::Read as _;
    // `scena openapi | head -c 100`: the reader closes the pipe after a few bytes.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scena"))
        .arg("openapi")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}
