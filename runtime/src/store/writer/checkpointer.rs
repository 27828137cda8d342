//! Checkpoints of SQLite's write-ahead log on a thread of their own.
//!
//! A checkpoint copies the log's pages into the database file and flushes
//! both to disk: two `fsync`s, 10–20 ms each on a virtual disk. Run by the
//! writer after a commit (SQLite's default, every 1,000 pages), it stopped
//! every run in flight for that long, several times a second under load.
//! Here a second connection copies the pages in the background while the
//! writer goes on; the writer itself checkpoints only seldom (see
//! [`WRITER_CHECKPOINT_PAGES`]), to let the log start over from its beginning,
//! which needs a moment when no commit is under way.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;

/// How large the log may grow before the writer checkpoints it itself —
/// copying what the background checkpoints have not yet, and starting the
/// log over. 16,384 pages of 4 KiB: 64 MiB.
pub(in crate::store) const WRITER_CHECKPOINT_PAGES: u32 = 16_384;

/// How long the checkpointer lets commits gather after being nudged.
const PACE: Duration = Duration::from_millis(50);

pub(super) struct Checkpointer {
    nudge: mpsc::SyncSender<()>,
}

impl Checkpointer {
    /// Start the thread; it ends when the checkpointer is dropped.
    pub(super) fn start(path: &Path) -> anyhow::Result<Checkpointer> {
        let conn = rusqlite::Connection::open(path)
            .with_context(|| format!("cannot open {} to checkpoint it", path.display()))?;
        let (nudge, nudged) = mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("scena-checkpoint".into())
            .spawn(move || {
                while nudged.recv().is_ok() {
                    std::thread::sleep(PACE);
                    // PASSIVE never waits for the writer or a reader; whatever it
                    // cannot copy now, the next round will.
                    if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!("background checkpoint failed: {error}");
                    }
                }
            })
            .context("cannot start the checkpoint thread")?;
        Ok(Checkpointer { nudge })
    }

    /// Tell the thread that a transaction was committed.
    pub(super) fn nudge(&self) {
        // A nudge already waiting covers this one.
        let _ = self.nudge.try_send(());
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::Writer;

    #[tokio::test]
    async fn the_log_reaches_the_database_file_while_the_writer_goes_on() {
        let dir = std::env::temp_dir().join(format!("scena-checkpoint-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.db");
        let writer = Writer::start_sqlite(&path, Some(dir.clone())).unwrap();
        writer.write(|tx| tx.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)", &[])).await.unwrap();
        const ROWS: usize = 50;
        for i in 0..ROWS {
            writer
                .write(move |tx| {
                    let (key, value) = (i.to_string(), "x".repeat(2000));
                    tx.execute("INSERT INTO t (k, v) VALUES ($1, $2)", &[(&key).into(), (&value).into()])
                })
                .await
                .unwrap();
        }
        // Far below the writer's own threshold: only the background
        // checkpoints can have put these rows into the database file.
        let wanted = (ROWS * 2000) as u64;
        let mut size = 0;
        for _ in 0..200 {
            size = std::fs::metadata(&path).unwrap().len();
            if size >= wanted {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(size >= wanted, "the database file holds {size} bytes, the rows written {wanted}");
        let stored = writer.write(|tx| tx.query_text("SELECT COUNT(*) || '' FROM t", &[])).await.unwrap();
        assert_eq!(stored.as_deref(), Some("50"));
    }
}
