//! API tokens of a tenant: for scripts and CI. A member makes one with a
//! role at most their own and an optional expiry; the token is shown once
//! and stored as its sha256. It acts as its maker, never above the maker's
//! current role (`auth.rs`). Members see and revoke their own tokens; those
//! who may manage members see and revoke all. Tokens cannot make tokens.

use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Shared;
use super::auth::{Access, PLATFORM_MAKER};
use super::described::{Created, JsonBody, NoContent};
use super::error::ApiError;
use crate::authz::ROLES;
use crate::store::{Principal, TokenInfo};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    role: String,
    /// An RFC 3339 instant…
    expires_at: Option<String>,
    /// …or a duration from now: `30d`, `12h`.
    expires_in: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct NewTokenMade {
    /// Shown this once.
    token: String,
    info: TokenInfo,
}

#[derive(Serialize, JsonSchema)]
pub struct TokenList {
    tokens: Vec<TokenInfo>,
}

/// The name the token's maker is recorded under.
fn maker(principal: &Principal, access: &Access) -> String {
    if principal.is_platform_admin() { PLATFORM_MAKER.to_string() } else { access.subject.clone() }
}

fn manages_members(app: &Shared, access: &Access) -> bool {
    app.authz.allows_all(&access.roles, &access.ask("manage_members"))
}

/// An `expires_in` such as `30d`: a duration longer than nothing.
pub(super) fn expires_in_span(text: &str) -> Result<Duration, ApiError> {
    let span = humantime::parse_duration(text).map_err(|e| {
        ApiError::invalid("invalid_expiry", format!("`expires_in` is not a duration such as `30d`: {e}"))
    })?;
    if span.is_zero() {
        return Err(ApiError::invalid("invalid_expiry", "`expires_in` is longer than nothing, such as `30d`"));
    }
    Ok(span)
}

pub(super) fn expiry(expires_at: Option<String>, expires_in: Option<String>) -> Result<Option<String>, ApiError> {
    let at = match (expires_at, expires_in) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("invalid_body", "give `expires_at` or `expires_in`, not both"));
        }
        (Some(at), None) => crate::store::stored_instant(&at).map_err(|e| {
            ApiError::invalid("invalid_expiry", format!("`expires_at` is not an RFC 3339 instant: {e}"))
        })?,
        (None, Some(text)) => {
            let after = expires_in_span(&text)?;
            SystemTime::now().checked_add(after).and_then(crate::store::checked_stored_time).ok_or_else(|| {
                ApiError::invalid("invalid_expiry", "`expires_in` is too far away (the latest expiry is 9999-12-31)")
            })?
        }
        (None, None) => return Ok(None),
    };
    // Both in the store's form: they compare as text.
    if at <= crate::store::now_rfc3339() {
        return Err(ApiError::invalid("invalid_expiry", "the expiry is in the past"));
    }
    Ok(Some(at))
}

/// `POST …/tokens {"name", "role", "expires_at"? | "expires_in"?}` → 201 with the token, shown this once.
pub async fn create(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Extension(principal): Extension<Principal>,
    JsonBody(NewToken { name, role, expires_at, expires_in }): JsonBody<NewToken>,
) -> Result<Created<NewTokenMade>, ApiError> {
    if principal.token_name.is_some() {
        // A leaked token must not be able to mint fresh ones that outlive its revocation.
        return Err(ApiError::forbidden("API tokens cannot make API tokens; log in to make one"));
    }
    if name.trim().is_empty() || name.len() > 100 {
        return Err(ApiError::invalid("invalid_name", "a token's name is 1-100 characters"));
    }
    if !ROLES.contains(&role.as_str()) {
        return Err(ApiError::invalid("invalid_role", format!("`{role}` is not a role ({})", ROLES.join(", "))));
    }
    // A token carries only rights its maker holds (and, at each use, only
    // those its maker still holds: `auth.rs`).
    if !app.authz.covers(&access.roles, &role, &access.tenant) {
        return Err(ApiError::forbidden(format!(
            "{} may not make a token with role `{role}`, which holds rights it lacks",
            access.roles_text()
        )));
    }
    let expires_at = expiry(expires_at, expires_in)?;
    let maker = maker(&principal, &access);
    let identity = app.db.identity();
    let (id, token) = identity.create_tenant_token(&access.tenant, &maker, &name, &role, expires_at.as_deref()).await?;
    let info = identity
        .tenant_token(&access.tenant, &id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("token `{id}` vanished as it was made"))?;
    Ok(Created(NewTokenMade { token, info }))
}

/// `GET …/tokens`
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<TokenList>, ApiError> {
    let all = app.db.identity().tenant_tokens(&access.tenant).await?;
    let everyone = manages_members(&app, &access);
    let mine = maker(&principal, &access);
    let tokens: Vec<_> = all.into_iter().filter(|t| everyone || t.created_by == mine).collect();
    Ok(Json(TokenList { tokens }))
}

/// `DELETE …/tokens/{id}`: 204; 404 for a token the caller may not see.
pub async fn revoke(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Extension(principal): Extension<Principal>,
    Path((_, id)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    let identity = app.db.identity();
    let token = identity.tenant_token(&access.tenant, &id).await?;
    let visible = token.is_some_and(|t| manages_members(&app, &access) || t.created_by == maker(&principal, &access));
    if !visible || !identity.revoke_tenant_token(&access.tenant, &id).await? {
        return Err(ApiError::not_found(format!("live token `{id}`")));
    }
    Ok(NoContent)
}
