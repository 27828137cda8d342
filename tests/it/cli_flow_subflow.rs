//! Subflows through the CLI: a node (or a foreach body) runs a published flow
//! of the tenant as a child run, pinned when the parent starts; failures can
//! be routed; an approval inside a subflow pauses the parent until decided.

use crate::support::{Ran, TempDir, plugin_dir, scena};
use serde_json::{Value, json};

fn write(dir: &TempDir, name: &str, flow: &Value) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, flow.to_string()).unwrap();
    path.display().to_string()
}

/// The child: counts the zone's openings in `kv` and says which version ran.
fn zone_open(tag: &str) -> Value {
    json!({"name": "zone-open", "inputs": {"type": "object", "required": ["zone"], "properties": {"zone": {"type": "string"}}},
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "count", "kind": "step", "plugin": "kv", "input": {"op": "increment", "key": "${'opened-' + inputs.zone}"}},
                {"id": "end", "kind": "end", "output": {"zone": "${inputs.zone}", "opened": "${steps.count.output.value}", "by": tag}}],
      "edges": [{"from": "start", "to": "count"}, {"from": "count", "to": "end"}]})
}

fn parent(version: Value) -> Value {
    json!({"name": "release", "nodes": [
        {"id": "start", "kind": "start"},
        {"id": "open", "kind": "subflow", "flow": "zone-open", "version": version, "input": {"zone": "${inputs.zone}"}},
        {"id": "end", "kind": "end", "output": "${steps.open.output}"}],
      "edges": [{"from": "start", "to": "open"}, {"from": "open", "to": "end"}]})
}

fn run_id(ran: &Ran) -> String {
    let line = ran.stderr.lines().find(|l| l.contains("] started (")).unwrap_or_else(|| panic!("{ran:?}"));
    line.rsplit('(').next().unwrap().trim_end_matches(')').to_string()
}

#[test]
fn a_subflow_runs_the_version_pinned_when_the_parent_starts() {
    let dir = TempDir::new("subflow-pin");
    let plugins = plugin_dir(&dir, &["kv"]);
    let v1 = scena(dir.path(), &["flow", "publish", &write(&dir, "v1.json", &zone_open("v1"))]);
    assert_eq!(v1.code, 0, "{v1:?}");

    let latest = write(&dir, "latest.json", &parent(json!("latest")));
    let ran = scena(dir.path(), &["flow", "run", &latest, "--plugins", &plugins, "--input", r#"{"zone": "eu-1"}"#]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"zone": "eu-1", "opened": 1, "by": "v1"}));

    scena(dir.path(), &["flow", "publish", &write(&dir, "v2.json", &zone_open("v2"))]);
    let again = scena(dir.path(), &["flow", "run", &latest, "--plugins", &plugins, "--input", r#"{"zone": "eu-1"}"#]);
    assert_eq!(again.json(), json!({"zone": "eu-1", "opened": 2, "by": "v2"}));
    let pinned = write(&dir, "pinned.json", &parent(json!(1)));
    let old = scena(dir.path(), &["flow", "run", &pinned, "--plugins", &plugins, "--input", r#"{"zone": "eu-1"}"#]);
    assert_eq!(old.json(), json!({"zone": "eu-1", "opened": 3, "by": "v1"}));

    // The pinned versions are part of the run's record, and the child run has its own history.
    let history = scena(dir.path(), &["flow", "history", &run_id(&again), "--json"]).json();
    assert_eq!(history["events"][0]["run"]["subflows"], json!({"open": 2}));
    let runs = scena(dir.path(), &["flow", "runs"]);
    assert_eq!(runs.stdout.lines().filter(|l| l.contains("zone-open v")).count(), 3, "{runs:?}");
}

#[test]
fn a_missing_subflow_or_a_bad_input_is_reported_clearly() {
    let dir = TempDir::new("subflow-missing");
    let plugins = plugin_dir(&dir, &["kv"]);
    let flow = write(&dir, "parent.json", &parent(json!("latest")));
    let ran = scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins, "--input", r#"{"zone": "eu-1"}"#]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        ran.reason().contains("node open runs a subflow: flow `zone-open` of tenant `local` has no published version"),
        "{ran:?}"
    );

    scena(dir.path(), &["flow", "publish", &write(&dir, "v1.json", &zone_open("v1"))]);
    let bad = scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins, "--input", r#"{"zone": 7}"#]);
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(
        bad.reason()
            .contains("node open failed: subflow_failed: input does not match the inputs schema of flow `zone-open`"),
        "{bad:?}"
    );
}

#[test]
fn a_failed_subflow_can_take_an_error_route() {
    let dir = TempDir::new("subflow-route");
    let plugins = plugin_dir(&dir, &["kv"]);
    // `set` without a value fails inside the child.
    let broken = json!({"name": "broken", "nodes": [{"id": "start", "kind": "start"},
        {"id": "poke", "kind": "step", "plugin": "kv", "input": {"op": "set", "key": "k"}}, {"id": "end", "kind": "end"}],
        "edges": [{"from": "start", "to": "poke"}, {"from": "poke", "to": "end"}]});
    scena(dir.path(), &["flow", "publish", &write(&dir, "broken.json", &broken)]);
    let flow = json!({"name": "careful", "nodes": [{"id": "start", "kind": "start"},
        {"id": "try", "kind": "subflow", "flow": "broken", "on_error": "route"},
        {"id": "ok", "kind": "end", "output": "fine"},
        {"id": "undo", "kind": "end", "output": {"kind": "${steps.try.error.kind}", "why": "${steps.try.error.message}"}}],
      "edges": [{"from": "start", "to": "try"}, {"from": "try", "to": "ok"}, {"from": "try", "to": "undo", "kind": "error"}]});
    let ran = scena(dir.path(), &["flow", "run", &write(&dir, "careful.json", &flow), "--plugins", &plugins]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let output = ran.json();
    assert_eq!(output["kind"], "subflow_failed");
    assert!(output["why"].as_str().unwrap().contains("node poke failed: invalid input"), "{output}");
}

#[test]
fn a_foreach_runs_a_subflow_per_item_in_item_order() {
    let dir = TempDir::new("subflow-foreach");
    let plugins = plugin_dir(&dir, &["kv"]);
    scena(dir.path(), &["flow", "publish", &write(&dir, "v1.json", &zone_open("v1"))]);
    let flow = json!({"name": "all-zones", "nodes": [{"id": "start", "kind": "start"},
        {"id": "each", "kind": "foreach", "items": "inputs.zones", "concurrency": 2,
         "body": {"flow": "zone-open", "input": {"zone": "${item}"}}},
        {"id": "end", "kind": "end", "output": "${steps.each.output.map(o, o.zone)}"}],
      "edges": [{"from": "start", "to": "each"}, {"from": "each", "to": "end"}]});
    let ran = scena(
        dir.path(),
        &[
            "flow",
            "run",
            &write(&dir, "all.json", &flow),
            "--plugins",
            &plugins,
            "--input",
            r#"{"zones": ["a", "b", "c"]}"#,
        ],
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!(["a", "b", "c"]));
}

/// A run of `outer` parked on the approval inside its subflow `gated`: the
/// directory, the plugins, and the ids of the parent and the child run.
fn parked_on_a_child_approval(label: &str) -> (TempDir, String, String, String) {
    let dir = TempDir::new(label);
    let plugins = plugin_dir(&dir, &["kv"]);
    let gated = json!({"name": "gated", "nodes": [{"id": "start", "kind": "start"},
        {"id": "gate", "kind": "approval", "assignees": ["ops"]},
        {"id": "end", "kind": "end", "output": "${steps.gate.output.by}"}],
      "edges": [{"from": "start", "to": "gate"}, {"from": "gate", "to": "end"}]});
    scena(dir.path(), &["flow", "publish", &write(&dir, "gated.json", &gated)]);
    let flow = json!({"name": "outer", "nodes": [{"id": "start", "kind": "start"},
        {"id": "inner", "kind": "subflow", "flow": "gated"},
        {"id": "end", "kind": "end", "output": {"approved_by": "${steps.inner.output}"}}],
      "edges": [{"from": "start", "to": "inner"}, {"from": "inner", "to": "end"}]});
    let ran = scena(dir.path(), &["flow", "run", &write(&dir, "outer.json", &flow), "--plugins", &plugins]);
    assert_eq!(ran.code, 2, "{ran:?}");
    let line = ran.stderr.lines().find(|l| l.contains("its subflow run")).unwrap_or_else(|| panic!("{ran:?}"));
    let child = line.split("its subflow run ").nth(1).unwrap().split(' ').next().unwrap().to_string();
    let parent = run_id(&ran);
    (dir, plugins, parent, child)
}

#[test]
fn an_approval_inside_a_subflow_holds_the_parent_until_it_is_decided() {
    let (dir, plugins, parent_id, child) = parked_on_a_child_approval("subflow-approval");

    // Resuming every unfinished run leaves the parent waiting (the child still is).
    let all = scena(dir.path(), &["flow", "recover", "--plugins", &plugins]);
    assert_eq!(all.code, 2, "{all:?}");

    let approved = scena(dir.path(), &["flow", "approve", &child, "gate", "--plugins", &plugins, "--by", "olga"]);
    assert_eq!(approved.code, 0, "{approved:?}");
    assert!(approved.stderr.contains(&format!("[run {}] succeeded", &parent_id[..8])), "{approved:?}");
    let parent = scena(dir.path(), &["flow", "history", &parent_id, "--json"]).json();
    assert_eq!(parent["run"]["status"], "succeeded");
    assert_eq!(parent["run"]["output"], json!({"approved_by": "olga"}));
}

#[test]
fn cancelling_a_parent_cancels_the_child_run_it_waits_for() {
    let (dir, plugins, parent_id, child) = parked_on_a_child_approval("subflow-cancel");

    let cancelled = scena(
        dir.path(),
        &["flow", "cancel", &parent_id, "--plugins", &plugins, "--by", "olga", "--reason", "change freeze"],
    );
    assert_eq!(cancelled.code, 1, "a cancelled run exits like a failed one: {cancelled:?}");
    let parent = scena(dir.path(), &["flow", "history", &parent_id, "--json"]).json();
    assert_eq!(parent["run"]["status"], "cancelled", "{parent}");
    let child_history = scena(dir.path(), &["flow", "history", &child, "--json"]).json();
    assert_eq!(child_history["run"]["status"], "cancelled", "{child_history}");
    assert!(
        child_history.to_string().contains(&format!("its parent run {parent_id} was cancelled")),
        "{child_history}"
    );
    // Nothing is left waiting for a decision.
    let approve = scena(dir.path(), &["flow", "approve", &child, "gate", "--plugins", &plugins, "--by", "ops"]);
    assert_ne!(approve.code, 0, "{approve:?}");
}
