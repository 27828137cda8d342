//! Nodes that run items — `foreach` and `batch`: each item runs the body step,
//! at most `concurrency` at a time; items are addressed `node[index]` in
//! calls, timers and events. A batch releases its items batch by batch,
//! pauses between batches as told, and stops at its failure threshold.

use serde_json::{Value, json};

use super::plan::{NodePlan, Plan};
use super::transition::{Pick, Transition, backoff_ms, scope};
use super::{Command, NodeStatus, RunState, StepCall, StepOutcome};
use crate::expr::Budget;
use crate::flow::{Between, CountOrPercent, EdgeKind};

/// Item `k`'s input, within `budget`: the items a node starts at one moment
/// share one, as the expressions of one node do.
pub(super) fn render_item_input(
    plan: &Plan,
    state: &RunState,
    i: usize,
    k: usize,
    budget: &mut Budget,
) -> Result<Value, String> {
    let Some((body, _)) = plan.nodes[i].iteration() else { return Ok(Value::Null) };
    let scope = scope(state).with("item", state.nodes[i].items[k].value.clone()).with("index", Value::from(k));
    body.input.render_within(&scope, budget).map_err(|e| e.to_string())
}

/// Items in batches `0..=batch`: cumulative sizes, never shrinking, at most all.
pub(super) fn batch_end(batches: &[CountOrPercent], batch: usize, total: usize) -> usize {
    batches[..=batch.min(batches.len() - 1)]
        .iter()
        .map(|b| b.of(total as u64) as usize)
        .max()
        .unwrap_or(total)
        .min(total)
}

/// The calls and timers of items that were in flight when the run stopped
/// (or, with `Pick::Held`, only the calls a pause held back).
pub(super) fn resume_items(plan: &Plan, state: &RunState, i: usize, id: &str, pick: Pick, commands: &mut Vec<Command>) {
    for (k, item) in state.nodes[i].items.iter().enumerate() {
        let name = format!("{id}[{k}]");
        match &item.status {
            NodeStatus::Running { started, .. } if !pick.wants_call(*started, state.paused) => {}
            status if pick == Pick::Held && !matches!(status, NodeStatus::Running { .. }) => {}
            NodeStatus::Running { started, polling } => {
                let call = match polling {
                    Some(poll) => StepCall::Poll(poll.clone()),
                    // Each on its own budget: it passed a shared one when it started.
                    None => match render_item_input(plan, state, i, k, &mut Budget::default()) {
                        Ok(input) => StepCall::Run(input),
                        Err(_) => continue,
                    },
                };
                let attempt = if *started && !plan.calls_child_runs(i) { item.attempt + 1 } else { item.attempt };
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
    /// Start idle items while there is room (and, for a batch, while the
    /// current batch has items left); then see whether the node is done.
    /// The items started here share one budget of loop steps for their input
    /// mappings: one that would take them past it waits, idle, for the next
    /// moment (a running item's end), where it starts on a budget of its own —
    /// an item fails for its mapping only on a budget it has to itself.
    pub(super) fn fill(&mut self, i: usize) {
        let Some((_, concurrency)) = self.plan.nodes[i].iteration() else { return };
        let limit = self.release_limit(i);
        let mut budget = Budget::default();
        let mut started_here = false;
        loop {
            let node = &self.state.nodes[i];
            if node.tripped {
                break;
            }
            let busy = node
                .items
                .iter()
                .filter(|it| matches!(it.status, NodeStatus::Running { .. } | NodeStatus::Waiting { .. }))
                .count();
            let k = match node.items[..limit].iter().position(|it| it.status == NodeStatus::Idle) {
                Some(k) if busy < concurrency as usize => k,
                _ => break,
            };
            match render_item_input(self.plan, self.state, i, k, &mut budget) {
                Ok(input) => {
                    self.call_item(i, k, 1, StepCall::Run(input));
                    started_here = true;
                }
                Err(_) if started_here => break,
                Err(e) => {
                    // Failing it fills the node again (and sees whether it is done).
                    self.state.nodes[i].items[k].attempt = 1;
                    return self.item_failed(i, k, "invalid input", &format!("input mapping failed: {e}"), false);
                }
            }
            if self.state.is_over() {
                return;
            }
        }
        self.complete_if_done(i);
    }

    /// How many items may have started: all for a foreach, those of the
    /// batches released so far for a batch.
    fn release_limit(&self, i: usize) -> usize {
        let total = self.state.nodes[i].items.len();
        match &self.plan.nodes[i] {
            NodePlan::Batch { batches, .. } => batch_end(batches, self.state.nodes[i].batch, total),
            _ => total,
        }
    }

    /// The next batch may start: after a pause, or right away.
    pub(super) fn next_batch(&mut self, i: usize) {
        self.state.nodes[i].batch += 1;
        self.state.nodes[i].status = NodeStatus::Iterating;
        self.fill(i);
    }

    /// Start item `k` alone (a retry), on a budget of its own.
    pub(super) fn start_item(&mut self, i: usize, k: usize, attempt: u32) {
        match render_item_input(self.plan, self.state, i, k, &mut Budget::default()) {
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
                let due_ms = self.at_ms.saturating_add(u64::from(*after_ms));
                self.state.nodes[i].items[k].status =
                    NodeStatus::Waiting { due_ms, attempt, poll: Some(state.clone()) };
                self.out.push(Command::Timer { node: format!("{}[{k}]", self.plan.id(i)), attempt, due_ms });
            }
            StepOutcome::Failed { kind, message, retryable } => self.item_failed(i, k, kind, message, *retryable),
        }
    }

    fn item_failed(&mut self, i: usize, k: usize, kind: &str, message: &str, retryable: bool) {
        let Some((body, _)) = self.plan.nodes[i].iteration() else { return };
        let name = format!("{}[{k}]", self.plan.id(i));
        let attempt = self.state.nodes[i].items[k].attempt.max(1);
        if retryable && attempt < body.retry.max_attempts {
            let due_ms = self.at_ms.saturating_add(backoff_ms(&body.retry, attempt, &name));
            self.state.nodes[i].items[k].status = NodeStatus::Waiting { due_ms, attempt: attempt + 1, poll: None };
            self.out.push(Command::Timer { node: name, attempt: attempt + 1, due_ms });
            return;
        }
        let item = &mut self.state.nodes[i].items[k];
        item.status = NodeStatus::Failed;
        item.error = json!({"kind": kind, "message": message});
        match &self.plan.nodes[i] {
            NodePlan::Foreach { fail_fast: true, .. } => {
                self.record_items(i, "failed");
                self.fail_run(i, &format!("item {k} failed: {kind}: {message}"));
            }
            NodePlan::Batch { max_failures, .. } => {
                let items = &self.state.nodes[i].items;
                let ended =
                    items.iter().filter(|it| matches!(it.status, NodeStatus::Succeeded | NodeStatus::Failed)).count();
                let failed = items.iter().filter(|it| it.status == NodeStatus::Failed).count();
                if failed as u64 > max_failures.of(ended as u64) {
                    self.state.nodes[i].tripped = true;
                }
                self.fill(i);
            }
            _ => self.fill(i),
        }
    }

    /// When every released item has ended: a foreach succeeds with the outputs
    /// in item order or fails naming the failed items; a batch pauses before
    /// its next batch, or finishes, or — past its threshold — rolls back.
    fn complete_if_done(&mut self, i: usize) {
        let node = &self.state.nodes[i];
        let limit = self.release_limit(i);
        let ended = |it: &super::ItemState| matches!(it.status, NodeStatus::Succeeded | NodeStatus::Failed);
        let busy =
            node.items.iter().any(|it| matches!(it.status, NodeStatus::Running { .. } | NodeStatus::Waiting { .. }));
        if node.status != NodeStatus::Iterating || busy || !(node.tripped || node.items[..limit].iter().all(ended)) {
            return;
        }
        if let NodePlan::Batch { batches, between, has_rollback, .. } = &self.plan.nodes[i] {
            if node.tripped {
                return self.roll_back(i, *has_rollback);
            }
            if limit < node.items.len() && node.batch + 1 < batches.len() {
                // A batch that releases nothing new (10 % of 4 hosts is the one
                // already done) is not worth a pause.
                if batch_end(batches, node.batch + 1, node.items.len()) == limit {
                    return self.next_batch(i);
                }
                return match between {
                    Between::None => self.next_batch(i),
                    Between::Wait { wait_ms } => {
                        let due_ms = self.at_ms.saturating_add(*wait_ms);
                        self.state.nodes[i].status = NodeStatus::Waiting { due_ms, attempt: 0, poll: None };
                        self.out.push(Command::Timer { node: self.plan.id(i).to_string(), attempt: 0, due_ms });
                    }
                    Between::Approval => self.state.nodes[i].status = NodeStatus::AwaitingDecision { due_ms: None },
                };
            }
            let output = self.batch_output(i);
            return self.succeed(i, output);
        }
        let items = &self.state.nodes[i].items;
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

    /// A batch past its failure threshold: follow the rollback edge with the
    /// node's output (`done`, `failed`, per-item results) in scope, or fail.
    fn roll_back(&mut self, i: usize, has_rollback: bool) {
        let output = self.batch_output(i);
        let failed = output["failed"].as_array().map_or(0, Vec::len);
        let message = format!("{failed} item(s) failed, over the failure threshold");
        self.state.nodes[i].status = NodeStatus::Failed;
        self.record(i, "failed", output, json!({"kind": "threshold", "message": message}));
        if !has_rollback {
            return self.fail_run(i, &message);
        }
        let edges = self.plan.successors[i].clone();
        for (target, edge) in edges {
            self.signal(target, edge == EdgeKind::Rollback);
        }
    }

    /// `{items: [{item, batch, status, output, error}], done: [...], failed: [...]}`
    fn batch_output(&self, i: usize) -> Value {
        let NodePlan::Batch { batches, .. } = &self.plan.nodes[i] else { return Value::Null };
        let items = &self.state.nodes[i].items;
        let total = items.len();
        let batch_of = |k: usize| (0..batches.len()).find(|&b| k < batch_end(batches, b, total));
        let status = |it: &super::ItemState| match it.status {
            NodeStatus::Succeeded => "succeeded",
            NodeStatus::Failed => "failed",
            _ => "not run",
        };
        let results: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(k, it)| json!({"item": it.value, "batch": batch_of(k), "status": status(it), "output": it.output, "error": it.error}))
            .collect();
        let pick = |wanted: NodeStatus| {
            items.iter().filter(|it| it.status == wanted).map(|it| it.value.clone()).collect::<Vec<_>>()
        };
        json!({"items": results, "done": pick(NodeStatus::Succeeded), "failed": pick(NodeStatus::Failed)})
    }

    /// `steps.<foreach>` for a foreach that did not succeed: the items so far.
    fn record_items(&mut self, i: usize, status: &str) {
        let items = &self.state.nodes[i].items;
        let outputs: Vec<Value> = items.iter().map(|it| it.output.clone()).collect();
        let errors: Vec<Value> = items.iter().map(|it| it.error.clone()).collect();
        self.record(i, status, Value::Array(outputs), json!({"items": errors}));
    }
}
