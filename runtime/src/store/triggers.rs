//! Triggers that start runs: webhooks (an unguessable id per flow) and cron
//! schedules (when each is next due).

use super::Db;
use super::identity::token_hash;
use super::row::from_row;

from_row! {
    /// A cron trigger of a flow. `next_at` is RFC 3339 in UTC.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
    pub struct Schedule {
        pub id: String,
        pub tenant: String,
        pub flow: String,
        pub cron: String,
        pub timezone: String,
        /// The input each run gets.
        #[serde(serialize_with = "as_json")]
        #[schemars(with = "serde_json::Value")]
        pub input: String,
        pub next_at: String,
        pub last_run: Option<String>,
        pub created_at: String,
        pub created_by: String,
    }
}

fn as_json<S: serde::Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize as _;
    serde_json::from_str::<serde_json::Value>(text).unwrap_or(serde_json::Value::Null).serialize(serializer)
}

const SCHEDULE_COLUMNS: &str = "id, tenant, flow, cron, timezone, input, next_at, last_run, created_at, created_by";

#[derive(Debug, Clone)]
pub struct TriggerStore {
    db: Db,
}

impl TriggerStore {
    pub fn new(db: Db) -> TriggerStore {
        TriggerStore { db }
    }

    /// A new webhook id for `flow`, revoking the one it had.
    pub async fn rotate_webhook(&self, tenant: &str, flow: &str) -> anyhow::Result<String> {
        let id = super::new_token().replacen("scena_", "hook_", 1);
        let now = super::now_rfc3339();
        let mut tx = self.db.begin_exclusive().await?;
        sqlx::query("UPDATE webhooks SET revoked_at = $1 WHERE tenant = $2 AND flow = $3 AND revoked_at IS NULL")
            .bind(&now)
            .bind(tenant)
            .bind(flow)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO webhooks (id_sha256, tenant, flow, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&id))
            .bind(tenant)
            .bind(flow)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Revoke the webhook of `flow`; `false` if it had none.
    pub async fn remove_webhook(&self, tenant: &str, flow: &str) -> anyhow::Result<bool> {
        let done =
            sqlx::query("UPDATE webhooks SET revoked_at = $1 WHERE tenant = $2 AND flow = $3 AND revoked_at IS NULL")
                .bind(super::now_rfc3339())
                .bind(tenant)
                .bind(flow)
                .execute(self.db.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The tenant and flow a live webhook id starts.
    pub async fn webhook(&self, id: &str) -> anyhow::Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT tenant, flow FROM webhooks WHERE id_sha256 = $1 AND revoked_at IS NULL")
            .bind(token_hash(id))
            .fetch_optional(self.db.pool())
            .await?)
    }

    /// Hash the webhook ids a database from before ids were hashed still
    /// holds in plain text (SQLite's migration cannot: it has no sha256).
    pub(super) async fn hash_plain_webhook_ids(&self) -> anyhow::Result<()> {
        let plain: Vec<(String,)> =
            sqlx::query_as("SELECT id_sha256 FROM webhooks WHERE id_sha256 LIKE 'hook\\_%' ESCAPE '\\'")
                .fetch_all(self.db.pool())
                .await?;
        for (id,) in plain {
            sqlx::query("UPDATE webhooks SET id_sha256 = $1 WHERE id_sha256 = $2")
                .bind(token_hash(&id))
                .bind(&id)
                .execute(self.db.pool())
                .await?;
        }
        Ok(())
    }

    pub async fn create_schedule(&self, schedule: &Schedule) -> anyhow::Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO schedules ({SCHEDULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )))
        .bind(&schedule.id)
        .bind(&schedule.tenant)
        .bind(&schedule.flow)
        .bind(&schedule.cron)
        .bind(&schedule.timezone)
        .bind(&schedule.input)
        .bind(&schedule.next_at)
        .bind(&schedule.last_run)
        .bind(&schedule.created_at)
        .bind(&schedule.created_by)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// The schedules of a tenant's flow.
    pub async fn schedules(&self, tenant: &str, flow: &str) -> anyhow::Result<Vec<Schedule>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE tenant = $1 AND flow = $2 ORDER BY created_at, id"
        )))
        .bind(tenant)
        .bind(flow)
        .fetch_all(self.db.pool())
        .await?)
    }

    /// `false` if the flow has no such schedule.
    pub async fn delete_schedule(&self, tenant: &str, flow: &str, id: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM schedules WHERE tenant = $1 AND flow = $2 AND id = $3")
            .bind(tenant)
            .bind(flow)
            .bind(id)
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Schedules due at `now` (RFC 3339, UTC), earliest first.
    pub async fn due(&self, now: &str) -> anyhow::Result<Vec<Schedule>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE next_at <= $1 ORDER BY next_at LIMIT 100"
        )))
        .bind(now)
        .fetch_all(self.db.pool())
        .await?)
    }

    /// The earliest `next_at` of all schedules.
    pub async fn next_due(&self) -> anyhow::Result<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT MIN(next_at) FROM schedules").fetch_optional(self.db.pool()).await?;
        Ok(row.and_then(|(at,)| at))
    }

    /// Move a schedule from tick `from` to `next_at`; `false` if someone else
    /// moved it first, so a tick is never fired twice.
    pub async fn claim_tick(&self, id: &str, from: &str, next_at: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE schedules SET next_at = $1 WHERE id = $2 AND next_at = $3")
            .bind(next_at)
            .bind(id)
            .bind(from)
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The run a schedule started last.
    pub async fn set_last_run(&self, id: &str, run: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE schedules SET last_run = $1 WHERE id = $2")
            .bind(run)
            .bind(id)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_backends;

    #[tokio::test]
    async fn webhook_ids_are_kept_as_their_sha256_and_plain_ones_from_before_are_hashed() {
        for db in test_backends().await {
            let triggers = db.triggers();
            let id = triggers.rotate_webhook("acme", "deploy").await.unwrap();
            let stored: Vec<(String,)> =
                sqlx::query_as("SELECT id_sha256 FROM webhooks").fetch_all(db.pool()).await.unwrap();
            assert_eq!(stored, [(super::token_hash(&id),)], "{db:?}: never the id itself");
            assert_eq!(triggers.webhook(&id).await.unwrap(), Some(("acme".into(), "deploy".into())), "{db:?}");

            // A row written before ids were hashed.
            let old = "hook_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
            sqlx::query("INSERT INTO webhooks (id_sha256, tenant, flow, created_at) VALUES ($1, 'acme', 'old', 'x')")
                .bind(old)
                .execute(db.pool())
                .await
                .unwrap();
            triggers.hash_plain_webhook_ids().await.unwrap();
            assert_eq!(triggers.webhook(old).await.unwrap(), Some(("acme".into(), "old".into())), "{db:?}");
            let plain: Vec<(String,)> = sqlx::query_as("SELECT id_sha256 FROM webhooks WHERE id_sha256 = $1")
                .bind(old)
                .fetch_all(db.pool())
                .await
                .unwrap();
            assert!(plain.is_empty(), "{db:?}");
        }
    }
}
