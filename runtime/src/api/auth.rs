//! Who is calling: every `/api/v1` route needs `Authorization: Bearer TOKEN`;
//! which tenants they may touch is decided here too, so a resource of a
//! tenant the caller cannot see is a 404, exactly like a missing one.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;

use super::error::ApiError;
use super::Shared;
use crate::store::Principal;

pub async fn require_token(State(app): State<Shared>, mut request: Request, next: Next) -> Result<Response, ApiError> {
    let header = request.headers().get(AUTHORIZATION).ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer TOKEN`"))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
    let principal = app.db.identity().authenticate(token).await.map_err(|e| ApiError::internal(&e))?;
    let principal = principal.ok_or_else(|| ApiError::unauthorized("unknown, expired or revoked token"))?;
    request.extensions_mut().insert(principal);
    Ok(next.run(request).await)
}

/// The tenant named in the path, if it exists and the caller may see it.
pub async fn tenant(app: &Shared, principal: &Principal, name: &str) -> Result<String, ApiError> {
    let visible = principal.is_platform_admin() || principal.tenant.as_deref() == Some(name);
    if visible && app.db.identity().tenant_exists(name).await.map_err(|e| ApiError::internal(&e))? {
        return Ok(name.to_string());
    }
    Err(ApiError::not_found(format!("tenant `{name}`")))
}
