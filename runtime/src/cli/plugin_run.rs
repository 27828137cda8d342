use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::common::print_json;
use super::options::{GrantArgs, parse_input};
use super::{CliError, DataDirArg, data_lock, plugin_source};
use crate::atoms::{AtomRecord, LogLine};
use crate::runner::{RunObserver, run_to_completion};
use crate::sandbox::{CallRequest, Entry, Limits, MAX_MEMORY_BYTES, Sandbox, SandboxConfig, StepContext};
use crate::store::Db;

#[derive(Args)]
pub struct RunArgs {
    /// The component (.wasm).
    file: PathBuf,
    /// Input JSON, or `@FILE` to read it from a file.
    #[arg(long, default_value = "{}")]
    input: String,
    #[command(flatten)]
    grants: GrantArgs,
    /// Wall-clock deadline of each call.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
    /// Memory limit of each call.
    #[arg(long, default_value_t = 64)]
    memory_mb: usize,
    /// The tenant the plugin runs for (scopes `kv` state).
    #[arg(long, default_value = "local")]
    tenant: String,
    #[command(flatten)]
    data_dir: DataDirArg,
}

pub async fn run(args: RunArgs) -> Result<(), CliError> {
    let input = parse_input(&args.input)?;
    let grants = Arc::new(args.grants.to_grants()?);
    let limits = parse_limits(args.timeout_ms, args.memory_mb)?;
    if args.tenant.trim().is_empty() {
        return Err(CliError::other("--tenant must not be empty"));
    }

    let data_dir = args.data_dir.resolve();
    // Its `kv` writes go to the data dir's database.
    data_lock::claim_for_command(&data_dir.join("scena.db"))?;
    let db = Db::open(&data_dir.join("scena.db")).await?;
    let kv = db.kv();
    let config =
        SandboxConfig { cache_dir: Some(args.data_dir.compiled_cache()), kv: Some(kv.clone()), ..Default::default() };
    let sandbox = Sandbox::new(config)?;
    let plugin = plugin_source::load_file(&sandbox, &args.file).await?;

    let request = CallRequest {
        context: StepContext { tenant: args.tenant, attempt: 1, node_id: "local".into(), ..Default::default() },
        entry: Entry::Run(input),
        grants,
        limits,
    };
    let output = run_to_completion(&sandbox, Some(&kv), &plugin, request, &mut StderrObserver).await?;
    print_json(&output);
    Ok(())
}

fn parse_limits(timeout_ms: u64, memory_mb: usize) -> Result<Limits, CliError> {
    if timeout_ms == 0 {
        return Err(CliError::other("--timeout-ms must be at least 1"));
    }
    let max_mb = MAX_MEMORY_BYTES >> 20;
    if memory_mb == 0 || memory_mb > max_mb {
        return Err(CliError::other(format!("--memory-mb must be between 1 and {max_mb}")));
    }
    Ok(Limits { memory_bytes: memory_mb << 20, deadline: Duration::from_millis(timeout_ms), ..Limits::default() })
}

/// Prints each call's log lines and atom calls on stderr.
struct StderrObserver;

impl RunObserver for StderrObserver {
    fn call_finished(&mut self, logs: &[LogLine], atom_calls: &[AtomRecord]) {
        for call in atom_calls {
            eprintln!("[atom] {} {} -> {}", call.atom, call.request, call.outcome);
        }
        for line in logs {
            eprintln!("[{}] {}", line.level.as_str(), line.message);
        }
    }

    fn pending(&mut self, after: Duration) {
        eprintln!("[scena] pending; polling again in {} ms", after.as_millis());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked() {
        assert!(parse_limits(0, 64).is_err());
        assert!(parse_limits(1000, 0).is_err());
        assert!(parse_limits(1000, 1 << 20).is_err());
        assert_eq!(parse_limits(1500, 32).unwrap().memory_bytes, 32 << 20);
    }
}
