//! Finding plugins by `name@semver-requirement`: the catalog flows resolve
//! their steps against.

mod dir;
mod registry;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use semver::VersionReq;

use crate::sandbox::Plugin;

pub use dir::PluginDir;
pub use registry::{Registry, TenantView, UploadError};

/// A reference to a plugin as written in a flow: `http-request@^0.1`, or a bare name for any version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRef {
    pub name: String,
    pub requirement: VersionReq,
}

impl FromStr for PluginRef {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (name, requirement) = match text.split_once('@') {
            Some((name, req)) => {
                let requirement = VersionReq::parse(req)
                    .map_err(|e| format!("`{req}` in `{text}` is not a semver requirement: {e}"))?;
                (name, requirement)
            }
            None => (text, VersionReq::STAR),
        };
        scena_host_api::validate_plugin_name(name).map_err(|e| e.to_string())?;
        Ok(PluginRef { name: name.to_string(), requirement })
    }
}

impl fmt::Display for PluginRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.requirement)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        let r: PluginRef = "http-request@^0.1".parse().unwrap();
        assert_eq!(r.name, "http-request");
        assert!(r.requirement.matches(&semver::Version::new(0, 1, 7)));
        assert!(!r.requirement.matches(&semver::Version::new(0, 2, 0)));
        assert_eq!("echo".parse::<PluginRef>().unwrap().requirement, VersionReq::STAR);
        assert!("echo@banana".parse::<PluginRef>().unwrap_err().contains("not a semver requirement"));
        assert!("Echo@1".parse::<PluginRef>().unwrap_err().contains("invalid plugin name"));
    }
}
