//! The files a tenant uploaded for `push-file` to place on hosts: a row per
//! name pointing at content kept by sha256 (`BlobStore`, so every node of a
//! cluster serves what one received). Replacing a file points its name at
//! new content; the old content stays while a job that pinned it has a
//! host still placing it, and is collected after. A tenant's files together
//! stay within its quota.

use sha2::{Digest, Sha256};

use super::row::from_row;
use super::{BlobStore, Db};

/// The database's keys of file content: this and the sha256.
pub(super) const BLOB_PREFIX: &str = "file:";

#[derive(Debug, Clone)]
pub struct FileStore {
    db: Db,
    blobs: BlobStore,
}

/// An upload would take the tenant's files past its quota.
#[derive(Debug, thiserror::Error)]
#[error(
    "the tenant's files would take {would_take} bytes, more than its quota of {quota} bytes (delete or replace some first)"
)]
pub struct OverQuota {
    pub would_take: u64,
    pub quota: u64,
}

from_row! {
    /// A file as listed.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
    pub struct FileRecord {
        pub name: String,
        /// Of the content, hex.
        pub sha256: String,
        pub size_bytes: i64,
        pub uploaded_at: String,
        pub uploaded_by: String,
    }
}

const COLUMNS: &str = "name, sha256, size_bytes, uploaded_at, uploaded_by";

/// Why a name is not a file's: `None` if it is one. Names are what a flow
/// writes and a path segment of the API: letters, digits, `.`, `_`, `-`.
pub fn file_name_problem(name: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > 128 {
        Some(format!("a file name has 1 to 128 characters, not {}", name.len()))
    } else if name.starts_with('.') || !name.chars().all(allowed) {
        Some(format!("file name `{name}`: letters, digits, `.`, `_` and `-` only, not starting with `.`"))
    } else {
        None
    }
}

impl FileStore {
    pub(super) fn new(db: Db, blobs: BlobStore) -> FileStore {
        FileStore { db, blobs }
    }

    /// Keep `bytes` as `name` of `tenant` (replacing what the name held),
    /// unless the tenant's files would then take more than `quota` bytes
    /// ([`OverQuota`]): the record, and whether the name is new. Content no
    /// longer named is collected after.
    pub async fn put(
        &self,
        tenant: &str,
        name: &str,
        bytes: &[u8],
        by: &str,
        quota: u64,
    ) -> anyhow::Result<(FileRecord, bool)> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        // The content first, outside the lock below (it may be 64 MiB); if
        // the upload is refused, the next collection removes it.
        self.blobs.put(&sha256, bytes).await?;
        // One upload at a time, so two cannot both fit in what is left of the
        // quota; and no collection meanwhile (it takes the same lock), so the
        // content checked here stays until the name is committed.
        let mut tx = self.db.begin_exclusive().await?;
        let (others,): (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM files WHERE tenant = $1 AND name <> $2",
        )
        .bind(tenant)
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        let would_take = others.max(0) as u64 + bytes.len() as u64;
        if would_take > quota {
            return Err(OverQuota { would_take, quota }.into());
        }
        let existed: Option<(String,)> = sqlx::query_as("SELECT sha256 FROM files WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let record = FileRecord {
            name: name.to_string(),
            sha256: sha256.clone(),
            size_bytes: bytes.len() as i64,
            uploaded_at: super::now_rfc3339(),
            uploaded_by: by.to_string(),
        };
        sqlx::query(
            "INSERT INTO files (tenant, name, sha256, size_bytes, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant, name) DO UPDATE SET sha256 = excluded.sha256, size_bytes = excluded.size_bytes,
                 uploaded_at = excluded.uploaded_at, uploaded_by = excluded.uploaded_by",
        )
        .bind(tenant)
        .bind(&record.name)
        .bind(&record.sha256)
        .bind(record.size_bytes)
        .bind(&record.uploaded_at)
        .bind(&record.uploaded_by)
        .execute(&mut *tx)
        .await?;
        // Collected between the write above and the lock: put back.
        sqlx::query("INSERT INTO blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING")
            .bind(self.blobs.key(&sha256))
            .bind(bytes)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if existed.as_ref().is_some_and(|(old,)| *old != sha256) {
            self.collect_later();
        }
        Ok((record, existed.is_none()))
    }

    /// Whether the content kept under `sha256` is still there (not collected).
    pub async fn content_kept(&self, sha256: &str) -> anyhow::Result<bool> {
        self.blobs.is_kept(sha256).await
    }

    /// Bytes the tenant's files take together.
    pub async fn used_bytes(&self, tenant: &str) -> anyhow::Result<u64> {
        let (used,): (i64,) =
            sqlx::query_as("SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM files WHERE tenant = $1")
                .bind(tenant)
                .fetch_one(self.db.pool())
                .await?;
        Ok(used.max(0) as u64)
    }

    /// Remove the content no file names and no job still places (a host of
    /// it queued or running), from the database and this node's disk, and
    /// this node's copies of content another node removed: their sha256s.
    pub async fn collect(&self) -> anyhow::Result<Vec<String>> {
        let kept: Vec<(String,)> =
            sqlx::query_as("SELECT sha256 FROM blobs WHERE sha256 LIKE 'file:%'").fetch_all(self.db.pool()).await?;
        let mut removed = Vec::new();
        for (key,) in kept {
            let Some(sha256) = key.strip_prefix(BLOB_PREFIX) else { continue };
            // Under the lock uploads and new jobs take: none names or pins it meanwhile.
            let mut tx = self.db.begin_exclusive().await?;
            let named: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM files WHERE sha256 = $1 LIMIT 1")
                .bind(sha256)
                .fetch_optional(&mut *tx)
                .await?;
            let placed: Option<(i64,)> = sqlx::query_as(
                "SELECT 1 FROM job_hosts h JOIN jobs j ON j.tenant = h.tenant AND j.id = h.job
                 WHERE h.state IN ('queued', 'running') AND j.spec LIKE $1 LIMIT 1",
            )
            .bind(format!("%\"sha256\":\"{sha256}\"%"))
            .fetch_optional(&mut *tx)
            .await?;
            if named.is_none() && placed.is_none() {
                let gone = sqlx::query("DELETE FROM blobs WHERE sha256 = $1").bind(&key).execute(&mut *tx).await?;
                tx.commit().await?;
                if gone.rows_affected() == 1 {
                    removed.push(sha256.to_string());
                }
            }
        }
        for sha256 in self.blobs.local_copies() {
            if !removed.contains(&sha256) && !self.blobs.is_kept(&sha256).await? {
                removed.push(sha256);
            }
        }
        for sha256 in &removed {
            self.blobs.forget_local(sha256);
        }
        Ok(removed)
    }

    /// [`Self::collect`] on a task of its own: a request does not wait for it.
    pub fn collect_later(&self) {
        let files = self.clone();
        tokio::spawn(async move { files.collect_quietly().await });
    }

    /// [`Self::collect`], its failure only logged: the next collection tries again.
    pub async fn collect_quietly(&self) {
        if let Err(error) = self.collect().await {
            tracing::warn!("collecting files' content no longer used failed: {error:#}");
        }
    }

    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<FileRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM files WHERE tenant = $1 ORDER BY name")))
            .bind(tenant)
            .fetch_all(self.db.pool())
            .await?)
    }

    pub async fn get(&self, tenant: &str, name: &str) -> anyhow::Result<Option<FileRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM files WHERE tenant = $1 AND name = $2")))
            .bind(tenant)
            .bind(name)
            .fetch_optional(self.db.pool())
            .await?)
    }

    /// Forget the name; `false` if the tenant had no such file. The content
    /// stays while jobs still place it.
    pub async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM files WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .execute(self.db.pool())
            .await?;
        if done.rows_affected() == 1 {
            self.collect_later();
        }
        Ok(done.rows_affected() == 1)
    }

    /// Where the content kept under `sha256` is on this node's disk, to be
    /// streamed without holding it in memory. Not checked: an agent checks
    /// what it places, and a download is what is kept.
    pub async fn content_path(&self, sha256: &str) -> anyhow::Result<std::path::PathBuf> {
        self.blobs.local_copy(sha256).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_path_segments() {
        for good in ["app-1.2.3.tar.gz", "A_b", "x"] {
            assert_eq!(file_name_problem(good), None, "{good}");
        }
        for bad in ["", ".hidden", "a/b", "..", "a b", "é", &"x".repeat(129)] {
            assert!(file_name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn old_content_stays_while_a_job_places_it_and_is_collected_after() {
        for db in crate::store::test_backends().await {
            let dir = std::env::temp_dir().join(format!("scena-files-{}", uuid::Uuid::new_v4()));
            let files = db.files(dir.clone()).unwrap();
            let tenant = format!("acme-{}", uuid::Uuid::new_v4().simple());
            let quota = 1 << 20;
            let (first, created) = files.put(&tenant, "app.tgz", b"one", "alice", quota).await.unwrap();
            assert!(created);
            // A job places the first content on a host; meanwhile the file is replaced.
            let spec = serde_json::json!({"push_file": "app.tgz", "sha256": first.sha256}).to_string();
            let agents = db.agents();
            let (job, _) = agents.create_job(&tenant, "k1", &spec, &["h1".into()], &[]).await.unwrap();
            agents.record_dispatch(&tenant, &job, &["h1".into()], &[]).await.unwrap();
            let (second, created) = files.put(&tenant, "app.tgz", b"two", "bob", quota).await.unwrap();
            assert!(!created);
            assert_ne!(first.sha256, second.sha256);
            assert_eq!(files.list(&tenant).await.unwrap(), vec![second.clone()]);
            let content = async |sha256: &str| std::fs::read(files.content_path(sha256).await.unwrap()).unwrap();
            assert_eq!(content(&first.sha256).await, b"one", "kept for the job still placing it");
            // A plugin component with the same bytes as a file is another blob: never collected with it.
            db.blobs(dir.join("components"), "wasm").unwrap().put(&first.sha256, b"one").await.unwrap();

            agents.set_job_host(&tenant, &job, "h1", "succeeded", Some(0), "").await.unwrap();
            files.collect().await.unwrap();
            assert!(files.content_path(&first.sha256).await.is_err(), "collected once no job places it");
            assert!(!dir.join(format!("{}.file", first.sha256)).exists(), "and its local copy");
            // (read through a store with no local copy, so from the database)
            let components = db.blobs(dir.join("elsewhere"), "wasm").unwrap();
            assert_eq!(components.get(&first.sha256).await.unwrap(), b"one");
            assert_eq!(files.get("other", "app.tgz").await.unwrap(), None, "names are per tenant");

            // The quota counts every file of the tenant, a replaced one by its new size.
            let refused = files.put(&tenant, "big", &vec![0u8; quota as usize], "bob", quota).await.unwrap_err();
            let over = refused.downcast::<OverQuota>().unwrap();
            assert_eq!((over.would_take, over.quota), (quota + 3, quota));
            assert_eq!(files.get(&tenant, "big").await.unwrap(), None, "nothing stored");
            let (whole, _) = files.put(&tenant, "app.tgz", &vec![1u8; quota as usize], "bob", quota).await.unwrap();
            assert_eq!(files.used_bytes(&tenant).await.unwrap(), quota);
            files.collect().await.unwrap();
            assert!(files.content_path(&second.sha256).await.is_err(), "replaced content no job places is collected");

            assert!(files.delete(&tenant, "app.tgz").await.unwrap());
            assert!(!files.delete(&tenant, "app.tgz").await.unwrap());
            // (the delete started a collection of its own: this one waits for it or does the work)
            files.collect().await.unwrap();
            assert!(!files.content_kept(&whole.sha256).await.unwrap(), "a deleted file's content is collected");
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
