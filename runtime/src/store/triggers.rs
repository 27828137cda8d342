//! Triggers that start runs: webhooks (an unguessable id per flow).

use sqlx::SqlitePool;

#[derive(Debug, Clone)]
pub struct TriggerStore {
    pool: SqlitePool,
}

impl TriggerStore {
    pub fn new(pool: SqlitePool) -> TriggerStore {
        TriggerStore { pool }
    }

    /// A new webhook id for `flow`, revoking the one it had.
    pub async fn rotate_webhook(&self, tenant: &str, flow: &str) -> anyhow::Result<String> {
        let id = super::new_token().replacen("scena_", "hook_", 1);
        let now = super::now_rfc3339();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE webhooks SET revoked_at = ? WHERE tenant = ? AND flow = ? AND revoked_at IS NULL")
            .bind(&now)
            .bind(tenant)
            .bind(flow)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO webhooks (id, tenant, flow, created_at) VALUES (?, ?, ?, ?)")
            .bind(&id)
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
        let done = sqlx::query("UPDATE webhooks SET revoked_at = ? WHERE tenant = ? AND flow = ? AND revoked_at IS NULL")
            .bind(super::now_rfc3339())
            .bind(tenant)
            .bind(flow)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The tenant and flow a live webhook id starts.
    pub async fn webhook(&self, id: &str) -> anyhow::Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT tenant, flow FROM webhooks WHERE id = ? AND revoked_at IS NULL").bind(id).fetch_optional(&self.pool).await?)
    }
}
