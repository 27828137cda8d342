//! Flows: the format, loading (JSON or YAML, checked against the published
//! schema) and validation of the whole graph.

pub mod format;
mod diff;
mod graph;
mod load;
mod problem;
mod validate;

pub use format::*;
pub use diff::{diff, FieldChange, FlowDiff, NodeChange};
pub use graph::Graph;
pub use load::load_flow;
pub use problem::Problem;
pub use validate::validate;
