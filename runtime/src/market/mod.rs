//! The marketplace: tenants publish apps (flows + the plugins they use + a
//! manifest of every capability), others browse them and install a version
//! by consenting to exactly its capabilities. An installed app's flows are
//! named `APP/FLOW`, read-only, and run in the app's own scope (`TENANT/APP`):
//! its plugins, its consented grants, the secrets supplied to it — never the
//! installing tenant's other grants, and the tenant's plugins never get the app's.
//!
//! `manifest.rs` the manifest and capabilities, `package.rs` the signed
//! package format, `check.rs` what makes a package publishable, `publish.rs`
//! the publisher's side, `from_flows.rs` packing a tenant's own flows, `catalog.rs` browsing, `install.rs` consent,
//! install, upgrade and uninstall.

mod catalog;
pub mod check;
mod from_flows;
mod import;
mod install;
pub mod manifest;
pub mod oci;
pub mod package;
mod publish;

use std::sync::Arc;

use anyhow::Context as _;
use serde_json::Value;

pub use catalog::{AppPage, CatalogEntry, VersionInfo};
pub use from_flows::FromFlows;
pub use install::{Consent, InstallRequest, Installed};
pub use manifest::{Capabilities, Manifest};
pub use package::Package;
pub use publish::Published;

use crate::atoms::TenantGrants;
use crate::catalog::Registry;
use crate::sandbox::Sandbox;
use crate::store::{AppStore, BlobStore, Db, VersionRow};

pub struct Market {
    store: AppStore,
    db: Db,
    registry: Arc<Registry>,
    sandbox: Arc<Sandbox>,
    grants: Arc<TenantGrants>,
    /// Signed packages, by sha256.
    packages: BlobStore,
    /// One signing key per publisher, made once even if two publish at once.
    key_lock: tokio::sync::Mutex<()>,
    /// The installs (tenant, app, version) the registry was last given the plugins of.
    restored: std::sync::Mutex<Vec<(String, String, String)>>,
}

/// Why a marketplace request did nothing.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("{0}")]
    NotFound(String),
    #[error("{1}")]
    Conflict(&'static str, String),
    /// The install's consent is not the capabilities asked: what is asked, in the details.
    #[error("{0}")]
    ConsentRequired(String, Value),
    /// A stored or fetched package fails its signature or a sha256.
    #[error("{0}")]
    Tampered(String),
    /// Not something this server does for anyone (a registry its operator did not allow).
    #[error("{0}")]
    NotAllowed(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Market {
    pub fn new(
        db: Db,
        store: AppStore,
        registry: Arc<Registry>,
        sandbox: Arc<Sandbox>,
        grants: Arc<TenantGrants>,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Market> {
        let packages = db.blobs(data_dir.join("apps"), "scena-app")?;
        Ok(Market {
            store,
            db,
            registry,
            sandbox,
            grants,
            packages,
            key_lock: tokio::sync::Mutex::new(()),
            restored: Default::default(),
        })
    }

    /// A published version's package, read back and verified against its
    /// publisher's key: a stored package altered on disk is refused.
    async fn verified_package(&self, row: &VersionRow) -> Result<Package, MarketError> {
        let bytes = self
            .packages
            .get(&row.package_sha256)
            .await
            .with_context(|| format!("the package of {}@{} is missing", row.name, row.version))?;
        if package::sha256_hex(&bytes) != row.package_sha256 {
            return Err(MarketError::Tampered(format!(
                "the stored package of {}@{} does not match its sha256: it was altered",
                row.name, row.version
            )));
        }
        let package = Package::read(&bytes).map_err(MarketError::Tampered)?;
        let key = self.publisher_key(&row.publisher).await?.ok_or_else(|| {
            MarketError::Tampered(format!("publisher `{}` has no signing key on this server", row.publisher))
        })?;
        package
            .verify(&row.publisher, &key)
            .map_err(|e| MarketError::Tampered(format!("{}@{} is refused: {e}", row.name, row.version)))?;
        Ok(package)
    }

    /// The key a publisher's packages must verify with: a tenant's own, or the
    /// one pinned for a publisher of another server.
    async fn publisher_key(&self, publisher: &str) -> anyhow::Result<Option<String>> {
        match self.public_key(publisher).await? {
            Some(key) => Ok(Some(key)),
            None => self.store.foreign_key(publisher).await,
        }
    }

    /// A tenant's public key (base64), if it ever published.
    pub async fn public_key(&self, tenant: &str) -> anyhow::Result<Option<String>> {
        Ok(self.signing_key(tenant).await?.map(|key| package::public_key_of(&key)))
    }

    async fn signing_key(&self, tenant: &str) -> anyhow::Result<Option<ed25519_dalek::SigningKey>> {
        let Some(seed) = self.store.signing_key(tenant).await? else { return Ok(None) };
        let seed: [u8; 32] =
            seed.try_into().map_err(|_| anyhow::anyhow!("the signing key of `{tenant}` is damaged"))?;
        Ok(Some(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// Bring the registry's installed apps' plugins in line with the store's
    /// installs when another node of a cluster installed, upgraded or
    /// uninstalled an app; problems as [`restore`](Self::restore) reports them.
    pub async fn refresh_installs(&self) -> anyhow::Result<Vec<String>> {
        let installs = self.store.installs(None).await?;
        let now: Vec<_> = installs.iter().map(|i| (i.tenant.clone(), i.app.clone(), i.version.clone())).collect();
        let before = std::mem::replace(&mut *self.restored.lock().expect("market lock"), now.clone());
        if before == now {
            return Ok(Vec::new());
        }
        for (tenant, app, _) in before.iter().filter(|gone| !now.iter().any(|i| i.0 == gone.0 && i.1 == gone.1)) {
            self.registry.remove_app_plugins(&crate::store::app_scope(tenant, app));
        }
        self.grants.forget_all();
        self.restore().await
    }

    /// Put every installed app's plugins back in the registry (at start);
    /// installs whose package no longer verifies are reported and left out.
    pub async fn restore(&self) -> anyhow::Result<Vec<String>> {
        let mut problems = Vec::new();
        let installs = self.store.installs(None).await?;
        *self.restored.lock().expect("market lock") =
            installs.iter().map(|i| (i.tenant.clone(), i.app.clone(), i.version.clone())).collect();
        for install in installs {
            let restored = async {
                let row = self
                    .store
                    .version(&install.app, &install.version)
                    .await?
                    .ok_or_else(|| MarketError::NotFound(format!("{}@{}", install.app, install.version)))?;
                let package = self.verified_package(&row).await?;
                let contents = check::check_contents(&package, &self.sandbox, self.registry.standard())
                    .await
                    .map_err(MarketError::Invalid)?;
                self.registry
                    .set_app_plugins(&crate::store::app_scope(&install.tenant, &install.app), contents.plugins);
                Ok::<_, MarketError>(())
            };
            if let Err(e) = restored.await {
                problems.push(format!("app {}@{} of tenant `{}`: {e}", install.app, install.version, install.tenant));
            }
        }
        Ok(problems)
    }
}
