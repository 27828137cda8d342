//! A catalog made of the `.wasm` components in a directory (`--plugins DIR`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{Catalog, PluginRef};
use crate::sandbox::{Plugin, Sandbox};

#[derive(Default)]
pub struct PluginDir {
    by_name: BTreeMap<String, Vec<Arc<Plugin>>>,
}

impl PluginDir {
    /// Whether one of its plugins is the component with this sha256.
    pub fn holds(&self, sha256: &str) -> bool {
        self.by_name.values().flatten().any(|plugin| plugin.sha256 == sha256)
    }

    /// Load every component in `dirs`; files that are not usable plugins are
    /// reported in the second value and left out.
    pub async fn load(sandbox: &Sandbox, dirs: &[impl AsRef<Path>]) -> anyhow::Result<(PluginDir, Vec<String>)> {
        let mut catalog = PluginDir::default();
        let skipped = catalog.add_dirs(sandbox, dirs).await?;
        Ok((catalog, skipped))
    }

    /// Add every component in `dirs`; return why files were left out.
    pub async fn add_dirs(&mut self, sandbox: &Sandbox, dirs: &[impl AsRef<Path>]) -> anyhow::Result<Vec<String>> {
        let mut skipped = Vec::new();
        for dir in dirs {
            let dir = dir.as_ref();
            let entries = std::fs::read_dir(dir)
                .map_err(|e| anyhow::anyhow!("cannot read plugin directory {}: {e}", dir.display()))?;
            let mut paths: Vec<_> =
                entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "wasm")).collect();
            paths.sort();
            for path in paths {
                let bytes = std::fs::read(&path)?;
                skipped.extend(self.add_component(sandbox, &path.display().to_string(), &bytes).await);
            }
        }
        Ok(skipped)
    }

    /// Add components given as (name, bytes), such as those the binary embeds.
    pub async fn add_components(&mut self, sandbox: &Sandbox, components: &[(&str, &[u8])]) -> Vec<String> {
        let mut skipped = Vec::new();
        for (name, bytes) in components {
            skipped.extend(self.add_component(sandbox, name, bytes).await);
        }
        skipped
    }

    async fn add_component(&mut self, sandbox: &Sandbox, name: &str, bytes: &[u8]) -> Option<String> {
        match sandbox.load(bytes).await {
            Ok(plugin) => {
                self.add(plugin);
                None
            }
            Err(e) => Some(format!("{name}: {e}")),
        }
    }

    /// Every plugin, by name, newest version first.
    pub fn plugins(&self) -> impl Iterator<Item = &Arc<Plugin>> {
        self.by_name.values().flatten()
    }

    pub fn add(&mut self, plugin: Arc<Plugin>) {
        let versions = self.by_name.entry(plugin.meta.name.clone()).or_default();
        if !versions.iter().any(|p| p.meta.version == plugin.meta.version) {
            versions.push(plugin);
            versions.sort_by(|a, b| b.meta.version.cmp(&a.meta.version));
        }
    }
}

impl PluginDir {
    /// The newest plugin matching `reference` among those `usable` accepts.
    pub fn resolve_where(
        &self,
        reference: &PluginRef,
        usable: impl Fn(&Plugin) -> bool,
    ) -> Result<Arc<Plugin>, String> {
        let versions =
            self.by_name.get(&reference.name).ok_or_else(|| format!("unknown plugin `{}`", reference.name))?;
        versions
            .iter()
            .filter(|p| usable(p))
            .find(|p| reference.requirement.matches(&p.meta.version))
            .cloned()
            .ok_or_else(|| {
                let known: Vec<String> =
                    versions.iter().filter(|p| usable(p)).map(|p| p.meta.version.to_string()).collect();
                format!(
                    "no version of `{}` matches `{}` (have {})",
                    reference.name,
                    reference.requirement,
                    known.join(", ")
                )
            })
    }

    pub fn has_name(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }
}

impl Catalog for PluginDir {
    fn resolve(&self, reference: &PluginRef) -> Result<Arc<Plugin>, String> {
        self.resolve_where(reference, |_| true)
    }
}
