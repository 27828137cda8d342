//! In a cluster: which node holds each agent's connection, the tasks a node
//! sends through another node to the agents connected there, and what their
//! scripts print on its way back to the node whose step looks at the job.
//! A link counts only while its node is alive (`cluster_nodes`), so the
//! agents of a node that died are nowhere until they connect again.

use std::collections::HashMap;

use sqlx::AnyPool;

use super::leases::now_ms;

/// Relayed output nobody took for this long (its step was cancelled, say) is removed.
const OUTPUT_KEPT_MS: u64 = 3600 * 1000;

/// The relayed output kept per host of a job between two looks, in characters.
const OUTPUT_KEPT_CHARS: i32 = 16 << 10;

/// How long past its last heartbeat a node's relays wait for it before they
/// are taken as orphans (the node died before taking them).
const ORPHANED_AFTER_MS: u64 = 10_000;

/// A link counts only if its connection's credential is its agent's (not
/// revoked, not replaced) and its node is alive — or is the asking node
/// (`$2`), whose own connections count even when its heartbeat is late.
const LIVE_LINK: &str = "JOIN cluster_nodes n ON n.id = l.node
     JOIN agents a ON a.tenant = l.tenant AND a.id = l.agent AND a.credential_sha256 = l.credential
     WHERE ((n.expires_ms >= $1 AND n.stopped = 0) OR l.node = $2) AND a.revoked_at IS NULL";

/// The database's clock in milliseconds, the same for every node (PostgreSQL's: only clusters link).
const DATABASE_NOW_MS: &str = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

/// The links and relays of one node of a cluster.
#[derive(Debug, Clone)]
pub struct AgentLinks {
    pool: AnyPool,
    node: String,
}

/// Output of one host a node relayed: (tenant, job, host, text, bytes not kept).
pub type RelayedOutput = (String, String, String, String, u64);

impl AgentLinks {
    pub(super) fn new(pool: AnyPool, node: String) -> AgentLinks {
        AgentLinks { pool, node }
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Agent `agent` of `tenant` is connected here now (its connection
    /// `generation` of this node, opened with the credential whose hash is
    /// `credential`), wherever it was before.
    pub async fn link(&self, tenant: &str, agent: &str, generation: u64, credential: &str) -> anyhow::Result<()> {
        let newer = "DO UPDATE SET node = excluded.node, generation = excluded.generation,
                 credential = excluded.credential, linked_ms = excluded.linked_ms
             WHERE agent_links.linked_ms <= excluded.linked_ms";
        self.insert_link(tenant, agent, generation, credential, newer).await
    }

    /// As [`Self::link`], only if the agent has no link at all (one lost to
    /// a race between two nodes' writes): what a node asserts again of its
    /// connections from time to time.
    pub async fn relink_missing(
        &self,
        tenant: &str,
        agent: &str,
        generation: u64,
        credential: &str,
    ) -> anyhow::Result<()> {
        self.insert_link(tenant, agent, generation, credential, "DO NOTHING").await
    }

    /// Record this node's link, doing `on_conflict` to one the agent has already.
    async fn insert_link(
        &self,
        tenant: &str,
        agent: &str,
        generation: u64,
        credential: &str,
        on_conflict: &str,
    ) -> anyhow::Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO agent_links (tenant, agent, node, generation, credential, linked_ms)
             VALUES ($1, $2, $3, $4, $5, {DATABASE_NOW_MS}) ON CONFLICT (tenant, agent) {on_conflict}"
        )))
        .bind(tenant)
        .bind(agent)
        .bind(&self.node)
        .bind(generation as i64)
        .bind(credential)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The connection `generation` of this node ended, unless the agent connected again since.
    pub async fn unlink(&self, tenant: &str, agent: &str, generation: u64) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM agent_links WHERE tenant = $1 AND agent = $2 AND node = $3 AND generation = $4")
            .bind(tenant)
            .bind(agent)
            .bind(&self.node)
            .bind(generation as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The live node agent `agent` of `tenant` is connected to, if any.
    pub async fn node_of(&self, tenant: &str, agent: &str) -> anyhow::Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT l.node FROM agent_links l {LIVE_LINK} AND l.tenant = $3 AND l.agent = $4"
        )))
        .bind(now_ms() as i64)
        .bind(&self.node)
        .bind(tenant)
        .bind(agent)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(node,)| node))
    }

    /// The live node each connected agent of `tenant` is connected to, by agent.
    pub async fn nodes_of_tenant(&self, tenant: &str) -> anyhow::Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT l.agent, l.node FROM agent_links l {LIVE_LINK} AND l.tenant = $3"
        )))
        .bind(now_ms() as i64)
        .bind(&self.node)
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Every other node that may be running: not stopped, and beating
    /// until lately (a node whose heartbeat is late may still hold connections).
    pub async fn other_nodes(&self) -> anyhow::Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM cluster_nodes WHERE id <> $1 AND expires_ms >= $2 AND stopped = 0")
                .bind(&self.node)
                .bind(now_ms().saturating_sub(ORPHANED_AFTER_MS) as i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Send `tasks` (JSON) to node `node`, for agents connected there.
    pub async fn relay(&self, node: &str, tasks: &str) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO agent_relays (id, node, tasks, created_ms) VALUES ($1, $2, $3, $4)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(node)
            .bind(tasks)
            .bind(now_ms() as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Take what other nodes relayed to this one, oldest first.
    pub async fn take_relayed(&self) -> anyhow::Result<Vec<String>> {
        let mut rows: Vec<(String, String)> =
            sqlx::query_as("DELETE FROM agent_relays WHERE node = $1 RETURNING id, tasks")
                .bind(&self.node)
                .fetch_all(&self.pool)
                .await?;
        rows.sort();
        Ok(rows.into_iter().map(|(_, tasks)| tasks).collect())
    }

    /// Take the relays addressed to nodes that stopped beating a while ago
    /// (they died before taking them): (node, tasks), oldest first.
    pub async fn take_orphaned(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut rows: Vec<(String, String, String)> = sqlx::query_as(
            "DELETE FROM agent_relays WHERE NOT EXISTS (SELECT 1 FROM cluster_nodes n
                 WHERE n.id = agent_relays.node AND n.expires_ms >= $1 AND n.stopped = 0)
             RETURNING id, node, tasks",
        )
        .bind(now_ms().saturating_sub(ORPHANED_AFTER_MS) as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.sort();
        Ok(rows.into_iter().map(|(_, node, tasks)| (node, tasks)).collect())
    }

    /// Keep what scripts of agents connected here printed, for the node
    /// whose step looks: per host, the last 16 Ki characters since its last
    /// look, and how many did not fit. Only a cluster, so only PostgreSQL,
    /// runs this (`right`, `GREATEST`).
    pub async fn put_output(&self, output: &[RelayedOutput]) -> anyhow::Result<()> {
        if output.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        let now = now_ms() as i64;
        for (tenant, job, host, text, skipped) in output {
            // PostgreSQL's text holds no NUL; what a script printed is shown without them.
            let text = text.replace('\0', "");
            sqlx::query(
                "INSERT INTO job_output (tenant, job, host, text, skipped, updated_ms)
                 VALUES ($1, $2, $3, right($4, $7), $5 + GREATEST(char_length($4) - $7, 0), $6)
                 ON CONFLICT (tenant, job, host) DO UPDATE SET
                     text = right(job_output.text || excluded.text, $7),
                     skipped = job_output.skipped + $5
                         + GREATEST(char_length(job_output.text) + char_length($4) - $7, 0),
                     updated_ms = excluded.updated_ms",
            )
            .bind(tenant)
            .bind(job)
            .bind(host)
            .bind(&text)
            .bind(i64::try_from(*skipped).unwrap_or(i64::MAX).min(1 << 50))
            .bind(now)
            .bind(OUTPUT_KEPT_CHARS)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM job_output WHERE updated_ms < $1")
            .bind(now - OUTPUT_KEPT_MS as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Take what other nodes kept of `job`'s output: (host, text, bytes not kept).
    pub async fn take_output(&self, tenant: &str, job: &str) -> anyhow::Result<Vec<(String, String, u64)>> {
        let mut rows: Vec<(String, String, i64)> =
            sqlx::query_as("DELETE FROM job_output WHERE tenant = $1 AND job = $2 RETURNING host, text, skipped")
                .bind(tenant)
                .bind(job)
                .fetch_all(&self.pool)
                .await?;
        rows.sort();
        Ok(rows.into_iter().map(|(host, text, skipped)| (host, text, skipped.max(0) as u64)).collect())
    }
}
