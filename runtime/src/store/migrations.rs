//! The schema migrations the binary carries (`build.rs` embeds
//! `runtime/migrations/<backend>/`), read the way sqlx reads a migrations
//! folder: `<version>_<description>.sql`, the checksum over the file's text,
//! `-- no-transaction` on the first line opting out of a transaction. A
//! database migrated by an older binary (built with sqlx's `migrate!`) sees
//! the same versions and checksums.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr as _};

use super::Backend;
use crate::embedded::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

pub fn migrator(backend: Backend) -> Migrator {
    let files = match backend {
        Backend::Postgres => POSTGRES_MIGRATIONS,
        Backend::Sqlite => SQLITE_MIGRATIONS,
    };
    Migrator::with_migrations(files.iter().map(|(name, sql)| migration(name, sql)).collect())
}

/// The newest migration's version.
pub fn newest(backend: Backend) -> Option<i64> {
    migrator(backend).iter().map(|m| m.version).max()
}

fn migration(file_name: &str, sql: &'static str) -> Migration {
    // build.rs embeds only `.sql` files of the repository's own folders, so a
    // misnamed one is a build mistake, caught by the tests below.
    let (version, rest) = file_name.split_once('_').expect("a migration is named <version>_<description>.sql");
    let version = version.parse().expect("a migration's name starts with its version");
    let migration_type = MigrationType::from_filename(rest);
    let description = rest.trim_end_matches(migration_type.suffix()).replace('_', " ");
    let no_tx = sql.starts_with("-- no-transaction");
    Migration::new(version, Cow::Owned(description), migration_type, AssertSqlSafe(sql).into_sql_str(), no_tx)
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
