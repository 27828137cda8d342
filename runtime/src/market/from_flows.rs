//! Publishing a tenant's own flows as an app, as the studio does ("publish
//! these flows as an app"): the latest version of each flow and the
//! tenant's uploaded plugins they call are packed, then published as any
//! package is — checked, signed, immutable.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::manifest::{Capabilities, FORMAT, Manifest, PluginEntry, flow_file, plugin_file};
use super::package::Package;
use super::{Market, MarketError, Published};
use crate::catalog::{Catalog, PluginRef};
use scena_core::flow::{Flow, NodeKind};

/// What the publisher says about the app; the flows are the tenant's, by name.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FromFlows {
    pub name: String,
    #[schemars(with = "String")]
    pub version: semver::Version,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub changelog: String,
    /// The README, in Markdown.
    #[serde(default)]
    pub readme: String,
    /// The tenant's flows to ship (their latest published versions).
    pub flows: Vec<String>,
    /// Every capability the flows' plugins use, as installers will consent to it.
    #[serde(default)]
    pub capabilities: Capabilities,
}

impl Market {
    pub async fn publish_flows(&self, tenant: &str, request: FromFlows, by: &str) -> Result<Published, MarketError> {
        let mut files = BTreeMap::new();
        let mut plugins = BTreeMap::new();
        let view = self.registry.view(tenant);
        let mut problems = Vec::new();
        for name in &request.flows {
            let version = match self.db.flows().version(tenant, name, None).await {
                Ok(version) => version,
                Err(_) => {
                    problems.push(format!("flow `{name}` has no published version to ship"));
                    continue;
                }
            };
            let flow = version.flow()?;
            for reference in plugin_references(&flow) {
                let Ok(reference) = reference.parse::<PluginRef>() else { continue };
                if self.registry.standard().has_name(&reference.name) {
                    continue;
                }
                match view.resolve(&reference) {
                    Ok(plugin) => {
                        plugins.entry(plugin.sha256.clone()).or_insert(plugin);
                    }
                    Err(e) => problems.push(format!("flow `{name}`: {e}")),
                }
            }
            files.insert(flow_file(name), version.flow_json.into_bytes());
        }
        if !problems.is_empty() {
            return Err(MarketError::Invalid(problems));
        }
        let mut entries = Vec::new();
        for plugin in plugins.values() {
            let (name, version) = (plugin.meta.name.clone(), plugin.meta.version.to_string());
            let file = plugin_file(&name, &version);
            files.insert(file.clone(), self.registry.read_blob(&plugin.sha256).await?);
            entries.push(PluginEntry { name, version, file, sha256: plugin.sha256.clone() });
        }
        let readme = (!request.readme.trim().is_empty()).then(|| "README.md".to_string());
        if readme.is_some() {
            files.insert("README.md".into(), request.readme.into_bytes());
        }
        let manifest = Manifest {
            format: FORMAT,
            publisher: Some(tenant.to_string()),
            name: request.name,
            version: request.version,
            title: request.title,
            description: request.description,
            categories: request.categories,
            min_scena: None,
            changelog: request.changelog,
            readme,
            icon: None,
            flows: request.flows,
            plugins: entries,
            capabilities: request.capabilities,
            files: BTreeMap::new(),
        };
        let bytes = Package::assemble(manifest, files)?.to_bytes()?;
        self.publish(tenant, &bytes, by).await
    }
}

/// Every plugin a flow's nodes name.
fn plugin_references(flow: &Flow) -> BTreeSet<String> {
    flow.nodes
        .iter()
        .filter_map(|node| match &node.kind {
            NodeKind::Step(step) => Some(step.plugin.clone()),
            NodeKind::Foreach { body, .. } | NodeKind::Batch { body, .. } => body.plugin.clone(),
            _ => None,
        })
        .collect()
}
