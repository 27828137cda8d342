//! The black-box tests of `scena`, in one binary (a test file left out of a
//! list of binaries would silently never run): the CLI through the binary,
//! the HTTP API against real `scena serve` processes (on SQLite, and on
//! PostgreSQL with `SCENA_TEST_SERVER_DB=postgres`), the sandbox against
//! hostile guests. Each module is one area; `support` holds what they share.

mod api;
mod cli_flow_approval;
mod cli_flow_controls;
mod cli_flow_run;
mod cli_flow_subflow;
mod cli_flow_validate;
mod cli_flow_versions;
mod cli_oci;
mod cli_plugin_atoms;
mod cli_plugin_hostile;
mod cli_plugin_new;
mod cli_plugin_polyglot;
mod cli_plugin_run;
mod cli_samples;
mod cluster;
mod cluster_agents;
mod deploy;
mod engine_live_controls;
mod sandbox_cache;
mod sandbox_hostile;
mod support;
mod telemetry;
