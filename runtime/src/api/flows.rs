//! Flows of a tenant: drafts (saved even with semantic problems, which the
//! response lists), published versions (only valid flows), and diffs.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Access;
use super::error::ApiError;
use super::{Shared, body};
use crate::catalog::validate_flow;
use crate::flow::{Problem, diff as flow_diff, load_flow};
use crate::store::FlowVersion;

fn problems_json(problems: &[Problem]) -> Value {
    json!(problems)
}

/// `PUT …/flows/{name}/draft`
pub async fn save_draft(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let tenant = access.tenant.clone();
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
    app.db.flows().save_draft(&tenant, &flow).await?;
    let problems = validate_flow(&flow, Some(&app.registry.view(&tenant)));
    Ok(Json(json!({"name": name, "saved": true, "problems": problems_json(&problems)})))
}

/// `POST …/flows/{name}/versions`: publish the draft, if it has no problem.
pub async fn publish(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = access.tenant.clone();
    let flows = app.db.flows();
    let (draft, _) =
        flows.draft(&tenant, &name).await?.ok_or_else(|| ApiError::not_found(format!("draft of flow `{name}`")))?;
    let problems = validate_flow(&draft, Some(&app.registry.view(&tenant)));
    if !problems.is_empty() {
        let message = format!("the draft has {} problem(s); only valid flows are published", problems.len());
        return Err(
            ApiError::invalid("invalid_flow", message).with_details(json!({"problems": problems_json(&problems)}))
        );
    }
    let (version, created) = flows.publish(&tenant, &name).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(
            json!({"version": version.version, "content_hash": version.content_hash, "published_at": version.published_at, "created": created}),
        ),
    ))
}

/// `GET …/flows`
pub async fn list(State(app): State<Shared>, Extension(access): Extension<Access>) -> Result<Json<Value>, ApiError> {
    let tenant = access.tenant.clone();
    let flows = app.db.flows().list(&tenant).await?;
    let flows: Vec<Value> =
        flows.into_iter().map(|(name, latest)| json!({"name": name, "latest_version": latest})).collect();
    Ok(Json(json!({"flows": flows})))
}

fn version_json(version: &FlowVersion, with_flow: bool) -> Result<Value, ApiError> {
    let mut value =
        json!({"version": version.version, "content_hash": version.content_hash, "published_at": version.published_at});
    if with_flow {
        value["flow"] = serde_json::to_value(version.flow()?).map_err(anyhow::Error::from)?;
    }
    Ok(value)
}

/// `GET …/flows/{name}`: the draft (with its problems) and the versions.
pub async fn show(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let tenant = access.tenant.clone();
    let flows = app.db.flows();
    let draft = flows.draft(&tenant, &name).await?;
    let versions = flows.versions(&tenant, &name).await?;
    if draft.is_none() && versions.is_empty() {
        return Err(ApiError::not_found(format!("flow `{name}`")));
    }
    let versions = versions.iter().map(|v| version_json(v, false)).collect::<Result<Vec<_>, _>>()?;
    let draft = draft.map(|(flow, updated_at)| {
        let problems = validate_flow(&flow, Some(&app.registry.view(&tenant)));
        json!({"flow": flow, "updated_at": updated_at, "problems": problems_json(&problems)})
    });
    Ok(Json(json!({"name": name, "draft": draft, "versions": versions})))
}

/// `GET …/flows/{name}/versions`
pub async fn versions(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let tenant = access.tenant.clone();
    let versions = app.db.flows().versions(&tenant, &name).await?;
    let versions = versions.iter().map(|v| version_json(v, false)).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({"versions": versions})))
}

/// `GET …/flows/{name}/versions/{n}`
pub async fn version(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, number)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let tenant = access.tenant.clone();
    let number: u32 =
        number.parse().map_err(|_| ApiError::bad_request(format!("`{number}` is not a version number")))?;
    let version = find_version(&app, &tenant, &name, Some(number)).await?;
    Ok(Json(version_json(&version, true)?))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    from: u32,
    to: u32,
}

/// `GET …/flows/{name}/diff?from=N&to=M`
pub async fn diff(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    query: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let tenant = access.tenant.clone();
    let Query(DiffQuery { from, to }) = query.map_err(|e| ApiError::bad_request(format!("give ?from=N&to=M: {e}")))?;
    let before = find_version(&app, &tenant, &name, Some(from)).await?.flow()?;
    let after = find_version(&app, &tenant, &name, Some(to)).await?.flow()?;
    Ok(Json(json!({"from": from, "to": to, "diff": flow_diff(&before, &after)})))
}
