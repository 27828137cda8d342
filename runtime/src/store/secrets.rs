//! A tenant's secrets, sealed at rest (`sealing.rs`). Values leave this
//! store only through `values`, which the grant book calls to build the
//! grants of one plugin call.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context as _;
use sqlx::AnyPool;

use super::sealing::{Sealed, SealingKey};

#[derive(Debug, Clone)]
pub struct SecretStore {
    pool: AnyPool,
    key: Arc<SealingKey>,
}

/// A secret as listed: never its value.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SecretInfo {
    pub name: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl SecretStore {
    pub fn new(pool: AnyPool, key: Arc<SealingKey>) -> SecretStore {
        SecretStore { pool, key }
    }

    /// Set (or replace) secret `name` of `tenant`.
    pub async fn put(&self, tenant: &str, name: &str, value: &str, by: &str) -> anyhow::Result<()> {
        let sealed = self.key.seal(tenant, name, value.as_bytes())?;
        sqlx::query(
            "INSERT INTO secrets (tenant, name, nonce, ciphertext, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
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

    /// `false` if there was no such secret.
    pub async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM secrets WHERE tenant = $1 AND name = $2")
            .bind(tenant)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<SecretInfo>> {
        Ok(sqlx::query_as("SELECT name, updated_at, updated_by FROM secrets WHERE tenant = $1 ORDER BY name")
            .bind(tenant)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The values of those of `names` that `tenant` has set.
    pub async fn values(&self, tenant: &str, names: &[&str]) -> anyhow::Result<BTreeMap<String, String>> {
        let mut values = BTreeMap::new();
        for name in names {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT nonce, ciphertext FROM secrets WHERE tenant = $1 AND name = $2")
                    .bind(tenant)
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some((nonce, ciphertext)) = row {
                let bytes = self.key.open(tenant, name, &Sealed { nonce, ciphertext })?;
                let value = String::from_utf8(bytes).with_context(|| format!("secret `{name}` is not UTF-8"))?;
                values.insert(name.to_string(), value);
            }
        }
        Ok(values)
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
