//! The writer's SQLite connection: rusqlite on the same bundled libsqlite3
//! as the sqlx pool, with its statements cached.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{OptionalExtension as _, ToSql, params_from_iter};

use super::checkpointer::{Checkpointer, WRITER_CHECKPOINT_PAGES};
use super::{Connection, Param, Tx, UniqueViolation};

pub(super) struct SqliteWriter {
    conn: rusqlite::Connection,
    checkpointer: Checkpointer,
}

impl SqliteWriter {
    pub(super) fn open(path: &Path) -> anyhow::Result<SqliteWriter> {
        let conn =
            rusqlite::Connection::open(path).with_context(|| format!("cannot open {} for writing", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Room for every statement the writer runs, so none is parsed twice.
        conn.set_prepared_statement_cache_capacity(64);
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
        let checkpointer = Checkpointer::start(path)?;
        Ok(SqliteWriter { conn, checkpointer })
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Text(Some(text)) => ToSqlOutput::from(text),
            Param::Int(Some(n)) => ToSqlOutput::from(n),
            Param::Text(None) | Param::Int(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

fn classify(error: rusqlite::Error) -> anyhow::Error {
    let unique = matches!(&error, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE);
    if unique { UniqueViolation(error.to_string()).into() } else { error.into() }
}

impl Tx for SqliteWriter {
    fn execute(&mut self, sql: &'static str, params: &[Param<'_>]) -> anyhow::Result<u64> {
        let mut statement = self.conn.prepare_cached(sql)?;
        Ok(statement.execute(params_from_iter(params)).map_err(classify)? as u64)
    }

    fn query_text(&mut self, sql: &'static str, params: &[Param<'_>]) -> anyhow::Result<Option<String>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let value: Option<Option<String>> =
            statement.query_row(params_from_iter(params), |row| row.get(0)).optional()?;
        Ok(value.flatten())
    }
}

impl Connection for SqliteWriter {
    fn batch(&mut self, sql: &'static str) -> anyhow::Result<()> {
        // Transaction control runs several times per batch (a savepoint per
        // write): prepared once, like every other statement here.
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    /// Take the write lock at once rather than on the first write, so a
    /// batch never fails half-way on a lock another process holds.
    fn begin(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }

    fn committed(&mut self) {
        self.checkpointer.nudge();
    }

    fn idle_spin(&self) -> Duration {
        super::IDLE_SPIN
    }
}
