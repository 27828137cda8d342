//! Notification channels of each tenant: a JSON configuration per name,
//! sealed whole with the secrets' key (`sealed_rows.rs`), since a chat
//! robot's URL or a mail password is a credential. The shape of a
//! configuration is the `notify` atom's (`atoms::notify::Channel`); this
//! store keeps text.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlx::AnyPool;

use super::sealed_rows::{Kind, SealedRows};
use super::sealing::SealingKey;

#[derive(Debug, Clone)]
pub struct ChannelStore {
    rows: SealedRows,
}

/// A channel as stored: its configuration opened, and who set it when.
pub struct StoredChannel {
    pub name: String,
    pub config: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl ChannelStore {
    pub fn new(pool: AnyPool, key: Arc<SealingKey>) -> ChannelStore {
        ChannelStore { rows: SealedRows::new(pool, key, Kind::Channel) }
    }

    pub async fn put(&self, tenant: &str, name: &str, config: &str, by: &str) -> anyhow::Result<()> {
        self.rows.put(tenant, name, config, by).await
    }

    pub async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        self.rows.delete(tenant, name).await
    }

    /// Every channel of `tenant`, opened, by name.
    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<StoredChannel>> {
        let listed = self.rows.list(tenant).await?;
        let names: Vec<&str> = listed.iter().map(|info| info.name.as_str()).collect();
        let mut configs = self.rows.open(tenant, &names).await?;
        Ok(listed
            .iter()
            .filter_map(|info| {
                let config = configs.remove(&info.name)?;
                Some(StoredChannel {
                    name: info.name.clone(),
                    config,
                    updated_at: info.updated_at.clone(),
                    updated_by: info.updated_by.clone(),
                })
            })
            .collect())
    }

    /// The configurations of those of `names` the tenant has, opened.
    pub async fn configs(&self, tenant: &str, names: &[&str]) -> anyhow::Result<BTreeMap<String, String>> {
        self.rows.open(tenant, names).await
    }
}
