//! A run as the API shows it: status, input, output, error, and every node
//! with its state, attempts, timings, output and error.
//!
//! Written straight from the engine's state as the answer's bytes: building
//! a JSON tree first cost a map, a hash and a copy of every output per node
//! per answer, which showed in the benchmark of `fan50` (52 nodes).

use std::time::{Duration, UNIX_EPOCH};

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::engine::{NodeStatus, Plan, RunState};

/// The answer carrying run `state` of `plan` in `tenant`.
pub(super) fn answer(plan: &Plan, state: &RunState, tenant: &str) -> Response {
    Json(RunView {
        id: &state.run["id"],
        tenant,
        flow: &plan.flow.name,
        version: &state.run["version"],
        status: crate::store::status_name(state),
        input: &state.inputs,
        output: &state.output,
        error: &state.error,
        started_at: &state.run["started_at"],
        nodes: Nodes { plan, state },
    })
    .into_response()
}

/// The short answer (`?view=summary`): id, status, output and error only.
pub(super) fn summary(state: &RunState) -> Response {
    Json(RunOutcome {
        id: &state.run["id"],
        status: crate::store::status_name(state),
        output: &state.output,
        error: &state.error,
    })
    .into_response()
}

#[derive(Serialize)]
struct RunOutcome<'a> {
    id: &'a Value,
    status: &'static str,
    output: &'a Option<Value>,
    error: &'a Option<String>,
}

#[derive(Serialize)]
struct RunView<'a> {
    id: &'a Value,
    tenant: &'a str,
    flow: &'a str,
    version: &'a Value,
    status: &'static str,
    input: &'a Value,
    output: &'a Option<Value>,
    error: &'a Option<String>,
    started_at: &'a Value,
    nodes: Nodes<'a>,
}

/// Every node by id, in the flow's order.
struct Nodes<'a> {
    plan: &'a Plan,
    state: &'a RunState,
}

impl Serialize for Nodes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Nodes { plan, state } = self;
        serializer.collect_map((0..plan.nodes.len()).map(|i| {
            let id = plan.id(i);
            let node = &state.nodes[i];
            let recorded = state.steps.get(id);
            let field = |name: &str| recorded.map_or(&Value::Null, |r| &r[name]);
            let view = NodeView {
                kind: plan.flow.nodes[i].kind.name(),
                status: node_status_name(&node.status),
                attempts: node.attempt,
                started_at: node.started_ms.map(Timestamp),
                ended_at: node.ended_ms.map(Timestamp),
                duration_ms: node.started_ms.zip(node.ended_ms).map(|(started, ended)| ended.saturating_sub(started)),
                output: field("output"),
                error: field("error"),
            };
            (id, view)
        }))
    }
}

#[derive(Serialize)]
struct NodeView<'a> {
    kind: &'a str,
    status: &'static str,
    attempts: u32,
    started_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    duration_ms: Option<u64>,
    output: &'a Value,
    error: &'a Value,
}

/// Milliseconds since the epoch, shown in RFC 3339 like the run's own `started_at`.
struct Timestamp(u64);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(self.0)))
    }
}

fn node_status_name(status: &NodeStatus) -> &'static str {
    match status {
        NodeStatus::Running { .. } | NodeStatus::Iterating => "running",
        NodeStatus::Waiting { .. } => "waiting",
        NodeStatus::AwaitingDecision { .. } => "awaiting_decision",
        NodeStatus::Succeeded => "succeeded",
        NodeStatus::Failed => "failed",
        NodeStatus::Skipped => "skipped",
        NodeStatus::Idle => "idle",
    }
}
