//! One call of a plugin: validate the input, run it in a fresh store under the
//! call's limits, classify how it ended, validate the output.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use wasmtime::{Store, Trap, UpdateDeadline};

use super::Sandbox;
use super::outcome::{CallReport, LimitKind, Outcome, StepFailure};
use super::plugin::Plugin;
use super::state::CallState;
use crate::atoms::{AtomCall, Grants, LogSource};
use crate::bindings::wit;
use crate::sandbox::limits::Limits;
use crate::store::{KvScope, KvWrites};

/// Who is calling, as the plugin sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepContext {
    pub tenant: String,
    pub run_id: String,
    pub node_id: String,
    pub attempt: u32,
    pub idempotency_key: String,
}

/// Which export to call.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Run(Value),
    Poll(Value),
}

#[derive(Clone)]
pub struct CallRequest {
    pub context: StepContext,
    pub entry: Entry,
    pub grants: Arc<Grants>,
    pub limits: Limits,
}

/// Raised from the epoch callback when the call's wall-clock deadline passes.
#[derive(Debug, thiserror::Error)]
#[error("deadline exceeded")]
struct DeadlineExceeded;

/// Host-side awaits (an HTTP request) do not tick the epoch; this margin lets
/// the epoch callback speak first when guest code is what overran.
const HOST_DEADLINE_MARGIN: Duration = Duration::from_millis(50);

impl Sandbox {
    /// Run `request` against `plugin` in a fresh, isolated instance.
    pub async fn call(&self, plugin: &Plugin, request: CallRequest) -> CallReport {
        if let Entry::Run(input) = &request.entry {
            let violations = plugin.input.violations(input);
            if !violations.is_empty() {
                let message =
                    format!("input does not match the schema of {}: {}", plugin.meta.id(), violations.join("; "));
                return failed_before_start(StepFailure::InvalidInput(message));
            }
        }
        let deadline = Instant::now() + request.limits.deadline;
        let scope = KvScope { tenant: request.context.tenant.clone(), plugin: plugin.meta.name.clone() };
        let mut atoms = AtomCall::new(scope, request.grants.clone(), self.services.clone(), deadline);
        atoms.idempotency_key = request.context.idempotency_key.clone();
        let mut store = self.new_store(atoms, &request.limits, deadline);

        let raw = tokio::time::timeout(request.limits.deadline + HOST_DEADLINE_MARGIN, async {
            let instance = plugin.pre.instantiate_async(&mut store).await?;
            let handler = instance.scena_plugin_handler();
            let context = to_wit(&request.context);
            match &request.entry {
                Entry::Run(input) => handler.call_run(&mut store, &context, &input.to_string()).await,
                Entry::Poll(state) => handler.call_poll(&mut store, &context, &state.to_string()).await,
            }
        })
        .await;

        let state = store.into_data();
        let (stderr_text, _) = state.stderr.take();
        let result = match raw {
            Err(_elapsed) => Err(deadline_failure(&request.limits)),
            Ok(Err(trap)) => Err(classify_trap(&trap, &state, &request.limits, &stderr_text)),
            Ok(Ok(Err(step_error))) => Err(from_step_error(step_error)),
            Ok(Ok(Ok(outcome))) => check_outcome(plugin, outcome, &request.limits),
        };
        finish(state, stderr_text, result)
    }

    pub(crate) fn new_store(&self, atoms: AtomCall, limits: &Limits, deadline: Instant) -> Store<CallState> {
        let mut store = Store::new(&self.engine, CallState::new(atoms, limits.memory_bytes));
        store.limiter(|state| &mut state.limiter);
        // Check the clock at every epoch tick; yield in between so one busy
        // plugin never starves the other tasks of its thread.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= deadline { Err(DeadlineExceeded.into()) } else { Ok(UpdateDeadline::Yield(1)) }
        });
        store
    }
}

pub(super) fn to_wit(context: &StepContext) -> wit::Context {
    wit::Context {
        tenant: context.tenant.clone(),
        run_id: context.run_id.clone(),
        node_id: context.node_id.clone(),
        attempt: context.attempt,
        idempotency_key: context.idempotency_key.clone(),
    }
}

fn failed_before_start(failure: StepFailure) -> CallReport {
    CallReport { result: Err(failure), logs: Vec::new(), atom_calls: Vec::new(), kv: KvWrites::default() }
}

fn finish(state: CallState, stderr_text: String, mut result: Result<Outcome, StepFailure>) -> CallReport {
    let CallState { atoms, stdout, stderr, .. } = state;
    let AtomCall { mut log, kv, mut records, revealed, .. } = atoms;
    let (stdout_text, stdout_dropped) = stdout.take();
    let (_, stderr_dropped) = stderr.take();
    log.push_captured(LogSource::Stdout, &stdout_text, stdout_dropped);
    log.push_captured(LogSource::Stderr, &stderr_text, stderr_dropped);
    let kv = if result.is_ok() { kv.into_writes() } else { KvWrites::default() };
    let mut logs = log.into_lines();
    if !revealed.is_empty() {
        match &mut result {
            Ok(Outcome::Done { output }) => revealed.mask_json(output),
            Ok(Outcome::Pending { state, .. }) => revealed.mask_json(state),
            Err(failure) => revealed.mask(failure.message_mut()),
        }
        logs.iter_mut().for_each(|line| revealed.mask(&mut line.message));
        for record in &mut records {
            revealed.mask(&mut record.request);
            revealed.mask(&mut record.outcome);
        }
    }
    CallReport { result, logs, atom_calls: records, kv }
}

fn deadline_failure(limits: &Limits) -> StepFailure {
    StepFailure::Limit(LimitKind::Deadline, format!("deadline of {} ms exceeded", limits.deadline.as_millis()))
}

fn classify_trap(error: &wasmtime::Error, state: &CallState, limits: &Limits, stderr: &str) -> StepFailure {
    if error.is::<DeadlineExceeded>() {
        return deadline_failure(limits);
    }
    if state.limiter.refused {
        return StepFailure::Limit(
            LimitKind::Memory,
            format!("memory limit of {} MiB reached", limits.memory_bytes >> 20),
        );
    }
    let last_words = last_lines(stderr, 3);
    let said = if last_words.is_empty() { String::new() } else { format!("; stderr: {last_words}") };
    match error.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => {
            StepFailure::Limit(LimitKind::Stack, "stack overflow: wasm call stack exhausted".into())
        }
        Some(trap) => StepFailure::Limit(LimitKind::Trap, format!("plugin trapped: {trap}{said}")),
        None => StepFailure::Limit(LimitKind::Trap, format!("plugin failed: {error:#}{said}")),
    }
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(count)..];
    crate::atoms::bounded(&tail.join(" | "), 500)
}

fn from_step_error(error: wit::StepError) -> StepFailure {
    match error {
        wit::StepError::InvalidInput(m) => StepFailure::InvalidInput(m),
        wit::StepError::Denied(m) => StepFailure::Denied(m),
        wit::StepError::Retryable(m) => StepFailure::Retryable(m),
        wit::StepError::Fatal(m) => StepFailure::Fatal(m),
    }
}

fn check_outcome(plugin: &Plugin, outcome: wit::Outcome, limits: &Limits) -> Result<Outcome, StepFailure> {
    let (text, what) = match &outcome {
        wit::Outcome::Done(text) => (text, "output"),
        wit::Outcome::Pending(pending) => (&pending.state, "pending state"),
    };
    if text.len() > limits.max_output_bytes {
        return Err(StepFailure::Limit(
            LimitKind::Output,
            format!("{what} is {} bytes, over the limit of {} bytes", text.len(), limits.max_output_bytes),
        ));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| StepFailure::Fatal(format!("{} returned {what} that is not JSON: {e}", plugin.meta.id())))?;
    match outcome {
        wit::Outcome::Pending(pending) => Ok(Outcome::Pending { state: value, after_ms: pending.after_ms }),
        wit::Outcome::Done(_) => {
            let violations = plugin.output.violations(&value);
            if violations.is_empty() {
                Ok(Outcome::Done { output: value })
            } else {
                Err(StepFailure::Fatal(format!(
                    "output of {} does not match its schema: {}",
                    plugin.meta.id(),
                    violations.join("; ")
                )))
            }
        }
    }
}
