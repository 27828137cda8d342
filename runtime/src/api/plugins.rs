//! `GET …/plugins`: the plugins a tenant's flows can use.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::error::ApiError;
use super::{auth, Shared};
use crate::store::Principal;

pub async fn list(State(app): State<Shared>, Extension(me): Extension<Principal>, Path(tenant): Path<String>) -> Result<Json<Value>, ApiError> {
    auth::tenant(&app, &me, &tenant).await?;
    let plugins: Vec<Value> = app
        .catalog
        .plugins()
        .map(|p| {
            json!({"name": p.meta.name, "version": p.meta.version.to_string(), "title": p.meta.title,
                   "description": p.meta.description, "category": p.meta.category, "capabilities": p.meta.capabilities,
                   "input_schema": p.meta.input_schema, "output_schema": p.meta.output_schema})
        })
        .collect();
    Ok(Json(json!({"plugins": plugins})))
}
