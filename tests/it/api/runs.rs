//! Runs: events over SSE, controls racing each other, the runs list, a cancel
//! reaching a running parent's child run, and a child's cancel its parent.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::support::guest_bytes;
use crate::support::server::{ADMIN, Server, serve, serve_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_events_replay_the_history_then_stream_live_until_the_end() {
    let server = serve("api-events");
    server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    let run = server
        .admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}})))
        .await;
    assert_eq!(run.body["status"], "waiting");
    let run_path = format!("/api/v1/tenants/default/runs/{}", run.body["id"].as_str().unwrap());
    let waiting = server.admin("GET", &run_path, None).await.body;

    let client = scena::tls::client();
    let mut stream = client.get(format!("{}{run_path}/events", server.base)).bearer_auth(ADMIN).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut text = String::new();
    let mut approved = false;
    while let Some(chunk) = stream.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
        // Once the replay reached the approval, decide it: the rest arrives live.
        if !approved && text.contains("\"type\":\"step_finished\"") {
            let decided = server.admin("POST", &format!("{run_path}/nodes/gate/approve"), None).await;
            assert_eq!(decided.status, 200, "{}", decided.body);
            approved = true;
        }
        if text.contains("event: end") {
            break;
        }
    }
    let kinds: Vec<&str> =
        text.lines().filter_map(|l| l.strip_prefix("event: ")).filter(|k| *k != "run_resumed").collect();
    // The step's `kv` call comes as its log, just before the event that ends the step.
    assert_eq!(kinds, ["run_started", "step_started", "log", "step_finished", "decided", "end"], "{text}");
    let log = text.lines().skip_while(|l| *l != "event: log").nth(1).and_then(|l| l.strip_prefix("data: ")).unwrap();
    let log: Value = serde_json::from_str(log).unwrap();
    assert_eq!(
        (&log["node"], &log["attempt"], &log["atom_calls"][0]["atom"]),
        (&json!("count"), &json!(1), &json!("kv")),
        "{log}"
    );
    let ids: Vec<u64> = text.lines().filter_map(|l| l.strip_prefix("id: ")).map(|i| i.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids rise: {ids:?}");
    // A run's view says how many of its events it reflects (ids count from 0),
    // so a client that read it first knows which streamed events it shows
    // already: while the run waited, up to the step's end; once over, all.
    let id_of = |kind: &str| {
        let block = text.split("\n\n").find(|block| block.lines().any(|l| l == format!("event: {kind}")));
        block.and_then(|b| b.lines().find_map(|l| l.strip_prefix("id: "))).map(|id| id.parse::<u64>().unwrap())
    };
    assert_eq!(waiting["events"], json!(id_of("step_finished").unwrap() + 1), "{waiting}");
    let over = server.admin("GET", &run_path, None).await.body;
    assert_eq!(over["events"], json!(ids.last().unwrap() + 1), "{over}");

    // Reconnecting after the second event replays only what followed it.
    let again = client
        .get(format!("{}{run_path}/events", server.base))
        .bearer_auth(ADMIN)
        .header("Last-Event-ID", ids[1].to_string())
        .send()
        .await
        .unwrap();
    let rest = again.text().await.unwrap();
    assert!(
        !rest.contains("event: run_started")
            && !rest.contains("event: step_started")
            && rest.contains("event: decided"),
        "{rest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controls_of_one_run_at_once_conflict_and_never_fail_the_server() {
    let server = serve("api-concurrent-controls");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    for round in 0..10 {
        let run = waiting_run(&server, "zones").await;
        let approve = format!("{run}/nodes/gate/approve");
        let (a, b, c) = tokio::join!(
            server.admin("POST", &approve, None),
            server.admin("POST", &approve, None),
            server.admin("POST", &approve, None)
        );
        let mut statuses = [a.status, b.status, c.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 409, 409],
            "round {round}: one approval is taken, the others conflict: {} {} {}",
            a.body,
            b.body,
            c.body
        );
        assert_eq!(wait_until_over(&server, &run).await["status"], "succeeded", "round {round}");
    }
    // Any mix of controls at once: each taken in some order or refused as a conflict.
    for round in 0..5 {
        let run = waiting_run(&server, "zones").await;
        let (paths, mut calls) = (
            ["pause", "resume", "nodes/gate/approve", "nodes/gate/reject", "cancel"].map(|a| format!("{run}/{a}")),
            Vec::new(),
        );
        for path in &paths {
            calls.push(server.admin("POST", path, None));
        }
        for reply in futures_util::future::join_all(calls).await {
            assert!(reply.status == 200 || reply.status == 409, "round {round}: {} {}", reply.status, reply.body);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runs_list_shows_each_run_with_the_status_reading_it_shows() {
    let server = serve("api-runs-status");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    let run = waiting_run(&server, "zones").await;
    let id = run.rsplit('/').next().unwrap().to_string();
    let listed = |status: &'static str| {
        let server = &server;
        async move {
            let reply = server.admin("GET", &format!("/api/v1/tenants/default/runs?status={status}"), None).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.body["runs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("waiting").await, std::slice::from_ref(&id));
    assert!(listed("running").await.is_empty());
    assert_eq!(server.admin("POST", &format!("{run}/pause"), None).await.status, 200);
    assert_eq!(server.admin("GET", &run, None).await.body["status"], "paused");
    assert_eq!(listed("paused").await, std::slice::from_ref(&id));
    assert_eq!(server.admin("POST", &format!("{run}/unpause"), None).await.status, 200);
    assert_eq!(listed("waiting").await, std::slice::from_ref(&id));
    assert_eq!(server.admin("POST", &format!("{run}/nodes/gate/approve"), None).await.status, 200);
    wait_until_over(&server, &run).await;
    assert_eq!(listed("succeeded").await, std::slice::from_ref(&id));

    // Waiting for a decision on one branch while a timer runs on another: listed as it reads.
    let split = json!({"name": "split",
      "nodes": [{"id": "start", "kind": "start"}, {"id": "par", "kind": "parallel"},
                {"id": "gate", "kind": "approval", "assignees": ["role:operator"]}, {"id": "nap", "kind": "wait", "duration_ms": 120000},
                {"id": "join", "kind": "join"}, {"id": "end", "kind": "end"}],
      "edges": [{"from": "start", "to": "par"}, {"from": "par", "to": "gate"}, {"from": "par", "to": "nap"},
                {"from": "gate", "to": "join"}, {"from": "nap", "to": "join"}, {"from": "join", "to": "end"}]});
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/split/draft"), Some(split)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/split/versions"), None).await.status, 201);
    let started = server.admin("POST", &format!("{FLOWS}/split/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    let split_id = started.body["id"].as_str().unwrap().to_string();
    let split_run = format!("/api/v1/tenants/default/runs/{split_id}");
    // (Before, the list said `running` until the timer fired, two minutes on.)
    let mut found = false;
    for _ in 0..400 {
        found = listed("waiting").await.contains(&split_id);
        if found {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found, "the list says waiting as the run does");
    assert_eq!(server.admin("GET", &split_run, None).await.body["status"], "waiting");
    assert!(!listed("running").await.contains(&split_id));
    assert_eq!(server.admin("POST", &format!("{split_run}/cancel"), None).await.status, 200);

    let bogus = server.admin("GET", "/api/v1/tenants/default/runs?status=bogus", None).await;
    assert_eq!((bogus.status, &bogus.body["error"]["code"]), (400, &json!("bad_request")), "{}", bogus.body);
    assert!(
        bogus.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("running, waiting, paused, succeeded, failed, cancelled"),
        "{}",
        bogus.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_running_parent_cancels_its_running_child_run() {
    let server = serve_with("api-cancel-child", &["echo"], &[]);
    let (parent, child) = parent_with_running_child(&server, "outer").await;
    let runs = format!("{}/runs", tenant("default"));

    let cancelled =
        server.admin("POST", &format!("{runs}/{parent}/cancel"), Some(json!({"reason": "change freeze"}))).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let mut status = Value::Null;
    for _ in 0..100 {
        status = server.admin("GET", &format!("{runs}/{child}"), None).await.body["status"].clone();
        if status == "cancelled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "cancelled", "the child run stops with its parent");
    assert_eq!(server.admin("GET", &format!("{runs}/{parent}"), None).await.body["status"], "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_running_child_run_ends_its_parent() {
    let server = serve_with("api-cancel-only-child", &["echo"], &[]);
    let (parent, child) = parent_with_running_child(&server, "lone").await;
    let runs = format!("{}/runs", tenant("default"));

    let cancelled =
        server.admin("POST", &format!("{runs}/{child}/cancel"), Some(json!({"reason": "wrong zone"}))).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    // The child's end reaches its parent, whose subflow node fails with the reason.
    let mut view = Value::Null;
    for _ in 0..200 {
        view = server.admin("GET", &format!("{runs}/{parent}"), None).await.body;
        if view["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(view["status"], "failed", "{view}");
    let why = view["nodes"]["inner"]["error"].to_string();
    assert!(why.contains("cancelled") && why.contains("wrong zone"), "{why}");
    assert_eq!(server.admin("GET", &format!("{runs}/{child}"), None).await.body["status"], "cancelled");
}

/// Publish `slow` (a child that polls for about 20 s) and a flow `outer`
/// calling it; start `outer` and wait until its child run is running: their ids.
async fn parent_with_running_child(server: &Server, flow: &str) -> (String, String) {
    assert_eq!(server.upload("default", guest_bytes("countdown")).await.status, 201);
    server.publish("default", one_step("slow", "countdown", json!({"from": 1000, "every_ms": 20}))).await;
    let outer = json!({"name": flow, "nodes": [{"id": "start", "kind": "start"},
        {"id": "inner", "kind": "subflow", "flow": "slow"}, {"id": "end", "kind": "end"}],
      "edges": [{"from": "start", "to": "inner"}, {"from": "inner", "to": "end"}]});
    server.publish("default", outer).await;
    let started = server
        .admin("POST", &format!("{}/flows/{flow}/runs?wait_ms=0", tenant("default")), Some(json!({"input": {}})))
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let parent = started.body["id"].as_str().unwrap().to_string();
    let runs = format!("{}/runs", tenant("default"));
    for _ in 0..100 {
        let view = server.admin("GET", &format!("{runs}/{parent}"), None).await.body;
        let attempt = view["nodes"]["inner"]["attempts"].as_u64().unwrap_or(0) as u32;
        let id = scena::scheduler::child_run_id(&parent, "inner", attempt);
        if view["nodes"]["inner"]["status"] == "running"
            && server.admin("GET", &format!("{runs}/{id}"), None).await.status == 200
        {
            return (parent, id);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the child run of {parent} did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_logs_are_served_by_node_and_page_and_the_end_node_shows_the_output() {
    let server = serve_with("api-logs", &["standin"], &[]);
    let step = |id: &str, action: &str| json!({"id": id, "kind": "step", "plugin": "standin", "input": {"action": action, "target": "${inputs.zone}"}});
    let flow = json!({"name": "noisy", "inputs": {"type": "object", "properties": {"zone": {"type": "string"}}},
        "nodes": [{"id": "start", "kind": "start"}, step("shield", "shield-alerts"), step("stop", "stop-processes"),
                  {"id": "end", "kind": "end", "output": {"done": "${steps.stop.output.action}"}}],
        "edges": [{"from": "start", "to": "shield"}, {"from": "shield", "to": "stop"}, {"from": "stop", "to": "end"}]});
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/noisy/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/noisy/versions"), None).await.status, 201);
    let run = server
        .admin("POST", &format!("{FLOWS}/noisy/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}})))
        .await;
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    let end = &run.body["nodes"]["end"];
    assert_eq!(end["output"], json!({"done": "stop-processes"}), "the end node shows what the run gave: {end}");

    let run_path = format!("/api/v1/tenants/default/runs/{}", run.body["id"].as_str().unwrap());
    let logs = format!("{run_path}/logs");
    let all = server.admin("GET", &logs, None).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let nodes: Vec<&str> =
        all.body["entries"].as_array().unwrap().iter().map(|e| e["node"].as_str().unwrap()).collect();
    assert_eq!(nodes, ["shield", "stop"], "{}", all.body);
    let said = all.body["entries"][0]["logs"].to_string();
    assert!(said.contains("shield-alerts") && said.contains("eu-1"), "the step's own lines: {said}");

    let first = server.admin("GET", &format!("{logs}?limit=1"), None).await;
    assert_eq!(first.body["entries"][0]["node"], "shield");
    let next = first.body["next"].as_i64().expect("a next page");
    let second = server.admin("GET", &format!("{logs}?limit=1&after={next}"), None).await;
    assert_eq!(second.body["entries"][0]["node"], "stop", "{}", second.body);
    let only = server.admin("GET", &format!("{logs}?node=stop"), None).await;
    assert_eq!(only.body["entries"].as_array().unwrap().len(), 1, "{}", only.body);
    assert_eq!(server.admin("GET", &format!("{logs}?limit=lots"), None).await.status, 400);
    assert_eq!(server.admin("GET", "/api/v1/tenants/default/runs/nope/logs", None).await.status, 404);
    // A path with an empty segment names nothing.
    assert_eq!(server.admin("POST", &format!("{run_path}/nodes//approve"), None).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_can_ask_for_the_outcome_alone() {
    let server = serve("api-run-summary");
    server.publish("default", one_step("hello", "echo", json!({"hi": "${inputs.who}"}))).await;
    let napping = json!({"name": "nap", "nodes": [{"id": "start", "kind": "start"}, {"id": "nap", "kind": "wait", "duration_ms": 1500},
        {"id": "end", "kind": "end"}], "edges": [{"from": "start", "to": "nap"}, {"from": "nap", "to": "end"}]});
    server.publish("default", napping).await;
    let input = || Some(json!({"input": {"who": "ann"}}));

    let ended = server.admin("POST", &format!("{FLOWS}/hello/runs?wait_ms=20000&view=summary"), input()).await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    let mut keys: Vec<&str> = ended.body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["error", "id", "output", "status"], "{}", ended.body);
    assert_eq!(
        (&ended.body["status"], &ended.body["output"]),
        (&json!("succeeded"), &json!({"result": {"hi": "ann"}}))
    );
    let full =
        server.admin("GET", &format!("{}/runs/{}", tenant("default"), ended.body["id"].as_str().unwrap()), None).await;
    assert_eq!(full.body["output"], ended.body["output"], "the same run, shown whole: {}", full.body);

    let going =
        server.admin("POST", &format!("{FLOWS}/nap/runs?wait_ms=0&view=summary"), Some(json!({"input": {}}))).await;
    assert_eq!((going.status, &going.body["status"], &going.body["output"]), (202, &json!("running"), &Value::Null));
    assert!(going.body.get("nodes").is_none(), "{}", going.body);
    let whole = server.admin("POST", &format!("{FLOWS}/hello/runs?wait_ms=20000&view=full"), input()).await;
    assert_eq!(whole.body["nodes"]["call"]["status"], "succeeded", "{}", whole.body);

    let before = server.admin("GET", &format!("{}/runs?flow=hello", tenant("default")), None).await.body["runs"]
        .as_array()
        .unwrap()
        .len();
    let bad = server.admin("POST", &format!("{FLOWS}/hello/runs?view=brief"), input()).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("view"), "{}", bad.body);
    let after = server.admin("GET", &format!("{}/runs?flow=hello", tenant("default")), None).await.body["runs"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "a refused start starts nothing");
}

/// Issue 17, item 6: expressions whose loops could run too long fail their
/// node before they start — one alone, or several that only together pass
/// the limit — and the server answers meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expressions_that_could_loop_too_long_fail_their_node_before_they_start() {
    let server = serve("api-costly");
    let costly = "${size(inputs.l.filter(x, inputs.l.exists(y, y == -1)))}";
    let flow = json!({"name": "costly",
        "inputs": {"type": "object", "required": ["l"], "properties": {"l": {"type": "array", "items": {"type": "integer"}}}},
        "nodes": [{"id": "start", "kind": "start"},
                  {"id": "sum", "kind": "step", "plugin": "echo", "input": {"a": costly, "b": [costly], "c": format!("n={costly}")}},
                  {"id": "end", "kind": "end", "output": "${steps.sum.output}"}],
        "edges": [{"from": "start", "to": "sum"}, {"from": "sum", "to": "end"}]});
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/costly/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/costly/versions"), None).await.status, 201);
    let run = |n: i64| {
        let input = json!({"input": {"l": (0..n).collect::<Vec<i64>>()}});
        let server = &server;
        async move { server.admin("POST", &format!("{FLOWS}/costly/runs?wait_ms=20000"), Some(input)).await }
    };

    // 500 items: three expressions of 250,500 steps each (500 for the outer loop), 751,500 together.
    let small = run(500).await;
    assert_eq!(small.body["status"], "succeeded", "{}", small.body);
    assert_eq!(small.body["output"], json!({"a": 0, "b": [0], "c": "n=0"}));
    // 600 items: 360,600 each, fine alone, 1,081,800 together.
    let together = run(600).await;
    assert_eq!(together.body["status"], "failed", "{}", together.body);
    let error = together.body["error"].as_str().unwrap();
    assert!(
        error.contains("1081800 with the 721200") && error.contains("the limit for one node is 1000000"),
        "{error}"
    );
    // 8,000 items: one expression alone would take 64 million steps (and 8,000).
    let health = tokio::spawn({
        let base = server.base.clone();
        async move { scena::tls::client().get(format!("{base}/healthz")).send().await.map(|r| r.status().as_u16()) }
    });
    let attack = run(8_000).await;
    assert_eq!(attack.body["status"], "failed", "{}", attack.body);
    let error = attack.body["error"].as_str().unwrap();
    assert!(error.contains("64008000 loop steps") && error.contains("the limit is 1000000"), "{error}");
    assert_eq!(health.await.unwrap().unwrap(), 200);
}

/// Issue 17, item 6: an expression that could build or scan too much text —
/// a long input copied at every step of a loop — fails its node before it
/// starts (rather than holding a worker for seconds), with the same flow
/// running when the input is ordinary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expressions_that_could_copy_too_much_text_fail_their_node_before_they_start() {
    let server = serve("api-wordy");
    let flow = json!({"name": "wordy",
        "inputs": {"type": "object", "required": ["l", "s"],
                   "properties": {"l": {"type": "array", "items": {"type": "integer"}}, "s": {"type": "string"}}},
        "nodes": [{"id": "start", "kind": "start"},
                  {"id": "join", "kind": "step", "plugin": "echo", "input": {"n": "${size(inputs.l.map(x, inputs.s + inputs.s))}"}},
                  {"id": "end", "kind": "end", "output": "${steps.join.output}"}],
        "edges": [{"from": "start", "to": "join"}, {"from": "join", "to": "end"}]});
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/wordy/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/wordy/versions"), None).await.status, 201);
    let run = |text: usize| {
        let input = json!({"input": {"l": (0..3_000).collect::<Vec<i64>>(), "s": "x".repeat(text)}});
        let server = &server;
        async move { server.admin("POST", &format!("{FLOWS}/wordy/runs?wait_ms=20000"), Some(input)).await }
    };

    // 3,000 steps copying 2 KB each: done.
    let ordinary = run(1_000).await;
    assert_eq!(ordinary.body["status"], "succeeded", "{}", ordinary.body);
    assert_eq!(ordinary.body["output"], json!({"n": 3_000}));
    // 3,000 steps copying 200 KB each would be 600 MB.
    let attack = run(100_000).await;
    assert_eq!(attack.body["status"], "failed", "{}", attack.body);
    let error = attack.body["error"].as_str().unwrap();
    assert!(error.contains("could build or scan up to") && error.contains("the limit is 256 MiB"), "{error}");
}

/// Issue 17, item 7: an inputs schema whose check of one value could take
/// seconds or forever — a heavy pattern over a long text or property name,
/// `$ref`s that double at every level, `anyOf` branches over many items —
/// answers 422 saying why, at once, and the server answers meanwhile; a
/// schema whose `$ref` loops in place is not published.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inputs_schemas_whose_check_could_take_too_long_refuse_the_value_saying_why() {
    let server = serve("api-schema-cost");
    let heavy = "[ab]*a[ab]{1000}[^ab]";
    let mut defs = serde_json::Map::new();
    defs.insert("a0".into(), json!({"type": "string"}));
    for i in 1..=40 {
        let below = json!({"$ref": format!("#/$defs/a{}", i - 1)});
        defs.insert(format!("a{i}"), json!({"allOf": [below.clone(), below]}));
    }
    let branches: Vec<Value> = (0..1_000).map(|i| json!({"const": i})).collect();
    let inputs = json!({"type": "object", "$defs": defs, "properties": {
        "text": {"type": "string", "pattern": heavy},
        "named": {"type": "object", "patternProperties": {heavy: {"type": "integer"}}},
        "doubled": {"$ref": "#/$defs/a40"},
        "listed": {"type": "array", "items": {"anyOf": branches}}
    }});
    let flow = |inputs: Value| {
        json!({"name": "checked", "inputs": inputs,
            "nodes": [{"id": "start", "kind": "start"}, {"id": "end", "kind": "end", "output": "${inputs}"}],
            "edges": [{"from": "start", "to": "end"}]})
    };
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/checked/draft"), Some(flow(inputs))).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/checked/versions"), None).await.status, 201);
    let start = |input: Value| {
        let server = &server;
        async move {
            server.admin("POST", &format!("{FLOWS}/checked/runs?wait_ms=20000"), Some(json!({"input": input}))).await
        }
    };
    let health = tokio::spawn({
        let base = server.base.clone();
        async move { scena::tls::client().get(format!("{base}/healthz")).send().await.map(|r| r.status().as_u16()) }
    });
    // Under the 1 MiB request body limit, and nine times the pattern's allowance.
    let long = scena_core::pattern::random_ab(900_000);
    for (input, why) in [
        (json!({"text": long.clone()}), "too long to match against this pattern"),
        (json!({"named": {long: 1}}), "too long to check against the schema's `patternProperties`"),
        (json!({"doubled": "x"}), "would take more than 2000000 steps"),
        (json!({"listed": vec![-1; 10_000]}), "would take more than 2000000 steps"),
    ] {
        let refused = start(input).await;
        assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (422, Some("invalid_input")), "{why}");
        let violations = refused.body["error"]["details"]["violations"].to_string();
        assert!(violations.contains(why), "{why}: {}", refused.body);
    }
    assert_eq!(health.await.unwrap().unwrap(), 200);
    let matching = format!("a{}c", "b".repeat(1000));
    let ordinary = start(json!({"text": matching, "named": {"plain": "x"}, "listed": [1, 2, 3]})).await;
    assert_eq!(ordinary.body["status"], "succeeded", "{}", ordinary.body);
    let runs = server.admin("GET", &format!("{}/runs?flow=checked", tenant("default")), None).await.body;
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "refused starts start nothing: {runs}");

    let looping = json!({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"not": {"$ref": "#/$defs/a"}}},
                         "$ref": "#/$defs/a"});
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/checked/draft"), Some(flow(looping))).await.status, 200);
    let refused = server.admin("POST", &format!("{FLOWS}/checked/versions"), None).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.to_string().contains("leads back to where it started"), "{}", refused.body);
}
