//! `GET …/runs/{id}/events`: Server-Sent Events. The run's history is
//! replayed from its log, then new events follow as they are committed,
//! until the run ends (`event: end`). The log is read, not the engine's
//! memory, so a client sees exactly what is durable — whichever process
//! drives the run. `Last-Event-ID` continues after the event it names (a
//! stopping server ends its streams without `end`, for clients to resume). A
//! step call's log lines and atom calls come as an `event: log` just before
//! the `StepFinished` that ends the call.

use std::convert::Infallible;
use std::time::Duration;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream};

use super::Shared;
use super::auth::Access;
use super::error::ApiError;
use crate::engine::Event;

/// How often a live stream looks for new events.
const POLL: Duration = Duration::from_millis(100);

struct Cursor {
    app: Shared,
    run: String,
    after: Option<u64>,
    pending: std::collections::VecDeque<SseEvent>,
    ended: bool,
}

pub async fn stream_events(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    match app.db.runs().summary_of(&id).await? {
        Some(run) if run.tenant == access.tenant => {}
        _ => return Err(ApiError::not_found(format!("run `{id}`"))),
    }
    let after = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let cursor = Cursor { app, run: id, after, pending: Default::default(), ended: false };
    let events = stream::unfold(cursor, |mut cursor| async move {
        loop {
            if let Some(event) = cursor.pending.pop_front() {
                return Some((Ok(event), cursor));
            }
            // A stopping server ends its streams (without `end`): the client
            // reconnects with `Last-Event-ID`, to another node or after the restart.
            if cursor.ended || cursor.app.scheduler.is_stopping() {
                return None;
            }
            let runs = cursor.app.db.runs();
            // Read the status first: events committed before it are then all seen below.
            let over = runs
                .summary_of(&cursor.run)
                .await
                .ok()
                .flatten()
                .is_none_or(|r| crate::store::is_final_status(&r.status));
            let fresh = runs.events_after(&cursor.run, cursor.after).await.unwrap_or_default();
            for (seq, event) in fresh {
                // What the call logged is committed with the event that ends
                // it; it is sent just before that event, without an id of its
                // own, so a client resuming after the event does not get it twice.
                if let Event::StepFinished { node, attempt, .. } = &event
                    && let Ok(Some(log)) = runs.log_of(&cursor.run, seq, node, *attempt).await
                {
                    cursor.pending.push_back(
                        SseEvent::default().event("log").data(serde_json::to_string(&log).unwrap_or_default()),
                    );
                }
                let kind = serde_json::to_value(&event)
                    .ok()
                    .and_then(|v| v["type"].as_str().map(str::to_string))
                    .unwrap_or_default();
                let data = serde_json::to_string(&event).unwrap_or_default();
                cursor.pending.push_back(SseEvent::default().id(seq.to_string()).event(kind).data(data));
                cursor.after = Some(seq);
            }
            if over {
                cursor.pending.push_back(SseEvent::default().event("end").data("{}"));
                cursor.ended = true;
            } else if cursor.pending.is_empty() {
                tokio::time::sleep(POLL).await;
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
