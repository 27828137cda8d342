//! The server's plugin registry: the standard plugins every tenant sees, and
//! the plugins each tenant uploaded, which only that tenant sees. Uploads
//! are validated by loading them in the sandbox, stored content-addressed in
//! the database (one row however many tenants upload it; every node of a
//! cluster reads it there) with a copy in `DATA_DIR/plugins/<sha256>.wasm`,
//! and recorded per tenant, name and version. A version, once uploaded,
//! never changes; a yanked version stays readable but no longer resolves
//! (new flows cannot use it, and running flows' next calls of it fail).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::Context as _;

use super::{Catalog, Catalogs, PluginDir, PluginRef};
use crate::sandbox::{Plugin, Sandbox};
use crate::store::{BlobStore, PluginRecord, PluginStore};

pub struct Registry {
    standard: Arc<PluginDir>,
    uploads: RwLock<HashMap<String, Uploads>>,
    /// Installed apps' plugins, by the app's scope (`TENANT/APP`): only the
    /// app's flows resolve against them.
    apps: RwLock<HashMap<String, PluginDir>>,
    store: PluginStore,
    blobs: BlobStore,
    sandbox: Arc<Sandbox>,
    /// Uploads (by sha256) that did not load: reported once, not tried at every refresh.
    unloadable: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// One tenant's uploads, yanked ones included.
#[derive(Default)]
struct Uploads {
    dir: PluginDir,
    records: HashMap<(String, String), PluginRecord>,
}

impl Uploads {
    fn add(&mut self, plugin: Arc<Plugin>, record: PluginRecord) {
        self.records.insert((record.name.clone(), record.version.clone()), record);
        self.dir.add(plugin);
    }

    fn usable(&self, plugin: &Plugin) -> bool {
        let key = (plugin.meta.name.clone(), plugin.meta.version.to_string());
        self.records.get(&key).is_some_and(|r| r.yanked_at.is_none())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not a loadable plugin component.
    #[error("{0}")]
    Invalid(String),
    /// The name of a standard plugin, or a version that exists with other bytes.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A plugin as the API lists it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "Plugin")]
pub struct Listed {
    pub name: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub capabilities: Vec<String>,
    pub sha256: String,
    pub size_bytes: usize,
    pub standard: bool,
    pub yanked: bool,
    pub uploaded_at: Option<String>,
    pub uploaded_by: Option<String>,
}

impl Registry {
    /// The registry over `standard` and every upload recorded in `store`;
    /// uploads that no longer load are left out and reported.
    pub async fn open(
        standard: Arc<PluginDir>,
        store: PluginStore,
        blobs: BlobStore,
        sandbox: Arc<Sandbox>,
    ) -> anyhow::Result<(Registry, Vec<String>)> {
        crate::metrics::METRICS.public_plugins(standard.plugins().map(|p| p.meta.name.as_str()));
        let registry = Registry {
            standard,
            uploads: RwLock::new(HashMap::new()),
            apps: RwLock::new(HashMap::new()),
            store,
            blobs,
            sandbox,
            unloadable: Default::default(),
        };
        let problems = registry.refresh().await?;
        Ok((registry, problems))
    }

    /// Take in what the store holds and this registry does not: uploads
    /// (and yanks) made through another node of a cluster. Uploads that no
    /// longer load are left out and reported.
    pub async fn refresh(&self) -> anyhow::Result<Vec<String>> {
        let mut problems = Vec::new();
        for record in self.store.list(None).await? {
            let key = (record.name.clone(), record.version.clone());
            let known = self.uploads().get(&record.tenant).and_then(|u| u.records.get(&key)).cloned();
            match known {
                Some(kept) if kept.yanked_at == record.yanked_at => continue,
                Some(_) => {
                    if let Some(uploads) = self.uploads_mut().get_mut(&record.tenant) {
                        uploads.records.insert(key, record);
                    }
                    continue;
                }
                None if self.unloadable.lock().expect("registry lock").contains(&record.sha256) => continue,
                None => {}
            }
            let loaded = match self.read_blob(&record.sha256).await {
                Ok(bytes) => self.sandbox.load(&bytes).await.map_err(|e| e.to_string()),
                Err(e) => Err(format!("{e:#}")),
            };
            match loaded {
                Ok(plugin) => self.uploads_mut().entry(record.tenant.clone()).or_default().add(plugin, record),
                Err(e) => {
                    self.unloadable.lock().expect("registry lock").insert(record.sha256.clone());
                    problems
                        .push(format!("plugin {}@{} of tenant `{}`: {e}", record.name, record.version, record.tenant))
                }
            }
        }
        Ok(problems)
    }

    fn uploads_mut(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Uploads>> {
        self.uploads.write().expect("registry lock")
    }

    fn uploads(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Uploads>> {
        self.uploads.read().expect("registry lock")
    }

    pub fn standard(&self) -> &PluginDir {
        &self.standard
    }

    /// What `tenant`'s flows resolve against.
    pub fn view<'a>(&'a self, tenant: &'a str) -> TenantView<'a> {
        TenantView { registry: self, tenant }
    }

    /// Validate and store a component for `tenant`: the plugin and its record,
    /// and whether it is new (the same bytes uploaded again are not).
    pub async fn upload(
        &self,
        tenant: &str,
        bytes: &[u8],
        by: &str,
    ) -> Result<(Arc<Plugin>, PluginRecord, bool), UploadError> {
        let plugin = self.sandbox.load(bytes).await.map_err(|e| UploadError::Invalid(e.to_string()))?;
        let (name, version) = (plugin.meta.name.clone(), plugin.meta.version.to_string());
        if self.standard.has_name(&name) {
            self.forget_refused(&plugin.sha256);
            return Err(UploadError::Conflict(format!(
                "`{name}` is the name of a standard plugin; choose another name"
            )));
        }
        // A version is immutable: refuse other bytes before writing them, so
        // a refused upload leaves no file behind.
        if let Some(existing) = self.store.get(tenant, &name, &version).await?
            && existing.sha256 != plugin.sha256
        {
            self.forget_refused(&plugin.sha256);
            return Err(conflicting_version(&name, &version));
        }
        self.keep_blob(&plugin.sha256, bytes).await?;
        let record = PluginRecord {
            tenant: tenant.to_string(),
            name: name.clone(),
            version: version.clone(),
            sha256: plugin.sha256.clone(),
            size_bytes: bytes.len() as i64,
            uploaded_at: crate::store::now_rfc3339(),
            uploaded_by: by.to_string(),
            yanked_at: None,
        };
        match self.store.insert(&record).await? {
            Ok(()) => {
                self.uploads_mut().entry(tenant.to_string()).or_default().add(plugin.clone(), record.clone());
                Ok((plugin, record, true))
            }
            Err(existing) if existing.sha256 == record.sha256 => Ok((plugin, existing, false)),
            Err(_) => {
                self.forget_refused(&plugin.sha256);
                Err(conflicting_version(&name, &version))
            }
        }
    }

    /// A refused upload leaves no compiled file behind — unless the same
    /// component is one the registry serves (a standard plugin's bytes, or
    /// another upload's), whose file it is too.
    fn forget_refused(&self, sha256: &str) {
        let served = self.standard.holds(sha256) || self.uploads().values().any(|uploads| uploads.dir.holds(sha256));
        if !served {
            self.sandbox.forget_compiled(sha256);
        }
    }

    /// Make `plugins` what the flows of the app installed as `scope` resolve
    /// against (beside the standard plugins), replacing what it had.
    pub fn set_app_plugins(&self, scope: &str, plugins: Vec<Arc<Plugin>>) {
        let mut dir = PluginDir::default();
        for plugin in plugins {
            dir.add(plugin);
        }
        self.apps.write().expect("registry lock").insert(scope.to_string(), dir);
    }

    pub fn remove_app_plugins(&self, scope: &str) {
        self.apps.write().expect("registry lock").remove(scope);
    }

    /// The bytes of a stored component.
    pub async fn read_blob(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        self.blobs.get(sha256).await
    }

    /// Keep a component's bytes where every node finds them.
    pub async fn keep_blob(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.blobs.put(sha256, bytes).await
    }

    /// Yank (or restore) a version of one of `tenant`'s uploads; `None` if there is no such upload.
    pub async fn set_yanked(
        &self,
        tenant: &str,
        name: &str,
        version: &str,
        yanked: bool,
    ) -> anyhow::Result<Option<PluginRecord>> {
        if !self.store.set_yanked(tenant, name, version, yanked).await? {
            return Ok(None);
        }
        let record = self.store.get(tenant, name, version).await?.context("plugin row vanished")?;
        let mut uploads = self.uploads_mut();
        if let Some(kept) =
            uploads.get_mut(tenant).and_then(|u| u.records.get_mut(&(name.to_string(), version.to_string())))
        {
            *kept = record.clone();
        }
        Ok(Some(record))
    }

    /// Every plugin `tenant` sees: the standard ones, then its uploads.
    pub fn listing(&self, tenant: &str) -> Vec<Listed> {
        let mut listed: Vec<Listed> = self.standard.plugins().map(|p| listed(p, None)).collect();
        if let Some(uploads) = self.uploads().get(tenant) {
            listed.extend(uploads.dir.plugins().map(|p| listed_upload(uploads, p)));
        }
        listed
    }

    /// One version `tenant` sees, yanked or not.
    pub fn find(&self, tenant: &str, name: &str, version: &str) -> Option<(Arc<Plugin>, Listed)> {
        let same = |p: &&Arc<Plugin>| p.meta.name == name && p.meta.version.to_string() == version;
        if let Some(plugin) = self.standard.plugins().find(same) {
            return Some((plugin.clone(), listed(plugin, None)));
        }
        let uploads = self.uploads();
        let uploads = uploads.get(tenant)?;
        uploads.dir.plugins().find(same).map(|p| (p.clone(), listed_upload(uploads, p)))
    }
}

fn listed_upload(uploads: &Uploads, plugin: &Plugin) -> Listed {
    listed(plugin, uploads.records.get(&(plugin.meta.name.clone(), plugin.meta.version.to_string())))
}

fn listed(plugin: &Plugin, record: Option<&PluginRecord>) -> Listed {
    let meta = &plugin.meta;
    Listed {
        name: meta.name.clone(),
        version: meta.version.to_string(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        category: meta.category.clone(),
        capabilities: meta.capabilities.iter().map(|c| c.to_string()).collect(),
        sha256: plugin.sha256.clone(),
        size_bytes: plugin.size_bytes,
        standard: record.is_none(),
        yanked: record.is_some_and(|r| r.yanked_at.is_some()),
        uploaded_at: record.map(|r| r.uploaded_at.clone()),
        uploaded_by: record.map(|r| r.uploaded_by.clone()),
    }
}

impl Catalogs for Registry {
    fn resolve_for(&self, tenant: &str, reference: &PluginRef) -> Result<Arc<Plugin>, String> {
        self.view(tenant).resolve(reference)
    }
}

/// The registry as one tenant sees it.
pub struct TenantView<'a> {
    registry: &'a Registry,
    tenant: &'a str,
}

impl Catalog for TenantView<'_> {
    fn resolve(&self, reference: &PluginRef) -> Result<Arc<Plugin>, String> {
        if self.registry.standard.has_name(&reference.name) {
            return self.registry.standard.resolve(reference);
        }
        // An installed app's scope sees its own plugins, never the tenant's uploads.
        if self.tenant.contains('/') {
            return match self.registry.apps.read().expect("registry lock").get(self.tenant) {
                Some(dir) => dir.resolve(reference),
                None => Err(format!("unknown plugin `{}`", reference.name)),
            };
        }
        let uploads = self.registry.uploads();
        match uploads.get(self.tenant) {
            Some(uploads) => uploads.dir.resolve_where(reference, |p| uploads.usable(p)),
            None => Err(format!("unknown plugin `{}`", reference.name)),
        }
    }
}

fn conflicting_version(name: &str, version: &str) -> UploadError {
    UploadError::Conflict(format!(
        "version {version} of plugin `{name}` exists with other content; versions never change — upload it as a new version"
    ))
}
