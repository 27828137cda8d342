//! One run's loop: carry out the engine's commands (calls in the sandbox,
//! child runs for subflows, timers), record what comes back, and take
//! operators' events while it runs.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::live::{LiveGuard, LiveMsg};
use super::{Progress, Scheduler, now_ms};
use crate::engine::{
    CallTarget, Command, Event, NodePlan, NodeStatus, Plan, RunState, StepCall, StepOutcome, apply, check_control,
};
use crate::metrics::METRICS;
use crate::sandbox::{CallRequest, Entry, LimitKind, Outcome, Plugin, StepContext, StepFailure};
use crate::store::{Appending, KvScope, KvWrites, StepResult};

/// What a finished call, child run or timer reports back to the run's loop.
// One per call or timer, moved once through a channel: boxing the step's
// outcome would cost an allocation per call to save bytes in flight.
#[allow(clippy::large_enum_variant)]
pub(super) enum Completion {
    Step {
        node: String,
        attempt: u32,
        outcome: StepOutcome,
        kv: Option<(KvScope, KvWrites)>,
        logs: Value,
    },
    Timer {
        node: String,
        attempt: u32,
    },
    /// A subflow's run stopped to wait for people (or for a pause to be
    /// lifted); the node stays running until that run ends.
    ChildWaiting {
        node: String,
        child: String,
    },
}

/// Events queued for the run's log whose commit the loop has not seen yet.
struct Unconfirmed {
    appending: Appending,
    events: Vec<Event>,
}

pub(super) struct Run<'s> {
    pub(super) scheduler: &'s Scheduler,
    pub(super) plan: Arc<Plan>,
    pub(super) id: String,
    pub(super) tenant: String,
    pub(super) state: RunState,
    pub(super) seq: u64,
    /// The run's write in flight: at most one, so that a refused write
    /// leaves nothing after it in the log.
    writing: Option<Unconfirmed>,
    /// The loop returned because the process stops, with work left to do.
    stopped_by_process_end: bool,
}

impl<'s> Run<'s> {
    pub(super) fn new(
        scheduler: &'s Scheduler,
        plan: Arc<Plan>,
        id: String,
        tenant: String,
        state: RunState,
        seq: u64,
    ) -> Run<'s> {
        Run { scheduler, plan, id, tenant, state, seq, writing: None, stopped_by_process_end: false }
    }

    /// Apply `event` to the run's state. The expressions of a flow other
    /// than plain paths may take up to about a second per node to evaluate
    /// (their bounds), and an event can start many nodes: so for such flows
    /// the thread is handed over meanwhile, and the async workers' other
    /// tasks (requests, other runs) go on elsewhere.
    fn apply_event(&mut self, event: &Event) -> Vec<Command> {
        let (plan, state) = (&self.plan, &mut self.state);
        let on_workers = tokio::runtime::Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        if plan.plain || !on_workers {
            return apply(plan, state, event);
        }
        tokio::task::block_in_place(|| apply(plan, state, event))
    }

    /// Apply the run's first event, already stored: the work it starts.
    pub(super) fn started(&mut self, first: &Event) -> VecDeque<Command> {
        self.apply_event(first).into()
    }

    /// Persist `event`, then apply it.
    pub(super) async fn record(&mut self, event: Event, progress: &mut dyn Progress) -> anyhow::Result<Vec<Command>> {
        self.scheduler.runs.append(&self.id, self.seq, &event).await?;
        self.seq += 1;
        progress.event(&self.id, &event);
        Ok(self.apply_event(&event))
    }

    /// Carry out commands and completions until the run ends or waits for
    /// people; in a cluster, the run's lease is let go then.
    ///
    /// Events are applied as they arise and go to the writer together, one
    /// write in flight per run: whatever was applied while a write commits
    /// is queued as the next one. A call that may reach outside scena's
    /// database (HTTP, jobs, notifications, a child run) starts only once
    /// every write before the one holding its start is committed, as does
    /// anything after an operator's event, and the run ends or waits for
    /// people only once its last write is committed. Other calls — pure
    /// computation, reads, `kv` writes (committed with the step's end, in
    /// order) — run ahead of the log: a crash runs them again, which nobody
    /// outside can tell.
    pub(super) async fn drive(
        &mut self,
        queue: VecDeque<Command>,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<RunState> {
        let _driving = self.scheduler.driving();
        let caller = self.state.run["parent"]["run"].as_str();
        let span = crate::telemetry::run_span(&self.id, &self.tenant, &self.plan.flow.name, caller);
        let driven = tracing::Instrument::instrument(self.drive_loop(queue, progress), span).await;
        match &driven {
            // Stopped for the process's end with work left: anyone may continue it now.
            Ok(state) if !state.is_over() && self.stopped_by_process_end => self.scheduler.hand_over(&self.id).await,
            _ => self.scheduler.let_go(&self.id, &self.plan, &driven).await,
        }
        driven
    }

    async fn drive_loop(
        &mut self,
        mut queue: VecDeque<Command>,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<RunState> {
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Completion>();
        let (inbox_tx, mut inbox) = mpsc::unbounded_channel::<LiveMsg>();
        let _live = LiveGuard::register(self.scheduler, &self.id, inbox_tx);
        // Nodes whose subflow run waits for people (or is driven elsewhere).
        let mut waiting_children: BTreeSet<String> = BTreeSet::new();
        // Nodes whose child run's ending was announced before its call came
        // back as waiting (the child ended on another node meanwhile).
        let mut ended_early: BTreeMap<String, u32> = BTreeMap::new();
        // Calls, child runs and timers the run waits for. Approval timeouts
        // are left out: a run blocked on a person returns, and is resumed
        // when the earliest of them comes (`timeouts.rs`).
        let mut in_flight = 0usize;
        // Of those, the timers: what a stopping process leaves to the run's next driver.
        let mut timers_in_flight = 0usize;
        let mut stopping = self.scheduler.stop_requests();
        let mut unsaved: Vec<Event> = Vec::new();
        // A call made while nothing else is in flight runs on this task: a
        // chain of steps costs no task and no channel per step.
        let mut inline: Option<Pin<Box<dyn Future<Output = Completion> + Send>>> = None;
        // The runs list reads the summary row: when a branch starts (or stops)
        // waiting for people while others go on, the row says so at once, not
        // when the run next parks.
        // Only approvals and batches wait for people: other runs skip the look (it scans every node).
        let decides = self.plan.nodes.iter().any(|node| {
            matches!(node, crate::engine::NodePlan::Approval { .. } | crate::engine::NodePlan::Batch { .. })
        });
        // A driven run's row says `running` (at worst this writes it once more).
        let mut listed = "running";
        loop {
            let stop = stopping.borrow_and_update().is_some();
            if stop && in_flight == timers_in_flight && !self.state.is_over() {
                // The process stops and no call of the run is in flight: what was
                // applied goes to the log, where whoever drives the run next finds
                // the calls and timers still to come.
                self.save(&mut unsaved, progress).await?;
                self.scheduler.runs.save_summary(&self.id, &self.state).await?;
                // With calls or timers to come, the run is anyone's to continue
                // at once; otherwise it waits for people, as it would have anyway.
                self.stopped_by_process_end = timers_in_flight > 0 || queue.iter().any(|c| self.is_work(c));
                return Ok(self.state.clone());
            }
            let mut calls = Vec::new();
            let mut timers = Vec::new();
            while let Some(command) = if stop { None } else { queue.pop_front() } {
                match command {
                    Command::Call { node, attempt, call } => {
                        let started = Event::StepStarted { node: node.clone(), attempt, at_ms: now_ms() };
                        queue.extend(self.apply_event(&started));
                        unsaved.push(started);
                        calls.push((node, attempt, call));
                    }
                    Command::Timer { node, attempt, due_ms } if due_ms <= now_ms() => {
                        // Already due (e.g. re-armed on resume): fire it now.
                        let fired = Event::TimerFired { node, attempt, at_ms: now_ms() };
                        queue.extend(self.apply_event(&fired));
                        unsaved.push(fired);
                    }
                    Command::Timer { node, attempt, due_ms } => timers.push((node, attempt, due_ms)),
                    Command::Finish => {}
                }
            }
            if self.state.is_over() {
                self.save(&mut unsaved, progress).await?;
                progress.finished(&self.id, &self.state);
                return Ok(self.state.clone());
            }
            let calls: Vec<_> = calls
                .into_iter()
                .map(|(node, attempt, call)| {
                    let target = self.target(&node);
                    (node, attempt, call, target)
                })
                .collect();
            if calls.iter().any(|(_, _, _, target)| target.reaches_outside()) {
                // A refused write stops the run before this call starts.
                self.confirm(progress).await?;
                self.queue(&mut unsaved)?;
            } else {
                self.queue_if_settled(&mut unsaved, progress)?;
            }
            let alone = calls.len() == 1 && in_flight == 0;
            for (node, attempt, call, target) in calls {
                match target {
                    Target::Child => self.spawn_child(node, attempt, call, done_tx.clone()),
                    Target::Plugin(plugin) if alone => inline = Some(Box::pin(self.call(node, attempt, call, plugin))),
                    Target::Plugin(plugin) => {
                        let (call, done) = (self.call(node, attempt, call, plugin), done_tx.clone());
                        tokio::spawn(async move { drop(done.send(call.await)) });
                    }
                }
                in_flight += 1;
            }
            for (node, attempt, due_ms) in timers {
                let for_approval = self.is_approval(&node);
                let tx = done_tx.clone();
                let wait = Duration::from_millis(due_ms.saturating_sub(now_ms()));
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    let _ = tx.send(Completion::Timer { node, attempt });
                });
                in_flight += usize::from(!for_approval);
                timers_in_flight += usize::from(!for_approval);
            }
            if in_flight == 0 {
                self.save(&mut unsaved, progress).await?;
                if self.state.paused || !self.state.awaiting_decision().is_empty() || !waiting_children.is_empty() {
                    // The runs list reads the summary row: it says waiting or paused as the run does.
                    self.scheduler.runs.save_summary(&self.id, &self.state).await?;
                    progress.waiting(&self.id, &self.state, &self.plan);
                    self.scheduler.wake_at_decision_timeout(&self.id, &self.state);
                    return Ok(self.state.clone());
                }
                bail!("run {} cannot make progress: no call or timer is pending (this is a bug)", self.id);
            }
            // Before waiting for what is in flight (a timer may be minutes away).
            let now_listed = if decides { crate::store::status_name(&self.state) } else { listed };
            if now_listed != listed && !self.state.is_over() {
                listed = now_listed;
                if let Err(error) = self.scheduler.runs.save_summary(&self.id, &self.state).await {
                    tracing::warn!(run = %self.id, "the run's summary was not updated: {error:#}");
                }
            }
            let completion = tokio::select! {
                completion = async { inline.as_mut().expect("checked by the branch's condition").await }, if inline.is_some() => {
                    inline = None;
                    completion
                }
                completion = done_rx.recv() => completion.expect("the run holds a sender"),
                // The log catches up while the run waits: what was applied meanwhile goes next.
                settled = Self::settle(&mut self.writing), if self.writing.is_some() => {
                    settled?;
                    self.confirmed(progress);
                    self.queue(&mut unsaved)?;
                    continue;
                }
                // Stopping: start nothing more; look again at what is in flight.
                Ok(()) = stopping.changed(), if !stop => continue,
                Some(message) = inbox.recv() => match message {
                    LiveMsg::Control { event, reply } => {
                        // The operator's event goes after every event applied before it.
                        if let Err(error) = self.save(&mut unsaved, progress).await {
                            let _ = reply.send(Err(super::NotTaken(self.id.clone()).into()));
                            return Err(error);
                        }
                        match check_control(&self.plan, &self.state, &event) {
                            Err(why) => {
                                let _ = reply.send(Err(super::ControlRefused(format!("run {}: {why}", self.id)).into()));
                            }
                            Ok(()) => match self.record(event.clone(), progress).await {
                                Ok(commands) => {
                                    queue.extend(commands);
                                    // A pause (or its end) shows in the runs list at once. An
                                    // event that ends the run leaves its summary to the run's
                                    // last write, which also lets its lease go: written here,
                                    // that write would find the lease gone and be refused.
                                    if !self.state.is_over()
                                        && let Err(error) = self.scheduler.runs.save_summary(&self.id, &self.state).await
                                    {
                                        tracing::warn!(run = %self.id, "the run's summary was not updated: {error:#}");
                                    }
                                    let _ = reply.send(Ok(self.state.clone()));
                                    if let Event::Cancelled { by, .. } = event {
                                        self.cancel_children_later(by);
                                    }
                                }
                                Err(error) => {
                                    let _ = reply.send(Err(super::NotTaken(self.id.clone()).into()));
                                    return Err(error);
                                }
                            },
                        }
                        continue;
                    }
                    LiveMsg::ChildEnded { node, attempt } => {
                        if self.is_running(&node, attempt) {
                            if waiting_children.remove(&node) {
                                self.save(&mut unsaved, progress).await?;
                                self.spawn_child(node, attempt, StepCall::Run(Value::Null), done_tx.clone());
                                in_flight += 1;
                            } else {
                                ended_early.insert(node, attempt);
                            }
                        }
                        continue;
                    }
                },
            };
            // Take every completion that is already in, so that their events
            // are saved together.
            let mut next = Some(completion);
            while let Some(completion) = next {
                let timer = matches!(completion, Completion::Timer { .. });
                let counted = self.take(completion, &mut queue, &mut unsaved, &mut waiting_children, progress).await?;
                in_flight -= usize::from(counted);
                timers_in_flight -= usize::from(counted && timer);
                next = done_rx.try_recv().ok();
            }
            // A child announced as ended before its call came back waiting: collect it now
            // (unless the run ended meanwhile: its last write is made, nothing more is called).
            if self.state.is_over() {
                continue;
            }
            let collect: Vec<(String, u32)> = ended_early
                .iter()
                .filter(|(node, attempt)| waiting_children.contains(*node) && self.is_running(node, **attempt))
                .map(|(node, attempt)| (node.clone(), *attempt))
                .collect();
            for (node, attempt) in collect {
                ended_early.remove(&node);
                waiting_children.remove(&node);
                self.save(&mut unsaved, progress).await?;
                self.spawn_child(node, attempt, StepCall::Run(Value::Null), done_tx.clone());
                in_flight += 1;
            }
        }
    }

    /// Apply what a call, child run or timer reported; whether it was one
    /// the run counts as in flight.
    async fn take(
        &mut self,
        completion: Completion,
        queue: &mut VecDeque<Command>,
        unsaved: &mut Vec<Event>,
        waiting_children: &mut BTreeSet<String>,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<bool> {
        let counted = match &completion {
            Completion::Timer { node, .. } => !self.is_approval(node),
            Completion::Step { .. } | Completion::ChildWaiting { .. } => true,
        };
        if self.state.is_over() {
            // An earlier completion of the same batch ended the run: the engine
            // ignores what comes after, and a step's `kv` writes must not
            // commit after the run's last write.
            return Ok(counted);
        }
        match completion {
            Completion::Timer { node, attempt } => {
                let fired = Event::TimerFired { node, attempt, at_ms: now_ms() };
                queue.extend(self.apply_event(&fired));
                unsaved.push(fired);
                Ok(counted)
            }
            Completion::ChildWaiting { node, child } => {
                progress.child_waiting(&self.id, &node, &child);
                waiting_children.insert(node);
                Ok(true)
            }
            Completion::Step { node, attempt, outcome, kv, logs } => {
                let finished = Event::StepFinished { node: node.clone(), attempt, outcome, at_ms: now_ms() };
                let has_writes = kv.as_ref().is_some_and(|(_, writes)| !writes.is_empty());
                let has_logs =
                    logs.as_object().is_some_and(|o| o.values().any(|v| v.as_array().is_some_and(|a| !a.is_empty())));
                if !has_writes && !has_logs {
                    queue.extend(self.apply_event(&finished));
                    unsaved.push(finished);
                    return Ok(true);
                }
                // The log stays in order: what came in before this goes first.
                self.save(unsaved, progress).await?;
                // Writes commit with the event that finishes the step; if a key
                // it read changed meanwhile, the step fails as retryable instead.
                let recorded = self
                    .scheduler
                    .runs
                    .append_step_result(
                        &self.id,
                        self.seq,
                        StepResult { event: finished, kv, logs: has_logs.then(|| (node.clone(), attempt, logs)) },
                        move |conflict| Event::StepFinished {
                            node,
                            attempt,
                            outcome: StepOutcome::Failed {
                                kind: "retryable".into(),
                                message: conflict.to_string(),
                                retryable: true,
                            },
                            at_ms: now_ms(),
                        },
                    )
                    .await?;
                self.seq += 1;
                progress.event(&self.id, &recorded);
                queue.extend(self.apply_event(&recorded));
                Ok(true)
            }
        }
    }

    /// Save the events applied since the last save, in one transaction
    /// after the write in flight; with the run's summary once the run is over.
    async fn save(&mut self, events: &mut Vec<Event>, progress: &mut dyn Progress) -> anyhow::Result<()> {
        self.confirm(progress).await?;
        if !self.state.is_over() {
            self.queue(events)?;
            return self.confirm(progress).await;
        }
        self.scheduler.runs.finish(&self.id, self.seq, events, &self.state).await?;
        self.seq += events.len() as u64;
        for event in events.drain(..) {
            progress.event(&self.id, &event);
        }
        Ok(())
    }

    /// Queue the events applied since the last save for the writer, in one
    /// statement, without waiting for the commit. Only once the run's
    /// previous write is confirmed.
    fn queue(&mut self, events: &mut Vec<Event>) -> anyhow::Result<()> {
        assert!(self.writing.is_none(), "one write in flight per run");
        if events.is_empty() {
            return Ok(());
        }
        let appending = self.scheduler.runs.queue_all(&self.id, self.seq, events)?;
        self.seq += events.len() as u64;
        self.writing = Some(Unconfirmed { appending, events: std::mem::take(events) });
        Ok(())
    }

    /// Queue the events applied since the last save if the run's previous
    /// write is committed; otherwise they wait to go with the next one.
    fn queue_if_settled(&mut self, events: &mut Vec<Event>, progress: &mut dyn Progress) -> anyhow::Result<()> {
        if let Some(writing) = &mut self.writing {
            match writing.appending.settled() {
                None => return Ok(()),
                Some(result) => result?,
            }
            self.confirmed(progress);
        }
        self.queue(events)
    }

    /// Wait until the run's write in flight is committed (its answer is
    /// taken once: `writing` is emptied here or the run stops on the error).
    async fn confirm(&mut self, progress: &mut dyn Progress) -> anyhow::Result<()> {
        if let Some(writing) = &mut self.writing {
            writing.appending.committed().await?;
            self.confirmed(progress);
        }
        Ok(())
    }

    /// The write in flight is committed: report its events.
    fn confirmed(&mut self, progress: &mut dyn Progress) {
        if let Some(Unconfirmed { events, .. }) = self.writing.take() {
            for event in &events {
                progress.event(&self.id, event);
            }
        }
    }

    /// Resolves once the write in flight (there is one) is committed or refused.
    async fn settle(writing: &mut Option<Unconfirmed>) -> anyhow::Result<()> {
        writing.as_mut().expect("checked by the branch's condition").appending.committed().await
    }

    /// What node `node` calls: a plugin (resolved in the run's scope) or a child run.
    fn target(&self, node: &str) -> Target {
        match self.plan.call_target(node) {
            Some(CallTarget::Plugin { plugin, .. }) => {
                // An installed app's flow calls the app's plugins with the app's grants.
                let scope = crate::store::run_scope(&self.tenant, &self.plan.flow.name);
                Target::Plugin(self.scheduler.catalog.resolve_for(&scope, plugin))
            }
            _ => Target::Child,
        }
    }

    /// Cancel this run's child runs on a task of its own: a child this loop
    /// waits for may itself need the loop to take its answer.
    fn cancel_children_later(&self, by: String) {
        let scheduler = self.scheduler.me.upgrade().expect("a scheduler drives its runs while it exists");
        let (id, plan, state) = (self.id.clone(), self.plan.clone(), self.state.clone());
        tokio::spawn(async move { scheduler.cancel_children(&id, &plan, &state, &by).await });
    }

    /// Whether `command` is work for the run's driver: a call, or a timer
    /// that is not an approval's timeout.
    fn is_work(&self, command: &Command) -> bool {
        match command {
            Command::Call { .. } => true,
            Command::Timer { node, .. } => !self.is_approval(node),
            Command::Finish => false,
        }
    }

    /// Whether `node` is an approval (whose timers are its timeouts).
    fn is_approval(&self, node: &str) -> bool {
        self.plan.index_of(node).is_some_and(|i| matches!(self.plan.nodes[i], NodePlan::Approval { .. }))
    }

    /// Whether `node` (or item `node[k]`) is running as call `attempt`.
    fn is_running(&self, node: &str, attempt: u32) -> bool {
        self.plan.locate(node).is_some_and(|(i, item)| {
            let (status, current) = match item {
                Some(k) => {
                    self.state.nodes[i].items.get(k).map_or((&NodeStatus::Idle, 0), |it| (&it.status, it.attempt))
                }
                None => (&self.state.nodes[i].status, self.state.nodes[i].attempt),
            };
            matches!(status, NodeStatus::Running { started: true, .. }) && current == attempt
        })
    }

    /// A call of `plugin`, ready to run on any task: what it reports back.
    fn call(
        &self,
        node: String,
        attempt: u32,
        call: StepCall,
        plugin: Result<Arc<Plugin>, String>,
    ) -> impl Future<Output = Completion> + Send + 'static {
        let Some(CallTarget::Plugin { timeout_ms, .. }) = self.plan.call_target(&node) else {
            unreachable!("the engine calls only steps, subflows and items")
        };
        let scope = crate::store::run_scope(&self.tenant, &self.plan.flow.name);
        let sandbox = self.scheduler.sandbox.clone();
        let mut limits = self.scheduler.limits;
        if let Some(ms) = timeout_ms {
            limits.deadline = Duration::from_millis(ms);
        }
        let context = StepContext {
            tenant: self.tenant.clone(),
            run_id: self.id.clone(),
            node_id: node.clone(),
            attempt,
            idempotency_key: format!("{}:{}", self.id, node),
        };
        let entry = match call {
            StepCall::Run(input) => Entry::Run(input),
            StepCall::Poll(state) => Entry::Poll(state),
        };
        let grant_source = self.scheduler.grants.clone();
        // Inside the run's span, wherever the call runs.
        let span = tracing::info_span!(target: crate::telemetry::TARGET, "step", node = %node, attempt,
            plugin = tracing::field::Empty, outcome = tracing::field::Empty);
        let call = async move {
            let _in_flight = METRICS.call_in_flight();
            let started = Instant::now();
            let failure = |message: String, retryable: bool| {
                tracing::Span::current().record("outcome", "failed");
                Completion::Step {
                    node: node.clone(),
                    attempt,
                    outcome: StepOutcome::Failed {
                        kind: if retryable { "retryable" } else { "fatal" }.into(),
                        message,
                        retryable,
                    },
                    kv: None,
                    logs: Value::Array(Vec::new()),
                }
            };
            let plugin = match plugin {
                Ok(plugin) => plugin,
                Err(reason) => return failure(reason, false),
            };
            tracing::Span::current().record("plugin", plugin.meta.name.as_str());
            let grants = match grant_source.grants_for(&scope, &plugin.meta.name).await {
                Ok(grants) => grants,
                Err(error) => return failure(format!("cannot read the tenant's grants: {error:#}"), true),
            };
            let scope = KvScope { tenant: context.tenant.clone(), plugin: plugin.meta.name.clone() };
            let called = Instant::now();
            let report = sandbox.call(&plugin, CallRequest { context, entry, grants, limits }).await;
            METRICS.plugin_called(&plugin.meta.name, called.elapsed().as_secs_f64());
            let logs = json!({"logs": report.logs, "atom_calls": report.atom_calls});
            let outcome = match report.result {
                Ok(Outcome::Done { output }) => StepOutcome::Done { output },
                Ok(Outcome::Pending { state, after_ms }) => StepOutcome::Pending { state, after_ms },
                Err(failure) => failed(&failure),
            };
            let ended = match &outcome {
                StepOutcome::Done { .. } => "done",
                StepOutcome::Pending { .. } => "pending",
                StepOutcome::Failed { .. } => "failed",
            };
            METRICS.node_finished(ended, started.elapsed().as_secs_f64());
            tracing::Span::current().record("outcome", ended);
            Completion::Step { node, attempt, outcome, kv: Some((scope, report.kv)), logs }
        };
        tracing::Instrument::instrument(call, span)
    }
}

/// What a call node calls.
enum Target {
    /// A plugin, or why it cannot be called.
    Plugin(Result<Arc<Plugin>, String>),
    Child,
}

impl Target {
    /// Whether the call may change something outside scena's database; a
    /// plugin that cannot be called changes nothing.
    fn reaches_outside(&self) -> bool {
        match self {
            Target::Plugin(Ok(plugin)) => plugin.meta.capabilities.iter().any(|c| c.reaches_outside()),
            Target::Plugin(Err(_)) => false,
            Target::Child => true,
        }
    }
}

fn failed(failure: &StepFailure) -> StepOutcome {
    let retryable = matches!(failure, StepFailure::Retryable(_) | StepFailure::Limit(LimitKind::Deadline, _));
    StepOutcome::Failed { kind: failure.kind().to_string(), message: failure.message().to_string(), retryable }
}
