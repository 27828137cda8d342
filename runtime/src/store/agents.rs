//! Agents of each tenant: enrolment tokens (sha256 only; shown once when
//! made), the agents that enrolled (their credential as sha256, revocable),
//! and jobs — scripts on hosts — with one row per host for its outcome.

use std::collections::BTreeMap;

use super::Db;
use super::identity::{new_token, token_hash};

/// The hash of an agent's credential, as kept.
pub fn credential_hash(credential: &str) -> String {
    token_hash(credential)
}
use super::row::from_row;

#[derive(Clone)]
pub struct AgentStore {
    db: Db,
}

from_row! {
    /// An enrolment token as listed: never the token.
    #[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
    pub struct EnrolmentInfo {
        pub id: String,
        pub labels: String,
        pub created_at: String,
        pub created_by: String,
        pub expires_at: Option<String>,
        pub revoked_at: Option<String>,
    }
}

from_row! {
    #[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
    pub struct AgentInfo {
        pub id: String,
        pub enrolled_at: String,
        pub revoked_at: Option<String>,
    }
}

/// What an agent's `holding` came to (`AgentStore::settle_held`).
#[derive(Debug, Default)]
pub struct Settled {
    /// Jobs it lost (running here, not held there), now failed.
    pub failed: usize,
    /// Those it holds that run on its hosts: (job, host).
    pub running: Vec<(String, String)>,
    /// Those it holds that ended here meanwhile (cancelled, failed) or whose
    /// cancel was asked for: to stop there.
    pub ended: Vec<String>,
}

/// One host's part of a job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobHost {
    pub host: String,
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    pub state: String,
    pub exit_code: Option<i32>,
    pub output_tail: String,
}

pub const TERMINAL: [&str; 3] = ["succeeded", "failed", "cancelled"];

impl AgentStore {
    pub(super) fn new(db: Db) -> AgentStore {
        AgentStore { db }
    }

    /// A new enrolment token for `tenant`: its id and the token (shown once).
    pub async fn create_enrolment(
        &self,
        tenant: &str,
        labels: &BTreeMap<String, String>,
        by: &str,
        expires_at: Option<&str>,
    ) -> anyhow::Result<(String, String)> {
        let id = uuid::Uuid::now_v7().to_string();
        let token = new_token();
        sqlx::query(
            "INSERT INTO agent_enrolments (tenant, id, token_sha256, labels, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(tenant)
        .bind(&id)
        .bind(token_hash(&token))
        .bind(serde_json::to_string(labels)?)
        .bind(super::now_rfc3339())
        .bind(by)
        .bind(expires_at)
        .execute(self.db.pool())
        .await?;
        Ok((id, token))
    }

    pub async fn enrolments(&self, tenant: &str) -> anyhow::Result<Vec<EnrolmentInfo>> {
        Ok(sqlx::query_as(
            "SELECT id, labels, created_at, created_by, expires_at, revoked_at FROM agent_enrolments WHERE tenant = $1 ORDER BY id",
        )
        .bind(tenant)
        .fetch_all(self.db.pool())
        .await?)
    }

    pub async fn revoke_enrolment(&self, tenant: &str, id: &str) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE agent_enrolments SET revoked_at = $1 WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL",
        )
        .bind(super::now_rfc3339())
        .bind(tenant)
        .bind(id)
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The tenant and labels of a live enrolment token.
    pub async fn enrolment_of(&self, token: &str) -> anyhow::Result<Option<(String, BTreeMap<String, String>)>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT tenant, labels FROM agent_enrolments WHERE token_sha256 = $1 AND revoked_at IS NULL
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(token_hash(token))
        .bind(super::now_rfc3339())
        .fetch_optional(self.db.pool())
        .await?;
        row.map(|(tenant, labels)| Ok((tenant, serde_json::from_str(&labels)?))).transpose()
    }

    /// Enrol agent `id` of `tenant` (again): a new credential, which replaces any earlier one.
    pub async fn enrol(&self, tenant: &str, id: &str) -> anyhow::Result<String> {
        let credential = new_token();
        sqlx::query(
            "INSERT INTO agents (tenant, id, credential_sha256, enrolled_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant, id) DO UPDATE SET credential_sha256 = excluded.credential_sha256,
             enrolled_at = excluded.enrolled_at, revoked_at = NULL",
        )
        .bind(tenant)
        .bind(id)
        .bind(token_hash(&credential))
        .bind(super::now_rfc3339())
        .execute(self.db.pool())
        .await?;
        Ok(credential)
    }

    /// The tenant and id of the live agent holding `credential`.
    pub async fn agent_of(&self, credential: &str) -> anyhow::Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT tenant, id FROM agents WHERE credential_sha256 = $1 AND revoked_at IS NULL")
            .bind(token_hash(credential))
            .fetch_optional(self.db.pool())
            .await?)
    }

    pub async fn agents(&self, tenant: &str) -> anyhow::Result<Vec<AgentInfo>> {
        Ok(sqlx::query_as("SELECT id, enrolled_at, revoked_at FROM agents WHERE tenant = $1 ORDER BY id")
            .bind(tenant)
            .fetch_all(self.db.pool())
            .await?)
    }

    pub async fn revoke_agent(&self, tenant: &str, id: &str) -> anyhow::Result<bool> {
        let done =
            sqlx::query("UPDATE agents SET revoked_at = $1 WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL")
                .bind(super::now_rfc3339())
                .bind(tenant)
                .bind(id)
                .execute(self.db.pool())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Create job `key` of `tenant` on `hosts`, queued — those in `offline`
    /// (no agent connected) failed already, saying so: `(id, true)`; or, if a
    /// job with that idempotency key exists, `(its id, false)`.
    pub async fn create_job(
        &self,
        tenant: &str,
        key: &str,
        spec: &str,
        hosts: &[String],
        offline: &[String],
    ) -> anyhow::Result<(String, bool)> {
        let mut tx = self.db.begin_exclusive().await?;
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT id FROM jobs WHERE tenant = $1 AND idempotency_key = $2")
                .bind(tenant)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((id,)) = existing {
            return Ok((id, false));
        }
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO jobs (tenant, id, idempotency_key, spec, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(tenant)
            .bind(&id)
            .bind(key)
            .bind(spec)
            .bind(super::now_rfc3339())
            .execute(&mut *tx)
            .await?;
        for host in hosts {
            let (state, why, ended) = if offline.contains(host) {
                ("failed", format!("no agent is connected for host `{host}`"), Some(super::now_rfc3339()))
            } else {
                ("queued", String::new(), None)
            };
            sqlx::query(
                "INSERT INTO job_hosts (tenant, job, host, state, output_tail, ended_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(tenant)
            .bind(&id)
            .bind(host)
            .bind(state)
            .bind(why)
            .bind(ended)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok((id, true))
    }

    /// The job `tenant` started under idempotency key `key`: (id, spec).
    pub async fn job_of_key(&self, tenant: &str, key: &str) -> anyhow::Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT id, spec FROM jobs WHERE tenant = $1 AND idempotency_key = $2")
            .bind(tenant)
            .bind(key)
            .fetch_optional(self.db.pool())
            .await?)
    }

    /// A job's hosts, or `None` if `tenant` has no such job.
    pub async fn job_hosts(&self, tenant: &str, job: &str) -> anyhow::Result<Option<Vec<JobHost>>> {
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM jobs WHERE tenant = $1 AND id = $2")
            .bind(tenant)
            .bind(job)
            .fetch_optional(self.db.pool())
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let rows: Vec<(String, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT host, state, exit_code, output_tail FROM job_hosts WHERE tenant = $1 AND job = $2 ORDER BY host",
        )
        .bind(tenant)
        .bind(job)
        .fetch_all(self.db.pool())
        .await?;
        Ok(Some(
            rows.into_iter()
                .map(|(host, state, exit_code, output_tail)| JobHost {
                    host,
                    state,
                    exit_code: exit_code.map(|c| c as i32),
                    output_tail,
                })
                .collect(),
        ))
    }

    /// The content `host`'s part of `job` places, while that part has not
    /// ended: (sha256, file name); `None` for a script's job, another
    /// tenant's or an ended one.
    pub async fn placing(&self, tenant: &str, job: &str, host: &str) -> anyhow::Result<Option<(String, String)>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT jobs.spec FROM jobs JOIN job_hosts ON job_hosts.tenant = jobs.tenant AND job_hosts.job = jobs.id
             WHERE jobs.tenant = $1 AND jobs.id = $2 AND job_hosts.host = $3 AND job_hosts.state IN ('queued', 'running')",
        )
        .bind(tenant)
        .bind(job)
        .bind(host)
        .fetch_optional(self.db.pool())
        .await?;
        let Some((spec,)) = row else { return Ok(None) };
        let spec: serde_json::Value = serde_json::from_str(&spec)?;
        let field = |name: &str| spec[name].as_str().map(str::to_string);
        Ok(field("sha256").zip(field("push_file")))
    }

    /// Fail the hosts of `job` that have not ended `grace` after its timeout
    /// ran out (counted from the job's creation, or from its instant for one
    /// started at an instant), saying so: an agent that
    /// never reports — one too old for the kind of task, or stuck — does not
    /// hold its step forever. The hosts failed.
    pub async fn fail_overdue_hosts(
        &self,
        tenant: &str,
        job: &str,
        grace: std::time::Duration,
    ) -> anyhow::Result<Vec<String>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT spec, created_at FROM jobs WHERE tenant = $1 AND id = $2")
                .bind(tenant)
                .bind(job)
                .fetch_optional(self.db.pool())
                .await?;
        let Some((spec, created_at)) = row else { return Ok(Vec::new()) };
        let spec: serde_json::Value = serde_json::from_str(&spec)?;
        let Some(timeout_ms) = spec["timeout_ms"].as_u64() else {
            return Ok(Vec::new());
        };
        let waited = std::time::Duration::from_millis(timeout_ms) + grace;
        let Some(due) = std::time::SystemTime::now().checked_sub(waited) else { return Ok(Vec::new()) };
        // Stored instants are RFC 3339 in UTC with milliseconds: they compare as text.
        // A job started at an instant (`start-at`) has its timeout from then.
        let at = spec["at_ms"].as_u64().map(|ms| std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms));
        if created_at >= super::stored_time(due) || at.is_some_and(|at| at >= due) {
            return Ok(Vec::new());
        }
        let open: Vec<(String,)> = sqlx::query_as(
            "SELECT host FROM job_hosts WHERE tenant = $1 AND job = $2 AND state IN ('queued', 'running') ORDER BY host",
        )
        .bind(tenant)
        .bind(job)
        .fetch_all(self.db.pool())
        .await?;
        let why = format!(
            "no outcome came from the host's agent within the job's timeout ({timeout_ms} ms) and {} s more: \
             the agent may be too old for this kind of task, or stuck",
            grace.as_secs()
        );
        let mut failed = Vec::new();
        for (host,) in open {
            if self.set_job_host(tenant, job, &host, "failed", None, &why).await? {
                failed.push(host);
            }
        }
        Ok(failed)
    }

    /// Fail every host agent `agent` was running a job on (its connection
    /// was lost and did not come back); the number of hosts failed.
    pub async fn fail_hosts_of_lost_agent(&self, tenant: &str, agent: &str) -> anyhow::Result<usize> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT jh.job, jh.host FROM job_hosts jh JOIN hosts h ON h.tenant = jh.tenant AND h.id = jh.host
             WHERE jh.tenant = $1 AND h.agent = $2 AND jh.state IN ('queued', 'running')",
        )
        .bind(tenant)
        .bind(agent)
        .fetch_all(self.db.pool())
        .await?;
        let why = format!("agent `{agent}` lost its connection while the script ran; its outcome is unknown");
        let mut failed = 0;
        for (job, host) in rows {
            if self.set_job_host(tenant, &job, &host, "failed", None, &why).await? {
                failed += 1;
            }
        }
        Ok(failed)
    }

    /// What an agent that (re)connected holds, settled: the jobs running on
    /// its hosts that it does not hold (`held`: job and host) fail — it
    /// restarted while they ran, so no outcome will come.
    pub async fn settle_held(&self, tenant: &str, agent: &str, held: &[(String, String)]) -> anyhow::Result<Settled> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT jh.job, jh.host FROM job_hosts jh JOIN hosts h ON h.tenant = jh.tenant AND h.id = jh.host
             WHERE jh.tenant = $1 AND h.agent = $2 AND jh.state = 'running'",
        )
        .bind(tenant)
        .bind(agent)
        .fetch_all(self.db.pool())
        .await?;
        let why = format!(
            "agent `{agent}` came back without this job (it restarted while the script ran, or the job never reached it); its outcome is unknown"
        );
        let (running, lost): (Vec<_>, Vec<_>) = rows.into_iter().partition(|row| held.contains(row));
        let mut failed = 0;
        for (job, host) in lost {
            if self.set_job_host(tenant, &job, &host, "failed", None, &why).await? {
                failed += 1;
            }
        }
        // Cancelled or failed here while the agent was away (its loss), or
        // whose cancel was asked for — and may have died with the connection
        // it was sent on: the agent may still hold the script, due at an
        // instant hours ahead — it must not run.
        let mut ended = Vec::new();
        for (job, host) in held {
            let row: Option<(String, Option<String>)> = sqlx::query_as(
                "SELECT jh.state, j.cancel_requested_at FROM job_hosts jh
                 JOIN jobs j ON j.tenant = jh.tenant AND j.id = jh.job
                 WHERE jh.tenant = $1 AND jh.job = $2 AND jh.host = $3",
            )
            .bind(tenant)
            .bind(job)
            .bind(host)
            .fetch_optional(self.db.pool())
            .await?;
            let stop = row.is_some_and(|(state, cancel)| cancel.is_some() || state == "failed" || state == "cancelled");
            if stop && !ended.contains(job) {
                ended.push(job.clone());
            }
        }
        Ok(Settled { failed, running, ended })
    }

    /// The agents of `tenant` that are not revoked, each with the hash of its credential.
    pub async fn live_credentials(&self, tenant: &str) -> anyhow::Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT id, credential_sha256 FROM agents WHERE tenant = $1 AND revoked_at IS NULL")
            .bind(tenant)
            .fetch_all(self.db.pool())
            .await?)
    }

    /// A job just sent out: the hosts whose agents were sent their script are
    /// running (each unless it already reported its end), those with no agent
    /// connected failed, saying why — all in one transaction after the sends,
    /// so a job's hosts start together and none is left queued.
    pub async fn record_dispatch(
        &self,
        tenant: &str,
        job: &str,
        sent: &[String],
        unreachable: &[(String, String)],
    ) -> anyhow::Result<()> {
        let mut tx = self.db.pool().begin().await?;
        let moves = sent.iter().map(|host| (host, "running", None, ""));
        let moves = moves
            .chain(unreachable.iter().map(|(host, why)| (host, "failed", Some(super::now_rfc3339()), why.as_str())));
        for (host, state, ended, why) in moves {
            sqlx::query(
                "UPDATE job_hosts SET state = $4, output_tail = $5, ended_at = $6
                 WHERE tenant = $1 AND job = $2 AND host = $3 AND state = 'queued'",
            )
            .bind(tenant)
            .bind(job)
            .bind(host)
            .bind(state)
            .bind(why)
            .bind(ended)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Record that `job`'s cancel was asked for (before it is sent), so an
    /// agent coming back still holding it is told again (`settle_held`).
    pub async fn request_cancel(&self, tenant: &str, job: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE jobs SET cancel_requested_at = $3 WHERE tenant = $1 AND id = $2 AND cancel_requested_at IS NULL",
        )
        .bind(tenant)
        .bind(job)
        .bind(super::now_rfc3339())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Move a host of a job to `state` unless it has ended already (so an
    /// outcome reported twice, or after a cancel, changes nothing); `true` if it moved.
    pub async fn set_job_host(
        &self,
        tenant: &str,
        job: &str,
        host: &str,
        state: &str,
        exit_code: Option<i32>,
        output_tail: &str,
    ) -> anyhow::Result<bool> {
        let ended = TERMINAL.contains(&state).then(super::now_rfc3339);
        let done = sqlx::query(
            "UPDATE job_hosts SET state = $4, exit_code = $5, output_tail = $6, ended_at = $7
             WHERE tenant = $1 AND job = $2 AND host = $3 AND state NOT IN ('succeeded', 'failed', 'cancelled')",
        )
        .bind(tenant)
        .bind(job)
        .bind(host)
        .bind(state)
        .bind(exit_code.map(i64::from))
        .bind(output_tail)
        .bind(ended)
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn an_agent_back_holding_a_job_whose_cancel_was_asked_for_or_that_ended_here_is_told_to_stop_it() {
        for db in crate::store::test_backends().await {
            let agents = db.agents();
            let tenant = format!("acme-{}", uuid::Uuid::new_v4().simple());
            let mut jobs = Vec::new();
            for key in ["going-on", "cancel-asked", "failed-here"] {
                let (job, _) = agents.create_job(&tenant, key, "{}", &["h1".into()], &[]).await.unwrap();
                agents.record_dispatch(&tenant, &job, &["h1".into()], &[]).await.unwrap();
                jobs.push(job);
            }
            // The cancel's message may have died with the connection: it is on record.
            agents.request_cancel(&tenant, &jobs[1]).await.unwrap();
            agents.set_job_host(&tenant, &jobs[2], "h1", "failed", None, "lost").await.unwrap();
            let held: Vec<(String, String)> = jobs.iter().map(|job| (job.clone(), "h1".to_string())).collect();
            let settled = agents.settle_held(&tenant, "a1", &held).await.unwrap();
            assert_eq!(settled.ended, jobs[1..].to_vec(), "{:?}", db.backend());
        }
    }
}
