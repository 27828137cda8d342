//! Members of a tenant: `PUT …/members/{user}` with a role (and optionally
//! the only flows they may run), `DELETE …/members/{user}`. Nobody grants a
//! role above their own.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Access;
use super::error::ApiError;
use super::{body, Shared};
use crate::authz::{may_grant, ROLES};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    role: String,
    /// Limit the member to running these flows.
    flows: Option<Vec<String>>,
}

pub async fn put(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, user)): Path<(String, String)>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let Membership { role, flows } = body::json(raw)?;
    if !ROLES.contains(&role.as_str()) {
        return Err(ApiError::invalid("invalid_role", format!("`{role}` is not a role ({})", ROLES.join(", "))));
    }
    if !may_grant(&access.role, &role) {
        return Err(ApiError::forbidden(format!("role `{}` may not grant `{role}`", access.role)));
    }
    let identity = app.db.identity();
    let internal = |e: anyhow::Error| ApiError::internal(&e);
    if !identity.user_exists(&user).await.map_err(internal)? {
        return Err(ApiError::not_found(format!("user `{user}`")));
    }
    identity.set_member(&access.tenant, &user, &role, flows.as_deref()).await.map_err(internal)?;
    Ok(Json(json!({"tenant": access.tenant, "user": user, "role": role, "flows": flows})))
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let removed = app.db.identity().remove_member(&access.tenant, &user).await.map_err(|e| ApiError::internal(&e))?;
    if removed { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found(format!("member `{user}`"))) }
}
