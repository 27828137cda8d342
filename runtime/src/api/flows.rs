//! Flows of a tenant: drafts (saved even with semantic problems, which the
//! response lists), published versions (only valid flows), and diffs.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{IF_MATCH, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::Access;
use super::described::{FlowSchema, Tagged, Upserted};
use super::error::ApiError;
use super::{Shared, body};
use crate::catalog::validate_flow;
use crate::flow::{Flow, FlowDiff, Problem, diff as flow_diff, load_flow};
use crate::store::{Draft, DraftExpected, FlowVersion};

fn problems_json(problems: &[Problem]) -> Value {
    json!(problems)
}

/// A published version, without its flow.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "FlowVersion")]
pub struct VersionInfo {
    version: u32,
    content_hash: String,
    published_at: String,
}

impl From<&FlowVersion> for VersionInfo {
    fn from(v: &FlowVersion) -> VersionInfo {
        VersionInfo { version: v.version, content_hash: v.content_hash.clone(), published_at: v.published_at.clone() }
    }
}

/// A version as published, or the latest one when the draft was it already.
#[derive(Serialize, JsonSchema)]
pub struct FlowPublished {
    #[serde(flatten)]
    version: VersionInfo,
    /// False when the draft was the latest version already.
    created: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct FlowListed {
    name: String,
    latest_version: Option<u32>,
}

#[derive(Serialize, JsonSchema)]
pub struct FlowList {
    flows: Vec<FlowListed>,
}

#[derive(Serialize, JsonSchema)]
pub struct VersionList {
    versions: Vec<VersionInfo>,
}

/// A published version with its flow.
#[derive(Serialize, JsonSchema)]
pub struct VersionWithFlow {
    #[serde(flatten)]
    version: VersionInfo,
    #[schemars(with = "FlowSchema")]
    flow: Flow,
}

#[derive(Serialize, JsonSchema)]
pub struct DraftSaved {
    name: String,
    saved: bool,
    /// Send it back as `If-Match: "REVISION"` to save only over this draft.
    revision: i64,
    problems: Vec<Problem>,
}

#[derive(Serialize, JsonSchema)]
pub struct DraftShown {
    #[schemars(with = "FlowSchema")]
    flow: Flow,
    updated_at: String,
    /// Send it back as `If-Match: "REVISION"` to save only over this draft.
    revision: i64,
    problems: Vec<Problem>,
}

#[derive(Serialize, JsonSchema)]
pub struct FlowShown {
    name: String,
    draft: Option<DraftShown>,
    versions: Vec<VersionInfo>,
}

#[derive(Serialize, JsonSchema)]
pub struct VersionDiff {
    from: u32,
    to: u32,
    diff: FlowDiff,
}

/// `PUT …/flows/{name}/draft`. With `If-Match: "<revision>"` the save
/// happens only if the draft is still at that revision, with
/// `If-None-Match: *` only if there is no draft yet; otherwise 412 with the
/// revision there now, and nothing changes.
pub async fn save_draft(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Tagged<DraftSaved>, ApiError> {
    let tenant = access.tenant.clone();
    read_only_if_installed(&name)?;
    let expected = expected_draft(&headers)?;
    let bytes = body::bytes(raw)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
    serde_json::from_str::<Value>(text).map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let flow = load_flow(text).map_err(|problems| {
        ApiError::invalid("invalid_flow", "the body is not a flow document")
            .with_details(json!({"problems": problems_json(&problems)}))
    })?;
    if flow.name != name {
        return Err(ApiError::invalid(
            "invalid_flow",
            format!("the flow is named `{}`, not `{name}` as in the path", flow.name),
        ));
    }
    let revision = match app.db.flows().save_draft_if(&tenant, &flow, expected).await? {
        Ok(revision) => revision,
        Err(current) => {
            let message = match current {
                Some(current) => format!(
                    "the draft of `{name}` changed since it was read: it is at revision {current} now; reload it and apply your change again"
                ),
                None => format!("flow `{name}` has no draft to update"),
            };
            let changed = ApiError::new(StatusCode::PRECONDITION_FAILED, "draft_changed", message);
            return Err(changed.with_details(json!({"revision": current})));
        }
    };
    let problems = validate_flow(&flow, Some(&app.registry.view(&crate::store::run_scope(&tenant, &flow.name))));
    Ok(Tagged(Some(etag(revision)), DraftSaved { name, saved: true, revision, problems }))
}

/// An installed app's flows (`APP/FLOW`) change only by installing another version of the app.
fn read_only_if_installed(name: &str) -> Result<(), ApiError> {
    match name.split_once('/') {
        Some((app, _)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "installed_flow",
            format!(
                "flow `{name}` is installed from app `{app}` and is read-only: it changes when another version of the app is installed"
            ),
        )
        .with_details(json!({"app": app}))),
        None => Ok(()),
    }
}

/// The condition a draft save carries, from `If-Match` / `If-None-Match`.
fn expected_draft(headers: &HeaderMap) -> Result<DraftExpected, ApiError> {
    let header = |name| headers.get(name).map(|v| v.to_str().unwrap_or("?").trim());
    match (header(IF_MATCH), header(IF_NONE_MATCH)) {
        (None, None) => Ok(DraftExpected::Any),
        (None, Some("*")) => Ok(DraftExpected::Absent),
        (Some(tag), None) => {
            tag.trim_start_matches("W/").trim_matches('"').parse::<i64>().map(DraftExpected::Revision).map_err(|_| {
                ApiError::bad_request(format!("If-Match must be a draft's ETag such as `\"3\"`, not `{tag}`"))
            })
        }
        _ => Err(ApiError::bad_request("a draft save takes `If-Match: \"REVISION\"` or `If-None-Match: *`, not both")),
    }
}

fn etag(revision: i64) -> String {
    format!("\"{revision}\"")
}

/// `POST …/flows/{name}/versions`: publish the draft, if it has no problem.
pub async fn publish(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Upserted<FlowPublished>, ApiError> {
    let tenant = access.tenant.clone();
    read_only_if_installed(&name)?;
    let flows = app.db.flows();
    let (draft, _) =
        flows.draft(&tenant, &name).await?.ok_or_else(|| ApiError::not_found(format!("draft of flow `{name}`")))?;
    super::flow_limit::draft_within_limit(&app, &access, &draft).await?;
    let problems = validate_flow(&draft, Some(&app.registry.view(&tenant)));
    if !problems.is_empty() {
        let message = format!("the draft has {} problem(s); only valid flows are published", problems.len());
        return Err(
            ApiError::invalid("invalid_flow", message).with_details(json!({"problems": problems_json(&problems)}))
        );
    }
    let (version, created) = flows.publish(&tenant, &name).await?;
    Ok(Upserted::new(created, FlowPublished { version: VersionInfo::from(&version), created }))
}

/// `GET …/flows`
pub async fn list(State(app): State<Shared>, Extension(access): Extension<Access>) -> Result<Json<FlowList>, ApiError> {
    let tenant = access.tenant.clone();
    let flows = app.db.flows().list(&tenant).await?;
    let flows = flows.into_iter().map(|(name, latest_version)| FlowListed { name, latest_version }).collect();
    Ok(Json(FlowList { flows }))
}

/// `GET …/flows/{name}`: the draft (with its problems) and the versions.
pub async fn show(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Tagged<FlowShown>, ApiError> {
    let tenant = access.tenant.clone();
    let flows = app.db.flows();
    let draft = flows.draft_with_revision(&tenant, &name).await?;
    let versions = flows.versions(&tenant, &name).await?;
    if draft.is_none() && versions.is_empty() {
        return Err(ApiError::not_found(format!("flow `{name}`")));
    }
    let versions: Vec<VersionInfo> = versions.iter().map(VersionInfo::from).collect();
    let tag = draft.as_ref().map(|draft| etag(draft.revision));
    let draft = draft.map(|Draft { flow, updated_at, revision }| {
        let problems = validate_flow(&flow, Some(&app.registry.view(&crate::store::run_scope(&tenant, &flow.name))));
        DraftShown { flow, updated_at, revision, problems }
    });
    Ok(Tagged(tag, FlowShown { name, draft, versions }))
}

/// `GET …/flows/{name}/versions`
pub async fn versions(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<VersionList>, ApiError> {
    let tenant = access.tenant.clone();
    let versions = app.db.flows().versions(&tenant, &name).await?;
    Ok(Json(VersionList { versions: versions.iter().map(VersionInfo::from).collect() }))
}

/// `GET …/flows/{name}/versions/{n}`
pub async fn version(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, number)): Path<(String, String, String)>,
) -> Result<Json<VersionWithFlow>, ApiError> {
    let tenant = access.tenant.clone();
    let number: u32 =
        number.parse().map_err(|_| ApiError::bad_request(format!("`{number}` is not a version number")))?;
    let version = find_version(&app, &tenant, &name, Some(number)).await?;
    Ok(Json(VersionWithFlow { flow: version.flow()?, version: VersionInfo::from(&version) }))
}

pub async fn find_version(
    app: &Shared,
    tenant: &str,
    name: &str,
    number: Option<u32>,
) -> Result<FlowVersion, ApiError> {
    let found = app.db.flows().version(tenant, name, number).await;
    found.map_err(|_| match number {
        Some(n) => ApiError::not_found(format!("version {n} of flow `{name}`")),
        None => ApiError::not_found(format!("a published version of flow `{name}`")),
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// A version.
    from: u32,
    /// A later (or any) version.
    to: u32,
}

/// `GET …/flows/{name}/diff?from=N&to=M`
pub async fn diff(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    query: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<VersionDiff>, ApiError> {
    let tenant = access.tenant.clone();
    let Query(DiffQuery { from, to }) = query.map_err(|e| ApiError::bad_request(format!("give ?from=N&to=M: {e}")))?;
    let before = find_version(&app, &tenant, &name, Some(from)).await?.flow()?;
    let after = find_version(&app, &tenant, &name, Some(to)).await?.flow()?;
    Ok(Json(VersionDiff { from, to, diff: flow_diff(&before, &after) }))
}
