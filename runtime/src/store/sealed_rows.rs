//! Rows of a table holding values sealed with the secrets' key (`sealing.rs`):
//! what the secrets and the notification channels share. Each kind seals
//! under a name of its own, so a row copied from one table to the other
//! does not open.

use anyhow::Context as _;
use sqlx::AnyPool;

use super::row::from_row;
use super::sealing::{Sealed, SealingKey};

#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Secret,
    Channel,
    /// Secrets supplied to an installed app (the tenant is the app's scope, `TENANT/APP`).
    AppSecret,
    /// A publishing tenant's signing key.
    SigningKey,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Secret => "secrets",
            Kind::Channel => "channels",
            Kind::AppSecret => "app_secrets",
            Kind::SigningKey => "signing_keys",
        }
    }

    /// The name a value is sealed under (secret names cannot hold `:`).
    fn sealed_name(self, name: &str) -> String {
        match self {
            Kind::Secret => name.to_string(),
            Kind::Channel => format!("channel:{name}"),
            Kind::AppSecret => format!("app-secret:{name}"),
            Kind::SigningKey => format!("signing-key:{name}"),
        }
    }
}

from_row! {
    /// A row as listed: never its value.
    #[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
    #[schemars(rename = "Secret")]
    pub struct SealedInfo {
        pub name: String,
        pub updated_at: String,
        pub updated_by: String,
    }
}

#[derive(Debug, Clone)]
pub(super) struct SealedRows {
    pool: AnyPool,
    key: std::sync::Arc<SealingKey>,
    kind: Kind,
}

impl SealedRows {
    pub(super) fn new(pool: AnyPool, key: std::sync::Arc<SealingKey>, kind: Kind) -> SealedRows {
        SealedRows { pool, key, kind }
    }

    /// The text of a statement on this kind's table; the name comes from `Kind`, never from a caller.
    fn sql(&self, template: &str) -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(template.replace("{table}", self.kind.table()))
    }

    pub(super) async fn put(&self, tenant: &str, name: &str, value: &str, by: &str) -> anyhow::Result<()> {
        let sealed = self.key.seal(tenant, &self.kind.sealed_name(name), value.as_bytes())?;
        sqlx::query(self.sql(
            "INSERT INTO {table} (tenant, name, nonce, ciphertext, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant, name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        ))
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

    /// `false` if there was no such row.
    pub(super) async fn delete(&self, tenant: &str, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query(self.sql("DELETE FROM {table} WHERE tenant = $1 AND name = $2"))
            .bind(tenant)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn list(&self, tenant: &str) -> anyhow::Result<Vec<SealedInfo>> {
        Ok(sqlx::query_as(self.sql("SELECT name, updated_at, updated_by FROM {table} WHERE tenant = $1 ORDER BY name"))
            .bind(tenant)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The opened values of those of `names` that `tenant` has.
    pub(super) async fn open(
        &self,
        tenant: &str,
        names: &[&str],
    ) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        let mut values = std::collections::BTreeMap::new();
        for name in names {
            let row: Option<(String, String)> =
                sqlx::query_as(self.sql("SELECT nonce, ciphertext FROM {table} WHERE tenant = $1 AND name = $2"))
                    .bind(tenant)
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some((nonce, ciphertext)) = row {
                let bytes = self.key.open(tenant, &self.kind.sealed_name(name), &Sealed { nonce, ciphertext })?;
                let value = String::from_utf8(bytes).with_context(|| format!("`{name}` is not UTF-8"))?;
                values.insert(name.to_string(), value);
            }
        }
        Ok(values)
    }
}
