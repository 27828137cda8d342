//! `scena flow run` (a file or a published flow, durably, in this process)
//! and `scena flow recover` (continue runs a crash interrupted).

use std::path::PathBuf;

use clap::Args;

use super::CliError;
use super::common::{SchedulerArgs, StderrProgress, operator, print_outcome, read_flow};
use super::options::parse_input;
use crate::engine::{Event, RunStatus};
use crate::scheduler::now_ms;

#[derive(Args)]
pub struct RunArgs {
    /// The flow (JSON, or YAML) [or use --published].
    #[arg(required_unless_present = "published")]
    file: Option<PathBuf>,
    /// Run a published flow of the tenant instead of a file; the run pins the version.
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    published: Option<String>,
    /// With --published: the version to run [default: the latest].
    #[arg(long, requires = "published")]
    version: Option<u32>,
    /// Run input JSON, or `@FILE`.
    #[arg(long, default_value = "{}")]
    input: String,
    /// The tenant the run belongs to (scopes `kv` state).
    #[arg(long, default_value = "local")]
    tenant: String,
    #[command(flatten)]
    engine: SchedulerArgs,
}

#[derive(Args)]
pub struct RecoverArgs {
    /// The run to continue [default: every unfinished run in the database].
    run_id: Option<String>,
    #[command(flatten)]
    engine: SchedulerArgs,
}

pub async fn run(args: RunArgs) -> Result<(), CliError> {
    let input = parse_input(&args.input)?;
    if args.tenant.trim().is_empty() {
        return Err(CliError::other("--tenant must not be empty"));
    }
    let scheduler = args.engine.scheduler().await?;
    let (flow, version) = match (&args.file, &args.published) {
        (Some(file), _) => (read_flow(file)?, None),
        (None, Some(name)) => {
            let published = args.engine.db().await?.flows().version(&args.tenant, name, args.version).await?;
            (published.flow()?, Some(published.version))
        }
        (None, None) => return Err(CliError::other("give a flow file or --published NAME")),
    };
    let (_, state) = scheduler.start(&args.tenant, flow, version, input, &mut StderrProgress).await?;
    print_outcome(&state)
}

/// `flow recover [RUN_ID]`. `legacy` is the old spelling, `flow resume`,
/// which also lifted the pause of a run it named; kept for one release.
pub async fn recover(args: RecoverArgs, legacy: bool) -> Result<(), CliError> {
    if legacy {
        eprintln!(
            "warning: `scena flow resume` is now `scena flow recover` (and `scena flow unpause RUN_ID` lifts a pause); the old name goes in the next release"
        );
    }
    let scheduler = args.engine.scheduler().await?;
    let explicit = legacy && args.run_id.is_some();
    let runs = match args.run_id {
        Some(id) => vec![id],
        None => scheduler.runs.unfinished().await?,
    };
    if runs.is_empty() {
        eprintln!("[scena] no unfinished runs");
        return Ok(());
    }
    let (mut failed, mut waiting) = (0, 0);
    for id in &runs {
        // The old spelling lifted the pause of a run it named.
        let state = if explicit && scheduler.state(id).await?.paused {
            let event = Event::Unpaused { by: operator(None)?, at_ms: now_ms() };
            scheduler.control(id, event, &mut StderrProgress).await?
        } else {
            scheduler.recover(id, &mut StderrProgress).await?
        };
        match state.status {
            RunStatus::Failed | RunStatus::Cancelled => failed += 1,
            RunStatus::Succeeded => {}
            _ => waiting += 1,
        }
        if let Err(error) = print_outcome(&state) {
            eprintln!("{}", error.message);
        }
    }
    if failed > 0 {
        return Err(CliError::other(format!("{failed} of {} recovered run(s) failed", runs.len())));
    }
    if waiting > 0 {
        return Err(CliError {
            code: 2,
            message: format!("{waiting} of {} recovered run(s) wait for a decision or are paused", runs.len()),
        });
    }
    Ok(())
}
