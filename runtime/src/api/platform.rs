//! Platform routes: login (no token), and, for the platform admin, users
//! and tenants.

use std::net::SocketAddr;

use axum::Extension;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::response::IntoResponse;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::audit::{AuditWho, AuditedAs};
use super::described::{Created, JsonBody};
use super::error::ApiError;
use super::{Shared, throttle};
use crate::store::Principal;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub(super) username: String,
    pub(super) password: String,
}

/// What a password must be at least.
pub(super) fn check_password_strength(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < 8 {
        return Err(ApiError::invalid("weak_password", "a password has at least 8 characters"));
    }
    Ok(())
}

/// Names of users and tenants: short, lowercase, safe in paths.
pub(super) fn check_name(kind: &str, name: &str) -> Result<(), ApiError> {
    let ok = (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "invalid_name",
            format!("a {kind} name is 1-63 of a-z 0-9 - _ . starting with a letter, not `{name}`"),
        ))
    }
}

/// `POST /api/v1/users` (platform admin)
pub async fn create_user(
    State(app): State<Shared>,
    JsonBody(Credentials { username, password }): JsonBody<Credentials>,
) -> Result<Created<UserMade>, ApiError> {
    check_name("user", &username)?;
    check_password_strength(&password)?;
    let created = app.db.identity().create_user(&username, &password).await?;
    if !created {
        return Err(ApiError::conflict(format!("user `{username}` exists")));
    }
    Ok(Created(UserMade { username }))
}

#[derive(Serialize, JsonSchema)]
pub struct UserMade {
    username: String,
}

/// The one answer to wrong credentials, whether or not the user exists.
pub(super) const WRONG_CREDENTIALS: &str = "wrong username or password";

/// `POST /api/v1/auth/login` → a new token for the user. The attempt is
/// audited under the name given, whether it succeeds or not; failures are
/// throttled per account and per client address (`throttle`).
pub async fn login(
    State(app): State<Shared>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(Credentials { username, password }): JsonBody<Credentials>,
) -> Result<AuditedAs<Json<LoginToken>>, ApiError> {
    let who = throttle::subjects(&username, client.map(|Extension(ConnectInfo(address))| address.ip()));
    let answer = match app.login_throttle.attempt(&who) {
        Err(wait) => Err(ApiError::too_many_attempts(wait).into_response()),
        Ok(()) => match app.db.identity().login(&username, &password).await? {
            Some(token) => {
                app.login_throttle.succeeded(&who);
                Ok(Json(LoginToken { token }))
            }
            None => Err(ApiError::unauthorized(WRONG_CREDENTIALS).into_response()),
        },
    };
    Ok(AuditedAs::new(AuditWho(username, None), answer))
}

#[derive(Serialize, JsonSchema)]
pub struct LoginToken {
    /// Send it as `Authorization: Bearer TOKEN`.
    token: String,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    name: String,
}

/// `POST /api/v1/tenants` (platform admin)
pub async fn create_tenant(
    State(app): State<Shared>,
    JsonBody(NewTenant { name }): JsonBody<NewTenant>,
) -> Result<Created<NewTenant>, ApiError> {
    check_name("tenant", &name)?;
    if !app.db.identity().create_tenant(&name).await? {
        return Err(ApiError::conflict(format!("tenant `{name}` exists")));
    }
    Ok(Created(NewTenant { name }))
}

/// `GET /api/v1/tenants`: the tenants the caller can see, with their role in
/// each (the platform admin sees all, as owner; a tenant token its own).
pub async fn list_tenants(
    State(app): State<Shared>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<TenantList>, ApiError> {
    let identity = app.db.identity();
    let tenants = if principal.is_platform_admin() {
        identity.tenants().await?.into_iter().map(|name| Standing { name, role: "owner".into() }).collect()
    } else {
        let memberships = identity.memberships(&principal.subject).await?;
        memberships
            .into_iter()
            .filter(|(tenant, _)| principal.tenant.as_ref().is_none_or(|own| own == tenant))
            .map(|(name, role)| Standing { name, role })
            .collect()
    };
    Ok(Json(TenantList { tenants }))
}

#[derive(Serialize, JsonSchema)]
pub struct Standing {
    name: String,
    role: String,
}

#[derive(Serialize, JsonSchema)]
pub struct TenantList {
    tenants: Vec<Standing>,
}
