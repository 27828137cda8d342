//! The HTTP API of `scena serve`: a thin layer that authenticates, checks the
//! tenant, parses, and calls the store and the scheduler. Routes are listed
//! in one table (`routes`), which the tests walk too.

mod audit;
mod auth;
mod body;
mod error;
mod events;
mod flows;
mod grants;
mod invitations;
mod members;
mod metrics;
mod openapi;
mod platform;
mod plugins;
mod run_view;
mod runs;
mod schedules;
mod secrets;
mod shapes;
mod throttle;
mod tokens;
mod users;
mod webhooks;

use std::any::Any;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::{Json, Router};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use throttle::{LoginThrottle, ThrottleSettings};

use crate::atoms::TenantGrants;
use crate::authz::Authz;
use crate::catalog::{PluginDir, Registry};
use crate::sandbox::{Limits, Sandbox};
use crate::scheduler::Scheduler;
use crate::store::{Db, SealingKey, SecretStore};

/// Request bodies are refused (413) beyond this size…
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// …except plugin components, up to this.
pub const MAX_PLUGIN_BYTES: usize = 32 << 20;
/// A request that takes longer is answered 408 (SSE streams send their headers at once, so they are not cut).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

pub struct AppState {
    pub db: Db,
    pub authz: Authz,
    pub scheduler: Arc<Scheduler>,
    /// The standard plugins and each tenant's uploads.
    pub registry: Arc<Registry>,
    /// Each tenant's grants, as its plugin calls get them.
    pub grants: Arc<TenantGrants>,
    pub secrets: SecretStore,
    /// If set, `/metrics` answers only `Authorization: Bearer` with it.
    pub metrics_token: Option<String>,
    /// Failed logins and invitation acceptances, per account and address.
    pub login_throttle: LoginThrottle,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// Everything the API serves from: the registry over `standard` and the
    /// uploads in `data_dir`, per-tenant grants and sealed secrets, and the
    /// scheduler that runs with them. Also returns uploads that no longer load.
    pub async fn build(
        db: Db,
        sandbox: Arc<Sandbox>,
        standard: PluginDir,
        data_dir: &Path,
        key: Arc<SealingKey>,
        limits: Limits,
    ) -> anyhow::Result<(Shared, Vec<String>)> {
        let blobs = data_dir.join("plugins");
        let (registry, problems) = Registry::open(Arc::new(standard), db.plugins(), blobs, sandbox.clone()).await?;
        let registry = Arc::new(registry);
        let secrets = db.secrets(key);
        let grants = Arc::new(TenantGrants::new(db.grants(), secrets.clone()));
        let scheduler = Scheduler::new(sandbox, registry.clone(), &db, grants.clone(), limits);
        let app = AppState { db, authz: Authz::new()?, scheduler, registry, grants, secrets, metrics_token: None, login_throttle: LoginThrottle::new(ThrottleSettings::default()) };
        Ok((Arc::new(app), problems))
    }
}

/// What a route asks to do, for the policies (`crate::authz`).
#[derive(Debug, Clone, Copy)]
pub enum RouteAction {
    /// One action.
    Is(&'static str),
    /// `…/runs/{id}/{action}`: cancel, pause, resume.
    RunControl,
    /// `…/nodes/{node}/{action}`: approve and reject are `approve`, the rest `operate`.
    NodeControl,
    /// Not about a tenant: the platform admin only.
    Platform,
    /// Not about a tenant: anyone with a valid token.
    SignedIn,
    /// `…/users/{user}/…`: that user's own login token, or the platform admin.
    Own,
}

impl RouteAction {
    pub fn resolve(self, action_param: Option<&str>) -> &'static str {
        match (self, action_param) {
            (RouteAction::Is(action), _) => action,
            (RouteAction::NodeControl, Some("approve" | "reject")) => "approve",
            (RouteAction::RunControl | RouteAction::NodeControl, _) => "operate",
            (RouteAction::Platform, _) => "platform",
            (RouteAction::SignedIn, _) => "read",
            (RouteAction::Own, _) => "account",
        }
    }
}

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub action: RouteAction,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
}

const fn route(method: &'static str, path: &'static str, action: RouteAction, summary: &'static str) -> Route {
    Route { method, path, action, summary }
}

use RouteAction::{Is, NodeControl, Own, Platform, RunControl, SignedIn};

/// Every route that needs a token: what `authorize` checks, and what the
/// isolation tests walk.
pub const ROUTES: &[Route] = &[
    route("GET", "/api/v1/users", Platform, "Every user"),
    route("POST", "/api/v1/users", Platform, "Create a user"),
    route("DELETE", "/api/v1/users/{user}", Platform, "Delete a user: memberships go, their tokens are revoked"),
    route("PUT", "/api/v1/users/{user}/password", Own, "Change a password (one's own, giving the current one; anyone's, as platform admin)"),
    route("GET", "/api/v1/tenants", SignedIn, "The tenants the caller belongs to (all, for the platform admin)"),
    route("POST", "/api/v1/tenants", Platform, "Create a tenant"),
    route("GET", "/api/v1/audit", Platform, "The platform-wide audit log"),
    route("GET", "/api/v1/tenants/{tenant}/audit", Is("audit"), "The tenant's audit log, newest first"),
    route("PUT", "/api/v1/tenants/{tenant}/members/{user}", Is("manage_members"), "Add a member or change their role"),
    route("DELETE", "/api/v1/tenants/{tenant}/members/{user}", Is("manage_members"), "Remove a member"),
    route("GET", "/api/v1/tenants/{tenant}/invitations", Is("manage_members"), "Invitations (never their codes)"),
    route("POST", "/api/v1/tenants/{tenant}/invitations", Is("manage_members"), "Invite someone with a role at most one's own"),
    route("DELETE", "/api/v1/tenants/{tenant}/invitations/{id}", Is("manage_members"), "Revoke an open invitation"),
    route("GET", "/api/v1/tenants/{tenant}/tokens", Is("read"), "API tokens (one's own; all for member managers)"),
    route("POST", "/api/v1/tenants/{tenant}/tokens", Is("read"), "Make an API token with at most one's own role"),
    route("DELETE", "/api/v1/tenants/{tenant}/tokens/{id}", Is("read"), "Revoke an API token"),
    route("GET", "/api/v1/tenants/{tenant}/grants", Is("read"), "The tenant's capability grants"),
    route("PUT", "/api/v1/tenants/{tenant}/grants", Is("manage_grants"), "Replace the tenant's capability grants"),
    route("GET", "/api/v1/tenants/{tenant}/secrets", Is("read"), "Secret names (never values)"),
    route("PUT", "/api/v1/tenants/{tenant}/secrets/{secret}", Is("manage_grants"), "Set a secret"),
    route("DELETE", "/api/v1/tenants/{tenant}/secrets/{secret}", Is("manage_grants"), "Delete a secret"),
    route("GET", "/api/v1/tenants/{tenant}/plugins", Is("read"), "The plugins the tenant sees"),
    route("POST", "/api/v1/tenants/{tenant}/plugins", Is("publish"), "Upload a plugin component (the body is the .wasm)"),
    route("GET", "/api/v1/tenants/{tenant}/plugins/{plugin}", Is("read"), "A plugin's versions"),
    route("GET", "/api/v1/tenants/{tenant}/plugins/{plugin}/{version}", Is("read"), "One version with its schemas"),
    route("POST", "/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/yank", Is("publish"), "Yank an uploaded version"),
    route("POST", "/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/unyank", Is("publish"), "Restore a yanked version"),
    route("GET", "/api/v1/tenants/{tenant}/flows", Is("read"), "Flows with their latest version"),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}", Is("read"), "A flow's draft, its problems and its versions"),
    route("PUT", "/api/v1/tenants/{tenant}/flows/{name}/draft", Is("edit"), "Save the draft"),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}/versions", Is("read"), "Published versions"),
    route("POST", "/api/v1/tenants/{tenant}/flows/{name}/versions", Is("publish"), "Publish the draft"),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}/versions/{version}", Is("read"), "One version with its flow"),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}/diff", Is("read"), "Structured diff of two versions"),
    route("POST", "/api/v1/tenants/{tenant}/flows/{name}/runs", Is("run"), "Start a run (optionally waiting for its end)"),
    route("PUT", "/api/v1/tenants/{tenant}/flows/{name}/webhook", Is("publish"), "Make or rotate the flow's webhook"),
    route("DELETE", "/api/v1/tenants/{tenant}/flows/{name}/webhook", Is("publish"), "Revoke the flow's webhook"),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}/schedules", Is("read"), "The flow's cron schedules"),
    route("POST", "/api/v1/tenants/{tenant}/flows/{name}/schedules", Is("publish"), "Add a cron schedule"),
    route("DELETE", "/api/v1/tenants/{tenant}/flows/{name}/schedules/{id}", Is("publish"), "Remove a cron schedule"),
    route("GET", "/api/v1/tenants/{tenant}/runs", Is("read"), "Runs, newest first"),
    route("GET", "/api/v1/tenants/{tenant}/runs/{id}", Is("read"), "A run with every node"),
    route("GET", "/api/v1/tenants/{tenant}/runs/{id}/events", Is("read"), "The run's events as Server-Sent Events"),
    route("POST", "/api/v1/tenants/{tenant}/runs/{id}/{action}", RunControl, "cancel, pause or resume a run"),
    route("POST", "/api/v1/tenants/{tenant}/runs/{id}/nodes/{node}/{action}", NodeControl, "retry, skip, approve, reject or force-fail a node"),
];

/// The routes that need no token, for the OpenAPI document.
pub const PUBLIC_ROUTES: &[Route] = &[
    route("GET", "/healthz", SignedIn, "Liveness"),
    route("GET", "/metrics", SignedIn, "Prometheus metrics (text format); with a metrics token set, `Authorization: Bearer` with it"),
    route("GET", "/api/v1/openapi.json", SignedIn, "This document"),
    route("POST", "/api/v1/auth/login", SignedIn, "Log in: a token for a username and password"),
    route("POST", "/api/v1/invitations/{code}/accept", SignedIn, "Join a tenant with an invitation code (as a new user, or an existing one with their password)"),
    route("POST", "/hooks/{id}", SignedIn, "Fire a webhook: start a run with the body as input"),
];

/// `path`, checked to be in `ROUTES`: a route served but not listed would
/// escape the authorization table and the tests that walk it.
fn listed(path: &'static str) -> &'static str {
    assert!(ROUTES.iter().any(|r| r.path == path), "route {path} is served but not in ROUTES");
    path
}
pub fn router(app: Shared) -> Router {
    let uploads: MethodRouter<Shared> = get(plugins::list).post(plugins::upload).layer(DefaultBodyLimit::max(MAX_PLUGIN_BYTES));
    let api = Router::new()
        .route(listed("/api/v1/users"), get(users::list).post(platform::create_user))
        .route(listed("/api/v1/users/{user}"), delete(users::delete))
        .route(listed("/api/v1/users/{user}/password"), put(users::set_password))
        .route(listed("/api/v1/tenants/{tenant}/invitations"), get(invitations::list).post(invitations::create))
        .route(listed("/api/v1/tenants/{tenant}/invitations/{id}"), delete(invitations::revoke))
        .route(listed("/api/v1/tenants"), get(platform::list_tenants).post(platform::create_tenant))
        .route(listed("/api/v1/audit"), get(audit::platform_log))
        .route(listed("/api/v1/tenants/{tenant}/audit"), get(audit::tenant_log))
        .route(listed("/api/v1/tenants/{tenant}/members/{user}"), put(members::put).delete(members::delete))
        .route(listed("/api/v1/tenants/{tenant}/tokens"), get(tokens::list).post(tokens::create))
        .route(listed("/api/v1/tenants/{tenant}/tokens/{id}"), delete(tokens::revoke))
        .route(listed("/api/v1/tenants/{tenant}/grants"), get(grants::show).put(grants::replace))
        .route(listed("/api/v1/tenants/{tenant}/secrets"), get(secrets::list))
        .route(listed("/api/v1/tenants/{tenant}/secrets/{secret}"), put(secrets::put).delete(secrets::delete))
        .route(listed("/api/v1/tenants/{tenant}/plugins"), uploads)
        .route(listed("/api/v1/tenants/{tenant}/plugins/{plugin}"), get(plugins::versions))
        .route(listed("/api/v1/tenants/{tenant}/plugins/{plugin}/{version}"), get(plugins::version))
        .route(listed("/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/yank"), post(plugins::yank))
        .route(listed("/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/unyank"), post(plugins::unyank))
        .route(listed("/api/v1/tenants/{tenant}/flows"), get(flows::list))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}"), get(flows::show))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/draft"), put(flows::save_draft))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/versions"), get(flows::versions).post(flows::publish))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/versions/{version}"), get(flows::version))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/diff"), get(flows::diff))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/runs"), post(runs::start))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/webhook"), put(webhooks::rotate).delete(webhooks::remove))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/schedules"), get(schedules::list).post(schedules::create))
        .route(listed("/api/v1/tenants/{tenant}/flows/{name}/schedules/{id}"), delete(schedules::delete))
        .route(listed("/api/v1/tenants/{tenant}/runs"), get(runs::list))
        .route(listed("/api/v1/tenants/{tenant}/runs/{id}"), get(runs::show))
        .route(listed("/api/v1/tenants/{tenant}/runs/{id}/events"), get(events::stream_events))
        .route(listed("/api/v1/tenants/{tenant}/runs/{id}/{action}"), post(runs::run_control))
        .route(listed("/api/v1/tenants/{tenant}/runs/{id}/nodes/{node}/{action}"), post(runs::node_control))
        .route_layer(from_fn_with_state(app.clone(), auth::authorize));
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/metrics", get(metrics::scrape))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/auth/login", post(platform::login))
        .route("/api/v1/invitations/{code}/accept", post(invitations::accept))
        .route("/hooks/{id}", post(webhooks::fire))
        .merge(api)
        .fallback(|| async { ApiError::not_found("route") })
        .method_not_allowed_fallback(|| async {
            ApiError { status: StatusCode::METHOD_NOT_ALLOWED, code: "method_not_allowed", message: "method not allowed here".into(), details: json!(null) }
        })
        .layer(from_fn_with_state(app.clone(), audit::record))
        .layer(axum::middleware::from_fn(metrics::observe_request))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CompressionLayer::new())
        // The request's span names the path without credentials (and leaves the query out).
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<axum::body::Body>| {
            tracing::debug_span!("request", method = %request.method(), path = %audit::loggable_path(request.uri().path()))
        }))
        .with_state(app)
}

/// A handler that panicked: a bug, reported as one; the server goes on.
fn panicked(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = json!({"error": {"code": "internal", "message": "internal error; see the server log", "details": null}});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}
