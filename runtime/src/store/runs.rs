//! Runs: the pinned flow, the input, and the append-only event log. A step's
//! `kv` writes commit in the same transaction as the event that finishes it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sqlx::AnyPool;

use super::event_rows::insert_events;
use super::kv::{KvConflict, KvScope, KvWrites, apply as apply_kv};
use super::leases::{Fence, Leases, check_fence};
use super::writer::{Committing, Tx, Writer, is_unique_violation};
use crate::engine::{Event, RunState, RunStatus};

/// Runs are read through the pool and written through the [`Writer`].
#[derive(Debug, Clone)]
pub struct RunStore {
    pool: AnyPool,
    writer: Writer,
    /// Hashes of the flow texts this process has seen stored: a run of one
    /// of them needs no statement to store its text (rows of `flow_texts` are
    /// never removed). Shared by every `RunStore` of one `Db`.
    stored_texts: Arc<Mutex<HashSet<String>>>,
    /// This node's leases, once it joined a cluster: every write then carries its fence.
    cluster: Arc<std::sync::OnceLock<Arc<Leases>>>,
}

/// What a new run is stored with.
pub struct NewRun<'a> {
    pub id: &'a str,
    pub tenant: &'a str,
    pub flow_name: &'a str,
    /// The published version it runs, if it runs one.
    pub version: Option<u32>,
    pub flow_json: &'a str,
    /// The sha256 (hex) of `flow_json`: the text is stored once by it, however many runs pin it.
    pub flow_hash: &'a str,
    pub input: &'a Value,
    /// The run whose subflow node started this one.
    pub parent: Option<&'a str>,
}

/// A run as stored.
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub id: String,
    pub tenant: String,
    pub flow_json: String,
    pub events: Vec<Event>,
}

/// Events queued for a run's log.
pub struct Appending {
    committing: Option<Committing<()>>,
    run_id: String,
}

impl Appending {
    /// Wait until the events are committed.
    pub async fn committed(&mut self) -> anyhow::Result<()> {
        match &mut self.committing {
            Some(committing) => refuse_second_writer(committing.await, &self.run_id),
            None => Ok(()),
        }
    }

    /// Whether the events are committed, if the writer has answered yet.
    pub fn settled(&mut self) -> Option<anyhow::Result<()>> {
        match &mut self.committing {
            Some(committing) => committing.try_take().map(|answer| refuse_second_writer(answer, &self.run_id)),
            None => Some(Ok(())),
        }
    }
}

/// A step's `kv` writes and logs, committed with the event that finishes it.
pub struct StepResult {
    pub event: Event,
    pub kv: Option<(KvScope, KvWrites)>,
    /// Node, attempt and the call's logs and atom calls.
    pub logs: Option<(String, u32, Value)>,
}

impl RunStore {
    pub(super) fn new(
        pool: AnyPool,
        writer: Writer,
        stored_texts: Arc<Mutex<HashSet<String>>>,
        cluster: Arc<std::sync::OnceLock<Arc<Leases>>>,
    ) -> RunStore {
        RunStore { pool, writer, stored_texts, cluster }
    }

    /// This node's leases, if it is a node of a cluster.
    pub fn leases(&self) -> Option<&Arc<Leases>> {
        self.cluster.get()
    }

    /// What a write to `run_id` must prove: this node's lease on it, in a cluster.
    fn fence(&self, run_id: &str) -> anyhow::Result<Fence> {
        match self.cluster.get() {
            Some(leases) => leases.fence(run_id),
            None => Ok(None),
        }
    }

    /// Store a new run with the flow it runs (and the version, for a published
    /// flow) together with its first event, so no run exists without one.
    pub async fn create(&self, run: &NewRun<'_>, first: &Event) -> anyhow::Result<()> {
        let row = (
            run.id.to_string(),
            run.tenant.to_string(),
            run.flow_name.to_string(),
            run.version.map(i64::from),
            run.flow_hash.to_string(),
            run.input.to_string(),
            run.parent.map(str::to_string),
        );
        let first = serde_json::to_string(first)?;
        let run_id = run.id.to_string();
        let text_stored = self.stored_texts.lock().expect("stored texts lock").contains(run.flow_hash);
        let leases = self.cluster.get().cloned();
        // A child run is its parent's work: only the node still holding the
        // parent's lease starts it (one that lost it, frozen past its expiry
        // or after the parent ended, would start work nobody drives).
        let parent_fence = match run.parent {
            Some(parent) => self.fence(parent)?,
            None => None,
        };
        if !text_stored {
            // Committed on its own, before the run: a text is shared by every
            // run of its flow, so two writer lanes creating runs of two flows
            // in opposite orders would each wait for the other's commit. A text
            // left by a run whose creation then failed is harmless.
            sqlx::query("INSERT INTO flow_texts (hash, flow_json) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING")
                .bind(run.flow_hash)
                .bind(run.flow_json)
                .execute(&self.pool)
                .await?;
            self.stored_texts.lock().expect("stored texts lock").insert(run.flow_hash.to_string());
        }
        let creating = move |tx: &mut dyn Tx| {
            let (id, tenant, flow_name, version, flow_hash, input, parent) = row;
            let now = super::now_rfc3339();
            if let Some(leases) = &leases {
                if let Some(parent) = &parent {
                    check_fence(tx, parent, &parent_fence)?;
                }
                leases.take_new(tx, &id)?;
            }
            tx.execute(
                "INSERT INTO runs (id, tenant, flow_name, flow_version, flow_json, flow_hash, input, parent_run, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, '', $5, $6, $7, 'running', $8, $8)",
                &[(&id).into(), (&tenant).into(), (&flow_name).into(), version.into(), (&flow_hash).into(), (&input).into(), (&parent).into(), (&now).into()],
            )?;
            insert_events(tx, &id, 0, std::slice::from_ref(&first), &None)
        };
        let written = match run.parent {
            // A child's creation locks its parent's lease row, which the
            // parent's own writes lock too — from the parent's lane, or from a
            // `kv` scope's for a step with `kv` writes, while a child is being
            // created for another branch. Alone in its transaction it holds no
            // other lock while it waits, so no two lanes wait on each other.
            Some(parent) => self.writer.write_alone_for(parent, creating).await,
            None => self.writer.write_for(run.id, creating).await,
        };
        if written.is_ok()
            && let Some(leases) = self.cluster.get()
        {
            leases.note_held(&run_id, 1);
        }
        refuse_second_writer(written, &run_id)
    }

    /// Append one event.
    pub async fn append(&self, run_id: &str, seq: u64, event: &Event) -> anyhow::Result<()> {
        self.append_all(run_id, seq, std::slice::from_ref(event)).await
    }

    /// Append `events` with sequence numbers from `first_seq`, all or none.
    pub async fn append_all(&self, run_id: &str, first_seq: u64, events: &[Event]) -> anyhow::Result<()> {
        self.queue_all(run_id, first_seq, events)?.committed().await
    }

    /// Like [`append_all`](Self::append_all), but return once the events are
    /// queued for the writer; the answer says when they are committed.
    pub fn queue_all(&self, run_id: &str, first_seq: u64, events: &[Event]) -> anyhow::Result<Appending> {
        let run_id = run_id.to_string();
        if events.is_empty() {
            return Ok(Appending { committing: None, run_id });
        }
        let texts = events.iter().map(serde_json::to_string).collect::<Result<Vec<_>, _>>()?;
        let id = run_id.clone();
        let fence = self.fence(&id)?;
        let committing =
            self.writer.submit_for(&run_id, move |tx| insert_events(tx, &id, first_seq, &texts, &fence))?;
        Ok(Appending { committing: Some(committing), run_id })
    }

    /// Append the event that finishes a step together with the step's `kv`
    /// writes and logs. If a key the step read has changed, nothing of the
    /// step is applied and `conflict_event` is appended instead.
    pub async fn append_step_result(
        &self,
        run_id: &str,
        seq: u64,
        step: StepResult,
        conflict_event: impl FnOnce(KvConflict) -> Event + Send + 'static,
    ) -> anyhow::Result<Event> {
        let id = run_id.to_string();
        let fence = self.fence(run_id)?;
        // With `kv` writes, in their scope's lane (see `KvScope::lane_key`):
        // the run has no other write in flight, so its order is kept anyway.
        let lane = match step.kv.as_ref().filter(|(_, writes)| !writes.is_empty()) {
            Some((scope, _)) => scope.lane_key(),
            None => id.clone(),
        };
        let written = self
            .writer
            .write_for(&lane, move |tx| {
                let StepResult { event, kv, logs } = step;
                let mut recorded = event;
                if let Some((scope, writes)) = kv.filter(|(_, w)| !w.is_empty())
                    && let Err(conflict) = apply_kv(tx, &scope, &writes)?
                {
                    recorded = conflict_event(conflict);
                }
                // Under the fence: if this node lost the lease, the `kv` writes above go too.
                insert_events(tx, &id, seq, &[serde_json::to_string(&recorded)?], &fence)?;
                if let Some((node, attempt, lines)) = logs {
                    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
                    tx.execute(
                        "INSERT INTO run_logs (run_id, node, attempt, lines, seq) VALUES ($1, $2, $3, $4, $5)",
                        &[
                            (&id).into(),
                            (&node).into(),
                            i64::from(attempt).into(),
                            (&lines.to_string()).into(),
                            seq.into(),
                        ],
                    )?;
                }
                Ok(recorded)
            })
            .await;
        refuse_second_writer(written, run_id)
    }

    /// Keep the run's summary row (status, output, error) in step with its state.
    pub async fn save_summary(&self, run_id: &str, state: &RunState) -> anyhow::Result<()> {
        self.finish(run_id, 0, &[], state).await
    }

    /// Append a run's last `events` (from `first_seq`) and bring its summary
    /// row up to date with its final `state`, in one transaction.
    pub async fn finish(&self, run_id: &str, first_seq: u64, events: &[Event], state: &RunState) -> anyhow::Result<()> {
        let status = status_name(state);
        let texts = events.iter().map(serde_json::to_string).collect::<Result<Vec<_>, _>>()?;
        let (id, output, error) =
            (run_id.to_string(), state.output.as_ref().map(Value::to_string), state.error.clone());
        let fence = self.fence(run_id)?;
        let over = state.is_over();
        let written = self
            .writer
            .write_for(run_id, move |tx| {
                insert_events(tx, &id, first_seq, &texts, &fence)?;
                tx.execute(
                    "UPDATE runs SET status = $1, output = $2, error = $3, updated_at = $4 WHERE id = $5",
                    &[status.into(), (&output).into(), (&error).into(), (&super::now_rfc3339()).into(), (&id).into()],
                )?;
                // An ended run needs no driver: its lease goes with its last write.
                if over && fence.is_some() {
                    tx.execute("DELETE FROM run_leases WHERE run_id = $1", &[id.as_str().into()])?;
                }
                Ok(())
            })
            .await;
        if written.is_ok()
            && over
            && let Some(leases) = self.cluster.get()
        {
            leases.forget(run_id);
        }
        refuse_second_writer(written, run_id)
    }

    pub async fn load(&self, run_id: &str) -> anyhow::Result<Option<StoredRun>> {
        // Runs stored before flow texts were shared carry their own copy.
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT r.id, r.tenant, COALESCE(t.flow_json, r.flow_json) FROM runs r LEFT JOIN flow_texts t ON t.hash = r.flow_hash WHERE r.id = $1",
        )
            .bind(run_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some((id, tenant, flow_json)) = row else { return Ok(None) };
        let rows: Vec<(String,)> = sqlx::query_as("SELECT event FROM run_events WHERE run_id = $1 ORDER BY seq")
            .bind(run_id)
            .fetch_all(&self.pool)
            .await?;
        let events = rows.into_iter().map(|(text,)| serde_json::from_str(&text)).collect::<Result<Vec<Event>, _>>()?;
        Ok(Some(StoredRun { id, tenant, flow_json, events }))
    }

    /// Ids of top-level runs not finished yet, oldest first (a subflow's run
    /// is continued by its parent).
    /// How many runs there are in each status.
    pub async fn count_by_status(&self) -> anyhow::Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT status, COUNT(*) FROM runs GROUP BY status ORDER BY status")
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn unfinished(&self) -> anyhow::Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM runs WHERE status IN ('running', 'waiting', 'paused') AND parent_run IS NULL ORDER BY created_at, id",
        )
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The run's summary: status, output and error.
    pub async fn summary(&self, run_id: &str) -> anyhow::Result<Option<(String, Option<String>, Option<String>)>> {
        Ok(sqlx::query_as("SELECT status, output, error FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// Every status a run can have, as the API and its summary row name them.
pub const RUN_STATUSES: [&str; 6] = ["running", "waiting", "paused", "succeeded", "failed", "cancelled"];

/// A run's status as its summary row and every API answer name it: one
/// function, so that listing runs by status finds what reading them shows.
pub fn status_name(state: &RunState) -> &'static str {
    match state.status {
        RunStatus::Succeeded => "succeeded",
        RunStatus::Failed => "failed",
        RunStatus::Cancelled => "cancelled",
        _ if state.paused => "paused",
        _ if !state.awaiting_decision().is_empty() => "waiting",
        RunStatus::Created | RunStatus::Running => "running",
    }
}

/// Whether a summary's status is one a run never leaves.
pub fn is_final_status(status: &str) -> bool {
    matches!(status, "succeeded" | "failed" | "cancelled")
}

/// What one step call logged: its lines and atom calls, and where it stands
/// in the run's logs (`cursor`, for paging).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct StepLog {
    pub cursor: i64,
    pub node: String,
    pub attempt: u32,
    #[schemars(with = "Vec<crate::atoms::LogLine>")]
    pub logs: Value,
    #[schemars(with = "Vec<LoggedAtomCall>")]
    pub atom_calls: Value,
}

/// An atom call a step made, as `StepLog::atom_calls` holds it (kept as JSON: this type only describes it).
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct LoggedAtomCall {
    atom: String,
    request: String,
    outcome: String,
}

impl StepLog {
    fn from_row((cursor, node, attempt, lines): (i64, String, i64, String)) -> StepLog {
        let mut record: Value = serde_json::from_str(&lines).unwrap_or(Value::Null);
        let mut take = |field: &str| record.get_mut(field).map(Value::take).unwrap_or_else(|| Value::Array(Vec::new()));
        let (logs, atom_calls) = (take("logs"), take("atom_calls"));
        StepLog { cursor, node, attempt: u32::try_from(attempt).unwrap_or(u32::MAX), logs, atom_calls }
    }
}

/// A run's summary row.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct RunSummary {
    pub id: String,
    pub tenant: String,
    pub flow: String,
    pub version: Option<i64>,
    #[schemars(extend("enum" = super::RUN_STATUSES))]
    pub status: String,
    pub output: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

type SummaryRow = (String, String, String, Option<i64>, String, Option<String>, Option<String>, String, String);

fn summary(row: SummaryRow) -> RunSummary {
    let (id, tenant, flow, version, status, output, error, created_at, updated_at) = row;
    let output = output.and_then(|o| serde_json::from_str(&o).ok());
    RunSummary { id, tenant, flow, version, status, output, error, created_at, updated_at }
}

/// Which runs [`RunStore::list_for`] shows. Instants are RFC 3339 with
/// milliseconds in UTC, as the store writes them (they compare as text).
#[derive(Debug, Default)]
pub struct RunFilter<'a> {
    pub flow: Option<&'a str>,
    pub status: Option<&'a str>,
    /// Created strictly before this instant.
    pub created_before: Option<&'a str>,
    /// Created at or after this instant.
    pub created_since: Option<&'a str>,
    /// After this run in the listing's order (`created_at`, `id`): the next page.
    pub after: Option<(&'a str, &'a str)>,
}

/// The statement listing `tenant`'s runs by `filter` and the text values it
/// binds, in order; the row limit is bound last. Only the conditions given
/// are in it, so each is a range on `runs_by_tenant` (tenant, created_at, id)
/// and a page starts where its cursor points instead of counting up to it.
fn list_query<'a>(tenant: &'a str, filter: &RunFilter<'a>) -> (String, Vec<&'a str>) {
    let mut conditions = vec!["tenant = $1".to_string(), "parent_run IS NULL".to_string()];
    let mut binds = vec![tenant];
    let mut bind = |value: &'a str| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(flow) = filter.flow {
        conditions.push(format!("flow_name = {}", bind(flow)));
    }
    if let Some(status) = filter.status {
        conditions.push(format!("status = {}", bind(status)));
    }
    if let Some(before) = filter.created_before {
        conditions.push(format!("created_at < {}", bind(before)));
    }
    if let Some(since) = filter.created_since {
        conditions.push(format!("created_at >= {}", bind(since)));
    }
    if let Some((created_at, id)) = filter.after {
        let (created_at, id) = (bind(created_at), bind(id));
        conditions.push(format!("(created_at, id) < ({created_at}, {id})"));
    }
    let limit = binds.len() + 1;
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM runs WHERE {} ORDER BY created_at DESC, id DESC LIMIT ${limit}",
        conditions.join(" AND ")
    );
    (sql, binds)
}

const SUMMARY_COLUMNS: &str = "id, tenant, flow_name, flow_version, status, output, error, created_at, updated_at";

impl RunStore {
    /// The latest runs, newest first.
    pub async fn list(&self, limit: u32) -> anyhow::Result<Vec<RunSummary>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs ORDER BY created_at DESC, id DESC LIMIT $1");
        let rows: Vec<SummaryRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(summary).collect())
    }

    /// A tenant's top-level runs that pass `filter`, newest first (by
    /// creation, then id: two runs made in the same millisecond keep an order).
    pub async fn list_for(&self, tenant: &str, filter: &RunFilter<'_>, limit: u32) -> anyhow::Result<Vec<RunSummary>> {
        let (sql, binds) = list_query(tenant, filter);
        let mut query = sqlx::query_as::<_, SummaryRow>(sqlx::AssertSqlSafe(sql));
        for value in binds {
            query = query.bind(value);
        }
        let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(summary).collect())
    }

    /// The events of a run after position `after` (all of them for `None`), in order, with their positions.
    pub async fn events_after(&self, run_id: &str, after: Option<u64>) -> anyhow::Result<Vec<(u64, Event)>> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, event FROM run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq")
                .bind(run_id)
                .bind(after.map_or(-1, |s| s as i64))
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(|(seq, text)| Ok((seq as u64, serde_json::from_str(&text)?))).collect()
    }

    /// How many times the run was continued from its log (`RunResumed`
    /// events) since a step of it last finished: how often in a row it
    /// stopped short of its next step.
    pub async fn resumptions_without_progress(&self, run_id: &str) -> anyhow::Result<u32> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM run_events WHERE run_id = $1 AND event LIKE '{\"type\":\"run_resumed\"%'
               AND seq > COALESCE((SELECT MAX(seq) FROM run_events WHERE run_id = $1 AND event LIKE '{\"type\":\"step_finished\"%'), -1)",
        )
        .bind(run_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// One run's summary row.
    pub async fn summary_of(&self, run_id: &str) -> anyhow::Result<Option<RunSummary>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE id = $1");
        let row: Option<SummaryRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(run_id).fetch_optional(&self.pool).await?;
        Ok(row.map(summary))
    }

    /// How many events the run's log holds, without reading them.
    pub async fn log_length(&self, run_id: &str) -> anyhow::Result<u64> {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM run_events WHERE run_id = $1")
            .bind(run_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(last.map_or(0, |seq| u64::try_from(seq).unwrap_or(0) + 1))
    }

    /// A page of a run's step logs, in the order they were written: each
    /// entry is one call's log lines and atom calls, with its cursor. With
    /// `node`, only that node's calls (and, for a foreach or batch, its items').
    pub async fn logs_page(
        &self,
        run_id: &str,
        node: Option<&str>,
        after: i64,
        limit: u32,
    ) -> anyhow::Result<Vec<StepLog>> {
        let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT rowid, node, attempt, lines FROM run_logs
             WHERE run_id = $1 AND rowid > $2 AND ($3 = '' OR node = $3 OR substr(node, 1, length($3) + 1) = $3 || '[')
             ORDER BY rowid LIMIT $4",
        )
        .bind(run_id)
        .bind(after)
        .bind(node.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(StepLog::from_row).collect())
    }

    /// The log written with event `seq` (a call of `node`, `attempt`), if the call logged anything.
    pub async fn log_of(&self, run_id: &str, seq: u64, node: &str, attempt: u32) -> anyhow::Result<Option<StepLog>> {
        let row: Option<(i64, String, i64, String)> =
            sqlx::query_as("SELECT rowid, node, attempt, lines FROM run_logs WHERE run_id = $1 AND seq = $2")
                .bind(run_id)
                .bind(i64::try_from(seq).unwrap_or(i64::MAX))
                .fetch_optional(&self.pool)
                .await?;
        if row.is_some() {
            return Ok(row.map(StepLog::from_row));
        }
        // An event from before logs knew their event (no later log of the run
        // has one already): the call's first log.
        let row: Option<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT rowid, node, attempt, lines FROM run_logs
             WHERE run_id = $1 AND node = $2 AND attempt = $3 AND seq IS NULL
               AND NOT EXISTS (SELECT 1 FROM run_logs WHERE run_id = $1 AND seq IS NOT NULL AND seq < $4)
             ORDER BY rowid LIMIT 1",
        )
        .bind(run_id)
        .bind(node)
        .bind(i64::from(attempt))
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(StepLog::from_row))
    }

    /// A run's summary, its events in order, and the logs and atom calls of each step call.
    pub async fn history(
        &self,
        run_id: &str,
    ) -> anyhow::Result<Option<(RunSummary, Vec<Event>, Vec<(String, u32, Value)>)>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE id = $1");
        let row: Option<SummaryRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(run_id).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let stored = self.load(run_id).await?.expect("the run exists");
        let logs: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT node, attempt, lines FROM run_logs WHERE run_id = $1 ORDER BY rowid")
                .bind(run_id)
                .fetch_all(&self.pool)
                .await?;
        let logs = logs
            .into_iter()
            .map(|(node, attempt, lines)| (node, attempt as u32, serde_json::from_str(&lines).unwrap_or(Value::Null)))
            .collect();
        Ok(Some((summary(row), stored.events, logs)))
    }
}

/// A write to a run's log found its place taken: someone else wrote to the
/// run meanwhile. Nothing was recorded; typed so that a caller can load the
/// run again and retry, or answer a conflict.
#[derive(Debug, thiserror::Error)]
#[error("run {0} was changed by another process meanwhile (is it still being run elsewhere?); nothing was recorded")]
pub struct RunChanged(pub String);

/// One process drives a run at a time; a second one finds its place in the log taken.
fn refuse_second_writer<T>(written: anyhow::Result<T>, run_id: &str) -> anyhow::Result<T> {
    match written {
        Err(error) if is_unique_violation(&error) => Err(RunChanged(run_id.to_string()).into()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::Db;
    use crate::store::test_backends;

    /// A scratch PostgreSQL database joined as cluster node `n1`, if the tests have PostgreSQL.
    async fn one_node_cluster() -> Option<(Db, Arc<Leases>)> {
        let db = Db::scratch_postgres(&crate::store::test_postgres_url()?).await.unwrap();
        let leases = db.join_cluster("n1", 60_000).await.unwrap();
        Some((db, leases))
    }

    /// A run of flow `f` in tenant `t` (text `{}`), as the tests here make them.
    fn new_run<'a>(id: &'a str, parent: Option<&'a str>, input: &'a Value) -> NewRun<'a> {
        NewRun { id, tenant: "t", flow_name: "f", version: None, flow_json: "{}", flow_hash: "h0", input, parent }
    }

    #[tokio::test]
    async fn a_second_writer_of_a_run_is_refused_and_changes_nothing() {
        for db in test_backends().await {
            let runs = db.runs();
            let first = Event::RunStarted { input: json!({}), run: json!({}), at_ms: 0 };
            let input = json!({});
            let new = new_run("r1", None, &input);
            runs.create(&new, &first).await.unwrap();
            let error = runs.append("r1", 0, &Event::RunResumed { at_ms: 1 }).await.unwrap_err();
            assert!(error.to_string().contains("run r1 was changed by another process meanwhile"), "{db:?}: {error}");
            assert_eq!(runs.load("r1").await.unwrap().unwrap().events, vec![first]);
            assert!(runs.create(&new, &Event::RunResumed { at_ms: 2 }).await.is_err());
            let two = [Event::RunResumed { at_ms: 3 }, Event::RunResumed { at_ms: 4 }];
            runs.append_all("r1", 1, &two).await.unwrap();
            assert!(
                runs.append_all("r1", 2, &two).await.unwrap_err().to_string().contains("changed by another process")
            );
            assert_eq!(runs.load("r1").await.unwrap().unwrap().events.len(), 3, "{db:?}: a refused batch adds nothing");
            assert_eq!(runs.resumptions_without_progress("r1").await.unwrap(), 2, "{db:?}");
            let finished = Event::StepFinished {
                node: "a".into(),
                attempt: 1,
                outcome: crate::engine::StepOutcome::Done { output: json!(1) },
                at_ms: 5,
            };
            runs.append_all("r1", 3, &[finished, Event::RunResumed { at_ms: 6 }]).await.unwrap();
            assert_eq!(runs.resumptions_without_progress("r1").await.unwrap(), 1, "{db:?}: counted since the step");
        }
    }

    #[tokio::test]
    async fn a_save_of_many_events_keeps_their_order_and_a_stale_fence_keeps_none_of_them() {
        // 70 events: three statements of at most 32 rows.
        let many: Vec<Event> = (0..70).map(|at_ms| Event::RunResumed { at_ms }).collect();
        let first = Event::RunStarted { input: json!({}), run: json!({}), at_ms: 0 };
        let input = json!({});
        for db in test_backends().await {
            let runs = db.runs();
            runs.create(&new_run("r", None, &input), &first).await.unwrap();
            runs.append_all("r", 1, &many).await.unwrap();
            let events = runs.load("r").await.unwrap().unwrap().events;
            assert_eq!(events[1..], many[..], "{db:?}");
            let taken = runs.append_all("r", 60, &many).await.unwrap_err();
            assert!(taken.to_string().contains("changed by another process"), "{db:?}: {taken}");
            assert_eq!(runs.load("r").await.unwrap().unwrap().events.len(), 71, "{db:?}: a refused save adds nothing");
            // A place taken in the save's second statement undoes its first.
            let planted = serde_json::to_string(&Event::RunResumed { at_ms: 0 }).unwrap();
            sqlx::query("INSERT INTO run_events (run_id, seq, event) VALUES ('r', 111, $1)")
                .bind(&planted)
                .execute(db.pool())
                .await
                .unwrap();
            let taken = runs.append_all("r", 71, &many).await.unwrap_err();
            assert!(taken.to_string().contains("changed by another process"), "{db:?}: {taken}");
            let (kept,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM run_events WHERE run_id = 'r' AND seq BETWEEN 71 AND 110")
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            assert_eq!(kept, 0, "{db:?}: the first 32 rows went with the refused second statement");
        }
        let Some((db, _leases)) = one_node_cluster().await else { return };
        let runs = db.runs();
        runs.create(&new_run("f", None, &input), &first).await.unwrap();
        runs.append_all("f", 1, &many[..40]).await.unwrap();
        sqlx::query("UPDATE run_leases SET node = 'n2', fence = fence + 1 WHERE run_id = 'f'")
            .execute(db.pool())
            .await
            .unwrap();
        let refused = runs.append_all("f", 41, &many).await.unwrap_err();
        assert!(crate::store::is_lease_lost(&refused), "{refused:#}");
        assert_eq!(runs.load("f").await.unwrap().unwrap().events.len(), 41, "nothing written past the lost lease");
    }

    #[tokio::test]
    async fn in_a_cluster_only_the_node_holding_the_parent_s_lease_starts_a_child_run() {
        let Some((db, leases)) = one_node_cluster().await else { return };
        let runs = db.runs();
        let input = json!({});
        let new = |id, parent| new_run(id, parent, &input);
        let first = Event::RunStarted { input: json!({}), run: json!({}), at_ms: 0 };
        runs.create(&new("p", None), &first).await.unwrap();
        runs.create(&new("c1", Some("p")), &first).await.unwrap();

        // Another node took the parent over (this one was frozen past its lease, say).
        sqlx::query("UPDATE run_leases SET node = 'n2', fence = fence + 1 WHERE run_id = 'p'")
            .execute(db.pool())
            .await
            .unwrap();
        let refused = runs.create(&new("c2", Some("p")), &first).await.unwrap_err();
        assert!(crate::store::is_lease_lost(&refused), "{refused:#}");
        // The parent ended here, its lease let go: no child starts after it either.
        runs.create(&new("q", None), &first).await.unwrap();
        leases.forget("q");
        let refused = runs.create(&new("c3", Some("q")), &first).await.unwrap_err();
        assert!(crate::store::is_lease_lost(&refused), "{refused:#}");

        let (created,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM runs WHERE id IN ('c2', 'c3')").fetch_one(db.pool()).await.unwrap();
        let (leased,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM run_leases WHERE run_id IN ('c2', 'c3')")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!((created, leased), (0, 0), "a refused child leaves no run and no lease");
        assert!(runs.load("c1").await.unwrap().is_some(), "the child started under the lease exists");
    }

    #[tokio::test]
    async fn a_parent_parked_on_a_child_run_is_claimable_once_the_child_ends_told_or_not() {
        let Some((db, leases)) = one_node_cluster().await else { return };
        let runs = db.runs();
        let input = json!({});
        let first = Event::RunStarted { input: json!({}), run: json!({}), at_ms: 0 };
        let ended = RunState { status: RunStatus::Succeeded, output: Some(json!({})), ..RunState::new(0) };
        let end = async |id: &str| runs.finish(id, 1, &[Event::RunResumed { at_ms: 1 }], &ended).await.unwrap();
        for (parent, child) in [("p1", "c1"), ("p2", "c2"), ("p3", "c3"), ("p4", "c4")] {
            runs.create(&new_run(parent, None, &input), &first).await.unwrap();
            runs.create(&new_run(child, Some(parent), &input), &first).await.unwrap();
        }
        let claimable = async || {
            let mut claimed = leases.claim_expired(10).await.unwrap();
            claimed.sort();
            claimed
        };
        let never = Some(u64::MAX);

        // Parked first, its child ending after (no notice sent to it).
        leases.park("p1", never, vec!["c1".into()]).await.unwrap();
        assert_eq!(claimable().await, Vec::<String>::new(), "nothing has ended yet");
        end("c1").await;
        // The child ended first, its parent parking after.
        end("c2").await;
        leases.park("p2", never, vec!["c2".into()]).await.unwrap();
        // A child that goes on leaves its parent parked.
        leases.park("p3", never, vec!["c3".into()]).await.unwrap();
        // A parent that collected its ended child and parks again for something else.
        end("c4").await;
        leases.park("p4", never, vec![]).await.unwrap();
        assert_eq!(claimable().await, ["p1", "p2"], "the parents whose children ended, and only those");

        // Parked again (claimed, the child's outcome collected): nothing to wake it for.
        leases.note_held("p1", 2);
        leases.park("p1", never, vec![]).await.unwrap();
        assert_eq!(claimable().await, Vec::<String>::new());
        // A parent's end takes its list with its lease.
        leases.note_held("p3", 1);
        sqlx::query("UPDATE run_leases SET node = 'n1' WHERE run_id = 'p3'").execute(db.pool()).await.unwrap();
        end("p3").await;
        let (left,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM run_waits WHERE parent = 'p3'").fetch_one(db.pool()).await.unwrap();
        assert_eq!(left, 0);
    }

    #[tokio::test]
    async fn a_finished_run_reads_back_the_same_on_every_backend() {
        for db in test_backends().await {
            let runs = db.runs();
            let input = json!({"n": 1});
            for (id, parent) in [("p", None), ("c", Some("p"))] {
                let new = NewRun { version: Some(3), ..new_run(id, parent, &input) };
                runs.create(&new, &Event::RunStarted { input: input.clone(), run: json!({}), at_ms: 0 }).await.unwrap();
            }
            let step = StepResult {
                event: Event::RunResumed { at_ms: 1 },
                kv: None,
                logs: Some(("a".into(), 1, json!(["hello"]))),
            };
            runs.append_step_result("p", 1, step, |_| unreachable!("no kv writes")).await.unwrap();
            let state =
                RunState { status: RunStatus::Succeeded, output: Some(json!({"ok": true})), ..RunState::new(0) };
            runs.finish("p", 2, &[Event::RunResumed { at_ms: 2 }], &state).await.unwrap();

            let summary = runs.summary_of("p").await.unwrap().unwrap();
            assert_eq!(
                (summary.status.as_str(), summary.version, summary.output),
                ("succeeded", Some(3), Some(json!({"ok": true}))),
                "{db:?}"
            );
            assert_eq!(
                runs.events_after("p", Some(0)).await.unwrap().iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
                [1, 2]
            );
            let (_, events, logs) = runs.history("p").await.unwrap().unwrap();
            assert_eq!((events.len(), logs), (3, vec![("a".to_string(), 1, json!(["hello"]))]), "{db:?}");
            assert_eq!(
                runs.unfinished().await.unwrap(),
                Vec::<String>::new(),
                "{db:?}: the child is its parent's to continue"
            );
            let filter = RunFilter { flow: Some("f"), status: Some("succeeded"), ..RunFilter::default() };
            let listed = runs.list_for("t", &filter, 10).await.unwrap();
            assert_eq!(listed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["p"], "{db:?}: top-level runs only");
            assert_eq!(
                runs.count_by_status().await.unwrap(),
                [("running".to_string(), 1), ("succeeded".to_string(), 1)]
            );
        }
    }

    #[tokio::test]
    async fn runs_of_one_flow_share_its_text_and_older_runs_keep_their_copy() {
        for db in test_backends().await {
            let runs = db.runs();
            let input = json!({});
            let first = Event::RunStarted { input: input.clone(), run: json!({}), at_ms: 0 };
            for id in ["a", "b"] {
                let new = NewRun { flow_json: r#"{"name":"f"}"#, flow_hash: "hf", ..new_run(id, None, &input) };
                runs.create(&new, &first).await.unwrap();
            }
            let texts: Vec<(String,)> =
                sqlx::query_as("SELECT flow_json FROM flow_texts").fetch_all(db.pool()).await.unwrap();
            assert_eq!(texts, [(r#"{"name":"f"}"#.to_string(),)], "{db:?}: one copy for both runs");
            // A run stored before texts were shared: its copy is in its own row.
            sqlx::query("INSERT INTO runs (id, tenant, flow_name, flow_json, input, status, created_at, updated_at) VALUES ('old', 't', 'f', '{\"name\":\"old\"}', '{}', 'running', 'x', 'x')")
                .execute(db.pool())
                .await
                .unwrap();
            for (id, text) in [("a", r#"{"name":"f"}"#), ("b", r#"{"name":"f"}"#), ("old", r#"{"name":"old"}"#)] {
                assert_eq!(runs.load(id).await.unwrap().unwrap().flow_json, text, "{db:?}: {id}");
            }
        }
    }

    #[tokio::test]
    async fn paging_keeps_runs_made_in_the_same_millisecond() {
        for db in test_backends().await {
            let runs = db.runs();
            for (id, created_at) in [
                ("r1", "2026-12-03T06:00:00.001Z"),
                ("r2", "2026-12-03T06:00:00.002Z"),
                ("r3", "2026-12-03T06:00:00.002Z"),
                ("r4", "2026-12-03T06:00:00.003Z"),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO runs (id, tenant, flow_name, flow_json, input, status, created_at, updated_at) VALUES ('{id}', 't', 'f', '{{}}', '{{}}', 'succeeded', '{created_at}', '{created_at}')"
                )))
                .execute(db.pool())
                .await
                .unwrap();
            }
            let (mut seen, mut after) = (Vec::new(), None::<(String, String)>);
            loop {
                let filter =
                    RunFilter { after: after.as_ref().map(|(c, i)| (c.as_str(), i.as_str())), ..RunFilter::default() };
                let Some(run) = runs.list_for("t", &filter, 1).await.unwrap().pop() else { break };
                after = Some((run.created_at.clone(), run.id.clone()));
                seen.push(run.id);
            }
            assert_eq!(seen, ["r4", "r3", "r2", "r1"], "{db:?}: every run once, newest first");
            let window = RunFilter {
                created_since: Some("2026-12-03T06:00:00.002Z"),
                created_before: Some("2026-12-03T06:00:00.003Z"),
                ..RunFilter::default()
            };
            let ids: Vec<String> = runs.list_for("t", &window, 10).await.unwrap().into_iter().map(|r| r.id).collect();
            assert_eq!(ids, ["r3", "r2"], "{db:?}: since is inclusive, before is not");
        }
    }

    #[tokio::test]
    async fn a_page_of_the_runs_list_is_read_from_the_tenants_index_without_sorting() {
        let db = Db::scratch().await.unwrap();
        let filter = RunFilter {
            flow: Some("f"),
            created_since: Some("2026-01-01T00:00:00.000Z"),
            after: Some(("2026-12-03T06:00:00.002Z", "r3")),
            ..RunFilter::default()
        };
        for filter in [RunFilter::default(), filter] {
            let (sql, binds) = list_query("t", &filter);
            let mut explain =
                sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
            for value in binds {
                explain = explain.bind(value);
            }
            let plan: Vec<String> =
                explain.bind(10i64).fetch_all(db.pool()).await.unwrap().into_iter().map(|row| row.3).collect();
            let plan = plan.join("; ");
            assert!(plan.contains("USING INDEX runs_by_tenant"), "{filter:?}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{filter:?}: sorted instead of read in order: {plan}");
        }
    }
}
