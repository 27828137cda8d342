//! Cron schedules of a flow: each starts a run of the flow's latest version
//! with a fixed input at every tick (`triggers/`).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Access;
use super::error::ApiError;
use super::{Shared, body};
use crate::store::Schedule;
use crate::triggers::{CronSpec, instant_text};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSchedule {
    /// 5 fields (minute hour day month weekday), or 6 with seconds first.
    cron: String,
    /// IANA name; UTC if absent.
    timezone: Option<String>,
    #[serde(default)]
    input: Option<Value>,
}

pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let schedules = app.db.triggers().schedules(&access.tenant, &name).await?;
    Ok(Json(json!({"schedules": schedules})))
}

/// `POST …/flows/{name}/schedules {"cron", "timezone"?, "input"?}` → 201;
/// 422 for a bad expression or zone, or an input the flow's latest version refuses.
pub async fn create(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let NewSchedule { cron, timezone, input } = body::json(raw)?;
    let timezone = timezone.unwrap_or_else(|| "UTC".to_string());
    let spec = CronSpec::parse(&cron, &timezone).map_err(|why| ApiError::invalid("invalid_schedule", why))?;
    let input = input.unwrap_or_else(|| json!({}));
    app.scheduler.check_launch(&access.tenant, &name, None, &input).await?;
    let now = Utc::now();
    let next =
        spec.next_after(now).ok_or_else(|| ApiError::invalid("invalid_schedule", format!("`{cron}` never ticks")))?;
    let schedule = Schedule {
        id: uuid::Uuid::new_v4().to_string(),
        tenant: access.tenant.clone(),
        flow: name,
        cron,
        timezone,
        input: input.to_string(),
        next_at: instant_text(next),
        last_run: None,
        created_at: instant_text(now),
        created_by: access.subject.clone(),
    };
    app.db.triggers().create_schedule(&schedule).await?;
    Ok((StatusCode::CREATED, Json(json!(schedule))))
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let deleted = app.db.triggers().delete_schedule(&access.tenant, &name, &id).await?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("schedule `{id}` of flow `{name}`")))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    cron: String,
    timezone: Option<String>,
    count: Option<usize>,
}

/// The most ticks a preview lists.
const MAX_PREVIEW: usize = 50;

/// `GET …/schedules/preview?cron=&timezone=&count=`: when a schedule would
/// fire next, in its zone — what the studio shows while one is typed.
pub async fn preview(query: Result<Query<PreviewQuery>, QueryRejection>) -> Result<Json<Value>, ApiError> {
    let Query(PreviewQuery { cron, timezone, count }) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let timezone = timezone.unwrap_or_else(|| "UTC".to_string());
    let spec = CronSpec::parse(&cron, &timezone).map_err(|why| ApiError::invalid("invalid_schedule", why))?;
    let count = count.unwrap_or(5).clamp(1, MAX_PREVIEW);
    Ok(Json(json!({"cron": cron, "timezone": timezone, "next": spec.upcoming(Utc::now(), count)})))
}
