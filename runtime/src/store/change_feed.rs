//! In a cluster: hearing that another node changed what this node's caches
//! hold. PostgreSQL announces each change to the tables they come from on
//! channel `scena_changes` (a trigger per table, `migrations/postgres/0013`);
//! this follows the channel and names the table changed. A lost connection
//! may have lost announcements, so after one every cache is named (`*`).

use std::time::Duration;

use sqlx::postgres::PgListener;

/// What every cache is told after announcements may have been lost.
pub const EVERYTHING: &str = "*";

/// Follow the announcements of the schema the database at `url` works in,
/// calling `changed` with each table's name, until the process ends.
pub async fn follow_changes(url: String, changed: impl Fn(&str) + Send + 'static) {
    loop {
        if let Err(error) = follow(&url, &changed).await {
            tracing::warn!("following other nodes' changes failed (retrying in a second): {error:#}");
        }
        changed(EVERYTHING);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn follow(url: &str, changed: &(impl Fn(&str) + Send)) -> anyhow::Result<()> {
    let mut listener = PgListener::connect(url).await?;
    let (schema,): (String,) = sqlx::query_as("SELECT current_schema()::text").fetch_one(&mut listener).await?;
    listener.listen("scena_changes").await?;
    // Anything changed before the listening began is not announced to us.
    changed(EVERYTHING);
    loop {
        match listener.try_recv().await? {
            Some(notice) => {
                if let Some((from, table)) = notice.payload().split_once(' ')
                    && from == schema
                {
                    changed(table);
                }
            }
            // The connection was lost and made again: announcements may be lost.
            None => changed(EVERYTHING),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Db, drop_scratch_schema, scratch_schema, test_postgres_url};

    async fn next(tables: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> String {
        tokio::time::timeout(Duration::from_secs(20), tables.recv()).await.expect("nothing was announced").unwrap()
    }

    #[tokio::test]
    async fn a_change_to_a_table_nodes_cache_is_announced_to_the_followers_of_its_schema() {
        let Some(url) = test_postgres_url() else { return };
        let (scoped, schema) = scratch_schema(&url).await.unwrap();
        let db = Db::connect(&scoped).await.unwrap();
        let (heard, mut tables) = tokio::sync::mpsc::unbounded_channel::<String>();
        let follower = tokio::spawn(follow_changes(scoped.clone(), move |table| drop(heard.send(table.to_string()))));
        assert_eq!(next(&mut tables).await, EVERYTHING, "listening begins by forgetting everything");
        db.identity().ensure_tenant("acme").await.unwrap();
        assert_eq!(next(&mut tables).await, "tenants");
        db.grants().put("acme", &serde_json::json!({"http": []}), "test").await.unwrap();
        assert_eq!(next(&mut tables).await, "tenant_grants");
        follower.abort();
        drop_scratch_schema(&url, &schema).await.unwrap();
    }
}
