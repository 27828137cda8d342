//! Runs of a tenant's published flows: start (optionally waiting for the
//! end), read, list, and the operators' controls.

use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Access;
use super::described::JsonBody;
use super::error::ApiError;
use super::run_view::{RunAnswer, Started, Whole};
use super::{Shared, flow_limit, run_view};
use crate::authz::Ask;
use crate::engine::{Event, NodePlan, NodeStatus};
use crate::scheduler::{Inspected, Launched, now_ms};
use crate::store::{RUN_STATUSES, RunFilter, RunSummary};

/// The longest a request may wait for a run to end.
const MAX_WAIT_MS: u64 = 60_000;

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    /// The run's input (`{}` if absent).
    #[serde(default)]
    pub(super) input: Option<Value>,
    /// A published version; the latest if absent.
    #[serde(default)]
    version: Option<u32>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitQuery {
    /// Wait up to this long (at most 60 s) for the run to end or wait for people.
    #[serde(default)]
    pub(super) wait_ms: u64,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartQuery {
    /// Wait up to this long (at most 60 s) for the run to end or wait for people.
    #[serde(default)]
    wait_ms: u64,
    /// `summary`: answer only the run's id, status, output and error (a `RunOutcome`), not every node.
    #[serde(default)]
    view: View,
}

/// How much of a run an answer shows.
#[derive(Deserialize, serde::Serialize, Default, Clone, Copy, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// Every node, as `GET …/runs/{id}` shows it.
    #[default]
    Full,
    /// Id, status, output and error: a client that only wants the outcome
    /// spares the server writing (and itself reading) every node.
    Summary,
}

/// `POST …/flows/{name}/runs[?wait_ms=N][&view=summary]`: 200 with the
/// outcome if the run ends (or waits for people) within N ms, else 202 with
/// where it is.
pub async fn start(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    query: Result<Query<StartQuery>, QueryRejection>,
    JsonBody(StartRun { input, version }): JsonBody<StartRun>,
) -> Result<RunAnswer<Started>, ApiError> {
    let tenant = access.tenant.clone();
    let Query(StartQuery { wait_ms, view }) = query.map_err(|e| ApiError::bad_request(format!("bad query: {e}")))?;
    let input = input.unwrap_or_else(|| json!({}));
    flow_limit::subflows_within_limit(&app, &access, &name, version).await?;
    let launched = launch_published(&app, &tenant, &name, version, input).await?;
    wait_for(&app, &tenant, launched, wait_ms, view).await
}

/// Wait up to `wait_ms` for a launched run to end (or wait for people): 200
/// with its outcome, else 202 with where it is; shown as `view` says.
pub(super) async fn wait_for<V>(
    app: &Shared,
    tenant: &str,
    Launched { id, plan, task }: Launched,
    wait_ms: u64,
    view: View,
) -> Result<RunAnswer<V>, ApiError> {
    let wait = Duration::from_millis(wait_ms.min(MAX_WAIT_MS));
    // The state the run's loop ended with is what its log holds.
    let (status, plan, state, tenant, events) = match tokio::time::timeout(wait, task).await {
        Ok(Ok(Ok(state))) => (StatusCode::OK, plan, state, tenant.to_string(), None),
        _ => {
            let run = app.scheduler.inspect(&id).await?;
            (StatusCode::ACCEPTED, run.plan, run.state, run.tenant, Some(run.events))
        }
    };
    Ok(run_view::started(&plan, &state, &tenant, events, view == View::Summary, status))
}

/// Start a run of a published version (the latest, or `version`) of flow
/// `name`: 404 without one, 422 if `input` violates its `inputs` schema.
pub async fn launch_published(
    app: &Shared,
    tenant: &str,
    name: &str,
    version: Option<u32>,
    input: Value,
) -> Result<Launched, ApiError> {
    app.scheduler.launch_published(tenant, name, version, input).await.map_err(ApiError::from)
}

/// `GET …/runs/{id}`
pub async fn show(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Whole, ApiError> {
    let tenant = access.tenant.clone();
    owned_run(&app, &tenant, &id).await?;
    run_view(&app, &id).await
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only runs of this flow.
    flow: Option<String>,
    /// Only runs with this status.
    #[schemars(extend("enum" = RUN_STATUSES))]
    status: Option<String>,
    /// Only runs created before this instant (RFC 3339).
    before: Option<String>,
    /// Only runs created at or after this instant (RFC 3339).
    since: Option<String>,
    /// The `next` of the previous page.
    cursor: Option<String>,
    /// At most this many runs (1-500, default 50).
    #[schemars(range(min = 1, max = 500))]
    limit: Option<u32>,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct RunPage {
    runs: Vec<RunSummary>,
    /// The cursor of the next page, if this one is full.
    next: Option<String>,
}

/// `GET …/runs[?flow=&status=&before=&since=&cursor=&limit=]`, newest first;
/// `next` is the cursor of the following page, if this one is full.
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<RunPage>, ApiError> {
    let tenant = access.tenant.clone();
    let Query(query) = query.map_err(|e| ApiError::bad_request(format!("bad query: {e}")))?;
    if let Some(status) = query.status.as_deref().filter(|s| !RUN_STATUSES.contains(s)) {
        return Err(ApiError::bad_request(format!(
            "`status` `{status}` is not a run status ({})",
            RUN_STATUSES.join(", ")
        )));
    }
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let created_before = query.before.as_deref().map(|t| stored_instant("before", t)).transpose()?;
    let created_since = query.since.as_deref().map(|t| stored_instant("since", t)).transpose()?;
    let after = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let filter = RunFilter {
        flow: query.flow.as_deref(),
        status: query.status.as_deref(),
        created_before: created_before.as_deref(),
        created_since: created_since.as_deref(),
        after: after.as_ref().map(|(created_at, id)| (created_at.as_str(), *id)),
    };
    let runs = app.db.runs().list_for(&tenant, &filter, limit).await?;
    let next = (runs.len() == limit as usize)
        .then(|| runs.last().map(|run| format!("{},{}", run.created_at, run.id)))
        .flatten();
    Ok(Json(RunPage { runs, next }))
}

/// An RFC 3339 instant from the query `name`, as the store compares instants.
fn stored_instant(name: &str, text: &str) -> Result<String, ApiError> {
    crate::store::stored_instant(text).map_err(|e| {
        ApiError::bad_request(format!("`{name}` is not an RFC 3339 instant such as 2026-12-03T06:00:00Z: {e}"))
    })
}

/// A `next` from an earlier page: the `created_at` and `id` of its last run.
fn parse_cursor(cursor: &str) -> Result<(String, &str), ApiError> {
    let bad = || ApiError::bad_request("`cursor` is not the `next` of an earlier page");
    let (created_at, id) = cursor.split_once(',').ok_or_else(bad)?;
    let created_at = stored_instant("cursor", created_at).map_err(|_| bad())?;
    Ok((created_at, id))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlBody {
    /// Cancel, pause, force-fail: why.
    #[serde(default)]
    reason: String,
    /// Approve, reject: a comment kept with the decision.
    #[serde(default)]
    comment: String,
    /// Retry: the input to use instead of the mapping.
    input: Option<Value>,
    /// Skip: the output to give the node.
    output: Option<Value>,
}

/// `POST …/runs/{id}/{cancel|pause|unpause}` (`resume`: the old name of `unpause`)
pub async fn run_control(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id, action)): Path<(String, String, String)>,
    JsonBody(ControlBody { reason, .. }): JsonBody<ControlBody>,
) -> Result<Whole, ApiError> {
    let tenant = access.tenant.clone();
    owned_run(&app, &tenant, &id).await?;
    let by = access.subject.clone();
    let at_ms = now_ms();
    let event = match action.as_str() {
        "cancel" => Event::Cancelled { by, reason, at_ms },
        "pause" => Event::Paused { by, reason, at_ms },
        // `resume` is the old name, kept for one release.
        "unpause" | "resume" => Event::Unpaused { by, at_ms },
        other => return Err(ApiError::not_found(format!("run action `{other}` (cancel, pause, unpause)"))),
    };
    app.scheduler.control_detached(&id, event).await?;
    run_view(&app, &id).await
}

/// `POST …/runs/{id}/nodes/{node}/{retry|skip|approve|reject|force-fail}`
pub async fn node_control(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id, node, action)): Path<(String, String, String, String)>,
    JsonBody(ControlBody { reason, comment, input, output }): JsonBody<ControlBody>,
) -> Result<Whole, ApiError> {
    let tenant = access.tenant.clone();
    owned_run(&app, &tenant, &id).await?;
    let decision = may_decide(&app, &access, &id, &node).await?;
    let by = access.subject.clone();
    let at_ms = now_ms();
    let event = match action.as_str() {
        "retry" => {
            subflow_retry_within_limit(&app, &access, &id, &node).await?;
            Event::NodeRetried { node, input, by, at_ms }
        }
        "skip" => {
            let output = output.unwrap_or(Value::Null);
            let output = if decision { decided_by(output, &by) } else { output };
            Event::NodeSkipped { node, output, by, at_ms }
        }
        "approve" | "reject" => Event::Decided { node, approved: action == "approve", by, comment, at_ms },
        "force-fail" => Event::ForceFailed { node, by, reason, at_ms },
        other => {
            return Err(ApiError::not_found(format!(
                "node action `{other}` (retry, skip, approve, reject, force-fail)"
            )));
        }
    };
    app.scheduler.control_detached(&id, event).await?;
    run_view(&app, &id).await
}

/// Whether `node` is a decision — an approval node, or any node waiting
/// for one (a batch between batches) — and if so, 403 unless the caller may
/// decide it: one of its assignees, or an owner or admin. Every route that
/// settles a node (approve, reject, skip, force-fail, retry) asks this, so
/// an operator who is not an assignee cannot decide it by another route.
async fn may_decide(app: &Shared, access: &Access, id: &str, node: &str) -> Result<bool, ApiError> {
    let Inspected { plan, state, .. } = app.scheduler.inspect(id).await?;
    let Some(i) = plan.index_of(node) else { return Ok(false) };
    let assignees: &[String] = match &plan.nodes[i] {
        NodePlan::Approval { assignees, .. } => assignees,
        _ if matches!(state.nodes[i].status, NodeStatus::AwaitingDecision { .. }) => &[],
        _ => return Ok(false),
    };
    // The limit to named flows was put to the policies with the run's flow already.
    let ask = Ask { assignees: Some(assignees), allowed_flows: None, ..access.ask("approve") };
    if app.authz.allows_all(&access.roles, &ask) {
        return Ok(true);
    }
    let deciders = if assignees.is_empty() { "those who may approve".to_string() } else { assignees.join(", ") };
    Err(ApiError::forbidden(format!(
        "node `{node}` is for {deciders} to decide (or an owner or admin); `{}` with {} is not one of them",
        access.subject,
        access.roles_text()
    )))
}

/// A retried subflow call starts a run of that flow again, with whatever
/// input the caller gives: a member limited to some flows retries it only if
/// that flow, and what it runs in turn, is theirs too.
async fn subflow_retry_within_limit(app: &Shared, access: &Access, id: &str, node: &str) -> Result<(), ApiError> {
    let Some(allowed) = &access.flows else { return Ok(()) };
    let Inspected { plan, .. } = app.scheduler.inspect(id).await?;
    let Some(crate::engine::CallTarget::Flow { flow, .. }) = plan.call_target(node) else { return Ok(()) };
    if !allowed.iter().any(|mine| mine == flow) {
        return Err(ApiError::forbidden(format!(
            "node `{node}` runs flow `{flow}`, and you are limited to flows {}",
            allowed.join(", ")
        )));
    }
    flow_limit::subflows_within_limit(app, access, flow, None).await
}

/// A skip standing in for a decision records who really made it: an
/// output naming another decider would be a forged approval.
fn decided_by(output: Value, by: &str) -> Value {
    match output {
        Value::Object(mut fields) => {
            fields.insert("by".to_string(), Value::String(by.to_string()));
            Value::Object(fields)
        }
        other => other,
    }
}

/// 404 unless run `id` exists and belongs to `tenant`.
pub(super) async fn owned_run(app: &Shared, tenant: &str, id: &str) -> Result<(), ApiError> {
    match app.db.runs().summary_of(id).await? {
        Some(run) if run.tenant == tenant => Ok(()),
        _ => Err(ApiError::not_found(format!("run `{id}`"))),
    }
}

/// Run `id` as the API shows it (`run_view.rs`).
pub(super) async fn run_view(app: &Shared, id: &str) -> Result<Whole, ApiError> {
    let run = app.scheduler.inspect(id).await?;
    Ok(run_view::answer(&run.plan, &run.state, &run.tenant, run.events))
}
