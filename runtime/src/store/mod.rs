//! Persistence: one SQLite database (WAL mode). Reads and most writes go
//! through a sqlx pool; run logs and `kv` state through the [`Writer`], which
//! group-commits them. Migrations for each backend live in
//! `runtime/migrations/<backend>/` and run on open.

mod audit;
mod flows;
mod identity;
mod kv;
mod plugins;
mod runs;
mod sealing;
mod secrets;
mod triggers;
mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use kv::{KvConflict, KvScope, KvStore, KvWrite, KvWrites};
pub use flows::{content_hash, FlowStore, FlowVersion};
pub use audit::{AuditEntry, AuditStore, Audited};
pub use identity::{new_token, IdentityStore, Principal, Standing, TokenInfo, PLATFORM_ADMIN};
pub use runs::{NewRun, RunStore, RunSummary, StepResult, StoredRun};
pub use plugins::{PluginRecord, PluginStore};
pub use sealing::{write_private, SealingKey, SECRET_KEY_ENV};
pub use secrets::{GrantStore, SecretInfo, SecretStore};
pub use triggers::{Schedule, TriggerStore};
pub use writer::Writer;

/// The embedded database: a pool for reads and most writes, and the
/// [`Writer`] for the hot ones (run logs, `kv` state).
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
    writer: Writer,
}

impl Db {
    /// Open (creating if needed) the database file at `path` and migrate it.
    ///
    /// WAL with `synchronous = NORMAL`: a committed transaction survives a crash
    /// of the process; after a power loss the last transactions before the
    /// crash may be lost, never corrupted.
    pub async fn open(path: &Path) -> anyhow::Result<Db> {
        Self::open_at(path, None).await
    }

    /// A private database in a fresh temporary directory, for tests. The
    /// directory goes when the last holder of its writer does (the `Db`, or
    /// a run, `kv` or audit store): hold the `Db` while using other stores.
    pub async fn scratch() -> anyhow::Result<Db> {
        let dir = std::env::temp_dir().join(format!("scena-scratch-{}", uuid::Uuid::new_v4()));
        Self::open_at(&dir.join("scratch.db"), Some(dir.clone())).await
    }

    /// Open `path`; `scratch` is a directory to remove once the writer stops.
    async fn open_at(path: &Path, scratch: Option<PathBuf>) -> anyhow::Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // Two processes opening a fresh database at once would both try to
        // apply the same migrations; an OS lock beside the file serialises them.
        let lock_path = path.with_extension("migrate.lock");
        let lock = std::fs::File::create(&lock_path).with_context(|| format!("cannot create {}", lock_path.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
        let db = Self::connect(options, path, scratch).await.with_context(|| format!("cannot open database {}", path.display()));
        drop(lock);
        db
    }

    async fn connect(options: SqliteConnectOptions, path: &Path, scratch: Option<PathBuf>) -> anyhow::Result<Db> {
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await.context("database migration failed")?;
        let writer = Writer::start(path, scratch)?;
        Ok(Db { pool, writer })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn kv(&self) -> KvStore {
        KvStore::new(self.pool.clone(), self.writer.clone())
    }

    pub fn flows(&self) -> FlowStore {
        FlowStore::new(self.pool.clone())
    }

    pub fn audit(&self) -> AuditStore {
        AuditStore::new(self.pool.clone(), self.writer.clone())
    }

    pub fn identity(&self) -> IdentityStore {
        IdentityStore::new(self.pool.clone())
    }

    pub fn triggers(&self) -> TriggerStore {
        TriggerStore::new(self.pool.clone())
    }

    pub fn grants(&self) -> GrantStore {
        GrantStore::new(self.pool.clone())
    }

    pub fn secrets(&self, key: std::sync::Arc<SealingKey>) -> SecretStore {
        SecretStore::new(self.pool.clone(), key)
    }

    pub fn plugins(&self) -> PluginStore {
        PluginStore::new(self.pool.clone())
    }

    pub fn runs(&self) -> RunStore {
        RunStore::new(self.pool.clone(), self.writer.clone())
    }
}

pub(crate) fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}
