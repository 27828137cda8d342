//! The marketplace through the API: publishing a tenant's apps, browsing the
//! catalog, and installing with consent (`crate::market` does the work).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::Access;
use super::described::{Created, JsonBody, Upserted};
use super::error::ApiError;
use super::{Shared, body};
use crate::market::{AppPage, CatalogEntry, Consent, FromFlows, InstallRequest, Installed, MarketError, Published};

impl From<MarketError> for ApiError {
    fn from(error: MarketError) -> ApiError {
        match error {
            MarketError::Invalid(problems) => {
                let message = match problems.as_slice() {
                    [one] => one.clone(),
                    many => format!("the app has {} problems; see details.problems", many.len()),
                };
                ApiError::invalid("invalid_app", message).with_details(json!({"problems": problems}))
            }
            MarketError::NotFound(what) => ApiError::not_found(what),
            MarketError::Conflict(code, message) => ApiError::new(StatusCode::CONFLICT, code, message),
            MarketError::ConsentRequired(message, details) => {
                ApiError::new(StatusCode::CONFLICT, "consent_required", message).with_details(details)
            }
            MarketError::Tampered(message) => ApiError::invalid("tampered_package", message),
            MarketError::NotAllowed(message) => ApiError::new(StatusCode::FORBIDDEN, "not_allowed", message),
            MarketError::Internal(error) => ApiError::internal(&error),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct AppList {
    apps: Vec<CatalogEntry>,
}

#[derive(Serialize, JsonSchema)]
pub struct Visibility {
    app: String,
    visibility: String,
    shared_with: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct AppYanked {
    app: String,
    version: String,
    yanked: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct InstallList {
    installs: Vec<Installed>,
}

#[derive(Serialize, JsonSchema)]
pub struct Uninstalled {
    app: String,
    uninstalled: bool,
    flows_removed: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct AppSecretSet {
    app: String,
    secret: String,
    set: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct Publisher {
    publisher: String,
    /// Base64; null until the tenant first publishes.
    public_key: Option<String>,
    algorithm: String,
}

/// `POST …/apps` with a `.scena-app` package: checked, signed with the tenant's key, published.
pub async fn publish(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Created<Published>, ApiError> {
    let bytes = body::bytes(raw)?;
    let published = app.market.publish(&access.tenant, &bytes, &access.subject).await?;
    Ok(Created(published))
}

/// `POST …/apps/from-flows`: pack the tenant's flows (latest versions) and the plugins they call, and publish them.
pub async fn publish_flows(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    JsonBody(request): JsonBody<FromFlows>,
) -> Result<Created<Published>, ApiError> {
    let published = app.market.publish_flows(&access.tenant, request, &access.subject).await?;
    Ok(Created(published))
}

/// `GET …/apps`: the apps this tenant publishes.
pub async fn own(State(app): State<Shared>, Extension(access): Extension<Access>) -> Result<Json<AppList>, ApiError> {
    Ok(Json(AppList { apps: app.market.own_apps(&access.tenant).await? }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisibilityBody {
    /// `public`, or `private`.
    #[schemars(extend("enum" = ["public", "private"]))]
    visibility: String,
    /// Tenants that see a private app.
    #[serde(default)]
    shared_with: Vec<String>,
}

/// `PUT …/apps/{app}/visibility`: public, or private to the publisher and the tenants named.
pub async fn set_visibility(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    JsonBody(body): JsonBody<VisibilityBody>,
) -> Result<Json<Visibility>, ApiError> {
    app.market.set_visibility(&access.tenant, &name, &body.visibility, &body.shared_with).await?;
    Ok(Json(Visibility { app: name, visibility: body.visibility, shared_with: body.shared_with }))
}

/// `POST …/apps/{app}/versions/{version}/{yank|unyank}`.
pub async fn yank(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, version, action)): Path<(String, String, String, String)>,
) -> Result<Json<AppYanked>, ApiError> {
    let yanked = match action.as_str() {
        "yank" => true,
        "unyank" => false,
        other => return Err(ApiError::not_found(format!("action `{other}` (yank or unyank)"))),
    };
    app.market.set_yanked(&access.tenant, &name, &version, yanked).await?;
    Ok(Json(AppYanked { app: name, version, yanked }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogQuery {
    /// Text in the name, title or description (any case).
    q: Option<String>,
    /// Only apps in this category.
    category: Option<String>,
}

/// `GET …/market/apps?q=&category=`: the apps this tenant may see.
pub async fn catalog(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Query(query): Query<CatalogQuery>,
) -> Result<Json<AppList>, ApiError> {
    let apps = app.market.catalog(&access.tenant, query.q.as_deref(), query.category.as_deref()).await?;
    Ok(Json(AppList { apps }))
}

/// `GET …/market/apps/{app}`: its page.
pub async fn page(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<AppPage>, ApiError> {
    Ok(Json(app.market.page(&access.tenant, &name).await?))
}

/// `GET …/market/apps/{app}/versions/{version}/package`: the signed `.scena-app`.
pub async fn package(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, version)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let bytes = app.market.package_bytes(&access.tenant, &name, &version).await?;
    let disposition = format!("attachment; filename=\"{name}-{version}.scena-app\"");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/gzip".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A version (default: the newest not yanked).
    version: Option<String>,
}

/// `GET …/installs/{app}/consent?version=`: what installing would grant, before anything changes.
pub async fn consent(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    Query(query): Query<VersionQuery>,
) -> Result<Json<Consent>, ApiError> {
    Ok(Json(app.market.consent(&access.tenant, &name, query.version.as_deref()).await?))
}

/// `POST …/installs`: install or upgrade, accepting exactly the capabilities asked.
pub async fn install(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    JsonBody(mut request): JsonBody<InstallRequest>,
) -> Result<Upserted<Installed>, ApiError> {
    if let Some(reference) = request.oci.clone() {
        if !request.app.is_empty() {
            return Err(ApiError::bad_request("give `app` or `oci`, not both"));
        }
        let auth = registry_auth(&app, &access.tenant, request.registry_secret.as_deref()).await?;
        let (name, version) = app
            .market
            .import_from_oci(
                &access.tenant,
                &reference,
                request.publisher_key.as_deref(),
                &auth,
                &app.oci_registries,
                &access.subject,
            )
            .await?;
        request.app = name;
        request.version = Some(version);
    } else if request.app.is_empty() {
        return Err(ApiError::bad_request("give `app` (an app of the catalog) or `oci` (an OCI reference)"));
    }
    let installed = app.market.install(&access.tenant, request, &access.subject).await?;
    Ok(Upserted::new(installed.previous_version.is_none(), installed))
}

/// The registry credentials kept in one of the tenant's secrets: `USER:PASSWORD`, or a token.
async fn registry_auth(
    app: &Shared,
    tenant: &str,
    secret: Option<&str>,
) -> Result<oci_client::secrets::RegistryAuth, ApiError> {
    let Some(name) = secret else { return Ok(crate::market::oci::auth(None, None)) };
    let values = app.secrets.values(tenant, &[name]).await?;
    let value = values.get(name).ok_or_else(|| ApiError::not_found(format!("secret `{name}`")))?;
    Ok(match value.split_once(':') {
        Some((user, password)) => crate::market::oci::auth(Some(user), Some(password)),
        None => crate::market::oci::auth(None, Some(value)),
    })
}

/// `GET …/installs`
pub async fn installs(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<InstallList>, ApiError> {
    Ok(Json(InstallList { installs: app.market.installs(&access.tenant).await? }))
}

/// `GET …/installs/{app}`
pub async fn installed(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Installed>, ApiError> {
    Ok(Json(app.market.installed(&access.tenant, &name).await?))
}

/// `DELETE …/installs/{app}`: its flows, grants, secrets and plugins go; runs stay.
pub async fn uninstall(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Uninstalled>, ApiError> {
    let removed = app.market.uninstall(&access.tenant, &name).await?;
    Ok(Json(Uninstalled { app: name, uninstalled: true, flows_removed: removed }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretBody {
    value: String,
}

/// `PUT …/installs/{app}/secrets/{secret}`: supply one of the secrets the app asks for.
pub async fn put_secret(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, secret)): Path<(String, String, String)>,
    JsonBody(body): JsonBody<SecretBody>,
) -> Result<Json<AppSecretSet>, ApiError> {
    app.market.put_secret(&access.tenant, &name, &secret, &body.value, &access.subject).await?;
    Ok(Json(AppSecretSet { app: name, secret, set: true }))
}

/// `GET …/publisher`: the tenant's public signing key, once it has published.
pub async fn publisher(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<Publisher>, ApiError> {
    let key = app.market.public_key(&access.tenant).await?;
    Ok(Json(Publisher { publisher: access.tenant, public_key: key, algorithm: "ed25519".into() }))
}
