//! Webhook triggers: `PUT …/flows/{name}/webhook` makes (or rotates) the
//! flow's webhook id, `DELETE` revokes it, and `POST /hooks/{id}` — no
//! token, the unguessable id is the credential — starts a run of the flow's
//! latest version with the request body as input.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::Value;

use super::audit::{AuditWho, AuditedAs};
use super::auth::Access;
use super::described::{Accepted, JsonBody, NoContent};
use super::error::ApiError;
use super::{Shared, flow_limit, flows, runs};

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Webhook {
    flow: String,
    /// Shown this once: it is the webhook's credential.
    id: String,
    /// Where to `POST` the run's input.
    path: String,
}

/// `PUT …/flows/{name}/webhook`: a new id; the previous one stops working.
pub async fn rotate(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Webhook>, ApiError> {
    flows::find_version(&app, &access.tenant, &name, None).await?;
    flow_limit::subflows_within_limit(&app, &access, &name, None).await?;
    let id = app.db.triggers().rotate_webhook(&access.tenant, &name).await?;
    Ok(Json(Webhook { flow: name, path: format!("/hooks/{id}"), id }))
}

/// `DELETE …/flows/{name}/webhook`
pub async fn remove(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    let removed = app.db.triggers().remove_webhook(&access.tenant, &name).await?;
    if removed { Ok(NoContent) } else { Err(ApiError::not_found(format!("webhook of flow `{name}`"))) }
}

/// `POST /hooks/{id}`: 202 with the run's id, or 404 for an unknown or revoked id.
pub async fn fire(
    State(app): State<Shared>,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<Value>,
) -> Result<AuditedAs<Accepted<HookFired>>, ApiError> {
    let target = app.db.triggers().webhook(&id).await?;
    let (tenant, flow) = target.ok_or_else(|| ApiError::not_found("webhook"))?;
    let run = runs::launch_published(&app, &tenant, &flow, None, input).await?.id;
    let who = AuditWho(format!("webhook of {flow}"), Some(tenant));
    Ok(AuditedAs::new(who, Ok(Accepted(HookFired { run, flow }))))
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct HookFired {
    /// The run started.
    run: String,
    flow: String,
}
