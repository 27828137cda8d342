//! The state machine driven by hand-written events: no sandbox, no store.

use serde_json::{Value, json};

use super::*;
use crate::flow::load_flow;

fn plan(flow: Value) -> Plan {
    Plan::new(load_flow(&flow.to_string()).unwrap()).unwrap_or_else(|p| panic!("{p:?}"))
}

fn chain(nodes: Value, edges: Value) -> Plan {
    plan(json!({"name": "t", "nodes": nodes, "edges": edges}))
}

/// Drive a run, answering each call with `answer(node, attempt, call)`, and
/// firing timers in order; returns the final state and every call made.
fn drive(
    plan: &Plan,
    input: Value,
    answer: impl Fn(&str, u32, &StepCall) -> StepOutcome,
) -> (RunState, Vec<(String, u32)>) {
    let mut state = RunState::new(plan.nodes.len());
    let mut calls = Vec::new();
    let mut now = 1_000;
    let mut queue = apply(plan, &mut state, &Event::RunStarted { input, run: json!({"id": "r1"}), at_ms: now });
    let mut guard = 0;
    while let Some(command) = (!queue.is_empty()).then(|| queue.remove(0)) {
        guard += 1;
        assert!(guard < 1000, "runaway run");
        match command {
            Command::Call { node, attempt, call } => {
                calls.push((node.clone(), attempt));
                queue.extend(apply(plan, &mut state, &Event::StepStarted { node: node.clone(), attempt, at_ms: now }));
                let outcome = answer(&node, attempt, &call);
                now += 1;
                queue.extend(apply(plan, &mut state, &Event::StepFinished { node, attempt, outcome, at_ms: now }));
            }
            Command::Timer { node, attempt, due_ms } => {
                now = now.max(due_ms);
                queue.extend(apply(plan, &mut state, &Event::TimerFired { node, attempt, at_ms: now }));
            }
            Command::Finish => {}
        }
    }
    (state, calls)
}

fn echo(_: &str, _: u32, call: &StepCall) -> StepOutcome {
    match call {
        StepCall::Run(input) => StepOutcome::Done { output: input.clone() },
        StepCall::Poll(state) => StepOutcome::Done { output: state.clone() },
    }
}

fn step(id: &str, input: Value) -> Value {
    json!({"id": id, "kind": "step", "plugin": "echo", "input": input})
}

#[test]
fn a_chain_passes_outputs_along_and_maps_the_run_output() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, step("a", json!({"n": "${inputs.n + 1}"})),
               step("b", json!({"n": "${steps.a.output.n + 1}"})),
               {"id": "end", "kind": "end", "output": {"n": "${steps.b.output.n}", "run": "${run.id}"}}]),
        json!([{"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "end"}]),
    );
    let (state, calls) = drive(&plan, json!({"n": 0}), echo);
    assert_eq!(state.status, RunStatus::Succeeded);
    assert_eq!(state.output, Some(json!({"n": 2, "run": "r1"})));
    assert_eq!(state.steps["end"]["output"], json!({"n": 2, "run": "r1"}), "the end node shows what the run gave");
    assert_eq!(calls, vec![("a".into(), 1), ("b".into(), 1)]);
}

#[test]
fn retryable_failures_are_retried_with_backoff_then_fail_the_run() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"},
               {"id": "flaky", "kind": "step", "plugin": "echo", "retry": {"max_attempts": 3, "backoff": "exponential", "initial_ms": 100}},
               {"id": "end", "kind": "end"}]),
        json!([{"from": "start", "to": "flaky"}, {"from": "flaky", "to": "end"}]),
    );
    let failing = |_: &str, _: u32, _: &StepCall| StepOutcome::Failed {
        kind: "retryable".into(),
        message: "503".into(),
        retryable: true,
    };
    let (state, calls) = drive(&plan, json!({}), failing);
    assert_eq!(calls, vec![("flaky".into(), 1), ("flaky".into(), 2), ("flaky".into(), 3)]);
    assert_eq!(state.status, RunStatus::Failed);
    assert_eq!(state.error.as_deref(), Some("node flaky failed: retryable: 503"));
    assert_eq!(state.steps["flaky"]["attempts"], 3);

    let succeeds_second = |_: &str, attempt: u32, _: &StepCall| match attempt {
        1 => StepOutcome::Failed { kind: "retryable".into(), message: "busy".into(), retryable: true },
        _ => StepOutcome::Done { output: json!("ok") },
    };
    assert_eq!(drive(&plan, json!({}), succeeds_second).0.status, RunStatus::Succeeded);

    let fatal = |_: &str, _: u32, _: &StepCall| StepOutcome::Failed {
        kind: "fatal".into(),
        message: "no".into(),
        retryable: false,
    };
    assert_eq!(drive(&plan, json!({}), fatal).1.len(), 1, "fatal errors are not retried");
}

#[test]
fn errors_can_be_routed_or_passed_over() {
    let routed = chain(
        json!([{"id": "start", "kind": "start"},
               {"id": "risky", "kind": "step", "plugin": "echo", "on_error": "route"},
               step("normal", json!(1)), step("cleanup", json!({"why": "${steps.risky.error.message}"})),
               {"id": "ok", "kind": "end", "output": "normal"}, {"id": "bad", "kind": "end", "output": "${steps.cleanup.output.why}"}]),
        json!([{"from": "start", "to": "risky"}, {"from": "risky", "to": "normal"},
               {"from": "risky", "to": "cleanup", "kind": "error"},
               {"from": "normal", "to": "ok"}, {"from": "cleanup", "to": "bad"}]),
    );
    let risky_fails = |node: &str, a: u32, call: &StepCall| match node {
        "risky" => StepOutcome::Failed { kind: "fatal".into(), message: "disk full".into(), retryable: false },
        _ => echo(node, a, call),
    };
    let (state, _) = drive(&routed, json!({}), risky_fails);
    assert_eq!(state.status, RunStatus::Succeeded);
    assert_eq!(state.output, Some(json!("disk full")));
    assert_eq!(state.steps["normal"]["status"], "skipped");
    let (state, _) = drive(&routed, json!({}), echo);
    assert_eq!(state.output, Some(json!("normal")));
    assert_eq!(state.steps["cleanup"]["status"], "skipped");
}

#[test]
fn a_join_waits_for_activated_branches_only() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, {"id": "fan", "kind": "parallel"},
               step("left", json!("L")),
               {"id": "pick", "kind": "switch", "cases": [{"when": "inputs.deep", "to": "deep"}], "default": "shallow"},
               step("deep", json!("D")), step("shallow", json!("S")),
               {"id": "meet", "kind": "join"},
               {"id": "end", "kind": "end", "output": ["${steps.left.output}", "${steps.deep.status}", "${steps.shallow.status}"]}]),
        json!([{"from": "start", "to": "fan"}, {"from": "fan", "to": "left"}, {"from": "fan", "to": "pick"},
               {"from": "left", "to": "meet"}, {"from": "deep", "to": "meet"}, {"from": "shallow", "to": "meet"},
               {"from": "meet", "to": "end"}]),
    );
    let (state, _) = drive(&plan, json!({"deep": false}), echo);
    assert_eq!(state.status, RunStatus::Succeeded, "{state:?}");
    assert_eq!(state.output, Some(json!(["L", "skipped", "succeeded"])));
}

#[test]
fn a_switch_without_a_match_names_the_conditions() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"},
               {"id": "pick", "kind": "switch", "cases": [{"when": "inputs.n > 10", "to": "big"}, {"when": "inputs.n < 0", "to": "big"}]},
               {"id": "big", "kind": "end"}]),
        json!([{"from": "start", "to": "pick"}]),
    );
    let (state, _) = drive(&plan, json!({"n": 5}), echo);
    assert_eq!(state.status, RunStatus::Failed);
    assert_eq!(
        state.error.as_deref(),
        Some(
            "node pick failed: no case matched and there is no default: `inputs.n > 10` is false, `inputs.n < 0` is false"
        )
    );
}

#[test]
fn pending_steps_are_polled_and_waits_hold_no_call() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, {"id": "nap", "kind": "wait", "duration_ms": "${inputs.ms}"},
               step("job", json!({})), {"id": "end", "kind": "end", "output": "${steps.job.output}"}]),
        json!([{"from": "start", "to": "nap"}, {"from": "nap", "to": "job"}, {"from": "job", "to": "end"}]),
    );
    let polls = |_: &str, _: u32, call: &StepCall| match call {
        StepCall::Run(_) => StepOutcome::Pending { state: json!({"left": 2}), after_ms: 50 },
        StepCall::Poll(s) if s["left"] == 0 => StepOutcome::Done { output: json!("finished") },
        StepCall::Poll(s) => {
            StepOutcome::Pending { state: json!({"left": s["left"].as_i64().unwrap() - 1}), after_ms: 50 }
        }
    };
    let (state, calls) = drive(&plan, json!({"ms": 500}), polls);
    assert_eq!(state.output, Some(json!("finished")));
    assert_eq!(calls.len(), 4, "one run and three polls: {calls:?}");
}

#[test]
fn a_call_in_flight_at_a_crash_runs_again_as_the_next_attempt() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, step("a", json!({"x": 1})), {"id": "end", "kind": "end"}]),
        json!([{"from": "start", "to": "a"}, {"from": "a", "to": "end"}]),
    );
    let mut state = RunState::new(plan.nodes.len());
    let first = apply(&plan, &mut state, &Event::RunStarted { input: json!({}), run: json!({}), at_ms: 1 });
    assert_eq!(first, vec![Command::Call { node: "a".into(), attempt: 1, call: StepCall::Run(json!({"x": 1})) }]);
    // Crash before the call was recorded as started: same attempt again.
    assert_eq!(resume_work(&plan, &state), first);
    apply(&plan, &mut state, &Event::StepStarted { node: "a".into(), attempt: 1, at_ms: 2 });
    // Crash after: the call may have happened, so it is attempt 2 now.
    let again = resume_work(&plan, &state);
    assert_eq!(again, vec![Command::Call { node: "a".into(), attempt: 2, call: StepCall::Run(json!({"x": 1})) }]);
    // A late answer for attempt 1 is ignored once attempt 2 started.
    apply(&plan, &mut state, &Event::StepStarted { node: "a".into(), attempt: 2, at_ms: 3 });
    let stale = StepOutcome::Done { output: json!("old") };
    assert!(
        apply(&plan, &mut state, &Event::StepFinished { node: "a".into(), attempt: 1, outcome: stale, at_ms: 4 })
            .is_empty()
    );
    let done = apply(
        &plan,
        &mut state,
        &Event::StepFinished {
            node: "a".into(),
            attempt: 2,
            outcome: StepOutcome::Done { output: json!("new") },
            at_ms: 5,
        },
    );
    assert_eq!(done, vec![Command::Finish]);
    assert_eq!(state.steps["a"]["output"], "new");
}

#[test]
fn a_subflow_is_called_like_a_step_and_continued_not_restarted_after_a_crash() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"},
               {"id": "zone", "kind": "subflow", "flow": "zone-open", "version": 2, "input": {"zone": "${inputs.zone}"}, "on_error": "route"},
               {"id": "end", "kind": "end", "output": "${steps.zone.output}"},
               {"id": "undo", "kind": "end", "output": "${steps.zone.error.message}"}]),
        json!([{"from": "start", "to": "zone"}, {"from": "zone", "to": "end"}, {"from": "zone", "to": "undo", "kind": "error"}]),
    );
    assert!(plan.calls_child_runs(1));
    let subflows: Vec<_> = plan
        .subflows()
        .into_iter()
        .map(|(node, flow, version)| (node.to_string(), flow.to_string(), version))
        .collect();
    assert_eq!(subflows, vec![("zone".to_string(), "zone-open".to_string(), crate::flow::FlowVersionRef::Pinned(2))]);
    let mut state = RunState::new(plan.nodes.len());
    let first =
        apply(&plan, &mut state, &Event::RunStarted { input: json!({"zone": "eu-1"}), run: json!({}), at_ms: 1 });
    assert_eq!(first, vec![call("zone", 1, json!({"zone": "eu-1"}))]);
    apply(&plan, &mut state, &Event::StepStarted { node: "zone".into(), attempt: 1, at_ms: 2 });
    // The child run is durable: after a crash the same attempt continues it.
    assert_eq!(resume_work(&plan, &state), first);
    let failed =
        StepOutcome::Failed { kind: "subflow_failed".into(), message: "node open failed".into(), retryable: true };
    apply(&plan, &mut state, &Event::StepFinished { node: "zone".into(), attempt: 1, outcome: failed, at_ms: 3 });
    // No retry policy on a subflow: the failure takes the error route at once.
    assert_eq!(state.status, RunStatus::Succeeded);
    assert_eq!(state.output, Some(json!("node open failed")));
}

#[test]
fn approvals_wait_for_a_decision_and_record_it() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, {"id": "gate", "kind": "approval", "assignees": ["alice"], "timeout_ms": 500},
               {"id": "end", "kind": "end", "output": "${steps.gate.output}"}]),
        json!([{"from": "start", "to": "gate"}, {"from": "gate", "to": "end"}]),
    );
    let mut state = RunState::new(plan.nodes.len());
    let started = apply(&plan, &mut state, &Event::RunStarted { input: json!({}), run: json!({}), at_ms: 10 });
    assert_eq!(started, vec![Command::Timer { node: "gate".into(), attempt: 0, due_ms: 510 }]);
    assert_eq!(state.awaiting_decision(), vec![1]);
    let decided =
        Event::Decided { node: "gate".into(), approved: true, by: "alice".into(), comment: "go".into(), at_ms: 20 };
    assert_eq!(apply(&plan, &mut state, &decided), vec![Command::Finish]);
    assert_eq!(state.output, Some(json!({"approved": true, "by": "alice", "comment": "go"})));
    // The timeout firing later changes nothing.
    assert!(apply(&plan, &mut state, &Event::TimerFired { node: "gate".into(), attempt: 0, at_ms: 510 }).is_empty());
}

fn foreach_plan(fail_fast: bool, concurrency: u32) -> Plan {
    chain(
        json!([{"id": "start", "kind": "start"},
               {"id": "each", "kind": "foreach", "items": "inputs.hosts", "concurrency": concurrency, "fail_fast": fail_fast,
                "body": {"plugin": "echo", "input": {"host": "${item}", "at": "${index}"},
                         "retry": {"max_attempts": 2, "initial_ms": 10}}},
               {"id": "end", "kind": "end", "output": "${steps.each.output}"}]),
        json!([{"from": "start", "to": "each"}, {"from": "each", "to": "end"}]),
    )
}

#[test]
fn foreach_runs_every_item_within_its_concurrency_and_keeps_item_order() {
    let plan = foreach_plan(false, 2);
    let mut state = RunState::new(plan.nodes.len());
    let first = apply(
        &plan,
        &mut state,
        &Event::RunStarted { input: json!({"hosts": ["a", "b", "c"]}), run: json!({}), at_ms: 0 },
    );
    let names: Vec<String> = first
        .iter()
        .map(|c| match c {
            Command::Call { node, .. } => node.clone(),
            _ => panic!("{c:?}"),
        })
        .collect();
    assert_eq!(names, vec!["each[0]", "each[1]"], "concurrency 2 starts two items");

    let (state, calls) = drive(&plan, json!({"hosts": ["a", "b", "c"]}), echo);
    assert_eq!(state.status, RunStatus::Succeeded);
    assert_eq!(state.output, Some(json!([{"host": "a", "at": 0}, {"host": "b", "at": 1}, {"host": "c", "at": 2}])));
    assert_eq!(calls.len(), 3);
    let (empty, calls) = drive(&plan, json!({"hosts": []}), echo);
    assert_eq!((empty.output, calls.len()), (Some(json!([])), 0));
}

#[test]
fn the_items_a_foreach_starts_at_once_share_one_budget_of_loop_steps_and_the_rest_wait() {
    // Each item's mapping: 600 + 600 × 600 = 360,600 steps, under the limit alone.
    let costly = "${size(inputs.l.filter(x, inputs.l.exists(y, y == -1)))}";
    let each = |concurrency: u32| {
        chain(
            json!([{"id": "start", "kind": "start"},
                   {"id": "each", "kind": "foreach", "items": "inputs.hosts", "concurrency": concurrency,
                    "body": {"plugin": "echo", "input": {"host": "${item}", "n": costly}}},
                   {"id": "end", "kind": "end", "output": "${steps.each.output}"}]),
            json!([{"from": "start", "to": "each"}, {"from": "each", "to": "end"}]),
        )
    };
    let input = json!({"hosts": ["a", "b", "c"], "l": (0..600).collect::<Vec<i64>>()});
    // One at a time, each item's mapping is evaluated on its own.
    let (state, calls) = drive(&each(1), input.clone(), echo);
    assert_eq!((state.status, calls.len()), (RunStatus::Succeeded, 3), "{:?}", state.error);
    // Three at once: the third would take the node past the limit, so it
    // waits for the next moment (an item's end) and runs on a budget of its own.
    let plan = each(3);
    let mut state = RunState::new(plan.nodes.len());
    let first = apply(&plan, &mut state, &Event::RunStarted { input: input.clone(), run: json!({}), at_ms: 0 });
    let started: Vec<&str> = first
        .iter()
        .filter_map(|c| match c {
            Command::Call { node, .. } => Some(node.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(started, ["each[0]", "each[1]"], "two fit in one budget");
    let (state, calls) = drive(&plan, input, echo);
    assert_eq!((state.status, calls.len()), (RunStatus::Succeeded, 3), "{:?}", state.error);
}

#[test]
fn foreach_retries_items_and_collects_or_stops_on_failures() {
    let flaky_b = |node: &str, attempt: u32, call: &StepCall| match (node, attempt) {
        ("each[1]", 1) => StepOutcome::Failed { kind: "retryable".into(), message: "busy".into(), retryable: true },
        _ => echo(node, attempt, call),
    };
    let (state, calls) = drive(&foreach_plan(false, 1), json!({"hosts": ["a", "b"]}), flaky_b);
    assert_eq!(state.status, RunStatus::Succeeded);
    assert!(calls.contains(&("each[1]".into(), 2)), "{calls:?}");

    let broken_a = |node: &str, attempt: u32, call: &StepCall| match node {
        "each[0]" => StepOutcome::Failed { kind: "fatal".into(), message: "disk full".into(), retryable: false },
        _ => echo(node, attempt, call),
    };
    let (collected, calls) = drive(&foreach_plan(false, 1), json!({"hosts": ["a", "b", "c"]}), broken_a);
    assert_eq!(collected.status, RunStatus::Failed);
    assert_eq!(collected.error.as_deref(), Some("node each failed: 1 of 3 items failed: item 0: disk full"));
    assert_eq!(calls.len(), 3, "collect-all runs every item");
    let (fast, calls) = drive(&foreach_plan(true, 1), json!({"hosts": ["a", "b", "c"]}), broken_a);
    assert_eq!(fast.error.as_deref(), Some("node each failed: item 0 failed: fatal: disk full"));
    assert_eq!(calls.len(), 1, "fail_fast starts no more items");
}

#[test]
fn foreach_items_in_flight_at_a_crash_run_again_as_their_next_attempt() {
    let plan = foreach_plan(false, 2);
    let mut state = RunState::new(plan.nodes.len());
    apply(&plan, &mut state, &Event::RunStarted { input: json!({"hosts": ["a", "b"]}), run: json!({}), at_ms: 0 });
    apply(&plan, &mut state, &Event::StepStarted { node: "each[0]".into(), attempt: 1, at_ms: 1 });
    apply(&plan, &mut state, &Event::StepStarted { node: "each[1]".into(), attempt: 1, at_ms: 1 });
    let done = StepOutcome::Done { output: json!("A") };
    apply(&plan, &mut state, &Event::StepFinished { node: "each[0]".into(), attempt: 1, outcome: done, at_ms: 2 });
    let work = resume_work(&plan, &state);
    assert_eq!(
        work,
        vec![Command::Call { node: "each[1]".into(), attempt: 2, call: StepCall::Run(json!({"host": "b", "at": 1})) }]
    );
}

fn batch_plan(between: Value, max_failures: Value, rollback: bool) -> Plan {
    let mut nodes = vec![
        json!({"id": "start", "kind": "start"}),
        json!({"id": "roll", "kind": "batch", "items": "inputs.hosts", "batches": [1, "50%", "100%"], "concurrency": 2,
               "between": between, "max_failures": max_failures, "body": {"plugin": "echo", "input": "${item}"}}),
        json!({"id": "end", "kind": "end", "output": "${steps.roll.output.done}"}),
    ];
    let mut edges = vec![json!({"from": "start", "to": "roll"}), json!({"from": "roll", "to": "end"})];
    if rollback {
        nodes.push(json!({"id": "undo", "kind": "end", "output": {"undo": "${steps.roll.output.done}", "failed": "${steps.roll.output.failed}"}}));
        edges.push(json!({"from": "roll", "to": "undo", "kind": "rollback"}));
    }
    chain(json!(nodes), json!(edges))
}

fn hosts(n: usize) -> Value {
    json!({"hosts": (1..=n).map(|i| format!("h{i}")).collect::<Vec<_>>()})
}

#[test]
fn a_batch_releases_its_items_batch_by_batch() {
    let plan = batch_plan(json!("none"), json!(0), false);
    let mut state = RunState::new(plan.nodes.len());
    let first = apply(&plan, &mut state, &Event::RunStarted { input: hosts(6), run: json!({}), at_ms: 0 });
    assert_eq!(first.len(), 1, "the first batch holds one item: {first:?}");
    let (state, calls) = drive(&plan, hosts(6), echo);
    assert_eq!(state.status, RunStatus::Succeeded);
    assert_eq!(state.output, Some(json!(["h1", "h2", "h3", "h4", "h5", "h6"])));
    assert_eq!(
        calls.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["roll[0]", "roll[1]", "roll[2]", "roll[3]", "roll[4]", "roll[5]"]
    );
    let batches: Vec<Value> =
        state.steps["roll"]["output"]["items"].as_array().unwrap().iter().map(|i| i["batch"].clone()).collect();
    assert_eq!(batches, vec![json!(0), json!(1), json!(1), json!(2), json!(2), json!(2)]);
}

#[test]
fn a_batch_waits_or_asks_between_batches() {
    let plan = batch_plan(json!({"wait_ms": 1000}), json!(0), false);
    let (state, _) = drive(&plan, hosts(4), echo);
    assert_eq!(state.status, RunStatus::Succeeded);

    let plan = batch_plan(json!("approval"), json!(0), false);
    let mut state = RunState::new(plan.nodes.len());
    apply(&plan, &mut state, &Event::RunStarted { input: hosts(4), run: json!({}), at_ms: 0 });
    apply(&plan, &mut state, &Event::StepStarted { node: "roll[0]".into(), attempt: 1, at_ms: 1 });
    let after_first = apply(
        &plan,
        &mut state,
        &Event::StepFinished {
            node: "roll[0]".into(),
            attempt: 1,
            outcome: StepOutcome::Done { output: json!(1) },
            at_ms: 2,
        },
    );
    assert!(after_first.is_empty(), "waits for a decision: {after_first:?}");
    assert_eq!(state.awaiting_decision(), vec![1]);
    let next = apply(
        &plan,
        &mut state,
        &Event::Decided { node: "roll".into(), approved: true, by: "lead".into(), comment: String::new(), at_ms: 3 },
    );
    assert_eq!(next.len(), 1, "the second batch (50 % of 4 = 2, one more item) starts: {next:?}");
}

#[test]
fn crossing_the_failure_threshold_stops_the_rollout_and_rolls_back() {
    let fail_h2 = |node: &str, attempt: u32, call: &StepCall| match call {
        StepCall::Run(Value::String(h)) if h == "h2" => {
            StepOutcome::Failed { kind: "fatal".into(), message: "unhealthy".into(), retryable: false }
        }
        _ => echo(node, attempt, call),
    };
    let (state, calls) = drive(&batch_plan(json!("none"), json!(0), true), hosts(6), fail_h2);
    assert_eq!(state.status, RunStatus::Succeeded, "{:?}", state.error);
    assert_eq!(state.output, Some(json!({"undo": ["h1", "h3"], "failed": ["h2"]})));
    assert!(calls.len() < 6, "later batches never started: {calls:?}");

    let (state, _) = drive(&batch_plan(json!("none"), json!(0), false), hosts(6), fail_h2);
    assert_eq!(state.error.as_deref(), Some("node roll failed: 1 item(s) failed, over the failure threshold"));

    let (state, _) = drive(&batch_plan(json!("none"), json!("50%"), true), hosts(6), fail_h2);
    assert_eq!(state.output, Some(json!(["h1", "h3", "h4", "h5", "h6"])), "one failure in six is under 50 %");
}

#[test]
fn a_wait_until_an_instant_is_due_then() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, {"id": "at", "kind": "wait", "until": "${inputs.when}"}, {"id": "end", "kind": "end"}]),
        json!([{"from": "start", "to": "at"}, {"from": "at", "to": "end"}]),
    );
    let mut state = RunState::new(plan.nodes.len());
    let commands = apply(
        &plan,
        &mut state,
        &Event::RunStarted { input: json!({"when": "2030-01-01T00:00:00Z"}), run: json!({}), at_ms: 0 },
    );
    assert_eq!(commands, vec![Command::Timer { node: "at".into(), attempt: 0, due_ms: 1_893_456_000_000 }]);
    let mut bad = RunState::new(plan.nodes.len());
    apply(&plan, &mut bad, &Event::RunStarted { input: json!({"when": "next tuesday"}), run: json!({}), at_ms: 0 });
    assert!(
        bad.error.as_deref().unwrap().starts_with("node at failed: `until` gave `next tuesday`"),
        "{:?}",
        bad.error
    );
}

fn call(node: &str, attempt: u32, input: Value) -> Command {
    Command::Call { node: node.into(), attempt, call: StepCall::Run(input) }
}

#[test]
fn a_paused_run_holds_new_calls_lets_running_ones_finish_and_releases_them_on_unpause() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, step("a", json!(1)), step("b", json!(2)), {"id": "end", "kind": "end"}]),
        json!([{"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "end"}]),
    );
    let mut state = RunState::new(plan.nodes.len());
    apply(&plan, &mut state, &Event::RunStarted { input: json!({}), run: json!({}), at_ms: 1 });
    apply(&plan, &mut state, &Event::StepStarted { node: "a".into(), attempt: 1, at_ms: 2 });
    let pause = Event::Paused { by: "carol".into(), reason: "change freeze".into(), at_ms: 3 };
    assert_eq!(check_control(&plan, &state, &pause), Ok(()));
    assert!(apply(&plan, &mut state, &pause).is_empty());
    assert_eq!(check_control(&plan, &state, &pause), Err("the run is already paused".into()));
    // `a` was running: it finishes; `b` is due but held.
    let finished =
        Event::StepFinished { node: "a".into(), attempt: 1, outcome: StepOutcome::Done { output: json!(1) }, at_ms: 4 };
    assert!(apply(&plan, &mut state, &finished).is_empty());
    assert_eq!(state.steps["a"]["status"], "succeeded");
    assert_eq!(state.nodes[2].status, NodeStatus::Running { started: false, polling: None });
    // A restart while paused keeps holding it.
    assert!(resume_work(&plan, &state).is_empty());
    let unpause = Event::Unpaused { by: "carol".into(), at_ms: 5 };
    assert_eq!(apply(&plan, &mut state, &unpause), vec![call("b", 1, json!(2))]);
    assert_eq!(check_control(&plan, &state, &unpause), Err("the run is not paused".into()));
}

#[test]
fn a_paused_foreach_holds_its_next_items() {
    let plan = foreach_plan(false, 1);
    let mut state = RunState::new(plan.nodes.len());
    let first = apply(
        &plan,
        &mut state,
        &Event::RunStarted { input: json!({"hosts": ["h1", "h2"]}), run: json!({}), at_ms: 1 },
    );
    let Some(Command::Call { node, .. }) = first.first() else { panic!("{first:?}") };
    assert_eq!(node, "each[0]");
    apply(&plan, &mut state, &Event::StepStarted { node: "each[0]".into(), attempt: 1, at_ms: 2 });
    apply(&plan, &mut state, &Event::Paused { by: "c".into(), reason: String::new(), at_ms: 3 });
    let done = StepOutcome::Done { output: json!("ok") };
    assert!(
        apply(&plan, &mut state, &Event::StepFinished { node: "each[0]".into(), attempt: 1, outcome: done, at_ms: 4 })
            .is_empty()
    );
    let released = apply(&plan, &mut state, &Event::Unpaused { by: "c".into(), at_ms: 5 });
    assert!(matches!(&released[..], [Command::Call { node, attempt: 1, .. }] if node == "each[1]"), "{released:?}");
}

#[test]
fn a_force_failed_step_takes_its_error_route_and_its_late_answer_is_ignored() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, {"id": "stuck", "kind": "step", "plugin": "echo", "on_error": "route",
                "retry": {"max_attempts": 5}},
               step("cleanup", json!("${steps.stuck.error.message}")), {"id": "end", "kind": "end", "output": "${steps.cleanup.output}"},
               {"id": "ok", "kind": "end"}]),
        json!([{"from": "start", "to": "stuck"}, {"from": "stuck", "to": "ok"},
               {"from": "stuck", "to": "cleanup", "kind": "error"}, {"from": "cleanup", "to": "end"}]),
    );
    let mut state = RunState::new(plan.nodes.len());
    apply(&plan, &mut state, &Event::RunStarted { input: json!({}), run: json!({}), at_ms: 1 });
    apply(&plan, &mut state, &Event::StepStarted { node: "stuck".into(), attempt: 1, at_ms: 2 });
    let force = Event::ForceFailed { node: "stuck".into(), by: "dave".into(), reason: "host gone".into(), at_ms: 3 };
    assert_eq!(check_control(&plan, &state, &force), Ok(()));
    let next = apply(&plan, &mut state, &force);
    assert_eq!(next, vec![call("cleanup", 1, json!("force-failed by dave: host gone"))]);
    assert_eq!(state.steps["stuck"]["error"]["kind"], "force_failed");
    let late = Event::StepFinished {
        node: "stuck".into(),
        attempt: 1,
        outcome: StepOutcome::Done { output: json!(1) },
        at_ms: 4,
    };
    assert!(apply(&plan, &mut state, &late).is_empty());
    assert_eq!(
        check_control(&plan, &state, &force),
        Err("node `stuck` cannot be force-failed while it has failed already".into())
    );
}

#[test]
fn a_force_failed_approval_fails_the_run() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, {"id": "gate", "kind": "approval", "assignees": ["ops"]}, {"id": "end", "kind": "end"}]),
        json!([{"from": "start", "to": "gate"}, {"from": "gate", "to": "end"}]),
    );
    let mut state = RunState::new(plan.nodes.len());
    apply(&plan, &mut state, &Event::RunStarted { input: json!({}), run: json!({}), at_ms: 1 });
    let force = Event::ForceFailed { node: "gate".into(), by: "dave".into(), reason: String::new(), at_ms: 2 };
    assert_eq!(apply(&plan, &mut state, &force), vec![Command::Finish]);
    assert_eq!(state.status, RunStatus::Failed);
    assert_eq!(state.error.as_deref(), Some("node gate failed: force-failed by dave"));
}

#[test]
fn each_node_knows_when_it_was_reached_and_when_it_settled() {
    let plan = chain(
        json!([{"id": "start", "kind": "start"}, step("a", json!({})), step("b", json!({})), {"id": "end", "kind": "end"}]),
        json!([{"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "end"}]),
    );
    // `drive` starts at 1,000 and moves the clock 1 ms per call.
    let (state, _) = drive(&plan, json!({}), echo);
    let at = |id: &str| {
        let node = &state.nodes[plan.index_of(id).unwrap()];
        (node.started_ms, node.ended_ms)
    };
    assert_eq!(at("start"), (Some(1_000), Some(1_000)));
    assert_eq!(at("a"), (Some(1_000), Some(1_001)));
    assert_eq!(at("b"), (Some(1_001), Some(1_002)));
    assert_eq!(at("end"), (Some(1_002), Some(1_002)));

    // A retry reopens the node: it has not settled again until its call ends.
    let mut failed = RunState::new(plan.nodes.len());
    let mut commands =
        apply(&plan, &mut failed, &Event::RunStarted { input: json!({}), run: json!({"id": "r"}), at_ms: 10 });
    assert!(matches!(commands.as_slice(), [Command::Call { .. }]));
    apply(&plan, &mut failed, &Event::StepStarted { node: "a".into(), attempt: 1, at_ms: 10 });
    let failure = StepOutcome::Failed { kind: "boom".into(), message: "no".into(), retryable: false };
    apply(&plan, &mut failed, &Event::StepFinished { node: "a".into(), attempt: 1, outcome: failure, at_ms: 20 });
    let a = plan.index_of("a").unwrap();
    assert_eq!((failed.nodes[a].started_ms, failed.nodes[a].ended_ms), (Some(10), Some(20)));
    commands =
        apply(&plan, &mut failed, &Event::NodeRetried { node: "a".into(), input: None, by: "ops".into(), at_ms: 30 });
    assert!(matches!(commands.as_slice(), [Command::Call { attempt: 2, .. }]), "{commands:?}");
    assert_eq!(
        (failed.nodes[a].started_ms, failed.nodes[a].ended_ms),
        (Some(10), None),
        "first reached at 10, not settled since the retry"
    );
}

#[test]
fn a_plan_knows_whether_its_expressions_are_all_plain_paths() {
    let edges = json!([{"from": "s", "to": "a"}, {"from": "a", "to": "e"}]);
    let with = |input: Value, output: Value| {
        chain(
            json!([{"id": "s", "kind": "start"}, {"id": "a", "kind": "step", "plugin": "echo", "input": input},
                   {"id": "e", "kind": "end", "output": output}]),
            edges.clone(),
        )
        .plain
    };
    assert!(with(json!({"n": "${inputs.n}", "fixed": 1}), json!({"n": "${steps.a.output.n}"})));
    assert!(!with(json!({"n": "${inputs.n + 1}"}), json!({})), "an operation");
    assert!(
        !with(json!({"n": "${inputs.n}"}), json!({"l": "${inputs.l.filter(x, x > 1)}"})),
        "a loop, in the end's output"
    );
    assert!(with(json!({"text": "host ${inputs.host} ready"}), json!({})), "text around a path is a copy");
}
