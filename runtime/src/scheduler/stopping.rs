//! Stopping a server without losing work in flight: once asked, run loops
//! start nothing new — no call, no timer, no child run — finish the calls
//! they have in flight, write what those calls reported, and return; the
//! rest of each run is in its log for the next start, or for another node
//! of a cluster to continue at once. A call cut off by a hard stop (or the
//! deadline) runs again as its next attempt, as after a crash.

use std::time::{Duration, Instant};

use super::Scheduler;

impl Scheduler {
    /// From now on, run loops only finish what they have in flight.
    pub fn stop_driving(&self) {
        self.stopping.send_replace(true);
    }

    /// Whether [`stop_driving`](Self::stop_driving) was asked: what claims
    /// of new work (leases, cron ticks) check first.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Wait until no run loop of this process is left, or `within` passed;
    /// how many are left.
    pub async fn drained(&self, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        loop {
            let left = self.live.lock().expect("live runs lock").len();
            if left == 0 || Instant::now() >= deadline {
                return left;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A receiver of the stop request, for a run loop to wait on.
    pub(super) fn stop_requests(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}
