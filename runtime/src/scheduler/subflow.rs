//! Subflows run as child runs: a run of their own (own log, own history,
//! same tenant and grants), started by the parent's call of the node and
//! named after that call, so a parent continued after a crash continues the
//! same child instead of starting another. Versions are pinned when the
//! parent starts and recorded in its `run.subflows`.

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use tokio::sync::mpsc;

use super::drive::{Completion, Run};
use super::live::LiveMsg;
use super::{FlowText, Progress, RunRequest, Scheduler, SilentProgress, now_ms};
use crate::engine::{CallTarget, Event, NodeStatus, Plan, RunState, RunStatus, StepCall, StepOutcome};
use crate::flow::FlowVersionRef;
use crate::store::{HeldElsewhere, is_lease_lost};

/// How deep subflows may nest: a flow that runs itself fails here, not by
/// exhausting the machine.
pub const MAX_SUBFLOW_DEPTH: u32 = 8;

/// Where a child run came from, kept in its `run.parent`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ParentLink {
    pub run: String,
    /// The calling node (or item, `node[k]`) and the call's attempt.
    pub node: String,
    pub attempt: u32,
    /// Nesting depth of the child: 1 under a top-level run.
    pub depth: u32,
}

/// The id of the run that call `attempt` of `node` in run `parent` starts.
pub fn child_run_id(parent: &str, node: &str, attempt: u32) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("scena:run/{parent}/{node}/{attempt}").as_bytes())
        .to_string()
}

impl Scheduler {
    /// The version each subflow node runs: pinned ones must exist, `latest`
    /// is the tenant's newest published version now.
    pub(super) async fn pin_subflows(&self, tenant: &str, plan: &Plan) -> anyhow::Result<Value> {
        let mut pinned = Map::new();
        for (node, flow, version) in plan.subflows() {
            let asked = match version {
                FlowVersionRef::Pinned(n) => Some(n),
                FlowVersionRef::Latest => None,
            };
            let found =
                self.flows.version(tenant, flow, asked).await.with_context(|| format!("node {node} runs a subflow"))?;
            pinned.insert(node.to_string(), Value::from(found.version));
        }
        Ok(Value::Object(pinned))
    }

    /// Every flow a run of `flow` (its published `version`, or the latest)
    /// may start as a subflow, through subflows of subflows, at the versions
    /// they name or the latest now; `flow` itself only if it runs itself.
    /// Flows or versions not published are left out: a run would fail there.
    pub async fn subflows_reached(
        &self,
        tenant: &str,
        flow: &str,
        version: Option<u32>,
    ) -> anyhow::Result<std::collections::BTreeSet<String>> {
        let Ok(found) = self.flows.version(tenant, flow, version).await else { return Ok(Default::default()) };
        let plan = self.plan(&FlowText::new(found.flow_json))?;
        self.subflows_reached_from(tenant, &plan).await
    }

    /// [`subflows_reached`](Self::subflows_reached) by a flow's `plan` (a draft's, say).
    pub async fn subflows_reached_from(
        &self,
        tenant: &str,
        plan: &Plan,
    ) -> anyhow::Result<std::collections::BTreeSet<String>> {
        let mut reached = std::collections::BTreeSet::new();
        let mut seen = std::collections::HashSet::new();
        let asked = |version: FlowVersionRef| match version {
            FlowVersionRef::Pinned(n) => Some(n),
            FlowVersionRef::Latest => None,
        };
        let mut next: Vec<(String, Option<u32>, u32)> =
            plan.subflows().into_iter().map(|(_, child, version)| (child.to_string(), asked(version), 1)).collect();
        while let Some((name, version, depth)) = next.pop() {
            reached.insert(name.clone());
            if depth > MAX_SUBFLOW_DEPTH || !seen.insert((name.clone(), version)) {
                continue;
            }
            let Ok(found) = self.flows.version(tenant, &name, version).await else { continue };
            let child_plan = self.plan(&FlowText::new(found.flow_json))?;
            for (_, child, version) in child_plan.subflows() {
                next.push((child.to_string(), asked(version), depth + 1));
            }
        }
        Ok(reached)
    }

    /// Run (or continue) the child run of one subflow call, to its end or
    /// until it waits for people.
    async fn run_child(&self, call: ChildCall) -> anyhow::Result<(String, RunState)> {
        let id = child_run_id(&call.parent.run, &call.parent.node, call.parent.attempt);
        if self.runs.summary(&id).await?.is_some() {
            return Ok((id.clone(), self.continue_run(&id, true, &mut SilentProgress).await?));
        }
        if call.parent.depth > MAX_SUBFLOW_DEPTH {
            bail!("subflows nest more than {MAX_SUBFLOW_DEPTH} deep (does flow `{}` run itself?)", call.flow);
        }
        let version = call.version.with_context(|| format!("the run pinned no version of subflow `{}`", call.flow))?;
        let flow = FlowText::new(self.flows.version(&call.tenant, &call.flow, Some(version)).await?.flow_json);
        let request = RunRequest {
            id: &id,
            tenant: &call.tenant,
            flow,
            version: Some(version),
            input: call.input,
            parent: Some(call.parent),
        };
        let state = self.begin(request, &mut SilentProgress).await?;
        Ok((id, state))
    }

    /// Whether child run `id`, whose driving failed here, exists unfinished in
    /// a cluster, where it is left to be continued (not on SQLite: nothing
    /// would continue it before the next start).
    async fn child_goes_on(&self, id: &str) -> bool {
        self.runs.leases().is_some()
            && self
                .runs
                .summary_of(id)
                .await
                .ok()
                .flatten()
                .is_some_and(|run| !crate::store::is_final_status(&run.status))
    }

    /// After an operator's event (or a resume) ended a subflow's run, let the
    /// parent go on: its loop collects the outcome if it is running here,
    /// otherwise the parent is continued from its log.
    pub(super) fn notify_parent<'a>(
        &'a self,
        state: &'a RunState,
        progress: &'a mut dyn Progress,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + 'a>> {
        Box::pin(async move {
            let Some(parent) = state.is_over().then(|| ParentLink::deserialize(&state.run["parent"]).ok()).flatten()
            else {
                return Ok(());
            };
            if let Some(live) = self.live_run(&parent.run)
                && live.send(LiveMsg::ChildEnded { node: parent.node.clone(), attempt: parent.attempt }).is_ok()
            {
                return Ok(());
            }
            if self.take_up(&parent.run, progress).await?.is_none() {
                // Driven by another node of the cluster: its loop collects the outcome.
                self.post_child_ended(&parent.run, &parent.node, parent.attempt).await?;
            }
            Ok(())
        })
    }
}

impl Scheduler {
    /// Cancel the child runs of the subflow calls a cancelled run had in
    /// flight — and theirs in turn: a cancelled release does not go on in
    /// its subflows. A child that ended meanwhile is left as it is.
    pub(super) fn cancel_children<'a>(
        &'a self,
        run_id: &'a str,
        plan: &'a Plan,
        state: &'a RunState,
        by: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            for child in running_children(run_id, plan, state) {
                let event = Event::Cancelled {
                    by: by.to_string(),
                    reason: format!("its parent run {run_id} was cancelled"),
                    at_ms: now_ms(),
                };
                if let Err(error) = self.control(&child, event, &mut SilentProgress).await {
                    tracing::debug!(run = %run_id, %child, "child run not cancelled: {error:#}");
                }
            }
        })
    }
}

/// The ids of the child runs of `run_id`'s subflow calls (nodes and items) that are in flight.
pub(super) fn running_children(run_id: &str, plan: &Plan, state: &RunState) -> Vec<String> {
    let started = |status: &NodeStatus| matches!(status, NodeStatus::Running { started: true, .. });
    let is_subflow = |name: &str| matches!(plan.call_target(name), Some(CallTarget::Flow { .. }));
    let mut children = Vec::new();
    for (i, node) in state.nodes.iter().enumerate() {
        let id = plan.id(i);
        if started(&node.status) && is_subflow(id) {
            children.push(child_run_id(run_id, id, node.attempt));
        }
        for (k, item) in node.items.iter().enumerate() {
            let name = format!("{id}[{k}]");
            if started(&item.status) && is_subflow(&name) {
                children.push(child_run_id(run_id, &name, item.attempt));
            }
        }
    }
    children
}

/// One subflow call, with what the child run needs from its parent.
struct ChildCall {
    parent: ParentLink,
    tenant: String,
    flow: String,
    version: Option<u32>,
    input: Value,
}

impl Run<'_> {
    /// Run (or continue) the child run of call `attempt` of `node` on a task
    /// of its own; its outcome comes back like a step's.
    pub(super) fn spawn_child(
        &self,
        node: String,
        attempt: u32,
        call: StepCall,
        done: mpsc::UnboundedSender<Completion>,
    ) {
        let scheduler = self.scheduler.me.upgrade().expect("a scheduler drives its runs while it exists");
        let Some(CallTarget::Flow { node: pinned_by, flow }) = self.plan.call_target(&node) else {
            unreachable!("child calls are made for subflow targets only")
        };
        let depth = self.state.run["depth"].as_u64().unwrap_or(0) as u32 + 1;
        let call = ChildCall {
            version: self.state.run["subflows"][pinned_by].as_u64().map(|v| v as u32),
            flow: flow.to_string(),
            tenant: self.tenant.clone(),
            parent: ParentLink { run: self.id.clone(), node: node.clone(), attempt, depth },
            input: match call {
                StepCall::Run(input) | StepCall::Poll(input) => input,
            },
        };
        let child_id = child_run_id(&self.id, &node, attempt);
        tokio::spawn(async move {
            let outcome = match scheduler.run_child(call).await {
                Ok((_, state)) if state.status == RunStatus::Succeeded => {
                    StepOutcome::Done { output: state.output.unwrap_or(Value::Null) }
                }
                Ok((child, state)) if state.is_over() => {
                    let why = state.error.unwrap_or_else(|| "ended without an output".into());
                    StepOutcome::Failed {
                        kind: "subflow_failed".into(),
                        message: format!("subflow run {child}: {why}"),
                        retryable: false,
                    }
                }
                Ok((child, _)) => {
                    let _ = done.send(Completion::ChildWaiting { node, child });
                    return;
                }
                // Another node of a cluster drives the child now (this one's lease
                // on it lapsed), or will (it stopped on an error: `give_back`); that
                // node tells the parent when the child ends.
                Err(error)
                    if is_lease_lost(&error)
                        || error.is::<HeldElsewhere>()
                        || scheduler.child_goes_on(&child_id).await =>
                {
                    let _ = done.send(Completion::ChildWaiting { node, child: child_id });
                    return;
                }
                Err(error) => StepOutcome::Failed {
                    kind: "subflow_failed".into(),
                    message: format!("{error:#}"),
                    retryable: false,
                },
            };
            let _ = done.send(Completion::Step { node, attempt, outcome, kv: None, logs: Value::Null });
        });
    }
}
