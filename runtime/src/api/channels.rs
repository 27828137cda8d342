//! A tenant's notification channels (`notify`): set, list and delete by
//! name. A configuration is sealed at rest and never answered back whole:
//! a listing shows its kind, format and target host, not a webhook's URL
//! (whose path is often the robot's key) nor a mail password.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::json;

use super::Shared;
use super::auth::Access;
use super::described::{JsonBody, NoContent};
use super::error::ApiError;
use crate::atoms::grant_book::valid_channel_name;
use crate::atoms::notify::{Channel, ChannelView};
use schemars::JsonSchema;
use serde::Serialize;

/// A channel as listed: what it is and where it goes, never its secrets.
#[derive(Serialize, JsonSchema)]
pub struct ChannelListed {
    name: String,
    #[serde(flatten)]
    view: ChannelView,
    updated_at: String,
    updated_by: String,
}

#[derive(Serialize, JsonSchema)]
pub struct ChannelList {
    channels: Vec<ChannelListed>,
}

pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<ChannelList>, ApiError> {
    let mut channels = Vec::new();
    for stored in app.channels.list(&access.tenant).await? {
        let channel: Channel = serde_json::from_str(&stored.config)
            .map_err(|e| anyhow::anyhow!("channel `{}` is unreadable: {e}", stored.name))?;
        let view = channel.view();
        channels.push(ChannelListed {
            name: stored.name,
            view,
            updated_at: stored.updated_at,
            updated_by: stored.updated_by,
        });
    }
    Ok(Json(ChannelList { channels }))
}

/// `PUT …/channels/{name}` with `{"kind": "webhook", "url", "format"?}` or
/// `{"kind": "email", "host", "port"?, "security"?, "username"?, "password"?, "from"}` → 204.
pub async fn put(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    JsonBody(channel): JsonBody<Channel>,
) -> Result<NoContent, ApiError> {
    if !valid_channel_name(&name) {
        return Err(ApiError::invalid(
            "invalid_name",
            format!("`{name}` is not a channel name (a lowercase letter, then a-z 0-9 - _; at most 63)"),
        ));
    }
    let problems = channel.problems();
    if !problems.is_empty() {
        return Err(
            ApiError::invalid("invalid_channel", problems.join("; ")).with_details(json!({"problems": problems}))
        );
    }
    let config = serde_json::to_string(&channel).map_err(anyhow::Error::from)?;
    app.channels.put(&access.tenant, &name, &config, &access.subject).await?;
    app.grants.forget(&access.tenant);
    Ok(NoContent)
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    if !app.channels.delete(&access.tenant, &name).await? {
        return Err(ApiError::not_found(format!("channel `{name}`")));
    }
    app.grants.forget(&access.tenant);
    Ok(NoContent)
}
