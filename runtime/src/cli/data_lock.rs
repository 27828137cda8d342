//! Who may write into a data dir: `scena serve` holds `serve.lock` there
//! alone while it runs; a CLI command that writes shares it while it runs.
//! A command writing beside a server would go behind its back — the server
//! keeps caches and drives the runs it started — so the command is refused,
//! and a server does not start under a command still writing. Commands that
//! only read need no lock.

use std::fs::{File, TryLockError};
use std::path::Path;

use super::CliError;

const LOCK_FILE: &str = "serve.lock";

/// Held until dropped (or the process ends).
pub struct DataDirLock {
    _held: File,
}

/// Claim `data_dir` for a server: no other server and no writing command may use it meanwhile.
pub fn claim_for_server(data_dir: &Path) -> Result<DataDirLock, CliError> {
    let file = open(data_dir)?;
    match file.try_lock() {
        Ok(()) => Ok(DataDirLock { _held: file }),
        Err(TryLockError::WouldBlock) => Err(CliError::other(format!(
            "another scena process is using the data dir {}: a server (one server per data dir) or a command writing to it",
            data_dir.display()
        ))),
        Err(TryLockError::Error(e)) => Err(cannot_lock(data_dir, e)),
    }
}

/// Claim the directory of the database at `db_path` for a command that
/// writes to it, until the process ends: refused while a server uses that
/// directory. Commands share it with each other.
pub fn claim_for_command(db_path: &Path) -> Result<(), CliError> {
    let dir = db_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| CliError::other(format!("cannot create {}: {e}", dir.display())))?;
    let file = open(dir)?;
    match file.try_lock_shared() {
        Ok(()) => {
            // The lock goes with the file handle; the command writes until it exits.
            std::mem::forget(file);
            Ok(())
        }
        Err(TryLockError::WouldBlock) => Err(CliError::other(format!(
            "a scena server is using {}: change what it holds through its HTTP API, or stop it first",
            dir.display()
        ))),
        Err(TryLockError::Error(e)) => Err(cannot_lock(dir, e)),
    }
}

fn open(dir: &Path) -> Result<File, CliError> {
    let path = dir.join(LOCK_FILE);
    // Opened for writing without truncating: locking needs no content, and the file may be the server's.
    File::options()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| CliError::other(format!("cannot open {}: {e}", path.display())))
}

fn cannot_lock(dir: &Path, error: std::io::Error) -> CliError {
    CliError::other(format!("cannot lock {}: {error}", dir.join(LOCK_FILE).display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("scena-data-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_server_and_writing_commands_exclude_each_other() {
        let served = scratch("served");
        let server = claim_for_server(&served).unwrap();
        let refused = claim_for_command(&served.join("scena.db")).unwrap_err();
        assert!(refused.message.contains("a scena server is using"), "{}", refused.message);
        assert!(claim_for_server(&served).is_err(), "one server per data dir");
        drop(server);
        claim_for_command(&served.join("scena.db")).unwrap();

        let written = scratch("written");
        claim_for_command(&written.join("scena.db")).unwrap();
        claim_for_command(&written.join("scena.db")).expect("commands share the data dir");
        let refused = claim_for_server(&written).err().expect("a server does not start under a writing command");
        assert!(refused.message.contains("another scena process is using the data dir"), "{}", refused.message);
    }
}
