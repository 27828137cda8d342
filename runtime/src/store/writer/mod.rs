//! The write path of the hot tables — run logs, `kv` state and the audit log:
//! a database connection on a thread of its own (a *lane*). Writes that queue
//! up while it commits are committed together in one transaction (group
//! commit), each inside a savepoint so that one refused write does not undo
//! the others.
//!
//! SQLite has one lane: it takes one writer at a time anyway. PostgreSQL has
//! several (`--db-writers`): each statement there is a round trip to another
//! process, and one connection waiting for them and for each commit's flush
//! set the pace of a whole node. A write goes to the lane of its key (a run's
//! id, a `kv` scope), so the writes of one key keep their order. Rows that
//! writes of several keys lock are locked from one lane (a scope's `kv`
//! entries), or by a write alone in its transaction (a parent's lease row,
//! when a child run is created), so two lanes never wait on each other in a
//! circle.
//!
//! Why not the sqlx pool: every sqlx statement is a round trip to a worker
//! thread, a transaction is several, and with SQLite each pooled
//! connection's page cache goes stale whenever another connection writes.
//! Here a batch costs one round trip and one commit however many runs it
//! serves. Readers keep using the pool.
//!
//! A write is a closure over [`Tx`], which speaks the SQL both backends
//! understand (`$1` parameters): `sqlite.rs` runs it on a rusqlite
//! connection, `postgres.rs` on a sqlx `PgConnection` driven by the thread's
//! own runtime.

mod checkpointer;
mod postgres;
mod sqlite;

use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::sync::oneshot;

pub(super) use checkpointer::WRITER_CHECKPOINT_PAGES;

/// How many queued writes at most go into one transaction.
const MAX_BATCH: usize = 512;

/// Lanes (connections) of a PostgreSQL writer unless configured: chain10 with
/// 16 clients on this project's two-core machine, PostgreSQL beside it, gave
/// the most flows/s with 2 (1,003–1,236 flows/s against 805–1,024 with 4 and
/// 738–900 with 3, alternating runs; README, Benchmarks). A machine with more
/// cores, or PostgreSQL on its own, may want more.
pub const DEFAULT_POSTGRES_LANES: usize = 2;

/// The most lanes a writer may have (each is a thread and a connection).
pub const MAX_LANES: usize = 64;

type Lane = mpsc::Sender<Box<dyn Job>>;

#[derive(Debug, Clone)]
pub struct Writer {
    lanes: Arc<[Lane]>,
}

/// A value bound to a statement's parameters `$1`, `$2`, … in order. Each
/// variant carries its type even when null, since PostgreSQL needs it.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(text: &'a str) -> Self {
        Param::Text(Some(text))
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(text: &'a String) -> Self {
        Param::Text(Some(text))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(text: Option<&'a str>) -> Self {
        Param::Text(text)
    }
}

impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(text: &'a Option<String>) -> Self {
        Param::Text(text.as_deref())
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Param::Int(Some(n))
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(n: Option<i64>) -> Self {
        Param::Int(n)
    }
}

/// The transaction a write runs in.
pub trait Tx {
    /// Run a statement; how many rows it changed. A primary-key or unique
    /// constraint refusing a row is reported as [`UniqueViolation`].
    fn execute(&mut self, sql: &'static str, params: &[Param<'_>]) -> anyhow::Result<u64>;
    /// The first column of the first row the query returns, if any.
    fn query_text(&mut self, sql: &'static str, params: &[Param<'_>]) -> anyhow::Result<Option<String>>;
}

/// A primary-key or unique constraint refused a row.
#[derive(Debug, thiserror::Error)]
#[error("a row with this key exists already: {0}")]
pub struct UniqueViolation(pub String);

/// Whether `error` (from a write) is a [`UniqueViolation`].
pub fn is_unique_violation(error: &anyhow::Error) -> bool {
    error.downcast_ref::<UniqueViolation>().is_some()
}

/// What the write loop needs of a backend's connection beyond [`Tx`].
trait Connection: Tx {
    /// Run statements that return nothing (transaction control).
    fn batch(&mut self, sql: &'static str) -> anyhow::Result<()>;
    /// The statement that opens a batch's transaction.
    fn begin(&self) -> &'static str {
        "BEGIN"
    }
    /// Open a batch's transaction and its first write's savepoint.
    fn open_batch(&mut self) -> anyhow::Result<()> {
        self.batch(self.begin())?;
        self.batch("SAVEPOINT job")
    }
    /// End one write's savepoint and start the next one's.
    fn next_savepoint(&mut self) -> anyhow::Result<()> {
        self.batch("RELEASE SAVEPOINT job")?;
        self.batch("SAVEPOINT job")
    }
    /// After a batch failed: make the connection usable again if it broke.
    fn recover(&mut self) {}
    /// After a batch was committed.
    fn committed(&mut self) {}
    /// How long to look for the next write before sleeping ([`IDLE_SPIN`]).
    /// None by default: a PostgreSQL server shares the machine's cores, and
    /// a writer looking for work keeps the scheduler from handing its core
    /// to the server's processes (chain10, 1 client: p50 4.5 → 6.5 ms).
    fn idle_spin(&self) -> Duration {
        Duration::ZERO
    }
}

/// A write waiting for the writer thread.
trait Job: Send {
    /// Do the work inside the open transaction; false if it failed (its
    /// savepoint is rolled back).
    fn run(&mut self, tx: &mut dyn Tx) -> bool;
    /// Answer the caller once the transaction's fate is known.
    fn reply(self: Box<Self>, committed: Result<(), &str>);
    /// Whether this write goes in a transaction of its own.
    fn alone(&self) -> bool;
}

struct Pending<T, F> {
    work: Option<F>,
    result: Option<anyhow::Result<T>>,
    answer: oneshot::Sender<anyhow::Result<T>>,
    alone: bool,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnOnce(&mut dyn Tx) -> anyhow::Result<T> + Send,
{
    fn run(&mut self, tx: &mut dyn Tx) -> bool {
        let work = self.work.take().expect("a job runs once");
        // A panicking job fails alone; the thread serving every write goes on.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(tx)))
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

    fn alone(&self) -> bool {
        self.alone
    }
}

impl Writer {
    /// Open a second connection to the SQLite database at `path` (already
    /// created and migrated) and start its thread, which ends when the last
    /// `Writer` handle is dropped — removing `scratch`, a throw-away
    /// database's directory, if given.
    pub fn start_sqlite(path: &Path, scratch: Option<PathBuf>) -> anyhow::Result<Writer> {
        let mut conn = sqlite::SqliteWriter::open(path)?;
        let (lane, _) = spawn_lane(0, move |queue| {
            write_loop(&mut conn, &queue);
            drop(conn);
            if let Some(dir) = scratch {
                let _ = std::fs::remove_dir_all(dir);
            }
        })?;
        Ok(Writer { lanes: Arc::new([lane]) })
    }

    /// Connect `lanes` times to the PostgreSQL database at `url` (already
    /// migrated) and start a thread per connection; they end when the last
    /// `Writer` handle is dropped — then the first drops `scratch`, a
    /// throw-away schema, if given, once the others are done.
    pub async fn start_postgres(url: &str, scratch: Option<String>, lanes: usize) -> anyhow::Result<Writer> {
        anyhow::ensure!(
            (1..=MAX_LANES).contains(&lanes),
            "a database writer has 1 to {MAX_LANES} connections, not {lanes}"
        );
        let mut senders = Vec::with_capacity(lanes);
        let mut connecting = Vec::with_capacity(lanes);
        let mut others = Vec::with_capacity(lanes - 1);
        // The connection belongs to a runtime of the lane's own thread, so it
        // is made there; the caller learns whether that worked.
        let connect =
            |url: String, ready: oneshot::Sender<anyhow::Result<()>>| match postgres::PostgresWriter::connect(&url) {
                Ok(conn) => {
                    let _ = ready.send(Ok(()));
                    Some(conn)
                }
                Err(error) => {
                    let _ = ready.send(Err(error));
                    None
                }
            };
        for number in 1..lanes {
            let (ready, connected) = oneshot::channel();
            let url = url.to_string();
            let (lane, thread) = spawn_lane(number, move |queue| {
                if let Some(mut conn) = connect(url, ready) {
                    write_loop(&mut conn, &queue);
                }
            })?;
            senders.push(lane);
            connecting.push(connected);
            others.push(thread);
        }
        let (ready, connected) = oneshot::channel();
        let url = url.to_string();
        let (first, _) = spawn_lane(0, move |queue| {
            if let Some(mut conn) = connect(url, ready) {
                write_loop(&mut conn, &queue);
                for thread in others {
                    let _ = thread.join();
                }
                if let Some(schema) = scratch {
                    conn.drop_schema(&schema);
                }
            }
        })?;
        senders.insert(0, first);
        connecting.insert(0, connected);
        let writer = Writer { lanes: senders.into() };
        for connected in connecting {
            connected.await.context("a database writer thread ended")?.context("the database writer cannot connect")?;
        }
        Ok(writer)
    }

    /// How many lanes (connections) this writer has.
    pub fn lanes(&self) -> usize {
        self.lanes.len()
    }

    /// The lane that carries every write of `key`.
    fn lane(&self, key: &str) -> &Lane {
        if self.lanes.len() == 1 {
            return &self.lanes[0];
        }
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        &self.lanes[(hasher.finish() % self.lanes.len() as u64) as usize]
    }

    /// Run `work` in the next transaction of the first lane and return what
    /// it returned once that transaction is committed. An error from `work`
    /// undoes only its own changes. For writes that lock no row another
    /// key's writes lock (an audit row); otherwise [`write_for`](Self::write_for).
    pub async fn write<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> anyhow::Result<T> + Send + 'static,
    {
        queue(&self.lanes[0], work, false)?.await
    }

    /// Like [`write`](Self::write), in the lane of `key`: after the writes
    /// of `key` queued before it.
    pub async fn write_for<T, F>(&self, key: &str, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> anyhow::Result<T> + Send + 'static,
    {
        self.submit_for(key, work)?.await
    }

    /// Queue `work` for the next transaction of the lane of `key` now; the
    /// answer comes once that transaction is committed. The writes of one
    /// key are committed in the order they were queued, so the caller may go
    /// on while this one commits.
    pub fn submit_for<T, F>(&self, key: &str, work: F) -> anyhow::Result<Committing<T>>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> anyhow::Result<T> + Send + 'static,
    {
        queue(self.lane(key), work, false)
    }

    /// Like [`write_for`](Self::write_for), in a transaction of its own: for a
    /// write that locks a row another lane's writes lock too (a parent's lease
    /// row, when a child run is created) — holding nothing else while it
    /// waits for that row, it cannot close a circle of waits.
    pub async fn write_alone_for<T, F>(&self, key: &str, work: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Tx) -> anyhow::Result<T> + Send + 'static,
    {
        queue(self.lane(key), work, true)?.await
    }
}

fn queue<T, F>(lane: &Lane, work: F, alone: bool) -> anyhow::Result<Committing<T>>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn Tx) -> anyhow::Result<T> + Send + 'static,
{
    let (answer, answered) = oneshot::channel();
    let job = Box::new(Pending { work: Some(work), result: None, answer, alone });
    lane.send(job).map_err(|_| anyhow::anyhow!("the database writer has stopped"))?;
    Ok(Committing { answered })
}

/// Start lane `number`'s thread, serving what is queued in it.
fn spawn_lane(
    number: usize,
    serve: impl FnOnce(mpsc::Receiver<Box<dyn Job>>) + Send + 'static,
) -> anyhow::Result<(Lane, std::thread::JoinHandle<()>)> {
    let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
    let thread = std::thread::Builder::new()
        .name(format!("scena-writer-{number}"))
        .spawn(move || serve(queue))
        .context("cannot start the database writer thread")?;
    Ok((jobs, thread))
}

/// A queued write: awaiting it gives what the write returned, once committed.
pub struct Committing<T> {
    answered: oneshot::Receiver<anyhow::Result<T>>,
}

impl<T> Committing<T> {
    /// What the write returned if it is committed (or failed) already; `None` while it is queued.
    pub fn try_take(&mut self) -> Option<anyhow::Result<T>> {
        match self.answered.try_recv() {
            Ok(answer) => Some(answer),
            Err(oneshot::error::TryRecvError::Empty) => None,
            Err(oneshot::error::TryRecvError::Closed) => {
                Some(Err(anyhow::anyhow!("the database writer stopped before answering")))
            }
        }
    }
}

impl<T> std::future::Future for Committing<T> {
    type Output = anyhow::Result<T>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.answered).poll(cx).map(|answer| {
            answer.unwrap_or_else(|_| Err(anyhow::anyhow!("the database writer stopped before answering")))
        })
    }
}

/// How long the SQLite writer keeps looking for the next write before it
/// sleeps. A write usually follows within this time when runs are going
/// (each step of a run queues one as soon as the last is committed), and a
/// sleeping writer costs every write a futex wake and then waits for the
/// kernel to give it a core — on two cores, often behind a busy worker.
/// Looking costs little: between looks the writer yields its core to whoever
/// needs it. Measured on chain10 over HTTP: 1 client p50 1.1 → 0.6 ms,
/// 16 clients +30 % flows/s. Not for PostgreSQL (see `Connection::idle_spin`).
const IDLE_SPIN: Duration = Duration::from_micros(200);

/// The next write, or `None` once every `Writer` handle is gone.
fn next_job(queue: &mpsc::Receiver<Box<dyn Job>>, spin: Duration) -> Option<Box<dyn Job>> {
    let looking = Instant::now();
    loop {
        match queue.try_recv() {
            Ok(job) => return Some(job),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) if looking.elapsed() < spin => std::thread::yield_now(),
            Err(mpsc::TryRecvError::Empty) => return queue.recv().ok(),
        }
    }
}

fn write_loop(conn: &mut impl Connection, queue: &mpsc::Receiver<Box<dyn Job>>) {
    // A write that goes alone, taken while a batch was being gathered: the next batch.
    let mut held_back = None;
    while let Some(first) = held_back.take().or_else(|| next_job(queue, conn.idle_spin())) {
        let mut batch = vec![first];
        while !batch[0].alone()
            && batch.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            if job.alone() {
                held_back = Some(job);
                break;
            }
            batch.push(job);
        }
        let committed = commit_batch(conn, &mut batch).map_err(|e| format!("{e:#}"));
        if committed.is_err() {
            let _ = conn.batch("ROLLBACK");
            conn.recover();
        } else {
            conn.committed();
        }
        for job in batch {
            job.reply(committed.as_ref().map(|_| ()).map_err(String::as_str));
        }
    }
}

fn commit_batch(conn: &mut impl Connection, batch: &mut [Box<dyn Job>]) -> anyhow::Result<()> {
    if let [job] = batch {
        conn.batch(conn.begin())?;
        // A write alone needs no savepoint (two round trips fewer on
        // PostgreSQL): if it fails, its transaction is rolled back whole, and
        // its caller gets its own error.
        let end = if job.run(conn) { "COMMIT" } else { "ROLLBACK" };
        return conn.batch(end);
    }
    for (index, job) in batch.iter_mut().enumerate() {
        if index == 0 {
            conn.open_batch()?;
        } else {
            conn.next_savepoint()?;
        }
        if !job.run(conn) {
            conn.batch("ROLLBACK TO SAVEPOINT job")?;
        }
    }
    // The last savepoint needs no release: the commit ends it.
    conn.batch("COMMIT")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_backends;

    /// A scratch PostgreSQL database, if the tests have PostgreSQL.
    async fn postgres() -> Option<crate::store::Db> {
        Some(crate::store::Db::scratch_postgres(&crate::store::test_postgres_url()?).await.unwrap())
    }

    async fn table(writer: &Writer) {
        writer.write(|tx| tx.execute("CREATE TABLE t (k TEXT PRIMARY KEY)", &[])).await.unwrap();
    }

    async fn insert(writer: &Writer, key: &'static str) -> anyhow::Result<u64> {
        writer.write(move |tx| tx.execute("INSERT INTO t (k) VALUES ($1)", &[key.into()])).await
    }

    async fn keys(db: &crate::store::Db) -> Vec<String> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT k FROM t ORDER BY k").fetch_all(db.pool()).await.unwrap();
        rows.into_iter().map(|(k,)| k).collect()
    }

    #[test]
    fn the_writer_takes_a_write_queued_before_or_after_it_stops_looking_and_ends_with_the_last_handle() {
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        let job = || -> Box<dyn Job> {
            let (answer, _) = oneshot::channel::<anyhow::Result<()>>();
            Box::new(Pending { work: Some(|_: &mut dyn Tx| Ok(())), result: None, answer, alone: false })
        };
        jobs.send(job()).unwrap();
        assert!(next_job(&queue, Duration::ZERO).is_some(), "a write already queued");
        let late = std::thread::spawn({
            let jobs = jobs.clone();
            move || {
                std::thread::sleep(Duration::from_millis(20));
                jobs.send(job()).unwrap();
            }
        });
        // Looks for 1 µs, then sleeps until the write comes.
        assert!(next_job(&queue, Duration::from_micros(1)).is_some(), "a write queued while the writer sleeps");
        late.join().unwrap();
        drop(jobs);
        assert!(next_job(&queue, IDLE_SPIN).is_none(), "no handle is left: the writer stops");
    }

    #[tokio::test]
    async fn a_refused_write_undoes_only_itself() {
        for db in test_backends().await {
            let writer = db.writer.clone();
            table(&writer).await;
            // Queued at once: whether they share a transaction or not, each
            // stands or falls alone.
            let (a, dup, b) = tokio::join!(insert(&writer, "a"), insert(&writer, "a"), insert(&writer, "b"));
            assert_eq!(a.unwrap(), 1, "{db:?}");
            let refused = dup.unwrap_err();
            assert!(is_unique_violation(&refused), "{db:?}: {refused}");
            assert_eq!(b.unwrap(), 1);
            assert_eq!(keys(&db).await, ["a", "b"], "{db:?}");
        }
    }

    #[tokio::test]
    async fn a_write_that_fails_half_way_leaves_nothing() {
        for db in test_backends().await {
            let writer = db.writer.clone();
            table(&writer).await;
            let failed = writer
                .write(|tx| {
                    tx.execute("INSERT INTO t (k) VALUES ('x')", &[])?;
                    tx.execute("INSERT INTO t (k) VALUES ('x')", &[])?;
                    Ok(())
                })
                .await;
            assert!(failed.is_err());
            assert!(keys(&db).await.is_empty(), "{db:?}: the first insert of the failed write was rolled back with it");
        }
    }

    #[tokio::test]
    async fn a_panicking_write_fails_alone_and_the_writer_goes_on() {
        for db in test_backends().await {
            let writer = db.writer.clone();
            table(&writer).await;
            let panicked = writer
                .write(|tx| -> anyhow::Result<()> {
                    tx.execute("INSERT INTO t (k) VALUES ('half')", &[])?;
                    panic!("a bug in a write");
                })
                .await;
            assert!(panicked.unwrap_err().to_string().contains("panicked"));
            insert(&writer, "after").await.unwrap();
            assert_eq!(keys(&db).await, ["after"], "{db:?}: the panicking write's insert was rolled back");
        }
    }

    #[tokio::test]
    async fn a_write_reads_what_it_wrote_and_typed_nulls_bind() {
        for db in test_backends().await {
            let writer = db.writer.clone();
            writer.write(|tx| tx.execute("CREATE TABLE n (k TEXT PRIMARY KEY, i BIGINT, s TEXT)", &[])).await.unwrap();
            let read = writer
                .write(|tx| {
                    tx.execute(
                        "INSERT INTO n (k, i, s) VALUES ($1, $2, $3)",
                        &["a".into(), None::<i64>.into(), None::<&str>.into()],
                    )?;
                    tx.execute(
                        "INSERT INTO n (k, i, s) VALUES ($1, $2, $3)",
                        &["b".into(), 7i64.into(), "seven".into()],
                    )?;
                    Ok((
                        tx.query_text("SELECT s FROM n WHERE i = $1", &[7i64.into()])?,
                        tx.query_text("SELECT s FROM n WHERE k = $1", &["zz".into()])?,
                    ))
                })
                .await
                .unwrap();
            assert_eq!(read, (Some("seven".to_string()), None), "{db:?}");
        }
    }

    #[tokio::test]
    async fn on_postgresql_the_writes_of_one_key_keep_their_order_across_several_connections() {
        let Some(db) = postgres().await else { return };
        let writer = db.writer.clone();
        assert_eq!(writer.lanes(), DEFAULT_POSTGRES_LANES);
        writer.write(|tx| tx.execute("CREATE TABLE o (key TEXT, n BIGINT)", &[])).await.unwrap();
        // 7 keys × 25 writes queued at once: each finds its key's previous one before it.
        let keys = ["a", "b", "c", "d", "e", "f", "g"];
        let mut queued = Vec::new();
        for n in 0..25i64 {
            for key in keys {
                queued.push(
                    writer
                        .submit_for(key, move |tx| {
                            let last = tx.query_text("SELECT MAX(n)::text FROM o WHERE key = $1", &[key.into()])?;
                            anyhow::ensure!(
                                last == (n > 0).then(|| (n - 1).to_string()),
                                "{key} {n} came after {last:?}"
                            );
                            tx.execute("INSERT INTO o (key, n) VALUES ($1, $2)", &[key.into(), n.into()])
                        })
                        .unwrap(),
                );
            }
        }
        for write in queued {
            write.await.unwrap();
        }
        // …and the keys are spread over every connection.
        let mut connections = std::collections::HashSet::new();
        for key in 0..64 {
            let key = format!("k{key}");
            let pid = writer.write_for(&key, |tx| tx.query_text("SELECT pg_backend_pid()::text", &[])).await;
            connections.insert(pid.unwrap());
        }
        assert_eq!(connections.len(), DEFAULT_POSTGRES_LANES);
    }

    #[tokio::test]
    async fn a_write_asked_to_go_alone_shares_its_transaction_with_no_other() {
        let Some(db) = postgres().await else { return };
        let writer = db.writer.clone();
        let transaction = |tx: &mut dyn Tx| tx.query_text("SELECT txid_current()::text", &[]);
        let queued: Vec<Committing<Option<String>>> =
            (0..40).map(|n| queue(writer.lane("k"), transaction, n % 10 == 5).unwrap()).collect();
        let mut seen: Vec<(bool, String)> = Vec::new();
        for (n, write) in queued.into_iter().enumerate() {
            seen.push((n % 10 == 5, write.await.unwrap().unwrap()));
        }
        for (alone, txid) in &seen {
            let sharing = seen.iter().filter(|(_, other)| other == txid).count();
            assert!(!alone || sharing == 1, "a write that goes alone shared transaction {txid}: {seen:?}");
        }
    }

    #[tokio::test]
    async fn a_writer_has_one_to_max_lanes_connections() {
        let Some(url) = crate::store::test_postgres_url() else { return };
        for lanes in [0, MAX_LANES + 1] {
            let refused = Writer::start_postgres(&url, None, lanes).await.unwrap_err();
            assert!(refused.to_string().contains("1 to 64 connections"), "{refused}");
        }
    }

    #[tokio::test]
    async fn after_postgresql_drops_its_connection_the_writer_reconnects() {
        let Some(db) = postgres().await else { return };
        let writer = db.writer.clone();
        table(&writer).await;
        let pid = writer.write(|tx| tx.query_text("SELECT pg_backend_pid()::text", &[])).await.unwrap().unwrap();
        let pid: i32 = pid.parse().unwrap();
        sqlx::query("SELECT COUNT(*) FROM (SELECT pg_terminate_backend($1, 10000)) AS t")
            .bind(pid)
            .execute(db.pool())
            .await
            .unwrap();
        // The write under way when the connection went fails; the next goes through a new one.
        let lost = insert(&writer, "lost").await;
        assert!(lost.is_err(), "a write on the dropped connection reports it");
        insert(&writer, "after").await.unwrap();
        assert_eq!(keys(&db).await, ["after"]);
        let new_pid = writer.write(|tx| tx.query_text("SELECT pg_backend_pid()::text", &[])).await.unwrap().unwrap();
        assert_ne!(new_pid, pid.to_string());
    }
}
