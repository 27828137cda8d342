//! Storage of the `kv` atom. A call reads through [`KvStore`] and collects its
//! writes in [`KvWrites`]; the writes are committed in one transaction after
//! the call, refused if a key the call read has changed since.

use std::collections::BTreeMap;

use sqlx::AnyPool;

use super::writer::{Tx, Writer};

/// Whose state: one tenant, one plugin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KvScope {
    pub tenant: String,
    pub plugin: String,
}

impl KvScope {
    /// The writer's key for writes to this scope's entries: all of them go
    /// through one lane, so no two lanes wait on each other for its rows.
    pub(super) fn lane_key(&self) -> String {
        format!("kv\u{0}{}\u{0}{}", self.tenant, self.plugin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvWrite {
    Put(String),
    Delete,
}

/// What one call wrote, and the versions of what it read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KvWrites {
    /// The value the call saw for each key it read (`None`: absent).
    pub reads: BTreeMap<String, Option<String>>,
    pub writes: BTreeMap<String, KvWrite>,
}

impl KvWrites {
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

/// A key the call read was changed by someone else before the call committed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kv key `{key}` changed while the step ran; its writes were not applied")]
pub struct KvConflict {
    pub key: String,
}

#[derive(Debug, Clone)]
pub struct KvStore {
    pool: AnyPool,
    writer: Writer,
}

impl KvStore {
    pub fn new(pool: AnyPool, writer: Writer) -> KvStore {
        KvStore { pool, writer }
    }

    pub async fn read(&self, scope: &KvScope, key: &str) -> sqlx::Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT value FROM kv_entries WHERE tenant = $1 AND plugin = $2 AND key = $3")
                .bind(&scope.tenant)
                .bind(&scope.plugin)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(v,)| v))
    }

    pub async fn list_keys(&self, scope: &KvScope, prefix: &str, limit: u32) -> sqlx::Result<Vec<String>> {
        // Prefix match by range, not LIKE, so `%` and `_` in keys mean themselves:
        // keys with the prefix are the first ones at or after it.
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT key FROM kv_entries WHERE tenant = $1 AND plugin = $2 AND key >= $3 ORDER BY key LIMIT $4",
        )
        .bind(&scope.tenant)
        .bind(&scope.plugin)
        .bind(prefix)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(k,)| k).take_while(|k| k.starts_with(prefix)).take(limit as usize).collect())
    }

    /// Commit `writes`; nothing of them if a key the call read has changed.
    pub async fn commit(&self, scope: &KvScope, writes: &KvWrites) -> anyhow::Result<Result<(), KvConflict>> {
        if writes.is_empty() {
            return Ok(Ok(()));
        }
        let (scope, writes) = (scope.clone(), writes.clone());
        self.writer.write_for(&scope.lane_key(), move |tx| apply(tx, &scope, &writes)).await
    }
}

/// Apply `writes` inside the writer's open transaction, so that a step's
/// state changes commit atomically with whatever else the caller records.
pub(super) fn apply(tx: &mut dyn Tx, scope: &KvScope, writes: &KvWrites) -> anyhow::Result<Result<(), KvConflict>> {
    let (tenant, plugin) = (scope.tenant.as_str(), scope.plugin.as_str());
    for (key, seen) in &writes.reads {
        let now = tx.query_text(
            "SELECT value FROM kv_entries WHERE tenant = $1 AND plugin = $2 AND key = $3",
            &[tenant.into(), plugin.into(), key.into()],
        )?;
        if now != *seen {
            return Ok(Err(KvConflict { key: key.clone() }));
        }
    }
    let now = super::now_rfc3339();
    for (key, write) in &writes.writes {
        match write {
            KvWrite::Put(value) => tx.execute(
                "INSERT INTO kv_entries (tenant, plugin, key, value, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (tenant, plugin, key) DO UPDATE
                 SET value = excluded.value, updated_at = excluded.updated_at",
                &[tenant.into(), plugin.into(), key.into(), value.into(), (&now).into()],
            )?,
            KvWrite::Delete => tx.execute(
                "DELETE FROM kv_entries WHERE tenant = $1 AND plugin = $2 AND key = $3",
                &[tenant.into(), plugin.into(), key.into()],
            )?,
        };
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_backends;

    fn scope(tenant: &str) -> KvScope {
        KvScope { tenant: tenant.into(), plugin: "kv".into() }
    }

    fn put(key: &str, value: &str, seen: Option<Option<&str>>) -> KvWrites {
        let mut writes = KvWrites::default();
        if let Some(seen) = seen {
            writes.reads.insert(key.into(), seen.map(str::to_string));
        }
        writes.writes.insert(key.into(), KvWrite::Put(value.into()));
        writes
    }

    #[tokio::test]
    async fn a_stale_read_refuses_the_whole_commit() {
        for db in test_backends().await {
            let store = db.kv();
            let s = scope("t");
            // Two calls both read `n` as absent and both want to write it.
            let first = put("n", "1", Some(None));
            let mut second = put("n", "1", Some(None));
            second.writes.insert("other".into(), KvWrite::Put("\"x\"".into()));
            assert_eq!(store.commit(&s, &first).await.unwrap(), Ok(()));
            assert_eq!(store.commit(&s, &second).await.unwrap(), Err(KvConflict { key: "n".into() }));
            assert_eq!(store.read(&s, "n").await.unwrap().as_deref(), Some("1"));
            assert_eq!(store.read(&s, "other").await.unwrap(), None, "nothing of a refused commit is applied");
        }
    }

    #[tokio::test]
    async fn blind_writes_and_fresh_reads_commit() {
        for db in test_backends().await {
            let store = db.kv();
            let s = scope("t");
            assert_eq!(store.commit(&s, &put("n", "1", None)).await.unwrap(), Ok(()));
            assert_eq!(store.commit(&s, &put("n", "2", Some(Some("1")))).await.unwrap(), Ok(()));
            let mut delete = KvWrites::default();
            delete.reads.insert("n".into(), Some("2".into()));
            delete.writes.insert("n".into(), KvWrite::Delete);
            assert_eq!(store.commit(&s, &delete).await.unwrap(), Ok(()));
            assert_eq!(store.read(&s, "n").await.unwrap(), None);
        }
    }

    #[tokio::test]
    async fn tenants_and_prefixes_are_kept_apart() {
        for db in test_backends().await {
            let store = db.kv();
            for key in ["zone/1", "zone/2", "zone_x", "zonf"] {
                store.commit(&scope("a"), &put(key, "0", None)).await.unwrap().unwrap();
            }
            store.commit(&scope("b"), &put("zone/9", "0", None)).await.unwrap().unwrap();
            assert_eq!(store.list_keys(&scope("a"), "zone/", 10).await.unwrap(), vec!["zone/1", "zone/2"]);
            assert_eq!(store.list_keys(&scope("a"), "zone/", 1).await.unwrap(), vec!["zone/1"]);
            assert_eq!(store.list_keys(&scope("b"), "zone", 10).await.unwrap(), vec!["zone/9"]);
            assert_eq!(store.read(&scope("b"), "zone/1").await.unwrap(), None);
        }
    }
}
