//! What the `scena flow` commands that drive runs share: building a
//! scheduler from their arguments, reading a flow file, who the operator is,
//! and printing progress and outcomes.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::database::{self, Access};
use super::options::GrantArgs;
use super::{CliError, DataDirArg};
use crate::atoms::FixedGrants;
use crate::catalog::PluginDir;
use crate::engine::{Event, NodePlan, Plan, RunState, RunStatus, StepOutcome};
use crate::flow::{Flow, load_flow};
use crate::sandbox::{Limits, Sandbox, SandboxConfig};
use crate::scheduler::{Progress, Scheduler};
use crate::store::Db;

/// What a command that drives runs needs: plugins, the database, grants.
#[derive(Args)]
pub(super) struct SchedulerArgs {
    /// A directory of plugin components (.wasm) the flow's steps resolve against; repeatable.
    #[arg(long = "plugins", value_name = "DIR", required = true)]
    plugin_dirs: Vec<PathBuf>,
    /// The database holding runs and `kv` state: a SQLite file, or a cluster's
    /// `postgres://…` URL [default: DATA_DIR/scena.db].
    #[arg(long, value_name = "PATH|URL")]
    db: Option<String>,
    #[command(flatten)]
    grants: GrantArgs,
    #[command(flatten)]
    data_dir: DataDirArg,
}

impl SchedulerArgs {
    /// The database, claimed for writing: every command with these arguments writes runs.
    pub(super) async fn db(&self) -> Result<Db, CliError> {
        database::open(self.db.as_deref(), &self.data_dir.resolve(), Access::Drive).await
    }

    pub(super) async fn scheduler(&self) -> Result<Arc<Scheduler>, CliError> {
        let db = self.db().await?;
        let config =
            SandboxConfig { cache_dir: Some(self.data_dir.compiled_cache()), kv: Some(db.kv()), ..Default::default() };
        let sandbox = Arc::new(Sandbox::new(config)?);
        let (catalog, skipped) = PluginDir::load(&sandbox, &self.plugin_dirs).await?;
        for reason in skipped {
            eprintln!("warning: skipped {reason}");
        }
        let scheduler = Scheduler::new(
            sandbox,
            Arc::new(catalog),
            &db,
            Arc::new(FixedGrants(Arc::new(self.grants.to_grants()?))),
            Limits::default(),
        );
        // On a cluster's database: keep the leases of the runs this command drives.
        scheduler.start_cluster_duties(false);
        Ok(scheduler)
    }
}

/// Load and schema-check a flow file, printing its problems on stderr.
pub fn read_flow(file: &Path) -> Result<Flow, CliError> {
    let text =
        std::fs::read_to_string(file).map_err(|e| CliError::other(format!("cannot read {}: {e}", file.display())))?;
    load_flow(&text).map_err(|problems| {
        for problem in &problems {
            eprintln!("{problem}");
        }
        CliError::other(format!("{} is not a valid flow ({} problem(s))", file.display(), problems.len()))
    })
}

/// Who an operator's event is recorded as: `--by`, else `$USER`.
pub(super) fn operator(by: Option<String>) -> Result<String, CliError> {
    let by = by.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into());
    if by.trim().is_empty() {
        return Err(CliError::other("--by must not be empty"));
    }
    Ok(by)
}

/// A command's result on stdout: indented for a person at a terminal, one line for a pipe.
pub(super) fn print_json(value: &serde_json::Value) {
    let text = if std::io::stdout().is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    println!("{}", text.expect("JSON values serialise"));
}

pub(super) fn print_outcome(state: &RunState) -> Result<(), CliError> {
    let run_id = state.run["id"].as_str().unwrap_or("?");
    match state.status {
        RunStatus::Succeeded => {
            print_json(state.output.as_ref().unwrap_or(&serde_json::Value::Null));
            Ok(())
        }
        RunStatus::Failed => {
            Err(CliError::other(format!("run {run_id} failed: {}", state.error.as_deref().unwrap_or("unknown error"))))
        }
        RunStatus::Cancelled => {
            Err(CliError::other(format!("run {run_id} {}", state.error.as_deref().unwrap_or("cancelled"))))
        }
        _ if state.paused => Err(CliError {
            code: 2,
            message: format!("run {run_id} is paused; continue it with `scena flow unpause {run_id}`"),
        }),
        _ => Err(CliError { code: 2, message: format!("run {run_id} is waiting for a decision") }),
    }
}

/// The first 8 characters of a run id, as progress lines show it.
pub(super) fn short(run_id: &str) -> &str {
    &run_id[..8.min(run_id.len())]
}

/// Node progress on stderr, one line per event.
pub(super) struct StderrProgress;

impl Progress for StderrProgress {
    fn event(&mut self, run_id: &str, event: &Event) {
        let short = &run_id[..8.min(run_id.len())];
        match event {
            Event::RunStarted { .. } => eprintln!("[run {short}] started ({run_id})"),
            Event::StepStarted { node, attempt, .. } => eprintln!("[run {short}] {node}: started, attempt {attempt}"),
            Event::StepFinished { node, outcome, .. } => match outcome {
                StepOutcome::Done { .. } => eprintln!("[run {short}] {node}: done"),
                StepOutcome::Pending { after_ms, .. } => {
                    eprintln!("[run {short}] {node}: pending, polling in {after_ms} ms")
                }
                StepOutcome::Failed { kind, message, .. } => {
                    eprintln!("[run {short}] {node}: failed ({kind}): {message}")
                }
            },
            Event::Decided { node, approved, by, .. } => {
                eprintln!("[run {short}] {node}: {} by {by}", if *approved { "approved" } else { "rejected" })
            }
            Event::NodeRetried { node, by, .. } => eprintln!("[run {short}] {node}: retried by {by}"),
            Event::NodeSkipped { node, by, .. } => eprintln!("[run {short}] {node}: skipped by {by}"),
            Event::Cancelled { by, .. } => eprintln!("[run {short}] cancelled by {by}"),
            Event::Paused { by, .. } => eprintln!("[run {short}] paused by {by}"),
            Event::Unpaused { by, .. } => eprintln!("[run {short}] unpaused by {by}"),
            Event::ForceFailed { node, by, .. } => eprintln!("[run {short}] {node}: force-failed by {by}"),
            Event::TimerFired { .. } | Event::RunResumed { .. } => {}
        }
    }

    fn resumed(&mut self, run_id: &str, pending_work: usize) {
        eprintln!("[run {}] resumed; {pending_work} call(s) or timer(s) to pick up", &run_id[..8.min(run_id.len())]);
    }

    fn waiting(&mut self, run_id: &str, state: &RunState, plan: &Plan) {
        for i in state.awaiting_decision() {
            let node = plan.id(i);
            let who = match &plan.nodes[i] {
                NodePlan::Approval { assignees, message, .. } => {
                    let message = message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default();
                    format!("by {}{message}", assignees.join(", "))
                }
                _ => format!("to start batch {} of {node}", state.nodes[i].batch + 2),
            };
            eprintln!("[run {}] {node}: waiting for a decision {who}", &run_id[..8.min(run_id.len())]);
            eprintln!("  approve: scena flow approve {run_id} {node} --plugins DIR [--comment TEXT]");
            eprintln!("  reject:  scena flow reject {run_id} {node} --plugins DIR [--comment TEXT]");
        }
    }

    fn child_waiting(&mut self, run_id: &str, node: &str, child: &str) {
        eprintln!("[run {}] {node}: its subflow run {child} waits; see `scena flow history {child}`", short(run_id));
    }

    fn finished(&mut self, run_id: &str, state: &RunState) {
        let status = match state.status {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Cancelled => "cancelled",
            _ => "failed",
        };
        eprintln!("[run {}] {status}", &run_id[..8.min(run_id.len())]);
    }
}
