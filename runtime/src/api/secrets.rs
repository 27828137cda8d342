//! A tenant's secrets: set and delete by name; the list shows names only.
//! Values are sealed at rest (`store/sealing.rs`) and never leave the server
//! except into the plugin calls they are granted to.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;

use super::Shared;
use super::auth::Access;
use super::described::{JsonBody, NoContent};
use super::error::ApiError;
use crate::atoms::valid_secret_name;
use crate::store::SecretInfo;

/// The longest secret value.
const MAX_SECRET_BYTES: usize = 64 << 10;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretValue {
    value: String,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct SecretList {
    secrets: Vec<SecretInfo>,
}

pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<SecretList>, ApiError> {
    let secrets = app.secrets.list(&access.tenant).await?;
    Ok(Json(SecretList { secrets }))
}

/// `PUT …/secrets/{name} {"value"}` → 204.
pub async fn put(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    JsonBody(SecretValue { value }): JsonBody<SecretValue>,
) -> Result<NoContent, ApiError> {
    if !valid_secret_name(&name) {
        return Err(ApiError::invalid(
            "invalid_name",
            format!(
                "`{name}` is not a secret name (a letter or `_`, then letters, digits, `_`, `.`, `-`; at most 128)"
            ),
        ));
    }
    if value.len() > MAX_SECRET_BYTES {
        return Err(ApiError::too_large(format!("a secret holds at most {MAX_SECRET_BYTES} bytes")));
    }
    app.secrets.put(&access.tenant, &name, &value, &access.subject).await?;
    app.grants.forget(&access.tenant);
    Ok(NoContent)
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    let deleted = app.secrets.delete(&access.tenant, &name).await?;
    app.grants.forget(&access.tenant);
    if deleted { Ok(NoContent) } else { Err(ApiError::not_found(format!("secret `{name}`"))) }
}
