//! `GET …/runs/{id}/logs`: what a run's step calls logged — their log lines
//! and atom calls — one entry per call, oldest first, paged by cursor; with
//! `node`, that node's calls only (for a foreach or batch, its items' too).
//! The same entries are sent live on the run's event stream (`events.rs`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::Shared;
use super::auth::Access;
use super::error::ApiError;
use super::runs::owned_run;
use crate::store::StepLog;

/// Calls per page unless the query says otherwise (each holds up to 1,000 lines).
const PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogsQuery {
    /// Only this node's calls (with a foreach's or batch's items).
    node: Option<String>,
    /// The `next` of the previous page.
    after: Option<i64>,
    /// At most this many calls (1-200, default 50).
    #[schemars(range(min = 1, max = 200))]
    limit: Option<u32>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct LogPage {
    entries: Vec<StepLog>,
    /// The cursor of the next page, if this one is full.
    next: Option<i64>,
}

pub async fn page(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    query: Result<Query<LogsQuery>, QueryRejection>,
) -> Result<Json<LogPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(format!("bad query: {e}")))?;
    owned_run(&app, &access.tenant, &id).await?;
    let limit = query.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE);
    let entries = app.db.runs().logs_page(&id, query.node.as_deref(), query.after.unwrap_or(0), limit).await?;
    let next = (entries.len() == limit as usize).then(|| entries.last().map(|e| e.cursor)).flatten();
    Ok(Json(LogPage { entries, next }))
}
