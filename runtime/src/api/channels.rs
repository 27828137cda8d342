//! A tenant's notification channels (`notify`): set, list and delete by
//! name. A configuration is sealed at rest and never answered back whole:
//! a listing shows its kind, format and target host, not a webhook's URL
//! (whose path is often the robot's key) nor a mail password.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::auth::Access;
use super::error::ApiError;
use super::{Shared, body};
use crate::atoms::grant_book::valid_channel_name;
use crate::atoms::notify::Channel;

pub async fn list(State(app): State<Shared>, Extension(access): Extension<Access>) -> Result<Json<Value>, ApiError> {
    let mut channels = Vec::new();
    for stored in app.channels.list(&access.tenant).await? {
        let channel: Channel = serde_json::from_str(&stored.config)
            .map_err(|e| anyhow::anyhow!("channel `{}` is unreadable: {e}", stored.name))?;
        let mut shown = json!(channel.view());
        shown["name"] = json!(stored.name);
        shown["updated_at"] = json!(stored.updated_at);
        shown["updated_by"] = json!(stored.updated_by);
        channels.push(shown);
    }
    Ok(Json(json!({"channels": channels})))
}

/// `PUT …/channels/{name}` with `{"kind": "webhook", "url", "format"?}` or
/// `{"kind": "email", "host", "port"?, "security"?, "username"?, "password"?, "from"}` → 204.
pub async fn put(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    if !valid_channel_name(&name) {
        return Err(ApiError::invalid(
            "invalid_name",
            format!("`{name}` is not a channel name (a lowercase letter, then a-z 0-9 - _; at most 63)"),
        ));
    }
    let channel: Channel = body::json(raw)?;
    let problems = channel.problems();
    if !problems.is_empty() {
        return Err(
            ApiError::invalid("invalid_channel", problems.join("; ")).with_details(json!({"problems": problems}))
        );
    }
    let config = serde_json::to_string(&channel).map_err(anyhow::Error::from)?;
    app.channels.put(&access.tenant, &name, &config, &access.subject).await?;
    app.grants.forget(&access.tenant);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if !app.channels.delete(&access.tenant, &name).await? {
        return Err(ApiError::not_found(format!("channel `{name}`")));
    }
    app.grants.forget(&access.tenant);
    Ok(StatusCode::NO_CONTENT)
}
