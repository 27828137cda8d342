//! Operators' controls of a stored run: approve / reject, retry, skip,
//! cancel, pause, unpause, force-fail. Each is checked against the run as its log has
//! it, recorded, and the run continues here until it ends or waits again.

use clap::Args;

use super::CliError;
use super::common::{SchedulerArgs, StderrProgress, operator, print_outcome, short};
use super::options::parse_input;
use crate::engine::Event;
use crate::scheduler::now_ms;

#[derive(Args)]
pub struct DecideArgs {
    /// The run.
    run_id: String,
    /// The approval node.
    node_id: String,
    /// Who decides [default: $USER].
    #[arg(long)]
    by: Option<String>,
    /// Why; kept in the run's history.
    #[arg(long, default_value = "")]
    comment: String,
    #[command(flatten)]
    engine: SchedulerArgs,
}

#[derive(Args)]
pub struct RetryArgs {
    run_id: String,
    /// The failed step to run again.
    node_id: String,
    /// Replace the step's input for this and later attempts (JSON or `@FILE`).
    #[arg(long)]
    input: Option<String>,
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    engine: SchedulerArgs,
}

#[derive(Args)]
pub struct SkipArgs {
    run_id: String,
    /// The failed or waiting node to mark as done.
    node_id: String,
    /// The output the node should have (JSON or `@FILE`).
    #[arg(long, default_value = "null")]
    output: String,
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    engine: SchedulerArgs,
}

/// Arguments of `cancel` and `pause`.
#[derive(Args)]
pub struct RunControlArgs {
    run_id: String,
    /// Why; kept in the run's history.
    #[arg(long, default_value = "")]
    reason: String,
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    engine: SchedulerArgs,
}

/// `flow approve` (approved) and `flow reject`.
pub async fn decide(args: DecideArgs, approved: bool) -> Result<(), CliError> {
    let by = operator(args.by)?;
    let event = Event::Decided { node: args.node_id, approved, by, comment: args.comment, at_ms: now_ms() };
    control(&args.engine, &args.run_id, event).await
}

/// `flow retry RUN NODE [--input JSON]`
pub async fn retry(args: RetryArgs) -> Result<(), CliError> {
    let input = args.input.as_deref().map(parse_input).transpose()?;
    let event = Event::NodeRetried { node: args.node_id, input, by: operator(args.by)?, at_ms: now_ms() };
    control(&args.engine, &args.run_id, event).await
}

/// `flow skip RUN NODE [--output JSON]`
pub async fn skip(args: SkipArgs) -> Result<(), CliError> {
    let output = parse_input(&args.output)?;
    let event = Event::NodeSkipped { node: args.node_id, output, by: operator(args.by)?, at_ms: now_ms() };
    control(&args.engine, &args.run_id, event).await
}

#[derive(Args)]
pub struct ForceFailArgs {
    run_id: String,
    /// The running, waiting or undecided node to fail now.
    node_id: String,
    #[arg(long, default_value = "")]
    reason: String,
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    engine: SchedulerArgs,
}

/// `flow cancel RUN [--reason TEXT]`
pub async fn cancel(args: RunControlArgs) -> Result<(), CliError> {
    let event = Event::Cancelled { by: operator(args.by)?, reason: args.reason, at_ms: now_ms() };
    control(&args.engine, &args.run_id, event).await
}

/// `flow pause RUN [--reason TEXT]`: no call starts until `flow unpause RUN`.
pub async fn pause(args: RunControlArgs) -> Result<(), CliError> {
    let event = Event::Paused { by: operator(args.by)?, reason: args.reason, at_ms: now_ms() };
    let scheduler = args.engine.scheduler().await?;
    let state = scheduler.control(&args.run_id, event, &mut StderrProgress).await?;
    if state.paused {
        eprintln!("[run {}] paused; continue it with `scena flow unpause {}`", short(&args.run_id), args.run_id);
        return Ok(());
    }
    print_outcome(&state)
}

/// `flow unpause RUN`: calls held by the pause start, and the run goes on.
pub async fn unpause(args: UnpauseArgs) -> Result<(), CliError> {
    let event = Event::Unpaused { by: operator(args.by)?, at_ms: now_ms() };
    control(&args.engine, &args.run_id, event).await
}

#[derive(Args)]
pub struct UnpauseArgs {
    run_id: String,
    #[arg(long)]
    by: Option<String>,
    #[command(flatten)]
    engine: SchedulerArgs,
}

/// `flow force-fail RUN NODE [--reason TEXT]`
pub async fn force_fail(args: ForceFailArgs) -> Result<(), CliError> {
    let event = Event::ForceFailed { node: args.node_id, by: operator(args.by)?, reason: args.reason, at_ms: now_ms() };
    control(&args.engine, &args.run_id, event).await
}

async fn control(engine: &SchedulerArgs, run_id: &str, event: Event) -> Result<(), CliError> {
    let scheduler = engine.scheduler().await?;
    let state = scheduler.control(run_id, event, &mut StderrProgress).await?;
    print_outcome(&state)
}
