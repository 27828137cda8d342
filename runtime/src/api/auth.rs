//! Who is calling and what they may do. Every `/api/v1` route except login
//! needs `Authorization: Bearer TOKEN`; then, for a route under a tenant, the
//! caller's role there is found (none: 404, as if the tenant did not exist)
//! and the route's action is put to the Cedar policies (`crate::authz`):
//! deny is 403. Handlers receive the outcome as `Access`.

use std::collections::HashMap;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::audit::AuditAction;
use super::error::ApiError;
use super::{RouteAction, Shared, ROUTES};
use crate::authz::{lesser_role, Ask};
use crate::store::Principal;

/// The maker recorded on tenant tokens the platform admin makes: not a
/// username (usernames have no `@`), so it can never be mistaken for one.
pub const PLATFORM_MAKER: &str = "@platform";

/// What the caller may do in the tenant the request is about.
#[derive(Debug, Clone)]
pub struct Access {
    pub subject: String,
    pub tenant: String,
    pub role: String,
}

/// The bearer token of the request.
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let header = headers.get(AUTHORIZATION).ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer TOKEN`"))?;
    header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer TOKEN`"))
}

fn unknown_token() -> ApiError {
    ApiError::unauthorized("unknown, expired or revoked token")
}

pub async fn authorize(
    State(app): State<Shared>,
    matched: MatchedPath,
    params: RawPathParams,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer(request.headers())?;
    let internal = |e: anyhow::Error| ApiError::internal(&e);
    let route = ROUTES
        .iter()
        .find(|r| r.method == request.method().as_str() && r.path == matched.as_str())
        .ok_or_else(|| ApiError::internal(&anyhow::anyhow!("route {} {} is missing from ROUTES", request.method(), matched.as_str())))?;
    let params: HashMap<&str, &str> = params.iter().collect();
    let Some(&tenant) = params.get("tenant") else {
        let principal = app.db.identity().authenticate(token).await.map_err(internal)?.ok_or_else(unknown_token)?;
        let allowed = principal.is_platform_admin()
            || match route.action {
                RouteAction::SignedIn => true,
                // A tenant API token does not manage its maker's account.
                RouteAction::Own => principal.tenant.is_none() && params.get("user") == Some(&principal.subject.as_str()),
                _ => false,
            };
        if !allowed {
            let refused = match route.action {
                RouteAction::Own => "only the user themselves (logged in) or the platform admin may do this",
                _ => "only the platform admin may do this",
            };
            return Err(ApiError::forbidden(refused));
        }
        request.extensions_mut().insert(principal.clone());
        let action = if matches!(route.action, RouteAction::Own) { "account" } else { "platform" };
        return Ok(for_audit(next.run(request).await, principal, action));
    };
    // Who the token is and where its subject stands in the tenant: one query.
    let (principal, standing) = app.db.identity().authenticate_in(token, tenant).await.map_err(internal)?.ok_or_else(unknown_token)?;
    let not_found = || ApiError::not_found(format!("tenant `{tenant}`"));
    let (role, flows) = if principal.is_platform_admin() {
        if !standing.tenant_exists {
            return Err(not_found());
        }
        ("owner".to_string(), None)
    } else if let Some(token_tenant) = &principal.tenant {
        // A tenant API token works in its tenant only, and never beyond what
        // its maker may do there now: a maker removed or demoted takes the
        // token's power down too.
        if token_tenant != tenant {
            return Err(not_found());
        }
        let maker = if principal.subject == PLATFORM_MAKER { Some(("owner".to_string(), None)) } else { standing.membership };
        let (maker_role, flows) = maker.ok_or_else(not_found)?;
        (lesser_role(&principal.role, &maker_role).to_string(), flows)
    } else {
        standing.membership.ok_or_else(not_found)?
    };
    let action = route.action.resolve(params.get("action").copied());
    let ask = Ask {
        subject: &principal.subject,
        role: &role,
        tenant,
        action,
        flow: params.get("name").copied(),
        allowed_flows: flows.as_deref(),
        // An approval's assignees are known once the handler has the run.
        assignees: None,
    };
    if !app.authz.allows(&ask) {
        let refused = ApiError::forbidden(format!("role `{role}` in tenant `{tenant}` may not {}", action.replace('_', " ")));
        return Ok(for_audit(refused.into_response(), principal, action));
    }
    let access = Access { subject: principal.subject.clone(), tenant: tenant.to_string(), role };
    request.extensions_mut().insert(access);
    request.extensions_mut().insert(principal.clone());
    Ok(for_audit(next.run(request).await, principal, action))
}

/// Tell the audit layer who acted and what for.
fn for_audit(mut response: Response, principal: Principal, action: &'static str) -> Response {
    response.extensions_mut().insert(principal);
    response.extensions_mut().insert(AuditAction(action));
    response
}
