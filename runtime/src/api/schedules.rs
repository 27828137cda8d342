//! Cron schedules of a flow: each starts a run of the flow's latest version
//! with a fixed input at every tick (`triggers/`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use chrono::Utc;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::Access;
use super::described::{Created, JsonBody, NoContent};
use super::error::ApiError;
use super::{Shared, flow_limit};
use crate::store::Schedule;
use crate::triggers::{CronSpec, instant_text};

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchedule {
    /// 5 fields (minute hour day month weekday), or 6 with seconds first.
    cron: String,
    /// IANA name; UTC if absent.
    timezone: Option<String>,
    /// The input each run gets (`{}` if absent).
    #[serde(default)]
    input: Option<Value>,
}

#[derive(Serialize, JsonSchema)]
pub struct ScheduleList {
    schedules: Vec<Schedule>,
}

#[derive(Serialize, JsonSchema)]
pub struct Preview {
    cron: String,
    timezone: String,
    /// The next ticks, RFC 3339 in the schedule's zone.
    next: Vec<String>,
}

pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<ScheduleList>, ApiError> {
    let schedules = app.db.triggers().schedules(&access.tenant, &name).await?;
    Ok(Json(ScheduleList { schedules }))
}

/// `POST …/flows/{name}/schedules {"cron", "timezone"?, "input"?}` → 201;
/// 422 for a bad expression or zone, or an input the flow's latest version refuses.
pub async fn create(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    JsonBody(NewSchedule { cron, timezone, input }): JsonBody<NewSchedule>,
) -> Result<Created<Schedule>, ApiError> {
    let timezone = timezone.unwrap_or_else(|| "UTC".to_string());
    let spec = CronSpec::parse(&cron, &timezone).map_err(|why| ApiError::invalid("invalid_schedule", why))?;
    let input = input.unwrap_or_else(|| json!({}));
    app.scheduler.check_launch(&access.tenant, &name, None, &input).await?;
    flow_limit::subflows_within_limit(&app, &access, &name, None).await?;
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
    Ok(Created(schedule))
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name, id)): Path<(String, String, String)>,
) -> Result<NoContent, ApiError> {
    let deleted = app.db.triggers().delete_schedule(&access.tenant, &name, &id).await?;
    if deleted { Ok(NoContent) } else { Err(ApiError::not_found(format!("schedule `{id}` of flow `{name}`"))) }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// 5 fields (minute hour day month weekday), or 6 with seconds first.
    cron: String,
    /// An IANA zone; UTC if absent.
    timezone: Option<String>,
    /// How many ticks (1-50, default 5).
    #[schemars(range(min = 1, max = 50))]
    count: Option<usize>,
}

/// The most ticks a preview lists.
const MAX_PREVIEW: usize = 50;

/// `GET …/schedules/preview?cron=&timezone=&count=`: when a schedule would
/// fire next, in its zone — what the studio shows while one is typed.
pub async fn preview(query: Result<Query<PreviewQuery>, QueryRejection>) -> Result<Json<Preview>, ApiError> {
    let Query(PreviewQuery { cron, timezone, count }) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let timezone = timezone.unwrap_or_else(|| "UTC".to_string());
    let spec = CronSpec::parse(&cron, &timezone).map_err(|why| ApiError::invalid("invalid_schedule", why))?;
    let count = count.unwrap_or(5).clamp(1, MAX_PREVIEW);
    Ok(Json(Preview { cron, timezone, next: spec.upcoming(Utc::now(), count) }))
}
