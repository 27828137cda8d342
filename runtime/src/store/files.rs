//! The files a tenant uploaded for `push-file` to place on hosts: a row per
//! name pointing at content kept by sha256 (`BlobStore`, so every node of a
//! cluster serves what one received). Replacing a file points its name at
//! new content; the old content stays, for the jobs that pinned it.

use sha2::{Digest, Sha256};
use sqlx::AnyPool;

use super::BlobStore;
use super::row::from_row;

#[derive(Debug, Clone)]
pub struct FileStore {
    pool: AnyPool,
    blobs: BlobStore,
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
    pub(super) fn new(pool: AnyPool, blobs: BlobStore) -> FileStore {
        FileStore { pool, blobs }
    }

    /// Keep `bytes` as `name` of `tenant` (replacing what the name held):
    /// the record, and whether the name is new.
    pub async fn put(&self, tenant: &str, name: &str, bytes: &[u8], by: &str) -> anyhow::Result<(FileRecord, bool)> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        self.blobs.put(&sha256, bytes).await?;
        let existed = self.get(tenant, name).await?.is_some();
        let record = FileRecord {
            name: name.to_string(),
            sha256,
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
        .execute(&self.pool)
        .await?;
        Ok((record, !existed))
    }

    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<FileRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM files WHERE tenant = $1 ORDER BY name")))
            .bind(tenant)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn get(&self, tenant: &str, name: &str) -> anyhow::Result<Option<FileRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM files WHERE tenant = $1 AND name = $2")))
            .bind(tenant)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Forget the name; `false` if the tenant had no such file. The content
    /// stays for jobs that name it.
    pub async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM files WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .execute(&self.pool)
            .await?;
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
    async fn a_replaced_file_keeps_its_old_content_for_the_jobs_that_pinned_it() {
        for db in crate::store::test_backends().await {
            let dir = std::env::temp_dir().join(format!("scena-files-{}", uuid::Uuid::new_v4()));
            let files = db.files(dir.clone()).unwrap();
            let tenant = format!("acme-{}", uuid::Uuid::new_v4().simple());
            let (first, created) = files.put(&tenant, "app.tgz", b"one", "alice").await.unwrap();
            assert!(created);
            let (second, created) = files.put(&tenant, "app.tgz", b"two", "bob").await.unwrap();
            assert!(!created);
            assert_ne!(first.sha256, second.sha256);
            assert_eq!(files.list(&tenant).await.unwrap(), vec![second.clone()]);
            let content = async |sha256: &str| std::fs::read(files.content_path(sha256).await.unwrap()).unwrap();
            assert_eq!(content(&first.sha256).await, b"one");
            assert_eq!(files.get("other", "app.tgz").await.unwrap(), None, "names are per tenant");
            assert!(files.delete(&tenant, "app.tgz").await.unwrap());
            assert!(!files.delete(&tenant, "app.tgz").await.unwrap());
            assert_eq!(content(&second.sha256).await, b"two");
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
