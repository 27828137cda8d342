//! `--db` of the commands that read or write runs and flows: a SQLite file
//! (by default `DATA_DIR/scena.db`), or a cluster's PostgreSQL database —
//! so operators can inspect and repair a cluster's runs with the CLI.

use std::path::Path;

use super::{CliError, data_lock};
use crate::store::Db;

/// How long the leases of a command writing to a cluster's runs last without a heartbeat.
const CLI_LEASE_TTL_MS: u64 = 5_000;

/// What a command does with the database.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    Read,
    /// Writes (flows): refused beside a server on the same SQLite file.
    Write,
    /// Writes and drives runs: in a cluster, under their leases.
    Drive,
}

pub(super) fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Open the database `db` names (a path, or a PostgreSQL URL), or the data dir's.
/// Writing into SQLite claims its directory against a running server; writing
/// into PostgreSQL makes this process a node of the cluster for as long as it
/// runs (it drives runs under leases, but takes over none).
pub(super) async fn open(db: Option<&str>, data_dir: &Path, access: Access) -> Result<Db, CliError> {
    match db {
        Some(url) if is_postgres(url) => {
            let db = Db::connect(url).await?;
            if access == Access::Drive {
                let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
                let node = format!("cli-{}-{}", host.trim(), std::process::id());
                db.join_cluster(&node, CLI_LEASE_TTL_MS).await?;
            }
            Ok(db)
        }
        other => {
            let path = other.map_or_else(|| data_dir.join("scena.db"), |p| p.into());
            if access != Access::Read {
                data_lock::claim_for_command(&path)?;
            }
            Ok(Db::open(&path).await?)
        }
    }
}
