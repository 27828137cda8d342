//! The scheduler drives the engine's state machine against the store and the
//! sandbox: it records each event before acting on it, runs step calls
//! concurrently, sets timers, runs subflows as child runs, and on resume
//! rebuilds a run from its log.
//!
//! Order of writes, which is what makes runs survive a crash: events are
//! applied as they arise and saved together (one statement) before any call
//! or timer they lead to starts, so `StepStarted` is always committed before
//! its call; a step's `StepFinished` commits in one transaction with its `kv`
//! writes; a timer's due time is part of the state rebuilt from the log.

mod cluster;
mod drive;
mod live;
mod progress;
mod published;
mod stopping;
mod subflow;
mod timeouts;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use crate::atoms::GrantSource;
use crate::catalog::Catalogs;
use crate::engine::{Command, Event, Plan, RunState, apply, check_control, resume_work};
use crate::flow::Flow;
use crate::sandbox::{Limits, Sandbox};
use crate::store::{Db, FlowStore, HeldElsewhere, Mailbox, NewRun, RunStore};

use drive::Run;
use live::LiveMsg;
pub use progress::{Progress, SilentProgress};
pub use published::LaunchError;
use subflow::ParentLink;
pub use subflow::child_run_id;

pub struct Scheduler {
    pub sandbox: Arc<Sandbox>,
    /// Plugins by tenant.
    pub catalog: Arc<dyn Catalogs>,
    pub runs: RunStore,
    /// Published flows, which subflow nodes run.
    pub flows: FlowStore,
    /// Each call's grants, by tenant and plugin.
    pub grants: Arc<dyn GrantSource>,
    /// Limits of each call; a step's `timeout_ms` replaces the deadline.
    pub limits: Limits,
    /// Compiled plans by the sha256 of the flow's JSON: validating a flow and
    /// compiling its expressions is done once, not once per run.
    plans: Mutex<HashMap<String, Arc<Plan>>>,
    /// States rebuilt for reads (`inspect`), by run id.
    views: Mutex<HashMap<String, RunView>>,
    /// Runs this process is driving now, by id: an operator's event for one of
    /// them goes to its loop, which alone writes its log.
    live: Mutex<HashMap<String, mpsc::UnboundedSender<LiveMsg>>>,
    /// In a cluster: where operators' events for runs other nodes drive are posted.
    mailbox: Option<Mailbox>,
    /// When the process began to stop: run loops start nothing new (`stopping.rs`).
    stopping: tokio::sync::watch::Sender<Option<std::time::Instant>>,
    /// Runs being driven now, their leases not yet let go.
    driving: std::sync::atomic::AtomicUsize,
    /// Itself, for child runs, which run on tasks of their own: a child polled
    /// by its parent's loop could hold a database transaction while that loop
    /// waits on the same database.
    me: Weak<Scheduler>,
}

/// Milliseconds since the Unix epoch: the clock events carry.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// A flow as a run pins it: the text stored with the run, and its sha256 —
/// the key of the flow's compiled plan and of the one stored copy its runs
/// share. A published version is run from its stored text as it is, so
/// starting a run neither parses nor writes the flow out again.
pub struct FlowText {
    json: String,
    hash: String,
}

impl FlowText {
    pub fn new(json: String) -> FlowText {
        let hash = hex::encode(Sha256::digest(json.as_bytes()));
        FlowText { json, hash }
    }

    pub fn of(flow: &Flow) -> anyhow::Result<FlowText> {
        Ok(FlowText::new(serde_json::to_string(flow)?))
    }
}

/// What a new run is: its id, tenant, the flow text it pins (and that
/// text's published version, if any), its input, and the run that started
/// it as a subflow.
struct RunRequest<'a> {
    id: &'a str,
    tenant: &'a str,
    flow: FlowText,
    version: Option<u32>,
    input: Value,
    parent: Option<ParentLink>,
}

/// A new run's id: a UUID v7, ordered by time, so that the runs and events a
/// server is writing now sit together at the end of their indexes instead of
/// on a random page each.
fn new_run_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Scheduler {
    pub fn new(
        sandbox: Arc<Sandbox>,
        catalog: Arc<dyn Catalogs>,
        db: &Db,
        grants: Arc<dyn GrantSource>,
        limits: Limits,
    ) -> Arc<Scheduler> {
        Arc::new_cyclic(|me| Scheduler {
            me: me.clone(),
            sandbox,
            catalog,
            runs: db.runs(),
            flows: db.flows(),
            mailbox: db.cluster().map(|_| db.mailbox()),
            grants,
            limits,
            plans: Mutex::new(HashMap::new()),
            live: Mutex::new(HashMap::new()),
            views: Mutex::new(HashMap::new()),
            stopping: tokio::sync::watch::channel(None).0,
            driving: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// The compiled plan of the flow stored as `text`.
    fn plan(&self, text: &FlowText) -> anyhow::Result<Arc<Plan>> {
        if let Some(plan) = self.plans.lock().expect("plan cache lock").get(&text.hash) {
            return Ok(plan.clone());
        }
        let flow: Flow = serde_json::from_str(&text.json).context("the stored flow is unreadable")?;
        let plan = Arc::new(Plan::new(flow).map_err(problems_error)?);
        self.plans.lock().expect("plan cache lock").insert(text.hash.clone(), plan.clone());
        Ok(plan)
    }

    /// Start a run of `flow` (of its published `version`, if it has one) and drive it to its end.
    pub async fn start(
        &self,
        tenant: &str,
        flow: Flow,
        version: Option<u32>,
        input: Value,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<(String, RunState)> {
        let id = new_run_id();
        let request = RunRequest { id: &id, tenant, flow: FlowText::of(&flow)?, version, input, parent: None };
        let state = self.begin(request, progress).await?;
        Ok((id, state))
    }

    /// Store a new run — with the versions of its subflows pinned now — and drive it.
    async fn begin(&self, request: RunRequest<'_>, progress: &mut dyn Progress) -> anyhow::Result<RunState> {
        let (mut run, first) = self.create_run(request, progress).await?;
        let commands = run.started(&first);
        run.drive(commands, progress).await
    }

    /// Start a run on a task of its own and return once it is stored.
    pub async fn launch(
        self: &Arc<Self>,
        tenant: &str,
        flow: FlowText,
        version: Option<u32>,
        input: Value,
    ) -> anyhow::Result<Launched> {
        let id = new_run_id();
        let request = RunRequest { id: &id, tenant, flow, version, input, parent: None };
        let (run, first) = self.create_run(request, &mut SilentProgress).await?;
        let (plan, state, seq) = (run.plan, run.state, run.seq);
        let (scheduler, run_id, tenant, task_plan) = (self.clone(), id.clone(), tenant.to_string(), plan.clone());
        // The first event is applied on the run's task, not the request's:
        // rendering the first nodes' inputs may take a while, and `wait_ms`
        // is the caller's to choose.
        let task = tokio::spawn(async move {
            let mut run = Run::new(&scheduler, task_plan, run_id, tenant, state, seq);
            let commands = run.started(&first);
            run.drive(commands, &mut SilentProgress).await
        });
        Ok(Launched { id, plan, task })
    }

    async fn create_run(
        &self,
        request: RunRequest<'_>,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<(Run<'_>, Event)> {
        let RunRequest { id, tenant, flow, version, input, parent } = request;
        let plan = self.plan(&flow)?;
        let violations = plan.inputs.violations(&input);
        if !violations.is_empty() {
            return Err(InputMismatch { flow: plan.flow.name.clone(), violations }.into());
        }
        let subflows = self.pin_subflows(tenant, &plan).await?;
        let started_at = crate::store::now_rfc3339();
        let depth = parent.as_ref().map_or(0, |p| p.depth);
        let info = json!({
            "id": id, "tenant": tenant, "flow": plan.flow.name, "version": version, "started_at": started_at,
            "subflows": subflows, "parent": parent, "depth": depth,
        });
        let first = Event::RunStarted { input: input.clone(), run: info, at_ms: now_ms() };
        let new = NewRun {
            id,
            tenant,
            flow_name: &plan.flow.name,
            version,
            flow_json: &flow.json,
            flow_hash: &flow.hash,
            input: &input,
            parent: parent.as_ref().map(|p| p.run.as_str()),
        };
        self.runs.create(&new, &first).await?;
        progress.event(id, &first);
        let state = RunState::new(plan.nodes.len());
        Ok((Run::new(self, plan, id.to_string(), tenant.to_string(), state, 1), first))
    }

    /// Continue a run from its log (after a crash, a timeout, a child run
    /// ending): finished nodes are not run again. A
    /// subflow's run that ends here lets its parent go on.
    pub async fn recover(&self, run_id: &str, progress: &mut dyn Progress) -> anyhow::Result<RunState> {
        let state = self.continue_run(run_id, true, progress).await?;
        self.notify_parent(&state, progress).await?;
        Ok(state)
    }

    /// Like `recover`, but a run another live node of a cluster drives is
    /// left to it (`None`): what a starting server does with the unfinished
    /// runs it finds, and what a child run that ended does for its parent.
    pub async fn take_up(&self, run_id: &str, progress: &mut dyn Progress) -> anyhow::Result<Option<RunState>> {
        let state = match self.continue_run(run_id, false, progress).await {
            Err(error) if error.is::<HeldElsewhere>() => return Ok(None),
            continued => continued?,
        };
        self.notify_parent(&state, progress).await?;
        Ok(Some(state))
    }

    /// Continue a run from its log; in a cluster under its lease, waiting
    /// for another node's to lapse if `patient`.
    async fn continue_run(&self, run_id: &str, patient: bool, progress: &mut dyn Progress) -> anyhow::Result<RunState> {
        self.take_lease(run_id, patient).await?;
        if self.live_run(run_id).is_some() {
            // Another task of this process drives it already: one driver per run.
            self.let_go_as_is(run_id).await;
            return self.state(run_id).await;
        }
        let mut run = match self.load(run_id).await {
            Ok(run) => run,
            Err(error) => {
                self.let_go_as_is(run_id).await;
                return Err(error);
            }
        };
        let resumed = if run.state.is_over() {
            self.runs.save_summary(&run.id, &run.state).await
        } else {
            run.record(Event::RunResumed { at_ms: now_ms() }, progress).await.map(|_| ())
        };
        if let Err(error) = resumed {
            // Nothing drives the run from here: the lease's use goes back.
            self.give_back(run_id, &error).await;
            return Err(error);
        }
        if run.state.is_over() {
            return Ok(run.state);
        }
        let commands = resume_work(&run.plan, &run.state);
        progress.resumed(&run.id, commands.len());
        run.drive(commands.into(), progress).await
    }

    /// Apply an operator's event — an approval decision, a retry, a skip, a
    /// cancel, a pause or unpause, a force-fail — if the run admits it. A run
    /// this process is driving takes it in its loop and this returns the state
    /// just after; otherwise the run is loaded from its log and continued here
    /// until it ends or waits again.
    pub async fn control(&self, run_id: &str, event: Event, progress: &mut dyn Progress) -> anyhow::Result<RunState> {
        let state = match self.take_control(run_id, event, progress).await? {
            Taken::Live(state) => return Ok(state),
            Taken::Stored(run, _) if run.state.is_over() => {
                progress.finished(&run.id, &run.state);
                run.state
            }
            Taken::Stored(mut run, commands) => run.drive(commands, progress).await?,
        };
        self.notify_parent(&state, progress).await?;
        Ok(state)
    }

    /// Like `control`, but return as soon as the event is recorded; a run
    /// that is not being driven goes on on a task of its own.
    pub async fn control_detached(self: &Arc<Self>, run_id: &str, event: Event) -> anyhow::Result<RunState> {
        let state = match self.take_control(run_id, event, &mut SilentProgress).await? {
            Taken::Live(state) => return Ok(state),
            Taken::Stored(run, _) => run.state,
        };
        let (scheduler, id, ended) = (self.clone(), run_id.to_string(), state.clone());
        tokio::spawn(async move {
            let continued = if ended.is_over() {
                scheduler.notify_parent(&ended, &mut SilentProgress).await
            } else {
                scheduler.recover(&id, &mut SilentProgress).await.map(|_| ())
            };
            if let Err(error) = continued {
                tracing::warn!(run = %id, "continuing the run after an operator's event failed: {error:#}");
            }
            // The lease taken to record the event (the loop above took its own).
            scheduler.let_go_as_is(&id).await;
        });
        Ok(state)
    }

    /// Record an operator's event: through the run's loop if it is live here,
    /// otherwise in its log, returning the loaded run and the work it leads to.
    ///
    /// Two controls of one run at once race: both may load the run before
    /// either writes (the second write finds its place in the log taken), or
    /// the loop one was sent to may end before taking it. Neither recorded
    /// anything, so the run is looked at again — live now, or reloaded with
    /// the other's event, against which the control is checked afresh (a
    /// second approval of one node is then refused as a conflict). After
    /// `CONTROL_TRIES` such races the caller gets [`RunBusy`].
    async fn take_control(&self, run_id: &str, event: Event, progress: &mut dyn Progress) -> anyhow::Result<Taken<'_>> {
        const CONTROL_TRIES: usize = 20;
        for _ in 0..CONTROL_TRIES {
            match self.try_control(run_id, event.clone(), progress).await {
                Err(error) if raced(&error) => tokio::task::yield_now().await,
                taken => return taken,
            }
        }
        Err(RunBusy(run_id.to_string()).into())
    }

    async fn try_control(&self, run_id: &str, event: Event, progress: &mut dyn Progress) -> anyhow::Result<Taken<'_>> {
        if let Some(live) = self.live_run(run_id) {
            let (reply, answer) = oneshot::channel();
            // If the loop ended between the lookup and the send, its log is
            // complete and the event is applied from it below.
            if live.send(LiveMsg::Control { event: event.clone(), reply }).is_ok() {
                let taken = answer.await.unwrap_or_else(|_| Err(NotTaken(run_id.to_string()).into()));
                return taken.map(Taken::Live);
            }
        }
        match self.take_lease(run_id, false).await {
            Err(error) if error.is::<HeldElsewhere>() => {
                return self.control_elsewhere(run_id, &event).await.map(Taken::Live);
            }
            taken => taken?,
        }
        let recorded = self.record_control(run_id, event, progress).await;
        if recorded.is_err() {
            self.let_go_as_is(run_id).await;
        }
        recorded
    }

    /// Check an operator's event against the run as its log has it and record
    /// it (this node holding the run's lease, in a cluster).
    async fn record_control(
        &self,
        run_id: &str,
        event: Event,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<Taken<'_>> {
        let mut run = self.load(run_id).await?;
        check_control(&run.plan, &run.state, &event).map_err(|why| ControlRefused(format!("run {run_id}: {why}")))?;
        let cancelled_by = match &event {
            Event::Cancelled { by, .. } => Some(by.clone()),
            _ => None,
        };
        // Work that was in flight when the run last stopped (including calls
        // abandoned when it failed) is picked up again once it goes on.
        let mut commands: VecDeque<Command> = resume_work(&run.plan, &run.state).into();
        run.record(Event::RunResumed { at_ms: now_ms() }, progress).await?;
        commands.extend(run.record(event, progress).await?);
        if let Err(error) = self.runs.save_summary(&run.id, &run.state).await {
            // Recorded already: the event stands, and whoever drives the run next keeps its summary.
            tracing::warn!(run = %run.id, "the run's summary was not updated: {error:#}");
        }
        if let Some(by) = cancelled_by {
            self.cancel_children(&run.id, &run.plan, &run.state, &by).await;
        }
        Ok(Taken::Stored(run, commands))
    }

    /// A run's state as its log has it.
    pub async fn state(&self, run_id: &str) -> anyhow::Result<RunState> {
        Ok(self.load(run_id).await?.state)
    }

    fn live_run(&self, run_id: &str) -> Option<mpsc::UnboundedSender<LiveMsg>> {
        self.live.lock().expect("live runs lock").get(run_id).cloned()
    }

    /// A run's plan, state and tenant as its log has them, and how many events that log holds.
    pub async fn inspect(&self, run_id: &str) -> anyhow::Result<Inspected> {
        let length = self.runs.log_length(run_id).await?;
        if let Some(view) = self.views.lock().expect("views lock").get(run_id).filter(|view| view.length == length) {
            let (plan, state, tenant) = (view.plan.clone(), view.state.clone(), view.tenant.clone());
            return Ok(Inspected { plan, state, tenant, events: length });
        }
        let stored = self.runs.load(run_id).await?.ok_or_else(|| NoSuchRun(run_id.to_string()))?;
        let plan = self.plan(&FlowText::new(stored.flow_json))?;
        let length = stored.events.len() as u64;
        // Replaying evaluates the run's expressions again (each within its
        // bound): not on the async workers, which also answer `/healthz`.
        let replayed = plan.clone();
        let state = tokio::task::spawn_blocking(move || replay(&replayed, &stored.events)).await?;
        let mut views = self.views.lock().expect("views lock");
        if views.len() >= MAX_VIEWS {
            views.clear();
        }
        let view = RunView { length, plan: plan.clone(), state: state.clone(), tenant: stored.tenant.clone() };
        views.insert(run_id.to_string(), view);
        Ok(Inspected { plan, state, tenant: stored.tenant, events: length })
    }

    /// Rebuild a run's state by replaying its log.
    async fn load(&self, run_id: &str) -> anyhow::Result<Run<'_>> {
        let stored = self.runs.load(run_id).await?.ok_or_else(|| NoSuchRun(run_id.to_string()))?;
        let plan = self.plan(&FlowText::new(stored.flow_json))?;
        let state = replay(&plan, &stored.events);
        let seq = stored.events.len() as u64;
        Ok(Run::new(self, plan, stored.id, stored.tenant, state, seq))
    }
}

/// A run's state as its log makes it.
fn replay(plan: &Plan, events: &[Event]) -> RunState {
    let mut state = RunState::new(plan.nodes.len());
    for event in events {
        apply(plan, &mut state, event);
    }
    state
}

/// Reads rebuild a run's state from its log; the last ones are kept, each
/// with the length of the log it came from, which a read checks first (one
/// indexed query), so a run that has not moved is not replayed again.
const MAX_VIEWS: usize = 256;

struct RunView {
    length: u64,
    plan: Arc<Plan>,
    state: RunState,
    tenant: String,
}

/// A run started on a task of its own.
pub struct Launched {
    pub id: String,
    pub plan: Arc<Plan>,
    /// Ends with the run's state when it ends or waits for people.
    pub task: tokio::task::JoinHandle<anyhow::Result<RunState>>,
}

/// What `take_control` did with an operator's event.
enum Taken<'s> {
    /// The run's loop took it; the state just after.
    Live(RunState),
    /// Recorded in the log of a run not being driven.
    Stored(Run<'s>, VecDeque<Command>),
}

/// The run named does not exist.
#[derive(Debug, thiserror::Error)]
#[error("no run `{0}`")]
pub struct NoSuchRun(pub String);

/// The run does not admit the operator's event now (the reason says why).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ControlRefused(pub String);

/// Controls of the run kept racing others; none of them was recorded.
#[derive(Debug, thiserror::Error)]
#[error("run {0} is being changed by other controls at the same moment; nothing was recorded, try again")]
pub struct RunBusy(pub String);

/// The loop driving the run ended, or failed to write, before taking an
/// operator's event: nothing was recorded, and the event may be tried again.
#[derive(Debug, thiserror::Error)]
#[error("run {0} stopped before taking the event; nothing was recorded")]
pub(super) struct NotTaken(pub String);

/// Whether `error` is a control losing a race, with nothing recorded.
fn raced(error: &anyhow::Error) -> bool {
    // A lease lost meanwhile: another node (or, for an ended run, nobody) has the run now.
    error.chain().any(|e| e.is::<NotTaken>() || e.is::<crate::store::RunChanged>() || e.is::<crate::store::LeaseLost>())
}

/// A run refused at its start because its input does not fit the flow's
/// `inputs` schema; typed so the API can answer it as a 422 with the violations.
#[derive(Debug, thiserror::Error)]
#[error("input does not match the inputs schema of flow `{flow}`: {}", violations.join("; "))]
pub struct InputMismatch {
    pub flow: String,
    pub violations: Vec<String>,
}

fn problems_error(problems: Vec<crate::flow::Problem>) -> anyhow::Error {
    anyhow::anyhow!(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

/// A run as its log has it: what `Scheduler::inspect` answers.
pub struct Inspected {
    pub plan: Arc<Plan>,
    pub state: RunState,
    pub tenant: String,
    /// How many events the log holds: the state reflects exactly these.
    pub events: u64,
}
