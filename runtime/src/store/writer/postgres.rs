//! The writer's PostgreSQL connection: a sqlx `PgConnection` driven by a
//! single-threaded tokio runtime that the writer thread owns, so writes are
//! plain blocking calls there, as with SQLite.

use sqlx::postgres::PgConnection;
use sqlx::{Connection as _, Executor as _};

use super::{Connection, Param, Tx, UniqueViolation};

pub(super) struct PostgresWriter {
    runtime: tokio::runtime::Runtime,
    conn: PgConnection,
    url: String,
}

impl PostgresWriter {
    /// Must be called on the writer's thread (it blocks on its own runtime).
    pub(super) fn connect(url: &str) -> anyhow::Result<PostgresWriter> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let conn = runtime.block_on(PgConnection::connect(url))?;
        Ok(PostgresWriter { runtime, conn, url: url.to_string() })
    }
}

impl PostgresWriter {
    /// Remove a scratch schema and everything in it.
    pub(super) fn drop_schema(&mut self, schema: &str) {
        let sql = sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        if let Err(error) = self.runtime.block_on(self.conn.execute(sql)) {
            tracing::warn!(%error, schema, "cannot drop a scratch schema");
        }
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn bind<'q>(mut query: Query<'q>, params: &[Param<'q>]) -> Query<'q> {
    for param in params {
        query = match *param {
            Param::Text(text) => query.bind(text),
            Param::Int(n) => query.bind(n),
        };
    }
    query
}

fn classify(error: sqlx::Error) -> anyhow::Error {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => UniqueViolation(e.message().to_string()).into(),
        _ => error.into(),
    }
}

impl Tx for PostgresWriter {
    fn execute(&mut self, sql: &'static str, params: &[Param<'_>]) -> anyhow::Result<u64> {
        let query = bind(sqlx::query(sql), params);
        let done = self.runtime.block_on(query.execute(&mut self.conn)).map_err(classify)?;
        Ok(done.rows_affected())
    }

    fn query_text(&mut self, sql: &'static str, params: &[Param<'_>]) -> anyhow::Result<Option<String>> {
        let mut query = sqlx::query_scalar::<_, Option<String>>(sql);
        for param in params {
            query = match *param {
                Param::Text(text) => query.bind(text),
                Param::Int(n) => query.bind(n),
            };
        }
        Ok(self.runtime.block_on(query.fetch_optional(&mut self.conn)).map_err(classify)?.flatten())
    }
}

impl Connection for PostgresWriter {
    fn batch(&mut self, sql: &'static str) -> anyhow::Result<()> {
        self.runtime.block_on(self.conn.execute(sql))?;
        Ok(())
    }

    // Transaction control as one simple query each (several statements, one
    // round trip): a batch of writes costs one round trip per write fewer.
    fn open_batch(&mut self) -> anyhow::Result<()> {
        self.batch("BEGIN; SAVEPOINT job")
    }

    fn next_savepoint(&mut self) -> anyhow::Result<()> {
        self.batch("RELEASE SAVEPOINT job; SAVEPOINT job")
    }

    /// A batch failed: if the connection is gone (the server restarted, the
    /// network broke), open a new one so the next batch can go through.
    fn recover(&mut self) {
        if self.runtime.block_on(self.conn.ping()).is_ok() {
            return;
        }
        match self.runtime.block_on(PgConnection::connect(&self.url)) {
            Ok(conn) => self.conn = conn,
            Err(error) => {
                tracing::error!(%error, "the database writer cannot reconnect to PostgreSQL; it will try again after the next write")
            }
        }
    }
}
