use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::options::{parse_input, GrantArgs};
use super::{data_lock, CliError, DataDirArg};
use crate::atoms::FixedGrants;
use crate::catalog::PluginDir;
use crate::engine::{Event, NodePlan, Plan, RunState, RunStatus, StepOutcome};
use crate::flow::load_flow;
use crate::sandbox::{Limits, Sandbox, SandboxConfig};
use crate::scheduler::{now_ms, Progress, Scheduler};
use crate::store::Db;

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
    engine: EngineArgs,
}

#[derive(Args)]
pub struct ResumeArgs {
    /// The run to continue [default: every unfinished run in the database].
    run_id: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Args)]
pub(super) struct EngineArgs {
    /// A directory of plugin components (.wasm) the flow's steps resolve against; repeatable.
    #[arg(long = "plugins", value_name = "DIR", required = true)]
    plugin_dirs: Vec<PathBuf>,
    /// The database holding runs and `kv` state [default: DATA_DIR/scena.db].
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(flatten)]
    grants: GrantArgs,
    #[command(flatten)]
    data_dir: DataDirArg,
}

impl EngineArgs {
    /// The database, claimed for writing: every command with these arguments writes runs.
    pub(super) async fn db(&self) -> Result<Db, CliError> {
        let path = self.db.clone().unwrap_or_else(|| self.data_dir.resolve().join("scena.db"));
        data_lock::claim_for_command(&path)?;
        Ok(Db::open(&path).await?)
    }

    pub(super) async fn scheduler(&self) -> Result<Arc<Scheduler>, CliError> {
        let data_dir = self.data_dir.resolve();
        let db = self.db().await?;
        let config = SandboxConfig { cache_dir: Some(data_dir.join("cache")), kv: Some(db.kv()), ..Default::default() };
        let sandbox = Arc::new(Sandbox::new(config)?);
        let (catalog, skipped) = PluginDir::load(&sandbox, &self.plugin_dirs).await?;
        for reason in skipped {
            eprintln!("warning: skipped {reason}");
        }
        Ok(Scheduler::new(sandbox, Arc::new(catalog), &db, Arc::new(FixedGrants(Arc::new(self.grants.to_grants()?))), Limits::default()))
    }
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

/// Load and schema-check a flow file, printing its problems on stderr.
pub fn read_flow(file: &std::path::Path) -> Result<crate::flow::Flow, CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| CliError::other(format!("cannot read {}: {e}", file.display())))?;
    load_flow(&text).map_err(|problems| {
        for problem in &problems {
            eprintln!("{problem}");
        }
        CliError::other(format!("{} is not a valid flow ({} problem(s))", file.display(), problems.len()))
    })
}

pub async fn resume(args: ResumeArgs) -> Result<(), CliError> {
    let scheduler = args.engine.scheduler().await?;
    let explicit = args.run_id.is_some();
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
        // Naming a paused run lifts its pause; resuming every run does not.
        let state = if explicit && scheduler.state(id).await?.paused {
            let event = Event::Unpaused { by: super::flow_control::operator(None)?, at_ms: now_ms() };
            scheduler.control(id, event, &mut StderrProgress).await?
        } else {
            scheduler.resume(id, &mut StderrProgress).await?
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
        return Err(CliError::other(format!("{failed} of {} resumed run(s) failed", runs.len())));
    }
    if waiting > 0 {
        return Err(CliError { code: 2, message: format!("{waiting} of {} resumed run(s) wait for a decision", runs.len()) });
    }
    Ok(())
}

pub(super) fn print_outcome(state: &RunState) -> Result<(), CliError> {
    let run_id = state.run["id"].as_str().unwrap_or("?");
    match state.status {
        RunStatus::Succeeded => {
            let output = state.output.clone().unwrap_or_default();
            let text = if std::io::stdout().is_terminal() { serde_json::to_string_pretty(&output) } else { serde_json::to_string(&output) };
            println!("{}", text.expect("JSON values serialise"));
            Ok(())
        }
        RunStatus::Failed => Err(CliError::other(format!("run {run_id} failed: {}", state.error.as_deref().unwrap_or("unknown error")))),
        RunStatus::Cancelled => Err(CliError::other(format!("run {run_id} {}", state.error.as_deref().unwrap_or("cancelled")))),
        _ if state.paused => Err(CliError { code: 2, message: format!("run {run_id} is paused; continue it with `scena flow resume {run_id}`") }),
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
                StepOutcome::Pending { after_ms, .. } => eprintln!("[run {short}] {node}: pending, polling in {after_ms} ms"),
                StepOutcome::Failed { kind, message, .. } => eprintln!("[run {short}] {node}: failed ({kind}): {message}"),
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
