//! The HTTP API of `scena serve`: a thin layer that authenticates, checks the
//! tenant, parses, and calls the store and the scheduler. Routes are listed
//! in one table (`routes`), which the tests walk too.

mod auth;
mod body;
mod error;
mod flows;
mod plugins;
mod runs;

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

use crate::catalog::PluginDir;
use crate::scheduler::Scheduler;
use crate::store::Db;

/// Request bodies are refused (413) beyond this size.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub struct AppState {
    pub db: Db,
    pub scheduler: Arc<Scheduler>,
    /// The standard plugins, which every tenant sees.
    pub catalog: Arc<PluginDir>,
}

pub type Shared = Arc<AppState>;

/// Every `/api/v1` route as (method, path).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/tenants/{tenant}/plugins"),
    ("GET", "/api/v1/tenants/{tenant}/flows"),
    ("GET", "/api/v1/tenants/{tenant}/flows/{name}"),
    ("PUT", "/api/v1/tenants/{tenant}/flows/{name}/draft"),
    ("GET", "/api/v1/tenants/{tenant}/flows/{name}/versions"),
    ("POST", "/api/v1/tenants/{tenant}/flows/{name}/versions"),
    ("GET", "/api/v1/tenants/{tenant}/flows/{name}/versions/{version}"),
    ("GET", "/api/v1/tenants/{tenant}/flows/{name}/diff"),
    ("POST", "/api/v1/tenants/{tenant}/flows/{name}/runs"),
    ("GET", "/api/v1/tenants/{tenant}/runs"),
    ("GET", "/api/v1/tenants/{tenant}/runs/{id}"),
    ("POST", "/api/v1/tenants/{tenant}/runs/{id}/{action}"),
    ("POST", "/api/v1/tenants/{tenant}/runs/{id}/nodes/{node}/{action}"),
];

pub fn router(app: Shared) -> Router {
    let api = Router::new()
        .route(ROUTES[0].1, get(plugins::list))
        .route(ROUTES[1].1, get(flows::list))
        .route(ROUTES[2].1, get(flows::show))
        .route(ROUTES[3].1, put(flows::save_draft))
        .route(ROUTES[4].1, get(flows::versions).post(flows::publish))
        .route(ROUTES[6].1, get(flows::version))
        .route(ROUTES[7].1, get(flows::diff))
        .route(ROUTES[8].1, post(runs::start))
        .route(ROUTES[9].1, get(runs::list))
        .route(ROUTES[10].1, get(runs::show))
        .route(ROUTES[11].1, post(runs::run_control))
        .route(ROUTES[12].1, post(runs::node_control))
        .route_layer(from_fn_with_state(app.clone(), auth::require_token));
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .merge(api)
        .fallback(|| async { ApiError::not_found("route") })
        .method_not_allowed_fallback(|| async {
            ApiError { status: StatusCode::METHOD_NOT_ALLOWED, code: "method_not_allowed", message: "method not allowed here".into(), details: json!(null) }
        })
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
