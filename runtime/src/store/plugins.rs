//! The plugins tenants uploaded: one row per (tenant, name, version) naming
//! the component's sha256; the bytes are files kept by `catalog::Registry`.

use super::row::from_row;
use sqlx::AnyPool;

#[derive(Debug, Clone)]
pub struct PluginStore {
    pool: AnyPool,
}

from_row! {
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
    pub struct PluginRecord {
        pub tenant: String,
        pub name: String,
        pub version: String,
        pub sha256: String,
        pub size_bytes: i64,
        pub uploaded_at: String,
        pub uploaded_by: String,
        pub yanked_at: Option<String>,
    }
}

const COLUMNS: &str = "tenant, name, version, sha256, size_bytes, uploaded_at, uploaded_by, yanked_at";

impl PluginStore {
    pub fn new(pool: AnyPool) -> PluginStore {
        PluginStore { pool }
    }

    /// Record an upload; `Err(existing)` if the tenant has this name and
    /// version already (with whatever bytes).
    pub async fn insert(&self, record: &PluginRecord) -> anyhow::Result<Result<(), PluginRecord>> {
        let done = sqlx::query(
            "INSERT INTO plugins (tenant, name, version, sha256, size_bytes, uploaded_at, uploaded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant, name, version) DO NOTHING",
        )
        .bind(&record.tenant)
        .bind(&record.name)
        .bind(&record.version)
        .bind(&record.sha256)
        .bind(record.size_bytes)
        .bind(&record.uploaded_at)
        .bind(&record.uploaded_by)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Ok(()));
        }
        let existing = self.get(&record.tenant, &record.name, &record.version).await?;
        Ok(Err(existing.ok_or_else(|| anyhow::anyhow!("plugin row vanished during insert"))?))
    }

    pub async fn get(&self, tenant: &str, name: &str, version: &str) -> anyhow::Result<Option<PluginRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM plugins WHERE tenant = $1 AND name = $2 AND version = $3"
        )))
        .bind(tenant)
        .bind(name)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A tenant's uploads (or every tenant's, with `None`), yanked ones included.
    pub async fn list(&self, tenant: Option<&str>) -> anyhow::Result<Vec<PluginRecord>> {
        let query = match tenant {
            Some(_) => format!("SELECT {COLUMNS} FROM plugins WHERE tenant = $1 ORDER BY name, uploaded_at"),
            None => format!("SELECT {COLUMNS} FROM plugins ORDER BY tenant, name, uploaded_at"),
        };
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(query));
        if let Some(tenant) = tenant {
            query = query.bind(tenant);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Yank (or with `yanked == false`, restore) a version; `false` if there is no such upload.
    pub async fn set_yanked(&self, tenant: &str, name: &str, version: &str, yanked: bool) -> anyhow::Result<bool> {
        let at = yanked.then(super::now_rfc3339);
        let done = sqlx::query("UPDATE plugins SET yanked_at = $1 WHERE tenant = $2 AND name = $3 AND version = $4")
            .bind(at)
            .bind(tenant)
            .bind(name)
            .bind(version)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
