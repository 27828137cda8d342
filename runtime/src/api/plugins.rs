//! `GET …/plugins`: the plugins a tenant's flows can use.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::error::ApiError;
use super::Shared;

pub async fn list(State(app): State<Shared>) -> Result<Json<Value>, ApiError> {
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
