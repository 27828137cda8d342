//! Persistence: embedded SQLite (WAL) by default, or PostgreSQL. Reads and
//! most writes go through a sqlx `Any` pool, so every store's SQL is written
//! once for both (`$1` parameters, no dialect-only syntax); run logs, `kv`
//! state and the audit log go through the [`Writer`], which group-commits
//! them. Migrations for each backend live in `runtime/migrations/<backend>/`
//! and run on open.

mod agent_links;
mod agents;
mod apps;
mod audit;
mod blobs;
mod change_feed;
mod channels;
mod event_rows;
mod files;
mod flows;
mod hosts;
mod identity;
mod identity_cache;
mod invitations;
mod kv;
mod leases;
mod light_apps;
mod mailbox;
mod migrations;
mod plugins;
mod row;
mod runs;
mod sealed_rows;
mod sealing;
mod secrets;
mod triggers;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection as _, Executor as _};
use writer::WRITER_CHECKPOINT_PAGES;

pub use agent_links::{AgentLinks, RelayedOutput};
pub use agents::{AgentInfo, AgentStore, EnrolmentInfo, JobHost, Settled, credential_hash};
pub use apps::{AppStore, InstallRow, ListingRow, VersionRow, app_scope, run_scope, split_scope};
pub use audit::{AuditEntry, AuditStore, Audited};
pub use blobs::BlobStore;
pub use change_feed::{EVERYTHING, follow_changes};
pub use channels::{ChannelStore, StoredChannel};
pub use files::{FileRecord, FileStore, OverQuota, file_name_problem};
use flows::VersionCache;
pub use flows::{Draft, DraftExpected, FlowStore, FlowVersion, content_hash};
pub use hosts::{HostPage, HostStore, Imported};
pub use identity::{
    IdentityStore, MayTouch, MemberChange, MemberRefused, PLATFORM_ADMIN, PLATFORM_MAKER, Principal, Standing,
    TokenInfo, new_token,
};
use identity_cache::IdentityCache;
pub use invitations::{InvitationInfo, InvitationStore, Joined, Refused};
pub use kv::{KvConflict, KvScope, KvStore, KvWrite, KvWrites};
pub use leases::{HeldElsewhere, LeaseLost, Leases, is_lease_lost};
pub use light_apps::{LightApp, LightAppStore};
pub use mailbox::{Mailbox, Posted};
pub use plugins::{PluginRecord, PluginStore};
pub use runs::{
    Appending, NewRun, RUN_STATUSES, RunChanged, RunFilter, RunStore, RunSummary, StepLog, StepResult, StoredRun,
    is_final_status, status_name,
};
pub use sealing::{SECRET_KEY_ENV, SealingKey, write_private};
pub use secrets::{GrantStore, SecretInfo, SecretStore};
pub use triggers::{Schedule, TriggerStore};
pub use writer::{DEFAULT_POSTGRES_LANES, MAX_LANES, Writer};

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a pool for reads and most writes, and the [`Writer`] for
/// the hot ones (run logs, `kv` state, audit).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    writer: Writer,
    backend: Backend,
    /// Published flow versions already read, shared by every `FlowStore` of this `Db`.
    versions: Arc<VersionCache>,
    /// Tokens already authenticated, shared by every `IdentityStore` of this `Db`.
    identities: Arc<IdentityCache>,
    /// Flow texts known to be stored, shared by every `RunStore` of this `Db`.
    stored_texts: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// This node's leases once it joined a cluster ([`Db::join_cluster`]), shared by every `RunStore`.
    cluster: Arc<std::sync::OnceLock<Arc<Leases>>>,
}

/// The page size of a SQLite database this version creates (one made
/// before keeps its own). A commit writes every page it changed to the log
/// whole, and most commits here append an event or two to a run: with 1 KiB
/// pages instead of 4 KiB, a quarter of the bytes. Measured on chain10 over
/// HTTP with 16 clients: p99 25–30 → 13–14 ms, flows/s +3–12 %.
const NEW_DATABASE_PAGE_SIZE: u32 = 1024;

/// How every pooled SQLite connection is set up (the page size matters only
/// to the connection that creates the file, which is the pool's first).
/// Checkpoints are the writer's business (`writer/checkpointer.rs`), not a
/// reader's.
static POOL_PRAGMAS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "PRAGMA page_size = {NEW_DATABASE_PAGE_SIZE}; PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES};"
    )
});

impl Db {
    /// Open (creating if needed) the SQLite database file at `path` and migrate it.
    ///
    /// WAL with `synchronous = NORMAL`: a committed transaction survives a crash
    /// of the process; after a power loss the last transactions before the
    /// crash may be lost, never corrupted.
    pub async fn open(path: &Path) -> anyhow::Result<Db> {
        Self::open_at(path, None).await
    }

    /// The database a `--db` URL names: `postgres://…` (or `postgresql://…`)
    /// for PostgreSQL, `sqlite://PATH` for a SQLite file.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Self::connect_with_writers(url, DEFAULT_POSTGRES_LANES).await
    }

    /// Like [`connect`](Self::connect), with `writers` connections writing
    /// run logs, `kv` state and audit rows on PostgreSQL (SQLite has one).
    pub async fn connect_with_writers(url: &str, writers: usize) -> anyhow::Result<Db> {
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            return Self::open(Path::new(path)).await;
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!("unsupported database URL `{}`: expected postgres://… or sqlite://PATH", redact(url));
        }
        Self::connect_postgres(url, None, writers)
            .await
            .with_context(|| format!("cannot open database {}", redact(url)))
    }

    /// A private schema in the PostgreSQL database at `url`, for tests: the
    /// returned `Db` works in it alone, and the schema is dropped when the
    /// last holder of its writer goes.
    pub async fn scratch_postgres(url: &str) -> anyhow::Result<Db> {
        let (scoped, schema) = scratch_schema(url).await?;
        Self::connect_postgres(&scoped, Some(schema), DEFAULT_POSTGRES_LANES)
            .await
            .with_context(|| format!("cannot open database {}", redact(url)))
    }

    async fn connect_postgres(url: &str, scratch: Option<String>, writers: usize) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions = url.parse()?;
        // One connection first: a pool would retry an unreachable server
        // for its whole acquire timeout before saying so.
        let mut first = sqlx::AnyConnection::connect_with(&options).await?;
        // sqlx holds an advisory lock while it migrates, so servers starting
        // together against one database do not race.
        migrations::migrator(Backend::Postgres).run(&mut first).await.context("database migration failed")?;
        first.close().await?;
        let pool = AnyPoolOptions::new().max_connections(8).connect_with(options).await?;
        let writer = Writer::start_postgres(url, scratch, writers).await?;
        Ok(Db {
            pool,
            writer,
            backend: Backend::Postgres,
            versions: Arc::default(),
            identities: Arc::default(),
            stored_texts: Arc::default(),
            cluster: Arc::default(),
        })
    }

    /// A private SQLite database in a fresh temporary directory, for tests.
    /// The directory goes when the last holder of its writer does (the `Db`,
    /// or a run, `kv` or audit store): hold the `Db` while using other stores.
    pub async fn scratch() -> anyhow::Result<Db> {
        let dir = std::env::temp_dir().join(format!("scena-scratch-{}", uuid::Uuid::new_v4()));
        Self::open_at(&dir.join("scratch.db"), Some(dir.clone())).await
    }

    /// Open `path`; `scratch` is a directory to remove once the writer stops.
    async fn open_at(path: &Path, scratch: Option<PathBuf>) -> anyhow::Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // Two processes opening a fresh database at once would both try to
        // apply the same migrations; an OS lock beside the file serialises them.
        let lock_path = path.with_extension("migrate.lock");
        let lock =
            std::fs::File::create(&lock_path).with_context(|| format!("cannot create {}", lock_path.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
        let db =
            Self::open_sqlite(path, scratch).await.with_context(|| format!("cannot open database {}", path.display()));
        drop(lock);
        db
    }

    async fn open_sqlite(path: &Path, scratch: Option<PathBuf>) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let path = std::path::absolute(path)?;
        // The `Any` driver takes a URL; a file name may hold characters a URL
        // gives a meaning to, so those are escaped.
        let name = path.to_str().context("the database path is not UTF-8")?;
        let escaped = name.replace('%', "%25").replace('?', "%3F").replace('#', "%23");
        let options: AnyConnectOptions = format!("sqlite://{escaped}?mode=rwc").parse()?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(POOL_PRAGMAS.as_str()).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        migrations::migrator(Backend::Sqlite).run(&pool).await.context("database migration failed")?;
        let writer = Writer::start_sqlite(&path, scratch)?;
        let db = Db {
            pool,
            writer,
            backend: Backend::Sqlite,
            versions: Arc::default(),
            identities: Arc::default(),
            stored_texts: Arc::default(),
            cluster: Arc::default(),
        };
        db.triggers().hash_plain_webhook_ids().await?;
        Ok(db)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn kv(&self) -> KvStore {
        KvStore::new(self.pool.clone(), self.writer.clone())
    }

    pub fn flows(&self) -> FlowStore {
        FlowStore::new(self.clone(), self.versions.clone())
    }

    pub fn audit(&self) -> AuditStore {
        AuditStore::new(self.pool.clone(), self.writer.clone())
    }

    pub fn identity(&self) -> IdentityStore {
        IdentityStore::new(self.clone())
    }

    pub fn invitations(&self) -> InvitationStore {
        InvitationStore::new(self.clone())
    }

    pub fn agents(&self) -> AgentStore {
        AgentStore::new(self.clone())
    }

    pub fn hosts(&self) -> HostStore {
        HostStore::new(self.clone())
    }

    pub fn triggers(&self) -> TriggerStore {
        TriggerStore::new(self.clone())
    }

    pub fn grants(&self) -> GrantStore {
        GrantStore::new(self.pool.clone())
    }

    pub fn channels(&self, key: std::sync::Arc<SealingKey>) -> ChannelStore {
        ChannelStore::new(self.pool.clone(), key)
    }

    pub fn secrets(&self, key: std::sync::Arc<SealingKey>) -> SecretStore {
        SecretStore::new(self.pool.clone(), key)
    }

    pub fn apps(&self, key: std::sync::Arc<SealingKey>) -> AppStore {
        AppStore::new(self.pool.clone(), key)
    }

    pub fn light_apps(&self) -> LightAppStore {
        LightAppStore::new(self.pool.clone())
    }

    pub fn plugins(&self) -> PluginStore {
        PluginStore::new(self.pool.clone())
    }

    pub fn runs(&self) -> RunStore {
        RunStore::new(self.pool.clone(), self.writer.clone(), self.stored_texts.clone(), self.cluster.clone())
    }

    /// Content-addressed files in the database, with local copies in `dir` named `<sha256>.<extension>`.
    pub fn blobs(&self, dir: std::path::PathBuf, extension: &'static str) -> anyhow::Result<BlobStore> {
        BlobStore::new(self.pool.clone(), dir, extension, "")
    }

    /// The tenants' files for `push-file`, their content kept as blobs with local copies in `dir`.
    pub fn files(&self, dir: std::path::PathBuf) -> anyhow::Result<FileStore> {
        Ok(FileStore::new(self.clone(), BlobStore::new(self.pool.clone(), dir, "file", files::BLOB_PREFIX)?))
    }

    pub fn mailbox(&self) -> Mailbox {
        Mailbox::new(self.pool.clone())
    }

    /// Where agents are connected in the cluster, as node `node` of it.
    pub fn agent_links(&self, node: &str) -> AgentLinks {
        AgentLinks::new(self.pool.clone(), node.to_string())
    }

    /// Drive runs as node `node` of a cluster on this (PostgreSQL) database:
    /// from now on every run this process writes is under a lease of `ttl_ms`,
    /// alive while [`Leases::heartbeat`] renews it, and every write to it is fenced.
    pub async fn join_cluster(&self, node: &str, ttl_ms: u64) -> anyhow::Result<Arc<Leases>> {
        anyhow::ensure!(self.backend == Backend::Postgres, "only servers on PostgreSQL form a cluster");
        let leases = Arc::new(Leases::new(self.pool.clone(), node.to_string(), ttl_ms));
        // Alive before it holds anything: a lease of a node without a heartbeat is anyone's.
        leases.heartbeat().await?;
        self.cluster.set(leases.clone()).map_err(|_| anyhow::anyhow!("this database joined a cluster already"))?;
        Ok(leases)
    }

    /// Refuse `key` unless this database's secrets were sealed with it.
    pub async fn check_sealing_key(&self, key: &SealingKey) -> anyhow::Result<()> {
        sealing::check_key(&self.pool, key).await
    }

    /// Whether the database's newest migration is this binary's newest.
    pub async fn migrations_current(&self) -> anyhow::Result<bool> {
        let newest = migrations::newest(self.backend);
        let (applied,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(&self.pool).await?;
        Ok(applied == newest)
    }

    /// Forget every cached identity answer and published version (another node changed them).
    pub fn forget_cached(&self, table: &str) {
        if matches!(table, "tenants" | "users" | "members" | "api_tokens" | EVERYTHING) {
            self.identities.forget_all();
        }
        if matches!(table, "flow_versions" | EVERYTHING) {
            self.versions.forget_all();
        }
    }

    /// This node's leases, if it joined a cluster.
    pub fn cluster(&self) -> Option<Arc<Leases>> {
        self.cluster.get().cloned()
    }

    /// A transaction that holds the database's write lock from its start,
    /// for read-then-write sequences that must not interleave (publishing a
    /// version, rotating a webhook, replacing the admin token): SQLite's
    /// `BEGIN IMMEDIATE`, and on PostgreSQL one transaction-scoped advisory
    /// lock that such transactions share.
    pub(crate) async fn begin_exclusive(&self) -> anyhow::Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                // Selected through a count: `Any` cannot carry the function's `void` result.
                sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(7316117)) AS locked")
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }
}

/// Make a schema of a fresh name in the PostgreSQL database at `url`, for
/// tests; returns a URL whose connections work in that schema, and its
/// name. A test process can end before its writers drop their schemas, so
/// schemas of this kind older than an hour are dropped here.
pub async fn scratch_schema(url: &str) -> anyhow::Result<(String, String)> {
    const PREFIX: &str = "scena_scratch_";
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let schema = format!("{PREFIX}{now}_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname::text, $1)")
            .bind(PREFIX)
            .fetch_all(&mut conn)
            .await?;
    for stale in existing {
        let made = stale[PREFIX.len()..].split('_').next().and_then(|secs| secs.parse::<u64>().ok());
        if made.is_some_and(|made| made + 3600 < now) {
            conn.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {stale} CASCADE"))).await?;
        }
    }
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).await?;
    conn.close().await?;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok((format!("{url}{separator}options[search_path]={schema}"), schema))
}

/// Drop a schema [`scratch_schema`] made.
pub async fn drop_scratch_schema(url: &str, schema: &str) -> anyhow::Result<()> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    conn.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))).await?;
    Ok(conn.close().await?)
}

/// The databases the store's own tests run against: a scratch SQLite file
/// and a scratch schema in the PostgreSQL database at `SCENA_TEST_POSTGRES`
/// (default: the local server's `test` database; `off` leaves it out).
#[cfg(test)]
pub(crate) async fn test_backends() -> Vec<Db> {
    let mut dbs = vec![Db::scratch().await.expect("a scratch SQLite database")];
    if let Some(url) = test_postgres_url() {
        let db = Db::scratch_postgres(&url).await;
        dbs.push(db.unwrap_or_else(|e| {
            panic!("PostgreSQL at {} (set SCENA_TEST_POSTGRES to another URL, or to `off`): {e:#}", redact(&url))
        }));
    }
    dbs
}

/// Where tests find PostgreSQL; `None` if `SCENA_TEST_POSTGRES` is `off`.
pub fn test_postgres_url() -> Option<String> {
    match std::env::var("SCENA_TEST_POSTGRES") {
        Ok(off) if off == "off" => None,
        Ok(url) => Some(url),
        Err(_) => Some("postgres://postgres@127.0.0.1:5432/test".to_string()),
    }
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| Some((scheme, rest.split_once('@')?))) {
        Some((scheme, (credentials, host))) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

pub(crate) fn now_rfc3339() -> String {
    stored_time(std::time::SystemTime::now())
}

/// `at` as the store writes instants: RFC 3339, UTC, milliseconds.
pub(crate) fn stored_time(at: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// Like [`stored_time`], or `None` for an instant it cannot write (after
/// the year 9999): for instants computed from what a caller asked.
pub(crate) fn checked_stored_time(at: std::time::SystemTime) -> Option<String> {
    // 10000-01-01T00:00:00Z: RFC 3339 has four-digit years.
    const END: std::time::Duration = std::time::Duration::from_secs(253_402_300_800);
    let since = at.duration_since(std::time::UNIX_EPOCH).ok()?;
    (since < END).then(|| stored_time(at))
}

/// An RFC 3339 instant (any offset) as the store writes instants — UTC,
/// milliseconds, like [`now_rfc3339`] — so that they compare as text. An
/// offset may carry an instant past a four-digit year in UTC
/// (`9999-12-31T23:59:59-23:59`), which would be written `+10000-…` and sort
/// before every other: refused.
pub(crate) fn stored_instant(text: &str) -> Result<String, String> {
    use chrono::Datelike;
    let instant = chrono::DateTime::parse_from_rfc3339(text).map_err(|e| e.to_string())?.with_timezone(&chrono::Utc);
    if !(0..=9999).contains(&instant.year()) {
        return Err("in UTC it falls outside the years 0000-9999".to_string());
    }
    Ok(instant.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn page_size(db: &Db) -> i64 {
        let (size,): (i64,) = sqlx::query_as("PRAGMA page_size").fetch_one(db.pool()).await.unwrap();
        size
    }

    #[test]
    fn instants_are_stored_in_utc_and_refused_past_a_four_digit_year_there() {
        assert_eq!(stored_instant("2026-12-07T15:00:00+01:00").unwrap(), "2026-12-07T14:00:00.000Z");
        assert_eq!(stored_instant("9999-12-31T23:59:59Z").unwrap(), "9999-12-31T23:59:59.000Z");
        assert!(stored_instant("9999-12-31T23:59:59-23:59").unwrap_err().contains("outside the years"));
        assert!(stored_instant("0000-01-01T00:00:00+00:01").unwrap_err().contains("outside the years"));
        assert!(stored_instant("yesterday").is_err());
    }

    #[tokio::test]
    async fn a_new_sqlite_database_has_small_pages_and_one_made_before_keeps_its_own() {
        let dir = std::env::temp_dir().join(format!("scena-pages-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let new = Db::open(&dir.join("new.db")).await.unwrap();
        assert_eq!(page_size(&new).await, i64::from(NEW_DATABASE_PAGE_SIZE));

        // As an earlier version left it: 4 KiB pages, in WAL mode, with a table in it.
        let older = dir.join("older.db");
        rusqlite::Connection::open(&older)
            .unwrap()
            .execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (7);")
            .unwrap();
        let db = Db::open(&older).await.unwrap();
        assert_eq!(page_size(&db).await, 4096, "an existing database is not rewritten");
        db.identity().ensure_tenant("t").await.unwrap();
        let (kept,): (i64,) = sqlx::query_as("SELECT x FROM kept").fetch_one(db.pool()).await.unwrap();
        assert_eq!(kept, 7);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
