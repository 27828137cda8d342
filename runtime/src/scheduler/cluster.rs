//! A node's part in a cluster (many `scena serve` on one PostgreSQL
//! database): hold the leases of the runs it drives, renewing them by
//! heartbeat; take over runs whose lease expired (their node died, froze or
//! was cut off, or an approval's timeout came for a parked run); hand
//! operators' events posted by other nodes to the runs it drives; and send
//! its own to the node driving the run.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{ControlRefused, NoSuchRun, NotTaken, RunBusy, Scheduler, SilentProgress};
use crate::engine::{Event, Plan, RunState, resume_work};
use crate::store::{HeldElsewhere, Leases, is_lease_lost};

/// How many expired leases one claim takes at most.
const CLAIM_BATCH: i64 = 64;
/// How often a node looks for operators' events posted for its runs.
const MAILBOX_POLL: Duration = Duration::from_millis(50);
/// How long an operator's event waits for the node driving its run.
const MAILBOX_PATIENCE: Duration = Duration::from_secs(30);
/// The longest a run stopped by an error waits before the cluster continues it.
const MAX_RETRY_WAIT_MS: u64 = 5 * 60 * 1000;

impl Scheduler {
    /// Start this node's cluster duties (heartbeat, the mailbox and, if
    /// `claim`, taking over expired leases — a server does, a CLI command
    /// does not), if it is a node of a cluster; they run until the process ends.
    pub fn start_cluster_duties(self: &Arc<Self>, claim: bool) {
        let Some(leases) = self.runs.leases().cloned() else { return };
        let period = Duration::from_millis((leases.ttl_ms() / 3).max(50));
        let scheduler = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = leases.heartbeat().await {
                    tracing::warn!("cluster heartbeat failed: {error:#}");
                }
                let owed = leases.retry_releases().await;
                if owed > 0 {
                    tracing::warn!(target: "scena::cluster", owed, "leases this node let go are not released yet (the database refuses); trying again");
                }
                if !claim || scheduler.is_stopping() {
                    tokio::time::sleep(period).await;
                    continue;
                }
                match leases.claim_expired(CLAIM_BATCH).await {
                    Ok(claimed) => {
                        for id in claimed {
                            crate::metrics::METRICS.lease_taken_over();
                            tracing::info!(target: "scena::cluster", run = %id, node = %leases.node(), "took over a run whose lease expired");
                            scheduler.continue_detached(id);
                        }
                    }
                    Err(error) => tracing::warn!("claiming expired leases failed: {error:#}"),
                }
                tokio::time::sleep(period).await;
            }
        });
        let scheduler = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = scheduler.deliver_posted_controls().await {
                    tracing::warn!("delivering operators' events from other nodes failed: {error:#}");
                }
                tokio::time::sleep(MAILBOX_POLL).await;
            }
        });
    }

    /// `take_up` a run on a task of its own.
    fn take_up_detached(&self, id: String) {
        let Some(scheduler) = self.me.upgrade() else { return };
        tokio::spawn(async move {
            if let Err(error) = scheduler.take_up(&id, &mut SilentProgress).await {
                tracing::warn!(run = %id, "continuing the run failed: {error:#}");
            }
        });
    }

    /// Continue a run from its log on a task of its own.
    pub(super) fn continue_detached(self: &Arc<Self>, id: String) {
        let scheduler = self.clone();
        tokio::spawn(async move {
            if let Err(error) = scheduler.recover(&id, &mut SilentProgress).await {
                tracing::warn!(run = %id, "continuing the run failed: {error:#}");
            }
        });
    }

    /// Take a run's lease before writing to it (in a cluster; nothing to do
    /// otherwise). A run whose lease another live node holds is refused with
    /// [`HeldElsewhere`] unless `patient`: then this waits up to twice the
    /// lease's lifetime for it to be let go or expire — what a parent taken
    /// over from a dead node does for its child runs, whose leases expire
    /// at about the same moment.
    pub(super) async fn take_lease(&self, run_id: &str, patient: bool) -> anyhow::Result<()> {
        let Some(leases) = self.runs.leases() else { return Ok(()) };
        let deadline = std::time::Instant::now() + Duration::from_millis(2 * leases.ttl_ms());
        loop {
            match leases.acquire(run_id).await {
                Err(error) if patient && error.is::<HeldElsewhere>() && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                taken => return taken,
            }
        }
    }

    /// After a run's loop returned: let its lease go. An ended run's went
    /// with its last write; a run waiting for people stays claimable from its
    /// earliest approval timeout on, and one waiting for child runs as soon
    /// as one of them ends; a run whose lease was lost is not ours.
    pub(super) async fn let_go(&self, run_id: &str, plan: &Plan, driven: &anyhow::Result<RunState>) {
        let Some(leases) = self.runs.leases() else { return };
        let released = match driven {
            Ok(state) if state.is_over() => leases.release(run_id, None).await,
            Ok(state) => {
                let due = state.next_decision_due().unwrap_or(i64::MAX as u64);
                leases.park(run_id, Some(due), super::subflow::running_children(run_id, plan, state)).await
            }
            Err(error) => return self.give_back(run_id, error).await,
        };
        if let Err(error) = released {
            tracing::warn!(run = %run_id, "letting the run's lease go failed (tried again with each heartbeat): {error:#}");
        }
    }

    /// After a run's loop stopped for the process's end with work left: let
    /// its lease go, claimable by any node at once.
    pub(super) async fn hand_over(&self, run_id: &str) {
        let Some(leases) = self.runs.leases() else { return };
        if let Err(error) = leases.release(run_id, Some(0)).await {
            tracing::warn!(run = %run_id, "letting the run's lease go failed (tried again with each heartbeat): {error:#}");
        }
    }

    /// One use of a run's lease ends with `error`: a lost lease is forgotten
    /// (another node drives the run now); after any other error (the
    /// database refused a write, say) the run is left to the cluster, which
    /// continues it from its log once a lease's lifetime has passed (doubled
    /// for each time it was continued since a step of it last finished, up
    /// to five minutes) — on whichever node claims it first, this one included.
    pub(super) async fn give_back(&self, run_id: &str, error: &anyhow::Error) {
        let Some(leases) = self.runs.leases() else { return };
        if is_lease_lost(error) {
            tracing::warn!(target: "scena::cluster", run = %run_id, "this node lost its lease on the run (it was frozen or cut off too long): another node drives it now, and nothing more is written from here");
            leases.forget(run_id);
            return;
        }
        let retry_at = if error.chain().any(|e| e.is::<NoSuchRun>()) {
            None // nothing to continue
        } else {
            // Each continuation that got no step further waits twice as long as the one
            // before (an error that comes back every time would otherwise repeat its
            // calls every lease lifetime).
            let tries = self.runs.resumptions_without_progress(run_id).await.unwrap_or(0);
            let ttl = leases.ttl_ms();
            let wait_ms = ttl.saturating_mul(1 << tries.min(16)).min(MAX_RETRY_WAIT_MS.max(ttl));
            tracing::warn!(target: "scena::cluster", run = %run_id, "the run stopped on an error: {error:#}; the cluster continues it from its log in {wait_ms} ms");
            Some(super::now_ms() + wait_ms)
        };
        if let Err(error) = leases.release(run_id, retry_at).await {
            tracing::warn!(run = %run_id, "letting the run's lease go failed (tried again with each heartbeat): {error:#}");
        }
    }

    /// Let one use of a run's lease go as the run stands in its log (after an
    /// operator's event was refused or not recorded, say): a run waiting for
    /// people stays claimable from its approval timeout on; a run with work
    /// left (its node died and nobody claimed it yet) is claimable at once.
    pub(super) async fn let_go_as_is(&self, run_id: &str) {
        let Some(leases) = self.runs.leases() else { return };
        let released = match self.load(run_id).await {
            Ok(run)
                if !run.state.is_over()
                    && !run.state.paused
                    && run.state.awaiting_decision().is_empty()
                    && !resume_work(&run.plan, &run.state).is_empty() =>
            {
                leases.release(run_id, Some(0)).await
            }
            Ok(run) => return self.let_go(run_id, &run.plan, &Ok(run.state)).await,
            Err(error) => return self.give_back(run_id, &error).await,
        };
        if let Err(error) = released {
            tracing::warn!(run = %run_id, "letting the run's lease go failed (tried again with each heartbeat): {error:#}");
        }
    }

    /// Send an operator's event to the node driving the run and wait for
    /// its answer; the run's state once it took the event.
    pub(super) async fn control_elsewhere(&self, run_id: &str, event: &Event) -> anyhow::Result<RunState> {
        let mailbox = self.mailbox.as_ref().expect("a node of a cluster has a mailbox");
        let leases = self.runs.leases().expect("a node of a cluster has leases");
        let id = mailbox.post(run_id, &serde_json::to_string(event)?).await?;
        let deadline = std::time::Instant::now() + MAILBOX_PATIENCE;
        let answer = loop {
            if let Some(answer) = mailbox.answer_of(&id).await? {
                break answer;
            }
            // The driving node let the run go (or died) before taking it:
            // withdrawn, the event is tried again against the run as it is.
            let gone = leases.holder(run_id).await?.is_none();
            if (gone || std::time::Instant::now() >= deadline) && mailbox.withdraw(&id).await? {
                mailbox.remove(&id).await?;
                return Err(if gone {
                    NotTaken(run_id.to_string()).into()
                } else {
                    RunBusy(run_id.to_string()).into()
                });
            }
            // Taken, and then the node let the run go or died without
            // answering: its log says whether the event got in. If not, no
            // node holds the run now, so the event is tried again here.
            if gone {
                mailbox.remove(&id).await?;
                let logged = self.runs.events_after(run_id, None).await?.into_iter().any(|(_, e)| e == *event);
                if logged {
                    return self.state(run_id).await;
                }
                return Err(NotTaken(run_id.to_string()).into());
            }
            if std::time::Instant::now() >= deadline + MAILBOX_PATIENCE {
                return Err(RunBusy(run_id.to_string()).into());
            }
            tokio::time::sleep(MAILBOX_POLL).await;
        };
        mailbox.remove(&id).await?;
        let answer: serde_json::Value = serde_json::from_str(&answer)?;
        if answer["taken"] == true {
            return self.state(run_id).await;
        }
        match answer["refused"].as_str() {
            Some(why) => Err(ControlRefused(why.to_string()).into()),
            None => Err(NotTaken(run_id.to_string()).into()),
        }
    }

    /// Tell the node driving run `parent` that the child run of its call
    /// `attempt` of `node` ended (the child was driven here). Nobody waits
    /// for the answer: if that node dies first, the parent's next driver
    /// finds the child ended when it continues the call.
    pub(super) async fn post_child_ended(&self, parent: &str, node: &str, attempt: u32) -> anyhow::Result<()> {
        let mailbox = self.mailbox.as_ref().expect("a node of a cluster has a mailbox");
        let message = json!({"child_ended": {"node": node, "attempt": attempt}});
        mailbox.post(parent, &message.to_string()).await.map(|_| ())
    }

    /// Hand what other nodes posted for runs this node drives — operators'
    /// events, child runs that ended — to those runs' loops, and answer each.
    async fn deliver_posted_controls(&self) -> anyhow::Result<()> {
        let (Some(mailbox), Some(leases)) = (self.mailbox.as_ref(), self.runs.leases()) else { return Ok(()) };
        for posted in mailbox.waiting_for(leases.node()).await? {
            if !mailbox.take(&posted.id, leases.node()).await? {
                continue;
            }
            let message: serde_json::Value = serde_json::from_str(&posted.event).unwrap_or_default();
            if let Some(ended) = message.get("child_ended") {
                let (node, attempt) = (ended["node"].as_str().unwrap_or_default(), ended["attempt"].as_u64());
                let message =
                    super::live::LiveMsg::ChildEnded { node: node.to_string(), attempt: attempt.unwrap_or(0) as u32 };
                let delivered = self.live_run(&posted.run_id).is_some_and(|live| live.send(message).is_ok());
                mailbox.remove(&posted.id).await?;
                if !delivered {
                    // The parent's loop parked before hearing it: continue the parent
                    // here; it finds the child ended when it resumes its call.
                    self.take_up_detached(posted.run_id.clone());
                }
                continue;
            }
            let answer = match serde_json::from_value::<Event>(message) {
                Ok(event) => self.deliver_to_loop(&posted.run_id, event).await,
                Err(error) => json!({"refused": format!("the event is unreadable: {error}")}),
            };
            mailbox.answer(&posted.id, &answer.to_string()).await?;
        }
        Ok(())
    }

    async fn deliver_to_loop(&self, run_id: &str, event: Event) -> serde_json::Value {
        let Some(live) = self.live_run(run_id) else { return json!({"not_taken": true}) };
        let (reply, answer) = tokio::sync::oneshot::channel();
        if live.send(super::live::LiveMsg::Control { event, reply }).is_err() {
            return json!({"not_taken": true});
        }
        match answer.await {
            Ok(Ok(_)) => json!({"taken": true}),
            Ok(Err(error)) => match error.downcast_ref::<ControlRefused>() {
                Some(refused) => json!({"refused": refused.0}),
                None => json!({"not_taken": true}),
            },
            Err(_) => json!({"not_taken": true}),
        }
    }

    /// Stopping: hand this node's leases back so other nodes continue its
    /// runs at once instead of waiting for the leases to expire.
    pub async fn leave_cluster(&self) {
        if let Some(leases) = self.runs.leases()
            && let Err(error) = Leases::hand_back(leases).await
        {
            tracing::warn!("handing the leases back failed (they expire by themselves): {error:#}");
        }
    }
}
