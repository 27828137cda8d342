//! Flows of a tenant: one editable draft per name, and immutable numbered
//! versions, each with the sha256 of its content.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Db;
use crate::flow::Flow;
use crate::memo::Memo;

#[derive(Debug, Clone)]
pub struct FlowStore {
    db: Db,
    versions: Arc<VersionCache>,
}

/// How long the latest version of a flow is taken from memory. Publishing
/// through this process forgets it at once; the limit is for a version
/// published by another process on the same database (`scena flow publish`
/// pointed at a server's data dir).
const LATEST_KEPT: Duration = Duration::from_secs(1);

/// Published versions already read: starting a run needs its flow's version,
/// and a version never changes once published, so it is read from the
/// database once instead of once per run.
#[derive(Debug)]
pub(super) struct VersionCache {
    /// By (tenant, name, version).
    exact: Memo<(String, String, u32), FlowVersion>,
    /// The latest version by (tenant, name).
    latest: Memo<(String, String), FlowVersion>,
}

impl VersionCache {
    pub(super) fn forget_all(&self) {
        self.exact.forget_all();
        self.latest.forget_all();
    }
}

impl Default for VersionCache {
    fn default() -> VersionCache {
        VersionCache { exact: Memo::new(None), latest: Memo::new(Some(LATEST_KEPT)) }
    }
}

/// A published version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FlowVersion {
    pub name: String,
    pub version: u32,
    pub content_hash: String,
    pub published_at: String,
    #[serde(skip)]
    pub flow_json: String,
}

impl FlowVersion {
    pub fn flow(&self) -> anyhow::Result<Flow> {
        Ok(serde_json::from_str(&self.flow_json)?)
    }
}

/// The canonical text of a flow (every object's keys sorted, so the key
/// order of the input never matters), and its sha256.
pub fn content_hash(flow: &Flow) -> anyhow::Result<(String, String)> {
    let text = serde_json::to_string(&sorted(serde_json::to_value(flow)?))?;
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    Ok((text, hash))
}

/// `value` with the keys of every object in sorted order. (serde_json keeps
/// insertion order when a dependency enables `preserve_order`, so sorting
/// is done here rather than left to the map type.)
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// What a conditional save expects the draft to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftExpected {
    /// Save whatever is there.
    Any,
    /// Only if there is no draft yet (`If-None-Match: *`).
    Absent,
    /// Only if the draft is still at this revision (`If-Match`).
    Revision(i64),
}

/// A flow's draft as stored.
pub struct Draft {
    pub flow: Flow,
    pub updated_at: String,
    pub revision: i64,
}

impl FlowStore {
    pub(super) fn new(db: Db, versions: Arc<VersionCache>) -> FlowStore {
        FlowStore { db, versions }
    }

    /// Save the draft of `flow.name`, whatever was there: its new revision.
    pub async fn save_draft(&self, tenant: &str, flow: &Flow) -> anyhow::Result<i64> {
        match self.save_draft_if(tenant, flow, DraftExpected::Any).await? {
            Ok(revision) => Ok(revision),
            Err(current) => anyhow::bail!("an unconditional save was refused at revision {current:?}"),
        }
    }

    /// Save the draft of `flow.name` if it is as `expected` (compared and
    /// written in one statement, so two editors cannot both win): `Ok` with
    /// the new revision, or `Err` with the revision there now (`None`: no draft).
    pub async fn save_draft_if(
        &self,
        tenant: &str,
        flow: &Flow,
        expected: DraftExpected,
    ) -> anyhow::Result<Result<i64, Option<i64>>> {
        let (text, _) = content_hash(flow)?;
        let now = super::now_rfc3339();
        let saved: Option<(i64,)> =
            match expected {
                DraftExpected::Any => sqlx::query_as(
                    "INSERT INTO flow_drafts (tenant, name, flow_json, updated_at, revision) VALUES ($1, $2, $3, $4, 1)
                 ON CONFLICT (tenant, name) DO UPDATE SET flow_json = excluded.flow_json,
                 updated_at = excluded.updated_at, revision = flow_drafts.revision + 1
                 RETURNING revision",
                )
                .bind(tenant)
                .bind(&flow.name)
                .bind(text)
                .bind(now)
                .fetch_optional(self.db.pool())
                .await?,
                DraftExpected::Absent => sqlx::query_as(
                    "INSERT INTO flow_drafts (tenant, name, flow_json, updated_at, revision) VALUES ($1, $2, $3, $4, 1)
                 ON CONFLICT (tenant, name) DO NOTHING RETURNING revision",
                )
                .bind(tenant)
                .bind(&flow.name)
                .bind(text)
                .bind(now)
                .fetch_optional(self.db.pool())
                .await?,
                DraftExpected::Revision(revision) => {
                    sqlx::query_as(
                        "UPDATE flow_drafts SET flow_json = $3, updated_at = $4, revision = revision + 1
                 WHERE tenant = $1 AND name = $2 AND revision = $5 RETURNING revision",
                    )
                    .bind(tenant)
                    .bind(&flow.name)
                    .bind(text)
                    .bind(now)
                    .bind(revision)
                    .fetch_optional(self.db.pool())
                    .await?
                }
            };
        if let Some((revision,)) = saved {
            return Ok(Ok(revision));
        }
        let current: Option<(i64,)> =
            sqlx::query_as("SELECT revision FROM flow_drafts WHERE tenant = $1 AND name = $2")
                .bind(tenant)
                .bind(&flow.name)
                .fetch_optional(self.db.pool())
                .await?;
        Ok(Err(current.map(|(revision,)| revision)))
    }

    /// Freeze the draft of `name` as the next version. Publishing content
    /// identical to the latest version returns that version (`false`: nothing new).
    pub async fn publish(&self, tenant: &str, name: &str) -> anyhow::Result<(FlowVersion, bool)> {
        let mut tx = self.db.begin_exclusive().await?;
        let draft: Option<(String,)> =
            sqlx::query_as("SELECT flow_json FROM flow_drafts WHERE tenant = $1 AND name = $2")
                .bind(tenant)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((flow_json,)) = draft else { anyhow::bail!("tenant `{tenant}` has no draft of flow `{name}`") };
        let (text, hash) = content_hash(&serde_json::from_str(&flow_json)?)?;
        let latest: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT version, content_hash, published_at FROM flow_versions WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT 1",
        )
        .bind(tenant)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((version, latest_hash, published_at)) = &latest
            && *latest_hash == hash
        {
            let existing = FlowVersion {
                name: name.into(),
                version: *version as u32,
                content_hash: hash,
                published_at: published_at.clone(),
                flow_json: text,
            };
            return Ok((existing, false));
        }
        let version = latest.map_or(1, |(v, _, _)| v + 1);
        let published_at = super::now_rfc3339();
        sqlx::query("INSERT INTO flow_versions (tenant, name, version, flow_json, content_hash, published_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(tenant)
            .bind(name)
            .bind(version)
            .bind(&text)
            .bind(&hash)
            .bind(&published_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.versions.latest.forget(&(tenant.to_string(), name.to_string()));
        Ok((
            FlowVersion {
                name: name.into(),
                version: version as u32,
                content_hash: hash,
                published_at,
                flow_json: text,
            },
            true,
        ))
    }

    /// Version `version` of `name`, or the latest when `None`.
    pub async fn version(&self, tenant: &str, name: &str, version: Option<u32>) -> anyhow::Result<FlowVersion> {
        let (exact, latest) = (&self.versions.exact, &self.versions.latest);
        let exact_key = |n: u32| (tenant.to_string(), name.to_string(), n);
        let latest_key = (tenant.to_string(), name.to_string());
        let kept = match version {
            Some(n) => exact.get(&exact_key(n), |_| true),
            None => latest.get(&latest_key, |_| true),
        };
        if let Some(found) = kept {
            return Ok(found);
        }
        let publications = latest.changes();
        let row: Option<(i64, String, String, String)> = match version {
            Some(v) => sqlx::query_as("SELECT version, flow_json, content_hash, published_at FROM flow_versions WHERE tenant = $1 AND name = $2 AND version = $3")
                .bind(tenant)
                .bind(name)
                .bind(i64::from(v))
                .fetch_optional(self.db.pool())
                .await?,
            None => sqlx::query_as("SELECT version, flow_json, content_hash, published_at FROM flow_versions WHERE tenant = $1 AND name = $2 ORDER BY version DESC LIMIT 1")
                .bind(tenant)
                .bind(name)
                .fetch_optional(self.db.pool())
                .await?,
        };
        let (number, flow_json, content_hash, published_at) = row.ok_or_else(|| match version {
            Some(v) => anyhow::anyhow!("flow `{name}` of tenant `{tenant}` has no version {v}"),
            None => anyhow::anyhow!("flow `{name}` of tenant `{tenant}` has no published version"),
        })?;
        let found = FlowVersion { name: name.into(), version: number as u32, content_hash, published_at, flow_json };
        exact.keep(exact_key(found.version), found.clone(), exact.changes());
        if version.is_none() {
            latest.keep(latest_key, found.clone(), publications);
        }
        Ok(found)
    }

    /// Remove flow `name` — its draft and versions — (an app uninstalled);
    /// runs of it keep the text they pinned. `false` if there was no such flow.
    pub async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM flow_versions WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .fetch_all(self.db.pool())
            .await?;
        let mut tx = self.db.pool().begin().await?;
        let drafts = sqlx::query("DELETE FROM flow_drafts WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM flow_versions WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.versions.latest.forget(&(tenant.to_string(), name.to_string()));
        for (version,) in &versions {
            self.versions.exact.forget(&(tenant.to_string(), name.to_string(), *version as u32));
        }
        Ok(drafts.rows_affected() > 0 || !versions.is_empty())
    }

    /// The draft of `name`, if the tenant has one.
    pub async fn draft(&self, tenant: &str, name: &str) -> anyhow::Result<Option<(Flow, String)>> {
        Ok(self.draft_with_revision(tenant, name).await?.map(|draft| (draft.flow, draft.updated_at)))
    }

    /// The draft of `name` with its revision, if the tenant has one.
    pub async fn draft_with_revision(&self, tenant: &str, name: &str) -> anyhow::Result<Option<Draft>> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT flow_json, updated_at, revision FROM flow_drafts WHERE tenant = $1 AND name = $2")
                .bind(tenant)
                .bind(name)
                .fetch_optional(self.db.pool())
                .await?;
        row.map(|(json, updated_at, revision)| Ok(Draft { flow: serde_json::from_str(&json)?, updated_at, revision }))
            .transpose()
    }

    /// The tenant's flows: name, whether there is a draft, the latest version.
    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<(String, Option<u32>)>> {
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT d.name, (SELECT MAX(v.version) FROM flow_versions v WHERE v.tenant = d.tenant AND v.name = d.name)
             FROM flow_drafts d WHERE d.tenant = $1 ORDER BY d.name",
        )
        .bind(tenant)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.into_iter().map(|(name, latest)| (name, latest.map(|v| v as u32))).collect())
    }

    pub async fn versions(&self, tenant: &str, name: &str) -> anyhow::Result<Vec<FlowVersion>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT version, flow_json, content_hash, published_at FROM flow_versions WHERE tenant = $1 AND name = $2 ORDER BY version",
        )
        .bind(tenant)
        .bind(name)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(version, flow_json, content_hash, published_at)| FlowVersion {
                name: name.into(),
                version: version as u32,
                content_hash,
                published_at,
                flow_json,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_ignores_the_key_order_of_the_input() {
        let a = r#"{"name": "f", "inputs": {"type": "object", "required": ["x"]}, "nodes": [{"id": "s", "kind": "start"}, {"id": "e", "kind": "end", "output": {"b": 1, "a": 2}}], "edges": [{"from": "s", "to": "e"}]}"#;
        let b = r#"{"edges": [{"to": "e", "from": "s"}], "nodes": [{"kind": "start", "id": "s"}, {"output": {"a": 2, "b": 1}, "kind": "end", "id": "e"}], "inputs": {"required": ["x"], "type": "object"}, "name": "f"}"#;
        let (text_a, hash_a) = content_hash(&serde_json::from_str(a).unwrap()).unwrap();
        let (text_b, hash_b) = content_hash(&serde_json::from_str(b).unwrap()).unwrap();
        assert_eq!((text_a, hash_a), (text_b, hash_b));
    }

    fn flow(name: &str, output: i64) -> Flow {
        let text = format!(
            r#"{{"name": "{name}", "nodes": [{{"id": "s", "kind": "start"}}, {{"id": "e", "kind": "end", "output": {{"v": {output}}}}}], "edges": [{{"from": "s", "to": "e"}}]}}"#
        );
        serde_json::from_str(&text).unwrap()
    }

    #[tokio::test]
    async fn publishing_numbers_versions_once_per_content_even_when_raced() {
        for db in crate::store::test_backends().await {
            let flows = db.flows();
            flows.save_draft("t", &flow("f", 1)).await.unwrap();
            let (first, new) = flows.publish("t", "f").await.unwrap();
            assert_eq!((first.version, new), (1, true), "{db:?}");
            let (again, new) = flows.publish("t", "f").await.unwrap();
            assert_eq!((again.version, new), (1, false), "{db:?}: the same content is not a new version");
            flows.save_draft("t", &flow("f", 2)).await.unwrap();
            // Four publishers at once: one new version, the others see it.
            let raced = futures_util::future::join_all((0..4).map(|_| flows.publish("t", "f"))).await;
            let made: Vec<bool> = raced.into_iter().map(|r| r.unwrap().1).collect();
            assert_eq!(made.iter().filter(|m| **m).count(), 1, "{db:?}: {made:?}");
            assert_eq!(flows.versions("t", "f").await.unwrap().iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
            assert_eq!(flows.version("t", "f", None).await.unwrap().flow().unwrap(), flow("f", 2));
            assert_eq!(flows.list("t").await.unwrap(), [("f".to_string(), Some(2))]);
            assert!(flows.list("other").await.unwrap().is_empty());
        }
    }

    #[tokio::test]
    async fn the_latest_version_is_read_from_memory_until_a_new_one_is_published() {
        for db in crate::store::test_backends().await {
            let flows = db.flows();
            flows.save_draft("t", &flow("f", 1)).await.unwrap();
            flows.publish("t", "f").await.unwrap();
            assert_eq!(flows.version("t", "f", None).await.unwrap().version, 1, "{db:?}");
            // Another `FlowStore` of this `Db` publishes: every store sees it at once.
            db.flows().save_draft("t", &flow("f", 2)).await.unwrap();
            db.flows().publish("t", "f").await.unwrap();
            assert_eq!(flows.version("t", "f", None).await.unwrap().flow().unwrap(), flow("f", 2), "{db:?}");
            // Behind this process's back (another process on the same database):
            // seen once the latest version is no longer taken from memory.
            sqlx::query("INSERT INTO flow_versions (tenant, name, version, flow_json, content_hash, published_at) SELECT tenant, name, 3, flow_json, 'h3', published_at FROM flow_versions WHERE version = 2")
                .execute(db.pool())
                .await
                .unwrap();
            tokio::time::sleep(LATEST_KEPT).await;
            assert_eq!(flows.version("t", "f", None).await.unwrap().version, 3, "{db:?}");
            // A version asked for by number is what it always was.
            assert_eq!(flows.version("t", "f", Some(1)).await.unwrap().flow().unwrap(), flow("f", 1));
            assert!(flows.version("t", "f", Some(4)).await.is_err(), "{db:?}: no such version");
        }
    }
}
