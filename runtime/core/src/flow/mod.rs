//! Flows: the format, loading (JSON or YAML, checked against the published
//! schema) and validation of the whole graph.

mod diff;
pub mod format;
mod graph;
mod load;
mod problem;
mod validate;

pub use diff::{FieldChange, FlowDiff, NodeChange, diff};
pub use format::*;
pub use graph::Graph;
pub use load::load_flow;
pub use problem::Problem;
pub use validate::validate;
