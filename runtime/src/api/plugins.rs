//! The plugin registry through the API: what a tenant sees (the standard
//! plugins and its own uploads), uploading a component, yanking a version.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::auth::Access;
use super::described::Upserted;
use super::error::ApiError;
use super::{Shared, body};
use crate::catalog::{Listed, UploadError};

#[derive(Serialize, JsonSchema)]
pub struct PluginList {
    plugins: Vec<Listed>,
}

#[derive(Serialize, JsonSchema)]
pub struct PluginVersions {
    name: String,
    versions: Vec<Listed>,
}

/// One version with what a flow's editor needs of it.
#[derive(Serialize, JsonSchema)]
pub struct PluginVersion {
    #[serde(flatten)]
    listed: Listed,
    /// The JSON Schema of a step's input.
    input_schema: Value,
    /// The JSON Schema of a step's output.
    output_schema: Value,
    /// The atoms it imports.
    imports: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct Yanked {
    name: String,
    version: String,
    yanked: bool,
    yanked_at: Option<String>,
}

/// `GET …/plugins`: every version the tenant sees, newest first per name.
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<PluginList>, ApiError> {
    Ok(Json(PluginList { plugins: app.registry.listing(&access.tenant) }))
}

/// `GET …/plugins/{name}`: its versions.
pub async fn versions(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<PluginVersions>, ApiError> {
    let versions: Vec<_> = app.registry.listing(&access.tenant).into_iter().filter(|p| p.name == name).collect();
    if versions.is_empty() {
        return Err(ApiError::not_found(format!("plugin `{name}`")));
    }
    Ok(Json(PluginVersions { name, versions }))
}

/// `GET …/plugins/{name}/{version}`: the version with its schemas and imports.
pub async fn version(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, version)): Path<(String, String, String)>,
) -> Result<Json<PluginVersion>, ApiError> {
    let (plugin, listed) = app
        .registry
        .find(&access.tenant, &name, &version)
        .ok_or_else(|| ApiError::not_found(format!("plugin `{name}@{version}`")))?;
    Ok(Json(PluginVersion {
        listed,
        input_schema: plugin.meta.input_schema.clone(),
        output_schema: plugin.meta.output_schema.clone(),
        imports: plugin.imports.clone(),
    }))
}

/// `POST …/plugins` with the component's bytes: 201 with its metadata, 200
/// if the same bytes were uploaded before, 422 if it is not a valid plugin,
/// 409 if the version exists with other bytes or the name is a standard plugin's.
pub async fn upload(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Upserted<Listed>, ApiError> {
    let bytes = body::bytes(raw)?;
    let uploaded = app.registry.upload(&access.tenant, &bytes, &access.subject).await;
    let (plugin, record, created) = uploaded.map_err(|e| match e {
        UploadError::Invalid(why) => ApiError::invalid("invalid_plugin", why),
        UploadError::Conflict(why) => ApiError::conflict(why),
        UploadError::Internal(error) => ApiError::internal(&error),
    })?;
    let (_, listed) = app.registry.find(&access.tenant, &record.name, &record.version).ok_or_else(|| {
        ApiError::internal(&anyhow::anyhow!("uploaded plugin {} is not in the registry", plugin.meta.id()))
    })?;
    Ok(Upserted::new(created, listed))
}

async fn set_yanked(
    app: &Shared,
    access: &Access,
    name: &str,
    version: &str,
    yanked: bool,
) -> Result<Json<Yanked>, ApiError> {
    let record = app.registry.set_yanked(&access.tenant, name, version, yanked).await?;
    let record = record.ok_or_else(|| ApiError::not_found(format!("uploaded plugin `{name}@{version}`")))?;
    Ok(Json(Yanked {
        name: record.name,
        version: record.version,
        yanked: record.yanked_at.is_some(),
        yanked_at: record.yanked_at,
    }))
}

/// `POST …/plugins/{name}/{version}/yank`: flows can no longer resolve it.
pub async fn yank(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, version)): Path<(String, String, String)>,
) -> Result<Json<Yanked>, ApiError> {
    set_yanked(&app, &access, &name, &version, true).await
}

/// `POST …/plugins/{name}/{version}/unyank`
pub async fn unyank(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, version)): Path<(String, String, String)>,
) -> Result<Json<Yanked>, ApiError> {
    set_yanked(&app, &access, &name, &version, false).await
}
