//! Content-addressed files — uploaded plugin components, signed app
//! packages, tenants' files — kept in the database, so every node of a
//! cluster reads what one of them received, with a copy in a local folder
//! read first. Tenants' files are kept under keys of their own (`file:` and
//! the sha256), so collecting content no file names any more never touches
//! a component or package that happens to have the same bytes.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

#[derive(Debug, Clone)]
pub struct BlobStore {
    pool: AnyPool,
    /// The local copies, `<sha256>.<extension>`.
    dir: PathBuf,
    extension: &'static str,
    /// Before the sha256 in the database's key.
    prefix: &'static str,
}

impl BlobStore {
    pub(super) fn new(
        pool: AnyPool,
        dir: PathBuf,
        extension: &'static str,
        prefix: &'static str,
    ) -> anyhow::Result<BlobStore> {
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(BlobStore { pool, dir, extension, prefix })
    }

    fn local(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.{}", self.extension))
    }

    /// The database's key of `sha256`'s content.
    pub(super) fn key(&self, sha256: &str) -> String {
        format!("{}{sha256}", self.prefix)
    }

    /// Remove this node's copy of `sha256`'s content (its rows are gone).
    pub(super) fn forget_local(&self, sha256: &str) {
        let _ = std::fs::remove_file(self.local(sha256));
    }

    /// The sha256s this node has a local copy of.
    pub(super) fn local_copies(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let suffix = format!(".{}", self.extension);
        entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(&suffix).map(str::to_string))
            .filter(|stem| stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
            .collect()
    }

    /// Whether the database keeps `sha256`'s content.
    pub(super) async fn is_kept(&self, sha256: &str) -> anyhow::Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM blobs WHERE sha256 = $1")
            .bind(self.key(sha256))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Keep `bytes` (whose sha256 the caller computed) in the database and locally.
    pub async fn put(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.insert(sha256, bytes).await?;
        self.keep_local(sha256, bytes)
    }

    async fn insert(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING")
            .bind(self.key(sha256))
            .bind(bytes.to_vec())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The bytes kept under `sha256`: the local copy, else the database's
    /// (copied here for next time). The caller checks them against the
    /// sha256 if it must: a local copy may have been altered.
    pub async fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.local(sha256);
        if let Ok(bytes) = std::fs::read(&path) {
            // Only components and packages were ever kept only locally; a
            // tenant's file content whose rows were collected stays gone.
            if self.prefix.is_empty() {
                self.copy_to_database(sha256, &bytes).await?;
            }
            return Ok(bytes);
        }
        let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT bytes FROM blobs WHERE sha256 = $1")
            .bind(self.key(sha256))
            .fetch_optional(&self.pool)
            .await?;
        let Some((bytes,)) = row else { bail!("{sha256} is neither in the database nor in {}", self.dir.display()) };
        self.keep_local(sha256, &bytes)?;
        Ok(bytes)
    }

    /// The local copy of what is kept under `sha256`, copied from the
    /// database first if this node has none: to be streamed, never read
    /// whole. Not checked against the sha256 (whoever uses it checks it).
    pub async fn local_copy(&self, sha256: &str) -> anyhow::Result<PathBuf> {
        let path = self.local(sha256);
        if !path.exists() {
            self.get(sha256).await?;
        }
        Ok(path)
    }

    /// A file kept only locally — by a server from before blobs were kept in
    /// the database — is copied there, so other nodes find it too; only if
    /// it is still what its name says.
    async fn copy_to_database(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        if !self.is_kept(sha256).await? && hex::encode(Sha256::digest(bytes)) == sha256 {
            self.insert(sha256, bytes).await?;
        }
        Ok(())
    }

    /// Write the local copy once, atomically: a half-written file is never seen.
    fn keep_local(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.local(sha256);
        if path.exists() {
            return Ok(());
        }
        let partial = self.dir.join(format!("{sha256}.{}.partial", uuid::Uuid::new_v4().simple()));
        std::fs::write(&partial, bytes).with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("cannot store {}", path.display()))?;
        Ok(())
    }
}
