//! `/healthz`: whether the process answers; `/readyz`: whether a load
//! balancer should send this node requests.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

use super::Shared;
use super::described::{Body, DescribesAnswer, Generators, Success, answer_schema};

#[derive(Serialize, JsonSchema)]
pub struct Alive {
    status: &'static str,
}

pub async fn alive() -> Json<Alive> {
    Json(Alive { status: "ok" })
}

/// 200 when ready, 503 when not, the same shape either way.
#[derive(Serialize, JsonSchema)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    status: &'static str,
    checks: Checks,
}

#[derive(Serialize, JsonSchema)]
pub struct Checks {
    /// `ok`, or what is wrong.
    database: String,
    /// `ok`, or what is wrong.
    lease_heartbeat: &'static str,
}

impl IntoResponse for Readiness {
    fn into_response(self) -> Response {
        let status = if self.status == "ready" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
        (status, Json(self)).into_response()
    }
}

impl DescribesAnswer for Readiness {
    fn answers(generators: &mut Generators) -> Option<Success> {
        let schema = answer_schema::<Readiness>(generators)?;
        Some(Success { statuses: &[200, 503], body: Body::Json(schema) })
    }
}

pub async fn ready(State(app): State<Shared>) -> Readiness {
    let database = app.db.migrations_current().await;
    let heartbeat = app.db.cluster().is_none_or(|leases| leases.heartbeat_fresh());
    let ready = matches!(database, Ok(true)) && heartbeat;
    let checks = Checks {
        database: match &database {
            Ok(true) => "ok".to_string(),
            Ok(false) => "its migrations are not this binary's (an older or newer scena migrated it)".to_string(),
            Err(error) => format!("unreachable: {error:#}"),
        },
        lease_heartbeat: if heartbeat { "ok" } else { "stale: this node's leases may have been taken over" },
    };
    Readiness { status: if ready { "ready" } else { "not_ready" }, checks }
}
