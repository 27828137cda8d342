//! `GET/PUT …/grants`: what the tenant's plugins may reach — the HTTP
//! allow-list, which secrets which plugin may read, the hosts flows may
//! touch. A change applies to the next plugin call.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::auth::Access;
use super::error::ApiError;
use super::{Shared, body};
use crate::atoms::GrantDoc;

pub async fn show(State(app): State<Shared>, Extension(access): Extension<Access>) -> Result<Json<GrantDoc>, ApiError> {
    Ok(Json(app.grants.doc(&access.tenant).await?))
}

/// `PUT …/grants {"http": [...], "secrets": {"plugin": [...]}, "hosts": [...]}`: 422 listing every problem.
pub async fn replace(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<GrantDoc>, ApiError> {
    // Read by hand: `hosts` also takes an older form the type's schema does not show (`shapes.rs` does).
    let doc: GrantDoc = body::json(raw)?;
    let problems = doc.problems();
    if !problems.is_empty() {
        return Err(
            ApiError::invalid("invalid_grants", "the grants have problems").with_details(json!({"problems": problems}))
        );
    }
    let value: Value = serde_json::to_value(&doc).map_err(|e| ApiError::internal(&e.into()))?;
    app.db.grants().put(&access.tenant, &value, &access.subject).await?;
    app.grants.forget(&access.tenant);
    Ok(Json(doc))
}
