//! A tenant's secrets, sealed at rest (`sealing.rs`). Values leave this
//! store only through `values`, which the grant book calls to build the
//! grants of one plugin call.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlx::AnyPool;

use super::sealed_rows::{Kind, SealedRows};
use super::sealing::SealingKey;

#[derive(Debug, Clone)]
pub struct SecretStore {
    rows: SealedRows,
}

/// A secret as listed: never its value.
pub type SecretInfo = super::sealed_rows::SealedInfo;

impl SecretStore {
    pub fn new(pool: AnyPool, key: Arc<SealingKey>) -> SecretStore {
        SecretStore { rows: SealedRows::new(pool, key, Kind::Secret) }
    }

    /// Set (or replace) secret `name` of `tenant`.
    pub async fn put(&self, tenant: &str, name: &str, value: &str, by: &str) -> anyhow::Result<()> {
        self.rows.put(tenant, name, value, by).await
    }

    /// `false` if there was no such secret.
    pub async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        self.rows.delete(tenant, name).await
    }

    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<SecretInfo>> {
        self.rows.list(tenant).await
    }

    /// The values of those of `names` that `tenant` has set.
    pub async fn values(&self, tenant: &str, names: &[&str]) -> anyhow::Result<BTreeMap<String, String>> {
        self.rows.open(tenant, names).await
    }
}

/// What each tenant grants its plugins: one JSON document per tenant.
#[derive(Debug, Clone)]
pub struct GrantStore {
    pool: AnyPool,
}

impl GrantStore {
    pub fn new(pool: AnyPool) -> GrantStore {
        GrantStore { pool }
    }

    /// The tenant's grants document, if it ever set one.
    pub async fn get(&self, tenant: &str) -> anyhow::Result<Option<serde_json::Value>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT grants FROM tenant_grants WHERE tenant = $1")
            .bind(tenant)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(text,)| Ok(serde_json::from_str(&text)?)).transpose()
    }

    pub async fn put(&self, tenant: &str, grants: &serde_json::Value, by: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO tenant_grants (tenant, grants, updated_at, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant) DO UPDATE SET grants = excluded.grants, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(tenant)
        .bind(serde_json::to_string(grants)?)
        .bind(super::now_rfc3339())
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_backends;

    #[tokio::test]
    async fn values_are_sealed_in_the_database_and_open_by_name() {
        for db in test_backends().await {
            db.identity().ensure_tenant("acme").await.unwrap();
            let key = Arc::new(SealingKey::from_hex(&"11".repeat(32)).unwrap());
            let secrets = SecretStore::new(db.pool().clone(), key);
            secrets.put("acme", "DB_PASSWORD", "hunter2", "alice").await.unwrap();
            let (nonce, ciphertext): (String, String) =
                sqlx::query_as("SELECT nonce, ciphertext FROM secrets").fetch_one(db.pool()).await.unwrap();
            assert!(!ciphertext.contains(&hex::encode("hunter2")) && !nonce.is_empty(), "not stored in the clear");
            let values = secrets.values("acme", &["DB_PASSWORD", "MISSING"]).await.unwrap();
            assert_eq!(values.get("DB_PASSWORD").map(String::as_str), Some("hunter2"), "{db:?}");
            assert!(!values.contains_key("MISSING"));
            assert!(secrets.values("other", &["DB_PASSWORD"]).await.unwrap().is_empty(), "per tenant");
            let listed = secrets.list("acme").await.unwrap();
            assert_eq!(listed.len(), 1);
            assert!(!format!("{listed:?}").contains("hunter2"));
            assert!(secrets.delete("acme", "DB_PASSWORD").await.unwrap());
            assert!(!secrets.delete("acme", "DB_PASSWORD").await.unwrap());
        }
    }
}
