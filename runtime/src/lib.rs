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
mod memo;
pub mod metrics;
pub mod runner;
pub mod sandbox;
pub mod scheduler;
pub mod store;
pub mod triggers;

// Every run allocates many small short-lived values (events, JSON, CEL
// scopes) across threads; mimalloc serves them with far less contention than
// the system allocator (set here so the benchmarks measure what `scena` runs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
