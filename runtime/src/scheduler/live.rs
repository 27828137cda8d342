//! Runs this process is driving: their loops own their logs, so whatever
//! changes them from outside — an operator's event, a subflow's run that
//! ended elsewhere — is sent to the loop instead of written beside it.

use tokio::sync::{mpsc, oneshot};

use super::Scheduler;
use crate::engine::{Event, RunState};

pub(super) enum LiveMsg {
    /// An operator's event, and where to say how it went.
    Control { event: Event, reply: oneshot::Sender<anyhow::Result<RunState>> },
    /// The child run of `node`'s call `attempt` ended (it was continued by an
    /// operator's event on it): collect its outcome.
    ChildEnded { node: String, attempt: u32 },
}

/// Keeps a run in the scheduler's live table while its loop runs.
pub(super) struct LiveGuard<'s> {
    scheduler: &'s Scheduler,
    id: String,
}

impl<'s> LiveGuard<'s> {
    pub(super) fn register(scheduler: &'s Scheduler, id: &str, inbox: mpsc::UnboundedSender<LiveMsg>) -> LiveGuard<'s> {
        scheduler.live.lock().expect("live runs lock").insert(id.to_string(), inbox);
        LiveGuard { scheduler, id: id.to_string() }
    }
}

impl Drop for LiveGuard<'_> {
    fn drop(&mut self) {
        self.scheduler.live.lock().expect("live runs lock").remove(&self.id);
    }
}
