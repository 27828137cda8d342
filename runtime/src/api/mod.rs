//! The HTTP API of `scena serve`: a thin layer that authenticates, checks the
//! tenant, parses, and calls the store and the scheduler. Routes are listed
//! in one table (`routes`), which the tests walk too.

mod audit;
mod auth;
mod body;
mod error;
mod events;
mod flows;
mod members;
mod platform;
mod plugins;
mod runs;
mod webhooks;

use std::any::Any;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::authz::Authz;
use crate::catalog::PluginDir;
use crate::scheduler::Scheduler;
use crate::store::Db;

/// Request bodies are refused (413) beyond this size.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub struct AppState {
    pub db: Db,
    pub authz: Authz,
    pub scheduler: Arc<Scheduler>,
    /// The standard plugins, which every tenant sees.
    pub catalog: Arc<PluginDir>,
}

pub type Shared = Arc<AppState>;

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
}

impl RouteAction {
    pub fn resolve(self, action_param: Option<&str>) -> &'static str {
        match (self, action_param) {
            (RouteAction::Is(action), _) => action,
            (RouteAction::NodeControl, Some("approve" | "reject")) => "approve",
            (RouteAction::RunControl | RouteAction::NodeControl, _) => "operate",
            (RouteAction::Platform, _) => "platform",
        }
    }
}

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub action: RouteAction,
}

const fn route(method: &'static str, path: &'static str, action: RouteAction) -> Route {
    Route { method, path, action }
}

use RouteAction::{Is, NodeControl, Platform, RunControl};

/// Every route that needs a token: what `authorize` checks, and what the
/// isolation tests walk.
pub const ROUTES: &[Route] = &[
    route("POST", "/api/v1/users", Platform),
    route("POST", "/api/v1/tenants", Platform),
    route("GET", "/api/v1/audit", Platform),
    route("GET", "/api/v1/tenants/{tenant}/audit", Is("audit")),
    route("PUT", "/api/v1/tenants/{tenant}/members/{user}", Is("manage_members")),
    route("DELETE", "/api/v1/tenants/{tenant}/members/{user}", Is("manage_members")),
    route("GET", "/api/v1/tenants/{tenant}/plugins", Is("read")),
    route("GET", "/api/v1/tenants/{tenant}/flows", Is("read")),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}", Is("read")),
    route("PUT", "/api/v1/tenants/{tenant}/flows/{name}/draft", Is("edit")),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}/versions", Is("read")),
    route("POST", "/api/v1/tenants/{tenant}/flows/{name}/versions", Is("publish")),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}/versions/{version}", Is("read")),
    route("GET", "/api/v1/tenants/{tenant}/flows/{name}/diff", Is("read")),
    route("POST", "/api/v1/tenants/{tenant}/flows/{name}/runs", Is("run")),
    route("PUT", "/api/v1/tenants/{tenant}/flows/{name}/webhook", Is("publish")),
    route("DELETE", "/api/v1/tenants/{tenant}/flows/{name}/webhook", Is("publish")),
    route("GET", "/api/v1/tenants/{tenant}/runs", Is("read")),
    route("GET", "/api/v1/tenants/{tenant}/runs/{id}", Is("read")),
    route("GET", "/api/v1/tenants/{tenant}/runs/{id}/events", Is("read")),
    route("POST", "/api/v1/tenants/{tenant}/runs/{id}/{action}", RunControl),
    route("POST", "/api/v1/tenants/{tenant}/runs/{id}/nodes/{node}/{action}", NodeControl),
];

fn path_of(index: usize) -> &'static str {
    ROUTES[index].path
}

pub fn router(app: Shared) -> Router {
    let api = Router::new()
        .route(path_of(0), post(platform::create_user))
        .route(path_of(1), post(platform::create_tenant))
        .route(path_of(2), get(audit::platform_log))
        .route(path_of(3), get(audit::tenant_log))
        .route(path_of(4), put(members::put).delete(members::delete))
        .route(path_of(6), get(plugins::list))
        .route(path_of(7), get(flows::list))
        .route(path_of(8), get(flows::show))
        .route(path_of(9), put(flows::save_draft))
        .route(path_of(10), get(flows::versions).post(flows::publish))
        .route(path_of(12), get(flows::version))
        .route(path_of(13), get(flows::diff))
        .route(path_of(14), post(runs::start))
        .route(path_of(15), put(webhooks::rotate).delete(webhooks::remove))
        .route(path_of(17), get(runs::list))
        .route(path_of(18), get(runs::show))
        .route(path_of(19), get(events::stream_events))
        .route(path_of(20), post(runs::run_control))
        .route(path_of(21), post(runs::node_control))
        .route_layer(from_fn_with_state(app.clone(), auth::authorize));
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/api/v1/auth/login", post(platform::login))
        .route("/hooks/{id}", post(webhooks::fire))
        .merge(api)
        .fallback(|| async { ApiError::not_found("route") })
        .method_not_allowed_fallback(|| async {
            ApiError { status: StatusCode::METHOD_NOT_ALLOWED, code: "method_not_allowed", message: "method not allowed here".into(), details: json!(null) }
        })
        .layer(from_fn_with_state(app.clone(), audit::record))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// A handler that panicked: a bug, reported as one; the server goes on.
fn panicked(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = json!({"error": {"code": "internal", "message": "internal error; see the server log", "details": null}});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}
