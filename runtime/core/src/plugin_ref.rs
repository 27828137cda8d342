//! How a flow names a plugin (`http-request@^0.1`), and the one thing
//! validation needs to know about the plugin it names.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use semver::VersionReq;

use crate::schema::Schema;

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

/// The plugin a reference resolved to, as validation sees it.
pub struct PluginInput {
    /// `name@version`, for messages.
    pub id: String,
    pub schema: Arc<Schema>,
}

/// Where validation looks up the plugins a flow names: the server's registry,
/// the CLI's plugin directory, or the list of schemas the studio was given.
pub trait PluginSchemas {
    /// The newest plugin matching `reference`, or why there is none.
    fn resolve_input(&self, reference: &PluginRef) -> Result<PluginInput, String>;
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
