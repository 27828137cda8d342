//! `apply`: the transition function of a run. Pure: no I/O, no clock.

use serde_json::{Value, json};

use super::control::check_control;
use super::foreach::resume_items;
use super::plan::{NodePlan, Plan, WaitFor};
use super::transition::{Pick, Transition, backoff_ms, scope};
use super::{Command, Event, ItemState, NodeStatus, RunState, RunStatus, StepCall, StepOutcome};
use crate::flow::{EdgeKind, OnError};

/// Apply `event` to `state`; return what must happen next.
pub fn apply(plan: &Plan, state: &mut RunState, event: &Event) -> Vec<Command> {
    let mut run = Transition { plan, state, out: Vec::new(), at_ms: event.at_ms() };
    let reopens = matches!(event, Event::NodeRetried { .. } | Event::NodeSkipped { .. });
    if run.state.is_over() && !(reopens && check_control(plan, run.state, event).is_ok()) {
        return run.out;
    }
    match event {
        Event::RunStarted { input, run: info, .. } => {
            run.state.status = RunStatus::Running;
            run.state.inputs = input.clone();
            run.state.run = info.clone();
            run.enter(plan.start);
        }
        Event::StepStarted { node, attempt, .. } => {
            if let Some((i, item)) = plan.locate(node) {
                let (status, current) = run.slot(i, item);
                if let NodeStatus::Running { polling, .. } = status {
                    *status = NodeStatus::Running { started: true, polling: polling.clone() };
                    *current = *attempt;
                }
            }
        }
        Event::StepFinished { node, attempt, outcome, .. } => {
            if let Some((i, item)) = plan.locate(node) {
                let (status, current) = run.slot(i, item);
                if matches!(status, NodeStatus::Running { started: true, .. }) && *current == *attempt {
                    match item {
                        None => run.finished(i, outcome),
                        Some(k) => run.item_finished(i, k, outcome),
                    }
                }
            }
        }
        Event::RunResumed { .. } => {}
        Event::NodeRetried { node, input, .. } if check_control(plan, run.state, event).is_ok() => {
            let i = plan.index_of(node).expect("checked");
            run.reopen();
            run.state.nodes[i].input_override = input.clone();
            run.state.nodes[i].ended_ms = None;
            let attempt = run.state.nodes[i].attempt + 1;
            match render_input(plan, run.state, i) {
                Ok(input) => run.call(i, attempt, StepCall::Run(input)),
                Err(e) => run.step_failed(i, "invalid input", &format!("input mapping failed: {e}"), false),
            }
        }
        Event::NodeSkipped { node, output, by, .. } if check_control(plan, run.state, event).is_ok() => {
            let i = plan.index_of(node).expect("checked");
            run.reopen();
            run.state.nodes[i].status = NodeStatus::Succeeded;
            run.record(i, "succeeded", output.clone(), json!({"skipped_by": by}));
            run.route(i, None);
        }
        Event::Cancelled { by, reason, .. } => {
            run.state.status = RunStatus::Cancelled;
            let why = if reason.is_empty() { String::new() } else { format!(": {reason}") };
            run.state.error = Some(format!("cancelled by {by}{why}"));
            run.out.push(Command::Finish);
        }
        Event::Paused { .. } if check_control(plan, run.state, event).is_ok() => run.state.paused = true,
        Event::Unpaused { .. } if check_control(plan, run.state, event).is_ok() => {
            run.state.paused = false;
            run.out.extend(work(plan, run.state, Pick::Held));
        }
        Event::ForceFailed { node, by, reason, .. } if check_control(plan, run.state, event).is_ok() => {
            let i = plan.index_of(node).expect("checked");
            run.force_fail(i, by, reason);
        }
        Event::NodeRetried { .. }
        | Event::NodeSkipped { .. }
        | Event::Paused { .. }
        | Event::Unpaused { .. }
        | Event::ForceFailed { .. } => {}
        Event::Decided { node, approved, by, comment, .. } => {
            if let Some(i) = plan.index_of(node)
                && matches!(run.state.nodes[i].status, NodeStatus::AwaitingDecision { .. })
            {
                run.decided(i, *approved, by, comment);
            }
        }
        Event::TimerFired { node, .. }
            if plan
                .index_of(node)
                .is_some_and(|i| matches!(run.state.nodes[i].status, NodeStatus::AwaitingDecision { .. })) =>
        {
            let i = plan.index_of(node).expect("checked above");
            if let NodePlan::Approval { approve_on_timeout, .. } = &plan.nodes[i] {
                run.decided(i, *approve_on_timeout, "timeout", "no decision before the approval's timeout");
            }
        }
        Event::TimerFired { node, attempt, .. } => {
            if let Some((i, item)) = plan.locate(node)
                && let NodeStatus::Waiting { attempt: due_attempt, poll, .. } = run.slot(i, item).0.clone()
                && due_attempt == *attempt
            {
                match item {
                    None => run.timer_fired(i, *attempt, poll),
                    Some(k) => match poll {
                        Some(state) => run.call_item(i, k, *attempt, StepCall::Poll(state)),
                        None => run.start_item(i, k, *attempt),
                    },
                }
            }
        }
    }
    if run.state.paused {
        // Held calls keep their `Running { started: false }` state; `Unpaused` makes them.
        run.out.retain(|command| !matches!(command, Command::Call { .. }));
    }
    run.out
}

/// The work a run needs after its state was rebuilt from the log (a restart):
/// calls in flight are made again — as the next attempt if they had started —
/// and timers are set again. Calls held by a pause stay held.
pub fn resume_work(plan: &Plan, state: &RunState) -> Vec<Command> {
    work(plan, state, Pick::All)
}

fn work(plan: &Plan, state: &RunState, pick: Pick) -> Vec<Command> {
    let mut commands = Vec::new();
    if state.status == RunStatus::Cancelled {
        return commands;
    }
    for (i, node) in state.nodes.iter().enumerate() {
        let id = plan.id(i).to_string();
        match &node.status {
            NodeStatus::Running { started, .. } if !pick.wants_call(*started, state.paused) => {}
            NodeStatus::Iterating => resume_items(plan, state, i, &id, pick, &mut commands),
            status if pick == Pick::Held && !matches!(status, NodeStatus::Running { .. }) => {}
            NodeStatus::Running { started, polling } => {
                let call = match polling {
                    Some(poll) => StepCall::Poll(poll.clone()),
                    None => match render_input(plan, state, i) {
                        Ok(input) => StepCall::Run(input),
                        Err(_) => continue, // failed to render before: the log already holds the failure
                    },
                };
                let attempt = if *started && !plan.calls_child_runs(i) { node.attempt + 1 } else { node.attempt };
                commands.push(Command::Call { node: id, attempt, call });
            }
            NodeStatus::Waiting { due_ms, attempt, .. } => {
                commands.push(Command::Timer { node: id, attempt: *attempt, due_ms: *due_ms })
            }
            NodeStatus::AwaitingDecision { due_ms: Some(due_ms) } => {
                commands.push(Command::Timer { node: id, attempt: 0, due_ms: *due_ms })
            }
            _ => {}
        }
    }
    commands
}

fn render_input(plan: &Plan, state: &RunState, i: usize) -> Result<Value, String> {
    if let Some(input) = &state.nodes[i].input_override {
        return Ok(input.clone());
    }
    let (NodePlan::Step { input, .. } | NodePlan::Subflow { input, .. }) = &plan.nodes[i] else {
        return Ok(Value::Null);
    };
    input.render(&scope(state)).map_err(|e| e.to_string())
}

impl Transition<'_> {
    /// Start node `i`: it has been activated.
    fn enter(&mut self, i: usize) {
        if self.state.is_over() {
            return;
        }
        self.state.nodes[i].activated = true;
        self.state.nodes[i].started_ms.get_or_insert(self.at_ms);
        match &self.plan.nodes[i] {
            NodePlan::Start | NodePlan::Parallel | NodePlan::Join => self.succeed(i, Value::Null),
            NodePlan::End { output } => {
                let output = match output.as_ref().map(|t| t.render(&scope(self.state))).transpose() {
                    Ok(output) => output.unwrap_or(Value::Null),
                    Err(e) => return self.fail_run(i, &format!("output mapping failed: {e}")),
                };
                self.state.nodes[i].status = NodeStatus::Succeeded;
                // Recorded on the node too, so a view of the end node shows what the run gave.
                self.record(i, "succeeded", output.clone(), Value::Null);
                self.state.output = Some(output);
                self.state.status = RunStatus::Succeeded;
                self.out.push(Command::Finish);
            }
            NodePlan::Step { .. } | NodePlan::Subflow { .. } => match render_input(self.plan, self.state, i) {
                Ok(input) => self.call(i, 1, StepCall::Run(input)),
                Err(e) => self.step_failed(i, "invalid input", &format!("input mapping failed: {e}"), false),
            },
            NodePlan::Switch { cases, default } => self.switch(i, cases, *default),
            NodePlan::Foreach { items, .. } | NodePlan::Batch { items, .. } => match items.eval(&scope(self.state)) {
                Ok(Value::Array(values)) => {
                    let idle = |value| ItemState {
                        value,
                        status: NodeStatus::Idle,
                        attempt: 0,
                        output: Value::Null,
                        error: Value::Null,
                    };
                    self.state.nodes[i].items = values.into_iter().map(idle).collect();
                    self.state.nodes[i].status = NodeStatus::Iterating;
                    self.fill(i);
                }
                Ok(other) => self.fail_run(i, &format!("items `{}` gave {other}, not a list", items.source())),
                Err(e) => self.fail_run(i, &format!("items {e}")),
            },
            NodePlan::Approval { timeout_ms, .. } => {
                let due_ms = timeout_ms.map(|ms| self.at_ms.saturating_add(ms));
                self.state.nodes[i].status = NodeStatus::AwaitingDecision { due_ms };
                if let Some(due_ms) = due_ms {
                    self.out.push(Command::Timer { node: self.plan.id(i).to_string(), attempt: 0, due_ms });
                }
            }
            NodePlan::Wait { duration } => {
                let due_ms = match duration {
                    WaitFor::Millis(ms) => Ok(self.at_ms.saturating_add(*ms)),
                    WaitFor::Expression(e) => e
                        .eval(&scope(self.state))
                        .map_err(|e| e.to_string())
                        .and_then(|v| {
                            v.as_u64().ok_or_else(|| {
                                format!("duration `{}` gave {v}, not a number of milliseconds", e.source())
                            })
                        })
                        .map(|ms| self.at_ms.saturating_add(ms)),
                    WaitFor::Until(instant) => {
                        instant.render(&scope(self.state)).map_err(|e| e.to_string()).and_then(|v| instant_ms(&v))
                    }
                };
                match due_ms {
                    Ok(due_ms) => self.wait(i, 0, due_ms, None),
                    Err(e) => self.fail_run(i, &e),
                }
            }
        }
    }

    /// An operator fails node `i` now: a step takes its `on_error` route
    /// without retrying; any other node fails the run.
    fn force_fail(&mut self, i: usize, by: &str, reason: &str) {
        let why = if reason.is_empty() { String::new() } else { format!(": {reason}") };
        let message = format!("force-failed by {by}{why}");
        if matches!(self.plan.nodes[i], NodePlan::Step { .. } | NodePlan::Subflow { .. }) {
            return self.step_failed(i, "force_failed", &message, false);
        }
        self.state.nodes[i].status = NodeStatus::Failed;
        self.record(i, "failed", Value::Null, json!({"kind": "force_failed", "message": message}));
        self.fail_run(i, &message);
    }

    /// A failed run that an operator retries or skips into goes on running.
    fn reopen(&mut self) {
        if self.state.status == RunStatus::Failed {
            self.state.status = RunStatus::Running;
            self.state.error = None;
        }
    }

    fn call(&mut self, i: usize, attempt: u32, call: StepCall) {
        let polling = match &call {
            StepCall::Poll(state) => Some(state.clone()),
            StepCall::Run(_) => None,
        };
        self.state.nodes[i].status = NodeStatus::Running { started: false, polling };
        self.state.nodes[i].attempt = attempt;
        self.out.push(Command::Call { node: self.plan.id(i).to_string(), attempt, call });
    }

    fn wait(&mut self, i: usize, attempt: u32, due_ms: u64, poll: Option<Value>) {
        self.state.nodes[i].status = NodeStatus::Waiting { due_ms, attempt, poll };
        self.out.push(Command::Timer { node: self.plan.id(i).to_string(), attempt, due_ms });
    }

    fn switch(&mut self, i: usize, cases: &[(crate::expr::Expression, usize)], default: Option<usize>) {
        let mut evaluated = Vec::new();
        let mut budget = crate::expr::Budget::default();
        for (condition, target) in cases {
            match condition.eval_within(&scope(self.state), &mut budget) {
                Ok(Value::Bool(true)) => return self.route(i, Some(*target)),
                Ok(Value::Bool(false)) => evaluated.push(format!("`{}` is false", condition.source())),
                Ok(other) => {
                    return self
                        .fail_run(i, &format!("condition `{}` gave {other}, not a boolean", condition.source()));
                }
                Err(e) => return self.fail_run(i, &format!("condition {e}")),
            }
        }
        match default {
            Some(target) => self.route(i, Some(target)),
            None => self.fail_run(i, &format!("no case matched and there is no default: {}", evaluated.join(", "))),
        }
    }

    fn timer_fired(&mut self, i: usize, attempt: u32, poll: Option<Value>) {
        match (&self.plan.nodes[i], poll) {
            (NodePlan::Wait { .. }, _) => self.succeed(i, Value::Null),
            (NodePlan::Batch { .. }, _) => self.next_batch(i),
            (NodePlan::Step { .. }, Some(state)) => self.call(i, attempt, StepCall::Poll(state)),
            (NodePlan::Step { .. }, None) => match render_input(self.plan, self.state, i) {
                Ok(input) => self.call(i, attempt, StepCall::Run(input)),
                Err(e) => self.step_failed(i, "invalid input", &format!("input mapping failed: {e}"), false),
            },
            _ => {}
        }
    }

    fn decided(&mut self, i: usize, approved: bool, by: &str, comment: &str) {
        let decision = json!({"approved": approved, "by": by, "comment": comment});
        if approved && matches!(self.plan.nodes[i], NodePlan::Batch { .. }) {
            self.next_batch(i);
        } else if approved {
            self.succeed(i, decision);
        } else {
            self.state.nodes[i].status = NodeStatus::Failed;
            self.record(i, "failed", Value::Null, json!({"kind": "rejected", "message": comment, "by": by}));
            let why = if comment.is_empty() { String::new() } else { format!(": {comment}") };
            self.fail_run(i, &format!("rejected by {by}{why}"));
        }
    }

    /// The status and attempt of node `i`, or of its item `k`.
    fn slot(&mut self, i: usize, item: Option<usize>) -> (&mut NodeStatus, &mut u32) {
        let node = &mut self.state.nodes[i];
        match item {
            Some(k) if k < node.items.len() => {
                let item = &mut node.items[k];
                (&mut item.status, &mut item.attempt)
            }
            Some(_) => (&mut node.status, &mut node.attempt), // unknown item: matches nothing it expects
            None => (&mut node.status, &mut node.attempt),
        }
    }

    fn finished(&mut self, i: usize, outcome: &StepOutcome) {
        let attempt = self.state.nodes[i].attempt;
        match outcome {
            StepOutcome::Done { output } => self.succeed(i, output.clone()),
            StepOutcome::Pending { state, after_ms } => {
                self.wait(i, attempt, self.at_ms.saturating_add(u64::from(*after_ms)), Some(state.clone()))
            }
            StepOutcome::Failed { kind, message, retryable } => self.step_failed(i, kind, message, *retryable),
        }
    }

    /// The node settled: its `steps.<id>` entry as expressions see it, and when.
    pub(super) fn record(&mut self, i: usize, status: &str, output: Value, error: Value) {
        self.state.nodes[i].ended_ms = Some(self.at_ms);
        let attempts = self.state.nodes[i].attempt;
        let entry = json!({"output": output, "error": error, "status": status, "attempts": attempts});
        self.state.steps.insert(self.plan.id(i).to_string(), entry);
    }

    pub(super) fn succeed(&mut self, i: usize, output: Value) {
        self.state.nodes[i].status = NodeStatus::Succeeded;
        self.record(i, "succeeded", output, Value::Null);
        self.route(i, None);
    }

    /// Tell every successor of `i` whether it is activated: all normal edges
    /// (or, for a switch, the chosen target only); error and rollback edges not.
    fn route(&mut self, i: usize, chosen: Option<usize>) {
        if matches!(self.plan.nodes[i], NodePlan::Switch { .. }) && self.state.nodes[i].status != NodeStatus::Succeeded
        {
            self.state.nodes[i].status = NodeStatus::Succeeded;
            self.record(i, "succeeded", json!({"to": chosen.map(|c| self.plan.id(c))}), Value::Null);
        }
        let mut chosen_once = chosen;
        let edges = self.plan.successors[i].clone();
        for (target, kind) in edges {
            let activate = match chosen {
                Some(_) => chosen_once.take_if(|c| *c == target).is_some(),
                None => kind == EdgeKind::Normal,
            };
            self.signal(target, activate);
        }
    }

    /// One predecessor of `target` has settled. A join waits until all have,
    /// and runs if any activated it; other nodes run on the first activation.
    /// A node no predecessor activates is skipped, and so are its successors.
    pub(super) fn signal(&mut self, target: usize, activate: bool) {
        let node = &mut self.state.nodes[target];
        node.settled_inputs += 1;
        let all_settled = node.settled_inputs as usize >= self.plan.predecessors[target].len();
        let idle = node.status == NodeStatus::Idle;
        let is_join = matches!(self.plan.nodes[target], NodePlan::Join);
        if !idle {
            return;
        }
        if activate {
            node.activated = true;
        }
        let activated = node.activated;
        if is_join {
            if all_settled {
                if activated { self.enter(target) } else { self.skip(target) }
            }
        } else if activate {
            self.enter(target);
        } else if all_settled && !activated {
            self.skip(target);
        }
    }

    fn skip(&mut self, i: usize) {
        self.state.nodes[i].status = NodeStatus::Skipped;
        self.record(i, "skipped", Value::Null, Value::Null);
        let edges = self.plan.successors[i].clone();
        for (target, _) in edges {
            self.signal(target, false);
        }
    }

    fn step_failed(&mut self, i: usize, kind: &str, message: &str, retryable: bool) {
        let (retry, on_error) = match &self.plan.nodes[i] {
            NodePlan::Step { retry, on_error, .. } => (Some(retry), on_error),
            NodePlan::Subflow { on_error, .. } => (None, on_error),
            _ => return self.fail_run(i, message),
        };
        let attempt = self.state.nodes[i].attempt.max(1);
        if let Some(retry) = retry.filter(|retry| retryable && attempt < retry.max_attempts) {
            let due = self.at_ms.saturating_add(backoff_ms(retry, attempt, self.plan.id(i)));
            return self.wait(i, attempt + 1, due, None);
        }
        self.state.nodes[i].status = NodeStatus::Failed;
        self.record(i, "failed", Value::Null, json!({"kind": kind, "message": message}));
        match on_error {
            OnError::Fail => self.fail_run(i, &format!("{kind}: {message}")),
            OnError::Continue => self.route(i, None),
            OnError::Route => {
                let edges = self.plan.successors[i].clone();
                for (target, edge) in edges {
                    self.signal(target, edge == EdgeKind::Error);
                }
            }
        }
    }

    pub(super) fn fail_run(&mut self, i: usize, message: &str) {
        if !matches!(self.state.nodes[i].status, NodeStatus::Failed) {
            self.state.nodes[i].status = NodeStatus::Failed;
        }
        self.state.nodes[i].ended_ms.get_or_insert(self.at_ms);
        self.state.status = RunStatus::Failed;
        self.state.error = Some(format!("node {} failed: {message}", self.plan.id(i)));
        self.out.push(Command::Finish);
    }
}

/// Milliseconds since the epoch of an RFC 3339 instant (an instant in the
/// past is due at once).
fn instant_ms(value: &Value) -> Result<u64, String> {
    let text = value.as_str().ok_or_else(|| format!("`until` gave {value}, not an RFC 3339 instant"))?;
    let instant = humantime::parse_rfc3339_weak(text).map_err(|e| format!("`until` gave `{text}`: {e}"))?;
    Ok(instant.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)))
}
