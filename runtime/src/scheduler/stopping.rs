//! Stopping a server without losing work in flight: once asked, run loops
//! start nothing new — no call, no timer, no child run — finish the calls
//! they have in flight, write what those calls reported, and return; the
//! rest of each run is in its log for the next start, or for another node
//! of a cluster to continue at once. A call cut off by a hard stop (or the
//! deadline) runs again as its next attempt, as after a crash.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Scheduler;

impl Scheduler {
    /// From now on, run loops only finish what they have in flight.
    pub fn stop_driving(&self) {
        self.stopping.send_if_modified(|since| {
            if since.is_some() {
                return false; // asked before: the first time counts
            }
            *since = Some(Instant::now());
            true
        });
    }

    /// Whether [`stop_driving`](Self::stop_driving) was asked: what claims
    /// of new work (leases, cron ticks) check first.
    pub fn is_stopping(&self) -> bool {
        self.stopping.borrow().is_some()
    }

    /// Resolves when [`stop_driving`](Self::stop_driving) is asked: when it was.
    pub async fn until_stopping(&self) -> Instant {
        let mut requests = self.stopping.subscribe();
        match requests.wait_for(Option::is_some).await {
            Ok(since) => since.unwrap_or_else(Instant::now),
            // The scheduler went away: nothing is driven any more.
            Err(_) => Instant::now(),
        }
    }

    /// Wait until no run is being driven by this process, or `deadline`
    /// passed; how many still are.
    pub async fn drained(&self, deadline: Instant) -> usize {
        loop {
            let left = self.driving.load(Ordering::SeqCst);
            if left == 0 || Instant::now() >= deadline {
                return left;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A receiver of the stop request, for a run loop to wait on.
    pub(super) fn stop_requests(&self) -> tokio::sync::watch::Receiver<Option<Instant>> {
        self.stopping.subscribe()
    }

    /// Count a run being driven until the guard drops (its lease let go).
    pub(super) fn driving(&self) -> Driving<'_> {
        self.driving.fetch_add(1, Ordering::SeqCst);
        Driving(self)
    }
}

/// A run being driven, counted for [`Scheduler::drained`].
pub(super) struct Driving<'s>(&'s Scheduler);

impl Drop for Driving<'_> {
    fn drop(&mut self) {
        self.0.driving.fetch_sub(1, Ordering::SeqCst);
    }
}
