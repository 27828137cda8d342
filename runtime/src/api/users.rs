//! Users' accounts: the platform admin lists and deletes users; a user
//! changes their own password (giving the current one), the platform admin
//! anyone's. A new password revokes the user's login tokens.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::platform::check_password_strength;
use super::{Shared, body};
use crate::store::Principal;

/// `GET /api/v1/users` (platform admin)
pub async fn list(State(app): State<Shared>) -> Result<Json<Value>, ApiError> {
    let users = app.db.identity().users().await?;
    let users: Vec<Value> = users
        .into_iter()
        .map(|(username, created_at)| json!({"username": username, "created_at": created_at}))
        .collect();
    Ok(Json(json!({"users": users})))
}

/// `DELETE /api/v1/users/{user}` (platform admin)
pub async fn delete(State(app): State<Shared>, Path(user): Path<String>) -> Result<StatusCode, ApiError> {
    let deleted = app.db.identity().delete_user(&user).await?.map_err(super::members::refused)?;
    if deleted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found(format!("user `{user}`"))) }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
    /// Required when users change their own: a stolen token alone cannot
    /// take the account over.
    current_password: Option<String>,
}

/// `PUT /api/v1/users/{user}/password`
pub async fn set_password(
    State(app): State<Shared>,
    Extension(principal): Extension<Principal>,
    Path(user): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let NewPassword { password, current_password } = body::json(raw)?;
    check_password_strength(&password)?;
    let identity = app.db.identity();
    if !principal.is_platform_admin() {
        let current = current_password.ok_or_else(|| {
            ApiError::invalid("current_password_missing", "give `current_password` to change your own")
        })?;
        if !identity.check_password(&user, &current).await? {
            return Err(ApiError::forbidden("`current_password` is not your password"));
        }
    }
    if !identity.set_password(&user, &password).await? {
        return Err(ApiError::not_found(format!("user `{user}`")));
    }
    Ok(Json(json!({"username": user, "login_tokens_revoked": true})))
}
