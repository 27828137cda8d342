//! Users' accounts: the platform admin lists and deletes users; a user
//! changes their own password (giving the current one, throttled as a
//! login is), the platform admin anyone's. A new password revokes the user's login tokens.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::described::{JsonBody, NoContent};
use super::error::ApiError;
use super::platform::check_password_strength;
use super::{Shared, throttle};
use crate::store::Principal;

/// `GET /api/v1/users` (platform admin)
pub async fn list(State(app): State<Shared>) -> Result<Json<UserList>, ApiError> {
    let users = app.db.identity().users().await?;
    let users = users.into_iter().map(|(username, created_at)| User { username, created_at }).collect();
    Ok(Json(UserList { users }))
}

#[derive(Serialize, JsonSchema)]
pub struct User {
    username: String,
    created_at: String,
}

#[derive(Serialize, JsonSchema)]
pub struct UserList {
    users: Vec<User>,
}

/// `DELETE /api/v1/users/{user}` (platform admin)
pub async fn delete(State(app): State<Shared>, Path(user): Path<String>) -> Result<NoContent, ApiError> {
    let deleted = app.db.identity().delete_user(&user).await?.map_err(super::members::refused)?;
    if deleted { Ok(NoContent) } else { Err(ApiError::not_found(format!("user `{user}`"))) }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
    /// Required when users change their own: a stolen token alone cannot
    /// take the account over.
    current_password: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct PasswordSet {
    username: String,
    /// The user's login tokens stop working: they log in again.
    login_tokens_revoked: bool,
}

/// `PUT /api/v1/users/{user}/password`
pub async fn set_password(
    State(app): State<Shared>,
    Extension(principal): Extension<Principal>,
    Path(user): Path<String>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(NewPassword { password, current_password }): JsonBody<NewPassword>,
) -> Result<Json<PasswordSet>, ApiError> {
    check_password_strength(&password)?;
    let identity = app.db.identity();
    if !principal.is_platform_admin() {
        let current = current_password.ok_or_else(|| {
            ApiError::invalid("current_password_missing", "give `current_password` to change your own")
        })?;
        // Throttled as logging in is: a stolen token must not make this a way to guess the password.
        let who = throttle::subjects(&user, client.map(|Extension(ConnectInfo(address))| address.ip()));
        app.login_throttle.attempt(&who).map_err(ApiError::too_many_attempts)?;
        if !identity.check_password(&user, &current).await? {
            return Err(ApiError::forbidden("`current_password` is not your password"));
        }
        app.login_throttle.succeeded(&who);
    }
    if !identity.set_password(&user, &password).await? {
        return Err(ApiError::not_found(format!("user `{user}`")));
    }
    Ok(Json(PasswordSet { username: user, login_tokens_revoked: true }))
}
