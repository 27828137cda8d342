//! Running one plugin to completion outside a flow (`scena plugin run`): call,
//! poll while it is pending, and commit its `kv` writes with each outcome.

use std::time::Duration;

use crate::atoms::{AtomRecord, LogLine};
use crate::sandbox::{CallReport, CallRequest, Entry, Outcome, Plugin, Sandbox, StepFailure};
use crate::store::{KvScope, KvStore};

/// Observes a run as it goes (the CLI prints logs as they come).
pub trait RunObserver {
    fn call_finished(&mut self, _logs: &[LogLine], _atom_calls: &[AtomRecord]) {}
    fn pending(&mut self, _after: Duration) {}
}

impl RunObserver for () {}

/// Call `plugin` with `request`, then poll until it is done or fails.
pub async fn run_to_completion(
    sandbox: &Sandbox,
    kv: Option<&KvStore>,
    plugin: &Plugin,
    mut request: CallRequest,
    observer: &mut dyn RunObserver,
) -> Result<serde_json::Value, StepFailure> {
    loop {
        let report = sandbox.call(plugin, request.clone()).await;
        observer.call_finished(&report.logs, &report.atom_calls);
        match commit(kv, &request, plugin, report).await? {
            Outcome::Done { output } => return Ok(output),
            Outcome::Pending { state, after_ms } => {
                let after = Duration::from_millis(after_ms.into());
                observer.pending(after);
                tokio::time::sleep(after).await;
                request.entry = Entry::Poll(state);
            }
        }
    }
}

async fn commit(
    kv: Option<&KvStore>,
    request: &CallRequest,
    plugin: &Plugin,
    report: CallReport,
) -> Result<Outcome, StepFailure> {
    let outcome = report.result?;
    if let Some(store) = kv.filter(|_| !report.kv.is_empty()) {
        let scope = KvScope { tenant: request.context.tenant.clone(), plugin: plugin.meta.name.clone() };
        match store.commit(&scope, &report.kv).await {
            Ok(Ok(())) => {}
            Ok(Err(conflict)) => return Err(StepFailure::Retryable(conflict.to_string())),
            Err(e) => return Err(StepFailure::Retryable(format!("cannot commit kv writes: {e:#}"))),
        }
    }
    Ok(outcome)
}
