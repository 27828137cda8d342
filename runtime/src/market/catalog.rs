//! Browsing: the apps a tenant may see, searched by text and category, and
//! one app's page (README, capabilities, versions with their changelogs,
//! installs, the publisher's key).

use serde::Serialize;

use super::manifest::{Capabilities, Manifest};
use super::{Market, MarketError};
use crate::store::{ListingRow, VersionRow};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CatalogEntry {
    pub name: String,
    pub publisher: String,
    pub title: String,
    pub description: String,
    pub categories: Vec<String>,
    /// The newest version not yanked.
    pub latest_version: String,
    pub install_count: i64,
    pub visibility: String,
    /// The version this tenant installed, if any.
    pub installed_version: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct VersionInfo {
    pub version: String,
    pub published_at: String,
    pub yanked: bool,
    pub changelog: String,
    pub capabilities: Capabilities,
    pub flows: Vec<String>,
    pub plugins: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AppPage {
    #[serde(flatten)]
    pub entry: CatalogEntry,
    pub shared_with: Vec<String>,
    pub readme: String,
    /// The icon as a `data:` URL.
    pub icon: Option<String>,
    /// The latest version's capabilities: what installing asks.
    pub capabilities: Capabilities,
    /// Newest first.
    pub versions: Vec<VersionInfo>,
    /// The publisher's ed25519 public key (base64): every version is signed with it.
    pub public_key: Option<String>,
}

fn manifest_of(row: &VersionRow) -> anyhow::Result<Manifest> {
    Ok(serde_json::from_str(&row.manifest)?)
}

/// Versions newest first by semver.
fn by_version_desc(rows: &mut [VersionRow]) {
    rows.sort_by(|a, b| {
        let parse = |v: &str| semver::Version::parse(v).ok();
        parse(&b.version).cmp(&parse(&a.version))
    });
}

impl Market {
    /// The apps `tenant` may see with a version to install; `query` matches
    /// name, title and description (any case), `category` one of the categories.
    pub async fn catalog(
        &self,
        tenant: &str,
        query: Option<&str>,
        category: Option<&str>,
    ) -> Result<Vec<CatalogEntry>, MarketError> {
        let query = query.map(str::to_lowercase).filter(|q| !q.trim().is_empty());
        let mut entries = Vec::new();
        for listing in self.store.listings().await?.into_iter().filter(|l| l.visible_to(tenant)) {
            let Some((entry, _)) = self.entry(tenant, &listing).await? else { continue };
            let text = format!("{} {} {}", entry.name, entry.title, entry.description).to_lowercase();
            if query.as_ref().is_some_and(|q| !text.contains(q.trim())) {
                continue;
            }
            if category.is_some_and(|c| !entry.categories.iter().any(|have| have == c)) {
                continue;
            }
            entries.push(entry);
        }
        Ok(entries)
    }

    /// The entry of a listing and its versions newest first; `None` if every version is yanked
    /// (and this tenant has none installed).
    async fn entry(
        &self,
        tenant: &str,
        listing: &ListingRow,
    ) -> anyhow::Result<Option<(CatalogEntry, Vec<VersionRow>)>> {
        let mut versions = self.store.versions(&listing.name).await?;
        by_version_desc(&mut versions);
        let installed = self.store.install(tenant, &listing.name).await?.map(|i| i.version);
        let shown = versions.iter().find(|v| v.yanked_at.is_none()).or(versions.first());
        let Some(shown) = shown else { return Ok(None) };
        if shown.yanked_at.is_some() && installed.is_none() && listing.publisher != tenant {
            return Ok(None);
        }
        let manifest = manifest_of(shown)?;
        let entry = CatalogEntry {
            name: listing.name.clone(),
            publisher: listing.publisher.clone(),
            title: manifest.title,
            description: manifest.description,
            categories: manifest.categories,
            latest_version: shown.version.clone(),
            install_count: self.store.install_count(&listing.name).await?,
            visibility: listing.visibility.clone(),
            installed_version: installed,
        };
        Ok(Some((entry, versions)))
    }

    /// One app's page, if `tenant` may see it.
    pub async fn page(&self, tenant: &str, app: &str) -> Result<AppPage, MarketError> {
        let not_found = || MarketError::NotFound(format!("app `{app}`"));
        let listing = self.store.listing(app).await?.filter(|l| l.visible_to(tenant)).ok_or_else(not_found)?;
        let (entry, versions) = self.entry(tenant, &listing).await?.ok_or_else(not_found)?;
        let latest = versions.iter().find(|v| v.version == entry.latest_version).ok_or_else(not_found)?;
        let package = self.verified_package(latest).await?;
        let text = |path: &Option<String>| {
            path.as_ref().and_then(|p| package.files.get(p)).map(|b| String::from_utf8_lossy(b).into_owned())
        };
        let readme = text(&package.manifest.readme).unwrap_or_default();
        let icon = package.manifest.icon.as_ref().and_then(|path| {
            let bytes = package.files.get(path)?;
            let kind = if path.ends_with(".svg") { "image/svg+xml" } else { "image/png" };
            use base64::Engine as _;
            Some(format!("data:{kind};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
        });
        let versions = versions
            .iter()
            .map(|row| {
                let manifest = manifest_of(row)?;
                Ok(VersionInfo {
                    version: row.version.clone(),
                    published_at: row.published_at.clone(),
                    yanked: row.yanked_at.is_some(),
                    changelog: manifest.changelog,
                    capabilities: manifest.capabilities,
                    flows: manifest.flows,
                    plugins: manifest.plugins.iter().map(|p| format!("{}@{}", p.name, p.version)).collect(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(AppPage {
            shared_with: if listing.publisher == tenant { listing.shared_with() } else { Vec::new() },
            capabilities: package.manifest.capabilities.clone(),
            public_key: self.publisher_key(&listing.publisher).await?,
            readme,
            icon,
            versions,
            entry,
        })
    }

    /// The signed package of a version `tenant` may see, verified, as stored.
    pub async fn package_bytes(&self, tenant: &str, app: &str, version: &str) -> Result<Vec<u8>, MarketError> {
        let not_found = || MarketError::NotFound(format!("version {version} of app `{app}`"));
        self.store.listing(app).await?.filter(|l| l.visible_to(tenant)).ok_or_else(not_found)?;
        let row = self.store.version(app, version).await?.ok_or_else(not_found)?;
        self.verified_package(&row).await?;
        Ok(self.packages.get(&row.package_sha256).await?)
    }

    /// The apps `tenant` publishes, whoever sees them.
    pub async fn own_apps(&self, tenant: &str) -> Result<Vec<CatalogEntry>, MarketError> {
        let mut entries = Vec::new();
        for listing in self.store.listings().await?.into_iter().filter(|l| l.publisher == tenant) {
            if let Some((entry, _)) = self.entry(tenant, &listing).await? {
                entries.push(entry);
            }
        }
        Ok(entries)
    }
}
