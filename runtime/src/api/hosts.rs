//! The tenant's host inventory (CMDB): list with a label selector and
//! paging, one host read, set or removed, bulk import (CSV or JSON, all or
//! nothing, every bad row reported with its line) and export.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::auth::Access;
use super::described::{JsonBody, NoContent, Upserted};
use super::error::ApiError;
use super::{Shared, body};
use crate::inventory::{Host, Selector, export_csv, parse_csv, parse_json};
use crate::store::{HostPage, Imported};

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Labels the hosts have: `zone=eu-1,role=game`, `role!=db`, `canary`, `!canary`, `id=h-1`.
    selector: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
    /// At most this many hosts (1-1000, default 100).
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<usize>,
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|e| ApiError::bad_request(format!("bad query: {}", e.body_text())))
}

fn selector(text: Option<&str>) -> Result<Selector, ApiError> {
    text.unwrap_or("").parse().map_err(|why| ApiError::invalid("invalid_selector", why))
}

/// `GET …/hosts[?selector=&after=&limit=]`, in id order.
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    raw: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<HostPage>, ApiError> {
    let ListQuery { selector: text, after, limit } = query(raw)?;
    let selector = selector(text.as_deref())?;
    let limit = limit.unwrap_or(100).clamp(1, 1000);
    let page = app.db.hosts().page(&access.tenant, &selector, None, after.as_deref(), limit).await?;
    Ok(Json(page))
}

pub async fn show(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Host>, ApiError> {
    let host = app.db.hosts().get(&access.tenant, &id).await?;
    host.map(Json).ok_or_else(|| ApiError::not_found(format!("host `{id}`")))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostBody {
    hostname: String,
    /// IPv4 or IPv6.
    ip: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

fn checked(host: Host) -> Result<Host, ApiError> {
    let problems = host.problems();
    if problems.is_empty() {
        Ok(host)
    } else {
        Err(ApiError::invalid("invalid_host", problems.join("; ")).with_details(json!({"problems": problems})))
    }
}

/// `PUT …/hosts/{id}`: 201 for a new host, 200 for a changed one.
pub async fn put(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    JsonBody(HostBody { hostname, ip, labels }): JsonBody<HostBody>,
) -> Result<Upserted<Host>, ApiError> {
    let host = checked(Host { id, hostname, ip, labels, agent: None, last_seen: None })?;
    let created = app.db.hosts().put(&access.tenant, &host).await?;
    let stored = app.db.hosts().get(&access.tenant, &host.id).await?.unwrap_or(host);
    Ok(Upserted::new(created, stored))
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    if app.db.hosts().delete(&access.tenant, &id).await? {
        Ok(NoContent)
    } else {
        Err(ApiError::not_found(format!("host `{id}`")))
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Remove the tenant's hosts the file does not list.
    #[serde(default)]
    replace: bool,
}

/// `POST …/hosts/import[?replace=true]` with a CSV (`text/csv`) or JSON
/// body: every host written in one transaction, or none and 422 listing
/// every bad row with its line.
pub async fn import(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    headers: HeaderMap,
    raw_query: Result<Query<ImportQuery>, QueryRejection>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<Imported>, ApiError> {
    let ImportQuery { replace } = query(raw_query)?;
    let bytes = body::bytes(raw)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
    let kind = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let parsed = if kind.starts_with("text/csv") {
        parse_csv(text)
    } else if kind.starts_with("application/json") || kind.is_empty() {
        parse_json(text)
    } else {
        return Err(ApiError::bad_request(format!("send the hosts as `text/csv` or `application/json`, not `{kind}`")));
    };
    let hosts = parsed.map_err(|errors| {
        ApiError::invalid("invalid_hosts", format!("{} problem(s); nothing was imported", errors.len()))
            .with_details(json!({"errors": errors}))
    })?;
    let imported = app.db.hosts().import(&access.tenant, &hosts, replace).await?;
    Ok(Json(imported))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (default) or `csv`.
    #[schemars(extend("enum" = ["json", "csv"]))]
    format: Option<String>,
}

/// `GET …/hosts/export[?format=csv|json]`: every host, in a form `import` takes back.
pub async fn export(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    raw: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let ExportQuery { format } = query(raw)?;
    let hosts = app.db.hosts().all(&access.tenant).await?;
    match format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(hosts).into_response()),
        "csv" => Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], export_csv(&hosts)?).into_response()),
        other => Err(ApiError::bad_request(format!("format is `csv` or `json`, not `{other}`"))),
    }
}
