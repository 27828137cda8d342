//! The write path of the hot tables — run logs, `kv` state and the audit log:
//! one SQLite connection on a thread of its own. Writes that queue up while
//! it commits are committed together in one transaction (group commit), each
//! inside a savepoint so that one refused write does not undo the others.
//!
//! Why not the sqlx pool: every sqlx statement is a round trip to a worker
//! thread, a transaction is several, and each pooled connection's page cache
//! goes stale whenever another connection writes. Here a batch costs one
//! round trip and one commit however many runs it serves, and the only
//! writer's cache stays warm. Readers keep using the pool (WAL lets them read
//! beside the writer).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::Connection;
use tokio::sync::oneshot;

/// How many queued writes at most go into one transaction.
const MAX_BATCH: usize = 512;

#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

/// A write waiting for the writer thread.
trait Job: Send {
    /// Do the work inside the open transaction; false if it failed (its
    /// savepoint is rolled back).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answer the caller once the transaction's fate is known.
    fn reply(self: Box<Self>, committed: Result<(), &str>);
}

struct Pending<T, F> {
    work: Option<F>,
    result: Option<anyhow::Result<T>>,
    answer: oneshot::Sender<anyhow::Result<T>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> anyhow::Result<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let work = self.work.take().expect("a job runs once");
        // A panicking job fails alone; the thread serving every write goes on.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the write panicked; nothing of it was kept")));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn reply(self: Box<Self>, committed: Result<(), &str>) {
        let answer = match (committed, self.result) {
            (_, Some(Err(error))) => Err(error),
            (Ok(()), Some(Ok(value))) => Ok(value),
            (Err(why), _) => Err(anyhow::anyhow!("the write was not committed: {why}")),
            (Ok(()), None) => Err(anyhow::anyhow!("the write was not carried out")),
        };
        let _ = self.answer.send(answer);
    }
}

impl Writer {
    /// Open a second connection to the database at `path` (already created
    /// and migrated) and start its thread, which ends when the last `Writer`
    /// handle is dropped — removing `scratch`, a throw-away database's
    /// directory, if given.
    pub fn start(path: &Path, scratch: Option<PathBuf>) -> anyhow::Result<Writer> {
        let conn = Connection::open(path).with_context(|| format!("cannot open {} for writing", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("scena-writer".into())
            .spawn(move || {
                write_loop(&conn, &queue);
                drop(conn);
                if let Some(dir) = scratch {
                    let _ = std::fs::remove_dir_all(dir);
                }
            })
            .context("cannot start the database writer thread")?;
        Ok(Writer { jobs })
    }

    /// Run `work` in the next transaction and return what it returned once
    /// that transaction is committed. An error from `work` undoes only its
    /// own changes.
    pub async fn write<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> anyhow::Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job = Box::new(Pending { work: Some(work), result: None, answer });
        self.jobs.send(job).map_err(|_| anyhow::anyhow!("the database writer has stopped"))?;
        answered.await.map_err(|_| anyhow::anyhow!("the database writer stopped before answering"))?
    }
}

fn write_loop(conn: &Connection, queue: &mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            batch.push(job);
        }
        let committed = commit_batch(conn, &mut batch).map_err(|e| format!("{e:#}"));
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for job in batch {
            job.reply(committed.as_ref().map(|_| ()).map_err(String::as_str));
        }
    }
}

fn commit_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        conn.execute_batch("SAVEPOINT job")?;
        if !job.run(conn) {
            conn.execute_batch("ROLLBACK TO job")?;
        }
        conn.execute_batch("RELEASE job")?;
    }
    conn.execute_batch("COMMIT")
}

/// Whether `error` is a primary-key or unique constraint refusing a row.
pub fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    async fn table() -> (Db, Writer) {
        let db = Db::scratch().await.unwrap();
        let writer = db.writer.clone();
        writer.write(|conn| Ok(conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY)")?)).await.unwrap();
        (db, writer)
    }

    async fn insert(writer: &Writer, key: &'static str) -> anyhow::Result<usize> {
        writer.write(move |conn| Ok(conn.execute("INSERT INTO t (k) VALUES (?1)", [key])?)).await
    }

    async fn keys(writer: &Writer) -> Vec<String> {
        writer
            .write(|conn| {
                let mut statement = conn.prepare("SELECT k FROM t ORDER BY k")?;
                let keys = statement.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
                Ok(keys)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_refused_write_undoes_only_itself() {
        let (_db, writer) = table().await;
        // Queued at once: whether they share a transaction or not, each
        // stands or falls alone.
        let (a, dup, b) = tokio::join!(insert(&writer, "a"), insert(&writer, "a"), insert(&writer, "b"));
        assert_eq!(a.unwrap(), 1);
        let refused = dup.unwrap_err();
        assert!(refused.downcast_ref::<rusqlite::Error>().is_some_and(is_unique_violation), "{refused}");
        assert_eq!(b.unwrap(), 1);
        assert_eq!(keys(&writer).await, ["a", "b"]);
    }

    #[tokio::test]
    async fn a_write_that_fails_half_way_leaves_nothing() {
        let (_db, writer) = table().await;
        let failed = writer
            .write(|conn| {
                conn.execute("INSERT INTO t (k) VALUES ('x')", [])?;
                conn.execute("INSERT INTO t (k) VALUES ('x')", [])?;
                Ok(())
            })
            .await;
        assert!(failed.is_err());
        assert!(keys(&writer).await.is_empty(), "the first insert of the failed write was rolled back with it");
    }

    #[tokio::test]
    async fn a_panicking_write_fails_alone_and_the_writer_goes_on() {
        let (_db, writer) = table().await;
        let panicked = writer
            .write(|conn| -> anyhow::Result<()> {
                conn.execute("INSERT INTO t (k) VALUES ('half')", [])?;
                panic!("a bug in a write");
            })
            .await;
        assert!(panicked.unwrap_err().to_string().contains("panicked"));
        insert(&writer, "after").await.unwrap();
        assert_eq!(keys(&writer).await, ["after"], "the panicking write's insert was rolled back");
    }

    #[tokio::test]
    async fn what_the_writer_commits_the_pool_reads() {
        let (db, writer) = table().await;
        insert(&writer, "seen").await.unwrap();
        let (key,): (String,) = sqlx::query_as("SELECT k FROM t").fetch_one(db.pool()).await.unwrap();
        assert_eq!(key, "seen");
    }
}
