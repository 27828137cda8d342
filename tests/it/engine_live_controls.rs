//! Controls of a run that this process is driving, through the engine API
//! (what `scena serve` uses): pause holds the next call and lets the running
//! one finish; unpause goes on; force-fail stops a pending step and takes its
//! error route — all while the run's loop owns its log.

use std::sync::Arc;

use crate::support::{TempDir, plugin_dir};
use scena::atoms::{FixedGrants, Grants};
use scena::catalog::PluginDir;
use scena::engine::{Event, RunState, RunStatus, StepOutcome};
use scena::flow::load_flow;
use scena::sandbox::{Limits, Sandbox, SandboxConfig};
use scena::scheduler::{Progress, Scheduler, SilentProgress, now_ms};
use scena::store::Db;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Reports each recorded event of the run being watched.
struct Events(mpsc::UnboundedSender<(String, Event)>);

impl Progress for Events {
    fn event(&mut self, run_id: &str, event: &Event) {
        let _ = self.0.send((run_id.to_string(), event.clone()));
    }
}

async fn scheduler(dir: &TempDir) -> Arc<Scheduler> {
    let plugins = plugin_dir(dir, &["countdown", "echo"]);
    let db = Db::open(&dir.path().join("scena.db")).await.unwrap();
    let config = SandboxConfig { kv: Some(db.kv()), ..Default::default() };
    let sandbox = Arc::new(Sandbox::new(config).unwrap());
    let (catalog, skipped) = PluginDir::load(&sandbox, &[std::path::PathBuf::from(plugins)]).await.unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    Scheduler::new(
        sandbox,
        Arc::new(catalog),
        &db,
        Arc::new(FixedGrants(Arc::new(Grants::default()))),
        Limits::default(),
    )
}

/// start → tick (a countdown polled every 10 ms) → after (echo) → end;
/// tick's error route leads to `failed`.
fn flow() -> scena::flow::Flow {
    load_flow(
        &json!({"name": "live", "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "tick", "kind": "step", "plugin": "countdown", "input": {"from": "${inputs.from}", "every_ms": 10}, "on_error": "route"},
            {"id": "after", "kind": "step", "plugin": "echo", "input": {"polls": "${steps.tick.output.polls}"}},
            {"id": "end", "kind": "end", "output": "${steps.after.output}"},
            {"id": "failed", "kind": "end", "output": {"error": "${steps.tick.error.message}"}}],
          "edges": [{"from": "start", "to": "tick"}, {"from": "tick", "to": "after"}, {"from": "after", "to": "end"},
                    {"from": "tick", "to": "failed", "kind": "error"}]})
        .to_string(),
    )
    .unwrap()
}

/// Start a run on its own task; return its id once its loop is live (its
/// first poll came back), the events that follow, and the task.
async fn start_live(
    scheduler: &Arc<Scheduler>,
    from: u32,
) -> (String, mpsc::UnboundedReceiver<(String, Event)>, tokio::task::JoinHandle<RunState>) {
    let (tx, mut events) = mpsc::unbounded_channel();
    let driving = scheduler.clone();
    let task = tokio::spawn(async move {
        driving.start("t", flow(), None, json!({"from": from}), &mut Events(tx)).await.unwrap().1
    });
    loop {
        let (id, event) = events.recv().await.expect("the run reports events");
        if let Event::StepFinished { outcome: StepOutcome::Pending { .. }, .. } = event {
            return (id, events, task);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_a_live_run_holds_its_next_call_and_unpausing_finishes_it() {
    let dir = TempDir::new("live-pause");
    let scheduler = scheduler(&dir).await;
    let (id, mut events, task) = start_live(&scheduler, 20).await;

    let paused = Event::Paused { by: "carol".into(), reason: "change freeze".into(), at_ms: now_ms() };
    let state = scheduler.control(&id, paused.clone(), &mut SilentProgress).await.unwrap();
    assert!(state.paused);
    let again = scheduler.control(&id, paused, &mut SilentProgress).await.unwrap_err();
    assert!(again.to_string().contains("already paused"), "{again}");

    // The loop stops once the poll in flight (if any) is back: nothing else may start.
    let held = task.await.unwrap();
    assert!(held.paused && held.status == RunStatus::Running, "{held:?}");
    let mut after_pause = Vec::new();
    while let Ok((_, event)) = events.try_recv() {
        after_pause.push(event);
    }
    let pause_at = after_pause.iter().position(|e| matches!(e, Event::Paused { .. })).expect("the pause is recorded");
    assert!(!after_pause[pause_at..].iter().any(|e| matches!(e, Event::StepStarted { .. })), "{after_pause:?}");

    let unpaused = Event::Unpaused { by: "carol".into(), at_ms: now_ms() };
    let state = scheduler.control(&id, unpaused, &mut SilentProgress).await.unwrap();
    assert_eq!(state.status, RunStatus::Succeeded, "{:?}", state.error);
    assert_eq!(state.output, Some(json!({"polls": 20})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_failing_a_pending_step_of_a_live_run_takes_its_error_route() {
    let dir = TempDir::new("live-force-fail");
    let scheduler = scheduler(&dir).await;
    let (id, _events, task) = start_live(&scheduler, 1_000_000).await;

    let wrong = Event::ForceFailed { node: "after".into(), by: "dave".into(), reason: String::new(), at_ms: now_ms() };
    let refused = scheduler.control(&id, wrong, &mut SilentProgress).await.unwrap_err();
    assert!(
        refused.to_string().contains("node `after` cannot be force-failed while it has not been reached"),
        "{refused}"
    );

    let force =
        Event::ForceFailed { node: "tick".into(), by: "dave".into(), reason: "host gone".into(), at_ms: now_ms() };
    scheduler.control(&id, force, &mut SilentProgress).await.unwrap();
    let state = task.await.unwrap();
    assert_eq!(state.status, RunStatus::Succeeded, "{:?}", state.error);
    assert_eq!(state.output, Some(json!({"error": "force-failed by dave: host gone"})));
    assert_eq!(state.steps["after"]["status"], Value::from("skipped"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_live_run_ends_it_at_once() {
    let dir = TempDir::new("live-cancel");
    let scheduler = scheduler(&dir).await;
    let (id, _events, task) = start_live(&scheduler, 1_000_000).await;
    let cancel = Event::Cancelled { by: "erin".into(), reason: "wrong target".into(), at_ms: now_ms() };
    scheduler.control(&id, cancel, &mut SilentProgress).await.unwrap();
    let state = task.await.unwrap();
    assert_eq!(state.status, RunStatus::Cancelled);
    assert_eq!(scheduler.state(&id).await.unwrap().status, RunStatus::Cancelled);
}
