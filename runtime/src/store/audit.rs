//! The audit log: one row per mutation through the API, never changed.

use serde::Serialize;
use sqlx::SqlitePool;

#[derive(Debug, Clone)]
pub struct AuditStore {
    pool: SqlitePool,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub who: String,
    pub tenant: Option<String>,
    pub action: String,
    pub resource: String,
    pub status: i64,
}

/// What is recorded of one mutation.
pub struct Audited<'a> {
    pub who: &'a str,
    pub tenant: Option<&'a str>,
    pub action: &'a str,
    pub resource: &'a str,
    pub status: u16,
}

impl AuditStore {
    pub fn new(pool: SqlitePool) -> AuditStore {
        AuditStore { pool }
    }

    pub async fn record(&self, entry: &Audited<'_>) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO audit (at, who, tenant, action, resource, status) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(super::now_rfc3339())
            .bind(entry.who)
            .bind(entry.tenant)
            .bind(entry.action)
            .bind(entry.resource)
            .bind(i64::from(entry.status))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Entries of `tenant` (or platform-wide ones, for `None`), newest first,
    /// with ids below `before` (for paging).
    pub async fn list(&self, tenant: Option<&str>, before: Option<i64>, limit: u32) -> anyhow::Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, at, who, tenant, action, resource, status FROM audit
             WHERE tenant IS ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
        )
        .bind(tenant)
        .bind(before)
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
    }
}
