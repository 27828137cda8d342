//! The audit log: one row per mutation through the API, never changed.

use rusqlite::params;
use serde::Serialize;
use sqlx::SqlitePool;

use super::writer::Writer;

/// Read through the pool; recorded through the [`Writer`], since every
/// mutation of the API (every run started, too) writes one row.
#[derive(Debug, Clone)]
pub struct AuditStore {
    pool: SqlitePool,
    writer: Writer,
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
    pub fn new(pool: SqlitePool, writer: Writer) -> AuditStore {
        AuditStore { pool, writer }
    }

    pub async fn record(&self, entry: &Audited<'_>) -> anyhow::Result<()> {
        let at = super::now_rfc3339();
        let row = (entry.who.to_string(), entry.tenant.map(str::to_string), entry.action.to_string(), entry.resource.to_string());
        let status = i64::from(entry.status);
        self.writer
            .write(move |conn| {
                let (who, tenant, action, resource) = row;
                conn.prepare_cached("INSERT INTO audit (at, who, tenant, action, resource, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                    .execute(params![at, who, tenant, action, resource, status])?;
                Ok(())
            })
            .await
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
