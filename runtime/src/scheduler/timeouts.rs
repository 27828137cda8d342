//! Approval timeouts of runs nobody is driving. A run that waits only for
//! people returns from its loop; when the earliest timeout of its undecided
//! approvals comes, it is resumed here, and its loop fires the timer that is
//! now due, so the timeout decides — without anyone touching the run.

use std::time::Duration;

use super::{Scheduler, SilentProgress, now_ms};
use crate::engine::RunState;

impl Scheduler {
    /// After run `run_id` parked in `state`: resume it when its earliest
    /// approval timeout comes (nothing to do if no approval has one).
    pub(super) fn wake_at_decision_timeout(&self, run_id: &str, state: &RunState) {
        let (Some(due_ms), Some(scheduler)) = (state.next_decision_due(), self.me.upgrade()) else { return };
        let id = run_id.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(due_ms.saturating_sub(now_ms()))).await;
            if let Err(error) = scheduler.resume_if_decision_due(&id).await {
                tracing::warn!(run = %id, "applying an approval timeout failed: {error:#}");
            }
        });
    }

    /// Resume the run if an approval's timeout has come and nobody has
    /// decided or taken the run up meanwhile.
    async fn resume_if_decision_due(&self, run_id: &str) -> anyhow::Result<()> {
        if self.live_run(run_id).is_some() {
            return Ok(()); // its loop armed the timer itself
        }
        if self.runs.leases().is_some() {
            return Ok(()); // in a cluster, the parked run's lease expires then and a node claims it
        }
        let state = self.state(run_id).await?;
        if state.is_over() || state.next_decision_due().is_none_or(|due| due > now_ms()) {
            return Ok(());
        }
        self.recover(run_id, &mut SilentProgress).await.map(|_| ())
    }
}
