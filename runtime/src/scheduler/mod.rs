//! The scheduler drives the engine's state machine against the store and the
//! sandbox: it records each event before acting on it, runs step calls
//! concurrently, sets timers, and on resume rebuilds a run from its log.
//!
//! Order of writes, which is what makes runs survive a crash: events are
//! applied as they arise and saved together (one statement) before any call
//! or timer they lead to starts, so `StepStarted` is always committed before
//! its call; a step's `StepFinished` commits in one transaction with its `kv`
//! writes; a timer's due time is part of the state rebuilt from the log.

mod progress;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use crate::atoms::Grants;
use crate::catalog::Catalog;
use crate::engine::{apply, check_control, resume_work, Command, Event, NodePlan, Plan, RunState, StepCall, StepOutcome};
use crate::flow::Flow;
use crate::sandbox::{CallRequest, Entry, LimitKind, Limits, Outcome, Sandbox, StepContext, StepFailure};
use crate::store::{KvScope, KvWrites, RunStore};

pub use progress::{Progress, SilentProgress};

pub struct Scheduler {
    pub sandbox: Arc<Sandbox>,
    pub catalog: Arc<dyn Catalog>,
    pub runs: RunStore,
    pub grants: Arc<Grants>,
    /// Limits of each call; a step's `timeout_ms` replaces the deadline.
    pub limits: Limits,
    /// Compiled plans by the sha256 of the flow's JSON: validating a flow and
    /// compiling its expressions is done once, not once per run.
    plans: Mutex<HashMap<String, Arc<Plan>>>,
    /// Runs this process is driving now, by id: an operator's event for one of
    /// them goes to its loop, which alone writes its log.
    live: Mutex<HashMap<String, mpsc::UnboundedSender<LiveControl>>>,
}

/// An operator's event for a run being driven, and where to say how it went.
struct LiveControl {
    event: Event,
    reply: oneshot::Sender<anyhow::Result<RunState>>,
}

/// What a finished call or timer reports back to the run's loop.
enum Completion {
    Step { node: String, attempt: u32, outcome: StepOutcome, kv: Option<(KvScope, KvWrites)>, logs: Value },
    Timer { node: String, attempt: u32 },
}

/// Milliseconds since the Unix epoch: the clock events carry.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Scheduler {
    pub fn new(sandbox: Arc<Sandbox>, catalog: Arc<dyn Catalog>, runs: RunStore, grants: Arc<Grants>, limits: Limits) -> Scheduler {
        Scheduler { sandbox, catalog, runs, grants, limits, plans: Mutex::new(HashMap::new()), live: Mutex::new(HashMap::new()) }
    }

    /// The compiled plan of the flow stored as `flow_json`.
    fn plan(&self, flow_json: &str, flow: impl FnOnce() -> anyhow::Result<Flow>) -> anyhow::Result<Arc<Plan>> {
        let key = hex::encode(Sha256::digest(flow_json.as_bytes()));
        if let Some(plan) = self.plans.lock().expect("plan cache lock").get(&key) {
            return Ok(plan.clone());
        }
        let plan = Arc::new(Plan::new(flow()?).map_err(problems_error)?);
        self.plans.lock().expect("plan cache lock").insert(key, plan.clone());
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
        let flow_json = serde_json::to_string(&flow)?;
        let plan = self.plan(&flow_json, || Ok(flow))?;
        let violations = plan.inputs.violations(&input);
        if !violations.is_empty() {
            bail!("input does not match the inputs schema of flow `{}`: {}", plan.flow.name, violations.join("; "));
        }
        let run_id = uuid::Uuid::new_v4().to_string();
        let started_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let info = json!({"id": run_id, "tenant": tenant, "flow": plan.flow.name, "version": version, "started_at": started_at});
        let first = Event::RunStarted { input: input.clone(), run: info, at_ms: now_ms() };
        self.runs.create(&run_id, tenant, &plan.flow.name, version, &flow_json, &input, &first).await?;
        progress.event(&run_id, &first);
        let mut state = RunState::new(plan.nodes.len());
        let commands = apply(&plan, &mut state, &first);
        let mut run = Run { scheduler: self, plan, id: run_id.clone(), tenant: tenant.to_string(), state, seq: 1 };
        let state = run.drive(commands.into(), progress).await?;
        Ok((run_id, state))
    }

    /// Continue a run from its log: finished nodes are not run again.
    pub async fn resume(&self, run_id: &str, progress: &mut dyn Progress) -> anyhow::Result<RunState> {
        let mut run = self.load(run_id).await?;
        if run.state.is_over() {
            self.runs.save_summary(&run.id, &run.state).await?;
            return Ok(run.state);
        }
        let commands = resume_work(&run.plan, &run.state);
        progress.resumed(&run.id, commands.len());
        run.record(Event::RunResumed { at_ms: now_ms() }, progress).await?;
        run.drive(commands.into(), progress).await
    }

    /// Apply an operator's event — an approval decision, a retry, a skip, a
    /// cancel, a pause or unpause, a force-fail — if the run admits it. A run
    /// this process is driving takes it in its loop and this returns the state
    /// just after; otherwise the run is loaded from its log and continued here
    /// until it ends or waits again.
    pub async fn control(&self, run_id: &str, event: Event, progress: &mut dyn Progress) -> anyhow::Result<RunState> {
        let live = self.live.lock().expect("live runs lock").get(run_id).cloned();
        let event = match live {
            Some(live) => {
                let (reply, answer) = oneshot::channel();
                match live.send(LiveControl { event, reply }) {
                    Ok(()) => match answer.await {
                        Ok(result) => return result,
                        Err(_) => bail!("run {run_id} stopped before taking the event; try again"),
                    },
                    // The loop ended between the lookup and the send: the log is complete.
                    Err(mpsc::error::SendError(LiveControl { event, .. })) => event,
                }
            }
            None => event,
        };
        let mut run = self.load(run_id).await?;
        check_control(&run.plan, &run.state, &event).map_err(|why| anyhow::anyhow!("run {run_id}: {why}"))?;
        // Work that was in flight when the run last stopped (including calls
        // abandoned when it failed) is picked up again once it goes on.
        let mut commands: VecDeque<Command> = resume_work(&run.plan, &run.state).into();
        run.record(Event::RunResumed { at_ms: now_ms() }, progress).await?;
        commands.extend(run.record(event, progress).await?);
        self.runs.save_summary(&run.id, &run.state).await?;
        if run.state.is_over() {
            progress.finished(&run.id, &run.state);
            return Ok(run.state);
        }
        run.drive(commands, progress).await
    }

    /// A run's state as its log has it.
    pub async fn state(&self, run_id: &str) -> anyhow::Result<RunState> {
        Ok(self.load(run_id).await?.state)
    }

    /// Rebuild a run's state by replaying its log.
    async fn load(&self, run_id: &str) -> anyhow::Result<Run<'_>> {
        let stored = self.runs.load(run_id).await?.with_context(|| format!("no run `{run_id}`"))?;
        let plan = self.plan(&stored.flow_json, || serde_json::from_str(&stored.flow_json).context("stored flow is unreadable"))?;
        let mut state = RunState::new(plan.nodes.len());
        for event in &stored.events {
            apply(&plan, &mut state, event);
        }
        let seq = stored.events.len() as u64;
        Ok(Run { scheduler: self, plan, id: stored.id, tenant: stored.tenant, state, seq })
    }
}

fn problems_error(problems: Vec<crate::flow::Problem>) -> anyhow::Error {
    anyhow::anyhow!(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

struct Run<'s> {
    scheduler: &'s Scheduler,
    plan: Arc<Plan>,
    id: String,
    tenant: String,
    state: RunState,
    seq: u64,
}

impl Run<'_> {
    /// Persist `event`, then apply it.
    async fn record(&mut self, event: Event, progress: &mut dyn Progress) -> anyhow::Result<Vec<Command>> {
        self.scheduler.runs.append(&self.id, self.seq, &event).await?;
        self.seq += 1;
        progress.event(&self.id, &event);
        Ok(apply(&self.plan, &mut self.state, &event))
    }

    /// Carry out commands and completions until the run ends or waits for
    /// people. Events are applied as they arise and saved together, in one
    /// statement, before any call or timer they lead to is started.
    async fn drive(&mut self, mut queue: VecDeque<Command>, progress: &mut dyn Progress) -> anyhow::Result<RunState> {
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Completion>();
        let (control_tx, mut control_rx) = mpsc::unbounded_channel::<LiveControl>();
        let _live = LiveGuard::register(self.scheduler, &self.id, control_tx);
        // Calls and timers the run waits for. Approval timeouts are left out:
        // a run blocked on a person returns, and its timeout applies when it
        // is next resumed.
        let mut in_flight = 0usize;
        let mut unsaved: Vec<Event> = Vec::new();
        loop {
            let mut calls = Vec::new();
            let mut timers = Vec::new();
            while let Some(command) = queue.pop_front() {
                match command {
                    Command::Call { node, attempt, call } => {
                        let started = Event::StepStarted { node: node.clone(), attempt, at_ms: now_ms() };
                        queue.extend(apply(&self.plan, &mut self.state, &started));
                        unsaved.push(started);
                        calls.push((node, attempt, call));
                    }
                    Command::Timer { node, attempt, due_ms } if due_ms <= now_ms() => {
                        // Already due (e.g. re-armed on resume): fire it now.
                        let fired = Event::TimerFired { node, attempt, at_ms: now_ms() };
                        queue.extend(apply(&self.plan, &mut self.state, &fired));
                        unsaved.push(fired);
                    }
                    Command::Timer { node, attempt, due_ms } => timers.push((node, attempt, due_ms)),
                    Command::Finish => {}
                }
            }
            self.save(&mut unsaved, progress).await?;
            for (node, attempt, call) in calls {
                self.spawn_call(node, attempt, call, done_tx.clone());
                in_flight += 1;
            }
            for (node, attempt, due_ms) in timers {
                let for_approval = self.plan.index_of(&node).is_some_and(|i| matches!(self.plan.nodes[i], NodePlan::Approval { .. }));
                let tx = done_tx.clone();
                let wait = Duration::from_millis(due_ms.saturating_sub(now_ms()));
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    let _ = tx.send(Completion::Timer { node, attempt });
                });
                in_flight += usize::from(!for_approval);
            }
            if self.state.is_over() {
                self.scheduler.runs.save_summary(&self.id, &self.state).await?;
                progress.finished(&self.id, &self.state);
                return Ok(self.state.clone());
            }
            if in_flight == 0 {
                if self.state.paused || !self.state.awaiting_decision().is_empty() {
                    progress.waiting(&self.id, &self.state, &self.plan);
                    return Ok(self.state.clone());
                }
                bail!("run {} cannot make progress: no call or timer is pending (this is a bug)", self.id);
            }
            let completion = tokio::select! {
                completion = done_rx.recv() => completion.expect("the run holds a sender"),
                Some(LiveControl { event, reply }) = control_rx.recv() => {
                    if let Err(why) = check_control(&self.plan, &self.state, &event) {
                        let _ = reply.send(Err(anyhow::anyhow!("run {}: {why}", self.id)));
                        continue;
                    }
                    match self.record(event, progress).await {
                        Ok(commands) => {
                            queue.extend(commands);
                            let _ = reply.send(Ok(self.state.clone()));
                        }
                        Err(error) => {
                            let _ = reply.send(Err(anyhow::anyhow!("run {}: the event was not recorded", self.id)));
                            return Err(error);
                        }
                    }
                    continue;
                }
            };
            let counted = match &completion {
                Completion::Timer { node, .. } => !self.plan.index_of(node).is_some_and(|i| matches!(self.plan.nodes[i], NodePlan::Approval { .. })),
                Completion::Step { .. } => true,
            };
            in_flight -= usize::from(counted);
            match completion {
                Completion::Timer { node, attempt } => {
                    let fired = Event::TimerFired { node, attempt, at_ms: now_ms() };
                    queue.extend(apply(&self.plan, &mut self.state, &fired));
                    unsaved.push(fired);
                }
                Completion::Step { node, attempt, outcome, kv, logs } => {
                    let finished = Event::StepFinished { node: node.clone(), attempt, outcome, at_ms: now_ms() };
                    let has_writes = kv.as_ref().is_some_and(|(_, writes)| !writes.is_empty());
                    let has_logs = logs.as_object().is_some_and(|o| o.values().any(|v| v.as_array().is_some_and(|a| !a.is_empty())));
                    if !has_writes && !has_logs {
                        queue.extend(apply(&self.plan, &mut self.state, &finished));
                        unsaved.push(finished);
                        continue;
                    }
                    // Writes commit with the event that finishes the step; if a key
                    // it read changed meanwhile, the step fails as retryable instead.
                    let recorded = self
                        .scheduler
                        .runs
                        .append_step_result(
                            &self.id,
                            self.seq,
                            &finished,
                            kv.as_ref().map(|(scope, writes)| (scope, writes)),
                            |conflict| Event::StepFinished {
                                node: node.clone(),
                                attempt,
                                outcome: StepOutcome::Failed { kind: "retryable".into(), message: conflict.to_string(), retryable: true },
                                at_ms: now_ms(),
                            },
                            has_logs.then_some((node.as_str(), attempt, &logs)),
                        )
                        .await?;
                    self.seq += 1;
                    progress.event(&self.id, &recorded);
                    queue.extend(apply(&self.plan, &mut self.state, &recorded));
                }
            }
        }
    }

    /// Save the events applied since the last save, in one statement.
    async fn save(&mut self, events: &mut Vec<Event>, progress: &mut dyn Progress) -> anyhow::Result<()> {
        self.scheduler.runs.append_all(&self.id, self.seq, events).await?;
        self.seq += events.len() as u64;
        for event in events.drain(..) {
            progress.event(&self.id, &event);
        }
        Ok(())
    }

    fn spawn_call(&self, node: String, attempt: u32, call: StepCall, done: mpsc::UnboundedSender<Completion>) {
        let (plugin, timeout_ms) = self.plan.call_target(&node).expect("calls name a step or a foreach item");
        let plugin = self.scheduler.catalog.resolve(plugin);
        let sandbox = self.scheduler.sandbox.clone();
        let mut limits = self.scheduler.limits;
        if let Some(ms) = timeout_ms {
            limits.deadline = Duration::from_millis(ms);
        }
        let request = CallRequest {
            context: StepContext {
                tenant: self.tenant.clone(),
                run_id: self.id.clone(),
                node_id: node.clone(),
                attempt,
                idempotency_key: format!("{}:{}", self.id, node),
            },
            entry: match call {
                StepCall::Run(input) => Entry::Run(input),
                StepCall::Poll(state) => Entry::Poll(state),
            },
            grants: self.scheduler.grants.clone(),
            limits,
        };
        let tenant = self.tenant.clone();
        tokio::spawn(async move {
            let completion = match plugin {
                Err(reason) => Completion::Step {
                    node,
                    attempt,
                    outcome: StepOutcome::Failed { kind: "fatal".into(), message: reason, retryable: false },
                    kv: None,
                    logs: Value::Array(Vec::new()),
                },
                Ok(plugin) => {
                    let report = sandbox.call(&plugin, request).await;
                    let logs = json!({"logs": report.logs, "atom_calls": report.atom_calls});
                    let outcome = match report.result {
                        Ok(Outcome::Done { output }) => StepOutcome::Done { output },
                        Ok(Outcome::Pending { state, after_ms }) => StepOutcome::Pending { state, after_ms },
                        Err(failure) => failed(&failure),
                    };
                    let scope = KvScope { tenant, plugin: plugin.meta.name.clone() };
                    Completion::Step { node, attempt, outcome, kv: Some((scope, report.kv)), logs }
                }
            };
            let _ = done.send(completion);
        });
    }
}

/// Keeps a run in the scheduler's live table while its loop runs.
struct LiveGuard<'s> {
    scheduler: &'s Scheduler,
    id: String,
}

impl<'s> LiveGuard<'s> {
    fn register(scheduler: &'s Scheduler, id: &str, control: mpsc::UnboundedSender<LiveControl>) -> LiveGuard<'s> {
        scheduler.live.lock().expect("live runs lock").insert(id.to_string(), control);
        LiveGuard { scheduler, id: id.to_string() }
    }
}

impl Drop for LiveGuard<'_> {
    fn drop(&mut self) {
        self.scheduler.live.lock().expect("live runs lock").remove(&self.id);
    }
}

fn failed(failure: &StepFailure) -> StepOutcome {
    let retryable = matches!(failure, StepFailure::Retryable(_) | StepFailure::Limit(LimitKind::Deadline, _));
    StepOutcome::Failed { kind: failure.kind().to_string(), message: failure.message().to_string(), retryable }
}
