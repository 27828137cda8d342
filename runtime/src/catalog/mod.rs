//! Finding plugins by `name@semver-requirement`: the catalog flows resolve
//! their steps against.

mod dir;
mod registry;

use std::sync::Arc;

pub use scena_core::PluginRef;
use scena_core::flow::{Flow, Problem, validate};
use scena_core::{PluginInput, PluginSchemas};

use crate::sandbox::Plugin;

pub use dir::PluginDir;
pub use registry::{Listed, Registry, TenantView, UploadError};

/// Where plugins are looked up.
pub trait Catalog: Send + Sync {
    /// The newest plugin matching `reference`, or why there is none.
    fn resolve(&self, reference: &PluginRef) -> Result<Arc<Plugin>, String>;
}

/// Where plugins are looked up on behalf of a tenant: the server's registry
/// shows each tenant its own uploads beside the standard plugins; a plain
/// catalog (the CLI's directory) is the same for everyone.
pub trait Catalogs: Send + Sync {
    fn resolve_for(&self, tenant: &str, reference: &PluginRef) -> Result<Arc<Plugin>, String>;
}

impl<C: Catalog> Catalogs for C {
    fn resolve_for(&self, _tenant: &str, reference: &PluginRef) -> Result<Arc<Plugin>, String> {
        self.resolve(reference)
    }
}

/// Validate `flow` (see [`scena_core::flow::validate`]); with a catalog, its
/// plugins are resolved there and literal inputs checked against their schemas.
pub fn validate_flow(flow: &Flow, catalog: Option<&dyn Catalog>) -> Vec<Problem> {
    match catalog {
        Some(catalog) => validate(flow, Some(&CatalogSchemas(catalog))),
        None => validate(flow, None),
    }
}

/// A catalog as flow validation sees it: each plugin's id and input schema.
struct CatalogSchemas<'a>(&'a dyn Catalog);

impl PluginSchemas for CatalogSchemas<'_> {
    fn resolve_input(&self, reference: &PluginRef) -> Result<PluginInput, String> {
        let plugin = self.0.resolve(reference)?;
        Ok(PluginInput { id: plugin.meta.id(), schema: plugin.input.clone() })
    }
}
