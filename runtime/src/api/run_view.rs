//! A run as the API shows it: status, input, output, error, and every node
//! with its state, attempts, timings, output and error.
//!
//! Written straight from the engine's state as the answer's bytes: building
//! a JSON tree first cost a map, a hash and a copy of every output per node
//! per answer, which showed in the benchmark of `fan50` (52 nodes).

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::time::{Duration, UNIX_EPOCH};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::described::{Body, DescribesAnswer, Generators, Success, answer_schema};
use crate::engine::{NodeStatus, Plan, RunState};
use crate::store::RUN_STATUSES;

/// A run's answer, already serialized (so a handler can answer from state it
/// borrows), described as the view `T` it was written from.
pub struct RunAnswer<T> {
    status: StatusCode,
    response: Response,
    view: PhantomData<T>,
}

impl<T> IntoResponse for RunAnswer<T> {
    fn into_response(self) -> Response {
        let mut response = self.response;
        *response.status_mut() = self.status;
        response
    }
}

/// Every node: `GET …/runs/{id}` and the controls.
pub type Whole = RunAnswer<RunView<'static>>;

impl DescribesAnswer for Whole {
    fn answers(generators: &mut Generators) -> Option<Success> {
        let schema = answer_schema::<RunView<'static>>(generators)?;
        Some(Success { statuses: &[200], body: Body::Json(schema) })
    }
}

/// A started run: 200 once it has ended or waits for people within `wait_ms`,
/// 202 while it goes on; every node, or only the outcome (`view=summary`).
pub struct Started;

impl DescribesAnswer for RunAnswer<Started> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        let whole = answer_schema::<RunView<'static>>(generators)?;
        let outcome = answer_schema::<RunOutcome<'static>>(generators)?;
        Some(Success { statuses: &[200, 202], body: Body::Json(serde_json::json!({"anyOf": [whole, outcome]})) })
    }
}

/// A started run shown whole, 200 or 202 as above: a light app's start.
pub struct StartedWhole;

impl DescribesAnswer for RunAnswer<StartedWhole> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        let whole = answer_schema::<RunView<'static>>(generators)?;
        Some(Success { statuses: &[200, 202], body: Body::Json(whole) })
    }
}

/// The answer carrying run `state` of `plan` in `tenant`, as its first `events` events left it.
pub(super) fn answer(plan: &Plan, state: &RunState, tenant: &str, events: u64) -> Whole {
    whole(plan, state, tenant, Some(events), StatusCode::OK)
}

/// A started run's answer, shown as `summary` says, with `status`.
pub(super) fn started<V>(
    plan: &Plan,
    state: &RunState,
    tenant: &str,
    events: Option<u64>,
    summary: bool,
    status: StatusCode,
) -> RunAnswer<V> {
    let response = if summary { outcome(state) } else { whole::<V>(plan, state, tenant, events, status).response };
    RunAnswer { status, response, view: PhantomData }
}

fn whole<T>(plan: &Plan, state: &RunState, tenant: &str, events: Option<u64>, status: StatusCode) -> RunAnswer<T> {
    let response = Json(RunView {
        id: &state.run["id"],
        tenant,
        flow: &plan.flow.name,
        version: &state.run["version"],
        status: crate::store::status_name(state),
        input: &state.inputs,
        output: &state.output,
        error: &state.error,
        started_at: &state.run["started_at"],
        events,
        nodes: Nodes { plan, state },
    })
    .into_response();
    RunAnswer { status, response, view: PhantomData }
}

/// The short answer (`?view=summary`): id, status, output and error only.
fn outcome(state: &RunState) -> Response {
    Json(RunOutcome {
        id: &state.run["id"],
        status: crate::store::status_name(state),
        output: &state.output,
        error: &state.error,
    })
    .into_response()
}

/// A run's outcome only: what a start with `view=summary` answers.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RunOutcome<'a> {
    #[schemars(with = "String")]
    id: &'a Value,
    #[schemars(extend("enum" = RUN_STATUSES))]
    status: &'static str,
    output: &'a Option<Value>,
    error: &'a Option<String>,
}

/// A run with every node.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Run")]
pub struct RunView<'a> {
    #[schemars(with = "String")]
    id: &'a Value,
    tenant: &'a str,
    flow: &'a str,
    /// The published version it runs; null for a flow run from a file.
    #[schemars(with = "Option<u32>")]
    version: &'a Value,
    #[schemars(extend("enum" = RUN_STATUSES))]
    status: &'static str,
    input: &'a Value,
    output: &'a Option<Value>,
    error: &'a Option<String>,
    #[schemars(with = "String")]
    started_at: &'a Value,
    /// How many of the run's events this view reflects: those its event
    /// stream (`…/events`) numbers below it (from 0), so a client that read
    /// this view first knows which streamed events it shows already. Null on
    /// the answer to a start that waited until the run ended or waited for
    /// people (reading the log's length there would cost every start a query).
    events: Option<u64>,
    /// Every node by id, in the flow's order.
    #[schemars(with = "BTreeMap<String, NodeView<'static>>")]
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

/// A node of a run.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Node")]
pub struct NodeView<'a> {
    kind: &'a str,
    #[schemars(extend("enum" = NODE_STATUSES))]
    status: &'static str,
    attempts: u32,
    /// When the run reached it.
    #[schemars(with = "Option<String>")]
    started_at: Option<Timestamp>,
    /// When it last settled; none while it runs or after a retry.
    #[schemars(with = "Option<String>")]
    ended_at: Option<Timestamp>,
    duration_ms: Option<u64>,
    output: &'a Value,
    /// The step's error record, if it failed.
    #[schemars(with = "Option<BTreeMap<String, Value>>")]
    error: &'a Value,
}

const NODE_STATUSES: [&str; 7] = ["idle", "running", "waiting", "awaiting_decision", "succeeded", "failed", "skipped"];

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
