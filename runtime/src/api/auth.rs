//! Who is calling and what they may do. Every `/api/v1` route except login
//! needs `Authorization: Bearer TOKEN` or the studio's session cookie (with,
//! on a write, the session's CSRF token); then, for a route under a tenant, the
//! caller's role there is found (none: 404, as if the tenant did not exist)
//! and the route's action is put to the Cedar policies (`crate::authz`):
//! deny is 403. Handlers receive the outcome as `Access`.

use std::collections::HashMap;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::{ROUTES, RouteAction, Shared};
use crate::authz::Ask;
use crate::store::Principal;

pub use crate::store::PLATFORM_MAKER;

/// What the caller may do in the tenant the request is about.
#[derive(Debug, Clone)]
pub struct Access {
    pub subject: String,
    pub tenant: String,
    /// The roles whose rights the caller holds together: a member's role;
    /// for a tenant token, the token's role and its maker's current role —
    /// it may do only what both allow.
    pub roles: Vec<String>,
    /// The only flows the caller may run and operate, if limited.
    pub flows: Option<Vec<String>>,
}

impl Access {
    /// A question about `action` for the policies; ask it with
    /// `Authz::allows_all(&access.roles, …)` (the role is filled in per role).
    pub fn ask<'a>(&'a self, action: &'a str) -> Ask<'a> {
        Ask {
            subject: &self.subject,
            role: "",
            tenant: &self.tenant,
            action,
            flow: None,
            allowed_flows: self.flows.as_deref(),
            assignees: None,
        }
    }

    /// The caller's roles, for messages.
    pub fn roles_text(&self) -> String {
        match self.roles.as_slice() {
            [role] => format!("role `{role}`"),
            [token, maker] => format!("a token with role `{token}` made by a member now `{maker}`"),
            roles => format!("roles {}", roles.join(", ")),
        }
    }
}

/// The cookie that carries the studio's session (`api/session.rs`).
pub const SESSION_COOKIE: &str = "scena_session";
/// The header a write made with the session cookie must carry, holding the
/// session's CSRF token: a page of another site can make the browser send the
/// cookie (were `SameSite` ignored), but cannot read the token to send it.
pub const CSRF_HEADER: &str = "x-scena-csrf";

/// The credential a request carries: `Authorization: Bearer` (API clients and
/// scripts), else the studio's session cookie.
#[derive(Clone)]
pub struct Credential {
    pub token: String,
    pub from_cookie: bool,
}

/// The CSRF token of a session: derived from its token, so nothing more is
/// stored, and revealing it reveals nothing of the token.
pub fn csrf_token(session: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("scena-csrf\0{session}").as_bytes()))
}

fn credential(method: &Method, headers: &HeaderMap) -> Result<Credential, ApiError> {
    if let Some(header) = headers.get(AUTHORIZATION) {
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
        return Ok(Credential { token: token.to_string(), from_cookie: false });
    }
    let token = session_cookie(headers)
        .ok_or_else(|| ApiError::unauthorized("missing `Authorization: Bearer TOKEN` (or a studio session)"))?;
    if !(method == Method::GET || method == Method::HEAD) {
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if sent.is_empty() || sent != csrf_token(&token) {
            return Err(ApiError::forbidden(format!(
                "a change made with the session cookie needs the session's CSRF token in `{CSRF_HEADER}`"
            )));
        }
    }
    Ok(Credential { token, from_cookie: true })
}

/// The session token from the `Cookie` headers, if one is there.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .flatten()
        .find(|c| c.name() == SESSION_COOKIE && !c.value().is_empty())
        .map(|c| c.value().to_string())
}

fn unknown_token() -> ApiError {
    ApiError::unauthorized("unknown, expired or revoked token")
}

/// The policy action a request was checked for, left on the answer for the
/// audit log (`audit.rs`) to record.
#[derive(Clone, Copy)]
pub struct AuditAction(pub &'static str);

pub async fn authorize(
    State(app): State<Shared>,
    matched: MatchedPath,
    params: RawPathParams,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // `…/nodes//approve` matches a route with an empty node: no such resource.
    if params.iter().any(|(_, value)| value.is_empty()) {
        return Err(ApiError::not_found("route"));
    }
    let credential = credential(request.method(), request.headers())?;
    let token = credential.token.as_str();
    let route = ROUTES
        .iter()
        .find(|r| r.method == request.method().as_str() && r.path == matched.as_str())
        .ok_or_else(|| {
            ApiError::internal(&anyhow::anyhow!(
                "route {} {} is missing from ROUTES",
                request.method(),
                matched.as_str()
            ))
        })?;
    let params: HashMap<&str, &str> = params.iter().collect();
    let Some(&tenant) = params.get("tenant") else {
        let principal = app.db.identity().authenticate(token).await?.ok_or_else(unknown_token)?;
        let allowed = principal.is_platform_admin()
            || match route.action {
                RouteAction::SignedIn => true,
                // A tenant API token does not manage its maker's account.
                RouteAction::Own => {
                    principal.tenant.is_none() && params.get("user") == Some(&principal.subject.as_str())
                }
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
        request.extensions_mut().insert(credential.clone());
        let action = if matches!(route.action, RouteAction::Own) { "account" } else { "platform" };
        return Ok(for_audit(next.run(request).await, principal, action));
    };
    // Who the token is and where its subject stands in the tenant: one query.
    let (principal, standing) = app.db.identity().authenticate_in(token, tenant).await?.ok_or_else(unknown_token)?;
    let not_found = || ApiError::not_found(format!("tenant `{tenant}`"));
    let (roles, flows) = if principal.is_platform_admin() {
        if !standing.tenant_exists {
            return Err(not_found());
        }
        (vec!["owner".to_string()], None)
    } else if let Some(token_tenant) = &principal.tenant {
        // A tenant API token works in its tenant only, and never beyond what
        // its maker may do there now: a maker removed or demoted takes the
        // token's power down too.
        if token_tenant != tenant {
            return Err(not_found());
        }
        let maker =
            if principal.subject == PLATFORM_MAKER { Some(("owner".to_string(), None)) } else { standing.membership };
        let (maker_role, flows) = maker.ok_or_else(not_found)?;
        (vec![principal.role.clone(), maker_role], flows)
    } else {
        let (role, flows) = standing.membership.ok_or_else(not_found)?;
        (vec![role], flows)
    };
    let access = Access { subject: principal.subject.clone(), tenant: tenant.to_string(), roles, flows };
    let action = route.action.resolve(params.get("action").copied());
    let refused = |what: String| {
        let refused = ApiError::forbidden(format!("{} in tenant `{tenant}` may not {what}", access.roles_text()));
        Ok(for_audit(refused.into_response(), principal.clone(), action))
    };
    // The role first: a caller lacking the action learns nothing of the run.
    if !app.authz.allows_all(&access.roles, &Ask { allowed_flows: None, ..access.ask(action) }) {
        return refused(crate::authz::in_words(action).to_string());
    }
    // A run route is about the run's flow: a member limited to some flows
    // neither decides nor operates runs of the others.
    let flow = match params.get("id") {
        Some(&id) if route.path.contains("/runs/{id}") => Some(run_flow(&app, tenant, id).await?),
        _ => params.get("name").map(|name| name.to_string()),
    };
    // An approval's assignees are known once the handler has the run.
    if !app.authz.allows_all(&access.roles, &Ask { flow: flow.as_deref(), ..access.ask(action) }) {
        return refused(format!(
            "{} of flow `{}` (limited to {})",
            crate::authz::in_words(action),
            flow.unwrap_or_default(),
            access.flows.as_deref().unwrap_or_default().join(", ")
        ));
    }
    request.extensions_mut().insert(access);
    request.extensions_mut().insert(principal.clone());
    request.extensions_mut().insert(credential.clone());
    Ok(for_audit(next.run(request).await, principal, action))
}

/// The flow of run `id`; 404 unless it is a run of `tenant`.
async fn run_flow(app: &Shared, tenant: &str, id: &str) -> Result<String, ApiError> {
    match app.db.runs().summary_of(id).await? {
        Some(run) if run.tenant == tenant => Ok(run.flow),
        _ => Err(ApiError::not_found(format!("run `{id}`"))),
    }
}

/// Tell the audit layer who acted and what for.
fn for_audit(mut response: Response, principal: Principal, action: &'static str) -> Response {
    response.extensions_mut().insert(principal);
    response.extensions_mut().insert(AuditAction(action));
    response
}
