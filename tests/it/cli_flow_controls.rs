//! Run controls through the CLI: retry a failed step (with a replaced input),
//! skip a node with a given output, cancel a run — and refusals when the run
//! does not admit them.

use crate::support::{Ran, TempDir, plugin_dir, scena};
use serde_json::json;

struct Setup {
    dir: TempDir,
    flow: String,
    plugins: String,
}

/// start → poke (kv `set` without a value: fails as invalid input) → gate? → end
fn setup(with_gate: bool) -> Setup {
    let dir = TempDir::new("controls");
    let plugins = plugin_dir(&dir, &["kv"]);
    let mut nodes = vec![
        json!({"id": "start", "kind": "start"}),
        json!({"id": "poke", "kind": "step", "plugin": "kv", "input": {"op": "set", "key": "k"}}),
        json!({"id": "end", "kind": "end", "output": "${steps.poke.output}"}),
    ];
    let mut edges = vec![json!({"from": "start", "to": "poke"}), json!({"from": "poke", "to": "end"})];
    if with_gate {
        nodes[1] =
            json!({"id": "poke", "kind": "step", "plugin": "kv", "input": {"op": "set", "key": "k", "value": 1}});
        nodes.push(json!({"id": "gate", "kind": "approval", "assignees": ["ops"]}));
        edges = vec![
            json!({"from": "start", "to": "gate"}),
            json!({"from": "gate", "to": "poke"}),
            json!({"from": "poke", "to": "end"}),
        ];
    }
    let flow = dir.path().join("flow.json");
    std::fs::write(&flow, json!({"name": "controls", "nodes": nodes, "edges": edges}).to_string()).unwrap();
    Setup { flow: flow.display().to_string(), plugins, dir }
}

impl Setup {
    fn run(&self) -> (Ran, String) {
        let ran = scena(self.dir.path(), &["flow", "run", &self.flow, "--plugins", &self.plugins]);
        let line = ran.stderr.lines().find(|l| l.contains("] started (")).unwrap_or_else(|| panic!("{ran:?}"));
        let id = line.rsplit('(').next().unwrap().trim_end_matches(')').to_string();
        (ran, id)
    }

    fn control(&self, args: &[&str]) -> Ran {
        let mut all = vec!["flow"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--plugins", &self.plugins, "--by", "carol"]);
        scena(self.dir.path(), &all)
    }
}

#[test]
fn a_failed_step_can_be_retried_with_a_replaced_input() {
    let setup = setup(false);
    let (ran, id) = setup.run();
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("node poke failed: invalid input"), "{ran:?}");

    let retried = setup.control(&["retry", &id, "poke", "--input", r#"{"op": "set", "key": "k", "value": 5}"#]);
    assert_eq!(retried.code, 0, "{retried:?}");
    assert_eq!(retried.json(), json!({"value": 5}));
    assert!(
        retried.stderr.contains("poke: retried by carol") && retried.stderr.contains("poke: started, attempt 2"),
        "{retried:?}"
    );

    // A succeeded node is not retried or skipped, and the run is not disturbed.
    let again = setup.control(&["retry", &id, "poke"]);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(again.reason().contains("node `poke` is not a failed step"), "{again:?}");
    let skip = setup.control(&["skip", &id, "poke"]);
    assert!(skip.reason().contains("cannot be skipped while it has succeeded"), "{skip:?}");
}

#[test]
fn a_failed_step_can_be_skipped_with_a_given_output() {
    let setup = setup(false);
    let (_, id) = setup.run();
    let skipped = setup.control(&["skip", &id, "poke", "--output", r#"{"value": "set by hand"}"#]);
    assert_eq!(skipped.code, 0, "{skipped:?}");
    assert_eq!(skipped.json(), json!({"value": "set by hand"}));
    let unknown = setup.control(&["skip", &id, "nope"]);
    assert_eq!(unknown.code, 1);
    assert!(unknown.reason().contains("the flow has no node `nope`"), "{unknown:?}");
}

#[test]
fn a_cancelled_run_stays_cancelled() {
    let setup = setup(true);
    let (ran, id) = setup.run();
    assert_eq!(ran.code, 2, "{ran:?}");
    let cancelled = setup.control(&["cancel", &id, "--reason", "maintenance window closed"]);
    assert_eq!(cancelled.code, 1, "{cancelled:?}");
    assert!(cancelled.reason().contains("cancelled by carol: maintenance window closed"), "{cancelled:?}");
    let approve = setup.control(&["approve", &id, "gate"]);
    assert_eq!(approve.code, 1, "{approve:?}");
    assert!(approve.reason().contains("is not waiting for a decision"), "{approve:?}");
    let twice = setup.control(&["cancel", &id]);
    assert!(twice.reason().contains("the run is already over"), "{twice:?}");
    let recover = scena(setup.dir.path(), &["flow", "recover", "--plugins", &setup.plugins]);
    assert_eq!(recover.code, 0, "{recover:?}");
    assert!(recover.stderr.contains("no unfinished runs"), "{recover:?}");
}

#[test]
fn an_undecided_approval_can_be_skipped() {
    let setup = setup(true);
    let (_, id) = setup.run();
    let skipped = setup.control(&["skip", &id, "gate", "--output", r#"{"approved": true, "by": "change board"}"#]);
    assert_eq!(skipped.code, 0, "{skipped:?}");
    assert_eq!(skipped.json(), json!({"value": 1}));
}

#[test]
fn a_paused_run_starts_no_step_until_it_is_unpaused() {
    let setup = setup(true);
    let (_, id) = setup.run();
    let paused = setup.control(&["pause", &id, "--reason", "change freeze"]);
    assert_eq!(paused.code, 0, "{paused:?}");
    assert!(paused.stderr.contains("paused by carol"), "{paused:?}");
    let twice = setup.control(&["pause", &id]);
    assert!(twice.reason().contains("the run is already paused"), "{twice:?}");

    // The decision is taken, but `poke` is held.
    let approved = setup.control(&["approve", &id, "gate"]);
    assert_eq!(approved.code, 2, "{approved:?}");
    assert!(approved.reason().contains("is paused"), "{approved:?}");
    assert!(!approved.stderr.contains("poke: started"), "{approved:?}");
    // Recovering runs, every one or this one, keeps a pause.
    let all = scena(setup.dir.path(), &["flow", "recover", "--plugins", &setup.plugins]);
    assert_eq!(all.code, 2, "{all:?}");
    assert!(!all.stderr.contains("poke: started"), "{all:?}");
    let this = scena(setup.dir.path(), &["flow", "recover", &id, "--plugins", &setup.plugins]);
    assert_eq!(this.code, 2, "{this:?}");
    assert!(this.stderr.contains("continue it with `scena flow unpause"), "{this:?}");

    let unpaused = setup.control(&["unpause", &id]);
    assert_eq!(unpaused.code, 0, "{unpaused:?}");
    assert!(
        unpaused.stderr.contains("unpaused by carol") && unpaused.stderr.contains("poke: started, attempt 1"),
        "{unpaused:?}"
    );
    assert_eq!(unpaused.json(), json!({"value": 1}));
    let history = scena(setup.dir.path(), &["flow", "history", &id]);
    assert!(history.stdout.contains("paused by carol: change freeze"), "{history:?}");
}

#[test]
fn a_waiting_node_can_be_force_failed() {
    let setup = setup(true);
    let (_, id) = setup.run();
    let early = setup.control(&["force-fail", &id, "poke"]);
    assert_eq!(early.code, 1, "{early:?}");
    assert!(early.reason().contains("node `poke` cannot be force-failed while it has not been reached"), "{early:?}");
    let failed = setup.control(&["force-fail", &id, "gate", "--reason", "no change board today"]);
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(failed.reason().contains("node gate failed: force-failed by carol: no change board today"), "{failed:?}");
    let history = scena(setup.dir.path(), &["flow", "history", &id]);
    assert!(history.stdout.contains("gate: force-failed by carol"), "{history:?}");
}

#[test]
fn the_old_resume_spelling_still_unpauses_a_named_run_and_says_it_is_going() {
    let setup = setup(true);
    let (_, id) = setup.run();
    setup.control(&["pause", &id]);
    setup.control(&["approve", &id, "gate"]);
    let resumed = scena(setup.dir.path(), &["flow", "resume", &id, "--plugins", &setup.plugins]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert!(resumed.stderr.contains("`scena flow resume` is now `scena flow recover`"), "{resumed:?}");
    assert_eq!(resumed.json(), json!({"value": 1}));
}
