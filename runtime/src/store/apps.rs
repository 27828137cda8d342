//! The marketplace's rows: listings (an app's name, publisher and who sees
//! it), published versions (immutable; the signed package is a file named by
//! its sha256), what each tenant installed with the capabilities it consented
//! to, the secrets supplied to installed apps and the publishers' signing
//! keys (both sealed).

use std::sync::Arc;

use sqlx::AnyPool;

use super::row::from_row;
use super::sealed_rows::{Kind, SealedRows};
use super::sealing::SealingKey;

#[derive(Debug, Clone)]
pub struct AppStore {
    pool: AnyPool,
    app_secrets: SealedRows,
    signing_keys: SealedRows,
}

from_row! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct ListingRow {
        pub name: String,
        pub publisher: String,
        /// `public`, or `private` (the publisher and `shared_with` only).
        pub visibility: String,
        /// JSON list of tenant names.
        pub shared_with: String,
        pub created_at: String,
    }
}

impl ListingRow {
    pub fn shared_with(&self) -> Vec<String> {
        serde_json::from_str(&self.shared_with).unwrap_or_default()
    }

    /// Whether `tenant` may see the app.
    pub fn visible_to(&self, tenant: &str) -> bool {
        self.publisher == tenant || self.visibility == "public" || self.shared_with().iter().any(|t| t == tenant)
    }
}

from_row! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct VersionRow {
        pub name: String,
        pub version: String,
        pub publisher: String,
        pub manifest: String,
        pub package_sha256: String,
        pub published_at: String,
        pub published_by: String,
        pub yanked_at: Option<String>,
    }
}

from_row! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct InstallRow {
        pub tenant: String,
        pub app: String,
        pub version: String,
        pub publisher: String,
        /// JSON of the consented capabilities.
        pub capabilities: String,
        /// JSON of the grant document they make, which the app's plugin calls get.
        pub grants: String,
        pub installed_at: String,
        pub installed_by: String,
    }
}

const VERSION_COLUMNS: &str =
    "name, version, publisher, manifest, package_sha256, published_at, published_by, yanked_at";
const INSTALL_COLUMNS: &str = "tenant, app, version, publisher, capabilities, grants, installed_at, installed_by";

/// The scope an installed app's plugins run in: its secrets, its grants, its plugins.
pub fn app_scope(tenant: &str, app: &str) -> String {
    format!("{tenant}/{app}")
}

/// The scope a run of `flow` resolves plugins and grants in: the tenant's
/// own, or — for an installed app's flow, `APP/FLOW` — the app's.
pub fn run_scope(tenant: &str, flow: &str) -> std::borrow::Cow<'static, str> {
    match flow.split_once('/') {
        Some((app, _)) => app_scope(tenant, app).into(),
        None => tenant.to_string().into(),
    }
}

/// The tenant and app of a scope made by [`app_scope`]; `None` for a tenant's own scope.
pub fn split_scope(scope: &str) -> Option<(&str, &str)> {
    scope.split_once('/')
}

impl AppStore {
    pub fn new(pool: AnyPool, key: Arc<SealingKey>) -> AppStore {
        AppStore {
            app_secrets: SealedRows::new(pool.clone(), key.clone(), Kind::AppSecret),
            signing_keys: SealedRows::new(pool.clone(), key, Kind::SigningKey),
            pool,
        }
    }

    pub async fn listing(&self, name: &str) -> anyhow::Result<Option<ListingRow>> {
        Ok(sqlx::query_as(
            "SELECT name, publisher, visibility, shared_with, created_at FROM app_listings WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn listings(&self) -> anyhow::Result<Vec<ListingRow>> {
        Ok(sqlx::query_as(
            "SELECT name, publisher, visibility, shared_with, created_at FROM app_listings ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Record a new version, making the listing (private) if it is the app's
    /// first. `Err` with why not: the name is another publisher's, or the version exists.
    pub async fn publish(&self, row: &VersionRow) -> anyhow::Result<Result<(), String>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO app_listings (name, publisher, visibility, shared_with, created_at) VALUES ($1, $2, 'private', '[]', $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&row.name)
        .bind(&row.publisher)
        .bind(&row.published_at)
        .execute(&mut *tx)
        .await?;
        let (owner,): (String,) = sqlx::query_as("SELECT publisher FROM app_listings WHERE name = $1")
            .bind(&row.name)
            .fetch_one(&mut *tx)
            .await?;
        if owner != row.publisher {
            return Ok(Err(format!("the app name `{}` belongs to another publisher; choose another name", row.name)));
        }
        let inserted = sqlx::query(
            "INSERT INTO app_versions (name, version, publisher, manifest, package_sha256, published_at, published_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name, version) DO NOTHING",
        )
        .bind(&row.name)
        .bind(&row.version)
        .bind(&row.publisher)
        .bind(&row.manifest)
        .bind(&row.package_sha256)
        .bind(&row.published_at)
        .bind(&row.published_by)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(Err(format!(
                "version {} of `{}` is published already; a published version never changes — publish a new version",
                row.version, row.name
            )));
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn set_visibility(&self, name: &str, visibility: &str, shared_with: &[String]) -> anyhow::Result<()> {
        sqlx::query("UPDATE app_listings SET visibility = $2, shared_with = $3 WHERE name = $1")
            .bind(name)
            .bind(visibility)
            .bind(serde_json::to_string(shared_with)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every version of `name`, oldest first by publication.
    pub async fn versions(&self, name: &str) -> anyhow::Result<Vec<VersionRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM app_versions WHERE name = $1 ORDER BY published_at, version"
        )))
        .bind(name)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn version(&self, name: &str, version: &str) -> anyhow::Result<Option<VersionRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM app_versions WHERE name = $1 AND version = $2"
        )))
        .bind(name)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// `false` if there is no such version.
    pub async fn set_yanked(&self, name: &str, version: &str, yanked: bool) -> anyhow::Result<bool> {
        let at = yanked.then(super::now_rfc3339);
        let done = sqlx::query("UPDATE app_versions SET yanked_at = $3 WHERE name = $1 AND version = $2")
            .bind(name)
            .bind(version)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn install_count(&self, app: &str) -> anyhow::Result<i64> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM app_installs WHERE app = $1").bind(app).fetch_one(&self.pool).await?;
        Ok(count)
    }

    /// Record an install or an upgrade.
    pub async fn put_install(&self, row: &InstallRow) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO app_installs (tenant, app, version, publisher, capabilities, grants, installed_at, installed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (tenant, app) DO UPDATE SET version = excluded.version, publisher = excluded.publisher,
               capabilities = excluded.capabilities, grants = excluded.grants, installed_at = excluded.installed_at, installed_by = excluded.installed_by",
        )
        .bind(&row.tenant)
        .bind(&row.app)
        .bind(&row.version)
        .bind(&row.publisher)
        .bind(&row.capabilities)
        .bind(&row.grants)
        .bind(&row.installed_at)
        .bind(&row.installed_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn install(&self, tenant: &str, app: &str) -> anyhow::Result<Option<InstallRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTALL_COLUMNS} FROM app_installs WHERE tenant = $1 AND app = $2"
        )))
        .bind(tenant)
        .bind(app)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A tenant's installs, or every tenant's (`None`).
    pub async fn installs(&self, tenant: Option<&str>) -> anyhow::Result<Vec<InstallRow>> {
        let rows = match tenant {
            Some(tenant) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {INSTALL_COLUMNS} FROM app_installs WHERE tenant = $1 ORDER BY app"
                )))
                .bind(tenant)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {INSTALL_COLUMNS} FROM app_installs ORDER BY tenant, app"
                )))
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows)
    }

    /// Forget an install and the secrets supplied to it; `false` if it was not installed.
    pub async fn remove_install(&self, tenant: &str, app: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM app_installs WHERE tenant = $1 AND app = $2")
            .bind(tenant)
            .bind(app)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM app_secrets WHERE tenant = $1")
            .bind(app_scope(tenant, app))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn put_app_secret(&self, scope: &str, name: &str, value: &str, by: &str) -> anyhow::Result<()> {
        self.app_secrets.put(scope, name, value, by).await
    }

    pub async fn app_secret_names(&self, scope: &str) -> anyhow::Result<Vec<String>> {
        Ok(self.app_secrets.list(scope).await?.into_iter().map(|s| s.name).collect())
    }

    pub async fn app_secret_values(
        &self,
        scope: &str,
        names: &[&str],
    ) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        self.app_secrets.open(scope, names).await
    }

    /// The public key pinned for a publisher of another server.
    pub async fn foreign_key(&self, publisher: &str) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT public_key FROM foreign_publishers WHERE publisher = $1")
            .bind(publisher)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Pin a foreign publisher's key; the first pin stays (a later different key is the caller's to refuse).
    pub async fn pin_foreign_key(&self, publisher: &str, public_key: &str, by: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO foreign_publishers (publisher, public_key, pinned_at, pinned_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (publisher) DO NOTHING",
        )
        .bind(publisher)
        .bind(public_key)
        .bind(super::now_rfc3339())
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The tenant's signing key (32 bytes of seed), if it has one.
    pub async fn signing_key(&self, tenant: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let opened = self.signing_keys.open(tenant, &["ed25519"]).await?;
        Ok(opened.get("ed25519").map(hex::decode).transpose()?)
    }

    pub async fn put_signing_key(&self, tenant: &str, seed: &[u8], by: &str) -> anyhow::Result<()> {
        self.signing_keys.put(tenant, "ed25519", &hex::encode(seed), by).await
    }
}
