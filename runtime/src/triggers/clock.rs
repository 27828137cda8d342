//! The cron clock: a task of `scena serve` that starts a run of each
//! schedule's flow (its latest version) when the schedule is due. A tick is
//! claimed in the database before its run starts, so it fires at most once;
//! ticks missed while the server was down fire once, not once each.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};

use super::CronSpec;
use crate::scheduler::Scheduler;
use crate::store::{AuditStore, Audited, Schedule, TriggerStore};

/// A schedule that can no longer tick (its expression stopped parsing) is parked here.
const NEVER: &str = "9999-12-31T00:00:00.000Z";

/// How schedules store instants: RFC 3339 in UTC with milliseconds, which
/// sorts as text.
pub fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Fire due schedules until the process ends; each run started (or refused)
/// is audited as the schedule's doing.
pub async fn run_clock(scheduler: Arc<Scheduler>, triggers: TriggerStore, audit: AuditStore) {
    loop {
        if scheduler.is_stopping() {
            // A tick claimed now would start a run nobody drives here.
            return;
        }
        if let Err(error) = fire_due(&scheduler, &triggers, &audit).await {
            tracing::warn!("cron clock: {error:#}");
        }
        tokio::time::sleep(until_next(&triggers).await).await;
    }
}

/// Sleep until the next tick, but look again at least every second: a
/// schedule made meanwhile may be due sooner.
async fn until_next(triggers: &TriggerStore) -> Duration {
    let next = triggers.next_due().await.ok().flatten().and_then(|t| DateTime::parse_from_rfc3339(&t).ok());
    let wait =
        next.map_or(Duration::from_secs(1), |t| (t.with_timezone(&Utc) - Utc::now()).to_std().unwrap_or_default());
    wait.clamp(Duration::from_millis(20), Duration::from_secs(1))
}

async fn fire_due(scheduler: &Arc<Scheduler>, triggers: &TriggerStore, audit: &AuditStore) -> anyhow::Result<()> {
    let now = Utc::now();
    for schedule in triggers.due(&instant_text(now)).await? {
        fire(scheduler, triggers, audit, &schedule, now).await?;
    }
    Ok(())
}

async fn fire(
    scheduler: &Arc<Scheduler>,
    triggers: &TriggerStore,
    audit: &AuditStore,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (fire, next) = match (
        CronSpec::parse(&schedule.cron, &schedule.timezone),
        DateTime::parse_from_rfc3339(&schedule.next_at),
    ) {
        (Ok(spec), Ok(due)) => spec.catch_up(due.with_timezone(&Utc), now),
        _ => {
            tracing::warn!(schedule = %schedule.id, "cron schedule `{}` ({}) cannot tick; parked", schedule.cron, schedule.timezone);
            (false, None)
        }
    };
    let next = next.map_or_else(|| NEVER.to_string(), instant_text);
    if !triggers.claim_tick(&schedule.id, &schedule.next_at, &next).await? || !fire {
        return Ok(());
    }
    let input = serde_json::from_str(&schedule.input)?;
    let launched = scheduler.launch_published(&schedule.tenant, &schedule.flow, None, input).await;
    let status = match &launched {
        Ok(launched) => {
            tracing::info!(schedule = %schedule.id, run = %launched.id, "cron schedule of flow `{}` started a run", schedule.flow);
            triggers.set_last_run(&schedule.id, &launched.id).await?;
            201
        }
        Err(error) => {
            tracing::warn!(schedule = %schedule.id, "cron schedule of flow `{}` could not start a run: {error}", schedule.flow);
            error.status()
        }
    };
    let who = format!("cron schedule {}", schedule.id);
    let resource = format!("/api/v1/tenants/{}/flows/{}/runs", schedule.tenant, schedule.flow);
    let entry = Audited { who: &who, tenant: Some(&schedule.tenant), action: "run", resource: &resource, status };
    audit.record(&entry).await
}
