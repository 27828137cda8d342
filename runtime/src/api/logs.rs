//! `GET …/runs/{id}/logs`: what a run's step calls logged — their log lines
//! and atom calls — one entry per call, oldest first, paged by cursor; with
//! `node`, that node's calls only (for a foreach or batch, its items' too).
//! The same entries are sent live on the run's event stream (`events.rs`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::auth::Access;
use super::error::ApiError;
use super::runs::owned_run;

/// Calls per page unless the query says otherwise (each holds up to 1,000 lines).
const PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsQuery {
    node: Option<String>,
    /// The `next` of the previous page.
    after: Option<i64>,
    limit: Option<u32>,
}

pub async fn page(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    query: Result<Query<LogsQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(format!("bad query: {e}")))?;
    owned_run(&app, &access.tenant, &id).await?;
    let limit = query.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE);
    let entries = app.db.runs().logs_page(&id, query.node.as_deref(), query.after.unwrap_or(0), limit).await?;
    let next = (entries.len() == limit as usize).then(|| entries.last().map(|e| e.cursor)).flatten();
    Ok(Json(json!({"entries": entries, "next": next})))
}
