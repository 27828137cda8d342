//! `/readyz`: whether a load balancer should send this node requests.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;

pub async fn ready(State(app): State<Shared>) -> Response {
    let database = app.db.migrations_current().await;
    let heartbeat = app.db.cluster().is_none_or(|leases| leases.heartbeat_fresh());
    let checks = json!({
        "database": match &database {
            Ok(true) => "ok".to_string(),
            Ok(false) => "its migrations are not this binary's (an older or newer scena migrated it)".to_string(),
            Err(error) => format!("unreachable: {error:#}"),
        },
        "lease_heartbeat": if heartbeat { "ok" } else { "stale: this node's leases may have been taken over" },
    });
    let ready = matches!(database, Ok(true)) && heartbeat;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({"status": if ready { "ready" } else { "not_ready" }, "checks": checks}))).into_response()
}
