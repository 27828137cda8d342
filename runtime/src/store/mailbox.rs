//! Operators' events for runs another node drives: posted here by the node
//! the request reached, taken by the node holding the run's lease (which
//! hands them to the run's loop, the one writer of its log) and answered.

use sqlx::AnyPool;

/// The mailbox of one database.
#[derive(Debug, Clone)]
pub struct Mailbox {
    pool: AnyPool,
}

/// An operator's event waiting for the node that drives its run.
pub struct Posted {
    pub id: String,
    pub run_id: String,
    pub event: String,
}

impl Mailbox {
    pub(super) fn new(pool: AnyPool) -> Mailbox {
        Mailbox { pool }
    }

    /// Post `event` (JSON) for run `run_id`; the id to wait on.
    pub async fn post(&self, run_id: &str, event: &str) -> anyhow::Result<String> {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO run_controls (id, run_id, event, taken_by, created_ms) VALUES ($1, $2, $3, '', $4)")
            .bind(&id)
            .bind(run_id)
            .bind(event)
            .bind(super::leases::now_ms() as i64)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// The answer to a posted event, once there is one.
    pub async fn answer_of(&self, id: &str) -> anyhow::Result<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT answer FROM run_controls WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.and_then(|(answer,)| answer))
    }

    /// Take a posted event back if no node has taken it yet.
    pub async fn withdraw(&self, id: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE run_controls SET taken_by = 'withdrawn' WHERE id = $1 AND taken_by = ''")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Remove a posted event whose answer was read (or that was withdrawn).
    pub async fn remove(&self, id: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM run_controls WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// What is waiting for runs whose lease `node` holds, or that nobody
    /// drives now (parked since it was posted), oldest first.
    pub async fn waiting_for(&self, node: &str) -> anyhow::Result<Vec<Posted>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.id, c.run_id, c.event FROM run_controls c JOIN run_leases l ON l.run_id = c.run_id
             WHERE l.node IN ($1, '') AND c.taken_by = '' ORDER BY c.id",
        )
        .bind(node)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id, run_id, event)| Posted { id, run_id, event }).collect())
    }

    /// Take a posted event for `node`: false if it was taken or withdrawn first.
    pub async fn take(&self, id: &str, node: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE run_controls SET taken_by = $2 WHERE id = $1 AND taken_by = ''")
            .bind(id)
            .bind(node)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn answer(&self, id: &str, answer: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE run_controls SET answer = $2 WHERE id = $1")
            .bind(id)
            .bind(answer)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
