//! Run leases, for many nodes on one PostgreSQL database: a run is driven by
//! the node holding its lease. A lease lives as long as its node's heartbeat
//! — one row per node, renewed a few times per lease lifetime, so renewing
//! never waits on the runs' rows. When a node stops beating (it died, froze
//! or lost the network), its leases are claimed by other nodes, which
//! continue the runs from their logs.
//!
//! Fencing: every write to a run's log checks, in its own transaction, that
//! the lease row still names this node with the fence number it got
//! ([`check_fence`]). That check updates the row, so it holds the row's lock
//! until the write commits: a node taking the lease over waits for the
//! write, and reads the log after it. A node that lost its lease — even one
//! frozen past its expiry and thawed — has its next write refused.
//!
//! Only a server on PostgreSQL joins a cluster; on SQLite (one node per
//! database) nothing here is used and writes are not fenced.

use std::collections::HashMap;
use std::sync::Mutex;

use sqlx::AnyPool;

use super::writer::Tx;

/// Milliseconds since the Unix epoch.
pub(super) fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The leases this node holds, and how to take, renew and give them up.
#[derive(Debug)]
pub struct Leases {
    pool: AnyPool,
    node: String,
    ttl_ms: u64,
    /// The leases this node holds, by run id.
    held: Mutex<HashMap<String, Held>>,
    /// When the last heartbeat was written (ms since the epoch), for `/readyz`.
    last_beat_ms: std::sync::atomic::AtomicU64,
    /// Taken while a lease is fetched from the database: two tasks of this
    /// node taking one run's lease at once would each bump its fence and
    /// refuse the other's writes.
    taking: tokio::sync::Mutex<()>,
    /// Releases the database refused (it was unreachable, say), tried again
    /// with each heartbeat: until one goes through, the run's row names this
    /// live node, so no other node would ever continue the run.
    unreleased: Mutex<Vec<Release>>,
}

/// Letting one run's lease go: the row is deleted (`until_ms: None`), or
/// left to no node, claimable by any from `until_ms` on — at once if one of
/// the child runs it `waits_on` has ended.
#[derive(Debug, Clone)]
struct Release {
    run_id: String,
    fence: i64,
    until_ms: Option<u64>,
    waits_on: Vec<String>,
}

/// A lease this node holds: its fence number, and how many of this
/// process's tasks use it (a run's loop, an operator's event being recorded
/// beside it); the row is let go when the last of them lets go.
#[derive(Debug, Clone, Copy)]
struct Held {
    fence: i64,
    users: u32,
}

/// A run's lease is held by another node that is alive.
#[derive(Debug, thiserror::Error)]
#[error("run {run} is being driven by node {node}")]
pub struct HeldElsewhere {
    pub run: String,
    pub node: String,
}

/// This node no longer holds the run's lease: another node took it over, so
/// nothing more may be written to the run from here.
#[derive(Debug, thiserror::Error)]
#[error("this node lost its lease on run {0}: another node drives it now, and this write was refused")]
pub struct LeaseLost(pub String);

/// Whether `error` is (or wraps) a [`LeaseLost`].
pub fn is_lease_lost(error: &anyhow::Error) -> bool {
    error.chain().any(|e| e.is::<LeaseLost>())
}

/// The lease a write to a run carries: the node and its fence number.
pub(super) type Fence = Option<(String, i64)>;

/// Refuse the write (with [`LeaseLost`]) unless `fence` still holds the run's
/// lease. Part of the write's transaction; holds the lease row's lock until
/// it commits.
pub(super) fn check_fence(tx: &mut dyn Tx, run_id: &str, fence: &Fence) -> anyhow::Result<()> {
    let Some((node, number)) = fence else { return Ok(()) };
    let held = tx.execute(
        "UPDATE run_leases SET fence = fence WHERE run_id = $1 AND node = $2 AND fence = $3",
        &[run_id.into(), node.into(), (*number).into()],
    )?;
    if held == 0 {
        return Err(LeaseLost(run_id.to_string()).into());
    }
    Ok(())
}

impl Leases {
    pub(super) fn new(pool: AnyPool, node: String, ttl_ms: u64) -> Leases {
        Leases {
            pool,
            node,
            ttl_ms,
            held: Mutex::new(HashMap::new()),
            last_beat_ms: std::sync::atomic::AtomicU64::new(now_ms()),
            taking: tokio::sync::Mutex::new(()),
            unreleased: Mutex::new(Vec::new()),
        }
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    pub fn ttl_ms(&self) -> u64 {
        self.ttl_ms
    }

    fn expiry(&self) -> i64 {
        (now_ms() + self.ttl_ms) as i64
    }

    /// The fence a write to `run_id` carries: this node's lease on it.
    pub(super) fn fence(&self, run_id: &str) -> anyhow::Result<Fence> {
        match self.held.lock().expect("leases lock").get(run_id) {
            Some(held) => Ok(Some((self.node.clone(), held.fence))),
            None => Err(LeaseLost(run_id.to_string()).into()),
        }
    }

    /// A new run's lease, taken in the transaction that creates the run.
    pub(super) fn take_new(&self, tx: &mut dyn Tx, run_id: &str) -> anyhow::Result<()> {
        tx.execute(
            "INSERT INTO run_leases (run_id, node, fence, expires_ms) VALUES ($1, $2, 1, 0)",
            &[run_id.into(), (&self.node).into()],
        )?;
        Ok(())
    }

    /// Note a lease taken in a transaction that has committed, with one user.
    pub(super) fn note_held(&self, run_id: &str, fence: i64) {
        self.held.lock().expect("leases lock").insert(run_id.to_string(), Held { fence, users: 1 });
    }

    /// Forget a lease whose row is gone (the run ended) or was taken over.
    pub fn forget(&self, run_id: &str) {
        self.held.lock().expect("leases lock").remove(run_id);
    }

    /// Take `run_id`'s lease if nobody else holds a live one: no row, a row
    /// of nobody (a parked run), this node's own, or an expired one. Every
    /// successful `acquire` is matched by one [`release`](Self::release).
    /// One more user of a lease this node holds already.
    pub async fn acquire(&self, run_id: &str) -> anyhow::Result<()> {
        let _taking = self.taking.lock().await;
        if let Some(held) = self.held.lock().expect("leases lock").get_mut(run_id) {
            held.users += 1;
            return Ok(());
        }
        let now = now_ms() as i64;
        let fence: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO run_leases (run_id, node, fence, expires_ms) VALUES ($1, $2, 1, 0)
             ON CONFLICT (run_id) DO UPDATE SET node = $2, fence = run_leases.fence + 1, expires_ms = 0
             WHERE run_leases.node = '' OR run_leases.node = $2
                OR NOT EXISTS (SELECT 1 FROM cluster_nodes n WHERE n.id = run_leases.node AND n.expires_ms >= $3 AND n.stopped = 0)
             RETURNING fence",
        )
        .bind(run_id)
        .bind(&self.node)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        match fence {
            Some((fence,)) => {
                self.note_held(run_id, fence);
                Ok(())
            }
            None => {
                let node = self.holder(run_id).await?.unwrap_or_default();
                Err(HeldElsewhere { run: run_id.to_string(), node }.into())
            }
        }
    }

    /// The node holding a live lease on `run_id`, if any.
    pub async fn holder(&self, run_id: &str) -> anyhow::Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT l.node FROM run_leases l JOIN cluster_nodes n ON n.id = l.node
             WHERE l.run_id = $1 AND n.expires_ms >= $2 AND n.stopped = 0",
        )
        .bind(run_id)
        .bind(now_ms() as i64)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(node,)| node))
    }

    /// Give up one use of `run_id`'s lease; with the last, the lease (the run
    /// stopped here). With `until_ms`, the run stays claimable by any node
    /// from then on (an approval's timeout, a retry after an error). A release
    /// the database refuses is kept and tried again by [`retry_releases`](Self::retry_releases).
    pub async fn release(&self, run_id: &str, until_ms: Option<u64>) -> anyhow::Result<()> {
        self.park(run_id, until_ms, Vec::new()).await
    }

    /// [`release`](Self::release) a run that waits on the child runs
    /// `waits_on` (their ids), which are recorded with its parked lease: the
    /// run is claimable as soon as one of them has ended ([`claim_expired`](Self::claim_expired)),
    /// whether or not its parent was told.
    pub async fn park(&self, run_id: &str, until_ms: Option<u64>, waits_on: Vec<String>) -> anyhow::Result<()> {
        let fence = {
            let mut held = self.held.lock().expect("leases lock");
            let Some(lease) = held.get_mut(run_id) else { return Ok(()) };
            lease.users -= 1;
            if lease.users > 0 {
                return Ok(()); // another task of this node still works on the run
            }
            held.remove(run_id).map(|lease| lease.fence).unwrap_or_default()
        };
        let release = Release { run_id: run_id.to_string(), fence, until_ms, waits_on };
        let written = self.write_release(&release).await;
        if written.is_err() {
            self.unreleased.lock().expect("leases lock").push(release);
        }
        written
    }

    /// Try again the releases the database refused; how many are still owed.
    pub async fn retry_releases(&self) -> usize {
        let owed = std::mem::take(&mut *self.unreleased.lock().expect("leases lock"));
        let mut still = Vec::new();
        for release in owed {
            if let Err(error) = self.write_release(&release).await {
                tracing::debug!(run = %release.run_id, "letting the run's lease go failed again: {error:#}");
                still.push(release);
            }
        }
        let mut unreleased = self.unreleased.lock().expect("leases lock");
        unreleased.extend(still);
        unreleased.len()
    }

    /// Let the row go, if it is still this lease's: a node that took the run
    /// (this one included) since then bumped its fence, and keeps it.
    async fn write_release(&self, release: &Release) -> anyhow::Result<()> {
        let Some(due) = release.until_ms else {
            sqlx::query("DELETE FROM run_leases WHERE run_id = $1 AND node = $2 AND fence = $3")
                .bind(&release.run_id)
                .bind(&self.node)
                .bind(release.fence)
                .execute(&self.pool)
                .await?;
            return Ok(());
        };
        self.write_parking(release, due).await
    }

    /// Park a run, with the child runs it waits on in place of those it
    /// waited on before (none: the list is emptied), if the lease is still
    /// this one.
    async fn write_parking(&self, release: &Release, due: u64) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        let parked = sqlx::query(
            "UPDATE run_leases SET node = '', expires_ms = $4 WHERE run_id = $1 AND node = $2 AND fence = $3",
        )
        .bind(&release.run_id)
        .bind(&self.node)
        .bind(release.fence)
        .bind(due.min(i64::MAX as u64) as i64)
        .execute(&mut *tx)
        .await?;
        if parked.rows_affected() == 0 {
            return Ok(()); // taken over meanwhile: the new holder decides
        }
        sqlx::query("DELETE FROM run_waits WHERE parent = $1").bind(&release.run_id).execute(&mut *tx).await?;
        if !release.waits_on.is_empty() {
            // One statement however many (a foreach of subflow calls may wait on hundreds).
            sqlx::query(
                "INSERT INTO run_waits (parent, child) SELECT $1, value FROM json_array_elements_text($2::json)",
            )
            .bind(&release.run_id)
            .bind(serde_json::to_string(&release.waits_on)?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Record that this node is alive, which renews every lease it holds.
    pub async fn heartbeat(&self) -> anyhow::Result<()> {
        let now = now_ms() as i64;
        sqlx::query(
            "INSERT INTO cluster_nodes (id, started_at, heartbeat_ms, expires_ms, stopped) VALUES ($1, $2, $3, $4, 0)
             ON CONFLICT (id) DO UPDATE SET heartbeat_ms = $3, expires_ms = $4",
        )
        .bind(&self.node)
        .bind(super::now_rfc3339())
        .bind(now)
        .bind(self.expiry())
        .execute(&self.pool)
        .await?;
        self.last_beat_ms.store(now as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Whether the last heartbeat is recent enough that this node's leases still stand.
    pub fn heartbeat_fresh(&self) -> bool {
        now_ms().saturating_sub(self.last_beat_ms.load(std::sync::atomic::Ordering::Relaxed)) < self.ttl_ms
    }

    /// How many leases this node holds.
    pub fn held_count(&self) -> usize {
        self.held.lock().expect("leases lock").len()
    }

    /// Take over up to `limit` expired leases — and parked runs that are due
    /// or one of whose awaited child runs has ended — of runs that are this node's
    /// to continue (the rows name this node; whoever continues a run takes
    /// its lease with [`acquire`](Self::acquire)): top-level runs, and child runs whose parent is not being
    /// driven (a parent being driven continues its children itself). Rows
    /// another node is claiming at the same moment are skipped, not waited
    /// for (`SKIP LOCKED`, which only PostgreSQL has: clusters run on it alone).
    pub async fn claim_expired(&self, limit: i64) -> anyhow::Result<Vec<String>> {
        let now = now_ms() as i64;
        let mut tx = self.pool.begin().await?;
        let candidates: Vec<(String,)> = sqlx::query_as(
            "SELECT l.run_id FROM run_leases l JOIN runs r ON r.id = l.run_id LEFT JOIN cluster_nodes n ON n.id = l.node
             WHERE ((l.node = '' AND (l.expires_ms < $1 OR l.run_id IN (SELECT w.parent FROM run_waits w JOIN runs c ON c.id = w.child
                                       WHERE c.status IN ('succeeded', 'failed', 'cancelled'))))
                    OR (l.node NOT IN ('', $3) AND (n.id IS NULL OR n.expires_ms < $1 OR n.stopped = 1)))
               AND (l.node = '' OR r.parent_run IS NULL
                    OR NOT EXISTS (SELECT 1 FROM run_leases p WHERE p.run_id = r.parent_run AND p.node <> ''))
             ORDER BY l.run_id LIMIT $2 FOR UPDATE OF l SKIP LOCKED",
        )
        .bind(now)
        .bind(limit)
        .bind(&self.node)
        .fetch_all(&mut *tx)
        .await?;
        // The row locked may be a newer version than the one the select saw
        // (another node claimed it and committed meanwhile): the update checks
        // the claim's condition again, on the row as it is now.
        let mut claimed = Vec::new();
        for (run_id,) in candidates {
            let taken = sqlx::query(
                "UPDATE run_leases SET node = $2, fence = fence + 1, expires_ms = 0
                 WHERE run_id = $1 AND ((node = '' AND (expires_ms < $3 OR EXISTS (SELECT 1 FROM run_waits w JOIN runs c ON c.id = w.child
                                              WHERE w.parent = $1 AND c.status IN ('succeeded', 'failed', 'cancelled'))))
                    OR (node NOT IN ('', $2) AND NOT EXISTS
                        (SELECT 1 FROM cluster_nodes n WHERE n.id = run_leases.node AND n.expires_ms >= $3 AND n.stopped = 0)))",
            )
            .bind(&run_id)
            .bind(&self.node)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() == 1 {
                claimed.push(run_id);
            }
        }
        tx.commit().await?;
        for run_id in &claimed {
            // Whatever this node still kept of the run is older than the claim.
            self.forget(run_id);
        }
        Ok(claimed)
    }

    /// Stopping: hand every lease back at once (the node recorded as
    /// stopped, so another node claims them without waiting for the expiry).
    pub async fn hand_back(&self) -> anyhow::Result<()> {
        sqlx::query("UPDATE cluster_nodes SET stopped = 1 WHERE id = $1").bind(&self.node).execute(&self.pool).await?;
        Ok(())
    }

    /// Runs not finished and held by nobody alive: what a starting node takes up.
    pub async fn unheld_unfinished(&self) -> anyhow::Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT r.id FROM runs r LEFT JOIN run_leases l ON l.run_id = r.id LEFT JOIN cluster_nodes n ON n.id = l.node
             WHERE r.status IN ('running', 'waiting', 'paused') AND r.parent_run IS NULL
               AND (l.run_id IS NULL OR l.node = '' OR n.id IS NULL OR n.expires_ms < $1 OR n.stopped = 1)
             ORDER BY r.created_at, r.id",
        )
        .bind(now_ms() as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
