//! The schema migrations the binary carries (`build.rs` embeds
//! `runtime/migrations/<backend>/`), read the way sqlx reads a migrations
//! folder: `<version>_<description>.sql`, the checksum over the file's text,
//! `-- no-transaction` on the first line opting out of a transaction. A
//! database migrated by an older binary (built with sqlx's `migrate!`) sees
//! the same versions and checksums.

use std::borrow::Cow;
use std::sync::OnceLock;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr as _};

use super::Backend;
use crate::embedded::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

/// The backend's migrations, read once (each checksum hashes its file).
pub fn migrator(backend: Backend) -> &'static Migrator {
    static SQLITE: OnceLock<Migrator> = OnceLock::new();
    static POSTGRES: OnceLock<Migrator> = OnceLock::new();
    let (kept, files) = match backend {
        Backend::Postgres => (&POSTGRES, POSTGRES_MIGRATIONS),
        Backend::Sqlite => (&SQLITE, SQLITE_MIGRATIONS),
    };
    kept.get_or_init(|| {
        Migrator::with_migrations(files.iter().filter_map(|(name, sql)| migration(name, sql)).collect())
    })
}

/// The newest migration's version.
pub fn newest(backend: Backend) -> Option<i64> {
    migrator(backend).iter().map(|m| m.version).max()
}

/// A file not named `<version>_<description>.sql` is not a migration: sqlx
/// passes over it, and so does this (the test below would see it missing).
fn migration(file_name: &str, sql: &'static str) -> Option<Migration> {
    let (version, rest) = file_name.split_once('_').filter(|(_, rest)| rest.ends_with(".sql"))?;
    let version = version.parse().ok()?;
    let migration_type = MigrationType::from_filename(rest);
    let description = rest.trim_end_matches(migration_type.suffix()).replace('_', " ");
    let no_tx = sql.starts_with("-- no-transaction");
    Some(Migration::new(version, Cow::Owned(description), migration_type, AssertSqlSafe(sql).into_sql_str(), no_tx))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// What sqlx itself reads from the folder — as its `migrate!` did — is
    /// what the binary carries, checksums included.
    #[tokio::test]
    async fn the_embedded_migrations_are_the_folders_as_sqlx_reads_them() {
        for (backend, folder) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder);
            let from_folder = Migrator::new(dir.as_path()).await.unwrap();
            let embedded = migrator(backend);
            let describe =
                |m: &Migration| (m.version, m.description.to_string(), m.migration_type, m.checksum.to_vec(), m.no_tx);
            let from_folder: Vec<_> = from_folder.iter().map(describe).collect();
            assert!(from_folder.len() >= 15, "{folder}: {} migrations", from_folder.len());
            assert_eq!(embedded.iter().map(describe).collect::<Vec<_>>(), from_folder, "{folder}");
        }
        assert_eq!(newest(Backend::Sqlite), Some(SQLITE_MIGRATIONS.len() as i64));
    }
}
