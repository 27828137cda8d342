//! `GET /metrics` (Prometheus text format; open unless the server was given
//! a metrics token — then a scraper sends it as a bearer token), and the layer
//! counting requests by route template — never by raw path, so ids do not
//! multiply the series.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

use super::error::ApiError;
use super::{PUBLIC_ROUTES, ROUTES, Shared};
use crate::metrics::METRICS;
use sha2::{Digest as _, Sha256};

pub async fn scrape(State(app): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(expected) = &app.metrics_token {
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compared by digest, so the time taken says nothing about the token.
        if Sha256::digest(given.trim().as_bytes()) != Sha256::digest(expected.as_bytes()) {
            return Err(ApiError::unauthorized("`/metrics` needs `Authorization: Bearer` with the metrics token"));
        }
    }
    let runs = app.db.runs().count_by_status().await?;
    if let Some(leases) = app.db.cluster() {
        METRICS.set_leases_held(leases.held_count());
    }
    let text = METRICS.render(&runs);
    Ok(([(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response())
}

/// Count every request by route, and log one line for it at `info` (target
/// `scena::request`): method, route template, status, duration, tenant —
/// never the raw path or the query, which may carry webhook ids or codes.
pub async fn observe_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let route = route_of(request.uri().path());
    let tenant = tenant_of(request.uri().path()).map(str::to_string);
    let response = next.run(request).await;
    let status = response.status().as_u16();
    METRICS.http_request(route, &method, status);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(target: "scena::request", %method, %route, status, ms = format_args!("{ms:.1}"), tenant = tenant.as_deref().unwrap_or("-"));
    response
}

/// The tenant a path is about: the segment after `/api/v1/tenants/`.
fn tenant_of(path: &str) -> Option<&str> {
    path.strip_prefix("/api/v1/tenants/")?.split('/').next().filter(|t| !t.is_empty())
}

/// The template of the listed route `path` falls under (the one with most
/// literal segments), or `other`.
fn route_of(path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    ROUTES
        .iter()
        .chain(PUBLIC_ROUTES)
        .map(|r| r.path)
        .filter(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == segments.len() && parts.iter().zip(&segments).all(|(t, s)| t.starts_with('{') || t == s)
        })
        .max_by_key(|template| template.split('/').filter(|t| !t.starts_with('{')).count())
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::route_of;

    #[test]
    fn paths_are_counted_by_their_route_template() {
        assert_eq!(route_of("/api/v1/tenants/acme/runs/123/events"), "/api/v1/tenants/{tenant}/runs/{id}/events");
        assert_eq!(route_of("/api/v1/tenants/acme/runs/123/cancel"), "/api/v1/tenants/{tenant}/runs/{id}/{action}");
        assert_eq!(route_of("/hooks/hook_abc"), "/hooks/{id}");
        assert_eq!(route_of("/no/such/thing"), "other");
    }
}
