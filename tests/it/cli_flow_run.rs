//! `scena flow run` and `scena flow recover` through the binary, including
//! SIGKILL of the process mid-run.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::flows::{count_twice_flow, counting_flow};
use crate::support::{Ran, TempDir, scena};
use serde_json::{Value, json};

fn plugins(dir: &TempDir) -> String {
    crate::support::plugin_dir(dir, &["echo", "kv", "countdown"])
}

fn write_flow(dir: &TempDir, flow: &Value) -> String {
    let path = dir.path().join("flow.json");
    std::fs::write(&path, flow.to_string()).unwrap();
    path.display().to_string()
}

fn demo_flow() -> Value {
    json!({
        "name": "demo",
        "inputs": {"type": "object", "required": ["zone"], "properties": {"zone": {"type": "string"}}},
        "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "count", "kind": "step", "plugin": "kv@^0.1", "input": {"op": "increment", "key": "runs-${inputs.zone}"}},
            {"id": "fan", "kind": "parallel"},
            {"id": "a", "kind": "step", "plugin": "echo", "input": {"n": "${steps.count.output.value}"}},
            {"id": "b", "kind": "step", "plugin": "countdown", "input": {"from": 2, "every_ms": 10}},
            {"id": "meet", "kind": "join"},
            {"id": "nap", "kind": "wait", "duration_ms": 20},
            {"id": "route", "kind": "switch", "cases": [{"when": "steps.a.output.n > 1", "to": "again"}], "default": "first"},
            {"id": "again", "kind": "end", "output": {"count": "${steps.a.output.n}", "polls": "${steps.b.output.polls}"}},
            {"id": "first", "kind": "end", "output": "first run in ${inputs.zone}"}
        ],
        "edges": [
            {"from": "start", "to": "count"}, {"from": "count", "to": "fan"},
            {"from": "fan", "to": "a"}, {"from": "fan", "to": "b"},
            {"from": "a", "to": "meet"}, {"from": "b", "to": "meet"},
            {"from": "meet", "to": "nap"}, {"from": "nap", "to": "route"}
        ]
    })
}

#[test]
fn a_flow_runs_end_to_end_and_prints_its_output() {
    let dir = TempDir::new("flow-run");
    let (plugins, flow) = (plugins(&dir), write_flow(&dir, &demo_flow()));
    let run = |zone: &str| {
        scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins, "--input", &json!({"zone": zone}).to_string()])
    };
    let first = run("eu-1");
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(first.json(), json!("first run in eu-1"));
    assert!(first.stderr.contains("b: pending, polling in 10 ms"), "{first:?}");
    let second = run("eu-1");
    assert_eq!(second.json(), json!({"count": 2, "polls": 2}), "{second:?}");
    assert_eq!(run("us-2").json(), json!("first run in us-2"));
}

#[test]
fn a_failing_step_fails_the_run_naming_the_node() {
    let dir = TempDir::new("flow-fail");
    let plugins = plugins(&dir);
    let flow = json!({
        "name": "bad-op",
        "nodes": [{"id": "start", "kind": "start"},
                  {"id": "poke", "kind": "step", "plugin": "kv", "input": {"op": "set", "key": "k"}},
                  {"id": "end", "kind": "end"}],
        "edges": [{"from": "start", "to": "poke"}, {"from": "poke", "to": "end"}]
    });
    let ran = scena(dir.path(), &["flow", "run", &write_flow(&dir, &flow), "--plugins", &plugins]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("failed: node poke failed: invalid input: `value` is required for set"), "{ran:?}");
    assert!(ran.stdout.is_empty());
}

#[test]
fn bad_input_and_unknown_plugins_are_refused_clearly() {
    let dir = TempDir::new("flow-refuse");
    let (plugins, flow) = (plugins(&dir), write_flow(&dir, &demo_flow()));
    let ran = scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins, "--input", r#"{"zone": 7}"#]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("input does not match the inputs schema of flow `demo`: /zone"), "{ran:?}");

    let missing = json!({"name": "m", "nodes": [{"id": "start", "kind": "start"},
        {"id": "x", "kind": "step", "plugin": "shield-alerts@^1"}, {"id": "end", "kind": "end"}],
        "edges": [{"from": "start", "to": "x"}, {"from": "x", "to": "end"}]});
    let ran = scena(dir.path(), &["flow", "run", &write_flow(&dir, &missing), "--plugins", &plugins]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("node x failed: fatal: unknown plugin `shield-alerts`"), "{ran:?}");
}

fn spawn_and_kill(dir: &TempDir, args: &[&str], wait_for_runs: Option<usize>, after: Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scena"))
        .args(args)
        .env("SCENA_DATA_DIR", dir.path())
        .env("SCENA_CACHE_DIR", crate::support::compiled_cache())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if let Some(count) = wait_for_runs {
        // Time the kill from the moment the run exists, not from process start.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while query(&dir.path().join("scena.db"), "SELECT COUNT(*) FROM runs WHERE parent_run IS NULL") < count as i64 {
            assert!(std::time::Instant::now() < deadline, "the run was never created");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    std::thread::sleep(after);
    let _ = child.kill(); // SIGKILL: no chance to clean up
    let _ = child.wait();
}

#[test]
fn runs_survive_sigkill_and_apply_every_increment_exactly_once() {
    let dir = TempDir::new("flow-crash");
    let (plugins, flow) = (plugins(&dir), write_flow(&dir, &counting_flow("counting", 10, 5, 40)));
    // Compile the plugins once, so kill points are not all spent compiling.
    assert_eq!(scena(dir.path(), &["flow", "validate", &flow, "--plugins", &plugins]).code, 0);
    let child = dir.path().join("count-twice.json");
    std::fs::write(&child, count_twice_flow(40).to_string()).unwrap();
    assert_eq!(scena(dir.path(), &["flow", "publish", child.to_str().unwrap()]).code, 0);
    // Fixed, varied kill points (ms): deterministic, yet spread over calls,
    // commits and waits of runs and of the resumes.
    let run_kills = [30u64, 190, 95];
    for (r, after) in run_kills.iter().enumerate() {
        spawn_and_kill(
            &dir,
            &["flow", "run", &flow, "--plugins", &plugins],
            Some(r + 1),
            Duration::from_millis(*after),
        );
    }
    for after in [160u64, 420, 90, 610, 260, 340, 230, 520, 125] {
        spawn_and_kill(&dir, &["flow", "recover", "--plugins", &plugins], None, Duration::from_millis(after));
    }
    let last: Ran = scena(dir.path(), &["flow", "recover", "--plugins", &plugins]);
    assert_eq!(last.code, 0, "{last:?}");

    // Every run finished, and every increment was seen exactly once…
    let db = dir.path().join("scena.db");
    let outputs = finished_outputs(&db);
    assert_eq!(outputs.len(), run_kills.len(), "{outputs:?} / {last:?}");
    for output in outputs {
        let expected =
            json!({"chain": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "each": [1, 1, 1, 1, 1], "sub": {"a": 1, "b": 1}});
        assert_eq!(output, expected);
    }
    // …and applied exactly once: 51 counters, each at 1; one child run per run.
    assert_eq!(query(&db, "SELECT COUNT(*) FROM kv_entries WHERE plugin = 'kv'"), 51);
    assert_eq!(query(&db, "SELECT COUNT(*) FROM kv_entries WHERE plugin = 'kv' AND value = '1'"), 51);
    assert_eq!(query(&db, "SELECT COUNT(*) FROM runs WHERE parent_run IS NOT NULL AND status = 'succeeded'"), 3);
    // The kills did interrupt every run: each was picked up again from its log.
    let resumed = query(
        &db,
        r#"SELECT COUNT(DISTINCT run_id) FROM run_events WHERE event LIKE '%"type":"run_resumed"%'
           AND run_id IN (SELECT id FROM runs WHERE parent_run IS NULL)"#,
    );
    assert_eq!(resumed, 3);
    let resumed_again = scena(dir.path(), &["flow", "recover", "--plugins", &plugins]);
    assert!(resumed_again.stderr.contains("no unfinished runs"), "{resumed_again:?}");
}

fn query(db: &std::path::Path, sql: &'static str) -> i64 {
    if !db.exists() {
        return 0;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = scena::store::Db::open(db).await.unwrap();
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
        n
    })
}

/// The outputs of all runs, oldest first; every run must have succeeded.
fn finished_outputs(db: &std::path::Path) -> Vec<Value> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = scena::store::Db::open(db).await.unwrap();
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT status, output FROM runs WHERE parent_run IS NULL ORDER BY created_at")
                .fetch_all(db.pool())
                .await
                .unwrap();
        rows.into_iter()
            .map(|(status, output)| {
                assert_eq!(status, "succeeded");
                serde_json::from_str(&output.unwrap()).unwrap()
            })
            .collect()
    })
}

#[test]
fn the_history_of_a_run_shows_events_step_logs_and_atom_calls() {
    let dir = TempDir::new("flow-history");
    let (plugins, flow) = (plugins(&dir), write_flow(&dir, &demo_flow()));
    let ran = scena(dir.path(), &["flow", "run", &flow, "--plugins", &plugins, "--input", r#"{"zone": "eu-9"}"#]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let line = ran.stderr.lines().find(|l| l.contains("] started (")).unwrap();
    let id = line.rsplit('(').next().unwrap().trim_end_matches(')');

    let runs = scena(dir.path(), &["flow", "runs"]);
    assert!(runs.stdout.starts_with(&format!("{id}  succeeded  demo")), "{runs:?}");

    let history = scena(dir.path(), &["flow", "history", id]);
    assert_eq!(history.code, 0, "{history:?}");
    for expected in [
        &format!("run {id} of flow demo for tenant local: succeeded") as &str,
        "run started with input {\"zone\":\"eu-9\"}",
        "count: attempt 1 started",
        "[atom] kv increment runs-eu-9 by 1 -> ok",
        "b: pending, poll in 10 ms",
        "[info] 0 left",
        "nap: timer fired",
    ] {
        assert!(history.stdout.contains(expected), "missing `{expected}` in\n{}", history.stdout);
    }
    let json = scena(dir.path(), &["flow", "history", id, "--json"]).json();
    assert_eq!(json["events"][0]["type"], "run_started");
    assert_eq!(json["run"]["status"], "succeeded");
    assert!(json["logs"].as_array().unwrap().iter().any(|l| l["node"] == "count"), "{json}");

    let missing = scena(dir.path(), &["flow", "history", "nope"]);
    assert_eq!(missing.code, 1);
    assert!(missing.reason().contains("no run `nope`"), "{missing:?}");
}
