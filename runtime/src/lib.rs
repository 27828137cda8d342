//! scena runtime: the sandbox that hosts plugins, the atoms they call, the
//! store, and the `scena` command line.

pub mod api;
pub mod atoms;
pub mod authz;
pub mod catalog;
pub mod engine;
pub mod cli;
pub mod expr;
pub mod flow;
pub mod metrics;
pub mod runner;
pub mod sandbox;
pub mod scheduler;
pub mod store;
pub mod triggers;
