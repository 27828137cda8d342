//! What makes a package publishable, checked the same by `scena app pack`,
//! `scena app inspect` and the server: the manifest, every file against its
//! sha256, every plugin loads and is what the manifest says, every flow is
//! valid against the app's plugins and the standard ones, subflows stay
//! inside the app, and every capability any plugin the flows call declares
//! is in the manifest — an app may not hide one.

use std::collections::BTreeSet;
use std::sync::Arc;

use scena_core::flow::{Flow, NodeKind, load_flow};

use super::manifest::{Manifest, flow_file, uncovered};
use super::package::Package;
use crate::catalog::{Catalog, PluginDir, PluginRef, validate_flow};
use crate::sandbox::{Plugin, Sandbox};

/// A package's contents, loaded and checked.
pub struct Contents {
    pub plugins: Vec<Arc<Plugin>>,
    /// The flows as packed (their own names, not yet the installed `APP/FLOW`).
    pub flows: Vec<Flow>,
}

/// The app's plugins first, then the standard ones.
struct AppCatalog<'a> {
    app: &'a PluginDir,
    standard: &'a PluginDir,
}

impl Catalog for AppCatalog<'_> {
    fn resolve(&self, reference: &PluginRef) -> Result<Arc<Plugin>, String> {
        if self.standard.has_name(&reference.name) {
            return self.standard.resolve(reference);
        }
        self.app.resolve(reference)
    }
}

/// Every problem of `package`, or its contents loaded.
pub async fn check_contents(
    package: &Package,
    sandbox: &Sandbox,
    standard: &PluginDir,
) -> Result<Contents, Vec<String>> {
    let manifest = &package.manifest;
    let mut problems: Vec<String> = manifest.problems();
    if let Err(problem) = package.verify_files() {
        problems.push(problem);
    }
    let mut app_dir = PluginDir::default();
    let mut plugins = Vec::new();
    for entry in &manifest.plugins {
        let Some(bytes) = package.files.get(&entry.file) else { continue };
        let plugin = match sandbox.load(bytes).await {
            Ok(plugin) => plugin,
            Err(e) => {
                problems.push(format!("plugin {}: does not load: {e}", entry.file));
                continue;
            }
        };
        let id = plugin.meta.id();
        if plugin.meta.name != entry.name || plugin.meta.version.to_string() != entry.version {
            problems.push(format!(
                "plugin {}: is `{id}`, not `{}@{}` as the manifest says",
                entry.file, entry.name, entry.version
            ));
        }
        if standard.has_name(&plugin.meta.name) {
            problems.push(format!("plugin `{id}` has the name of a standard plugin; rename it"));
        }
        problems.extend(uncovered(&id, &plugin.meta.capabilities, &manifest.capabilities));
        app_dir.add(plugin.clone());
        plugins.push(plugin);
    }
    let catalog = AppCatalog { app: &app_dir, standard };
    let own_flows: BTreeSet<&str> = manifest.flows.iter().map(String::as_str).collect();
    let mut flows = Vec::new();
    let mut standard_used = BTreeSet::new();
    for name in &manifest.flows {
        let Some(bytes) = package.files.get(&flow_file(name)) else { continue };
        let flow = match std::str::from_utf8(bytes).map_err(|e| e.to_string()).and_then(|text| {
            load_flow(text).map_err(|p| p.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))
        }) {
            Ok(flow) => flow,
            Err(e) => {
                problems.push(format!("flow `{name}`: {e}"));
                continue;
            }
        };
        if flow.name != *name {
            problems.push(format!("flow `{name}`: the file names the flow `{}`", flow.name));
        }
        problems.extend(validate_flow(&flow, Some(&catalog)).iter().map(|p| format!("flow `{name}`: {p}")));
        for (node, reference) in references(&flow) {
            match reference {
                Reference::Plugin(text) => {
                    if let Ok(reference) = text.parse::<PluginRef>()
                        && standard.has_name(&reference.name)
                        && let Ok(plugin) = standard.resolve(&reference)
                    {
                        standard_used.insert(plugin.meta.id());
                        problems.extend(uncovered(&plugin.meta.id(), &plugin.meta.capabilities, &manifest.capabilities));
                    }
                }
                Reference::Flow(target) if !own_flows.contains(target.as_str()) => problems.push(format!(
                    "flow `{name}`, node `{node}`: calls flow `{target}`, which is not in the app; an app's subflows are its own flows"
                )),
                Reference::Flow(_) => {}
            }
        }
        flows.push(flow);
    }
    let used: BTreeSet<&str> = plugins
        .iter()
        .flat_map(|p| p.meta.capabilities.iter().map(|c| c.as_str()))
        .chain(flows.iter().flat_map(|f| standard_capabilities(f, standard)))
        .collect();
    for atom in &manifest.capabilities.atoms {
        if !used.contains(atom.as_str()) {
            problems.push(format!(
                "capabilities.atoms declares `{atom}`, which no plugin of the app uses: ask only for what the app needs"
            ));
        }
    }
    dedup(&mut problems);
    if problems.is_empty() { Ok(Contents { plugins, flows }) } else { Err(problems) }
}

fn dedup(problems: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert(p.clone()));
}

fn standard_capabilities<'a>(flow: &Flow, standard: &'a PluginDir) -> Vec<&'a str> {
    references(flow)
        .into_iter()
        .filter_map(|(_, r)| match r {
            Reference::Plugin(text) => text.parse::<PluginRef>().ok(),
            Reference::Flow(_) => None,
        })
        .filter(|r| standard.has_name(&r.name))
        .filter_map(|r| standard.resolve(&r).ok())
        .flat_map(|p| p.meta.capabilities.iter().map(|c| c.as_str()).collect::<Vec<_>>())
        .collect()
}

enum Reference {
    Plugin(String),
    Flow(String),
}

/// What each node calls: a plugin or a flow.
fn references(flow: &Flow) -> Vec<(String, Reference)> {
    let mut found = Vec::new();
    for node in &flow.nodes {
        match &node.kind {
            NodeKind::Step(step) => found.push((node.id.clone(), Reference::Plugin(step.plugin.clone()))),
            NodeKind::Subflow { flow, .. } => found.push((node.id.clone(), Reference::Flow(flow.clone()))),
            NodeKind::Foreach { body, .. } | NodeKind::Batch { body, .. } => {
                if let Some(plugin) = &body.plugin {
                    found.push((node.id.clone(), Reference::Plugin(plugin.clone())));
                }
                if let Some(flow) = &body.flow {
                    found.push((node.id.clone(), Reference::Flow(flow.clone())));
                }
            }
            _ => {}
        }
    }
    found
}

/// The flows as they are installed: named `APP/FLOW`, their subflows
/// pointing at the app's flows as installed, at the version installed with them.
pub fn installed_flows(manifest: &Manifest, flows: &[Flow]) -> Vec<Flow> {
    let app = &manifest.name;
    flows
        .iter()
        .map(|flow| {
            let mut flow = flow.clone();
            flow.name = format!("{app}/{}", flow.name);
            for node in &mut flow.nodes {
                match &mut node.kind {
                    NodeKind::Subflow { flow, version, .. } => {
                        *flow = format!("{app}/{flow}");
                        *version = Default::default();
                    }
                    NodeKind::Foreach { body, .. } | NodeKind::Batch { body, .. } => {
                        if let Some(flow) = &mut body.flow {
                            *flow = format!("{app}/{flow}");
                            body.version = Default::default();
                        }
                    }
                    _ => {}
                }
            }
            flow
        })
        .collect()
}
