//! scena's pure core: what a flow is ([`flow`]), how its expressions are
//! compiled and evaluated ([`expr`]), and how a run moves ([`engine`]), with
//! the JSON Schemas both check against ([`schema`]).
//!
//! Nothing here does I/O or reads a clock — Cargo enforces it, since none of
//! the crates that could is a dependency. The server links this crate; the
//! studio runs the same code compiled to WebAssembly (`runtime/core-wasm`),
//! so a flow is judged by one validator everywhere.

pub mod editor;
pub mod engine;
pub mod expr;
pub mod flow;
pub mod pattern;
mod plugin_ref;
mod roles;
pub mod schema;

pub use plugin_ref::{PluginInput, PluginRef, PluginSchemas};
pub use roles::{ROLE_ASSIGNEE, ROLES};
