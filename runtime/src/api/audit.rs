//! The audit log through the API: a layer that records every mutation
//! (POST, PUT, DELETE under `/api/v1`) with who made it and how it ended —
//! refusals included — and the routes that read it back.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::Shared;
use super::auth::{Access, AuditAction};
use super::described::{DescribesAnswer, Generators, Success};
use super::error::ApiError;
use crate::store::{AuditEntry, Audited, Principal};

/// Who a response acted for when no token said so (a login attempt, a
/// webhook), and in which tenant if the path does not say.
#[derive(Clone)]
pub struct AuditWho(pub String, pub Option<String>);

/// A handler's answer — or the refusal given in its place — recorded in the
/// audit log as acting for `who` (and as `action`, if the route's is not it):
/// for routes no token speaks for, such as logins and webhooks.
pub struct AuditedAs<T> {
    pub who: AuditWho,
    pub action: Option<AuditAction>,
    pub answer: Result<T, Response>,
}

impl<T> AuditedAs<T> {
    pub fn new(who: AuditWho, answer: Result<T, Response>) -> AuditedAs<T> {
        AuditedAs { who, action: None, answer }
    }
}

impl<T: IntoResponse> IntoResponse for AuditedAs<T> {
    fn into_response(self) -> Response {
        let mut response = self.answer.map_or_else(|refused| refused, IntoResponse::into_response);
        response.extensions_mut().insert(self.who);
        if let Some(action) = self.action {
            response.extensions_mut().insert(action);
        }
        response
    }
}

impl<T: DescribesAnswer> DescribesAnswer for AuditedAs<T> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        T::answers(generators)
    }
}

/// `path` as a log may show it: a webhook's id and an invitation's code are
/// credentials, so they are left out (of the audit log and the server's log alike).
pub(super) fn loggable_path(path: &str) -> &str {
    if path.starts_with("/hooks/") {
        "/hooks/…"
    } else if path.starts_with("/api/v1/invitations/") {
        "/api/v1/invitations/…/accept"
    } else {
        path
    }
}

pub async fn record(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let mutation = matches!(method, Method::POST | Method::PUT | Method::DELETE | Method::PATCH);
    if !mutation || !(path.starts_with("/api/v1/") || path.starts_with("/hooks/")) {
        return response;
    }
    let who = match (response.extensions().get::<Principal>(), response.extensions().get::<AuditWho>()) {
        (Some(principal), _) => principal.label(),
        (None, Some(AuditWho(name, _))) => name.clone(),
        (None, None) => "anonymous".to_string(),
    };
    let action = response.extensions().get::<AuditAction>().map_or(method.as_str(), |a| a.0);
    let named = response.extensions().get::<AuditWho>().and_then(|w| w.1.as_deref());
    let tenant = path
        .strip_prefix("/api/v1/tenants/")
        .and_then(|rest| rest.split('/').next())
        .filter(|t| !t.is_empty())
        .or(named);
    let resource = loggable_path(&path);
    let entry = Audited { who: &who, tenant, action, resource, status: response.status().as_u16() };
    if let Err(error) = app.db.audit().record(&entry).await {
        // The mutation happened; losing its audit row is an incident to see in the log.
        tracing::error!(path = %resource, %who, "cannot record the audit entry: {error:#}");
    }
    response
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Only entries with ids below this (the `id` of the last entry of the previous page).
    before: Option<i64>,
    /// At most this many entries (1-1000, default 100).
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<u32>,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct AuditPage {
    entries: Vec<AuditEntry>,
}

/// `GET /api/v1/tenants/{t}/audit[?before=&limit=]`
pub async fn tenant_log(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    page: Result<Query<Page>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    list(&app, Some(&access.tenant), page).await
}

/// `GET /api/v1/audit[?before=&limit=]`: platform-wide entries (users, tenants, logins).
pub async fn platform_log(
    State(app): State<Shared>,
    page: Result<Query<Page>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    list(&app, None, page).await
}

async fn list(
    app: &Shared,
    tenant: Option<&str>,
    page: Result<Query<Page>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Query(Page { before, limit }) = page.map_err(|e| ApiError::bad_request(format!("bad query: {e}")))?;
    let entries = app.db.audit().list(tenant, before, limit.unwrap_or(100).clamp(1, 1000)).await?;
    Ok(Json(AuditPage { entries }))
}
