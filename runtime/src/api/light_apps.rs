//! Light apps: a published flow offered to end users as a simple page — a
//! form from its inputs, a run button, the result and their own runs. A
//! member with the `app_user` role may do this and nothing else; a member
//! limited to some flows uses only the light apps of those.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::Access;
use super::described::JsonBody;
use super::error::ApiError;
use super::run_view::{RunAnswer, StartedWhole, Whole};
use super::runs::{View, WaitQuery, launch_published, run_view, wait_for};
use super::{Shared, flow_limit};
use crate::store::{LightApp, RunSummary};

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LightAppBody {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// A light app always runs its flow's latest version: the input is all a user gives.
#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LightRun {
    /// The form's values.
    #[serde(default)]
    input: Option<Value>,
}

#[derive(Serialize, JsonSchema)]
pub struct Disabled {
    flow: String,
    enabled: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct LightAppListed {
    flow: String,
    title: String,
    description: String,
}

#[derive(Serialize, JsonSchema)]
pub struct LightAppList {
    light_apps: Vec<LightAppListed>,
}

#[derive(Serialize, JsonSchema)]
pub struct LightAppPage {
    flow: String,
    title: String,
    description: String,
    /// The JSON Schema of the form.
    inputs: Value,
    version: u32,
}

#[derive(Serialize, JsonSchema)]
pub struct OwnRuns {
    runs: Vec<RunSummary>,
}

/// `PUT …/flows/{name}/light-app`: offer the flow's latest version as a light app.
pub async fn enable(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    JsonBody(body): JsonBody<LightAppBody>,
) -> Result<Json<LightApp>, ApiError> {
    let version = app
        .db
        .flows()
        .version(&access.tenant, &name, None)
        .await
        .map_err(|_| ApiError::not_found(format!("a published version of flow `{name}`")))?;
    let flow = version.flow()?;
    // A light app starts runs for others: as a webhook or a schedule does,
    // it may start only flows (and subflows) within the maker's limit.
    flow_limit::subflows_within_limit(&app, &access, &name, None).await?;
    let light = LightApp {
        title: body.title.filter(|t| !t.trim().is_empty()).or(flow.title).unwrap_or_else(|| name.clone()),
        description: body.description.or(flow.description).unwrap_or_default(),
        flow: name,
        enabled_at: crate::store::now_rfc3339(),
        enabled_by: access.subject.clone(),
    };
    app.db.light_apps().enable(&access.tenant, &light).await?;
    Ok(Json(light))
}

/// `DELETE …/flows/{name}/light-app`
pub async fn disable(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Disabled>, ApiError> {
    if !app.db.light_apps().disable(&access.tenant, &name).await? {
        return Err(ApiError::not_found(format!("light app `{name}`")));
    }
    Ok(Json(Disabled { flow: name, enabled: false }))
}

/// `GET …/light-apps`: the light apps the caller may use.
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<LightAppList>, ApiError> {
    let light_apps = app
        .db
        .light_apps()
        .list(&access.tenant)
        .await?
        .into_iter()
        .filter(|light| access.flows.as_ref().is_none_or(|allowed| allowed.contains(&light.flow)))
        .map(|light| LightAppListed { flow: light.flow, title: light.title, description: light.description })
        .collect();
    Ok(Json(LightAppList { light_apps }))
}

async fn light_app(app: &Shared, tenant: &str, name: &str) -> Result<LightApp, ApiError> {
    app.db.light_apps().get(tenant, name).await?.ok_or_else(|| ApiError::not_found(format!("light app `{name}`")))
}

/// `GET …/light-apps/{name}`: what its page shows: title, description, the form's schema.
pub async fn show(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<LightAppPage>, ApiError> {
    let light = light_app(&app, &access.tenant, &name).await?;
    let version = app.db.flows().version(&access.tenant, &name, None).await?;
    let flow = version.flow()?;
    let inputs = serde_json::to_value(&flow.inputs).map_err(anyhow::Error::from)?;
    Ok(Json(LightAppPage {
        flow: name,
        title: light.title,
        description: light.description,
        inputs,
        version: version.version,
    }))
}

/// `POST …/light-apps/{name}/runs[?wait_ms=N]`: run its latest version as the caller.
pub async fn start(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    query: Result<Query<WaitQuery>, QueryRejection>,
    JsonBody(LightRun { input }): JsonBody<LightRun>,
) -> Result<RunAnswer<StartedWhole>, ApiError> {
    let Query(WaitQuery { wait_ms }) = query.map_err(|e| ApiError::bad_request(format!("bad query: {e}")))?;
    light_app(&app, &access.tenant, &name).await?;
    flow_limit::subflows_within_limit(&app, &access, &name, None).await?;
    let launched = launch_published(&app, &access.tenant, &name, None, input.unwrap_or_else(|| json!({}))).await?;
    app.db.light_apps().record_run(&access.tenant, &name, &launched.id, &access.subject).await?;
    wait_for(&app, &access.tenant, launched, wait_ms, View::Full).await
}

/// `GET …/light-apps/{name}/runs`: the caller's own runs of it, newest first.
pub async fn runs(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<OwnRuns>, ApiError> {
    light_app(&app, &access.tenant, &name).await?;
    let ids = app.db.light_apps().runs_of(&access.tenant, &name, &access.subject, 50).await?;
    let mut runs = Vec::new();
    for id in ids {
        if let Some(summary) = app.db.runs().summary_of(&id).await? {
            runs.push(summary);
        }
    }
    Ok(Json(OwnRuns { runs }))
}

/// `GET …/light-apps/{name}/runs/{id}`: one of the caller's runs of it.
pub async fn run(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, id)): Path<(String, String, String)>,
) -> Result<Whole, ApiError> {
    let not_found = || ApiError::not_found(format!("run `{id}` of light app `{name}`"));
    let summary = app.db.runs().summary_of(&id).await?.ok_or_else(not_found)?;
    let by = app.db.light_apps().started_by(&id).await?;
    if summary.tenant != access.tenant || summary.flow != name || by.as_deref() != Some(access.subject.as_str()) {
        return Err(not_found());
    }
    run_view(&app, &id).await
}
