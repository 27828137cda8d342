//! The publisher's side: publishing a version (checked, signed with the
//! tenant's key, stored immutable), who sees the app, yanking.

use serde::Serialize;

use super::check::check_contents;
use super::package::{Package, new_signing_key, public_key_of, sha256_hex};
use super::{Market, MarketError};
use crate::store::VersionRow;

/// A version as published.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Published {
    pub app: String,
    pub version: String,
    pub publisher: String,
    pub package_sha256: String,
    pub public_key: String,
    pub published_at: String,
}

impl Market {
    /// Check `bytes` (an unsigned or re-published package), sign it as
    /// `tenant`'s and record it. Nothing is stored unless all of it is sound.
    pub async fn publish(&self, tenant: &str, bytes: &[u8], by: &str) -> Result<Published, MarketError> {
        let mut package = Package::read(bytes).map_err(|e| MarketError::Invalid(vec![e]))?;
        let mut manifest = package.manifest.clone();
        if let Some(named) = &manifest.publisher
            && named != tenant
        {
            return Err(MarketError::Invalid(vec![format!(
                "the manifest names publisher `{named}`, but tenant `{tenant}` is publishing it"
            )]));
        }
        manifest.publisher = Some(tenant.to_string());
        package.set_manifest(manifest)?;
        check_contents(&package, &self.sandbox, self.registry.standard()).await.map_err(MarketError::Invalid)?;
        if let Some(listing) = self.store.listing(&package.manifest.name).await?
            && listing.publisher != tenant
        {
            return Err(MarketError::Conflict(
                "app_name_taken",
                format!("the app name `{}` belongs to another publisher; choose another name", listing.name),
            ));
        }
        let key = self.own_signing_key(tenant, by).await?;
        package.sign(tenant, &key);
        let signed = package.to_bytes()?;
        let sha256 = sha256_hex(&signed);
        self.packages.put(&sha256, &signed).await?;
        let row = VersionRow {
            name: package.manifest.name.clone(),
            version: package.manifest.version.to_string(),
            publisher: tenant.to_string(),
            manifest: String::from_utf8(package.manifest_bytes.clone()).map_err(anyhow::Error::from)?,
            package_sha256: sha256.clone(),
            published_at: crate::store::now_rfc3339(),
            published_by: by.to_string(),
            yanked_at: None,
        };
        if let Err(why) = self.store.publish(&row).await? {
            return Err(MarketError::Conflict("version_exists", why));
        }
        Ok(Published {
            app: row.name,
            version: row.version,
            publisher: row.publisher,
            package_sha256: sha256,
            public_key: public_key_of(&key),
            published_at: row.published_at,
        })
    }

    /// The tenant's signing key, made on its first publication.
    async fn own_signing_key(&self, tenant: &str, by: &str) -> anyhow::Result<ed25519_dalek::SigningKey> {
        let _one_at_a_time = self.key_lock.lock().await;
        if let Some(key) = self.signing_key(tenant).await? {
            return Ok(key);
        }
        let key = new_signing_key()?;
        self.store.put_signing_key(tenant, key.as_bytes(), by).await?;
        Ok(key)
    }

    /// Who sees `app`: everyone (`public`), or its publisher and the tenants named (`private`).
    pub async fn set_visibility(
        &self,
        tenant: &str,
        app: &str,
        visibility: &str,
        shared_with: &[String],
    ) -> Result<(), MarketError> {
        self.own_listing(tenant, app).await?;
        if !matches!(visibility, "public" | "private") {
            return Err(MarketError::Invalid(vec![format!("visibility is `public` or `private`, not `{visibility}`")]));
        }
        if let Some(bad) = shared_with.iter().find(|t| !crate::market::manifest::valid_app_name(t)) {
            return Err(MarketError::Invalid(vec![format!("`{bad}` is not a tenant name")]));
        }
        self.store.set_visibility(app, visibility, shared_with).await?;
        Ok(())
    }

    /// Yank (or restore) a version: a yanked version is not newly installed; installs of it keep running.
    pub async fn set_yanked(&self, tenant: &str, app: &str, version: &str, yanked: bool) -> Result<(), MarketError> {
        self.own_listing(tenant, app).await?;
        if !self.store.set_yanked(app, version, yanked).await? {
            return Err(MarketError::NotFound(format!("version {version} of app `{app}`")));
        }
        Ok(())
    }

    async fn own_listing(&self, tenant: &str, app: &str) -> Result<crate::store::ListingRow, MarketError> {
        match self.store.listing(app).await? {
            Some(listing) if listing.publisher == tenant => Ok(listing),
            _ => Err(MarketError::NotFound(format!("app `{app}` published by tenant `{tenant}`"))),
        }
    }
}
