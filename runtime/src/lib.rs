//! scena runtime: the sandbox that hosts plugins, the atoms they call, the
//! store, the scheduler that drives runs, the HTTP API and the `scena`
//! command line. The flow format, expressions and the engine state machine
//! are the pure core (`scena-core`), re-exported here under their names.

pub mod agents;
pub mod api;
pub mod atoms;
pub mod authz;
pub mod bindings;
pub mod catalog;
pub mod cli;
pub mod embedded;
pub mod inventory;
pub mod market;
mod memo;
pub mod metrics;
pub mod runner;
pub mod sandbox;
pub mod scheduler;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod triggers;

pub use scena_core::{engine, expr, flow};

// Every run allocates many small short-lived values (events, JSON, CEL
// scopes) across threads; mimalloc serves them with far less contention than
// the system allocator (set here so the benchmarks measure what `scena` runs).
// Built without transparent huge pages (`no_thp` in Cargo.toml): mimalloc
// hands memory it no longer uses back to the system and takes it again as
// load comes and goes, and with its arenas advised as huge pages each of
// those faults had the kernel zero 2 MiB — 39 % of the server's CPU under
// chain10 on PostgreSQL (perf), gone with 4 KiB pages. (On a machine whose
// transparent huge pages are `always` rather than `madvise`, the kernel
// still gives large regions huge pages without being asked.)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
