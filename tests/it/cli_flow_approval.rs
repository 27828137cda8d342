//! Approval nodes: a run waits (exit 2) until someone approves or rejects it
//! with `scena flow approve|reject`; a timeout decides when nobody does.

use crate::support::{Ran, TempDir, plugin_dir, scena};
use serde_json::{Value, json};

fn setup(approval: Value) -> (TempDir, String, String) {
    let dir = TempDir::new("approval");
    let plugins = plugin_dir(&dir, &["echo"]);
    let mut gate =
        json!({"id": "gate", "kind": "approval", "assignees": ["role:operator"], "message": "Roll out to 100 %?"});
    gate.as_object_mut().unwrap().extend(approval.as_object().unwrap().clone());
    let flow = json!({
        "name": "gated",
        "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "prep", "kind": "step", "plugin": "echo", "input": {"ready": true}},
            gate,
            {"id": "after", "kind": "step", "plugin": "echo", "input": {"by": "${steps.gate.output.by}", "comment": "${steps.gate.output.comment}"}},
            {"id": "end", "kind": "end", "output": "${steps.after.output}"}
        ],
        "edges": [{"from": "start", "to": "prep"}, {"from": "prep", "to": "gate"}, {"from": "gate", "to": "after"}, {"from": "after", "to": "end"}]
    });
    let file = dir.path().join("gated.json");
    std::fs::write(&file, flow.to_string()).unwrap();
    (dir, file.display().to_string(), plugins)
}

fn run_id(ran: &Ran) -> String {
    let line = ran.stderr.lines().find(|l| l.contains("] started (")).unwrap_or_else(|| panic!("{ran:?}"));
    line.rsplit('(').next().unwrap().trim_end_matches(')').to_string()
}

#[test]
fn a_run_waits_for_approval_then_continues_with_who_and_why() {
    let (dir, flow, plugins) = setup(json!({}));
    let ran = scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins]);
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("gate: waiting for a decision by role:operator — Roll out to 100 %?"), "{ran:?}");
    assert!(ran.stdout.is_empty());
    let id = run_id(&ran);
    assert!(ran.stderr.contains(&format!("approve: scena flow approve {id} gate")), "{ran:?}");

    // Still waiting on resume: nothing runs twice, the answer is the same.
    let resumed = scena(dir.path(), &["flow", "recover", "--plugins", &plugins]);
    assert_eq!(resumed.code, 2, "{resumed:?}");
    assert!(!resumed.stderr.contains("prep: started"), "{resumed:?}");

    let approved = scena(
        dir.path(),
        &["flow", "approve", &id, "gate", "--by", "alice", "--comment", "gray batches clean", "--plugins", &plugins],
    );
    assert_eq!(approved.code, 0, "{approved:?}");
    assert_eq!(approved.json(), json!({"by": "alice", "comment": "gray batches clean"}));
    assert!(approved.stderr.contains("gate: approved by alice"), "{approved:?}");

    let again = scena(dir.path(), &["flow", "approve", &id, "gate", "--plugins", &plugins]);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(again.reason().contains(&format!("run {id}: node `gate` is not waiting for a decision")), "{again:?}");
}

#[test]
fn a_rejection_fails_the_run_with_who_and_why() {
    let (dir, flow, plugins) = setup(json!({}));
    let id = run_id(&scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins]));
    let rejected = scena(
        dir.path(),
        &["flow", "reject", &id, "gate", "--by", "bob", "--comment", "error budget spent", "--plugins", &plugins],
    );
    assert_eq!(rejected.code, 1, "{rejected:?}");
    assert!(rejected.reason().contains("node gate failed: rejected by bob: error budget spent"), "{rejected:?}");
    let unknown = scena(dir.path(), &["flow", "approve", "no-such-run", "gate", "--plugins", &plugins]);
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert!(unknown.reason().contains("no run `no-such-run`"), "{unknown:?}");
}

#[test]
fn an_approval_timeout_decides_when_the_run_is_next_resumed() {
    let (dir, flow, plugins) = setup(json!({"timeout_ms": 800, "on_timeout": "approve"}));
    let ran = scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins]);
    assert_eq!(ran.code, 2, "{ran:?}");
    // Nobody decides; once the timeout has passed, the next recovery applies it
    // (before, the run still waits: exit 2).
    let mut resumed = scena(dir.path(), &["flow", "recover", "--plugins", &plugins]);
    for _ in 0..100 {
        if resumed.code != 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        resumed = scena(dir.path(), &["flow", "recover", "--plugins", &plugins]);
    }
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert_eq!(resumed.json(), json!({"by": "timeout", "comment": "no decision before the approval's timeout"}));
}
