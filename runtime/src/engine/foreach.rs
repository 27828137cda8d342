//! `foreach`: each item runs the body step, at most `concurrency` at a time;
//! items are addressed `node[index]` in calls, timers and events.

use serde_json::{json, Value};

use super::machine::{backoff_ms, scope, Transition};
use super::plan::{NodePlan, Plan};
use super::{Command, NodeStatus, RunState, StepCall, StepOutcome};

pub(super) fn render_item_input(plan: &Plan, state: &RunState, i: usize, k: usize) -> Result<Value, String> {
    let NodePlan::Foreach { body, .. } = &plan.nodes[i] else { return Ok(Value::Null) };
    let scope = scope(state).with("item", state.nodes[i].items[k].value.clone()).with("index", Value::from(k));
    body.input.render(&scope).map_err(|e| e.to_string())
}

/// The calls and timers of items that were in flight when the run stopped.
pub(super) fn resume_items(plan: &Plan, state: &RunState, i: usize, id: &str, commands: &mut Vec<Command>) {
    for (k, item) in state.nodes[i].items.iter().enumerate() {
        let name = format!("{id}[{k}]");
        match &item.status {
            NodeStatus::Running { started, polling } => {
                let call = match polling {
                    Some(poll) => StepCall::Poll(poll.clone()),
                    None => match render_item_input(plan, state, i, k) {
                        Ok(input) => StepCall::Run(input),
                        Err(_) => continue,
                    },
                };
                let attempt = if *started { item.attempt + 1 } else { item.attempt };
                commands.push(Command::Call { node: name, attempt, call });
            }
            NodeStatus::Waiting { due_ms, attempt, .. } => {
                commands.push(Command::Timer { node: name, attempt: *attempt, due_ms: *due_ms })
            }
            _ => {}
        }
    }
}

impl Transition<'_> {
    /// Start idle items while the foreach has room.
    pub(super) fn fill(&mut self, i: usize) {
        let NodePlan::Foreach { concurrency, .. } = &self.plan.nodes[i] else { return };
        loop {
            let items = &self.state.nodes[i].items;
            let busy = items.iter().filter(|it| matches!(it.status, NodeStatus::Running { .. } | NodeStatus::Waiting { .. })).count();
            let next = items.iter().position(|it| it.status == NodeStatus::Idle);
            match next {
                Some(k) if busy < *concurrency as usize => self.start_item(i, k, 1),
                _ => break,
            }
            if self.state.is_over() {
                return;
            }
        }
        self.complete_if_done(i);
    }

    pub(super) fn start_item(&mut self, i: usize, k: usize, attempt: u32) {
        match render_item_input(self.plan, self.state, i, k) {
            Ok(input) => self.call_item(i, k, attempt, StepCall::Run(input)),
            Err(e) => {
                self.state.nodes[i].items[k].attempt = attempt;
                self.item_failed(i, k, "invalid input", &format!("input mapping failed: {e}"), false)
            }
        }
    }

    pub(super) fn call_item(&mut self, i: usize, k: usize, attempt: u32, call: StepCall) {
        let polling = match &call {
            StepCall::Poll(state) => Some(state.clone()),
            StepCall::Run(_) => None,
        };
        let item = &mut self.state.nodes[i].items[k];
        item.status = NodeStatus::Running { started: false, polling };
        item.attempt = attempt;
        self.out.push(Command::Call { node: format!("{}[{k}]", self.plan.id(i)), attempt, call });
    }

    pub(super) fn item_finished(&mut self, i: usize, k: usize, outcome: &StepOutcome) {
        match outcome {
            StepOutcome::Done { output } => {
                let item = &mut self.state.nodes[i].items[k];
                item.status = NodeStatus::Succeeded;
                item.output = output.clone();
                self.fill(i);
            }
            StepOutcome::Pending { state, after_ms } => {
                let attempt = self.state.nodes[i].items[k].attempt;
                let due_ms = self.at_ms + u64::from(*after_ms);
                self.state.nodes[i].items[k].status = NodeStatus::Waiting { due_ms, attempt, poll: Some(state.clone()) };
                self.out.push(Command::Timer { node: format!("{}[{k}]", self.plan.id(i)), attempt, due_ms });
            }
            StepOutcome::Failed { kind, message, retryable } => self.item_failed(i, k, kind, message, *retryable),
        }
    }

    fn item_failed(&mut self, i: usize, k: usize, kind: &str, message: &str, retryable: bool) {
        let NodePlan::Foreach { fail_fast, body, .. } = &self.plan.nodes[i] else { return };
        let name = format!("{}[{k}]", self.plan.id(i));
        let attempt = self.state.nodes[i].items[k].attempt.max(1);
        if retryable && attempt < body.retry.max_attempts {
            let due_ms = self.at_ms + backoff_ms(&body.retry, attempt, &name);
            self.state.nodes[i].items[k].status = NodeStatus::Waiting { due_ms, attempt: attempt + 1, poll: None };
            self.out.push(Command::Timer { node: name, attempt: attempt + 1, due_ms });
            return;
        }
        let item = &mut self.state.nodes[i].items[k];
        item.status = NodeStatus::Failed;
        item.error = json!({"kind": kind, "message": message});
        if *fail_fast {
            self.record_items(i, "failed");
            self.fail_run(i, &format!("item {k} failed: {kind}: {message}"));
        } else {
            self.fill(i);
        }
    }

    /// When every item has ended: the node succeeds with the outputs in item
    /// order, or fails naming the items that failed.
    fn complete_if_done(&mut self, i: usize) {
        let items = &self.state.nodes[i].items;
        if self.state.nodes[i].status != NodeStatus::Iterating
            || !items.iter().all(|it| matches!(it.status, NodeStatus::Succeeded | NodeStatus::Failed))
        {
            return;
        }
        let failed: Vec<String> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.status == NodeStatus::Failed)
            .map(|(k, it)| format!("item {k}: {}", it.error["message"].as_str().unwrap_or("failed")))
            .collect();
        if failed.is_empty() {
            let outputs = items.iter().map(|it| it.output.clone()).collect();
            self.succeed(i, Value::Array(outputs));
        } else {
            let total = items.len();
            self.record_items(i, "failed");
            self.fail_run(i, &format!("{} of {total} items failed: {}", failed.len(), failed.join("; ")));
        }
    }

    /// `steps.<foreach>` for a foreach that did not succeed: the items so far.
    fn record_items(&mut self, i: usize, status: &str) {
        let items = &self.state.nodes[i].items;
        let outputs: Vec<Value> = items.iter().map(|it| it.output.clone()).collect();
        let errors: Vec<Value> = items.iter().map(|it| it.error.clone()).collect();
        self.record(i, status, Value::Array(outputs), json!({"items": errors}));
    }
}
