//! The scena plugin contract, shared by the host (`runtime/`) and guests (`plugins/sdk`).
//!
//! The WIT package in `wit/` is the contract itself; this crate holds the few
//! facts about it that both sides must agree on in Rust: the capability names
//! and the rules for a plugin's name.

mod capability;
mod plugin_name;

pub use capability::{Capability, UnknownCapability};
pub use plugin_name::{PluginNameError, validate_plugin_name};

/// The WIT package every plugin is built against.
pub const WIT_PACKAGE: &str = "scena:plugin@0.1.2";

/// The folder holding the WIT files, for build scripts and bindings on either side.
pub const WIT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/wit");

/// The published JSON Schema of the flow format, which the CLI, the API and
/// the studio all validate flows against.
pub const FLOW_SCHEMA: &str = include_str!("../schema/flow.schema.json");
