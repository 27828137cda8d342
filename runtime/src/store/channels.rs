//! Notification channels of each tenant: a JSON configuration per name,
//! sealed whole with the secrets' key (`sealing.rs`), since a chat robot's
//! URL or a mail password is a credential. The shape of a configuration is
//! the `notify` atom's (`atoms::notify::Channel`); this store keeps text.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context as _;
use sqlx::AnyPool;

use super::sealing::{Sealed, SealingKey};

#[derive(Debug, Clone)]
pub struct ChannelStore {
    pool: AnyPool,
    key: Arc<SealingKey>,
}

/// A channel as stored: its configuration opened, and who set it when.
pub struct StoredChannel {
    pub name: String,
    pub config: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// Sealed under a name secrets cannot have (`:`), so a sealed channel copied into the secrets table does not open.
fn sealed_name(name: &str) -> String {
    format!("channel:{name}")
}

impl ChannelStore {
    pub fn new(pool: AnyPool, key: Arc<SealingKey>) -> ChannelStore {
        ChannelStore { pool, key }
    }

    pub async fn put(&self, tenant: &str, name: &str, config: &str, by: &str) -> anyhow::Result<()> {
        let sealed = self.key.seal(tenant, &sealed_name(name), config.as_bytes())?;
        sqlx::query(
            "INSERT INTO channels (tenant, name, nonce, ciphertext, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant, name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(tenant)
        .bind(name)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(super::now_rfc3339())
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM channels WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every channel of `tenant`, opened, by name.
    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<StoredChannel>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT name, nonce, ciphertext, updated_at, updated_by FROM channels WHERE tenant = $1 ORDER BY name",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(name, nonce, ciphertext, updated_at, updated_by)| {
                let config = self.open(tenant, &name, nonce, ciphertext)?;
                Ok(StoredChannel { name, config, updated_at, updated_by })
            })
            .collect()
    }

    /// The configurations of those of `names` the tenant has, opened.
    pub async fn configs(&self, tenant: &str, names: &[&str]) -> anyhow::Result<BTreeMap<String, String>> {
        let mut configs = BTreeMap::new();
        for name in names {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT nonce, ciphertext FROM channels WHERE tenant = $1 AND name = $2")
                    .bind(tenant)
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some((nonce, ciphertext)) = row {
                configs.insert(name.to_string(), self.open(tenant, name, nonce, ciphertext)?);
            }
        }
        Ok(configs)
    }

    fn open(&self, tenant: &str, name: &str, nonce: String, ciphertext: String) -> anyhow::Result<String> {
        let bytes = self.key.open(tenant, &sealed_name(name), &Sealed { nonce, ciphertext })?;
        String::from_utf8(bytes).with_context(|| format!("channel `{name}` is not UTF-8"))
    }
}
