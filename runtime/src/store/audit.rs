//! The audit log: one row per mutation through the API, never changed.

use serde::Serialize;
use sqlx::AnyPool;

use super::row::from_row;
use super::writer::Writer;

/// Read through the pool; recorded through the [`Writer`], since every
/// mutation of the API (every run started, too) writes one row.
#[derive(Debug, Clone)]
pub struct AuditStore {
    pool: AnyPool,
    writer: Writer,
}

from_row! {
    #[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
    pub struct AuditEntry {
        pub id: i64,
        pub at: String,
        pub who: String,
        pub tenant: Option<String>,
        pub action: String,
        pub resource: String,
        pub status: i64,
    }
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
    pub fn new(pool: AnyPool, writer: Writer) -> AuditStore {
        AuditStore { pool, writer }
    }

    pub async fn record(&self, entry: &Audited<'_>) -> anyhow::Result<()> {
        let at = super::now_rfc3339();
        let row = (
            entry.who.to_string(),
            entry.tenant.map(str::to_string),
            entry.action.to_string(),
            entry.resource.to_string(),
        );
        let status = i64::from(entry.status);
        self.writer
            .write(move |tx| {
                let (who, tenant, action, resource) = row;
                tx.execute(
                    "INSERT INTO audit (at, who, tenant, action, resource, status) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        (&at).into(),
                        (&who).into(),
                        (&tenant).into(),
                        (&action).into(),
                        (&resource).into(),
                        status.into(),
                    ],
                )?;
                Ok(())
            })
            .await
    }

    /// Entries of `tenant` (or platform-wide ones, for `None`), newest first,
    /// with ids below `before` (for paging).
    pub async fn list(&self, tenant: Option<&str>, before: Option<i64>, limit: u32) -> anyhow::Result<Vec<AuditEntry>> {
        // Two texts rather than `IS NOT DISTINCT FROM`, which PostgreSQL
        // cannot answer from the index.
        let query = match tenant {
            Some(_) => {
                "SELECT id, at, who, tenant, action, resource, status FROM audit
                        WHERE tenant = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
            }
            None => {
                "SELECT id, at, who, tenant, action, resource, status FROM audit
                     WHERE tenant IS NULL AND ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2"
            }
        };
        let mut query = sqlx::query_as(query);
        if let Some(tenant) = tenant {
            query = query.bind(tenant);
        }
        Ok(query.bind(before).bind(i64::from(limit)).fetch_all(&self.pool).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_backends;

    #[tokio::test]
    async fn entries_page_newest_first_per_tenant_and_platform_wide() {
        for db in test_backends().await {
            let audit = db.audit();
            for (tenant, action) in
                [(Some("a"), "one"), (None, "platform"), (Some("a"), "two"), (Some("b"), "other"), (Some("a"), "three")]
            {
                audit.record(&Audited { who: "ann", tenant, action, resource: "r", status: 200 }).await.unwrap();
            }
            let actions = |entries: Vec<AuditEntry>| entries.into_iter().map(|e| e.action).collect::<Vec<_>>();
            let page = audit.list(Some("a"), None, 2).await.unwrap();
            let before = page.last().map(|e| e.id);
            assert_eq!(actions(page), ["three", "two"], "{db:?}");
            assert_eq!(actions(audit.list(Some("a"), before, 2).await.unwrap()), ["one"], "{db:?}");
            assert_eq!(actions(audit.list(None, None, 10).await.unwrap()), ["platform"], "{db:?}");
        }
    }
}
