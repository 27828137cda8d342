//! Webhook triggers: `PUT …/flows/{name}/webhook` makes (or rotates) the
//! flow's webhook id, `DELETE` revokes it, and `POST /hooks/{id}` — no
//! token, the unguessable id is the credential — starts a run of the flow's
//! latest version with the request body as input.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::audit::AuditWho;
use super::auth::Access;
use super::error::ApiError;
use super::{Shared, body, flows, runs};

/// `PUT …/flows/{name}/webhook`: a new id; the previous one stops working.
pub async fn rotate(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    flows::find_version(&app, &access.tenant, &name, None).await?;
    let id = app.db.triggers().rotate_webhook(&access.tenant, &name).await?;
    Ok(Json(json!({"flow": name, "id": id, "path": format!("/hooks/{id}")})))
}

/// `DELETE …/flows/{name}/webhook`
pub async fn remove(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let removed = app.db.triggers().remove_webhook(&access.tenant, &name).await?;
    if removed { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found(format!("webhook of flow `{name}`"))) }
}

/// `POST /hooks/{id}`: 202 with the run's id, or 404 for an unknown or revoked id.
pub async fn fire(
    State(app): State<Shared>,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let target = app.db.triggers().webhook(&id).await?;
    let (tenant, flow) = target.ok_or_else(|| ApiError::not_found("webhook"))?;
    let input: Value = body::json(raw)?;
    let run = runs::launch_published(&app, &tenant, &flow, None, input).await?.id;
    let mut response = (StatusCode::ACCEPTED, Json(json!({"run": run, "flow": flow}))).into_response();
    response.extensions_mut().insert(AuditWho(format!("webhook of {flow}"), Some(tenant)));
    Ok(response)
}
