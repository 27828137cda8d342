//! Flows offered as light apps, and who started each run through one (so a
//! light-app user sees their own runs and no one else's).

use super::row::from_row;
use sqlx::AnyPool;

#[derive(Debug, Clone)]
pub struct LightAppStore {
    pool: AnyPool,
}

from_row! {
    #[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
    pub struct LightApp {
        pub flow: String,
        pub title: String,
        pub description: String,
        pub enabled_at: String,
        pub enabled_by: String,
    }
}

const COLUMNS: &str = "flow, title, description, enabled_at, enabled_by";

impl LightAppStore {
    pub fn new(pool: AnyPool) -> LightAppStore {
        LightAppStore { pool }
    }

    pub async fn enable(&self, tenant: &str, app: &LightApp) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO light_apps (tenant, flow, title, description, enabled_at, enabled_by) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant, flow) DO UPDATE SET title = excluded.title, description = excluded.description,
               enabled_at = excluded.enabled_at, enabled_by = excluded.enabled_by",
        )
        .bind(tenant)
        .bind(&app.flow)
        .bind(&app.title)
        .bind(&app.description)
        .bind(&app.enabled_at)
        .bind(&app.enabled_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// `false` if the flow was not a light app.
    pub async fn disable(&self, tenant: &str, flow: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM light_apps WHERE tenant = $1 AND flow = $2")
            .bind(tenant)
            .bind(flow)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn get(&self, tenant: &str, flow: &str) -> anyhow::Result<Option<LightApp>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM light_apps WHERE tenant = $1 AND flow = $2"
        )))
        .bind(tenant)
        .bind(flow)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<LightApp>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM light_apps WHERE tenant = $1 ORDER BY flow"
        )))
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn record_run(&self, tenant: &str, flow: &str, run_id: &str, by: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO light_app_runs (run_id, tenant, flow, started_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(run_id)
        .bind(tenant)
        .bind(flow)
        .bind(by)
        .bind(super::now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The ids of the runs `by` started through light app `flow`, newest first.
    pub async fn runs_of(&self, tenant: &str, flow: &str, by: &str, limit: u32) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT run_id FROM light_app_runs WHERE tenant = $1 AND flow = $2 AND started_by = $3
             ORDER BY created_at DESC, run_id DESC LIMIT $4",
        )
        .bind(tenant)
        .bind(flow)
        .bind(by)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Who started run `run_id` through a light app, if one did.
    pub async fn started_by(&self, run_id: &str) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT started_by FROM light_app_runs WHERE run_id = $1")
            .bind(run_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}
